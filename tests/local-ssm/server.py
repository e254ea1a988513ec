#!/usr/bin/env python3
"""A small local emulator of SSM Run Command (the operations the core models), for tests and dashboards.

    python tests/local-ssm/server.py --port 0 --seed tests/local-ssm/seed.json

prints one JSON line {"endpoint", "region", "access_key_id", "secret_access_key"} and
serves on 127.0.0.1 until its standard input closes or it gets SIGTERM/SIGINT.

awsJson1.1 (POST /, X-Amz-Target: AmazonSSM.<Op>); member names are botocore's SSM
model's, and every input is checked against that model. Every request's SigV4
signature is recomputed with botocore's SigV4Auth. Nothing is ever executed: the
output of a few harmless commands is simulated (see README.md).

Environment: LOCAL_SSM_STEP_MS (lifecycle step, default 1000), LOCAL_SSM_ACCESS_KEY_ID,
LOCAL_SSM_SECRET_ACCESS_KEY, LOCAL_SSM_REGION, LOCAL_SSM_REGIONS, LOCAL_SSM_ROLES,
LOCAL_SSM_ROLE_DURATION_CAP, LOCAL_SSM_FAULT, LOCAL_SSM_LOG_REQUESTS (defaults for the
flags).

Several regions and accounts (README.md, "Regions, accounts and STS"): one state per
(account, region), picked by the signature's scope region and its key's account; STS
AssumeRole (form-encoded POST /, SigV4 for `sts`) issues temporary credentials for the
roles of --roles, which SSM requests then use in the role's account until they expire
(POST /_sts/expire expires them now).

Fault injection (README.md, "Faults"): a rule per run (--fault), per request (header
x-local-ssm-fault) or set at run time on the control endpoint (POST /_faults, from
127.0.0.1 only); GET /_faults/stats counts requests, faults and executions (SendCommands
that created a command, per account/region too; credentials issued per role); GET
/_faults/received shows the raw bodies received.
"""

import argparse
import base64
import collections
import datetime
import hashlib
import json
import math
import os
import re
import select
import shlex
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import botocore.auth
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from errors import ApiError
from logs import LogGroups, group_for, stream_prefix

MODEL = botocore.session.get_session().get_service_model("ssm")
LOGS_MODEL = botocore.session.get_session().get_service_model("logs")
MAX_SKEW_SECONDS = 5 * 60
FINAL = {"Success", "Failed", "TimedOut", "Cancelled"}


# ---------------------------------------------------------------- input checking


def _camel(name):
    return name[:1].lower() + name[1:]


