#!/usr/bin/env python3
"""The gateway's hardening suites in one run, against the local SSM emulator:

  gateway_faults.py   the upstream fails in every way tests/local-ssm can fail
  gateway_tamper.py   tampered SigV4 requests and bad bearer JWTs
  gateway_approvals.py  two-person approval: boto3 asks, an approver runs it once
  gateway_output.py     command output (CloudWatch Logs) read with boto3 and the package
  SecretsStayHidden   (here, last) every secret the run used — gateway keys, the upstream
                      secret, a wrong upstream secret, a misconfigured gateway's key, each
                      signature and token sent — is in no answer (body or header), no
                      audit line, no gateway log and no local SSM log line.

      raw HTTP / boto3 ──> gateway "main" | "wrongkey" | "broken" (workerd) ──> local SSM
                              └──> JWKS server

Run by tests/tests/gateway_hardening.rs with NODE22 (Node 22) and REPO (the workspace
root) set; GATEWAY_SUITE_KEEP=1 keeps the work directory (vars, audit files, logs).
`-k pattern` runs a part, as with unittest.
"""

import sys
import time
import unittest

import gateway_approvals
import gateway_faults
import gateway_output
import gateway_tamper
from gateway_harness import BOTO_BODIES, REPLIES, LocalStack, leaks, run_suite


class SecretsStayHidden(unittest.TestCase):
    """Runs last: the other suites made the answers and logs it reads."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.stack = LocalStack.get()

    def test_misconfigured_and_wrongly_keyed_gateways_say_so(self):
        stack = self.stack
        broken, wrongkey = stack.gateways["broken"], stack.gateways["wrongkey"]
        for who in ("alice", "bob"):
            reply = stack.signed_post("ListCommands", b"{}", who, gw=broken)
            self.assertEqual((reply.status, reply.code), (500, "InternalServerError"), reply.body[:300])
            self.assertIn("misconfigured", reply.message)
        token = stack.rsa_key.token("carol", ["on-call"])
        self.assertEqual(stack.bearer_post("ListCommands", b"{}", token, gw=broken).status, 500)
        self.assertIn("gatewayConfigError", broken.log_path.read_text(errors="replace"))
        self.assertIn("GATEWAY_KEYS", broken.log_path.read_text(errors="replace"))

        # The local SSM refuses the wrong upstream signature; the gateway passes it on.
        before = stack.ssm.stats()
        reply = stack.signed_post("ListCommands", b"{}", "bob", gw=wrongkey)
        self.assertEqual((reply.status, reply.code), (400, "InvalidSignatureException"), reply.body[:300])
        body = gateway_faults.shell_body("INC-9 wrong upstream key")
        reply = stack.signed_post("SendCommand", body, "root", gw=wrongkey)
        self.assertEqual(reply.code, "InvalidSignatureException")
        self.assertEqual(stack.requests_since(before, "SendCommand"), 1, "refused upstream, not retried")
        self.assertEqual(stack.executions("INC-9 wrong upstream key"), 0)

    def test_secrets_appear_in_no_answer_audit_line_or_log(self):
        stack = self.stack
        for gw in stack.gateways.values():
            gw.log.flush()
        time.sleep(0.3)  # audit lines reach their files asynchronously
        texts = {}
        for name, gw in stack.gateways.items():
            texts[f"{name} audit"] = gw.audit_path.read_text(errors="replace")
            texts[f"{name} gateway log"] = gw.log_path.read_text(errors="replace")
            for line in gw.audit_lines():  # every line parses as JSON
                self.assertIsInstance(line, dict)
        texts["local SSM log"] = stack.ssm.log_path.read_text(errors="replace")
        texts["answers (raw HTTP)"] = "\n".join(
            f"{r.status} {r.headers!r} {r.body.decode('latin-1')}" for r in REPLIES)
        texts["answers (boto3)"] = "\n".join(b.decode("latin-1") for b in BOTO_BODIES)

        # Not vacuous: the run used the secrets, made answers and wrote logs.
        self.assertGreater(len(REPLIES), 150, "the suites' raw answers")
        self.assertGreater(len(stack.sentinels), 150, "keys, upstream secrets, signatures and tokens")
        self.assertGreater(len(stack.gw.audit_lines()), 150)
        self.assertGreater(len(stack.ssm.request_log()), 50)

        found = leaks(texts, stack.sentinels)
        # Not assertEqual on the values: its message would print the secrets.
        self.assertEqual(found, [], "secrets found (where, which)")
        for where, text in texts.items():
            if where.startswith("answers"):
                continue
            for fragment in ("Bearer ", "Signature=", "AWS4-HMAC-SHA256", "Credential="):
                self.assertFalse(fragment in text, f"{where}: an Authorization value ({fragment.strip()})")
        print(f"\n    ({len(stack.sentinels)} secrets, {len(REPLIES) + len(BOTO_BODIES)} answers, "
              f"{sum(len(t) for t in texts.values())} bytes of logs and answers searched)", file=sys.stderr)


def load_tests(loader, tests, pattern):
    suite = unittest.TestSuite()
    for case in (gateway_faults.GatewayFaults, gateway_tamper.TamperedRequests, gateway_approvals.ApprovalFlow,
                 gateway_output.OutputThroughGateway, SecretsStayHidden):
        suite.addTests(loader.loadTestsFromTestCase(case))
    return suite


def stop_stack():
    """Stops the shared stack; its work directory, if it started."""
    stack = LocalStack._instance
    LocalStack.stop_all()
    return stack.workdir if stack is not None else None


def main():
    run_suite("gateway_hardening", __name__, stop_stack)


if __name__ == "__main__":
    main()
