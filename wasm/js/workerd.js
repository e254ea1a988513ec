// Cloudflare Workers (workerd; the `workerd` export condition). Workers refuse to compile
// wasm from bytes at run time, so this imports the .wasm file, which wrangler and
// miniflare hand over as a compiled WebAssembly.Module; instantiating it is synchronous.
import module from "./ssm_edge_bg.wasm";
import { setSource, initNow } from "./instance.js";

setSource(() => module);
initNow();

export * from "./client.js";
