//! Regions and accounts end to end over the in-memory host: the signed region picks
//! the upstream region, `X-Ssm-Edge-Account` an account whose role is assumed through
//! STS (cached, renewed before expiry), and what is not served is refused before
//! policy with nothing sent.

use serde_json::{json, Value};
use ssm_edge_core::model::OperationName;
use ssm_edge_core::request::HttpRequest;

use crate::testing::*;

const ACCOUNTS: &str = r#"{"staging": "arn:aws:iam::222222222222:role/ssm-edge", "prod": "arn:aws:iam::333333333333:role/ssm-edge"}"#;
const STS_URL: &str = "http://127.0.0.1:7/sts";

/// Two regions, two role accounts besides the gateway's own (111111111111).
fn fleet_gateway(policies: Option<&str>) -> crate::pipeline::Gateway {
    let mut vars = vec![
        ("UPSTREAM_REGIONS", "us-east-1,eu-west-1"),
        ("UPSTREAM_ACCOUNT_ID", "111111111111"),
        ("UPSTREAM_ACCOUNTS", ACCOUNTS),
        ("UPSTREAM_STS_ENDPOINT", STS_URL),
    ];
    let compiled = policies.map(|text| crate::policy::compile([("POLICIES", text)]).unwrap());
    if let Some(compiled) = &compiled {
        vars.push(("POLICIES", compiled));
    }
    gateway(&vars)
}

fn list() -> Value {
    json!({})
}

fn sent() -> impl Fn(&MemoryHost) -> Vec<HttpRequest> {
    |host| host.state.borrow().sent.clone()
}

fn is_sts(request: &HttpRequest) -> bool {
    request.url.starts_with(STS_URL)
}

/// The credential scope of a signed request: `akid/date/region/service`.
fn scope(request: &HttpRequest) -> String {
    let authorization = request.header("Authorization").unwrap();
    let credential = authorization
        .split("Credential=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    credential.trim_end_matches("/aws4_request").to_owned()
}

/// STS answers with `akid`'s credentials valid for an hour; SSM with an empty list.
fn answer_sts_then_ssm(host: &MemoryHost, akid: &'static str) {
    let expires = host.now_secs() + 3600;
    host.answer_with(move |request| {
        if is_sts(request) {
            sts_credentials(
                akid,
                "role-SECRET-0123456789",
                "role-session-token",
                expires,
            )
        } else {
            upstream(200, r#"{"Commands":[]}"#, "upstream-req")
        }
    });
}

#[test]
fn the_signed_region_picks_the_upstream_region() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    answer_sts_then_ssm(&host, "ASIAROLE0000000001");
    for region in ["eu-west-1", "us-east-1"] {
        let request = signed_for(
            &host,
            &BOB,
            region,
            OperationName::ListCommands,
            &list(),
            &[],
        );
        let out = handle(&gateway, &host, request);
        assert_eq!(out.status, 200, "{}", body_text(&out));
        let last = host.last_sent();
        assert_eq!(
            scope(&last),
            format!("{UPSTREAM_AKID}/20261126/{region}/ssm"),
            "re-signed for the caller's region"
        );
        let audit = host.last_audit();
        assert_eq!(
            (audit["region"].as_str(), audit["account"].as_str()),
            (Some(region), Some("default"))
        );
    }
}

#[test]
fn a_region_not_served_is_refused_before_policy_with_nothing_sent() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    let request = signed_for(
        &host,
        &ROOT,
        "ap-south-1",
        OperationName::ListCommands,
        &list(),
        &[],
    );
    let out = handle(&gateway, &host, request);
    let (status, code, message) = error_of(&out);
    assert_eq!((status, code.as_str()), (400, "InvalidSignatureException"));
    assert_eq!(
        message,
        "Credential should be scoped to a valid region, not 'ap-south-1'. This gateway serves the regions us-east-1, eu-west-1: set the client's region to one of them."
    );
    // A bearer token's region header.
    let token = es256_token(&host, "root", &["admins"]);
    let request = with_header(
        bearer(&token, OperationName::ListCommands, &list()),
        "X-Ssm-Edge-Region",
        "ap-south-1",
    );
    let (status, code, message) = error_of(&handle(&gateway, &host, request));
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert!(
        message.starts_with("X-Ssm-Edge-Region: \"ap-south-1\" is not a region"),
        "{message}"
    );
    assert_eq!(host.sends(), 0);
    assert!(host.last_audit().get("policyIds").is_none());
    assert_eq!(host.last_audit()["decision"], "invalid");
}

