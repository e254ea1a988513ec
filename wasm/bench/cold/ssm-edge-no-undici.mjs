// Cold start, diagnostic: cold/ssm-edge.mjs with the global `Headers` shadowed first. In Node,
// the first read of `globalThis.Headers` (client.js's `headers instanceof Headers`) loads
// undici, Node's fetch; this variant shows what signRequest costs without that load.
Object.defineProperty(globalThis, "Headers", { value: class Headers {}, configurable: true, writable: true });
const { signRequest } = await import("ssm-edge");

const signed = await signRequest({
  url: "https://ssm.us-east-1.amazonaws.com/",
  headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.SendCommand" },
  body: '{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"Parameters":{"commands":["uptime"]}}',
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" },
  region: "us-east-1",
});
process.stdout.write(signed.headers.Authorization);
