#!/usr/bin/env bash
# Installs what a fresh machine lacks for building and testing ssm-edge. Idempotent and
# version-checked: each step looks before it installs, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Rust: the no_std proof target, plus clippy and rustfmt.
for target in wasm32v1-none; do
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

# Node.js runs ECMA-262 RegExp, the oracle for the model's patterns.
if ! command -v node >/dev/null; then
  say "apt-get install nodejs"
  apt-get update -qq && apt-get install -y -qq nodejs
fi