#[test]
fn a_bearer_caller_picks_its_region_with_the_header() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    answer_sts_then_ssm(&host, "ASIAROLE0000000001");
    let token = es256_token(&host, "bob", &[]);
    let request = bearer(&token, OperationName::ListCommands, &list());
    assert_eq!(handle(&gateway, &host, request).status, 200);
    assert_eq!(
        scope(&host.last_sent()),
        format!("{UPSTREAM_AKID}/20261126/us-east-1/ssm")
    );
    let request = with_header(
        bearer(&token, OperationName::ListCommands, &list()),
        "X-Ssm-Edge-Region",
        "eu-west-1",
    );
    assert_eq!(handle(&gateway, &host, request).status, 200);
    assert_eq!(
        scope(&host.last_sent()),
        format!("{UPSTREAM_AKID}/20261126/eu-west-1/ssm")
    );
}

#[test]
fn a_sigv4_caller_must_sign_the_route_headers() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    for (name, value) in [
        ("X-Ssm-Edge-Account", "prod"),
        ("X-Ssm-Edge-Region", "eu-west-1"),
    ] {
        // Added after signing: a captured request must not be re-pointed.
        let request = with_header(
            signed(&host, &ROOT, OperationName::ListCommands, &list()),
            name,
            value,
        );
        let (status, code, message) = error_of(&handle(&gateway, &host, request));
        assert_eq!(
            (status, code.as_str()),
            (400, "IncompleteSignatureException"),
            "{name}"
        );
        assert!(message.contains(&name.to_ascii_lowercase()), "{message}");
    }
    // Signed, but contradicting the signed region.
    let request = signed_for(
        &host,
        &ROOT,
        "us-east-1",
        OperationName::ListCommands,
        &list(),
        &[("X-Ssm-Edge-Region", "eu-west-1")],
    );
    let (_, code, message) = error_of(&handle(&gateway, &host, request));
    assert_eq!(code, "InvalidSignatureException");
    assert!(
        message.contains("differs from the region the request is signed for"),
        "{message}"
    );
    assert_eq!(host.sends(), 0);
}

#[test]
fn an_account_is_reached_through_its_role_with_cached_credentials() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    answer_sts_then_ssm(&host, "ASIAROLE0000000001");
    let staging = |region| {
        signed_for(
            &host,
            &BOB,
            region,
            OperationName::ListCommands,
            &list(),
            &[("X-Ssm-Edge-Account", "staging")],
        )
    };
    assert_eq!(handle(&gateway, &host, staging("eu-west-1")).status, 200);
    let requests = sent()(&host);
    assert_eq!(requests.len(), 2);
    let assume = &requests[0];
    assert!(is_sts(assume));
    let form = String::from_utf8(assume.body.clone()).unwrap();
    assert!(form.starts_with("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fssm-edge&RoleSessionName=ssm-edge&DurationSeconds=3600"), "{form}");
    // Signed with the gateway's own key, for STS in the default region.
    assert_eq!(
        scope(assume),
        format!("{UPSTREAM_AKID}/20261126/us-east-1/sts")
    );
    // The call itself with the role's credentials and session token.
    let call = &requests[1];
    assert_eq!(scope(call), "ASIAROLE0000000001/20261126/eu-west-1/ssm");
    assert_eq!(
        call.header("X-Amz-Security-Token"),
        Some("role-session-token")
    );
    let audit = host.last_audit();
    assert_eq!(
        (audit["region"].as_str(), audit["account"].as_str()),
        (Some("eu-west-1"), Some("staging"))
    );

    // Cached: the next calls, in either region, assume nothing.
    assert_eq!(handle(&gateway, &host, staging("us-east-1")).status, 200);
    assert_eq!(handle(&gateway, &host, staging("eu-west-1")).status, 200);
    let requests = sent()(&host);
    assert_eq!(requests.iter().filter(|r| is_sts(r)).count(), 1);
    assert_eq!(
        scope(requests.last().unwrap()),
        "ASIAROLE0000000001/20261126/eu-west-1/ssm"
    );
    // The gateway's own account still signs with its own key.
    let home = signed_for(
        &host,
        &BOB,
        "eu-west-1",
        OperationName::ListCommands,
        &list(),
        &[],
    );
    assert_eq!(handle(&gateway, &host, home).status, 200);
    assert_eq!(
        scope(&host.last_sent()),
        format!("{UPSTREAM_AKID}/20261126/eu-west-1/ssm")
    );
}

