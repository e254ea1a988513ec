// Cold start: load ssm-edge and build, validate and sign one SendCommand through SsmClient; a
// stub fetch takes the signed request and answers, so nothing is sent.
import { SsmClient } from "ssm-edge";

let authorization;
const client = new SsmClient({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" },
  fetch: async (_url, init) => {
    authorization = init.headers.find(([n]) => n === "Authorization")[1];
    return new Response('{"Command":{"CommandId":"c0ffee00-0000-4000-8000-000000000000"}}');
  },
});
await client.sendCommand({
  DocumentName: "AWS-RunShellScript",
  InstanceIds: ["i-0123456789abcdef0"],
  Parameters: { commands: ["uptime"] },
});
process.stdout.write(authorization);
