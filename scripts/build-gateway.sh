#!/usr/bin/env bash
# Builds the gateway Worker (gateway/build/worker/shim.mjs + index.wasm) with
# worker-build, pointed at local tools so nothing is downloaded at build time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/tests/js/node_modules/.bin"
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen)}"
export WASM_OPT_BIN="${WASM_OPT_BIN:-$bin/wasm-opt}"
export ESBUILD_BIN="${ESBUILD_BIN:-$bin/esbuild}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cd "$root/gateway"
exec worker-build --profile "${GATEWAY_PROFILE:-gateway-release}" "$@"
