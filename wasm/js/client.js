// ssm-edge: the JavaScript half of the package. It owns the effects — fetch,
// AbortSignal, timers, the clock, credential refresh — and nothing else: validation,
// endpoints, signing, error decoding and every retry decision come from the wasm core.

import * as wasm from "./wasm.js";
import { ready, isReady, hostSha256 } from "./instance.js";
import { COMMON_ERRORS, DECLARED_ERRORS, OPERATIONS, PAGINATORS, TIMESTAMP_MEMBERS } from "./model.js";
import { configMessage, problemsMessage, ruleMessage } from "./messages.js";
import { abortReason, FINAL_STATUSES, pollInvocation, sleep } from "./poll.js";
import { LOGS_REQUESTS_PER_SECOND, streamOutput } from "./output.js";

export { ready };
export { OutputUnavailableError } from "./output.js";
export { FINAL_STATUSES } from "./poll.js";
/** The approval states that still change (an ssm-edge gateway's `ApprovalState`). */
const OPEN_APPROVAL_STATES = new Set(["Pending", "Running"]);
const REFRESH_BEFORE_MS = 5 * 60 * 1000;

/** Base class of every error the service (or a gateway in front of it) answers. */
export class SsmServiceException extends Error {
  constructor(info) {
    super(info.message || info.code);
    this.name = info.code;
    this.$fault = info.fault;
    this.$metadata = {
      httpStatusCode: info.status,
      requestId: info.requestId,
      attempts: info.attempts,
    };
    this.retryable = info.retryable;
    this.throttling = info.throttling;
  }
}

/** The input breaks the service's rules; nothing was sent. `problems` lists each. */
export class ValidationError extends Error {
  constructor(problems, message) {
    super(message || problemsMessage(problems));
    this.name = "ValidationError";
    this.problems = problems;
  }
}

/** A client option is wrong (region, endpoint, credentials). */
export class ConfigError extends Error {
  constructor(field, message) {
    super(`${field} ${message}`);
    this.name = "ConfigError";
    this.field = field;
  }
}

/** No usable response: the network failed, or a success body could not be read. */
export class TransportError extends Error {
  constructor(message, attempts, options) {
    super(message, options);
    this.name = "TransportError";
    this.$metadata = { attempts };
  }
}

// One subclass per error code the model declares for the operations, plus
// the common auth and throttling codes, so `instanceof` works as in the AWS SDK.
export const errors = Object.create(null);
for (const code of [...DECLARED_ERRORS, ...COMMON_ERRORS]) {
  errors[code] = { [code]: class extends SsmServiceException {} }[code];
}

/** An ssm-edge gateway filed the SendCommand for approval: `approvalId` names it (see `waitForApproval`). */
export const ApprovalRequiredError = errors.ApprovalRequiredException;

/** Members of an error body besides its code and message (`approvalId`, `reasons`), as the AWS SDK adds them. */
function addMembers(error, bytes) {
  let body;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return error;
  }
  if (body && typeof body === "object" && !Array.isArray(body)) {
    for (const [key, value] of Object.entries(body)) {
      if (!(key in error) && key !== "__type" && key.toLowerCase() !== "message") error[key] = value;
    }
  }
  return error;
}

/** Problems as the wasm reports them (codes and arguments), each given its message. */
function withMessages(problems) {
  for (const p of problems) p.message = ruleMessage(p);
  return problems;
}

/**
 * Refuses, before any request, an invocation without the ids that name it: polling
 * without them would list every command's (or poll forever).
 */
function requireIds(invocation, names) {
  const missing = names.filter((name) => invocation?.[name] === undefined || invocation[name] === null || invocation[name] === "");
  if (missing.length) throw new ValidationError(withMessages(missing.map((path) => ({ path, rule: "required" }))));
}

/** A URL option as text: a string, or a URL object's `href` (as fetch takes either). */
function urlText(field, value) {
  if (value === undefined || value === null || typeof value === "string") return value ?? undefined;
  if (typeof value.href === "string") return value.href;
  throw new ConfigError(field, "must be a string or a URL");
}

function toError(raw) {
  switch (raw.kind) {
    case "validation":
      return new ValidationError(withMessages(raw.problems));
    case "config":
      return new ConfigError(raw.field, configMessage(raw));
    case "service":
      return new (errors[raw.code] || SsmServiceException)(raw);
    case "transport":
      return new TransportError(
        raw.sent ? "no response arrived (the request may have been processed)" : "the request could not be sent",
        raw.attempts,
      );
    default:
      return new TransportError(`the response (HTTP ${raw.status}) could not be read`, raw.attempts);
  }
}

