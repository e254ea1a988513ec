// @ts-check
// The ssm-edge dashboard: pick targets, a document and its parameters, check everything
// as you type (the package's validate() for the service's rules, lib/params.js for the
// document's), send, follow the command live, cancel it, approve others' commands, and
// browse the history. Plain ES modules, no build step: index.html's import map points
// `ssm-edge` at /pkg/index.js.
//
// This file makes the state and the views (views/*.js, one per section of the page) and
// hands each the same `app`: the state, the helpers, and the other views.

import { ready } from "ssm-edge";
import { createState, createSecrets, createUi } from "./views/page.js";
import { createSettingsView } from "./views/settings.js";
import { createTargetsView } from "./views/targets.js";
import { createDocumentView } from "./views/document.js";
import { createSendView } from "./views/send.js";
import { createLiveView } from "./views/live.js";
import { createHistoryView } from "./views/history.js";
import { createApprovals } from "./views/approvals.js";

/** @type {import("./lib/settings.js").PageConfig} */
const config = await fetch("/config.json")
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}));

// The form validates as you type (the package's synchronous validate): load the wasm once.
await ready();

const state = createState(config);
const ui = createUi(state);
/** @type {import("./views/page.js").App} */
const app = { config, state, secrets: createSecrets(), ui, views: /** @type {any} */ ({}) };
const { views } = app;
views.settings = createSettingsView(app);
views.targets = createTargetsView(app);
views.document = createDocumentView(app);
views.send = createSendView(app);
views.live = createLiveView(app);
views.history = createHistoryView(app);
views.approvals = createApprovals({
  client: () => state.client,
  instanceName: ui.instanceName,
  showError: (box, e) => ui.showError(box, e),
  clearError: ui.clearError,
  announce: ui.announce,
  onRan: (command) => {
    views.live.startLive(command);
    views.history.loadHistory();
  },
  paused: () => views.settings.isOpen(),
});

views.settings.renderConnection();
views.send.revalidate();
document.documentElement.dataset.ready = "true";
if (!state.client) views.settings.openSettings();
