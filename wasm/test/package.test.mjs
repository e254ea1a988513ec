// The shape of the built package: its package.json `exports` and `files`, what `npm pack`
// would publish, and that the runtime exports and error classes match index.d.ts.
//
// Run:  node --test wasm/test/package.test.mjs   (after `bash wasm/build.sh`)

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as pkgExports from "ssm-edge";

const pkgDir = dirname(fileURLToPath(import.meta.resolve("ssm-edge")));
const pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
const dts = await readFile(join(pkgDir, "index.d.ts"), "utf8");

test("exports: types first, then workerd/worker, node, default; every target exists", async () => {
  const root = pkg.exports["."];
  assert.deepEqual(Object.keys(root), ["types", "workerd", "worker", "node", "default"]);
  assert.deepEqual(root, {
    types: "./index.d.ts",
    workerd: "./workerd.js",
    worker: "./workerd.js",
    node: "./node.js",
    default: "./index.js",
  });
  const present = new Set(await readdir(pkgDir));
  for (const target of Object.values(root)) assert.ok(present.has(target.slice(2)), `${target} is missing`);
  assert.equal(pkg.name, "ssm-edge");
  assert.equal(pkg.type, "module");
});

test("npm pack publishes exactly the files the package needs", async () => {
  const out = await new Promise((resolve, reject) =>
    execFile("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: pkgDir }, (e, stdout, stderr) =>
      e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  const files = JSON.parse(out)[0].files.map((f) => f.path).sort();
  const expected = [...pkg.files, "package.json", "README.md"].sort();
  assert.deepEqual(files, expected);
  for (const f of pkg.files) assert.ok((await readdir(pkgDir)).includes(f), `${f} listed but not built`);
  const built = (await readdir(pkgDir)).filter((f) => !["package.json", "README.md"].includes(f));
  for (const f of built) assert.ok(pkg.files.includes(f), `${f} is built but would not be published`);
});

test("every value export is declared in index.d.ts, and every declared value exists", () => {
  const declared = new Set([...dts.matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]));
  const runtime = new Set(Object.keys(pkgExports));
  assert.deepEqual([...runtime].sort(), [...declared].sort());
});

test("errors has one subclass per ErrorCode of index.d.ts", () => {
  const union = /export type ErrorCode =([^;]+);/.exec(dts);
  assert.ok(union, "no ErrorCode union in index.d.ts");
  const codes = [...union[1].matchAll(/"(\w+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(Object.keys(pkgExports.errors).sort(), codes);
  for (const code of codes) {
    const Class = pkgExports.errors[code];
    assert.equal(Class.name, code);
    assert.ok(Class.prototype instanceof pkgExports.SsmServiceException, code);
  }
});

test("the three entries re-export the same client", async () => {
  for (const entry of ["index.js", "node.js", "workerd.js"]) {
    const text = await readFile(join(pkgDir, entry), "utf8");
    assert.match(text, /^export \* from "\.\/client\.js";$/m, entry);
  }
});
