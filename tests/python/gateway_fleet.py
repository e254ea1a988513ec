#!/usr/bin/env python3
"""One gateway for two regions and several accounts (issue 14), with boto3 as users
call it, against the local SSM emulator serving an SSM state per (account, region) and
STS AssumeRole on the same port:

      boto3 ──> gateway (workerd) ──SigV4 ssm──> local SSM  us-east-1 | eu-west-1
                   │                               × 123456789012 (the gateway's own key)
                   └──SigV4 sts AssumeRole──────>  × 222222222222 staging, 333333333333 prod,
                                                     444444444444 sandbox, 555555555555 archive,
                                                     777777777777 vault
                                                     (666666666666 locked: never assumable)

The emulator's stats say which (account, region) state ran each call ("executedBy") and
how many credentials STS issued per role ("assumedRoles"): every test proves where its
calls ran, and that nothing ran where it must not.

Run by tests/tests/gateway_fleet.rs with NODE22 (Node 22) and REPO (the workspace root)
set; GATEWAY_SUITE_KEEP=1 keeps the work directory (vars, audit files, logs).
"""

import json
import os
import secrets
import tempfile
import time
import unittest
import uuid
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from gateway_harness import (HTTP_TIMEOUT, INSTANCE, READY_TIMEOUT, STAGING, UPSTREAM_ACCOUNT_ID, GatewayProcess, compile_policies,
                             LocalSsmProcess, run_suite, stop_all)

HOME = UPSTREAM_ACCOUNT_ID
ROLES = {
    "staging": "arn:aws:iam::222222222222:role/ssm-edge",
    "prod": "arn:aws:iam::333333333333:role/ssm-edge",
    # Its credentials live 240 s: always within the gateway's 5 minute renewal margin,
    # so the gateway assumes it again before every call.
    "sandbox": "arn:aws:iam::444444444444:role/ssm-edge",
    # Their credentials are expired by the emulator (POST /_sts/expire) under the gateway
    # (each by one test: the gateway keeps expired credentials, see below).
    "archive": "arn:aws:iam::555555555555:role/ssm-edge",
    "vault": "arn:aws:iam::777777777777:role/ssm-edge",
    # The emulator's STS lets nobody assume it: a real AccessDenied.
    "locked": "arn:aws:iam::666666666666:role/ssm-edge",
}
ACCOUNT_IDS = {alias: arn.split(":")[4] for alias, arn in ROLES.items()}
REGIONS = ["us-east-1", "eu-west-1"]
SANDBOX_CAP_S = 240
RESTART = {"service": ["nginx"]}
POLICY_FILE = Path(__file__).parent / "policies/fleet-prod-admins-only.cedar"


def comment(what):
    """A unique Comment naming a ticket (the shipped policies want one)."""
    return f"CHG-{secrets.randbelow(10**6)} {what} {uuid.uuid4().hex[:8]}"


