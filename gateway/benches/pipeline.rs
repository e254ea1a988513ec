//! CPU time per request through the gateway, measured natively (goal ≤ 0.5 ms):
//! the whole [`Gateway::handle`] over an instant in-memory [`Host`] (the upstream
//! answers a canned 200 at once; admission and idempotency live in `HashMap`s), then
//! the parts one by one — SigV4 verify, body parse and validation, Cedar decide, the
//! upstream re-sign, JWT (ES256, RS256) — and `Gateway::new` (configuration, policy
//! load and validation), which every cold isolate pays once.
//!
//! The host is the tests' in-memory one (`ssm_edge_gateway::testing`, without history:
//! it keeps no logs or sent requests), running the Worker's admission and idempotency
//! transitions. Its clock is fixed, so a signature stays inside its skew window; one
//! signed SendCommand is handled again and again, so each iteration first forgets the
//! recorded signatures (a replay would be refused). The upstream answers a canned 200
//! at once. The rate limit is off (`RATE_LIMIT_PER_MINUTE=0`), as in
//! `gateway/bench/latency.mjs`. JWT signatures are checked with `jsonwebtoken`'s
//! RustCrypto provider here; the Worker uses WebCrypto instead.
//!
//! `cargo bench -p ssm-edge-gateway --bench pipeline`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use ssm_edge_core::decode::HttpResponse;
use ssm_edge_core::model::OperationName;
use ssm_edge_core::request::{build_raw, HttpRequest};
use ssm_edge_core::sign::{sign, Credentials, SigningKeyCache, SigningParams};
use ssm_edge_core::verify::{verify, VerifyConfig};
use ssm_edge_gateway::call;
use ssm_edge_gateway::identity::keys::GatewayKeys;
use ssm_edge_gateway::identity::{jwt, AuthMethod, Identity};
use ssm_edge_gateway::policy::{Caller, PolicyEngine};
use ssm_edge_gateway::testing::{self, test_keys, MemoryHost, ALICE, T0_MS};
use ssm_edge_gateway::{Gateway, Incoming};

/// 2026-11-26T07:38:13Z: every request is signed, and handled, at this time.
const NOW: u64 = T0_MS / 1000;
const UPSTREAM_URL: &str = "http://127.0.0.1:9";
const CLIENT_IP: &str = "203.0.113.7";

// ---------------------------------------------------------------------------------
// The host: nothing waits, nothing leaves the process.

fn canned(body: &Value) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "application/x-amz-json-1.1".into()),
            (
                "x-amzn-RequestId".into(),
                "5f3e1a2b-0000-4000-8000-000000000001".into(),
            ),
        ],
        body: body.to_string().into_bytes(),
    }
}

/// The shared host without history, its upstream answering SendCommand with a created
/// command and anything else with an empty list.
fn instant_host() -> MemoryHost {
    let host = MemoryHost::without_history();
    let list_commands = canned(&json!({ "Commands": [] }));
    let send_command = canned(&json!({
        "Command": {
            "CommandId": "0b2c7e1f-0000-4000-8000-000000000001",
            "DocumentName": "Ops-RestartService",
            "Status": "Pending",
        }
    }));
    host.answer_with(move |request| {
        Ok(match request.header("X-Amz-Target") {
            Some("AmazonSSM.SendCommand") => send_command.clone(),
            _ => list_commands.clone(),
        })
    });
    host
}

// ---------------------------------------------------------------------------------
// Configuration and requests.

/// The tests' configuration (three gateway keys, bearer tokens, the rate limit off).
fn start() -> Gateway {
    testing::gateway(&[])
}

/// The shipped policies let the on-call group run this (tag target, allow-listed
/// service, a ticket in the comment).
fn restart_body() -> Vec<u8> {
    json!({
        "DocumentName": "Ops-RestartService",
        "Targets": [{ "Key": "tag:env", "Values": ["staging"] }],
        "Parameters": { "service": ["nginx"] },
        "Comment": "CHG-1234 restart nginx",
        "TimeoutSeconds": 600,
    })
    .to_string()
    .into_bytes()
}

fn list_body() -> Vec<u8> {
    br#"{"MaxResults":50}"#.to_vec()
}

/// The request as the Worker hands it over: Cloudflare adds the client's address after
/// the client signed (it reaches the Cedar context as `caller.sourceIp`).
fn incoming(request: HttpRequest) -> Incoming {
    testing::with_header(testing::incoming(request), "cf-connecting-ip", CLIENT_IP)
}

