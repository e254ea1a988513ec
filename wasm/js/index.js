// Browsers and bundlers (the `default` export condition). The wasm is inline, as hex
// in wasm-inline.js: a plain JavaScript import that every bundler (Vite build and dev,
// webpack, Rollup, esbuild, Parcel, bun build) and a no-build <script type="module"> carry
// to the page with no configuration, where a separate .wasm asset needs one per tool. It
// is decoded and compiled on first use (ready()), not at import.
import { setSource } from "./instance.js";
import { decodeHex } from "./hex.js";
import wasmHex from "./wasm-inline.js";

setSource(() => decodeHex(wasmHex));

export * from "./client.js";
