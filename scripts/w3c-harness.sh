#!/usr/bin/env bash
# Runs the official W3C trace-context test harness (https://github.com/w3c/trace-context,
# its test/ folder, unchanged) against test-fixtures/w3c-service, whose
# inbound and outbound paths are exactly @tracehop/core's. Three runs:
#   STRICT_LEVEL=1 SPEC_LEVEL=1, STRICT_LEVEL=2 SPEC_LEVEL=1, STRICT_LEVEL=2 SPEC_LEVEL=2
# and exits non-zero when any case fails or errors in any run.
#
#   git clone https://github.com/w3c/trace-context
#   W3C_HARNESS_DIR=$PWD/trace-context/test bash scripts/w3c-harness.sh
#
# Without W3C_HARNESS_DIR (a clone with nothing beside it) it prints one line
# saying the harness was not found and how to point at it, and exits 0, so
# `pnpm check` passes everything else; with CI=true the harness is required
# (.ci/run points W3C_HARNESS_DIR at the copy CI keeps beside the clone). A
# W3C_HARNESS_DIR without test.py in it fails (exit 2).
#
# Environment:
#   W3C_HARNESS_DIR     the harness's test/ directory (w3c/trace-context's test/, unchanged)
#   W3C_HARNESS_VENV    the private virtualenv holding aiohttp from PyPI, reused between runs
#                       (default: node_modules/.cache/w3c-harness-venv)
#   W3C_HARNESS_LEVELS  override the runs, ';'-separated, e.g. "STRICT_LEVEL=2 SPEC_LEVEL=2"
#
# The service runs from @tracehop/core's TypeScript sources (the repo's
# `tracehop-source` export condition), so no build step is needed; it is
# killed on every exit path, including a failed run or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

harness="${W3C_HARNESS_DIR:-}"
how='git clone https://github.com/w3c/trace-context && W3C_HARNESS_DIR=$PWD/trace-context/test pnpm test:w3c'
if [ -z "$harness" ]; then
  # CI always has the harness: there a missing one is a failure, never a skip.
  if [ "${CI:-}" = true ]; then echo "w3c-harness: FAILED, W3C_HARNESS_DIR is not set and CI=true requires the harness" >&2; exit 2; fi
  echo "w3c-harness: SKIPPED, the official W3C trace-context harness was not found (W3C_HARNESS_DIR is not set); to run it: $how"
  exit 0
fi
# A directory named on purpose but wrong is a mistake to report, not a skip.
[ -f "$harness/test.py" ] || { echo "w3c-harness: no test.py in W3C_HARNESS_DIR=$harness (it must be w3c/trace-context's test/ folder: $how)" >&2; exit 2; }
harness="$(cd "$harness" && pwd)"

# aiohttp pinned; the marker names the pin, so changing it rebuilds the cached venv.
aiohttp_pin='aiohttp==3.12.15'
venv="${W3C_HARNESS_VENV:-$root/node_modules/.cache/w3c-harness-venv}"
if [ "$(cat "$venv/.tracehop-pin" 2>/dev/null || true)" != "$aiohttp_pin" ]; then
  echo "w3c-harness: creating $venv with $aiohttp_pin from PyPI"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$aiohttp_pin"
  echo "$aiohttp_pin" >"$venv/.tracehop-pin"
fi
python="$venv/bin/python"

# The harness's own callback server: a free loopback port, not the fixed 7777.
harness_port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

work="$(mktemp -d)"
service=""
stop_service() {
  if [ -n "$service" ] && kill -0 "$service" 2>/dev/null; then
    kill "$service" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$service" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$service" 2>/dev/null || true
  fi
  service=""
}
trap 'stop_service; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# exec node itself (not npx/pnpm), so $service is the node process and killing it stops the service.
(cd test-fixtures/w3c-service && exec node --conditions=tracehop-source --import tsx src/main.ts >"$work/service.log" 2>&1) &
service=$!
for _ in $(seq 150); do grep -q '^LISTENING ' "$work/service.log" && break; kill -0 "$service" 2>/dev/null || break; sleep 0.1; done
url="$(sed -n 's/^LISTENING //p' "$work/service.log")"
[ -n "$url" ] || { echo "w3c-harness: the service did not start:" >&2; cat "$work/service.log" >&2; exit 1; }
echo "w3c-harness: service $url (pid $service), harness $harness, callback port $harness_port"

IFS=';' read -r -a runs <<<"${W3C_HARNESS_LEVELS:-STRICT_LEVEL=1 SPEC_LEVEL=1;STRICT_LEVEL=2 SPEC_LEVEL=1;STRICT_LEVEL=2 SPEC_LEVEL=2}"
status=0
summary=()
for i in "${!runs[@]}"; do
  levels="${runs[$i]}"
  out="$work/run-$i.log"
  printf '\n=== %s\n' "$levels"
  rc=0
  # shellcheck disable=SC2086 # $levels is a list of VAR=value words on purpose
  (cd "$harness" && env $levels HARNESS_HOST=127.0.0.1 HARNESS_PORT="$harness_port" timeout 300 "$python" test.py "$url") >"$out" 2>&1 || rc=$?
  cat "$out"
  ran="$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$out")"
  skipped="$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' "$out" | tail -1)"
  failed="$(sed -n 's/^\(FAIL\|ERROR\): \([a-zA-Z0-9_]*\) .*/\2/p' "$out" | sort -u | paste -sd, -)"
  if [ "$rc" -eq 0 ] && grep -q '^OK' "$out"; then verdict="PASS"; else verdict="FAIL"; status=1; fi
  [ -n "$failed" ] || { [ "$verdict" = PASS ] && failed="none" || failed="(no case named; exit $rc)"; }
  summary+=("$(printf '%-4s  %-28s ran=%-3s skipped=%-3s failed: %s' "$verdict" "$levels" "${ran:-?}" "${skipped:-0}" "$failed")")
done
stop_service

printf '\n=== W3C trace-context harness summary (%s)\n' "$url"
printf '%s\n' "${summary[@]}"
[ "$status" -eq 0 ] && echo "w3c-harness: all runs passed" || echo "w3c-harness: FAILED (see the runs above)"
exit "$status"
