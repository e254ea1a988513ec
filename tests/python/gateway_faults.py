"""The gateway in front of a failing upstream (tests/local-ssm's fault modes), run by
gateway_hardening.py. Each case proves the answer (status, the AWS error botocore
decodes, the message), how many requests reached the upstream (retries only where safe)
and how many commands ran: a SendCommand never runs twice — whatever the upstream does,
with Idempotency-Key repeats and with botocore's own retries given a key — the gateway's
UPSTREAM_TIMEOUT_MS ends every wait, and the gateway keeps serving meanwhile.
"""

import threading
import time
import unittest
import uuid

from botocore.exceptions import ClientError

from botocore_decode import decode_error
from gateway_harness import INSTANCE, LocalStack, send_command_body

TIMEOUT_S = LocalStack.UPSTREAM_TIMEOUT_MS / 1000
MAY_HAVE_RUN = "the command may have run: check ListCommands"
# A wait the gateway's timeout ends must end by then (the timeout, plus slack for a
# shared 2-core machine).
PROMPT_S = TIMEOUT_S + 2.5

# SendCommand, the one call that must never run twice. (mode, rule, status, error code,
# requests reaching the upstream, commands run, message fragment). Every rule applies
# to one request unless it says `count`.
SEND_COMMAND_CASES = [
    # Throttling proves the call did not run: the gateway retries it.
    ("throttle", {}, 200, None, 2, 1, None),
    ("throttle", {"count": 3}, 400, "ThrottlingException", 3, 0, "Rate exceeded"),
    # Anything else may have run: never retried, passed on or answered "may have run".
    ("500", {}, 500, "InternalServerError", 1, 0, "injected fault"),
    ("500", {"execute": True}, 500, "InternalServerError", 1, 1, "injected fault"),
    ("503", {}, 503, "ServiceUnavailable", 1, 0, "injected fault"),
    # "May have run" is 409 CommandOutcomeUnknownException: a status SDKs do not retry.
    ("reset-before-read", {}, 409, "CommandOutcomeUnknownException", 1, 0, MAY_HAVE_RUN),
    ("reset-after-read", {}, 409, "CommandOutcomeUnknownException", 1, 1, MAY_HAVE_RUN),
    ("hang", {}, 409, "CommandOutcomeUnknownException", 1, 1, MAY_HAVE_RUN),
    # An answer trickling in past the timeout is cut off like silence (it used to be
    # waited for whatever its length: the timeout covered the headers only).
    ("trickle", {"ms": 10_000}, 409, "CommandOutcomeUnknownException", 1, 1, MAY_HAVE_RUN),
    ("trickle", {"ms": 300}, 200, None, 1, 1, None),
    ("truncated", {}, 409, "CommandOutcomeUnknownException", 1, 1, MAY_HAVE_RUN),
    # A 200 whose body is not SSM's is passed on as received (see docs/reliability.md).
    ("garbage", {}, 200, None, 1, 1, None),
    ("wrong-content-type", {}, 200, None, 1, 1, None),
]

# ListCommands, which may be retried. (mode, rule, status, error code, requests, message)
READ_CASES = [
    ("throttle", {}, 200, None, 2, None),
    ("500", {}, 200, None, 2, None),
    ("503", {}, 200, None, 2, None),
    ("reset-before-read", {}, 200, None, 2, None),
    ("reset-after-read", {}, 200, None, 2, None),
    ("hang", {}, 200, None, 2, None),
    ("trickle", {"ms": 10_000}, 200, None, 2, None),
    ("truncated", {}, 200, None, 2, None),
    ("garbage", {}, 200, None, 1, None),
    ("wrong-content-type", {}, 200, None, 1, None),
    # Every attempt fails: the last answer, or "could not be reached" (a read cannot
    # "have run").
    ("503", {"count": 3}, 503, "ServiceUnavailable", 3, "injected fault"),
    ("reset-after-read", {"count": 3}, 502, "InternalServerError", 3, "could not be reached"),
]

# Which audit decision each gateway answer carries.
DECISIONS = {200: "allowed", 409: "upstream-failed", 502: "upstream-failed", 504: "upstream-failed"}


def shell_body(comment):
    return send_command_body("AWS-RunShellScript", comment=comment, instance_ids=[INSTANCE],
                             parameters={"commands": ["uptime"]})


