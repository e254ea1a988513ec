// The built package, imported as users do (`ssm-edge` through its package.json `exports`,
// the `node` condition), against moto with SigV4 signature checking on.
//
// Run:  node --test wasm/test/client-moto.test.mjs
// Needs: `bash wasm/build.sh` and the link wasm/test/node_modules/ssm-edge -> ../../pkg
// (scripts/test-js.sh makes both), and the venv (scripts/setup.sh).

import { test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { SsmClient, SsmServiceException, ValidationError, errors, signRequest } from "ssm-edge";
import { startMoto, shellCommand, INSTANCE } from "../test-support/moto.mjs";

// A broken behaviour fails its test instead of hanging the suite.
const test = (name, fn) => nodeTest(name, { timeout: 30_000 }, fn);

let moto;
let client;

before(async () => {
  moto = await startMoto();
  client = new SsmClient({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
});
after(async () => {
  await moto?.stop();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test("the import resolved through the package's exports to the node entry", () => {
  const resolved = fileURLToPath(import.meta.resolve("ssm-edge"));
  assert.match(resolved, /wasm\/pkg\/node\.js$/, resolved);
});

test("sendCommand: the command comes back with an id and Date timestamps", async () => {
  const out = await client.sendCommand(shellCommand(["echo hello"], "send"));
  const c = out.Command;
  assert.match(c.CommandId, UUID);
  assert.equal(c.DocumentName, "AWS-RunShellScript");
  assert.deepEqual(c.InstanceIds, [INSTANCE]);
  assert.deepEqual(c.Parameters, { commands: ["echo hello"] });
  assert.equal(c.Comment, "send");
  assert.ok(c.RequestedDateTime instanceof Date, `RequestedDateTime is ${typeof c.RequestedDateTime}`);
  assert.ok(Math.abs(c.RequestedDateTime.getTime() - Date.now()) < 120_000, String(c.RequestedDateTime));
  assert.ok(c.ExpiresAfter instanceof Date, "ExpiresAfter is a Date");
  assert.ok(c.ExpiresAfter > c.RequestedDateTime);
  assert.equal(typeof c.TimeoutSeconds, "number", "numbers that are not timestamps stay numbers");
});

test("listCommands finds the command; getCommandInvocation reads its invocation", async () => {
  const { Command } = await client.sendCommand(shellCommand(["id"], "list"));
  const listed = await client.listCommands({ CommandId: Command.CommandId });
  assert.equal(listed.Commands.length, 1);
  assert.equal(listed.Commands[0].CommandId, Command.CommandId);
  assert.ok(listed.Commands[0].RequestedDateTime instanceof Date);

  const inv = await client.getCommandInvocation({ CommandId: Command.CommandId, InstanceId: INSTANCE });
  assert.equal(inv.CommandId, Command.CommandId);
  assert.equal(inv.InstanceId, INSTANCE);
  assert.equal(inv.Status, "Success"); // moto finishes every command at once
  assert.equal(inv.DocumentName, "AWS-RunShellScript");
});

test("waitForCommand on one instance reports progress and resolves when final", async () => {
  const { Command } = await client.sendCommand(shellCommand(["sleep 1"], "wait"));
  const seen = [];
  const final = await client.waitForCommand(
    { CommandId: Command.CommandId, InstanceId: INSTANCE },
    { pollMs: 50, timeoutMs: 10_000, onProgress: (invocations) => seen.push(invocations.map((i) => i.Status)) },
  );
  assert.equal(final.length, 1);
  assert.equal(final[0].Status, "Success");
  assert.equal(final[0].CommandId, Command.CommandId);
  assert.deepEqual(seen, [["Success"]]);
});

test("paginateListCommands yields every command", async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await client.sendCommand(shellCommand(["true"], `page ${i}`))).Command.CommandId);
  const all = [];
  let pages = 0;
  for await (const page of client.paginateListCommands({ MaxResults: 50 })) {
    pages++;
    all.push(...page.Commands.map((c) => c.CommandId));
  }
  assert.ok(pages >= 1);
  for (const id of ids) assert.ok(all.includes(id), `${id} not listed`);
});

test("signRequest output is accepted by moto; paginateListDocuments follows NextToken", async () => {
  // Documents are made with CreateDocument, which the client does not offer: sign it ourselves.
  const names = ["ssm-edge-doc-a", "ssm-edge-doc-b", "ssm-edge-doc-c"];
  for (const Name of names) {
    const content = {
      schemaVersion: "2.2", description: Name,
      parameters: { level: { type: "String", allowedValues: ["low", "high"], default: "low" } },
      mainSteps: [{ action: "aws:runShellScript", name: "run", inputs: { runCommand: ["echo {{ level }}"] } }],
    };
    const signed = await signRequest({
      url: `${moto.endpoint}/`,
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.CreateDocument" },
      body: JSON.stringify({
        Name, DocumentType: "Command", DocumentFormat: "JSON", Content: JSON.stringify(content),
        Tags: [{ Key: "team", Value: Name }],
      }),
      credentials: async () => moto.credentials,
      region: moto.region,
    });
    assert.match(signed.headers.Authorization, /^AWS4-HMAC-SHA256 Credential=\S+\/us-east-1\/ssm\/aws4_request, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$/);
    const headers = Object.entries(signed.headers).filter(([n]) => n.toLowerCase() !== "host");
    const res = await fetch(signed.url, { method: signed.method, headers, body: signed.body });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).DocumentDescription.Name, Name);
  }
  const pages = [];
  for await (const page of client.paginateListDocuments({ MaxResults: 1 })) pages.push(page);
  assert.deepEqual(pages.flatMap((p) => p.DocumentIdentifiers.map((d) => d.Name)), names);
  assert.equal(pages.length, 3, "one page per document with MaxResults 1");
  const { Document } = await client.describeDocument({ Name: names[0] });
  assert.ok(Document.CreatedDate instanceof Date, "CreatedDate is a Date");
  // GetDocument: the content itself, with its parameters' rules.
  const got = await client.getDocument({ Name: names[1], DocumentFormat: "JSON" });
  assert.equal(got.Name, names[1]);
  assert.equal(got.DocumentFormat, "JSON");
  assert.deepEqual(JSON.parse(got.Content).parameters.level.allowedValues, ["low", "high"]);
  const e = await client.getDocument({ Name: "ssm-edge-no-such-doc" }).then(() => assert.fail("resolved"), (e) => e);
  assert.ok(e instanceof errors.InvalidDocument, `${e?.constructor?.name}: ${e}`);
  const bad = await client.getDocument({ Name: names[1], DocumentFormat: "XML" }).then(() => assert.fail("resolved"), (e) => e);
  assert.ok(bad instanceof ValidationError, `${bad?.constructor?.name}: ${bad}`);
  assert.match(bad.message, /DocumentFormat/);
  // ListTagsForResource: the tags CreateDocument set.
  const { TagList } = await client.listTagsForResource({ ResourceType: "Document", ResourceId: names[2] });
  assert.deepEqual(TagList, [{ Key: "team", Value: names[2] }]);
});

