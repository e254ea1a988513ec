// @ts-check
// The ssm-edge dashboard: pick targets, a document and its parameters, check everything
// as you type (the package's validate() for the service's rules, lib/params.js for the
// document's), send, follow the command live, cancel it, and browse the history.
// Plain ES modules, no build step: index.html's import map points `ssm-edge` at /pkg/index.js.

import { SsmClient, ready, validate, resolveEndpoint } from "ssm-edge";
import { h, fill, $, badge, duration, time } from "./lib/dom.js";
import { explain } from "./lib/errors.js";
import { contentRules, parameterDefs, valuesOf, parameterProblems, parameterOf } from "./lib/params.js";
import { loadSettings, saveSettings, jwtClaims } from "./lib/settings.js";
import { createApprovals } from "./views/approvals.js";

/** @typedef {import("./lib/params.js").ParamDef} ParamDef */
/** @typedef {import("./lib/params.js").Problem} Problem */
/** @typedef {import("./lib/settings.js").Settings} Settings */

const FINAL = new Set(["Success", "Failed", "TimedOut", "Cancelled"]);
const POLL_MS = 1000;
const WATCH_LIMIT_MS = 6 * 3600 * 1000;

/** Whether this build of the package takes `token` (bearer tokens for the gateway). */
const TOKEN_SUPPORTED = (() => {
  try {
    new SsmClient(/** @type {any} */ ({ region: "us-east-1", endpoint: "https://gateway.invalid", token: "probe" }));
    return true;
  } catch {
    return false;
  }
})();

/** @type {import("./lib/settings.js").PageConfig} */
const config = await fetch("/config.json")
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}));

// The form validates as you type (the package's synchronous validate): load the wasm once.
await ready();

// ------------------------------------------------------------------ state

/** Keys and tokens: in this object only, never in storage. */
const secrets = { token: "", gatewayKeyId: "", gatewaySecret: "", directKeyId: "", directSecret: "", directSession: "" };

const state = {
  /** @type {Settings} */
  settings: loadSettings(config),
  /** @type {SsmClient | null} */
  client: null,
  /** @type {any[]} */
  instances: [],
  /** @type {Set<string>} */
  selected: new Set(),
  /** @type {"instances" | "tag"} */
  targetMode: "instances",
  /** @type {Set<string> | null} instance ids matching the tag target, when previewed */
  tagMatches: null,
  /** @type {any[]} */
  documents: [],
  /** @type {any} the DescribeDocument `Document` */
  doc: null,
  /** @type {string | null} why the document's own rules (GetDocument) are not known */
  rulesMissing: null,
  /** @type {Map<string, string[] | null>} managed nodes' tags (ListTagsForResource); null: unreadable */
  tags: new Map(),
  docLoading: false,
  /** @type {ParamDef[]} */
  defs: [],
  /** @type {Record<string, string>} the text of each parameter field */
  paramText: {},
  /** @type {Set<string>} fields the user has been in: their problems show inline */
  touched: new Set(),
  sending: false,
  /** @type {string | null} the input (JSON) the error under Send is about */
  errorFor: null,
  /** @type {Live | null} */
  live: null,
  /** @type {string | undefined} */
  historyToken: undefined,
  /** @type {string | null} */
  historyOpen: null,
};

if (!TOKEN_SUPPORTED && state.settings.gatewayAuth === "token") state.settings.gatewayAuth = "keys";

// ------------------------------------------------------------------ small helpers

const announcer = $("announcer");
/** Says something to screen readers (the polite live region). @param {string} text */
function announce(text) {
  announcer.textContent = "";
  requestAnimationFrame(() => (announcer.textContent = text));
}

let noticeTimer = 0;
/** A visible, polite notice under the header (throttling, connection changes). */
function notice(/** @type {string} */ text, ms = 6000) {
  const el = $("notice");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => (el.hidden = true), ms);
}

function ctx() {
  const s = state.settings;
  return {
    mode: s.mode,
    auth: /** @type {"token" | "keys" | "credentials"} */ (s.mode === "direct" ? "credentials" : s.gatewayAuth),
    endpoint: state.client?.endpoint,
  };
}

/** Shows an error, explained, in an error box. @param {HTMLElement} box @param {any} error */
function showError(box, error, context = ctx()) {
  const e = explain(error, context);
  fill(
    box,
    h("p", { class: "error-title" }, h("strong", null, e.title)),
    e.detail ? h("p", { class: "error-detail" }, e.detail) : null,
    e.hint ? h("p", { class: "error-hint" }, e.hint) : null,
    e.code || e.requestId
      ? h("p", { class: "error-meta" }, [e.code, e.requestId && `request id ${e.requestId}`].filter(Boolean).join(" · "))
      : null,
  );
  box.dataset.kind = e.kind;
  box.hidden = false;
  return e;
}

/** @param {HTMLElement} box */
function clearError(box) {
  box.hidden = true;
  box.replaceChildren();
}

/** The fetch the client uses: the real one, watching for throttling so we can say so. */
async function watchedFetch(/** @type {any} */ url, /** @type {any} */ init) {
  const response = await fetch(url, init);
  if (response.status >= 400) {
    const type = await response
      .clone()
      .json()
      .then((b) => String(b?.__type ?? ""), () => "");
    if (/Throttl/i.test(type)) {
      notice("The service is throttling requests; the dashboard retries them automatically. This may take a few seconds.");
    }
  }
  return response;
}

const instanceName = (/** @type {string} */ id) => {
  const i = state.instances.find((x) => x.InstanceId === id);
  return i?.ComputerName || i?.Name || id;
};

// ------------------------------------------------------------------ settings & connection

const dialog = /** @type {HTMLDialogElement} */ ($("settings-dialog"));
const settingsForm = $("settings-form");
const settingsError = $("settings-error");

function openSettings() {
  const s = state.settings;
  for (const r of settingsForm.querySelectorAll("input[name=mode]")) r.checked = r.value === s.mode;
  for (const r of settingsForm.querySelectorAll("input[name=gateway-auth]")) r.checked = r.value === s.gatewayAuth;
  $("gateway-url").value = s.gatewayUrl;
  $("gateway-region").value = s.gatewayRegion;
  $("gateway-account").value = s.gatewayAccount;
  fill($("gateway-regions"), (config.regions ?? []).map((r) => h("option", { value: r })));
  fill($("gateway-accounts"), (config.accounts ?? []).map((a) => h("option", { value: a })));
  $("token").value = secrets.token;
  $("gateway-key-id").value = secrets.gatewayKeyId;
  $("gateway-secret").value = secrets.gatewaySecret;
  $("direct-region").value = s.directRegion;
  $("direct-endpoint").value = s.directEndpoint;
  $("direct-key-id").value = secrets.directKeyId;
  $("direct-secret").value = secrets.directSecret;
  $("direct-session").value = secrets.directSession;
  const tokenRadio = settingsForm.querySelector("input[name=gateway-auth][value=token]");
  tokenRadio.disabled = !TOKEN_SUPPORTED;
  $("token-unsupported").hidden = TOKEN_SUPPORTED;
  clearError(settingsError);
  syncSettingsForm();
  if (!dialog.open) dialog.showModal();
}

