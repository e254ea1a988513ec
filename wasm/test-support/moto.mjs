// Local SSM peers for the tests, each a Python script of the repo that prints one JSON line
// ({endpoint, region, access_key_id, secret_access_key}) and serves until its stdin closes:
// tests/python/moto_ssm.py (moto with SigV4 checking on) and, in local-ssm.mjs,
// tests/local-ssm/server.py. startMoto() resolves once moto printed its line.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);
const python = fileURLToPath(new URL(".venv/bin/python", root));

/** Starts `python <repo>/<script> ...args`; resolves with its JSON line and stop(). */
export async function startPythonPeer(script, args, { name = script, env = {}, timeoutMs = 60_000 } = {}) {
  const path = fileURLToPath(new URL(script, root));
  const child = spawn(python, [path, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-8000);
  });
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once("error", (e) => reject(new Error(`cannot run ${python} (run scripts/setup.sh): ${e.message}`)));
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code} before it was ready:\n${stderr}`)));
    createInterface({ input: child.stdout }).once("line", (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const info = JSON.parse(line);
  return {
    endpoint: info.endpoint,
    region: info.region,
    credentials: { accessKeyId: info.access_key_id, secretAccessKey: info.secret_access_key },
    /** The peer's recent stderr (its request log and tracebacks), for failure messages. */
    get log() {
      return stderr;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function startMoto({ timeoutMs = 60_000 } = {}) {
  return startPythonPeer("tests/python/moto_ssm.py", ["0"], { name: "moto", timeoutMs });
}

export const INSTANCE = "i-0123456789abcdef0";

/** A SendCommand input moto accepts (it has no AWS documents but runs any name). */
export function shellCommand(commands = ["uptime"], comment = "ssm-edge test") {
  return {
    DocumentName: "AWS-RunShellScript",
    InstanceIds: [INSTANCE],
    Parameters: { commands },
    Comment: comment,
    TimeoutSeconds: 600,
  };
}
