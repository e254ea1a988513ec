// The built package (`ssm-edge`) against tests/local-ssm with its fault modes switched on
// per call through the emulator's control endpoint: every upstream failure becomes the
// right typed error, only safe calls are retried, a SendCommand never runs twice (the
// emulator counts the commands it creates), and an AbortSignal ends every wait at once.
//
// Run:  node --test wasm/test/client-local-ssm-faults.test.mjs   (after `bash wasm/build.sh`)

import { test as nodeTest, before, after, afterEach, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { SsmClient, SsmServiceException, TransportError, errors } from "ssm-edge";
import { startLocalSsm } from "../test-support/local-ssm.mjs";
import { INSTANCE } from "../test-support/moto.mjs";

const test = (name, fn) => nodeTest(name, { timeout: 30_000 }, fn);

let ssm;
let client;

before(async () => {
  ssm = await startLocalSsm();
  client = new SsmClient({ region: ssm.region, endpoint: ssm.endpoint, credentials: ssm.credentials });
});
after(async () => {
  await ssm?.stop();
});
afterEach(async () => {
  await ssm.clearFaults();
});

const send = (comment) => ({
  DocumentName: "AWS-RunShellScript",
  InstanceIds: [INSTANCE],
  Parameters: { commands: ["uptime"] },
  Comment: comment,
});

/** Runs `call` with one fault rule on `operation`; what it resolved or rejected with, how
 * long it took, how many requests the emulator got and how many commands it created. */
async function underFault(operation, rule, call) {
  const before = await ssm.stats();
  await ssm.faults({ operations: [operation], count: 1, ...rule });
  const started = Date.now();
  let value;
  let error;
  try {
    value = await call();
  } catch (e) {
    error = e;
  }
  const ms = Date.now() - started;
  const after = await ssm.stats();
  const requests = (after.requests[operation] ?? 0) - (before.requests[operation] ?? 0);
  assert.deepEqual(after.rules, [], "the fault was used up");
  return { value, error, ms, requests, runs: (comment) => after.sendCommandComments[comment] ?? 0 };
}

const isTransport = (e) => e instanceof TransportError && !(e instanceof SsmServiceException);
const aborted = (e) => e?.name === "TimeoutError" || e?.name === "AbortError";

// SendCommand: (mode, rule, check of the error (or null: resolves), requests, commands run,
// options). Only throttling proves the call did not run, so only it is retried.
const SEND_CASES = [
  ["throttle", {}, null, 2, 1],
  ["throttle", { count: 3 }, (e) => e instanceof errors.ThrottlingException && e.throttling && e.$metadata.attempts === 3, 3, 0],
  ["500", {}, (e) => e instanceof errors.InternalServerError && e.$fault === "server" && e.$metadata.attempts === 1, 1, 0],
  ["500", { execute: true }, (e) => e instanceof errors.InternalServerError && e.$metadata.httpStatusCode === 500, 1, 1],
  ["503", {}, (e) => e instanceof SsmServiceException && e.name === "ServiceUnavailable" && e.$fault === "server", 1, 0],
  ["reset-before-read", {}, (e) => isTransport(e) && /may have been processed/.test(e.message), 1, 0],
  ["reset-after-read", {}, (e) => isTransport(e) && /may have been processed/.test(e.message) && e.$metadata.attempts === 1, 1, 1],
  ["hang", {}, aborted, 1, 1, { abortAfterMs: 500 }],
  ["trickle", { ms: 300 }, null, 1, 1],
  ["trickle", { ms: 10_000 }, aborted, 1, 1, { abortAfterMs: 500 }],
  ["truncated", {}, isTransport, 1, 1],
  ["garbage", {}, (e) => isTransport(e) && /not JSON/.test(e.message), 1, 1],
  ["wrong-content-type", {}, (e) => isTransport(e) && /not JSON/.test(e.message), 1, 1],
];

describe("sendCommand against a failing SSM: typed errors, never run twice", () => {
  for (const [mode, rule, check, requests, runs, { abortAfterMs } = {}] of SEND_CASES) {
    test(`${mode} ${JSON.stringify(rule)}`, async () => {
      const comment = `fault ${mode} ${randomUUID()}`;
      const signal = abortAfterMs ? AbortSignal.timeout(abortAfterMs) : undefined;
      const out = await underFault("SendCommand", { mode, ...rule }, () => client.sendCommand(send(comment), { signal }));
      if (check === null) {
        assert.equal(out.error, undefined, String(out.error));
        assert.match(out.value.Command.CommandId, /^[0-9a-f-]{36}$/);
      } else {
        assert.ok(out.error, `resolved: ${JSON.stringify(out.value)}`);
        assert.ok(check(out.error), `${out.error?.name}: ${out.error?.message} (${JSON.stringify(out.error?.$metadata)})`);
      }
      assert.equal(out.requests, requests, "requests that reached the emulator");
      assert.equal(out.runs(comment), runs, "commands the emulator created");
      if (abortAfterMs) assert.ok(out.ms < abortAfterMs + 1000, `aborted after ${out.ms} ms`);
    });
  }
});

// ListCommands may be retried: one failure, then the retry answers. A 200 with a body that
// is not SSM's is not retried (the call went through).
const READ_CASES = [
  ["throttle", {}, null, 2],
  ["500", {}, null, 2],
  ["503", {}, null, 2],
  ["reset-before-read", {}, null, 2],
  ["reset-after-read", {}, null, 2],
  ["truncated", {}, null, 2],
  ["trickle", { ms: 300 }, null, 1],
  ["garbage", {}, isTransport, 1],
  ["wrong-content-type", {}, isTransport, 1],
  ["503", { count: 3 }, (e) => e.name === "ServiceUnavailable" && e.$metadata.attempts === 3, 3],
  ["reset-after-read", { count: 3 }, (e) => isTransport(e) && e.$metadata.attempts === 3, 3],
];

describe("listCommands against a failing SSM: retried where safe", () => {
  for (const [mode, rule, check, requests] of READ_CASES) {
    test(`${mode} ${JSON.stringify(rule)}`, async () => {
      const out = await underFault("ListCommands", { mode, ...rule }, () => client.listCommands({ MaxResults: 5 }));
      if (check === null) {
        assert.equal(out.error, undefined, String(out.error));
        assert.ok(Array.isArray(out.value.Commands));
      } else {
        assert.ok(out.error && check(out.error), `${out.error?.name}: ${out.error?.message}`);
      }
      assert.equal(out.requests, requests);
    });
  }
});

describe("AbortSignal ends every wait promptly", () => {
  test("a call the SSM never answers: the fetch is aborted and its connection closed", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user gave up")), 300);
    const comment = `abort hang ${randomUUID()}`;
    const out = await underFault("SendCommand", { mode: "hang", ms: 60_000 }, () =>
      client.sendCommand(send(comment), { signal: controller.signal }),
    );
    assert.equal(out.error?.message, "user gave up", "rejects with the signal's reason");
    assert.ok(out.ms < 1300, `${out.ms} ms`);
    assert.equal(out.runs(comment), 1);
    // The emulator saw the client go away long before its 60 s hang was over.
    let hang;
    for (let i = 0; i < 50 && !hang; i++) {
      hang = ssm.requestLog().findLast((l) => l.fault === "hang");
      if (!hang) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(hang && hang.ms < 5000, JSON.stringify(hang));
  });

  test("a retry delay (throttled throughout): no further attempt after the abort", async () => {
    const controller = new AbortController();
    const before = await ssm.stats();
    await ssm.faults({ mode: "throttle", operations: ["ListCommands"] });
    const started = Date.now();
    const pending = client.listCommands({}, { signal: controller.signal });
    while (((await ssm.stats()).requests.ListCommands ?? 0) === (before.requests.ListCommands ?? 0)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    controller.abort();
    await assert.rejects(pending, (e) => e.name === "AbortError");
    assert.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);
    // The first retry may come quickly (full jitter) and beat the abort on a loaded host:
    // what must hold is that none comes after it. Counted once any attempt in flight at
    // the abort has arrived, then again after longer than the retry delays.
    const sent = async () => ((await ssm.stats()).requests.ListCommands ?? 0) - (before.requests.ListCommands ?? 0);
    await new Promise((r) => setTimeout(r, 200));
    const atAbort = await sent();
    assert.ok(atAbort >= 1 && atAbort <= 3, `${atAbort} attempts before the abort`);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await sent(), atAbort, "an attempt after the abort");
  });

  test("a waiter between polls", async () => {
    const { Command } = await client.sendCommand(send(`abort wait ${randomUUID()}`));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await assert.rejects(
      client.waitForCommand({ CommandId: Command.CommandId }, { signal: controller.signal, pollMs: 10_000 }),
      (e) => e.name === "AbortError",
    );
    assert.ok(Date.now() - started < 1300, `${Date.now() - started} ms`);
  });

  test("an already aborted signal sends nothing", async () => {
    const before = await ssm.stats();
    await assert.rejects(client.sendCommand(send("never"), { signal: AbortSignal.abort() }), (e) => e.name === "AbortError");
    assert.deepEqual((await ssm.stats()).requests, before.requests);
  });
});
