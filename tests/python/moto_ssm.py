#!/usr/bin/env python3
"""Run moto's server as a local SSM with signature checking on.

Starts moto's ThreadedMotoServer on 127.0.0.1 (port from argv, 0 = pick one),
creates an IAM user with an access key allowed to do everything (the only
unauthenticated requests, counted by INITIAL_NO_AUTH_ACTION_COUNT), then, with that
key, the role ROLE_ARN, which the user may assume and whose policy allows `ssm:*` only
(for tests/tests/sts_moto.rs). Prints one JSON line {"endpoint", "access_key_id",
"secret_access_key", "region", "role_arn"} and serves until its standard input closes
(or it gets SIGTERM/SIGINT).

Used by the Rust end-to-end tests (tests/src/lib.rs) and by `make demo`.
"""

import json
import os
import signal
import socket
import sys
import threading

# Three IAM calls below run before auth is switched on.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bootstrap")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bootstrap")

import logging  # noqa: E402

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402


ROLE_NAME = "ssm-edge-ops"
ROLE_ARN = "arn:aws:iam::123456789012:role/" + ROLE_NAME


def create_role(endpoint, key):
    """The role the user may assume: SSM only (so a call it makes elsewhere is refused)."""
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:user/ssm-edge"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(
        RoleName=ROLE_NAME,
        PolicyName="ssm",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ssm:*", "Resource": "*"}]}
        ),
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    iam.create_user(UserName="ssm-edge")
    iam.put_user_policy(
        UserName="ssm-edge",
        PolicyName="all",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    key = iam.create_access_key(UserName="ssm-edge")["AccessKey"]
    create_role(endpoint, key)
    print(
        json.dumps(
            {
                "endpoint": endpoint,
                "region": "us-east-1",
                "access_key_id": key["AccessKeyId"],
                "secret_access_key": key["SecretAccessKey"],
                "role_arn": ROLE_ARN,
            }
        ),
        flush=True,
    )
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
