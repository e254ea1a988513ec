// Bundle size: each minimal app (apps/*.js: build, sign and send one SendCommand) bundled by
// esbuild for the browser, minified, then gzip -9. ssm-edge's browser entry carries its
// wasm inline (as hex in wasm-inline.js), so the bundle is everything a page downloads;
// the wasm's own size is shown beside it (as a separate file it would gzip ~10% smaller:
// `node wasm/bundlers/size.mjs` measures both layouts).
// Usage: node size.mjs   (run.sh installs the peers and copies wasm/pkg to node_modules/ssm-edge)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchDir, rootDir, gzipSize, fileSize, num, table } from "./lib/common.mjs";

const GOAL_GZ = 25_600; // the "≤ 25,600 B" for the whole client, JS and wasm
const esbuild = fileURLToPath(new URL("tests/js/node_modules/.bin/esbuild", rootDir));
const wasmFile = fileURLToPath(new URL("node_modules/ssm-edge/ssm_edge_bg.wasm", benchDir));
const apps = [
  { id: "ssm-edge", label: "ssm-edge `SsmClient.sendCommand` (wasm inline)", wasm: wasmFile, inline: true },
  { id: "client-ssm", label: "@aws-sdk/client-ssm `SSMClient` + `SendCommandCommand`", anchor: 60442 },
  { id: "aws4fetch", label: "aws4fetch `AwsClient.fetch` (hand-built body)", anchor: 3164 },
];

export function measureSizes() {
  const out = mkdtempSync(join(tmpdir(), "ssm-edge-size-"));
  try {
    return apps.map((app) => {
      const bundle = join(out, `${app.id}.min.js`);
      execFileSync(esbuild, [
        `apps/${app.id}.js`, "--bundle", "--minify", "--format=esm", "--platform=browser",
        `--outfile=${bundle}`, "--log-level=warning",
      ], { cwd: fileURLToPath(benchDir), stdio: ["ignore", "inherit", "inherit"] });
      const js = fileSize(bundle);
      const jsGz = gzipSize(bundle);
      const wasm = app.wasm ? fileSize(app.wasm) : 0;
      const wasmGz = app.wasm ? gzipSize(app.wasm) : 0;
      return { ...app, js, jsGz, wasm, wasmGz, totalGz: app.inline ? jsGz : jsGz + wasmGz };
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function sizeTable(rows) {
  return table(
    ["bundle", "JS min", "JS gz", "wasm (in the JS)", "wasm gz alone", "total gz", "earlier anchor", "goal ≤ 25,600 B gz"],
    rows.map((r) => [
      r.label, num(r.js), num(r.jsGz), r.wasm ? num(r.wasm) : "–", r.wasm ? num(r.wasmGz) : "–",
      `**${num(r.totalGz)}**`, r.anchor ? num(r.anchor) : "–",
      r.id === "ssm-edge" ? (r.totalGz <= GOAL_GZ ? "met" : `**not met** (${(r.totalGz / GOAL_GZ).toFixed(1)}× the goal)`) : "–",
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(sizeTable(measureSizes()));
}
