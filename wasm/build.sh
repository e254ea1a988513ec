#!/usr/bin/env bash
# Builds the npm package `ssm-edge` into wasm/pkg: wasm-pack (wasm-bindgen, --target web)
# with the size-first `wasm-release` profile and the `bundle` feature (no std: talc
# allocator, trapping panic handler) into target/wasm-pack/ssm-edge, wasm-opt -Oz from npm
# binaryen, then wasm/package.sh turns that output into the package. Run through
# `make package`.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
bin="$root/tests/js/node_modules/.bin"
raw="$root/target/wasm-pack/ssm-edge"

rm -rf "$raw"
wasm-pack --quiet build . --target web --profile wasm-release --out-dir "$raw" --out-name ssm_edge --no-pack -- --features bundle
"$bin/wasm-opt" -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$raw/ssm_edge_bg.wasm" -o "$raw/ssm_edge_bg.wasm"
bash package.sh "$raw" pkg
