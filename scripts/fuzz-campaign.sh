#!/usr/bin/env bash
# Long fuzz campaigns (`make fuzz`): each cargo-fuzz target in turn, ONE AT A TIME on one
# core (`-workers=1 -jobs=1`), until FUZZ_RUNS executions (10 million) or FUZZ_SECONDS
# (1800) have passed, whichever comes first; then `cargo fuzz cmin` of what it found.
# Prints a summary table (also in target/fuzz/campaign/summary.md) for docs/reliability.md.
#
#   make fuzz                                   # every target, 30 min / 10 M each
#   FUZZ_SECONDS=600 FUZZ_TARGETS="verify" make fuzz
#
# Everything is built into and written under target/fuzz (CARGO_TARGET_DIR): the campaign
# corpus, libFuzzer's log (fuzz-0.log) and any reproducer (artifacts/). The committed
# corpus fuzz/corpus/<target> is only read; to keep a minimized corpus, copy
# target/fuzz/campaign/<target>/min into it by hand when it stays under 2 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${FUZZ_SECONDS:-1800}
runs=${FUZZ_RUNS:-10000000}
export CARGO_TARGET_DIR="$root/target/fuzz"
all=$(awk '/^\[\[bin\]\]/ { getline; gsub(/name = |"/, ""); print }' fuzz/Cargo.toml)
targets=${FUZZ_TARGETS:-$all}
out="$CARGO_TARGET_DIR/campaign"
mkdir -p "$out"
summary="$out/summary.md"

cargo +nightly fuzz build -a --fuzz-dir fuzz

{
  echo "Campaigns started $(date -u +%Y-%m-%dT%H:%M:%SZ): up to $runs runs / ${seconds}s per target, -workers=1 -jobs=1"
  echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(rustc +nightly --version), $(cargo fuzz --version), address sanitizer + debug assertions"
  echo
  echo "| target | executions | exec/s | cov | ft | corpus (entries/size) | minimized corpus | crashes | seconds |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"$summary"

failed=0
for target in $targets; do
  dir="$out/$target"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/min"
  cp "fuzz/corpus/$target/"* "$dir/corpus/"
  printf '\033[1m==> fuzz %s: %s runs or %ss\033[0m\n' "$target" "$runs" "$seconds"
  start=$(date +%s)
  # -jobs=1: libFuzzer runs the campaign in a child process that logs to ./fuzz-0.log.
  (cd "$dir" && cargo +nightly fuzz run -a --fuzz-dir "$root/fuzz" "$target" "$dir/corpus" -- \
      -runs="$runs" -max_total_time="$seconds" -workers=1 -jobs=1 -timeout=30 \
      -artifact_prefix="$dir/artifacts/" -print_final_stats=1 >"$dir/run.log" 2>&1) || true
  elapsed=$(( $(date +%s) - start ))
  log="$dir/fuzz-0.log"
  [ -f "$log" ] || log="$dir/run.log"
  last=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\) .*/\1/p' <<<"$last")
  crashes=$(find "$dir/artifacts" -type f | wc -l)
  corpus="$corp"
  cargo +nightly fuzz cmin -a --fuzz-dir fuzz "$target" "$dir/corpus" >"$dir/cmin.log" 2>&1 || true
  # cmin minimizes in place; keep a copy as min/.
  cp "$dir/corpus/"* "$dir/min/" 2>/dev/null || true
  min="$(find "$dir/min" -type f | wc -l) files, $(du -sh --apparent-size "$dir/min" | cut -f1)"
  echo "| $target | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | $corpus | $min | $crashes | $elapsed |" >>"$summary"
  echo "$last"
  if [ "$crashes" -gt 0 ] || grep -qE '^==[0-9]+==ERROR|panicked at|deadly signal' "$log"; then
    failed=1
    echo "fuzz: $target found a crash: $dir/artifacts/ (log: $log)"
  fi
done

echo
cat "$summary"
exit $failed
