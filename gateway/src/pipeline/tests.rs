//! `Gateway::handle` end to end over the shared in-memory host ([`crate::testing`]): a
//! settable clock, seeded randomness, captured logs, the admission and idempotency
//! transitions the Worker runs, and a scripted upstream.

use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use ssm_edge_core::model::{OperationName, SendCommand};
use ssm_edge_core::request::build_raw;
use ssm_edge_core::retry::Transport;
use ssm_edge_core::sign::SecretAccessKey;
use ssm_edge_core::validate::parse_input;
use ssm_edge_core::verify::{verify, VerifyConfig};

use super::identify::JWKS_TTL_MS;
use super::*;
use crate::idempotency::{Record, IN_FLIGHT_MS};
use crate::identity::test_keys;
use crate::testing::*;

// ---------------------------------------------------------------------------------
// The happy path.

#[test]
fn allowed_send_command_is_forwarded_once_and_re_signed_upstream() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([command_created("cmd-0001", "upstream-req-1")]);
    let request = signed(&host, &ALICE, OperationName::SendCommand, &restart());
    let client_authorization = request
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .map(|(_, v)| v.clone())
        .unwrap();
    let body = request.body.clone();

    let out = handle(&gateway, &host, request);

    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(host.sends(), 1);
    let sent = host.last_sent();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.url, "http://127.0.0.1:9/");
    // The core's serialization of the input the policy decided on, not the caller's
    // bytes (here: another member order).
    let decided = parse_input::<SendCommand>(&body).unwrap();
    assert_eq!(sent.body, serde_json::to_vec(&decided).unwrap());
    assert_ne!(sent.body, body);
    assert_eq!(sent.header("X-Amz-Target"), Some("AmazonSSM.SendCommand"));
    assert_eq!(
        sent.header("Content-Type"),
        Some("application/x-amz-json-1.1")
    );
    assert_eq!(host.state.borrow().timeouts, [5000]);
    // Re-signed with the upstream credentials, not the caller's.
    let authorization = sent.header("Authorization").unwrap();
    assert!(
        authorization.contains(&format!(
            "Credential={UPSTREAM_AKID}/20261126/us-east-1/ssm/"
        )),
        "{authorization}"
    );
    assert_ne!(authorization, client_authorization);
    assert!(sent.header("amz-sdk-invocation-id").is_none());
    let lookup =
        |akid: &str| (akid == UPSTREAM_AKID).then(|| (SecretAccessKey::new(UPSTREAM_SECRET), ()));
    let verified = verify(
        &sent,
        &VerifyConfig::new("us-east-1", "ssm"),
        host.now_secs(),
        &lookup,
        None,
    )
    .expect("the upstream request verifies with the upstream secret");
    assert_eq!(verified.access_key_id, UPSTREAM_AKID);
    let wrong =
        |akid: &str| (akid == UPSTREAM_AKID).then(|| (SecretAccessKey::new(ALICE.secret), ()));
    assert!(verify(
        &sent,
        &VerifyConfig::new("us-east-1", "ssm"),
        host.now_secs(),
        &wrong,
        None
    )
    .is_err());

    // The upstream's answer, with the gateway's request id and the upstream's.
    let answer: Value = serde_json::from_slice(&out.body).unwrap();
    assert_eq!(answer["Command"]["CommandId"], "cmd-0001");
    let request_id = out.header("x-amzn-RequestId").unwrap();
    assert!(is_uuid_v4(request_id), "{request_id}");
    assert_eq!(
        out.header("x-ssm-edge-upstream-request-id"),
        Some("upstream-req-1")
    );
    assert_eq!(
        out.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("x-amzn-RequestId"))
            .count(),
        1
    );
    assert_eq!(
        out.header("Content-Type"),
        Some("application/x-amz-json-1.1")
    );
    for dropped in [
        "Content-Length",
        "Connection",
        "Access-Control-Allow-Origin",
    ] {
        assert!(out.header(dropped).is_none(), "{dropped} passed back");
    }

    let audit = host.last_audit();
    assert_eq!(audit["requestId"], request_id);
    assert_eq!(audit["time"], "2026-11-26T07:38:13.000Z");
    assert_eq!(audit["decision"], "allowed");
    assert_eq!(audit["principal"], "alice");
    assert_eq!(audit["authMethod"], "sigv4");
    assert_eq!(audit["operation"], "SendCommand");
    assert_eq!(audit["document"], "Ops-RestartService");
    assert_eq!(audit["policyIds"], json!(["on-call-restart-staging"]));
    assert_eq!(audit["upstreamStatus"], 200);
    assert_eq!(audit["upstreamRequestId"], "upstream-req-1");
    assert_eq!(audit["attempts"], 1);
    assert_eq!(audit["commandId"], "cmd-0001");
    assert_eq!(
        audit["parameters"],
        json!({
            "service": crate::audit::DigestKey::derived(UPSTREAM_SECRET).digest(&["nginx".to_owned()])
        })
    );
    assert_eq!(
        audit["targets"],
        json!({ "targets": [{ "key": "tag:env", "values": ["staging"] }] })
    );
    assert!(audit.get("error").is_none());
}

#[test]
fn read_only_calls_pass_for_anyone_and_request_ids_differ() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([
        upstream(200, r#"{"Commands":[]}"#, "u-1"),
        upstream(200, r#"{"Commands":[]}"#, "u-2"),
    ]);
    let first = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
    );
    let second = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
    );
    assert_eq!((first.status, second.status), (200, 200));
    assert_eq!(first.body, br#"{"Commands":[]}"#);
    assert_ne!(
        first.header("x-amzn-RequestId"),
        second.header("x-amzn-RequestId")
    );
    assert_eq!(host.sends(), 2);
    assert_eq!(
        host.last_sent().header("X-Amz-Target"),
        Some("AmazonSSM.ListCommands")
    );
    assert_eq!(
        host.last_audit()["policyIds"],
        json!(["read-only-for-everyone"])
    );
}

// ---------------------------------------------------------------------------------
// Authentication.

#[test]
fn unsigned_request_is_refused_and_nothing_is_sent() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let out = handle(
        &gateway,
        &host,
        incoming(unsigned(OperationName::SendCommand, &restart())),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!(
        (status, code.as_str()),
        (400, "MissingAuthenticationTokenException")
    );
    // AWS's words first, then the ways in (bearer tokens: JWT is configured).
    assert_eq!(
        message,
        "Missing Authentication Token: sign the request with SigV4 using an access key this gateway issued, for this gateway's host name and region us-east-1 (service ssm), or send Authorization: Bearer <JWT>"
    );
    assert!(is_uuid_v4(out.header("x-amzn-RequestId").unwrap()));
    assert_eq!(host.sends(), 0);
    let audit = host.last_audit();
    assert_eq!(audit["decision"], "unauthenticated");
    assert_eq!(audit["error"], "MissingAuthenticationTokenException");
    assert!(audit.get("principal").is_none());

    // Without JWT, bearer tokens are not offered.
    let keys_only = self::gateway(&[("JWT_ISSUER", ""), ("GATEWAY_REGION", "eu-west-1")]);
    let out = handle(
        &keys_only,
        &host,
        incoming(unsigned(OperationName::ListCommands, &json!({}))),
    );
    let (_, _, message) = error_of(&out);
    assert_eq!(
        message,
        "Missing Authentication Token: sign the request with SigV4 using an access key this gateway issued, for this gateway's host name and region eu-west-1 (service ssm)"
    );

    // Signed for another region than the gateway's: the refusal names the one it takes.
    let out = handle(
        &keys_only,
        &host,
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
    );
    assert_eq!(
        error_of(&out),
        (
            400,
            "InvalidSignatureException".to_owned(),
            "Credential should be scoped to a valid region, not 'us-east-1'. This gateway accepts signatures for region 'eu-west-1' only: set the client's region to eu-west-1.".to_owned()
        )
    );

    // An unknown scheme.
    let basic = with_header(
        incoming(unsigned(OperationName::ListCommands, &json!({}))),
        "Authorization",
        "Basic YWxpY2U6cGFzc3dvcmQ=",
    );
    let (_, code, _) = error_of(&handle(&gateway, &host, basic));
    assert_eq!(code, "UnrecognizedClientException");
    assert_eq!(host.sends(), 0);
}

