// The package's one WebAssembly instance and how it gets loaded.
//
// Each entry (index.js for browsers and bundlers, node.js, index.cjs, workerd.js) says
// where the wasm comes from with setSource(); client.js awaits ready() before its first
// call into the wasm. Nothing here runs at import and no module of the package uses
// top-level await: a top-level await is what broke `require("ssm-edge")`, Parcel's dev
// server and Vite 6's default build target. Browsers compile the wasm on first use, so an
// app that imports the package but never calls it pays nothing; Node and workerd compile
// it synchronously at import (initNow) so the synchronous validate works at once there.

import { init, initSync } from "./wasm.js";

let source;
let loading;
let loaded = false;

/**
 * Registers how to get the wasm: `fn()` returns, or resolves to, a `WebAssembly.Module`,
 * the wasm's bytes (`ArrayBuffer` / `Uint8Array`) or a `Response`. Entries call it at import.
 */
export function setSource(fn) {
  source = fn;
}

// A SHA-256 faster than the wasm's, for signRequest: the Node entry registers node:crypto's
// where it can; elsewhere there is none and the wasm hashes. See `HostSha256` in
// wasm/src/lib.rs. Registered as a factory and run only once it pays (below).
let makeSha256 = () => null;
let sha256;

export function setHostSha256(factory) {
  makeSha256 = factory;
}

// Rent or buy: loading node:crypto costs ~3.5 ms, what the wasm's SHA-256 takes for about
// 400 KB (~110 MB/s in Node). signRequest hashes in the wasm until it has hashed that much,
// then loads the host's: a process that signs a few requests (a CLI, a cold serverless
// function) never pays for node:crypto, one that signs many pays at most about twice the
// best of the two choices, and then signs at the host's speed.
const WASM_HASH_BUDGET = 400_000;
let hashedInWasm = 0;

/**
 * The host's SHA-256 for a signature that hashes about `bytes`, or null while the wasm's
 * budget lasts (and always where the host has none).
 */
export function hostSha256(bytes) {
  if (sha256 !== undefined) return sha256;
  hashedInWasm += bytes;
  if (hashedInWasm < WASM_HASH_BUDGET) return null;
  sha256 = makeSha256() ?? null;
  return sha256;
}

/** Whether the wasm is instantiated, i.e. the synchronous calls can run. */
export function isReady() {
  return loaded;
}

/**
 * Instantiates the wasm once; every later call gets the same promise. A failure rejects
 * with an Error that says so and is not remembered, so a later call tries again.
 */
export function ready() {
  if (!loading) {
    loading = load();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

async function load() {
  if (loaded) return;
  try {
    // Async instantiation: browsers refuse to compile large modules synchronously on the
    // main thread, and streaming a Response compiles while it downloads.
    await init(await sourceOrThrow()());
    loaded = true;
  } catch (e) {
    throw loadError(e);
  }
}

/**
 * Instantiates the wasm now, synchronously, from a source that returns a Module or bytes
 * (not a promise). Node and workerd entries call it at import.
 */
export function initNow() {
  if (loaded) return;
  try {
    const module = sourceOrThrow()();
    if (module && typeof module.then === "function") {
      throw new Error("initNow() needs a synchronous source; use ready()");
    }
    initSync(module);
    loaded = true;
  } catch (e) {
    throw loadError(e);
  }
}

function sourceOrThrow() {
  if (!source) throw new Error("no source registered: import the package by its name, not instance.js");
  return source;
}

function loadError(cause) {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(`ssm-edge could not load its WebAssembly: ${reason}`, { cause });
}
