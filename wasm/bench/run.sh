#!/usr/bin/env bash
# Benchmarks of the npm package `ssm-edge` against its peers, in one run, printed as markdown:
#   1. bundle size of a minimal SendCommand app (esbuild, minified, gzip -9) + what the wasm is made of
#   2. signing throughput in Node (signed SendCommand requests per second)
#   3. cold start (process start to the first signed request, over an empty `node -e`)
#   4. validate() throughput in Node (a typical SendCommand), beside ajv compiled from a JSON
#      Schema derived from the same botocore model (so it needs the venv: `make setup`)
#   5. live output: line-to-caller latency and Logs requests per streaming instance (output.mjs),
#      and line-to-page latency in the dashboard (www/bench/output-latency.mjs, Chromium)
# The peers are pinned in wasm/bench/package.json (+ lock); the build tools come from tests/js.
# The package is wasm/pkg (built by `bash wasm/build.sh` if missing), copied into
# wasm/bench/node_modules/ssm-edge so that every script imports it by name as a user would,
# and so that a rebuild during the run cannot change it under the benchmarks.
# Run: make bench-js  (or bash wasm/bench/run.sh). Takes ~5.5 minutes on 2 cores.
# Knobs: BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_WARMUP_MS (both throughputs), COLD_RUNS, COLD_WARMUP
# (cold start), BENCH_SKIP_BREAKDOWN=1 (skip the ~40 s wasm breakdown).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Peers and build tools (esbuild, wasm-opt), installed exactly as locked (as setup.sh does).
bash "$root/scripts/npm-ci.sh" wasm/bench tests/js

# The package: wasm/pkg, built if missing (or half-written by a build in progress: wait for it).
files=(package.json index.js node.js client.js model.js wasm.js ssm_edge_bg.wasm)
complete() { for f in "${files[@]}"; do [ -f "$root/wasm/pkg/$f" ] || return 1; done; }
for _ in $(seq 1 24); do complete && break; sleep 5; done
if ! complete; then
  say "bash wasm/build.sh"
  bash "$root/wasm/build.sh" >&2
fi
# A build running meanwhile deletes and rewrites wasm/pkg: retry a copy that caught it midway.
for attempt in 1 2 3 4 5 6; do
  rm -rf node_modules/.ssm-edge.tmp
  if cp -r "$root/wasm/pkg" node_modules/.ssm-edge.tmp 2>/dev/null &&
     (cd node_modules/.ssm-edge.tmp && ls "${files[@]}" >/dev/null 2>&1); then
    break
  fi
  [ "$attempt" = 6 ] && { echo "wasm/pkg kept changing while being copied" >&2; exit 1; }
  sleep 10
done
rm -rf node_modules/ssm-edge
mv node_modules/.ssm-edge.tmp node_modules/ssm-edge

wasm=node_modules/ssm-edge/ssm_edge_bg.wasm
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain -- core wasm/src wasm/js Cargo.lock 2>/dev/null | grep -q . && echo " + uncommitted changes in core/ or wasm/" || true)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')

echo "# ssm-edge npm package benchmarks"
echo
echo "- when: $(date -u +%Y-%m-%dT%H:%MZ); commit $commit$dirty"
echo "- machine: $(nproc) cores ($cpu), shared with other work; $(uname -sr); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- Node $(node --version); esbuild $("$root/tests/js/node_modules/.bin/esbuild" --version); gzip -9 -n"
echo "- package: wasm/pkg, ssm_edge_bg.wasm $(wc -c < "$wasm") B, sha256 $(sha256sum "$wasm" | cut -c1-16)…"
echo

say "bundle size"
echo "## Bundle size (minimal app that builds, signs and sends one SendCommand)"
echo
node size.mjs
echo
echo "Command per app: \`tests/js/node_modules/.bin/esbuild wasm/bench/apps/<app>.js --bundle --minify --format=esm --platform=browser --outfile=<app>.min.js\`, then \`gzip -9 -n -c <file> | wc -c\` on the bundle and on ssm_edge_bg.wasm."
echo

if [ "${BENCH_SKIP_BREAKDOWN:-0}" != 1 ]; then
  say "wasm breakdown (twiggy; ~40 s)"
  echo "## What the wasm is made of"
  echo
  node wasm-breakdown.mjs
  echo
fi

say "signing throughput (~1 min)"
echo "## Signing throughput in Node"
echo
node --expose-gc throughput.mjs
echo

say "validate() throughput (~20 s)"
echo "## validate() throughput in Node"
echo
node --expose-gc validate.mjs
echo

say "live output over the local SSM (~2 min)"
echo "## Live output (streamOutput over tests/local-ssm)"
echo
node output.mjs
echo
echo "In the dashboard (headless Chromium, \`node www/bench/output-latency.mjs\`):"
echo
node "$root/www/bench/output-latency.mjs"
echo

say "cold start (~1 min)"
echo "## Cold start"
echo
node coldstart.mjs
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
