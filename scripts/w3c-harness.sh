#!/usr/bin/env bash
# Runs the official W3C trace-context test harness (w3c/trace-context, test/)
# against test-fixtures/w3c-service, whose inbound and outbound paths are
# exactly @tracehop/core's. The harness is not in any package registry, so it
# is not part of `pnpm check`: point W3C_HARNESS_DIR at a checkout's `test/`
# directory. aiohttp comes from PyPI into a private virtualenv.
#
#   W3C_HARNESS_DIR=/path/to/trace-context/test bash scripts/w3c-harness.sh
set -euo pipefail
cd "$(dirname "$0")/.."
harness="${W3C_HARNESS_DIR:?set W3C_HARNESS_DIR to the harness directory (w3c/trace-context/test)}"
venv="node_modules/.cache/w3c-harness-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'aiohttp>=3.8,<4'
fi
pnpm run build >/dev/null

log="$(mktemp)"
# exec node itself (not npx) so that killing $service stops the service.
(cd test-fixtures/w3c-service && exec node --import tsx src/main.ts >"$log" 2>&1) &
service=$!
trap 'kill "$service" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q '^LISTENING ' "$log" && break; sleep 0.1; done
url="$(sed -n 's/^LISTENING //p' "$log")"
[ -n "$url" ] || { cat "$log"; exit 1; }

status=0
for levels in "STRICT_LEVEL=1" "STRICT_LEVEL=2" "SPEC_LEVEL=2 STRICT_LEVEL=2"; do
  printf '\n=== %s\n' "$levels"
  (cd "$harness" && env $levels HARNESS_HOST=127.0.0.1 "$OLDPWD/$venv/bin/python" test.py "$url") || status=1
done
exit "$status"
