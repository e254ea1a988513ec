// A CORS front for moto. moto (5.2.5) with signature checking on cannot answer a CORS
// preflight: an OPTIONS carries no Authorization header, so moto routes it to its S3
// backend, whose auth check fails with HTTP 500. Real AWS endpoints answer preflights
// without credentials. This front answers the preflights itself and passes every other
// request to moto untouched (Host and Authorization included, so moto checks the same
// signature the browser made) and each response back, adding Access-Control-Allow-Origin
// only if moto left it out. `preflights` and `forwarded` count what went through.

import { createServer, request } from "node:http";

export async function corsFront(target) {
  const counts = { preflights: 0, forwarded: 0 };
  const server = createServer((req, res) => {
    const origin = req.headers.origin ?? "*";
    if (req.method === "OPTIONS") {
      counts.preflights++;
      res.writeHead(204, {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "",
        "access-control-max-age": "0",
        vary: "Origin",
      });
      return res.end();
    }
    counts.forwarded++;
    const upstream = request(new URL(req.url, target), { method: req.method, headers: req.headers }, (answer) => {
      const headers = { ...answer.headers };
      headers["access-control-allow-origin"] ??= origin;
      res.writeHead(answer.statusCode, headers);
      answer.pipe(res);
    });
    upstream.on("error", (e) => {
      res.writeHead(502, { "access-control-allow-origin": origin, "content-type": "text/plain" });
      res.end(`cors front: ${e.message}`);
    });
    req.pipe(upstream);
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}
