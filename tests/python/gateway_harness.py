"""What the gateway's Python suites share: an exact-bytes HTTP client, SigV4 signing with
botocore, JWT minting and a JWKS server, the gateway on workerd (tests/gateway/serve.mjs),
a counting proxy, and the local SSM emulator (tests/local-ssm/server.py) with its fault
control endpoint.

Imported by gateway_suite.py (moto behind a counting proxy) and gateway_hardening.py
(faults, tampered requests and secrets, against the local SSM). Every server listens on
127.0.0.1 with an OS-chosen port; each gateway is told its own address
(GATEWAY_HOSTNAMES=127.0.0.1:<port>), as a deployment names its public host names.
"""

import base64
import collections
import http.client
import json
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

# Every HTTP call gives up after this many seconds.
HTTP_TIMEOUT = 20
# How long a gateway may take to print `ready` (workerd compiles the Wasm module).
READY_TIMEOUT = 60

ISSUER = "https://issuer.test.example"
AUDIENCE = "ssm-edge-gateway"
INSTANCE = "i-0123456789abcdef0"
JSON_CT = "application/x-amz-json-1.1"
STAGING = [{"Key": "tag:env", "Values": ["staging"]}]
# The account moto and the local SSM (tests/local-ssm/seed.json) put in their ARNs: the
# gateways' UPSTREAM_ACCOUNT_ID.
UPSTREAM_ACCOUNT_ID = "123456789012"


# --------------------------------------------------------------------------------------
# Small HTTP client (http.client: exact bytes, explicit timeouts, no retries)
# --------------------------------------------------------------------------------------


class Reply(NamedTuple):
    status: int
    headers: dict  # lower-case name -> value (repeated headers joined with ", ")
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else {}

    @property
    def code(self):
        """The awsJson error code (`__type`), or None."""
        try:
            return self.json().get("__type")
        except ValueError:
            return None

    @property
    def message(self):
        try:
            return self.json().get("message", "")
        except ValueError:
            return ""

    @property
    def request_id(self):
        return self.headers.get("x-amzn-requestid")


# Every reply http_request read, in order: the secrets check reads their bodies and headers.
REPLIES = []


def compile_policies(repo, files):
    """The Cedar policy `files`, validated and compiled by `make check-policy`'s tool: the
    form the Worker's POLICIES takes (Cedar source is refused)."""
    done = subprocess.run(
        ["cargo", "run", "--quiet", "--locked", "-p", "ssm-edge-gateway", "--bin", "ssm-edge-check-policy",
         "--", "--out", "-", *map(str, files)],
        cwd=repo, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the policies do not compile:\n{done.stderr}")
    return done.stdout


def http_request(method, url, headers=None, body=b"", timeout=HTTP_TIMEOUT, chunked=False):
    """One request on a fresh connection. `headers` is a dict or a list of (name, value)
    pairs (a name may repeat); a `Host` among them replaces the one http.client adds.
    `chunked`: the body goes in 8 KiB chunks with no Content-Length (a server that answers
    before the end may close while it is still being sent); `chunked="unfinished"` never
    sends the last chunk, so only a server that answers before the end answers at all."""
    parts = urlsplit(url)
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    names = {n.lower() for n, _ in pairs}
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host="host" in names, skip_accept_encoding="accept-encoding" in names)
        for name, value in pairs:
            conn.putheader(name, value)
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            try:
                for i in range(0, len(body), 8192):
                    piece = body[i:i + 8192]
                    conn.send(b"%x\r\n" % len(piece) + piece + b"\r\n")
                if chunked != "unfinished":
                    conn.send(b"0\r\n\r\n")
            except OSError:
                pass  # answered (and closed) before the whole body was sent
        else:
            if "content-length" not in names:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
        resp = conn.getresponse()
        data = resp.read()
        merged = {}
        for name, value in resp.getheaders():
            name = name.lower()
            merged[name] = f"{merged[name]}, {value}" if name in merged else value
        reply = Reply(resp.status, merged, data)
        REPLIES.append(reply)
        return reply
    finally:
        conn.close()


