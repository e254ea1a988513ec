#!/usr/bin/env python3
"""Generate the model, the operation list and the validation tables from botocore's SSM model.

The service model (botocore/data/ssm/2014-11-06/service-2.json.gz) is the reference
for every name, type and constraint; sources.py merges CloudWatch Logs' output
operations and the gateway's own (`SsmEdge.*`, ssm-edge-model.json) into it, so the
core, the package and the gateway share them as well. This script turns the shapes
reachable from the operations into serde types (model/generated.rs, the `model`
feature), the operations into model/operations.rs (with `for_each_operation!`), and the
input shapes' constraints (required, length, pattern, range, list size, enum) into
tables (validate/shapes.rs) that one walker reads; gen_ts.py writes the package's
model.js and model.d.ts from the same model, in the same run.

    python3 core/codegen/gen_model.py            # rewrite the file
    python3 core/codegen/gen_model.py --check    # fail if the file is stale (make test)

It needs only the standard library plus the botocore data file; pass --model PATH
or let it find botocore in the project venv.
"""

import argparse
import json
import os
import re

from emit import doc_line, rustfmt, write_or_check
from gen_ts import generate_ts
from sources import COMMON_ERRORS, LOGS_OPERATIONS, OPERATIONS, PATTERN_VARIANTS, Model, botocore_version, find_model, method_name

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "core", "src", "model", "generated.rs")
OPS_OUT = os.path.join(ROOT, "core", "src", "model", "operations.rs")
SHAPES_OUT = os.path.join(ROOT, "core", "src", "validate", "shapes.rs")
CODES_OUT = os.path.join(ROOT, "core", "src", "decode", "codes.rs")
TS_OUT = os.path.join(ROOT, "wasm", "js", "model.d.ts")
JS_OUT = os.path.join(ROOT, "wasm", "js", "model.js")

RUST_KEYWORDS = {"type", "match", "ref", "self", "move", "loop", "where", "use", "mod", "fn"}


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


def rust_type(n):
    s = M.shapes[n]
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
        base = M.type_name(n)
    else:
        raise SystemExit(f"gen_model: unsupported shape type {t} ({n})")
    if s.get("sensitive"):
        base = f"Sensitive<{base}>"
    return base


def const_name(n):
    """The `static` holding shape n's table in validate/shapes.rs."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", n).upper()


def bounds(s):
    """A `Bounds` (i32 ends: every bound in the models fits, and the tables are half the
    size of i64's; widen the type in validate/shape.rs if one day one does not)."""
    for end in (s.get("min"), s.get("max")):
        if end is not None and not -2**31 <= end < 2**31:
            raise SystemExit(f"gen_model: bound {end} does not fit Bounds' i32")
    return f"Bounds {{ min: {opt(s.get('min'))}, max: {opt(s.get('max'))} }}"


def shape_expr(n):
    """The table entry of input shape n: constraints as data, read by validate/walk.rs."""
    s = M.shapes[n]
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
    inputs = [model["operations"][o]["input"]["shape"] for o in M.operations]
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
    for n in M.reachable(inputs):
        doc = f"Input of `{n[:-7]}`." if n in inputs else f"The model shape `{n}`."
        lines.append(f"/// {doc}")
        lines.append(f"pub static {const_name(n)}: Shape = {shape_expr(n)};")
    lines.append("")
    lines.append("/// The values of the model's `CommandStatus` (the `Status` command filter takes them).")
    lines.append("pub static COMMAND_STATUS: &[&str] = &[" + ", ".join(json.dumps(v) for v in M.shapes["CommandStatus"]["enum"]) + "];")
    lines.append("")
    lines.append("/// The patterns in the order of the package's `PATTERNS` (model.js), by which the npm")
    lines.append("/// package's host matcher finds one (`host-patterns`): `Pattern::ALL`.")
    lines.append(f"pub const PATTERN_ORDER: [Pattern; {len(PATTERN_VARIANTS)}] = [")
    for variant, _ in PATTERN_VARIANTS.values():
        lines.append(f"    Pattern::{variant},")
    lines.append("];")
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
    for op in M.operations:
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
        "structure": f"{M.type_name(n)}::from_checked_json",
    }[M.shapes[n]["type"]]


