// The package in a real browser (headless Debian Chromium driven by playwright-core), talking
// to moto cross-origin: the page is served from one port, moto listens on another, so every
// call needs a CORS preflight and CORS responses. moto with signature checking on answers
// preflights with HTTP 500 (see wasm/test-support/cors-front.mjs), so a small front answers those and
// passes the signed POSTs to moto unchanged; moto still checks every signature.
//
//  1. a plain page: an import map names `ssm-edge` (the `default` entry of the package's
//     `exports`) and a `<script type="module">` imports it, as a no-build user would;
//  2. an esbuild bundle (`--bundle --format=esm --platform=browser`) of the same app, with
//     nothing copied next to it: the wasm is inline in the browser entry, never fetched.
// Every bundler, and Vite's and Parcel's dev servers, are in wasm/bundlers/run.mjs.
//
// Run:  node --test wasm/test/browser.test.mjs   (after `bash wasm/build.sh`)
// Needs /usr/bin/chromium (scripts/setup.sh installs it) and tests/js/node_modules.

import { test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startMoto, INSTANCE } from "../test-support/moto.mjs";
import { serveStatic } from "../test-support/static-server.mjs";
import { corsFront } from "../test-support/cors-front.mjs";
import { fakeSsm } from "../test-support/fake-ssm.mjs";

const tools = createRequire(new URL("../../tests/js/package.json", import.meta.url));
const { chromium } = tools("playwright-core");
const esbuild = tools("esbuild");

// A broken behaviour fails its test instead of hanging the suite.
const test = (name, fn) => nodeTest(name, { timeout: 60_000 }, fn);

const here = fileURLToPath(new URL(".", import.meta.url));
// The package as installed for this directory (node_modules/ssm-edge -> wasm/pkg).
const pkgDir = dirname(fileURLToPath(import.meta.resolve("ssm-edge")));

// The app both pages run: send a command, read its invocation, provoke two errors.
const APP = `
import { SsmClient, SsmServiceException, ValidationError, errors } from "ssm-edge";

const config = JSON.parse(document.getElementById("config").textContent);
const report = { origin: location.origin };
try {
  const client = new SsmClient({
    region: config.region,
    endpoint: config.endpoint,
    credentials: async () => config.credentials,
  });
  const sent = await client.sendCommand({
    DocumentName: "AWS-RunShellScript",
    InstanceIds: [config.instance],
    Parameters: { commands: ["hostname"] },
    Comment: config.comment,
  });
  report.commandId = sent.Command.CommandId;
  report.comment = sent.Command.Comment;
  report.requestedIsDate = sent.Command.RequestedDateTime instanceof Date;
  const inv = await client.getCommandInvocation({ CommandId: sent.Command.CommandId, InstanceId: config.instance });
  report.invocation = { CommandId: inv.CommandId, InstanceId: inv.InstanceId, Status: inv.Status };

  const bad = new SsmClient({
    region: config.region,
    endpoint: config.endpoint,
    credentials: { accessKeyId: config.credentials.accessKeyId, secretAccessKey: "wrong" },
  });
  try {
    await bad.listCommands({});
    report.badSecret = "resolved";
  } catch (e) {
    report.badSecret = {
      name: e.name,
      subclass: e instanceof errors.SignatureDoesNotMatch,
      base: e instanceof SsmServiceException,
      status: e.$metadata && e.$metadata.httpStatusCode,
      attempts: e.$metadata && e.$metadata.attempts,
    };
  }
  try {
    await client.sendCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: ["web-1"] });
    report.validation = "resolved";
  } catch (e) {
    report.validation = { subclass: e instanceof ValidationError, paths: e.problems.map((p) => p.path) };
  }
  try {
    await client.listCommands({}, { signal: AbortSignal.abort() });
    report.abort = "resolved";
  } catch (e) {
    report.abort = e.name;
  }
} catch (e) {
  report.error = String((e && e.stack) || e);
}
window.__result = report;
document.getElementById("result").textContent = JSON.stringify(report, null, 2);
`;

