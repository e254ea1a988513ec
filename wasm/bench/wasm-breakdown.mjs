// What the shipped wasm is made of. wasm/build.sh strips the names, so this rebuilds the same
// binary with names from cargo's output (target/wasm-nightly/wasm32-unknown-unknown/wasm-release/
// ssm_edge_wasm.wasm, left by `bash wasm/build.sh`; no Rust is rebuilt): wasm-opt -Oz with
// build.sh's flags, once stripped (checked byte-identical to the shipped
// wasm, so the breakdown is of that binary) and once with `-g` (names kept; -g changes the
// code by ~0.1%). Then `twiggy top` on the named build, and a breakdown by origin: code and
// data bytes of each group, and an estimate of each group's gzip share (the group's bytes
// gzipped on their own). Last, whether any function of the named build is core::fmt or float
// formatting (`core::fmt-free: yes/no`, with the names, bytes and `twiggy paths` to them): the
// package's goal is a wasm without them, and names are the only trace left of what pulled them
// in. A report: the exit status does not depend on it.
// Usage: node wasm-breakdown.mjs   (needs twiggy on PATH or in ~/.cargo/bin;
// env SSM_EDGE_WASM_ARTIFACT=<cargo's .wasm> to use another copy than the one in target/)
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { benchDir, rootDir, gzipSize, num, table } from "./lib/common.mjs";

// SSM_EDGE_WASM_ARTIFACT: another copy of cargo's output (e.g. one saved while it matched wasm/pkg).
const artifact = process.env.SSM_EDGE_WASM_ARTIFACT ??
  fileURLToPath(new URL("target/wasm-nightly/wasm32-unknown-unknown/wasm-release/ssm_edge_wasm.wasm", rootDir));
const shipped = fileURLToPath(new URL("node_modules/ssm-edge/ssm_edge_bg.wasm", benchDir));
const wasmOpt = fileURLToPath(new URL("tests/js/node_modules/.bin/wasm-opt", rootDir));
const FEATURES = [
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];

