// Decodes base64 to bytes: the inline wasm of the Node entry (wasm-inline.js) and the
// deflated one of the browser entry (wasm-deflate.js, then inflate.js).
//
// Native decoders first (Uint8Array.fromBase64 in recent browsers and Node, Buffer in Node,
// Bun and Deno's npm compatibility), then atob, which every host has.

/** The bytes of base64 text. */
export function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  const NodeBuffer = globalThis.Buffer;
  if (typeof NodeBuffer?.from === "function") return NodeBuffer.from(text, "base64");
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