/// A request as an SDK sends it to the gateway, signed with the on-call key.
fn signed(operation: OperationName, body: Vec<u8>) -> Incoming {
    let mut request = build_raw(testing::GATEWAY_URL, operation, body);
    request.set_header(
        "amz-sdk-invocation-id",
        "2f0e3b9a-0000-4000-8000-000000000001".into(),
    );
    let credentials = Credentials::new(ALICE.akid, ALICE.secret, None);
    let params = SigningParams::new(&credentials, "us-east-1", "ssm", NOW);
    let _ = sign(&mut request, &params, None).expect("signs");
    incoming(request)
}

/// The same call with a bearer token instead of a signature.
fn bearer(operation: OperationName, body: Vec<u8>, token: &str) -> Incoming {
    let mut request = build_raw(testing::GATEWAY_URL, operation, body);
    request.set_header("Authorization", format!("Bearer {token}"));
    incoming(request)
}

fn token(alg: Algorithm, kid: &str, key: &EncodingKey) -> String {
    let claims = test_keys::claims("alice", &["on-call"], NOW);
    test_keys::token(alg, Some(kid), &claims, key)
}

/// Runs one request to completion (the host never suspends), as a first: the
/// signature's earlier uses are forgotten.
fn handle(gateway: &Gateway, host: &MemoryHost, request: Incoming) -> u16 {
    host.forget_replays();
    testing::handle(gateway, host, request).status
}

// ---------------------------------------------------------------------------------
// The benchmarks.

fn bench_handle(c: &mut Criterion) {
    let gateway = start();
    let host = instant_host();
    let es256 = token(Algorithm::ES256, "ec-1", &test_keys::ec_key());
    let rs256 = token(Algorithm::RS256, "rsa-1", &test_keys::rsa_key());

    let cases = [
        (
            "ListCommands sigv4",
            signed(OperationName::ListCommands, list_body()),
        ),
        (
            "SendCommand sigv4",
            signed(OperationName::SendCommand, restart_body()),
        ),
        (
            "SendCommand jwt-es256",
            bearer(OperationName::SendCommand, restart_body(), &es256),
        ),
        (
            "SendCommand jwt-rs256",
            bearer(OperationName::SendCommand, restart_body(), &rs256),
        ),
    ];
    for (name, request) in cases {
        // Allowed and forwarded, again and again, or the figure means nothing. The first
        // call also fills the caches (signing keys, JWKS), as the isolate's first
        // request does.
        for _ in 0..2 {
            assert_eq!(handle(&gateway, &host, request.clone()), 200, "{name}");
        }
        c.bench_function(&format!("gateway/handle/{name}"), |b| {
            b.iter_batched(
                || request.clone(),
                |request| handle(&gateway, &host, black_box(request)),
                BatchSize::SmallInput,
            );
        });
    }

    // SendCommand with an Idempotency-Key (a new one each time, so each request is a
    // first: begin, forward, finish — two in-memory store calls more).
    let request = signed(OperationName::SendCommand, restart_body());
    let mut n = 0u64;
    let mut keyed = || {
        n += 1;
        let mut request = request.clone();
        request
            .headers
            .push(("Idempotency-Key".into(), format!("restart-nginx-{n}")));
        request
    };
    assert_eq!(handle(&gateway, &host, keyed()), 200);
    c.bench_function("gateway/handle/SendCommand sigv4 + Idempotency-Key", |b| {
        b.iter_batched(
            &mut keyed,
            |request| handle(&gateway, &host, black_box(request)),
            BatchSize::SmallInput,
        );
    });
}