#[test]
fn wrong_secret_and_unknown_key_are_refused() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let impostor = Key {
        secret: "not-alices-secret-but-long-enough-000",
        ..ALICE
    };
    let out = handle(
        &gateway,
        &host,
        signed(&host, &impostor, OperationName::ListCommands, &json!({})),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (400, "InvalidSignatureException"));
    assert!(
        message.starts_with("The request signature we calculated does not match"),
        "{message}"
    );

    let stranger = Key {
        akid: "GWKEYMALLORY0001",
        ..ALICE
    };
    let (_, code, _) = error_of(&handle(
        &gateway,
        &host,
        signed(&host, &stranger, OperationName::ListCommands, &json!({})),
    ));
    assert_eq!(code, "UnrecognizedClientException");

    // A body changed after signing.
    let mut tampered = signed(&host, &ALICE, OperationName::ListCommands, &json!({}));
    tampered.body = br#"{"MaxResults":50}"#.to_vec();
    let (_, code, _) = error_of(&handle(&gateway, &host, tampered));
    assert_eq!(code, "InvalidSignatureException");

    // Another operation under the signature of a read.
    let mut swapped = signed(&host, &ALICE, OperationName::ListCommands, &json!({}));
    for (name, value) in &mut swapped.headers {
        if name == "X-Amz-Target" {
            *value = "AmazonSSM.SendCommand".to_owned();
        }
    }
    let (_, code, _) = error_of(&handle(&gateway, &host, swapped));
    assert_eq!(code, "InvalidSignatureException");

    assert_eq!(host.sends(), 0);
    assert!(host
        .audits()
        .iter()
        .all(|a| a["decision"] == "unauthenticated"));
}

#[test]
fn stale_and_future_signatures_are_refused() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let request = signed(&host, &ALICE, OperationName::ListCommands, &json!({}));
    host.advance(10 * 60 * 1000);
    let (status, code, message) = error_of(&handle(&gateway, &host, request));
    assert_eq!((status, code.as_str()), (400, "InvalidSignatureException"));
    assert!(message.starts_with("Signature expired"), "{message}");

    let future = sign_at(
        &host,
        &ALICE,
        unsigned(OperationName::ListCommands, &json!({})),
        host.now_secs() + 600,
    );
    let (_, code, message) = error_of(&handle(&gateway, &host, future));
    assert_eq!(code, "InvalidSignatureException");
    assert!(
        message.starts_with("Signature not yet current"),
        "{message}"
    );
    assert_eq!(host.sends(), 0);
}

#[test]
fn a_replayed_signature_is_refused() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([command_created("cmd-1", "u-1")]);
    let request = signed(&host, &ALICE, OperationName::SendCommand, &restart());
    assert_eq!(handle(&gateway, &host, request.clone()).status, 200);
    assert_eq!(host.sends(), 1);

    host.advance(2000);
    let (status, code, message) = error_of(&handle(&gateway, &host, request.clone()));
    assert_eq!((status, code.as_str()), (400, "InvalidSignatureException"));
    assert!(message.contains("already used"), "{message}");
    assert_eq!(host.sends(), 1, "a replay sends nothing");
    let audit = host.last_audit();
    assert_eq!(audit["decision"], "unauthenticated");
    assert_eq!(audit["principal"], "alice");

    // Another principal's record is separate, and a fresh signature is fine.
    host.script([command_created("cmd-2", "u-2")]);
    let fresh = signed(&host, &ALICE, OperationName::SendCommand, &restart());
    assert_eq!(handle(&gateway, &host, fresh).status, 200);
    assert_eq!(host.sends(), 2);
}

// ---------------------------------------------------------------------------------
// Refusals before the upstream.

#[test]
fn a_policy_denial_is_access_denied_with_only_the_policys_reason() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let body = json!({
        "DocumentName": "AWS-RunShellScript",
        "InstanceIds": ["i-0123456789abcdef0"],
        "Parameters": { "commands": ["echo hunter2-param-value"] },
        "Comment": "CHG-5 look around",
    });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::SendCommand, &body),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (400, "AccessDeniedException"));
    // The deciding forbid's @reason, written for callers; nothing else of the policy.
    let reason = "only admins may run AWS-RunShellScript: use a document made for the \
                  task, such as Ops-RestartService";
    assert_eq!(
        message,
        format!(
            "User: bob is not authorized to perform: ssm:SendCommand on resource: \
             document/AWS-RunShellScript: denied by policy: {reason}"
        )
    );
    let body: Value = serde_json::from_str(body_text(&out)).unwrap();
    assert_eq!(body["reasons"], json!([reason]));
    for policy_text in [
        "forbid",
        "permit",
        "Group",
        "shell-scripts-only-for-admins",
        "unless",
    ] {
        assert!(
            !body_text(&out).contains(policy_text),
            "{policy_text} in {}",
            body_text(&out)
        );
    }
    assert_eq!(host.sends(), 0);
    let audit = host.last_audit();
    assert_eq!(audit["decision"], "denied");
    assert_eq!(audit["error"], "AccessDeniedException");
    assert_eq!(audit["policyIds"], json!(["shell-scripts-only-for-admins"]));
    assert_eq!(audit["reasons"], json!([reason]));
    assert_eq!(audit["principal"], "bob");
    assert_eq!(audit["document"], "AWS-RunShellScript");
    assert!(!host.logs().concat().contains("hunter2"));

    // Wildcards: denied for admins, naming the unbounded action.
    let wildcard = json!({
        "DocumentName": "AWS-RunShellScript",
        "Targets": [{ "Key": "InstanceIds", "Values": ["*"] }],
        "Parameters": { "commands": ["uptime"] },
        "Comment": "CHG-5 everything",
    });
    let (_, code, message) = error_of(&handle(
        &gateway,
        &host,
        signed(&host, &ROOT, OperationName::SendCommand, &wildcard),
    ));
    assert_eq!(code, "AccessDeniedException");
    assert!(message.contains("ssm:SendCommandUnbounded"), "{message}");
    assert_eq!(host.sends(), 0);
}

