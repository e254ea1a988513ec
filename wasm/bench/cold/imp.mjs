import "ssm-edge"
