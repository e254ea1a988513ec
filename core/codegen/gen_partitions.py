#!/usr/bin/env python3
"""Generate core/src/endpoint/partitions.rs from botocore's endpoint data.

The inputs are botocore's `partitions.json` and the endpoint rule sets of the services
the core calls (`ssm/2014-11-06/endpoint-rule-set-1.json`, `logs/2014-03-28/...`); the
output is the table that `core/src/endpoint.rs` reads to resolve a region to a
service's endpoint:

- per partition, in partitions.json order: its name, its `regionRegex` as the literal
  prefixes it is made of, the listed regions that the regexes alone would not give it,
  and its four endpoint URLs (standard, FIPS, dual-stack, both) as the text before and
  after the region, per service (the services' rules differ: SSM's FIPS endpoint in
  aws-us-gov is its standard host, CloudWatch Logs' is `logs-fips`);
- the rule sets' error messages, for `EndpointError::rule_message` (the same text in
  every service's rule set, or this script stops).

The URLs and messages are not transcribed: botocore's own rule engine
(`EndpointProvider`) is asked for every listed region of each partition, and the
answers must reduce to one URL around the region per partition and variant (else this script
stops: the rules would depend on more than the partition, which the table cannot say).

    .venv/bin/python core/codegen/gen_partitions.py            # rewrite the file
    .venv/bin/python core/codegen/gen_partitions.py --check    # fail if the file is stale

It must run with the project venv's Python (botocore pinned by tests/constraints.txt):
another botocore would give another table.
"""

import argparse
import copy
import os
import re
import sys

from emit import rustfmt, write_or_check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "core", "src", "endpoint", "partitions.rs")
VENV = os.path.join(ROOT, ".venv")

# The services, by the `Service` variant (and `Partition` field) of core/src/endpoint.rs.
SERVICES = {"ssm": "ssm", "logs": "logs"}

# (UseFIPS, UseDualStack) → the Partition field holding that variant's URL template.
VARIANTS = {
    (False, False): "standard",
    (True, False): "fips",
    (False, True): "dual_stack",
    (True, True): "fips_dual_stack",
}

# The variants a partition may lack → the rule set's error for it (see rule_messages).
UNSUPPORTED = {
    (True, False): "FIPS_NOT_SUPPORTED",
    (False, True): "DUAL_STACK_NOT_SUPPORTED",
    (True, True): "FIPS_AND_DUAL_STACK_NOT_SUPPORTED",
}

# regionRegex is `^<head>\-\w+\-\d+$`, <head> being literals, `\-` and `(a|b)` groups.
REGEX_SHAPE = re.compile(r"^\^(?P<head>.+)\\-\\w\+\\-\\d\+\$$")
HEAD_TOKEN = re.compile(r"(?P<lit>[a-z0-9]+)|(?P<dash>\\-)|\((?P<alts>[a-z0-9]+(?:\|[a-z0-9]+)*)\)")


def import_botocore():
    """botocore from the project venv, and nothing else (the system may have another)."""
    try:
        import botocore
    except ImportError:
        sys.exit("gen_partitions: botocore not importable: run me with .venv/bin/python (`make setup`)")
    here = os.path.realpath(botocore.__file__)
    if not here.startswith(os.path.realpath(VENV) + os.sep):
        sys.exit(f"gen_partitions: botocore comes from {here}, not the project venv: run me with .venv/bin/python")
    return botocore


def region_prefixes(regex):
    """The literal prefixes P such that `regex` is `^P\\-\\w+\\-\\d+$` (alternations expanded).

    The core matches these by hand rather than carry a regex engine (kilobytes of wasm
    for eight patterns of one shape); any other shape stops the generator, so a new
    kind of regionRegex is a loud failure here, never a silent mismatch there.
    """
    m = REGEX_SHAPE.match(regex)
    if not m:
        sys.exit(f"gen_partitions: regionRegex {regex!r} is not of the shape ^<prefix>\\-\\w+\\-\\d+$")
    prefixes, head, pos = [""], m.group("head"), 0
    while pos < len(head):
        t = HEAD_TOKEN.match(head, pos)
        if not t:
            sys.exit(f"gen_partitions: cannot read regionRegex {regex!r} at {head[pos:]!r}")
        parts = [t.group("lit")] if t.group("lit") else ["-"] if t.group("dash") else t.group("alts").split("|")
        prefixes = [p + part for p in prefixes for part in parts]
        pos = t.end()
    for p in prefixes:
        if not re.match(regex, p + "-a-1"):
            sys.exit(f"gen_partitions: misread regionRegex {regex!r} (prefix {p!r})")
    return prefixes


