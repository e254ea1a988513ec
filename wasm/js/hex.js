// Decodes the hex text of the inline wasm (wasm-inline.js) to bytes.
//
// Hex rather than base64: base64 packs 3 bytes into 4 characters, so a byte run that
// repeats at another offset mod 3 encodes to different text and gzip misses the repeat;
// hex keeps every byte on a 2-character boundary. Measured on the package's wasm, gzip -9
// of hex is about 10% over the raw .wasm, base64 about 30% (docs/benchmarks.md).
//
// Native decoders first (Uint8Array.fromHex in recent browsers, Buffer in Node, Bun and
// Deno's npm compatibility), then a loop that every host runs.

/** The bytes of lower-case hex text. */
export function decodeHex(text) {
  if (typeof Uint8Array.fromHex === "function") return Uint8Array.fromHex(text);
  const NodeBuffer = globalThis.Buffer;
  if (typeof NodeBuffer?.from === "function") return NodeBuffer.from(text, "hex");
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) {
    out[i] = (nibble(text.charCodeAt(j)) << 4) | nibble(text.charCodeAt(j + 1));
  }
  return out;
}

// '0'-'9' (0x30-0x39) -> 0-9, 'a'-'f' (0x61-0x66) -> 10-15, without a branch or a table.
function nibble(c) {
  return (c & 15) + (c >> 6) * 9;
}
