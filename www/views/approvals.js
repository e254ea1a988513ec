// @ts-check
// Approvals on an ssm-edge gateway (SsmEdge.*, the package's listApprovals,
// approveCommand, rejectCommand and waitForApproval), both sides:
// - the Approvals view: each request shows exactly what would run (document, targets by
//   name, parameters, comment, requester, age, expiry) with Approve and Reject (reason);
// - the requester's wait: a send that needs approval shows "waiting for approval" under
//   Send, then hands the command to the live view once it runs.
// Its state is its own; what it needs from the page comes in `deps`.

import { ApprovalRequiredError } from "ssm-edge";
import { h, fill, $, badge, duration, time } from "../lib/dom.js";

/** @typedef {import("ssm-edge").Approval} Approval */
/** @typedef {import("ssm-edge").SsmClient} SsmClient */

/**
 * @typedef {{
 *   client: () => SsmClient | null,
 *   instanceName: (id: string) => string,
 *   showError: (box: HTMLElement, e: unknown) => { title: string },
 *   clearError: (box: HTMLElement) => void,
 *   announce: (text: string) => void,
 *   onRan: (command: any) => void,
 *   paused: () => boolean,
 * }} ApprovalDeps
 */

const REFRESH_MS = 5000;
const WAIT_POLL_MS = 1000;

/** "4 min ago", "in 56 min". @param {Date | undefined} when */
function relative(when) {
  if (!(when instanceof Date)) return "";
  const ms = when.getTime() - Date.now();
  const text = duration(Math.abs(ms));
  return ms < 0 ? `${text} ago` : `in ${text}`;
}

/** Where a SendCommand goes, instance ids by name. @param {any} input @param {(id: string) => string} name */
function targetsOf(input, name) {
  const ids = (input?.InstanceIds ?? []).map((/** @type {string} */ id) => {
    const known = name(id);
    return known === id ? id : `${known} (${id})`;
  });
  const tags = (input?.Targets ?? []).map((/** @type {any} */ t) => `${t.Key}=${(t.Values ?? []).join(",")}`);
  return [...ids, ...tags].join(", ") || "—";
}

/** The approval's outcome in words, once decided. @param {Approval} a */
function outcome(a) {
  switch (a.State) {
    case "Done":
      return a.CommandId
        ? `Approved by ${a.DecidedBy}; ran as command ${a.CommandId}.`
        : `Approved by ${a.DecidedBy}; SSM refused it: ${a.Failure?.Code ?? "error"} ${a.Failure?.Message ?? ""}`.trim();
    case "Running":
      return `Approved by ${a.DecidedBy}; sending it now.`;
    case "Rejected":
      return a.DecidedBy === a.Requester
        ? `Withdrawn by ${a.Requester}.`
        : `Rejected by ${a.DecidedBy}${a.Reason ? `: “${a.Reason}”` : "."}`;
    case "Expired":
      return "Nobody decided in time: it expired, and nothing ran.";
    default:
      return "";
  }
}