#[test]
fn role_credentials_are_renewed_five_minutes_before_they_expire() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    answer_sts_then_ssm(&host, "ASIAROLE0000000001");
    let call = |host: &MemoryHost| {
        signed_for(
            host,
            &BOB,
            "us-east-1",
            OperationName::ListCommands,
            &list(),
            &[("X-Ssm-Edge-Account", "prod")],
        )
    };
    assert_eq!(handle(&gateway, &host, call(&host)).status, 200);
    // 54 minutes later: still 6 minutes left, kept.
    host.advance(54 * 60 * 1000);
    assert_eq!(handle(&gateway, &host, call(&host)).status, 200);
    assert_eq!(sent()(&host).iter().filter(|r| is_sts(r)).count(), 1);
    // 2 minutes more: 4 minutes left, renewed before the call, which uses the new key.
    host.advance(2 * 60 * 1000);
    answer_sts_then_ssm(&host, "ASIAROLE0000000002");
    assert_eq!(handle(&gateway, &host, call(&host)).status, 200);
    let requests = sent()(&host);
    assert_eq!(requests.iter().filter(|r| is_sts(r)).count(), 2);
    assert!(scope(requests.last().unwrap()).starts_with("ASIAROLE0000000002/"));
}

#[test]
fn a_refused_assume_role_is_a_clear_refusal_that_names_no_role() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    let cases = [
        (
            sts_error(403, "AccessDenied", "User: arn:aws:iam::111111111111:user/gw is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/ssm-edge"),
            403,
            "AccessDeniedException",
            "the gateway could not act in account \"prod\": STS AssumeRole was refused with AccessDenied; nothing was sent; its operators have the details in the log",
        ),
        (
            sts_error(400, "ExpiredToken", "The security token included in the request is expired"),
            403,
            "AccessDeniedException",
            "the gateway could not act in account \"prod\": STS AssumeRole was refused with ExpiredToken; nothing was sent; its operators have the details in the log",
        ),
        (
            sts_error(400, "Throttling", "Rate exceeded"),
            503,
            "ServiceUnavailable",
            "the gateway could not act in account \"prod\": STS AssumeRole was refused with Throttling; nothing was sent, retry shortly",
        ),
    ];
    for (answer, status, code, message) in cases {
        host.script([answer]);
        let request = signed_for(
            &host,
            &ROOT,
            "us-east-1",
            OperationName::ListCommands,
            &list(),
            &[("X-Ssm-Edge-Account", "prod")],
        );
        let out = handle(&gateway, &host, request);
        let text = body_text(&out).to_owned();
        assert_eq!(
            error_of(&out),
            (status, code.to_owned(), message.to_owned())
        );
        for secret in ["333333333333", "111111111111", "arn:"] {
            assert!(!text.contains(secret), "{text}");
        }
        // Only STS was called; the audit line keeps STS's own words.
        assert!(sent()(&host).iter().all(is_sts));
        let audit = host.last_audit();
        assert_eq!(audit["decision"], "upstream-failed");
        assert!(
            audit["upstreamError"]
                .as_str()
                .unwrap()
                .starts_with("AssumeRole: "),
            "{audit}"
        );
    }
}

#[test]
fn a_send_whose_role_cannot_be_assumed_frees_its_idempotency_key() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    host.script([sts_error(503, "ServiceUnavailable", "try later")]);
    let keyed = |host: &MemoryHost| {
        with_header(
            signed_for(
                host,
                &ALICE,
                "us-east-1",
                OperationName::SendCommand,
                &restart(),
                &[("X-Ssm-Edge-Account", "staging")],
            ),
            "Idempotency-Key",
            "restart-nginx-0001",
        )
    };
    let out = handle(&gateway, &host, keyed(&host));
    assert_eq!(out.status, 503, "{}", body_text(&out));
    // The retry with the same key runs, once STS answers.
    answer_sts_then_ssm(&host, "ASIAROLE0000000001");
    host.advance(1000);
    let out = handle(&gateway, &host, keyed(&host));
    assert_eq!(out.status, 200, "{}", body_text(&out));
    let ssm_sends = sent()(&host).iter().filter(|r| !is_sts(r)).count();
    assert_eq!(ssm_sends, 1);
}

