# ssm-edge: `make test` and `make demo` work on a fresh machine (they install what is missing).
.PHONY: setup test demo bench bench-js regen

setup:
	@bash scripts/setup.sh

## Every test and check (what CI runs).
test: setup
	@bash scripts/test.sh

## The main job: a real SendCommand, built and signed by the core, against a local SSM.
demo: setup
	@cargo run --quiet --locked -p ssm-edge-tests --bin ssm-edge-demo

## Criterion benchmarks (figures in docs/benchmarks.md).
bench: setup
	cargo bench -p ssm-edge-core --bench sign_verify

## npm package vs its peers: bundle size, signing throughput, cold start (docs/benchmarks.md).
bench-js: setup
	bash wasm/bench/run.sh

## Regenerate core/src/model/generated.rs from the service model.
regen: setup
	.venv/bin/python core/codegen/gen_model.py
