#!/usr/bin/env bash
# Builds the npm package `ssm-edge` into wasm/pkg: wasm-pack (wasm-bindgen, --target web)
# with the size-first `wasm-release` profile and the `bundle` feature (no std: talc
# allocator, trapping panic handler), wasm-opt -Oz from npm binaryen, then the
# package's own JavaScript, types and package.json. Run through `make package`.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
bin="$root/tests/js/node_modules/.bin"
out=pkg

rm -rf "$out"
wasm-pack --quiet build . --target web --profile wasm-release --out-dir "$out" --out-name ssm_edge --no-pack -- --features bundle
# wasm-bindgen's own d.ts for the low-level module stays internal; index.d.ts is the API.
rm -f "$out/.gitignore" "$out/ssm_edge_bg.wasm.d.ts"
"$bin/wasm-opt" -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/ssm_edge_bg.wasm" -o "$out/ssm_edge_bg.wasm"
cp js/index.js js/node.js js/workerd.js js/client.js js/instance.js js/messages.js js/model.js js/index.d.ts js/model.d.ts "$out/"
cp js/package.template.json "$out/package.json"
cp ../README.md "$out/README.md" 2>/dev/null || true
printf 'built %s: wasm %s bytes (%s gzip)\n' "$out" \
  "$(wc -c < "$out/ssm_edge_bg.wasm")" "$(gzip -9c "$out/ssm_edge_bg.wasm" | wc -c)"
