// @ts-check
// Step 2, the document: the list (ListDocuments), its description (DescribeDocument) and
// its parameters as fields with the document's own rules (GetDocument's content).

import { h, fill, $ } from "../lib/dom.js";
import { explain } from "../lib/errors.js";
import { contentRules, parameterDefs } from "../lib/params.js";

/** @typedef {import("./page.js").App} App */

/** @param {App} app */
export function createDocumentView(app) {
  const { state } = app;
  const { ctx, showError, clearError } = app.ui;
  const { views } = app;

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
      views.send.revalidate();
      return;
    }
    state.docLoading = true;
    $("document-info").textContent = "Loading the document…";
    views.send.revalidate();
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
    views.send.revalidate();
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
            views.send.revalidate();
          };
          const onBlur = () => {
            state.touched.add(`param:${def.name}`);
            views.send.revalidate();
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

  $("document-select").addEventListener("change", (/** @type {Event} */ e) => chooseDocument(/** @type {HTMLSelectElement} */ (e.target).value));

  return { loadDocuments };
}
