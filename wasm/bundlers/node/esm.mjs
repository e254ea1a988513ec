// Node, ESM: `import` of the package by name (the `node` export condition).
// Usage: node esm.mjs ENDPOINT  — prints the report as JSON, exits non-zero on failure.
import * as ssm from "ssm-edge";
import { check } from "../app/check.js";

console.log(JSON.stringify(await check(ssm, process.argv[2])));
