// From a line being written to its appearing in the page: the dashboard (www/, in headless
// Chromium, direct mode) follows a command on the local SSM (tests/local-ssm) that writes
// one line a simulated second to CloudWatch Logs; a MutationObserver notes when each line's
// element is added to the live view, and the emulator's event timestamps (read afterwards
// with the package's getLogEvents) say when the agent wrote it. Prints a markdown table.
//
// Run: node www/bench/output-latency.mjs   (needs wasm/pkg built, .venv, /usr/bin/chromium,
// tests/js/node_modules: what `make test` sets up). Knobs: OUTPUT_LINES (default 40),
// OUTPUT_STEP_MS (real ms per simulated second, default 500).

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SsmClient } from "../../wasm/pkg/node.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LINES = Number(process.env.OUTPUT_LINES ?? 40);
const STEP_MS = Number(process.env.OUTPUT_STEP_MS ?? 500);
const INSTANCE = { id: "i-0123456789abcdef0", name: "web-1.staging.internal" };
const { chromium } = createRequire(join(ROOT, "tests/js/package.json"))("playwright-core");

/** Starts `command` and resolves with its first stdout line matching `ready`. */
function start(command, args, ready) {
  // stdin a pipe: the local SSM stops when its stdin closes (its parent went away).
  const child = spawn(command, args, { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${command} exited with ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (ready.test(line)) resolve({ child, line });
    });
  });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const children = [];
let browser;
try {
  const ssmStarted = await start(join(ROOT, ".venv/bin/python"), ["tests/local-ssm/server.py", "--port", "0", "--step-ms", String(STEP_MS)], /^\{/);
  children.push(ssmStarted.child);
  const ssm = JSON.parse(ssmStarted.line);
  const www = await start(process.execPath, ["www/serve.mjs", "--port", "0", "--region", ssm.region], /^ready /);
  children.push(www.child);
  const site = www.line.slice("ready ".length);

  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  await page.goto(site);
  // Direct mode: the emulator's keys straight to its endpoint.
  await page.locator("#settings-dialog").waitFor({ state: "visible" });
  await page.getByLabel("Directly to AWS").check();
  await page.locator("#direct-region").fill(ssm.region);
  await page.getByLabel("Endpoint (optional)").fill(ssm.endpoint);
  await page.locator("#direct-key-id").fill(ssm.access_key_id);
  await page.locator("#direct-secret").fill(ssm.secret_access_key);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.locator("#settings-dialog").waitFor({ state: "hidden" }).catch(async (e) => {
    throw new Error(`not connected: ${await page.locator("#settings-dialog").innerText()}`, { cause: e });
  });
  await page.getByLabel(`Select ${INSTANCE.name} (${INSTANCE.id})`).check();
  await page.locator("#document-select").selectOption("AWS-RunShellScript");
  const commands = Array.from({ length: LINES }, (_, i) => `echo line ${i + 1}\nsleep 1`).join("\n");
  await page.getByLabel(/^commands/).fill(commands);
  await page.locator("#comment").fill("CHG-1 latency bench");
  await page.getByLabel(/Keep the output in CloudWatch Logs/).check();
  // When each line's element is added to the page.
  await page.evaluate(() => {
    const seen = (/** @type {any} */ (window).__seen = {});
    new MutationObserver((records) => {
      const now = Date.now();
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (node instanceof HTMLElement && node.classList.contains("line")) seen[node.textContent.trim()] ??= now;
        }
      }
    }).observe(document.getElementById("live-list"), { childList: true, subtree: true });
  });
  await page.locator("#send-button").click();
  await page.locator(`#live-list li[data-instance="${INSTANCE.id}"] .out-panel[data-complete=true]`).waitFor({ timeout: LINES * STEP_MS * 3 + 30_000 });
  const commandId = (await page.locator("#live-command").innerText()).trim();
  const seen = await page.evaluate(() => /** @type {any} */ (window).__seen);

  const client = new SsmClient({ region: ssm.region, endpoint: ssm.endpoint, credentials: { accessKeyId: ssm.access_key_id, secretAccessKey: ssm.secret_access_key } });
  const { events = [] } = await client.getLogEvents({
    logGroupName: "/aws/ssm/AWS-RunShellScript",
    logStreamName: `${commandId}/${INSTANCE.id}/aws-runShellScript/stdout`,
    startFromHead: true,
  });
  const latencies = events.map((e) => seen[e.message] - e.timestamp).filter(Number.isFinite).sort((a, b) => a - b);
  if (latencies.length !== LINES) throw new Error(`${latencies.length} of ${LINES} lines were seen in the page`);
  console.log("| lines | written → in the page, p50 | p95 | max |");
  console.log("|---|---|---|---|");
  console.log(`| ${LINES} | ${quantile(latencies, 0.5)} ms | ${quantile(latencies, 0.95)} ms | ${latencies.at(-1)} ms |`);
  console.log(`\n(one line every ${STEP_MS} ms; the dashboard's defaults: streamOutput pollMs 1000, maxPollMs 5000)`);
} finally {
  await browser?.close();
  for (const child of children) child.kill();
}
