// Rewrites wasm-bindgen's `--target web` glue (ssm_edge.js) in place so that it never
// refers to a .wasm file of its own. Its init function falls back to
// `new URL('ssm_edge_bg.wasm', import.meta.url)` when called without a source; the package
// always passes one (instance.js), yet bundlers see that expression and emit or resolve
// the file (webpack copies it, Next.js's server build turns it into a non-file URL), and
// `import.meta` is a syntax error in the CommonJS build. Fails loudly when the expected
// text is missing, so a wasm-bindgen upgrade that changes it cannot slip through.
//
// Usage: node patch-glue.mjs path/to/ssm_edge.js

import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
if (!file) throw new Error("usage: node patch-glue.mjs <ssm_edge.js>");
let text = readFileSync(file, "utf8");

const fallback =
  /if \(module_or_path === undefined\) \{\s*module_or_path = new URL\('ssm_edge_bg\.wasm', import\.meta\.url\);\s*\}/g;
const found = text.match(fallback)?.length ?? 0;
if (found !== 1) {
  fail(`expected the default \`new URL('ssm_edge_bg.wasm', import.meta.url)\` once, found it ${found} times`);
}
text = text.replace(
  fallback,
  "if (module_or_path === undefined) {\n" +
    "        throw new Error('ssm-edge: the wasm source is missing (instance.js passes it)');\n" +
    "    }",
);

if (text.includes("import.meta")) fail("`import.meta` is still in the glue after the patch");
writeFileSync(file, text);

function fail(why) {
  console.error(`patch-glue: ${file}: ${why}.\nwasm-bindgen's output changed: update wasm/packaging/patch-glue.mjs.`);
  process.exit(1);
}
