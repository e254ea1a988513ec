// INTERIM (replaced by the loader from the `pkg` branch): instantiates the wasm once.
import init, { initSync } from "./ssm_edge.js";

let source = null;
let done = false;
let loading = null;

export function setSource(fn) {
  source = fn;
}

export function isReady() {
  return done;
}

export function initNow() {
  if (done) return;
  initSync({ module: source() });
  done = true;
}

export function ready() {
  if (done) return Promise.resolve();
  return (loading ??= (async () => {
    await init({ module_or_path: await source() });
    done = true;
  })());
}