function formSettings() {
  const mode = settingsForm.querySelector("input[name=mode]:checked")?.value === "direct" ? "direct" : "gateway";
  const auth = settingsForm.querySelector("input[name=gateway-auth]:checked")?.value === "token" ? "token" : "keys";
  /** @type {Settings} */
  const s = {
    mode,
    gatewayUrl: $("gateway-url").value.trim(),
    gatewayRegion: $("gateway-region").value.trim(),
    gatewayAccount: $("gateway-account").value.trim(),
    gatewayAuth: auth,
    directRegion: $("direct-region").value.trim(),
    directEndpoint: $("direct-endpoint").value.trim(),
  };
  const sec = {
    token: $("token").value.trim(),
    gatewayKeyId: $("gateway-key-id").value.trim(),
    gatewaySecret: $("gateway-secret").value,
    directKeyId: $("direct-key-id").value.trim(),
    directSecret: $("direct-secret").value,
    directSession: $("direct-session").value.trim(),
  };
  return { s, sec };
}

/** Shows the fields of the chosen mode and explains the token and endpoint as typed. */
function syncSettingsForm() {
  const { s, sec } = formSettings();
  $("gateway-fields").hidden = s.mode !== "gateway";
  $("direct-fields").hidden = s.mode !== "direct";
  $("token-fields").hidden = s.gatewayAuth !== "token";
  $("keys-fields").hidden = s.gatewayAuth !== "keys";
  const info = $("token-info");
  const claims = sec.token ? jwtClaims(sec.token) : null;
  if (!sec.token) info.textContent = "Paste the token your identity provider issued for this gateway.";
  else if (!claims) info.textContent = "This does not look like a JWT (three dot-separated parts).";
  else {
    const who = claims.sub ?? claims.email ?? "unknown subject";
    const groups = Array.isArray(claims.groups) && claims.groups.length ? ` (groups: ${claims.groups.join(", ")})` : "";
    const exp = typeof claims.exp === "number" ? claims.exp * 1000 - Date.now() : NaN;
    info.textContent = Number.isNaN(exp)
      ? `Token for ${who}${groups}.`
      : exp <= 0
        ? `This token for ${who} expired ${duration(-exp)} ago: get a new one.`
        : `Token for ${who}${groups}, expires in ${duration(exp)}.`;
  }
  let endpoint = "";
  try {
    endpoint = resolveEndpoint({ region: s.directRegion || "us-east-1", endpoint: s.directEndpoint || undefined });
  } catch (e) {
    endpoint = `— ${/** @type {any} */ (e).message}`;
  }
  $("direct-endpoint-info").textContent = `Requests go to ${endpoint}. Leave empty for the region's AWS endpoint, or enter a VPC endpoint or another SSM-compatible URL.`;
}

/** Problems with the settings form before trying them. */
function settingsProblems(/** @type {Settings} */ s, /** @type {typeof secrets} */ sec) {
  const problems = [];
  const httpUrl = (/** @type {string} */ u) => {
    try {
      return /^https?:$/.test(new URL(u).protocol);
    } catch {
      return false;
    }
  };
  if (s.mode === "gateway") {
    if (!httpUrl(s.gatewayUrl)) problems.push("Gateway URL: enter an http(s) URL, such as https://ssm-gateway.example.com");
    if (!s.gatewayRegion) problems.push("Region: enter the region the gateway uses, such as us-east-1");
    // The account alias is the package's to check (its ConfigError names `account`).
    if (s.gatewayAuth === "token" && !sec.token) problems.push("Bearer token: paste your token");
    if (s.gatewayAuth === "keys" && (!sec.gatewayKeyId || !sec.gatewaySecret)) {
      problems.push("Gateway keys: enter both the access key ID and the secret");
    }
  } else {
    if (!s.directRegion) problems.push("Region: enter an AWS region, such as eu-west-1");
    if (s.directEndpoint && !httpUrl(s.directEndpoint)) problems.push("Endpoint: enter an http(s) URL or leave it empty");
    if (!sec.directKeyId || !sec.directSecret) problems.push("Credentials: enter the access key ID and the secret access key");
  }
  return problems;
}

/** @param {Settings} s @param {typeof secrets} sec */
function makeClient(s, sec) {
  if (s.mode === "gateway") {
    const base = { region: s.gatewayRegion, endpoint: s.gatewayUrl, account: s.gatewayAccount || undefined, fetch: watchedFetch };
    return s.gatewayAuth === "token"
      ? new SsmClient(/** @type {any} */ ({ ...base, token: sec.token }))
      : new SsmClient({ ...base, credentials: { accessKeyId: sec.gatewayKeyId, secretAccessKey: sec.gatewaySecret } });
  }
  return new SsmClient({
    region: s.directRegion,
    endpoint: s.directEndpoint || undefined,
    fetch: watchedFetch,
    credentials: {
      accessKeyId: sec.directKeyId,
      secretAccessKey: sec.directSecret,
      sessionToken: sec.directSession || undefined,
    },
  });
}

async function connect(/** @type {Event} */ event) {
  event.preventDefault();
  const { s, sec } = formSettings();
  const problems = settingsProblems(s, sec);
  if (problems.length) {
    fill(settingsError, h("p", null, h("strong", null, "Check these settings:")), h("ul", null, problems.map((p) => h("li", null, p))));
    settingsError.dataset.kind = "input";
    settingsError.hidden = false;
    return;
  }
  const button = $("connect");
  button.disabled = true;
  button.textContent = "Connecting…";
  clearError(settingsError);
  const context = { mode: s.mode, auth: s.mode === "direct" ? "credentials" : s.gatewayAuth, endpoint: undefined };
  try {
    await useClient(s, sec, context);
    dialog.close();
    announce("Connected");
  } catch (e) {
    showError(settingsError, e, /** @type {any} */ (context));
  } finally {
    button.disabled = false;
    button.textContent = "Connect";
  }
}

/**
 * Connects with `s` and `sec` (one call proves the settings), then makes them current
 * and loads what the workspace shows: targets, documents and history are those of the
 * region and account connected to.
 * @param {Settings} s @param {typeof secrets} sec @param {{ endpoint?: string }} context
 */
async function useClient(s, sec, context) {
  const client = makeClient(s, sec);
  context.endpoint = /** @type {any} */ (client.endpoint);
  const first = await client.describeInstanceInformation({ MaxResults: 50 });
  disconnect(false);
  state.settings = s;
  Object.assign(secrets, sec);
  state.client = client;
  saveSettings(s);
  renderConnection();
  await Promise.all([loadInstances(first), loadDocuments(), loadHistory(), s.mode === "gateway" ? approvals.start() : null]);
}

/** The top bar's region and account pickers: another route with the same sign-in. */
async function switchRoute() {
  const s = { ...state.settings, gatewayRegion: $("pick-region").value, gatewayAccount: $("pick-account").value };
  if (s.gatewayAccount === "default") s.gatewayAccount = "";
  const context = { mode: s.mode, auth: s.gatewayAuth, endpoint: undefined };
  const pickers = /** @type {NodeListOf<HTMLSelectElement>} */ ($("route-picker").querySelectorAll("select"));
  for (const p of pickers) p.disabled = true;
  try {
    await useClient(s, { ...secrets }, context);
    announce(`Connected to ${s.gatewayAccount || "default"} in ${s.gatewayRegion}`);
  } catch (e) {
    // Stay where we were; say why the other route did not work.
    renderConnection();
    showError($("targets-error"), e, /** @type {any} */ (context));
  } finally {
    for (const p of pickers) p.disabled = false;
  }
}

/** Forgets the client and every secret. */
function disconnect(forgetSecrets = true) {
  stopLive();
  approvals.stop();
  state.client = null;
  if (forgetSecrets) for (const k of Object.keys(secrets)) /** @type {any} */ (secrets)[k] = "";
  state.instances = [];
  state.tags.clear();
  state.selected.clear();
  state.tagMatches = null;
  state.documents = [];
  state.doc = null;
  state.defs = [];
  state.paramText = {};
  state.touched.clear();
  state.historyOpen = null;
  fill($("history-body"));
  fill($("document-info"));
  fill($("params"));
  $("history-detail").hidden = true;
  $("live").hidden = true;
  for (const id of ["targets-error", "document-error", "send-error", "history-error", "live-error"]) clearError($(id));
  renderConnection();
  revalidate();
}

