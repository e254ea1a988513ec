//! Two-person approval through the whole pipeline: alice (on-call) asks to run a shell
//! script on staging, which only the shipped approval policy lets her ask for; root
//! (admins) approves. Exactly the stored bytes run, once.

use serde_json::{json, Value};
use ssm_edge_core::model::OperationName;

use crate::testing::*;
use crate::Outgoing;

fn shell_on_staging() -> Value {
    json!({
        "DocumentName": "AWS-RunShellScript",
        "Targets": [{ "Key": "tag:env", "Values": ["staging"] }],
        "Parameters": { "commands": ["systemctl restart nginx"] },
        "Comment": "CHG-77 restart nginx by hand",
    })
}

/// Alice asks; the approval id from `ApprovalRequiredException`.
fn ask(gateway: &crate::Gateway, host: &MemoryHost, key: Option<&str>) -> String {
    let mut request = signed(
        host,
        &ALICE,
        OperationName::SendCommand,
        &shell_on_staging(),
    );
    if let Some(key) = key {
        request = with_header(request, "Idempotency-Key", key);
    }
    let out = handle(gateway, host, request);
    let (status, code, message) = error_of(&out);
    assert_eq!(
        (status, code.as_str()),
        (400, "ApprovalRequiredException"),
        "{message}"
    );
    let body: Value = serde_json::from_slice(&out.body).unwrap();
    let id = body["approvalId"].as_str().expect("approvalId").to_owned();
    assert!(message.contains(&id), "{message}");
    id
}

fn api(
    gateway: &crate::Gateway,
    host: &MemoryHost,
    key: &Key,
    target: &str,
    body: &Value,
) -> Outgoing {
    handle(gateway, host, signed_api(host, key, target, body))
}

fn approve(gateway: &crate::Gateway, host: &MemoryHost, key: &Key, id: &str) -> Outgoing {
    api(
        gateway,
        host,
        key,
        "SsmEdge.ApproveCommand",
        &json!({ "ApprovalId": id }),
    )
}

fn json_of(out: &Outgoing) -> Value {
    serde_json::from_slice(&out.body).unwrap()
}

fn audits_of(host: &MemoryHost, id: &str) -> Vec<Value> {
    host.audits()
        .into_iter()
        .filter(|l| l["approvalId"] == id)
        .collect()
}

#[test]
fn a_request_waits_then_runs_once_with_the_stored_bytes() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, None);
    assert_eq!(host.sends(), 0, "nothing runs before approval");
    let asked = host.last_audit();
    assert_eq!(
        (
            &asked["decision"],
            &asked["approvalEvent"],
            &asked["principal"]
        ),
        (
            &json!("approval-required"),
            &json!("requested"),
            &json!("alice")
        )
    );
    assert_eq!(
        asked["policyIds"],
        json!(["on-call-request-shell-on-staging"])
    );
    let stored_body = host.state.borrow().approvals[&id].body.clone();

    host.script([command_created("c-9", "up-9")]);
    let out = approve(&gateway, &host, &ROOT, &id);
    assert_eq!(out.status, 200, "{}", body_text(&out));
    let view = &json_of(&out)["Approval"];
    assert_eq!(
        (&view["State"], &view["DecidedBy"], &view["CommandId"]),
        (&json!("Done"), &json!("root"), &json!("c-9"))
    );
    assert_eq!(view["SendCommand"], shell_on_staging());
    assert_eq!(host.sends(), 1);
    let sent = host.last_sent();
    assert_eq!(sent.body, stored_body.as_bytes(), "the stored bytes ran");
    assert!(sent
        .header("authorization")
        .unwrap()
        .contains(UPSTREAM_AKID));
    let ran = host.last_audit();
    assert_eq!(
        (
            &ran["principal"],
            &ran["operation"],
            &ran["approvalEvent"],
            &ran["requester"],
            &ran["commandId"],
            &ran["document"]
        ),
        (
            &json!("root"),
            &json!("SsmEdge.ApproveCommand"),
            &json!("ran"),
            &json!("alice"),
            &json!("c-9"),
            &json!("AWS-RunShellScript")
        )
    );
    assert_eq!(ran["policyIds"], json!(["admins-approve"]));
    // Approving again runs nothing.
    let again = approve(&gateway, &host, &ROOT, &id);
    let (_, code, message) = error_of(&again);
    assert_eq!(code, "ApprovalNotPendingException");
    assert!(message.contains("approved by root"), "{message}");
    assert_eq!(host.sends(), 1);
}

