// Node.js: the wasm next to this file, read and instantiated at import.
import { readFileSync } from "node:fs";
import { initNow, setSource } from "./instance.js";

setSource(() => readFileSync(new URL("./ssm_edge_bg.wasm", import.meta.url)));
initNow();

export * from "./client.js";
