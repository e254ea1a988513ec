#!/usr/bin/env python3
"""Generate the model, the operation list and the validation tables from botocore's SSM model.

The service model (botocore/data/ssm/2014-11-06/service-2.json.gz) is the reference
for every name, type and constraint. The gateway's own operations (`SsmEdge.*`, the
approval API) are described in the same format in ssm-edge-model.json beside this
script and merged in, so the core, the package and the gateway share them as well. This script turns the shapes reachable from the
Run Command operations into serde types (model/generated.rs, the `model` feature),
the operations into model/operations.rs (with `for_each_operation!`), and the input
shapes' constraints (required, length, pattern, range, list size, enum) into tables
(validate/shapes.rs) that one walker reads; plus the package's model.js and model.d.ts.

    python3 core/codegen/gen_model.py            # rewrite the file
    python3 core/codegen/gen_model.py --check    # fail if the file is stale (make test)

It needs only the standard library plus the botocore data file; pass --model PATH
or let it find botocore in the project venv.
"""

import argparse
import glob
import gzip
import html
import json
import os
import re
import sys

from emit import rustfmt, write_or_check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "core", "src", "model", "generated.rs")
OPS_OUT = os.path.join(ROOT, "core", "src", "model", "operations.rs")
SHAPES_OUT = os.path.join(ROOT, "core", "src", "validate", "shapes.rs")
TS_OUT = os.path.join(ROOT, "wasm", "js", "model.d.ts")
JS_OUT = os.path.join(ROOT, "wasm", "js", "model.js")

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
EDGE_OPERATIONS = []  # filled by `load`, in the file's order
# Every operation the core knows: SSM's, CloudWatch Logs', then the gateway's.
ALL_OPERATIONS = []


def method_name(op):
    return op[0].lower() + op[1:]

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

RUST_KEYWORDS = {"type", "match", "ref", "self", "move", "loop", "where", "use", "mod", "fn"}


def find_model(name, service="ssm", version="2014-11-06"):
    pattern = os.path.join(
        ROOT, ".venv", "lib", "python*", "site-packages", "botocore", "data", service, version, name
    )
    hits = glob.glob(pattern)
    if not hits:
        sys.exit(f"gen_model: {name} not found under .venv (run `make setup`)")
    return hits[0]


def botocore_version():
    hits = glob.glob(os.path.join(ROOT, ".venv", "lib", "python*", "site-packages", "botocore", "__init__.py"))
    for line in open(hits[0]) if hits else []:
        if line.startswith("__version__"):
            return line.split("=")[1].strip().strip("'\"")
    return "unknown"


def snake(name):
    out = []
    for i, c in enumerate(name):
        if c.isupper() and i > 0:
            prev = name[i - 1]
            nxt = name[i + 1] if i + 1 < len(name) else ""
            if prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower()):
                out.append("_")
        out.append(c.lower())
    s = "".join(out)
    return f"r#{s}" if s in RUST_KEYWORDS else s


def variant_name(value):
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", value) if p]
    name = "".join(p[0].upper() + p[1:] for p in parts)
    if name.isupper() and len(name) > 1:
        name = name[0] + name[1:].lower()
    if name[0].isdigit():
        name = "V" + name
    if name == "Unknown":  # the catch-all `Unknown(String)` owns that name
        name = "UnknownValue"
    return name


def type_name(shape):
    for suffix, repl in (("Request", "Input"), ("Result", "Output")):
        if shape in OP_IO and shape.endswith(suffix):
            return shape[: -len(suffix)] + repl
    return shape


def doc_line(text, fallback):
    """First sentence of the model's HTML documentation, as one safe rustdoc line."""
    if not text:
        return fallback
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    text = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    if m:
        text = m.group(1)
    if len(text) > 220:
        text = text[:217].rsplit(" ", 1)[0] + "..."
    for a, b in (("\\", "\\\\"), ("[", "\\["), ("]", "\\]"), ("<", "&lt;"), (">", "&gt;"), ("`", "'"), ("*", "\\*"), ("_", "\\_")):
        text = text.replace(a, b)
    if text.startswith(("#", "-", "+", "1.", "|", "=")):
        text = "\\" + text
    return text or fallback