def conv_apply(n, var):
    """An expression that builds shape n from `var`, a `&Value` the schema accepted."""
    s = M.shapes[n]
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
    s = M.shapes[n]
    plain = not s.get("sensitive") and s["type"] in ("string", "integer", "long", "boolean", "structure") and "enum" not in s
    return conv_path_plain(n) if plain else f"|v: &Value| {conv_apply(n, 'v')}"


def opt(v):
    return f"Some({v})" if v is not None else "None"


def generate(model, version):
    inputs = [model["operations"][o]["input"]["shape"] for o in M.operations]
    outputs = [model["operations"][o]["output"]["shape"] for o in M.operations]
    input_shapes = set(M.reachable(inputs))
    all_shapes = M.reachable(inputs + outputs)
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
        s = M.shapes[n]
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
        s = M.shapes[n]
        if s["type"] != "structure" or s.get("exception"):
            continue
        tn = M.type_name(n)
        if n in M.op_io:
            fallback = f"{'Input' if n.endswith('Request') else 'Output'} of the `{n[:-7] if n.endswith('Request') else n[:-6]}` operation."
        else:
            fallback = f"The model structure `{n}`."
        doc = doc_line(s.get("documentation"), fallback) if n not in M.op_io else fallback
        w(f"/// {doc}")
        w("#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]")
        w(f"pub struct {tn} {{")
        required = set(s.get("required", []))
        for mname, m in s["members"].items():
            mdoc = doc_line(m.get("documentation") or M.shapes[m["shape"]].get("documentation"), f"`{mname}`.")
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
    for op in M.operations:
        o = model["operations"][op]
        w(f"/// Marker type for the `{op}` operation.")
        w("#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]")
        w(f"pub struct {op};")
        w("")
        w(f"impl Operation for {op} {{")
        w(f"    const NAME: OperationName = OperationName::{op};")
        w(f"    type Input = {M.type_name(o['input']['shape'])};")
        w(f"    type Output = {M.type_name(o['output']['shape'])};")
        w("}")
        w("")
        w(f"impl Validate for {M.type_name(o['input']['shape'])} {{")
        w(f"    const OPERATION: OperationName = OperationName::{op};")
        w("}")
        w("")
    return "\n".join(lines) + "\n"


