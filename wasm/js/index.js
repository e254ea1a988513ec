// Browsers and bundlers (the `default` export condition). The wasm is inline, deflated
// in wasm-deflate.js: a plain JavaScript import that every bundler (Vite build and dev,
// webpack, Rollup, esbuild, Parcel, bun build) and a no-build <script type="module"> carry
// to the page with no configuration, where a separate .wasm asset needs one per tool. It
// is inflated and compiled on first use (ready()), not at import.
import { setSource } from "./instance.js";
import { inflate } from "./inflate.js";
import packed from "./wasm-deflate.js";

setSource(() => inflate(packed));

export * from "./client.js";