class Fleet:
    """The local SSM (two regions, the roles above) behind one gateway; one per run."""

    _instance = None

    @classmethod
    def get(cls):
        if cls._instance is None:
            cls._instance = Fleet()
        return cls._instance

    def __init__(self):
        self.repo = Path(os.environ["REPO"])
        self.node = os.environ["NODE22"]
        self.workdir = Path(tempfile.mkdtemp(prefix="gateway-fleet-"))
        self.ssm = self.gw = None
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self):
        self.upstream_akid = "AKIDLOCALSSM" + secrets.token_hex(4).upper()
        upstream_secret = secrets.token_urlsafe(30)
        roles = {arn: [self.upstream_akid] for alias, arn in ROLES.items() if alias != "locked"}
        roles[ROLES["sandbox"]] = {"keys": [self.upstream_akid], "durationCap": SANDBOX_CAP_S}
        self.ssm = LocalSsmProcess(self.repo, self.workdir, access_key_id=self.upstream_akid,
                                   secret_access_key=upstream_secret,
                                   args=["--regions", ",".join(REGIONS), "--roles", json.dumps(roles)])
        self.keys = {}
        for who, groups in (("alice", ["on-call"]), ("root", ["admins"]), ("bob", [])):
            self.keys[who] = (f"GWKEY{who.upper():0<6}{secrets.token_hex(4).upper()}", secrets.token_urlsafe(30))
        gateway_keys = json.dumps([{"accessKeyId": akid, "secretAccessKey": secret, "principal": who,
                                    "groups": {"alice": ["on-call"], "root": ["admins"]}.get(who, [])}
                                   for who, (akid, secret) in self.keys.items()])
        policies = compile_policies(self.repo, [*sorted((self.repo / "gateway/policies").glob("*.cedar")), POLICY_FILE])
        variables = {
            "UPSTREAM_ENDPOINT": self.ssm.url, "UPSTREAM_STS_ENDPOINT": self.ssm.url,
            "UPSTREAM_REGIONS": ",".join(REGIONS), "UPSTREAM_ACCOUNT_ID": HOME,
            "UPSTREAM_ACCOUNTS": json.dumps(ROLES),
            "UPSTREAM_ACCESS_KEY_ID": self.upstream_akid, "UPSTREAM_SECRET_ACCESS_KEY": upstream_secret,
            "UPSTREAM_TIMEOUT_MS": "2000", "UPSTREAM_MAX_ATTEMPTS": "3",
            "GATEWAY_KEYS": gateway_keys, "POLICIES": policies,
            "RATE_LIMIT_PER_MINUTE": "100000", "RATE_LIMIT_BURST": "10000",
        }
        self.gw = GatewayProcess("fleet", variables, self.workdir, self.node, self.repo)
        self.gw.wait_ready(time.monotonic() + READY_TIMEOUT)

    def stop(self):
        stop_all(self.gw, self.ssm)

    def client(self, who, region="us-east-1", account=None, *, unsigned_account=None, attempts=1):
        """boto3's SSM client for `who` through the gateway, signing for `region`;
        `account`: X-Ssm-Edge-Account added before signing (so it is signed), as a user
        would with botocore's events; `unsigned_account`: added after signing."""
        akid, secret = self.keys[who]
        client = boto3.session.Session().client(
            "ssm", endpoint_url=self.gw.url, region_name=region, aws_access_key_id=akid,
            aws_secret_access_key=secret,
            config=Config(retries={"mode": "standard", "total_max_attempts": attempts},
                          connect_timeout=5, read_timeout=HTTP_TIMEOUT))
        if account is not None:
            client.meta.events.register(
                "before-sign.ssm.*", lambda request, **_: request.headers.__setitem__("X-Ssm-Edge-Account", account))
        if unsigned_account is not None:
            client.meta.events.register(
                "before-send.ssm.*",
                lambda request, **_: request.headers.__setitem__("X-Ssm-Edge-Account", unsigned_account))
        return client

    def logs(self, who, region="us-east-1", account=None):
        """boto3's CloudWatch Logs client for `who` through the gateway, as `client`."""
        akid, secret = self.keys[who]
        client = boto3.session.Session().client(
            "logs", endpoint_url=self.gw.url, region_name=region, aws_access_key_id=akid,
            aws_secret_access_key=secret,
            config=Config(retries={"mode": "standard", "total_max_attempts": 1},
                          connect_timeout=5, read_timeout=HTTP_TIMEOUT))
        if account is not None:
            client.meta.events.register(
                "before-sign.logs.*", lambda request, **_: request.headers.__setitem__("X-Ssm-Edge-Account", account))
        return client

    def stats(self):
        return self.ssm.stats()


def ran(before, after, account, region, operation="SendCommand"):
    """How many `operation` calls the (account, region) state ran between two stats."""
    where = f"{account}/{region}"
    return (after["executedBy"].get(where, {}).get(operation, 0)
            - before["executedBy"].get(where, {}).get(operation, 0))


def ran_anywhere(before, after, operation="SendCommand"):
    """{"account/region": n} of the states that ran `operation` between two stats."""
    out = {}
    for where, ops in after["executedBy"].items():
        n = ops.get(operation, 0) - before["executedBy"].get(where, {}).get(operation, 0)
        if n:
            out[where] = n
    return out


def assumed(before, after, alias):
    arn = ROLES[alias]
    return after["assumedRoles"].get(arn, 0) - before["assumedRoles"].get(arn, 0)