def check_length(value, meta, subject, problems):
    """The model's `min`/`max` on a string's or list's length, in AWS's words."""
    if "min" in meta and len(value) < meta["min"]:
        problems.append(f"{subject} failed to satisfy constraint: "
                        f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and len(value) > meta["max"]:
        problems.append(f"{subject} failed to satisfy constraint: "
                        f"Member must have length less than or equal to {meta['max']}")


def check_shape(shape, value, path, problems):
    """Type errors raise SerializationException; constraint breaks are collected."""
    t = shape.type_name
    meta = shape.metadata
    where = path or "input"
    if t == "structure":
        if not isinstance(value, dict):
            raise ApiError("SerializationException", f"Expected an object at '{where}'")
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(f"Value null at '{_camel(name) if not path else path + '.' + _camel(name)}' "
                                "failed to satisfy constraint: Member must not be null")
        for name, member in shape.members.items():
            if value.get(name) is not None:
                sub = _camel(name) if not path else f"{path}.{_camel(name)}"
                check_shape(member, value[name], sub, problems)
    elif t == "list":
        if not isinstance(value, list):
            raise ApiError("SerializationException", f"Expected a list at '{where}'")
        check_length(value, meta, f"Value at '{where}'", problems)
        for i, item in enumerate(value):
            if item is None:
                raise ApiError("SerializationException", f"Null item at '{where}.{i + 1}'")
            check_shape(shape.member, item, f"{where}.{i + 1}.member", problems)
    elif t == "map":
        if not isinstance(value, dict):
            raise ApiError("SerializationException", f"Expected a map at '{where}'")
        for k, v in value.items():
            if v is None:
                raise ApiError("SerializationException", f"Null value at '{where}.{k}'")
            check_shape(shape.value, v, f"{where}.{k}", problems)
    elif t == "string":
        if not isinstance(value, str):
            raise ApiError("SerializationException", f"Expected a string at '{where}'")
        check_length(value, meta, f"Value '{value}' at '{where}'", problems)
        if shape.enum and value not in shape.enum:
            problems.append(f"Value '{value}' at '{where}' failed to satisfy constraint: "
                            f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    elif t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiError("SerializationException", f"Expected an integer at '{where}'")
        if "min" in meta and value < meta["min"]:
            problems.append(f"Value '{value}' at '{where}' failed to satisfy constraint: "
                            f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            problems.append(f"Value '{value}' at '{where}' failed to satisfy constraint: "
                            f"Member must have value less than or equal to {meta['max']}")
    elif t == "boolean":
        if not isinstance(value, bool):
            raise ApiError("SerializationException", f"Expected a boolean at '{where}'")
    elif t == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ApiError("SerializationException", f"Expected a timestamp at '{where}'")


def check_input(operation, body, model=MODEL):
    try:
        value = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, ValueError):
        raise ApiError("SerializationException", "The request body is not valid JSON") from None
    problems = []
    check_shape(model.operation_model(operation).input_shape, value, "", problems)
    if problems:
        n = len(problems)
        raise ApiError("ValidationException",
                       f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(problems))
    return value


# ---------------------------------------------------------------- time helpers


def iso(t):
    return datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(text):
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ApiError("InvalidFilterValue", f"'{text}' is not an ISO 8601 date") from None


# ---------------------------------------------------------------- pagination


def paginate(items, body, default_max=50):
    start = 0
    token = body.get("NextToken")
    if token:
        try:
            start = int(json.loads(base64.b64decode(token, validate=True))["offset"])
            if start < 0 or start > len(items):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise ApiError("InvalidNextToken", "The specified token isn't valid.") from None
    size = body.get("MaxResults") or default_max
    page = items[start:start + size]
    nxt = None
    if start + size < len(items):
        nxt = base64.b64encode(json.dumps({"offset": start + size}).encode()).decode()
    return page, nxt


# ---------------------------------------------------------------- simulated execution


class Run:
    """What a simulated run prints: its lines, each at the simulated second it is written
    (`sleep` moves the clock), its exit code and how long it takes."""

    def __init__(self):
        self.lines = []  # (second, "stdout" | "stderr", text)
        self.code = 0
        self.seconds = 0

    def out(self, text):
        self.lines.append((self.seconds, "stdout", text))

    def err(self, text):
        self.lines.append((self.seconds, "stderr", text))

    def text(self, stream):
        chosen = [t for _, s, t in self.lines if s == stream]
        return "\n".join(chosen) + ("\n" if chosen else "")


# The most lines one `seq` prints (a 100,000-character output is ~20,000 lines).
MAX_SEQ_LINES = 200_000


def simulate(lines, instance, document, parameters):
    """The Run of `lines` on `instance`. Never runs anything."""
    run = Run()
    if document["Name"] == "Ops-RestartService":
        svc = parameters["service"][0]
        run.out(f"Restarting {svc}.service ...")
        run.seconds = 1
        run.out(f"{svc}.service restarted")
        return run
    if document["Name"] == "AWS-UpdateSSMAgent":
        run.out(f"Updating amazon-ssm-agent from {instance['AgentVersion']}")
        run.seconds = 1
        run.out("Agent is up to date")
        return run
    now = datetime.datetime.now(datetime.timezone.utc)
    for script in lines:
        for line in script.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                words = shlex.split(line)
            except ValueError:
                words = line.split()
            cmd, args = words[0], words[1:]
            run.code = 0
            redirect = len(args) >= 1 and args[-1] == ">&2"
            if redirect:
                args = args[:-1]
            if cmd in ("echo", "Write-Output", "Write-Host"):
                (run.err if redirect else run.out)(" ".join(args))
            elif cmd == "hostname":
                run.out(instance["ComputerName"])
            elif cmd == "uptime":
                run.out(f" {now:%H:%M:%S} up 12 days,  3:04,  0 users,  load average: 0.00, 0.01, 0.05")
            elif cmd in ("date", "Get-Date"):
                run.out(f"{now:%a %b %d %H:%M:%S UTC %Y}")
            elif cmd == "whoami":
                run.out("root" if instance["PlatformType"] != "Windows" else "nt authority\\system")
            elif cmd in ("true", ":"):
                pass
            elif cmd == "false":
                run.code = 1
            elif cmd == "seq":
                try:
                    first, last = (1, int(args[0])) if len(args) == 1 else (int(args[0]), int(args[1]))
                except (IndexError, ValueError):
                    run.err("seq: invalid argument (local-ssm simulates seq LAST and seq FIRST LAST)")
                    run.code = 1
                    continue
                for n in range(first, min(last, first + MAX_SEQ_LINES - 1) + 1):
                    run.out(str(n))
            elif cmd == "sleep":
                try:
                    run.seconds += max(0, int(float(args[0])))
                except (IndexError, ValueError):
                    run.err("sleep: invalid time interval")
                    run.code = 1
            elif cmd == "exit":
                try:
                    run.code = int(args[0]) if args else 0
                except ValueError:
                    run.code = 2
                return run
            else:
                run.err(f"/var/lib/amazon/ssm/_script.sh: line 1: {cmd}: command not found (local-ssm simulates "
                        "only echo [>&2], hostname, uptime, date, whoami, true, false, seq, sleep, exit)")
                run.code = 127
    return run


def parse_limit(text, total, default):
    text = text or default
    if text.endswith("%"):
        return max(1, math.ceil(total * int(text[:-1]) / 100)) if int(text[:-1]) > 0 else 0
    return int(text)


# ---------------------------------------------------------------- the emulator state


class Emulator:
    def __init__(self, seed, step_ms, region, account=None):
        self.lock = threading.Lock()
        self.step = step_ms / 1000.0
        self.region = region
        seed_account = seed.get("account_id", "123456789012")
        self.account = account or seed_account
        self.instances = {i["InstanceId"]: i for i in seed["instances"]}
        # The seed's own documents belong to whichever account this state is.
        self.documents = {d["Name"]: {**d, "Owner": self.account} if d["Owner"] == seed_account else d
                          for d in seed["documents"]}
        self.started = time.time()
        self.commands = []  # newest last
        self.by_id = {}
        self.logs = LogGroups(region, self.account)

    # -------- lifecycle

    def tick(self):
        now = time.time()
        with self.lock:
            for c in self.commands:
                if c["done"]:
                    continue
                self._advance(c, now)

    def _advance(self, c, now):
        invs = c["invocations"]
        for inv in invs:
            if inv["Status"] == "InProgress":
                self._log_lines(c, inv, (now - inv["started"]) / self.step)
        for inv in invs:
            if inv["Status"] == "Cancelling" and now - inv["changed"] >= self.step:
                self._finish(c, inv, now, "Cancelled", "Cancelled", -1)
            elif inv["Status"] == "InProgress" and now - inv["changed"] >= self.step * (1 + inv["seconds"]):
                if inv["seconds"] > inv["timeout"]:
                    self._finish(c, inv, now, "TimedOut", "ExecutionTimedOut", -1)
                else:
                    status = "Success" if inv["code"] == 0 else "Failed"
                    self._finish(c, inv, now, status, status, inv["code"])
            elif inv["Status"] == "Delayed" and now - inv["changed"] >= self.step * 3:
                self._finish(c, inv, now, "TimedOut", "DeliveryTimedOut", -1)
        errors = sum(1 for i in invs if i["Status"] in ("Failed", "TimedOut") and i["StatusDetails"] != "DeliveryTimedOut")
        running = sum(1 for i in invs if i["Status"] in ("InProgress", "Cancelling"))
        halted = errors > c["max_errors"]
        for inv in invs:
            if inv["Status"] != "Pending" or now - c["RequestedDateTime"] < self.step:
                continue
            if halted:
                self._finish(c, inv, now, "Cancelled", "Terminated", -1)
            elif not inv["online"]:
                inv.update(Status="Delayed", StatusDetails="Delayed", changed=now)
            elif running < c["max_concurrency"]:
                running += 1
                inv.update(Status="InProgress", StatusDetails="InProgress", changed=now, started=now)
        self._summarize(c)

    def _log_lines(self, c, inv, upto_seconds, now=None):
        """Writes the run's lines up to simulated second `upto_seconds` to CloudWatch Logs,
        when the command asked for it."""
        group = c["log_group"]
        if group is None:
            return
        prefix = stream_prefix(c["CommandId"], inv["InstanceId"], c["plugin"])
        now_ms = int((now or time.time()) * 1000)
        lines = inv["lines"]
        while inv["logged"] < len(lines) and lines[inv["logged"]][0] <= upto_seconds:
            _, stream, text = lines[inv["logged"]]
            self.logs.write(group, prefix + stream, text, now_ms)
            inv["logged"] += 1

    def _finish(self, c, inv, now, status, details, code):
        if status in ("Success", "Failed") or details == "ExecutionTimedOut":
            self._log_lines(c, inv, inv["timeout"] if details == "ExecutionTimedOut" else float("inf"), now)
        inv.update(Status=status, StatusDetails=details, changed=now, ended=now, ResponseCode=code)
        if status in ("Cancelled", "TimedOut") and details != "ExecutionTimedOut":
            inv["stdout"], inv["stderr"] = "", ""

    def _summarize(self, c):
        invs = c["invocations"]
        statuses = [i["Status"] for i in invs]
        c["CompletedCount"] = sum(1 for s in statuses if s in FINAL)
        c["ErrorCount"] = sum(1 for i in invs if i["Status"] in ("Failed", "TimedOut")
                              and i["StatusDetails"] != "DeliveryTimedOut")
        c["DeliveryTimedOutCount"] = sum(1 for i in invs if i["StatusDetails"] == "DeliveryTimedOut")
        if any(s not in FINAL for s in statuses):
            if c["cancel_requested"] and any(s == "Cancelling" for s in statuses):
                c["Status"] = c["StatusDetails"] = "Cancelling"
            elif all(s == "Pending" for s in statuses):
                c["Status"] = c["StatusDetails"] = "Pending"
            else:
                c["Status"], c["StatusDetails"] = "InProgress", "InProgress"
            return
        c["done"] = True
        if all(s == "Success" for s in statuses):
            c["Status"] = c["StatusDetails"] = "Success"
        elif c["cancel_requested"] and "Cancelled" in statuses:
            c["Status"] = c["StatusDetails"] = "Cancelled"
        elif "Failed" in statuses:
            c["Status"] = c["StatusDetails"] = "Failed"
        elif "TimedOut" in statuses:
            c["Status"] = "TimedOut"
            delivery = all(i["StatusDetails"] == "DeliveryTimedOut" for i in invs if i["Status"] == "TimedOut")
            c["StatusDetails"] = "Delivery Timed Out" if delivery else "Execution Timed Out"
        else:
            c["Status"], c["StatusDetails"] = "Failed", "Incomplete"

    # -------- lookups

    def document(self, name, version=None):
        if name.startswith("arn:"):
            name = name.rsplit("/", 1)[-1]
        doc = self.documents.get(name)
        if doc is None:
            raise ApiError("InvalidDocument", f"Document with name {name} does not exist.")
        if version not in (None, "$DEFAULT", "$LATEST", "1"):
            raise ApiError("InvalidDocumentVersion", f"Document {name} has no version {version}.")
        return doc

    def command(self, command_id):
        c = self.by_id.get(command_id)
        if c is None:
            raise ApiError("InvalidCommandId", f"Command {command_id} is not valid.")
        return c

    def _tag_match(self, inst, key, values):
        if key == "tag-key":
            return any(v in inst["Tags"] for v in values)
        return inst["Tags"].get(key[4:]) in values

    # -------- operations

    def SendCommand(self, body):
        doc = self.document(body["DocumentName"], body.get("DocumentVersion"))
        ids, targets = body.get("InstanceIds") or [], body.get("Targets") or []
        if bool(ids) == bool(targets):
            raise ApiError("ValidationException", "Exactly one of InstanceIds or Targets must be specified.")
        params = body.get("Parameters") or {}
        self._check_parameters(doc, params)
        if ids:
            if len(set(ids)) != len(ids):
                raise ApiError("DuplicateInstanceId", "Instance Id is duplicated.")
            bad = [i for i in ids if self.instances.get(i, {}).get("PingStatus") != "Online"]
            if bad:
                raise ApiError("InvalidInstanceId", f"Instances {bad} not in a valid state for account {self.account}")
            wrong = [i for i in ids if self.instances[i]["PlatformType"] not in doc["PlatformTypes"]]
            if wrong:
                raise ApiError("UnsupportedPlatformType",
                               f"The document {doc['Name']} does not support the platform of {wrong}")
            chosen = [self.instances[i] for i in ids]
        else:
            chosen = []
            for inst in self.instances.values():
                ok = True
                for t in targets:
                    key, values = t.get("Key", ""), t.get("Values") or []
                    if key == "InstanceIds":
                        ok = ok and inst["InstanceId"] in values
                    elif key == "tag-key" or key.startswith("tag:"):
                        ok = ok and self._tag_match(inst, key, values)
                    else:
                        raise ApiError("ValidationException", f"Target key {key} is not supported by local-ssm.")
                if ok:
                    chosen.append(inst)
        for v in (body.get("MaxConcurrency"), body.get("MaxErrors")):
            if v is not None and not re.fullmatch(r"([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)", v):
                raise ApiError("ValidationException", f"'{v}' is not a valid number or percentage.")
        now = time.time()
        cid = str(uuid.uuid4())
        timeout = int((params.get("executionTimeout") or [self._default(doc, "executionTimeout") or "3600"])[0])
        lines = params.get("commands") or []
        invocations = []
        for inst in chosen:
            plat_ok = inst["PlatformType"] in doc["PlatformTypes"]
            if plat_ok:
                run = simulate(lines, inst, doc, params)
            else:
                run = Run()
                run.err(f"The document {doc['Name']} does not support the platform type {inst['PlatformType']}.")
                run.code = 1
            invocations.append({
                "InstanceId": inst["InstanceId"], "online": inst["PingStatus"] == "Online",
                "Status": "Pending", "StatusDetails": "Pending", "changed": now, "started": None, "ended": None,
                "ResponseCode": -1, "code": run.code, "stdout": run.text("stdout"), "stderr": run.text("stderr"),
                "seconds": run.seconds, "timeout": timeout, "lines": run.lines, "logged": 0,
            })
        c = {
            "CommandId": cid, "DocumentName": doc["Name"], "DocumentVersion": "$DEFAULT",
            "Comment": body.get("Comment", ""), "ExpiresAfter": now + (body.get("TimeoutSeconds") or 3600),
            "Parameters": params, "InstanceIds": ids, "Targets": targets, "RequestedDateTime": now,
            "Status": "Pending", "StatusDetails": "Pending",
            "OutputS3Region": body.get("OutputS3Region", self.region),
            "OutputS3BucketName": body.get("OutputS3BucketName", ""),
            "OutputS3KeyPrefix": body.get("OutputS3KeyPrefix", ""),
            "MaxConcurrency": body.get("MaxConcurrency", "50"), "MaxErrors": body.get("MaxErrors", "0"),
            "TargetCount": len(invocations), "CompletedCount": 0, "ErrorCount": 0, "DeliveryTimedOutCount": 0,
            "ServiceRole": body.get("ServiceRoleArn", ""),
            "NotificationConfig": body.get("NotificationConfig") or {"NotificationArn": "", "NotificationEvents": [],
                                                                     "NotificationType": ""},
            "CloudWatchOutputConfig": body.get("CloudWatchOutputConfig") or {"CloudWatchLogGroupName": "",
                                                                             "CloudWatchOutputEnabled": False},
            "TimeoutSeconds": body.get("TimeoutSeconds") or 3600,
            "invocations": invocations, "cancel_requested": False, "done": False, "plugin": doc["Plugin"],
            "log_group": group_for(doc["Name"], body.get("CloudWatchOutputConfig")),
        }
        c["max_concurrency"] = parse_limit(c["MaxConcurrency"], len(invocations), "50")
        c["max_errors"] = parse_limit(c["MaxErrors"], len(invocations), "0")
        with self.lock:
            self.commands.append(c)
            self.by_id[cid] = c
            self._summarize(c)
            return {"Command": self._command_view(c)}

    def _default(self, doc, name):
        for p in doc["Parameters"]:
            if p["Name"] == name:
                return p.get("DefaultValue")
        return None

    def _check_parameters(self, doc, params):
        defs = {p["Name"]: p for p in doc["Parameters"]}
        for name, values in params.items():
            p = defs.get(name)
            if p is None:
                raise ApiError("InvalidParameters", f"Parameter \"{name}\" is not defined in document {doc['Name']}.")
            if p["Type"] == "String" and len(values) != 1:
                raise ApiError("InvalidParameters", f"Parameter \"{name}\" is a String and takes exactly one value.")
            if "MinItems" in p and len(values) < p["MinItems"]:
                raise ApiError("InvalidParameters", f"Parameter \"{name}\" needs at least {p['MinItems']} values.")
            if "MaxItems" in p and len(values) > p["MaxItems"]:
                raise ApiError("InvalidParameters", f"Parameter \"{name}\" takes at most {p['MaxItems']} values.")
            for v in values:
                if "AllowedValues" in p and v not in p["AllowedValues"]:
                    raise ApiError("InvalidParameters",
                                   f"Parameter \"{name}\" value \"{v}\" is not one of {p['AllowedValues']}.")
                if "AllowedPattern" in p and not re.fullmatch(p["AllowedPattern"], v):
                    raise ApiError("InvalidParameters",
                                   f"Parameter \"{name}\" value \"{v}\" does not match \"{p['AllowedPattern']}\".")
        for name, p in defs.items():
            if p.get("Required") and not params.get(name):
                raise ApiError("InvalidParameters", f"Parameter \"{name}\" is required by document {doc['Name']}.")

    def _command_view(self, c):
        return {k: v for k, v in c.items() if k[0].isupper()}

    def _invocation_view(self, c, inv, details):
        inst = self.instances[inv["InstanceId"]]
        view = {
            "CommandId": c["CommandId"], "InstanceId": inv["InstanceId"], "InstanceName": inst["ComputerName"],
            "Comment": c["Comment"], "DocumentName": c["DocumentName"], "DocumentVersion": c["DocumentVersion"],
            "RequestedDateTime": c["RequestedDateTime"], "Status": inv["Status"],
            "StatusDetails": inv["StatusDetails"], "TraceOutput": "", "StandardOutputUrl": "",
            "StandardErrorUrl": "", "CommandPlugins": [], "ServiceRole": c["ServiceRole"],
            "NotificationConfig": c["NotificationConfig"], "CloudWatchOutputConfig": c["CloudWatchOutputConfig"],
        }
        if details:
            plugin = {"Name": c["plugin"], "Status": inv["Status"], "StatusDetails": inv["StatusDetails"],
                      "ResponseCode": inv["ResponseCode"], "Output": self._output(inv)[:2500],
                      "StandardOutputUrl": "", "StandardErrorUrl": "", "OutputS3Region": c["OutputS3Region"],
                      "OutputS3BucketName": "", "OutputS3KeyPrefix": ""}
            if inv["started"]:
                plugin["ResponseStartDateTime"] = inv["started"]
            if inv["ended"]:
                plugin["ResponseFinishDateTime"] = inv["ended"]
            view["CommandPlugins"] = [plugin]
        return view

    @staticmethod
    def _output(inv):
        if inv["Status"] not in FINAL:
            return ""
        out = inv["stdout"]
        if inv["stderr"]:
            out += "\n----------ERROR-------\n" + inv["stderr"]
        if inv["Status"] == "Failed":
            out += f"failed to run commands: exit status {inv['code']}"
        return out

    def ListCommands(self, body):
        with self.lock:
            commands = list(reversed(self.commands))
            if body.get("CommandId"):
                commands = [self.command(body["CommandId"])]
            if body.get("InstanceId"):
                commands = [c for c in commands if any(i["InstanceId"] == body["InstanceId"] for i in c["invocations"])]
            commands = [c for c in commands if self._filters_ok(c, body.get("Filters"))]
            page, nxt = paginate(commands, body)
            out = {"Commands": [self._command_view(c) for c in page]}
        if nxt:
            out["NextToken"] = nxt
        return out

    def _filters_ok(self, c, filters, inv=None):
        for f in filters or []:
            key, value = f["key"], f["value"]
            status = inv["Status"] if inv else c["Status"]
            if key == "InvokedAfter" and c["RequestedDateTime"] < parse_time(value):
                return False
            if key == "InvokedBefore" and c["RequestedDateTime"] > parse_time(value):
                return False
            if key == "Status" and status != value:
                return False
            if key == "DocumentName" and c["DocumentName"] != value:
                return False
            if key == "ExecutionStage" and (status in FINAL) != (value == "Complete"):
                return False
        return True

    def ListCommandInvocations(self, body):
        with self.lock:
            commands = [self.command(body["CommandId"])] if body.get("CommandId") else list(reversed(self.commands))
            pairs = [(c, i) for c in commands for i in c["invocations"]
                     if not body.get("InstanceId") or i["InstanceId"] == body["InstanceId"]]
            pairs = [(c, i) for c, i in pairs if self._filters_ok(c, body.get("Filters"), i)]
            page, nxt = paginate(pairs, body)
            out = {"CommandInvocations": [self._invocation_view(c, i, body.get("Details", False)) for c, i in page]}
        if nxt:
            out["NextToken"] = nxt
        return out

    def GetCommandInvocation(self, body):
        with self.lock:
            c = self.by_id.get(body["CommandId"])
            inv = next((i for i in c["invocations"] if i["InstanceId"] == body["InstanceId"]), None) if c else None
            if inv is None:
                raise ApiError("InvocationDoesNotExist", "An error occurred (InvocationDoesNotExist).")
            if body.get("PluginName") not in (None, c["plugin"]):
                raise ApiError("InvalidPluginName", f"Plugin {body['PluginName']} is not in the document.")
            final = inv["Status"] in FINAL
            elapsed = (inv["ended"] or time.time()) - inv["started"] if inv["started"] else 0
            return {
                "CommandId": c["CommandId"], "InstanceId": inv["InstanceId"], "Comment": c["Comment"],
                "DocumentName": c["DocumentName"], "DocumentVersion": c["DocumentVersion"],
                "PluginName": c["plugin"], "ResponseCode": inv["ResponseCode"],
                "ExecutionStartDateTime": iso(inv["started"]) if inv["started"] else "",
                "ExecutionElapsedTime": f"PT{elapsed:.3f}S",
                "ExecutionEndDateTime": iso(inv["ended"]) if inv["ended"] and inv["started"] else "",
                "Status": inv["Status"], "StatusDetails": inv["StatusDetails"],
                "StandardOutputContent": inv["stdout"][:24000] if final else "", "StandardOutputUrl": "",
                "StandardErrorContent": inv["stderr"][:8000] if final else "", "StandardErrorUrl": "",
                "CloudWatchOutputConfig": c["CloudWatchOutputConfig"],
            }

    def CancelCommand(self, body):
        now = time.time()
        with self.lock:
            c = self.command(body["CommandId"])
            only = set(body.get("InstanceIds") or [])
            c["cancel_requested"] = True
            for inv in c["invocations"]:
                if only and inv["InstanceId"] not in only:
                    continue
                if inv["Status"] in ("Pending", "Delayed", "InProgress"):
                    inv.update(Status="Cancelling", StatusDetails="Cancelling", changed=now)
            self._summarize(c)
        return {}

    def _instance_view(self, inst):
        lost = inst["PingStatus"] != "Online"
        managed = inst["ResourceType"] == "ManagedInstance"
        view = {
            "InstanceId": inst["InstanceId"], "PingStatus": inst["PingStatus"],
            "LastPingDateTime": time.time() - (86400 * 3 if lost else 30),
            "AgentVersion": inst["AgentVersion"], "IsLatestVersion": inst["IsLatestVersion"],
            "PlatformType": inst["PlatformType"], "PlatformName": inst["PlatformName"],
            "PlatformVersion": inst["PlatformVersion"], "ResourceType": inst["ResourceType"],
            "IPAddress": inst["IPAddress"], "ComputerName": inst["ComputerName"],
            "AssociationStatus": "Success", "SourceId": inst["InstanceId"],
            "SourceType": "AWS::SSM::ManagedInstance" if managed else "AWS::EC2::Instance",
        }
        for key in ("Name", "ActivationId", "IamRole"):
            if key in inst:
                view[key] = inst[key]
        if managed:
            view["RegistrationDate"] = self.started - 86400 * 90
        return view

    def DescribeInstanceInformation(self, body):
        instances = list(self.instances.values())
        simple = {"InstanceIds": "InstanceId", "AgentVersion": "AgentVersion", "PingStatus": "PingStatus",
                  "PlatformTypes": "PlatformType", "ResourceType": "ResourceType"}
        for f in body.get("InstanceInformationFilterList") or []:
            key, values = f["key"], f["valueSet"]
            if key not in simple and key not in ("ActivationIds", "IamRole", "AssociationStatus"):
                raise ApiError("InvalidInstanceInformationFilterValue", f"Filter key {key} is not valid.")
            field = simple.get(key, {"ActivationIds": "ActivationId"}.get(key, key))
            instances = [i for i in instances if str(i.get(field, "")) in values]
        for f in body.get("Filters") or []:
            key, values = f["Key"], f["Values"]
            if key.startswith("tag:") or key == "tag-key":
                instances = [i for i in instances if self._tag_match(i, key, values)]
            elif key in simple:
                instances = [i for i in instances if str(i.get(simple[key], "")) in values]
            else:
                raise ApiError("InvalidFilterKey", f"Filter key {key} is not valid.")
        page, nxt = paginate(instances, body)
        out = {"InstanceInformationList": [self._instance_view(i) for i in page]}
        if nxt:
            out["NextToken"] = nxt
        return out

    @staticmethod
    def _content(doc):
        """The document itself, as GetDocument answers it in JSON: parameters with their
        rules, and one step (schema 2.x) or plugin (1.2) that uses them."""
        rules = {"Type": "type", "Description": "description", "DefaultValue": "default",
                 "AllowedValues": "allowedValues", "AllowedPattern": "allowedPattern",
                 "MinItems": "minItems", "MaxItems": "maxItems"}
        params = {p["Name"]: {rules[k]: v for k, v in p.items() if k in rules} for p in doc["Parameters"]}
        inputs = {name: "{{ %s }}" % name for name in params}
        content = {"schemaVersion": doc["SchemaVersion"], "description": doc["Description"], "parameters": params}
        if doc["SchemaVersion"].startswith("1."):
            content["runtimeConfig"] = {doc["Plugin"]: {"properties": [{"id": "0." + doc["Plugin"], **inputs}]}}
        else:
            content["mainSteps"] = [{"action": doc["Plugin"], "name": doc["Plugin"].rsplit(":", 1)[-1],
                                     "inputs": inputs}]
        return json.dumps(content, indent=2)

    def DescribeDocument(self, body):
        doc = self.document(body["Name"], body.get("DocumentVersion"))
        content = self._content(doc)
        return {"Document": {
            "Hash": hashlib.sha256(content.encode()).hexdigest(), "HashType": "Sha256", "Name": doc["Name"],
            "Owner": doc["Owner"], "CreatedDate": self.started - 86400 * 365, "Status": "Active",
            "DocumentVersion": "1", "Description": doc["Description"],
            "Parameters": [{k: p[k] for k in ("Name", "Type", "Description", "DefaultValue") if k in p}
                           for p in doc["Parameters"]],
            "PlatformTypes": doc["PlatformTypes"], "DocumentType": doc["DocumentType"],
            "SchemaVersion": doc["SchemaVersion"], "LatestVersion": "1", "DefaultVersion": "1",
            "DocumentFormat": "JSON", "Tags": [],
        }}

    def GetDocument(self, body):
        doc = self.document(body["Name"], body.get("DocumentVersion"))
        if body.get("VersionName"):
            raise ApiError("InvalidDocumentVersion",
                           f"Document {doc['Name']} has no version named {body['VersionName']}.")
        form = body.get("DocumentFormat") or "JSON"
        content = self._content(doc)
        if form == "YAML":
            import yaml  # PyYAML, pinned in tests/constraints.txt
            content = yaml.safe_dump(json.loads(content), sort_keys=False)
        elif form == "TEXT":
            raise ApiError("ValidationException",
                           f"Document {doc['Name']} is a {doc['DocumentType']} document: ask for JSON or YAML.")
        return {
            "Name": doc["Name"], "CreatedDate": self.started - 86400 * 365, "DocumentVersion": "1",
            "Status": "Active", "Content": content, "DocumentType": doc["DocumentType"], "DocumentFormat": form,
        }

    def ListTagsForResource(self, body):
        kind, rid = body["ResourceType"], body["ResourceId"]
        if kind == "ManagedInstance":
            # As in SSM: only hybrid (mi-) nodes are tagged here; EC2 instances' tags are EC2's.
            inst = self.instances.get(rid) if rid.startswith("mi-") else None
            if inst is None:
                raise ApiError("InvalidResourceId", f"The resource ID \"{rid}\" is not valid. Verify the ID and try again.")
            tags = inst["Tags"]
        elif kind == "Document":
            self.document(rid)
            tags = {}
        else:
            raise ApiError("InvalidResourceId", f"The resource ID \"{rid}\" is not valid. Verify the ID and try again.")
        return {"TagList": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}

    def ListDocuments(self, body):
        docs = list(self.documents.values())

        def owner_ok(doc, values):
            mine = doc["Owner"] == self.account
            return any((v == "Self" and mine) or (v in ("Amazon", "Public") and doc["Owner"] == "Amazon")
                       or v == "All" or v == doc["Owner"] for v in values)

        for f in body.get("DocumentFilterList") or []:
            key, value = f["key"], f["value"]
            if key == "Name":
                docs = [d for d in docs if d["Name"] == value]
            elif key == "Owner":
                docs = [d for d in docs if owner_ok(d, [value])]
            elif key == "PlatformTypes":
                docs = [d for d in docs if value in d["PlatformTypes"]]
            elif key == "DocumentType":
                docs = [d for d in docs if d["DocumentType"] == value]
        for f in body.get("Filters") or []:
            key, values = f.get("Key"), f.get("Values") or []
            if key == "Owner":
                docs = [d for d in docs if owner_ok(d, values)]
            elif key == "Name":
                docs = [d for d in docs if d["Name"] in values]
            elif key == "PlatformTypes":
                docs = [d for d in docs if set(values) & set(d["PlatformTypes"])]
            elif key == "DocumentType":
                docs = [d for d in docs if d["DocumentType"] in values]
            elif key == "SearchKeyword":
                docs = [d for d in docs if any(v.lower() in d["Name"].lower() for v in values)]
            else:
                raise ApiError("InvalidFilterKey", f"Filter key {key} is not valid.")
        page, nxt = paginate(docs, body)
        out = {"DocumentIdentifiers": [{
            "Name": d["Name"], "CreatedDate": self.started - 86400 * 365, "Owner": d["Owner"],
            "PlatformTypes": d["PlatformTypes"], "DocumentVersion": "1", "DocumentType": d["DocumentType"],
            "SchemaVersion": d["SchemaVersion"], "DocumentFormat": "JSON", "Tags": [],
        } for d in page]}
        if nxt:
            out["NextToken"] = nxt
        return out


# ---------------------------------------------------------------- fault injection

# Every mode, and whether the operation runs (a command is created) before the fault is
# delivered, unless a rule says otherwise with "execute". Modes that corrupt an answer
# (trickle, garbage, truncated, wrong-content-type) run it: the call reached SSM, its
# answer went wrong on the way back.
FAULT_MODES = {
    "throttle": False,            # 400 ThrottlingException
    "500": False,                 # 500 InternalServerError
    "503": False,                 # 503 ServiceUnavailable
    "reset-before-read": False,   # TCP RST before the body is read (never executes)
    "reset-after-read": True,     # body read (and executed), then TCP RST: no answer
    "hang": True,                 # no answer at all until the client gives up (or `ms`)
    "trickle": True,              # the answer, one byte at a time over `ms` (default 5000)
    "garbage": True,              # 200, awsJson content type, a body that is not JSON
    "truncated": True,            # 200, Content-Length of the whole answer, half of it, close
    "wrong-content-type": True,   # 200 text/html with an HTML page (a captive proxy)
    "access-denied": False,       # 400 AccessDeniedException naming the caller's IAM ARN and account
                                  # (AssumeRole: 403 AccessDenied naming the caller and the role)
    "expired": False,             # 400 ExpiredTokenException (AssumeRole: ExpiredToken): the caller's
                                  # session token has expired
}
DEFAULT_HANG_MS = 600_000
# How many raw request bodies GET /_faults/received keeps (the newest).
RECEIVED_KEPT = 1000
DEFAULT_TRICKLE_MS = 5_000


def parse_fault_rule(value):
    """A rule from JSON ({"mode", "count", "operations", "execute", "ms"}) or a bare
    mode name (every request, every operation). Raises ValueError."""
    if isinstance(value, str):
        value = value.strip()
        value = json.loads(value) if value.startswith("{") else {"mode": value}
    if not isinstance(value, dict):
        raise ValueError("a fault rule is a JSON object or a mode name")
    unknown = set(value) - {"mode", "count", "operations", "execute", "ms"}
    if unknown:
        raise ValueError(f"unknown fault rule fields {sorted(unknown)}")
    mode = value.get("mode")
    if mode not in FAULT_MODES:
        raise ValueError(f"fault mode {mode!r} is not one of {', '.join(FAULT_MODES)}")
    count = value.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        raise ValueError("count: a positive integer (or absent: every matching request)")
    ops = value.get("operations")
    if ops is not None and (not isinstance(ops, list) or not all(o in FAULT_OPERATIONS for o in ops)):
        raise ValueError(f"operations: a list of {', '.join(sorted(FAULT_OPERATIONS))}")
    execute = value.get("execute", FAULT_MODES[mode])
    if not isinstance(execute, bool):
        raise ValueError("execute: true or false")
    ms = value.get("ms")
    if ms is not None and (not isinstance(ms, int) or isinstance(ms, bool) or ms < 0):
        raise ValueError("ms: milliseconds, 0 or more")
    return {"mode": mode, "count": count, "operations": ops, "execute": execute, "ms": ms}


# The operations served: the model's operations the emulator implements (one method
# each, named as in the model), so the list is never written out twice.
OPERATIONS = {name for name in MODEL.operation_names if callable(getattr(Emulator, name, None))}
LOGS_OPERATIONS = {name for name in LOGS_MODEL.operation_names if callable(getattr(LogGroups, name, None))}
# What fault rules and counters name: the SSM operations and STS AssumeRole.
FAULT_OPERATIONS = OPERATIONS | LOGS_OPERATIONS | {"AssumeRole"}


class Faults:
    """The active rules (first match wins, `count` uses them up) and the counters."""

    def __init__(self, rules=()):
        self.lock = threading.Lock()
        self.rules = list(rules)
        self.requests = {}   # operation -> requests received (every one, faulted or not)
        self.executed = {}   # operation -> calls that ran (SendCommand: commands created)
        self.applied = {}    # mode -> faults delivered
        self.comments = {}   # SendCommand Comment -> commands created with it
        self.by_state = {}   # "<account>/<region>" -> operation -> calls that ran there
        self.assumed = {}    # role ARN -> AssumeRole calls that issued credentials for it
        self.received = collections.deque(maxlen=RECEIVED_KEPT)  # (operation, raw body), newest last

    def set_rules(self, rules):
        with self.lock:
            self.rules = list(rules)

    def take(self, operation, header):
        """The rule for this request (the x-local-ssm-fault header's first), counted."""
        with self.lock:
            self.requests[operation] = self.requests.get(operation, 0) + 1
            rule = None
            if header:
                rule = parse_fault_rule(header)
            else:
                for r in self.rules:
                    if r["operations"] is None or operation in r["operations"]:
                        rule = dict(r)
                        if r["count"] is not None:
                            r["count"] -= 1
                            if r["count"] == 0:
                                self.rules.remove(r)
                        break
            if rule:
                self.applied[rule["mode"]] = self.applied.get(rule["mode"], 0) + 1
            return rule

    def receive(self, operation, body):
        """Keeps the raw body of an SSM request (GET /_faults/received shows them)."""
        with self.lock:
            self.received.append((operation, body))

    def received_bodies(self):
        with self.lock:
            return [{"operation": op, "body": body.decode("utf-8", errors="replace")} for op, body in self.received]

    def ran(self, operation, body, where=None):
        """Counts a call that ran: `where` is the "<account>/<region>" of the state that ran
        an SSM call, `body` an AssumeRole's role ARN."""
        with self.lock:
            self.executed[operation] = self.executed.get(operation, 0) + 1
            if operation == "SendCommand":
                comment = body.get("Comment", "")
                self.comments[comment] = self.comments.get(comment, 0) + 1
            if operation == "AssumeRole":
                self.assumed[body] = self.assumed.get(body, 0) + 1
            elif where is not None:
                ops = self.by_state.setdefault(where, {})
                ops[operation] = ops.get(operation, 0) + 1

    def stats(self):
        with self.lock:
            return {"requests": dict(self.requests), "executed": dict(self.executed),
                    "faults": dict(self.applied), "rules": [dict(r) for r in self.rules],
                    "sendCommandComments": dict(self.comments),
                    "executedBy": {where: dict(ops) for where, ops in self.by_state.items()},
                    "assumedRoles": dict(self.assumed)}


# ---------------------------------------------------------------- accounts, regions and STS

STS_VERSION = "2011-06-15"
STS_NS = f"https://sts.amazonaws.com/doc/{STS_VERSION}/"
ROLE_ARN_RE = re.compile(r"arn:aws:iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})")
SESSION_NAME_RE = re.compile(r"[\w+=,.@-]{2,64}")
# What a refusal of the signature is called when the request was to STS: (code, status).
STS_AUTH_CODES = {
    "UnrecognizedClientException": ("InvalidClientTokenId", 403),
    "InvalidSignatureException": ("SignatureDoesNotMatch", 403),
    "ExpiredTokenException": ("ExpiredToken", 400),
    "MissingAuthenticationTokenException": ("MissingAuthenticationToken", 403),
    "IncompleteSignatureException": ("IncompleteSignature", 400),
}
EXPIRED_TOKEN_MESSAGE = "The security token included in the request is expired"
INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."


def parse_roles(value):
    """--roles: JSON {"<role ARN>": ["<access key id allowed to assume it>", ...]}, or per
    role {"keys": [...], "durationCap": <seconds>} (its credentials expire after at most
    that long, whatever DurationSeconds asks). Returns {ARN: {"keys", "durationCap"}};
    raises ValueError."""
    roles = json.loads(value) if isinstance(value, str) else value
    if not isinstance(roles, dict):
        raise ValueError('a JSON object {"<role ARN>": ["<access key id>", ...]}')
    out = {}
    for arn, spec in roles.items():
        if not ROLE_ARN_RE.fullmatch(arn):
            raise ValueError(f"{arn!r} is not a role ARN (arn:aws:iam::<12 digits>:role/<name>)")
        if isinstance(spec, list):
            spec = {"keys": spec}
        if not isinstance(spec, dict) or set(spec) - {"keys", "durationCap"}:
            raise ValueError(f'{arn}: a list of access key ids, or {{"keys": [...], "durationCap": <seconds>}}')
        keys, cap = spec.get("keys", []), spec.get("durationCap")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ValueError(f"{arn}: keys: a list of access key ids")
        if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
            raise ValueError(f"{arn}: durationCap: seconds, 1 or more")
        out[arn] = {"keys": list(keys), "durationCap": cap}
    return out


def random_id(prefix, n=16):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(alphabet[b % 32] for b in os.urandom(n))


class Key:
    """An access key the emulator accepts: the configured long-term key, or temporary
    credentials AssumeRole issued (with their session token, expiry and role)."""

    def __init__(self, akid, secret, account, *, token=None, expires=None, role_arn=None, session=None):
        self.akid, self.secret, self.account = akid, secret, account
        self.token, self.expires, self.role_arn, self.session = token, expires, role_arn, session

    @property
    def caller_arn(self):
        """The ARN AWS names the caller by in an access-denied message."""
        if self.role_arn:
            name = ROLE_ARN_RE.fullmatch(self.role_arn).group(3)
            return f"arn:aws:sts::{self.account}:assumed-role/{name}/{self.session}"
        return f"arn:aws:iam::{self.account}:user/local-ssm-caller"


class Fleet:
    """One Emulator per (account, region) served, and the keys: the configured one (the
    seed's account) and every credential AssumeRole issued (their role's account)."""

    def __init__(self, seed, step_ms, regions, access_key_id, secret_access_key, roles=None, duration_cap=None):
        self.regions = list(regions)
        self.home = seed.get("account_id", "123456789012")
        self.roles = dict(roles or {})
        self.duration_cap = duration_cap
        accounts = [self.home]
        for arn in self.roles:
            account = ROLE_ARN_RE.fullmatch(arn).group(1)
            if account not in accounts:
                accounts.append(account)
        self.accounts = accounts
        self.states = {(a, r): Emulator(seed, step_ms, r, a) for a in accounts for r in self.regions}
        self.lock = threading.Lock()
        self.keys = {access_key_id: Key(access_key_id, secret_access_key, self.home)}
        self.step = step_ms / 1000.0

    @property
    def several(self):
        return len(self.states) > 1

    def state(self, account, region):
        return self.states[(account, region)]

    def tick(self):
        for state in self.states.values():
            state.tick()

    def key(self, akid):
        with self.lock:
            return self.keys.get(akid)

    def assume_role(self, caller, form, now):
        """AssumeRole for `caller` (a Key) with the decoded form: (Key issued, its XML)."""
        def one(name):
            values = form.get(name) or []
            return values[0] if values else None

        action, version = one("Action"), one("Version")
        if action != "AssumeRole" or version != STS_VERSION:
            raise ApiError("InvalidAction", f"Could not find operation {action} for version {version}", 400)
        role_arn, session = one("RoleArn"), one("RoleSessionName")
        problems = []
        if role_arn is None:
            problems.append("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
        elif len(role_arn) < 20:
            problems.append(f"Value '{role_arn}' at 'roleArn' failed to satisfy constraint: "
                            "Member must have length greater than or equal to 20")
        if session is None:
            problems.append("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
        elif not SESSION_NAME_RE.fullmatch(session):
            problems.append(f"Value '{session}' at 'roleSessionName' failed to satisfy constraint: "
                            r"Member must satisfy regular expression pattern: [\w+=,.@-]* and have length "
                            "between 2 and 64")
        duration_text = one("DurationSeconds") or "3600"
        try:
            duration = int(duration_text)
        except ValueError:
            duration = None
            problems.append(f"Value '{duration_text}' at 'durationSeconds' failed to satisfy constraint: "
                            "Member must be an integer")
        if duration is not None and not 900 <= duration <= 43200:
            bound = ("greater than or equal to 900" if duration < 900 else "less than or equal to 43200")
            problems.append(f"Value '{duration}' at 'durationSeconds' failed to satisfy constraint: "
                            f"Member must have value {bound}")
        if problems:
            n = len(problems)
            raise ApiError("ValidationError",
                           f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(problems), 400)
        if not ROLE_ARN_RE.fullmatch(role_arn):
            raise ApiError("ValidationError", f"{role_arn} is invalid", 400)
        role = self.roles.get(role_arn)
        if role is None or caller.akid not in role["keys"]:
            raise ApiError("AccessDenied", sts_denied_message(caller.caller_arn, role_arn), 403)
        caps = [c for c in (duration, self.duration_cap, role["durationCap"]) if c is not None]
        lifetime = min(caps)
        account = ROLE_ARN_RE.fullmatch(role_arn).group(1)
        issued = Key(random_id("ASIA"), base64.b64encode(os.urandom(30)).decode(), account,
                     token="IQoJb2xvY2FsLXNzbQ" + base64.b64encode(os.urandom(120)).decode(),
                     expires=now + lifetime, role_arn=role_arn, session=session)
        with self.lock:
            self.keys[issued.akid] = issued
        role_id = random_id("AROA", 17)
        expiration = datetime.datetime.fromtimestamp(int(issued.expires), tz=datetime.timezone.utc)
        xml = (f'<AssumeRoleResponse xmlns="{STS_NS}">\n'
               "  <AssumeRoleResult>\n"
               "    <AssumedRoleUser>\n"
               f"      <AssumedRoleId>{role_id}:{escape(session)}</AssumedRoleId>\n"
               f"      <Arn>{escape(issued.caller_arn)}</Arn>\n"
               "    </AssumedRoleUser>\n"
               "    <Credentials>\n"
               f"      <AccessKeyId>{issued.akid}</AccessKeyId>\n"
               f"      <SecretAccessKey>{issued.secret}</SecretAccessKey>\n"
               f"      <SessionToken>{issued.token}</SessionToken>\n"
               f"      <Expiration>{expiration:%Y-%m-%dT%H:%M:%SZ}</Expiration>\n"
               "    </Credentials>\n"
               "  </AssumeRoleResult>\n"
               f"  <ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>\n"
               "</AssumeRoleResponse>\n")
        return issued, xml.encode()

    def expire(self, role_arn=None, now=None):
        """Expires every issued credential (of `role_arn` only, when given): the number expired."""
        now = time.time() if now is None else now
        n = 0
        with self.lock:
            for key in self.keys.values():
                if key.role_arn and (role_arn is None or key.role_arn == role_arn) and key.expires > now:
                    key.expires = now - 1
                    n += 1
        return n

    def issued(self):
        """Every credential issued, without its secret or token."""
        now = time.time()
        with self.lock:
            return [{"accessKeyId": k.akid, "roleArn": k.role_arn, "account": k.account,
                     "roleSessionName": k.session, "expiration": iso(k.expires), "expired": k.expires <= now}
                    for k in self.keys.values() if k.role_arn]


def sts_denied_message(caller_arn, role_arn):
    return f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"


def sts_error_xml(code, message, status):
    kind = "Receiver" if status >= 500 else "Sender"
    return (f'<ErrorResponse xmlns="{STS_NS}">\n'
            f"  <Error>\n    <Type>{kind}</Type>\n    <Code>{escape(code)}</Code>\n"
            f"    <Message>{escape(message)}</Message>\n  </Error>\n"
            f"  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n").encode()


# ---------------------------------------------------------------- signature checking

_SIGN_LOCK = threading.Lock()
_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;\-]+),\s*Signature=([0-9a-f]{64})$")


def verify_signature(method, path, headers, body, fleet, service="ssm"):
    """Recomputes the SigV4 signature with botocore; raises ApiError on refusal. Returns
    (the Key, the region the request is scoped to: one of the fleet's)."""
    authorization = headers.get("Authorization")
    if not authorization:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 400)
    m = _AUTH_RE.match(authorization.strip())
    if not m:
        raise ApiError("IncompleteSignatureException",
                       f"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'. "
                       f"Authorization={authorization.split(' ')[0]}", 400)
    akid, _day, scope_region, scope_service, signed, _sig = m.groups()
    key = fleet.key(akid)
    if key is None or (key.token is not None and headers.get("X-Amz-Security-Token") != key.token):
        # AWS: an unknown key, or temporary credentials without their session token.
        raise ApiError("UnrecognizedClientException", INVALID_TOKEN_MESSAGE, 400)
    amz_date = headers.get("X-Amz-Date", "")
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    except ValueError:
        raise ApiError("IncompleteSignatureException", "Missing or malformed X-Amz-Date header.", 400) from None
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    if abs((now - when).total_seconds()) > MAX_SKEW_SECONDS:
        earlier = when < now
        raise ApiError("InvalidSignatureException",
                       f"Signature {'expired' if earlier else 'not yet current'}: {amz_date} is now "
                       f"{'earlier' if earlier else 'later'} than {now:%Y%m%dT%H%M%SZ} ({now:%Y%m%dT%H%M%SZ} "
                       f"{'-' if earlier else '+'} 5 min.)", 400)
    if scope_service != service:
        raise ApiError("InvalidSignatureException",
                       f"Credential should be scoped to correct service: '{service}'. ", 400)
    if scope_region not in fleet.regions:
        raise ApiError("InvalidSignatureException", "Credential should be scoped to a valid region. ", 400)
    names = signed.split(";")
    to_sign = {}
    for name in names:
        if name in ("x-amz-date", "host"):
            continue
        value = headers.get(name)
        if value is None:
            raise ApiError("InvalidSignatureException", f"Signed header {name} is missing.", 400)
        to_sign[name] = value
    request = AWSRequest(method=method, url=f"http://{headers.get('Host', '')}{path}", data=body, headers=to_sign)
    creds = Credentials(akid, key.secret, headers.get("X-Amz-Security-Token"))
    auth = SigV4Auth(creds, service, scope_region)
    with _SIGN_LOCK, mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
        auth.add_auth(request)
    expected = request.headers.get("Authorization")
    if expected != authorization.strip():
        raise ApiError("InvalidSignatureException",
                       "The request signature we calculated does not match the signature you provided. Check your "
                       "AWS Secret Access Key and signing method. Consult the service documentation for details.", 400)
    if key.expires is not None and time.time() >= key.expires:
        raise ApiError("ExpiredTokenException", EXPIRED_TOKEN_MESSAGE, 400)
    return key, scope_region


# ---------------------------------------------------------------- HTTP


LOCAL_ADDRESSES = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}
LOG_LOCK = threading.Lock()
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Welcome</title></head>"
             b"<body><h1>Please sign in to continue</h1></body></html>")


