// Cloudflare Workers (workerd): wrangler and miniflare import .wasm as a compiled module.
import module from "./ssm_edge_bg.wasm";
import { initNow, setSource } from "./instance.js";

setSource(() => module);
initNow();

export * from "./client.js";
