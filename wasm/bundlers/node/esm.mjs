// Node, ESM: `import` of the package by name (the `node` export condition).
// Usage: node esm.mjs ENDPOINT  — prints the report as JSON, exits non-zero on failure.
import * as ssm from "ssm-edge";
import { check } from "../app/check.js";

// Node compiles the wasm at import: the synchronous validate works before any await.
if (!ssm.isReady()) throw new Error("not ready at import in Node");
console.log(JSON.stringify(await check(ssm, process.argv[2])));
