#!/usr/bin/env python3
"""Parse error responses with botocore's own JSON protocol parser (the oracle).

stdin: JSON list of {"operation", "status", "headers": [[name, value]...], "body" (str)}.
stdout: JSON list of {"code", "message", "request_id"} as botocore reads each one.
"""

import json
import sys

import botocore.session
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser


def main():
    cases = json.load(sys.stdin)
    model = botocore.session.get_session().get_service_model("ssm")
    parser = create_parser(model.metadata["protocol"])
    out = []
    for case in cases:
        shape = model.operation_model(case["operation"]).output_shape
        headers = HeadersDict()
        for name, value in case["headers"]:
            headers[name] = value
        parsed = parser.parse(
            {"status_code": case["status"], "headers": headers, "body": case["body"].encode()},
            shape,
        )
        error = parsed.get("Error", {})
        out.append(
            {
                "code": error.get("Code"),
                "message": error.get("Message"),
                "request_id": parsed.get("ResponseMetadata", {}).get("RequestId"),
            }
        )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
