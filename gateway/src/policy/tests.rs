//! The shipped schema and policies, and the engine's loading rules.

use serde_json::json;
use ssm_edge_core::model::OperationName;

use super::*;
use crate::identity::AuthMethod;
use crate::route::Route;

/// 2026-11-26T07:38:13Z, a Thursday.
const NOW: u64 = 1_795_678_693;

fn user(name: &str, groups: &[&str]) -> Identity {
    Identity {
        principal: name.to_owned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        method: AuthMethod::SigV4,
        replay_key: None,
        signed_region: None,
    }
}

fn alice() -> Identity {
    user("alice", &["on-call"])
}

fn root() -> Identity {
    user("root", &["admins"])
}

fn bob() -> Identity {
    user("bob", &[])
}

/// A SigV4 caller at [`NOW`] whose call goes to us-east-1 in the gateway's own
/// account, [`ACCOUNT`].
fn caller() -> Caller {
    Caller {
        auth_method: "sigv4",
        source_ip: None,
        now: NOW,
        route: Route {
            region: "us-east-1".into(),
            account: crate::route::HOME_ACCOUNT.into(),
            account_id: Some(ACCOUNT.to_owned()),
        },
        output_log_group: None,
    }
}

/// The same caller, to a route whose account id is not configured.
fn caller_without_account_id() -> Caller {
    let mut caller = caller();
    caller.route.account_id = None;
    caller
}

fn call(operation: OperationName, body: &serde_json::Value) -> ParsedCall {
    crate::call::parse(operation, body.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("{operation:?} {body}: {e}"))
}

fn send(body: &serde_json::Value) -> ParsedCall {
    call(OperationName::SendCommand, body)
}

/// The shipped example of an on-call restart.
fn restart() -> serde_json::Value {
    json!({
        "DocumentName": "Ops-RestartService",
        "Targets": [{ "Key": "tag:env", "Values": ["staging"] }],
        "Parameters": { "service": ["nginx"] },
        "Comment": "CHG-1 restart",
    })
}

fn shipped() -> PolicyEngine {
    PolicyEngine::shipped().expect("the shipped policies load")
}

fn decide(engine: &PolicyEngine, who: &Identity, call: &ParsedCall) -> Decision {
    engine.decide(who, call, &caller())
}

/// What a test expects of a [`Decision`]: allowed, by which policies, on which action.
#[derive(Debug)]
struct Verdict {
    allowed: bool,
    policy_ids: Vec<String>,
    action: &'static str,
}

impl PartialEq<Verdict> for Decision {
    fn eq(&self, other: &Verdict) -> bool {
        self.allowed == other.allowed
            && self.policy_ids == other.policy_ids
            && self.action == other.action
    }
}

fn allowed(ids: &[&str], action: &'static str) -> Verdict {
    Verdict {
        allowed: true,
        policy_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        action,
    }
}

fn denied(ids: &[&str], action: &'static str) -> Verdict {
    Verdict {
        allowed: false,
        policy_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        action,
    }
}

/// The account of [`caller`]'s route.
const ACCOUNT: &str = "123456789012";

/// The shipped policies (documents are classified against the caller's route:
/// us-east-1 / [`ACCOUNT`]).
fn scoped() -> PolicyEngine {
    shipped()
}

#[test]
fn shipped_policies_load_and_validate() {
    let engine = shipped();
    assert_eq!(
        engine.policy_ids(),
        [
            "admins-approve",
            "admins-run-anything",
            "comment-names-a-ticket",
            "on-call-cancel",
            "on-call-request-shell-on-staging",
            "on-call-restart-staging",
            "output-destinations-only-for-admins",
            "read-only-for-everyone",
            "shell-scripts-only-for-admins",
            "tags-of-managed-nodes-only",
            "unmasked-output-only-for-admins",
        ]
    );
    assert!(format!("{engine:?}").contains("on-call-restart-staging"));
}

#[test]
fn read_only_operations_are_allowed_for_any_user() {
    let engine = shipped();
    let reads = [
        (OperationName::ListCommands, json!({})),
        (
            OperationName::ListCommandInvocations,
            json!({ "Details": true }),
        ),
        (
            OperationName::GetCommandInvocation,
            json!({
                "CommandId": "0123abcd-0123-4567-89ab-0123456789ab",
                "InstanceId": "i-0123456789abcdef0",
            }),
        ),
        (OperationName::DescribeInstanceInformation, json!({})),
        (OperationName::ListDocuments, json!({})),
        (
            OperationName::DescribeDocument,
            json!({ "Name": "AWS-RunShellScript" }),
        ),
        (
            OperationName::GetDocument,
            json!({ "Name": "AWS-RunShellScript" }),
        ),
    ];
    for (operation, body) in reads {
        for who in [bob(), alice(), root(), user("nobody", &["unknown-group"])] {
            assert_eq!(
                decide(&engine, &who, &call(operation, &body)),
                allowed(&["read-only-for-everyone"], operation.as_str()),
                "{operation:?} by {}",
                who.principal
            );
        }
    }
}

#[test]
fn cancel_is_for_on_call_and_admins_only() {
    let engine = shipped();
    let cancel = call(
        OperationName::CancelCommand,
        &json!({ "CommandId": "0123abcd-0123-4567-89ab-0123456789ab" }),
    );
    assert_eq!(
        decide(&engine, &alice(), &cancel),
        allowed(&["on-call-cancel"], "CancelCommand")
    );
    assert_eq!(
        decide(&engine, &root(), &cancel),
        allowed(&["admins-run-anything"], "CancelCommand")
    );
    assert_eq!(
        decide(&engine, &bob(), &cancel),
        denied(&[], "CancelCommand")
    );
}

