// Where a cold gateway's start goes, step by step, in V8 as workerd runs it (lazy
// compilation): each scenario runs its steps in order in a fresh Node process, on a fresh
// instance of the wasm that gateway/bench/cold-parts.sh built, and the median of each
// step over COLD_PART_RUNS (9) processes is printed as markdown.
//
// Usage: node gateway/bench/cold-parts.mjs <the .wasm>

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const wasm = process.argv[2];
const runs = Number(process.env.COLD_PART_RUNS ?? 9);

if (process.argv[3] === "--steps") {
  // A child: compile, instantiate, then each step, timed.
  const steps = process.argv.slice(4);
  let t = performance.now();
  const module = await WebAssembly.compile(readFileSync(wasm));
  const times = { compile: performance.now() - t };
  const imports = {};
  for (const i of WebAssembly.Module.imports(module)) {
    (imports[i.module] ??= {})[i.name] = () => {
      throw new Error(`${i.module}.${i.name} called: a step reached the Worker's glue`);
    };
  }
  t = performance.now();
  const instance = new WebAssembly.Instance(module, imports);
  times.instantiate = performance.now() - t;
  for (const step of steps) {
    t = performance.now();
    if (!instance.exports[step]()) throw new Error(`${step} failed`);
    times[step] = performance.now() - t;
  }
  console.log(JSON.stringify(times));
  process.exit(0);
}

const scenarios = [
  ["what the first request builds", ["gateway_start"]],
  ["the compiled policies alone", ["policy_load"]],
  ["Cedar's parts first, then the policies", ["cedar_parse", "cedar_authorizer", "policy_load"]],
  ["a type name by Cedar's name regex, after the start (not on its path)", ["gateway_start", "cedar_type_name"]],
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = [
  `| scenario (a fresh process each run) | step | median of ${runs} |`,
  "|---|---|---|",
];
for (const [what, steps] of scenarios) {
  const samples = {};
  for (let run = 0; run < runs; run++) {
    const line = execFileSync(process.execPath, [process.argv[1], wasm, "--steps", ...steps], { encoding: "utf8" });
    for (const [step, ms] of Object.entries(JSON.parse(line))) (samples[step] ??= []).push(ms);
  }
  // Compiling and instantiating this module is not the Worker's (latency.mjs times that).
  for (const [step, ms] of Object.entries(samples).filter(([s]) => !["compile", "instantiate"].includes(s))) {
    out.push(`| ${what} | \`${step}\` | ${median(ms).toFixed(1)} ms |`);
  }
}
console.log(out.join("\n"));