def requests(before, after, operation):
    return after["requests"].get(operation, 0) - before["requests"].get(operation, 0)


def total_requests(stats):
    return sum(stats["requests"].values())


def restart(client, what, **extra):
    """The on-call restart the shipped policy allows (Ops-RestartService on env=staging)."""
    return client.send_command(DocumentName=extra.pop("document", "Ops-RestartService"), Targets=STAGING,
                               Parameters=RESTART, Comment=comment(what), **extra)


class FleetTestCase(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.fleet = Fleet.get()

    def refused(self, call):
        """The ClientError `call` raises: (HTTP status, code, message, request id)."""
        with self.assertRaises(ClientError) as caught:
            call()
        r = caught.exception.response
        return (r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"].get("Message", ""),
                r["ResponseMetadata"].get("RequestId"))


class TwoRegions(FleetTestCase):
    def test_the_signed_region_picks_the_upstream_region(self):
        fleet = self.fleet
        for region, other in (("eu-west-1", "us-east-1"), ("us-east-1", "eu-west-1")):
            with self.subTest(region=region):
                ssm = fleet.client("root", region)
                before = fleet.stats()
                ssm.list_commands()
                info = ssm.describe_instance_information()["InstanceInformationList"]
                self.assertGreater(len(info), 0)
                cid = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE],
                                       Parameters={"commands": ["hostname"]},
                                       Comment=comment(f"in {region}"))["Command"]["CommandId"]
                after = fleet.stats()
                for op in ("ListCommands", "DescribeInstanceInformation", "SendCommand"):
                    self.assertEqual(ran(before, after, HOME, region, op), 1, op)
                    self.assertEqual(ran(before, after, HOME, other, op), 0, op)
                self.assertEqual(ran_anywhere(before, after), {f"{HOME}/{region}": 1})
                # The command exists in its region's state only.
                self.assertEqual([c["CommandId"] for c in ssm.list_commands(CommandId=cid)["Commands"]], [cid])
                status, code, _, _ = self.refused(lambda: fleet.client("root", other).list_commands(CommandId=cid))
                self.assertEqual((status, code), (400, "InvalidCommandId"))

    def test_a_region_not_served_is_refused_before_the_upstream(self):
        fleet = self.fleet
        before = fleet.stats()
        for who in ("root", "alice"):
            status, code, message, _ = self.refused(lambda: fleet.client(who, "ap-south-1").list_commands())
            self.assertEqual((status, code), (400, "InvalidSignatureException"), message)
        status, code, message, _ = self.refused(
            lambda: restart(fleet.client("root", "ap-south-1", "staging"), "not served"))
        self.assertEqual(code, "InvalidSignatureException", message)
        self.assertEqual(total_requests(fleet.stats()), total_requests(before), "nothing reached the upstream")


