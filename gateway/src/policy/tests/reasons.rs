//! `@reason`: which reasons a decision carries, and which annotations do not load.

use super::*;

const NO_TICKET: &str = "every command needs a Comment that starts with its ticket, \
     CHG-<number> or INC-<number> (e.g. \"CHG-1234 restart nginx\")";
const SHELL: &str = "only admins may run AWS-RunShellScript: use a document made for the \
     task, such as Ops-RestartService";

fn reasons(decision: &Decision) -> Vec<&str> {
    decision.reasons.iter().map(String::as_str).collect()
}

/// The shipped policies and `extra` (named `extra.cedar`).
fn shipped_and(extra: &str) -> PolicyEngine {
    let sources = SHIPPED_POLICIES
        .iter()
        .copied()
        .chain([("extra.cedar", extra)]);
    PolicyEngine::new(sources).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_deciding_forbid_gives_its_reason() {
    let engine = shipped();
    let mut body = restart();
    body["Comment"] = json!("restart please");
    let decision = decide(&engine, &alice(), &send(&body));
    assert_eq!(decision, denied(&["comment-names-a-ticket"], "SendCommand"));
    assert_eq!(reasons(&decision), [NO_TICKET]);

    // Two forbids decide: both reasons, in the order of their ids.
    let shell = json!({
        "DocumentName": "AWS-RunShellScript",
        "InstanceIds": ["i-0123456789abcdef0"],
        "Parameters": { "commands": ["id"] },
    });
    let decision = decide(&engine, &alice(), &send(&shell));
    assert_eq!(
        decision,
        denied(
            &["comment-names-a-ticket", "shell-scripts-only-for-admins"],
            "SendCommand"
        )
    );
    assert_eq!(reasons(&decision), [NO_TICKET, SHELL]);
}

#[test]
fn allowed_and_default_denials_give_no_reason() {
    let engine = shipped();
    let allowed = decide(&engine, &alice(), &send(&restart()));
    assert!(allowed.allowed);
    assert!(allowed.reasons.is_empty());
    // No permit matched (a service off the allow-list): nothing decided, nothing said.
    let mut body = restart();
    body["Parameters"] = json!({ "service": ["postgres"] });
    let decision = decide(&engine, &alice(), &send(&body));
    assert_eq!(decision, denied(&[], "SendCommand"));
    assert!(decision.reasons.is_empty());
    // Nor does a permit's own @reason show when nothing permits.
    let engine = shipped_and(
        r#"@id("reasoned-permit") @reason("permit text")
        permit (principal, action == Action::"SendCommand", resource == Document::"Nothing");"#,
    );
    assert!(decide(&engine, &alice(), &send(&body)).reasons.is_empty());
}

#[test]
fn only_the_deciding_forbids_reasons_are_given() {
    // A forbid with a reason whose condition does not hold says nothing; a deciding
    // forbid without a reason reveals nothing more than before.
    let engine = shipped_and(
        r#"@id("not-deciding") @reason("secret plan")
        forbid (principal, action == Action::"SendCommand", resource)
        when { context.comment == "never" };

        @id("quiet-forbid")
        forbid (principal, action == Action::"SendCommand", resource)
        when { context.comment like "*quiet*" };"#,
    );
    let mut body = restart();
    body["Comment"] = json!("CHG-1 quiet please");
    let decision = decide(&engine, &alice(), &send(&body));
    assert_eq!(decision, denied(&["quiet-forbid"], "SendCommand"));
    assert!(decision.reasons.is_empty(), "{:?}", decision.reasons);

    body["Comment"] = json!("quiet please");
    let decision = decide(&engine, &alice(), &send(&body));
    assert_eq!(
        decision,
        denied(&["comment-names-a-ticket", "quiet-forbid"], "SendCommand")
    );
    assert_eq!(reasons(&decision), [NO_TICKET]);
}

#[test]
fn the_same_reason_is_given_once() {
    let engine = shipped_and(
        r#"@id("a-first") @reason("same words")
        forbid (principal, action == Action::"CancelCommand", resource);
        @id("b-second") @reason("same words")
        forbid (principal, action == Action::"CancelCommand", resource);"#,
    );
    let cancel = call(
        OperationName::CancelCommand,
        &json!({ "CommandId": "0b5a4f0e-1234-4d3c-9f1e-0123456789ab" }),
    );
    let decision = decide(&engine, &root(), &cancel);
    assert_eq!(decision, denied(&["a-first", "b-second"], "CancelCommand"));
    assert_eq!(reasons(&decision), ["same words"]);
}

#[test]
fn a_forbid_that_fails_to_evaluate_gives_no_reason() {
    // It did not decide by its condition (see a_policy_that_fails_to_evaluate_denies).
    let chain = vec!["context.timeoutSeconds > 0"; 60].join(" && ");
    let engine = shipped_and(&format!(
        r#"@id("deep-forbid") @reason("too deep")
        forbid (principal, action == Action::"SendCommand", resource) when {{ {chain} }};"#
    ));
    let decision = decide(&engine, &alice(), &send(&restart()));
    assert_eq!(decision, denied(&["deep-forbid"], "SendCommand"));
    assert!(decision.reasons.is_empty());
}

#[test]
fn the_engine_lists_the_reasons() {
    let listed = shipped().policy_reasons();
    let ids: Vec<&str> = listed.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "comment-names-a-ticket",
            "output-destinations-only-for-admins",
            "shell-scripts-only-for-admins",
            "tags-of-managed-nodes-only",
            "unmasked-output-only-for-admins"
        ]
    );
    assert_eq!(listed[0].1, NO_TICKET);
}