#[test]
fn nobody_approves_their_own_request() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    // Root may approve, but not a request of his own: let root ask through a policy.
    let id = ask(&gateway, &host, None);
    let out = approve(&gateway, &host, &ALICE, &id);
    let (_, code, message) = error_of(&out);
    assert_eq!(code, "AccessDeniedException");
    assert!(message.contains("your own request"), "{message}");
    assert_eq!(host.last_audit()["decision"], "denied");
    // Nor does someone the policy does not name.
    let (_, code, message) = error_of(&approve(&gateway, &host, &BOB, &id));
    assert_eq!(code, "AccessDeniedException");
    assert!(message.contains("ApproveCommand"), "{message}");
    assert_eq!(host.sends(), 0);
    assert_eq!(host.state.borrow().approvals[&id].state.name(), "Pending");
}

#[test]
fn a_self_approval_is_refused_even_when_a_policy_permits_it() {
    // A policy set where admins may ask and approve anything.
    let text = r#"
        @id("admins-ask") permit (principal in Group::"admins", action == Action::"RequestSendCommand", resource);
        @id("admins-approve") permit (principal in Group::"admins", action == Action::"ApproveCommand", resource);
    "#;
    let compiled = crate::policy::compile([("p.cedar", text)]).unwrap();
    let gateway = gateway(&[("POLICIES", compiled.as_str())]);
    let host = MemoryHost::new();
    let out = handle(
        &gateway,
        &host,
        signed(
            &host,
            &ROOT,
            OperationName::SendCommand,
            &shell_on_staging(),
        ),
    );
    let body = json_of(&out);
    let id = body["approvalId"].as_str().unwrap();
    let (_, code, message) = error_of(&approve(&gateway, &host, &ROOT, id));
    assert_eq!(code, "AccessDeniedException");
    assert!(message.contains("your own request"), "{message}");
    assert_eq!(host.sends(), 0);
}

#[test]
fn a_rejected_request_never_runs_and_its_requester_is_told() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, Some("restart-1"));
    let out = api(
        &gateway,
        &host,
        &ROOT,
        "SsmEdge.RejectCommand",
        &json!({ "ApprovalId": id, "Reason": "use Ops-RestartService" }),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(json_of(&out)["Approval"]["State"], "Rejected");
    assert_eq!(host.last_audit()["approvalEvent"], "rejected");
    let (_, code, _) = error_of(&approve(&gateway, &host, &ROOT, &id));
    assert_eq!(code, "ApprovalNotPendingException");
    // The requester's repeat with the same key learns why.
    let repeat = handle(
        &gateway,
        &host,
        keyed_restart(&host, "restart-1", &shell_on_staging()),
    );
    let (_, code, message) = error_of(&repeat);
    assert_eq!(code, "ApprovalRejectedException");
    assert!(
        message.contains("rejected by root: use Ops-RestartService"),
        "{message}"
    );
    assert_eq!(host.sends(), 0);
}

#[test]
fn the_requester_may_withdraw_others_may_not_reject() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, None);
    let reject = |key: &Key| {
        api(
            &gateway,
            &host,
            key,
            "SsmEdge.RejectCommand",
            &json!({ "ApprovalId": id }),
        )
    };
    assert_eq!(error_of(&reject(&BOB)).1, "AccessDeniedException");
    let out = reject(&ALICE);
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(json_of(&out)["Approval"]["DecidedBy"], "alice");
    assert_eq!(host.last_audit()["approvalEvent"], "withdrawn");
}

