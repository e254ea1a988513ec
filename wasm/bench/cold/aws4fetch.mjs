// Cold start: load aws4fetch and sign one SendCommand (AwsV4Signer, WebCrypto).
import { AwsV4Signer } from "aws4fetch";

const signed = await new AwsV4Signer({
  url: "https://ssm.us-east-1.amazonaws.com/", method: "POST", service: "ssm", region: "us-east-1",
  headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.SendCommand" },
  body: '{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"Parameters":{"commands":["uptime"]}}',
  accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token",
}).sign();
process.stdout.write(signed.headers.get("authorization"));
