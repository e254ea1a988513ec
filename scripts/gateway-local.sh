#!/usr/bin/env bash
# `make gateway-local`: the gateway under `wrangler dev` (workerd) on http://127.0.0.1:8787,
# forwarding to moto's server (a third-party SSM, signature checking on) on 127.0.0.1,
# with the shipped Cedar policies and three demo keys. Ctrl-C stops both.
#
# The demo keys are for this local run only; see README "Run the gateway" to deploy.
# With UPSTREAM_ACCESS_KEY_ID and UPSTREAM_SECRET_ACCESS_KEY (and optionally
# UPSTREAM_SESSION_TOKEN, UPSTREAM_REGION, UPSTREAM_ENDPOINT, UPSTREAM_ACCOUNT_ID: that
# account's id, so its document ARNs decide like their names) in the environment, the
# gateway forwards to that AWS account instead of moto.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="${GATEWAY_PORT:-8787}"
state="$root/target/gateway-local/$port"  # one per port: two can run side by side
mkdir -p "$state"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port on 127.0.0.1 is in use (another gateway?): set GATEWAY_PORT to a free one" >&2
  exit 1
fi

if [ -n "${UPSTREAM_ACCESS_KEY_ID:-}" ]; then
  # A real account: the upstream is the region's SSM endpoint (or UPSTREAM_ENDPOINT).
  moto_line=$(.venv/bin/python -c 'import json, os; print(json.dumps({
      "endpoint": os.environ.get("UPSTREAM_ENDPOINT", ""), "region": os.environ.get("UPSTREAM_REGION", "us-east-1"),
      "access_key_id": os.environ["UPSTREAM_ACCESS_KEY_ID"], "secret_access_key": os.environ["UPSTREAM_SECRET_ACCESS_KEY"],
      "session_token": os.environ.get("UPSTREAM_SESSION_TOKEN", ""),
      "account_id": os.environ.get("UPSTREAM_ACCOUNT_ID", "")}))')
else
  # moto prints one JSON line (endpoint and credentials), then serves until stdin closes.
  coproc MOTO { exec .venv/bin/python tests/python/moto_ssm.py 0 2>"$state/moto.log"; }
  moto_pid=$MOTO_PID
  trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
  read -r -t 60 moto_line <&"${MOTO[0]}" || { echo "moto did not start; see $state/moto.log" >&2; exit 1; }
fi

# Demo principals: alice (on-call), root (admins), bob (read-only).
.venv/bin/python - "$moto_line" "$state/.env" "$port" <<'PY'
import json, sys
moto, port = json.loads(sys.argv[1]), sys.argv[3]
keys = json.load(open("tests/demo/gateway-keys.json"))  # the demo principals, local use only
env = {
    "UPSTREAM_ENDPOINT": moto["endpoint"],
    "UPSTREAM_REGION": moto["region"],
    "UPSTREAM_ACCESS_KEY_ID": moto["access_key_id"],
    "UPSTREAM_SECRET_ACCESS_KEY": moto["secret_access_key"],
    "UPSTREAM_SESSION_TOKEN": moto.get("session_token", ""),
    # The names callers reach this gateway by (and sign for), as a deployment sets its own.
    "GATEWAY_HOSTNAMES": f"127.0.0.1:{port},localhost:{port}",
    "GATEWAY_KEYS": json.dumps(keys),
}
# moto's account (its default, in every ARN it makes), or the real account's id if given.
account = moto.get("account_id", "123456789012")
if account:
    env["UPSTREAM_ACCOUNT_ID"] = account
with open(sys.argv[2], "w") as f:
    for k, v in env.items():
        f.write(f"{k}='{v}'\n")
PY

cat <<TXT

  gateway:  http://127.0.0.1:$port   (upstream: $(.venv/bin/python -c 'import json,sys; m = json.loads(sys.argv[1]); print(m["endpoint"] or "SSM in " + m["region"])' "$moto_line"))
  keys:     alice (on-call)  GWDEMOALICE00001 / alice-demo-secret-for-local-use-only-0001
            root  (admins)   GWDEMOROOT000001 / root-demo-secret-for-local-use-only-00001
            bob   (read)     GWDEMOBOB0000001 / bob-demo-secret-for-local-use-only-000001
  try:      AWS_ACCESS_KEY_ID=GWDEMOBOB0000001 AWS_SECRET_ACCESS_KEY=bob-demo-secret-for-local-use-only-000001 \\
              .venv/bin/python -c "import boto3; print(boto3.client('ssm', region_name='us-east-1', endpoint_url='http://127.0.0.1:$port').list_commands())"
  audit:    one JSON line per request below.  Ctrl-C stops the gateway and moto.

TXT
# A configuration mistake stops here, with every problem, not at the first request.
cargo run --quiet --locked -p ssm-edge-gateway --bin ssm-edge-check-config -- \
  --wrangler gateway/wrangler.toml "$state/.env" >/dev/null
# gateway/'s pinned wrangler, with the Node 22 its npm ci installed beside it.
export PATH="$root/gateway/node_modules/.bin:$PATH"
# wrangler's devtools inspector on a free port (its fixed default, 9229, would stop a second
# demo or gateway beside this one).
inspector_port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
cd gateway
wrangler dev --ip 127.0.0.1 --port "$port" \
  --inspector-port "$inspector_port" \
  --env-file "$state/.env" --persist-to "$state/wrangler" --show-interactive-dev-session=false
