// @ts-check
// Settings and the connection: the dialog, the client it makes (gateway keys, a bearer
// token, or AWS credentials directly), the top bar, and connecting to another region or
// account; connecting loads the other views, disconnecting forgets every secret.

import { SsmClient, resolveEndpoint } from "ssm-edge";
import { h, fill, $, duration } from "../lib/dom.js";
import { saveSettings, jwtClaims } from "../lib/settings.js";

/** @typedef {import("./page.js").App} App */
/** @typedef {import("../lib/settings.js").Settings} Settings */

/** Whether this build of the package takes `token` (bearer tokens for the gateway). */
const TOKEN_SUPPORTED = (() => {
  try {
    new SsmClient(/** @type {any} */ ({ region: "us-east-1", endpoint: "https://gateway.invalid", token: "probe" }));
    return true;
  } catch {
    return false;
  }
})();

/** @param {App} app */
export function createSettingsView(app) {
  const { state, secrets, config } = app;
  const { announce, notice, showError, clearError, watchedFetch } = app.ui;
  const { views } = app;

  if (!TOKEN_SUPPORTED && state.settings.gatewayAuth === "token") state.settings.gatewayAuth = "keys";

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
    await Promise.all([views.targets.loadInstances(first), views.document.loadDocuments(), views.history.loadHistory(), s.mode === "gateway" ? views.approvals.start() : null]);
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
    views.live.stopLive();
    views.approvals.stop();
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
    views.send.revalidate();
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

  $("open-settings").addEventListener("click", openSettings);
  $("pick-region").addEventListener("change", switchRoute);
  $("pick-account").addEventListener("change", switchRoute);
  $("route-picker").addEventListener("submit", (/** @type {Event} */ e) => e.preventDefault());
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

  return { openSettings, disconnect, renderConnection, isOpen: () => dialog.open };
}