// Clock skew and error metadata in the browser, against our CORS-enabled fake SSM: the
// response headers the client needs (Date, x-amzn-RequestId) are exposed by it.
const SKEW_APP = `
import { SsmClient, errors } from "ssm-edge";
const config = JSON.parse(document.getElementById("config").textContent);
const report = { origin: location.origin };
try {
  const client = new SsmClient({ region: "us-east-1", endpoint: config.endpoint, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } });
  report.list = await client.listCommands({});
  try {
    await client.sendCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: ["i-0123456789abcdef0"] });
  } catch (e) {
    report.send = { subclass: e instanceof errors.InternalServerError, status: e.$metadata.httpStatusCode, requestId: e.$metadata.requestId, attempts: e.$metadata.attempts };
  }
} catch (e) {
  report.error = String((e && e.stack) || e);
}
window.__result = report;
document.getElementById("result").textContent = JSON.stringify(report, null, 2);
`;

function page(config, body) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>ssm-edge test</title>
<script type="application/json" id="config">${JSON.stringify(config).replace(/</g, "\\u003c")}</script>
${body}
</head><body><pre id="result">running</pre></body></html>`;
}

let moto;
let fake;
let front;
let site;
let profile;
let context;
let bundleDir;
let bundleMeta;
const consoleLines = [];

before(async () => {
  const pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
  const browserEntry = pkg.exports["."].default; // what a browser-targeting resolver picks
  assert.equal(browserEntry, "./index.js");

  bundleDir = await mkdtemp(join(tmpdir(), "ssm-edge-bundle-"));
  const built = await esbuild.build({
    stdin: { contents: APP, resolveDir: here, sourcefile: "app.js", loader: "js" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(bundleDir, "app.js"),
    metafile: true,
    logLevel: "silent",
  });
  bundleMeta = built.metafile;

  moto = await startMoto();
  front = await corsFront(moto.endpoint);
  // Request 0: a skew refusal dated 1 h ahead; 1: success; 2: a 500 for SendCommand.
  fake = await fakeSsm(
    (r, i) =>
      i === 0
        ? {
            status: 400,
            headers: { date: new Date(Date.now() + 3600_000).toUTCString() },
            body: { __type: "InvalidSignatureException", message: "Signature expired" },
          }
        : r.operation === "SendCommand"
          ? { status: 500, body: { __type: "InternalServerError", message: "boom" } }
          : { body: { Commands: [] } },
    { cors: true },
  );
  const config = (comment) => ({ region: moto.region, endpoint: front.url, credentials: moto.credentials, instance: INSTANCE, comment });
  site = await serveStatic({
    "/plain.html": page(
      config("from the plain page"),
      `<script type="importmap">${JSON.stringify({ imports: { "ssm-edge": `/pkg/${browserEntry.slice(2)}` } })}</script>
<script type="module">${APP}</script>`,
    ),
    "/bundle.html": page(config("from the bundle"), `<script type="module" src="/bundle/app.js"></script>`),
    "/skew.html": page(
      { endpoint: fake.url },
      `<script type="importmap">${JSON.stringify({ imports: { "ssm-edge": `/pkg/${browserEntry.slice(2)}` } })}</script>
<script type="module">${SKEW_APP}</script>`,
    ),
    "/pkg/": pkgDir,
    "/bundle/": bundleDir,
  });
  assert.notEqual(new URL(site.url).origin, new URL(front.url).origin, "page and SSM must be cross-origin");

  profile = await mkdtemp(join(tmpdir(), "ssm-edge-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await context?.close();
  await site?.close();
  await front?.close();
  await fake?.close();
  await moto?.stop();
  if (profile) await rm(profile, { recursive: true, force: true, maxRetries: 5 });
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

async function run(path) {
  const before = { ...front.counts };
  const tab = await context.newPage();
  const requests = [];
  tab.on("console", (m) => consoleLines.push(`[${path}] ${m.type()}: ${m.text()}`));
  tab.on("pageerror", (e) => consoleLines.push(`[${path}] pageerror: ${e.message}`));
  tab.on("request", (r) => requests.push(`${r.method()} ${r.url()}`));
  try {
    await tab.goto(site.url + path);
    await tab.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
    const report = await tab.evaluate(() => window.__result);
    const shown = await tab.textContent("#result");
    const preflights = front.counts.preflights - before.preflights;
    const forwarded = front.counts.forwarded - before.forwarded;
    return { report, shown, requests, preflights, forwarded };
  } catch (e) {
    e.message += `\nbrowser console:\n${consoleLines.join("\n")}\nmoto log:\n${moto.log.slice(-2000)}`;
    throw e;
  } finally {
    await tab.close();
  }
}

function check({ report, shown, requests, preflights, forwarded }, comment) {
  assert.equal(report.error, undefined, `the page threw: ${report.error}\n${consoleLines.join("\n")}`);
  assert.equal(report.origin, site.url);
  assert.match(report.commandId, /^[0-9a-f-]{36}$/);
  assert.equal(report.comment, comment);
  assert.equal(report.requestedIsDate, true, "RequestedDateTime is a Date in the page");
  assert.deepEqual(report.invocation, { CommandId: report.commandId, InstanceId: INSTANCE, Status: "Success" });
  assert.deepEqual(report.badSecret, { name: "SignatureDoesNotMatch", subclass: true, base: true, status: 403, attempts: 1 });
  assert.deepEqual(report.validation, { subclass: true, paths: ["InstanceIds[0]"] });
  assert.equal(report.abort, "AbortError");
  assert.equal(JSON.parse(shown).commandId, report.commandId, "the page shows what it reported");
  const toSsm = requests.filter((r) => r.startsWith(`POST ${front.url}/`));
  assert.ok(preflights >= 1, "the browser sent CORS preflights");
  assert.equal(forwarded, 3, "three signed POSTs reached moto");
  assert.equal(toSsm.length, 3, `the page's requests to SSM:\n${requests.join("\n")}`);
}

