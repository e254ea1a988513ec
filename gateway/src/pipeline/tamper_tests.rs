//! The gateway forwards exactly what its policy decided on: each way a low-privilege
//! caller (alice: on-call, restarts on staging only) could talk past the policy, as a
//! request through the whole pipeline. Every case here was accepted before the fix.

use serde_json::{json, Value};
use ssm_edge_core::model::{OperationName, SendCommand, SendCommandInput};
use ssm_edge_core::request::build_raw;
use ssm_edge_core::validate::parse_input;

use crate::testing::*;

fn raw_signed(host: &MemoryHost, key: &Key, body: &str) -> crate::pipeline::Incoming {
    let request = build_raw(
        GATEWAY_URL,
        OperationName::SendCommand,
        body.as_bytes().to_vec(),
    );
    sign_at(host, key, request, host.now_secs())
}

fn created() -> Scripted {
    command_created("c-1", "up-1")
}

#[test]
fn a_document_arn_of_another_account_is_not_the_allowed_name() {
    let gateway = gateway(&[("UPSTREAM_ACCOUNT_ID", "123456789012")]);
    let host = MemoryHost::new();
    for (key, document) in [
        (
            ALICE,
            "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService",
        ),
        // Admins may run any of the upstream account's documents, not anyone's.
        (
            ROOT,
            "arn:aws:ssm:us-east-1:999999999999:document/Ops-RestartService",
        ),
        (
            ALICE,
            "arn:aws:ssm:eu-west-1:123456789012:document/Ops-RestartService",
        ),
        (
            ALICE,
            "arn:aws-cn:ssm:us-east-1:123456789012:document/Ops-RestartService",
        ),
    ] {
        let mut body = restart();
        body["DocumentName"] = json!(document);
        let out = handle(
            &gateway,
            &host,
            signed(&host, &key, OperationName::SendCommand, &body),
        );
        let (status, code, message) = error_of(&out);
        assert_eq!(
            (status, code.as_str()),
            (400, "AccessDeniedException"),
            "{document}: {message}"
        );
    }
    assert_eq!(host.sends(), 0);

    // The upstream's own account: the ARN decides like the name, and is forwarded.
    host.script([created()]);
    let mut body = restart();
    body["DocumentName"] = json!("arn:aws:ssm:us-east-1:123456789012:document/Ops-RestartService");
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &body),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(host.sends(), 1);
}

#[test]
fn one_signature_is_one_request_however_its_header_is_spelled() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([created()]);
    let first = signed(&host, &ALICE, OperationName::SendCommand, &restart());
    assert_eq!(handle(&gateway, &host, first.clone()).status, 200);

    let authorization = first.header("authorization").unwrap().to_owned();
    let (algorithm, parts) = authorization.split_once(' ').unwrap();
    let parts: Vec<&str> = parts.split(',').map(str::trim).collect();
    let respellings = [
        format!("{algorithm} {}, {}, {}", parts[2], parts[0], parts[1]),
        format!("{algorithm} {},{},{}", parts[1], parts[2], parts[0]),
        format!("{algorithm}   {} ,  {},{}  ", parts[0], parts[1], parts[2]),
    ];
    for spelling in respellings {
        let mut replay = first.clone();
        replay.set_header("Authorization", spelling.clone());
        let (status, code, _) = error_of(&handle(&gateway, &host, replay));
        assert_eq!(
            (status, code.as_str()),
            (400, "InvalidSignatureException"),
            "{spelling}"
        );
    }
    assert_eq!(host.sends(), 1);
}

