#!/usr/bin/env bash
# Every test and check of ssm-edge. Run through `make test` (which runs setup first).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "model and endpoint partitions are generated from botocore"
.venv/bin/python core/codegen/gen_model.py --check
.venv/bin/python core/codegen/gen_partitions.py --check

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "fuzz targets compile (their own workspace; the smoke run at the end builds them with sanitizers)"
(cd fuzz && cargo check --locked --bins)

step "no_std build of the core (wasm32v1-none), without and with the typed model, and with sts"
cargo build -p ssm-edge-core --no-default-features --target wasm32v1-none --locked
cargo build -p ssm-edge-core --no-default-features --features model --target wasm32v1-none --locked
cargo build -p ssm-edge-core --no-default-features --features sts --target wasm32v1-none --locked

step "gateway: shipped Cedar policies validate against the schema"
cargo run --quiet --locked -p ssm-edge-gateway --bin ssm-edge-check-policy -- gateway/policies/*.cedar

step "gateway: wasm32 clippy of the Worker (the lib; the bins are native tools) and its build (worker-build)"
cargo clippy -p ssm-edge-gateway --target wasm32-unknown-unknown --lib --locked -- -D warnings
bash scripts/build-gateway.sh

step "npm package: build wasm/pkg (the gateway's approval test approves through it; test-js.sh tests it)"
bash wasm/build.sh

step "unit, oracle and end-to-end tests"
cargo test --workspace --locked

bash scripts/test-js.sh

step "README.md: every code block runs as written (tests/readme/check_readme.py; the Rust one in cargo test --test readme)"
.venv/bin/python tests/readme/check_readme.py

step "fuzz smoke: every cargo-fuzz target for 20 s over the committed corpus (scripts/fuzz-smoke.sh)"
bash scripts/fuzz-smoke.sh
