#!/usr/bin/env bash
# Fuzz smoke test: builds the cargo-fuzz targets (fuzz/, nightly + libFuzzer, address
# sanitizer, debug assertions) and runs each for FUZZ_SMOKE_SECONDS (20) over the committed
# corpus, one at a time on one core. Fails on any crash, panic or broken property; the
# reproducer is left in target/fuzz/artifacts/<target>/.
#
# The build goes to target/fuzz (CARGO_TARGET_DIR), so the repository has one target/
# tree. New corpus entries go to a scratch folder, never to fuzz/corpus (the committed
# corpus changes only by hand: see docs/reliability.md, "Fuzzing").
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo +nightly --version >/dev/null 2>&1 || ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: skipped: needs the nightly toolchain and cargo-fuzz (scripts/setup.sh)"
  [ "${FUZZ_REQUIRED:-0}" = 1 ] && exit 1
  exit 0
fi

seconds=${FUZZ_SMOKE_SECONDS:-20}
export CARGO_TARGET_DIR="$PWD/target/fuzz"
targets=$(awk '/^\[\[bin\]\]/ { getline; gsub(/name = |"/, ""); print }' fuzz/Cargo.toml)

cargo +nightly fuzz build -a --fuzz-dir fuzz

failed=()
for target in $targets; do
  scratch="$CARGO_TARGET_DIR/smoke-corpus/$target"
  artifacts="$CARGO_TARGET_DIR/artifacts/$target"
  rm -rf "$scratch"
  mkdir -p "$scratch" "$artifacts"
  printf '\033[1m==> fuzz %s (%ss)\033[0m\n' "$target" "$seconds"
  if cargo +nightly fuzz run -a --fuzz-dir fuzz "$target" "$scratch" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -workers=1 -timeout=30 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 >"$scratch.log" 2>&1; then
    grep -E '^(Done|#[0-9]+ +DONE)|stat::number_of_executed_units|stat::average_exec_per_sec' "$scratch.log" | tr '\n' ' '
    echo
  else
    failed+=("$target")
    tail -40 "$scratch.log"
    echo "fuzz-smoke: $target FAILED (log: $scratch.log, reproducer in $artifacts/)"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: failed: ${failed[*]}"
  exit 1
fi
echo "fuzz-smoke: $(echo $targets | wc -w) targets, no crash"