#[test]
fn an_unanswered_request_expires_and_is_audited_once() {
    let gateway = gateway(&[("APPROVAL_TTL_SECS", "60")]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, Some("k-exp"));
    host.advance(61_000);
    let (_, code, message) = error_of(&approve(&gateway, &host, &ROOT, &id));
    assert_eq!(code, "ApprovalNotPendingException");
    assert!(message.contains("expired"), "{message}");
    let expired: Vec<Value> = audits_of(&host, &id)
        .into_iter()
        .filter(|l| l["decision"] == "expired")
        .collect();
    assert_eq!(expired.len(), 1, "{expired:?}");
    assert_eq!(
        (&expired[0]["principal"], &expired[0]["document"]),
        (&json!("alice"), &json!("AWS-RunShellScript"))
    );
    // Noticed once only.
    approve(&gateway, &host, &ROOT, &id);
    assert_eq!(
        audits_of(&host, &id)
            .iter()
            .filter(|l| l["decision"] == "expired")
            .count(),
        1
    );
    // The same key asks anew.
    let renewed = ask(&gateway, &host, Some("k-exp"));
    assert_ne!(renewed, id);
    assert_eq!(host.sends(), 0);
}

/// Two admins approve the same request (one by key, one by token): one run. (The
/// claim is one step of the approval records, which the Worker's one Durable Object
/// applies one at a time; `approvals::tests::one_claim_wins_and_the_answer_is_kept`
/// checks the step itself.)
#[test]
fn two_approvers_run_it_once() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, None);
    host.script([command_created("c-1", "up-1")]);
    let first = signed_api(
        &host,
        &ROOT,
        "SsmEdge.ApproveCommand",
        &json!({ "ApprovalId": id }),
    );
    let token = es256_token(&host, "carol", &["admins"]);
    let mut second = bearer(
        &token,
        OperationName::ListCommands,
        &json!({ "ApprovalId": id }),
    );
    second.set_header("X-Amz-Target", "SsmEdge.ApproveCommand".into());
    let a = handle(&gateway, &host, first);
    let b = handle(&gateway, &host, second);
    let statuses = [a.status, b.status];
    assert!(statuses.contains(&200), "{statuses:?}");
    let loser = if a.status == 200 { &b } else { &a };
    assert_eq!(error_of(loser).1, "ApprovalNotPendingException");
    assert_eq!(host.sends(), 1, "one SendCommand upstream");
}

#[test]
fn a_requester_who_lost_the_right_is_not_run_for() {
    let host = MemoryHost::new();
    let id = ask(&gateway(&[]), &host, None);
    // The policies change (a redeploy): on-call may no longer ask.
    let text = r#"@id("admins-approve") permit (principal in Group::"admins", action == Action::"ApproveCommand", resource);"#;
    let compiled = crate::policy::compile([("p.cedar", text)]).unwrap();
    let changed = gateway(&[("POLICIES", compiled.as_str())]);
    let (_, code, message) = error_of(&approve(&changed, &host, &ROOT, &id));
    assert_eq!(code, "AccessDeniedException");
    assert!(message.contains("alice may no longer ask"), "{message}");
    assert_eq!(host.sends(), 0);
    assert_eq!(host.state.borrow().approvals[&id].state.name(), "Rejected");
}

