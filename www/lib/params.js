// @ts-check
// A document's parameters as form fields, and their values checked against the
// document's own rules (required, allowed values, allowed pattern, min/max items) before
// sending.
//
// DescribeDocument returns, per parameter, only Name, Type, Description and DefaultValue
// (the SSM model's DocumentParameter). The rules live in the document's content, which
// GetDocument returns (asked for as JSON): `parameters.<name>` with `type`, `default`,
// `allowedValues`, `allowedPattern`, `minItems`, `maxItems`; a parameter without a
// `default` is required. When the content cannot be read (a policy that refuses
// GetDocument, a network error), the rules come from the parameter itself if a service
// adds them, and from AWS's convention of starting a required parameter's description
// with "(Required)". The core's validate() knows the service model only; these checks
// add the document's.

/** Words for patterns AWS-owned documents use, shown instead of the pattern itself. */
const PATTERN_WORDS = new Map([
  [
    "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)",
    "a whole number of seconds from 1 to 172800 (48 hours)",
  ],
]);

/**
 * @typedef {{
 *   name: string, type: "String" | "StringList", description: string, defaultValue?: string,
 *   required: boolean, allowedValues?: string[], allowedPattern?: string, patternHint?: string,
 *   minItems?: number, maxItems?: number,
 * }} ParamDef
 * @typedef {{ path: string, rule: string, message: string }} Problem
 */

/**
 * The content GetDocument returned (its `Content` text, asked for as JSON), parsed: the
 * parameters' rules, or null when the text is not a JSON document with parameters.
 * @param {string | undefined} text @returns {Record<string, any> | null}
 */
export function contentRules(text) {
  try {
    const content = JSON.parse(text ?? "");
    const params = content?.parameters;
    return params && typeof params === "object" && !Array.isArray(params) ? params : {};
  } catch {
    return null;
  }
}

/** A count rule, when it is a whole number. @param {unknown} n */
function count(n) {
  return Number.isInteger(n) && /** @type {number} */ (n) >= 0 ? /** @type {number} */ (n) : undefined;
}

/**
 * @param {any} document a DescribeDocument `Document`
 * @param {Record<string, any> | null} [rules] the content's parameters ({@link contentRules}),
 *   null or absent when unknown
 * @returns {ParamDef[]}
 */
export function parameterDefs(document, rules = null) {
  return (document?.Parameters ?? []).map((/** @type {any} */ p) => {
    const rule = rules?.[p.Name];
    const description = p.Description ?? rule?.description ?? "";
    const fromContent = rule && typeof rule === "object";
    const allowedValues = fromContent ? rule.allowedValues : (p.AllowedValues ?? p.allowedValues);
    const allowedPattern = fromContent ? rule.allowedPattern : (p.AllowedPattern ?? p.allowedPattern);
    const defaultValue = p.DefaultValue ?? (fromContent && "default" in rule ? String(rule.default) : undefined);
    return {
      name: p.Name,
      type: (p.Type ?? rule?.type) === "StringList" ? "StringList" : "String",
      description,
      defaultValue,
      // In a document's content, a parameter without a default is required.
      required: fromContent
        ? !("default" in rule)
        : Boolean(p.Required ?? p.required ?? /^\s*\(Required\)/i.test(description)),
      allowedValues: Array.isArray(allowedValues) && allowedValues.length ? allowedValues.map(String) : undefined,
      allowedPattern: typeof allowedPattern === "string" ? allowedPattern : undefined,
      patternHint: typeof allowedPattern === "string" ? PATTERN_WORDS.get(allowedPattern) : undefined,
      minItems: fromContent ? count(rule.minItems) : undefined,
      maxItems: fromContent ? count(rule.maxItems) : undefined,
    };
  });
}

/**
 * The values a field's text stands for: one per non-blank line for a StringList, the
 * text itself for a String (nothing when empty: the document's default then applies).
 * @param {ParamDef} def @param {string} text @returns {string[]}
 */
export function valuesOf(def, text) {
  if (def.type === "StringList") return text.split(/\r?\n/).filter((line) => line.trim() !== "");
  return text === "" ? [] : [text];
}

/** @type {Map<string, RegExp | null>} */
const patterns = new Map();
/** The document's pattern as a whole-value match (SSM matches the entire value). */
function compiled(/** @type {string} */ pattern) {
  if (!patterns.has(pattern)) {
    let re = null;
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null; // a dialect JavaScript cannot read: leave the check to SSM
    }
    patterns.set(pattern, re);
  }
  return patterns.get(pattern);
}

/**
 * Every way `values` break the document's rules, with paths like the core's
 * (`Parameters["commands"]`, `Parameters["commands"][1]`).
 * @param {ParamDef[]} defs @param {Record<string, string[]>} values @returns {Problem[]}
 */
export function parameterProblems(defs, values) {
  /** @type {Problem[]} */
  const problems = [];
  for (const def of defs) {
    const path = `Parameters[${JSON.stringify(def.name)}]`;
    const list = values[def.name] ?? [];
    if (def.required && list.length === 0) {
      problems.push({ path, rule: "required", message: `is required by this document` });
      continue;
    }
    if (def.type === "String" && list.length > 1) {
      problems.push({ path, rule: "type", message: "takes a single value" });
    }
    if (def.type === "StringList" && def.minItems !== undefined && list.length < def.minItems) {
      problems.push({ path, rule: "minItems", message: `needs at least ${def.minItems} value${def.minItems === 1 ? "" : "s"} (one per line)` });
    }
    if (def.type === "StringList" && def.maxItems !== undefined && list.length > def.maxItems) {
      problems.push({ path, rule: "maxItems", message: `takes at most ${def.maxItems} value${def.maxItems === 1 ? "" : "s"} (one per line)` });
    }
    list.forEach((value, i) => {
      const where = def.type === "StringList" && list.length > 1 ? `${path}[${i}]` : path;
      const which = def.type === "StringList" && list.length > 1 ? `line ${i + 1} ` : "";
      if (def.allowedValues && !def.allowedValues.includes(value)) {
        problems.push({ path: where, rule: "enum", message: `${which}must be one of: ${def.allowedValues.join(", ")}` });
      } else if (def.allowedPattern) {
        const re = compiled(def.allowedPattern);
        if (re && !re.test(value)) {
          problems.push({
            path: where,
            rule: "pattern",
            message: def.patternHint
              ? `${which}"${value}" is not ${def.patternHint}`
              : `${which}"${value}" does not match the document's pattern ${def.allowedPattern}`,
          });
        }
      }
    });
  }
  return problems;
}

/** The parameter a problem path points at, if any. @param {string} path */
export function parameterOf(path) {
  const m = /^Parameters\["((?:[^"\\]|\\.)*)"\]/.exec(path);
  if (!m) return null;
  try {
    return JSON.parse(`"${m[1]}"`);
  } catch {
    return m[1];
  }
}