def sigv4_headers(url, target, body, akid, secret, region, *, at=None, extra=None, service="ssm"):
    """Headers of a SigV4-signed awsJson POST to `url` + "/", signed by botocore. A random
    amz-sdk-invocation-id makes every signature unique (the gateway refuses a signature it
    has seen). `at`: a naive UTC datetime to sign at instead of now."""
    headers = {"Content-Type": JSON_CT, "X-Amz-Target": f"AmazonSSM.{target}",
               "amz-sdk-invocation-id": str(uuid.uuid4()), **(extra or {})}
    headers = {k: v for k, v in headers.items() if v is not None}  # extra: None leaves one out
    request = AWSRequest(method="POST", url=url + "/", data=body, headers=headers)
    auth = SigV4Auth(Credentials(akid, secret), service, region)
    if at is None:
        auth.add_auth(request)
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=at):
            auth.add_auth(request)
    return dict(request.headers.items())


def send_command_body(document, *, comment, instance_ids=None, targets=None, parameters=None, **extra):
    body = {"DocumentName": document, "Comment": comment}
    if instance_ids is not None:
        body["InstanceIds"] = instance_ids
    if targets is not None:
        body["Targets"] = targets
    if parameters is not None:
        body["Parameters"] = parameters
    body.update(extra)
    return json.dumps(body).encode()


def complete_lines(path):
    """The lines of a log another process appends to, up to its last line feed: a read
    can catch a line midway through being written (reads do not wait for appends), and
    the text after the last line feed is left for the next read."""
    text = path.read_text(errors="replace")
    return text[:text.rfind("\n") + 1].splitlines()


def leaks(texts, secrets):
    """(where, what) for every secret value found in any text; never the value itself."""
    return [(where, label) for where, text in texts.items() for label, value in secrets.items()
            if value and value in text]


# --------------------------------------------------------------------------------------
# Counting reverse proxy
# --------------------------------------------------------------------------------------

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "proxy-authorization", "proxy-authenticate", "content-length"}


class CountingProxy:
    """Forwards every request to `upstream` as received (Host header included: moto
    verifies the gateway's signature, which covers the host the gateway addressed, i.e.
    this proxy) and counts requests per X-Amz-Target."""

    def __init__(self, upstream):
        self.upstream = urlsplit(upstream)
        self.counts = collections.Counter()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                proxy.forward(self)

            do_GET = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def read_body(handler):
        if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # Trailers (none expected) end with an empty line.
                    while handler.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(handler.rfile.read(size))
                handler.rfile.readline()
        return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))

    def forward(self, handler):
        body = self.read_body(handler)
        with self.lock:
            self.counts[handler.headers.get("X-Amz-Target", "")] += 1
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=HTTP_TIMEOUT)
        try:
            conn.putrequest(handler.command, handler.path, skip_host=True, skip_accept_encoding=True)
            for name, value in handler.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            status, headers, data = resp.status, resp.getheaders(), resp.read()
        except OSError as e:
            status, headers, data = 502, [("Content-Type", "text/plain")], f"proxy: {e}".encode()
        finally:
            conn.close()
        handler.send_response_only(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(data)

    def snapshot(self):
        with self.lock:
            return collections.Counter(self.counts)

    def since(self, before):
        """Requests per target since `before` (a snapshot), zero counts left out."""
        now = self.snapshot()
        return {k: now[k] - before[k] for k in now if now[k] - before[k]}

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------------------
# JWKS server and hand-made JWTs (RS256 = PKCS#1 v1.5 + SHA-256; ES256 = raw r||s)
# --------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(n: int, length=None) -> bytes:
    return n.to_bytes(length or (n.bit_length() + 7) // 8, "big")


class SigningKey:
    """An RSA or EC P-256 private key with its `kid`, its public JWK and a JWT minter."""

    def __init__(self, kind, kid):
        self.kind, self.kid = kind, kid
        if kind == "RS256":
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.key = ec.generate_private_key(ec.SECP256R1())

    def jwk(self):
        pub = self.key.public_key().public_numbers()
        if self.kind == "RS256":
            return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                    "n": b64url(int_bytes(pub.n)), "e": b64url(int_bytes(pub.e))}
        return {"kty": "EC", "kid": self.kid, "use": "sig", "alg": "ES256", "crv": "P-256",
                "x": b64url(int_bytes(pub.x, 32)), "y": b64url(int_bytes(pub.y, 32))}

    def sign(self, data: bytes) -> bytes:
        if self.kind == "RS256":
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        return int_bytes(r, 32) + int_bytes(s, 32)

    def token(self, sub, groups=None, *, kid=None, alg=None, ttl=300, header=None, **overrides):
        """A signed JWT; `header` entries are added to (or, as None, removed from) the
        JOSE header; claim `overrides` set to None are removed."""
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now, "nbf": now - 5, "exp": now + ttl}
        if groups is not None:
            claims["groups"] = groups
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        jose = {"alg": alg or self.kind, "typ": "JWT", "kid": kid or self.kid, **(header or {})}
        jose = {k: v for k, v in jose.items() if v is not None}
        signing_input = f"{b64url(json.dumps(jose).encode())}.{b64url(json.dumps(claims).encode())}"
        return f"{signing_input}.{b64url(self.sign(signing_input.encode()))}"


