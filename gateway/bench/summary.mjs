// Prints the goals table of a gateway benchmark run (gateway/bench/run.sh) from its
// results directory: criterion.txt (cargo bench output), latency.json (latency.mjs
// --json) and size.json (size.sh). Usage: node gateway/bench/summary.mjs <results dir>

import { existsSync, readFileSync } from "node:fs";

const dir = process.argv[2];
const read = (name) => (existsSync(`${dir}/${name}`) ? readFileSync(`${dir}/${name}`, "utf8") : null);
const rows = [];
const row = (what, measured, goal, met) => rows.push(`| ${what} | ${measured} | ${goal} | ${met ? "**met**" : "**not met**"} |`);

// Criterion: "<name>\n   time:   [low est high]" (or on one line); estimates to µs.
const criterion = read("criterion.txt");
if (criterion) {
  const unit = { ns: 1e-3, "µs": 1, us: 1, ms: 1e3, s: 1e6 };
  const estimates = {};
  for (const m of criterion.matchAll(/^(gateway\/[^\n]*?)\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]/gm)) {
    estimates[m[1].trim()] = Number(m[2]) * unit[m[3]];
  }
  // Issue 14's goals: SigV4 and JWT ES256 SendCommands.
  const cpuGoals = { "gateway/handle/SendCommand sigv4": 60, "gateway/handle/SendCommand jwt-es256": 300 };
  for (const [name, us] of Object.entries(estimates)) {
    if (!name.startsWith("gateway/handle/")) continue;
    const goal = cpuGoals[name] ?? 500;
    row(`CPU per request, native: \`${name}\``, `${us.toFixed(1)} µs`, `≤ ${goal} µs`, us <= goal);
  }
}

const latency = read("latency.json") && JSON.parse(read("latency.json"));
if (latency) {
  // Issue 14's goals: ListCommands ≤ 1 ms p50 and ≤ 3 ms p99, SendCommand ≤ 1.5 ms p50.
  const latencyGoals = { ListCommands: [1, 3], SendCommand: [1.5, null] };
  for (const r of latency.latency) {
    const p50 = r.gateway.p50 - r.direct.p50;
    const p99 = r.gateway.p99 - r.direct.p99;
    const [p50Goal, p99Goal] = latencyGoals[r.op] ?? [1, 5];
    row(`added latency p50, ${r.op} (workerd, miniflare)`, `${p50.toFixed(2)} ms`, `≤ ${p50Goal} ms`, p50 <= p50Goal);
    if (p99Goal !== null) row(`added latency p99, ${r.op}`, `${p99.toFixed(2)} ms`, `≤ ${p99Goal} ms`, p99 <= p99Goal);
  }
  for (const r of latency.throughput.filter((t) => t.via === "gateway")) {
    row(
      `throughput, ${r.op}, ${r.concurrency} in flight`,
      `${r.rps.toFixed(0)} req/s, ${r.errors} errors`,
      "0 errors",
      r.errors === 0,
    );
  }
  const c = latency.cold;
  row(
    "cold start: compile + instantiate (Node) + ready → first answer (workerd)",
    `${c.compile.toFixed(1)} + ${c.instantiate.toFixed(1)} + ${c.firstRequest.toFixed(1)} = ${c.total.toFixed(1)} ms`,
    "≤ 30 ms",
    c.total <= 30,
  );
}

const size = read("size.json") && JSON.parse(read("size.json"));
if (size) {
  row(
    "bundle, gzip -9 (wasm + index.js)",
    `${size.wasm.gzip} + ${size.js.gzip} = ${size.totalGzip} B`,
    "≤ 900,000 B",
    size.totalGzip <= size.goal,
  );
}

console.log(["| goal | measured | target | |", "|---|---|---|---|", ...rows].join("\n"));
