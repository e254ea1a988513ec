// The built package (`import ... from "ssm-edge"`, node condition) against local servers of our
// own that count requests and inject what moto cannot: silence, 500s, throttling, clock skew,
// paged invocations. Every server is on 127.0.0.1; nothing else is contacted.
//
// Run:  node --test wasm/test/client-faults.test.mjs   (after `bash wasm/build.sh`)

import { test as nodeTest, describe } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import {
  SsmClient,
  SsmServiceException,
  ValidationError,
  ConfigError,
  TransportError,
  errors,
  validate,
  resolveEndpoint,
  signRequest,
  ApprovalRequiredError,
} from "ssm-edge";
import { fakeSsm, awsError, TEST_CREDENTIALS } from "../test-support/fake-ssm.mjs";

// Every test fails rather than hangs when a request is never answered (undici would wait 300 s).
const test = (name, fn) => nodeTest(name, { timeout: 15_000 }, fn);

const SEND = {
  DocumentName: "AWS-RunShellScript",
  InstanceIds: ["i-0123456789abcdef0"],
  Parameters: { commands: ["uptime"] },
};
const COMMAND_ID = "9b2f6c1e-1d2c-4e55-8a0b-0123456789ab";

function clientFor(server, options = {}) {
  return new SsmClient({ region: "us-east-1", endpoint: server.url, credentials: TEST_CREDENTIALS, ...options });
}

/**
 * Runs `fn` with a fake server and always closes it. A call that never settles fails after
 * 10 s, and closing the server then frees the hung request so the process can exit.
 */
