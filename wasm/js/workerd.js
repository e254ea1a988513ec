// Cloudflare Workers (workerd): wrangler and miniflare import .wasm as a compiled module.
import module from "./ssm_edge_bg.wasm";
import { initSync } from "./ssm_edge.js";

initSync({ module });

export * from "./client.js";