#[test]
fn a_member_named_twice_is_refused_before_the_policy() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let bodies = [
        // Decided on the last value, which the service may not be the one to keep.
        r#"{"DocumentName":"AWS-RunShellScript","Parameters":{"commands":["id"]},"Targets":[{"Key":"tag:env","Values":["staging"]}],"Comment":"CHG-1","DocumentName":"Ops-RestartService"}"#,
        r#"{"DocumentName":"Ops-RestartService","Targets":[{"Key":"tag:env","Values":["prod"],"Key":"tag:env","Values":["staging"]}],"Parameters":{"service":["nginx"]},"Comment":"CHG-1"}"#,
        r#"{"DocumentName":"Ops-RestartService","Targets":[{"Key":"tag:env","Values":["staging"]}],"Parameters":{"service":["sshd"],"service":["nginx"]},"Comment":"CHG-1"}"#,
        // An escaped spelling of the same member name.
        r#"{"DocumentName":"AWS-RunShellScript","Document\u004eame":"Ops-RestartService","Targets":[{"Key":"tag:env","Values":["staging"]}],"Parameters":{"service":["nginx"]},"Comment":"CHG-1"}"#,
    ];
    for body in bodies {
        let out = handle(&gateway, &host, raw_signed(&host, &ALICE, body));
        let (status, code, message) = error_of(&out);
        assert_eq!(
            (status, code.as_str()),
            (400, "SerializationException"),
            "{body}"
        );
        assert!(message.contains("more than once"), "{message}");
        assert_eq!(host.last_audit()["decision"], "invalid");
    }
    assert_eq!(host.sends(), 0);
}

#[test]
fn the_forwarded_body_is_the_cores_serialization_of_what_was_decided() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([created()]);
    // Members out of order, escapes, white space, explicit nulls: the caller's spelling.
    let body = "{ \"Comment\" : \"CHG-1 r\\u0065start\", \"Parameters\":{\"service\":[\"nginx\"]},\n\
                \"Targets\":[{\"Values\":[\"staging\"],\"Key\":\"tag:env\"}], \"OutputS3KeyPrefix\": null,\
                \"DocumentName\":\"Ops-RestartService\"}";
    let out = handle(&gateway, &host, raw_signed(&host, &ALICE, body));
    assert_eq!(out.status, 200, "{}", body_text(&out));
    let sent = host.last_sent();
    let decided: SendCommandInput = parse_input::<SendCommand>(body.as_bytes()).unwrap();
    assert_eq!(sent.body, serde_json::to_vec(&decided).unwrap());
    assert_ne!(sent.body, body.as_bytes());
    let forwarded: Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(forwarded["Comment"], "CHG-1 restart");
    assert!(forwarded.get("OutputS3KeyPrefix").is_none());
}

#[test]
fn every_forwarded_destination_is_decided_by_policy_and_audited() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let destinations = [
        ("OutputS3BucketName", json!("attacker-bucket")),
        ("OutputS3KeyPrefix", json!("loot/")),
        (
            "CloudWatchOutputConfig",
            json!({ "CloudWatchOutputEnabled": true, "CloudWatchLogGroupName": "attacker" }),
        ),
        (
            "NotificationConfig",
            json!({ "NotificationArn": "arn:aws:sns:us-east-1:999999999999:t", "NotificationEvents": ["All"], "NotificationType": "Command" }),
        ),
        (
            "ServiceRoleArn",
            json!("arn:aws:iam::123456789012:role/admin"),
        ),
    ];
    for (member, value) in &destinations {
        let mut body = restart();
        body[member] = value.clone();
        let out = handle(
            &gateway,
            &host,
            signed(&host, &ALICE, OperationName::SendCommand, &body),
        );
        let (status, code, _) = error_of(&out);
        assert_eq!(
            (status, code.as_str()),
            (400, "AccessDeniedException"),
            "{member}"
        );
    }
    assert_eq!(host.sends(), 0);
    // Admins may, and the audit line names where the output goes.
    host.script([created()]);
    let mut body = restart();
    body["OutputS3BucketName"] = json!("ops-output");
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ROOT, OperationName::SendCommand, &body),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert!(
        host.last_audit().to_string().contains("ops-output"),
        "{}",
        host.last_audit()
    );
}

