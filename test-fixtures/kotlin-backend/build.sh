#!/usr/bin/env bash
# Builds the Kotlin fixture: target/kotlin-backend.jar (fat jar) and
# target/otel/opentelemetry-javaagent.jar (the pinned agent, copied, not shaded).
# Works from any directory; safe to run again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec mvn -B -q -f "$here/pom.xml" package -DskipTests "$@"