#[test]
fn on_call_may_restart_an_allow_listed_service_on_staging() {
    let engine = shipped();
    assert_eq!(
        decide(&engine, &alice(), &send(&restart())),
        allowed(&["on-call-restart-staging"], "SendCommand")
    );
    for service in ["redis", "worker"] {
        let mut body = restart();
        body["Parameters"]["service"] = json!([service]);
        assert!(decide(&engine, &alice(), &send(&body)).allowed, "{service}");
    }
    // The staging check holds however many staging values are given.
    let mut body = restart();
    body["Targets"][0]["Values"] = json!(["staging", "staging"]);
    assert!(decide(&engine, &alice(), &send(&body)).allowed);
}

#[test]
fn on_call_restart_is_bounded_by_env_service_parameters_and_targets() {
    let engine = shipped();
    let cases = [
        ("env=prod", {
            let mut b = restart();
            b["Targets"][0]["Values"] = json!(["prod"]);
            b
        }),
        ("env staging or prod", {
            let mut b = restart();
            b["Targets"][0]["Values"] = json!(["staging", "prod"]);
            b
        }),
        ("another tag than env", {
            let mut b = restart();
            b["Targets"][0]["Key"] = json!("tag:team");
            b
        }),
        ("a service not on the allow-list", {
            let mut b = restart();
            b["Parameters"]["service"] = json!(["postgres"]);
            b
        }),
        ("an allowed and a refused service", {
            let mut b = restart();
            b["Parameters"]["service"] = json!(["nginx", "sshd"]);
            b
        }),
        ("an extra parameter", {
            let mut b = restart();
            b["Parameters"]["flags"] = json!(["--force"]);
            b
        }),
        ("no service parameter", {
            let mut b = restart();
            b["Parameters"] = json!({});
            b
        }),
        ("InstanceIds instead of tags", {
            let mut b = restart();
            b.as_object_mut().unwrap().remove("Targets");
            b["InstanceIds"] = json!(["i-0123456789abcdef0"]);
            b
        }),
        ("an InstanceIds target next to the tag", {
            let mut b = restart();
            b["Targets"] = json!([
                { "Key": "tag:env", "Values": ["staging"] },
                { "Key": "InstanceIds", "Values": ["i-0123456789abcdef0"] },
            ]);
            b
        }),
        ("another document", {
            let mut b = restart();
            b["DocumentName"] = json!("AWS-RunPowerShellScript");
            b
        }),
    ];
    for (what, body) in cases {
        assert_eq!(
            decide(&engine, &alice(), &send(&body)),
            denied(&[], "SendCommand"),
            "{what}"
        );
    }
    // The same request from someone outside on-call.
    assert_eq!(
        decide(&engine, &bob(), &send(&restart())),
        denied(&[], "SendCommand")
    );
}

#[test]
fn every_command_names_a_ticket() {
    let engine = shipped();
    for comment in [
        None,
        Some(""),
        Some("restart nginx"),
        Some("chg-1 lower case"),
    ] {
        let mut body = restart();
        match comment {
            None => {
                body.as_object_mut().unwrap().remove("Comment");
            }
            Some(c) => body["Comment"] = json!(c),
        }
        assert_eq!(
            decide(&engine, &alice(), &send(&body)),
            denied(&["comment-names-a-ticket"], "SendCommand"),
            "{comment:?}"
        );
    }
    let mut body = restart();
    body["Comment"] = json!("INC-42 nginx wedged");
    assert!(decide(&engine, &alice(), &send(&body)).allowed);
}

fn shell(instance: &str, comment: &str) -> serde_json::Value {
    json!({
        "DocumentName": "AWS-RunShellScript",
        "InstanceIds": [instance],
        "Parameters": { "commands": ["uptime"] },
        "Comment": comment,
    })
}

#[test]
fn only_admins_run_shell_scripts() {
    let engine = shipped();
    let body = shell("i-0123456789abcdef0", "CHG-7 check load");
    assert_eq!(
        decide(&engine, &bob(), &send(&body)),
        denied(&["shell-scripts-only-for-admins"], "SendCommand")
    );
    assert_eq!(
        decide(&engine, &alice(), &send(&body)),
        denied(&["shell-scripts-only-for-admins"], "SendCommand")
    );
    // A non-admin without a ticket breaks both rules.
    assert_eq!(
        decide(
            &engine,
            &bob(),
            &send(&shell("i-0123456789abcdef0", "oops"))
        ),
        denied(
            &["comment-names-a-ticket", "shell-scripts-only-for-admins"],
            "SendCommand"
        )
    );
    assert_eq!(
        decide(&engine, &root(), &send(&body)),
        allowed(&["admins-run-anything"], "SendCommand")
    );
    // Admins need a ticket too.
    assert_eq!(
        decide(
            &engine,
            &root(),
            &send(&shell("i-0123456789abcdef0", "quick look"))
        ),
        denied(&["comment-names-a-ticket"], "SendCommand")
    );
    // Membership of both groups is enough.
    assert!(
        decide(
            &engine,
            &user("carol", &["on-call", "admins"]),
            &send(&body)
        )
        .allowed
    );
}