/**
 * Calls the wasm, whose failures are thrown as JSON text of codes and arguments
 * (`wasm/src/report.rs`): they become the package's `Error` classes here.
 */
function call(f) {
  try {
    return f();
  } catch (e) {
    throw typeof e === "string" ? toError(JSON.parse(e)) : e;
  }
}

/** The wasm, for synchronous calls: instantiated already (see `ready()`). */
function loaded() {
  if (!isReady()) {
    throw new Error("ssm-edge: the wasm is not loaded yet: `await ready()` once first (or use validateAsync)");
  }
  return wasm;
}

/** SigV4 headers, dropped in bearer-token mode. */
const SIGNATURE_HEADERS = new Set(["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]);

/** JSON text of an input: `null`/`undefined` members dropped, as the AWS SDK does. */
function inputJson(input) {
  if (input === undefined || input === null) return "{}";
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new ValidationError([{ path: "", rule: "type", message: "must be an object" }]);
  }
  let json;
  try {
    json = JSON.stringify(input);
  } catch {
    json = "null"; // a BigInt (or a cycle, which the second pass throws on again)
  }
  // The replacer costs more than the rest of validate(): only when there may be a null,
  // or a value JSON.stringify writes as one.
  return json.includes("null") ? JSON.stringify(input, dropNull) : json;
}

/**
 * Drops null members. NaN and the infinities (which JSON.stringify would write as null,
 * so the member would vanish) and BigInts (which it throws on) become 0.5: no member of
 * any input takes a fraction, so validation refuses them as the wrong type, at their path.
 */
function dropNull(_key, value) {
  if (value === null) return undefined;
  if (typeof value === "bigint" || (typeof value === "number" && !Number.isFinite(value))) return 0.5;
  return value;
}

/** Timestamps arrive as epoch seconds; hand them out as `Date`, as the AWS SDK does. */
function reviveTimestamps(key, value) {
  return typeof value === "number" && TIMESTAMP_MEMBERS.has(key) ? new Date(value * 1000) : value;
}

const LINE_BREAK = /[\r\n]/;

/**
 * `signRequest`'s signer (it caches signing keys per day), made at the first signature and
 * made again, with the host's SHA-256, when `hostSha256` hands one out.
 */
let signer = null;
let signerHash = null;

/** `signRequest`'s fields cross to the wasm joined by line feeds: none may hold one. */
function oneLine(field, value) {
  if (typeof value !== "string") throw new ConfigError(field, field === "url" ? "must be a string or a URL" : "must be a string");
  if (LINE_BREAK.test(value)) throw new ConfigError(field, "must not contain line breaks");
}

/** What each of `signRequest`'s fields is called in its errors. */
const FIELD_NAMES = ["method", "url", "region", "service", "credentials", "credentials", "credentials"];

const isString = (value) => typeof value === "string";

/**
 * Throws the `ConfigError` for `signRequest`'s first bad field, in the order of
 * FIELD_NAMES, then the headers. The slow path: run only when a field is not a string
 * or the wasm found a line break (an extra field, see `Signer.sign`), so that a
 * signature is never made of fields that split other than as they were given.
 */
function refuseFields(values) {
  FIELD_NAMES.forEach((field, i) => oneLine(field, values[i]));
  throw new ConfigError("headers", "must not contain line breaks");
}

/**
 * `signRequest`'s body as the wasm hashes it: a string (as UTF-8, which fetch sends) or
 * the bytes of an ArrayBuffer or of a view of one (a Uint8Array, a DataView, a Node
 * Buffer); none (null, undefined) is the empty body. The other bodies fetch takes (Blob,
 * FormData, URLSearchParams, a stream) hold no bytes to hash here: refused, never signed
 * as an empty body that AWS would then refuse.
 */
function bodyBytes(body) {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer || Object.prototype.toString.call(body) === "[object ArrayBuffer]") return new Uint8Array(body);
  throw new ConfigError("body", "must be a string, an ArrayBuffer or a view of one such as a Uint8Array (read a Blob, FormData or stream into one first)");
}

/** The engine's `url\nname\nvalue…` as a fetch request: a POST of the text it checked. */
function parseRequest(flat, body) {
  const [url, ...fields] = flat.split("\n");
  const headers = [];
  for (let i = 0; i < fields.length; i += 2) headers.push([fields[i], fields[i + 1]]);
  return { url, method: "POST", headers, body };
}

/** Headers as the wasm takes them: `name\nvalue\nname\nvalue…` (fetch forbids line feeds in both). */
function flatHeaders(headers) {
  const out = [];
  headers.forEach((value, name) => out.push(name, value));
  return out.join("\n");
}

