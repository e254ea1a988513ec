// Cold start: load aws4 and sign one SendCommand.
import aws4 from "aws4";

const signed = aws4.sign(
  {
    host: "ssm.us-east-1.amazonaws.com", method: "POST", path: "/", service: "ssm", region: "us-east-1",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.SendCommand" },
    body: '{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"Parameters":{"commands":["uptime"]}}',
    extraHeadersToIgnore: { "content-length": true },
  },
  { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" },
);
process.stdout.write(signed.headers.Authorization);
