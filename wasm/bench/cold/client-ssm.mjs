// Cold start: load @aws-sdk/client-ssm and build and sign one SendCommand; a middleware right
// after the signer takes the signed request and stops the call before anything is sent.
import { SSMClient, SendCommandCommand } from "@aws-sdk/client-ssm";

const client = new SSMClient({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" },
});
const stop = new Error("signed");
client.middlewareStack.addRelativeTo(
  () => (args) => {
    stop.request = args.request;
    throw stop;
  },
  { relation: "after", toMiddleware: "httpSigningMiddleware", name: "stopAfterSigning" },
);
try {
  await client.send(new SendCommandCommand({
    DocumentName: "AWS-RunShellScript",
    InstanceIds: ["i-0123456789abcdef0"],
    Parameters: { commands: ["uptime"] },
  }));
} catch (e) {
  if (e !== stop) throw e;
}
process.stdout.write(stop.request.headers.authorization);