/**
 * Every problem in `input` as the input of `operation`, without sending anything.
 * Synchronous: in browsers, `await ready()` once first (Node and Workers load at import).
 */
export function validate(operation, input) {
  let json;
  try {
    json = inputJson(input);
  } catch (e) {
    if (e instanceof ValidationError) return e.problems;
    throw e;
  }
  const w = loaded();
  const problems = call(() => w.validate(operation, utf8(json)));
  return problems === undefined ? [] : withMessages(JSON.parse(problems));
}

const encoder = new TextEncoder();
const scratch = new Uint8Array(4096);

/** `text` as UTF-8, in a reused buffer when it fits (at most 3 bytes per UTF-16 unit). */
function utf8(text) {
  if (text.length * 3 > scratch.length) return encoder.encode(text);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

/** `validate`, loading the wasm first if needed. */
export async function validateAsync(operation, input) {
  await ready();
  return validate(operation, input);
}

/**
 * Signs a request for callers that send it themselves.
 * Returns `{ url, method, headers, body }` with SigV4 headers added.
 */
export async function signRequest({
  url,
  method = "POST",
  headers = {},
  body = "",
  credentials,
  region,
  service = "ssm",
  date = new Date(),
}) {
  const bytes = bodyBytes(body);
  const href = urlText("url", url);
  // An invalid Date, or no Date, is NaN: the wasm refuses it, naming `date`.
  const time = typeof date?.getTime === "function" ? date.getTime() : NaN;
  const creds = typeof credentials === "function" ? await credentials() : credentials;
  if (!creds) throw new ConfigError("credentials", "are required: { accessKeyId, secretAccessKey, sessionToken? } or a function returning them");
  const values = [method, href, region, service, creds.accessKeyId, creds.secretAccessKey, creds.sessionToken ?? ""];
  if (!values.every(isString)) refuseFields(values);
  // Any iterable of pairs (a Headers, a Map, an array) or a plain object. Naming the
  // global `Headers` here would make Node load its fetch stack at the first signature.
  const entries = typeof headers[Symbol.iterator] === "function" ? headers : Object.entries(headers);
  for (const [n, v] of entries) values.push(n, v);
  // One string for the wasm, which checks the line feeds (see refuseFields) in the pass
  // that splits it, so no field is scanned here.
  const flat = values.join("\n");
  if (!isReady()) await ready();
  // What the signature hashes: the body and the canonical request (about the fields).
  const host = hostSha256(bytes.length + flat.length);
  if (signer === null || host !== signerHash) {
    signer?.free();
    signer = new wasm.Signer(host ?? undefined);
    signerHash = host;
  }
  const signed = call(() => signer.sign(utf8(flat), (values.length - 7) / 2, bytes, time));
  if (signed === "") refuseFields(values);
  const parts = signed.split("\n");
  const out = {};
  for (let i = 0; i < parts.length; i += 2) out[parts[i]] = parts[i + 1];
  return { url: href, method, headers: out, body };
}

/** The endpoint URL for a region and options (synchronous: see `validate`). */
export function resolveEndpoint({ region, useFipsEndpoint = false, useDualstackEndpoint = false, endpoint } = {}) {
  const w = loaded();
  return call(() => w.resolveEndpoint(region ?? "", useFipsEndpoint, useDualstackEndpoint, urlText("endpoint", endpoint)));
}

/** A client for the SSM Run Command API of one region and one set of credentials. */
export class SsmClient {
  #engine = null;
  #options;
  #credentials;
  #current = null;
  #refreshing = null;
  #fetch;
  #token = null;

  /** CloudWatch Logs requests a second that all of this client's output streams share. */
  logsRequestsPerSecond;

  constructor({ region, endpoint, useFipsEndpoint = false, useDualstackEndpoint = false, credentials, token, account, maxAttempts = 3, logsRequestsPerSecond = LOGS_REQUESTS_PER_SECOND, fetch: fetchImpl } = {}) {
    if (credentials && token) throw new ConfigError("token", "use either credentials or a token, not both");
    if (!credentials && !token) throw new ConfigError("credentials", "are required (or a token for a gateway)");
    if (token && typeof token !== "string" && typeof token !== "function") {
      throw new ConfigError("token", "must be a string or a function returning one");
    }
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new ConfigError("maxAttempts", "must be a positive integer");
    if (account !== undefined && typeof account !== "string") throw new ConfigError("account", "must be a string");
    if (!(logsRequestsPerSecond > 0)) throw new ConfigError("logsRequestsPerSecond", "must be a positive number");
    this.logsRequestsPerSecond = logsRequestsPerSecond;
    // A gateway reads a token caller's region from a header (a signed caller's from its
    // signature); `account` picks one of its accounts.
    if (fetchImpl !== undefined && typeof fetchImpl !== "function") throw new ConfigError("fetch", "must be a function (as fetch is)");
    this.#options = [region ?? "", useFipsEndpoint, useDualstackEndpoint, urlText("endpoint", endpoint), maxAttempts, account, Boolean(token)];
    // Bad options throw here when the wasm is loaded (always in Node and Workers; in
    // browsers after `ready()`), else from the first call.
    if (isReady()) this.#start();
    if (token) {
      // A gateway that takes bearer tokens: requests are built (and validated) by the core
      // as usual, then carry `Authorization: Bearer` instead of a SigV4 signature. The
      // placeholder key only lets the engine build them; its signature is dropped.
      this.#token = token;
      this.#credentials = { accessKeyId: "BEARER", secretAccessKey: "unused-in-bearer-mode" };
    } else {
      this.#credentials = credentials;
    }
    this.#fetch = fetchImpl ?? ((...args) => globalThis.fetch(...args));
  }

  /** The request's headers for fetch: as signed, or with the bearer token instead. */
  async #headers(request) {
    const headers = request.headers.filter(([n]) => n.toLowerCase() !== "host");
    if (!this.#token) return headers;
    const token = typeof this.#token === "function" ? await this.#token() : this.#token;
    if (typeof token !== "string" || !token || /[\s]/.test(token)) {
      throw new ConfigError("token", "must be a non-empty string without spaces");
    }
    return [
      ...headers.filter(([n]) => !SIGNATURE_HEADERS.has(n.toLowerCase())),
      ["Authorization", `Bearer ${token}`],
    ];
  }

  /** The core's engine for this client, made once the wasm is loaded. */
  #start() {
    return (this.#engine ??= call(() => new wasm.Engine(...this.#options)));
  }

  /** The endpoint URL requests go to (synchronous: see `validate`). */
  get endpoint() {
    loaded();
    return this.#start().url;
  }

  async #ensureCredentials() {
    const now = Date.now();
    const fresh = this.#current && (!this.#current.expiration || new Date(this.#current.expiration).getTime() - now > REFRESH_BEFORE_MS);
    if (fresh) return;
    if (typeof this.#credentials !== "function") {
      this.#use(this.#credentials);
      return;
    }
    this.#refreshing ??= Promise.resolve()
      .then(() => this.#credentials())
      .then((creds) => this.#use(creds))
      .finally(() => {
        this.#refreshing = null;
      });
    await this.#refreshing;
  }

  #use(creds) {
    if (!creds || typeof creds.accessKeyId !== "string" || typeof creds.secretAccessKey !== "string") {
      throw new ConfigError("credentials", "must have accessKeyId and secretAccessKey strings");
    }
    // An empty session token is no token, as in signRequest, aws4 and the AWS SDKs (an
    // unset AWS_SESSION_TOKEN often arrives as "").
    const token = creds.sessionToken || undefined;
    if (token !== undefined && typeof token !== "string") throw new ConfigError("credentials", "sessionToken must be a string");
    this.#engine.setCredentials(creds.accessKeyId, creds.secretAccessKey, token);
    this.#current = { expiration: creds.expiration };
  }

  async #send(operation, input, { signal } = {}) {
    signal?.throwIfAborted();
    const body = inputJson(input);
    await ready();
    const engine = this.#start();
    // The core validates the text and sends exactly it.
    const pending = call(() => engine.start(operation, body));
    try {
      for (;;) {
        await this.#ensureCredentials();
        signal?.throwIfAborted();
        const request = parseRequest(call(() => engine.request(pending, Date.now())), body);
        let outcome;
        let text = "";
        let bytes;
        try {
          const headers = await this.#headers(request);
          const response = await this.#fetch(request.url, {
            method: request.method,
            headers,
            body: request.body,
            signal,
          });
          bytes = new Uint8Array(await response.arrayBuffer());
          outcome = JSON.parse(engine.response(pending, response.status, flatHeaders(response.headers), bytes, Date.now(), Math.random()));
          if (outcome.done) text = new TextDecoder().decode(bytes);
        } catch (e) {
          if (signal?.aborted) throw abortReason(signal);
          if (!(e instanceof TypeError) && !(e instanceof DOMException)) throw e;
          // fetch cannot tell whether the request left: count it as maybe sent.
          outcome = JSON.parse(engine.transportFailure(pending, true, Date.now(), Math.random()));
        }
        if (outcome.done) {
          try {
            return text.trim() ? JSON.parse(text, reviveTimestamps) : {};
          } catch (cause) {
            throw new TransportError("the response body is not JSON", pending.attempts, { cause });
          }
        }
        if (outcome.retry !== undefined) {
          await sleep(outcome.retry, signal);
          continue;
        }
        const error = toError(outcome.error);
        throw outcome.error.kind === "service" && bytes ? addMembers(error, bytes) : error;
      }
    } finally {
      pending.free();
    }
  }

  // One method per operation (`sendCommand`, `listCommands`, …), from the generated list.
  static {
    for (const [operation, method] of OPERATIONS) {
      this.prototype[method] = function (input, options) {
        return this.#send(operation, input, options);
      };
    }
  }

  async *#paginate(operation, inputToken, outputToken, input = {}, options) {
    let token = input[inputToken];
    const seen = new Set();
    do {
      const page = await this.#send(operation, { ...input, [inputToken]: token }, options);
      yield page;
      token = page[outputToken];
      // A server that hands back a token it already gave would loop forever; stop, as the AWS SDK does.
      if (token && seen.has(token)) return;
      seen.add(token);
    } while (token);
  }

  // An async iterator over every page (`paginateListCommands`, …), for each pageable operation.
  static {
    for (const [operation, method, inputToken, outputToken] of PAGINATORS) {
      this.prototype[method] = function (input, options) {
        return this.#paginate(operation, inputToken, outputToken, input, options);
      };
    }
  }

  /**
   * Polls until the command is final on every instance (or on `InstanceId`), then
   * resolves with the final invocations. `onProgress` gets the invocations of each poll.
   */
  async waitForCommand(invocation, { signal, onProgress, timeoutMs = 10 * 60 * 1000, pollMs = 2000 } = {}) {
    requireIds(invocation, ["CommandId"]);
    const { CommandId, InstanceId } = invocation;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let invocations;
      if (InstanceId) {
        // One poll shared with a `streamOutput` of the same invocation.
        invocations = [await pollInvocation(this, { CommandId, InstanceId }, { signal, maxAgeMs: pollMs / 2 })];
      } else {
        invocations = [];
        for await (const page of this.paginateListCommandInvocations({ CommandId, Details: true }, { signal })) {
          invocations.push(...(page.CommandInvocations ?? []));
        }
      }
      onProgress?.(invocations);
      if (invocations.length > 0 && invocations.every((i) => FINAL_STATUSES.has(i.Status))) {
        if (InstanceId) return invocations;
        // With tag targets, invocations appear as instances are resolved: the command's own
        // status says whether more are coming.
        const { Commands = [] } = await this.listCommands({ CommandId }, { signal });
        const status = Commands[0]?.Status;
        if (status === undefined || FINAL_STATUSES.has(status)) return invocations;
      }
      if (Date.now() + pollMs > deadline) {
        const e = new Error(`command ${CommandId} is not final after ${timeoutMs} ms`);
        e.name = "TimeoutError";
        e.invocations = invocations;
        throw e;
      }
      await sleep(pollMs, signal);
    }
  }

  /**
   * Streams one invocation's output from CloudWatch Logs while it runs: an async
   * iterator of `{ stream, text, timestamp, plugin }` that ends once the invocation is
   * final and drained (see output.js).
   */
  async *streamOutput(invocation, options) {
    requireIds(invocation, ["CommandId", "InstanceId"]);
    yield* streamOutput(this, invocation, options);
  }

  /**
   * Polls an ssm-edge gateway's approval until it is decided (Done, Rejected or
   * Expired), then resolves with it: `CommandId` once it ran. `onProgress` gets the
   * approval of each poll.
   */
  async waitForApproval(approvalId, { signal, onProgress, timeoutMs = 60 * 60 * 1000, pollMs = 3000 } = {}) {
    const ApprovalId = typeof approvalId === "string" ? approvalId : approvalId?.ApprovalId;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { Approval } = await this.getApproval({ ApprovalId }, { signal });
      onProgress?.(Approval);
      if (!OPEN_APPROVAL_STATES.has(Approval.State)) return Approval;
      if (Date.now() + pollMs > deadline) {
        const e = new Error(`approval ${ApprovalId} is ${Approval.State} after ${timeoutMs} ms`);
        e.name = "TimeoutError";
        e.approval = Approval;
        throw e;
      }
      await sleep(pollMs, signal);
    }
  }
}
