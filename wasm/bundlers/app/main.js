// The browser app every bundler builds: a plain import of the package, no configuration.
// The page's ?endpoint= names the local SSM; the outcome goes to window.__result for
// run.mjs to read. No top-level await, which some default build targets refuse.
import * as ssm from "ssm-edge";
import { check } from "./check.js";

const endpoint = new URL(location.href).searchParams.get("endpoint");
check(ssm, endpoint).then(
  (report) => {
    window.__result = { ok: true, report };
  },
  (e) => {
    window.__result = { ok: false, error: String(e && e.stack ? e.stack : e) };
  },
);
