# ssm-edge: `make test` and `make demo` work on a fresh machine (they install what is missing).
.PHONY: setup test demo bench bench-js regen package

setup:
	@bash scripts/setup.sh

## Every test and check (what CI runs).
test: setup
	@bash scripts/test.sh

## The main job: a real SendCommand, built and signed by the core, against a local SSM.
demo:
	@bash scripts/setup.sh core
	@cargo run --quiet --locked -p ssm-edge-tests --bin ssm-edge-demo

## Criterion benchmarks (figures in docs/benchmarks.md).
bench: setup
	cargo bench -p ssm-edge-core --bench pipeline --bench sign_verify

## npm package vs its peers: bundle size, signing throughput, cold start (docs/benchmarks.md).
bench-js: setup
	bash wasm/bench/run.sh

## Regenerate the model (core/src/model/generated.rs, wasm/js/model.{d.ts,js}) from the service model.
regen: setup
	.venv/bin/python core/codegen/gen_model.py

## Build the npm package `ssm-edge` into wasm/pkg.
package: setup
	bash wasm/build.sh