#[test]
fn policies_allow_one_account_and_not_the_other() {
    let policies = r#"
        @id("reads-in-staging")
        permit (principal, action in Action::"ReadOnly", resource)
        when { context.account == "staging" };
    "#;
    let gateway = fleet_gateway(Some(policies));
    let host = MemoryHost::new();
    answer_sts_then_ssm(&host, "ASIAROLE0000000001");
    let to = |account: &str| {
        signed_for(
            &host,
            &BOB,
            "eu-west-1",
            OperationName::ListCommands,
            &list(),
            &[("X-Ssm-Edge-Account", account)],
        )
    };
    assert_eq!(handle(&gateway, &host, to("staging")).status, 200);
    let (_, code, message) = error_of(&handle(&gateway, &host, to("prod")));
    assert_eq!(code, "AccessDeniedException");
    assert!(message.ends_with("denied by policy"), "{message}");
    // The denied call assumed no role.
    let roles: Vec<String> = sent()(&host)
        .iter()
        .filter(|r| is_sts(r))
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(roles.len(), 1);
    assert!(roles[0].contains("222222222222"));
    let (_, code, message) = error_of(&handle(&gateway, &host, to("tooling")));
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "X-Ssm-Edge-Account: \"tooling\" is not an account this gateway serves (it serves default, prod, staging)"
    );
}

#[test]
fn one_idempotency_key_in_two_accounts_is_two_calls() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    let expires = host.now_secs() + 3600;
    host.answer_with(move |request| {
        if is_sts(request) {
            sts_credentials(
                "ASIAROLE0000000001",
                "role-SECRET-0123456789",
                "tok",
                expires,
            )
        } else {
            command_created("cmd-1", "upstream-req")
        }
    });
    let keyed = |account: &str| {
        with_header(
            signed_for(
                &host,
                &ALICE,
                "us-east-1",
                OperationName::SendCommand,
                &restart(),
                &[("X-Ssm-Edge-Account", account)],
            ),
            "Idempotency-Key",
            "restart-nginx-0002",
        )
    };
    for account in ["default", "staging", "staging"] {
        let out = handle(&gateway, &host, keyed(account));
        assert_eq!(out.status, 200, "{account}: {}", body_text(&out));
        host.advance(1000);
    }
    // The same key and body ran once in each account; the repeat in staging was replayed.
    let runs = sent()(&host).iter().filter(|r| !is_sts(r)).count();
    assert_eq!(runs, 2);
    assert_eq!(host.last_audit()["decision"], "replayed");
}

#[test]
fn role_credentials_the_upstream_says_expired_are_renewed_and_the_call_resent_once() {
    let gateway = fleet_gateway(None);
    let host = MemoryHost::new();
    let expires = host.now_secs() + 3600;
    let issued = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = issued.clone();
    host.answer_with(move |request| {
        if is_sts(request) {
            counter.set(counter.get() + 1);
            let akid = format!("ASIAROLE000000000{}", counter.get());
            return sts_credentials(&akid, "role-SECRET-0123456789", "tok", expires);
        }
        // Only the first role key is expired upstream (STS revoked it early).
        if scope(request).starts_with("ASIAROLE0000000001/") {
            upstream_error(400, "ExpiredTokenException", "upstream-req")
        } else {
            upstream(200, r#"{"Commands":[]}"#, "upstream-req")
        }
    });
    let call = |host: &MemoryHost| {
        signed_for(
            host,
            &BOB,
            "us-east-1",
            OperationName::ListCommands,
            &list(),
            &[("X-Ssm-Edge-Account", "staging")],
        )
    };
    let out = handle(&gateway, &host, call(&host));
    assert_eq!(out.status, 200, "{}", body_text(&out));
    assert_eq!(issued.get(), 2, "assumed again after the refusal");
    assert!(scope(&host.last_sent()).starts_with("ASIAROLE0000000002/"));
    // And the renewed credentials are kept.
    assert_eq!(handle(&gateway, &host, call(&host)).status, 200);
    assert_eq!(issued.get(), 2);

    // Renewed once per call: credentials refused again reach the caller as refused.
    host.answer_with(move |request| {
        if is_sts(request) {
            sts_credentials(
                "ASIAROLE0000000009",
                "role-SECRET-0123456789",
                "tok",
                expires,
            )
        } else {
            upstream_error(400, "ExpiredTokenException", "upstream-req")
        }
    });
    let out = handle(&gateway, &host, call(&host));
    assert_eq!(error_of(&out).1, "ExpiredTokenException");

    // The gateway's own account has no role to renew: the refusal is the answer.
    let home = signed_for(
        &host,
        &BOB,
        "us-east-1",
        OperationName::ListCommands,
        &list(),
        &[],
    );
    let before = host.sends();
    assert_eq!(
        error_of(&handle(&gateway, &host, home)).1,
        "ExpiredTokenException"
    );
    assert_eq!(host.sends(), before + 1);
}
