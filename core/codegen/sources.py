"""The model every generator of core/codegen reads: botocore's SSM service model, with
CloudWatch Logs' operations that read a command's output and the gateway's own
operations (ssm-edge-model.json, in botocore's format) merged in, and their paginators.

`Model` is that merged model plus the questions the generators ask of it (which shapes
an operation reaches, what a shape's type is called, which errors are declared); the
generators (gen_model.py for Rust, gen_ts.py for JavaScript) only write it out.
"""

import glob
import gzip
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The one list of operations: everything that names them (the Rust enum and
# `for_each_operation!`, the JavaScript client's methods, the TypeScript types) is
# generated from it. Adding an operation is one line here.
OPERATIONS = [
    "SendCommand",
    "ListCommands",
    "ListCommandInvocations",
    "GetCommandInvocation",
    "CancelCommand",
    "DescribeInstanceInformation",
    "DescribeDocument",
    "ListDocuments",
    "GetDocument",
    "ListTagsForResource",
]

# CloudWatch Logs' operations that read a command's output (the SSM agent streams it
# there), from botocore's `logs` model: merged by `merge_logs_model`, after SSM's.
LOGS_OPERATIONS = [
    "GetLogEvents",
    "DescribeLogStreams",
]
# Logs' shapes whose names SSM's model already gives another shape, and Logs' output
# shapes (`…Response`) renamed as SSM names them (`…Result`, read by `type_name`).
LOGS_RENAMES = {
    "NextToken": "LogsNextToken",
    "GetLogEventsResponse": "GetLogEventsResult",
    "DescribeLogStreamsResponse": "DescribeLogStreamsResult",
}


# The gateway's own operations, in botocore's format (merged into the model by `load`).
EDGE_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ssm-edge-model.json")


# Error codes the core knows beyond those the operations declare (`Model.declared_errors`):
# the codes that auth refusals, clock skew, throttling and transient failures arrive with,
# as botocore's standard retry mode and the AWS SDKs list them. Each is
# (code, classes, package class, what it means). `classes` name the sets the core sorts
# codes by (decode/codes.rs): "auth" (refused before the service acted), "skew" (a possible
# clock-skew refusal), "credentials" (the credentials themselves are expired or unknown:
# new ones may succeed), "throttling", "transient" (retried by botocore's standard mode).
# `package class`: the npm package has an `errors.<code>` class (codes SSM and its front
# ends answer; the others still arrive as an SsmServiceException named by the code).
# Adding a code is one line here: the Rust enum, the sets, model.js and model.d.ts follow.
COMMON_ERRORS = [
    ("UnrecognizedClientException", {"auth", "credentials"}, True, "Auth: the access key id is not known."),
    ("InvalidSignatureException", {"auth", "skew"}, True, "Auth: the signature does not match (awsJson services)."),
    ("SignatureDoesNotMatch", {"auth", "skew"}, True, "Auth: the signature does not match (query/XML front ends)."),
    ("IncompleteSignatureException", {"auth"}, True, "Auth: the Authorization header is malformed."),
    ("IncompleteSignature", {"auth"}, False, "Auth: the Authorization header is malformed (query/XML front ends)."),
    ("InvalidClientTokenId", {"auth", "credentials"}, True, "Auth: the access key id or session token is not valid."),
    ("ExpiredTokenException", {"auth", "credentials"}, True, "Auth: the session token has expired."),
    ("ExpiredToken", {"auth", "credentials"}, False, "Auth: the session token has expired (query/XML front ends)."),
    ("MissingAuthenticationTokenException", {"auth"}, False, "Auth: no credentials were sent."),
    ("MissingAuthenticationToken", {"auth"}, False, "Auth: no credentials were sent (query/XML front ends)."),
    ("AccessDeniedException", {"auth"}, True, "Auth: the caller may not perform this action."),
    ("AuthFailure", {"auth", "skew"}, False, "Auth: generic authentication failure."),
    ("RequestExpired", {"auth", "skew"}, True, "Skew: the request's time is too far from the server's."),
    ("RequestTimeTooSkewed", {"auth", "skew"}, False, "Skew: the request's time is too far from the server's (S3 style)."),
    ("RequestInTheFuture", {"auth", "skew"}, False, "Skew: the request's time is in the future."),
    ("Throttling", {"throttling"}, False, "Throttling."),
    ("ThrottlingException", {"throttling"}, True, "Throttling (the code SSM answers)."),
    ("ThrottledException", {"throttling"}, False, "Throttling."),
    ("RequestThrottledException", {"throttling"}, False, "Throttling."),
    ("TooManyRequestsException", {"throttling"}, False, "Throttling."),
    ("ProvisionedThroughputExceededException", {"throttling"}, False, "Throttling."),
    ("TransactionInProgressException", {"throttling"}, False, "Throttling."),
    ("RequestLimitExceeded", {"throttling"}, False, "Throttling."),
    ("BandwidthLimitExceeded", {"throttling"}, False, "Throttling."),
    ("LimitExceededException", {"throttling"}, False, "Throttling."),
    ("RequestThrottled", {"throttling"}, False, "Throttling."),
    ("SlowDown", {"throttling"}, False, "Throttling."),
    ("PriorRequestNotComplete", {"throttling", "transient"}, False, "Throttling and transient: an earlier request is still being processed."),
    ("EC2ThrottledException", {"throttling"}, False, "Throttling."),
    ("RequestTimeout", {"transient"}, False, "Transient: the request timed out on the server side."),
    ("RequestTimeoutException", {"transient"}, False, "Transient: the request timed out on the server side."),
    ("InternalFailure", set(), False, "The service failed (generic 5xx code)."),
    ("ServiceUnavailable", set(), False, "The service is unavailable."),
    ("ValidationException", set(), True, "The input broke a server-side constraint."),
    ("UnknownOperationException", set(), False, "The `X-Amz-Target` names no operation."),
    ("SerializationException", set(), False, "The body could not be read as the operation's input."),
]


# Patterns with a hand-written matcher in core/src/validate/patterns.rs, by shape: the
# `Pattern` variant, and what the pattern asks for in words (the messages of a broken
# pattern in Rust, `pattern_hint` in validate/shapes.rs, and in JavaScript, PATTERN_HINTS
# in model.js).
PATTERN_VARIANTS = {
    "AlarmName": ("AlarmName", "a name that is not only whitespace"),
    "DocumentARN": ("DocumentArn", "a document name or ARN of 3 to 128 letters, digits and _ - . : /"),
    "DocumentVersion": ("DocumentVersion", "$LATEST, $DEFAULT or a version number such as 3"),
    "DocumentVersionName": ("DocumentVersionName", "1 to 128 letters, digits and _ - ."),
    "InstanceId": ("InstanceId", "an instance id such as i-0123456789abcdef0 or mi-0123456789abcdef0"),
    "MaxConcurrency": ("MaxConcurrency", "a number of targets such as 10, or a percentage from 1% to 100%"),
    "MaxErrors": ("MaxErrors", "a number of errors such as 0, or a percentage from 0% to 100%"),
    "TargetKey": ("TargetKey", "letters, digits, spaces and _ . : / = - @"),
    "ApprovalId": ("ApprovalId", "an approval id as ApprovalRequiredException gave it (a UUID)"),
    "ApprovalReason": ("ApprovalReason", "one line of text, without control characters"),
    "LogGroupName": ("LogGroupName", "letters, digits and . - _ / #"),
    # These two match every value (a starred class, unanchored: the empty match).
    "LogGroupIdentifier": ("LogGroupIdentifier", "any text"),
    "LogStreamName": ("LogStreamName", "any text"),
}


def method_name(op):
    """The client's method for an operation (`sendCommand`)."""
    return op[0].lower() + op[1:]


def find_model(name, service="ssm", version="2014-11-06"):
    pattern = os.path.join(
        ROOT, ".venv", "lib", "python*", "site-packages", "botocore", "data", service, version, name
    )
    hits = glob.glob(pattern)
    if not hits:
        sys.exit(f"codegen: {name} not found under .venv (run `make setup`)")
    return hits[0]


def botocore_version():
    hits = glob.glob(os.path.join(ROOT, ".venv", "lib", "python*", "site-packages", "botocore", "__init__.py"))
    for line in open(hits[0]) if hits else []:
        if line.startswith("__version__"):
            return line.split("=")[1].strip().strip("'\"")
    return "unknown"


class Model:
    """SSM's model with Logs' and the gateway's operations merged in (see the module)."""

    def __init__(self, ssm_path, logs_path):
        raw = json.load(gzip.open(ssm_path))
        merge_logs_model(raw, json.load(gzip.open(logs_path)))
        edge = merge_edge_model(raw)
        self.raw = raw
        self.shapes = raw["shapes"]
        self.edge_operations = edge
        # Every operation the core knows: SSM's, CloudWatch Logs', then the gateway's.
        self.operations = OPERATIONS + LOGS_OPERATIONS + edge
        self.op_io = set()
        for op in self.operations:
            o = raw["operations"][op]
            self.op_io.add(o["input"]["shape"])
            self.op_io.add(o["output"]["shape"])
        self.paginators = json.load(open(os.path.join(os.path.dirname(ssm_path), "paginators-1.json")))["pagination"]
        logs_pages = json.load(open(os.path.join(os.path.dirname(logs_path), "paginators-1.json")))["pagination"]
        self.paginators.update({op: logs_pages[op] for op in LOGS_OPERATIONS if op in logs_pages})

    def operation(self, op):
        return self.raw["operations"][op]

    def type_name(self, shape):
        """A shape's type name: operation inputs and outputs as `…Input` and `…Output`."""
        for suffix, repl in (("Request", "Input"), ("Result", "Output")):
            if shape in self.op_io and shape.endswith(suffix):
                return shape[: -len(suffix)] + repl
        return shape

    def target_prefix(self, op):
        return self.operation(op).get("targetPrefix", self.raw["metadata"]["targetPrefix"])

    def reachable(self, roots):
        """The shapes reachable from `roots`, in first-reached order."""
        seen = []

        def walk(n):
            if n in seen:
                return
            seen.append(n)
            s = self.shapes[n]
            for v in s.get("members", {}).values():
                walk(v["shape"])
            if "member" in s:
                walk(s["member"]["shape"])
            if "key" in s:
                walk(s["key"]["shape"])
                walk(s["value"]["shape"])

        for r in roots:
            walk(r)
        return seen

    def declared_errors(self):
        """The error codes the operations declare, in first-declared order."""
        errors = []
        for op in self.operations:
            for e in self.operation(op).get("errors", []):
                if e["shape"] not in errors:
                    errors.append(e["shape"])
        return errors


def merge_logs_model(model, logs):
    """Adds CloudWatch Logs' LOGS_OPERATIONS and the shapes they reach (renamed by
    LOGS_RENAMES); any other shape of the same name as one of SSM's must be SSM's
    (an error shape: the name is the code), or this stops."""
    def renamed(node):
        if isinstance(node, dict):
            return {k: (LOGS_RENAMES.get(v, v) if k == "shape" else renamed(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [renamed(v) for v in node]
        return node

    shapes = logs["shapes"]
    wanted, todo = [], []
    for op in LOGS_OPERATIONS:
        o = logs["operations"][op]
        todo += [o["input"]["shape"], o["output"]["shape"]] + [e["shape"] for e in o.get("errors", [])]
    while todo:
        n = todo.pop()
        if n in wanted:
            continue
        wanted.append(n)
        s = shapes[n]
        todo += [m["shape"] for m in s.get("members", {}).values()]
        todo += [s[k]["shape"] for k in ("member", "key", "value") if k in s]
    for n in wanted:
        name, shape = LOGS_RENAMES.get(n, n), renamed(shapes[n])
        if name in model["shapes"]:
            if not shape.get("exception") or not model["shapes"][name].get("exception"):
                raise SystemExit(f"codegen: Logs' shape {n} clashes with SSM's: add it to LOGS_RENAMES")
            continue
        model["shapes"][name] = shape
    for op in LOGS_OPERATIONS:
        o = renamed(logs["operations"][op])
        o["targetPrefix"] = logs["metadata"]["targetPrefix"]
        o["service"] = "Logs"
        model["operations"][op] = o


def merge_edge_model(model):
    """Adds the gateway's operations and shapes (a shape may not redefine one of SSM's);
    returns the operations' names in the file's order."""
    edge = json.load(open(EDGE_MODEL))
    names = []
    for name, shape in edge["shapes"].items():
        if name in model["shapes"] and model["shapes"][name] != shape:
            raise SystemExit(f"codegen: ssm-edge-model.json redefines SSM's shape {name}")
        model["shapes"][name] = shape
    for name, op in edge["operations"].items():
        if name in model["operations"]:
            raise SystemExit(f"codegen: ssm-edge-model.json redefines SSM's operation {name}")
        op["targetPrefix"] = edge["metadata"]["targetPrefix"]
        model["operations"][name] = op
        names.append(name)
    for op, codes in edge.get("extraErrors", {}).items():
        model["operations"][op].setdefault("errors", []).extend({"shape": c} for c in codes)
    return names
