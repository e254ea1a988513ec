// The package's wasm matches the model's patterns with JavaScript's `RegExp` (the core's
// `host-patterns`: the wasm passes a pattern's number, wasm.js looks it up in PATTERNS).
// Each pattern, in a field of an input that carries it, must accept and refuse what its
// own RegExp does, and a refusal must name that pattern: a list out of order, or text
// decoded wrongly on its way out of the wasm, fails here.
//
// Run:  node --test wasm/test/patterns.test.mjs   (after `bash wasm/build.sh`)

import { test } from "node:test";
import assert from "node:assert/strict";
import { validate } from "ssm-edge";
import { PATTERNS } from "../js/model.js";

const SEND = { DocumentName: "AWS-RunShellScript", InstanceIds: ["i-0123456789abcdef0"] };
const APPROVAL_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

// pattern: [operation, the input with `v` in a field of that pattern, the field's path, values]
const FIELDS = {
  AlarmName: ["SendCommand", (v) => ({ ...SEND, AlarmConfiguration: { Alarms: [{ Name: v }] } }), "AlarmConfiguration.Alarms[0].Name", ["cpu-high", " x", "\u3000", " \t", "\n"]],
  DocumentArn: ["SendCommand", (v) => ({ ...SEND, DocumentName: v }), "DocumentName", ["AWS-RunShellScript", "arn:aws:ssm:us-east-1:123456789012:document/My.Doc", "a b", "Doc\u00e9"]],
  DocumentVersion: ["SendCommand", (v) => ({ ...SEND, DocumentVersion: v }), "DocumentVersion", ["$LATEST", "$DEFAULT", "12", "012", "x$LATESTx", "1.0"]],
  DocumentVersionName: ["GetDocument", (v) => ({ Name: "AWS-RunShellScript", VersionName: v }), "VersionName", ["release-1.2_a", "a/b", "v 1"]],
  InstanceId: ["SendCommand", (v) => ({ ...SEND, InstanceIds: [v] }), "InstanceIds[0]", ["i-0123456789abcdef0", "i-01234567", "mi-0123456789abcdef0", "i-0123", "mi-01234567", "i-0123456789abcdef\u00e9"]],
  MaxConcurrency: ["SendCommand", (v) => ({ ...SEND, MaxConcurrency: v }), "MaxConcurrency", ["10", "100%", "5%", "0", "101%", "07"]],
  MaxErrors: ["SendCommand", (v) => ({ ...SEND, MaxErrors: v }), "MaxErrors", ["0", "0%", "100%", "25", "101%", "-1"]],
  TargetKey: ["SendCommand", (v) => ({ DocumentName: "AWS-RunShellScript", Targets: [{ Key: v, Values: ["x"] }] }), "Targets[0].Key", ["tag:Role", "tag:Рол\u0435 \u3000", "resource-groups:Name", "tag:a+b", "tag:\ud83d\ude00"]],
  ApprovalId: ["ApproveCommand", (v) => ({ ApprovalId: v }), "ApprovalId", [APPROVAL_ID, APPROVAL_ID.toUpperCase(), `${APPROVAL_ID.slice(0, 35)}g`]],
  ApprovalReason: ["RejectCommand", (v) => ({ ApprovalId: APPROVAL_ID, Reason: v }), "Reason", ["not on a Friday", "caf\u00e9 \u2028", "x\ny", "\u0085"]],
  LogGroupName: ["GetLogEvents", (v) => ({ logGroupName: v, logStreamName: "s" }), "logGroupName", ["/aws/ssm/AWS-RunShellScript", "::a::", "::", "\u00e9"]],
  LogGroupIdentifier: ["DescribeLogStreams", (v) => ({ logGroupIdentifier: v }), "logGroupIdentifier", ["arn:aws:logs:us-east-1:123456789012:log-group:g", "?"]],
  LogStreamName: ["GetLogEvents", (v) => ({ logGroupName: "g", logStreamName: v }), "logStreamName", ["a/b", "a:b", "*"]],
};

test("every pattern of the model has a field here", () => {
  assert.deepEqual(Object.keys(FIELDS).sort(), Object.keys(PATTERNS).sort());
});

for (const [name, [operation, input, path, values]] of Object.entries(FIELDS)) {
  test(`${name}: the package accepts and refuses as the model's RegExp does`, () => {
    const regex = new RegExp(PATTERNS[name], "u");
    let refused = 0;
    for (const value of values) {
      const problems = validate(operation, input(value)).filter((p) => p.rule === "pattern");
      if (regex.test(value)) {
        assert.deepEqual(problems, [], `${JSON.stringify(value)} matches ${name}`);
      } else {
        refused++;
        assert.deepEqual(problems.map((p) => [p.path, p.pattern]), [[path, name]], `${JSON.stringify(value)} does not match ${name}`);
      }
    }
    // Two patterns match every value (a starred class, unanchored); the rest refuse one here.
    const matchesAll = name === "LogGroupIdentifier" || name === "LogStreamName";
    assert.ok(matchesAll ? refused === 0 : refused > 0, `${name} refused ${refused} values`);
  });
}