async function withServer(answer, fn) {
  const server = await fakeSsm(answer);
  let timer;
  try {
    return await Promise.race([
      fn(server),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("the test did not finish within 10 s (a call hung?)")), 10_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await server.close();
  }
}

async function rejection(promise) {
  return promise.then(
    (v) => assert.fail(`resolved with ${JSON.stringify(v)}`),
    (e) => e,
  );
}

/** X-Amz-Date (yyyymmddThhmmssZ) as epoch milliseconds. */
function amzDateMs(s) {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  assert.ok(m, `bad X-Amz-Date ${s}`);
  return Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

describe("requests on the wire", () => {
  test("signed awsJson1.1 POST with the operation's target and the input as JSON", () =>
    withServer(() => ({ body: { Command: { CommandId: COMMAND_ID } } }), async (server) => {
      const out = await clientFor(server).sendCommand({ ...SEND, Comment: null });
      assert.equal(out.Command.CommandId, COMMAND_ID);
      assert.equal(server.requests.length, 1);
      const [r] = server.requests;
      assert.equal(r.method, "POST");
      assert.equal(r.target, "AmazonSSM.SendCommand");
      assert.equal(r.headers["content-type"], "application/x-amz-json-1.1");
      assert.deepEqual(r.json, SEND, "null members are dropped");
      assert.match(
        r.headers.authorization,
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ssm\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
      );
      assert.ok(Math.abs(amzDateMs(r.amzDate) - Date.now()) < 60_000, r.amzDate);
    }));
});

describe("validation", () => {
  test("an invalid input rejects with ValidationError listing every problem, and nothing is sent", () =>
    withServer(() => ({ body: {} }), async (server) => {
      const client = clientFor(server);
      const e = await rejection(
        client.sendCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: ["web-1"], TimeoutSeconds: 1 }),
      );
      assert.ok(e instanceof ValidationError, `${e?.constructor?.name}: ${e}`);
      assert.equal(e.name, "ValidationError");
      const got = e.problems.map((p) => `${p.path}:${p.rule}`);
      assert.ok(got.includes("InstanceIds[0]:pattern"), got.join(", "));
      assert.ok(got.includes("TimeoutSeconds:range"), got.join(", "));
      for (const p of e.problems) assert.equal(typeof p.message, "string");
      assert.match(e.message, /InstanceIds\[0\]/);

      const missing = await rejection(client.getCommandInvocation({ CommandId: COMMAND_ID }));
      assert.ok(missing instanceof ValidationError);
      assert.deepEqual(missing.problems.map((p) => [p.path, p.rule]), [["InstanceId", "required"]]);

      const notObject = await rejection(client.listCommands("everything"));
      assert.ok(notObject instanceof ValidationError, String(notObject));

      assert.equal(server.requests.length, 0, "no request may leave for an invalid input");
    }));

  test("validate() returns the problems and an empty list for a valid input", () => {
    assert.deepEqual(validate("SendCommand", SEND), []);
    const problems = validate("SendCommand", { DocumentName: "x", Targets: [{ Key: "tag:Env", Values: [] }] });
    const got = problems.map((p) => `${p.path}:${p.rule}`);
    assert.ok(got.includes("DocumentName:pattern"), got.join(", "));
    assert.ok(got.includes("Targets[0].Values:targetValues"), got.join(", "));
    assert.deepEqual(validate("ListCommands", { Bogus: 1 }).map((p) => p.rule), ["unknownMember"]);
    assert.throws(() => validate("DeleteEverything", {}), ConfigError);
  });

  test("validate(): null members and map values are absent, null list items are not", () => {
    const rules = (input) => validate("SendCommand", input).map((p) => `${p.path}:${p.rule}`);
    assert.deepEqual(rules({ ...SEND, Comment: null, Parameters: { commands: ["uptime"], extra: null } }), []);
    assert.deepEqual(rules({ ...SEND, InstanceIds: ["i-0123456789abcdef0", null] }), ["InstanceIds[1]:type"]);
    // "null" inside a string is no null member; non-ASCII text and long text cross intact.
    assert.deepEqual(rules({ ...SEND, Comment: "null and caf\u00e9 \u{1F600}" }), []);
    const long = validate("SendCommand", { ...SEND, Comment: "\u00e9".repeat(2000) });
    assert.deepEqual(long.map((p) => [p.path, p.rule, p.max, p.actual]), [["Comment", "maxLength", 100, 2000]]);
  });

  test("validate(): NaN, infinities and BigInts are the wrong type at their path, never dropped", () => {
    const rules = (operation, input) => validate(operation, input).map((p) => `${p.path}:${p.rule}:${p.expected}`);
    for (const bad of [NaN, Infinity, -Infinity, 10n]) {
      assert.deepEqual(rules("ListCommands", { MaxResults: bad }), ["MaxResults:type:integer"], String(bad));
      assert.deepEqual(rules("SendCommand", { ...SEND, Comment: bad }), ["Comment:type:string"], String(bad));
      assert.deepEqual(rules("SendCommand", { ...SEND, Parameters: { commands: ["uptime", bad] } }), ['Parameters["commands"][1]:type:string']);
    }
  });

  test("bad client options are ConfigErrors", () => {
    assert.throws(() => new SsmClient({ region: "us-east-1" }), (e) => e instanceof ConfigError && e.field === "credentials");
    assert.throws(
      () => new SsmClient({ region: "not a region", credentials: TEST_CREDENTIALS }),
      (e) => e instanceof ConfigError && e.field === "region",
    );
    assert.throws(
      () => new SsmClient({ region: "us-east-1", credentials: TEST_CREDENTIALS, maxAttempts: 0 }),
      (e) => e instanceof ConfigError && e.field === "maxAttempts",
    );
    assert.equal(new SsmClient({ region: "eu-west-1", credentials: TEST_CREDENTIALS }).endpoint, "https://ssm.eu-west-1.amazonaws.com");
    assert.equal(resolveEndpoint({ region: "us-east-1", useFipsEndpoint: true }), "https://ssm-fips.us-east-1.amazonaws.com");
    assert.throws(
      () => new SsmClient({ region: "us-east-1", credentials: TEST_CREDENTIALS, fetch: "https://example.com" }),
      (e) => e instanceof ConfigError && e.field === "fetch" && /must be a function/.test(e.message),
    );
    // An endpoint may be a URL object, as fetch takes one; anything else is refused by name.
    const local = new URL("http://127.0.0.1:4566/ssm");
    assert.equal(new SsmClient({ region: "us-east-1", endpoint: local, credentials: TEST_CREDENTIALS }).endpoint, local.href);
    assert.equal(resolveEndpoint({ region: "us-east-1", endpoint: local }), local.href);
    assert.throws(
      () => new SsmClient({ region: "us-east-1", endpoint: 4566, credentials: TEST_CREDENTIALS }),
      (e) => e instanceof ConfigError && e.field === "endpoint" && /must be a string or a URL/.test(e.message),
    );
  });

  test("SsmClient: an empty session token is no token, as in signRequest", async () => {
    const sent = [];
    const client = (sessionToken) =>
      new SsmClient({
        region: "us-east-1",
        credentials: { ...TEST_CREDENTIALS, sessionToken },
        fetch: async (url, init) => {
          sent.push(Object.fromEntries(init.headers));
          return new Response("{}");
        },
      });
    await client("").listCommands({});
    await client(undefined).listCommands({});
    assert.deepEqual(Object.keys(sent[0]).sort(), ["Authorization", "Content-Type", "X-Amz-Date", "X-Amz-Target"]);
    assert.deepEqual(Object.keys(sent[1]).sort(), Object.keys(sent[0]).sort());
    await assert.rejects(client(42).listCommands({}), (e) => e instanceof ConfigError && e.field === "credentials" && /sessionToken must be a string/.test(e.message));
  });

  test("waitForCommand and streamOutput without the ids they poll are refused before any request", () =>
    withServer(() => ({ body: {} }), async (server) => {
      const client = clientFor(server);
      for (const invocation of [undefined, {}, { CommandId: "" }, { InstanceId: "i-0123456789abcdef0" }]) {
        await assert.rejects(client.waitForCommand(invocation), (e) => {
          assert.ok(e instanceof ValidationError, String(e));
          assert.deepEqual(e.problems.map((p) => `${p.path}:${p.rule}`), ["CommandId:required"]);
          assert.match(e.message, /CommandId: is required/);
          return true;
        });
      }
      const stream = client.streamOutput({ CommandId: COMMAND_ID });
      await assert.rejects(stream.next(), (e) => {
        assert.ok(e instanceof ValidationError, String(e));
        assert.deepEqual(e.problems.map((p) => `${p.path}:${p.rule}`), ["InstanceId:required"]);
        return true;
      });
      assert.equal(server.requests.length, 0);
    }));

  test("signRequest: bad fields are ConfigErrors naming the field, never a wrong signature", async () => {
    const base = { url: "https://ssm.us-east-1.amazonaws.com/", headers: { "X-Amz-Target": "AmazonSSM.ListCommands" }, body: "{}", credentials: TEST_CREDENTIALS, region: "us-east-1" };
    const refused = async (override, field, message) => {
      await assert.rejects(signRequest({ ...base, ...override }), (e) => {
        assert.ok(e instanceof ConfigError, `${e}`);
        assert.equal(e.field, field);
        assert.match(e.message, message);
        return true;
      });
    };
    await refused({ region: undefined }, "region", /must be a string/);
    await refused({ region: "us-east-1\nx" }, "region", /line breaks/);
    await refused({ url: "https://ssm.us-east-1.amazonaws.com/\r" }, "url", /line breaks/);
    await refused({ method: "POST\nGET" }, "method", /line breaks/);
    await refused({ credentials: { ...TEST_CREDENTIALS, secretAccessKey: "se\ncret" } }, "credentials", /line breaks/);
    await refused({ credentials: { ...TEST_CREDENTIALS, sessionToken: "to\nken" } }, "credentials", /line breaks/);
    await refused({ credentials: { secretAccessKey: "s" } }, "credentials", /must be a string/);
    await refused({ credentials: undefined }, "credentials", /are required/);
    await refused({ credentials: async () => null }, "credentials", /are required/);
    await refused({ headers: { "X-Amz-Target": "a\nb" } }, "headers", /line breaks/);
    // What the signer refuses names the field it is about.
    await refused({ url: "/relative" }, "url", /must be absolute/);
    await refused({ url: 42 }, "url", /must be a string or a URL/);
    await refused({ method: "GET POST" }, "method", /invalid HTTP method/);
    await refused({ headers: { "Bad Name": "x" } }, "headers", /invalid header name "Bad Name"/);
    await refused({ headers: { Host: "a", host: "b" } }, "headers", /more than one Host/);
    await refused({ region: "us east 1" }, "region", /invalid region/);
    await refused({ credentials: { ...TEST_CREDENTIALS, accessKeyId: "AKID EXAMPLE" } }, "credentials", /invalid access key id/);
    // A time no signature can carry is refused, never signed as 1970.
    for (const date of [new Date("not a date"), new Date(-1), new Date(8.64e15), 0, "2026-01-01"]) {
      await refused({ date }, "date", /must be a valid Date from 1970 through 9999/);
    }
    // Bodies with no bytes at hand are refused, not signed as an empty body.
    for (const body of [new Blob(["{}"]), new URLSearchParams("a=1"), new ReadableStream(), { DocumentName: "x" }, 42]) {
      await refused({ body }, "body", /must be a string, an ArrayBuffer or a view of one/);
    }
    // An empty session token is no token, as in aws4 and the AWS SDKs.
    const plain = await signRequest({ ...base, credentials: { ...TEST_CREDENTIALS, sessionToken: "" } });
    assert.equal(plain.headers["X-Amz-Security-Token"], undefined);
    assert.deepEqual(Object.keys(plain.headers).sort(), ["Authorization", "Host", "X-Amz-Date", "X-Amz-Target"]);
    assert.equal(plain.body, "{}");
    assert.equal(plain.method, "POST");
    // A URL object is signed as its href, which comes back as the request's url.
    const date = new Date("2026-01-01T00:00:00Z");
    const byUrl = await signRequest({ ...base, url: new URL(base.url), date });
    assert.deepEqual(byUrl, await signRequest({ ...base, date }));
    assert.equal(byUrl.url, base.url);
  });
});

