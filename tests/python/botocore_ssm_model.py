"""Print botocore's SSM service model (service-2.json) as JSON on stdout, with the
gateway's own operations (core/codegen/ssm-edge-model.json) merged in as the code
generator merges them.

Loaded through botocore's own loader, so it is exactly the model botocore uses.
"""

import json
import os
import sys

import botocore.loaders

EDGE_MODEL = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "codegen", "ssm-edge-model.json"
)


def main() -> None:
    loader = botocore.loaders.create_loader()
    model = loader.load_service_model("ssm", "service-2")
    with open(EDGE_MODEL) as f:
        edge = json.load(f)
    model["shapes"].update(edge["shapes"])
    model["operations"].update(edge["operations"])
    json.dump(model, sys.stdout)


if __name__ == "__main__":
    main()