test("plain <script type=module> with an import map: sendCommand + getCommandInvocation against moto, cross-origin", async (t) => {
  const result = await run("/plain.html");
  check(result, "from the plain page");
  assert.ok(result.requests.includes(`GET ${site.url}/pkg/wasm-deflate.js`), result.requests.join("\n"));
  assert.ok(!result.requests.includes(`GET ${site.url}/pkg/wasm-inline.js`), "the browser entry loads no hex copy");
  assert.ok(!result.requests.some((r) => r.endsWith(".wasm")), `no .wasm is fetched:\n${result.requests.join("\n")}`);
  t.diagnostic(`command ${result.report.commandId} sent from ${site.url} to ${front.url} (moto ${moto.endpoint}); ${result.preflights} preflight(s)`);
});

test("esbuild bundle (browser platform) resolves the default entry and carries the wasm inline", async (t) => {
  const inputs = Object.keys(bundleMeta.inputs);
  assert.ok(inputs.some((p) => p.endsWith("pkg/index.js")), `bundle inputs: ${inputs.join(", ")}`);
  assert.ok(!inputs.some((p) => /pkg\/(node|workerd)\.js$/.test(p)), `wrong entry bundled: ${inputs.join(", ")}`);
  const code = await readFile(join(bundleDir, "app.js"), "utf8");
  assert.ok(inputs.some((p) => p.endsWith("pkg/wasm-deflate.js")), `bundle inputs: ${inputs.join(", ")}`);
  assert.ok(!inputs.some((p) => p.endsWith("pkg/wasm-inline.js")), `the hex copy is bundled too: ${inputs.join(", ")}`);
  assert.doesNotMatch(code, /ssm_edge_bg\.wasm|import\.meta/);
  assert.doesNotMatch(code, /node:fs/);

  const result = await run("/bundle.html");
  check(result, "from the bundle");
  assert.ok(!result.requests.some((r) => r.endsWith(".wasm")), `no .wasm is fetched:\n${result.requests.join("\n")}`);
  assert.ok(!result.requests.some((r) => r.includes("/pkg/")), "the bundle needs nothing from the package at runtime");
  t.diagnostic(`bundle: ${(code.length / 1024).toFixed(1)} KiB of JS, the wasm included`);
});

test("in the browser: a clock-skew refusal corrects X-Amz-Date; error metadata is read from CORS-exposed headers", async () => {
  const { report } = await run("/skew.html");
  assert.equal(report.error, undefined, report.error);
  assert.deepEqual(report.list, { Commands: [] });
  assert.equal(fake.requests.length, 3, fake.requests.map((r) => r.operation).join());
  const date = (r) => Date.parse(r.amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
  const shift = date(fake.requests[1]) - date(fake.requests[0]);
  assert.ok(Math.abs(shift - 3600_000) <= 5_000, `the retry's X-Amz-Date moved by ${shift / 1000} s, not 3600 s`);
  assert.deepEqual(report.send, { subclass: true, status: 500, requestId: "fake-3", attempts: 1 });
});