describe("cancellation", () => {
  test("aborting a request in flight rejects at once with an AbortError DOMException", () =>
    withServer(() => "hang", async (server) => {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);
      const e = await rejection(clientFor(server).listCommands({}, { signal: controller.signal }));
      const elapsed = Date.now() - started;
      assert.ok(e instanceof DOMException, `${e?.constructor?.name}: ${e}`);
      assert.equal(e.name, "AbortError");
      assert.ok(elapsed < 1000, `took ${elapsed} ms`);
      assert.equal(server.requests.length, 1, "the request had arrived");
    }));

  test("an already aborted signal sends nothing; a custom reason is the rejection", () =>
    withServer(() => ({ body: {} }), async (server) => {
      const e = await rejection(clientFor(server).sendCommand(SEND, { signal: AbortSignal.abort() }));
      assert.ok(e instanceof DOMException && e.name === "AbortError", String(e));
      const reason = new Error("user left");
      const controller = new AbortController();
      controller.abort(reason);
      assert.equal(await rejection(clientFor(server).listCommands({}, { signal: controller.signal })), reason);
      assert.equal(server.requests.length, 0);
    }));

  test("aborting during a retry delay rejects at once and sends no retry", () =>
    withServer(
      // x-amz-retry-after asks for 10 s before the retry: the abort must cut that short.
      () => ({ status: 500, headers: { "x-amz-retry-after": "10000" }, body: { __type: "InternalServerError", message: "try later" } }),
      async (server) => {
        const controller = new AbortController();
        const call = clientFor(server).listCommands({}, { signal: controller.signal });
        const outcome = rejection(call);
        await server.waitFor(1);
        await new Promise((r) => setTimeout(r, 150)); // the client is now sleeping
        const aborted = Date.now();
        controller.abort();
        const e = await outcome;
        assert.ok(e instanceof DOMException && e.name === "AbortError", `${e?.constructor?.name}: ${e}`);
        assert.ok(Date.now() - aborted < 500, `rejected ${Date.now() - aborted} ms after abort`);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(server.requests.length, 1, "no retry after the abort");
      },
    ));

  test("aborting a waiter stops its polling", () =>
    withServer(
      () => ({ body: { CommandId: COMMAND_ID, InstanceId: "i-0123456789abcdef0", Status: "InProgress" } }),
      async (server) => {
        const controller = new AbortController();
        const waiting = rejection(
          clientFor(server).waitForCommand(
            { CommandId: COMMAND_ID, InstanceId: "i-0123456789abcdef0" },
            { signal: controller.signal, pollMs: 5000 },
          ),
        );
        await server.waitFor(1);
        controller.abort();
        const e = await waiting;
        assert.equal(e.name, "AbortError");
        assert.equal(server.requests.length, 1);
      },
    ));
});

