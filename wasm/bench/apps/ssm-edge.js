// Minimal browser app: build, sign and send one SendCommand with ssm-edge.
import { SsmClient } from "ssm-edge";

const client = new SsmClient({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" },
});
const output = await client.sendCommand({
  DocumentName: "AWS-RunShellScript",
  InstanceIds: ["i-0123456789abcdef0"],
  Parameters: { commands: ["uptime"] },
});
console.log(output.Command?.CommandId);
