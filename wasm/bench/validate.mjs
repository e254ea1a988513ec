// `validate()` throughput in Node: the package's `validate("SendCommand", input)` on
// lib/vector.mjs's typical SendCommand (2 instance ids, 2 commands, comment, timeout), and
// beside it ajv compiled from a JSON Schema of the same model constraints
// (lib/model-schema.mjs, derived from botocore's SSM model at run time). Both take the JS
// object (validate() serializes it to JSON for the wasm: that is part of its cost). First each
// must accept the input and refuse a few broken ones (so neither is measured doing nothing);
// then ROUNDS rounds of ROUND_MS each, round-robin, the figure is the median round.
// Usage: node --expose-gc validate.mjs   (env: BENCH_ROUNDS=7 BENCH_ROUND_MS=1000 BENCH_WARMUP_MS=1000)
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { INPUT } from "./lib/vector.mjs";
import { inputSchema, loadSsmModel } from "./lib/model-schema.mjs";
import { median, num, table } from "./lib/common.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const BATCH = 64;

// Inputs both validators must refuse, one broken constraint each (model constraints only).
const BROKEN = {
  "instance id pattern": { ...INPUT, InstanceIds: ["i-0123456789abcdef0", "not-an-instance"] },
  "comment length": { ...INPUT, Comment: "x".repeat(101) },
  "timeout range": { ...INPUT, TimeoutSeconds: 1 },
  "unknown member": { ...INPUT, Extra: true },
  "missing DocumentName": { InstanceIds: INPUT.InstanceIds, Parameters: INPUT.Parameters },
  "wrong type": { ...INPUT, Parameters: { commands: "uname -a" } },
};

let sink = 0;

/** Validated requests per second of `check` over about `ms` milliseconds. */
function rate(check, ms) {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    for (let i = 0; i < BATCH; i++) sink += check(INPUT) ? 1 : 0;
    n += BATCH;
    t = performance.now();
  } while (t - t0 < ms);
  return (n * 1000) / (t - t0);
}

export async function makeValidators() {
  const ssmEdge = await import("ssm-edge");
  // The lead's loader instantiates the wasm on first use; `ready()` does it up front.
  if (typeof ssmEdge.ready === "function") await ssmEdge.ready();
  const problems = ssmEdge.validate("SendCommand", INPUT);
  assert.ok(Array.isArray(problems), `validate() must return Problem[] (index.d.ts), got ${typeof problems}`);
  const { model, botocore } = loadSsmModel();
  const schema = inputSchema(model, "SendCommand");
  const Ajv = createRequire(import.meta.url)("ajv");
  const ajv = new Ajv({ allErrors: true }); // every problem, as validate() reports them
  const ajvCheck = ajv.compile(schema);
  return {
    botocore,
    definitions: Object.keys(schema.definitions).length,
    validators: [
      {
        id: "ssm-edge",
        label: "**ssm-edge `validate(\"SendCommand\", input)`**",
        check: (input) => ssmEdge.validate("SendCommand", input).length === 0,
      },
      { id: "ajv", label: "ajv 8, compiled from the model's JSON Schema (`allErrors`)", check: (input) => ajvCheck(input) },
    ],
  };
}

export async function measureValidate({ log = () => {} } = {}) {
  const { validators, botocore, definitions } = await makeValidators();
  for (const v of validators) {
    assert.ok(v.check(INPUT), `${v.id} accepts the typical SendCommand`);
    for (const [why, input] of Object.entries(BROKEN)) assert.ok(!v.check(input), `${v.id} refuses: ${why}`);
    v.rounds = [];
  }
  for (const v of validators) {
    log(`warm-up ${v.id}`);
    rate(v.check, WARMUP_MS);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of validators) {
      globalThis.gc?.();
      v.rounds.push(rate(v.check, ROUND_MS));
    }
    log(`round ${r + 1}/${ROUNDS}`);
  }
  for (const v of validators) {
    v.median = median(v.rounds);
    v.min = Math.min(...v.rounds);
    v.max = Math.max(...v.rounds);
  }
  return { validators, botocore, definitions, rounds: ROUNDS, roundMs: ROUND_MS, warmupMs: WARMUP_MS, sink };
}

export function validateTable({ validators }) {
  const ajv = validators.find((v) => v.id === "ajv").median;
  return table(
    ["validator", "validated req/s (median)", "min – max of rounds", "µs / request", "vs ajv"],
    validators.map((v) => [
      v.label, `**${num(v.median)}**`, `${num(v.min)} – ${num(v.max)}`, num(1e6 / v.median, 2), `${(v.median / ajv).toFixed(2)}×`,
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureValidate({ log: (m) => process.stderr.write(`${m}\n`) });
  const edge = result.validators.find((v) => v.id === "ssm-edge").median;
  const ajv = result.validators.find((v) => v.id === "ajv").median;
  console.log(validateTable(result));
  console.log(
    `\nssm-edge validate(): **${num(edge)} req/s** (goal ≥ 200,000), ` +
      `${(edge / ajv).toFixed(2)}× ajv (ajv ${(ajv / edge).toFixed(1)}× faster).`,
  );
  console.log(
    `\n${result.rounds} rounds of ${result.roundMs} ms per validator after ${result.warmupMs} ms warm-up; Node ${process.version}; ` +
      `ajv's schema: ${result.definitions} definitions from botocore ${result.botocore}'s SSM model (lib/model-schema.mjs).`,
  );
}
