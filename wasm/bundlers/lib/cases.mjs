// The matrix: each case builds or serves the minimal app with one tool, exactly as its
// docs' zero-configuration quick start does (only the entry is named), and runs
// app/check.js in headless Chromium or in a server runtime. A case returns a short detail
// for its line, or throws.

import { execFileSync } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadApp } from "./browser.mjs";
import { freePort, run, startServer } from "./proc.mjs";
import { serveDir } from "./serve-dir.mjs";

// Tools without an HTML entry get the smallest page that loads their bundle.
const MODULE_PAGE = '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>\n';
const CLASSIC_PAGE = '<!doctype html><meta charset="utf-8"><script src="./main.js"></script>\n';

/** Builds with `argv(ctx, out)` (run in wasm/bundlers), then loads the output's page. */
function built(name, argv, { page } = {}) {
  return {
    name,
    skip: (ctx) => (argv(ctx, "")[0] ? undefined : "tool not installed"),
    async run(ctx) {
      const out = join(ctx.out, slug(name));
      await rm(out, { recursive: true, force: true });
      const [cmd, ...args] = argv(ctx, out);
      await run(cmd, args, { cwd: ctx.dir });
      if (page) await writeFile(join(out, "index.html"), page);
      const server = await serveDir(out);
      try {
        browserEntry(await loadApp(server.url, ctx.endpoint));
      } finally {
        await server.close();
      }
      return `JS ${await gzipOfScripts(out)} B gzip`;
    },
  };
}

/** Starts a dev server with `argv(ctx, port)` on a free port, then loads its page. */
function dev(name, argv) {
  return {
    name,
    async run(ctx) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/`;
      const [cmd, ...args] = argv(ctx, port);
      const server = await startServer(cmd, args, url, { cwd: ctx.dir });
      try {
        browserEntry(await loadApp(url, ctx.endpoint, { timeoutMs: 60_000 }));
      } finally {
        server.stop();
      }
      return "";
    },
  };
}

/** Runs a server-side app (node/*) with the runtime `ctx[runtime]` and its `flags`. */
function serverApp(name, runtime, file, flags = []) {
  return {
    name,
    skip: (ctx) => (ctx[runtime] ? undefined : `no ${runtime}`),
    async run(ctx) {
      serverEntry(await run(ctx[runtime], [...flags, file, ctx.endpoint], { cwd: ctx.dir }));
      return execFileSync(ctx[runtime], ["--version"]).toString().split("\n")[0].trim();
    },
  };
}

/** A page must get the lazy browser entry (index.js), not the CommonJS or Node one. */
function browserEntry(report) {
  if (report.readyAtImport) throw new Error("the wasm was compiled at import: the bundle took a server entry, not index.js");
}

/** A server app prints its report; it must have got an entry that compiles at import. */
function serverEntry(stdout) {
  const report = JSON.parse(stdout.trim().split("\n").pop());
  if (report.commandId !== "x") throw new Error(`unexpected report ${stdout}`);
  if (!report.readyAtImport) throw new Error("the wasm was not compiled at import: not the Node or CommonJS entry");
}

// A tool's JavaScript entry, run by the Node that runs the matrix.
const js = (ctx, pkg, file) => [ctx.node, join(ctx.dir, "node_modules", pkg, file)];

const vite = (pkg, name) => [
  built(`${name} build`, (ctx, out) => [
    ...js(ctx, pkg, "bin/vite.js"), "build", "app", "--outDir", out, "--emptyOutDir", "--logLevel", "warn",
  ]),
  // --force: the three Vites share node_modules/.vite; each re-optimizes the package.
  dev(`${name} dev`, (ctx, port) => [
    ...js(ctx, pkg, "bin/vite.js"), "app", "--host", "127.0.0.1", "--port", String(port), "--strictPort", "--force",
  ]),
];

export const CASES = [
  ...vite("vite", "vite 8"),
  ...vite("vite7", "vite 7"),
  ...vite("vite6", "vite 6"),
  built(
    "webpack 5",
    (ctx, out) => [
      ...js(ctx, "webpack-cli", "bin/cli.js"), "--mode", "production", "--entry", "./app/main.js", "--output-path", out,
    ],
    { page: CLASSIC_PAGE },
  ),
  built(
    "rollup",
    (ctx, out) => [
      ...js(ctx, "rollup", "dist/bin/rollup"), "app/main.js", "--plugin", "@rollup/plugin-node-resolve",
      "--format", "es", "--dir", out, "--silent",
    ],
    { page: MODULE_PAGE },
  ),
  built(
    "esbuild",
    (ctx, out) => [ctx.esbuild, "app/main.js", "--bundle", "--format=esm", "--minify", `--outdir=${out}`, "--log-level=warning"],
    { page: MODULE_PAGE },
  ),
  built("parcel build", (ctx, out) => [
    ...js(ctx, "parcel", "lib/bin.js"), "build", "app/index.html", "--dist-dir", out,
    "--cache-dir", join(ctx.out, ".parcel-cache"), "--no-autoinstall", "--log-level", "warn",
  ]),
  dev("parcel dev", (ctx, port) => [
    ...js(ctx, "parcel", "lib/bin.js"), "serve", "app/index.html", "--port", String(port), "--host", "127.0.0.1",
    "--dist-dir", join(ctx.out, "parcel-dev"), "--cache-dir", join(ctx.out, ".parcel-cache-dev"),
    "--no-autoinstall", "--no-hmr",
  ]),
  built("bun build", (ctx, out) => [ctx.bun, "build", "app/main.js", "--outdir", out], { page: MODULE_PAGE }),
  serverApp("node 20 esm", "node20", "node/esm.mjs"),
  serverApp("node 20 cjs", "node20", "node/cjs.cjs"),
  serverApp("node 22 esm", "node22", "node/esm.mjs"),
  serverApp("node 22 cjs", "node22", "node/cjs.cjs"),
  serverApp("bun esm", "bun", "node/esm.mjs"),
  serverApp("bun cjs", "bun", "node/cjs.cjs"),
  // Network to the local server only: the package needs no file or environment access.
  serverApp("deno esm", "deno", "node/esm.mjs", ["run", "--allow-net=127.0.0.1"]),
  serverApp("deno cjs", "deno", "node/cjs.cjs", ["run", "--allow-net=127.0.0.1"]),
  {
    // What a server bundler (Next.js, Nuxt, SvelteKit) does with the Node entry.
    name: "esbuild node bundle",
    async run(ctx) {
      const out = join(ctx.out, "esbuild-node");
      await rm(out, { recursive: true, force: true });
      await run(
        ctx.esbuild,
        ["node/esm.mjs", "--bundle", "--platform=node", "--format=esm", `--outdir=${out}`, "--log-level=warning"],
        { cwd: ctx.dir },
      );
      serverEntry(await run(ctx.node, [join(out, "esm.js"), ctx.endpoint], { cwd: ctx.dir }));
      return "";
    },
  },
  {
    name: "tsc strict (ESM + CJS types)",
    async run(ctx) {
      await run(ctx.node, [ctx.tsc, "-p", "types/tsconfig.json"], { cwd: ctx.dir });
      return "";
    },
  },
];

/** gzip -9 of every script and wasm the tool emitted (what a browser may download). */
async function gzipOfScripts(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true })) {
    if (/\.(m?js|wasm)$/.test(entry)) total += gzipSync(await readFile(join(dir, entry)), { level: 9 }).length;
  }
  return total;
}

function slug(name) {
  return name.replace(/[^a-z0-9]+/gi, "-");
}
