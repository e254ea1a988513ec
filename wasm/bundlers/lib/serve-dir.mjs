// Serves a bundler's output directory at / (index.html for /), as a static host would,
// and remembers every path asked for, so a run can tell a missing asset (404) apart.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { TYPES } from "../../test-support/static-server.mjs";

export async function serveDir(dir) {
  const missing = [];
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path.endsWith("/")) path += "index.html";
    const rel = normalize(path).replace(/^\/+/, "");
    try {
      if (rel.startsWith("..")) throw new Error("outside");
      const body = await readFile(join(dir, rel));
      res.writeHead(200, { "content-type": TYPES[extname(rel)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      if (path !== "/favicon.ico") missing.push(path);
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    missing,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}
