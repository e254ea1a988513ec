"""Two-person approval through the gateway on workerd, in front of the local SSM (run
by gateway_hardening.py in its shared stack, with the shipped policies):

  alice (on-call) may not run AWS-RunShellScript, but may ask to run it on env=staging
  (gateway/policies/60-approvals.cedar); root (admins) approves. boto3 is the requester
  as any SDK caller: it gets ApprovalRequiredException, and its repeat with the same
  Idempotency-Key returns the CommandId once approved. The approver is the npm package
  as built (wasm/pkg, tests/python/approvals_package.mjs), or speaks the approval API
  (X-Amz-Target: SsmEdge.*, awsJson, SigV4 signed by botocore). The package is also a
  requester: ApprovalRequiredError, then waitForApproval. The stack's webhook receiver
  takes APPROVAL_WEBHOOK_URL's posts.
"""

import json
import os
import re
import subprocess
import time
import unittest
import uuid
from pathlib import Path

from botocore.exceptions import ClientError

from gateway_harness import INSTANCE, STAGING, LocalStack

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class ApprovalFlow(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.stack = LocalStack.get()

    def api(self, who, operation, body):
        """An approval API call signed by botocore as `who`: (status, parsed body)."""
        data = json.dumps(body).encode()
        reply = self.stack.signed_post(operation, data, who, extra={"X-Amz-Target": f"SsmEdge.{operation}"})
        return reply, json.loads(reply.body or b"{}")

    def package(self, who, *args):
        """tests/python/approvals_package.mjs as `who`, through the npm package: a Popen
        whose stdout gives one JSON line per step."""
        akid, secret, _ = self.stack.keys[who]
        self.stack.sentinels[f"{who}'s gateway secret (package)"] = secret
        env = {**os.environ, "ENDPOINT": self.stack.gw.url, "REGION": self.stack.region,
               "AKID": akid, "SECRET": secret}
        script = Path(__file__).with_name("approvals_package.mjs")
        return subprocess.Popen([self.stack.node, str(script), *args], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def step(self, proc):
        line = proc.stdout.readline()
        if not line:
            _, err = proc.communicate(timeout=30)
            self.fail(f"the package script stopped (exit {proc.returncode}): {err}")
        return json.loads(line)

    def ask(self, alice, comment):
        """alice's SendCommand through boto3: refused with ApprovalRequiredException; the id."""
        with self.assertRaises(ClientError) as ctx:
            alice.send_command(DocumentName="AWS-RunShellScript", Targets=STAGING,
                               Parameters={"commands": ["uptime"]}, Comment=comment)
        error = ctx.exception.response["Error"]
        self.assertEqual(error["Code"], "ApprovalRequiredException", error)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        found = UUID.findall(error["Message"])
        self.assertEqual(len(found), 1, error["Message"])
        return found[0], ctx.exception.response["ResponseMetadata"]["RequestId"]

    def test_boto3_asks_root_approves_the_repeat_gets_the_command(self):
        stack = self.stack
        key = f"approve-{uuid.uuid4()}"
        comment = f"CHG-91 approval {uuid.uuid4().hex[:10]}"
        alice = stack.boto("alice", idempotency_key=lambda: key)
        approval_id, request_id = self.ask(alice, comment)
        self.assertEqual(stack.executions(comment), 0, "nothing runs before approval")
        line = stack.gw.audit_for(request_id)
        self.assertEqual((line["decision"], line["approvalEvent"], line["approvalId"]),
                         ("approval-required", "requested", approval_id))
        # Asking again with the same key: the same approval, still waiting.
        self.assertEqual(self.ask(alice, comment)[0], approval_id)

        # root, through the npm package, sees exactly what would run, and approves it.
        proc = self.package("root", "approve", approval_id)
        out = self.step(proc)
        _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        pending = out["pending"]
        self.assertEqual(len(pending), 1, out)
        self.assertEqual(pending[0]["Requester"], "alice")
        self.assertEqual(pending[0]["SendCommand"], {
            "DocumentName": "AWS-RunShellScript", "Targets": STAGING,
            "Parameters": {"commands": ["uptime"]}, "Comment": comment})
        view = out["approval"]
        self.assertEqual((view["State"], view["DecidedBy"]), ("Done", "root"))
        command_id = view["CommandId"]
        self.assertEqual(stack.executions(comment), 1)
        sent = [json.loads(b) for b in stack.ssm.received("SendCommand")]
        self.assertEqual([b for b in sent if b.get("Comment") == comment], [pending[0]["SendCommand"]])
        deadline = time.monotonic() + 5  # audit lines reach the file asynchronously
        while True:
            ran = [line for line in stack.gw.audit_lines()
                   if line.get("approvalId") == approval_id and line.get("approvalEvent") == "ran"]
            if ran or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual([(r["principal"], r["operation"], r["requester"], r["commandId"]) for r in ran],
                         [("root", "SsmEdge.ApproveCommand", "alice", command_id)])

        # A second approval, and alice's repeat: no second run; the repeat gets the command.
        reply, _ = self.api("root", "ApproveCommand", {"ApprovalId": approval_id})
        self.assertEqual(reply.code, "ApprovalNotPendingException", reply.body)
        answer = alice.send_command(DocumentName="AWS-RunShellScript", Targets=STAGING,
                                    Parameters={"commands": ["uptime"]}, Comment=comment)
        self.assertEqual(answer["Command"]["CommandId"], command_id)
        self.assertEqual(stack.executions(comment), 1)
        replayed = stack.gw.audit_for(answer["ResponseMetadata"]["RequestId"])
        self.assertEqual((replayed["decision"], replayed["approvalEvent"]), ("replayed", "replayed"))

        # The command runs to the end like any other, and alice reads it: the online
        # staging instances succeed (batch-1 is offline: its delivery times out).
        deadline = time.monotonic() + 30
        while True:
            status = alice.list_commands(CommandId=command_id)["Commands"][0]["Status"]
            if status not in ("Pending", "InProgress") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        invocations = alice.list_command_invocations(CommandId=command_id)["CommandInvocations"]
        by_instance = {i["InstanceId"]: i["Status"] for i in invocations}
        self.assertEqual(by_instance.get(INSTANCE), "Success", (status, by_instance))

        # The webhook heard of the request and the run, never a parameter value.
        posts = stack.webhook.bodies(approval_id)
        self.assertEqual([p["event"] for p in posts], ["requested", "ran"], posts)
        self.assertTrue(posts[0]["text"].startswith("alice asks to run AWS-RunShellScript on tag:env=staging"),
                        posts[0]["text"])
        self.assertIn(f"command {command_id} sent", posts[1]["text"])
        self.assertNotIn("uptime", json.dumps(posts))

    def test_the_package_asks_and_waits_while_root_approves(self):
        stack = self.stack
        comment = f"CHG-93 approval {uuid.uuid4().hex[:10]}"
        proc = self.package("alice", "ask", comment, json.dumps(STAGING))
        try:
            asked = self.step(proc)
            self.assertEqual((asked["name"], asked["same"], asked["status"], asked["attempts"]),
                             ("ApprovalRequiredException", True, 400, 1), asked)
            self.assertRegex(asked["approvalId"], UUID)
            self.assertEqual(stack.executions(comment), 0)
            # waitForApproval has seen it pending; now root approves it.
            self.assertEqual(self.step(proc), {"firstPoll": "Pending"})
            reply, _ = self.api("root", "ApproveCommand", {"ApprovalId": asked["approvalId"]})
            self.assertEqual(reply.status, 200, reply.body)
            waited = self.step(proc)
        finally:
            _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        approval = waited["approval"]
        self.assertEqual((approval["State"], approval["Requester"], approval["DecidedBy"]),
                         ("Done", "alice", "root"))
        self.assertRegex(approval["CommandId"], UUID)
        self.assertEqual(waited["progress"][0], "Pending")
        self.assertEqual(waited["progress"][-1], "Done")
        self.assertLessEqual(set(waited["progress"]), {"Pending", "Running", "Done"})
        self.assertTrue(waited["createdAtIsDate"])
        self.assertEqual(stack.executions(comment), 1)

    def test_nobody_approves_their_own_and_others_do_not_see_it(self):
        stack = self.stack
        comment = f"CHG-92 approval {uuid.uuid4().hex[:10]}"
        approval_id, _ = self.ask(stack.boto("alice"), comment)
        reply, _ = self.api("alice", "ApproveCommand", {"ApprovalId": approval_id})
        self.assertEqual(reply.code, "AccessDeniedException")
        self.assertIn("your own request", reply.message)
        reply, _ = self.api("bob", "ApproveCommand", {"ApprovalId": approval_id})
        self.assertEqual(reply.code, "AccessDeniedException")
        reply, listed = self.api("bob", "ListApprovals", {})
        self.assertNotIn(approval_id, [a["ApprovalId"] for a in listed["Approvals"]])
        reply, _ = self.api("bob", "GetApproval", {"ApprovalId": approval_id})
        self.assertEqual(reply.code, "ApprovalNotFoundException")
        # root rejects it; alice's next ask with the same body is a new request.
        reply, rejected = self.api("root", "RejectCommand", {"ApprovalId": approval_id, "Reason": "not today"})
        self.assertEqual((reply.status, rejected["Approval"]["State"]), (200, "Rejected"), reply.body)
        self.assertEqual([p["event"] for p in stack.webhook.bodies(approval_id)], ["requested", "rejected"])
        self.assertEqual(stack.executions(comment), 0)