fn wildcard_bodies() -> Vec<(&'static str, serde_json::Value)> {
    let base = |targets: serde_json::Value| {
        json!({
            "DocumentName": "AWS-RunShellScript",
            "Targets": targets,
            "Parameters": { "commands": ["uptime"] },
            "Comment": "CHG-9 fleet-wide",
        })
    };
    vec![
        (
            "InstanceIds target *",
            base(json!([{ "Key": "InstanceIds", "Values": ["*"] }])),
        ),
        (
            "tag value *",
            base(json!([{ "Key": "tag:env", "Values": ["*"] }])),
        ),
        (
            "tag value with *",
            base(json!([{ "Key": "tag:env", "Values": ["stag*"] }])),
        ),
        (
            "tag-key",
            base(json!([{ "Key": "tag-key", "Values": ["env"] }])),
        ),
        (
            "resource group",
            base(json!([{ "Key": "resource-groups:Name", "Values": ["web"] }])),
        ),
    ]
}

#[test]
fn wildcard_targets_are_denied_even_for_admins() {
    let engine = shipped();
    for (what, body) in wildcard_bodies() {
        assert_eq!(
            decide(&engine, &root(), &send(&body)),
            denied(&[], "SendCommandUnbounded"),
            "{what}"
        );
    }
    // Top-level InstanceIds ["*"] does not even pass the core's validation.
    assert!(crate::call::parse(
        OperationName::SendCommand,
        br#"{"DocumentName":"AWS-RunShellScript","InstanceIds":["*"],"Comment":"CHG-1"}"#,
    )
    .is_err());
    // A bounded admin call next to it is fine.
    let body = shell("i-0123456789abcdef0", "CHG-9");
    assert!(decide(&engine, &root(), &send(&body)).allowed);
    // An on-call restart with a * env is refused by the first check already.
    let mut restart = restart();
    restart["Targets"][0]["Values"] = json!(["*"]);
    assert_eq!(
        decide(&engine, &alice(), &send(&restart)),
        denied(&[], "SendCommand")
    );
}

const UNBOUNDED_FOR_ADMINS: &str = r#"
@id("admins-unbounded")
permit (principal in Group::"admins", action == Action::"SendCommandUnbounded", resource);
"#;

#[test]
fn a_configured_permit_for_unbounded_targets_allows_them() {
    let sources = SHIPPED_POLICIES
        .iter()
        .copied()
        .chain([("unbounded.cedar", UNBOUNDED_FOR_ADMINS)]);
    let engine = PolicyEngine::new(sources).unwrap();
    assert!(engine.policy_ids().contains(&"admins-unbounded".to_owned()));
    for (what, body) in wildcard_bodies() {
        assert_eq!(
            decide(&engine, &root(), &send(&body)),
            allowed(&["admins-unbounded"], "SendCommandUnbounded"),
            "{what}"
        );
        // The SendCommand check still runs first: without a ticket, denied there.
        let mut no_ticket = body.clone();
        no_ticket["Comment"] = json!("no ticket");
        assert_eq!(
            decide(&engine, &root(), &send(&no_ticket)),
            denied(&["comment-names-a-ticket"], "SendCommand"),
            "{what}"
        );
        // Non-admins are stopped by the shell-script rule.
        assert!(!decide(&engine, &alice(), &send(&body)).allowed, "{what}");
    }
}

#[test]
fn a_schema_error_is_refused_naming_the_policy() {
    let bad = r#"
        @id("looks-at-nope")
        permit (principal, action == Action::"SendCommand", resource)
        when { context.nope == "x" };
    "#;
    let sources = SHIPPED_POLICIES.iter().copied().chain([("bad.cedar", bad)]);
    let error = PolicyEngine::new(sources).unwrap_err();
    let PolicyError::Validation(problems) = &error else {
        panic!("expected a validation error, got {error:?}");
    };
    let message = problems.to_string();
    assert!(message.contains("looks-at-nope"), "{message}");
    assert!(message.contains("nope"), "{message}");
    assert!(
        error.to_string().starts_with(
            "bad.cedar:4:16: policy \"looks-at-nope\" does not validate against the schema"
        ),
        "{error}"
    );

    // A context attribute of another action, an unknown action and a type error.
    for (id, text) in [
        (
            "read-with-comment",
            r#"@id("read-with-comment") permit (principal, action == Action::"ListCommands", resource) when { context.comment == "x" };"#,
        ),
        (
            "no-such-action",
            r#"@id("no-such-action") permit (principal, action == Action::"DeleteDocument", resource);"#,
        ),
        (
            "long-comment",
            r#"@id("long-comment") permit (principal, action == Action::"SendCommand", resource) when { context.comment > 3 };"#,
        ),
    ] {
        match PolicyEngine::new([("p.cedar", text)]) {
            Err(PolicyError::Validation(problems)) => {
                let message = problems.to_string();
                assert!(message.contains(id), "{id}: {message}");
            }
            other => panic!("{id}: expected a validation error, got {other:?}"),
        }
    }
}

#[test]
fn a_syntax_error_names_the_source() {
    let error = PolicyEngine::new([
        ("10-read-only.cedar", SHIPPED_POLICIES[0].1),
        ("broken.cedar", "permit (principal, action, resource"),
    ])
    .unwrap_err();
    let PolicyError::Syntax(problems) = &error else {
        panic!("expected a syntax error, got {error:?}");
    };
    assert_eq!(problems.0.len(), 1, "{problems}");
    assert_eq!(problems.0[0].source_name, "broken.cedar");
    assert!(
        error
            .to_string()
            .starts_with("broken.cedar:1:36: Cedar syntax error: unexpected end of input"),
        "{error}"
    );
}