/** The Approvals view and the requester's wait. @param {ApprovalDeps} deps */
export function createApprovals(deps) {
  const section = $("approvals");
  const list = $("approvals-list");
  const errorBox = $("approvals-error");
  const waiting = $("send-waiting");
  /** Approval ids this page asked for: shown as "yours", with Withdraw. */
  const mine = new Set();
  let seq = 0;
  let timer = 0;
  /** @type {AbortController | null} */
  let wait = null;

  $("approvals-refresh").addEventListener("click", () => refresh());

  async function refresh() {
    const client = deps.client();
    if (!client) return;
    const at = ++seq;
    try {
      const { Approvals = [] } = await client.listApprovals({});
      if (at !== seq) return;
      deps.clearError(errorBox);
      render(Approvals);
    } catch (e) {
      if (at !== seq) return;
      deps.showError(errorBox, e);
    }
  }

  /** Pending first (oldest first), then the ten latest decided. @param {Approval[]} approvals */
  function render(approvals) {
    const created = (/** @type {Approval} */ a) => a.CreatedAt?.getTime() ?? 0;
    const pending = approvals.filter((a) => a.State === "Pending").sort((a, b) => created(a) - created(b));
    const decided = approvals.filter((a) => a.State !== "Pending").sort((a, b) => created(b) - created(a)).slice(0, 10);
    $("approvals-count").textContent = pending.length ? `${pending.length} waiting` : "none waiting";
    // Keep a half-typed reason: a card whose approval is still pending is kept as it is.
    const kept = new Map([...list.querySelectorAll("li[data-approval][data-state=Pending]")].map((li) => [li.dataset.approval, li]));
    fill(
      list,
      pending.length + decided.length === 0 ? h("li", { class: "muted" }, "No requests for approval.") : null,
      pending.map((a) => kept.get(a.ApprovalId) ?? card(a)),
      decided.map(card),
    );
  }

  /** @param {Approval} a */
  function card(a) {
    const input = /** @type {any} */ (a.SendCommand ?? {});
    const id = a.ApprovalId ?? "";
    const own = mine.has(id);
    const params = Object.entries(input.Parameters ?? {});
    // Several cards have the same buttons: each names what it decides on, for screen readers.
    const what = `${input.DocumentName ?? "?"} asked by ${a.Requester}`;
    const reason = h("input", { type: "text", class: "input", maxlength: "500", "aria-label": `Reason for rejecting ${what}`, placeholder: "Reason (shown to the requester)" });
    const box = h("div", { class: "error-box", role: "alert", hidden: true });
    const actions =
      a.State === "Pending"
        ? h(
            "div",
            { class: "actions" },
            own
              ? null
              : h("button", { type: "button", class: "btn btn-primary", "aria-label": `Approve and run ${what}`, onclick: () => decide(a, "approve", box) }, "Approve and run"),
            own ? null : reason,
            h(
              "button",
              { type: "button", class: "btn btn-danger", "aria-label": `${own ? "Withdraw" : "Reject"} ${what}`, onclick: () => decide(a, "reject", box, reason.value) },
              own ? "Withdraw" : "Reject",
            ),
          )
        : h("p", { class: "small" }, outcome(a));
    return h(
      "li",
      { class: "approval card-inner", dataset: { approval: id, state: a.State } },
      h(
        "div",
        { class: "inv-head" },
        h("strong", null, input.DocumentName ?? "?"),
        badge(a.State),
        h("span", { class: "muted small" }, `asked by ${a.Requester}${own ? " (you)" : ""} `, time(a.CreatedAt), ` · ${relative(a.CreatedAt)}`),
      ),
      h(
        "dl",
        { class: "facts" },
        h("dt", null, "Targets"),
        h("dd", null, targetsOf(input, deps.instanceName)),
        params.map(([name, values]) => [h("dt", null, name), h("dd", { class: "mono" }, h("pre", { class: "param" }, [].concat(values).join("\n")))]),
        input.Comment ? [h("dt", null, "Comment"), h("dd", null, input.Comment)] : null,
        h("dt", null, "Where"),
        h("dd", null, `${a.Account ?? "?"} · ${a.Region ?? "?"}`),
        a.State === "Pending" ? [h("dt", null, "Expires"), h("dd", null, time(a.ExpiresAt), ` · ${relative(a.ExpiresAt)}`)] : null,
        h("dt", null, "Approval"),
        h("dd", { class: "mono small" }, id),
      ),
      actions,
      box,
    );
  }

  /**
   * Approves or rejects (withdraws) `a`; then the list again.
   * @param {Approval} a @param {"approve" | "reject"} how @param {HTMLElement} box @param {string} [reason]
   */
  async function decide(a, how, box, reason = "") {
    const client = deps.client();
    if (!client || !a.ApprovalId) return;
    deps.clearError(box);
    for (const b of box.parentElement?.querySelectorAll("button") ?? []) b.disabled = true;
    try {
      const { Approval } =
        how === "approve"
          ? await client.approveCommand({ ApprovalId: a.ApprovalId })
          : await client.rejectCommand({ ApprovalId: a.ApprovalId, Reason: reason.trim() || undefined });
      deps.announce(Approval ? outcome(Approval) : "Decided");
      box.closest("li")?.replaceWith(card(Approval ?? a));
      refresh();
    } catch (e) {
      for (const b of box.parentElement?.querySelectorAll("button") ?? []) b.disabled = false;
      deps.showError(box, e);
    }
  }

  /**
   * A send the gateway filed for approval: says so under Send and waits for the decision;
   * once it ran, the live view follows the command.
   * @param {unknown} error the send's error
   * @returns {boolean} whether it was an approval request (handled here)
   */
  function waitIfApprovalRequired(error) {
    if (!(error instanceof ApprovalRequiredError)) return false;
    const id = /** @type {any} */ (error).approvalId;
    mine.add(id);
    follow(id);
    refresh();
    return true;
  }

  /** @param {string} id */
  async function follow(id) {
    const client = deps.client();
    if (!client) return;
    wait?.abort();
    const controller = (wait = new AbortController());
    const line = h("p", { class: "waiting-state" }, "Waiting for someone else's approval…");
    fill(
      waiting,
      h("h3", null, "Waiting for approval"),
      line,
      h("p", { class: "muted small" }, "Nothing has run yet. An approver sees exactly this command under Approvals; it runs once they approve it. Approval ", h("code", null, id), "."),
      h("button", { type: "button", class: "btn btn-small", onclick: () => withdraw(id, line) }, "Withdraw"),
    );
    waiting.hidden = false;
    waiting.dataset.state = "Pending";
    deps.announce("The command waits for someone else's approval");
    try {
      const approval = await client.waitForApproval(id, {
        signal: controller.signal,
        pollMs: WAIT_POLL_MS,
        onProgress: (a) => {
          if (a.State === "Pending") line.textContent = `Waiting for someone else's approval · expires ${relative(a.ExpiresAt)}.`;
        },
      });
      waiting.dataset.state = approval.State;
      line.textContent = outcome(approval);
      deps.announce(outcome(approval));
      for (const b of waiting.querySelectorAll("button")) b.remove();
      refresh();
      if (approval.State === "Done" && approval.CommandId) {
        const { Commands = [] } = await client.listCommands({ CommandId: approval.CommandId });
        deps.onRan(Commands[0] ?? { CommandId: approval.CommandId, DocumentName: approval.SendCommand?.DocumentName });
      }
    } catch (e) {
      if (controller.signal.aborted) return;
      deps.showError(waiting, e);
    }
  }

  /** @param {string} id @param {HTMLElement} line */
  async function withdraw(id, line) {
    const client = deps.client();
    if (!client) return;
    try {
      await client.rejectCommand({ ApprovalId: id, Reason: "withdrawn by the requester" });
    } catch (e) {
      line.textContent = `Could not withdraw it: ${/** @type {any} */ (e)?.message ?? e}`;
    }
  }

  return {
    /** Shows the view and keeps it current (a gateway connection). */
    start() {
      section.hidden = false;
      clearInterval(timer);
      // Not while the page is hidden, nor while the settings are open (a connection changing).
      timer = window.setInterval(() => document.visibilityState === "visible" && !deps.paused() && refresh(), REFRESH_MS);
      return refresh();
    },
    /** Hides it and stops every poll (disconnect, direct mode). */
    stop() {
      section.hidden = true;
      clearInterval(timer);
      wait?.abort();
      waiting.hidden = true;
      seq++;
      fill(list);
    },
    refresh,
    waitIfApprovalRequired,
  };
}
