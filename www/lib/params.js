// @ts-check
// A document's parameters as form fields, and their values checked against the
// document's own rules (required, allowed values, allowed pattern) before sending.
//
// DescribeDocument returns, per parameter, only Name, Type, Description and DefaultValue
// (the SSM model's DocumentParameter). The rules live in the document's content, which
// GetDocument returns and ssm-edge does not model. So the rules come from, in order:
//   1. the parameter itself, if a service or gateway adds Required / AllowedValues /
//      AllowedPattern to it;
//   2. the table below, for AWS-owned documents whose rules are public and stable;
//   3. AWS's convention of starting a required parameter's description with "(Required)".
// The core's validate() knows the service model only; these checks add the document's.

const EXECUTION_TIMEOUT = "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)";

const TIMEOUT_RULE = {
  allowedPattern: EXECUTION_TIMEOUT,
  patternHint: "a whole number of seconds from 1 to 172800 (48 hours)",
};

/** @type {Record<string, Record<string, { required?: boolean, allowedValues?: string[], allowedPattern?: string, patternHint?: string }>>} */
export const AWS_DOCUMENT_RULES = {
  "AWS-RunShellScript": { commands: { required: true }, executionTimeout: TIMEOUT_RULE },
  "AWS-RunPowerShellScript": { commands: { required: true }, executionTimeout: TIMEOUT_RULE },
  "AWS-UpdateSSMAgent": { allowDowngrade: { allowedValues: ["true", "false"] } },
};

/**
 * @typedef {{
 *   name: string, type: "String" | "StringList", description: string, defaultValue?: string,
 *   required: boolean, allowedValues?: string[], allowedPattern?: string, patternHint?: string,
 * }} ParamDef
 * @typedef {{ path: string, rule: string, message: string }} Problem
 */

/** @param {any} document a DescribeDocument `Document` @returns {ParamDef[]} */
export function parameterDefs(document) {
  const known = document?.Owner === "Amazon" ? AWS_DOCUMENT_RULES[document.Name] ?? {} : {};
  return (document?.Parameters ?? []).map((/** @type {any} */ p) => {
    const rule = known[p.Name] ?? {};
    const description = p.Description ?? "";
    const allowedValues = p.AllowedValues ?? p.allowedValues ?? rule.allowedValues;
    const allowedPattern = p.AllowedPattern ?? p.allowedPattern ?? rule.allowedPattern;
    return {
      name: p.Name,
      type: p.Type === "StringList" ? "StringList" : "String",
      description,
      defaultValue: p.DefaultValue ?? p.defaultValue,
      required: Boolean(p.Required ?? p.required ?? rule.required ?? /^\s*\(Required\)/i.test(description)),
      allowedValues: Array.isArray(allowedValues) && allowedValues.length ? allowedValues.map(String) : undefined,
      allowedPattern,
      // Words for the pattern, when we know them (only for the pattern they describe).
      patternHint: allowedPattern === rule.allowedPattern ? rule.patternHint : undefined,
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