class TwoAccounts(FleetTestCase):
    def test_the_account_header_picks_the_account(self):
        fleet = self.fleet
        for account, account_id in ((None, HOME), ("default", HOME), ("staging", ACCOUNT_IDS["staging"]),
                                    ("prod", ACCOUNT_IDS["prod"])):
            for region in REGIONS:
                with self.subTest(account=account, region=region):
                    ssm = fleet.client("root", region, account)
                    before = fleet.stats()
                    ssm.list_commands()
                    ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE],
                                     Parameters={"commands": ["whoami"]}, Comment=comment(f"in {account}"))
                    after = fleet.stats()
                    self.assertEqual(ran_anywhere(before, after), {f"{account_id}/{region}": 1})
                    self.assertEqual(ran(before, after, account_id, region, "ListCommands"), 1)
                    # The document's owner is the account the call ran in.
                    owner = ssm.describe_document(Name="Ops-RestartService")["Document"]["Owner"]
                    self.assertEqual(owner, account_id)

    def test_role_credentials_are_cached(self):
        fleet = self.fleet
        ssm = {region: fleet.client("root", region, "staging") for region in REGIONS}
        for client in ssm.values():
            client.list_commands()  # the role is assumed (at the latest) here
        before = fleet.stats()
        for _ in range(3):
            for client in ssm.values():
                client.list_commands()
                client.describe_instance_information()
        after = fleet.stats()
        self.assertEqual(assumed(before, after, "staging"), 0, "12 calls on cached credentials")
        self.assertEqual(requests(before, after, "AssumeRole"), 0)
        # Over the whole run (every test's calls to staging), one AssumeRole for the role,
        # one set of credentials for both regions.
        self.assertEqual(after["assumedRoles"].get(ROLES["staging"]), 1, after["assumedRoles"])
        issued = [c for c in fleet.ssm.issued_credentials() if c["roleArn"] == ROLES["staging"]]
        self.assertEqual(len(issued), 1)
        self.assertEqual(issued[0]["account"], ACCOUNT_IDS["staging"])
        self.assertFalse(issued[0]["expired"])

    def test_an_unknown_account_is_refused(self):
        fleet = self.fleet
        before = fleet.stats()
        for alias in ("qa", "Staging", "222222222222", ROLES["staging"]):
            with self.subTest(alias=alias):
                ssm = fleet.client("root", "eu-west-1", alias)
                status, code, message, _ = self.refused(lambda: ssm.list_commands())
                self.assertEqual((status, code), (400, "ValidationException"), message)
                self.assertIn("X-Ssm-Edge-Account", message)
                self.assertIn("staging", message, "names the accounts served")
                self.assertNotIn("222222222222", message.replace(alias, ""), "no account id")
        self.assertEqual(total_requests(fleet.stats()), total_requests(before), "nothing reached the upstream")

    def test_an_unsigned_account_header_is_refused(self):
        fleet = self.fleet
        before = fleet.stats()
        for account in ("staging", "prod", "default"):
            with self.subTest(account=account):
                status, code, message, _ = self.refused(
                    lambda: restart(fleet.client("root", "us-east-1", unsigned_account=account), "unsigned"))
                # A header that must be signed when present and is not: as AWS refuses an
                # unsigned x-amz-* header.
                self.assertEqual((status, code), (400, "IncompleteSignatureException"), message)
                self.assertIn("x-ssm-edge-account", message.lower())
        # A signed header changed after signing (the same request, tampered with): refused too.
        ssm = fleet.client("root", "us-east-1", "staging", unsigned_account="prod")
        status, code, message, _ = self.refused(lambda: ssm.list_commands())
        self.assertEqual((status, code), (400, "InvalidSignatureException"), message)
        self.assertEqual(total_requests(fleet.stats()), total_requests(before), "nothing reached the upstream")