def generate_error_codes(version):
    """decode/codes.rs: `ErrorCode` (the declared codes, then COMMON_ERRORS) and the sets
    of codes the core classifies errors by."""
    declared = M.declared_errors()
    common = [c for c, _, _, _ in COMMON_ERRORS]
    if set(declared) & set(common):
        raise SystemExit(f"gen_model: COMMON_ERRORS lists declared codes: {sorted(set(declared) & set(common))}")
    out = []
    w = out.append
    w(f"// @generated by core/codegen/gen_model.py from botocore {version}'s SSM service model,")
    w("// ssm-edge-model.json and COMMON_ERRORS in core/codegen/sources.py. Do not edit: change the")
    w("// generator or its inputs and rerun it.")
    w("")
    w("//! Every error code the core knows, and the sets it sorts them into.")
    w("")
    w("string_enum! {")
    w("    /// An AWS error code: every error the model declares for the operations, plus the")
    w("    /// common auth, throttling, skew and transient codes. Codes not listed are kept")
    w("    /// verbatim in `Unknown`.")
    w("    ErrorCode {")
    for code in declared:
        doc = doc_line(M.shapes[code].get("documentation"), "")
        w(f"        /// Declared: {doc}" if doc else "        /// Declared by the model.")
        w(f'        {code} => "{code}",')
    for code, _, _, meaning in COMMON_ERRORS:
        w(f"        /// {meaning}")
        w(f'        {code} => "{code}",')
    w("    }")
    w("}")
    sets = [
        ("THROTTLING", "throttling", "pub(crate)", "Codes botocore's standard retry mode treats as throttling."),
        ("TRANSIENT", "transient", "pub(crate)", "Codes botocore's standard retry mode treats as transient."),
        ("CLOCK_SKEW", "skew", "pub(crate)", "Codes the AWS SDKs treat as a possible clock-skew refusal."),
        ("AUTH", "auth", "pub(super)", "Auth refusals: the service rejected the request before acting on it."),
        ("CREDENTIALS", "credentials", "pub(super)", "Refusals of the credentials themselves (expired or unknown): new ones may succeed."),
    ]
    for name, cls, vis, doc in sets:
        w("")
        w(f"/// {doc}")
        codes = [c for c, classes, _, _ in COMMON_ERRORS if cls in classes]
        w(f"{vis} const {name}: &[&str] = &[" + ", ".join(json.dumps(c) for c in codes) + "];")
    return "\n".join(out) + "\n"


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
    for op in M.operations:
        w(f"    /// `{op}`: {doc_line(model['operations'][op].get('documentation'), op)}")
        w(f"    {op},")
    w("}")
    w("")
    w("impl OperationName {")
    w("    /// Every modelled operation.")
    w("    pub const ALL: &'static [OperationName] = &[")
    for op in M.operations:
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
    for op in M.operations:
        w(f'            OperationName::{op} => "{op}",')
    w("        }")
    w("    }")
    w("")
    w("    /// Its `X-Amz-Target` header: `AmazonSSM.SendCommand`, `SsmEdge.ApproveCommand`.")
    w("    #[must_use]")
    w("    pub const fn target(self) -> &'static str {")
    w("        match self {")
    for op in M.operations:
        w(f'            OperationName::{op} => "{M.target_prefix(op)}.{op}",')
    w("        }")
    w("    }")
    w("")
    w("    /// Whether the gateway answers it itself (`SsmEdge.*`): AWS does not know it.")
    w("    #[must_use]")
    w("    pub const fn is_gateway_own(self) -> bool {")
    if M.edge_operations:
        w("        matches!(self, " + " | ".join(f"OperationName::{op}" for op in M.edge_operations) + ")")
    else:
        w("        false")
    w("    }")
    w("")
    w("    /// The operation called `name`, if it is one of the modelled ones.")
    w("    #[must_use]")
    w("    pub fn from_name(name: &str) -> Option<OperationName> {")
    w("        match name {")
    for op in M.operations:
        w(f'            "{op}" => Some(OperationName::{op}),')
    w("            _ => None,")
    w("        }")
    w("    }")
    w("")
    w("    /// The operation an `X-Amz-Target` value names, exactly as [`Self::target`] spells it.")
    w("    #[must_use]")
    w("    pub fn from_target(target: &str) -> Option<OperationName> {")
    w("        match target {")
    for op in M.operations:
        w(f'            "{M.target_prefix(op)}.{op}" => Some(OperationName::{op}),')
    w("            _ => None,")
    w("        }")
    w("    }")
    w("")
    w("    /// The error codes the service model declares for this operation.")
    w("    #[must_use]")
    w("    pub const fn declared_errors(self) -> &'static [&'static str] {")
    w("        match self {")
    for op in M.operations:
        errs = ", ".join(json.dumps(e["shape"]) for e in model["operations"][op].get("errors", []))
        w(f"            OperationName::{op} => &[{errs}],")
    w("        }")
    w("    }")
    w("")
    w("    /// Pagination, for the operations the model marks pageable.")
    w("    #[must_use]")
    w("    pub const fn pagination(self) -> Option<Pagination> {")
    w("        match self {")
    for op in M.operations:
        p = M.paginators.get(op)
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


def main():
    global M
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the generated file is stale")
    ap.add_argument("--model", help="path to service-2.json.gz")
    args = ap.parse_args()
    model_path = args.model or find_model("service-2.json.gz")
    logs_path = find_model("service-2.json.gz", "logs", "2014-03-28")
    M = Model(model_path, logs_path)
    model = M.raw
    code = generate(model, botocore_version())
    code = rustfmt(code)
    ops = rustfmt(generate_operations(model, botocore_version()))
    shapes = rustfmt(generate_shapes(model, botocore_version()))
    codes = rustfmt(generate_error_codes(botocore_version()))
    ts, js = generate_ts(M, botocore_version())
    files = [(OUT, code), (OPS_OUT, ops), (SHAPES_OUT, shapes), (CODES_OUT, codes), (TS_OUT, ts), (JS_OUT, js)]
    write_or_check("gen_model", files, args.check, "python3 core/codegen/gen_model.py",
                   "generated files match the service model")

if __name__ == "__main__":
    main()