#[test]
fn a_refusal_gives_the_deciding_reasons_and_only_those() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let ticket = "every command needs a Comment that starts with its ticket, CHG-<number> or \
                  INC-<number> (e.g. \"CHG-1234 restart nginx\")";
    // No ticket: the ticket forbid decides and says why.
    let mut body = restart();
    body["Comment"] = json!("restart please");
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &body),
    );
    let (_, code, message) = error_of(&out);
    assert_eq!(code, "AccessDeniedException");
    assert!(
        message.ends_with(&format!(
            "document/Ops-RestartService: denied by policy: {ticket}"
        )),
        "{message}"
    );
    let answer: Value = serde_json::from_str(body_text(&out)).unwrap();
    assert_eq!(answer["reasons"], json!([ticket]));
    assert_eq!(host.last_audit()["reasons"], json!([ticket]));

    // Nothing permits (a service off the allow-list): no forbid decided, nothing said.
    body["Comment"] = json!("CHG-9 restart");
    body["Parameters"] = json!({ "service": ["postgres"] });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &body),
    );
    let (_, code, message) = error_of(&out);
    assert_eq!(code, "AccessDeniedException");
    assert!(message.ends_with(": denied by policy"), "{message}");
    let answer: Value = serde_json::from_str(body_text(&out)).unwrap();
    assert!(answer.get("reasons").is_none(), "{answer}");
    assert!(host.last_audit().get("reasons").is_none());
    assert_eq!(host.sends(), 0);
}

#[test]
fn configured_policies_replace_the_shipped_ones() {
    let policies = r#"
        @id("office-lists")
        permit (principal, action == Action::"ListCommands", resource)
        when { context.caller has sourceIp && context.caller.sourceIp.isInRange(ip("10.0.0.0/8")) };
    "#;
    let compiled = crate::policy::compile([("POLICIES", policies)]).unwrap();
    let gateway = gateway(&[("POLICIES", &compiled)]);
    assert_eq!(gateway.policy_ids(), ["office-lists"]);
    let host = MemoryHost::new();
    host.script([upstream(200, r#"{"Commands":[]}"#, "u-1")]);
    // CF-Connecting-IP is added by the platform after the client signed.
    let office = with_header(
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
        "CF-Connecting-IP",
        "10.20.30.40",
    );
    assert_eq!(handle(&gateway, &host, office).status, 200);
    assert_eq!(host.last_audit()["sourceIp"], "10.20.30.40");
    let cafe = with_header(
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
        "CF-Connecting-IP",
        "203.0.113.9",
    );
    let (_, code, _) = error_of(&handle(&gateway, &host, cafe));
    assert_eq!(code, "AccessDeniedException");
    // The shipped read-only policy is gone.
    let (_, code, _) = error_of(&handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::ListDocuments, &json!({})),
    ));
    assert_eq!(code, "AccessDeniedException");
    assert_eq!(host.sends(), 1);

    // Cedar source stops the gateway from starting: it loads only what `make
    // check-policy` validated and compiled, which names every problem of the source
    // with its line and column.
    let Err(error @ StartError::Policy(PolicyError::NotCompiled)) =
        Gateway::new(config(&[("POLICIES", policies)]))
    else {
        panic!("Cedar source loaded");
    };
    assert!(
        error
            .to_string()
            .starts_with("POLICIES: holds Cedar source"),
        "{error}"
    );
    let broken = "permit (principal, action, resource\n;\npermit (principal action, resource);";
    let Err(error @ PolicyError::Syntax(_)) = crate::policy::compile([("POLICIES", broken)]) else {
        panic!("expected a syntax error");
    };
    let text = error.to_string();
    assert!(
        text.starts_with("POLICIES:2:1: Cedar syntax error: unexpected token `;`"),
        "{text}"
    );
    assert!(text.contains("\nPOLICIES:3:19: "), "{text}");
    // Errors without a place still say which variable.
    let Err(empty) = crate::policy::compile([("POLICIES", "// none yet")]) else {
        panic!("no policy, no gateway");
    };
    assert_eq!(
        StartError::from(empty).to_string(),
        "POLICIES: no policies configured: every request would be denied"
    );
}

#[test]
fn invalid_input_is_a_validation_error_naming_the_field() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let mut body = restart();
    body["TimeoutSeconds"] = json!(1);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &body),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert!(message.contains("TimeoutSeconds"), "{message}");
    assert_eq!(host.sends(), 0);
    let audit = host.last_audit();
    assert_eq!(audit["decision"], "invalid");
    assert_eq!(audit["operation"], "SendCommand");
    assert!(
        audit.get("policyIds").is_none(),
        "validation runs before the policy"
    );

    let unknown_member = json!({ "Bogus": true });
    let (_, code, message) = error_of(&handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::ListCommands, &unknown_member),
    ));
    assert_eq!(code, "ValidationException");
    assert!(message.contains("Bogus"), "{message}");
    assert_eq!(host.sends(), 0);
}

#[test]
fn malformed_json_is_a_serialization_error() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    for body in [&b"{"[..], b"[]", b"", b"\"text\""] {
        let request = build_raw(GATEWAY_URL, OperationName::SendCommand, body.to_vec());
        let out = handle(
            &gateway,
            &host,
            sign_at(&host, &ALICE, request, host.now_secs()),
        );
        let (status, code, _) = error_of(&out);
        assert_eq!(
            (status, code.as_str()),
            (400, "SerializationException"),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    assert_eq!(host.sends(), 0);
}

#[test]
fn unknown_operations_and_paths_are_refused() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let mut request = unsigned(
        OperationName::ListCommands,
        &json!({ "Name": "AWS-RunShellScript" }),
    );
    request.set_header("X-Amz-Target", "AmazonSSM.DeleteDocument".to_owned());
    let out = handle(
        &gateway,
        &host,
        sign_at(&host, &ROOT, request, host.now_secs()),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (400, "UnknownOperationException"));
    assert!(message.contains("AmazonSSM.DeleteDocument"), "{message}");

    let mut get = unsigned(OperationName::ListCommands, &json!({}));
    get.method = "GET".to_owned();
    get.url = "https://gateway.example/admin?x=1".to_owned();
    let (_, code, message) = error_of(&handle(
        &gateway,
        &host,
        sign_at(&host, &ROOT, get, host.now_secs()),
    ));
    assert_eq!(code, "UnknownOperationException");
    assert!(
        message.starts_with("GET /admin is not an SSM operation"),
        "{message}"
    );
    assert_eq!(host.sends(), 0);
}

#[test]
fn a_body_over_64_kib_is_413() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let big = json!({ "Comment": "x".repeat(MAX_BODY_BYTES) });
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::ListCommands, &big),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!(
        (status, code.as_str()),
        (413, "RequestEntityTooLargeException")
    );
    assert!(message.contains("65536"), "{message}");
    assert_eq!(host.sends(), 0);
    // Checked before authentication.
    let anonymous = incoming(unsigned(OperationName::ListCommands, &big));
    assert_eq!(handle(&gateway, &host, anonymous).status, 413);
}

// ---------------------------------------------------------------------------------
// Admission.

