// Minimal browser app: sign and send one SendCommand with aws4fetch (the body is built by hand:
// no model, no validation, no error types, no retries of its own decision).
import { AwsClient } from "aws4fetch";

const aws = new AwsClient({
  accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token",
  service: "ssm", region: "us-east-1",
});
const response = await aws.fetch("https://ssm.us-east-1.amazonaws.com/", {
  method: "POST",
  headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.SendCommand" },
  body: JSON.stringify({
    DocumentName: "AWS-RunShellScript",
    InstanceIds: ["i-0123456789abcdef0"],
    Parameters: { commands: ["uptime"] },
  }),
});
console.log((await response.json()).Command?.CommandId);
