// @ts-check
// The live view: follows one command (waitForCommand) instance by instance with its output
// (streamed from CloudWatch Logs while it runs when the command keeps it there, else
// GetCommandInvocation's once it ends), and cancels it.

import { h, fill, $, badge, duration, time, ms } from "../lib/dom.js";
import { explain } from "../lib/errors.js";
import { createOutputPanel, streamInto } from "../lib/output.js";
import { FINAL_STATUSES as FINAL } from "ssm-edge";

/** @typedef {import("./page.js").App} App */
/** @typedef {import("ssm-edge").SsmClient} SsmClient */

const POLL_MS = 1000;
const WATCH_LIMIT_MS = 6 * 3600 * 1000;

/**
 * @typedef {{
 *   command: any, controller: AbortController, invocations: Map<string, any>, outputs: Map<string, any>,
 *   streams: Map<string, { panel: ReturnType<typeof createOutputPanel>, state: string }>, streaming: AbortController,
 *   rows: Map<string, Record<string, HTMLElement>>, cancelRequested: boolean, done: boolean, finishedAt: number, timer: number,
 * }} Live
 */

/** @param {App} app */
export function createLiveView(app) {
  const { state } = app;
  const { announce, ctx, showError, clearError, instanceName } = app.ui;
  const { views } = app;

  function stopLive() {
    const live = state.live;
    if (!live) return;
    live.controller.abort();
    live.streaming.abort();
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
      streams: new Map(),
      // Streams outlive a cancel's restarted waiter: they stop with the view.
      streaming: new AbortController(),
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
      views.history.loadHistory();
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
      // Output exists once an invocation runs: streams start then, not while it is Pending.
      const started = inv.Status !== "Pending" && inv.Status !== "Delayed";
      if (started && keepsCloudWatchOutput(live.command) && !live.streams.has(inv.InstanceId)) follow(live, inv.InstanceId);
      const streamed = live.streams.get(inv.InstanceId)?.state;
      if (FINAL.has(inv.Status) && !live.outputs.has(inv.InstanceId) && (!streamed || streamed === "unavailable")) {
        fetchOutput(live, inv.InstanceId);
      }
    }
    renderLive(live);
  }

  /** Streams one instance's output into its panel while the command runs. */
  async function follow(/** @type {Live} */ live, /** @type {string} */ instanceId) {
    const name = instanceName(instanceId);
    const panel = createOutputPanel({ label: `Output of ${name}`, fileName: `${live.command.CommandId}-${instanceId}.txt`, announce });
    const stream = { panel, state: "streaming" };
    live.streams.set(instanceId, stream);
    try {
      const complete = await streamInto(
        /** @type {SsmClient} */ (state.client),
        { CommandId: live.command.CommandId, InstanceId: instanceId },
        panel,
        live.streaming.signal,
      );
      stream.state = complete ? "complete" : "unavailable";
    } catch (e) {
      if (live.streaming.signal.aborted) return;
      stream.state = "unavailable";
      panel.root.prepend(h("p", { class: "muted small" }, `Live output stopped: ${explain(e, ctx()).title}`));
    }
    if (state.live !== live) return;
    // Without CloudWatch output (or when it failed), the final output comes from GetCommandInvocation.
    const inv = live.invocations.get(instanceId);
    if (stream.state === "unavailable" && inv && FINAL.has(inv.Status) && !live.outputs.has(instanceId)) fetchOutput(live, instanceId);
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
      const stream = live.streams.get(inv.InstanceId);
      const streaming = stream && stream.state !== "unavailable";
      const key = streaming ? "stream" : `${inv.Status}|${out ? (out.loading ? "loading" : "done") : "none"}`;
      if (row.body.dataset.key === key) continue;
      row.body.dataset.key = key;
      if (streaming && stream) {
        fill(row.body, stream.panel.root);
      } else if (!FINAL.has(inv.Status)) {
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

  $("cancel-command").addEventListener("click", cancelLive);

  /** Whether the command's output goes to CloudWatch Logs (its own config or the gateway's). */
  function keepsCloudWatchOutput(/** @type {any} */ command) {
    return command.CloudWatchOutputConfig?.CloudWatchOutputEnabled === true;
  }
  window.addEventListener("pagehide", () => stopLive());

  return { startLive, stopLive };
}