#[test]
fn the_rate_limit_throttles_per_principal_and_refills() {
    let gateway = gateway(&[("RATE_LIMIT_PER_MINUTE", "60"), ("RATE_LIMIT_BURST", "2")]);
    let host = MemoryHost::new();
    host.script((0..4).map(|i| upstream(200, r#"{"Commands":[]}"#, &format!("u-{i}"))));
    let list = || signed(&host, &ALICE, OperationName::ListCommands, &json!({}));
    assert_eq!(handle(&gateway, &host, list()).status, 200);
    assert_eq!(handle(&gateway, &host, list()).status, 200);
    let third = list();
    let (status, code, message) = error_of(&handle(&gateway, &host, third.clone()));
    assert_eq!((status, code.as_str()), (400, "ThrottlingException"));
    assert_eq!(message, "Rate exceeded: retry in 1000 ms");
    assert_eq!(host.sends(), 2);
    assert_eq!(host.last_audit()["decision"], "throttled");

    // A throttled SendCommand does not claim its idempotency key.
    let keyed = with_header(
        signed(&host, &ALICE, OperationName::SendCommand, &restart()),
        "Idempotency-Key",
        "restart-1",
    );
    let (_, code, _) = error_of(&handle(&gateway, &host, keyed));
    assert_eq!(code, "ThrottlingException");
    assert!(host.state.borrow().records.is_empty());

    // Bob has his own bucket.
    let bob = signed(&host, &BOB, OperationName::ListCommands, &json!({}));
    assert_eq!(handle(&gateway, &host, bob).status, 200);
    assert_eq!(host.sends(), 3);

    // A second later there is a token again; the throttled request's signature was
    // not recorded, so the SDK's retry of the very same request is admitted.
    host.advance(1000);
    assert_eq!(handle(&gateway, &host, third).status, 200);
    assert_eq!(host.sends(), 4);
    let (_, code, _) = error_of(&handle(&gateway, &host, list()));
    assert_eq!(code, "ThrottlingException");
}

#[test]
fn admission_or_store_failures_send_nothing() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.state.borrow_mut().admission_down = true;
    let (status, code, message) = error_of(&handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &restart()),
    ));
    assert_eq!((status, code.as_str()), (500, "InternalServerError"));
    assert!(message.contains("nothing was sent"), "{message}");

    host.state.borrow_mut().admission_down = false;
    host.state.borrow_mut().store_down = true;
    let keyed = with_header(
        signed(&host, &ALICE, OperationName::SendCommand, &restart()),
        "Idempotency-Key",
        "k-1",
    );
    let (status, _, message) = error_of(&handle(&gateway, &host, keyed));
    assert_eq!(status, 500);
    assert!(
        message.contains("idempotency store is unavailable"),
        "{message}"
    );
    assert_eq!(host.sends(), 0);
    assert!(host
        .logs()
        .iter()
        .any(|l| l.contains("durable object unavailable")));
}

// ---------------------------------------------------------------------------------
// Idempotency.

#[test]
fn a_repeat_with_the_same_key_and_body_gets_the_stored_answer() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([command_created("cmd-first", "u-first")]);
    let first = handle(
        &gateway,
        &host,
        keyed_restart(&host, "deploy-2026-11-26", &restart()),
    );
    assert_eq!(first.status, 200);
    assert_eq!(first.header("Idempotent-Replayed"), None);
    assert_eq!(host.sends(), 1);

    host.advance(5000);
    let second = handle(
        &gateway,
        &host,
        keyed_restart(&host, "deploy-2026-11-26", &restart()),
    );
    assert_eq!(host.sends(), 1, "the repeat is not sent");
    assert_eq!(second.status, 200);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("Idempotent-Replayed"), Some("true"));
    assert_eq!(
        second.header("x-ssm-edge-upstream-request-id"),
        Some("u-first")
    );
    assert_eq!(
        second.header("Content-Type"),
        Some("application/x-amz-json-1.1")
    );
    assert_ne!(
        second.header("x-amzn-RequestId"),
        first.header("x-amzn-RequestId")
    );
    let audit = host.last_audit();
    assert_eq!(audit["decision"], "replayed");
    assert_eq!(audit["commandId"], "cmd-first");
    assert_eq!(audit["upstreamStatus"], 200);

    // Another caller's same key is another record.
    host.script([command_created("cmd-root", "u-root")]);
    let root = with_header(
        signed(&host, &ROOT, OperationName::SendCommand, &restart()),
        "Idempotency-Key",
        "deploy-2026-11-26",
    );
    let out = handle(&gateway, &host, root);
    assert_eq!(out.status, 200);
    assert_eq!(out.header("Idempotent-Replayed"), None);
    assert_eq!(host.sends(), 2);
    // And Alice's record still answers her repeats.
    let third = handle(
        &gateway,
        &host,
        keyed_restart(&host, "deploy-2026-11-26", &restart()),
    );
    assert_eq!(third.body, first.body);
    assert_eq!(host.sends(), 2);
}

#[test]
fn the_same_key_with_another_body_is_a_mismatch() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([command_created("cmd-1", "u-1")]);
    assert_eq!(
        handle(&gateway, &host, keyed_restart(&host, "k-1", &restart())).status,
        200
    );
    let mut other = restart();
    other["Parameters"]["service"] = json!(["redis"]);
    let (status, code, message) = error_of(&handle(
        &gateway,
        &host,
        keyed_restart(&host, "k-1", &other),
    ));
    assert_eq!(
        (status, code.as_str()),
        (400, "IdempotentParameterMismatch")
    );
    assert!(message.contains("different request body"), "{message}");
    assert_eq!(host.sends(), 1);
    assert_eq!(host.last_audit()["decision"], "invalid");
}

#[test]
fn idempotency_keys_are_checked_and_only_for_send_command() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let list = with_header(
        signed(&host, &ALICE, OperationName::ListCommands, &json!({})),
        "Idempotency-Key",
        "k-1",
    );
    let (_, code, message) = error_of(&handle(&gateway, &host, list));
    assert_eq!(code, "ValidationException");
    assert_eq!(message, "Idempotency-Key: only SendCommand takes one");
    let long = "k".repeat(256);
    let (_, code, message) = error_of(&handle(
        &gateway,
        &host,
        keyed_restart(&host, &long, &restart()),
    ));
    assert_eq!(code, "ValidationException");
    assert!(
        message.starts_with("Idempotency-Key: must be 1 to 255"),
        "{message}"
    );
    assert_eq!(host.sends(), 0);
}

#[test]
fn a_first_request_in_flight_or_lost_is_reported() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let body_sha256 = {
        // Of the body the gateway forwards: the core's serialization.
        let request = keyed_restart(&host, "k-1", &restart());
        let decided = parse_input::<SendCommand>(&request.body).unwrap();
        hex(&Sha256::digest(serde_json::to_vec(&decided).unwrap()))
    };
    host.state.borrow_mut().records.insert(
        "alice\nk-1".to_owned(),
        Some(Record::InFlight {
            body_sha256,
            started_ms: T0_MS,
        }),
    );
    let (_, code, message) = error_of(&handle(
        &gateway,
        &host,
        keyed_restart(&host, "k-1", &restart()),
    ));
    assert_eq!(code, "ThrottlingException");
    assert!(message.contains("in progress"), "{message}");
    host.advance(IN_FLIGHT_MS + 1);
    let (status, code, message) = error_of(&handle(
        &gateway,
        &host,
        keyed_restart(&host, "k-1", &restart()),
    ));
    assert_eq!((status, code.as_str()), (500, "InternalServerError"));
    assert!(message.contains("check ListCommands"), "{message}");
    assert_eq!(host.sends(), 0);
}

#[test]
fn a_not_sent_failure_releases_the_key() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    // Nothing sent proves nothing ran: retried up to the attempt limit, then released.
    host.script((0..3).map(|_| failure(Transport::NotSent, false)));
    let (status, code, message) = error_of(&handle(
        &gateway,
        &host,
        keyed_restart(&host, "k-1", &restart()),
    ));
    assert_eq!((status, code.as_str()), (502, "InternalServerError"));
    assert_eq!(message, "the upstream could not be reached");
    assert_eq!(host.sends(), 3);
    assert_eq!(host.state.borrow().sleeps.len(), 2);
    assert_eq!(host.last_audit()["decision"], "upstream-failed");
    assert_eq!(host.last_audit()["attempts"], 3);

    // The retry with the same key runs.
    host.script([command_created("cmd-1", "u-1")]);
    let out = handle(&gateway, &host, keyed_restart(&host, "k-1", &restart()));
    assert_eq!(out.status, 200);
    assert_eq!(out.header("Idempotent-Replayed"), None);
    assert_eq!(host.sends(), 4);
}

