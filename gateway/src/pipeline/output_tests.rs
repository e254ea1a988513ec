//! Reading command output (CloudWatch Logs' GetLogEvents, DescribeLogStreams) through
//! the whole pipeline: decided as `ReadOutput` on the document the command ran (as the
//! upstream records it), only from the command's own log group, forwarded to the
//! route's Logs endpoint signed for `logs`, and audited.

use serde_json::{json, Value};
use ssm_edge_core::model::OperationName;

use crate::testing::*;

const COMMAND: &str = "0b7c5f0e-3a4d-4c1e-9f7a-1234567890ab";
const INSTANCE: &str = "i-0123456789abcdef0";

fn stream() -> String {
    format!("{COMMAND}/{INSTANCE}/aws-runShellScript/stdout")
}

/// An upstream that knows COMMAND (ran `document`, output to CloudWatch as `config`)
/// and answers Logs' calls with one event.
fn upstream_with(host: &MemoryHost, document: &'static str, config: Value) {
    host.answer_with(move |request| {
        match request.header("x-amz-target").unwrap_or_default() {
            "AmazonSSM.ListCommands" => {
                let mut command = json!({ "CommandId": COMMAND, "DocumentName": document, "Status": "InProgress" });
                if !config.is_null() {
                    command["CloudWatchOutputConfig"] = config.clone();
                }
                upstream(200, &json!({ "Commands": [command] }).to_string(), "up-list")
            }
            "Logs_20140328.GetLogEvents" => upstream(
                200,
                r#"{"events":[{"timestamp":1,"message":"hello","ingestionTime":2}],"nextForwardToken":"f/1","nextBackwardToken":"b/1"}"#,
                "up-logs",
            ),
            "Logs_20140328.DescribeLogStreams" => upstream(200, r#"{"logStreams":[]}"#, "up-logs"),
            other => upstream(400, &format!(r#"{{"__type":"UnknownOperationException","message":"{other}"}}"#), "up-x"),
        }
    });
}

fn enabled() -> Value {
    json!({ "CloudWatchOutputEnabled": true })
}

fn read(host: &MemoryHost, key: &Key, body: &Value) -> crate::pipeline::Outgoing {
    handle(
        &gateway(&[]),
        host,
        signed(host, key, OperationName::GetLogEvents, body),
    )
}

fn targets(host: &MemoryHost) -> Vec<String> {
    host.state
        .borrow()
        .sent
        .iter()
        .map(|r| r.header("x-amz-target").unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn get_log_events_is_decided_on_the_commands_document_and_sent_to_logs() {
    let host = MemoryHost::new();
    upstream_with(&host, "Ops-RestartService", enabled());
    let body = json!({
        "logGroupName": "/aws/ssm/Ops-RestartService",
        "logStreamName": stream(),
        "startFromHead": true,
        "nextToken": "f/0",
    });
    let out = read(&host, &BOB, &body);
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert!(body_text(&out).contains("hello"));
    assert_eq!(
        targets(&host),
        ["AmazonSSM.ListCommands", "Logs_20140328.GetLogEvents"]
    );
    let sent = host.last_sent();
    // The test upstream is one custom endpoint for both services (as the local SSM is);
    // without one, the route's Logs URL is logs.<region>'s (config tests).
    assert_eq!(sent.url, host.state.borrow().sent[0].url);
    let authorization = sent.header("authorization").unwrap();
    assert!(
        authorization.contains(&format!("{UPSTREAM_AKID}/"))
            && authorization.contains("/us-east-1/logs/aws4_request"),
        "{authorization}"
    );
    let forwarded: Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(forwarded, body);
    let audit = host.last_audit();
    assert_eq!(audit["operation"], "GetLogEvents");
    assert_eq!(audit["decision"], "allowed");
    assert_eq!(audit["document"], "Ops-RestartService");
    assert_eq!(audit["commandId"], COMMAND);
    assert_eq!(
        audit["output"],
        json!({ "logGroupName": "/aws/ssm/Ops-RestartService", "logStream": stream(), "instanceId": INSTANCE, "unmask": false })
    );
    assert_eq!(audit["policyIds"], json!(["read-only-for-everyone"]));
}

#[test]
fn only_the_commands_own_group_is_read() {
    let host = MemoryHost::new();
    upstream_with(
        &host,
        "Ops-RestartService",
        json!({ "CloudWatchOutputEnabled": true, "CloudWatchLogGroupName": "central" }),
    );
    for group in ["/aws/ssm/Ops-RestartService", "secrets", "central-other"] {
        let out = read(
            &host,
            &ROOT,
            &json!({ "logGroupName": group, "logStreamName": stream() }),
        );
        let (status, code, message) = error_of(&out);
        assert_eq!(
            (status, code.as_str()),
            (400, "InvalidParameterException"),
            "{message}"
        );
        assert!(
            message.contains(group) && message.contains(COMMAND),
            "{message}"
        );
    }
    assert!(targets(&host).iter().all(|t| t == "AmazonSSM.ListCommands"));
    let out = read(
        &host,
        &ROOT,
        &json!({ "logGroupName": "central", "logStreamName": stream() }),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));

    // A command that keeps no CloudWatch output has no group to read.
    let host = MemoryHost::new();
    upstream_with(&host, "Ops-RestartService", Value::Null);
    let out = read(
        &host,
        &ROOT,
        &json!({ "logGroupName": "/aws/ssm/Ops-RestartService", "logStreamName": stream() }),
    );
    let (_, code, message) = error_of(&out);
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("does not send its output"), "{message}");
    assert_eq!(targets(&host), ["AmazonSSM.ListCommands"]);
}

#[test]
fn the_policy_sees_the_recorded_document_and_unmask() {
    // Output of shell scripts is for admins only; the caller cannot rename the document.
    let extra = r#"@id("shell-output-for-admins") forbid (principal, action == Action::"ReadOutput", resource == Document::"AWS-RunShellScript") unless { principal in Group::"admins" };"#;
    let sources = crate::policy::SHIPPED_POLICIES
        .iter()
        .copied()
        .chain([("extra.cedar", extra)]);
    let compiled = crate::policy::compile(sources).unwrap();
    let gateway = gateway(&[("POLICIES", compiled.as_str())]);
    let host = MemoryHost::new();
    upstream_with(&host, "AWS-RunShellScript", enabled());
    let body = json!({ "logGroupName": "/aws/ssm/AWS-RunShellScript", "logStreamName": stream() });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::GetLogEvents, &body),
    );
    let (_, code, _) = error_of(&out);
    assert_eq!(code, "AccessDeniedException");
    assert_eq!(host.last_audit()["document"], "AWS-RunShellScript");
    assert_eq!(targets(&host), ["AmazonSSM.ListCommands"]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ROOT, OperationName::GetLogEvents, &body),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));

    // Lifting data-protection masks is for admins (a shipped forbid with its reason).
    let mut unmasked = body.clone();
    unmasked["unmask"] = json!(true);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ROOT, OperationName::GetLogEvents, &unmasked),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    let host = MemoryHost::new();
    upstream_with(&host, "Ops-RestartService", enabled());
    unmasked["logGroupName"] = json!("/aws/ssm/Ops-RestartService");
    let out = read(&host, &ALICE, &unmasked);
    let (_, code, message) = error_of(&out);
    assert_eq!(code, "AccessDeniedException");
    assert!(message.contains("unmask"), "{message}");
    assert_eq!(host.last_audit()["output"]["unmask"], true);
}

