// @ts-check
// A tiny element builder: h("button", { class: "x", onclick }, "text", child…).
// Text goes in as text nodes (never HTML), so data from the service cannot inject markup.

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "indeterminate", "open"]);

/**
 * @param {string} tag
 * @param {Record<string, any> | null} [props]
 * @param {...any} children
 * @returns {any}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (PROPERTIES.has(key)) /** @type {any} */ (el)[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** @param {Element} el @param {any[]} children */
function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. @param {Element} el @param {...any} children */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** @param {string} id @returns {any} */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el;
}

/** A status word as a badge: green for success, red for failures, amber for in between. */
export function badge(status) {
  const s = String(status ?? "—");
  const tone = /^(Success|Online)$/.test(s)
    ? "ok"
    : /^(Failed|TimedOut|Cancelled|ConnectionLost|Inactive|Undeliverable|Terminated|Delivery Timed Out|Execution Timed Out|Incomplete)$/.test(s)
      ? "bad"
      : /^(Pending|InProgress|Delayed|Cancelling)$/.test(s)
        ? "busy"
        : "neutral";
  return h("span", { class: `badge badge-${tone}` }, s);
}

/** "12 s", "3 min 04 s", "1 h 02 min". @param {number} ms */
export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** A `<time>` showing the local date and time. @param {Date | string | number | undefined} when */
export function time(when) {
  if (when === undefined || when === null || when === "") return h("span", null, "—");
  const d = when instanceof Date ? when : new Date(when);
  if (Number.isNaN(d.getTime())) return h("span", null, "—");
  const sameDay = d.toDateString() === new Date().toDateString();
  const text = sameDay
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })
    : d.toLocaleString([], { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  return h("time", { datetime: d.toISOString(), title: d.toISOString() }, text);
}

/** A table cell with its column name (shown as a label on narrow screens). */
export function cell(/** @type {string} */ label, /** @type {any[]} */ ...children) {
  return h("td", { "data-label": label }, h("div", { class: "cell" }, ...children));
}

/** Milliseconds of a Date, an ISO string or epoch seconds; NaN when absent. */
export function ms(/** @type {any} */ v) {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number") return v * 1000;
  if (typeof v === "string" && v) return Date.parse(v);
  return NaN;
}
