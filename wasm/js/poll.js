// Timing for the client's waiters and streams: abortable sleeps, one poll of an
// invocation shared by everything watching it, and a request budget.

/** The statuses after which neither a command nor an invocation changes again. */
export const FINAL_STATUSES = new Set(["Success", "Cancelled", "TimedOut", "Failed"]);

export function abortReason(signal) {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const done = () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `promise`, or the signal's abort reason as soon as it aborts (the promise runs on). */
function untilAborted(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Polls of one invocation, per client: [CommandId, InstanceId] → { at, promise }. */
const polls = new WeakMap();

/**
 * The invocation's `GetCommandInvocation`, polled once for every caller watching it
 * (a waiter and a stream of one invocation): a poll in flight, or one answered less
 * than `maxAgeMs` ago (half the caller's poll interval), is shared rather than
 * repeated. Right after SendCommand the invocation may not exist yet: it is then
 * `Pending`. Each caller's `signal` stops its own wait only.
 */
export function pollInvocation(client, { CommandId, InstanceId }, { signal, maxAgeMs = 0 } = {}) {
  let mine = polls.get(client);
  if (!mine) polls.set(client, (mine = new Map()));
  const key = `${CommandId}\n${InstanceId}`;
  const last = mine.get(key);
  if (!last || Date.now() - last.at > maxAgeMs) {
    const entry = { at: Infinity, promise: null };
    entry.promise = client.getCommandInvocation({ CommandId, InstanceId }).then(
      (invocation) => invocation,
      (e) => {
        if (e?.name === "InvocationDoesNotExist") return { CommandId, InstanceId, Status: "Pending" };
        throw e;
      },
    );
    entry.promise.then(
      () => (entry.at = Date.now()),
      () => mine.delete(key),
    );
    mine.set(key, entry);
    return untilAborted(entry.promise, signal);
  }
  return untilAborted(last.promise, signal);
}

/**
 * At most `perSecond` requests a second for everything that shares it (every stream of
 * one client: CloudWatch Logs' quotas are per account and region). Turns are taken in
 * order, each at least 1/perSecond after the one before it really went, so no second
 * ever holds more than `perSecond` of them.
 */
export class Budget {
  #last = -Infinity;
  #queue = Promise.resolve();
  #interval;

  constructor(perSecond) {
    this.#interval = 1000 / perSecond;
  }

  /** Resolves when the next request may go (an aborted caller's turn still passes). */
  take(signal) {
    const turn = this.#queue.then(async () => {
      const wait = this.#last + this.#interval - Date.now();
      if (wait > 0) await sleep(wait);
      this.#last = Date.now();
    });
    this.#queue = turn;
    return untilAborted(turn, signal);
  }
}