/// A gateway whose policies let BOB read Ops-RestartService's output but not list
/// commands, nor read AWS-RunShellScript's output.
fn bob_reads_one_document_and_may_not_list() -> crate::Gateway {
    let extra = r#"
        @id("bob-may-not-list") forbid (principal == User::"bob", action == Action::"ListCommands", resource);
        @id("bob-no-shell-output") @reason("shell output is for admins")
        forbid (principal == User::"bob", action == Action::"ReadOutput", resource == Document::"AWS-RunShellScript");
    "#;
    let sources = crate::policy::SHIPPED_POLICIES
        .iter()
        .copied()
        .chain([("extra.cedar", extra)]);
    gateway(&[(
        "POLICIES",
        crate::policy::compile(sources).unwrap().as_str(),
    )])
}

#[test]
fn a_caller_who_may_not_list_commands_cannot_tell_an_unknown_command_from_a_denied_one() {
    let gateway = bob_reads_one_document_and_may_not_list();
    let body = |document: &str| json!({ "logGroupName": format!("/aws/ssm/{document}"), "logStreamName": stream() });
    let read = |host: &MemoryHost, document: &str| {
        handle(
            &gateway,
            host,
            signed(host, &BOB, OperationName::GetLogEvents, &body(document)),
        )
    };
    let denied = format!(
        "User: bob is not authorized to perform: ssm:ReadOutput on resource: command/{COMMAND}: denied by policy"
    );

    // A command whose output BOB may not read: the refusal names neither its document
    // nor the forbid's reason (which would tell that it exists).
    let host = MemoryHost::new();
    upstream_with(&host, "AWS-RunShellScript", enabled());
    let (status, code, message) = error_of(&read(&host, "AWS-RunShellScript"));
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (400, "AccessDeniedException", denied.as_str())
    );
    let audit = host.last_audit();
    assert_eq!(audit["decision"], "denied");
    assert_eq!(
        audit["document"], "AWS-RunShellScript",
        "the operators see it"
    );

    // No such command, as SSM says it (InvalidCommandId) and as an empty list: the same.
    for answer in [
        upstream(400, r#"{"__type":"InvalidCommandId","message":""}"#, "up-1"),
        upstream(200, r#"{"Commands":[]}"#, "up-1"),
    ] {
        let host = MemoryHost::new();
        host.script([answer]);
        let (status, code, message) = error_of(&read(&host, "Ops-RestartService"));
        assert_eq!(
            (status, code.as_str(), message.as_str()),
            (400, "AccessDeniedException", denied.as_str())
        );
        assert_eq!(host.sends(), 1);
        let audit = host.last_audit();
        assert_eq!(audit["decision"], "denied");
        assert_eq!(audit["policyIds"], json!(["bob-may-not-list"]));
    }

    // A refusal that says nothing of the command (throttling) is still the caller's.
    let host = MemoryHost::new();
    let throttled = || {
        upstream(
            400,
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
            "up-1",
        )
    };
    host.script([throttled(), throttled(), throttled()]);
    assert_eq!(
        error_of(&read(&host, "Ops-RestartService")).1,
        "ThrottlingException"
    );

    // And the output BOB may read is read.
    let host = MemoryHost::new();
    upstream_with(&host, "Ops-RestartService", enabled());
    let out = read(&host, "Ops-RestartService");
    assert_eq!(out.status, 200, "{}", body_text(&out));
}

#[test]
fn calls_that_do_not_name_one_commands_output_send_nothing() {
    let host = MemoryHost::new();
    upstream_with(&host, "Ops-RestartService", enabled());
    let group = "/aws/ssm/Ops-RestartService";
    let cases = [
        (
            OperationName::GetLogEvents,
            json!({ "logGroupName": group, "logStreamName": "app.log" }),
        ),
        (
            OperationName::GetLogEvents,
            json!({ "logGroupIdentifier": "arn:aws:logs:us-east-1:999999999999:log-group:x", "logStreamName": stream() }),
        ),
        (
            OperationName::GetLogEvents,
            json!({ "logStreamName": stream() }),
        ),
        (
            OperationName::DescribeLogStreams,
            json!({ "logGroupName": group }),
        ),
        (
            OperationName::DescribeLogStreams,
            json!({ "logGroupName": group, "logStreamNamePrefix": "0" }),
        ),
    ];
    for (operation, body) in cases {
        let out = handle(&gateway(&[]), &host, signed(&host, &ROOT, operation, &body));
        let (status, code, message) = error_of(&out);
        assert_eq!(
            (status, code.as_str()),
            (400, "InvalidParameterException"),
            "{body}: {message}"
        );
    }
    // A member named twice is refused before anything reads it.
    let twice = format!(
        r#"{{"logGroupName":"{group}","logStreamName":"{}","logStreamName":"other"}}"#,
        stream()
    );
    let request = ssm_edge_core::request::build_raw(
        GATEWAY_URL,
        OperationName::GetLogEvents,
        twice.into_bytes(),
    );
    let out = handle(
        &gateway(&[]),
        &host,
        sign_at(&host, &ROOT, request, host.now_secs()),
    );
    assert_eq!(error_of(&out).1, "SerializationException");
    assert_eq!(host.sends(), 0);
}

#[test]
fn describe_log_streams_of_one_command_is_forwarded() {
    let host = MemoryHost::new();
    upstream_with(&host, "Ops-RestartService", enabled());
    let body = json!({ "logGroupName": "aws/ssm/Ops-RestartService", "logStreamNamePrefix": format!("{COMMAND}/") });
    let out = handle(
        &gateway(&[]),
        &host,
        signed(&host, &BOB, OperationName::DescribeLogStreams, &body),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(
        targets(&host),
        ["AmazonSSM.ListCommands", "Logs_20140328.DescribeLogStreams"]
    );
    assert_eq!(host.last_audit()["output"]["instanceId"], "");
}

#[test]
fn an_unknown_command_is_the_upstreams_answer_and_a_wrong_service_is_refused() {
    let host = MemoryHost::new();
    host.script([upstream(
        400,
        r#"{"__type":"InvalidCommandId","message":""}"#,
        "up-1",
    )]);
    let out = read(
        &host,
        &BOB,
        &json!({ "logGroupName": "/aws/ssm/X", "logStreamName": stream() }),
    );
    assert_eq!(error_of(&out).1, "InvalidCommandId");
    assert_eq!(host.sends(), 1);

    // A Logs call signed for `ssm` (or an SSM call signed for `logs`) is not this call's signature.
    let body = json!({ "logGroupName": "/aws/ssm/X", "logStreamName": stream() });
    let request = unsigned(OperationName::GetLogEvents, &body);
    let out = handle(
        &gateway(&[]),
        &host,
        sign_as(&host, &BOB, request, "us-east-1", "ssm", host.now_secs()),
    );
    assert_eq!(
        error_of(&out).1,
        "InvalidSignatureException",
        "{}",
        body_text(&out)
    );
    let request = unsigned(OperationName::ListCommands, &json!({}));
    let out = handle(
        &gateway(&[]),
        &host,
        sign_as(&host, &BOB, request, "us-east-1", "logs", host.now_secs()),
    );
    assert_eq!(
        error_of(&out).1,
        "InvalidSignatureException",
        "{}",
        body_text(&out)
    );
    assert_eq!(host.sends(), 1);
}

#[test]
fn output_log_group_keeps_every_commands_output_where_policies_see_it() {
    let central =
        json!({ "CloudWatchLogGroupName": "/ssm-edge/output", "CloudWatchOutputEnabled": true });
    let gateway = gateway(&[("OUTPUT_LOG_GROUP", "/ssm-edge/output")]);
    let host = MemoryHost::new();
    let send = |body: &Value| {
        host.script([command_created("c-1", "up-1")]);
        handle(
            &gateway,
            &host,
            signed(&host, &ALICE, OperationName::SendCommand, body),
        )
    };
    // alice's restart names no output: the gateway adds the central group, which she may use.
    let out = send(&restart());
    assert_eq!(out.status, 200, "{}", body_text(&out));
    let forwarded: Value = serde_json::from_slice(&host.last_sent().body).unwrap();
    assert_eq!(forwarded["CloudWatchOutputConfig"], central);
    assert_eq!(
        host.last_audit()["cloudWatchOutput"],
        json!({ "logGroupName": "/ssm-edge/output", "enabled": true })
    );
    // Naming the central group herself is the same call.
    let mut same = restart();
    same["CloudWatchOutputConfig"] = central.clone();
    assert_eq!(send(&same).status, 200);
    // Another group, or none at all, is a destination only admins choose.
    let sends = host.sends();
    for config in [
        json!({ "CloudWatchLogGroupName": "mine", "CloudWatchOutputEnabled": true }),
        json!({ "CloudWatchOutputEnabled": false }),
    ] {
        let mut own = restart();
        own["CloudWatchOutputConfig"] = config.clone();
        let out = send(&own);
        assert_eq!(error_of(&out).1, "AccessDeniedException", "{config}");
    }
    assert_eq!(host.sends(), sends, "nothing was sent for the refused ones");
    // Without OUTPUT_LOG_GROUP nothing is added.
    let plain = crate::testing::gateway(&[]);
    host.script([command_created("c-2", "up-2")]);
    let out = handle(
        &plain,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &restart()),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    let forwarded: Value = serde_json::from_slice(&host.last_sent().body).unwrap();
    assert!(
        forwarded.get("CloudWatchOutputConfig").is_none(),
        "{forwarded}"
    );
}
