// What a browser app downloads with the package's wasm inline (the `default` entry) against
// the same app with the wasm as a separate file fetched at run time (the layout before issue
// 12), each bundled by esbuild for the browser, minified; gzip -9 and brotli -11 of each file.
// The app is wasm/bench/apps/ssm-edge.js (build, sign and send one SendCommand).
//
// Usage: node wasm/bundlers/size.mjs [PKG_DIR]   (default wasm/pkg)

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = resolve(process.argv[2] ?? join(root, "wasm/pkg"));
const esbuild = join(root, "tests/js/node_modules/esbuild/bin/esbuild");
const app = readFileSync(join(root, "wasm/bench/apps/ssm-edge.js"), "utf8");

const dir = mkdtempSync(join(tmpdir(), "ssm-edge-inline-size-"));
try {
  // The separate-file layout, rebuilt from the package's own modules.
  writeFileSync(
    join(dir, "separate-entry.js"),
    `import { setSource } from ${JSON.stringify(join(pkg, "instance.js"))};\n` +
      `setSource(() => fetch(new URL("./ssm_edge_bg.wasm", import.meta.url)));\n` +
      `export * from ${JSON.stringify(join(pkg, "client.js"))};\n`,
  );
  const variants = {
    inline: { entry: join(pkg, "index.js"), extra: [] },
    separate: { entry: join(dir, "separate-entry.js"), extra: [join(pkg, "ssm_edge_bg.wasm")] },
  };
  const rows = [];
  for (const [name, { entry, extra }] of Object.entries(variants)) {
    const src = join(dir, `${name}-app.js`);
    writeFileSync(src, app.replace(`from "ssm-edge"`, `from ${JSON.stringify(entry)}`));
    const out = join(dir, `${name}.min.js`);
    execFileSync(esbuild, [src, "--bundle", "--minify", "--format=esm", "--platform=browser", `--outfile=${out}`, "--log-level=warning"]);
    const files = [out, ...extra].map((f) => readFileSync(f));
    const sum = (fn) => files.reduce((n, b) => n + fn(b), 0);
    rows.push({
      name,
      files: files.length,
      raw: sum((b) => b.length),
      gzip: sum((b) => gzipSync(b, { level: 9 }).length),
      brotli: sum((b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length),
    });
  }
  const [inline, separate] = rows;
  console.log("| layout | files | raw B | gzip -9 B | brotli -11 B |\n|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.name} | ${r.files} | ${r.raw} | ${r.gzip} | ${r.brotli} |`);
  const pct = (a, b) => `${(((a - b) / b) * 100).toFixed(1)}%`;
  console.log(`\ninline vs separate: gzip ${pct(inline.gzip, separate.gzip)}, brotli ${pct(inline.brotli, separate.brotli)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
