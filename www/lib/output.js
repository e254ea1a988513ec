// @ts-check
// An invocation's output as it arrives (the package's streamOutput: CloudWatch Logs):
// stdout and stderr told apart, auto-scroll that pauses while you read, copy, download
// as text, ANSI colours rendered or stripped. Used by the live view and History.

import { h } from "./dom.js";

/** ESC [ … letter: every CSI sequence (colours, cursor moves); only SGR (`m`) is drawn. */
const CSI = /\x1b\[([0-9;?]*)([A-Za-z])/g;
/** SGR colour numbers → classes (30–37, 90–97 foreground; 1 bold). */
const COLOURS = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

/** `text` without ANSI escape sequences. @param {string} text */
export function stripAnsi(text) {
  return text.replace(CSI, "").replace(/\x1b[^[]/g, "");
}

/**
 * `text` cut into runs by its SGR sequences, each with the classes of its colour (other
 * sequences dropped).
 * @param {string} text
 * @param {{ classes: string[] }} sgr the colour state, carried from line to line
 * @returns {{ text: string, classes: string[] }[]}
 */
export function ansiRuns(text, sgr) {
  /** @type {{ text: string, classes: string[] }[]} */
  const out = [];
  let at = 0;
  const push = (/** @type {string} */ s) => {
    if (s) out.push({ text: s, classes: sgr.classes });
  };
  for (const m of text.matchAll(CSI)) {
    push(text.slice(at, m.index).replace(/\x1b[^[]/g, ""));
    at = (m.index ?? 0) + m[0].length;
    if (m[2] !== "m") continue;
    for (const code of (m[1] || "0").split(";").map(Number)) {
      if (code === 0) sgr.classes = [];
      else if (code === 1) sgr.classes = [...sgr.classes.filter((c) => c !== "ansi-bold"), "ansi-bold"];
      else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) {
        const name = `ansi-${COLOURS[code % 10]}${code >= 90 ? "-bright" : ""}`;
        sgr.classes = [...sgr.classes.filter((c) => !c.startsWith("ansi-") || c === "ansi-bold"), name];
      } else if (code === 39) sgr.classes = sgr.classes.filter((c) => !c.startsWith("ansi-") || c === "ansi-bold");
    }
  }
  push(text.slice(at).replace(/\x1b[^[]/g, ""));
  return out;
}

/** {@link ansiRuns} as nodes: text goes in as text, so output cannot inject markup. */
function ansiSpans(/** @type {string} */ text, /** @type {{ classes: string[] }} */ sgr) {
  return ansiRuns(text, sgr).map((r) => (r.classes.length ? h("span", { class: r.classes.join(" ") }, r.text) : r.text));
}

/**
 * A panel for one invocation's output.
 * @param {{ label: string, fileName: string, announce?: (text: string) => void }} options
 */
export function createOutputPanel({ label, fileName, announce }) {
  /** @type {{ stream: string, text: string }[]} */
  const lines = [];
  let colours = true;
  let follow = true;
  const sgr = { out: { classes: /** @type {string[]} */ ([]) }, err: { classes: /** @type {string[]} */ ([]) } };
  const pre = h("pre", { class: "out out-live", tabindex: "0", "aria-label": label, "aria-live": "off" });
  const status = h("span", { class: "muted small out-status" }, "Waiting for output…");
  const followButton = h("button", { type: "button", class: "btn btn-small", "aria-pressed": "true", onclick: () => setFollow(!follow) }, "Auto-scroll: on");
  const colourButton = h("button", { type: "button", class: "btn btn-small", "aria-pressed": "true", onclick: () => setColours(!colours) }, "Colours: on");
  const copyButton = h("button", { type: "button", class: "btn btn-small", onclick: copy }, "Copy");
  const downloadButton = h("button", { type: "button", class: "btn btn-small", onclick: download }, "Download");
  const root = h(
    "div",
    { class: "out-panel" },
    h("div", { class: "out-tools", role: "toolbar", "aria-label": `${label}: tools` }, status, followButton, colourButton, copyButton, downloadButton),
    pre,
  );

  // Scrolling up to read pauses auto-scroll; scrolling back to the end resumes it.
  pre.addEventListener("scroll", () => {
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    if (atEnd !== follow) setFollow(atEnd);
  });

  function setFollow(/** @type {boolean} */ on) {
    follow = on;
    followButton.textContent = `Auto-scroll: ${on ? "on" : "paused"}`;
    followButton.setAttribute("aria-pressed", String(on));
    if (on) pre.scrollTop = pre.scrollHeight;
  }

  function setColours(/** @type {boolean} */ on) {
    colours = on;
    colourButton.textContent = `Colours: ${on ? "on" : "stripped"}`;
    colourButton.setAttribute("aria-pressed", String(on));
    sgr.out.classes = [];
    sgr.err.classes = [];
    pre.replaceChildren(...lines.map(render));
    if (follow) pre.scrollTop = pre.scrollHeight;
  }

  function render(/** @type {{ stream: string, text: string }} */ line) {
    const err = line.stream === "stderr";
    const body = colours ? ansiSpans(line.text, err ? sgr.err : sgr.out) : [stripAnsi(line.text)];
    return h("span", { class: err ? "line line-err" : "line", dataset: { stream: line.stream } }, ...body, "\n");
  }

  /** The output as plain text (ANSI stripped), stderr lines marked. */
  function text() {
    return lines.map((l) => `${l.stream === "stderr" ? "[stderr] " : ""}${stripAnsi(l.text)}\n`).join("");
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(text());
      announce?.("Output copied");
      copyButton.textContent = "Copied";
    } catch {
      copyButton.textContent = "Copy failed";
    }
    setTimeout(() => (copyButton.textContent = "Copy"), 1500);
  }

  function download() {
    const url = URL.createObjectURL(new Blob([text()], { type: "text/plain;charset=utf-8" }));
    const a = h("a", { href: url, download: fileName });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return {
    root,
    /** Adds lines as they arrive. @param {{ stream: string, text: string }[]} chunk */
    append(chunk) {
      if (!chunk.length) return;
      lines.push(...chunk);
      pre.append(...chunk.map(render));
      status.textContent = `${lines.length} line${lines.length === 1 ? "" : "s"}`;
      if (follow) pre.scrollTop = pre.scrollHeight;
    },
    /** The stream ended: the output is complete. */
    finish() {
      status.textContent = lines.length ? `${lines.length} line${lines.length === 1 ? "" : "s"}, complete` : "No output.";
      root.dataset.complete = "true";
    },
    text,
  };
}

/**
 * Streams an invocation's output into `panel` (batched per animation frame). Resolves
 * true once it is complete, false when the command keeps no CloudWatch output (the
 * caller falls back to GetCommandInvocation's); rejects on other errors.
 * @param {import("ssm-edge").SsmClient} client
 * @param {{ CommandId: string, InstanceId: string }} invocation
 * @param {ReturnType<typeof createOutputPanel>} panel
 * @param {AbortSignal} signal
 */
export async function streamInto(client, invocation, panel, signal) {
  /** @type {{ stream: string, text: string }[]} */
  let pending = [];
  let frame = 0;
  const flush = () => {
    frame = 0;
    panel.append(pending);
    pending = [];
  };
  try {
    for await (const chunk of client.streamOutput(invocation, { signal })) {
      pending.push(chunk);
      frame ||= requestAnimationFrame(flush);
    }
  } catch (e) {
    if (/** @type {any} */ (e)?.name === "OutputUnavailableError") return false;
    throw e;
  } finally {
    if (frame) cancelAnimationFrame(frame);
    flush();
  }
  panel.finish();
  return true;
}
