// @ts-check
// Errors as a person needs them: what happened, in plain words, and what to check.
// Every error of the package is one of ValidationError, ConfigError, TransportError or an
// SsmServiceException subclass named after the AWS error code (see index.d.ts).

/**
 * @typedef {{ mode: "gateway" | "direct", auth: "token" | "keys" | "credentials", endpoint?: string }} Context
 * @typedef {{ title: string, detail?: string, hint?: string, code?: string, requestId?: string,
 *   kind: "denied" | "auth" | "throttled" | "input" | "network" | "service" | "config" }} Explained
 */

const SIGNATURE_CODES = new Set(["InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignatureException"]);
const UNKNOWN_KEY_CODES = new Set(["UnrecognizedClientException", "InvalidClientTokenId"]);
const EXPIRED_CODES = new Set(["ExpiredTokenException", "RequestExpired"]);

/** @param {any} e @param {Context} ctx @returns {Explained} */
export function explain(e, ctx) {
  const code = String(e?.name ?? "Error").replace(/^.*#/, "");
  const message = String(e?.message ?? e ?? "");
  const requestId = e?.$metadata?.requestId;
  const base = { code, requestId, detail: message };
  const where = ctx.mode === "gateway" ? "the gateway" : "AWS";

  if (code === "ApprovalRequiredException") {
    const id = /approval ([0-9a-f-]{36})/.exec(message)?.[1];
    return {
      ...base,
      kind: "denied",
      title: "This command needs someone else's approval",
      hint: `Nothing has run yet. It waits as approval ${id ?? "(see below)"} for an approver (README, "Approvals"); once approved it runs exactly as you sent it, and it is listed in History.`,
    };
  }
  if (code === "TooManyPendingApprovalsException") {
    return {
      ...base,
      kind: "denied",
      title: "Too many of your commands are waiting for approval",
      hint: "Nothing was filed. Wait for an approver to decide on them, or withdraw one under Approvals, then send this again.",
    };
  }
  if (code === "ApprovalRejectedException") {
    return {
      ...base,
      kind: "denied",
      title: "An approver rejected this command",
      hint: "Nothing was run. Their reason is below; change the command or talk to them, then send it again.",
    };
  }
  if (code === "AccessDeniedException" && /denied by policy/i.test(message)) {
    return {
      ...base,
      kind: "denied",
      title: "The gateway's policy does not allow this",
      hint: "Nothing was run. Ask an administrator if you need this permission, or choose another document, target or parameter.",
    };
  }
  if (code === "AccessDeniedException") {
    return {
      ...base,
      kind: "denied",
      title: ctx.mode === "gateway" ? "Access denied" : "AWS denied this request",
      hint: ctx.mode === "direct" ? "The IAM role behind these credentials lacks this ssm permission." : undefined,
    };
  }
  if (e?.throttling || code === "ThrottlingException") {
    return {
      ...base,
      kind: "throttled",
      title: "Too many requests",
      hint: `${where} is rate-limiting you. The dashboard already retried ${e?.$metadata?.attempts ?? "several"} time(s); wait a minute and try again.`,
    };
  }
  if (code === "MissingAuthenticationTokenException" || code === "MissingAuthenticationToken") {
    return {
      ...base,
      kind: "auth",
      title: "No credentials reached " + where,
      hint: "Open Settings and connect again; if it persists, check that nothing between you and the gateway strips the Authorization header.",
    };
  }
  if (SIGNATURE_CODES.has(code)) {
    const clock = /expired|not yet current|clock|skew/i.test(message);
    return {
      ...base,
      kind: "auth",
      title: clock ? "Your computer's clock is off" : "The request signature was refused",
      hint: clock
        ? "Signatures are only valid for 5 minutes: set this computer's clock to the right time (and time zone), then retry."
        : `Check the secret access key in Settings (it must belong to the access key ID), and that this computer's clock is right.`,
    };
  }
  if (UNKNOWN_KEY_CODES.has(code)) {
    return {
      ...base,
      kind: "auth",
      title: ctx.auth === "token" ? "The gateway did not accept your token" : `${where} does not know this access key`,
      hint:
        ctx.auth === "token"
          ? "Check that you pasted the whole token, that it was issued for this gateway (issuer and audience), and that the gateway accepts bearer tokens."
          : ctx.mode === "gateway"
            ? "Check the access key ID in Settings: it must be a key issued by this gateway, not an AWS key."
            : "Check the access key ID, and that the session token belongs to it (temporary credentials need all three).",
    };
  }
  if (EXPIRED_CODES.has(code)) {
    return {
      ...base,
      kind: "auth",
      title: ctx.auth === "token" ? "Your token has expired" : "Your credentials have expired",
      hint:
        ctx.auth === "token"
          ? "Get a new token from your identity provider and paste it in Settings."
          : "Get new temporary credentials (access key, secret and session token) and enter them in Settings. If they are new, check this computer's clock.",
    };
  }
  if (code === "ValidationError") {
    const problems = Array.isArray(e?.problems) ? e.problems : [];
    return {
      ...base,
      kind: "input",
      title: "Fix the input first (nothing was sent)",
      detail: problems.map((/** @type {any} */ p) => `${p.path || "input"}: ${p.message}`).join("\n") || message,
    };
  }
  if (code === "ConfigError") {
    return {
      ...base,
      kind: "config",
      title: "A setting is wrong",
      detail: message,
      hint: "Open Settings and correct it.",
    };
  }
  if (code === "TransportError") {
    return {
      ...base,
      kind: "network",
      title: `Could not reach ${where}`,
      detail: `${message}${ctx.endpoint ? ` (${ctx.endpoint})` : ""}`,
      hint:
        ctx.mode === "gateway"
          ? "Check the gateway URL in Settings, that the gateway is running, and that it lists this page's origin in CORS_ALLOWED_ORIGINS."
          : "Check the region and endpoint in Settings and your network. The endpoint must allow requests from this page (CORS).",
    };
  }
  if (code === "AbortError") {
    return { ...base, kind: "service", title: "Stopped", detail: "The request was cancelled." };
  }
  const friendly = {
    InvalidParameters: ["The document refused a parameter", "Check the parameter values against the document's rules."],
    InvalidInstanceId: [
      "An instance cannot take commands",
      "Instances must be running, managed by SSM and Online; check the selection.",
    ],
    UnsupportedPlatformType: ["The document does not run on an instance's platform", "Choose instances of a platform the document supports."],
    DuplicateInstanceId: ["An instance is listed twice", undefined],
    InvalidDocument: ["The document does not exist or cannot be used", "Choose another document."],
    InvalidCommandId: ["The command is not known", "It may have expired; refresh the history."],
    ValidationException: ["The service refused the input", undefined],
    SerializationException: ["The service could not read the request", undefined],
    CommandOutcomeUnknownException: [
      "The command may have run",
      "SSM did not answer in time. Check History before sending it again.",
    ],
    InternalServerError: [
      `${ctx.mode === "gateway" ? "The gateway or SSM" : "SSM"} failed`,
      /may have run/i.test(message) ? "The command may have run: check History before sending it again." : "Try again in a moment.",
    ],
  }[code];
  return {
    ...base,
    kind: "service",
    title: friendly?.[0] ?? `The service answered ${code}`,
    hint: friendly?.[1],
  };
}
