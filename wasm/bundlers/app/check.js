// What every app of the matrix does with the package, in the browser and in Node: the
// first three things a web developer tries. It takes the package's namespace as an
// argument so the ESM, CommonJS and bundled apps all run the very same checks.

// Not a real key: the local server only checks that a signature is there.
const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const INPUT = { DocumentName: "AWS-RunShellScript", InstanceIds: ["i-0123456789abcdef0"] };

/** Runs the checks against the SSM endpoint `endpoint`; throws on the first that fails. */
export async function check(ssm, endpoint) {
  // Which entry the tool picked shows here: the browser one compiles the wasm on first use,
  // so the synchronous validate refuses to run before ready(); the Node, CommonJS and
  // workerd ones compile it at import, so it runs at once.
  const readyAtImport = syncValidateRuns(ssm);
  // The synchronous validate needs the wasm compiled.
  await ssm.ready();

  const problems = ssm.validate("SendCommand", { DocumentName: "AWS-RunShellScript", TimeoutSeconds: 1 });
  expect(Array.isArray(problems) && problems.length > 0, "validate finds the problems of a bad input", problems);
  expect(ssm.validate("SendCommand", INPUT).length === 0, "validate passes a good input");

  const signed = await ssm.signRequest({
    url: `${endpoint}/`,
    region: "us-east-1",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.SendCommand" },
    body: JSON.stringify(INPUT),
    credentials: CREDENTIALS,
  });
  const authorization = signed.headers.authorization ?? signed.headers.Authorization ?? "";
  expect(authorization.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), "signRequest signs", signed.headers);

  const client = new ssm.SsmClient({ region: "us-east-1", endpoint, credentials: CREDENTIALS });
  const sent = await client.sendCommand(INPUT);
  expect(sent.Command?.CommandId === "x", "sendCommand gets the local server's answer", sent);

  return { readyAtImport, problems: problems.length, signed: authorization.slice(0, 16), commandId: sent.Command.CommandId };
}

function syncValidateRuns(ssm) {
  try {
    ssm.validate("SendCommand", INPUT);
    return true;
  } catch {
    return false;
  }
}

function expect(ok, what, got) {
  if (!ok) throw new Error(`${what}: no${got === undefined ? "" : `, got ${JSON.stringify(got)}`}`);
}
