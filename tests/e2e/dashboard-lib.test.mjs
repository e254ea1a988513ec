// The dashboard's pure helpers (www/lib/params.js, www/lib/errors.js, www/lib/output.js)
// under Node: the document-parameter rules the core's validate() cannot know, how each
// error is put to people, and how output's ANSI colours are read. The browser end to end is tests/e2e/dashboard.test.mjs.
//
// Run:  node --test tests/e2e/dashboard-lib.test.mjs

import { test } from "node:test";
import assert from "node:assert/strict";
import { contentRules, parameterDefs, valuesOf, parameterProblems, parameterOf } from "../../www/lib/params.js";
import { explain } from "../../www/lib/errors.js";
import { ansiRuns, stripAnsi } from "../../www/lib/output.js";

const RUN_SHELL = {
  Name: "AWS-RunShellScript",
  Owner: "Amazon",
  Parameters: [
    { Name: "commands", Type: "StringList", Description: "(Required) Specify a shell script or a command to run." },
    { Name: "workingDirectory", Type: "String", Description: "(Optional) The path.", DefaultValue: "" },
    { Name: "executionTimeout", Type: "String", Description: "(Optional) Seconds.", DefaultValue: "3600" },
  ],
};

/** AWS-RunShellScript's content as GetDocument returns it (JSON), trimmed to its parameters. */
const RUN_SHELL_CONTENT = JSON.stringify({
  schemaVersion: "1.2",
  parameters: {
    commands: { type: "StringList", description: "(Required) Specify a shell script or a command to run." },
    workingDirectory: { type: "String", default: "", description: "(Optional) The path." },
    executionTimeout: {
      type: "String", default: "3600", description: "(Optional) Seconds.",
      allowedPattern: "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)",
    },
  },
});

test("parameter rules: from the document's content, else from the parameter or the (Required) convention", () => {
  const defs = parameterDefs(RUN_SHELL, contentRules(RUN_SHELL_CONTENT));
  assert.deepEqual(defs.map((d) => [d.name, d.type, d.required, Boolean(d.allowedPattern)]), [
    ["commands", "StringList", true, false],
    ["workingDirectory", "String", false, false],
    ["executionTimeout", "String", false, true],
  ]);
  assert.match(defs[2].patternHint, /whole number of seconds/);
  // Without the content (GetDocument refused or failed): the descriptions' convention.
  const blind = parameterDefs(RUN_SHELL);
  assert.equal(blind.find((d) => d.name === "executionTimeout").allowedPattern, undefined);
  assert.equal(blind.find((d) => d.name === "commands").required, true, "(Required) in the description");
  // A custom document: required = no default; allowed values, patterns and item counts.
  const custom = parameterDefs(
    {
      Name: "Ops-Rotate",
      Owner: "123456789012",
      Parameters: [
        { Name: "service", Type: "String", Description: "The unit" },
        { Name: "hosts", Type: "StringList", Description: "Where" },
        { Name: "reason", Type: "String", Description: "Why", DefaultValue: "routine" },
      ],
    },
    contentRules(JSON.stringify({
      schemaVersion: "2.2",
      parameters: {
        service: { type: "String", allowedValues: ["nginx", "cron"] },
        hosts: { type: "StringList", minItems: 1, maxItems: 2, allowedPattern: "^[a-z0-9-]+$" },
        reason: { type: "String", default: "routine" },
      },
    })),
  );
  assert.deepEqual(custom.map((d) => [d.name, d.required, d.allowedValues, d.minItems, d.maxItems]), [
    ["service", true, ["nginx", "cron"], undefined, undefined],
    ["hosts", true, undefined, 1, 2],
    ["reason", false, undefined, undefined, undefined],
  ]);
  assert.deepEqual(
    parameterProblems(custom, { service: ["nginx"], hosts: ["a", "b", "c"] }).map((p) => [p.path, p.rule]),
    [['Parameters["hosts"]', "maxItems"]],
  );
  assert.deepEqual(
    parameterProblems(custom, { service: ["sshd"], hosts: ["web_1"] }).map((p) => [p.path, p.rule]),
    [['Parameters["service"]', "enum"], ['Parameters["hosts"]', "pattern"]],
  );
  // Rules a service adds to the parameter count when the content is unknown.
  const added = parameterDefs({
    Name: "Ops-RestartService",
    Owner: "123456789012",
    Parameters: [{ Name: "service", Type: "String", Description: "unit", Required: true, AllowedValues: ["nginx", "cron"] }],
  });
  assert.deepEqual(added[0].allowedValues, ["nginx", "cron"]);
  assert.equal(added[0].required, true);
  // Content that is not JSON is no rules at all; JSON without parameters is none.
  assert.equal(contentRules("schemaVersion: '2.2'\n"), null);
  assert.deepEqual(contentRules('{"schemaVersion":"2.2"}'), {});
});