class GatewayFaults(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.stack = LocalStack.get()
        cls.ssm = cls.stack.ssm
        cls.gw = cls.stack.gw

    def tearDown(self):
        self.ssm.clear_faults()

    def fault(self, mode, operation, **rule):
        self.ssm.faults({"mode": mode, "operations": [operation], "count": 1, **rule})

    def send(self, comment, who="root", key=None, timeout=30):
        extra = {"Idempotency-Key": key} if key else None
        started = time.monotonic()
        reply = self.stack.signed_post("SendCommand", shell_body(comment), who, extra=extra, timeout=timeout)
        return reply, time.monotonic() - started

    def assert_answer(self, reply, operation, status, code, message):
        self.assertEqual(reply.status, status, reply.body[:300])
        self.assertTrue(reply.request_id, "every answer carries x-amzn-RequestId")
        if code is None:
            return
        self.assertEqual(reply.code, code, reply.body[:300])
        decoded = decode_error(operation, reply.status, list(reply.headers.items()), reply.body)
        self.assertEqual(decoded["code"], code, "botocore decodes the same error")
        self.assertEqual(decoded["request_id"], reply.request_id)
        if message:
            self.assertIn(message, decoded["message"])

    # ---------------------------------------------------------------- one call, one fault

    def test_send_command_faults(self):
        for mode, rule, status, code, requests, runs, message in SEND_COMMAND_CASES:
            with self.subTest(mode=mode, rule=rule):
                comment = f"INC-1 fault {mode} {uuid.uuid4().hex[:8]}"
                before = self.ssm.stats()
                self.fault(mode, "SendCommand", **rule)
                reply, elapsed = self.send(comment)
                self.assert_answer(reply, "SendCommand", status, code, message)
                self.assertEqual(self.stack.requests_since(before, "SendCommand"), requests, "upstream requests")
                self.assertEqual(self.stack.executions(comment), runs, "commands run")
                self.assertEqual(self.ssm.stats()["rules"], [], "the fault was used up")
                self.assertLess(elapsed, PROMPT_S)
                if mode in ("hang", "trickle") and status != 200:
                    self.assertGreaterEqual(elapsed, TIMEOUT_S - 0.05)
                line = self.gw.audit_for(reply.request_id)
                self.assertEqual(line["decision"], DECISIONS.get(status, "upstream-error"))
                self.assertEqual(line["attempts"], requests)
                if status == 200 and mode in ("garbage", "wrong-content-type"):
                    # Passed on as received: the caller's SDK sees what SSM's path sent.
                    self.assertNotIn("commandId", line)
                    expected = "text/html" if mode == "wrong-content-type" else "application/x-amz-json-1.1"
                    self.assertTrue(reply.headers["content-type"].startswith(expected))
                elif status == 200:
                    self.assertEqual(line["commandId"], reply.json()["Command"]["CommandId"])

    def test_read_faults_are_retried(self):
        for mode, rule, status, code, requests, message in READ_CASES:
            with self.subTest(mode=mode, rule=rule):
                before = self.ssm.stats()
                self.fault(mode, "ListCommands", **rule)
                started = time.monotonic()
                reply = self.stack.signed_post("ListCommands", b'{"MaxResults": 5}', "bob", timeout=30)
                elapsed = time.monotonic() - started
                self.assert_answer(reply, "ListCommands", status, code, message)
                if code:
                    self.assertNotIn("may have run", reply.message)
                self.assertEqual(self.stack.requests_since(before, "ListCommands"), requests, "upstream requests")
                self.assertEqual(self.ssm.stats()["rules"], [])
                # At most one wait for the timeout, then the retry answers at once.
                self.assertLess(elapsed, PROMPT_S)

    # ---------------------------------------------------------------- timeouts end waits

    def test_the_upstream_timeout_ends_a_wait_and_frees_the_upstream_connection(self):
        comment = f"INC-2 hang {uuid.uuid4().hex[:8]}"
        logged_before = len(self.ssm.request_log())
        self.fault("hang", "SendCommand", ms=120_000)
        reply, elapsed = self.send(comment)
        self.assertEqual(reply.status, 409)
        self.assertGreaterEqual(elapsed, TIMEOUT_S - 0.05)
        self.assertLess(elapsed, PROMPT_S)
        # The gateway aborted its fetch: the local SSM saw the connection close long
        # before its 120 s hang was over (its request log gives the hang's length). Only
        # this test's lines count: the hangs of earlier tests are logged as they end.
        deadline = time.monotonic() + 5
        while True:
            hangs = [l for l in self.ssm.request_log()[logged_before:]
                     if l.get("fault") == "hang" and l["ms"] >= TIMEOUT_S * 1000]
            if hangs or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertTrue(hangs, "the local SSM logged the hung request's end")
        self.assertLess(hangs[-1]["ms"], TIMEOUT_S * 1000 + 3000)
        self.assertEqual(self.stack.executions(comment), 1)

    # ---------------------------------------------------------------- Idempotency-Key

    def test_idempotency_key_repeats_never_run_a_command_twice(self):
        cases = [
            ("reset-after-read", {}, 409),
            ("hang", {}, 409),
            ("truncated", {}, 409),
            ("500", {"execute": True}, 500),
            ("trickle", {"ms": 10_000}, 409),
        ]
        for mode, rule, status in cases:
            with self.subTest(mode=mode):
                key = f"k-{uuid.uuid4()}"
                comment = f"INC-3 keyed {mode} {uuid.uuid4().hex[:8]}"
                before = self.ssm.stats()
                self.fault(mode, "SendCommand", **rule)
                first, _ = self.send(comment, key=key)
                self.assertEqual(first.status, status, first.body[:300])
                self.assertNotIn("idempotent-replayed", first.headers)
                for _ in range(2):  # the fault is used up: only the key stops a second run
                    again, _ = self.send(comment, key=key)
                    self.assertEqual((again.status, again.body), (first.status, first.body))
                    self.assertEqual(again.headers.get("idempotent-replayed"), "true")
                    self.assertEqual(self.gw.audit_for(again.request_id)["decision"], "replayed")
                self.assertEqual(self.stack.requests_since(before, "SendCommand"), 1)
                self.assertEqual(self.stack.executions(comment), 1)

    def test_a_key_whose_call_was_throttled_throughout_can_be_used_again(self):
        key, comment = f"k-{uuid.uuid4()}", f"INC-4 throttled {uuid.uuid4().hex[:8]}"
        self.fault("throttle", "SendCommand", count=3)
        first, _ = self.send(comment, key=key)
        self.assertEqual((first.status, first.code), (400, "ThrottlingException"))
        self.assertEqual(self.stack.executions(comment), 0)
        again, _ = self.send(comment, key=key)
        self.assertEqual(again.status, 200, again.body[:300])
        self.assertNotIn("idempotent-replayed", again.headers)
        self.assertEqual(self.stack.executions(comment), 1)

    def test_a_repeat_while_the_first_call_hangs_is_told_to_wait(self):
        key, comment = f"k-{uuid.uuid4()}", f"INC-5 in flight {uuid.uuid4().hex[:8]}"
        before = self.ssm.stats()
        self.fault("hang", "SendCommand")
        results = {}
        first = threading.Thread(target=lambda: results.update(first=self.send(comment, key=key)))
        first.start()
        deadline = time.monotonic() + 5
        while self.stack.requests_since(before, "SendCommand") < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        repeat, elapsed = self.send(comment, key=key)
        self.assertEqual((repeat.status, repeat.code), (400, "ThrottlingException"), repeat.body[:300])
        self.assertIn("in progress", repeat.message)
        self.assertLess(elapsed, 1.5, "answered at once, not after the first call")
        first.join(PROMPT_S + 5)
        self.assertEqual(results["first"][0].status, 409)
        last, _ = self.send(comment, key=key)
        self.assertEqual((last.status, last.headers.get("idempotent-replayed")), (409, "true"))
        self.assertEqual(self.stack.requests_since(before, "SendCommand"), 1)
        self.assertEqual(self.stack.executions(comment), 1)

    # ---------------------------------------------------------------- botocore's own retries

    def test_botocore_does_not_retry_a_command_that_may_have_run(self):
        """botocore retries 502/504 for every operation, SendCommand included, with the
        same bytes, which would run the command again. The gateway answers "may have
        run" as 409 CommandOutcomeUnknownException, which botocore does not retry: with or
        without an Idempotency-Key, one attempt and one run."""
        for mode in ("reset-after-read", "hang"):
            for keyed in (True, False):
                with self.subTest(mode=mode, keyed=keyed):
                    key, comment = f"k-{uuid.uuid4()}", f"INC-6 boto {mode} {keyed} {uuid.uuid4().hex[:8]}"
                    extra = {"idempotency_key": (lambda key=key: key)} if keyed else {}
                    client = self.stack.boto("root", attempts=3, **extra)
                    before = self.ssm.stats()
                    self.fault(mode, "SendCommand")
                    with self.assertRaises(ClientError) as ctx:
                        client.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE],
                                            Parameters={"commands": ["uptime"]}, Comment=comment)
                    error, meta = ctx.exception.response["Error"], ctx.exception.response["ResponseMetadata"]
                    self.assertEqual((error["Code"], meta["HTTPStatusCode"]),
                                     ("CommandOutcomeUnknownException", 409), error)
                    self.assertIn(MAY_HAVE_RUN, error["Message"])
                    self.assertEqual(meta["RetryAttempts"], 0)
                    self.assertEqual(self.stack.requests_since(before, "SendCommand"), 1)
                    self.assertEqual(self.stack.executions(comment), 1)

    # ---------------------------------------------------------------- the gateway keeps serving

    def test_the_gateway_keeps_serving_while_upstream_calls_hang(self):
        hung = 3
        comments = [f"INC-8 hung {i} {uuid.uuid4().hex[:8]}" for i in range(hung)]
        self.fault("hang", "SendCommand", count=hung)
        answers = {}
        senders = [threading.Thread(target=lambda c=c: answers.__setitem__(c, self.send(c)))
                   for c in comments]
        for t in senders:
            t.start()
        reads, stop = [], threading.Event()

        def poll():
            while not stop.is_set():
                started = time.monotonic()
                reply = self.stack.signed_post("ListCommands", b'{"MaxResults": 3}', "bob")
                reads.append((reply.status, time.monotonic() - started))

        pollers = [threading.Thread(target=poll) for _ in range(3)]
        for t in pollers:
            t.start()
        for t in senders:
            t.join(PROMPT_S + 5)
        stop.set()
        for t in pollers:
            t.join(10)
        self.assertEqual(sorted(a[0].status for a in answers.values()), [409] * hung)
        self.assertGreaterEqual(len(reads), 10, "reads went on while SendCommands hung")
        self.assertEqual({s for s, _ in reads}, {200})
        self.assertLess(max(t for _, t in reads), 1.5, "no read waited for a hung call")
        self.assertEqual([self.stack.executions(c) for c in comments], [1] * hung)
