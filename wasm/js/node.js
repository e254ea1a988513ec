// Node.js, Deno and Bun (the `node` export condition). The wasm is inline here too: no
// file to locate next to this module, so server bundlers (Next.js, Nuxt, SvelteKit SSR)
// need no configuration, and no node: import, so Deno and Bun run it as is. It is
// compiled synchronously at import, so the synchronous validate works at once.
import { setSource, initNow } from "./instance.js";
import { decodeHex } from "./hex.js";
import wasmHex from "./wasm-inline.js";

setSource(() => decodeHex(wasmHex));
initNow();

export * from "./client.js";