#[test]
fn the_reason_rules() {
    assert_eq!(reason_rule("name a ticket"), None);
    assert_eq!(reason_rule(&"x".repeat(MAX_REASON_CHARS)), None);
    // Characters, not bytes.
    assert_eq!(reason_rule(&"é".repeat(MAX_REASON_CHARS)), None);
    for bad in ["", "   ", "a\nb", "tab\there", "bell\u{7}"] {
        assert!(reason_rule(bad).is_some(), "{bad:?}");
    }
    let long = reason_rule(&"x".repeat(MAX_REASON_CHARS + 1)).unwrap();
    assert!(long.contains("201 characters"), "{long}");
}

#[test]
fn bad_reasons_do_not_load_and_are_all_named_with_their_place() {
    let long = "x".repeat(MAX_REASON_CHARS + 1);
    let text = format!(
        r#"@id("empty") @reason("")
forbid (principal, action == Action::"CancelCommand", resource);
@id("bare") @reason
forbid (principal, action == Action::"CancelCommand", resource);
@id("control")
  @reason("line one\nline two")
forbid (principal, action == Action::"CancelCommand", resource);
@id("long") @reason("{long}")
forbid (principal, action == Action::"CancelCommand", resource);
@id("fine") @reason("fine words")
forbid (principal, action == Action::"CancelCommand", resource);
"#
    );
    let error = PolicyEngine::new([("reasons.cedar", text.as_str())]).unwrap_err();
    let PolicyError::Validation(problems) = &error else {
        panic!("expected bad reasons, got {error:?}");
    };
    let found: Vec<(String, usize, usize)> = problems
        .0
        .iter()
        .map(|p| {
            let at = p.position.as_ref().expect("a place");
            (p.message.clone(), at.line, at.column)
        })
        .collect();
    assert_eq!(found.len(), 4, "{error}");
    let expected = [
        ("empty", 1, 14, "is empty"),
        ("bare", 3, 13, "is empty"),
        ("control", 6, 3, "U+000A"),
        ("long", 8, 13, "201 characters"),
    ];
    for ((message, line, column), (id, at_line, at_column, rule)) in found.iter().zip(expected) {
        assert!(
            message.starts_with(&format!("policy {id:?}: @reason ")),
            "{message}"
        );
        assert!(message.contains(rule), "{message}");
        assert_eq!((*line, *column), (at_line, at_column), "{message}");
    }
    assert!(
        error
            .to_string()
            .starts_with("reasons.cedar:1:14: policy \"empty\": @reason is empty"),
        "{error}"
    );
}

#[test]
fn bad_reasons_are_reported_with_schema_errors() {
    let text = r#"@id("bad-reason") @reason("")
forbid (principal, action == Action::"CancelCommand", resource);
@id("bad-attribute")
permit (principal, action == Action::"SendCommand", resource) when { context.nope };
"#;
    let error = PolicyEngine::new([("mixed.cedar", text)]).unwrap_err();
    let PolicyError::Validation(problems) = &error else {
        panic!("expected a validation error, got {error:?}");
    };
    assert_eq!(problems.0.len(), 2, "{error}");
    assert!(problems.0[0].message.contains("bad-reason"), "{error}");
    assert!(problems.0[1].message.contains("bad-attribute"), "{error}");
}