#[test]
fn a_maybe_sent_timeout_is_not_retried_and_its_answer_is_kept() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([failure(Transport::MaybeSent, true)]);
    let first = handle(&gateway, &host, keyed_restart(&host, "k-1", &restart()));
    let (status, code, message) = error_of(&first);
    assert_eq!(
        (status, code.as_str()),
        (409, "CommandOutcomeUnknownException")
    );
    assert!(message.contains("5000 ms"), "{message}");
    assert!(message.contains("ListCommands"), "{message}");
    assert_eq!(
        host.sends(),
        1,
        "SendCommand is not retried after a timeout"
    );
    assert!(host.state.borrow().sleeps.is_empty());

    host.advance(60_000);
    let again = handle(&gateway, &host, keyed_restart(&host, "k-1", &restart()));
    assert_eq!(host.sends(), 1, "the repeat gets the stored answer");
    assert_eq!(again.status, 409);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("Idempotent-Replayed"), Some("true"));

    // Without a key, the same failure is still not retried.
    host.script([failure(Transport::MaybeSent, false)]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &restart()),
    );
    let (status, _, message) = error_of(&out);
    assert_eq!(status, 409);
    assert!(message.contains("may have run"), "{message}");
    assert_eq!(host.sends(), 2);
}

#[test]
fn a_command_that_may_have_run_is_never_resent_with_the_same_bytes() {
    // 409 CommandOutcomeUnknownException: botocore and the AWS JS SDK do not retry it (they
    // would a 502/504, running the command again). An identical resend is a replay; a
    // re-signed repeat with the same Idempotency-Key gets the stored answer.
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([failure(Transport::MaybeSent, false)]);
    let request = keyed_restart(&host, "k-1", &restart());
    let first = handle(&gateway, &host, request.clone());
    assert_eq!(first.status, 409, "{}", body_text(&first));
    assert_eq!(host.state.borrow().forgotten, 0);
    let (status, code, _) = error_of(&handle(&gateway, &host, request));
    assert_eq!((status, code.as_str()), (400, "InvalidSignatureException"));
    host.advance(1000);
    let again = handle(&gateway, &host, keyed_restart(&host, "k-1", &restart()));
    assert_eq!(again.status, 409, "{}", body_text(&again));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("Idempotent-Replayed"), Some("true"));
    assert_eq!(host.sends(), 1);
}

#[test]
fn an_sdk_retry_of_a_replayed_5xx_gets_the_stored_answer_again() {
    // A stored 5xx (the upstream answered 500 to the first try) is what SDKs retry with
    // the same bytes: each retry gets it again, never a replay refusal.
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([upstream_error(500, "InternalServerError", "u-1")]);
    let request = keyed_restart(&host, "k-1", &restart());
    let first = handle(&gateway, &host, request.clone());
    assert_eq!(first.status, 500);
    for _ in 0..3 {
        let again = handle(&gateway, &host, request.clone());
        assert_eq!(again.status, 500, "{}", body_text(&again));
        assert_eq!(again.body, first.body);
        assert_eq!(again.header("Idempotent-Replayed"), Some("true"));
    }
    assert_eq!(host.sends(), 1);
}

#[test]
fn reads_are_retried_after_a_timeout() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([
        failure(Transport::MaybeSent, true),
        upstream(200, r#"{"Commands":[]}"#, "u-2"),
    ]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
    );
    assert_eq!(out.status, 200);
    assert_eq!(host.sends(), 2);
    assert_eq!(host.last_audit()["attempts"], 2);
}

#[test]
fn upstream_500_is_retried_for_reads_only() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script((0..3).map(|i| upstream_error(500, "InternalServerError", &format!("u-{i}"))));
    let out = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
    );
    let (status, code, _) = error_of(&out);
    assert_eq!((status, code.as_str()), (500, "InternalServerError"));
    assert_eq!(host.sends(), 3, "UPSTREAM_MAX_ATTEMPTS defaults to 3");
    assert_eq!(host.state.borrow().sleeps.len(), 2);
    assert_eq!(out.header("x-ssm-edge-upstream-request-id"), Some("u-2"));
    let audit = host.last_audit();
    assert_eq!(audit["decision"], "upstream-error");
    assert_eq!(audit["attempts"], 3);
    assert_eq!(audit["upstreamStatus"], 500);
    // Every attempt is signed with the upstream credentials at its own time.
    let lookup =
        |akid: &str| (akid == UPSTREAM_AKID).then(|| (SecretAccessKey::new(UPSTREAM_SECRET), ()));
    for sent in &host.state.borrow().sent {
        let verified = verify(
            sent,
            &VerifyConfig::new("us-east-1", "ssm"),
            host.now_secs(),
            &lookup,
            None,
        );
        assert!(verified.is_ok(), "{verified:?}");
        assert_eq!(sent.body, b"{}");
    }

    host.script([upstream_error(500, "InternalServerError", "u-send")]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &restart()),
    );
    assert_eq!(out.status, 500);
    assert_eq!(host.sends(), 4, "SendCommand is sent once");

    let gateway = self::gateway(&[("UPSTREAM_MAX_ATTEMPTS", "1")]);
    host.script([upstream_error(503, "ServiceUnavailable", "u-once")]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
    );
    assert_eq!(out.status, 503);
    assert_eq!(host.sends(), 5);
}

/// Found by the `gateway_handle` fuzz campaign: an upstream status no HTTP answer can have
/// (here 11603) was relayed as the gateway's own status. It is now a broken answer that
/// proves nothing: retried for reads, "may have run" for SendCommand, never relayed.
#[test]
fn an_impossible_upstream_status_is_never_relayed() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([
        upstream(11603, "{}", "u-1"),
        upstream(99, "{}", "u-2"),
        upstream(0, "{}", "u-3"),
    ]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (502, "InternalServerError"));
    assert!(!message.contains("may have run"), "{message}");
    assert_eq!(host.sends(), 3, "a read is retried");
    assert_eq!(host.last_audit()["decision"], "upstream-failed");
    assert!(
        host.state
            .borrow()
            .logs
            .iter()
            .any(|l| l.contains("invalid HTTP status 11603")),
        "{:?}",
        host.state.borrow().logs
    );

    host.script([upstream(600, "{}", "u-4")]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &restart()),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!(
        (status, code.as_str()),
        (409, "CommandOutcomeUnknownException")
    );
    assert!(message.contains("may have run"), "{message}");
    assert_eq!(host.sends(), 4, "SendCommand is sent once");
}

#[test]
fn upstream_throttling_is_retried_even_for_send_command() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([
        upstream_error(400, "ThrottlingException", "u-1"),
        command_created("cmd-1", "u-2"),
    ]);
    let out = handle(&gateway, &host, keyed_restart(&host, "k-1", &restart()));
    assert_eq!(out.status, 200);
    assert_eq!(host.sends(), 2);
    assert_eq!(out.header("x-ssm-edge-upstream-request-id"), Some("u-2"));
}

