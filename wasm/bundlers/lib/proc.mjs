// Child processes for the matrix: one-shot commands (builds, Node apps) and long-running
// dev servers, each with its output kept for the failure message.

import { spawn } from "node:child_process";
import { createServer } from "node:net";

/** Runs `cmd args` in `cwd`; resolves to its stdout, rejects with the output's tail. */
export function run(cmd, args, { cwd, timeoutMs = 120_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      output += d;
    });
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${[cmd, ...args].join(" ")} exited ${signal ?? code}\n${tail(output)}`));
    });
  });
}

/**
 * Starts a server `cmd args` and resolves once `url` answers HTTP; `stop()` ends it and
 * its children (it runs in its own process group).
 */
export async function startServer(cmd, args, url, { cwd, timeoutMs = 60_000 } = {}) {
  const child = spawn(cmd, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let exited = false;
  child.on("exit", () => (exited = true));
  const stop = () => {
    if (!exited) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${cmd} ${args.join(" ")} exited early\n${tail(output)}`);
    if (Date.now() > deadline) {
      stop();
      throw new Error(`${url} did not answer in ${timeoutMs} ms\n${tail(output)}`);
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return { stop, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function tail(text, lines = 30) {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
