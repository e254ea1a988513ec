//! `RoleArn` and `AssumeRole` checks: STS's model rules, each refusal naming its rule.

use super::super::*;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

fn arn(text: &str) -> RoleArn {
    RoleArn::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn problem(text: &str) -> RoleArnProblem {
    match RoleArn::parse(text) {
        Err(StsInputError::RoleArn(p)) => p,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn role_arns_and_their_parts() {
    let a = arn("arn:aws:iam::123456789012:role/ssm-edge-ops");
    assert_eq!(a.partition(), "aws");
    assert_eq!(a.account_id(), "123456789012");
    assert_eq!(a.name(), "ssm-edge-ops");
    assert_eq!(a.path(), "/");
    assert_eq!(a.as_str(), "arn:aws:iam::123456789012:role/ssm-edge-ops");
    assert_eq!(a.to_string(), a.as_str());

    let a = arn("arn:aws-us-gov:iam::000000000000:role/ops/edge/Gate_Way+=,.@-1");
    assert_eq!(a.partition(), "aws-us-gov");
    assert_eq!(a.account_id(), "000000000000");
    assert_eq!(a.name(), "Gate_Way+=,.@-1");
    assert_eq!(a.path(), "/ops/edge/");

    let a: RoleArn = "arn:aws-cn:iam::210987654321:role/a/b:c/x".parse().unwrap();
    assert_eq!(
        (a.partition(), a.path(), a.name()),
        ("aws-cn", "/a/b:c/", "x")
    );
    // A 64-character name and a 512-character path are the longest allowed.
    let name = "n".repeat(64);
    let path = "p".repeat(510);
    let a = arn(&alloc::format!(
        "arn:aws:iam::123456789012:role/{path}/{name}"
    ));
    assert_eq!(a.name(), name);
    assert_eq!(a.path().len(), 512);
}

#[test]
fn role_arn_refusals_name_the_rule() {
    let cases: &[(&str, RoleArnProblem)] = &[
        ("arn:aws:iam::1:r/x", RoleArnProblem::Length),
        ("", RoleArnProblem::Length),
        ("urn:aws:iam::123456789012:role/x", RoleArnProblem::NotAnArn),
        ("arn:aws:iam:123456789012:role/x", RoleArnProblem::NotAnArn),
        ("ARN:aws:iam::123456789012:role/x", RoleArnProblem::NotAnArn),
        (
            "arn:amazon:iam::123456789012:role/x",
            RoleArnProblem::Partition,
        ),
        (
            "arn:AWS:iam::123456789012:role/x",
            RoleArnProblem::Partition,
        ),
        ("arn:aws:sts::123456789012:role/x", RoleArnProblem::Service),
        (
            "arn:aws:iam:us-east-1:123456789012:role/x",
            RoleArnProblem::Region,
        ),
        (
            "arn:aws:iam::12345678901:role/x1",
            RoleArnProblem::AccountId,
        ),
        (
            "arn:aws:iam::1234567890123:role/x",
            RoleArnProblem::AccountId,
        ),
        (
            "arn:aws:iam::12345678901a:role/x",
            RoleArnProblem::AccountId,
        ),
        ("arn:aws:iam::123456789012:user/x", RoleArnProblem::NotARole),
        ("arn:aws:iam::123456789012:Role/x", RoleArnProblem::NotARole),
        ("arn:aws:iam::123456789012:role/", RoleArnProblem::RoleName),
        (
            "arn:aws:iam::123456789012:role/ops/",
            RoleArnProblem::RoleName,
        ),
        (
            "arn:aws:iam::123456789012:role/a b",
            RoleArnProblem::RoleName,
        ),
        ("arn:aws:iam::123456789012:role/é", RoleArnProblem::RoleName),
        (
            "arn:aws:iam::123456789012:role/a:b",
            RoleArnProblem::RoleName,
        ),
        (
            "arn:aws:iam::123456789012:role/a b/x",
            RoleArnProblem::RolePath,
        ),
        (
            "arn:aws:iam::123456789012:role/ü/x",
            RoleArnProblem::RolePath,
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(problem(text), *expected, "{text}");
    }
    let long_name = alloc::format!("arn:aws:iam::123456789012:role/{}", "n".repeat(65));
    assert_eq!(problem(&long_name), RoleArnProblem::RoleName);
    let long_path = alloc::format!("arn:aws:iam::123456789012:role/{}/x", "p".repeat(511));
    assert_eq!(problem(&long_path), RoleArnProblem::RolePath);
    let too_long = alloc::format!("arn:aws:iam::123456789012:role/{}/x", "p".repeat(2100));
    assert_eq!(problem(&too_long), RoleArnProblem::Length);

    let e = RoleArn::parse("arn:aws:iam::123456789012:user/x").unwrap_err();
    assert_eq!(e.field(), "RoleArn");
    assert_eq!(
        e.to_string(),
        "RoleArn must name a role (resource role/...)"
    );
    assert_eq!(
        problem("arn:aws:iam::1234:role/xxxxxxxx").code(),
        "accountId"
    );
}

fn call() -> AssumeRole {
    AssumeRole::new(arn("arn:aws:iam::123456789012:role/ops"), "gateway")
}

#[test]
fn defaults_and_valid_bounds() {
    let c = call();
    assert_eq!(c.duration_secs, DEFAULT_DURATION_SECS);
    assert_eq!(c.external_id, None);
    assert_eq!(c.validate(), Ok(()));
    let name_chars = "AZaz09_+=,.@-";
    for ok in [
        call().with_duration_secs(900),
        call().with_duration_secs(43_200),
        AssumeRole::new(arn("arn:aws:iam::123456789012:role/ops"), "ab"),
        AssumeRole::new(arn("arn:aws:iam::123456789012:role/ops"), "s".repeat(64)),
        AssumeRole::new(arn("arn:aws:iam::123456789012:role/ops"), name_chars),
        call().with_external_id("ab"),
        call().with_external_id("e".repeat(1224)),
        call().with_external_id("AZaz09_+=,.@:/-"),
    ] {
        assert_eq!(ok.validate(), Ok(()), "{ok:?}");
    }
}

#[test]
fn refusals_name_the_parameter_and_rule() {
    let name = |s: &str| AssumeRole::new(arn("arn:aws:iam::123456789012:role/ops"), s);
    let cases: Vec<(AssumeRole, StsInputError)> = alloc::vec![
        (
            name("a"),
            StsInputError::RoleSessionName(TextProblem::Length { length: 1 })
        ),
        (
            name(""),
            StsInputError::RoleSessionName(TextProblem::Length { length: 0 })
        ),
        (
            name(&"s".repeat(65)),
            StsInputError::RoleSessionName(TextProblem::Length { length: 65 }),
        ),
        (
            name("ga teway"),
            StsInputError::RoleSessionName(TextProblem::Character { index: 2 })
        ),
        (
            name("gate/way"),
            StsInputError::RoleSessionName(TextProblem::Character { index: 4 })
        ),
        (
            name("gate:way"),
            StsInputError::RoleSessionName(TextProblem::Character { index: 4 })
        ),
        (
            name("gäteway"),
            StsInputError::RoleSessionName(TextProblem::Character { index: 1 })
        ),
        (
            call().with_duration_secs(899),
            StsInputError::DurationSeconds { value: 899 }
        ),
        (
            call().with_duration_secs(43_201),
            StsInputError::DurationSeconds { value: 43_201 }
        ),
        (
            call().with_duration_secs(0),
            StsInputError::DurationSeconds { value: 0 }
        ),
        (
            call().with_external_id("x"),
            StsInputError::ExternalId(TextProblem::Length { length: 1 }),
        ),
        (
            call().with_external_id("e".repeat(1225)),
            StsInputError::ExternalId(TextProblem::Length { length: 1225 }),
        ),
        (
            call().with_external_id("id&x"),
            StsInputError::ExternalId(TextProblem::Character { index: 2 }),
        ),
    ];
    for (c, expected) in cases {
        assert_eq!(c.validate(), Err(expected.clone()), "{c:?}");
    }
    let e = name("ga teway").validate().unwrap_err();
    assert_eq!(e.field(), "RoleSessionName");
    assert_eq!(
        e.to_string(),
        "RoleSessionName must be 2 to 64 characters of letters, digits and _+=,.@- \
         (character 2 is not allowed)"
    );
    let e = call().with_duration_secs(60).validate().unwrap_err();
    assert_eq!(e.field(), "DurationSeconds");
    assert_eq!(
        e.to_string(),
        "DurationSeconds must be 900 to 43200 seconds (got 60)"
    );
    let e = call().with_external_id("x").validate().unwrap_err();
    assert_eq!(e.field(), "ExternalId");
    assert!(e.to_string().ends_with("(it has 1)"), "{e}");
    let _: String = e.to_string();
}
