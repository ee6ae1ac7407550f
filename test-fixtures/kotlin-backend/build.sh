#!/usr/bin/env bash
# Builds the Kotlin fixture: target/kotlin-backend.jar (fat jar) and
# target/otel/opentelemetry-javaagent.jar (the pinned agent, copied, not shaded).
# Works from any directory; safe to run again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# kotlin-maven-plugin puts its own output directory on the compile classpath, so
# classes left from an older source (a changed signature, a deleted file) clash
# with the new ones. Compiling from scratch costs seconds; the agent copy stays.
rm -rf "$here/target/classes"
exec mvn -B -q -f "$here/pom.xml" package -DskipTests "$@"
