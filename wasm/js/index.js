// Browsers and bundlers: fetch and instantiate the wasm next to this file.
import init from "./ssm_edge.js";

await init({ module_or_path: new URL("./ssm_edge_bg.wasm", import.meta.url) });

export * from "./client.js";
