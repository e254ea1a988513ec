// Cold start: wall time from spawning `node` to its exit after the first signed SendCommand
// (cold/*.mjs), against an empty `node -e ""`. Each script prints the Authorization it made,
// which is checked. The variants are spawned round-robin, RUNS times each after WARMUP
// unmeasured runs (file cache), each round starting at the next variant; figures are medians.
// Usage: node coldstart.mjs   (env: COLD_RUNS=30 COLD_WARMUP=3)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchDir, median, num, table } from "./lib/common.mjs";

const RUNS = Number(process.env.COLD_RUNS ?? 30);
const WARMUP = Number(process.env.COLD_WARMUP ?? 3);
// Issue 12's goals, over `node -e ""` (medians).
const GOALS_MS = { "ssm-edge": 10, "ssm-edge-client": 40 };

const variants = [
  { id: "node-e", label: 'empty `node -e ""` (baseline)', args: ["-e", ""] },
  { id: "empty", label: "empty ES module file (cold/empty.mjs)", args: ["cold/empty.mjs"], signs: false },
  { id: "empty-write", label: "ES module that writes one line to stdout, as every signing script does (diagnostic)", args: ["cold/empty-write.mjs"] },
  { id: "aws4", label: "aws4", args: ["cold/aws4.mjs"], anchor: 28 },
  { id: "aws4fetch", label: "aws4fetch `AwsV4Signer`", args: ["cold/aws4fetch.mjs"], anchor: 66 },
  { id: "client-ssm", label: "@aws-sdk/client-ssm `SSMClient.send` (stopped after signing)", args: ["cold/client-ssm.mjs"], anchor: 217 },
  { id: "ssm-edge", label: "**ssm-edge `signRequest`**", args: ["cold/ssm-edge.mjs"] },
  { id: "ssm-edge-import", label: "ssm-edge import only, nothing signed (diagnostic)", args: ["cold/ssm-edge-import.mjs"], signs: false },
  { id: "ssm-edge-no-undici", label: "ssm-edge `signRequest`, global `Headers` shadowed so undici never loads (diagnostic)", args: ["cold/ssm-edge-no-undici.mjs"] },
  { id: "ssm-edge-client", label: "ssm-edge `SsmClient.sendCommand` (stub fetch)", args: ["cold/ssm-edge-client.mjs"] },
];

const signed = (ms) => `${ms < 0 ? "−" : "+"}${num(Math.abs(ms), 1)}`;

function runOnce(v) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, v.args, { cwd: fileURLToPath(benchDir), stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${v.id} exited ${r.status}: ${r.stderr}`);
  if (v.args[0] !== "-e" && v.signs !== false && !r.stdout.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")) {
    throw new Error(`${v.id} did not print an Authorization: ${r.stdout}`);
  }
  return ms;
}

export function measureColdStart({ log = () => {} } = {}) {
  for (const v of variants) {
    v.times = [];
    for (let i = 0; i < WARMUP; i++) runOnce(v);
  }
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(i + k) % variants.length];
      v.times.push(runOnce(v));
    }
    if ((i + 1) % 10 === 0) log(`cold start: ${i + 1}/${RUNS}`);
  }
  const base = median(variants[0].times);
  const baseMin = Math.min(...variants[0].times);
  for (const v of variants) {
    v.median = median(v.times);
    v.min = Math.min(...v.times);
    v.over = v.median - base;
    v.overMin = v.min - baseMin;
  }
  return { variants, runs: RUNS, base };
}

export function coldStartTable({ variants }) {
  return table(
    ["process", "wall ms (median)", "min", "over `node -e` (medians)", "over `node -e` (minima)", "earlier anchor", "goal (medians)"],
    variants.map((v) => [
      v.label, num(v.median, 1), num(v.min, 1), v.id === "node-e" ? "–" : `**${signed(v.over)}**`,
      v.id === "node-e" ? "–" : signed(v.overMin),
      v.anchor ? `+${v.anchor}` : "–",
      v.id in GOALS_MS ? `≤ +${GOALS_MS[v.id]}: ${v.over <= GOALS_MS[v.id] ? "met" : "**not met**"}` : "–",
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = measureColdStart({ log: (m) => process.stderr.write(`${m}\n`) });
  console.log(coldStartTable(result));
  console.log(`\n${result.runs} runs of each, interleaved; Node ${process.version}.`);
}
