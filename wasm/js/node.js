// Node.js: read the wasm next to this file.
import { readFile } from "node:fs/promises";
import { initSync } from "./ssm_edge.js";

initSync({ module: await readFile(new URL("./ssm_edge_bg.wasm", import.meta.url)) });

export * from "./client.js";
