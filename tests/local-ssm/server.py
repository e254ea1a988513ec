#!/usr/bin/env python3
"""A small local emulator of SSM Run Command (eight operations), for tests and dashboards.

    python tests/local-ssm/server.py --port 0 --seed tests/local-ssm/seed.json

prints one JSON line {"endpoint", "region", "access_key_id", "secret_access_key"} and
serves on 127.0.0.1 until its standard input closes or it gets SIGTERM/SIGINT.

awsJson1.1 (POST /, X-Amz-Target: AmazonSSM.<Op>); member names are botocore's SSM
model's, and every input is checked against that model. Every request's SigV4
signature is recomputed with botocore's SigV4Auth. Nothing is ever executed: the
output of a few harmless commands is simulated (see README.md).

Environment: LOCAL_SSM_STEP_MS (lifecycle step, default 1000), LOCAL_SSM_ACCESS_KEY_ID,
LOCAL_SSM_SECRET_ACCESS_KEY, LOCAL_SSM_REGION, LOCAL_SSM_FAULT, LOCAL_SSM_LOG_REQUESTS
(defaults for the flags).

Fault injection (README.md, "Faults"): a rule per run (--fault), per request (header
x-local-ssm-fault) or set at run time on the control endpoint (POST /_faults, from
127.0.0.1 only); GET /_faults/stats counts requests, faults and executions (SendCommands
that created a command); GET /_faults/received shows the raw bodies received.
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

import botocore.auth
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MODEL = botocore.session.get_session().get_service_model("ssm")
MAX_SKEW_SECONDS = 5 * 60
FINAL = {"Success", "Failed", "TimedOut", "Cancelled"}


class ApiError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


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


def check_input(operation, body):
    try:
        value = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, ValueError):
        raise ApiError("SerializationException", "The request body is not valid JSON") from None
    problems = []
    check_shape(MODEL.operation_model(operation).input_shape, value, "", problems)
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


def simulate(lines, instance, document, parameters):
    """(exit code, stdout, stderr, simulated seconds). Never runs anything."""
    if document["Name"] == "Ops-RestartService":
        svc = parameters["service"][0]
        return 0, f"Restarting {svc}.service ...\n{svc}.service restarted\n", "", 1
    if document["Name"] == "AWS-UpdateSSMAgent":
        return 0, f"Updating amazon-ssm-agent from {instance['AgentVersion']}\nAgent is up to date\n", "", 1
    out, err, code, seconds = [], [], 0, 0
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
            code = 0
            if cmd in ("echo", "Write-Output", "Write-Host"):
                out.append(" ".join(args))
            elif cmd == "hostname":
                out.append(instance["ComputerName"])
            elif cmd == "uptime":
                out.append(f" {now:%H:%M:%S} up 12 days,  3:04,  0 users,  load average: 0.00, 0.01, 0.05")
            elif cmd in ("date", "Get-Date"):
                out.append(f"{now:%a %b %d %H:%M:%S UTC %Y}")
            elif cmd == "whoami":
                out.append("root" if instance["PlatformType"] != "Windows" else "nt authority\\system")
            elif cmd in ("true", ":"):
                pass
            elif cmd == "false":
                code = 1
            elif cmd == "sleep":
                try:
                    seconds += max(0, int(float(args[0])))
                except (IndexError, ValueError):
                    err.append("sleep: invalid time interval")
                    code = 1
            elif cmd == "exit":
                try:
                    code = int(args[0]) if args else 0
                except ValueError:
                    code = 2
                return code, "\n".join(out) + ("\n" if out else ""), "\n".join(err) + ("\n" if err else ""), seconds
            else:
                err.append(f"/var/lib/amazon/ssm/_script.sh: line 1: {cmd}: command not found (local-ssm simulates "
                           "only echo, hostname, uptime, date, whoami, true, false, sleep, exit)")
                code = 127
    return code, "\n".join(out) + ("\n" if out else ""), "\n".join(err) + ("\n" if err else ""), seconds


def parse_limit(text, total, default):
    text = text or default
    if text.endswith("%"):
        return max(1, math.ceil(total * int(text[:-1]) / 100)) if int(text[:-1]) > 0 else 0
    return int(text)


# ---------------------------------------------------------------- the emulator state


class Emulator:
    def __init__(self, seed, step_ms, region):
        self.lock = threading.Lock()
        self.step = step_ms / 1000.0
        self.region = region
        self.account = seed.get("account_id", "123456789012")
        self.instances = {i["InstanceId"]: i for i in seed["instances"]}
        self.documents = {d["Name"]: d for d in seed["documents"]}
        self.started = time.time()
        self.commands = []  # newest last
        self.by_id = {}

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
            if inv["Status"] == "Cancelling" and now - inv["changed"] >= self.step:
                self._finish(inv, now, "Cancelled", "Cancelled", -1)
            elif inv["Status"] == "InProgress" and now - inv["changed"] >= self.step * (1 + inv["seconds"]):
                if inv["seconds"] > inv["timeout"]:
                    self._finish(inv, now, "TimedOut", "ExecutionTimedOut", -1)
                else:
                    status = "Success" if inv["code"] == 0 else "Failed"
                    self._finish(inv, now, status, status, inv["code"])
            elif inv["Status"] == "Delayed" and now - inv["changed"] >= self.step * 3:
                self._finish(inv, now, "TimedOut", "DeliveryTimedOut", -1)
        errors = sum(1 for i in invs if i["Status"] in ("Failed", "TimedOut") and i["StatusDetails"] != "DeliveryTimedOut")
        running = sum(1 for i in invs if i["Status"] in ("InProgress", "Cancelling"))
        halted = errors > c["max_errors"]
        for inv in invs:
            if inv["Status"] != "Pending" or now - c["RequestedDateTime"] < self.step:
                continue
            if halted:
                self._finish(inv, now, "Cancelled", "Terminated", -1)
            elif not inv["online"]:
                inv.update(Status="Delayed", StatusDetails="Delayed", changed=now)
            elif running < c["max_concurrency"]:
                running += 1
                inv.update(Status="InProgress", StatusDetails="InProgress", changed=now, started=now)
        self._summarize(c)

    def _finish(self, inv, now, status, details, code):
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
            code, out, err, seconds = simulate(lines, inst, doc, params) if plat_ok else (
                1, "", f"The document {doc['Name']} does not support the platform type {inst['PlatformType']}.\n", 0)
            invocations.append({
                "InstanceId": inst["InstanceId"], "online": inst["PingStatus"] == "Online",
                "Status": "Pending", "StatusDetails": "Pending", "changed": now, "started": None, "ended": None,
                "ResponseCode": -1, "code": code, "stdout": out, "stderr": err, "seconds": seconds,
                "timeout": timeout,
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

    def DescribeDocument(self, body):
        doc = self.document(body["Name"], body.get("DocumentVersion"))
        content = json.dumps({"schemaVersion": doc["SchemaVersion"], "description": doc["Description"]})
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
    if ops is not None and (not isinstance(ops, list) or not all(o in OPERATIONS for o in ops)):
        raise ValueError(f"operations: a list of {', '.join(sorted(OPERATIONS))}")
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


class Faults:
    """The active rules (first match wins, `count` uses them up) and the counters."""

    def __init__(self, rules=()):
        self.lock = threading.Lock()
        self.rules = list(rules)
        self.requests = {}   # operation -> requests received (every one, faulted or not)
        self.executed = {}   # operation -> calls that ran (SendCommand: commands created)
        self.applied = {}    # mode -> faults delivered
        self.comments = {}   # SendCommand Comment -> commands created with it
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

    def ran(self, operation, body):
        with self.lock:
            self.executed[operation] = self.executed.get(operation, 0) + 1
            if operation == "SendCommand":
                comment = body.get("Comment", "")
                self.comments[comment] = self.comments.get(comment, 0) + 1

    def stats(self):
        with self.lock:
            return {"requests": dict(self.requests), "executed": dict(self.executed),
                    "faults": dict(self.applied), "rules": [dict(r) for r in self.rules],
                    "sendCommandComments": dict(self.comments)}


# ---------------------------------------------------------------- signature checking

_SIGN_LOCK = threading.Lock()
_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;\-]+),\s*Signature=([0-9a-f]{64})$")


def verify_signature(method, path, headers, body, keys, region):
    """Recomputes the SigV4 signature with botocore; raises ApiError on refusal."""
    authorization = headers.get("Authorization")
    if not authorization:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 400)
    m = _AUTH_RE.match(authorization.strip())
    if not m:
        raise ApiError("IncompleteSignatureException",
                       f"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'. "
                       f"Authorization={authorization.split(' ')[0]}", 400)
    akid, _day, _region, _service, signed, _sig = m.groups()
    secret = keys.get(akid)
    if secret is None:
        raise ApiError("UnrecognizedClientException", "The security token included in the request is invalid.", 400)
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
    creds = Credentials(akid, secret, headers.get("X-Amz-Security-Token"))
    auth = SigV4Auth(creds, "ssm", region)
    with _SIGN_LOCK, mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
        auth.add_auth(request)
    expected = request.headers.get("Authorization")
    if expected != authorization.strip():
        raise ApiError("InvalidSignatureException",
                       "The request signature we calculated does not match the signature you provided. Check your "
                       "AWS Secret Access Key and signing method. Consult the service documentation for details.", 400)


# ---------------------------------------------------------------- HTTP


LOCAL_ADDRESSES = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}
LOG_LOCK = threading.Lock()
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Welcome</title></head>"
             b"<body><h1>Please sign in to continue</h1></body></html>")


def make_handler(emulator, keys, region, faults, stopping, log_requests=False):
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
            if path not in ("/_faults", "/_faults/stats", "/_faults/received"):
                return False
            if self.client_address[0] not in LOCAL_ADDRESSES:
                self._send(403, {"__type": "AccessDeniedException", "message": "/_faults answers 127.0.0.1 only"})
                return True
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                if path == "/_faults/stats" and self.command == "GET":
                    self._send(200, faults.stats())
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
                self._send(400, {"__type": "ValidationException", "message": f"fault rule: {e}"})
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

        def _denied_message(self):
            """What AWS says when the caller's IAM identity may not call the operation: it
            names the caller's ARN (and so the account) and the resource's ARN."""
            op = self.headers.get("X-Amz-Target", "").partition(".")[2] or "SendCommand"
            account = emulator.account
            return (f"User: arn:aws:iam::{account}:user/local-ssm-caller is not authorized to perform: ssm:{op} "
                    f"on resource: arn:aws:ssm:{region}:{account}:document/Ops-RestartService "
                    f"because no identity-based policy allows the ssm:{op} action")

        def _deliver(self, rule, status, payload):
            """Delivers (status, payload) — the operation's answer, or None when it did not
            run — the way the rule's mode says."""
            mode = rule["mode"]
            if mode == "throttle":
                self._send(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
            elif mode == "500":
                self._send(500, {"__type": "InternalServerError", "message": "local-ssm: injected fault"})
            elif mode == "503":
                self._send(503, {"__type": "ServiceUnavailable", "message": "local-ssm: injected fault"})
            elif mode == "access-denied":
                self._send(400, {"__type": "AccessDeniedException", "message": self._denied_message()})
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
                    status, payload = 200, {}
                if mode == "trickle":
                    self._send(status, payload, send=self._trickle(DEFAULT_TRICKLE_MS if rule["ms"] is None
                                                                   else rule["ms"]))
                else:  # truncated: the whole length announced, half the bytes sent, then close
                    self.close_connection = True
                    self._send(status, payload, send=lambda data: self.wfile.write(data[:len(data) // 2]))

        # -------- the SSM API

        def _run(self, body):
            """The operation's (status, payload), executions counted."""
            try:
                verify_signature("POST", self.path, self.headers, body, keys, region)
                target = self.headers.get("X-Amz-Target", "")
                prefix, _, op = target.partition(".")
                if prefix != "AmazonSSM" or op not in OPERATIONS:
                    raise ApiError("com.amazon.coral.service#UnknownOperationException",
                                   f"Operation {target!r} is not supported by local-ssm")
                value = check_input(op, body)
                out = getattr(emulator, op)(value)
                faults.ran(op, value)
                return 200, out
            except ApiError as e:
                return e.status, {"__type": e.code, "message": e.message}
            except Exception as e:  # noqa: BLE001 - answer like AWS, never crash the server
                return 500, {"__type": "InternalServerError", "message": f"local-ssm: {e!r}"}

        def do_POST(self):
            if self._control():
                return
            started = time.monotonic()
            op = self.headers.get("X-Amz-Target", "").partition(".")[2]
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
                faults.receive(op, body)
                if rule is None:
                    status, payload = self._run(body)
                    self._send(status, payload)
                    return
                status, payload = self._run(body) if rule["execute"] else (None, None)
                self._deliver(rule, status, payload)
            except OSError:
                self.close_connection = True  # the client went away during a fault
            finally:
                self._log(op=op, status=status, fault=rule and rule["mode"],
                          ms=round((time.monotonic() - started) * 1000))

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.json"))
    parser.add_argument("--region", default=os.environ.get("LOCAL_SSM_REGION", "us-east-1"))
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
    with open(args.seed, encoding="utf-8") as f:
        seed = json.load(f)
    emulator = Emulator(seed, max(1, args.step_ms), args.region)
    keys = {args.access_key_id: args.secret_access_key}
    done = threading.Event()
    handler = make_handler(emulator, keys, args.region, Faults(rules), done, args.log_requests)
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def ticker():
        while not done.wait(emulator.step / 5):
            emulator.tick()

    threading.Thread(target=ticker, daemon=True).start()
    host, port = server.server_address[:2]
    print(json.dumps({"endpoint": f"http://{host}:{port}", "region": args.region,
                      "access_key_id": args.access_key_id, "secret_access_key": args.secret_access_key}), flush=True)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