#[test]
fn an_upstream_auth_refusal_proves_nothing_ran_and_releases_the_key() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([upstream_error(400, "UnrecognizedClientException", "u-1")]);
    let out = handle(&gateway, &host, keyed_restart(&host, "k-1", &restart()));
    let (status, code, _) = error_of(&out);
    assert_eq!(
        (status, code.as_str()),
        (400, "UnrecognizedClientException")
    );
    assert_eq!(host.sends(), 1);
    assert_eq!(host.state.borrow().records.get("alice\nk-1"), Some(&None));

    host.script([command_created("cmd-1", "u-2")]);
    let out = handle(&gateway, &host, keyed_restart(&host, "k-1", &restart()));
    assert_eq!(out.status, 200);
    assert_eq!(host.sends(), 2);
}

// ---------------------------------------------------------------------------------
// CORS.

#[test]
fn cors_preflight_and_responses() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let out = handle(&gateway, &host, preflight(ORIGIN));
    assert_eq!(out.status, 204);
    assert!(out.body.is_empty());
    assert_eq!(out.header("Access-Control-Allow-Origin"), Some(ORIGIN));
    assert_eq!(out.header("Access-Control-Allow-Methods"), Some("POST"));
    assert!(out
        .header("Access-Control-Allow-Headers")
        .unwrap()
        .contains("idempotency-key"));
    assert_eq!(
        out.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Access-Control-Allow-Origin"))
            .count(),
        1
    );
    assert_eq!(host.last_audit()["decision"], "preflight");

    let refused = handle(&gateway, &host, preflight("https://evil.example"));
    let (status, code, _) = error_of(&refused);
    assert_eq!((status, code.as_str()), (400, "AccessDeniedException"));
    assert_eq!(refused.header("Access-Control-Allow-Origin"), None);

    let mut bad_method = preflight(ORIGIN);
    bad_method.headers[1].1 = "DELETE".to_owned();
    let out = handle(&gateway, &host, bad_method);
    assert_eq!(error_of(&out).1, "AccessDeniedException");
    assert_eq!(out.header("Access-Control-Allow-Origin"), None);

    // An actual request from the page: the upstream's CORS headers are replaced.
    host.script([upstream(200, r#"{"Commands":[]}"#, "u-1")]);
    let request = with_header(
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
        "Origin",
        ORIGIN,
    );
    let out = handle(&gateway, &host, request);
    assert_eq!(out.status, 200);
    let acao: Vec<&str> = out
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Access-Control-Allow-Origin"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(acao, [ORIGIN]);
    assert!(out
        .header("Access-Control-Expose-Headers")
        .unwrap()
        .contains("x-amzn-RequestId"));
    // Errors to the page carry them too, so it can read the message.
    let denied = with_header(
        incoming(unsigned(OperationName::ListCommands, &json!({}))),
        "Origin",
        ORIGIN,
    );
    assert_eq!(
        handle(&gateway, &host, denied).header("Access-Control-Allow-Origin"),
        Some(ORIGIN)
    );
    // A request from a refused origin never reaches the upstream.
    let evil = with_header(
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
        "Origin",
        "https://evil.example",
    );
    assert_eq!(
        error_of(&handle(&gateway, &host, evil)).1,
        "AccessDeniedException"
    );
    assert_eq!(host.sends(), 1);
}

// ---------------------------------------------------------------------------------
// Bearer tokens.

#[test]
fn a_bearer_token_is_accepted() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([command_created("cmd-1", "u-1")]);
    let token = es256_token(&host, "carol", &["on-call"]);
    let out = handle(
        &gateway,
        &host,
        bearer(&token, OperationName::SendCommand, &restart()),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(host.sends(), 1);
    assert_eq!(host.state.borrow().jwks_fetches, [test_keys::JWKS_URL]);
    let audit = host.last_audit();
    assert_eq!(audit["principal"], "jwt:carol");
    assert_eq!(audit["authMethod"], "jwt");
    assert_eq!(audit["policyIds"], json!(["on-call-restart-staging"]));
    // The upstream never sees the token.
    let sent = host.last_sent();
    assert!(sent
        .header("Authorization")
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256 Credential=AKIDUPSTREAM"));
    assert!(!format!("{:?}", sent.headers).contains(&token));

    // RS256 works too; the key set is cached.
    host.script([upstream(200, r#"{"Commands":[]}"#, "u-2")]);
    let rs256 = test_keys::token(
        Algorithm::RS256,
        Some("rsa-1"),
        &test_keys::claims("dave", &[], host.now_secs()),
        &test_keys::rsa_key(),
    );
    assert_eq!(
        handle(
            &gateway,
            &host,
            bearer(&rs256, OperationName::ListCommands, &json!({}))
        )
        .status,
        200
    );
    assert_eq!(host.jwks_fetches(), 1);

    // A token's groups are its own: no groups, no restart.
    let (_, code, _) = error_of(&handle(
        &gateway,
        &host,
        bearer(
            &es256_token(&host, "erin", &[]),
            OperationName::SendCommand,
            &restart(),
        ),
    ));
    assert_eq!(code, "AccessDeniedException");
    assert_eq!(host.sends(), 2);
}

#[test]
fn bearer_refusals_are_aws_shaped() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let mut claims = test_keys::claims("carol", &[], host.now_secs());
    claims["exp"] = json!(host.now_secs() - 3600);
    let expired = test_keys::token(
        Algorithm::ES256,
        Some("ec-1"),
        &claims,
        &test_keys::ec_key(),
    );
    let (status, code, _) = error_of(&handle(
        &gateway,
        &host,
        bearer(&expired, OperationName::ListCommands, &json!({})),
    ));
    assert_eq!((status, code.as_str()), (400, "ExpiredTokenException"));

    let (_, code, _) = error_of(&handle(
        &gateway,
        &host,
        bearer("not.a.jwt", OperationName::ListCommands, &json!({})),
    ));
    assert_eq!(code, "UnrecognizedClientException");
    assert_eq!(host.sends(), 0);
    assert!(host
        .audits()
        .iter()
        .all(|a| a["decision"] == "unauthenticated"));

    // No JWT configuration: bearer tokens are refused outright, without a fetch.
    let keys_only = self::gateway(&[("JWT_ISSUER", "")]);
    let fresh = MemoryHost::new();
    let token = es256_token(&fresh, "carol", &["on-call"]);
    let (_, code, message) = error_of(&handle(
        &keys_only,
        &fresh,
        bearer(&token, OperationName::ListCommands, &json!({})),
    ));
    assert_eq!(code, "UnrecognizedClientException");
    assert!(
        message.contains("does not accept bearer tokens"),
        "{message}"
    );
    assert_eq!(fresh.jwks_fetches(), 0);

    // The issuer's keys cannot be fetched (a new isolate: nothing cached).
    let gateway = self::gateway(&[]);
    let down = MemoryHost::new();
    down.state.borrow_mut().jwks = String::new();
    let (status, _, message) = error_of(&handle(
        &gateway,
        &down,
        bearer(&token, OperationName::ListCommands, &json!({})),
    ));
    assert_eq!(status, 500);
    assert!(message.contains("could not be fetched"), "{message}");
    assert!(down.logs().iter().any(|l| l.contains("JWKS fetch")));
}

#[test]
fn an_unknown_kid_refetches_the_key_set_at_most_every_30_seconds() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script((0..4).map(|i| upstream(200, r#"{"Commands":[]}"#, &format!("u-{i}"))));
    let list = |token: &str| bearer(token, OperationName::ListCommands, &json!({}));
    assert_eq!(
        handle(&gateway, &host, list(&es256_token(&host, "carol", &[]))).status,
        200
    );
    assert_eq!(host.jwks_fetches(), 1);

    // The issuer rotates to a new key.
    host.state.borrow_mut().jwks =
        test_keys::jwks(&[test_keys::ec_jwk("ec-1"), test_keys::ec_other_jwk("ec-2")]);
    let rotated = |host: &MemoryHost| {
        test_keys::token(
            Algorithm::ES256,
            Some("ec-2"),
            &test_keys::claims("carol", &[], host.now_secs()),
            &test_keys::ec_other_key(),
        )
    };
    host.advance(10_000);
    let (_, code, message) = error_of(&handle(&gateway, &host, list(&rotated(&host))));
    assert_eq!(code, "UnrecognizedClientException");
    assert!(message.contains("\"ec-2\""), "{message}");
    assert_eq!(
        host.jwks_fetches(),
        1,
        "no refetch within 30 s of the last one"
    );

    host.advance(20_000);
    assert_eq!(handle(&gateway, &host, list(&rotated(&host))).status, 200);
    assert_eq!(host.jwks_fetches(), 2, "one refetch for the unknown kid");

    // A kid nobody has: refused, and no fetch storm.
    let unknown = test_keys::token(
        Algorithm::ES256,
        Some("ec-9"),
        &test_keys::claims("carol", &[], host.now_secs()),
        &test_keys::ec_key(),
    );
    for _ in 0..3 {
        host.advance(1000);
        assert_eq!(
            error_of(&handle(&gateway, &host, list(&unknown))).1,
            "UnrecognizedClientException"
        );
    }
    assert_eq!(host.jwks_fetches(), 2);

    // After the TTL the set is fetched again before verifying.
    host.advance(JWKS_TTL_MS + 1);
    assert_eq!(handle(&gateway, &host, list(&rotated(&host))).status, 200);
    assert_eq!(host.jwks_fetches(), 3);
    assert_eq!(host.sends(), 3);
}

#[test]
fn a_token_for_root_is_not_the_key_principal_root() {
    // Before JWT_PRINCIPAL_PREFIX, a token with `sub: root` was the key principal
    // `root`: its policies, its rate limit and its idempotency keys.
    let policies = r#"
        @id("key-root-lists-commands")
        permit (principal == User::"root", action == Action::"ListCommands", resource);
        @id("token-root-lists-documents")
        permit (principal == User::"jwt:root", action == Action::"ListDocuments", resource);
    "#;
    let compiled = crate::policy::compile([("POLICIES", policies)]).unwrap();
    let gateway = gateway(&[
        ("POLICIES", &compiled),
        ("RATE_LIMIT_PER_MINUTE", "1"),
        ("RATE_LIMIT_BURST", "1"),
    ]);
    let host = MemoryHost::new();
    host.script((0..2).map(|i| upstream(200, "{}", &format!("u-{i}"))));
    let token = es256_token(&host, "root", &["admins"]);
    let key_lists = signed(&host, &ROOT, OperationName::ListCommands, &json!({}));
    assert_eq!(handle(&gateway, &host, key_lists).status, 200);
    assert_eq!(host.last_audit()["principal"], "root");

    // The token is another principal: not allowed what the key principal is...
    let token_lists = bearer(&token, OperationName::ListCommands, &json!({}));
    let (_, code, message) = error_of(&handle(&gateway, &host, token_lists));
    assert_eq!(code, "AccessDeniedException");
    assert!(message.contains("jwt:root"), "{message}");
    // ...allowed what its own policy says, with its own bucket (the key's is empty).
    let token_documents = bearer(&token, OperationName::ListDocuments, &json!({}));
    let out = handle(&gateway, &host, token_documents);
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(host.last_audit()["principal"], "jwt:root");
    assert_eq!(host.sends(), 2);
    assert!(host.gate("root").bucket.is_some());
    assert!(host.gate("jwt:root").bucket.is_some());
    // And the key principal is not allowed the token's.
    let key_documents = signed(&host, &ROOT, OperationName::ListDocuments, &json!({}));
    assert_eq!(
        error_of(&handle(&gateway, &host, key_documents)).1,
        "AccessDeniedException"
    );
}

#[test]
fn a_cloudflare_access_assertion_is_a_bearer_token() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([upstream(200, r#"{"Commands":[]}"#, "u-1")]);
    let token = es256_token(&host, "carol", &[]);
    let request = with_header(
        incoming(unsigned(OperationName::ListCommands, &json!({}))),
        "Cf-Access-Jwt-Assertion",
        &token,
    );
    let out = handle(&gateway, &host, request);
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(host.last_audit()["principal"], "jwt:carol");
    assert_eq!(host.last_audit()["authMethod"], "jwt");

    // A forged assertion is refused like a forged bearer token.
    let forged = test_keys::token(
        Algorithm::ES256,
        Some("ec-1"),
        &test_keys::claims("carol", &["admins"], host.now_secs()),
        &test_keys::ec_other_key(),
    );
    let request = with_header(
        incoming(unsigned(OperationName::ListCommands, &json!({}))),
        "Cf-Access-Jwt-Assertion",
        &forged,
    );
    assert_eq!(
        error_of(&handle(&gateway, &host, request)).1,
        "UnrecognizedClientException"
    );
    assert_eq!(host.sends(), 1);
}

// ---------------------------------------------------------------------------------
// The audit log.

#[test]
fn audit_lines_never_carry_secrets_signatures_tokens_or_parameter_values() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let mut signatures = Vec::new();
    let mut remember = |request: &Incoming| {
        let authorization = request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        if let Some((_, signature)) = authorization.rsplit_once("Signature=") {
            signatures.push(signature.to_owned());
        }
    };

    // Allowed, with a parameter value.
    host.script([command_created("cmd-1", "u-1")]);
    let allowed = signed(&host, &ALICE, OperationName::SendCommand, &restart());
    remember(&allowed);
    assert_eq!(handle(&gateway, &host, allowed.clone()).status, 200);
    // Replayed.
    assert_eq!(handle(&gateway, &host, allowed).status, 400);
    // Denied, with a secret-looking parameter value.
    let shell = json!({
        "DocumentName": "AWS-RunShellScript",
        "InstanceIds": ["i-0123456789abcdef0"],
        "Parameters": { "commands": ["mysql -p'hunter2-param-value'"] },
        "Comment": "CHG-2",
    });
    let denied = signed(&host, &BOB, OperationName::SendCommand, &shell);
    remember(&denied);
    assert_eq!(handle(&gateway, &host, denied).status, 400);
    // Wrong secret.
    let wrong = signed(
        &host,
        &Key {
            secret: "root-SECRET-but-wrong-0123456789abcdef",
            ..ROOT
        },
        OperationName::ListCommands,
        &json!({}),
    );
    remember(&wrong);
    assert_eq!(handle(&gateway, &host, wrong).status, 400);
    // Upstream failure, and an upstream error.
    host.script([failure(Transport::MaybeSent, true)]);
    let timeout = signed(&host, &ROOT, OperationName::SendCommand, &shell);
    remember(&timeout);
    assert_eq!(handle(&gateway, &host, timeout).status, 409);
    // A bearer token.
    host.script([upstream(200, r#"{"Commands":[]}"#, "u-3")]);
    let token = es256_token(&host, "carol", &["on-call"]);
    assert_eq!(
        handle(
            &gateway,
            &host,
            bearer(&token, OperationName::ListCommands, &json!({}))
        )
        .status,
        200
    );

    let logs = host.logs();
    assert_eq!(host.audits().len(), 6);
    let everything = logs.join("\n");
    let mut forbidden = vec![
        UPSTREAM_SECRET.to_owned(),
        ALICE.secret.to_owned(),
        BOB.secret.to_owned(),
        ROOT.secret.to_owned(),
        "root-SECRET-but-wrong".to_owned(),
        "hunter2".to_owned(),
        "nginx".to_owned(),
        "AWS4-HMAC-SHA256".to_owned(),
        "Signature=".to_owned(),
        token.clone(),
    ];
    forbidden.extend(token.split('.').map(str::to_owned));
    forbidden.extend(signatures.iter().cloned());
    for sent in &host.state.borrow().sent {
        let authorization = sent.header("Authorization").unwrap();
        forbidden.push(
            authorization
                .rsplit_once("Signature=")
                .unwrap()
                .1
                .to_owned(),
        );
    }
    assert_eq!(signatures.len(), 4);
    for secret in &forbidden {
        assert!(
            !everything.contains(secret.as_str()),
            "{secret:?} in the log:\n{everything}"
        );
    }
    // Every line is one JSON object.
    for line in &logs {
        assert!(!line.contains('\n'));
        assert!(
            serde_json::from_str::<Value>(line).is_ok_and(|v| v.is_object()),
            "{line}"
        );
    }
}

#[test]
fn parameter_values_are_logged_only_when_opted_in() {
    let gateway = gateway(&[("AUDIT_PARAMETER_VALUES", "true")]);
    let host = MemoryHost::new();
    host.script([command_created("cmd-1", "u-1")]);
    assert_eq!(
        handle(
            &gateway,
            &host,
            signed(&host, &ALICE, OperationName::SendCommand, &restart())
        )
        .status,
        200
    );
    assert_eq!(
        host.last_audit()["parameters"],
        json!({ "service": ["nginx"] })
    );
}

#[test]
fn the_clock_and_latency_are_the_hosts() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    host.script([
        upstream_error(503, "ServiceUnavailable", "u-1"),
        upstream(200, r#"{"Commands":[]}"#, "u-2"),
    ]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
    );
    assert_eq!(out.status, 200);
    let slept: u64 = host.state.borrow().sleeps.iter().sum();
    assert!(slept <= 50, "the first retry waits at most 50 ms: {slept}");
    assert_eq!(host.last_audit()["latencyMs"], slept);
}

#[test]
fn the_sdk_retry_of_a_call_that_failed_upstream_is_not_a_replay() {
    // botocore re-signs a retry within the same second to the same signature.
    let gateway = gateway(&[("UPSTREAM_MAX_ATTEMPTS", "1")]);
    let host = MemoryHost::new();
    let cancel = json!({ "CommandId": "0b9e4a6e-2f6c-4a5e-9d1e-7c1f3b2a9d10" });
    let request = signed(&host, &ALICE, OperationName::CancelCommand, &cancel);
    host.script([upstream_error(503, "ServiceUnavailable", "u-1")]);
    assert_eq!(handle(&gateway, &host, request.clone()).status, 503);
    assert_eq!(host.state.borrow().forgotten, 1);
    host.script([upstream(200, "{}", "u-2")]);
    assert_eq!(handle(&gateway, &host, request.clone()).status, 200);
    assert_eq!(host.sends(), 2);
    // Once it succeeded, the same bytes are a replay again.
    let (status, code, _) = error_of(&handle(&gateway, &host, request));
    assert_eq!((status, code.as_str()), (400, "InvalidSignatureException"));
    assert_eq!(host.sends(), 2);
}

#[test]
fn identical_reads_in_one_second_are_not_replays() {
    // A dashboard polling ListCommands twice in a second sends the same signature.
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let request = signed(&host, &BOB, OperationName::ListCommands, &json!({}));
    host.script([
        upstream(200, r#"{"Commands":[]}"#, "u-1"),
        upstream(200, r#"{"Commands":[]}"#, "u-2"),
    ]);
    assert_eq!(handle(&gateway, &host, request.clone()).status, 200);
    assert_eq!(handle(&gateway, &host, request).status, 200);
    assert_eq!(host.sends(), 2);
}

#[test]
fn a_clock_skew_refusal_upstream_corrects_the_signing_clock() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let skewed_by = 20 * 60;
    let server_time = host.now_secs() + skewed_by;
    // The server's clock arrives in the HTTP `Date` header (IMF-fixdate).
    let rfc = crate::audit::rfc3339(server_time * 1000);
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let http_date = format!(
        "{}, {} {} {} {} GMT",
        days[((server_time / 86_400) % 7) as usize],
        &rfc[8..10],
        months[rfc[5..7].parse::<usize>().unwrap() - 1],
        &rfc[0..4],
        &rfc[11..19]
    );
    let mut refusal = upstream_error(400, "InvalidSignatureException", "u-1").unwrap();
    refusal.headers.push(("Date".into(), http_date));
    host.script([Ok(refusal), upstream(200, r#"{"Commands":[]}"#, "u-2")]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &BOB, OperationName::ListCommands, &json!({})),
    );
    assert_eq!(out.status, 200, "{}", body_text(&out));
    let state = host.state.borrow();
    assert_eq!(state.sent.len(), 2);
    let second_date = state.sent[1].header("x-amz-date").unwrap().to_owned();
    let second = ssm_edge_core::time::AmzDate::parse(&second_date)
        .unwrap()
        .unix();
    assert!(
        second.abs_diff(server_time) <= 1,
        "the retry is signed with the server's clock: {second_date}"
    );
}

#[test]
fn a_document_arn_is_decided_as_its_name() {
    // An ARN in the upstream's own account decides like the name.
    let gateway = gateway(&[("UPSTREAM_ACCOUNT_ID", "123456789012")]);
    let host = MemoryHost::new();
    let mut body = restart();
    body["DocumentName"] = json!("arn:aws:ssm:us-east-1:123456789012:document/AWS-RunShellScript");
    body["Parameters"] = json!({ "commands": ["id"] });
    // Named instances: not something on-call may ask approval for (60-approvals.cedar).
    body.as_object_mut().unwrap().remove("Targets");
    body["InstanceIds"] = json!(["i-0123456789abcdef0"]);
    let out = handle(
        &gateway,
        &host,
        signed(&host, &ALICE, OperationName::SendCommand, &body),
    );
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (400, "AccessDeniedException"));
    assert!(message.contains("denied by policy"), "{message}");
    assert!(host.last_audit()["policyIds"]
        .as_array()
        .unwrap()
        .iter()
        .any(|id| id == "shell-scripts-only-for-admins"));
    assert_eq!(host.sends(), 0);
}

#[test]
fn every_answer_carries_a_date_for_clock_skew_correction() {
    let gateway = gateway(&[]);
    let host = MemoryHost::new();
    let request = signed(&host, &BOB, OperationName::ListCommands, &json!({}));
    host.advance(10 * 60 * 1000);
    let out = handle(&gateway, &host, request);
    assert_eq!(error_of(&out).1, "InvalidSignatureException");
    let date = out.header("date").expect("a Date header");
    assert_eq!(
        ssm_edge_core::time::parse_http_date(date).unwrap(),
        host.now_secs()
    );
}