class RoleCredentialsRefreshed(FleetTestCase):
    def test_credentials_near_expiry_are_renewed_before_a_call(self):
        """sandbox's credentials expire 240 s after they are issued, within the gateway's
        300 s renewal margin: every call assumes the role again, before it is signed."""
        fleet = self.fleet
        before = fleet.stats()
        for i, region in enumerate(REGIONS * 2):
            ssm = fleet.client("root", region, "sandbox")
            ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE],
                             Parameters={"commands": ["date"]}, Comment=comment(f"sandbox {i}"))
        after = fleet.stats()
        self.assertEqual(assumed(before, after, "sandbox"), 4)
        self.assertEqual(ran_anywhere(before, after),
                         {f"{ACCOUNT_IDS['sandbox']}/{r}": 2 for r in REGIONS})
        issued = [c for c in fleet.ssm.issued_credentials() if c["roleArn"] == ROLES["sandbox"]]
        self.assertGreaterEqual(len(issued), 4)
        self.assertEqual(len({c["accessKeyId"] for c in issued}), len(issued), "new credentials each time")
        # STS expiring every credential under the gateway changes nothing here: the next
        # call assumes the role again anyway.
        self.assertGreater(fleet.ssm.expire_credentials(ROLES["sandbox"]), 0)
        fleet.client("root", "eu-west-1", "sandbox").list_commands()
        self.assertEqual(assumed(after, fleet.stats(), "sandbox"), 1)

    def test_credentials_the_upstream_says_expired_are_renewed_and_the_call_resent(self):
        """archive's credentials (1 h by the gateway's clock) expire early at STS: SSM's
        ExpiredTokenException proves the call did not run, so the gateway assumes the role
        again and resends it, once; the caller never sees the refusal, and the command
        runs once."""
        fleet = self.fleet
        ssm = fleet.client("root", "eu-west-1", "archive")
        ssm.list_commands()
        self.assertEqual(fleet.ssm.expire_credentials(ROLES["archive"]), 1)
        before = fleet.stats()
        restart(ssm, "archive expired")
        after = fleet.stats()
        self.assertEqual(requests(before, after, "SendCommand"), 2, "refused once, then resent")
        self.assertEqual(ran_anywhere(before, after), {f"{ACCOUNT_IDS['archive']}/eu-west-1": 1})
        self.assertEqual(assumed(before, after, "archive"), 1)
        # The renewed credentials are kept for the next calls.
        ssm.list_commands()
        self.assertEqual(assumed(after, fleet.stats(), "archive"), 0)

    def test_credentials_refused_after_renewal_reach_the_caller(self):
        """vault's credentials keep being refused (they expire at STS again right after
        the gateway renews them, by a fault): the renewal happens once per call, and
        SSM's ExpiredTokenException is then the caller's answer, as AWS's; nothing ran."""
        fleet = self.fleet
        ssm = fleet.client("root", "us-east-1", "vault")
        ssm.list_commands()
        fleet.ssm.faults({"mode": "expired", "operations": ["SendCommand"], "count": 2})
        try:
            before = fleet.stats()
            status, code, message, _ = self.refused(lambda: restart(ssm, "vault expired"))
        finally:
            fleet.ssm.clear_faults()
        self.assertEqual((status, code), (400, "ExpiredTokenException"), message)
        after = fleet.stats()
        self.assertEqual(requests(before, after, "SendCommand"), 2, "resent once, not more")
        self.assertEqual(assumed(before, after, "vault"), 1)
        self.assertEqual(ran_anywhere(before, after), {})


