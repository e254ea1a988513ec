// Cold start: load ssm-edge (its Node entry compiles the wasm) and sign one SendCommand.
import { signRequest } from "/tmp/one.mjs";

const signed = await signRequest({
  url: "https://ssm.us-east-1.amazonaws.com/",
  headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.SendCommand" },
  body: '{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"Parameters":{"commands":["uptime"]}}',
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" },
  region: "us-east-1",
});
process.stdout.write(signed.headers.Authorization);
