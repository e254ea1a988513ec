// A tiny static HTTP server for browser tests: `routes` maps a URL prefix to a directory
// (or a path to a string). Only GET; no directory listings; correct types for .js and .wasm.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

/** Content types by file extension (shared with wasm/bundlers' server). */
export const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".map": "application/json",
};

/** `routes`: { "/": "<html>...", "/pkg/": "/abs/dir", ... }. Returns { url, served, close }. */
export async function serveStatic(routes) {
  const served = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    served.push(path);
    try {
      if (typeof routes[path] === "string" && !routes[path].startsWith("/")) {
        res.writeHead(200, { "content-type": TYPES[extname(path)] ?? TYPES[".html"], "cache-control": "no-store" });
        return res.end(routes[path]);
      }
      const prefix = Object.keys(routes).find((p) => p.endsWith("/") && p !== "/" && path.startsWith(p));
      if (!prefix) throw Object.assign(new Error("no route"), { code: "ENOENT" });
      const rel = normalize(path.slice(prefix.length));
      if (rel.startsWith("..")) throw Object.assign(new Error("outside"), { code: "ENOENT" });
      const body = await readFile(join(routes[prefix], rel));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch (e) {
      res.writeHead(e.code === "ENOENT" || e.code === "EISDIR" ? 404 : 500, { "content-type": "text/plain" });
      res.end(String(e.message));
    }
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    served,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}