test("parameter values: lines of a StringList, one String, and every broken rule with the core's paths", () => {
  const [commands, , timeout] = parameterDefs(RUN_SHELL, contentRules(RUN_SHELL_CONTENT));
  assert.deepEqual(valuesOf(commands, "hostname\n\n  \necho hi\n"), ["hostname", "echo hi"]);
  assert.deepEqual(valuesOf(timeout, ""), []);
  const defs = parameterDefs(RUN_SHELL, contentRules(RUN_SHELL_CONTENT));
  assert.deepEqual(parameterProblems(defs, { commands: ["hostname"], executionTimeout: ["600"] }), []);
  assert.deepEqual(parameterProblems(defs, { executionTimeout: ["172801"] }).map((p) => [p.path, p.rule]), [
    ['Parameters["commands"]', "required"],
    ['Parameters["executionTimeout"]', "pattern"],
  ]);
  assert.match(parameterProblems(defs, { commands: ["x"], executionTimeout: ["abc"] })[0].message, /"abc" is not a whole number of seconds/);
  const service = parameterDefs({ Name: "X", Parameters: [{ Name: "service", Type: "String", AllowedValues: ["nginx"] }] });
  assert.deepEqual(parameterProblems(service, { service: ["redis"] }).map((p) => p.rule), ["enum"]);
  assert.deepEqual(parameterProblems(service, { service: ["nginx", "nginx"] }).map((p) => p.rule), ["type"]);
  assert.equal(parameterOf('Parameters["commands"][1]'), "commands");
  assert.equal(parameterOf('Parameters["a\\"b"]'), 'a"b');
  assert.equal(parameterOf("Comment"), null);
});

test("errors are put plainly, with what to check", () => {
  const gw = { mode: "gateway", auth: "keys" };
  const service = (name, message, extra = {}) => Object.assign(new Error(message), { name, $metadata: { requestId: "r-1", attempts: 3 }, ...extra });
  const denied = explain(service("AccessDeniedException", "User: alice is not authorized to perform: ssm:SendCommand on resource: document/AWS-RunShellScript: denied by policy: only admins may run AWS-RunShellScript"), gw);
  assert.equal(denied.title, "The gateway's policy does not allow this");
  // The message is the detail, verbatim: a policy's @reason reaches the person.
  assert.match(denied.detail, /denied by policy: only admins may run AWS-RunShellScript$/);
  assert.equal(denied.requestId, "r-1");
  const throttled = explain(service("ThrottlingException", "Rate exceeded", { throttling: true }), gw);
  assert.equal(throttled.kind, "throttled");
  assert.match(throttled.hint, /retried 3 time/);
  assert.match(explain(service("InvalidSignatureException", "Signature expired: 20260101T000000Z is now earlier than …"), gw).title, /clock/);
  assert.match(explain(service("SignatureDoesNotMatch", "mismatch"), gw).hint, /secret access key/);
  assert.match(explain(service("UnrecognizedClientException", "The security token included in the request is invalid."), gw).hint, /issued by this gateway/);
  assert.match(explain(service("UnrecognizedClientException", "bad token"), { mode: "gateway", auth: "token" }).title, /did not accept your token/);
  assert.match(explain(service("ExpiredTokenException", "expired"), { mode: "gateway", auth: "token" }).title, /token has expired/);
  assert.match(explain(service("ExpiredTokenException", "expired"), { mode: "direct", auth: "credentials" }).title, /credentials have expired/);
  assert.match(explain(service("MissingAuthenticationTokenException", "Missing Authentication Token"), gw).title, /No credentials/);
  assert.match(explain(Object.assign(new Error("no response"), { name: "TransportError" }), gw).hint, /CORS_ALLOWED_ORIGINS/);
  assert.match(explain(service("InternalServerError", "the upstream did not answer within 10000 ms; the command may have run: check ListCommands"), gw).hint, /check History/);
  const unknown = explain(service("CommandOutcomeUnknownException", "the upstream did not answer within 10000 ms; the command may have run: check ListCommands"), gw);
  assert.equal(unknown.title, "The command may have run");
  assert.match(unknown.hint, /Check History/);
  // Two-person approval: the gateway's words for a request that waits, or was rejected.
  const waiting = explain(service("ApprovalRequiredException", "SendCommand needs someone else's approval: it waits as approval 5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11 until 2026-12-04T17:00:00.000Z. An approver runs it with SsmEdge.ApproveCommand"), gw);
  assert.equal(waiting.title, "This command needs someone else's approval");
  assert.match(waiting.hint, /Nothing has run yet\. It waits as approval 5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11/);
  assert.match(explain(service("ApprovalRejectedException", "approval x was rejected by root: not today"), gw).title, /rejected/);
  const tooMany = explain(service("TooManyPendingApprovalsException", "you have 20 requests waiting for approval already"), gw);
  assert.match(tooMany.title, /Too many of your commands are waiting/);
  assert.match(tooMany.hint, /withdraw one under Approvals/);
});

test("output's ANSI sequences are coloured runs or stripped; the colour carries to the next line", () => {
  const red = "\x1b[31merror:\x1b[0m disk \x1b[1;92mfull\x1b[0m\x1b[2K";
  assert.equal(stripAnsi(red), "error: disk full");
  const sgr = { classes: [] };
  assert.deepEqual(ansiRuns(red, sgr), [
    { text: "error:", classes: ["ansi-red"] },
    { text: " disk ", classes: [] },
    { text: "full", classes: ["ansi-bold", "ansi-green-bright"] },
  ]);
  // An unterminated colour goes on to the next line, until a reset.
  const open = { classes: [] };
  ansiRuns("\x1b[33mwarning", open);
  assert.deepEqual(ansiRuns("still yellow\x1b[39m plain", open), [
    { text: "still yellow", classes: ["ansi-yellow"] },
    { text: " plain", classes: [] },
  ]);
  // Markup is text: runs never carry anything but text and class names.
  assert.deepEqual(ansiRuns("<img src=x onerror=alert(1)>", { classes: [] }), [{ text: "<img src=x onerror=alert(1)>", classes: [] }]);
});
