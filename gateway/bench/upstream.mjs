// The benchmarks' upstream: node:http on 127.0.0.1, answering every SSM call at once with
// a canned awsJson1.1 200 (it reads the body first, and never checks signatures).
// latency.mjs runs it in a worker thread (its own event loop) and gets the port as a
// message; alone (`node gateway/bench/upstream.mjs`) it prints `ready http://127.0.0.1:<port>`.

import { randomUUID } from "node:crypto";
import http from "node:http";
import { isMainThread, parentPort } from "node:worker_threads";

const CANNED = {
  "AmazonSSM.ListCommands": JSON.stringify({ Commands: [] }),
  "AmazonSSM.SendCommand": JSON.stringify({
    Command: {
      CommandId: "0b2c7e1f-0000-4000-8000-000000000001",
      DocumentName: "Ops-RestartService",
      Status: "Pending",
    },
  }),
};

const server = http.createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  req.resume();
  req.on("end", () => {
    const body = CANNED[req.headers["x-amz-target"]] ?? "{}";
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
