require("ssm-edge")
