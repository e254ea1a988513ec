"""Print botocore's SSM service model (service-2.json) as JSON on stdout, with
CloudWatch Logs' operations that read command output and the gateway's own operations
(core/codegen/ssm-edge-model.json) merged in as the code generator merges them. (Logs'
shapes that SSM names too are left out: none of them carries a pattern.)

Loaded through botocore's own loader, so it is exactly the model botocore uses.
"""

import json
import os
import sys

import botocore.loaders

EDGE_MODEL = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "codegen", "ssm-edge-model.json"
)


LOGS_OPERATIONS = ("GetLogEvents", "DescribeLogStreams")


def main() -> None:
    loader = botocore.loaders.create_loader()
    model = loader.load_service_model("ssm", "service-2")
    with open(EDGE_MODEL) as f:
        edge = json.load(f)
    logs = loader.load_service_model("logs", "service-2")
    for name in LOGS_OPERATIONS:
        model["operations"][name] = logs["operations"][name]
    for name, shape in logs["shapes"].items():
        model["shapes"].setdefault(name, shape)
    model["shapes"].update(edge["shapes"])
    model["operations"].update(edge["operations"])
    json.dump(model, sys.stdout)


if __name__ == "__main__":
    main()
