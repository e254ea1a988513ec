// The dashboard's pure helpers (www/lib/params.js, www/lib/errors.js) under Node: the
// document-parameter rules the core's validate() cannot know, and how each error is put
// to people. The browser end to end is tests/e2e/dashboard.test.mjs.
//
// Run:  node --test tests/e2e/dashboard-lib.test.mjs

import { test } from "node:test";
import assert from "node:assert/strict";
import { parameterDefs, valuesOf, parameterProblems, parameterOf } from "../../www/lib/params.js";
import { explain } from "../../www/lib/errors.js";

const RUN_SHELL = {
  Name: "AWS-RunShellScript",
  Owner: "Amazon",
  Parameters: [
    { Name: "commands", Type: "StringList", Description: "(Required) Specify a shell script or a command to run." },
    { Name: "workingDirectory", Type: "String", Description: "(Optional) The path.", DefaultValue: "" },
    { Name: "executionTimeout", Type: "String", Description: "(Optional) Seconds.", DefaultValue: "3600" },
  ],
};

test("parameter rules: from the parameter, AWS's table (Amazon-owned only), or the (Required) convention", () => {
  const defs = parameterDefs(RUN_SHELL);
  assert.deepEqual(defs.map((d) => [d.name, d.type, d.required, Boolean(d.allowedPattern)]), [
    ["commands", "StringList", true, false],
    ["workingDirectory", "String", false, false],
    ["executionTimeout", "String", false, true],
  ]);
  // A look-alike document of another owner gets no borrowed rules.
  const mine = parameterDefs({ ...RUN_SHELL, Owner: "123456789012" });
  assert.equal(mine.find((d) => d.name === "executionTimeout").allowedPattern, undefined);
  assert.equal(mine.find((d) => d.name === "commands").required, true, "(Required) in the description");
  // Rules a service adds to the parameter win.
  const custom = parameterDefs({
    Name: "Ops-RestartService",
    Owner: "123456789012",
    Parameters: [{ Name: "service", Type: "String", Description: "unit", Required: true, AllowedValues: ["nginx", "cron"] }],
  });
  assert.deepEqual(custom[0].allowedValues, ["nginx", "cron"]);
  assert.equal(custom[0].required, true);
});

test("parameter values: lines of a StringList, one String, and every broken rule with the core's paths", () => {
  const [commands, , timeout] = parameterDefs(RUN_SHELL);
  assert.deepEqual(valuesOf(commands, "hostname\n\n  \necho hi\n"), ["hostname", "echo hi"]);
  assert.deepEqual(valuesOf(timeout, ""), []);
  const defs = parameterDefs(RUN_SHELL);
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
});
