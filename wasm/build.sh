#!/usr/bin/env bash
# Builds the npm package `ssm-edge` into wasm/pkg: cargo with the pinned nightly of
# wasm/toolchain.env (core and alloc rebuilt with the size-first `wasm-release` profile,
# panics that only trap), the `bundle` feature (no std: talc allocator, compact SHA-256),
# then wasm-opt -Oz from npm binaryen into target/wasm-opt/ssm_edge_bg.wasm; wasm/package.sh
# turns it into the package (its JavaScript side is wasm/js/wasm.js, see wasm/src/abi.rs).
# Run through `make package`.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
bin="$root/tests/js/node_modules/.bin"
# Its own target directory: the nightly's artifacts never invalidate the stable ones.
target="$root/target/wasm-nightly"
out="$root/target/wasm-opt"
. ./toolchain.env

# Legacy symbol names: wasm/bench/wasm-breakdown.mjs reads them from a named build (the
# shipped wasm has no names either way). core and alloc, rebuilt with the package's
# profile, stay at opt-level 3 as stable ships them: 340 B and 143 B gzip smaller than at
# "z" (fat LTO then inlines less of them), and memchr, UTF-8 checks, copies and `Vec`
# growth run at full speed. (Given here: in Cargo.toml, every other cargo command would
# warn that no package `core` or `alloc` matches.) Their `optimize_for_size` feature picks
# std's small form where it has two; of what the wasm links, that is `chars().count()` (the
# validator's length rules) as a plain loop instead of a word-at-a-time one: 370 B gzip
# smaller, `validate()` and `signRequest` unchanged within A/B noise.
RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none -Csymbol-mangling-version=legacy" \
  CARGO_TARGET_DIR="$target" cargo "+$WASM_TOOLCHAIN" build --quiet --locked \
  -Z build-std=core,alloc -Z build-std-features=optimize_for_size --target wasm32-unknown-unknown --profile wasm-release \
  --config "profile.wasm-release.package.core.opt-level=3" \
  --config "profile.wasm-release.package.alloc.opt-level=3" \
  -p ssm-edge-wasm --features bundle
mkdir -p "$out"
"$bin/wasm-opt" -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$target/wasm32-unknown-unknown/wasm-release/ssm_edge_wasm.wasm" -o "$out/ssm_edge_bg.wasm"
bash package.sh "$out/ssm_edge_bg.wasm" pkg
