"""Re-sign requests with botocore's SigV4Auth: the peer of tests/tests/botocore_sign_oracle.rs.

stdin: a JSON array of requests, each
    {"id", "method", "url", "headers": [[name, value], ...] (pre-signing headers),
     "body_hex", "access_key_id", "secret_access_key", "session_token" (or null),
     "region", "service", "time" (unix seconds), "content_sha256" (bool)}
stdout: one JSON object per request, in order:
    {"id", "authorization", "x_amz_date", "x_amz_security_token", "x_amz_content_sha256",
     "canonical_request", "string_to_sign"}

botocore computes everything itself: the clock is frozen by patching
botocore.auth.get_current_datetime (what SigV4Auth.add_auth reads), the Host header is
derived by botocore from the URL, X-Amz-Date / X-Amz-Security-Token are added by
SigV4Auth, and when content_sha256 is set the header value is hashlib's SHA-256 of the
body (SigV4Auth then signs it like any header).
"""

import datetime
import hashlib
import json
import sys
from unittest import mock

import botocore
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class RecordingSigV4Auth(SigV4Auth):
    """SigV4Auth that remembers the canonical request and string to sign it computed."""

    canonical = None
    sts = None

    def canonical_request(self, request):
        self.canonical = super().canonical_request(request)
        return self.canonical

    def string_to_sign(self, request, canonical_request):
        self.sts = super().string_to_sign(request, canonical_request)
        return self.sts


def sign(r):
    body = bytes.fromhex(r["body_hex"])
    headers = {}
    for name, value in r["headers"]:
        headers[name] = value
    if r.get("content_sha256"):
        headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
    request = AWSRequest(method=r["method"], url=r["url"], data=body, headers=headers)
    creds = Credentials(r["access_key_id"], r["secret_access_key"], r.get("session_token"))
    auth = RecordingSigV4Auth(creds, r["service"], r["region"])
    frozen = datetime.datetime.fromtimestamp(r["time"], tz=datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=frozen):
        auth.add_auth(request)
    return {
        "id": r["id"],
        "authorization": request.headers.get("Authorization"),
        "x_amz_date": request.headers.get("X-Amz-Date"),
        "x_amz_security_token": request.headers.get("X-Amz-Security-Token"),
        "x_amz_content_sha256": request.headers.get("X-Amz-Content-SHA256"),
        "canonical_request": auth.canonical,
        "string_to_sign": auth.sts,
    }


def main():
    requests = json.load(sys.stdin)
    out = sys.stdout
    for r in requests:
        out.write(json.dumps(sign(r)) + "\n")
    out.write(json.dumps({"botocore_version": botocore.__version__, "count": len(requests)}) + "\n")


if __name__ == "__main__":
    main()
