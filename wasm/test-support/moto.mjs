// A local SSM for the tests: tests/python/moto_ssm.py (moto with SigV4 checking on).
// startMoto() resolves once it printed its JSON line; stop() closes its stdin and waits.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);
const python = fileURLToPath(new URL(".venv/bin/python", root));
const script = fileURLToPath(new URL("tests/python/moto_ssm.py", root));

export async function startMoto({ timeoutMs = 60_000 } = {}) {
  const child = spawn(python, [script, "0"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-8000);
  });
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`moto did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once("error", (e) => reject(new Error(`cannot run ${python} (run scripts/setup.sh): ${e.message}`)));
    child.once("exit", (code) => reject(new Error(`moto exited with ${code} before it was ready:\n${stderr}`)));
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
    /** moto's recent stderr (its request log and tracebacks), for failure messages. */
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