def make_handler(fleet, faults, stopping, log_requests=False):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "local-ssm"

        def log_message(self, *args):
            pass

        def _log(self, **fields):
            if log_requests:
                line = json.dumps({"time": iso(time.time()), "client": self.client_address[0], **fields})
                with LOG_LOCK:  # one write per line: threads never interleave them
                    sys.stderr.write(line + "\n")
                    sys.stderr.flush()

        def _cors(self):
            origin = self.headers.get("Origin")
            self.send_header("Access-Control-Allow-Origin", origin or "*")
            if origin:
                self.send_header("Vary", "Origin")
            self.send_header("Access-Control-Expose-Headers", "x-amzn-RequestId, Date")

        def _send(self, status, payload, content_type="application/x-amz-json-1.1", data=None, send=None):
            """Answers; `send(data)` writes the body instead of one write (faults)."""
            if data is None:
                data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self._cors()
            self.end_headers()
            (send or self.wfile.write)(data)

        def _answer(self, status, payload, send=None):
            """Answers an operation: awsJson for SSM, XML (bytes) for STS."""
            if isinstance(payload, bytes):
                self._send(status, None, content_type="text/xml", data=payload, send=send)
            else:
                self._send(status, payload, send=send)

        def do_OPTIONS(self):
            self.send_response(200)
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            self._cors()
            self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            requested = self.headers.get("Access-Control-Request-Headers")
            self.send_header("Access-Control-Allow-Headers", requested or
                             "authorization, content-type, x-amz-date, x-amz-target, x-amz-security-token, "
                             "x-amz-user-agent, amz-sdk-invocation-id, amz-sdk-request")
            self.send_header("Access-Control-Max-Age", "600")
            self.send_header("Content-Length", "0")
            self.end_headers()

        # -------- the control endpoint (/_faults), for tests on this machine only

        def _control(self):
            path = self.path.split("?")[0].rstrip("/")
            if path not in ("/_faults", "/_faults/stats", "/_faults/received", "/_sts/expire", "/_sts/credentials"):
                return False
            if self.client_address[0] not in LOCAL_ADDRESSES:
                self._send(403, {"__type": "AccessDeniedException",
                                 "message": f"{path} answers 127.0.0.1 only"})
                return True
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                if path == "/_faults/stats" and self.command == "GET":
                    self._send(200, faults.stats())
                elif path == "/_sts/expire" and self.command == "POST":
                    value = json.loads(body or b"{}")
                    if not isinstance(value, dict):
                        raise ValueError('{} or {"roleArn": "<role ARN>"}')
                    self._send(200, {"expired": fleet.expire(value.get("roleArn"))})
                elif path == "/_sts/credentials" and self.command == "GET":
                    self._send(200, {"credentials": fleet.issued()})
                elif path == "/_faults/received" and self.command == "GET":
                    self._send(200, {"received": faults.received_bodies()})
                elif path == "/_faults" and self.command == "GET":
                    self._send(200, {"rules": faults.stats()["rules"]})
                elif path == "/_faults" and self.command == "DELETE":
                    faults.set_rules([])
                    self._send(200, {"rules": []})
                elif path == "/_faults" and self.command == "POST":
                    value = json.loads(body or b"null")
                    items = value.get("rules") if isinstance(value, dict) and "rules" in value else value
                    rules = [parse_fault_rule(r) for r in (items if isinstance(items, list) else [items])]
                    faults.set_rules(rules)
                    self._send(200, {"rules": rules})
                else:
                    self._send(405, {"__type": "MethodNotAllowed", "message": f"{self.command} {path}"})
            except ValueError as e:
                what = "fault rule" if path.startswith("/_faults") else path
                self._send(400, {"__type": "ValidationException", "message": f"{what}: {e}"})
            return True

        def do_GET(self):
            if not self._control():
                self._send(404, {"__type": "UnknownOperationException", "message": "local-ssm answers POST / only"})

        def do_DELETE(self):
            if not self._control():
                self._send(404, {"__type": "UnknownOperationException", "message": "local-ssm answers POST / only"})

        # -------- faults

        def _reset(self):
            """Closes the connection with a TCP RST (SO_LINGER 0), answering nothing."""
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            # The descriptor really closes (RST) once rfile and wfile are closed too, which
            # BaseHTTPRequestHandler.finish() does as soon as this request returns.
            self.connection.close()

        def _hang(self, ms):
            """Answers nothing until the client goes away, `ms` pass or the server stops."""
            self.close_connection = True
            deadline = time.monotonic() + ms / 1000
            while not stopping.is_set() and time.monotonic() < deadline:
                readable, _, _ = select.select([self.connection], [], [], 0.2)
                if readable:
                    try:
                        if not self.connection.recv(4096):
                            return  # the client closed its side
                    except OSError:
                        return

        def _trickle(self, ms):
            def send(data):
                pause = ms / 1000 / max(1, len(data))
                for i in range(len(data)):
                    if stopping.is_set():
                        return
                    self.wfile.write(data[i:i + 1])
                    time.sleep(pause)
            return send

        def _where(self):
            """(the caller's Key or None, the region), as the Authorization header names them,
            before any check: which state a fault speaks for."""
            m = _AUTH_RE.match((self.headers.get("Authorization") or "").strip())
            key = fleet.key(m.group(1)) if m else None
            region = m.group(3) if m and m.group(3) in fleet.regions else fleet.regions[0]
            return key, region

        def _denied_message(self):
            """What AWS says when the caller's IAM identity may not call the operation: it
            names the caller's ARN (and so the account) and the resource's ARN."""
            key, region = self._where()
            caller = key.caller_arn if key else f"arn:aws:iam::{fleet.home}:user/local-ssm-caller"
            account = key.account if key else fleet.home
            if self._sts:
                form = parse_qs(self._body.decode("utf-8", errors="replace"))
                return sts_denied_message(caller, (form.get("RoleArn") or [""])[0])
            op = self.headers.get("X-Amz-Target", "").partition(".")[2] or "SendCommand"
            return (f"User: {caller} is not authorized to perform: ssm:{op} "
                    f"on resource: arn:aws:ssm:{region}:{account}:document/Ops-RestartService "
                    f"because no identity-based policy allows the ssm:{op} action")

        def _fault_error(self, code, message, status, sts_code=None, sts_status=None):
            if self._sts:
                status = sts_status or status
                self._answer(status, sts_error_xml(sts_code or code, message, status))
            else:
                self._send(status, {"__type": code, "message": message})

        def _deliver(self, rule, status, payload):
            """Delivers (status, payload) — the operation's answer, or None when it did not
            run — the way the rule's mode says."""
            mode = rule["mode"]
            if mode == "throttle":
                self._fault_error("ThrottlingException", "Rate exceeded", 400, "Throttling")
            elif mode == "500":
                self._fault_error("InternalServerError", "local-ssm: injected fault", 500, "InternalFailure")
            elif mode == "503":
                self._fault_error("ServiceUnavailable", "local-ssm: injected fault", 503)
            elif mode == "access-denied":
                self._fault_error("AccessDeniedException", self._denied_message(), 400, "AccessDenied", 403)
            elif mode == "expired":
                self._fault_error("ExpiredTokenException", EXPIRED_TOKEN_MESSAGE, 400, "ExpiredToken")
            elif mode == "reset-after-read":
                self._reset()
            elif mode == "hang":
                self._hang(DEFAULT_HANG_MS if rule["ms"] is None else rule["ms"])
            elif mode == "garbage":
                self._send(200, None, data=b"\x00\xff\xfe{\"Command\": <garbage> \x8f\x90" + os.urandom(16))
            elif mode == "wrong-content-type":
                self._send(200, None, content_type="text/html; charset=utf-8", data=HTML_PAGE)
            else:
                if status is None:
                    status, payload = 200, (b"" if self._sts else {})
                if mode == "trickle":
                    self._answer(status, payload, send=self._trickle(DEFAULT_TRICKLE_MS if rule["ms"] is None
                                                                     else rule["ms"]))
                else:  # truncated: the whole length announced, half the bytes sent, then close
                    self.close_connection = True
                    self._answer(status, payload, send=lambda data: self.wfile.write(data[:len(data) // 2]))

        # -------- the SSM API

        def _run(self, body):
            """The operation's (status, payload), executions counted."""
            if self._sts:
                return self._run_sts(body)
            try:
                target = self.headers.get("X-Amz-Target", "")
                prefix, _, op = target.partition(".")
                if prefix == "Logs_20140328" and op in LOGS_OPERATIONS:
                    # CloudWatch Logs: signed for `logs`, its own model, the state's log groups.
                    key, region = verify_signature("POST", self.path, self.headers, body, fleet, service="logs")
                    value = check_input(op, body, LOGS_MODEL)
                    self._served = (key.account, region)
                    return 200, getattr(fleet.state(key.account, region).logs, op)(value)
                key, region = verify_signature("POST", self.path, self.headers, body, fleet)
                if prefix != "AmazonSSM" or op not in OPERATIONS:
                    raise ApiError("com.amazon.coral.service#UnknownOperationException",
                                   f"Operation {target!r} is not supported by local-ssm")
                value = check_input(op, body)
                self._served = (key.account, region)
                out = getattr(fleet.state(key.account, region), op)(value)
                faults.ran(op, value, f"{key.account}/{region}")
                return 200, out
            except ApiError as e:
                return e.status, {"__type": e.code, "message": e.message}
            except Exception as e:  # noqa: BLE001 - answer like AWS, never crash the server
                return 500, {"__type": "InternalServerError", "message": f"local-ssm: {e!r}"}

        def _run_sts(self, body):
            """STS AssumeRole: (status, XML bytes), the credentials issued counted."""
            try:
                try:
                    key, region = verify_signature("POST", self.path, self.headers, body, fleet, service="sts")
                except ApiError as e:
                    code, status = STS_AUTH_CODES.get(e.code, (e.code, e.status))
                    raise ApiError(code, e.message, status) from None
                form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
                issued, xml = fleet.assume_role(key, form, time.time())
                self._served = (key.account, region)
                faults.ran("AssumeRole", issued.role_arn)
                return 200, xml
            except ApiError as e:
                return e.status, sts_error_xml(e.code, e.message, e.status)
            except Exception as e:  # noqa: BLE001 - answer like AWS, never crash the server
                return 500, sts_error_xml("InternalFailure", f"local-ssm: {e!r}", 500)

        def do_POST(self):
            if self._control():
                return
            started = time.monotonic()
            # STS is the form-encoded POST without a target (Action=AssumeRole in the body).
            self._sts = ("x-www-form-urlencoded" in (self.headers.get("Content-Type") or "").lower()
                         and not self.headers.get("X-Amz-Target"))
            self._body, self._served = b"", None
            op = "AssumeRole" if self._sts else self.headers.get("X-Amz-Target", "").partition(".")[2]
            try:
                local = self.client_address[0] in LOCAL_ADDRESSES
                rule = faults.take(op, self.headers.get("x-local-ssm-fault") if local else None)
            except ValueError as e:
                self._send(400, {"__type": "ValidationException", "message": f"x-local-ssm-fault: {e}"})
                return
            status = None
            try:
                if rule and rule["mode"] == "reset-before-read":
                    self._reset()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                self._body = body
                faults.receive(op, body)
                if rule is None:
                    status, payload = self._run(body)
                    self._answer(status, payload)
                    return
                status, payload = self._run(body) if rule["execute"] else (None, None)
                self._deliver(rule, status, payload)
            except OSError:
                self.close_connection = True  # the client went away during a fault
            finally:
                where = {}
                if fleet.several and self._served:
                    where = {"account": self._served[0], "region": self._served[1]}
                self._log(op=op, status=status, fault=rule and rule["mode"],
                          ms=round((time.monotonic() - started) * 1000), **where)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.json"))
    parser.add_argument("--region", default=os.environ.get("LOCAL_SSM_REGION", "us-east-1"))
    parser.add_argument("--regions", default=os.environ.get("LOCAL_SSM_REGIONS"),
                        help="the regions served, comma-separated, each with its own state (default: --region)")
    parser.add_argument("--roles", default=os.environ.get("LOCAL_SSM_ROLES"),
                        help='roles STS AssumeRole may assume: JSON {"<role ARN>": ["<access key id>", ...]}')
    parser.add_argument("--role-duration-cap", type=int,
                        default=int(os.environ["LOCAL_SSM_ROLE_DURATION_CAP"])
                        if os.environ.get("LOCAL_SSM_ROLE_DURATION_CAP") else None,
                        help="issued role credentials expire after at most this many seconds")
    parser.add_argument("--access-key-id", default=os.environ.get("LOCAL_SSM_ACCESS_KEY_ID", "AKIALOCALSSM00000000"))
    parser.add_argument("--secret-access-key",
                        default=os.environ.get("LOCAL_SSM_SECRET_ACCESS_KEY", "local-ssm-secret-access-key"))
    parser.add_argument("--step-ms", type=int, default=int(os.environ.get("LOCAL_SSM_STEP_MS", "1000")))
    parser.add_argument("--fault", default=os.environ.get("LOCAL_SSM_FAULT"),
                        help="a fault rule for the whole run: a mode name or a JSON rule (README.md)")
    parser.add_argument("--log-requests", action="store_true",
                        default=os.environ.get("LOCAL_SSM_LOG_REQUESTS") == "1",
                        help="one JSON line per request on stderr (operation, status, fault, ms)")
    args = parser.parse_args()
    try:
        rules = [parse_fault_rule(args.fault)] if args.fault else []
    except ValueError as e:
        parser.error(f"--fault: {e}")
    regions = [r.strip() for r in (args.regions or "").split(",") if r.strip()]
    if regions and args.region not in regions:
        args.region = regions[0]
    try:
        roles = parse_roles(args.roles) if args.roles else {}
    except ValueError as e:
        parser.error(f"--roles: {e}")
    if args.role_duration_cap is not None and args.role_duration_cap < 1:
        parser.error("--role-duration-cap: seconds, 1 or more")
    with open(args.seed, encoding="utf-8") as f:
        seed = json.load(f)
    fleet = Fleet(seed, max(1, args.step_ms), regions or [args.region], args.access_key_id,
                  args.secret_access_key, roles, args.role_duration_cap)
    done = threading.Event()
    handler = make_handler(fleet, Faults(rules), done, args.log_requests)
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def ticker():
        while not done.wait(fleet.step / 5):
            fleet.tick()

    threading.Thread(target=ticker, daemon=True).start()
    host, port = server.server_address[:2]
    info = {"endpoint": f"http://{host}:{port}", "region": args.region,
            "access_key_id": args.access_key_id, "secret_access_key": args.secret_access_key}
    if regions or roles:
        info.update(regions=fleet.regions, account_id=fleet.home, accounts=fleet.accounts)
    print(json.dumps(info), flush=True)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
