// The browser entry's wasm: packed at build time as base64 of deflate-raw
// (wasm-deflate.js), unpacked here by the host's own DecompressionStream.
//
// Why packed: a page downloads the bundle gzip- or brotli-compressed, and the wasm as
// base64 or hex text (base64 is what the Node entry inlines, for its synchronous start)
// gzips 10-30% larger than the wasm does alone; deflated then base64-encoded, the wasm
// costs about what a separate .wasm file would (docs/benchmarks.md), while still riding
// inside the JavaScript that every bundler carries without configuration. DecompressionStream is in every browser since 2023,
// Node 18, Deno, Bun and Workers; browsers compile the wasm as it streams out.

import { decodeBase64 } from "./base64.js";

/** The wasm as a `Response` the loader compiles while it inflates. */
export function inflate(base64) {
  const packed = decodeBase64(base64);
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream, { headers: { "Content-Type": "application/wasm" } });
}