/** Shows the pickers when connected to a gateway that serves more than one place. */
function renderRoutePicker() {
  const s = state.settings;
  const regions = [...new Set([...(config.regions ?? []), s.gatewayRegion])];
  const accounts = [...new Set([...(config.accounts ?? ["default"]), s.gatewayAccount || "default"])];
  const picker = $("route-picker");
  picker.hidden = !state.client || s.mode !== "gateway" || (regions.length < 2 && accounts.length < 2);
  if (picker.hidden) return;
  const options = (/** @type {string[]} */ values, /** @type {string} */ current) =>
    values.map((v) => h("option", { value: v, selected: v === current }, v));
  fill($("pick-region"), options(regions, s.gatewayRegion));
  fill($("pick-account"), options(accounts, s.gatewayAccount || "default"));
}

function renderConnection() {
  const s = state.settings;
  const el = $("connection");
  const connected = Boolean(state.client);
  $("workspace").hidden = !connected;
  $("welcome").hidden = connected;
  $("disconnect").hidden = !connected;
  if (!connected) {
    el.textContent = "Not connected";
    el.dataset.state = "off";
    return;
  }
  el.dataset.state = "on";
  const host = (() => {
    try {
      return new URL(/** @type {string} */ (state.client?.endpoint)).host;
    } catch {
      return state.client?.endpoint;
    }
  })();
  renderRoutePicker();
  if (s.mode === "gateway") {
    let who = `key ${secrets.gatewayKeyId}`;
    if (s.gatewayAuth === "token") {
      const claims = jwtClaims(secrets.token);
      who = `token for ${claims?.sub ?? claims?.email ?? "?"}`;
    }
    el.textContent = `Gateway ${host} · ${s.gatewayRegion} · account ${s.gatewayAccount || "default"} · ${who}`;
  } else {
    el.textContent = `AWS ${s.directRegion} (${host}) · key ${secrets.directKeyId}`;
  }
}

// ------------------------------------------------------------------ instances

async function loadInstances(/** @type {any} */ first) {
  const client = state.client;
  if (!client) return;
  const box = $("targets-error");
  clearError(box);
  $("instances-summary").textContent = "Loading instances…";
  try {
    const list = [...(first?.InstanceInformationList ?? [])];
    let next = first?.NextToken;
    if (!first || next) {
      if (!first) list.length = 0;
      for await (const page of client.paginateDescribeInstanceInformation({ MaxResults: 50, NextToken: next })) {
        list.push(...(page.InstanceInformationList ?? []));
      }
    }
    if (state.client !== client) return;
    state.instances = list;
    const known = new Set(list.map((i) => i.InstanceId));
    for (const id of [...state.selected]) if (!known.has(id)) state.selected.delete(id);
    fillFilterOptions();
    renderInstances();
    announce(`${list.length} instances loaded`);
    loadTags(client, list);
  } catch (e) {
    showError(box, e);
    $("instances-summary").textContent = "";
  }
  revalidate();
}

function fillFilterOptions() {
  for (const [id, field] of [["filter-platform", "PlatformType"], ["filter-status", "PingStatus"]]) {
    const select = $(id);
    const current = select.value;
    const values = [...new Set(state.instances.map((i) => i[field]).filter(Boolean))].sort();
    fill(select, h("option", { value: "" }, "All"), values.map((v) => h("option", { value: v, selected: v === current }, v)));
  }
}

function visibleInstances() {
  const text = $("filter-text").value.trim().toLowerCase();
  const platform = $("filter-platform").value;
  const status = $("filter-status").value;
  return state.instances.filter((i) => {
    if (platform && i.PlatformType !== platform) return false;
    if (status && i.PingStatus !== status) return false;
    if (!text) return true;
    return [i.InstanceId, i.ComputerName, i.Name, i.IPAddress, i.PlatformName, i.PlatformType]
      .filter(Boolean)
      .some((v) => String(v).toLowerCase().includes(text));
  });
}

/** A table cell with its column name (shown as a label on narrow screens). */
function cell(/** @type {string} */ label, /** @type {any[]} */ ...children) {
  return h("td", { "data-label": label }, h("div", { class: "cell" }, ...children));
}

/**
 * Reads the tags of the managed nodes in `list` (ListTagsForResource, four at a time) and
 * shows them as they arrive. SSM keeps tags for hybrid nodes (`mi-…`) only: an EC2
 * instance's tags are EC2's. A refusal (a policy that does not allow it) stops the rest.
 * @param {SsmClient} client @param {any[]} list
 */
