"""CloudWatch Logs beside the local SSM (tests/local-ssm/logs.py), read with boto3: botocore
signs for `logs` and the emulator checks it with botocore. A SendCommand that asks for
CloudWatch output gets its lines written as the simulated run reaches them, so they can
be read while the command is InProgress; a long output arrives whole and in order through
forward tokens, as the SSM API (24,000 characters) never gives it.

    .venv/bin/python tests/python/local_ssm_logs.py -v
"""

import json
import os
import subprocess
import sys
import time
import unittest
import uuid
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parents[2]
STEP_MS = 100
WEB1 = "i-0123456789abcdef0"
DEADLINE_S = 15


class CommandOutputInLogs(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        server = ROOT / "tests/local-ssm"
        cls.proc = subprocess.Popen(
            [sys.executable, str(server / "server.py"), "--port", "0", "--seed", str(server / "seed.json")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "LOCAL_SSM_STEP_MS": str(STEP_MS)})
        info = json.loads(cls.proc.stdout.readline())
        session = boto3.session.Session(aws_access_key_id=info["access_key_id"],
                                        aws_secret_access_key=info["secret_access_key"], region_name=info["region"])
        config = Config(retries={"mode": "standard", "total_max_attempts": 1})
        cls.ssm = session.client("ssm", endpoint_url=info["endpoint"], config=config)
        cls.logs = session.client("logs", endpoint_url=info["endpoint"], config=config)

    @classmethod
    def tearDownClass(cls):
        cls.proc.stdin.close()
        cls.proc.stdout.close()
        cls.proc.wait(timeout=10)

    def send(self, commands, group=None, enabled=True):
        config = {"CloudWatchOutputEnabled": enabled}
        if group:
            config["CloudWatchLogGroupName"] = group
        return self.ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB1],
                                     Parameters={"commands": commands},
                                     CloudWatchOutputConfig=config)["Command"]["CommandId"]

    def status(self, command_id):
        try:
            return self.ssm.get_command_invocation(CommandId=command_id, InstanceId=WEB1)["Status"]
        except ClientError as e:
            if e.response["Error"]["Code"] == "InvocationDoesNotExist":
                return "Pending"
            raise

    def lines(self, group, stream):
        """Every event's message, read from the head through forward tokens."""
        out, token = [], None
        while True:
            kwargs = {"nextToken": token} if token else {"startFromHead": True}
            page = self.logs.get_log_events(logGroupName=group, logStreamName=stream, limit=1000, **kwargs)
            out += [e["message"] for e in page["events"]]
            if page["nextForwardToken"] == token:
                return out
            token = page["nextForwardToken"]

    def streams(self, group, prefix):
        try:
            found = self.logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=prefix)["logStreams"]
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                return []
            raise
        return [s["logStreamName"] for s in found]

    def wait_final(self, command_id):
        deadline = time.monotonic() + DEADLINE_S
        while self.status(command_id) not in ("Success", "Failed", "TimedOut", "Cancelled"):
            self.assertLess(time.monotonic(), deadline, "the command did not end")
            time.sleep(STEP_MS / 1000)

    def test_lines_arrive_while_the_command_is_in_progress(self):
        group = f"ssm-edge-test-{uuid.uuid4().hex[:8]}"
        cid = self.send(["echo first", "sleep 4", "echo warning >&2", "sleep 4", "echo last"], group)
        prefix = f"{cid}/{WEB1}/"
        stdout, stderr = prefix + "aws-runShellScript/stdout", prefix + "aws-runShellScript/stderr"
        # Nothing before the agent writes; then the first line alone, while InProgress.
        deadline = time.monotonic() + DEADLINE_S
        while not self.streams(group, prefix):
            self.assertLess(time.monotonic(), deadline, "no stream appeared")
            time.sleep(STEP_MS / 2000)
        self.assertEqual(self.streams(group, prefix), [stdout])
        self.assertEqual(self.lines(group, stdout), ["first"])
        self.assertEqual(self.status(cid), "InProgress")
        while not self.lines(group, stdout)[1:]:
            self.assertLess(time.monotonic(), deadline, "the last line did not arrive")
            if self.status(cid) == "InProgress" and len(self.streams(group, prefix)) == 2:
                self.assertEqual(self.lines(group, stderr), ["warning"])
            time.sleep(STEP_MS / 2000)
        self.wait_final(cid)
        self.assertEqual(self.streams(group, prefix), [stderr, stdout])
        self.assertEqual(self.lines(group, stdout), ["first", "last"])
        self.assertEqual(self.lines(group, stderr), ["warning"])
        # The stream's facts, and the group by its ARN.
        [described] = self.logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=stdout)["logStreams"]
        self.assertLessEqual(described["firstEventTimestamp"], described["lastEventTimestamp"])
        self.assertTrue(described["arn"].endswith(f":log-group:{group}:log-stream:{stdout}"), described["arn"])
        arn = described["arn"].split(":log-stream:")[0]
        page = self.logs.get_log_events(logGroupIdentifier=arn, logStreamName=stdout, startFromHead=True)
        self.assertEqual([e["message"] for e in page["events"]], ["first", "last"])

    def test_a_100000_character_output_arrives_whole_and_in_order(self):
        group = f"ssm-edge-test-{uuid.uuid4().hex[:8]}"
        cid = self.send(["seq 1 20000"], group)
        self.wait_final(cid)
        stream = f"{cid}/{WEB1}/aws-runShellScript/stdout"
        text = "\n".join(self.lines(group, stream))
        self.assertEqual(text, "\n".join(str(n) for n in range(1, 20001)))
        self.assertGreater(len(text), 100_000)
        # What the SSM API gives of it: 24,000 characters.
        got = self.ssm.get_command_invocation(CommandId=cid, InstanceId=WEB1)["StandardOutputContent"]
        self.assertEqual(len(got), 24_000)
        # Without startFromHead: the newest events, and a backward token to page back.
        newest = self.logs.get_log_events(logGroupName=group, logStreamName=stream, limit=3)
        self.assertEqual([e["message"] for e in newest["events"]], ["19998", "19999", "20000"])
        before = self.logs.get_log_events(logGroupName=group, logStreamName=stream, limit=2,
                                          nextToken=newest["nextBackwardToken"])
        self.assertEqual([e["message"] for e in before["events"]], ["19996", "19997"])

    def test_the_default_group_is_the_agents_and_no_config_writes_nothing(self):
        cid = self.send(["echo hello"])
        self.wait_final(cid)
        group = "/aws/ssm/AWS-RunShellScript"
        self.assertEqual(self.lines(group, f"{cid}/{WEB1}/aws-runShellScript/stdout"), ["hello"])
        quiet = self.send(["echo hello"], enabled=False)
        self.wait_final(quiet)
        self.assertEqual(self.streams(group, quiet), [])

    def test_errors_are_the_services(self):
        cid = self.send(["echo hello"])
        self.wait_final(cid)
        cases = [
            ({"logGroupName": "no-such-group", "logStreamName": "x"}, "ResourceNotFoundException",
             "The specified log group does not exist."),
            ({"logGroupName": "/aws/ssm/AWS-RunShellScript", "logGroupIdentifier": "/aws/ssm/AWS-RunShellScript",
              "logStreamName": "x"}, "InvalidParameterException", None),
            ({"logGroupName": "/aws/ssm/AWS-RunShellScript", "logStreamName": f"{cid}/{WEB1}/aws-runShellScript/stdout",
              "nextToken": "f/bogus"}, "InvalidParameterException", "The specified nextToken is invalid."),
            ({"logGroupName": "/aws/ssm/AWS-RunShellScript", "logStreamName": f"{cid}/nope"},
             "ResourceNotFoundException", "The specified log stream does not exist."),
        ]
        for kwargs, code, message in cases:
            with self.subTest(kwargs=kwargs), self.assertRaises(ClientError) as ctx:
                self.logs.get_log_events(**kwargs)
            self.assertEqual(ctx.exception.response["Error"]["Code"], code)
            if message:
                self.assertEqual(ctx.exception.response["Error"]["Message"], message)


if __name__ == "__main__":
    unittest.main()