def load(model_path, logs_path):
    global S, OP_IO
    model = json.load(gzip.open(model_path))
    merge_logs_model(model, json.load(gzip.open(logs_path)))
    merge_edge_model(model)
    S = model["shapes"]
    OP_IO = set()
    for op in ALL_OPERATIONS:
        o = model["operations"][op]
        OP_IO.add(o["input"]["shape"])
        OP_IO.add(o["output"]["shape"])
    return model


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
                raise SystemExit(f"gen_model: Logs' shape {n} clashes with SSM's: add it to LOGS_RENAMES")
            continue
        model["shapes"][name] = shape
    for op in LOGS_OPERATIONS:
        o = renamed(logs["operations"][op])
        o["targetPrefix"] = logs["metadata"]["targetPrefix"]
        o["service"] = "Logs"
        model["operations"][op] = o


def merge_edge_model(model):
    """Adds the gateway's operations and shapes; a shape may not redefine one of SSM's."""
    edge = json.load(open(EDGE_MODEL))
    for name, shape in edge["shapes"].items():
        if name in model["shapes"] and model["shapes"][name] != shape:
            raise SystemExit(f"gen_model: ssm-edge-model.json redefines SSM's shape {name}")
        model["shapes"][name] = shape
    for name, op in edge["operations"].items():
        if name in model["operations"]:
            raise SystemExit(f"gen_model: ssm-edge-model.json redefines SSM's operation {name}")
        op["targetPrefix"] = edge["metadata"]["targetPrefix"]
        model["operations"][name] = op
        EDGE_OPERATIONS.append(name)
    for op, codes in edge.get("extraErrors", {}).items():
        model["operations"][op].setdefault("errors", []).extend({"shape": c} for c in codes)
    ALL_OPERATIONS[:] = OPERATIONS + LOGS_OPERATIONS + EDGE_OPERATIONS


def target_prefix(model, op):
    return model["operations"][op].get("targetPrefix", model["metadata"]["targetPrefix"])


def reachable(roots):
    seen = []

    def walk(n):
        if n in seen:
            return
        seen.append(n)
        s = S[n]
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


def rust_type(n):
    s = S[n]
    t = s["type"]
    if t == "string":
        base = n if "enum" in s else "String"
    elif t == "integer":
        base = "i32"
    elif t == "long":
        base = "i64"
    elif t == "boolean":
        base = "bool"
    elif t == "timestamp":
        base = "EpochSeconds"
    elif t == "list":
        base = f"Vec<{rust_type(s['member']['shape'])}>"
    elif t == "map":
        base = f"BTreeMap<{rust_type(s['key']['shape'])}, {rust_type(s['value']['shape'])}>"
    elif t == "structure":
        base = type_name(n)
    else:
        raise SystemExit(f"gen_model: unsupported shape type {t} ({n})")
    if s.get("sensitive"):
        base = f"Sensitive<{base}>"
    return base


