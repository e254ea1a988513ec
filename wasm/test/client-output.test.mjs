// The built package's `streamOutput` against tests/local-ssm and its CloudWatch Logs
// emulator: long output arrives complete and in order while the command runs, stdout
// and stderr are told apart, aborting stops polling at once, and ten instances
// streaming at once share one Logs request budget.
//
// Run:  node --test wasm/test/client-output.test.mjs   (after `bash wasm/build.sh`)

import { test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SsmClient, OutputUnavailableError } from "ssm-edge";
import { startLocalSsm } from "../test-support/local-ssm.mjs";
import { INSTANCE } from "../test-support/moto.mjs";

const test = (name, fn) => nodeTest(name, { timeout: 60_000 }, fn);

/** The seed's fleet plus ten more online Linux instances. */
const FLEET = Array.from({ length: 10 }, (_, i) => `i-0feed0000000000${i.toString(16).padStart(2, "0")}`);

let ssm;

before(async () => {
  const seed = JSON.parse(readFileSync(fileURLToPath(new URL("../../tests/local-ssm/seed.json", import.meta.url)), "utf8"));
  const template = seed.instances.find((i) => i.InstanceId === INSTANCE);
  seed.instances.push(...FLEET.map((InstanceId, n) => ({ ...template, InstanceId, ComputerName: `stream-${n}.internal` })));
  const path = join(mkdtempSync(join(tmpdir(), "ssm-edge-output-")), "seed.json");
  writeFileSync(path, JSON.stringify(seed));
  ssm = await startLocalSsm({ args: ["--seed", path] });
});
after(async () => {
  await ssm?.stop();
});

/** A client whose every Logs request is recorded: [time, X-Amz-Target]. */
function recordingClient(options = {}) {
  const logs = [];
  const client = new SsmClient({
    region: ssm.region,
    endpoint: ssm.endpoint,
    credentials: ssm.credentials,
    ...options,
    fetch: (url, init) => {
      const target = new Headers(init.headers).get("x-amz-target") ?? "";
      if (target.startsWith("Logs_")) logs.push([Date.now(), target]);
      return fetch(url, init);
    },
  });
  return { client, logs };
}

const send = (client, InstanceIds, commands, cloudWatch = true) =>
  client.sendCommand({
    DocumentName: "AWS-RunShellScript",
    InstanceIds,
    Parameters: { commands },
    ...(cloudWatch ? { CloudWatchOutputConfig: { CloudWatchOutputEnabled: true } } : {}),
  });

/** Numbers first..last, one a line, as `seq` writes them. */
const seq = (first, last) => Array.from({ length: last - first + 1 }, (_, i) => String(first + i));

test("a 100,000-character output arrives complete and in order, while the command runs", async () => {
  const { client } = recordingClient();
  // Two halves a simulated 10 s (2 s here) apart: the first is readable while the command is InProgress.
  const { Command } = await send(client, [INSTANCE], ["seq 1 12500", "sleep 10", "seq 12501 25000", "echo all done >&2"]);
  const invocation = { CommandId: Command.CommandId, InstanceId: INSTANCE };
  let finishedAt;
  const waiter = client.waitForCommand(invocation, { pollMs: 200 }).then((r) => ((finishedAt = Date.now()), r));
  const stdout = [];
  const stderr = [];
  let firstAt;
  // Polled every 200-500 ms: the default backs off to 5 s while nothing is written (the
  // command still pending), which could span the whole 2 s gap this test looks into.
  for await (const chunk of client.streamOutput(invocation, { pollMs: 200, maxPollMs: 500 })) {
    firstAt ??= Date.now();
    (chunk.stream === "stdout" ? stdout : stderr).push(chunk.text);
    assert.ok(chunk.timestamp instanceof Date && chunk.plugin === "aws-runShellScript", JSON.stringify(chunk));
  }
  const [final] = await waiter;
  assert.equal(final.Status, "Success");
  assert.deepEqual(stdout, seq(1, 25000));
  assert.ok(stdout.join("").length > 100_000, `${stdout.join("").length} characters`);
  assert.deepEqual(stderr, ["all done"]);
  assert.ok(firstAt < finishedAt, "the first lines arrived before the command was final");
  // GetCommandInvocation keeps only the first 24,000 characters: the stream has them all.
  assert.ok(final.StandardOutputContent.length <= 24_000);
});

