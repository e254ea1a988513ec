// Signing throughput in Node: signed SendCommand requests per second for lib/vector.mjs's
// request, every signer of lib/signers.mjs in one process. First each signer must produce the
// vector's Authorization at the vector's time; then each is warmed up, and ROUNDS rounds of
// ROUND_MS each are run round-robin across the signers (so a noisy neighbour on the shared
// cores hits all of them alike); the figure is the median round.
// Usage: node --expose-gc throughput.mjs   (env: BENCH_ROUNDS=7 BENCH_ROUND_MS=1000 BENCH_WARMUP_MS=1000)
import assert from "node:assert/strict";
import { makeSigners } from "./lib/signers.mjs";
import { TIME, AUTHORIZATION } from "./lib/vector.mjs";
import { median, num, table } from "./lib/common.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const BATCH = 32;

let sink = 0;

/** Requests per second of `sign` over about `ms` milliseconds, each call awaited in turn. */
async function rate(sign, isAsync, ms) {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    for (let i = 0; i < BATCH; i++) {
      const auth = isAsync ? await sign() : sign();
      sink += auth.length;
    }
    n += BATCH;
    t = performance.now();
  } while (t - t0 < ms);
  return (n * 1000) / (t - t0);
}

async function checkVector(s) {
  if (s.fixedClock === false) {
    const realNow = Date.now;
    Date.now = () => TIME.getTime();
    try {
      assert.equal(await s.sign(), AUTHORIZATION, `${s.id} at the vector's time`);
    } finally {
      Date.now = realNow;
    }
  } else {
    assert.equal(await s.sign(TIME), AUTHORIZATION, `${s.id} at the vector's time`);
  }
}

export async function measureThroughput({ log = () => {} } = {}) {
  const signers = await makeSigners();
  for (const s of signers) {
    await checkVector(s);
    s.isAsync = typeof s.sign()?.then === "function";
    s.rounds = [];
  }
  for (const s of signers) {
    log(`warm-up ${s.id}`);
    await rate(s.sign, s.isAsync, WARMUP_MS);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of signers) {
      globalThis.gc?.();
      s.rounds.push(await rate(s.sign, s.isAsync, ROUND_MS));
    }
    log(`round ${r + 1}/${ROUNDS}`);
  }
  for (const s of signers) {
    s.median = median(s.rounds);
    s.min = Math.min(...s.rounds);
    s.max = Math.max(...s.rounds);
  }
  return { signers, rounds: ROUNDS, roundMs: ROUND_MS, warmupMs: WARMUP_MS, sink };
}

export function throughputTable({ signers }) {
  const aws4 = signers.find((s) => s.id === "aws4").median;
  return table(
    ["signer", "signed req/s (median)", "min – max of rounds", "µs / request", "vs aws4"],
    signers.map((s) => [
      s.label, `**${num(s.median)}**`, `${num(s.min)} – ${num(s.max)}`, num(1e6 / s.median, 1), `${(s.median / aws4).toFixed(2)}×`,
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureThroughput({ log: (m) => process.stderr.write(`${m}\n`) });
  console.log(throughputTable(result));
  console.log(`\n${result.rounds} rounds of ${result.roundMs} ms per signer after ${result.warmupMs} ms warm-up; Node ${process.version}.`);
}
