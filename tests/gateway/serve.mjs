// Runs the built gateway Worker (gateway/build/worker) on workerd through miniflare, for
// scripted tests and benchmarks. `wrangler dev` is what people run; this starts in ~0.3 s.
//
//   node22 tests/gateway/serve.mjs --vars vars.json [--port 0] [--audit audit.jsonl] [--persist DIR]
//
// vars.json: {"UPSTREAM_ENDPOINT": "...", "GATEWAY_KEYS": "[...]", ...} (all strings; the
// same names as wrangler.toml [vars] and secrets). Prints `ready http://127.0.0.1:<port>`
// on stdout once listening; every line the worker logs (audit lines) is appended to the
// --audit file and echoed to stderr. Stops on SIGTERM/SIGINT or when stdin closes.

import { DURABLE_OBJECTS } from "../../gateway/durable-objects.mjs";
import { createRequire } from "node:module";
import { readFileSync, appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const tools = createRequire(new URL("../js/package.json", import.meta.url));
const { Miniflare, Log, LogLevel } = tools("miniflare");

const { values } = parseArgs({
  options: {
    vars: { type: "string" },
    port: { type: "string", default: "0" },
    audit: { type: "string" },
    persist: { type: "string" },
    build: { type: "string", default: fileURLToPath(new URL("../../gateway/build", import.meta.url)) },
  },
});
const vars = values.vars ? JSON.parse(readFileSync(values.vars, "utf8")) : {};
for (const [k, v] of Object.entries(vars)) {
  if (typeof v !== "string") throw new Error(`--vars: ${k} must be a string`);
}

function lines(stream, sink) {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    rest += chunk;
    let i;
    while ((i = rest.indexOf("\n")) >= 0) {
      sink(rest.slice(0, i));
      rest = rest.slice(i + 1);
    }
  });
}
const record = (line) => {
  if (!line.trim()) return;
  process.stderr.write(`[gateway] ${line}\n`);
  if (values.audit) appendFileSync(values.audit, line + "\n");
};

const mf = new Miniflare({
  modules: true,
  scriptPath: `${values.build}/index.js`,
  modulesRoot: values.build,
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"], fallthrough: true }],
  compatibilityDate: "2025-09-01",
  cf: false,
  bindings: vars,
  durableObjects: DURABLE_OBJECTS,
  durableObjectsPersist: values.persist ?? false,
  host: "127.0.0.1",
  port: Number(values.port),
  log: new Log(LogLevel.WARN),
  handleRuntimeStdio(stdout, stderr) {
    lines(stdout, record);
    lines(stderr, (l) => process.stderr.write(`[workerd] ${l}\n`));
  },
});
const url = await mf.ready;
process.stdout.write(`ready ${url.origin}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await mf.dispose().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
