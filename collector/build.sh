#!/usr/bin/env bash
# Builds the tracehop collector (`otelcol`) from collector/manifest.yaml with the
# OpenTelemetry Collector Builder, static for linux/amd64 (what Cloud Run runs),
# once per (manifest, Go version); then its container image as an OCI image
# layout, without a Docker daemon (collector/image), once per (binary,
# deployable configs, image builder source, CA bundle, Go version).
#
# Cache: ${TRACEHOP_CACHE:-$HOME/.cache/tracehop}/otelcol-<hash>/otelcol, where
# <hash> = sha256(manifest.yaml + `go version`), and otelcol-image-<hash>/ (the
# layout). A warm run only hashes and re-links collector/bin/otelcol and
# collector/bin/image (gitignored). Progress goes to stderr.
#
# Usage: build.sh                 build both if needed; the last stdout line is the binary's path
#        build.sh --image         the same; the last stdout line is the image layout's path
#        build.sh --check         print the binary's path if built, else exit 3 (never builds)
#        build.sh --check --image print the image layout's path if built, else exit 3
set -euo pipefail

BUILDER_VERSION=v0.161.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/manifest.yaml"
cache_root="${TRACEHOP_CACHE:-$HOME/.cache/tracehop}"
check=false
want=binary
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    --image) want=image ;;
    *) echo "build.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

command -v go >/dev/null || { echo "build.sh: 'go' is not on PATH (Go >= 1.24 needed)" >&2; exit 1; }

# Cloud Run runs linux/amd64. On such a host the key is the historical one (the
# same manifest and Go version give the same cache entry everywhere); a
# cross-build from another host gets its own entry.
target="linux/amd64"
host="$(go env GOHOSTOS)/$(go env GOHOSTARCH)"
hash="$( { cat "$manifest"; go version; [[ "$host" == "$target" ]] || echo "cross $target"; } | sha256sum | cut -c1-16)"
out_dir="$cache_root/otelcol-$hash"
binary="$out_dir/otelcol"

ca_bundle="${TRACEHOP_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
image_hash() {
  {
    echo "$hash"
    sha256sum "$binary"
    # The deployable configs (what the image copies: config/*.yaml, not config/test).
    for f in "$here"/config/*.yaml; do echo "$(basename "$f")"; cat "$f"; done
    cat "$here"/image/go.mod "$here"/image/go.sum "$here"/image/*.go
    cat "$ca_bundle"
    go version
  } | sha256sum | cut -c1-16
}

link() {
  mkdir -p "$here/bin"
  ln -sfn "$binary" "$here/bin/otelcol"
  [[ -z "${image:-}" ]] || ln -sfn "$image" "$here/bin/image"
}

finish() {
  link
  if [[ "$want" == image ]]; then echo "$image"; else echo "$binary"; fi
}

if [[ "$check" == true ]]; then
  if [[ ! -x "$binary" ]]; then
    echo "build.sh: otelcol is not built for this manifest and Go version; run bash collector/build.sh" >&2
    exit 3
  fi
  if [[ "$want" == image ]]; then
    image="$cache_root/otelcol-image-$(image_hash)"
    if [[ ! -f "$image/index.json" ]]; then
      echo "build.sh: the image is not built for these configs; run bash collector/build.sh" >&2
      exit 3
    fi
  fi
  finish
  exit 0
fi
mkdir -p "$cache_root"

if [[ ! -x "$binary" ]]; then
  gobin="$cache_root/gobin-$BUILDER_VERSION"
  builder="$gobin/builder"
  if [[ ! -x "$builder" ]]; then
    echo "build.sh: installing builder $BUILDER_VERSION into $gobin" >&2
    mkdir -p "$gobin"
    GOBIN="$gobin" GOOS= GOARCH= go install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION" >&2
  fi
  # Build in a scratch dir and move the binary into place only when it is
  # complete, so an interrupted build never leaves a half-written cache entry.
  work="$(mktemp -d "$cache_root/otelcol-build.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "build.sh: building otelcol from $manifest for $target (cold: several minutes)" >&2
  start=$SECONDS
  # The builder sets CGO_ENABLED=0 itself: a static binary, as the image (no libc) needs.
  CGO_ENABLED=0 GOOS=linux GOARCH=amd64 "$builder" --config "$manifest" --output-path "$work/dist" >&2
  mkdir -p "$out_dir"
  mv "$work/dist/otelcol" "$binary.tmp"
  mv "$binary.tmp" "$binary"
  echo "build.sh: built in $((SECONDS - start)) s" >&2
fi

image="$cache_root/otelcol-image-$(image_hash)"
if [[ ! -f "$image/index.json" ]]; then
  [[ -f "$ca_bundle" ]] || { echo "build.sh: no CA bundle at $ca_bundle (Debian: apt-get install ca-certificates; or set TRACEHOP_CA_BUNDLE)" >&2; exit 1; }
  echo "build.sh: writing the image (OCI layout) to $image" >&2
  rm -rf "$image.tmp"
  (cd "$here/image" && GOOS= GOARCH= go run . -otelcol "$binary" -configs "$here/config" -ca "$ca_bundle" -out "$image.tmp" >&2)
  rm -rf "$image"
  mv "$image.tmp" "$image"
fi
finish
