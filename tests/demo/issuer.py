#!/usr/bin/env python3
"""A throwaway OIDC-style token issuer for `make demo` (never for production).

Generates an ES256 key, serves its JWKS at http://127.0.0.1:PORT/.well-known/jwks.json,
mints 12-hour tokens for the demo users, prints one JSON line
{"issuer", "audience", "jwks_url", "tokens": {"alice": ..., "root": ..., "bob": ...}}
and serves until its standard input closes (or SIGTERM/SIGINT).
"""

import base64
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

AUDIENCE = "ssm-edge-demo"
USERS = {"alice": ["on-call"], "root": ["admins"], "bob": []}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    jwks = {"keys": [{"kty": "EC", "crv": "P-256", "kid": "demo-1", "alg": "ES256", "use": "sig",
                      "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}]}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = json.dumps(jwks).encode()
            self.send_response(200 if self.path == "/.well-known/jwks.json" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_address[1]}"

    def token(sub, groups):
        now = int(time.time())
        header = b64url(json.dumps({"alg": "ES256", "typ": "JWT", "kid": "demo-1"}).encode())
        claims = b64url(json.dumps({"iss": issuer, "aud": AUDIENCE, "sub": sub, "groups": groups,
                                    "iat": now, "nbf": now - 60, "exp": now + 12 * 3600}).encode())
        der = key.sign(f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{header}.{claims}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    print(json.dumps({"issuer": issuer, "audience": AUDIENCE, "jwks_url": f"{issuer}/.well-known/jwks.json",
                      "tokens": {u: token(u, g) for u, g in USERS.items()}}), flush=True)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
