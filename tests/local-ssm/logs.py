"""CloudWatch Logs beside the local SSM: the log streams the SSM agent writes when a
SendCommand asks for `CloudWatchOutputConfig`, and the two calls that read them
(`GetLogEvents`, `DescribeLogStreams`), awsJson1.1 with `X-Amz-Target:
Logs_20140328.<Op>`, their inputs checked against botocore's `logs` model by the server.

As the agent (amazon-ssm-agent) does it: the group is the command's
`CloudWatchLogGroupName`, else `/aws/ssm/<DocumentName>` with characters a group name may
not hold replaced by `.`; each plugin writes `<CommandId>/<InstanceId>/<PluginId>/stdout`
and `.../stderr` (the plugin's name with `:` as `-`, which stream names may not hold),
created at its first line. One event per line, written when the simulated run reaches it.

Tokens and paging follow the service: `nextForwardToken`/`nextBackwardToken` (`f/…`,
`b/…`); reading forward past the end returns no events and the same forward token; the
newest events without a token unless `startFromHead`; at most `limit` (default and
maximum 10,000) events and 1 MB a page.
"""

import re
import threading

from errors import ApiError

# GetLogEvents: events and bytes a page holds at most (each event counts 26 bytes more).
MAX_EVENTS = 10_000
MAX_PAGE_BYTES = 1_048_576
EVENT_OVERHEAD = 26
# DescribeLogStreams: streams a page holds at most.
MAX_STREAMS = 50


def group_for(document_name, config):
    """The log group a command's output goes to, or None when it asked for none."""
    if not (config or {}).get("CloudWatchOutputEnabled"):
        return None
    name = (config or {}).get("CloudWatchLogGroupName")
    if name:
        return name
    return re.sub(r"[^a-zA-Z0-9_\-/.#]", ".", f"/aws/ssm/{document_name}")


def stream_prefix(command_id, instance_id, plugin):
    return f"{command_id}/{instance_id}/{plugin.replace(':', '-')}/"


class LogGroups:
    """The log groups of one account and region."""

    def __init__(self, region, account):
        self.lock = threading.Lock()
        self.region, self.account = region, account
        self.groups = {}  # group -> {stream -> {"created", "events": [(timestamp ms, message, ingestion ms)]}}

    def write(self, group, stream, message, now_ms):
        with self.lock:
            streams = self.groups.setdefault(group, {})
            entry = streams.setdefault(stream, {"created": now_ms, "events": []})
            entry["events"].append((now_ms, message, now_ms))

    def _group(self, body):
        name = body.get("logGroupName")
        identifier = body.get("logGroupIdentifier")
        if bool(name) == bool(identifier):
            raise ApiError("InvalidParameterException",
                           "Either logGroupName or logGroupIdentifier must be specified, but not both.")
        if identifier:
            # An ARN names the group after `log-group:` (and may end in `:*`).
            m = re.fullmatch(r"arn:aws[\w-]*:logs:[\w-]+:\d{12}:log-group:([^:]+)(?::\*)?", identifier)
            name = m.group(1) if m else identifier
        streams = self.groups.get(name)
        if streams is None:
            raise ApiError("ResourceNotFoundException", "The specified log group does not exist.")
        return name, streams

    # -------- the calls

    def GetLogEvents(self, body):
        with self.lock:
            _, streams = self._group(body)
            entry = streams.get(body["logStreamName"])
            if entry is None:
                raise ApiError("ResourceNotFoundException", "The specified log stream does not exist.")
            start, end = body.get("startTime"), body.get("endTime")
            events = [e for e in entry["events"]
                      if (start is None or e[0] >= start) and (end is None or e[0] < end)]
        limit = min(body.get("limit") or MAX_EVENTS, MAX_EVENTS)
        token = body.get("nextToken")
        if token:
            m = re.fullmatch(r"([fb])/(\d{56})", token)
            if not m or int(m.group(2)) > len(events):
                raise ApiError("InvalidParameterException", "The specified nextToken is invalid.")
            forward, at = m.group(1) == "f", int(m.group(2))
        else:
            forward = bool(body.get("startFromHead"))
            at = 0 if forward else len(events)
        if forward:
            page = self._fill(events[at:], limit)
            first, last = at, at + len(page)
        else:
            page = self._fill(events[:at][::-1], limit)[::-1]
            first, last = at - len(page), at
        return {
            "events": [{"timestamp": t, "message": m, "ingestionTime": i} for t, m, i in page],
            "nextForwardToken": f"f/{last:056d}",
            "nextBackwardToken": f"b/{first:056d}",
        }

    @staticmethod
    def _fill(events, limit):
        """The first events that fit a page: at most `limit`, and 1 MB."""
        page, size = [], 0
        for e in events[:limit]:
            size += len(e[1].encode()) + EVENT_OVERHEAD
            if page and size > MAX_PAGE_BYTES:
                break
            page.append(e)
        return page

    def DescribeLogStreams(self, body):
        if body.get("orderBy") == "LastEventTime" and body.get("logStreamNamePrefix"):
            raise ApiError("InvalidParameterException",
                           "Cannot order by LastEventTime with a logStreamNamePrefix.")
        with self.lock:
            group, streams = self._group(body)
            prefix = body.get("logStreamNamePrefix") or ""
            found = [(name, entry) for name, entry in streams.items() if name.startswith(prefix)]
            if body.get("orderBy") == "LastEventTime":
                found.sort(key=lambda x: x[1]["events"][-1][0] if x[1]["events"] else 0)
            else:
                found.sort(key=lambda x: x[0])
            if body.get("descending"):
                found.reverse()
            views = [self._stream_view(group, name, entry) for name, entry in found]
        limit = min(body.get("limit") or MAX_STREAMS, MAX_STREAMS)
        at = 0
        if body.get("nextToken"):
            try:
                at = int(body["nextToken"])
            except ValueError:
                raise ApiError("InvalidParameterException", "The specified nextToken is invalid.") from None
        out = {"logStreams": views[at:at + limit]}
        if at + limit < len(views):
            out["nextToken"] = str(at + limit)
        return out

    def _stream_view(self, group, name, entry):
        events = entry["events"]
        view = {
            "logStreamName": name, "creationTime": entry["created"],
            "arn": f"arn:aws:logs:{self.region}:{self.account}:log-group:{group}:log-stream:{name}",
            "storedBytes": 0,
        }
        if events:
            view.update(firstEventTimestamp=events[0][0], lastEventTimestamp=events[-1][0],
                        lastIngestionTime=events[-1][2])
        return view