test("aborting the signal stops the stream and its polling at once", async () => {
  const { client, logs } = recordingClient();
  const { Command } = await send(client, [INSTANCE], ["echo first", "sleep 30", "echo never read"]);
  const controller = new AbortController();
  const chunks = [];
  const started = Date.now();
  let abortedAt;
  await assert.rejects(
    (async () => {
      for await (const chunk of client.streamOutput({ CommandId: Command.CommandId, InstanceId: INSTANCE }, { signal: controller.signal })) {
        chunks.push(chunk.text);
        abortedAt = Date.now();
        controller.abort();
      }
    })(),
    (e) => e.name === "AbortError",
  );
  assert.ok(Date.now() - abortedAt < 250, `stopped ${Date.now() - abortedAt} ms after the abort`);
  assert.deepEqual(chunks, ["first"]);
  const sent = logs.length;
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(logs.length, sent, "no Logs request after the abort");
  assert.ok(Date.now() - started < 10_000);
  await client.cancelCommand({ CommandId: Command.CommandId });
});

test("ten instances streaming at once share one budget of Logs requests", async () => {
  const { client, logs } = recordingClient();
  const lines = ["echo start", "sleep 2", "seq 1 200", "sleep 2", "echo oops >&2", "seq 201 400"];
  const { Command } = await send(client, FLEET, lines);
  const started = Date.now();
  const outputs = await Promise.all(
    FLEET.map(async (InstanceId) => {
      const out = { stdout: [], stderr: [] };
      for await (const c of client.streamOutput({ CommandId: Command.CommandId, InstanceId })) out[c.stream].push(c.text);
      return out;
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  for (const out of outputs) {
    assert.deepEqual(out.stdout, ["start", ...seq(1, 400)]);
    assert.deepEqual(out.stderr, ["oops"]);
  }
  // The budget lets a request go 1/5 s after the one before: no second holds more than 5
  // (+1 for the moment between a turn and its fetch), and the run averages at most 5 a second.
  const times = logs.map(([t]) => t);
  const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
  assert.ok(busiest <= 6, `${busiest} Logs requests in one second`);
  assert.ok(logs.length / seconds <= 5.2, `${logs.length} Logs requests in ${seconds.toFixed(1)} s`);
  console.log(`# 10 instances: ${logs.length} Logs requests in ${seconds.toFixed(1)} s (${((logs.length / seconds) * 60 / FLEET.length).toFixed(0)} a minute per instance), busiest second ${busiest}`);
});

test("a command without CloudWatch output is refused with OutputUnavailableError", async () => {
  const { client, logs } = recordingClient();
  const { Command } = await send(client, [INSTANCE], ["echo hi"], false);
  await assert.rejects(
    client.streamOutput({ CommandId: Command.CommandId, InstanceId: INSTANCE }).next(),
    (e) => e instanceof OutputUnavailableError && e.commandId === Command.CommandId,
  );
  assert.equal(logs.length, 0);
});

test("a plugin name picks that plugin's streams; logsRequestsPerSecond is checked", async () => {
  const { client } = recordingClient({ logsRequestsPerSecond: 20 });
  assert.equal(client.logsRequestsPerSecond, 20);
  assert.throws(() => new SsmClient({ region: "us-east-1", credentials: ssm.credentials, logsRequestsPerSecond: 0 }), /logsRequestsPerSecond/);
  const { Command } = await send(client, [INSTANCE], ["echo one", "echo two >&2"]);
  const got = [];
  for await (const c of client.streamOutput({ CommandId: Command.CommandId, InstanceId: INSTANCE, PluginName: "aws:runShellScript" })) {
    got.push(`${c.stream}:${c.text}`);
  }
  assert.deepEqual(got.sort(), ["stderr:two", "stdout:one"]);
  const none = [];
  for await (const c of client.streamOutput({ CommandId: Command.CommandId, InstanceId: INSTANCE, PluginName: "aws:runPowerShellScript" })) none.push(c);
  assert.deepEqual(none, []);
});
