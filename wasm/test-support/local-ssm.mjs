// tests/local-ssm/server.py for the tests, with its fault control endpoint (see
// tests/local-ssm/README.md, "Faults"): faults(...rules), clearFaults(), stats(), and its
// request log (--log-requests: one JSON line per request on stderr).

import { startPythonPeer } from "./moto.mjs";

export async function startLocalSsm({ stepMs = 200, args = [] } = {}) {
  const peer = await startPythonPeer(
    "tests/local-ssm/server.py",
    ["--port", "0", "--step-ms", String(stepMs), "--log-requests", ...args],
    { name: "local-ssm" },
  );
  async function control(method, path, body) {
    const response = await fetch(peer.endpoint + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`local-ssm ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }
  return Object.assign(peer, {
    /** Replaces the fault rules: {mode, count, operations, execute, ms}. */
    faults: (...rules) => control("POST", "/_faults", { rules }),
    clearFaults: () => control("DELETE", "/_faults"),
    /** {requests, executed, faults, rules, sendCommandComments}. */
    stats: () => control("GET", "/_faults/stats"),
    /** The request log's lines, parsed. */
    requestLog: () =>
      peer.log.split("\n").flatMap((l) => {
        try {
          return l.startsWith("{") ? [JSON.parse(l)] : [];
        } catch {
          return []; // the first line of the kept tail may be cut
        }
      }),
  });
}
