// Browsers and bundlers: the wasm next to this file, fetched on first use.
import { setSource } from "./instance.js";

setSource(() => fetch(new URL("./ssm_edge_bg.wasm", import.meta.url)));

export * from "./client.js";
