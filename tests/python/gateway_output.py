"""Command output through the gateway on workerd, in front of the local SSM and its
CloudWatch Logs emulator (run by gateway_hardening.py in its shared stack, with the
shipped policies): boto3's `logs` client, unchanged, reads a command's streams through
the gateway (signed for `logs`; the gateway decides ReadOutput on the command's document
and re-signs for the upstream's Logs endpoint); the npm package's streamOutput does the
same; what is not one command's output, or is refused by policy, is never read.
"""

import json
import os
import subprocess
import time
import unittest
from pathlib import Path

from botocore.exceptions import ClientError

from gateway_harness import HTTP_TIMEOUT, INSTANCE, LocalStack

RUN_SHELL_GROUP = "/aws/ssm/AWS-RunShellScript"


class OutputThroughGateway(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.stack = LocalStack.get()
        # An admin runs a shell script whose output goes to CloudWatch Logs.
        ssm = cls.stack.boto("root")
        command = ssm.send_command(
            DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE], Comment="CHG-4242 output through the gateway",
            Parameters={"commands": ["echo one", "seq 1 3", "echo two >&2"]},
            CloudWatchOutputConfig={"CloudWatchOutputEnabled": True})["Command"]
        cls.command_id = command["CommandId"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = ssm.get_command_invocation(CommandId=cls.command_id, InstanceId=INSTANCE)["Status"]
            if status in ("Success", "Failed", "TimedOut", "Cancelled"):
                break
            time.sleep(0.2)

    def logs(self, who):
        """A boto3 CloudWatch Logs client for `who` against the main gateway."""
        import boto3
        from botocore.config import Config

        akid, secret, _ = self.stack.keys[who]
        return boto3.session.Session().client(
            "logs", endpoint_url=self.stack.gw.url, region_name=self.stack.region, aws_access_key_id=akid,
            aws_secret_access_key=secret,
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=HTTP_TIMEOUT))

    def stream(self, kind):
        return f"{self.command_id}/{INSTANCE}/aws-runShellScript/{kind}"

    def test_boto3_logs_reads_a_commands_output_through_the_gateway(self):
        logs = self.logs("bob")  # no group: reads only
        streams = logs.describe_log_streams(logGroupName=RUN_SHELL_GROUP,
                                            logStreamNamePrefix=f"{self.command_id}/")["logStreams"]
        self.assertEqual(sorted(s["logStreamName"] for s in streams), [self.stream("stderr"), self.stream("stdout")])
        out = logs.get_log_events(logGroupName=RUN_SHELL_GROUP, logStreamName=self.stream("stdout"), startFromHead=True)
        self.assertEqual([e["message"] for e in out["events"]], ["one", "1", "2", "3"])
        again = logs.get_log_events(logGroupName=RUN_SHELL_GROUP, logStreamName=self.stream("stdout"),
                                    nextToken=out["nextForwardToken"])
        self.assertEqual((again["events"], again["nextForwardToken"]), ([], out["nextForwardToken"]))
        err = logs.get_log_events(logGroupName=RUN_SHELL_GROUP, logStreamName=self.stream("stderr"), startFromHead=True)
        self.assertEqual([e["message"] for e in err["events"]], ["two"])
        audit = [a for a in self.stack.gw.audit_lines()
                 if a.get("operation") == "GetLogEvents" and a.get("principal") == "bob"]
        self.assertTrue(audit, "an audit line for bob's GetLogEvents")
        self.assertEqual((audit[-1]["decision"], audit[-1]["document"], audit[-1]["commandId"]),
                         ("allowed", "AWS-RunShellScript", self.command_id))
        self.assertEqual(audit[-1]["output"]["logGroupName"], RUN_SHELL_GROUP)

    def test_reads_that_are_not_one_commands_output_or_not_permitted_are_refused(self):
        logs = self.logs("alice")
        refusals = [
            # Not the command's group (the stream names its command: the group must be its).
            (dict(logGroupName="/aws/ssm/Ops-RestartService", logStreamName=self.stream("stdout")),
             "InvalidParameterException"),
            # Not a command's stream at all.
            (dict(logGroupName=RUN_SHELL_GROUP, logStreamName="application.log"), "InvalidParameterException"),
            # A group by identifier (which may be another account's ARN).
            (dict(logGroupIdentifier=RUN_SHELL_GROUP, logStreamName=self.stream("stdout")),
             "InvalidParameterException"),
            # Masks lifted: ReadOutput is forbidden for non-admins (shipped policy).
            (dict(logGroupName=RUN_SHELL_GROUP, logStreamName=self.stream("stdout"), unmask=True),
             "AccessDeniedException"),
        ]
        before = self.stack.ssm.stats()
        for params, code in refusals:
            with self.subTest(params=params):
                with self.assertRaises(ClientError) as raised:
                    logs.get_log_events(**params)
                self.assertEqual(raised.exception.response["Error"]["Code"], code)
        self.assertEqual(self.stack.requests_since(before, "GetLogEvents"), 0, "nothing was read upstream")
        # Admins may lift masks.
        out = self.logs("root").get_log_events(logGroupName=RUN_SHELL_GROUP, logStreamName=self.stream("stdout"),
                                                startFromHead=True, unmask=True)
        self.assertEqual(out["events"][0]["message"], "one")

    def test_the_package_streams_output_through_the_gateway(self):
        akid, secret, _ = self.stack.keys["bob"]
        self.stack.sentinels["bob's gateway secret (package)"] = secret
        env = {**os.environ, "ENDPOINT": self.stack.gw.url, "REGION": self.stack.region, "AKID": akid, "SECRET": secret}
        script = Path(__file__).with_name("output_package.mjs")
        done = subprocess.run([self.stack.node, str(script), self.command_id, INSTANCE], env=env, text=True,
                              capture_output=True, timeout=90)
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        self.assertEqual([line["text"] for line in lines if line.get("stream") == "stdout"], ["one", "1", "2", "3"])
        self.assertEqual([line["text"] for line in lines if line.get("stream") == "stderr"], ["two"])
        self.assertEqual(lines[-1], {"done": True})