class AssumeRoleFailures(FleetTestCase):
    """STS refusing or failing; sandbox is assumed before every call, so each call meets STS."""

    def tearDown(self):
        self.fleet.ssm.clear_faults()

    def check_refusal(self, status, code, message, request_id, alias, account_id, sts_code, region):
        self.assertEqual((status, code), (403, "AccessDeniedException"), message)
        self.assertIn(f'account "{alias}"', message)
        self.assertIn(sts_code, message)
        self.assertIn("nothing was sent", message)
        for secret in ("arn:", account_id, HOME, "ssm-edge/"):
            self.assertNotIn(secret, message)
        line = self.fleet.gw.audit_for(request_id)
        self.assertEqual(line["decision"], "upstream-failed", line)
        self.assertEqual((line["account"], line["region"]), (alias, region), line)
        self.assertTrue(line["upstreamError"].startswith("AssumeRole: "), line)
        self.assertIn(sts_code, line["upstreamError"])

    def test_access_denied_is_a_clear_refusal(self):
        fleet = self.fleet
        # A real one: the emulator's STS lets nobody assume "locked"'s role.
        before = fleet.stats()
        ssm = fleet.client("root", "eu-west-1", "locked")
        refusal = self.refused(lambda: restart(ssm, "locked"))
        self.check_refusal(*refusal, "locked", ACCOUNT_IDS["locked"], "AccessDenied", "eu-west-1")
        line = fleet.gw.audit_for(refusal[3])
        self.assertIn("not authorized to perform: sts:AssumeRole", line["upstreamError"], "STS's words, for operators")
        # An injected one, on a role that can be assumed.
        fleet.ssm.faults({"mode": "access-denied", "operations": ["AssumeRole"], "count": 1})
        ssm = fleet.client("root", "us-east-1", "sandbox")
        refusal = self.refused(lambda: restart(ssm, "denied sandbox"))
        self.check_refusal(*refusal, "sandbox", ACCOUNT_IDS["sandbox"], "AccessDenied", "us-east-1")
        after = fleet.stats()
        self.assertEqual(requests(before, after, "AssumeRole"), 2, "not retried")
        self.assertEqual(requests(before, after, "SendCommand"), 0, "nothing sent")
        self.assertEqual(ran_anywhere(before, after), {})

    def test_expired_caller_token_at_sts_is_a_clear_refusal(self):
        fleet = self.fleet
        fleet.ssm.faults({"mode": "expired", "operations": ["AssumeRole"], "count": 1})
        before = fleet.stats()
        refusal = self.refused(lambda: restart(fleet.client("root", "eu-west-1", "sandbox"), "expired"))
        self.check_refusal(*refusal, "sandbox", ACCOUNT_IDS["sandbox"], "ExpiredToken", "eu-west-1")
        self.assertEqual(ran_anywhere(before, fleet.stats()), {})

    def test_throttled_assume_role_is_retried_by_the_sdk(self):
        fleet = self.fleet
        fleet.ssm.faults({"mode": "throttle", "operations": ["AssumeRole"], "count": 1})
        before = fleet.stats()
        # boto3's standard retry mode resends the gateway's 503 ServiceUnavailable.
        ssm = fleet.client("root", "eu-west-1", "sandbox", attempts=3)
        note = comment("throttled sts")
        out = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE],
                               Parameters={"commands": ["uptime"]}, Comment=note)
        self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 1)
        after = fleet.stats()
        self.assertEqual(requests(before, after, "AssumeRole"), 2)
        self.assertEqual(assumed(before, after, "sandbox"), 1)
        self.assertEqual(ran_anywhere(before, after), {f"{ACCOUNT_IDS['sandbox']}/eu-west-1": 1}, "ran once")
        time.sleep(0.3)  # audit lines reach their file asynchronously
        attempts = sorted((l for l in fleet.gw.audit_lines() if l.get("comment") == note), key=lambda l: l["time"])
        self.assertEqual([l["decision"] for l in attempts], ["upstream-failed", "allowed"], attempts)
        failed = attempts[:1]
        self.assertEqual((failed[0]["account"], failed[0]["region"]), ("sandbox", "eu-west-1"))
        self.assertTrue(failed[0]["upstreamError"].startswith("AssumeRole: "), failed[0])
        self.assertIn("Throttling", failed[0]["upstreamError"])
        # Without retries the caller sees the 503 itself.
        fleet.ssm.faults({"mode": "throttle", "operations": ["AssumeRole"], "count": 1})
        status, code, message, _ = self.refused(lambda: fleet.client("root", "eu-west-1", "sandbox").list_commands())
        self.assertEqual((status, code), (503, "ServiceUnavailable"), message)
        self.assertIn("retry shortly", message)


