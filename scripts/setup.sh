#!/usr/bin/env bash
# Installs what a fresh machine lacks for building and testing ssm-edge (`setup.sh core`:
# only what the Rust core and `make demo` need). Idempotent and
# version-checked: each step looks before it installs, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Rust: the no_std proof target and the npm package's wasm target, plus clippy and rustfmt.
for target in wasm32v1-none wasm32-unknown-unknown; do
  if ! rustup target list --installed | grep -qx "$target"; then
    say "rustup target add $target"
    rustup target add "$target"
  fi
done
for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "rustup component add $component"
    rustup component add "$component"
  fi
done

# Python venv with the pinned independent peers (moto, botocore).
want=$(cat tests/requirements.txt tests/constraints.txt | sha256sum | cut -d' ' -f1)
stamp=.venv/.ssm-edge-requirements
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "python venv (.venv): moto, botocore"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt -c tests/constraints.txt
  echo "$want" > "$stamp"
fi

# curl signs the README's approval API example (`--aws-sigv4`, curl 7.75 or later).
if ! command -v curl >/dev/null; then
  say "apt-get install curl"
  apt-get update -qq && apt-get install -y -qq curl
fi

# Node.js runs ECMA-262 RegExp, the oracle for the model's patterns.
if ! command -v node >/dev/null; then
  say "apt-get install nodejs"
  apt-get update -qq && apt-get install -y -qq nodejs
fi

# `setup.sh core` stops here: enough for the Rust core and `make demo`.
if [ "${1:-all}" = core ]; then
  exit 0
fi

# The npm package's wasm builds with a pinned nightly and core's sources (wasm/toolchain.env
# says why); a minimal profile is ~10 s to download.
. wasm/toolchain.env
if ! rustup run "$WASM_TOOLCHAIN" rustc --print sysroot >/dev/null 2>&1 \
  || [ ! -d "$(rustup run "$WASM_TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  say "rustup toolchain install $WASM_TOOLCHAIN (rust-src)"
  rustup toolchain install "$WASM_TOOLCHAIN" --profile minimal --component rust-src
fi

# The gateway Worker (scripts/build-gateway.sh): the wasm-bindgen CLI at the exact version
# of the crate in Cargo.lock (they must match). The npm package has exports of its own
# (wasm/src/abi.rs) and needs neither it nor wasm-pack.
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ]; then
  say "cargo install wasm-bindgen-cli $wbg (a few minutes)"
  # Not --locked: its lockfile pins webpki-roots 1.0.11, which the registry here lacks.
  cargo install wasm-bindgen-cli --version "$wbg"
fi

# twiggy, for `make bench-js`: wasm/bench/wasm-breakdown.mjs names what the shipped wasm is
# made of (and whether it is free of core::fmt) with `twiggy top`; without twiggy the
# breakdown is skipped. (Its --version says `twiggy-opt 0.8.0`.)
if [ "$(twiggy --version 2>/dev/null)" != "twiggy-opt 0.8.0" ]; then
  say "cargo install twiggy 0.8.0 (a few minutes)"
  cargo install twiggy --version 0.8.0 --locked
fi

# The gateway Worker's build tool (it is pointed at the local wasm-bindgen, wasm-opt and
# esbuild by scripts/build-gateway.sh, so it downloads nothing).
if ! worker-build --version 2>/dev/null | grep -qx "\(worker-build \)\?0.8.7"; then
  say "cargo install worker-build 0.8.7 (a few minutes)"
  cargo install worker-build --version 0.8.7 --locked
fi

# cargo-fuzz for the libFuzzer targets in fuzz/ (scripts/fuzz-smoke.sh, `make fuzz`). They
# build with the machine's nightly toolchain: without one the fuzz smoke test says so and
# skips.
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz 0.13.2" ]; then
  say "cargo install cargo-fuzz 0.13.2 (a few minutes)"
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

# Headless Chromium and its WebDriver for the browser tests.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "apt-get install chromium chromium-driver"
  apt-get update -qq && apt-get install -y -qq chromium chromium-driver
fi

# JavaScript build and test tools (binaryen, esbuild, miniflare, playwright-core, typescript,
# Node 22 for miniflare); the gateway's pinned wrangler (and Node 22 for it); peer signers
# for the npm package's benchmarks; the bundlers and runtimes of the package's
# zero-configuration matrix (wasm/bundlers/run.mjs: Vite 8/7/6, webpack 5, Rollup, Parcel,
# Bun and Deno). Each is `npm ci`'d when its package-lock.json changed.
bash scripts/npm-ci.sh tests/js gateway wasm/bench wasm/bundlers
