// Minimal browser app: build, sign and send one SendCommand with the AWS SDK v3.
import { SSMClient, SendCommandCommand } from "@aws-sdk/client-ssm";

const client = new SSMClient({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" },
});
const output = await client.send(new SendCommandCommand({
  DocumentName: "AWS-RunShellScript",
  InstanceIds: ["i-0123456789abcdef0"],
  Parameters: { commands: ["uptime"] },
}));
console.log(output.Command?.CommandId);
