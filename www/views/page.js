// @ts-check
// What every view shares: the page's state (created here, passed to each view), the
// secrets (in memory only), and the small helpers that speak to the person (the live
// region, notices, errors in plain words).

import { h, fill, $ } from "../lib/dom.js";
import { explain } from "../lib/errors.js";
import { loadSettings } from "../lib/settings.js";

/** @typedef {import("ssm-edge").SsmClient} SsmClient */
/** @typedef {import("../lib/params.js").ParamDef} ParamDef */
/** @typedef {import("../lib/settings.js").Settings} Settings */
/** @typedef {import("../lib/settings.js").PageConfig} PageConfig */
/** @typedef {import("./live.js").Live} Live */
/** @typedef {ReturnType<typeof createState>} State */
/** @typedef {ReturnType<typeof createUi>} Ui */
/**
 * What a view gets: the state, the helpers, and the other views (filled in once all are
 * made, so a view calls another through `views` at run time).
 * @typedef {{
 *   config: PageConfig, state: State, secrets: ReturnType<typeof createSecrets>, ui: Ui,
 *   views: {
 *     settings: ReturnType<typeof import("./settings.js").createSettingsView>,
 *     targets: ReturnType<typeof import("./targets.js").createTargetsView>,
 *     document: ReturnType<typeof import("./document.js").createDocumentView>,
 *     send: ReturnType<typeof import("./send.js").createSendView>,
 *     live: ReturnType<typeof import("./live.js").createLiveView>,
 *     history: ReturnType<typeof import("./history.js").createHistoryView>,
 *     approvals: ReturnType<typeof import("./approvals.js").createApprovals>,
 *   },
 * }} App
 */

/** Keys and tokens: in this object only, never in storage. */
export function createSecrets() {
  return { token: "", gatewayKeyId: "", gatewaySecret: "", directKeyId: "", directSecret: "", directSession: "" };
}

/** The page's state, its settings from `localStorage` over `config`'s defaults. @param {PageConfig} config */
export function createState(config) {
  return {
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
}

/** The helpers every view uses. @param {State} state */
export function createUi(state) {
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

  return { announce, notice, ctx, showError, clearError, watchedFetch, instanceName };
}
