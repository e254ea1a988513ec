// The benchmarks' upstream: node:http on 127.0.0.1, answering every SSM call at once with
// a canned awsJson1.1 200 (it reads the body first, and never checks signatures). It counts
// what it executed: every SendCommand "creates" a command (a fresh CommandId) and is counted
// per Comment; `GET /_stats` answers {requests: {target: n}, sendCommands: n,
// comments: {comment: n}}, which load.mjs compares with what the gateway accepted.
// latency.mjs and load.mjs run it in a worker thread (its own event loop) and get the port
// as a message; alone (`node gateway/bench/upstream.mjs`) it prints `ready http://127.0.0.1:<port>`.

import { randomUUID } from "node:crypto";
import http from "node:http";
import { isMainThread, parentPort } from "node:worker_threads";

const CANNED = {
  "AmazonSSM.ListCommands": () => JSON.stringify({ Commands: [] }),
  "AmazonSSM.SendCommand": () =>
    JSON.stringify({
      Command: { CommandId: randomUUID(), DocumentName: "Ops-RestartService", Status: "Pending" },
    }),
};

const requests = {};
const comments = new Map();
let sendCommands = 0;

const server = http.createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  if (req.method === "GET" && req.url === "/_stats") {
    const body = JSON.stringify({ requests, sendCommands, comments: Object.fromEntries(comments) });
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    return res.end(body);
  }
  const target = req.headers["x-amz-target"];
  const chunks = [];
  req.on("data", (c) => {
    if (target === "AmazonSSM.SendCommand") chunks.push(c);
  });
  req.on("end", () => {
    requests[target] = (requests[target] ?? 0) + 1;
    if (target === "AmazonSSM.SendCommand") {
      sendCommands += 1;
      let comment = "";
      try {
        comment = JSON.parse(Buffer.concat(chunks).toString()).Comment ?? "";
      } catch {}
      comments.set(comment, (comments.get(comment) ?? 0) + 1);
    }
    const body = (CANNED[target] ?? (() => "{}"))();
    res.writeHead(200, {
      "Content-Type": "application/x-amz-json-1.1",
      "Content-Length": Buffer.byteLength(body),
      "x-amzn-RequestId": randomUUID(),
    });
    res.end(body);
  });
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  if (isMainThread) console.log(`ready http://127.0.0.1:${port}`);
  else parentPort.postMessage(port);
});
