"""Print botocore's SSM service model (service-2.json) as JSON on stdout.

Loaded through botocore's own loader, so it is exactly the model botocore uses.
"""

import json
import sys

import botocore.loaders


def main() -> None:
    loader = botocore.loaders.create_loader()
    model = loader.load_service_model("ssm", "service-2")
    json.dump(model, sys.stdout)


if __name__ == "__main__":
    main()
