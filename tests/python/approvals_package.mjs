// The npm package (wasm/pkg, as built) speaking an ssm-edge gateway's approval API, for
// gateway_approvals.py. Credentials and endpoint come from the environment
// (ENDPOINT, REGION, AKID, SECRET); one JSON line is printed per step.
//
//   node approvals_package.mjs approve <approval-id>
//       lists the pending approvals, approves <approval-id>; prints {pending, approval}
//   node approvals_package.mjs ask <comment> <targets-json>
//       sends SendCommand; prints {approvalId} from ApprovalRequiredError, then waits
//       for the decision (waitForApproval): prints {firstPoll} at its first poll, and
//       {approval, progress} once decided
import { ApprovalRequiredError, errors } from "../../wasm/pkg/node.js";
import { client, print } from "./package_client.mjs";
const [mode, ...args] = process.argv.slice(2);

if (mode === "approve") {
  const [id] = args;
  const { Approvals } = await client.listApprovals({ State: "Pending" });
  const { Approval } = await client.approveCommand({ ApprovalId: id });
  print({ pending: Approvals.filter((a) => a.ApprovalId === id), approval: Approval });
} else if (mode === "ask") {
  const [comment, targets] = args;
  try {
    await client.sendCommand({
      DocumentName: "AWS-RunShellScript",
      Targets: JSON.parse(targets),
      Parameters: { commands: ["uptime"] },
      Comment: comment,
    });
    throw new Error("SendCommand ran without approval");
  } catch (e) {
    if (!(e instanceof ApprovalRequiredError)) throw e;
    print({
      approvalId: e.approvalId,
      name: e.name,
      same: errors.ApprovalRequiredException === ApprovalRequiredError,
      status: e.$metadata.httpStatusCode,
      attempts: e.$metadata.attempts,
    });
    const progress = [];
    const approval = await client.waitForApproval(e.approvalId, {
      pollMs: 200,
      timeoutMs: 60_000,
      onProgress: (a) => {
        if (progress.length === 0) print({ firstPoll: a.State });
        progress.push(a.State);
      },
    });
    print({ approval, progress: [...new Set(progress)], createdAtIsDate: approval.CreatedAt instanceof Date });
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
