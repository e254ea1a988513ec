// @ts-check
// Step 3, send: the SendCommand input the form makes, every problem with it as you type
// (the package's validate() for the service's rules, lib/params.js for the document's),
// and sending it: the live view follows it, or the approvals view when it needs approval.

import { validate } from "ssm-edge";
import { h, fill, $ } from "../lib/dom.js";
import { valuesOf, parameterProblems, parameterOf } from "../lib/params.js";

/** @typedef {import("./page.js").App} App */
/** @typedef {import("../lib/params.js").Problem} Problem */

/** @param {App} app */
export function createSendView(app) {
  const { state } = app;
  const { announce, showError, clearError, instanceName } = app.ui;
  const { views } = app;

  function buildInput() {
    /** @type {Record<string, any>} */
    const input = { DocumentName: state.doc?.Name ?? $("document-select").value ?? "" };
    if (state.targetMode === "instances") {
      if (state.selected.size) input.InstanceIds = [...state.selected];
    } else {
      const { key, values } = views.targets.tagTarget();
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
    if ($("cloudwatch-output").checked) input.CloudWatchOutputConfig = { CloudWatchOutputEnabled: true };
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
      const { key, values } = views.targets.tagTarget();
      const n = state.tagMatches?.size;
      return `Ready: ${name} on instances with ${key}=${values.join(" or ")}${n !== undefined ? ` (${n} now)` : ""}.`;
    }
    const names = [...state.selected].map(instanceName);
    return `Ready: ${name} on ${names.length} instance${names.length > 1 ? "s" : ""} (${names.join(", ")}).`;
  }

  // Sending.

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
      views.live.startLive(Command);
      views.history.loadHistory();
    } catch (e) {
      // Filed for someone else's approval: the approvals view waits for it.
      if (views.approvals.waitIfApprovalRequired(e)) return;
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

  $("cloudwatch-output").addEventListener("change", () => revalidate());
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

  return { revalidate };
}