#[test]
fn the_approver_changes_nothing_and_a_key_holds_one_body() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, Some("k-1"));
    // ApproveCommand takes the id only.
    let out = api(
        &gateway,
        &host,
        &ROOT,
        "SsmEdge.ApproveCommand",
        &json!({ "ApprovalId": id, "Parameters": { "commands": ["rm -rf /"] } }),
    );
    let (_, code, message) = error_of(&out);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("Parameters"), "{message}");
    // The requester's key with another body is refused, the first stays as it was.
    let mut other = shell_on_staging();
    other["Parameters"]["commands"] = json!(["reboot"]);
    let (_, code, _) = error_of(&handle(
        &gateway,
        &host,
        keyed_restart(&host, "k-1", &other),
    ));
    assert_eq!(code, "IdempotentParameterMismatch");
    // The same body and key: the same approval, still waiting.
    assert_eq!(ask(&gateway, &host, Some("k-1")), id);
    assert_eq!(host.last_audit()["approvalEvent"], "waiting");
    host.script([command_created("c-2", "up-2")]);
    assert_eq!(approve(&gateway, &host, &ROOT, &id).status, 200);
    let sent: Value = serde_json::from_slice(&host.last_sent().body).unwrap();
    assert_eq!(
        sent["Parameters"],
        json!({ "commands": ["systemctl restart nginx"] })
    );
}

#[test]
fn the_requesters_repeat_with_its_key_gets_the_command() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, Some("restart-nginx-1"));
    host.script([command_created("c-3", "up-3")]);
    assert_eq!(approve(&gateway, &host, &ROOT, &id).status, 200);
    let repeat = handle(
        &gateway,
        &host,
        keyed_restart(&host, "restart-nginx-1", &shell_on_staging()),
    );
    assert_eq!(repeat.status, 200, "{}", body_text(&repeat));
    assert_eq!(json_of(&repeat)["Command"]["CommandId"], "c-3");
    assert_eq!(repeat.header("idempotent-replayed"), Some("true"));
    let line = host.last_audit();
    assert_eq!(
        (
            &line["decision"],
            &line["approvalEvent"],
            &line["commandId"]
        ),
        (&json!("replayed"), &json!("replayed"), &json!("c-3"))
    );
    assert_eq!(host.sends(), 1);
}

#[test]
fn approvals_are_seen_by_their_requester_and_their_approvers_only() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, None);
    let list = |key: &Key| {
        let out = api(&gateway, &host, key, "SsmEdge.ListApprovals", &json!({}));
        assert_eq!(out.status, 200, "{}", body_text(&out));
        json_of(&out)["Approvals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["ApprovalId"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(list(&ALICE), vec![id.clone()]);
    assert_eq!(list(&ROOT), vec![id.clone()]);
    assert!(list(&BOB).is_empty());
    let get = |key: &Key| {
        api(
            &gateway,
            &host,
            key,
            "SsmEdge.GetApproval",
            &json!({ "ApprovalId": id }),
        )
    };
    let view = json_of(&get(&ROOT));
    assert_eq!(
        (&view["Approval"]["State"], &view["Approval"]["Requester"]),
        (&json!("Pending"), &json!("alice"))
    );
    assert_eq!(
        view["Approval"]["SendCommand"]["Parameters"],
        json!({ "commands": ["systemctl restart nginx"] }),
        "an approver sees exactly what would run"
    );
    assert_eq!(error_of(&get(&BOB)).1, "ApprovalNotFoundException");
    let filtered = api(
        &gateway,
        &host,
        &ROOT,
        "SsmEdge.ListApprovals",
        &json!({ "State": "Done" }),
    );
    assert_eq!(json_of(&filtered)["Approvals"], json!([]));
    let (_, code, _) = error_of(&api(
        &gateway,
        &host,
        &ROOT,
        "SsmEdge.ListApprovals",
        &json!({ "State": "Whatever" }),
    ));
    assert_eq!(code, "ValidationException");
}

#[test]
fn the_webhook_hears_of_requests_and_decisions_without_parameter_values() {
    let gateway = gateway(&[("APPROVAL_WEBHOOK_URL", "https://hooks.example/T0/B0/secret")]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, None);
    host.script([command_created("c-4", "up-4")]);
    approve(&gateway, &host, &ROOT, &id);
    let posts = host.state.borrow().webhooks.clone();
    assert_eq!(posts.len(), 2, "{posts:?}");
    let first: Value = serde_json::from_str(&posts[0].1).unwrap();
    let second: Value = serde_json::from_str(&posts[1].1).unwrap();
    assert_eq!(posts[0].0, "https://hooks.example/T0/B0/secret");
    assert_eq!(
        (&first["event"], &second["event"]),
        (&json!("requested"), &json!("ran"))
    );
    assert!(first["text"]
        .as_str()
        .unwrap()
        .starts_with("alice asks to run AWS-RunShellScript on tag:env=staging"));
    assert!(second["text"]
        .as_str()
        .unwrap()
        .contains("root approved alice's AWS-RunShellScript"));
    assert!(second["text"]
        .as_str()
        .unwrap()
        .contains("command c-4 sent"));
    assert_eq!(first["parameterNames"], json!(["commands"]));
    for (_, body) in &posts {
        assert!(
            !body.contains("systemctl"),
            "a parameter value reached the webhook: {body}"
        );
    }
    // A webhook that fails does not stop anything.
    host.state.borrow_mut().webhook_status = 0;
    ask(&gateway, &host, None);
    assert!(host.logs().iter().any(|l| l.contains("approval webhook")));
}

/// botocore signs the same request the same way within a second: with a key, that resend
/// finds the same approval; without one it is a replay (it would file another).
#[test]
fn a_keyed_resend_of_the_same_bytes_finds_the_same_approval() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let keyed = keyed_restart(&host, "same-second", &shell_on_staging());
    let first = handle(&gateway, &host, keyed.clone());
    let again = handle(&gateway, &host, keyed);
    let id_of = |out: &Outgoing| json_of(out)["approvalId"].clone();
    assert_eq!(error_of(&again).1, "ApprovalRequiredException");
    assert_eq!(id_of(&first), id_of(&again));
    let bare = signed(
        &host,
        &ALICE,
        OperationName::SendCommand,
        &shell_on_staging(),
    );
    assert_eq!(
        error_of(&handle(&gateway, &host, bare.clone())).1,
        "ApprovalRequiredException"
    );
    let (_, code, message) = error_of(&handle(&gateway, &host, bare));
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.contains("already used"), "{message}");
    assert_eq!(host.state.borrow().approvals.len(), 2);
}

