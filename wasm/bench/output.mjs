// Live output, measured against tests/local-ssm and its CloudWatch Logs emulator: how long a
// line takes from being written (the emulator's event timestamp) to reaching the caller of
// `streamOutput`, and how many Logs requests a streaming instance costs a minute, for one
// instance and for ten streaming at once on one client (which share its budget of 5 a second).
// Prints a markdown table.
//
// Run: node wasm/bench/output.mjs   (after `bash wasm/build.sh`; part of `make bench-js`)
// Knobs: OUTPUT_LINES (lines per instance, one every simulated second; default 60),
// OUTPUT_STEP_MS (real ms per simulated second; default 500).

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SsmClient } from "ssm-edge";
import { startLocalSsm } from "../test-support/local-ssm.mjs";
import { INSTANCE } from "../test-support/moto.mjs";

const LINES = Number(process.env.OUTPUT_LINES ?? 60);
const STEP_MS = Number(process.env.OUTPUT_STEP_MS ?? 500);
const FLEET = Array.from({ length: 10 }, (_, i) => `i-0feed0000000000${i.toString(16).padStart(2, "0")}`);

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function run(ssm, instances) {
  let logsRequests = 0;
  const client = new SsmClient({
    region: ssm.region,
    endpoint: ssm.endpoint,
    credentials: ssm.credentials,
    fetch: (url, init) => {
      if ((new Headers(init.headers).get("x-amz-target") ?? "").startsWith("Logs_")) logsRequests++;
      return fetch(url, init);
    },
  });
  // One line a simulated second, on stdout, for LINES seconds.
  const commands = Array.from({ length: LINES }, (_, i) => [`echo line ${i + 1}`, "sleep 1"]).flat();
  const { Command } = await client.sendCommand({
    DocumentName: "AWS-RunShellScript",
    InstanceIds: instances,
    Parameters: { commands },
    TimeoutSeconds: LINES * 10,
    CloudWatchOutputConfig: { CloudWatchOutputEnabled: true },
  });
  const started = Date.now();
  const latencies = [];
  await Promise.all(
    instances.map(async (InstanceId) => {
      let lines = 0;
      for await (const chunk of client.streamOutput({ CommandId: Command.CommandId, InstanceId })) {
        latencies.push(Date.now() - chunk.timestamp.getTime());
        lines++;
      }
      if (lines !== LINES) throw new Error(`${InstanceId}: ${lines} lines of ${LINES}`);
    }),
  );
  const minutes = (Date.now() - started) / 60_000;
  latencies.sort((a, b) => a - b);
  return {
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    perInstance: logsRequests / minutes / instances.length,
    total: logsRequests / minutes,
  };
}

const seed = JSON.parse(readFileSync(fileURLToPath(new URL("../../tests/local-ssm/seed.json", import.meta.url)), "utf8"));
const template = seed.instances.find((i) => i.InstanceId === INSTANCE);
seed.instances.push(...FLEET.map((InstanceId, n) => ({ ...template, InstanceId, ComputerName: `bench-${n}.internal` })));
const seedPath = join(mkdtempSync(join(tmpdir(), "ssm-edge-output-bench-")), "seed.json");
writeFileSync(seedPath, JSON.stringify(seed));
const ssm = await startLocalSsm({ stepMs: STEP_MS, args: ["--seed", seedPath] });
try {
  const one = await run(ssm, [INSTANCE]);
  const ten = await run(ssm, FLEET);
  console.log(`| streaming instances | line written → chunk received, p50 | p95 | Logs requests a minute per instance | all |`);
  console.log(`|---|---|---|---|---|`);
  for (const [n, r] of [[1, one], [10, ten]]) {
    console.log(`| ${n} | ${r.p50} ms | ${r.p95} ms | ${r.perInstance.toFixed(0)} | ${r.total.toFixed(0)} |`);
  }
  console.log(`\n(${LINES} lines an instance, one every ${STEP_MS} ms; default pollMs 1000, maxPollMs 5000, logsRequestsPerSecond 5)`);
} finally {
  await ssm.stop();
}