async function loadTags(client, list) {
  const queue = list.filter((i) => i.ResourceType === "ManagedInstance" && !state.tags.has(i.InstanceId));
  let refused = false;
  const worker = async () => {
    for (let inst = queue.shift(); inst && !refused && state.client === client; inst = queue.shift()) {
      try {
        const { TagList } = await client.listTagsForResource({ ResourceType: "ManagedInstance", ResourceId: inst.InstanceId });
        state.tags.set(inst.InstanceId, (TagList ?? []).map((t) => `${t.Key}=${t.Value}`));
      } catch (e) {
        state.tags.set(inst.InstanceId, null);
        refused ||= /** @type {any} */ (e)?.name === "AccessDeniedException";
      }
      if (state.client === client) showTags(inst);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Puts an instance's tags in its row, in place (focus elsewhere in the table stays). @param {any} inst */
function showTags(inst) {
  const row = [...$("instances-body").querySelectorAll("tr")].find((r) => r.dataset.instance === inst.InstanceId);
  const old = row?.querySelector("td[data-label='Tags']");
  if (row && old) old.replaceWith(tagsCell(inst, Boolean(state.tagMatches?.has(inst.InstanceId)) && state.targetMode === "tag"));
}

/** What the Tags cell says when there are no tags to show. @param {any} inst */
function noTags(inst) {
  if (inst.ResourceType !== "ManagedInstance") return "SSM keeps tags for hybrid nodes (mi-…) only; an EC2 instance's tags are EC2's";
  if (!state.tags.has(inst.InstanceId)) return "Loading tags…";
  return state.tags.get(inst.InstanceId) === null ? "The tags could not be read (ListTagsForResource)" : "No tags";
}

/** The Tags cell of an instance's row. @param {any} inst @param {boolean} matched */
function tagsCell(inst, matched) {
  const tags = state.tags.get(inst.InstanceId) ?? [];
  return cell(
    "Tags",
    tags.length ? tags.map((t) => h("span", { class: "chip" }, t)) : matched ? null : h("span", { class: "muted", title: noTags(inst) }, "—"),
    matched ? h("span", { class: "chip chip-match" }, "matches tag") : null,
  );
}

function renderInstances() {
  const rows = visibleInstances();
  const byTag = state.targetMode === "tag";
  const body = $("instances-body");
  body.closest("table")?.classList.toggle("by-tag", byTag);
  fill(
    body,
    rows.length === 0
      ? h("tr", null, h("td", { colspan: byTag ? 6 : 7, class: "empty" }, state.instances.length ? "No instance matches the filters." : "No managed instances."))
      : rows.map((i) => {
          const id = i.InstanceId;
          const name = i.ComputerName || i.Name || id;
          const match = state.tagMatches?.has(id);
          return h(
            "tr",
            { class: [state.selected.has(id) && !byTag ? "selected" : "", match && byTag ? "matched" : ""].join(" ").trim() || null, dataset: { instance: id } },
            byTag
              ? null
              : h(
                  "td",
                  { class: "pick", "data-label": "Select" },
                  h("input", {
                    type: "checkbox",
                    id: `pick-${id}`,
                    checked: state.selected.has(id),
                    "aria-label": `Select ${name} (${id})`,
                    dataset: { id },
                  }),
                ),
            cell("Instance", byTag ? h("span", { class: "mono" }, id) : h("label", { for: `pick-${id}`, class: "mono" }, id)),
            cell("Name", name, i.Name && i.Name !== i.ComputerName ? h("span", { class: "muted" }, ` (${i.Name})`) : null),
            cell(
              "Platform",
              i.PlatformType ?? "—",
              i.PlatformName ? h("span", { class: "muted small" }, ` ${i.PlatformName} ${i.PlatformVersion ?? ""}`.trimEnd()) : null,
            ),
            cell("Ping status", badge(i.PingStatus)),
            cell(
              "Agent",
              i.AgentVersion ?? "—",
              i.IsLatestVersion === false ? h("span", { class: "muted small" }, " (update available)") : null,
            ),
            tagsCell(i, match && byTag),
          );
        }),
  );
  const all = $("select-all");
  const visibleIds = rows.map((r) => r.InstanceId);
  const picked = visibleIds.filter((id) => state.selected.has(id)).length;
  all.checked = visibleIds.length > 0 && picked === visibleIds.length;
  all.indeterminate = picked > 0 && picked < visibleIds.length;
  all.disabled = byTag || visibleIds.length === 0;
  const hidden = [...state.selected].filter((id) => !visibleIds.includes(id)).length;
  $("instances-summary").textContent = byTag
    ? `${state.instances.length} instances; those with the tag are marked.`
    : `${state.instances.length} instances, ${rows.length} shown · ${state.selected.size} selected` +
      (hidden ? ` (${hidden} hidden by the filters)` : "");
}

function onInstancePick(/** @type {Event} */ event) {
  const box = /** @type {HTMLInputElement} */ (event.target);
  const id = box.dataset.id;
  if (!id) return;
  if (box.checked) state.selected.add(id);
  else state.selected.delete(id);
  state.touched.add("targets");
  box.closest("tr")?.classList.toggle("selected", box.checked);
  renderInstances();
  $(`pick-${id}`)?.focus();
  revalidate();
}

function onSelectAll() {
  const ids = visibleInstances().map((i) => i.InstanceId);
  const all = ids.every((id) => state.selected.has(id));
  for (const id of ids) {
    if (all) state.selected.delete(id);
    else state.selected.add(id);
  }
  state.touched.add("targets");
  renderInstances();
  revalidate();
}

function setTargetMode(/** @type {"instances" | "tag"} */ mode) {
  state.targetMode = mode;
  $("tag-pane").hidden = mode !== "tag";
  $("filters").hidden = mode === "tag";
  renderInstances();
  if (mode === "tag") previewTag();
  revalidate();
}

function tagTarget() {
  const key = $("tag-key").value.trim().replace(/^tag:/, "");
  const values = $("tag-values")
    .value.split(",")
    .map((/** @type {string} */ v) => v.trim())
    .filter(Boolean);
  return { key, values };
}

let tagSeq = 0;
let tagTimer = 0;
/** Shows which instances the tag target matches (DescribeInstanceInformation with a tag filter). */
function previewTag() {
  clearTimeout(tagTimer);
  tagTimer = window.setTimeout(async () => {
    const seq = ++tagSeq;
    const out = $("tag-preview");
    const { key, values } = tagTarget();
    const client = state.client;
    if (!key || values.length === 0 || !client) {
      state.tagMatches = null;
      out.textContent = "Enter a tag key and at least one value to see which instances it targets.";
      renderInstances();
      revalidate();
      return;
    }
    out.textContent = "Looking up matching instances…";
    try {
      const ids = [];
      for await (const page of client.paginateDescribeInstanceInformation({ Filters: [{ Key: `tag:${key}`, Values: values }], MaxResults: 50 })) {
        ids.push(...(page.InstanceInformationList ?? []).map((i) => i.InstanceId));
      }
      if (seq !== tagSeq) return;
      state.tagMatches = new Set(ids);
      const offline = ids.filter((id) => state.instances.find((i) => i.InstanceId === id)?.PingStatus !== "Online").length;
      out.textContent = ids.length
        ? `${ids.length} instance${ids.length > 1 ? "s" : ""} with ${key}=${values.join(" or ")}: ${ids.map(instanceName).join(", ")}` +
          (offline ? `. ${offline} not Online: they will not get the command until they reconnect (or it times out).` : ".")
        : `No instance has ${key}=${values.join(" or ")} right now; a command sent now would target nothing.`;
    } catch (e) {
      if (seq !== tagSeq) return;
      state.tagMatches = null;
      out.textContent = `Could not preview the tag target: ${explain(e, ctx()).title}.`;
    }
    renderInstances();
    revalidate();
  }, 300);
}

// ------------------------------------------------------------------ documents

async function loadDocuments() {
  const client = state.client;
  if (!client) return;
  const select = $("document-select");
  const box = $("document-error");
  clearError(box);
  fill(select, h("option", { value: "" }, "Loading documents…"));
  try {
    const docs = [];
    for await (const page of client.paginateListDocuments({ Filters: [{ Key: "DocumentType", Values: ["Command"] }], MaxResults: 50 })) {
      docs.push(...(page.DocumentIdentifiers ?? []));
      if (docs.length >= 1000) break;
    }
    if (state.client !== client) return;
    docs.sort((a, b) => String(a.Name).localeCompare(String(b.Name)));
    state.documents = docs;
    const groups = new Map();
    for (const d of docs) {
      const owner = d.Owner === "Amazon" ? "Amazon" : `Owner ${d.Owner ?? "unknown"}`;
      if (!groups.has(owner)) groups.set(owner, []);
      groups.get(owner).push(d);
    }
    const current = state.doc?.Name ?? "";
    fill(
      select,
      h("option", { value: "" }, "Choose a document…"),
      [...groups].map(([label, list]) =>
        h(
          "optgroup",
          { label },
          list.map((/** @type {any} */ d) =>
            h("option", { value: d.Name, selected: d.Name === current }, `${d.Name}${d.PlatformTypes?.length ? ` (${d.PlatformTypes.join(", ")})` : ""}`),
          ),
        ),
      ),
    );
  } catch (e) {
    fill(select, h("option", { value: "" }, "Could not load documents"));
    showError(box, e);
  }
}

let docSeq = 0;
async function chooseDocument(/** @type {string} */ name) {
  const seq = ++docSeq;
  const box = $("document-error");
  clearError(box);
  state.doc = null;
  state.defs = [];
  state.paramText = {};
  for (const k of [...state.touched]) if (k.startsWith("param:")) state.touched.delete(k);
  state.touched.add("document");
  fill($("document-info"));
  fill($("params"));
  if (!name || !state.client) {
    state.docLoading = false;
    revalidate();
    return;
  }
  state.docLoading = true;
  $("document-info").textContent = "Loading the document…";
  revalidate();
  try {
    const client = state.client;
    // The rules live in the content; without it, the form still works from the descriptions.
    const [{ Document }, rules] = await Promise.all([
      client.describeDocument({ Name: name }),
      client.getDocument({ Name: name, DocumentFormat: "JSON" }).then(
        (got) => contentRules(got.Content) ?? "its content is not JSON",
        (/** @type {any} */ e) => explain(e, ctx()).title,
      ),
    ]);
    if (seq !== docSeq) return;
    state.doc = Document;
    state.rulesMissing = typeof rules === "string" ? rules : null;
    state.defs = parameterDefs(Document, typeof rules === "string" ? null : rules);
    renderDocument();
  } catch (e) {
    if (seq !== docSeq) return;
    fill($("document-info"));
    showError(box, e);
  } finally {
    if (seq === docSeq) state.docLoading = false;
  }
  revalidate();
}

function renderDocument() {
  const doc = state.doc;
  fill(
    $("document-info"),
    doc.Description ? h("p", { class: "doc-description" }, doc.Description) : null,
    h(
      "p",
      { class: "muted small" },
      `Runs on ${doc.PlatformTypes?.join(", ") || "any platform"} · version ${doc.DocumentVersion ?? doc.DefaultVersion ?? "?"} · owner ${doc.Owner ?? "?"}`,
    ),
    state.rulesMissing
      ? h("p", { class: "muted small", id: "rules-missing" }, `The document's own parameter rules could not be read (${state.rulesMissing}): SSM checks them when you send.`)
      : null,
  );
  const params = $("params");
  if (state.defs.length === 0) {
    fill(params, h("p", { class: "muted" }, "This document takes no parameters."));
    return;
  }
  fill(
    params,
    h(
      "fieldset",
      { class: "params" },
      h("legend", null, "Parameters"),
      state.defs.map((def, index) => {
        const id = `param-${index}`;
        const hintId = `${id}-hint`;
        const errId = `${id}-error`;
        const describedBy = `${hintId} ${errId}`;
        const onInput = (/** @type {Event} */ e) => {
          state.paramText[def.name] = /** @type {HTMLInputElement} */ (e.target).value;
          state.touched.add(`param:${def.name}`);
          revalidate();
        };
        const onBlur = () => {
          state.touched.add(`param:${def.name}`);
          revalidate();
        };
        const common = { id, name: def.name, "aria-describedby": describedBy, "aria-required": def.required ? "true" : null, dataset: { field: `param:${def.name}` }, oninput: onInput, onchange: onInput, onblur: onBlur };
        let control;
        if (def.allowedValues) {
          const fallback = def.defaultValue ? `Default (${def.defaultValue})` : def.required ? "Choose…" : "Not set";
          control = h("select", common, h("option", { value: "" }, fallback), def.allowedValues.map((v) => h("option", { value: v }, v)));
        } else if (def.type === "StringList") {
          control = h("textarea", { ...common, rows: def.name === "commands" ? 5 : 3, spellcheck: "false", autocapitalize: "off", class: "mono", placeholder: def.defaultValue ? `Default: ${def.defaultValue}` : "One value per line" });
        } else {
          control = h("input", { ...common, type: "text", autocomplete: "off", spellcheck: "false", placeholder: def.defaultValue ? `Default: ${def.defaultValue}` : null });
        }
        const hint = [
          def.description.replace(/^\s*\((Required|Optional)\)\s*/i, ""),
          def.type === "StringList" ? "One value per line." : "",
          !def.required && def.defaultValue && !def.allowedValues ? `Leave empty for the default (${def.defaultValue}).` : "",
          def.type === "StringList" && def.minItems !== undefined ? `At least ${def.minItems}.` : "",
          def.type === "StringList" && def.maxItems !== undefined ? `At most ${def.maxItems}.` : "",
          def.patternHint ? `Must be ${def.patternHint}.` : def.allowedPattern ? `Must match ${def.allowedPattern}.` : "",
        ]
          .filter(Boolean)
          .join(" ");
        return h(
          "div",
          { class: "field" },
          h(
            "label",
            { for: id },
            h("span", { class: "mono" }, def.name),
            def.required ? [h("span", { class: "required", "aria-hidden": "true" }, " *"), h("span", { class: "visually-hidden" }, " (required)")] : null,
            h("span", { class: "type" }, def.type),
          ),
          control,
          h("p", { class: "hint", id: hintId }, hint),
          h("p", { class: "field-error", id: errId, "data-error-for": `param:${def.name}` }),
        );
      }),
    ),
  );
}

// ------------------------------------------------------------------ the SendCommand input and its problems

function buildInput() {
  /** @type {Record<string, any>} */
  const input = { DocumentName: state.doc?.Name ?? $("document-select").value ?? "" };
  if (state.targetMode === "instances") {
    if (state.selected.size) input.InstanceIds = [...state.selected];
  } else {
    const { key, values } = tagTarget();
    if (key || values.length) input.Targets = [{ Key: `tag:${key}`, Values: values }];
  }
  /** @type {Record<string, string[]>} */
  const parameters = {};
  for (const def of state.defs) {
    const values = valuesOf(def, state.paramText[def.name] ?? "");
    if (values.length) parameters[def.name] = values;
  }
  if (Object.keys(parameters).length) input.Parameters = parameters;
  const comment = $("comment").value.trim();
  if (comment) input.Comment = comment;
  const timeout = $("timeout").value.trim();
  if (timeout) input.TimeoutSeconds = /^\d+$/.test(timeout) ? Number(timeout) : timeout;
  const concurrency = $("max-concurrency").value.trim();
  if (concurrency) input.MaxConcurrency = concurrency;
  const errors = $("max-errors").value.trim();
  if (errors) input.MaxErrors = errors;
  return input;
}

/** Which field a problem belongs to. @param {string} path */
function fieldOf(path) {
  if (path.startsWith("DocumentName") || path.startsWith("DocumentVersion")) return "document";
  if (path.startsWith("InstanceIds") || path.startsWith("Targets")) return "targets";
  const param = parameterOf(path);
  if (param !== null) return `param:${param}`;
  if (path.startsWith("Comment")) return "comment";
  if (path.startsWith("TimeoutSeconds")) return "timeout";
  if (path.startsWith("MaxConcurrency")) return "max-concurrency";
  if (path.startsWith("MaxErrors")) return "max-errors";
  return "general";
}

/** Every problem with the input as it stands: the service's rules and the document's. */
function check() {
  const input = buildInput();
  /** @type {(Problem & { field: string })[]} */
  const problems = [];
  /** @type {string[]} */
  const warnings = [];
  const add = (/** @type {Problem} */ p) => problems.push({ ...p, field: fieldOf(p.path) });

  if (!state.client) add({ path: "", rule: "connection", message: "Connect in Settings first" });
  const noDocument = !state.doc && !state.docLoading;
  if (noDocument) add({ path: "DocumentName", rule: "required", message: "Choose a document" });
  if (state.docLoading) add({ path: "DocumentName", rule: "loading", message: "The document is still loading" });
  const noTargets = !input.InstanceIds && !input.Targets;
  if (noTargets) {
    add({
      path: "InstanceIds",
      rule: "required",
      message: state.targetMode === "instances" ? "Select at least one instance" : "Enter a tag key and at least one value",
    });
  }
  for (const p of validate("SendCommand", input)) {
    if (noDocument && p.path.startsWith("DocumentName")) continue;
    if (noTargets && p.rule === "exactlyOneOf") continue;
    if (p.path === "TimeoutSeconds" && p.rule === "type") {
      add({ ...p, message: "must be a whole number of seconds (30 to 2592000)" });
      continue;
    }
    add(p);
  }
  if (state.doc) for (const p of parameterProblems(state.defs, input.Parameters ?? {})) add(p);
  if (/^(CHG|INC)-?$/i.test(input.Comment ?? "")) {
    add({ path: "Comment", rule: "ticket", message: "finish the ticket number (e.g. CHG-1234) or clear the comment" });
  }
  // The document's platforms against the chosen instances: SSM refuses a mismatch.
  if (state.doc?.PlatformTypes?.length && input.InstanceIds) {
    const wrong = input.InstanceIds.map((/** @type {string} */ id) => state.instances.find((i) => i.InstanceId === id)).filter(
      (/** @type {any} */ i) => i && i.PlatformType && !state.doc.PlatformTypes.includes(i.PlatformType),
    );
    if (wrong.length) {
      add({
        path: "InstanceIds",
        rule: "platform",
        message: `${wrong.map((/** @type {any} */ i) => `${i.ComputerName || i.InstanceId} is ${i.PlatformType}`).join(", ")}; ${state.doc.Name} runs on ${state.doc.PlatformTypes.join(", ")}`,
      });
    }
  }
  if (input.InstanceIds) {
    const offline = input.InstanceIds.filter((/** @type {string} */ id) => state.instances.find((i) => i.InstanceId === id)?.PingStatus !== "Online");
    if (offline.length) warnings.push(`${offline.map(instanceName).join(", ")} ${offline.length > 1 ? "are" : "is"} not Online: SSM may refuse ${offline.length > 1 ? "them" : "it"}.`);
  }
  if (input.Targets && state.tagMatches && state.tagMatches.size === 0) warnings.push("The tag currently matches no instance.");
  return { input, problems, warnings };
}

const FIELD_LABELS = /** @type {Record<string, string>} */ ({
  targets: "Targets",
  document: "Document",
  comment: "Comment",
  timeout: "Timeout",
  "max-concurrency": "Max concurrency",
  "max-errors": "Max errors",
  general: "Input",
});

/** The element to focus for a field. @param {string} field @returns {HTMLElement | null} */
function controlOf(field) {
  if (field.startsWith("param:")) return document.querySelector(`[data-field="${CSS.escape(field)}"]`);
  if (field === "targets") {
    return state.targetMode === "tag"
      ? $("tag-key")
      : /** @type {HTMLElement | null} */ (document.querySelector("#instances-body input[type=checkbox]")) ?? $("filter-text");
  }
  if (field === "document") return $("document-select");
  if (field === "general") return null;
  return document.getElementById(field);
}

let showAll = false;
function revalidate() {
  const { input, problems, warnings } = check();
  if (state.errorFor !== null && state.errorFor !== JSON.stringify(input)) {
    state.errorFor = null;
    clearError($("send-error"));
  }
  /** @type {Map<string, string[]>} */
  const byField = new Map();
  for (const p of problems) {
    const list = byField.get(p.field) ?? [];
    list.push(p.message);
    byField.set(p.field, list);
  }
  for (const el of document.querySelectorAll("[data-error-for]")) {
    const field = /** @type {HTMLElement} */ (el).dataset.errorFor ?? "";
    const messages = byField.get(field) ?? [];
    const visible = messages.length > 0 && (showAll || state.touched.has(field));
    el.textContent = visible ? messages.join(" · ") : "";
    const control = controlOf(field);
    if (control && field !== "targets") {
      if (visible) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
  }
  const list = $("problems");
  fill(
    list,
    problems.map((p) =>
      h(
        "li",
        null,
        h(
          "button",
          {
            type: "button",
            class: "link",
            onclick: () => {
              state.touched.add(p.field);
              revalidate();
              controlOf(p.field)?.focus();
            },
          },
          p.field.startsWith("param:") ? `Parameter ${p.field.slice(6)}` : FIELD_LABELS[p.field] ?? p.field,
        ),
        `: ${p.message}`,
      ),
    ),
  );
  $("problems-box").hidden = problems.length === 0;
  fill($("warnings"), warnings.map((w) => h("li", null, w)));
  $("warnings").hidden = warnings.length === 0;
  const ready = problems.length === 0 && !state.sending;
  $("send-button").disabled = !ready;
  $("send-summary").textContent = problems.length ? "" : summary();
  return problems;
}

function summary() {
  const name = state.doc?.Name ?? "";
  if (state.targetMode === "tag") {
    const { key, values } = tagTarget();
    const n = state.tagMatches?.size;
    return `Ready: ${name} on instances with ${key}=${values.join(" or ")}${n !== undefined ? ` (${n} now)` : ""}.`;
  }
  const names = [...state.selected].map(instanceName);
  return `Ready: ${name} on ${names.length} instance${names.length > 1 ? "s" : ""} (${names.join(", ")}).`;
}

// ------------------------------------------------------------------ send

async function send() {
  if (state.sending || !state.client) return;
  showAll = true;
  const problems = revalidate();
  if (problems.length) {
    controlOf(problems[0].field)?.focus();
    return;
  }
  const { input } = check();
  const box = $("send-error");
  clearError(box);
  $("send-waiting").hidden = true;
  state.sending = true;
  const button = $("send-button");
  button.disabled = true;
  button.textContent = "Sending…";
  announce("Sending the command");
  try {
    const { Command } = await state.client.sendCommand(/** @type {any} */ (input));
    announce(`Command sent: ${Command?.CommandId}`);
    startLive(Command);
    loadHistory();
  } catch (e) {
    // Filed for someone else's approval: the approvals view waits for it.
    if (approvals.waitIfApprovalRequired(e)) return;
    const explained = showError(box, e);
    state.errorFor = JSON.stringify(input);
    announce(explained.title);
    box.focus();
  } finally {
    state.sending = false;
    button.textContent = "Send command";
    showAll = false;
    revalidate();
  }
}

// ------------------------------------------------------------------ live view

/**
 * @typedef {{
 *   command: any, controller: AbortController, invocations: Map<string, any>, outputs: Map<string, any>,
 *   rows: Map<string, Record<string, HTMLElement>>, cancelRequested: boolean, done: boolean, finishedAt: number, timer: number,
 * }} Live
 */

function stopLive() {
  const live = state.live;
  if (!live) return;
  live.controller.abort();
  clearInterval(live.timer);
  state.live = null;
}

/** Follows a command: waitForCommand polls, onProgress redraws, Cancel aborts and cancels. */
function startLive(/** @type {any} */ command) {
  stopLive();
  /** @type {Live} */
  const live = {
    command,
    controller: new AbortController(),
    invocations: new Map(),
    outputs: new Map(),
    rows: new Map(),
    cancelRequested: false,
    done: false,
    finishedAt: 0,
    timer: 0,
  };
  state.live = live;
  for (const id of command.InstanceIds ?? []) {
    live.invocations.set(id, { InstanceId: id, Status: command.Status ?? "Pending", RequestedDateTime: command.RequestedDateTime });
  }
  const section = $("live");
  section.hidden = false;
  fill($("live-command"), h("code", null, command.CommandId));
  fill(
    $("live-meta"),
    h("span", null, command.DocumentName),
    command.Comment ? h("span", null, ` · “${command.Comment}”`) : null,
    h("span", null, " · sent "),
    time(command.RequestedDateTime),
  );
  clearError($("live-error"));
  fill($("live-list"));
  const cancel = $("cancel-command");
  cancel.hidden = false;
  cancel.disabled = false;
  cancel.textContent = "Cancel command";
  renderLive(live);
  live.timer = window.setInterval(() => renderLive(live), 1000);
  section.scrollIntoView({ behavior: "smooth", block: "start" });
  $("live-heading").focus({ preventScroll: true });
  watch(live);
}

async function watch(/** @type {Live} */ live) {
  const client = state.client;
  if (!client) return;
  const { signal } = live.controller;
  try {
    const final = await client.waitForCommand(
      { CommandId: live.command.CommandId },
      { signal, pollMs: POLL_MS, timeoutMs: WATCH_LIMIT_MS, onProgress: (invs) => progress(live, invs) },
    );
    live.finishedAt = Date.now();
    progress(live, final);
    live.done = true;
    clearInterval(live.timer);
    $("cancel-command").hidden = true;
    renderLive(live);
    announce(`Command ${overallStatus(live)}`);
    loadHistory();
  } catch (e) {
    if (signal.aborted || state.live !== live) return;
    const box = $("live-error");
    if (/** @type {any} */ (e)?.name === "TimeoutError") {
      fill(box, h("p", null, "Stopped following this command after 6 hours; see History for its outcome."));
      box.hidden = false;
    } else {
      showError(box, e);
      box.append(h("button", { type: "button", class: "btn", onclick: () => { clearError(box); live.controller = new AbortController(); watch(live); } }, "Resume following"));
    }
  }
}

function progress(/** @type {Live} */ live, /** @type {any[]} */ invocations) {
  if (state.live !== live) return;
  for (const inv of invocations) {
    const before = live.invocations.get(inv.InstanceId);
    live.invocations.set(inv.InstanceId, inv);
    if (before?.Status !== inv.Status) announce(`${instanceName(inv.InstanceId)}: ${inv.Status}`);
    if (FINAL.has(inv.Status) && !live.outputs.has(inv.InstanceId)) fetchOutput(live, inv.InstanceId);
  }
  renderLive(live);
}

/** stdout and stderr of a finished invocation (GetCommandInvocation). */
async function fetchOutput(/** @type {Live} */ live, /** @type {string} */ instanceId) {
  live.outputs.set(instanceId, { loading: true });
  try {
    const out = await /** @type {SsmClient} */ (state.client).getCommandInvocation({ CommandId: live.command.CommandId, InstanceId: instanceId });
    live.outputs.set(instanceId, out);
  } catch (e) {
    live.outputs.set(instanceId, { error: explain(e, ctx()) });
  }
  if (state.live === live) renderLive(live);
}

function overallStatus(/** @type {Live} */ live) {
  const statuses = [...live.invocations.values()].map((i) => i.Status);
  if (statuses.length === 0) return live.cancelRequested ? "Cancelling" : "Pending";
  if (statuses.some((s) => !FINAL.has(s))) {
    if (live.cancelRequested || statuses.includes("Cancelling")) return "Cancelling";
    return statuses.every((s) => s === "Pending") ? "Pending" : "InProgress";
  }
  if (statuses.every((s) => s === "Success")) return "Success";
  if (statuses.includes("Cancelled")) return "Cancelled";
  if (statuses.includes("Failed")) return "Failed";
  if (statuses.includes("TimedOut")) return "TimedOut";
  return "Failed";
}

/** Milliseconds of a Date, an ISO string or epoch seconds; NaN when absent. */
function ms(/** @type {any} */ v) {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number") return v * 1000;
  if (typeof v === "string" && v) return Date.parse(v);
  return NaN;
}

function renderLive(/** @type {Live} */ live) {
  if (state.live !== live) return;
  const invs = [...live.invocations.values()];
  const done = invs.filter((i) => FINAL.has(i.Status)).length;
  const overall = overallStatus(live);
  const sent = ms(live.command.RequestedDateTime);
  fill(
    $("live-overall"),
    badge(overall),
    ` ${done} of ${invs.length || live.command.TargetCount || "?"} finished · `,
    h("span", null, `${live.finishedAt ? "took" : "elapsed"} ${duration((live.finishedAt || Date.now()) - sent)}`),
  );
  const list = $("live-list");
  for (const inv of invs) {
    let row = live.rows.get(inv.InstanceId);
    if (!row) {
      row = {
        root: h("li", { class: "invocation" }),
        head: h("div", { class: "inv-head" }),
        body: h("div", { class: "inv-body" }),
      };
      row.root.append(row.head, row.body);
      list.append(row.root);
      live.rows.set(inv.InstanceId, row);
    }
    const plugin = inv.CommandPlugins?.[0] ?? {};
    const out = live.outputs.get(inv.InstanceId);
    const start = ms(plugin.ResponseStartDateTime) || ms(out?.ExecutionStartDateTime);
    const end = ms(plugin.ResponseFinishDateTime) || ms(out?.ExecutionEndDateTime);
    const elapsed = !Number.isNaN(start)
      ? `ran ${duration((Number.isNaN(end) ? Date.now() : end) - start)}`
      : FINAL.has(inv.Status)
        ? "never started"
        : `waiting ${duration(Date.now() - sent)}`;
    const code = plugin.ResponseCode ?? out?.ResponseCode;
    fill(
      row.head,
      h("span", { class: "inv-name" }, instanceName(inv.InstanceId), h("span", { class: "muted small mono" }, ` ${inv.InstanceId}`)),
      badge(inv.Status),
      h("span", { class: "muted small" }, `${inv.StatusDetails && inv.StatusDetails !== inv.Status ? `${inv.StatusDetails} · ` : ""}${elapsed}${FINAL.has(inv.Status) && code !== undefined && code !== -1 ? ` · exit ${code}` : ""}`),
    );
    row.root.dataset.status = inv.Status;
    row.root.dataset.instance = inv.InstanceId;
    const key = `${inv.Status}|${out ? (out.loading ? "loading" : "done") : "none"}`;
    if (row.body.dataset.key === key) continue;
    row.body.dataset.key = key;
    if (!FINAL.has(inv.Status)) {
      fill(row.body);
    } else if (!out || out.loading) {
      fill(row.body, h("p", { class: "muted small" }, "Fetching output…"));
    } else if (out.error) {
      fill(row.body, h("p", { class: "muted small" }, `Output unavailable: ${out.error.title}`));
    } else {
      const stdout = out.StandardOutputContent ?? "";
      const stderr = out.StandardErrorContent ?? "";
      fill(
        row.body,
        stdout || stderr ? null : h("p", { class: "muted small" }, inv.Status === "Cancelled" ? "Cancelled before it produced output." : "No output."),
        stdout ? [h("p", { class: "stream-label" }, "Output"), h("pre", { class: "out", tabindex: "0", "aria-label": `Output of ${instanceName(inv.InstanceId)}` }, stdout)] : null,
        stderr ? [h("p", { class: "stream-label err" }, "Errors"), h("pre", { class: "out out-err", tabindex: "0", "aria-label": `Errors of ${instanceName(inv.InstanceId)}` }, stderr)] : null,
      );
    }
  }
}

async function cancelLive() {
  const live = state.live;
  const client = state.client;
  if (!live || !client || live.done) return;
  const button = $("cancel-command");
  button.disabled = true;
  button.textContent = "Cancelling…";
  live.controller.abort(); // stop the waiter now; we follow the cancellation with a new one
  const box = $("live-error");
  clearError(box);
  try {
    await client.cancelCommand({ CommandId: live.command.CommandId });
    if (state.live !== live) return;
    live.cancelRequested = true;
    announce("Cancel requested");
  } catch (e) {
    if (state.live !== live) return;
    showError(box, e);
    button.disabled = false;
    button.textContent = "Cancel command";
  }
  live.controller = new AbortController();
  renderLive(live);
  watch(live);
}

// ------------------------------------------------------------------ history

async function loadHistory(more = false) {
  const client = state.client;
  if (!client) return;
  const box = $("history-error");
  clearError(box);
  const button = $("history-more");
  try {
    const page = await client.listCommands({ MaxResults: 20, NextToken: more ? state.historyToken : undefined });
    if (state.client !== client) return;
    state.historyToken = page.NextToken;
    const rows = (page.Commands ?? []).map(historyRow);
    if (more) $("history-body").append(...rows);
    else fill($("history-body"), rows.length ? rows : h("tr", null, h("td", { colspan: 6, class: "empty" }, "No commands yet.")));
    button.hidden = !page.NextToken;
  } catch (e) {
    showError(box, e);
  }
}

function targetsText(/** @type {any} */ c) {
  if (c.InstanceIds?.length) return c.InstanceIds.length === 1 ? instanceName(c.InstanceIds[0]) : `${c.InstanceIds.length} instances`;
  if (c.Targets?.length) return c.Targets.map((/** @type {any} */ t) => `${t.Key.replace(/^tag:/, "")}=${(t.Values ?? []).join("|")}`).join(", ");
  return "—";
}

function historyRow(/** @type {any} */ c) {
  const open = state.historyOpen === c.CommandId;
  return h(
    "tr",
    { class: open ? "selected" : null, dataset: { command: c.CommandId } },
    cell("Sent", time(c.RequestedDateTime)),
    cell("Document", c.DocumentName, c.Comment ? h("div", { class: "muted small" }, c.Comment) : null),
    cell("Targets", targetsText(c)),
    cell("Status", badge(c.Status)),
    cell("Progress", `${c.CompletedCount ?? 0}/${c.TargetCount ?? 0} done${c.ErrorCount ? `, ${c.ErrorCount} failed` : ""}`),
    h(
      "td",
      { "data-label": "", class: "row-actions" },
      h(
        "button",
        { type: "button", class: "btn btn-small", "aria-expanded": open ? "true" : "false", "aria-controls": "history-detail", onclick: () => openHistory(c) },
        "Details",
        h("span", { class: "visually-hidden" }, ` of ${c.DocumentName} sent ${new Date(ms(c.RequestedDateTime)).toLocaleTimeString()}`),
      ),
    ),
  );
}

let historySeq = 0;
async function openHistory(/** @type {any} */ c) {
  const client = state.client;
  if (!client) return;
  const seq = ++historySeq;
  state.historyOpen = c.CommandId;
  for (const tr of $("history-body").querySelectorAll("tr[data-command]")) {
    const mine = tr.dataset.command === c.CommandId;
    tr.classList.toggle("selected", mine);
    tr.querySelector("button[aria-expanded]")?.setAttribute("aria-expanded", String(mine));
  }
  const panel = $("history-detail");
  panel.hidden = false;
  fill(
    $("history-detail-title"),
    `${c.DocumentName} `,
    h("code", { class: "small" }, c.CommandId),
  );
  fill(
    $("history-detail-meta"),
    badge(c.Status),
    ` sent `,
    time(c.RequestedDateTime),
    c.Comment ? ` · “${c.Comment}”` : "",
    ` · targets ${targetsText(c)}`,
    c.Parameters && Object.keys(c.Parameters).length
      ? h("div", { class: "muted small mono" }, Object.entries(c.Parameters).map(([k, v]) => `${k}: ${/** @type {string[]} */ (v).join(" ⏎ ")}`).join(" · "))
      : null,
  );
  const actions = $("history-detail-actions");
  fill(
    actions,
    !FINAL.has(c.Status) ? h("button", { type: "button", class: "btn", onclick: () => startLive(c) }, "Follow live (and cancel)") : null,
  );
  const list = $("history-invocations");
  fill(list, h("li", { class: "muted" }, "Loading invocations…"));
  $("history-detail-title").focus();
  try {
    const invs = [];
    for await (const page of client.paginateListCommandInvocations({ CommandId: c.CommandId, Details: true })) {
      invs.push(...(page.CommandInvocations ?? []));
    }
    if (seq !== historySeq) return;
    fill(
      list,
      invs.length === 0
        ? h("li", { class: "muted" }, "No invocations (yet).")
        : invs.map((inv) => {
            const plugin = inv.CommandPlugins?.[0] ?? {};
            const output = (inv.CommandPlugins ?? []).map((/** @type {any} */ p) => p.Output ?? "").join("\n").trim();
            return h(
              "li",
              { class: "invocation", dataset: { status: inv.Status, instance: inv.InstanceId } },
              h(
                "div",
                { class: "inv-head" },
                h("span", { class: "inv-name" }, inv.InstanceName || instanceName(inv.InstanceId), h("span", { class: "muted small mono" }, ` ${inv.InstanceId}`)),
                badge(inv.Status),
                h("span", { class: "muted small" }, [
                  inv.StatusDetails && inv.StatusDetails !== inv.Status ? inv.StatusDetails : "",
                  plugin.ResponseCode !== undefined && plugin.ResponseCode !== -1 ? `exit ${plugin.ResponseCode}` : "",
                  !Number.isNaN(ms(plugin.ResponseStartDateTime)) && !Number.isNaN(ms(plugin.ResponseFinishDateTime))
                    ? `ran ${duration(ms(plugin.ResponseFinishDateTime) - ms(plugin.ResponseStartDateTime))}`
                    : "",
                ].filter(Boolean).join(" · ")),
              ),
              output ? h("pre", { class: "out", tabindex: "0", "aria-label": `Output of ${inv.InstanceId}` }, output) : null,
            );
          }),
    );
  } catch (e) {
    if (seq !== historySeq) return;
    fill(list);
    showError($("history-error"), e);
  }
}

// ------------------------------------------------------------------ approvals

const approvals = createApprovals({
  client: () => state.client,
  instanceName,
  showError: (box, e) => showError(box, e),
  clearError,
  announce,
  onRan: (command) => {
    startLive(command);
    loadHistory();
  },
});

// ------------------------------------------------------------------ wiring

$("open-settings").addEventListener("click", openSettings);
$("pick-region").addEventListener("change", switchRoute);
$("pick-account").addEventListener("change", switchRoute);
$("route-picker").addEventListener("submit", (e) => e.preventDefault());
$("welcome-settings").addEventListener("click", openSettings);
$("settings-cancel").addEventListener("click", () => dialog.close());
$("disconnect").addEventListener("click", () => {
  disconnect(true);
  announce("Disconnected; keys and tokens forgotten");
  notice("Disconnected. Keys and tokens were forgotten.");
});
settingsForm.addEventListener("submit", connect);
settingsForm.addEventListener("input", syncSettingsForm);
settingsForm.addEventListener("change", syncSettingsForm);

$("instances-body").addEventListener("change", onInstancePick);
$("select-all").addEventListener("change", onSelectAll);
for (const id of ["filter-text", "filter-platform", "filter-status"]) $(id).addEventListener("input", renderInstances);
$("refresh-instances").addEventListener("click", () => loadInstances(undefined));
for (const radio of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll("input[name=target-mode]"))) {
  radio.addEventListener("change", () => setTargetMode(radio.value === "tag" ? "tag" : "instances"));
}
for (const id of ["tag-key", "tag-values"]) {
  $(id).addEventListener("input", () => {
    state.touched.add("targets");
    previewTag();
    revalidate();
  });
}
$("document-select").addEventListener("change", (/** @type {Event} */ e) => chooseDocument(/** @type {HTMLSelectElement} */ (e.target).value));
for (const id of ["comment", "timeout", "max-concurrency", "max-errors"]) {
  const el = $(id);
  const touch = () => {
    state.touched.add(id);
    revalidate();
  };
  el.addEventListener("input", touch);
  el.addEventListener("blur", touch);
}
$("send-button").addEventListener("click", send);
$("cancel-command").addEventListener("click", cancelLive);
$("history-refresh").addEventListener("click", () => loadHistory());
$("approvals-refresh").addEventListener("click", () => approvals.refresh());
$("history-more").addEventListener("click", () => loadHistory(true));
$("history-close").addEventListener("click", () => {
  $("history-detail").hidden = true;
  state.historyOpen = null;
  for (const tr of $("history-body").querySelectorAll("tr.selected")) tr.classList.remove("selected");
});
window.addEventListener("pagehide", () => stopLive());

renderConnection();
revalidate();
document.documentElement.dataset.ready = "true";
if (!state.client) openSettings();
