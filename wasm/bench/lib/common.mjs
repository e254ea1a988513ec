// Shared helpers of the wasm/bench scripts.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export const benchDir = new URL("../", import.meta.url);
export const rootDir = new URL("../../../", import.meta.url);

/** Bytes of `file` after `gzip -9 -n` (the gzip CLI, as the anchors were measured). */
export function gzipSize(file) {
  return execFileSync("gzip", ["-9", "-n", "-c", file], { maxBuffer: 1 << 28 }).length;
}

export function fileSize(file) {
  return readFileSync(file).length;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `1234567` -> `1,234,567`. */
export function num(n, digits = 0) {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
