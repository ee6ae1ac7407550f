#!/usr/bin/env bash
# Builds the tracehop collector (`otelcol`) from collector/manifest.yaml with the
# OpenTelemetry Collector Builder, once per (manifest, Go version).
#
# Cache: ${TRACEHOP_CACHE:-$HOME/.cache/tracehop}/otelcol-<hash>/otelcol, where
# <hash> = sha256(manifest.yaml + `go version`). A warm run only hashes and
# re-links collector/bin/otelcol (gitignored). The last stdout line is the path
# of the binary; progress goes to stderr.
#
# Usage: build.sh            build if needed, print the path
#        build.sh --check    print the path if built, else exit 3 (never builds)
set -euo pipefail

BUILDER_VERSION=v0.161.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/manifest.yaml"
cache_root="${TRACEHOP_CACHE:-$HOME/.cache/tracehop}"

command -v go >/dev/null || { echo "build.sh: 'go' is not on PATH (Go >= 1.24 needed)" >&2; exit 1; }

hash="$( { cat "$manifest"; go version; } | sha256sum | cut -c1-16)"
out_dir="$cache_root/otelcol-$hash"
binary="$out_dir/otelcol"

link_binary() {
  mkdir -p "$here/bin"
  ln -sfn "$binary" "$here/bin/otelcol"
}

if [[ -x "$binary" ]]; then
  link_binary
  echo "$binary"
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  echo "build.sh: otelcol is not built for this manifest and Go version; run bash collector/build.sh" >&2
  exit 3
fi
mkdir -p "$cache_root"

gobin="$cache_root/gobin-$BUILDER_VERSION"
builder="$gobin/builder"
if [[ ! -x "$builder" ]]; then
  echo "build.sh: installing builder $BUILDER_VERSION into $gobin" >&2
  mkdir -p "$gobin"
  GOBIN="$gobin" go install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION" >&2
fi

# Build in a scratch dir and move the binary into place only when it is
# complete, so an interrupted build never leaves a half-written cache entry.
work="$(mktemp -d "$cache_root/otelcol-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "build.sh: building otelcol from $manifest (cold: several minutes)" >&2
start=$SECONDS
"$builder" --config "$manifest" --output-path "$work/dist" >&2
mkdir -p "$out_dir"
mv "$work/dist/otelcol" "$binary.tmp"
mv "$binary.tmp" "$binary"
echo "build.sh: built in $((SECONDS - start)) s" >&2
link_binary
echo "$binary"
