"""Build AssumeRole requests with botocore's own STS client: the peer of the STS case of
tests/tests/botocore_sign_oracle.rs.

stdin: a JSON array of calls, each
    {"id", "region", "endpoint_url" (or null), "access_key_id", "secret_access_key",
     "session_token" (or null), "time" (unix seconds), "role_arn", "session_name",
     "duration_secs", "external_id" (or null)}
stdout: one JSON object per call, in order:
    {"id", "url", "body", "content_type", "x_amz_date", "x_amz_security_token",
     "authorization"}
then a trailer {"botocore_version", "count"}.

Everything is botocore's: endpoint resolution (its STS rule set), the query serializer,
and SigV4Auth for `sts` with the clock frozen (botocore.auth.get_current_datetime
patched). The request is captured at `before-send` and never sent.
"""

import datetime
import json
import sys
from unittest import mock

import botocore
import botocore.auth
import botocore.session


class Captured(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def capture(request, **_):
    raise Captured(request)


def header(request, name):
    value = request.headers.get(name)
    return value.decode() if isinstance(value, bytes) else value


def build(session, r):
    client = session.create_client(
        "sts",
        region_name=r["region"],
        endpoint_url=r["endpoint_url"],
        aws_access_key_id=r["access_key_id"],
        aws_secret_access_key=r["secret_access_key"],
        aws_session_token=r["session_token"],
    )
    client.meta.events.register("before-send", capture)
    params = {
        "RoleArn": r["role_arn"],
        "RoleSessionName": r["session_name"],
        "DurationSeconds": r["duration_secs"],
    }
    if r["external_id"] is not None:
        params["ExternalId"] = r["external_id"]
    frozen = datetime.datetime.fromtimestamp(r["time"], tz=datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=frozen):
        try:
            client.assume_role(**params)
        except Captured as c:
            request = c.request
    body = request.body
    return {
        "id": r["id"],
        "url": request.url,
        "body": body.decode() if isinstance(body, bytes) else body,
        "content_type": header(request, "Content-Type"),
        "x_amz_date": header(request, "X-Amz-Date"),
        "x_amz_security_token": header(request, "X-Amz-Security-Token"),
        "authorization": header(request, "Authorization"),
    }


def main():
    calls = json.load(sys.stdin)
    session = botocore.session.get_session()
    out = sys.stdout
    for r in calls:
        out.write(json.dumps(build(session, r)) + "\n")
    out.write(json.dumps({"botocore_version": botocore.__version__, "count": len(calls)}) + "\n")


if __name__ == "__main__":
    main()