#[test]
fn templates_are_refused() {
    let error = PolicyEngine::new([(
        "template.cedar",
        "permit (principal == ?principal, action, resource);",
    )])
    .unwrap_err();
    assert!(
        matches!(
            &error,
            PolicyError::Syntax(problems)
                if problems.0[0].source_name == "template.cedar"
                    && problems.0[0].message.contains("templates")
        ),
        "{error:?}"
    );
}

#[test]
fn duplicate_ids_are_refused() {
    let one = r#"@id("same") permit (principal, action == Action::"ListCommands", resource);"#;
    let two = r#"@id("same") permit (principal, action == Action::"ListDocuments", resource);"#;
    let error = PolicyEngine::new([("one.cedar", one), ("two.cedar", two)]).unwrap_err();
    assert!(
        matches!(
            &error,
            PolicyError::DuplicateId { source_name, id } if source_name == "two.cedar" && id == "same"
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "two.cedar: policy id \"same\" is used twice"
    );
    // Within one source too.
    let both = format!("{one}\n{two}");
    assert!(matches!(
        PolicyEngine::new([("both.cedar", both.as_str())]),
        Err(PolicyError::DuplicateId { .. })
    ));
    // A shipped id reused by a configured policy.
    let clash = r#"@id("read-only-for-everyone") permit (principal, action == Action::"ListCommands", resource);"#;
    let sources = SHIPPED_POLICIES
        .iter()
        .copied()
        .chain([("mine.cedar", clash)]);
    assert!(matches!(
        PolicyEngine::new(sources),
        Err(PolicyError::DuplicateId { id, .. }) if id == "read-only-for-everyone"
    ));
}

#[test]
fn no_policy_is_refused() {
    assert!(matches!(
        PolicyEngine::new(std::iter::empty()),
        Err(PolicyError::Empty)
    ));
    assert!(matches!(
        PolicyEngine::new([("empty.cedar", ""), ("comments.cedar", "// nothing here\n")]),
        Err(PolicyError::Empty)
    ));
}

#[test]
fn policies_without_an_id_are_named_after_their_source() {
    let text = r#"
        permit (principal, action == Action::"ListCommands", resource);
        permit (principal, action == Action::"ListDocuments", resource);
    "#;
    let engine = PolicyEngine::new([("POLICIES", text)]).unwrap();
    assert_eq!(engine.policy_ids(), ["POLICIES#0", "POLICIES#1"]);
    let decision = decide(
        &engine,
        &bob(),
        &call(OperationName::ListDocuments, &json!({})),
    );
    assert!(decision.allowed);
    assert_eq!(decision.policy_ids.len(), 1);
    assert!(decision.policy_ids[0].starts_with("POLICIES#"));
    // Nothing else is permitted.
    assert_eq!(
        decide(
            &engine,
            &bob(),
            &call(OperationName::DescribeInstanceInformation, &json!({}))
        ),
        denied(&[], "DescribeInstanceInformation")
    );
}

const OFFICE_ONLY: &str = r#"
@id("office-network-lists")
permit (principal, action == Action::"ListCommands", resource)
when { context.caller has sourceIp && context.caller.sourceIp.isInRange(ip("10.0.0.0/8")) };
"#;

#[test]
fn source_ip_is_in_the_context_when_it_parses() {
    let engine = PolicyEngine::new([("office.cedar", OFFICE_ONLY)]).unwrap();
    let list = call(OperationName::ListCommands, &json!({}));
    let from = |ip: Option<&str>| Caller {
        source_ip: ip.map(str::to_owned),
        ..caller()
    };
    assert_eq!(
        engine.decide(&bob(), &list, &from(Some("10.1.2.3"))),
        allowed(&["office-network-lists"], "ListCommands")
    );
    for ip in [
        Some("192.168.1.10"),
        Some("11.0.0.1"),
        Some("::1"),
        Some("10.1.2.3, 8.8.8.8"),
        Some("not an address"),
        None,
    ] {
        assert_eq!(
            engine.decide(&bob(), &list, &from(ip)),
            denied(&[], "ListCommands"),
            "{ip:?}"
        );
    }
}

#[test]
fn time_and_auth_method_are_in_the_context() {
    let text = r#"
        @id("thursday-morning-jwt")
        permit (principal, action == Action::"ListCommands", resource)
        when {
            context.caller.weekday == 4 && context.caller.hour == 7 &&
            context.caller.minute == 38 && context.caller.authMethod == "jwt"
        };
    "#;
    let engine = PolicyEngine::new([("time.cedar", text)]).unwrap();
    let list = call(OperationName::ListCommands, &json!({}));
    let at = |auth_method, now| Caller {
        auth_method,
        now,
        ..caller()
    };
    assert!(engine.decide(&bob(), &list, &at("jwt", NOW)).allowed);
    assert!(!engine.decide(&bob(), &list, &at("sigv4", NOW)).allowed);
    // One minute later, one hour later, one day later (Friday).
    for now in [NOW + 60, NOW + 3600, NOW + 86_400] {
        assert!(
            !engine.decide(&bob(), &list, &at("jwt", now)).allowed,
            "{now}"
        );
    }
    // Sunday is 7 and Monday 1: 2026-11-29 and 2026-11-30.
    let sunday = r#"@id("sunday") permit (principal, action == Action::"ListCommands", resource) when { context.caller.weekday == 7 };"#;
    let monday = r#"@id("monday") permit (principal, action == Action::"ListDocuments", resource) when { context.caller.weekday == 1 };"#;
    let engine = PolicyEngine::new([("days.cedar", sunday), ("days2.cedar", monday)]).unwrap();
    let docs = call(OperationName::ListDocuments, &json!({}));
    assert!(
        engine
            .decide(&bob(), &list, &at("sigv4", NOW + 3 * 86_400))
            .allowed
    );
    assert!(
        engine
            .decide(&bob(), &docs, &at("sigv4", NOW + 4 * 86_400))
            .allowed
    );
    assert!(
        !engine
            .decide(&bob(), &docs, &at("sigv4", NOW + 3 * 86_400))
            .allowed
    );
}

#[test]
fn send_command_context_carries_the_request_facts() {
    let text = r#"
        @id("small-careful-runs")
        permit (principal, action == Action::"SendCommand", resource == Document::"AWS-RunShellScript")
        when {
            context.timeoutSeconds <= 600 && context.maxConcurrency == "1" &&
            context.maxErrors == "0" && context.documentVersion == "" &&
            !context.outputToS3 && !context.notifications &&
            context.parameterNames == ["commands"] &&
            context.targets.keys == ["InstanceIds"] &&
            context.targets.instanceIds.contains("i-0123456789abcdef0") &&
            !context.targets.unbounded
        };
    "#;
    let engine = PolicyEngine::new([("careful.cedar", text)]).unwrap();
    let body = json!({
        "DocumentName": "AWS-RunShellScript",
        "InstanceIds": ["i-0123456789abcdef0"],
        "Parameters": { "commands": ["uptime"] },
        "TimeoutSeconds": 300,
        "MaxConcurrency": "1",
    });
    assert_eq!(
        decide(&engine, &bob(), &send(&body)),
        allowed(&["small-careful-runs"], "SendCommand")
    );
    let variations = [
        ("TimeoutSeconds", json!(900)),
        ("MaxConcurrency", json!("10")),
        ("MaxErrors", json!("1")),
        ("DocumentVersion", json!("2")),
        ("OutputS3BucketName", json!("my-bucket")),
        (
            "ServiceRoleArn",
            json!("arn:aws:iam::123456789012:role/sns"),
        ),
        ("InstanceIds", json!(["i-0123456789abcdef1"])),
    ];
    for (field, value) in variations {
        let mut changed = body.clone();
        changed[field] = value;
        assert!(!decide(&engine, &bob(), &send(&changed)).allowed, "{field}");
    }
    // Absent TimeoutSeconds is the service default, 3600.
    let mut default_timeout = body.clone();
    default_timeout
        .as_object_mut()
        .unwrap()
        .remove("TimeoutSeconds");
    assert!(!decide(&engine, &bob(), &send(&default_timeout)).allowed);
}

#[test]
fn cancel_command_context_carries_the_command_and_instances() {
    let text = r#"
        @id("cancel-one")
        permit (principal, action == Action::"CancelCommand", resource)
        when {
            context.commandId == "0123abcd-0123-4567-89ab-0123456789ab" &&
            context.instanceIds == ["i-0123456789abcdef0"]
        };
    "#;
    let engine = PolicyEngine::new([("cancel.cedar", text)]).unwrap();
    let cancel = |body: serde_json::Value| call(OperationName::CancelCommand, &body);
    assert!(
        decide(
            &engine,
            &bob(),
            &cancel(json!({
                "CommandId": "0123abcd-0123-4567-89ab-0123456789ab",
                "InstanceIds": ["i-0123456789abcdef0"],
            }))
        )
        .allowed
    );
    assert!(
        !decide(
            &engine,
            &bob(),
            &cancel(json!({ "CommandId": "0123abcd-0123-4567-89ab-0123456789ab" }))
        )
        .allowed
    );
}

#[test]
fn the_schema_parses_and_names_every_operation() {
    let (schema, _) = cedar_policy::Schema::from_cedarschema_str(SCHEMA).unwrap();
    let actions: Vec<String> = schema
        .actions()
        .map(|a| a.id().escaped().to_string())
        .collect();
    // The gateway's own operations are decided by `ApproveCommand` on the approval.
    for op in OperationName::SSM {
        assert!(
            actions.iter().any(|a| a == op.as_str()),
            "{op:?} missing from {actions:?}"
        );
    }
    assert!(actions.iter().any(|a| a == "SendCommandUnbounded"));
    assert!(actions.iter().any(|a| a == USE_FOREIGN_DOCUMENT));
}

#[test]
fn repeated_groups_do_not_break_the_decision() {
    // A JWT's groups claim (or a key's groups) may name a group twice.
    let engine = shipped();
    let twice = user("alice", &["on-call", "on-call"]);
    assert_eq!(
        decide(&engine, &twice, &send(&restart())),
        allowed(&["on-call-restart-staging"], "SendCommand")
    );
}

fn with_document(mut body: serde_json::Value, document: &str) -> serde_json::Value {
    body["DocumentName"] = json!(document);
    body
}

fn describe(name: &str) -> ParsedCall {
    call(OperationName::DescribeDocument, &json!({ "Name": name }))
}

const FOREIGN_RESTART: &str = "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService";

#[test]
fn a_foreign_document_is_denied_for_on_call_and_admins() {
    // Anyone can share a document named like an allowed one from their own account.
    let engine = scoped();
    let body = with_document(restart(), FOREIGN_RESTART);
    // `resource == Document::"Ops-RestartService"` does not match the ARN.
    let decision = decide(&engine, &alice(), &send(&body));
    assert_eq!(decision, denied(&[], "SendCommand"));
    assert_eq!(decision.resource, format!("document/{FOREIGN_RESTART}"));
    let document = decision.document.expect("the document");
    assert_eq!(document.owner, Owner::Foreign);
    assert_eq!(document.name, "Ops-RestartService");
    // Admins may run any document, but not a foreign one.
    let shell = with_document(shell("i-0123456789abcdef0", "CHG-5"), FOREIGN_RESTART);
    assert_eq!(
        decide(&engine, &root(), &send(&shell)),
        denied(&[], "UseForeignDocument")
    );
    // Reading it is refused too.
    for who in [bob(), alice(), root()] {
        let decision = decide(&engine, &who, &describe(FOREIGN_RESTART));
        assert_eq!(
            decision,
            denied(&[], "UseForeignDocument"),
            "{}",
            who.principal
        );
        assert_eq!(decision.resource, format!("document/{FOREIGN_RESTART}"));
    }
    // Without any upstream scope, the same.
    assert_eq!(
        decide(&shipped(), &alice(), &send(&body)),
        denied(&[], "SendCommand")
    );
}

#[test]
fn an_own_account_arn_decides_like_the_name() {
    let engine = scoped();
    let own = format!("arn:aws:ssm:us-east-1:{ACCOUNT}:document/Ops-RestartService");
    let decision = decide(&engine, &alice(), &send(&with_document(restart(), &own)));
    assert_eq!(
        decision,
        allowed(&["on-call-restart-staging"], "SendCommand")
    );
    assert_eq!(decision.resource, format!("document/{own}"));
    assert_eq!(decision.document.unwrap().owner, Owner::Upstream);
    // And refused like the name: another service.
    let mut body = with_document(restart(), &own);
    body["Parameters"]["service"] = json!(["sshd"]);
    assert_eq!(
        decide(&engine, &alice(), &send(&body)),
        denied(&[], "SendCommand")
    );
    // AWS-owned documents by ARN (no account) are their names: the shell rule holds.
    let aws = "arn:aws:ssm:us-east-1::document/AWS-RunShellScript";
    let body = with_document(shell("i-0123456789abcdef0", "CHG-3"), aws);
    assert_eq!(
        decide(&engine, &bob(), &send(&body)),
        denied(&["shell-scripts-only-for-admins"], "SendCommand")
    );
    assert_eq!(
        decide(&engine, &root(), &send(&body)),
        allowed(&["admins-run-anything"], "SendCommand")
    );
    assert_eq!(
        decide(&engine, &bob(), &describe(&own)),
        allowed(&["read-only-for-everyone"], "DescribeDocument")
    );
}

#[test]
fn an_arn_of_another_region_or_partition_is_foreign() {
    let engine = scoped();
    for arn in [
        format!("arn:aws:ssm:us-west-2:{ACCOUNT}:document/Ops-RestartService"),
        format!("arn:aws-cn:ssm:us-east-1:{ACCOUNT}:document/Ops-RestartService"),
        format!("arn:aws-us-gov:ssm:us-gov-west-1:{ACCOUNT}:document/Ops-RestartService"),
        // Empty account but not AWS-owned, or AWS-owned elsewhere.
        "arn:aws:ssm:us-east-1::document/Ops-RestartService".to_owned(),
        "arn:aws:ssm:eu-west-1::document/AWS-RunShellScript".to_owned(),
        // Not a document ARN at all, or a name with a path.
        format!("arn:aws:ssm:us-east-1:{ACCOUNT}:automation-definition/Ops-RestartService"),
        "Ops/RestartService".to_owned(),
    ] {
        let decision = decide(&engine, &alice(), &send(&with_document(restart(), &arn)));
        assert_eq!(decision, denied(&[], "SendCommand"), "{arn}");
        assert_eq!(decision.document.unwrap().owner, Owner::Foreign, "{arn}");
        let body = with_document(shell("i-0123456789abcdef0", "CHG-5"), &arn);
        assert_eq!(
            decide(&engine, &root(), &send(&body)),
            denied(&[], "UseForeignDocument"),
            "{arn}"
        );
    }
}

#[test]
fn without_the_upstream_account_every_account_arn_is_foreign() {
    let engine = shipped();
    let decide = |engine: &PolicyEngine, who: &Identity, call: &ParsedCall| {
        engine.decide(who, call, &caller_without_account_id())
    };
    let own = format!("arn:aws:ssm:us-east-1:{ACCOUNT}:document/Ops-RestartService");
    assert_eq!(
        decide(&engine, &alice(), &send(&with_document(restart(), &own))),
        denied(&[], "SendCommand")
    );
    let body = with_document(shell("i-0123456789abcdef0", "CHG-5"), &own);
    assert_eq!(
        decide(&engine, &root(), &send(&body)),
        denied(&[], "UseForeignDocument")
    );
    // Plain names, and AWS-owned ARNs of the upstream's region, are still fine.
    assert!(decide(&engine, &alice(), &send(&restart())).allowed);
    let aws = with_document(
        shell("i-0123456789abcdef0", "CHG-5"),
        "arn:aws:ssm:us-east-1::document/AWS-RunShellScript",
    );
    assert_eq!(
        decide(&engine, &root(), &send(&aws)),
        allowed(&["admins-run-anything"], "SendCommand")
    );
}

/// The commented example of gateway/policies/30-admins.cedar.
const FOREIGN_FOR_ADMINS: &str = r#"
@id("admins-use-tooling-account-documents")
permit (
  principal in Group::"admins",
  action == Action::"UseForeignDocument",
  resource
)
when {
  resource has account && resource.account == "111122223333" &&
  resource has region && resource.region == "us-east-1"
};
"#;

#[test]
fn a_policy_can_permit_one_foreign_account() {
    let example = SHIPPED_POLICIES
        .iter()
        .find(|(name, _)| name.ends_with("/30-admins.cedar"))
        .unwrap()
        .1;
    let uncommented: String = example
        .lines()
        .filter_map(|l| l.strip_prefix("// "))
        .skip_while(|l| !l.starts_with("@id"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(uncommented.trim(), FOREIGN_FOR_ADMINS.trim());
    let sources = SHIPPED_POLICIES
        .iter()
        .copied()
        .chain([("foreign.cedar", FOREIGN_FOR_ADMINS)]);
    let engine = PolicyEngine::new(sources).unwrap();
    let tooling = "arn:aws:ssm:us-east-1:111122223333:document/Tooling-Collect";
    let body = with_document(shell("i-0123456789abcdef0", "CHG-5"), tooling);
    assert_eq!(
        decide(&engine, &root(), &send(&body)),
        allowed(
            &["admins-use-tooling-account-documents"],
            "UseForeignDocument"
        )
    );
    assert_eq!(
        decide(&engine, &root(), &describe(tooling)),
        allowed(
            &["admins-use-tooling-account-documents"],
            "UseForeignDocument"
        )
    );
    // Another account, or a non-admin, is still refused.
    let other = with_document(body.clone(), FOREIGN_RESTART);
    assert_eq!(
        decide(&engine, &root(), &send(&other)),
        denied(&[], "UseForeignDocument")
    );
    assert!(!decide(&engine, &bob(), &describe(tooling)).allowed);
    // The SendCommand check still comes first.
    let mut no_ticket = body;
    no_ticket["Comment"] = json!("no ticket");
    assert_eq!(
        decide(&engine, &root(), &send(&no_ticket)),
        denied(&["comment-names-a-ticket"], "SendCommand")
    );
}

#[test]
fn on_call_may_not_choose_output_destinations_but_admins_may() {
    let engine = scoped();
    let fields = [
        ("OutputS3BucketName", json!("exfil-bucket")),
        ("OutputS3KeyPrefix", json!("runs/")),
        ("OutputS3Region", json!("us-west-2")),
        (
            "CloudWatchOutputConfig",
            json!({ "CloudWatchOutputEnabled": true, "CloudWatchLogGroupName": "/x" }),
        ),
        (
            "NotificationConfig",
            json!({ "NotificationArn": "arn:aws:sns:us-east-1:999999999999:t" }),
        ),
        ("ServiceRoleArn", json!("arn:aws:iam::999999999999:role/r")),
    ];
    for (field, value) in fields {
        let mut body = restart();
        body[field] = value.clone();
        assert_eq!(
            decide(&engine, &alice(), &send(&body)),
            denied(&["output-destinations-only-for-admins"], "SendCommand"),
            "{field}"
        );
        let mut body = shell("i-0123456789abcdef0", "CHG-5");
        body[field] = value;
        assert_eq!(
            decide(&engine, &root(), &send(&body)),
            allowed(&["admins-run-anything"], "SendCommand"),
            "{field}"
        );
    }
    // Alarms, version and hash are not destinations.
    let mut body = restart();
    body["AlarmConfiguration"] = json!({ "Alarms": [{ "Name": "cpu-high" }] });
    body["DocumentVersion"] = json!("3");
    assert!(decide(&engine, &alice(), &send(&body)).allowed);
}

/// A policy that permits exactly [`every_send_command_member`]: each member's value is
/// checked, so leaving one out (or changing it) denies. (Several `when` clauses: one
/// `&&` chain this long exceeds Cedar's recursion limit.)
const EVERY_MEMBER: &str = r#"
@id("exactly-the-fixture")
permit (principal, action == Action::"SendCommand", resource == Document::"Ops-RestartService")
when {
  resource.owner == "self" && resource.name == "Ops-RestartService" &&
  context.targets.instanceIds == ["i-0123456789abcdef0"] &&
  context.targets.keys == ["InstanceIds", "tag:env"] &&
  context.targets.tags.hasTag("env") && context.targets.tags.getTag("env") == ["staging"]
}
when {
  context.documentVersion == "2" &&
  context has documentHash &&
  context.documentHash == "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" &&
  context has documentHashType && context.documentHashType == "Sha256" &&
  context.timeoutSeconds == 600 &&
  context.comment == "CHG-1 restart" &&
  context.parameterNames == ["service"] &&
  context.parameters.hasTag("service") && context.parameters.getTag("service") == ["nginx"]
}
when {
  context has outputS3 && context.outputS3.region == "us-west-2" &&
  context.outputS3.bucket == "exfil-bucket" && context.outputS3.keyPrefix == "runs/" &&
  context.outputToS3 &&
  context.maxConcurrency == "1" && context.maxErrors == "1" &&
  context has serviceRoleArn &&
  context.serviceRoleArn == "arn:aws:iam::123456789012:role/ssm-sns" &&
  context.notifications
}
when {
  context has notification &&
  context.notification.arn == "arn:aws:sns:us-east-1:123456789012:runs" &&
  context.notification.events == ["Success", "Failed"] &&
  context.notification.notificationType == "Command" &&
  context has cloudWatchOutput &&
  context.cloudWatchOutput.logGroupName == "/ssm/runs" && context.cloudWatchOutput.enabled &&
  context has alarms &&
  context.alarms.ignorePollAlarmFailure && context.alarms.names == ["cpu-high"]
};
"#;

#[test]
fn every_send_command_member_is_in_the_cedar_request() {
    use ssm_edge_core::validate::{Schema as _, Shape};
    let engine = PolicyEngine::new([("every.cedar", EVERY_MEMBER)]).unwrap();
    let body = every_send_command_member();
    // Built without the core's documented rules (which allow only one of InstanceIds
    // and Targets): this is about what the context carries.
    let send = |body: &serde_json::Value| {
        ParsedCall::SendCommand(Box::new(serde_json::from_value(body.clone()).unwrap()))
    };
    assert_eq!(
        decide(&engine, &bob(), &send(&body)),
        allowed(&["exactly-the-fixture"], "SendCommand")
    );
    let Shape::Struct(members) = ssm_edge_core::model::SendCommandInput::SHAPE else {
        panic!("SendCommandInput is a structure");
    };
    for member in members.iter().map(|m| &m.name) {
        // A member the core's model gains must be carried (and listed) here.
        assert!(
            SEND_COMMAND_MEMBERS.iter().any(|(m, _)| m == member),
            "{member} is missing from SEND_COMMAND_MEMBERS (and the Cedar context)"
        );
        assert!(body.get(*member).is_some(), "the fixture lacks {member}");
        if *member == "DocumentName" {
            continue; // required; the resource, checked by the tests above
        }
        let mut without = body.clone();
        without.as_object_mut().unwrap().remove(*member);
        assert!(
            !decide(&engine, &bob(), &send(&without)).allowed,
            "{member} is not seen by the policy"
        );
    }
    assert_eq!(SEND_COMMAND_MEMBERS.len(), members.len());
    // The serialized input has no member the model does not list.
    let input: ssm_edge_core::model::SendCommandInput = serde_json::from_value(body).unwrap();
    let serialized = serde_json::to_value(&input).unwrap();
    for key in serialized.as_object().unwrap().keys() {
        assert!(members.iter().any(|m| m.name == key), "{key}");
    }
}

#[test]
fn describe_document_context_carries_the_version() {
    let text = r#"
        @id("describe-v2")
        permit (principal, action == Action::"DescribeDocument", resource)
        when { context has versionName && context.versionName == "v2" && !(context has documentVersion) };
    "#;
    let engine = PolicyEngine::new([("d.cedar", text)]).unwrap();
    let with = |body: serde_json::Value| call(OperationName::DescribeDocument, &body);
    assert!(
        decide(
            &engine,
            &bob(),
            &with(json!({ "Name": "X-Doc", "VersionName": "v2" }))
        )
        .allowed
    );
    assert!(!decide(&engine, &bob(), &with(json!({ "Name": "X-Doc" }))).allowed);
    assert!(
        !decide(
            &engine,
            &bob(),
            &with(json!({ "Name": "X-Doc", "VersionName": "v2", "DocumentVersion": "1" }))
        )
        .allowed
    );
}

#[test]
fn decisions_name_the_resource() {
    let engine = scoped();
    let list = call(OperationName::ListCommands, &json!({}));
    let decision = decide(&engine, &bob(), &list);
    assert_eq!(decision.resource, "fleet");
    assert_eq!(decision.document, None);
    let decision = decide(&engine, &bob(), &send(&restart()));
    assert_eq!(decision.resource, "document/Ops-RestartService");
    assert_eq!(decision.document.unwrap().owner, Owner::Upstream);
}

#[test]
fn the_schema_summary_shows_the_new_fields() {
    let summary = schema_summary().unwrap();
    for needle in [
        "entity Document: account?: String, arn?: String, name: String, owner: String",
        "outputS3?: {bucket: String, keyPrefix: String, region: String}",
        "serviceRoleArn?: String",
        "action UseForeignDocument on Document: context {account: String, accountId: String, caller: Caller, operation: String, region: String}",
        "action ListCommands on Fleet: context {account: String, accountId: String, caller: Caller, region: String}",
    ] {
        assert!(summary.contains(needle), "{needle} not in\n{summary}");
    }
}

#[test]
fn the_json_schema_is_the_cedar_schema() {
    let from_text: serde_json::Value =
        serde_json::from_str(&PolicyEngine::schema_as_json().unwrap()).unwrap();
    let shipped: serde_json::Value = serde_json::from_str(SCHEMA_JSON).unwrap();
    assert_eq!(
        from_text, shipped,
        "gateway/src/policy/ssm.cedarschema.json is stale: run `make regen`"
    );
}

#[test]
fn a_policy_that_fails_to_evaluate_denies() {
    // Cedar skips a policy whose evaluation fails; a skipped forbid would let the call
    // through. Here the forbid's condition is too deep for Cedar's recursion limit.
    let chain = vec!["context.timeoutSeconds > 0"; 60].join(" && ");
    let forbid = format!(
        r#"@id("deep-forbid") forbid (principal, action == Action::"SendCommand", resource) when {{ {chain} }};"#
    );
    let sources = SHIPPED_POLICIES
        .iter()
        .copied()
        .chain([("deep.cedar", forbid.as_str())]);
    let engine = PolicyEngine::new(sources).unwrap();
    assert_eq!(
        decide(&engine, &alice(), &send(&restart())),
        denied(&["deep-forbid"], "SendCommand")
    );
    // Reads are not concerned by it.
    assert!(
        decide(
            &engine,
            &bob(),
            &call(OperationName::ListCommands, &json!({}))
        )
        .allowed
    );
}

mod approvals;
mod compiled;
mod reads;
mod reasons;
mod routes;