describe("an ssm-edge gateway's approval API", () => {
  const APPROVAL_ID = "5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11";
  const approval = (State, more = {}) => ({
    Approval: { ApprovalId: APPROVAL_ID, State, Requester: "alice", CreatedAt: 1_790_000_000, ...more },
  });

  test("ApprovalRequiredError carries the approval id, after one attempt", () =>
    withServer(
      () => ({ status: 400, body: { __type: "ApprovalRequiredException", message: "wait", approvalId: APPROVAL_ID } }),
      async (server) => {
        const e = await rejection(clientFor(server).sendCommand(SEND));
        assert.ok(e instanceof ApprovalRequiredError && e instanceof SsmServiceException, `${e}`);
        assert.equal(errors.ApprovalRequiredException, ApprovalRequiredError);
        assert.equal(e.name, "ApprovalRequiredException");
        assert.equal(e.approvalId, APPROVAL_ID);
        assert.equal(e.message, "wait");
        assert.equal(e.$metadata.attempts, 1);
        assert.equal(server.requests.length, 1);
      },
    ));

  test("the calls go to SsmEdge.<operation>, validated by the model first", () =>
    withServer(() => ({ body: approval("Done", { CommandId: COMMAND_ID }) }), async (server) => {
      const client = clientFor(server);
      const bad = await rejection(client.approveCommand({ ApprovalId: "../../etc/passwd" }));
      assert.ok(bad instanceof ValidationError);
      assert.deepEqual(bad.problems.map((p) => [p.path, p.rule]), [["ApprovalId", "minLength"], ["ApprovalId", "pattern"]]);
      const long = await rejection(client.rejectCommand({ ApprovalId: APPROVAL_ID, Reason: "x\ny" }));
      assert.deepEqual(long.problems.map((p) => [p.path, p.rule]), [["Reason", "pattern"]]);
      assert.match(long.problems[0].message, /one line of text/);
      assert.equal(server.requests.length, 0, "nothing invalid is sent");
      const out = await client.approveCommand({ ApprovalId: APPROVAL_ID });
      assert.equal(out.Approval.CommandId, COMMAND_ID);
      assert.ok(out.Approval.CreatedAt instanceof Date);
      await client.listApprovals({ State: "Pending" });
      assert.deepEqual(server.requests.map((r) => r.target), ["SsmEdge.ApproveCommand", "SsmEdge.ListApprovals"]);
      assert.deepEqual(server.requests[1].json, { State: "Pending" });
    }));

  test("ApproveCommand is not retried after a 500 (it may have run); GetApproval is", () =>
    withServer(() => awsError(500, "InternalServerError", "boom"), async (server) => {
      const client = clientFor(server);
      const e = await rejection(client.approveCommand({ ApprovalId: APPROVAL_ID }));
      assert.equal(e.$metadata.attempts, 1);
      await rejection(client.getApproval({ ApprovalId: APPROVAL_ID }));
      assert.equal(server.requests.length, 1 + 3);
    }));

  test("waitForApproval polls until the approval is decided, reporting each poll", () =>
    withServer(
      (_request, i) => ({ body: approval(["Pending", "Pending", "Running", "Done"][Math.min(i, 3)], { CommandId: COMMAND_ID }) }),
      async (server) => {
        const seen = [];
        const out = await clientFor(server).waitForApproval(APPROVAL_ID, { pollMs: 5, onProgress: (a) => seen.push(a.State) });
        assert.deepEqual(seen, ["Pending", "Pending", "Running", "Done"]);
        assert.equal(out.State, "Done");
        assert.equal(out.CommandId, COMMAND_ID);
        assert.ok(server.requests.every((r) => r.target === "SsmEdge.GetApproval" && r.json.ApprovalId === APPROVAL_ID));
      },
    ));

  test("waitForApproval resolves with a rejection, and times out or aborts while pending", () =>
    withServer(
      (request) => ({ body: approval(request.json.ApprovalId === APPROVAL_ID ? "Pending" : "Rejected") }),
      async (server) => {
        const client = clientFor(server);
        const other = "00000000-0000-4000-8000-000000000000";
        assert.equal((await client.waitForApproval(other)).State, "Rejected");
        const late = await rejection(client.waitForApproval(APPROVAL_ID, { pollMs: 5, timeoutMs: 30 }));
        assert.equal(late.name, "TimeoutError");
        assert.equal(late.approval.State, "Pending");
        const aborted = await rejection(client.waitForApproval(APPROVAL_ID, { pollMs: 5, signal: AbortSignal.timeout(30) }));
        assert.equal(aborted.name, "TimeoutError");
      },
    ));
});