class PoliciesPerAccount(FleetTestCase):
    def test_on_call_may_restart_in_staging_not_in_prod(self):
        fleet = self.fleet
        for region in REGIONS:
            with self.subTest(region=region):
                before = fleet.stats()
                restart(fleet.client("alice", region, "staging"), "alice staging")
                after = fleet.stats()
                self.assertEqual(ran_anywhere(before, after), {f"{ACCOUNT_IDS['staging']}/{region}": 1})
                status, code, message, request_id = self.refused(
                    lambda: restart(fleet.client("alice", region, "prod"), "alice prod"))
                self.assertEqual((status, code), (400, "AccessDeniedException"), message)
                self.assertIn("denied by policy", message)
                self.assertIn("only admins may run commands in account prod", message)
                line = fleet.gw.audit_for(request_id)
                self.assertEqual((line["decision"], line["account"], line["region"]), ("denied", "prod", region))
                final = fleet.stats()
                self.assertEqual(ran_anywhere(after, final), {}, "nothing ran in prod")
                self.assertEqual(requests(after, final, "SendCommand"), 0)
                # The home account keeps the shipped policies: alice may restart there.
                restart(fleet.client("alice", region), "alice home")
                self.assertEqual(ran_anywhere(final, fleet.stats()), {f"{HOME}/{region}": 1})
        # bob may read in prod (read-only for everyone) but not run anything.
        ssm = fleet.client("bob", "eu-west-1", "prod")
        ssm.list_commands()
        status, code, message, _ = self.refused(lambda: restart(ssm, "bob prod"))
        self.assertEqual(code, "AccessDeniedException", message)
        # Admins may run in prod.
        before = fleet.stats()
        restart(fleet.client("root", "eu-west-1", "prod"), "root prod")
        self.assertEqual(ran_anywhere(before, fleet.stats()), {f"{ACCOUNT_IDS['prod']}/eu-west-1": 1})

    def test_output_is_read_in_the_routed_account_under_its_read_policy(self):
        """boto3's logs client through the gateway reads a command's output in the account
        and region it ran in (the route's Logs endpoint, the role's credentials); a reader
        the policy gives no ReadOutput there (alice in prod) is refused and nothing is read."""
        fleet = self.fleet
        region = "eu-west-1"
        ssm = fleet.client("root", region, "prod")
        command = ssm.send_command(
            DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE], Comment="CHG-7 output in prod",
            Parameters={"commands": ["echo from prod", "echo warn >&2"]},
            CloudWatchOutputConfig={"CloudWatchOutputEnabled": True})["Command"]
        deadline = time.monotonic() + 30
        while ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=INSTANCE)["Status"] != "Success":
            self.assertLess(time.monotonic(), deadline, "the command did not finish")
            time.sleep(0.2)
        stream = f"{command['CommandId']}/{INSTANCE}/aws-runShellScript/stdout"
        read = dict(logGroupName="/aws/ssm/AWS-RunShellScript", logStreamName=stream, startFromHead=True)
        events = fleet.logs("root", region, "prod").get_log_events(**read)["events"]
        self.assertEqual([e["message"] for e in events], ["from prod"])
        before = fleet.stats()
        status, code, message, request_id = self.refused(lambda: fleet.logs("alice", region, "prod").get_log_events(**read))
        self.assertEqual((status, code), (400, "AccessDeniedException"), message)
        self.assertIn("only admins may read command output in account prod", message)
        line = fleet.gw.audit_for(request_id)
        self.assertEqual((line["operation"], line["decision"], line["account"], line["region"], line["commandId"]),
                         ("GetLogEvents", "denied", "prod", region, command["CommandId"]))
        self.assertEqual(requests(before, fleet.stats(), "GetLogEvents"), 0, "nothing was read")
        # The command is prod's: in staging (another account's state) it does not exist.
        status, code, message, _ = self.refused(lambda: fleet.logs("root", region, "staging").get_log_events(**read))
        self.assertEqual(code, "InvalidCommandId", message)

    def test_an_own_account_document_arn_is_the_accounts_own(self):
        fleet = self.fleet
        arn = f"arn:aws:ssm:eu-west-1:{ACCOUNT_IDS['staging']}:document/Ops-RestartService"
        before = fleet.stats()
        # In staging, eu-west-1: its own document, which alice may run like its name.
        restart(fleet.client("alice", "eu-west-1", "staging"), "arn staging", document=arn)
        self.assertEqual(ran_anywhere(before, fleet.stats()), {f"{ACCOUNT_IDS['staging']}/eu-west-1": 1})
        # The same ARN elsewhere is foreign (UseForeignDocument, which no policy permits),
        # even for admins: in prod (another account), in us-east-1 (another region), at home.
        for who, region, account in (("root", "eu-west-1", "prod"), ("root", "us-east-1", "staging"),
                                     ("root", "eu-west-1", None), ("alice", "eu-west-1", "prod")):
            with self.subTest(who=who, region=region, account=account):
                before = fleet.stats()
                status, code, message, request_id = self.refused(
                    lambda: restart(fleet.client(who, region, account), "arn foreign", document=arn))
                self.assertEqual((status, code), (400, "AccessDeniedException"), message)
                self.assertIn("denied by policy", message)
                line = fleet.gw.audit_for(request_id)
                self.assertEqual(line["decision"], "denied", line)
                self.assertEqual(ran_anywhere(before, fleet.stats()), {})
                self.assertEqual(requests(before, fleet.stats(), "SendCommand"), 0)


def stop_fleet():
    """Stops the fleet's servers; their work directory, if they started."""
    fleet = Fleet._instance
    if fleet is None:
        return None
    fleet.stop()
    return fleet.workdir


def main():
    run_suite("gateway_fleet", __name__, stop_fleet)


if __name__ == "__main__":
    main()
