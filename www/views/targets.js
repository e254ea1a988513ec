// @ts-check
// Step 1, the targets: the fleet (DescribeInstanceInformation, with the managed nodes'
// tags from ListTagsForResource), filters and selection, or a tag target with a preview of
// the instances it matches.

import { h, fill, $, badge, time, cell } from "../lib/dom.js";
import { explain } from "../lib/errors.js";

/** @typedef {import("./page.js").App} App */
/** @typedef {import("ssm-edge").SsmClient} SsmClient */

/** @param {App} app */
export function createTargetsView(app) {
  const { state } = app;
  const { announce, ctx, showError, clearError, instanceName } = app.ui;
  const { views } = app;

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
    views.send.revalidate();
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
    views.send.revalidate();
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
    views.send.revalidate();
  }

  function setTargetMode(/** @type {"instances" | "tag"} */ mode) {
    state.targetMode = mode;
    $("tag-pane").hidden = mode !== "tag";
    $("filters").hidden = mode === "tag";
    renderInstances();
    if (mode === "tag") previewTag();
    views.send.revalidate();
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
        views.send.revalidate();
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
      views.send.revalidate();
    }, 300);
  }

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
      views.send.revalidate();
    });
  }

  return { loadInstances, tagTarget };
}
