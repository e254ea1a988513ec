// The wasm's exports as JavaScript: the other side of wasm/src/abi.rs, whose comment has
// the conventions (inputs in buffers the wasm takes, answers in one slot, objects as
// pointers). Internal to the package: client.js is the API.

import { PATTERNS } from "./model.js";

let wasm;
let memory = new Uint8Array(0);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The wasm's memory as bytes; a new view after the memory grew (the old one is empty). */
function bytes() {
  if (memory.byteLength === 0) memory = new Uint8Array(wasm.memory.buffer);
  return memory;
}

// Short texts are encoded here first: encodeInto a reused buffer allocates nothing.
const scratch = new Uint8Array(1024);

/** `data` (text or bytes) in a buffer the next export takes: its pointer and length. */
function pass(data) {
  let input = data;
  if (typeof data === "string") {
    input = data.length * 3 <= scratch.length ? scratch.subarray(0, encoder.encodeInto(data, scratch).written) : encoder.encode(data);
  }
  const ptr = wasm.buffer(input.length);
  bytes().set(input, ptr);
  return [ptr, input.length];
}

/** An optional text as the ABI's flag, pointer and length. */
function passOptional(text) {
  return text === undefined || text === null ? [0, 0, 0] : [1, ...pass(text)];
}

const NONE = 1;
const ERROR = 2;

/** The answer of an export that returned `code`: its text, undefined for none; throws errors' JSON. */
function answer(code) {
  if (code === NONE) return undefined;
  const ptr = wasm.answer_ptr();
  const text = decoder.decode(bytes().subarray(ptr, ptr + wasm.answer_len()));
  if (code === ERROR) throw text;
  return text;
}

/** The object a constructor export returned, or its error thrown. */
function made(ptr) {
  if (ptr === 0) answer(ERROR);
  return ptr;
}

// Objects the program drops are freed when collected; `free()` frees one at once.
const collected = new FinalizationRegistry(([free, ptr]) => wasm[free](ptr));

class Handle {
  constructor(ptr, free) {
    this.ptr = ptr;
    this.freeName = free;
    collected.register(this, [free, ptr], this);
  }

  free() {
    if (this.ptr === 0) return;
    collected.unregister(this);
    wasm[this.freeName](this.ptr);
    this.ptr = 0;
  }
}

/** One call in progress (see `Engine`). */
export class Call extends Handle {
  get attempts() {
    return wasm.call_attempts(this.ptr);
  }
}

/** One client's endpoint, credentials, signing keys, clock offset and retry quota. */
export class Engine extends Handle {
  constructor(region, useFips, useDualStack, endpoint, maxAttempts, account, regionHeader) {
    const ptr = made(
      wasm.engine_new(...pass(region), useFips, useDualStack, ...passOptional(endpoint), maxAttempts, ...passOptional(account), regionHeader),
    );
    super(ptr, "engine_free");
  }

  get url() {
    return answer(wasm.engine_url(this.ptr));
  }

  get clockOffsetSeconds() {
    return wasm.engine_clock_offset_seconds(this.ptr);
  }

  setCredentials(accessKeyId, secretAccessKey, sessionToken) {
    wasm.engine_set_credentials(this.ptr, ...pass(accessKeyId), ...pass(secretAccessKey), ...passOptional(sessionToken));
  }

  start(operation, inputJson) {
    const ptr = made(wasm.engine_start(this.ptr, ...pass(operation), ...pass(inputJson)));
    return new Call(ptr, "call_free");
  }

  request(call, nowMs) {
    return answer(wasm.engine_request(this.ptr, call.ptr, nowMs));
  }

  response(call, status, headers, body, nowMs, random) {
    return answer(wasm.engine_response(this.ptr, call.ptr, status, ...pass(headers), ...pass(body), nowMs, random));
  }

  transportFailure(call, sent, nowMs, random) {
    return answer(wasm.engine_transport_failure(this.ptr, call.ptr, sent, nowMs, random));
  }
}

// The SHA-256 the signing signer uses, for the import below (one call at a time).
let hostHash = null;

/** signRequest's signer; `host.sha256(data, out)` hashes when given (see instance.js). */
export class Signer extends Handle {
  constructor(host) {
    super(wasm.signer_new(host ? 1 : 0), "signer_free");
    this.host = host ?? null;
  }

  sign(fields, headerCount, body, nowMs) {
    hostHash = this.host;
    return answer(wasm.signer_sign(this.ptr, ...pass(fields), headerCount, ...pass(body), nowMs));
  }
}

export function validate(operation, inputJson) {
  return answer(wasm.validate(...pass(operation), ...pass(inputJson)));
}

export function resolveEndpoint(region, useFips, useDualStack, endpoint) {
  return answer(wasm.resolve_endpoint(...pass(region), useFips, useDualStack, ...passOptional(endpoint)));
}

// The model's patterns as `RegExp`s, by the number the wasm gives them (its
// `Pattern::ALL`, in the order of `PATTERNS`), each compiled when first used.
const PATTERN_TEXTS = Object.values(PATTERNS);
const patterns = [];

const imports = {
  ssm_edge: {
    pattern_match(index, text, length) {
      patterns[index] ??= new RegExp(PATTERN_TEXTS[index], "u");
      return patterns[index].test(decoder.decode(bytes().subarray(text, text + length))) ? 1 : 0;
    },
    host_sha256(data, length, out) {
      const view = bytes();
      hostHash.sha256(view.subarray(data, data + length), view.subarray(out, out + 64));
    },
  },
};

function instantiated(instance) {
  wasm = instance.exports;
  memory = new Uint8Array(0);
}

/** Instantiates the wasm from a `WebAssembly.Module` or its bytes, synchronously. */
export function initSync(source) {
  const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
  instantiated(new WebAssembly.Instance(module, imports));
}

/** Instantiates the wasm from a `Response` (compiled while it streams), a Module or bytes. */
export async function init(source) {
  if (typeof Response === "function" && source instanceof Response) {
    instantiated((await WebAssembly.instantiateStreaming(source, imports)).instance);
  } else if (source instanceof WebAssembly.Module) {
    instantiated(await WebAssembly.instantiate(source, imports));
  } else {
    instantiated((await WebAssembly.instantiate(source, imports)).instance);
  }
}
