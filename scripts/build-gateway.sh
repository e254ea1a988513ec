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
# wrangler runs this before every `wrangler dev`/`deploy`; wasm-bindgen and wasm-opt take a
# minute even when cargo has nothing to do, so skip when the build is newer than its inputs.
if [ "${GATEWAY_FORCE_BUILD:-0}" != 1 ] && [ -f build/index.js ] && [ -f build/index_bg.wasm ] \
  && [ -z "$(find src policies Cargo.toml ../core/src ../core/Cargo.toml ../Cargo.lock ../Cargo.toml \
        -newer build/index_bg.wasm -print -quit)" ]; then
  echo "gateway/build is up to date (GATEWAY_FORCE_BUILD=1 rebuilds)"
  exit 0
fi
exec worker-build --profile "${GATEWAY_PROFILE:-gateway-release}" "$@"
