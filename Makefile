# ssm-edge: `make test` and `make demo` work on a fresh machine (they install what is missing).
.PHONY: setup test demo demo-core bench bench-js bench-gateway regen package gateway gateway-local check-policy check-config

setup:
	@bash scripts/setup.sh

## Every test and check (what CI runs).
test: setup
	@bash scripts/test.sh

## The main job: the dashboard (www/) through the gateway (wrangler dev) to a local SSM emulator.
demo: setup
	@bash scripts/demo.sh

## The core alone: one real SendCommand, built and signed by the Rust core, against moto.
demo-core:
	@bash scripts/setup.sh core
	@cargo run --quiet --locked -p ssm-edge-tests --bin ssm-edge-demo

## Criterion benchmarks (figures in docs/benchmarks.md).
bench: setup
	cargo bench -p ssm-edge-core --bench pipeline --bench sign_verify

## npm package vs its peers: bundle size, signing throughput, cold start (docs/benchmarks.md).
bench-js: setup
	bash wasm/bench/run.sh

## Regenerate the model (core/src/model/generated.rs, wasm/js/model.{d.ts,js}) and the endpoint
## partitions (core/src/endpoint/partitions.rs) from botocore,
## and the gateway's JSON Cedar schema from gateway/src/policy/ssm.cedarschema.
regen: setup
	.venv/bin/python core/codegen/gen_model.py
	.venv/bin/python core/codegen/gen_partitions.py
	cargo run --quiet --locked -p ssm-edge-gateway --bin ssm-edge-check-policy -- --schema-json > gateway/src/policy/ssm.cedarschema.json

## Build the npm package `ssm-edge` into wasm/pkg.
package: setup
	bash wasm/build.sh

## Build the gateway Worker into gateway/build (worker-build; what `wrangler deploy` uploads).
gateway: setup
	bash scripts/build-gateway.sh

## The gateway on workerd (`wrangler dev`, http://127.0.0.1:8787) in front of moto, with demo keys.
gateway-local: setup
	bash scripts/gateway-local.sh

## Validate Cedar policies against the gateway's schema and compile them for the Worker:
## make check-policy [POLICY_FILES="a.cedar b.cedar"] [POLICY_OUT=policies.compiled.cedar].
## The shipped policies (the default) compile into the file the Worker embeds.
POLICY_FILES ?= gateway/policies/*.cedar
ifeq ($(origin POLICY_FILES),file)
POLICY_OUT ?= gateway/src/policy/shipped.compiled.cedar
else
POLICY_OUT ?= policies.compiled.cedar
endif
check-policy:
	cargo run --quiet --locked -p ssm-edge-gateway --bin ssm-edge-check-policy -- --out $(POLICY_OUT) $(POLICY_FILES)

## Check the gateway's configuration as the Worker reads it, before `wrangler dev` says "Ready":
## make check-config [CONFIG=gateway/.dev.vars] (with wrangler.toml's [vars]). Every problem,
## one line each, exit status 1 if any; else a summary (secrets only as lengths and key ids).
CONFIG ?= gateway/.dev.vars
check-config:
	cargo run --quiet --locked -p ssm-edge-gateway --bin ssm-edge-check-config -- --wrangler gateway/wrangler.toml $(CONFIG)

## Gateway benchmarks: added latency and throughput on workerd, CPU per request, bundle size, cold start.
bench-gateway: setup
	bash gateway/bench/run.sh

## Fuzz campaigns (cargo-fuzz, nightly): each target alone on one core for FUZZ_SECONDS
## (default 1800) or 10 million runs, then a summary table (docs/reliability.md, "Fuzzing").
## Builds into target/fuzz (CARGO_TARGET_DIR). FUZZ_TARGETS="verify gateway_handle" picks some.
fuzz: setup
	bash scripts/fuzz-campaign.sh

## The fuzz smoke test: every target for 20 s over the committed corpus (fuzz/corpus).
fuzz-smoke: setup
	bash scripts/fuzz-smoke.sh