/// The approval API's bodies are parsed and validated by the core, as SSM's: one
/// meaning each, every member named by its rule.
#[test]
fn an_approval_api_body_names_each_member_once() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let id = ask(&gateway, &host, None);
    let mut request = unsigned(OperationName::ListCommands, &json!({}));
    request.set_header("X-Amz-Target", "SsmEdge.ApproveCommand".into());
    request.body = format!(r#"{{"ApprovalId":"{id}","ApprovalId":"{id}"}}"#).into_bytes();
    let out = handle(
        &gateway,
        &host,
        sign_at(&host, &ROOT, request, host.now_secs()),
    );
    let (_, code, message) = error_of(&out);
    assert_eq!(code, "SerializationException");
    assert!(message.contains("more than once"), "{message}");
    let out = api(&gateway, &host, &ROOT, "SsmEdge.ApproveCommand", &json!([]));
    assert_eq!(error_of(&out).1, "SerializationException");
    for (body, words) in [
        (json!({ "ApprovalId": 7 }), "ApprovalId"),
        (json!({}), "ApprovalId"),
        (json!({ "ApprovalId": "7" }), "UUID"),
        (json!({ "ApprovalId": id, "Reason": "a\nb" }), "Reason"),
        (
            json!({ "ApprovalId": id, "Reason": "x".repeat(501) }),
            "Reason",
        ),
    ] {
        let target = if body.get("Reason").is_some() {
            "SsmEdge.RejectCommand"
        } else {
            "SsmEdge.ApproveCommand"
        };
        let out = api(&gateway, &host, &ROOT, target, &body);
        let (_, code, message) = error_of(&out);
        assert_eq!(code, "ValidationException", "{body}");
        assert!(message.contains(words), "{body}: {message}");
    }
    assert_eq!(host.sends(), 0);
}