function tool(name) {
  for (const dir of [...(process.env.PATH ?? "").split(":"), join(homedir(), ".cargo/bin")]) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

// ---- A minimal wasm reader: function bodies and data segments with their names ----------
function leb(b, i) {
  let r = 0, s = 0, x;
  do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return [r, i];
}
function skipInitExpr(b, i) {
  while (b[i] !== 0x0b) i++; // the init expressions here are a single i32.const
  return i + 1;
}
function readWasm(b) {
  const out = { sections: [], functions: [], data: [], funcNames: new Map(), dataNames: new Map(), importedFuncs: 0 };
  let i = 8;
  while (i < b.length) {
    const id = b[i++];
    let size;
    [size, i] = leb(b, i);
    const end = i + size;
    let j = i, name = null;
    if (id === 0) {
      let n;
      [n, j] = leb(b, j);
      name = b.subarray(j, j + n).toString();
      j += n;
      if (name === "name") {
        while (j < end) {
          const sub = b[j++];
          let len;
          [len, j] = leb(b, j);
          const subEnd = j + len;
          if (sub === 1 || sub === 9) {
            let count;
            [count, j] = leb(b, j);
            for (let k = 0; k < count; k++) {
              let idx, l;
              [idx, j] = leb(b, j);
              [l, j] = leb(b, j);
              (sub === 1 ? out.funcNames : out.dataNames).set(idx, b.subarray(j, j + l).toString());
              j += l;
            }
          }
          j = subEnd;
        }
      }
    } else if (id === 2) {
      let count;
      [count, j] = leb(b, j);
      for (let k = 0; k < count; k++) {
        for (let s = 0; s < 2; s++) { let l; [l, j] = leb(b, j); j += l; } // module, field
        const kind = b[j++];
        if (kind === 0) { out.importedFuncs++; [, j] = leb(b, j); }
        else if (kind === 1) { j += 1; const f = b[j++]; [, j] = leb(b, j); if (f & 1) [, j] = leb(b, j); }
        else if (kind === 2) { const f = b[j++]; [, j] = leb(b, j); if (f & 1) [, j] = leb(b, j); }
        else if (kind === 3) { j += 2; }
        else throw new Error(`import kind ${kind}`);
      }
    } else if (id === 10) {
      let count;
      [count, j] = leb(b, j);
      for (let k = 0; k < count; k++) {
        let len;
        [len, j] = leb(b, j);
        out.functions.push({ index: out.importedFuncs + k, bytes: b.subarray(j, j + len) });
        j += len;
      }
    } else if (id === 11) {
      let count;
      [count, j] = leb(b, j);
      for (let k = 0; k < count; k++) {
        let flag, len;
        [flag, j] = leb(b, j);
        if (flag === 2) [, j] = leb(b, j);
        if (flag !== 1) j = skipInitExpr(b, j);
        [len, j] = leb(b, j);
        out.data.push({ index: k, bytes: b.subarray(j, j + len) });
        j += len;
      }
    }
    out.sections.push({ id, name, size: end - i });
    i = end;
  }
  return out;
}

// ---- Groups, first match wins --------------------------------------------------------------
const GROUPS = [
  ["input JSON check `validate::json` (parse_input per operation)", /ssm_edge_core(\[\w+\])?::validate::json/],
  ["serde_ignored (unknown-member tracking)", /serde_ignored/],
  ["serde_path_to_error", /serde_path_to_error/],
  ["serde_json + serde derive deserializers", /serde_json|serde_core|serde(\[\w+\])?::|zmij|ryu/],
  ["validation rules and patterns (`validate`, unicode-general-category)", /ssm_edge_core(\[\w+\])?::validate|unicode_general_category/],
  ["SigV4 (`sign`, sha2, hmac, digest)", /ssm_edge_core(\[\w+\])?::sign|sha2|hmac|digest/],
  ["client, decode, retry, endpoint, request", /ssm_edge_core/],
  ["float formatting (core::fmt f64, flt2dec, bignum)", /f64 as |f32 as |flt2dec|bignum|dec2flt|fmt::float/],
  ["the exports (wasm/src: abi.rs, lib.rs, report.rs, with the core inlined into them)", /ssm_edge_wasm|^(engine|call|signer)_|^(validate|resolve_endpoint|buffer|answer_ptr|answer_len)$/],
  ["allocator (talc)", /talc|__rust_(alloc|dealloc|realloc)|__rdl_/],
  ["alloc collections (BTreeMap, Vec, String)", /alloc(\[\w+\])?::/],
  ["core::fmt, str, sort, net parser, panics (other core/std)", /core(\[\w+\])?::|std(\[\w+\])?::|<char>|<str|<u\d+|<i\d+|<usize|<bool/],
];

// core::fmt and float formatting, in legacy (`core::fmt::write`) and v0 (`core[1a2b]::fmt`) names.
const FMT = /\bcore(\[[0-9a-f]+\])?::fmt\b|flt2dec/;

/** The functions of a named wasm whose names are core::fmt or float formatting, largest first. */
export function fmtFunctions(w) {
  return w.functions
    .map((f) => ({ name: demangle(w.funcNames.get(f.index) ?? ""), size: f.bytes.length }))
    .filter((f) => FMT.test(f.name))
    .sort((a, b) => b.size - a.size || a.name.localeCompare(b.name));
}

/**
 * A Rust symbol as a path (`_ZN13ssm_edge_core4sign9sign_impl17h…E` →
 * `ssm_edge_core::sign::sign_impl`): wasm/build.sh keeps legacy mangling for this; other
 * names (the exports, `<T as Trait>` shims) are returned as they are.
 */
export function demangle(name) {
  if (!name.startsWith("_ZN")) return name;
  const parts = [];
  for (let i = 3; i < name.length && name[i] !== "E"; ) {
    const digits = /^\d+/.exec(name.slice(i))[0];
    const start = i + digits.length;
    parts.push(name.slice(start, start + Number(digits)));
    i = start + Number(digits);
  }
  if (/^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts.join("::").replaceAll("$LT$", "<").replaceAll("$GT$", ">").replaceAll("$u20$", " ").replaceAll("..", "::");
}

function group(name) {
  for (const [label, re] of GROUPS) if (re.test(name)) return label;
  return "other (unnamed)";
}

export function breakdown() {
  const missing = [
    ["twiggy", tool("twiggy")],
    ["wasm-opt (tests/js)", existsSync(wasmOpt) && wasmOpt], ["cargo's wasm (run bash wasm/build.sh)", existsSync(artifact) && artifact],
  ].filter(([, p]) => !p).map(([n]) => n);
  if (missing.length) return { skipped: `missing: ${missing.join(", ")}` };

  const dir = mkdtempSync(join(tmpdir(), "ssm-edge-twiggy-"));
  try {
    const stripped = join(dir, "stripped.wasm");
    const named = join(dir, "named.wasm");
    execFileSync(wasmOpt, ["-Oz", "--strip-debug", "--strip-producers", ...FEATURES, artifact, "-o", stripped]);
    execFileSync(wasmOpt, ["-Oz", "-g", "--strip-producers", ...FEATURES, artifact, "-o", named]);
    const shippedBytes = readFileSync(shipped);
    const identical = Buffer.compare(readFileSync(stripped), shippedBytes) === 0;
    const top = execFileSync(tool("twiggy"), ["top", "-n", "20", named], { encoding: "utf8", maxBuffer: 1 << 26 });

    const w = readWasm(readFileSync(named));
    const fmt = fmtFunctions(w);
    const groups = new Map();
    const add = (label, kind, bytes) => {
      const g = groups.get(label) ?? { label, code: 0, data: 0, chunks: [] };
      g[kind] += bytes.length;
      g.chunks.push(bytes);
      groups.set(label, g);
    };
    for (const f of w.functions) add(group(demangle(w.funcNames.get(f.index) ?? "")), "code", f.bytes);
    const segments = w.data.map((d) => ({ name: w.dataNames.get(d.index) ?? `data[${d.index}]`, size: d.bytes.length, gz: gzipSync(d.bytes, { level: 9 }).length }));
    for (const d of w.data) add("static data (.rodata: strings, schema and pattern tables, the Unicode category table)", "data", d.bytes);
    const codeTotal = w.functions.reduce((s, f) => s + f.bytes.length, 0);
    const dataTotal = w.data.reduce((s, d) => s + d.bytes.length, 0);
    const rows = [...groups.values()]
      .map((g) => ({ ...g, gz: gzipSync(Buffer.concat(g.chunks), { level: 9 }).length }))
      .sort((a, b) => b.gz - a.gz);
    return {
      identical, top, rows, segments: segments.sort((a, b) => b.size - a.size),
      codeTotal, dataTotal, shippedSize: shippedBytes.length, shippedGz: gzipSize(shipped),
      namedSize: readFileSync(named).length,
      nameSection: w.sections.find((s) => s.name === "name")?.size ?? 0,
      functions: w.functions.length,
      fmt,
      fmtPaths: fmt.length
        ? execFileSync(tool("twiggy"), ["paths", named, "--regex", FMT.source, "-d", "4", "-r", "3"], { encoding: "utf8", maxBuffer: 1 << 26 })
        : "",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function breakdownReport(b) {
  if (b.skipped) return `wasm breakdown skipped (${b.skipped}).\n\ncore::fmt-free: unknown (no named build)`;
  const sumGz = b.rows.reduce((s, r) => s + r.gz, 0);
  const parts = [
    b.identical
      ? "cargo's wasm through wasm-opt -Oz reproduces the shipped `ssm_edge_bg.wasm` byte for byte; the named build below differs from it only by `-g`."
      : "**warning**: cargo's wasm in target/ does not reproduce the shipped wasm (another build ran since? rerun `bash wasm/build.sh`, or point SSM_EDGE_WASM_ARTIFACT at a matching copy): the breakdown below is of that other build.",
    "",
    `Shipped wasm: ${num(b.shippedSize)} B (${num(b.shippedGz)} B gzip -9): ${num(b.functions)} functions, code ${num(b.codeTotal)} B, data segments ${num(b.dataTotal)} B (sizes from the named build, ${num(b.namedSize)} B of which ${num(b.nameSection)} B is the name section).`,
    "",
    table(
      ["group (by function name)", "code B", "data B", "share of code+data", "gz estimate B", "share of gz estimates"],
      b.rows.map((r) => [
        r.label, num(r.code), num(r.data), `${((100 * (r.code + r.data)) / (b.codeTotal + b.dataTotal)).toFixed(1)}%`,
        num(r.gz), `${((100 * r.gz) / sumGz).toFixed(1)}%`,
      ]),
    ),
    "",
    "Largest data segments: " + b.segments.slice(0, 4).map((s) => `\`${s.name}\` ${num(s.size)} B (${num(s.gz)} B gz)`).join(", ") + ".",
    "",
    "`twiggy top -n 20` of the named build:",
    "",
    "```",
    b.top.trimEnd(),
    "```",
    "",
    fmtReport(b.fmt, b.fmtPaths),
  ];
  return parts.join("\n");
}

/** `core::fmt-free: yes/no`, and the offending functions with their code bytes and callers. */
export function fmtReport(found, paths = "") {
  if (found.length === 0) return "core::fmt-free: yes (no function name of the `-g` build contains `core::fmt` or `flt2dec`)";
  const bytes = found.reduce((s, f) => s + f.size, 0);
  return [
    `core::fmt-free: no (${num(found.length)} functions named \`core::fmt\` or \`flt2dec\`, ${num(bytes)} B of code):`,
    "",
    "```",
    ...found.map((f) => `${String(f.size).padStart(7)} B  ${f.name}`),
    "```",
    "",
    "What keeps them (`twiggy paths -d 4 -r 3`; `elem[0]`/`table[0]` is the indirect-call table: a",
    "function pointer, e.g. a `Display` impl in a `format_args!` or a panic message):",
    "",
    "```",
    paths.trimEnd(),
    "```",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(breakdownReport(breakdown()));
}