fn bench_parts(c: &mut Criterion) {
    let keys = GatewayKeys::from_json(&testing::gateway_keys()).expect("keys");

    // SigV4 verify, as the gateway calls it (key cache warm).
    let request = signed(OperationName::SendCommand, restart_body());
    let http = HttpRequest {
        method: request.method.clone(),
        url: request.url.clone(),
        headers: request.headers.clone(),
        body: request.body.clone(),
    };
    let config = VerifyConfig::new("us-east-1", "ssm").with_max_skew_secs(300);
    let mut cache = SigningKeyCache::with_capacity(8);
    let verified = verify(&http, &config, NOW, &keys, Some(&mut cache)).expect("verifies");
    assert_eq!(verified.principal.0, "alice");
    c.bench_function("gateway/part/sigv4 verify SendCommand", |b| {
        b.iter(|| verify(black_box(&http), &config, NOW, &keys, Some(&mut cache)).expect("ok"));
    });

    // Body: JSON parse and the core's validation.
    let body = restart_body();
    c.bench_function("gateway/part/parse+validate SendCommand", |b| {
        b.iter(|| call::parse(OperationName::SendCommand, black_box(&body)).expect("valid"));
    });

    // Cedar.
    let engine = PolicyEngine::shipped().expect("policies");
    let identity = Identity {
        principal: "alice".into(),
        groups: vec!["on-call".into()],
        method: AuthMethod::SigV4,
        replay_key: None,
        signed_region: None,
    };
    let caller = Caller {
        auth_method: "sigv4",
        source_ip: Some(CLIENT_IP.into()),
        now: NOW,
        route: testing::home_route(),
        output_log_group: None,
    };
    let send = call::parse(OperationName::SendCommand, &body).expect("valid");
    let list = call::parse(OperationName::ListCommands, &list_body()).expect("valid");
    assert!(engine.decide(&identity, &send, &caller).allowed);
    assert!(engine.decide(&identity, &list, &caller).allowed);
    c.bench_function("gateway/part/cedar decide SendCommand", |b| {
        b.iter(|| engine.decide(black_box(&identity), black_box(&send), &caller));
    });
    c.bench_function("gateway/part/cedar decide ListCommands", |b| {
        b.iter(|| engine.decide(black_box(&identity), black_box(&list), &caller));
    });

    // The upstream request: build and re-sign with the upstream credentials (key cache
    // warm, as after the isolate's first call of the day).
    let upstream = Credentials::new(testing::UPSTREAM_AKID, testing::UPSTREAM_SECRET, None);
    let mut upstream_key = SigningKeyCache::new();
    c.bench_function("gateway/part/build+re-sign SendCommand", |b| {
        b.iter(|| {
            let mut out = build_raw(UPSTREAM_URL, OperationName::SendCommand, body.clone());
            let params = SigningParams::new(&upstream, "us-east-1", "ssm", NOW);
            let signed = sign(&mut out, &params, Some(&mut upstream_key)).expect("signs");
            (out, signed)
        });
    });

    // JWT: prepare (parse, key lookup), signature (RustCrypto here, WebCrypto in the
    // Worker), accept (claims).
    let jwks: JwkSet = jwt::parse_jwks(&test_keys::jwks(&[
        test_keys::ec_jwk("ec-1"),
        test_keys::rsa_jwk("rsa-1"),
    ]))
    .expect("jwks");
    // The bearer-token settings as the configuration reads them.
    let jwt_config = testing::config(&[]).jwt.expect("JWT configured");
    let tokens = [
        (
            "es256",
            token(Algorithm::ES256, "ec-1", &test_keys::ec_key()),
        ),
        (
            "rs256",
            token(Algorithm::RS256, "rsa-1", &test_keys::rsa_key()),
        ),
    ];
    for (alg, token) in &tokens {
        let verify_token = |token: &str| {
            let signed = jwt::prepare(token, &jwks).expect("prepared");
            assert!(jwt::verify_signature(&signed), "signature");
            jwt::accept(&signed, &jwt_config, NOW).expect("accepted")
        };
        assert_eq!(verify_token(token).principal, "jwt:alice");
        c.bench_function(
            &format!("gateway/part/jwt {alg} prepare+verify+accept"),
            |b| {
                b.iter(|| verify_token(black_box(token)));
            },
        );
        let signed = jwt::prepare(token, &jwks).expect("prepared");
        c.bench_function(&format!("gateway/part/jwt {alg} signature only"), |b| {
            b.iter(|| jwt::verify_signature(black_box(&signed)));
        });
    }
}

fn bench_start(c: &mut Criterion) {
    c.bench_function("gateway/start/Config::from_lookup + Gateway::new", |b| {
        b.iter(|| Gateway::new(black_box(testing::config(&[]))).expect("gateway starts"));
    });
    c.bench_function("gateway/start/PolicyEngine::shipped", |b| {
        b.iter(|| PolicyEngine::shipped().expect("policies"));
    });
}

criterion_group!(benches, bench_handle, bench_parts, bench_start);
criterion_main!(benches);
