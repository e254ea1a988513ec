#!/usr/bin/env python3
"""Writes the seed corpus fuzz/corpus/<target>/seed-* (committed; run again after changing
an input layout). Structured targets (decode_error, verify, gateway_handle) read their
knobs with `arbitrary` from the front of the input and their body from the rest: a seed
is the knob bytes (zeros: defaults, no mutation) followed by a real body.
`cargo fuzz fmt <target> <file>` shows how an input decodes."""

import json
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"

SIG = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"

RESTART = {
    "DocumentName": "Ops-RestartService",
    "Targets": [{"Key": "tag:env", "Values": ["staging"]}],
    "Parameters": {"service": ["nginx"]},
    "Comment": "CHG-1 restart",
}
SHELL = {
    "DocumentName": "AWS-RunShellScript",
    "InstanceIds": ["i-0123456789abcdef0"],
    "Parameters": {"commands": ["uptime"]},
    "Comment": "INC-7 check load",
}
FULL = {
    "DocumentName": "arn:aws:ssm:us-east-1:123456789012:document/Ops-RestartService",
    "DocumentVersion": "$LATEST",
    "Targets": [
        {"Key": "tag:env", "Values": ["staging"]},
        {"Key": "tag:team", "Values": ["web", "api"]},
    ],
    "Parameters": {"service": ["nginx", "redis"]},
    "Comment": "CHG-1234 restart nginx after config push",
    "TimeoutSeconds": 600,
    "MaxConcurrency": "10%",
    "MaxErrors": "1",
    "OutputS3BucketName": "ops-logs",
    "CloudWatchOutputConfig": {"CloudWatchOutputEnabled": True},
}
WILDCARD = {
    "DocumentName": "AWS-RunShellScript",
    "Targets": [{"Key": "InstanceIds", "Values": ["*"]}],
    "Parameters": {"commands": ["id"]},
    "Comment": "CHG-9",
}
TAG_KEY = {
    "DocumentName": "Ops-RestartService",
    "Targets": [{"Key": "tag-key", "Values": ["env"]}],
    "Parameters": {"service": ["nginx"]},
    "Comment": "CHG-2",
}
LIST_COMMANDS = {"MaxResults": 10, "Filters": [{"key": "Status", "value": "Success"}]}
INVOCATIONS = {"CommandId": "0b2a9e8c-3c11-4b33-9d0a-1a2b3c4d5e6f", "Details": True}
GET_INVOCATION = {
    "CommandId": "0b2a9e8c-3c11-4b33-9d0a-1a2b3c4d5e6f",
    "InstanceId": "i-0123456789abcdef0",
}
CANCEL = {"CommandId": "0b2a9e8c-3c11-4b33-9d0a-1a2b3c4d5e6f", "InstanceIds": ["i-0123456789abcdef0"]}
DESCRIBE_INSTANCES = {"Filters": [{"Key": "PingStatus", "Values": ["Online"]}], "MaxResults": 50}
DESCRIBE_DOCUMENT = {"Name": "AWS-RunShellScript", "DocumentVersion": "1"}
LIST_DOCUMENTS = {"Filters": [{"Key": "Owner", "Values": ["Self"]}], "MaxResults": 10}
GET_DOCUMENT = {"Name": "Ops-RestartService", "DocumentVersion": "$LATEST", "DocumentFormat": "YAML"}
LIST_TAGS = {"ResourceType": "ManagedInstance", "ResourceId": "mi-0123456789abcdef0"}

# OperationName::ALL order.
OPERATIONS = [
    ("SendCommand", [RESTART, SHELL, FULL, WILDCARD]),
    ("ListCommands", [{}, LIST_COMMANDS]),
    ("ListCommandInvocations", [INVOCATIONS]),
    ("GetCommandInvocation", [GET_INVOCATION]),
    ("CancelCommand", [CANCEL]),
    ("DescribeInstanceInformation", [DESCRIBE_INSTANCES]),
    ("DescribeDocument", [DESCRIBE_DOCUMENT]),
    ("ListDocuments", [LIST_DOCUMENTS]),
    ("GetDocument", [GET_DOCUMENT]),
    ("ListTagsForResource", [LIST_TAGS]),
]

