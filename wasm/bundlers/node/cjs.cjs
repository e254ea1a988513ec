// Node, CommonJS: `require` of the package by name (the `require` export condition).
// Usage: node cjs.cjs ENDPOINT  — prints the report as JSON, exits non-zero on failure.
"use strict";
const ssm = require("ssm-edge");

import("../app/check.js")
  .then(({ check }) => check(ssm, process.argv[2]))
  .then((report) => console.log(JSON.stringify(report)))
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
