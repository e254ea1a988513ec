#!/usr/bin/env bash
# `bash scripts/npm-ci.sh DIR...`: `npm ci` in each folder whose package-lock.json changed
# since its last install here (a stamp in its node_modules). The one way setup, benchmarks
# and scripts install npm folders, so they never undo each other's installs.
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in "$@"; do
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  stamp=$dir/node_modules/.ssm-edge-package-lock
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    printf '\033[1m==> %s\033[0m\n' "npm ci ($dir)" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$want" > "$stamp"
  fi
done
