// @ts-check
// History: the recent commands (ListCommands, paged), each opening to its invocations and
// their output (the complete output from CloudWatch Logs, in the live view's panel, when
// the command kept it there); one still running can be followed live.

import { h, fill, $, badge, duration, time, cell, ms } from "../lib/dom.js";
import { createOutputPanel, streamInto } from "../lib/output.js";
import { FINAL_STATUSES as FINAL } from "ssm-edge";

/** @typedef {import("./page.js").App} App */

/** @param {App} app */
export function createHistoryView(app) {
  const { state } = app;
  const { showError, clearError, instanceName, announce } = app.ui;
  /** Stops the open detail's output streams when another opens. */
  let detailStreams = new AbortController();
  const { views } = app;

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
    detailStreams.abort();
    detailStreams = new AbortController();
    const streams = detailStreams.signal;
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
      !FINAL.has(c.Status) ? h("button", { type: "button", class: "btn", onclick: () => views.live.startLive(c) }, "Follow live (and cancel)") : null,
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
                c.CloudWatchOutputConfig?.CloudWatchOutputEnabled === true
                  ? fullOutput(client, c, inv, output, streams)
                  : plainOutput(inv, output),
              );
            }),
      );
    } catch (e) {
      if (seq !== historySeq) return;
      fill(list);
      showError($("history-error"), e);
    }
  }

  /** ListCommandInvocations' output (its first 2,500 characters). */
  function plainOutput(/** @type {any} */ inv, /** @type {string} */ output) {
    return output ? h("pre", { class: "out", tabindex: "0", "aria-label": `Output of ${inv.InstanceId}` }, output) : null;
  }

  /** The whole output, streamed from CloudWatch Logs; ListCommandInvocations' if there is none. */
  function fullOutput(/** @type {any} */ client, /** @type {any} */ c, /** @type {any} */ inv, /** @type {string} */ output, /** @type {AbortSignal} */ signal) {
    const name = inv.InstanceName || instanceName(inv.InstanceId);
    const panel = createOutputPanel({ label: `Output of ${name}`, fileName: `${c.CommandId}-${inv.InstanceId}.txt`, announce });
    const holder = h("div", null, panel.root);
    streamInto(client, { CommandId: c.CommandId, InstanceId: inv.InstanceId }, panel, signal).then(
      (complete) => {
        if (!complete) fill(holder, plainOutput(inv, output));
      },
      (e) => {
        if (signal.aborted) return;
        fill(holder, h("p", { class: "muted small" }, `Full output unavailable (${e?.name ?? "error"}); the first 2,500 characters:`), plainOutput(inv, output));
      },
    );
    return holder;
  }

  $("history-refresh").addEventListener("click", () => loadHistory());
  $("history-more").addEventListener("click", () => loadHistory(true));
  $("history-close").addEventListener("click", () => {
    $("history-detail").hidden = true;
    state.historyOpen = null;
    for (const tr of $("history-body").querySelectorAll("tr.selected")) tr.classList.remove("selected");
  });

  return { loadHistory };
}