def first_match(region, partitions, use_lists):
    """The rule set's `aws.partition`: the first partition listing (if use_lists) or matching it."""
    for p in partitions:
        if (use_lists and region in p["regions"]) or re.match(p["regionRegex"], region):
            return p["id"]
    return partitions[0]["id"]


def needed_regions(partitions):
    """Per partition, the listed regions its regex (or an earlier one) would not give it.

    A listed region must stay in the table only where the regexes alone would pick
    another partition (e.g. `aws-global`, which matches no regex); the others are
    implied, and leaving them out keeps the table small without changing any answer.
    """
    keep = {p["id"]: [] for p in partitions}
    for region in sorted({r for p in partitions for r in p["regions"]}):
        full = first_match(region, partitions, use_lists=True)
        if first_match(region, partitions, use_lists=False) != full:
            keep[full].append(region)
    return keep


def resolve(provider, error_type, **params):
    try:
        return provider.resolve_endpoint(**params).url, None
    except error_type as e:
        return None, e.kwargs["msg"]


def url_templates(provider, error_type, messages, partition, listed, generic):
    """The partition's URL per variant, split around the region (None where the rules
    refuse it), and the listed regions the rules answer otherwise (CloudWatch Logs'
    FIPS endpoints of us-gov-east-1 and us-gov-west-1 are their standard hosts) as
    overrides: [(region, (fips, dual_stack), url)].

    The template is the rules' answer for the regions only the regex gives the
    partition (`<prefix>-gen-1`), or for every listed region if it has no regex.
    """
    out, overrides = {}, []
    for variant, field in VARIANTS.items():
        answers = {}
        for region in listed + generic:
            url, error = resolve(provider, error_type, Region=region, UseFIPS=variant[0], UseDualStack=variant[1])
            if url is None and error != messages.get(UNSUPPORTED.get(variant)):
                sys.exit(f"gen_partitions: {partition} {field} for {region}: the rules say {error!r}, which the table cannot")
            if url is not None and url.count(region) != 1:
                sys.exit(f"gen_partitions: {url!r} does not hold the region {region!r} once")
            answers[region] = (tuple(url.split(region)) if url is not None else None, url)
        templates = {answers[r][0] for r in (generic or listed)}
        if len(templates) != 1:
            sys.exit(f"gen_partitions: {partition} {field}: the rules give {sorted(map(str, templates))}, not one template")
        out[field] = templates.pop()
        for region in listed:
            parts, url = answers[region]
            if parts != out[field]:
                if url is None:
                    sys.exit(f"gen_partitions: {partition} {field}: the rules refuse {region} alone, which the table cannot say")
                overrides.append((region, variant, url))
    if out["standard"] is None:
        sys.exit(f"gen_partitions: the rules refuse {partition}'s standard endpoint")
    return out, overrides


def rule_messages(ruleset, partitions_data):
    """The rule set's error messages, by the EndpointError variant they belong to (as
    constant names of the generated file).

    Asked of the rule engine with a custom endpoint, and with a made-up partition that
    supports neither FIPS nor dual-stack (no real one lacks either today).
    """
    from botocore.endpoint_provider import EndpointProvider
    from botocore.exceptions import EndpointResolutionError

    bare = copy.deepcopy(partitions_data)
    first = bare["partitions"][0]
    first["outputs"]["supportsFIPS"] = False
    first["outputs"]["supportsDualStack"] = False
    region = sorted(first["regions"])[0]
    lacking = EndpointProvider(ruleset, bare)
    real = EndpointProvider(ruleset, partitions_data)
    asks = {
        "FIPS_WITH_CUSTOM_ENDPOINT": (real, dict(UseFIPS=True, UseDualStack=False, Endpoint="https://example.com")),
        "DUAL_STACK_WITH_CUSTOM_ENDPOINT": (real, dict(UseFIPS=False, UseDualStack=True, Endpoint="https://example.com")),
        "FIPS_AND_DUAL_STACK_NOT_SUPPORTED": (lacking, dict(UseFIPS=True, UseDualStack=True)),
        "FIPS_NOT_SUPPORTED": (lacking, dict(UseFIPS=True, UseDualStack=False)),
        "DUAL_STACK_NOT_SUPPORTED": (lacking, dict(UseFIPS=False, UseDualStack=True)),
    }
    out = {}
    for name, (provider, params) in asks.items():
        url, error = resolve(provider, EndpointResolutionError, Region=region, **params)
        if error is None:
            sys.exit(f"gen_partitions: the rule set gives {url!r} where an error ({name}) was expected")
        out[name] = error
    return out


