//! `RequestSendCommand` and `ApproveCommand`: who may ask for a SendCommand their own
//! policy does not permit, and who may approve it, on what the request says.

use super::*;

/// On-call asks to run a shell script on staging (the shipped example).
fn shell_on_staging() -> serde_json::Value {
    json!({
        "DocumentName": "AWS-RunShellScript",
        "Targets": [{ "Key": "tag:env", "Values": ["staging"] }],
        "Parameters": { "commands": ["systemctl restart nginx"] },
        "Comment": "CHG-77 restart nginx by hand",
    })
}

fn with(mut body: serde_json::Value, member: &str, value: serde_json::Value) -> serde_json::Value {
    body[member] = value;
    body
}

#[test]
fn on_call_may_ask_for_what_it_may_not_run() {
    let engine = shipped();
    let call = send(&shell_on_staging());
    // SendCommand itself: refused by the shell-script forbid.
    assert_eq!(
        decide(&engine, &alice(), &call),
        denied(&["shell-scripts-only-for-admins"], "SendCommand")
    );
    assert_eq!(
        engine.decide_request(&alice(), &call, &caller()),
        allowed(&["on-call-request-shell-on-staging"], "RequestSendCommand")
    );
    // Not for bob (no group), not on named instances, not on prod.
    assert!(!engine.decide_request(&bob(), &call, &caller()).allowed);
    let named = with(
        shell_on_staging(),
        "Targets",
        json!([{ "Key": "InstanceIds", "Values": ["i-0123456789abcdef0"] }]),
    );
    assert!(
        !engine
            .decide_request(&alice(), &send(&named), &caller())
            .allowed
    );
    let prod = with(
        shell_on_staging(),
        "Targets",
        json!([{ "Key": "tag:env", "Values": ["prod"] }]),
    );
    assert!(
        !engine
            .decide_request(&alice(), &send(&prod), &caller())
            .allowed
    );
}

#[test]
fn the_rules_for_every_command_hold_for_requests() {
    let engine = shipped();
    let no_ticket = with(shell_on_staging(), "Comment", json!("restart nginx"));
    let decision = engine.decide_request(&alice(), &send(&no_ticket), &caller());
    assert_eq!(
        decision,
        denied(&["comment-names-a-ticket"], "RequestSendCommand")
    );
    assert!(
        decision.reasons[0].contains("CHG-"),
        "{:?}",
        decision.reasons
    );
    let bucket = with(shell_on_staging(), "OutputS3BucketName", json!("exfil"));
    assert_eq!(
        engine.decide_request(&alice(), &send(&bucket), &caller()),
        denied(
            &["output-destinations-only-for-admins"],
            "RequestSendCommand"
        )
    );
    // A foreign document needs UseForeignDocument for a request too.
    let foreign = with(
        shell_on_staging(),
        "DocumentName",
        json!("arn:aws:ssm:us-east-1:999999999999:document/AWS-RunShellScript"),
    );
    assert!(
        !engine
            .decide_request(&alice(), &send(&foreign), &caller())
            .allowed
    );
    // Unbounded targets need SendCommandUnbounded.
    let wildcard = with(
        shell_on_staging(),
        "Targets",
        json!([{ "Key": "tag:env", "Values": ["staging"] }, { "Key": "tag-key", "Values": ["team"] }]),
    );
    assert_eq!(
        engine.decide_request(&alice(), &send(&wildcard), &caller()),
        denied(&[], "SendCommandUnbounded")
    );
}

fn pending<'a>(
    call: &'a ParsedCall,
    requester: &'a Identity,
    at: &'a Caller,
) -> PendingRequest<'a> {
    PendingRequest {
        id: "5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11",
        requester,
        call,
        requester_caller: at,
    }
}

#[test]
fn admins_approve_others_do_not() {
    let engine = shipped();
    let call = send(&shell_on_staging());
    let (requester, at) = (alice(), caller());
    let request = pending(&call, &requester, &at);
    let decision = engine.decide_approval(&root(), &caller(), &request);
    assert_eq!(decision, allowed(&["admins-approve"], "ApproveCommand"));
    assert_eq!(
        decision.resource,
        "approval/5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11"
    );
    for who in [bob(), user("carol", &["on-call"])] {
        assert_eq!(
            engine.decide_approval(&who, &caller(), &request),
            denied(&[], "ApproveCommand"),
            "{}",
            who.principal
        );
    }
}

/// "Leads approve restarts on staging, asked for by on-call": the resource carries the
/// requester (with their groups), the document and the request as SendCommand saw it.
#[test]
fn a_policy_decides_on_the_request_and_the_requester() {
    let text = r#"
        @id("leads-approve-staging-restarts")
        permit (principal in Group::"leads", action == Action::"ApproveCommand", resource)
        when {
          resource.document == Document::"Ops-RestartService" &&
          resource.requester in Group::"on-call" &&
          resource.request.targets.tags.hasTag("env") &&
          ["staging"].containsAll(resource.request.targets.tags.getTag("env")) &&
          resource.request.parameters.hasTag("service") &&
          ["nginx"].containsAll(resource.request.parameters.getTag("service")) &&
          context.region == "us-east-1"
        };
    "#;
    let engine = PolicyEngine::new([("leads.cedar", text)]).unwrap();
    let lead = user("lee", &["leads"]);
    let (on_call, at) = (alice(), caller());
    let approves = |body: &serde_json::Value, requester: &Identity| {
        let call = send(body);
        engine
            .decide_approval(&lead, &caller(), &pending(&call, requester, &at))
            .allowed
    };
    assert!(approves(&restart(), &on_call));
    assert!(
        !approves(&restart(), &bob()),
        "the requester is not on-call"
    );
    let prod = with(
        restart(),
        "Targets",
        json!([{ "Key": "tag:env", "Values": ["prod"] }]),
    );
    assert!(!approves(&prod, &on_call));
    let redis = with(restart(), "Parameters", json!({ "service": ["redis"] }));
    assert!(!approves(&redis, &on_call));
    assert!(!approves(&shell_on_staging(), &on_call), "another document");
    // The approver's own groups: a lead who is also on-call is still a lead.
    let both = user("lee", &["leads", "on-call"]);
    let call = send(&restart());
    assert!(
        engine
            .decide_approval(&both, &caller(), &pending(&call, &on_call, &at))
            .allowed
    );
}
