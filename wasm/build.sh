#!/usr/bin/env bash
# Builds the npm package `ssm-edge` into wasm/pkg: cargo with the pinned nightly of
# wasm/toolchain.env (core and alloc rebuilt with the size-first `wasm-release` profile,
# panics that only trap), the `bundle` feature (no std: talc allocator, compact SHA-256),
# then the wasm-bindgen CLI (`--target web`) and wasm-opt -Oz from npm binaryen into
# target/wasm-bindgen/ssm-edge; wasm/package.sh turns that output into the package. Run
# through `make package`.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
bin="$root/tests/js/node_modules/.bin"
raw="$root/target/wasm-bindgen/ssm-edge"
# Its own target directory: the nightly's artifacts never invalidate the stable ones.
target="$root/target/wasm-nightly"
. ./toolchain.env

RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
  CARGO_TARGET_DIR="$target" cargo "+$WASM_TOOLCHAIN" build --quiet --locked \
  -Z build-std=core,alloc --target wasm32-unknown-unknown --profile wasm-release \
  -p ssm-edge-wasm --features bundle
rm -rf "$raw"
wasm-bindgen "$target/wasm32-unknown-unknown/wasm-release/ssm_edge_wasm.wasm" \
  --target web --out-dir "$raw" --out-name ssm_edge
"$bin/wasm-opt" -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$raw/ssm_edge_bg.wasm" -o "$raw/ssm_edge_bg.wasm"
bash package.sh "$raw" pkg
