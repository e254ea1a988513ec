//! Reading inputs from JSON text: shape problems named like validation problems.

use super::*;
use crate::model::{ListCommands, SendCommand};
use crate::validate::{Kind, Rule};
use alloc::vec::Vec;

fn problems(json: &str) -> Vec<(String, Rule)> {
    match parse_input::<SendCommand>(json.as_bytes()) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.into_iter().map(|p| (p.path, p.rule)).collect(),
    }
}

#[test]
fn a_valid_body_parses() {
    let input = parse_input::<SendCommand>(
        br#"{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"Parameters":{"commands":["uptime"]}}"#,
    )
    .unwrap();
    assert_eq!(input.document_name.as_deref(), Some("AWS-RunShellScript"));
    assert!(parse_input::<ListCommands>(b"{}").is_ok());
    assert!(parse_input::<ListCommands>(b" {} \n").is_ok());
}

#[test]
fn wrong_types_name_the_member_and_the_expected_type_but_not_the_value() {
    let got = problems(
        r#"{"DocumentName":"d","InstanceIds":["i-0123456789abcdef0"],"TimeoutSeconds":"SECRET-VALUE"}"#,
    );
    assert_eq!(
        got,
        [(
            "TimeoutSeconds".into(),
            Rule::Type {
                expected: Kind::Integer
            }
        )]
    );
    let got = problems(r#"{"Targets":[{"Key":"tag:a","Values":[1]}]}"#);
    assert_eq!(got[0].0, "Targets[0].Values[0]");
    let got = problems(r#"{"Parameters":{"commands":"uptime"}}"#);
    assert_eq!(got[0].0, "Parameters[\"commands\"]");
    let e = parse_input::<SendCommand>(br#"{"Comment":["SECRET-VALUE"]}"#).unwrap_err();
    assert!(!alloc::format!("{e}").contains("SECRET-VALUE"), "{e}");
}

#[test]
fn every_shape_problem_is_reported_at_once() {
    let got = problems(
        r#"{"DocumentName":5,"TimeoutSeconds":3000000000,"InstanceIds":["i-0123456789abcdef0",null],"Comment":null,"Parameters":{"a":["x"],"b":[1]},"Bogus":true}"#,
    );
    assert_eq!(
        got,
        [
            ("Bogus".into(), Rule::UnknownMember),
            (
                "DocumentName".into(),
                Rule::Type {
                    expected: Kind::String
                }
            ),
            (
                "InstanceIds[1]".into(),
                Rule::Type {
                    expected: Kind::String
                }
            ),
            (
                "Parameters[\"b\"][0]".into(),
                Rule::Type {
                    expected: Kind::String
                }
            ),
            (
                "TimeoutSeconds".into(),
                Rule::Type {
                    expected: Kind::Integer
                }
            ),
        ]
    );
}

#[test]
fn unknown_members_are_all_reported() {
    let got = problems(
        r#"{"DocumentName":"d","InstanceIds":["i-0123456789abcdef0"],"Instanceids":[],"Targets":[{"Key":"tag:a","Values":["b"],"Value":"c"}]}"#,
    );
    assert_eq!(
        got,
        [
            ("Instanceids".into(), Rule::UnknownMember),
            ("Targets[0].Value".into(), Rule::UnknownMember)
        ]
    );
}

#[test]
fn text_that_is_not_a_json_object_is_refused() {
    for bad in ["", "{", "[]", "null", "{} {}", "{\"DocumentName\":}"] {
        let got = problems(bad);
        assert_eq!(got.len(), 1, "{bad:?}");
        assert!(
            matches!(got[0].1, Rule::Json { .. } | Rule::Type { .. }),
            "{bad:?}: {got:?}"
        );
    }
}

#[test]
fn a_member_named_twice_is_refused_with_its_path() {
    // Whichever value a parser keeps, the body is refused: the policy and the
    // service must never read two different documents out of one body.
    for (body, path) in [
        (
            r#"{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"DocumentName":"Ops-RestartService"}"#,
            "DocumentName",
        ),
        // The same name spelled with an escape is the same member.
        (
            r#"{"DocumentName":"a","Document\u004eame":"b"}"#,
            "DocumentName",
        ),
        (
            r#"{"Targets":[{"Key":"tag:env","Values":["staging"],"Key":"tag:team"}]}"#,
            "Targets[0].Key",
        ),
        (
            r#"{"Parameters":{"service":["nginx"],"service":["sshd"]}}"#,
            "Parameters[\"service\"]",
        ),
        (r#"{"Bogus":{"x":1,"x":2}}"#, "Bogus.x"),
    ] {
        assert_eq!(
            problems(body),
            [(path.into(), Rule::DuplicateMember)],
            "{body}"
        );
    }
    assert_eq!(Rule::DuplicateMember.code(), "duplicateMember");
}

#[test]
fn trailing_bytes_and_depth_bombs_are_not_json() {
    let deep = alloc::format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    for bad in [r#"{"DocumentName":"a"} x"#, r#"{"Parameters":{}}}"#, &deep] {
        let got = problems(bad);
        assert!(matches!(got[..], [(_, Rule::Json { .. })]), "{got:?}");
    }
}

#[test]
fn then_the_model_rules_apply() {
    let got = problems(r#"{"InstanceIds":["nope"]}"#);
    assert_eq!(got.len(), 2, "{got:?}");
}
