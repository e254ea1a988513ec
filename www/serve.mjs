// Serves the dashboard: www/ at /, the built npm package (wasm/pkg) at /pkg/, and
// /config.json (the gateway URL and region the page starts with). No dependencies.
//
//   node www/serve.mjs [--port 8080] [--gateway http://127.0.0.1:8787] [--region us-east-1]
//                      [--regions us-east-1,eu-west-1] [--accounts default,staging]
//
// `--regions` and `--accounts` (the gateway's UPSTREAM_REGIONS and account aliases) fill
// the dashboard's region and account pickers.
//
// Prints `ready http://127.0.0.1:<port>` once listening.

import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
    gateway: { type: "string", default: "http://127.0.0.1:8787" },
    region: { type: "string", default: "us-east-1" },
    regions: { type: "string", default: "" },
    accounts: { type: "string", default: "" },
  },
});
const roots = {
  "/pkg/": fileURLToPath(new URL("../wasm/pkg/", import.meta.url)),
  "/": fileURLToPath(new URL("./", import.meta.url)),
};
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
};
const list = (/** @type {string} */ text) => text.split(",").map((s) => s.trim()).filter(Boolean);
const config = JSON.stringify({
  gateway: values.gateway,
  region: values.region,
  regions: list(values.regions),
  accounts: list(values.accounts),
});
const CSP =
  "default-src 'self'; connect-src *; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:";

// An inline <script type="importmap"> (browsers take no external import maps) is an inline
// script to CSP: allow exactly the ones in the page by their hashes, nothing else inline.
function cspFor(file, body) {
  if (extname(file) !== ".html") return CSP;
  const hashes = [...body.toString("utf8").matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash("sha256").update(m[1]).digest("base64")}'`,
  );
  return hashes.length ? CSP.replace("script-src 'self'", `script-src 'self' ${hashes.join(" ")}`) : CSP;
}

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const headers = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
  };
  if (path === "/config.json") {
    res.writeHead(200, { ...headers, "Content-Type": TYPES[".json"] }).end(config);
    return;
  }
  const prefix = Object.keys(roots).find((p) => path.startsWith(p));
  let file = normalize(join(roots[prefix], path.slice(prefix.length)));
  if (!file.startsWith(roots[prefix]) || file.includes("node_modules") || file.endsWith(".mjs") && prefix === "/") {
    res.writeHead(404, headers).end("not found");
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    const body = await readFile(file);
    res.writeHead(200, {
      ...headers,
      "Content-Security-Policy": cspFor(file, body),
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    });
    res.end(body);
  } catch {
    res.writeHead(404, headers).end("not found");
  }
});
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  process.stdout.write(`ready http://${values.host}:${port}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
