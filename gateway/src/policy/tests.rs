//! The shipped schema and policies, and the engine's loading rules.

use serde_json::json;
use ssm_edge_core::model::OperationName;

use super::*;
use crate::identity::AuthMethod;

/// 2026-11-26T07:38:13Z, a Thursday.
const NOW: u64 = 1_795_678_693;

fn user(name: &str, groups: &[&str]) -> Identity {
    Identity {
        principal: name.to_owned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        method: AuthMethod::SigV4,
        replay_key: None,
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

fn caller() -> Caller {
    Caller {
        auth_method: "sigv4",
        source_ip: None,
        now: NOW,
    }
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

fn allowed(ids: &[&str], action: &'static str) -> Decision {
    Decision {
        allowed: true,
        policy_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        action,
    }
}

fn denied(ids: &[&str], action: &'static str) -> Decision {
    Decision {
        allowed: false,
        policy_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        action,
    }
}

#[test]
fn shipped_policies_load_and_validate() {
    let engine = shipped();
    assert_eq!(
        engine.policy_ids(),
        [
            "admins-run-anything",
            "comment-names-a-ticket",
            "on-call-cancel",
            "on-call-restart-staging",
            "read-only-for-everyone",
            "shell-scripts-only-for-admins",
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
    let PolicyError::Validation(message) = &error else {
        panic!("expected a validation error, got {error:?}");
    };
    assert!(message.contains("looks-at-nope"), "{message}");
    assert!(message.contains("nope"), "{message}");
    assert!(
        error
            .to_string()
            .starts_with("policies do not validate against the schema"),
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
            Err(PolicyError::Validation(message)) => {
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
    let PolicyError::Syntax {
        source_name,
        message,
    } = &error
    else {
        panic!("expected a syntax error, got {error:?}");
    };
    assert_eq!(source_name, "broken.cedar");
    assert!(!message.is_empty());
    assert!(
        error
            .to_string()
            .starts_with("broken.cedar: Cedar syntax error: "),
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
            PolicyError::Syntax { source_name, message }
                if source_name == "template.cedar" && message.contains("templates")
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
        auth_method: "sigv4",
        source_ip: ip.map(str::to_owned),
        now: NOW,
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
        source_ip: None,
        now,
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
    let (schema, _) = Schema::from_cedarschema_str(SCHEMA).unwrap();
    let actions: Vec<String> = schema
        .actions()
        .map(|a| a.id().escaped().to_string())
        .collect();
    for op in OperationName::ALL {
        assert!(
            actions.iter().any(|a| a == op.as_str()),
            "{op:?} missing from {actions:?}"
        );
    }
    assert!(actions.iter().any(|a| a == "SendCommandUnbounded"));
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

#[test]
fn a_document_named_by_arn_is_decided_as_its_name() {
    // SSM accepts a document ARN as DocumentName: the policies see the name, so a rule
    // about a name cannot be sidestepped with the ARN.
    let engine = shipped();
    let arn = "arn:aws:ssm:us-east-1::document/AWS-RunShellScript";
    let mut body = shell("i-0123456789abcdef0", "CHG-3");
    body["DocumentName"] = json!(arn);
    assert_eq!(
        decide(&engine, &bob(), &send(&body)),
        denied(&["shell-scripts-only-for-admins"], "SendCommand")
    );
    let mut restart = restart();
    restart["DocumentName"] =
        json!("arn:aws:ssm:us-east-1:123456789012:document/Ops-RestartService");
    assert_eq!(
        decide(&engine, &alice(), &send(&restart)),
        allowed(&["on-call-restart-staging"], "SendCommand")
    );
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