#[test]
fn a_signature_for_another_host_is_refused() {
    let host = MemoryHost::new();
    let for_other = |host: &MemoryHost, signed_for: &str| {
        let request = build_raw(
            signed_for,
            OperationName::SendCommand,
            restart().to_string().into_bytes(),
        );
        let mut incoming = sign_at(host, &ALICE, request, host.now_secs());
        incoming.url = GATEWAY_URL.to_owned();
        incoming
    };
    // Unset GATEWAY_HOSTNAMES: the request URL's host.
    let gateway_default = gateway(&[]);
    let out = handle(
        &gateway_default,
        &host,
        for_other(&host, "https://other-gateway.example/"),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!(
        (status, code.as_str()),
        (400, "InvalidSignatureException"),
        "{message}"
    );
    assert!(message.contains("other-gateway.example"), "{message}");
    // Set: exactly those names.
    let named = gateway(&[("GATEWAY_HOSTNAMES", "ssm.ops.example, gateway.example")]);
    let out = handle(
        &named,
        &host,
        for_other(&host, "https://other-gateway.example/"),
    );
    assert_eq!(error_of(&out).1, "InvalidSignatureException");
    assert_eq!(host.sends(), 0);
    host.script([created()]);
    let out = handle(&named, &host, for_other(&host, "https://SSM.ops.example/"));
    assert_eq!(out.status, 200, "{}", body_text(&out));
}

#[test]
fn upstream_refusals_reach_the_caller_without_the_upstream_identity() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let text = "User: arn:aws:iam::123456789012:user/gw-upstream is not authorized to perform: ssm:SendCommand on resource: arn:aws:ssm:us-east-1:123456789012:document/Ops-RestartService";
    host.script([upstream(
        400,
        &json!({ "__type": "AccessDeniedException", "message": text }).to_string(),
        "up-1",
    )]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &restart()),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (400, "AccessDeniedException"));
    assert!(
        !body_text(&out).contains("123456789012"),
        "{}",
        body_text(&out)
    );
    assert!(
        !body_text(&out).contains("gw-upstream"),
        "{}",
        body_text(&out)
    );
    assert!(
        message.contains("is not authorized to perform: ssm:SendCommand"),
        "{message}"
    );
    // The operators keep the whole text.
    let audit = host.last_audit();
    assert_eq!(audit["decision"], "upstream-error");
    assert!(audit["upstreamError"]
        .as_str()
        .unwrap()
        .contains("arn:aws:iam::123456789012:user/gw-upstream"));
}

#[test]
fn gateway_log_lines_stay_json_whatever_the_error_text() {
    let host = MemoryHost::new();
    crate::pipeline::log_error(&host, "store", &"said \"no\"\n\tand {\"broke\"}");
    let gateway = gateway(&[]);
    host.state.borrow_mut().admission_down = true;
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &restart()),
    );
    assert_eq!(out.status, 500);
    let logs = host.logs();
    assert!(logs.len() >= 3, "{logs:?}");
    for line in logs {
        let parsed: Result<Value, _> = serde_json::from_str(&line);
        assert!(parsed.is_ok(), "not JSON: {line}");
    }
}

#[test]
fn a_read_of_output_means_one_stream_however_its_members_are_spelled() {
    // The stream name decides whose output it is (and so the document the policy sees):
    // a second spelling of the member must not name another stream upstream.
    let command = "0b7c5f0e-3a4d-4c1e-9f7a-1234567890ab";
    let stream = format!("{command}/i-0123456789abcdef0/aws-runShellScript/stdout");
    let other =
        "9f9f9f9f-0000-4000-8000-000000000000/i-0123456789abcdef0/aws-runShellScript/stdout";
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    for body in [
        // The same member twice, plainly and with an escape.
        format!(
            r#"{{"logGroupName":"/aws/ssm/X","logStreamName":"{stream}","logStreamName":"{other}"}}"#
        ),
        format!(
            r#"{{"logGroupName":"/aws/ssm/X","logStreamName":"{stream}","log\u0053treamName":"{other}"}}"#
        ),
        // Another case is another (unknown) member, not the same one.
        format!(
            r#"{{"logGroupName":"/aws/ssm/X","logStreamName":"{stream}","LogStreamName":"{other}"}}"#
        ),
        // Both ways of naming the group.
        format!(
            r#"{{"logGroupName":"/aws/ssm/X","logGroupIdentifier":"/aws/ssm/Y","logStreamName":"{stream}"}}"#
        ),
    ] {
        let request = build_raw(
            GATEWAY_URL,
            OperationName::GetLogEvents,
            body.clone().into_bytes(),
        );
        let out = handle(
            &gateway,
            &host,
            sign_at(&host, &ALICE, request, host.now_secs()),
        );
        let (status, code, message) = error_of(&out);
        assert_eq!(status, 400, "{body}: {code} {message}");
        assert!(
            [
                "SerializationException",
                "ValidationException",
                "InvalidParameterException"
            ]
            .contains(&code.as_str()),
            "{body}: {code} {message}"
        );
    }
    assert_eq!(host.sends(), 0, "nothing was looked up or read");
}