ERRORS = [
    (400, '{"__type":"InvalidInstanceId","Message":"Instances [[i-0123456789abcdef0]] not in a valid state for account 123456789012"}'),
    (400, '{"__type":"com.amazonaws.ssm#InvalidDocument","message":"Document with name AWS-Nope does not exist."}'),
    (400, '{"__type":"InvalidSignatureException","message":"Signature expired: 20261126T070000Z is now earlier than 20261126T073313Z (20261126T073813Z - 5 min.)"}'),
    (400, '{"__type":"ThrottlingException:http://internal.amazon.com/coral/com.amazon.ssm/","message":"Rate exceeded"}'),
    (502, "<html><body>502 Bad Gateway</body></html>"),
    (503, '{"__type":"ServiceUnavailable","message":"busy"}'),
    (403, """<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse>
  <Error>
    <Code>SignatureDoesNotMatch</Code>
    <Message>The request signature we calculated does not match the signature you provided.</Message>
  </Error>
  <RequestId>abc</RequestId>
</ErrorResponse>"""),
    (200, '{"Command":{"CommandId":"0b2a9e8c-3c11-4b33-9d0a-1a2b3c4d5e6f","DocumentName":"AWS-RunShellScript","Status":"Pending","RequestedDateTime":1.764140293123E9,"Parameters":{"commands":["uptime"]},"InstanceIds":["i-0123456789abcdef0"],"TargetCount":1,"SomethingNew":true}}'),
    (200, '{"Commands":[{"Status":"Brand-New"}]}'),
    (200, ""),
]

NOW = 1_795_678_693


def compact(value):
    return json.dumps(value, separators=(",", ":")).encode()


def write(target, name, data):
    folder = ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"seed-{name}").write_bytes(data)


def main():
    # decode_error: status (u16 LE), now (u64 LE), no headers, body.
    for i, (status, body) in enumerate(ERRORS):
        write("decode_error", f"{i:02}-{status}", struct.pack("<HQB", status, NOW, 0) + body.encode())

    # authorization_header: real header shapes.
    cred = "AKIDEXAMPLE/20261126/us-east-1/ssm/aws4_request"
    for i, value in enumerate([
        f"AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={SIG}",
        f"AWS4-HMAC-SHA256 Credential={cred},SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target,Signature={SIG}",
        f"AWS4-HMAC-SHA256  Signature={SIG} ,  SignedHeaders=host;x-amz-date,Credential={cred} ",
        f"AWS4-HMAC-SHA256 Credential=AKID/20261131/us-east-1/ssm/aws4_request, SignedHeaders=host;x-amz-date, Signature={SIG}",
    ]):
        write("authorization_header", f"{i:02}", value.encode())

    # gateway_parse: operation index, body.
    for index, (op, bodies) in enumerate(OPERATIONS):
        for j, body in enumerate(bodies):
            write("gateway_parse", f"{index}{op}-{j}", bytes([index]) + compact(body))
    write("gateway_parse", "0SendCommand-invalid", b"\x00" + b'{"DocumentName":"","InstanceIds":"i-1"}')

    # policy_context: principal, groups, "[jwt] [now] [ip]", body.
    for name, principal, groups, meta, body in [
        ("on-call-restart", "alice", "on-call", "sigv4", RESTART),
        ("on-call-full", "alice", "on-call,web", f"jwt {NOW} 203.0.113.7", FULL),
        ("on-call-shell", "alice", "on-call", "sigv4", SHELL),
        ("admin-shell", "root", "admins", f"sigv4 {NOW} 2001:db8::1", SHELL),
        ("admin-wildcard", "root", "admins", "sigv4", WILDCARD),
        ("admin-tag-key", "root", "admins", "sigv4", TAG_KEY),
        ("nobody", "bob", "", "jwt", RESTART),
    ]:
        write("policy_context", name, f"{principal}\n{groups}\n{meta}\n".encode() + compact(body))

    # verify: signer, sign_skew, now_skew, operation, method (Post), token None,
    # content_sha256, extra [], mutations [], body, then the path length (0) that
    # `arbitrary` reads from the end.
    for index, (op, bodies) in enumerate(OPERATIONS):
        for j, body in enumerate(bodies[:2]):
            data = compact(body)
            for sha in (0, 1) if j == 0 else (0,):
                prefix = struct.pack("<?hhBIBBBB", j == 1, 0, 17, index, 0, 0, sha, 0, 0)
                trailer = b"\x00" if len(data) + 5 <= 256 else b"\x00\x00"
                write("verify", f"{index}{op}-{j}-sha{sha}", prefix + data + trailer)

    # gateway_handle: signer, operation, target None, sign_skew, origin None, preflight,
    # idempotency None, source_ip None, authorization None, extra [], tamper None,
    # upstream [], body.
    for name, signer, index, body in [
        ("alice-restart", 0, 0, RESTART),
        ("root-shell", 1, 0, SHELL),
        ("alice-shell-denied", 0, 0, SHELL),
        ("bob-list", 2, 1, LIST_COMMANDS),
        ("root-cancel", 1, 4, CANCEL),
        ("alice-describe", 0, 6, DESCRIBE_DOCUMENT),
        ("unknown-key", 3, 1, {}),
        ("unsigned", 9, 1, {}),
    ]:
        prefix = struct.pack("<BBBhBBBBBBBB", signer, index, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        write("gateway_handle", name, prefix + compact(body))


if __name__ == "__main__":
    main()