test("a wrong secret: errors.SignatureDoesNotMatch, HTTP 403, one attempt", async () => {
  const bad = new SsmClient({
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: moto.credentials.accessKeyId, secretAccessKey: "not-the-secret" },
  });
  const e = await bad.listCommands({}).then(() => assert.fail("resolved"), (e) => e);
  assert.ok(e instanceof errors.SignatureDoesNotMatch, `${e?.constructor?.name}: ${e}`);
  assert.ok(e instanceof SsmServiceException);
  assert.ok(e instanceof Error);
  assert.equal(e.name, "SignatureDoesNotMatch");
  assert.equal(e.$metadata.httpStatusCode, 403);
  assert.equal(e.$metadata.attempts, 1);
  assert.equal(typeof e.$metadata.requestId, "string");
  assert.equal(e.$fault, "client");
  assert.equal(e.retryable, false);
  assert.ok(!(e instanceof errors.InvalidClientTokenId));
});

test("an unknown access key: errors.InvalidClientTokenId, HTTP 403", async () => {
  const bad = new SsmClient({
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "AKIAUNKNOWNUNKNOWN00", secretAccessKey: "x" },
  });
  const e = await bad.sendCommand(shellCommand()).then(() => assert.fail("resolved"), (e) => e);
  assert.ok(e instanceof errors.InvalidClientTokenId, `${e?.constructor?.name}: ${e}`);
  assert.equal(e.$metadata.httpStatusCode, 403);
  assert.equal(e.$metadata.attempts, 1);
  assert.match(e.message, /security token/);
});

test("a modelled service error: errors.InvalidCommandId", async () => {
  const e = await client
    .listCommands({ CommandId: "11111111-2222-3333-4444-555555555555" })
    .then(() => assert.fail("resolved"), (e) => e);
  assert.ok(e instanceof errors.InvalidCommandId, `${e?.constructor?.name}: ${e}`);
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.equal(e.message, "Invalid command id.");
});
