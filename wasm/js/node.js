// Node.js, Deno and Bun (the `node` export condition). The wasm is inline here too: no
// file to locate next to this module, so server bundlers (Next.js, Nuxt, SvelteKit SSR)
// need no configuration, and no node: import, so Deno and Bun run it as is. It is
// compiled synchronously at import, so the synchronous validate works at once.
import { setSource, initNow, setHostSha256 } from "./instance.js";
import { decodeBase64 } from "./base64.js";
import wasmBase64 from "./wasm-inline.js";

setSource(() => decodeBase64(wasmBase64));
initNow();

// signRequest's SHA-256 (of the body and of the canonical request) from OpenSSL, which has
// SHA instructions, rather than from the wasm, where the runtime hands out node:crypto
// without an import (Node >= 20.16: `process.getBuiltinModule`); a static `node:` import
// would keep this entry from running as is everywhere else, which then hashes in the wasm.
// `crypto.hash` is the one-shot form, without a Hash object per digest; the digest is
// written as hex into the wasm's `out`. It is looked up at the first signRequest.
setHostSha256(() => {
  const crypto = globalThis.process?.getBuiltinModule?.("node:crypto");
  if (typeof crypto?.hash !== "function") return null;
  const encoder = new TextEncoder();
  return {
    sha256(data, out) {
      encoder.encodeInto(crypto.hash("sha256", data, "hex"), out);
    },
  };
});

export * from "./client.js";