def rust_url(parts):
    if parts is None:
        return "None"
    return f"Url({rust_str(parts[0])}, {rust_str(parts[1])})"


def rust_str(s):
    if any(c in s for c in '"\\') or not s.isascii():
        sys.exit(f"gen_partitions: unexpected characters in {s!r}")
    return f'"{s}"'


def generate():
    botocore = import_botocore()
    import botocore.loaders
    from botocore.endpoint_provider import EndpointProvider
    from botocore.exceptions import EndpointResolutionError

    loader = botocore.loaders.create_loader()
    partitions_data = loader.load_data("partitions")
    partitions = partitions_data["partitions"]
    rulesets = {field: loader.load_service_model(service, "endpoint-rule-set-1") for field, service in SERVICES.items()}
    providers = {field: EndpointProvider(ruleset, partitions_data) for field, ruleset in rulesets.items()}
    keep = needed_regions(partitions)
    messages = None
    for field, ruleset in rulesets.items():
        theirs = rule_messages(ruleset, partitions_data)
        if messages is not None and theirs != messages:
            sys.exit(f"gen_partitions: the {field} rule set words its errors differently: {theirs}")
        messages = theirs

    w = []
    w.append(f"// @generated by core/codegen/gen_partitions.py from botocore {botocore.__version__}'s")
    w.append("// partitions.json and the endpoint rule sets (endpoint-rule-set-1.json) of")
    w.append("// " + ", ".join(SERVICES.values()) + ". Do not edit: change the generator and rerun it (`make regen`).")
    w.append("")
    w.append("use super::{Override, Partition, ServiceUrls, Url};")
    w.append("")
    w.append("/// partitions.json's partitions, in its order: the first containing a region wins, and a")
    w.append("/// region none contains is in the first.")
    w.append(f"pub(super) static PARTITIONS: [Partition; {len(partitions)}] = [")
    for p in partitions:
        if p["outputs"]["name"] != p["id"]:
            sys.exit(f"gen_partitions: partition {p['id']} is named {p['outputs']['name']}")
        prefixes = region_prefixes(p["regionRegex"])
        listed = [r for r in sorted(p["regions"]) if first_match(r, partitions, True) == p["id"]]
        generic = [f"{pre}-gen-1" for pre in prefixes if first_match(f"{pre}-gen-1", partitions, True) == p["id"]]
        w.append("    Partition {")
        w.append(f"        name: {rust_str(p['id'])},")
        w.append(f"        // {p['regionRegex']}")
        w.append(f"        region_prefixes: {rust_str(' '.join(prefixes))},")
        w.append(f"        regions: {rust_str(' '.join(keep[p['id']]))},")
        for field, provider in providers.items():
            urls, overrides = url_templates(provider, EndpointResolutionError, messages, f"{p['id']} ({field})", listed, generic)
            w.append(f"        {field}: ServiceUrls {{")
            for variant in VARIANTS.values():
                url = rust_url(urls[variant])
                w.append(f"            {variant}: {url if variant == 'standard' else url if url == 'None' else f'Some({url})'},")
            rows = ", ".join(
                f"Override {{ region: {rust_str(r)}, fips: {str(v[0]).lower()}, dual_stack: {str(v[1]).lower()}, url: {rust_str(u)} }}"
                for r, v, u in overrides
            )
            w.append(f"            overrides: &[{rows}],")
            w.append("        },")
        w.append("    },")
    w.append("];")
    w.append("")
    w.append("/// The rule sets' error messages.")
    for name, message in messages.items():
        w.append(f"pub(super) const {name}: &str = {rust_str(message)};")
    return rustfmt("\n".join(w) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the generated file is stale")
    args = ap.parse_args()
    code = generate()
    write_or_check("gen_partitions", [(OUT, code)], args.check,
                   ".venv/bin/python core/codegen/gen_partitions.py", f"{os.path.relpath(OUT, ROOT)} matches botocore's endpoint data")

if __name__ == "__main__":
    main()
