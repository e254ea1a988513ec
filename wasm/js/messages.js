// Sentences for people, built from the codes and arguments the wasm reports. The wasm
// carries no prose and no formatting code (that was kilobytes of the bundle); the Rust
// core words the same codes for native callers (its `Display` impls).

import { PATTERNS, PATTERN_HINTS } from "./model.js";

const KINDS = {
  string: "a string", integer: "a 32-bit integer", long: "an integer",
  boolean: "a boolean", list: "an array", object: "an object",
};

const FILTER_VALUES = {
  timestamp: "an ISO 8601 timestamp such as 2024-07-07T00:00:00Z",
  commandStatus: "a command status (Pending, InProgress, Success, Cancelled, Failed, TimedOut or Cancelling)",
  executionStage: "Executing or Complete",
};

/** `a, b or c` */
function list(items) {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** What one validation problem means, e.g. `must be at most 100 characters long (got 101)`. */
export function ruleMessage(p) {
  switch (p.rule) {
    case "required": return "is required";
    case "minLength": return `must be at least ${p.min} characters long (got ${p.actual})`;
    case "maxLength": return `must be at most ${p.max} characters long (got ${p.actual})`;
    case "minItems": return `must have at least ${p.min} items (got ${p.actual})`;
    case "maxItems": return `must have at most ${p.max} items (got ${p.actual})`;
    case "range":
      if (p.min !== undefined && p.max !== undefined) return `must be between ${p.min} and ${p.max} (got ${p.actual})`;
      if (p.min !== undefined) return `must be at least ${p.min} (got ${p.actual})`;
      return p.max !== undefined ? `must be at most ${p.max} (got ${p.actual})` : `is out of range (got ${p.actual})`;
    case "pattern": return `must be ${PATTERN_HINTS[p.pattern] ?? "of the model's form"} (pattern ${PATTERNS[p.pattern]})`;
    case "enum": return `must be one of ${list(p.allowed)}`;
    case "exactlyOneOf": return `specify exactly one of ${list(p.members)}`;
    case "requires": return `requires ${p.member} to be set as well`;
    case "targetKey":
      return "must be InstanceIds, tag:<tag-name>, tag-key, resource-groups:Name or resource-groups:ResourceTypeFilters";
    case "targetValues": return "must list at least one value";
    case "filterValue": return `must be ${FILTER_VALUES[p.expected]} for filter key ${p.key}`;
    case "type": return `has the wrong type: expected ${KINDS[p.expected]}`;
    case "unknownMember": return "is not a member of this input";
    case "duplicateMember": return "is given more than once in one JSON object";
    case "json": return `is not a JSON object (stopped at line ${p.line}, column ${p.column})`;
    default: return `breaks the rule ${p.rule}`;
  }
}

/** `path: message` for each problem, as one line. */
export function problemsMessage(problems) {
  const n = problems.length;
  const each = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : `the input ${p.message}`));
  return `${n} validation problem${n === 1 ? "" : "s"}: ${each.join("; ")}`;
}

const URL_PROBLEMS = {
  scheme: "the scheme must be http:// or https://",
  missingHost: "it has no host",
  invalidHost: "the host must be DNS labels (letters, digits, hyphens) or a bracketed IPv6 address",
  invalidPort: "the port must be a number from 1 to 65535",
  userInfo: "it must not carry a user name or password",
  query: "it must not have a query (?...)",
  fragment: "it must not have a fragment (#...)",
  invalidCharacter: "it must be printable ASCII (no spaces, control or non-ASCII characters; percent-encode them)",
};

/** What a `config` report from the wasm means (the field is named by the error). */
export function configMessage(r) {
  switch (r.code) {
    case "unknownOperation": return "is not one of the Run Command operations";
    case "invalidAccount":
      return "is not an account alias: 1 to 63 lowercase ASCII letters, digits and hyphens, not starting with a hyphen";
    case "invalidRegion":
      return "is invalid: it must be a host label of 1 to 63 ASCII letters, digits and hyphens, not starting or ending with a hyphen and not all digits";
    case "fipsWithCustomEndpoint":
      return "cannot be combined with useFipsEndpoint (endpoint rule: Invalid Configuration: FIPS and custom endpoint are not supported)";
    case "dualStackWithCustomEndpoint":
      return "cannot be combined with useDualstackEndpoint (endpoint rule: Invalid Configuration: Dualstack and custom endpoint are not supported)";
    case "invalidEndpointUrl": return `is invalid: ${URL_PROBLEMS[r.problem] ?? r.problem}`;
    case "fipsAndDualStackNotSupported":
      return `useFipsEndpoint with useDualstackEndpoint is not available in partition ${r.partition}`;
    case "fipsNotSupported": return `useFipsEndpoint is not available in partition ${r.partition}`;
    case "dualStackNotSupported": return `useDualstackEndpoint is not available in partition ${r.partition}`;
    case "urlNotAbsolute": return "cannot be signed: the URL must be absolute (https://host/path)";
    case "urlInvalidCharacter": return "cannot be signed: the URL has a character that is not allowed";
    case "urlEmptyHost": return "cannot be signed: the URL has no host";
    case "urlUserInfo": return "cannot be signed: the URL must not carry a user name or password";
    case "urlInvalidPort": return "cannot be signed: the URL's port is not a number from 1 to 65535";
    case "invalidMethod": return "cannot be signed: invalid HTTP method";
    case "invalidHeaderName": return `cannot be signed: invalid header name ${JSON.stringify(r.header)}`;
    case "invalidHeaderValue": return `cannot be signed: header ${JSON.stringify(r.header)} has a control character in its value`;
    case "duplicateHost": return "cannot be signed: more than one Host header";
    case "invalidAccessKeyId": return "cannot be signed: invalid access key id";
    case "invalidSessionToken": return "cannot be signed: invalid session token";
    case "invalidSigningRegion": return "cannot be signed: invalid region";
    case "invalidSigningService": return "cannot be signed: invalid service name";
    case "timeOutOfRange": return "cannot be signed: it must be a valid Date from 1970 through 9999";
    case "signedHeaderMissing": return `signed header ${JSON.stringify(r.header)} is not on the request`;
    default: return `is refused (${r.code})`;
  }
}
