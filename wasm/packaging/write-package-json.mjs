// Writes the package's package.json: js/package.template.json with `files` set to exactly
// what package.sh put in the package, so a module added to wasm/js ships without a second
// list to keep in step (wasm/test/package.test.mjs checks that npm pack publishes them all).
//
// Usage: node write-package-json.mjs path/to/package.template.json OUT_DIR

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [templatePath, out] = process.argv.slice(2);
if (!templatePath || !out) throw new Error("usage: node write-package-json.mjs <template> <out-dir>");
const pkg = JSON.parse(readFileSync(templatePath, "utf8"));
if ("files" in pkg) throw new Error(`${templatePath}: leave out "files"; it is written from the packaged directory`);

// npm always publishes package.json and README.md.
const files = readdirSync(out).filter((f) => f !== "package.json" && f !== "README.md").sort();
// Keep the template's key order; `files` goes before `sideEffects`, where npm's docs show it.
const written = {};
for (const [key, value] of Object.entries(pkg)) {
  if (key === "sideEffects") written.files = files;
  written[key] = value;
}
written.files ??= files;
writeFileSync(join(out, "package.json"), `${JSON.stringify(written, null, 2)}\n`);
