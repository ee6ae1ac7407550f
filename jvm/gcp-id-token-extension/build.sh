#!/usr/bin/env bash
# Builds the Java agent extension: target/tracehop-gcp-id-token-extension.jar
# (one shaded jar for -Dotel.javaagent.extensions). Maven, Maven Central only.
#
# Cached: the jar is rebuilt only when pom.xml, src/ or the JDK changed
# (sha256 of them in target/.build-hash). A warm run only hashes. The last
# stdout line is the jar's path. Works from any directory; safe to run again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/tracehop-gcp-id-token-extension.jar"
stamp="$here/target/.build-hash"

hash="$(
  cd "$here"
  { cat pom.xml; find src -type f | LC_ALL=C sort | xargs sha256sum; java -version 2>&1; } | sha256sum | cut -c1-16
)"
if [[ -f "$jar" && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
  echo "$jar"
  exit 0
fi
echo "build.sh: building the ID-token extension (sources changed or not built yet)" >&2
rm -f "$stamp"
# clean: a class deleted from src must not survive in target/classes and the jar.
mvn -B -q -f "$here/pom.xml" clean package "$@" >&2
echo "$hash" > "$stamp"
echo "$jar"