def const_name(n):
    """The `static` holding shape n's table in validate/shapes.rs."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", n).upper()


def bounds(s):
    return f"Bounds {{ min: {opt(s.get('min'))}, max: {opt(s.get('max'))} }}"


def shape_expr(n):
    """The table entry of input shape n: constraints as data, read by validate/walk.rs."""
    s = S[n]
    t = s["type"]
    if t == "string":
        pattern = "None"
        if "pattern" in s:
            variant = PATTERN_VARIANTS.get(n, (None,))[0]
            if variant is None:
                raise SystemExit(f"gen_model: input shape {n} has pattern {s['pattern']!r} and no matcher")
            pattern = f"Some(Pattern::{variant})"
        allowed = "&[" + ", ".join(json.dumps(v) for v in s.get("enum", [])) + "]"
        return f"Shape::String(&Text {{ length: {bounds(s)}, pattern: {pattern}, allowed: {allowed} }})"
    if t == "integer":
        return f"Shape::Integer({bounds(s)})"
    if t == "long":
        return f"Shape::Long({bounds(s)})"
    if t == "boolean":
        return "Shape::Boolean"
    if t == "list":
        return f"Shape::List({bounds(s)}, &{const_name(s['member']['shape'])})"
    if t == "map":
        return f"Shape::Map({bounds(s)}, &{const_name(s['value']['shape'])})"
    if t == "structure":
        required = set(s.get("required", []))
        members = ", ".join(
            f'Member {{ name: "{m}", shape: &{const_name(v["shape"])}, required: {"true" if m in required else "false"} }}'
            for m, v in s["members"].items()
        )
        return f"Shape::Struct(&[{members}])"
    raise SystemExit(f"gen_model: no table entry for input shape {n} of type {t}")


def generate_shapes(model, version):
    inputs = [model["operations"][o]["input"]["shape"] for o in ALL_OPERATIONS]
    lines = [
        "// @generated by core/codegen/gen_model.py from botocore %s's SSM service model" % version,
        "// (service-2.json, API version %s) and ssm-edge-model.json. Do not edit: change the generator and rerun it." % model["metadata"]["apiVersion"],
        "",
        "//! The input shapes of the operations as data: names, types, required members,",
        "//! lengths, ranges, list sizes, patterns and enum values, read by [`super::walk`].",
        "",
        "use super::shape::{Bounds, Member, Shape, Text};",
        "use super::Pattern;",
        "use crate::model::OperationName;",
        "",
    ]
    for n in reachable(inputs):
        doc = f"Input of `{n[:-7]}`." if n in inputs else f"The model shape `{n}`."
        lines.append(f"/// {doc}")
        lines.append(f"pub static {const_name(n)}: Shape = {shape_expr(n)};")
    lines.append("")
    lines.append("/// The values of the model's `CommandStatus` (the `Status` command filter takes them).")
    lines.append("pub static COMMAND_STATUS: &[&str] = &[" + ", ".join(json.dumps(v) for v in S["CommandStatus"]["enum"]) + "];")
    lines.append("")
    lines.append("/// What each pattern asks for, in words (the message of a value that breaks it).")
    lines.append("#[must_use]")
    lines.append("pub fn pattern_hint(pattern: Pattern) -> &'static str {")
    lines.append("    match pattern {")
    for variant, hint in PATTERN_VARIANTS.values():
        lines.append(f"        Pattern::{variant} => {json.dumps(hint)},")
    lines.append("    }")
    lines.append("}")
    lines.append("")
    lines.append("/// The input shape of `operation`.")
    lines.append("#[must_use]")
    lines.append("pub fn input(operation: OperationName) -> &'static Shape {")
    lines.append("    match operation {")
    for op in ALL_OPERATIONS:
        lines.append(f"        OperationName::{op} => &{const_name(model['operations'][op]['input']['shape'])},")
    lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def conv_path_plain(n):
    """The function that builds a plain (non-container, non-enum) shape n from a `&Value`."""
    return {
        "integer": "json::integer",
        "long": "json::long",
        "boolean": "json::boolean",
        "string": "json::string",
        "structure": f"{type_name(n)}::from_checked_json",
    }[S[n]["type"]]


def conv_apply(n, var):
    """An expression that builds shape n from `var`, a `&Value` the schema accepted."""
    s = S[n]
    t = s["type"]
    if t == "string" and "enum" in s:
        e = f"{n}::from(json::str_of({var}))"
    elif t == "list":
        e = f"json::list({var}, {conv_expr(s['member']['shape'])})"
    elif t == "map":
        e = f"json::map({var}, {conv_expr(s['value']['shape'])})"
    elif t in ("string", "integer", "long", "boolean", "structure"):
        e = f"{conv_path_plain(n)}({var})"
    else:
        raise SystemExit(f"gen_model: no JSON conversion for input shape {n} of type {t}")
    return f"Sensitive({e})" if s.get("sensitive") else e


def conv_expr(n):
    """A callable taking a checked `&Value` that builds shape n."""
    s = S[n]
    plain = not s.get("sensitive") and s["type"] in ("string", "integer", "long", "boolean", "structure") and "enum" not in s
    return conv_path_plain(n) if plain else f"|v: &Value| {conv_apply(n, 'v')}"


def opt(v):
    return f"Some({v})" if v is not None else "None"


def generate(model, version):
    inputs = [model["operations"][o]["input"]["shape"] for o in ALL_OPERATIONS]
    outputs = [model["operations"][o]["output"]["shape"] for o in ALL_OPERATIONS]
    input_shapes = set(reachable(inputs))
    all_shapes = reachable(inputs + outputs)
    lines = []
    w = lines.append
    w("// @generated by core/codegen/gen_model.py from botocore %s's SSM service model" % version)
    w("// (service-2.json, API version %s) and ssm-edge-model.json. Do not edit: change the generator and rerun it." % model["metadata"]["apiVersion"])
    w("")
    w("use alloc::collections::BTreeMap;")
    w("use alloc::string::String;")
    w("use alloc::vec::Vec;")
    w("use serde::{Deserialize, Serialize};")
    w("")
    w("use super::{EpochSeconds, Operation, OperationName, Sensitive};")
    w("use crate::json::Value;")
    w("")
    w("use crate::validate::{json, shapes, Schema, Shape, Validate};")
    w("")

    # Enums.
    for n in sorted(all_shapes):
        s = S[n]
        if s["type"] == "string" and "enum" in s:
            w(f"string_enum! {{")
            w(f"    /// {doc_line(s.get('documentation'), f'Values of the model shape `{n}`.')}")
            w(f"    {n} {{")
            for value in s["enum"]:
                w(f"        /// `{value}`")
                w(f"        {variant_name(value)} => {json.dumps(value)},")
            w("    }")
            w("}")
            w("")

    # Structures.
    for n in all_shapes:
        s = S[n]
        if s["type"] != "structure" or s.get("exception"):
            continue
        tn = type_name(n)
        if n in OP_IO:
            fallback = f"{'Input' if n.endswith('Request') else 'Output'} of the `{n[:-7] if n.endswith('Request') else n[:-6]}` operation."
        else:
            fallback = f"The model structure `{n}`."
        doc = doc_line(s.get("documentation"), fallback) if n not in OP_IO else fallback
        w(f"/// {doc}")
        w("#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]")
        w(f"pub struct {tn} {{")
        required = set(s.get("required", []))
        for mname, m in s["members"].items():
            mdoc = doc_line(m.get("documentation") or S[m["shape"]].get("documentation"), f"`{mname}`.")
            if mname in required:
                mdoc += " Required."
            w(f"    /// {mdoc}")
            w(f'    #[serde(rename = "{mname}", default, skip_serializing_if = "Option::is_none")]')
            w(f"    pub {snake(mname)}: Option<{rust_type(m['shape'])}>,")
        w("}")
        w("")
        if n in input_shapes:
            w(f"impl Schema for {tn} {{")
            w(f"    const SHAPE: &'static Shape = &shapes::{const_name(n)};")
            w("")
            w("    fn from_checked_json(value: &Value) -> Self {")
            w(f"        {tn} {{")
            for mname, m in s["members"].items():
                w(f'            {snake(mname)}: json::member(value, "{mname}").map({conv_expr(m["shape"])}),')
            w("        }")
            w("    }")
            w("}")
            w("")
    for op in ALL_OPERATIONS:
        o = model["operations"][op]
        w(f"/// Marker type for the `{op}` operation.")
        w("#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]")
        w(f"pub struct {op};")
        w("")
        w(f"impl Operation for {op} {{")
        w(f"    const NAME: OperationName = OperationName::{op};")
        w(f"    type Input = {type_name(o['input']['shape'])};")
        w(f"    type Output = {type_name(o['output']['shape'])};")
        w("}")
        w("")
        w(f"impl Validate for {type_name(o['input']['shape'])} {{")
        w(f"    const OPERATION: OperationName = OperationName::{op};")
        w("}")
        w("")
    return "\n".join(lines) + "\n"


def generate_operations(model, version):
    """model/operations.rs: the operations by name, and `for_each_operation!`, without serde."""
    lines = []
    w = lines.append
    w("// @generated by core/codegen/gen_model.py from botocore %s's SSM service model" % version)
    w("// (service-2.json, API version %s) and ssm-edge-model.json. Do not edit: change the generator and rerun it." % model["metadata"]["apiVersion"])
    w("")
    # Operations.
    w("use crate::endpoint::Service;")
    w("")
    w("/// The operations this crate models, by name: SSM's Run Command operations, CloudWatch")
    w("/// Logs' for command output, then the gateway's own (`SsmEdge.*`, the approval API).")
    w("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]")
    w("pub enum OperationName {")
    for op in ALL_OPERATIONS:
        w(f"    /// `{op}`: {doc_line(model['operations'][op].get('documentation'), op)}")
        w(f"    {op},")
    w("}")
    w("")
    w("impl OperationName {")
    w("    /// Every modelled operation.")
    w("    pub const ALL: &'static [OperationName] = &[")
    for op in ALL_OPERATIONS:
        w(f"        OperationName::{op},")
    w("    ];")
    w("")
    w("    /// SSM's operations: the ones AWS serves (and a gateway forwards), `ALL`'s first.")
    w(f"    pub const SSM: &'static [OperationName] = Self::ALL.split_at({len(OPERATIONS)}).0;")
    w("")
    w("    /// CloudWatch Logs' operations (reading command output), after SSM's in `ALL`.")
    w(f"    pub const LOGS: &'static [OperationName] = Self::ALL.split_at({len(OPERATIONS) + len(LOGS_OPERATIONS)}).0.split_at({len(OPERATIONS)}).1;")
    w("")
    w("    /// The service that serves it (the gateway's own operations are called as SSM's).")
    w("    #[must_use]")
    w("    pub const fn service(self) -> Service {")
    w("        match self {")
    w("            " + " | ".join(f"OperationName::{op}" for op in LOGS_OPERATIONS) + " => Service::Logs,")
    w("            _ => Service::Ssm,")
    w("        }")
    w("    }")
    w("")
    w("    /// The operation's name on the wire (the part after the prefix in `X-Amz-Target`).")
    w("    #[must_use]")
    w("    pub const fn as_str(self) -> &'static str {")
    w("        match self {")
    for op in ALL_OPERATIONS:
        w(f'            OperationName::{op} => "{op}",')
    w("        }")
    w("    }")
    w("")
    w("    /// Its `X-Amz-Target` header: `AmazonSSM.SendCommand`, `SsmEdge.ApproveCommand`.")
    w("    #[must_use]")
    w("    pub const fn target(self) -> &'static str {")
    w("        match self {")
    for op in ALL_OPERATIONS:
        w(f'            OperationName::{op} => "{target_prefix(model, op)}.{op}",')
    w("        }")
    w("    }")
    w("")
    w("    /// Whether the gateway answers it itself (`SsmEdge.*`): AWS does not know it.")
    w("    #[must_use]")
    w("    pub const fn is_gateway_own(self) -> bool {")
    if EDGE_OPERATIONS:
        w("        matches!(self, " + " | ".join(f"OperationName::{op}" for op in EDGE_OPERATIONS) + ")")
    else:
        w("        false")
    w("    }")
    w("")
    w("    /// The operation called `name`, if it is one of the modelled ones.")
    w("    #[must_use]")
    w("    pub fn from_name(name: &str) -> Option<OperationName> {")
    w("        match name {")
    for op in ALL_OPERATIONS:
        w(f'            "{op}" => Some(OperationName::{op}),')
    w("            _ => None,")
    w("        }")
    w("    }")
    w("")
    w("    /// The operation an `X-Amz-Target` value names, exactly as [`Self::target`] spells it.")
    w("    #[must_use]")
    w("    pub fn from_target(target: &str) -> Option<OperationName> {")
    w("        match target {")
    for op in ALL_OPERATIONS:
        w(f'            "{target_prefix(model, op)}.{op}" => Some(OperationName::{op}),')
    w("            _ => None,")
    w("        }")
    w("    }")
    w("")
    w("    /// The error codes the service model declares for this operation.")
    w("    #[must_use]")
    w("    pub const fn declared_errors(self) -> &'static [&'static str] {")
    w("        match self {")
    for op in ALL_OPERATIONS:
        errs = ", ".join(json.dumps(e["shape"]) for e in model["operations"][op].get("errors", []))
        w(f"            OperationName::{op} => &[{errs}],")
    w("        }")
    w("    }")
    w("")
    w("    /// Pagination, for the operations the model marks pageable.")
    w("    #[must_use]")
    w("    pub const fn pagination(self) -> Option<Pagination> {")
    w("        match self {")
    for op in ALL_OPERATIONS:
        p = PAGINATORS.get(op)
        if p:
            w(f"            OperationName::{op} => Some(Pagination {{")
            w(f'                input_token: "{p["input_token"]}",')
            w(f'                output_token: "{p["output_token"]}",')
            w(f'                limit_key: "{p["limit_key"]}",')
            w(f'                result_key: "{p["result_key"]}",')
            w("            }),")
    w("            _ => None,")
    w("        }")
    w("    }")
    w("}")
    w("")
    w("/// How a pageable operation pages, from the model's paginators file.")
    w("#[derive(Clone, Copy, Debug, PartialEq, Eq)]")
    w("pub struct Pagination {")
    w("    /// Input member that takes the token of the next page.")
    w("    pub input_token: &'static str,")
    w("    /// Output member that carries the token of the next page.")
    w("    pub output_token: &'static str,")
    w("    /// Input member that limits the page size.")
    w("    pub limit_key: &'static str,")
    w("    /// Output member that holds the page's items.")
    w("    pub result_key: &'static str,")
    w("}")
    w("")
    w("/// Calls `$callback!` with every SSM operation (not the gateway's own) as")
    w("/// `(Name, jsMethodName)`, so code that needs one item per operation AWS serves is")
    w("/// written once and never lists them by hand.")
    w("#[macro_export]")
    w("macro_rules! for_each_operation {")
    w("    ($callback:ident) => {")
    w("        $callback! {")
    for op in OPERATIONS:
        w(f"            ({op}, {method_name(op)}),")
    w("        }")
    w("    };")
    w("}")
    return "\n".join(lines) + "\n"


def ts_type(n, for_input):
    s = S[n]
    t = s["type"]
    if t == "string":
        if "enum" in s:
            return n
        return "string"
    if t in ("integer", "long"):
        return "number"
    if t == "boolean":
        return "boolean"
    if t == "timestamp":
        return "Date"
    if t == "list":
        return f"{ts_type(s['member']['shape'], for_input)}[]"
    if t == "map":
        return f"Record<string, {ts_type(s['value']['shape'], for_input)}>"
    if t == "structure":
        return type_name(n)
    raise SystemExit(f"gen_model: no TypeScript type for {t}")


def ts_doc(text, fallback):
    line = doc_line(text, fallback)
    return line.replace("*/", "*\\/")


def generate_ts(model, version):
    inputs = [model["operations"][o]["input"]["shape"] for o in ALL_OPERATIONS]
    outputs = [model["operations"][o]["output"]["shape"] for o in ALL_OPERATIONS]
    input_shapes = set(reachable(inputs))
    all_shapes = reachable(inputs + outputs)
    out = []
    w = out.append
    w(f"// @generated by core/codegen/gen_model.py from botocore {version}'s SSM service model.")
    w("// Do not edit: change the generator and rerun it.")
    w("")
    for n in sorted(all_shapes):
        s = S[n]
        if s["type"] == "string" and "enum" in s:
            values = " | ".join(json.dumps(v) for v in s["enum"])
            w(f"/** {ts_doc(s.get('documentation'), f'Values of {n}.')} */")
            w(f"export type {n} = {values};")
    w("")
    for n in all_shapes:
        s = S[n]
        if s["type"] != "structure" or s.get("exception"):
            continue
        # Required members are required in inputs; outputs promise nothing.
        required = set(s.get("required", [])) if n in input_shapes and n not in outputs else set()
        doc = ts_doc(s.get("documentation"), f"The model structure {n}.") if n not in OP_IO else (
            f"Input of {n[:-7]}." if n.endswith("Request") else f"Output of {n[:-6]}.")
        w(f"/** {doc} */")
        w(f"export interface {type_name(n)} {{")
        for mname, m in s["members"].items():
            w(f"  /** {ts_doc(m.get('documentation') or S[m['shape']].get('documentation'), mname)} */")
            opt = "" if mname in required else "?"
            w(f"  {mname}{opt}: {ts_type(m['shape'], n in input_shapes)};")
        w("}")
        w("")
    w("/** The operations, by name. */")
    w("export type OperationName = " + " | ".join(json.dumps(o) for o in OPERATIONS) + ";")
    w("")
    w("/** Input type of each operation. */")
    w("export interface OperationInputs {")
    for op in ALL_OPERATIONS:
        w(f"  {op}: {type_name(model['operations'][op]['input']['shape'])};")
    w("}")
    w("")
    w("/** Output type of each operation. */")
    w("export interface OperationOutputs {")
    for op in ALL_OPERATIONS:
        w(f"  {op}: {type_name(model['operations'][op]['output']['shape'])};")
    w("}")
    w("")
    w("/** The client's method for each operation (input optional where nothing is required). */")
    w("export interface OperationMethods<CallOptions> {")
    for op in ALL_OPERATIONS:
        o = model["operations"][op]
        inp = o["input"]["shape"]
        optional = "" if S[inp].get("required") else "?"
        w(f"  {method_name(op)}(input{optional}: {type_name(inp)}, options?: CallOptions): Promise<{type_name(o['output']['shape'])}>;")
    w("}")
    w("")
    w("/** The client's async iterator over every page, for each pageable operation. */")
    w("export interface PaginatorMethods<CallOptions> {")
    for op in ALL_OPERATIONS:
        if op in PAGINATORS:
            o = model["operations"][op]
            w(f"  paginate{op}(input?: {type_name(o['input']['shape'])}, options?: CallOptions): AsyncGenerator<{type_name(o['output']['shape'])}, void>;")
    w("}")
    w("")
    w("/** The error codes the model declares for the operations (each has a class in `errors`). */")
    w("export type DeclaredErrorCode = " + " | ".join(json.dumps(e) for e in declared_errors(model)) + ";")
    ts = "\n".join(out) + "\n"

    timestamps = sorted({k for n in all_shapes for k, v in S[n].get("members", {}).items() if S[v["shape"]]["type"] == "timestamp"})
    clash = sorted({k for n in all_shapes for k, v in S[n].get("members", {}).items() if k in timestamps and S[v["shape"]]["type"] != "timestamp"})
    if clash:
        raise SystemExit(f"gen_model: members are timestamps in one shape and not in another: {clash}")
    errors = declared_errors(model)
    js = [
        f"// @generated by core/codegen/gen_model.py from botocore {version}'s SSM service model.",
        "// Do not edit: change the generator and rerun it.",
        "",
        "/** Output members the model types as timestamps (epoch seconds on the wire, Date here). */",
        "export const TIMESTAMP_MEMBERS = new Set(" + json.dumps(timestamps) + ");",
        "",
        "/** Error codes the model declares for the operations. */",
        "export const DECLARED_ERRORS = " + json.dumps(errors) + ";",
        "",
        "/** Every operation: its name on the wire and the client method that calls it. */",
        "export const OPERATIONS = " + json.dumps([[op, method_name(op)] for op in ALL_OPERATIONS]) + ";",
        "",
        "/** The pageable operations: [operation, client method, input token, output token]. */",
        "export const PAGINATORS = " + json.dumps([[op, "paginate" + op, PAGINATORS[op]["input_token"], PAGINATORS[op]["output_token"]] for op in ALL_OPERATIONS if op in PAGINATORS]) + ";",
        "",
        "/** The model's patterns by the name validation problems carry. */",
        "export const PATTERNS = " + json.dumps({v: S[k]["pattern"] for k, (v, _) in PATTERN_VARIANTS.items()}) + ";",
        "",
        "/** What each pattern asks for, in words. */",
        "export const PATTERN_HINTS = " + json.dumps({v: hint for v, hint in PATTERN_VARIANTS.values()}) + ";",
        "",
    ]
    return ts, "\n".join(js)


def declared_errors(model):
    """The error codes the operations declare, in first-declared order."""
    errors = []
    for op in ALL_OPERATIONS:
        for e in model["operations"][op].get("errors", []):
            if e["shape"] not in errors:
                errors.append(e["shape"])
    return errors


def main():
    global PAGINATORS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the generated file is stale")
    ap.add_argument("--model", help="path to service-2.json.gz")
    args = ap.parse_args()
    model_path = args.model or find_model("service-2.json.gz")
    logs_path = find_model("service-2.json.gz", "logs", "2014-03-28")
    model = load(model_path, logs_path)
    PAGINATORS = json.load(open(os.path.join(os.path.dirname(model_path), "paginators-1.json")))["pagination"]
    logs_pages = json.load(open(os.path.join(os.path.dirname(logs_path), "paginators-1.json")))["pagination"]
    PAGINATORS.update({op: logs_pages[op] for op in LOGS_OPERATIONS if op in logs_pages})
    code = generate(model, botocore_version())
    code = rustfmt(code)
    ops = rustfmt(generate_operations(model, botocore_version()))
    shapes = rustfmt(generate_shapes(model, botocore_version()))
    ts, js = generate_ts(model, botocore_version())
    files = [(OUT, code), (OPS_OUT, ops), (SHAPES_OUT, shapes), (TS_OUT, ts), (JS_OUT, js)]
    write_or_check("gen_model", files, args.check, "python3 core/codegen/gen_model.py",
                   "generated files match the service model")

if __name__ == "__main__":
    main()
