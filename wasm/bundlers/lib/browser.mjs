// Loads an app's page in headless Chromium and returns what app/main.js reported, failing
// on a page error, a failed or 4xx/5xx request, or a .wasm fetched at run time (the
// package inlines it for browsers: a .wasm request means the wrong entry was picked).

import { createRequire } from "node:module";

const tools = createRequire(new URL("../../../tests/js/package.json", import.meta.url));
const { chromium } = tools("playwright-core");

const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let browser;

export async function closeBrowser() {
  await browser?.close();
  browser = undefined;
}

/** Opens `url` (with ?endpoint=) and waits for window.__result. */
export async function loadApp(url, endpoint, { timeoutMs = 30_000 } = {}) {
  browser ??= await chromium.launch({ executablePath: "/usr/bin/chromium", args: FLAGS });
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  // An uncaught error means the app never reports: stop waiting at once.
  let pageFailed;
  const failure = new Promise((_, reject) => (pageFailed = reject));
  failure.catch(() => {});
  page.on("pageerror", (e) => {
    problems.push(`page error: ${e.message}`);
    pageFailed(new Error("the page threw"));
  });
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.endsWith(".wasm")) problems.push(`fetched a .wasm: ${r.url()}`);
  });
  try {
    const target = new URL(url);
    target.searchParams.set("endpoint", endpoint);
    await page.goto(target.href);
    const reported = page.waitForFunction(() => window.__result, null, { timeout: timeoutMs }).catch((e) => {
      throw new Error(`no result in ${timeoutMs} ms (${e.message.split("\n")[0]})`);
    });
    reported.catch(() => {}); // when the page threw first, closing it rejects this one
    await Promise.race([reported, failure]);
    const result = await page.evaluate(() => window.__result);
    if (!result.ok) problems.unshift(result.error);
    if (problems.length) throw new Error(problems.join("\n"));
    return result.report;
  } catch (e) {
    if (problems.length && !e.message.includes(problems[0])) e.message += `\n${problems.join("\n")}`;
    throw e;
  } finally {
    await context.close();
  }
}