class JwksServer:
    """Serves `/<name>/jwks.json` for each named key set; sets can be replaced (rotation);
    records when each set was fetched (time.monotonic())."""

    def __init__(self):
        self.sets = {}
        self.fetches = collections.defaultdict(list)
        self.lock = threading.Lock()
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.strip("/").split("/")[0]
                with jwks.lock:
                    keys = jwks.sets.get(name)
                    if keys is not None:
                        jwks.fetches[name].append(time.monotonic())
                if keys is None:
                    self.send_error(404)
                    return
                body = json.dumps({"keys": [k.jwk() for k in keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, name, keys):
        with self.lock:
            self.sets[name] = list(keys)

    def url(self, name):
        return f"{self.base}/{name}/jwks.json"

    def fetch_times(self, name):
        with self.lock:
            return list(self.fetches[name])

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class WebhookReceiver:
    """Takes the gateway's APPROVAL_WEBHOOK_URL posts: each JSON body, in order."""

    def __init__(self):
        self.posts = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.posts.append((self.path, self.headers.get("Content-Type"), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/approvals"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self, approval_id):
        """The posts about one approval, oldest first."""
        with self.lock:
            return [body for _, _, body in self.posts if body.get("approvalId") == approval_id]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------------------
# Child processes: a gateway instance (tests/gateway/serve.mjs), the local SSM
# --------------------------------------------------------------------------------------


def stop_all(*servers):
    """Stops every gateway, proxy, JWKS server or local SSM given (None: not started)."""
    for server in servers:
        if server is not None:
            server.stop()


def stop_process(proc):
    """Closes the child's stdin (it stops then), else signals its process group."""
    if proc.poll() is not None:
        return
    try:
        proc.stdin.close()
        proc.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=5)
                break
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue


def free_port():
    """A port nothing listens on now (the OS's choice), for a server that must know its
    own address before it starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GatewayProcess:
    """tests/gateway/serve.mjs with `variables` on a free port; GATEWAY_HOSTNAMES is that
    address (127.0.0.1:<port>) unless `variables` names it."""

    def __init__(self, name, variables, workdir: Path, node, repo: Path):
        self.name = name
        self.vars_path = workdir / f"{name}-vars.json"
        self.audit_path = workdir / f"{name}-audit.jsonl"
        self.log_path = workdir / f"{name}-gateway.log"
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        variables = {"GATEWAY_HOSTNAMES": self.host, **variables}
        self.vars_path.write_text(json.dumps(variables))
        self.audit_path.touch()
        self.log = open(self.log_path, "wb")
        self.url = None
        # stdin is a pipe: serve.mjs stops when it closes, so the gateway dies with us
        # even if this process is killed. Own session: teardown can signal the group.
        self.proc = subprocess.Popen(
            [node, str(repo / "tests/gateway/serve.mjs"), "--vars", str(self.vars_path),
             "--port", str(self.port), "--audit", str(self.audit_path)],
            cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            start_new_session=True,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self):
        for line in self.proc.stdout:
            self.lines.put(line.decode(errors="replace").strip())
        self.lines.put(None)

    def wait_ready(self, deadline):
        """Waits for serve.mjs's `ready <url>` line until `deadline` (time.monotonic())."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"gateway {self.name} not ready in {READY_TIMEOUT} s:\n{self.log_tail()}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(
                    f"gateway {self.name} exited ({self.proc.poll()}) before ready:\n{self.log_tail()}")
            if line.startswith("ready "):
                self.url = line.split(" ", 1)[1]
                return

    def log_tail(self, n=40):
        self.log.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def audit_lines(self):
        """Every line the worker logged, parsed (a line that is not JSON raises)."""
        return [json.loads(l) for l in complete_lines(self.audit_path) if l.strip()]

    def audit_for(self, request_id, timeout=5.0):
        """The audit line of `request_id` (lines reach the file asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [l for l in self.audit_lines() if l.get("requestId") == request_id]
            if found or time.monotonic() > deadline:
                if len(found) != 1:
                    raise AssertionError(f"{len(found)} audit lines for request {request_id} on {self.name}")
                return found[0]
            time.sleep(0.05)

    def stop(self):
        stop_process(self.proc)
        self.log.close()


class LocalSsmProcess:
    """tests/local-ssm/server.py with a given key (passed in its environment, not on its
    command line), its request log (--log-requests) in `workdir`/local-ssm.log, and its
    fault control endpoint (tests/local-ssm/README.md, "Faults")."""

    def __init__(self, repo: Path, workdir: Path, *, access_key_id, secret_access_key, step_ms=200, args=()):
        self.log_path = workdir / "local-ssm.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(repo / "tests/local-ssm/server.py"), "--port", "0", "--step-ms", str(step_ms),
             "--log-requests", *args],
            cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, start_new_session=True,
            env={**os.environ, "LOCAL_SSM_ACCESS_KEY_ID": access_key_id,
                 "LOCAL_SSM_SECRET_ACCESS_KEY": secret_access_key},
        )
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(f"local-ssm did not start:\n{self.log_path.read_text(errors='replace')}")
        info = json.loads(line)
        self.url, self.region = info["endpoint"], info["region"]
        self.regions = info.get("regions", [self.region])
        self.access_key_id = access_key_id

    def _control(self, method, path, body=None):
        reply = http_request(method, self.url + path, {"Content-Type": "application/json"},
                             json.dumps(body).encode() if body is not None else b"")
        if reply.status != 200:
            raise RuntimeError(f"local-ssm {method} {path}: {reply.status} {reply.body[:300]!r}")
        return reply.json()

    def faults(self, *rules):
        """Replaces the fault rules ({"mode", "count", "operations", "execute", "ms"})."""
        return self._control("POST", "/_faults", {"rules": list(rules)})

    def clear_faults(self):
        return self._control("DELETE", "/_faults")

    def stats(self):
        """{"requests": {op: n}, "executed": {op: n}, "faults": {mode: n}, "rules": [...],
        "sendCommandComments": {comment: n}, "executedBy": {"<account>/<region>": {op: n}},
        "assumedRoles": {role ARN: n}}."""
        return self._control("GET", "/_faults/stats")

    def expire_credentials(self, role_arn=None):
        """Expires every credential its STS issued (of `role_arn` only): how many."""
        return self._control("POST", "/_sts/expire", {"roleArn": role_arn} if role_arn else {})["expired"]

    def issued_credentials(self):
        """The credentials its STS issued ({accessKeyId, roleArn, account, expiration, expired})."""
        return self._control("GET", "/_sts/credentials")["credentials"]

    def received(self, operation=None):
        """The raw bodies (bytes) it received, oldest first (its last 1000 requests)."""
        items = self._control("GET", "/_faults/received")["received"]
        return [item["body"].encode() for item in items if operation in (None, item["operation"])]

    def request_log(self):
        """The lines of its request log, parsed (operation, status, fault, ms)."""
        return [json.loads(line) for line in complete_lines(self.log_path) if line.startswith("{")]

    def stop(self):
        stop_process(self.proc)
        self.log.close()


# --------------------------------------------------------------------------------------
# The hardening suites' world: local SSM ← gateways, every secret a known sentinel
# --------------------------------------------------------------------------------------


def sentinel(label):
    """A secret value that is easy to search for and unique to this run."""
    return f"sentinel-{label}-{secrets.token_hex(16)}"


# boto3 answers the hardening suites read (after-call), for the secrets check.
BOTO_BODIES = []


class LocalStack:
    """tests/local-ssm (the upstream: counts executions, injects faults on demand) behind
    three gateways on workerd, a JWKS server, and sentinel secrets everywhere:

      "main"      the gateway under test (UPSTREAM_TIMEOUT_MS 2000, 3 attempts, a rate
                  limit high enough never to throttle, JWTs from the JWKS "main")
      "wrongkey"  signs upstream with a wrong (sentinel) secret: the local SSM refuses it
      "broken"    GATEWAY_KEYS is not JSON (it holds a sentinel secret): misconfigured

    One per process (LocalStack.get()); stop() at the end. `sentinels` maps a label to
    every secret the run used (keys, upstream secrets, and each signature and token sent
    through sign()/bearer_post()): none may appear in any log, audit line or answer.
    """

    UPSTREAM_TIMEOUT_MS = 2000
    _instance = None

    @classmethod
    def get(cls):
        if cls._instance is None:
            cls._instance = LocalStack()
        return cls._instance

    @classmethod
    def stop_all(cls):
        if cls._instance is not None:
            cls._instance.stop()

    def __init__(self):
        self.repo = Path(os.environ["REPO"])
        self.node = os.environ["NODE22"]
        self.workdir = Path(tempfile.mkdtemp(prefix="gateway-hardening-"))
        self.gateways = {}
        self.ssm = self.jwks = self.webhook = None
        self.sentinels = {}
        self.clients = {}
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self):
        upstream_akid = "AKIDLOCALSSM" + secrets.token_hex(4).upper()
        self.sentinels["the upstream secret"] = upstream_secret = sentinel("upstream")
        self.ssm = LocalSsmProcess(self.repo, self.workdir, access_key_id=upstream_akid,
                                   secret_access_key=upstream_secret)
        self.region = self.ssm.region
        self.keys = {}
        for who, groups in (("alice", ["on-call"]), ("root", ["admins"]), ("bob", [])):
            akid = f"GWKEY{who.upper():0<6}{secrets.token_hex(4).upper()}"
            self.keys[who] = (akid, sentinel(f"{who}-key"), groups)
            self.sentinels[f"{who}'s gateway secret"] = self.keys[who][1]
        gateway_keys = json.dumps([{"accessKeyId": akid, "secretAccessKey": secret, "principal": who, "groups": groups}
                                   for who, (akid, secret, groups) in self.keys.items()])
        self.jwks = JwksServer()
        self.webhook = WebhookReceiver()
        self.rsa_key = SigningKey("RS256", "rsa-main-1")
        self.ec_key = SigningKey("ES256", "ec-main-1")
        self.jwks.publish("main", [self.rsa_key, self.ec_key])
        # POLICIES unset: the Worker's shipped policies (gateway/policies/*.cedar, compiled).
        common = {
            "UPSTREAM_ENDPOINT": self.ssm.url, "UPSTREAM_REGION": self.region,
            "UPSTREAM_ACCESS_KEY_ID": upstream_akid, "UPSTREAM_SECRET_ACCESS_KEY": upstream_secret,
            "UPSTREAM_TIMEOUT_MS": str(self.UPSTREAM_TIMEOUT_MS), "UPSTREAM_MAX_ATTEMPTS": "3",
            "GATEWAY_KEYS": gateway_keys,
            "JWT_ISSUER": ISSUER, "JWT_AUDIENCE": AUDIENCE, "JWT_JWKS_URL": self.jwks.url("main"),
            "RATE_LIMIT_PER_MINUTE": "100000", "RATE_LIMIT_BURST": "10000",
            "UPSTREAM_ACCOUNT_ID": UPSTREAM_ACCOUNT_ID,
            "APPROVAL_WEBHOOK_URL": self.webhook.url,
        }
        self.sentinels["the wrong upstream secret"] = wrong = sentinel("wrong-upstream")
        self.sentinels["the broken gateway's key secret"] = broken = sentinel("broken-key")
        variants = {
            "main": common,
            "wrongkey": {**common, "UPSTREAM_SECRET_ACCESS_KEY": wrong},
            "broken": {**common, "GATEWAY_KEYS": json.dumps(
                [{"accessKeyId": "GWKEYBROKEN00001", "secretAccessKey": broken, "principal": "x"}])[:-1] + ",]"},
        }
        for name, variables in variants.items():  # all start at once (workerd startup dominates)
            self.gateways[name] = GatewayProcess(name, variables, self.workdir, self.node, self.repo)
        deadline = time.monotonic() + READY_TIMEOUT
        for gw in self.gateways.values():
            gw.wait_ready(deadline)
        self.gw = self.gateways["main"]

    def stop(self):
        stop_all(*self.gateways.values(), self.ssm, self.jwks, self.webhook)

    # -------- requests

    def sign(self, target, body, who=None, *, gw=None, url=None, akid=None, secret=None, region=None, **kw):
        """sigv4_headers for `who`'s key (or akid/secret) against `gw` (default: main), or
        signed for `url` (another host name); the signature is recorded as a secret."""
        if who:
            akid, secret, _ = self.keys[who]
        headers = sigv4_headers(url or (gw or self.gw).url, target, body, akid, secret, region or self.region, **kw)
        self.sentinels[f"signature #{len(self.sentinels)}"] = headers["Authorization"].rsplit("Signature=", 1)[1]
        return headers

    def post(self, headers, body, gw=None, timeout=HTTP_TIMEOUT):
        return http_request("POST", (gw or self.gw).url + "/", headers, body, timeout=timeout)

    def signed_post(self, target, body, who, *, gw=None, timeout=HTTP_TIMEOUT, **kw):
        return self.post(self.sign(target, body, who, gw=gw, **kw), body, gw, timeout)

    def bearer_post(self, target, body, token, *, gw=None, extra=None):
        self.sentinels[f"bearer token #{len(self.sentinels)}"] = token
        headers = {"Content-Type": JSON_CT, "X-Amz-Target": f"AmazonSSM.{target}",
                   "Authorization": f"Bearer {token}", **(extra or {})}
        return self.post(headers, body, gw)

    def boto(self, who, *, attempts=1, idempotency_key=None):
        """A boto3 SSM client for `who` against the main gateway: botocore's standard
        retries with `attempts` in all, its parameter validation off; `idempotency_key`:
        a function returning the Idempotency-Key header each SendCommand carries (signed)."""
        import boto3
        from botocore.config import Config

        akid, secret, _ = self.keys[who]
        client = boto3.session.Session().client(
            "ssm", endpoint_url=self.gw.url, region_name=self.region, aws_access_key_id=akid,
            aws_secret_access_key=secret,
            config=Config(retries={"mode": "standard", "total_max_attempts": attempts}, parameter_validation=False,
                          connect_timeout=5, read_timeout=HTTP_TIMEOUT))
        client.meta.events.register(
            "after-call.ssm", lambda http_response=None, **_: BOTO_BODIES.append(http_response.content))
        if idempotency_key:
            client.meta.events.register(
                "before-sign.ssm.SendCommand",
                lambda request, **_: request.headers.__setitem__("Idempotency-Key", idempotency_key()))
        return client

    def executions(self, comment):
        """How many commands the local SSM created with this Comment."""
        return self.ssm.stats()["sendCommandComments"].get(comment, 0)

    def requests_since(self, before, operation):
        return self.ssm.stats()["requests"].get(operation, 0) - before["requests"].get(operation, 0)


def print_failures(result):
    """Each failed test's name and the end of its traceback, last, so that a CI log that
    keeps only its tail still says what failed (unittest printed them whole above)."""
    for kind, failed in (("FAIL", result.failures), ("ERROR", result.errors)):
        for test, trace in failed:
            print(f"\n---- {kind}: {test.id()} {test.shortDescription() or ''}".rstrip(),
                  *trace.splitlines()[-16:], sep="\n", file=sys.stderr)


def run_suite(name, module, stop):
    """Runs the unittest suite of `module` (needs NODE22 and REPO, which the Rust test
    sets), then `stop()`, which stops the servers and returns their work directory (or
    None if none started): on failure its logs' last lines are printed and it is kept
    (also with GATEWAY_SUITE_KEEP=1), else removed. Exits 0 or 1."""
    missing = [var for var in ("NODE22", "REPO") if not os.environ.get(var)]
    if missing:
        sys.exit(f"{name}.py: {', '.join(missing)} not set; "
                 f"run it through `cargo test -p ssm-edge-tests --test {name}`")
    started = time.monotonic()
    workdir = None
    try:
        program = unittest.main(module=module, exit=False)
    finally:
        workdir = stop()
    ok = program.result.wasSuccessful()
    if workdir is not None:
        if not ok:
            for log in sorted(Path(workdir).glob("*.log")):
                lines = log.read_text(errors="replace").splitlines()
                print(f"\n---- last lines of {log.name} ----", *lines[-30:], sep="\n", file=sys.stderr)
        if os.environ.get("GATEWAY_SUITE_KEEP") == "1" or not ok:
            print(f"{name} work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if not ok:
        print_failures(program.result)
    print(f"{name}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    sys.exit(0 if ok else 1)

