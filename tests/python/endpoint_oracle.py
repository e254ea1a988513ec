"""botocore's answers for tests/tests/endpoint_oracle.rs (no network is used).

`endpoint_oracle.py partitions` prints botocore's partitions.json:
    {"partitions": [{"name": ..., "regionRegex": ..., "regions": [...]}, ...]}

`endpoint_oracle.py resolve SERVICE` (`ssm` or `logs`) reads a JSON list of cases on stdin,
    [{"region": str, "use_fips": bool, "use_dual_stack": bool, "endpoint_url": str|null}, ...]
and prints one JSON object per case, in order:
    region_ok     botocore takes the region: the session's `validate_region_name` passes and the
                  standard endpoint built from it passes the EndpointCreator's URL check
                  (`""` and `"us-east-1\\n"` pass the first and fail the second)
    partition     the rule set's `aws.partition(region)` name (when region_ok)
    rules         {"url": ...} or {"error": message}: botocore's EndpointProvider evaluating the
                  service's endpoint rule set with Region/UseFIPS/UseDualStack/Endpoint (when region_ok)
    endpoint_url_ok  the EndpointCreator's URL check on the custom endpoint URL, if any
    client        {"url": ...} or {"error": ...}: a real botocore client made with these
                  settings; the URL of its first request (ssm ListCommands, logs
                  DescribeLogGroups), caught in `before-send`.
                  (botocore's client drops FIPS/dual-stack when given an endpoint_url instead of
                  raising the rule set's error, so only `rules` speaks for those cases.)
"""

import json
import os
import sys

# Dummy credentials and no ambient configuration: nothing may change the answers.
for name in list(os.environ):
    if name.startswith("AWS_"):
        del os.environ[name]
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
)

import botocore.config  # noqa: E402
import botocore.loaders  # noqa: E402
import botocore.session  # noqa: E402
from botocore.endpoint_provider import EndpointProvider, RuleSetStandardLibrary  # noqa: E402
from botocore.exceptions import EndpointResolutionError  # noqa: E402
from botocore.utils import is_valid_uri, validate_region_name  # noqa: E402


class _Caught(Exception):
    """Stops a request in before-send, after its URL is known."""

    def __init__(self, url):
        super().__init__(url)
        self.url = url


# The call whose request URL is caught, per service.
CALLS = {"ssm": "list_commands", "logs": "describe_log_groups"}


def _capture(request, **_kwargs):
    raise _Caught(request.url)


def main() -> None:
    loader = botocore.loaders.create_loader()
    partitions = loader.load_data("partitions")
    if sys.argv[1:] == ["partitions"]:
        json.dump(
            {
                "partitions": [
                    {
                        "name": p["outputs"]["name"],
                        "regionRegex": p["regionRegex"],
                        "regions": sorted(p["regions"]),
                    }
                    for p in partitions["partitions"]
                ]
            },
            sys.stdout,
        )
        return
    if len(sys.argv) != 3 or sys.argv[1] != "resolve" or sys.argv[2] not in CALLS:
        sys.exit("usage: endpoint_oracle.py partitions | resolve ssm|logs")
    service = sys.argv[2]

    ruleset = loader.load_service_model(service, "endpoint-rule-set-1")
    provider = EndpointProvider(ruleset, partitions)
    stdlib = RuleSetStandardLibrary(partitions)
    session = botocore.session.get_session()

    def rules(region, fips, dual_stack, endpoint_url):
        params = {"Region": region, "UseFIPS": fips, "UseDualStack": dual_stack}
        if endpoint_url is not None:
            params["Endpoint"] = endpoint_url
        try:
            return {"url": provider.resolve_endpoint(**params).url}
        except EndpointResolutionError as e:
            return {"error": e.kwargs["msg"]}

    def client(region, fips, dual_stack, endpoint_url):
        try:
            c = session.create_client(
                service,
                region_name=region,
                endpoint_url=endpoint_url,
                config=botocore.config.Config(
                    use_fips_endpoint=fips,
                    use_dualstack_endpoint=dual_stack,
                    retries={"total_max_attempts": 1},
                ),
            )
        except Exception as e:  # noqa: BLE001 - any refusal is an answer
            return {"error": f"{type(e).__name__}: {e}"}
        c.meta.events.register("before-send", _capture)
        try:
            getattr(c, CALLS[service])()
        except _Caught as caught:
            return {"url": caught.url}
        except Exception as e:  # noqa: BLE001
            return {"error": f"{type(e).__name__}: {e}"}
        return {"error": "request was not caught"}

    out = []
    for case in json.load(sys.stdin):
        region = case["region"]
        fips = case["use_fips"]
        dual_stack = case["use_dual_stack"]
        endpoint_url = case.get("endpoint_url")
        answer = {}
        try:
            validate_region_name(region)
            standard = rules(region, False, False, None)
            answer["region_ok"] = "url" in standard and bool(is_valid_uri(standard["url"]))
        except Exception:  # noqa: BLE001 - InvalidRegionError
            answer["region_ok"] = False
        if answer["region_ok"]:
            answer["partition"] = stdlib.aws_partition(region)["name"]
            answer["rules"] = rules(region, fips, dual_stack, endpoint_url)
        if endpoint_url is not None:
            answer["endpoint_url_ok"] = bool(is_valid_uri(endpoint_url))
        answer["client"] = client(region, fips, dual_stack, endpoint_url)
        out.append(answer)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