describe("retries", () => {
  test("SendCommand is not retried after a 500 (it may have run)", () =>
    withServer(() => awsError(500, "InternalServerError", "boom"), async (server) => {
      const e = await rejection(clientFor(server).sendCommand(SEND));
      assert.ok(e instanceof errors.InternalServerError, `${e?.constructor?.name}: ${e}`);
      assert.equal(e.$metadata.httpStatusCode, 500);
      assert.equal(e.$metadata.attempts, 1);
      assert.equal(e.$metadata.requestId, "fake-1");
      assert.equal(e.$fault, "server");
      assert.equal(server.requests.length, 1, "exactly one SendCommand");
    }));

  test("ListCommands is tried 3 times on 500s, then the error carries attempts 3", () =>
    withServer(() => awsError(500, "InternalServerError", "boom"), async (server) => {
      const e = await rejection(clientFor(server).listCommands({}));
      assert.ok(e instanceof errors.InternalServerError, `${e?.constructor?.name}: ${e}`);
      assert.equal(e.$metadata.attempts, 3);
      assert.equal(server.requests.length, 3);
      assert.ok(server.requests.every((r) => r.target === "AmazonSSM.ListCommands"));
    }));

  test("a retried ListCommands succeeds when the service recovers; maxAttempts is honoured", () =>
    withServer(
      (_r, i) => (i < 3 ? { status: 503, body: "<html>unavailable</html>", headers: { "content-type": "text/html" } } : { body: { Commands: [] } }),
      async (server) => {
        const e = await rejection(clientFor(server, { maxAttempts: 2 }).listCommands({}));
        assert.ok(e instanceof SsmServiceException);
        assert.equal(e.$metadata.httpStatusCode, 503);
        assert.equal(server.requests.length, 2);
        assert.deepEqual(await clientFor(server).listCommands({}), { Commands: [] });
        assert.equal(server.requests.length, 4);
      },
    ));

  test("SendCommand is retried after throttling (it was refused, not run)", () =>
    withServer(
      (_r, i) => (i === 0 ? awsError(400, "ThrottlingException", "Rate exceeded") : { body: { Command: { CommandId: COMMAND_ID } } }),
      async (server) => {
        const out = await clientFor(server).sendCommand(SEND);
        assert.equal(out.Command.CommandId, COMMAND_ID);
        assert.equal(server.requests.length, 2);
        assert.equal(server.requests[0].body, server.requests[1].body);
      },
    ));

  test("a refused connection: reads retried, SendCommand not; TransportError", async () => {
    const port = await new Promise((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
    const client = new SsmClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${port}`, credentials: TEST_CREDENTIALS });
    const read = await rejection(client.listCommands({}));
    assert.ok(read instanceof TransportError, `${read?.constructor?.name}: ${read}`);
    assert.equal(read.$metadata.attempts, 3);
    const send = await rejection(client.sendCommand(SEND));
    assert.ok(send instanceof TransportError, String(send));
    assert.equal(send.$metadata.attempts, 1);
  });

  test("an unknown error code is an SsmServiceException named after the code", () =>
    withServer(() => awsError(400, "com.amazonaws.ssm#BrandNewException:http://internal/", "new"), async (server) => {
      const e = await rejection(clientFor(server).listDocuments({}));
      assert.equal(e.constructor, SsmServiceException);
      assert.equal(e.name, "BrandNewException");
      assert.equal(e.message, "new");
    }));

  test("a 200 whose body is not JSON is a TransportError", () =>
    withServer(() => ({ body: "<html>captive portal</html>" }), async (server) => {
      const e = await rejection(clientFor(server).listCommands({}));
      assert.ok(e instanceof TransportError, `${e?.constructor?.name}: ${e}`);
    }));
});

describe("clock skew", () => {
  test("a 'Signature expired' refusal with a Date 1 h ahead: the retry is signed 1 h later", () =>
    withServer(
      (r, i) =>
        i === 0
          ? {
              status: 400,
              headers: { date: new Date(Date.now() + 3600_000).toUTCString() },
              body: { __type: "InvalidSignatureException", message: "Signature expired: 20260101T000000Z is now earlier than ..." },
            }
          : { body: { Commands: [] } },
      async (server) => {
        const client = clientFor(server);
        const started = Date.now();
        assert.deepEqual(await client.listCommands({}), { Commands: [] });
        assert.equal(server.requests.length, 2);
        const [first, second] = server.requests.map((r) => amzDateMs(r.amzDate));
        assert.ok(Math.abs(first - started) < 5_000, `first X-Amz-Date ${server.requests[0].amzDate}`);
        const shift = second - first;
        assert.ok(Math.abs(shift - 3600_000) <= 5_000, `second X-Amz-Date moved by ${shift / 1000} s, not 3600 s`);
        assert.ok(second - Date.now() > 3590_000, "the retry's X-Amz-Date is an hour ahead of the local clock");
        // The correction is learnt: the next call is signed with the corrected clock at once.
        await client.listCommands({});
        assert.equal(server.requests.length, 3);
        assert.ok(amzDateMs(server.requests[2].amzDate) - Date.now() > 3590_000, server.requests[2].amzDate);
      },
    ));

  test("SendCommand refused for skew is retried too (it never ran)", () =>
    withServer(
      (_r, i) =>
        i === 0
          ? { ...awsError(403, "InvalidSignatureException", "Signature expired"), headers: { date: new Date(Date.now() - 3600_000).toUTCString() } }
          : { body: { Command: { CommandId: COMMAND_ID } } },
      async (server) => {
        await clientFor(server).sendCommand(SEND);
        assert.equal(server.requests.length, 2);
        const shift = amzDateMs(server.requests[1].amzDate) - amzDateMs(server.requests[0].amzDate);
        assert.ok(Math.abs(shift + 3600_000) <= 5_000, `moved by ${shift / 1000} s`);
      },
    ));
});

describe("credentials", () => {
  test("a provider whose credentials expire within 5 minutes is asked again on the next call", () =>
    withServer(() => ({ body: { Commands: [] } }), async (server) => {
      let calls = 0;
      const provider = async () => {
        calls++;
        return { accessKeyId: `AKIDCALL${calls}`, secretAccessKey: "s", sessionToken: `token-${calls}`, expiration: new Date(Date.now() + 60_000) };
      };
      const client = clientFor(server, { credentials: provider });
      await client.listCommands({});
      await client.listCommands({});
      assert.equal(calls, 2);
      assert.match(server.requests[0].headers.authorization, /Credential=AKIDCALL1\//);
      assert.match(server.requests[1].headers.authorization, /Credential=AKIDCALL2\//);
      assert.equal(server.requests[1].headers["x-amz-security-token"], "token-2");
    }));

  test("a provider whose credentials expire far ahead is asked once; concurrent calls share it", () =>
    withServer(() => ({ body: { Commands: [] } }), async (server) => {
      let calls = 0;
      const provider = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 20));
        return { ...TEST_CREDENTIALS, expiration: new Date(Date.now() + 3600_000) };
      };
      const client = clientFor(server, { credentials: provider });
      await Promise.all([client.listCommands({}), client.listCommands({}), client.listCommands({})]);
      await client.listCommands({});
      assert.equal(calls, 1);
      assert.equal(server.requests.length, 4);
    }));

  test("a provider without expiration is asked once; a failing provider rejects the call", () =>
    withServer(() => ({ body: { Commands: [] } }), async (server) => {
      let calls = 0;
      const client = clientFor(server, { credentials: () => (calls++, TEST_CREDENTIALS) });
      await client.listCommands({});
      await client.listCommands({});
      assert.equal(calls, 1);
      const failing = clientFor(server, { credentials: async () => Promise.reject(new Error("no session")) });
      assert.equal((await rejection(failing.listCommands({}))).message, "no session");
      const broken = clientFor(server, { credentials: async () => ({ accessKeyId: "x" }) });
      assert.ok((await rejection(broken.listCommands({}))) instanceof ConfigError);
      assert.equal(server.requests.length, 2);
    }));
});

describe("outputs", () => {
  test("timestamps (epoch seconds) become Dates, other numbers stay numbers", () =>
    withServer(
      () => ({
        body: {
          Commands: [
            {
              CommandId: COMMAND_ID,
              RequestedDateTime: 1767225600.123,
              ExpiresAfter: 1767229200,
              TimeoutSeconds: 600,
              TargetCount: 1,
            },
          ],
        },
      }),
      async (server) => {
        const [c] = (await clientFor(server).listCommands({})).Commands;
        assert.ok(c.RequestedDateTime instanceof Date);
        assert.equal(c.RequestedDateTime.getTime(), 1767225600123);
        assert.equal(c.ExpiresAfter.toISOString(), "2026-01-01T01:00:00.000Z");
        assert.equal(c.TimeoutSeconds, 600);
        assert.equal(c.TargetCount, 1);
      },
    ));
});

describe("paginators and the waiter", () => {
  const invocation = (id, status) => ({ CommandId: COMMAND_ID, InstanceId: id, Status: status, RequestedDateTime: 1767225600 });

  test("waitForCommand without InstanceId pages ListCommandInvocations each poll until all are final", () => {
    let poll = 0;
    return withServer(
      (r) => {
        if (r.operation === "ListCommands") {
          assert.equal(r.json.CommandId, COMMAND_ID);
          return { body: { Commands: [{ CommandId: COMMAND_ID, Status: "Failed" }] } };
        }
        assert.equal(r.operation, "ListCommandInvocations");
        if (!r.json.NextToken) {
          poll++;
          return { body: { CommandInvocations: [invocation("i-00000000000000001", poll < 2 ? "InProgress" : "Success")], NextToken: "page-2" } };
        }
        assert.equal(r.json.NextToken, "page-2");
        return { body: { CommandInvocations: [invocation("i-00000000000000002", poll < 2 ? "Pending" : "Failed")] } };
      },
      async (server) => {
        const progress = [];
        const final = await clientFor(server).waitForCommand(
          { CommandId: COMMAND_ID },
          { pollMs: 10, onProgress: (list) => progress.push(list.map((i) => i.Status)) },
        );
        assert.deepEqual(progress, [["InProgress", "Pending"], ["Success", "Failed"]]);
        assert.deepEqual(final.map((i) => i.InstanceId), ["i-00000000000000001", "i-00000000000000002"]);
        assert.ok(final[0].RequestedDateTime instanceof Date);
        assert.deepEqual(
          server.requests.map((r) => r.operation),
          ["ListCommandInvocations", "ListCommandInvocations", "ListCommandInvocations", "ListCommandInvocations", "ListCommands"],
        );
        assert.ok(server.requests.filter((r) => r.operation === "ListCommandInvocations").every((r) => r.json.Details === true));
      },
    );
  });

  test("waitForCommand with tag targets keeps polling while the command is still resolving instances", () => {
    // The first instance finishes before SSM has found the second: every invocation so far
    // is final, but the command is still InProgress.
    let polls = 0;
    return withServer(
      (r) => {
        if (r.operation === "ListCommands") {
          return { body: { Commands: [{ CommandId: COMMAND_ID, Status: polls < 2 ? "InProgress" : "Success" }] } };
        }
        polls++;
        const found = [invocation("i-00000000000000001", "Success")];
        if (polls >= 2) found.push(invocation("i-00000000000000002", "Success"));
        return { body: { CommandInvocations: found } };
      },
      async (server) => {
        const final = await clientFor(server).waitForCommand({ CommandId: COMMAND_ID }, { pollMs: 10 });
        assert.deepEqual(final.map((i) => i.InstanceId), ["i-00000000000000001", "i-00000000000000002"]);
        assert.equal(polls, 2);
      },
    );
  });

  test("waitForCommand on an instance treats InvocationDoesNotExist as pending", () =>
    withServer(
      (_r, i) =>
        i === 0
          ? awsError(400, "InvocationDoesNotExist", "not yet")
          : { body: { CommandId: COMMAND_ID, InstanceId: "i-0123456789abcdef0", Status: i === 1 ? "InProgress" : "Success" } },
      async (server) => {
        const progress = [];
        const final = await clientFor(server).waitForCommand(
          { CommandId: COMMAND_ID, InstanceId: "i-0123456789abcdef0" },
          { pollMs: 10, onProgress: (list) => progress.push(list[0].Status) },
        );
        assert.deepEqual(progress, ["Pending", "InProgress", "Success"]);
        assert.equal(final[0].Status, "Success");
      },
    ));

  test("a waiter and a stream of one invocation share its polls", () =>
    withServer(
      (r) =>
        ({
          ListCommands: { body: { Commands: [{ CommandId: COMMAND_ID, DocumentName: "AWS-RunShellScript", CloudWatchOutputConfig: { CloudWatchOutputEnabled: true } }] } },
          DescribeLogStreams: { body: { logStreams: [] } },
          GetCommandInvocation: { body: { CommandId: COMMAND_ID, InstanceId: "i-0123456789abcdef0", Status: "Success" } },
        })[r.operation] ?? awsError(400, "ValidationException", r.operation),
      async (server) => {
        const client = clientFor(server);
        const invocation = { CommandId: COMMAND_ID, InstanceId: "i-0123456789abcdef0" };
        const chunks = [];
        const [final] = await Promise.all([
          client.waitForCommand(invocation, { pollMs: 1000 }),
          (async () => {
            for await (const c of client.streamOutput(invocation, { pollMs: 1000 })) chunks.push(c);
          })(),
        ]);
        assert.equal(final[0].Status, "Success");
        assert.deepEqual(chunks, []);
        const ops = server.requests.map((r) => r.operation);
        // The stream's first poll is the waiter's answer: one GetCommandInvocation before
        // the stream looks for its log streams.
        assert.deepEqual(ops.slice(0, ops.indexOf("DescribeLogStreams")).sort(), ["GetCommandInvocation", "ListCommands"]);
        assert.equal(server.requests.find((r) => r.operation === "DescribeLogStreams").target, "Logs_20140328.DescribeLogStreams");
      },
    ));

  test("waitForCommand gives up after timeoutMs with a TimeoutError", () =>
    withServer(
      () => ({ body: { CommandId: COMMAND_ID, InstanceId: "i-0123456789abcdef0", Status: "InProgress" } }),
      async (server) => {
        const e = await rejection(
          clientFor(server).waitForCommand({ CommandId: COMMAND_ID, InstanceId: "i-0123456789abcdef0" }, { pollMs: 20, timeoutMs: 100 }),
        );
        assert.equal(e.name, "TimeoutError");
        assert.equal(e.invocations[0].Status, "InProgress");
        assert.ok(server.requests.length >= 2 && server.requests.length <= 7, `${server.requests.length} polls`);
      },
    ));

  test("paginateListCommands sends each NextToken and stops on the last page", () =>
    withServer(
      (r) => {
        const n = r.json.NextToken ? Number(r.json.NextToken) : 0;
        return { body: { Commands: [{ CommandId: `c${n}` }], ...(n < 2 ? { NextToken: String(n + 1) } : {}) } };
      },
      async (server) => {
        const ids = [];
        for await (const page of clientFor(server).paginateListCommands({ MaxResults: 1, Filters: [{ key: "Status", value: "Success" }] })) {
          ids.push(...page.Commands.map((c) => c.CommandId));
        }
        assert.deepEqual(ids, ["c0", "c1", "c2"]);
        assert.deepEqual(server.requests.map((r) => r.json.NextToken), [undefined, "1", "2"]);
        assert.ok(server.requests.every((r) => r.json.MaxResults === 1 && r.json.Filters[0].key === "Status"));
      },
    ));

  test("a paginator can start from a NextToken and be stopped early", () =>
    withServer(
      (r) => ({ body: { DocumentIdentifiers: [{ Name: `doc-${r.json.NextToken}` }], NextToken: `${r.json.NextToken}x` } }),
      async (server) => {
        const names = [];
        for await (const page of clientFor(server).paginateListDocuments({ NextToken: "t" })) {
          names.push(page.DocumentIdentifiers[0].Name);
          if (names.length === 2) break;
        }
        assert.deepEqual(names, ["doc-t", "doc-tx"]);
        assert.equal(server.requests.length, 2);
      },
    ));
});

describe("bearer tokens (a gateway that takes JWTs)", () => {
  test("a token replaces the SigV4 signature; validation still runs first", async () => {
    await withServer(() => ({ body: { Commands: [] } }), async (server) => {
      let calls = 0;
      const client = new SsmClient({
        region: "us-east-1",
        endpoint: server.url,
        token: async () => `tok-${++calls}`,
      });
      await client.listCommands();
      await client.listCommands();
      const [first, second] = server.requests;
      assert.equal(first.headers.authorization, "Bearer tok-1");
      assert.equal(second.headers.authorization, "Bearer tok-2");
      assert.equal(first.headers["x-amz-date"], undefined);
      assert.equal(first.headers["x-amz-target"], "AmazonSSM.ListCommands");
      assert.equal(first.headers["content-type"], "application/x-amz-json-1.1");

      const invalid = await rejection(client.sendCommand({ DocumentName: "" }));
      assert.ok(invalid instanceof ValidationError, String(invalid));
      assert.equal(server.requests.length, 2, "an invalid input is not sent");
    });
  });

  test("a token and credentials together, or a bad token, are configuration errors", async () => {
    assert.throws(
      () => new SsmClient({ region: "us-east-1", credentials: TEST_CREDENTIALS, token: "t" }),
      (e) => e instanceof ConfigError && e.field === "token",
    );
    assert.throws(() => new SsmClient({ region: "us-east-1" }), (e) => e instanceof ConfigError);
    await withServer(() => ({ body: {} }), async (server) => {
      const client = new SsmClient({ region: "us-east-1", endpoint: server.url, token: () => "has space" });
      const error = await rejection(client.listCommands());
      assert.ok(error instanceof ConfigError && error.field === "token", String(error));
      assert.equal(server.requests.length, 0);
    });
  });
});

describe("a gateway's regions and accounts", () => {
  test("account is sent in X-Ssm-Edge-Account and signed; a token caller also names its region", async () => {
    await withServer(() => ({ body: { Commands: [] } }), async (server) => {
      await clientFor(server, { region: "eu-west-1", account: "staging" }).listCommands();
      const signed = server.requests[0];
      assert.equal(signed.headers["x-ssm-edge-account"], "staging");
      assert.equal(signed.headers["x-ssm-edge-region"], undefined, "a signature names the region already");
      assert.match(signed.headers.authorization, /\/eu-west-1\/ssm\/aws4_request, SignedHeaders=[^,]*x-ssm-edge-account/);

      await new SsmClient({ region: "eu-west-1", endpoint: server.url, token: "tok", account: "prod" }).listCommands();
      const bearer = server.requests[1];
      assert.equal(bearer.headers.authorization, "Bearer tok");
      assert.equal(bearer.headers["x-ssm-edge-account"], "prod");
      assert.equal(bearer.headers["x-ssm-edge-region"], "eu-west-1");

      await clientFor(server).listCommands();
      assert.equal(server.requests[2].headers["x-ssm-edge-account"], undefined);
    });
  });

  test("an account that is not an alias is a configuration error naming the field", async () => {
    await withServer(() => ({ body: {} }), async (server) => {
      for (const account of ["Prod", "prod eu", "", "-x", 7]) {
        const error = await rejection(Promise.resolve().then(() => clientFor(server, { account }).listCommands()));
        assert.ok(error instanceof ConfigError && error.field === "account", `${account}: ${error}`);
      }
      assert.equal(server.requests.length, 0);
    });
  });
});

