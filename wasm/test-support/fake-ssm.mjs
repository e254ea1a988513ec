// A fault-injecting SSM of our own: a local HTTP server that records every request and
// answers what the test says. moto cannot answer 500s, throttling, skew or silence.

import { createServer } from "node:http";

/**
 * With `{ cors: true }` it answers CORS preflights (not recorded) and exposes `Date` and
 * `x-amzn-RequestId` to pages, as an SSM endpoint must for browsers.
 * `answer(request, index)` gets `{ target, operation, headers, body, json, amzDate }` and the
 * 0-based request number, and returns `{ status, headers, body }` (body: string or object),
 * or `"hang"` to never answer.
 */
export async function fakeSsm(answer, { cors = false } = {}) {
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const corsHeaders = cors
      ? { "access-control-allow-origin": req.headers.origin ?? "*", "access-control-expose-headers": "date, x-amzn-requestid" }
      : {};
    if (cors && req.method === "OPTIONS") {
      res.writeHead(204, {
        ...corsHeaders,
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "",
      });
      return res.end();
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const target = req.headers["x-amz-target"] ?? "";
      let json;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded = {
        method: req.method,
        target,
        operation: target.replace(/^[A-Za-z0-9_]+\./, ""),
        headers: req.headers,
        body,
        json,
        amzDate: req.headers["x-amz-date"],
        at: Date.now(),
      };
      requests.push(recorded);
      let out;
      try {
        out = await answer(recorded, requests.length - 1);
      } catch (e) {
        out = { status: 599, body: `fake server handler threw: ${e.stack}` };
      }
      if (out === "hang") return;
      const text = typeof out.body === "string" ? out.body : JSON.stringify(out.body ?? {});
      res.writeHead(out.status ?? 200, {
        ...corsHeaders,
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": `fake-${requests.length}`,
        ...out.headers,
      });
      res.end(text);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Resolves when at least `n` requests arrived. */
    async waitFor(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${requests.length} of ${n} requests arrived`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** An AWS-shaped JSON error answer. */
export function awsError(status, code, message, headers = {}) {
  return { status, headers, body: { __type: code, message } };
}

export const TEST_CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
