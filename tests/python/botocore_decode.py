#!/usr/bin/env python3
"""Parse error responses with botocore's own JSON protocol parser (the oracle).

stdin: JSON list of {"operation", "status", "headers": [[name, value]...], "body" (str)}.
stdout: JSON list of {"code", "message", "request_id"} as botocore reads each one.

`decode_error` is the same parse for Python callers (the gateway suites).
"""

import json
import sys

import botocore.session
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

MODEL = botocore.session.get_session().get_service_model("ssm")
PARSER = create_parser(MODEL.metadata["protocol"])


def decode_error(operation, status, headers, body: bytes):
    """{"code", "message", "request_id"} as botocore reads this answer to `operation`."""
    shape = MODEL.operation_model(operation).output_shape
    parsed_headers = HeadersDict()
    for name, value in headers:
        parsed_headers[name] = value
    parsed = PARSER.parse({"status_code": status, "headers": parsed_headers, "body": body}, shape)
    error = parsed.get("Error", {})
    return {
        "code": error.get("Code"),
        "message": error.get("Message"),
        "request_id": parsed.get("ResponseMetadata", {}).get("RequestId"),
    }


def main():
    cases = json.load(sys.stdin)
    out = [decode_error(c["operation"], c["status"], c["headers"], c["body"].encode()) for c in cases]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
