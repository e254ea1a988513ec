//! CPU time per request through the gateway, measured natively (goal ≤ 0.5 ms):
//! the whole [`Gateway::handle`] over an instant in-memory [`Host`] (the upstream
//! answers a canned 200 at once; admission and idempotency live in `HashMap`s), then
//! the parts one by one — SigV4 verify, body parse and validation, Cedar decide, the
//! upstream re-sign, JWT (ES256, RS256) — and `Gateway::new` (configuration, policy
//! load and validation), which every cold isolate pays once.
//!
//! The host never refuses a replay, so one signed SendCommand can be handled again and
//! again; the clock is fixed, so the signature stays inside its skew window. The rate
//! limit is off (`RATE_LIMIT_PER_MINUTE=0`), as in `gateway/bench/latency.mjs`. JWT
//! signatures are checked with `jsonwebtoken`'s RustCrypto provider here; the Worker
//! uses WebCrypto instead.
//!
//! `cargo bench -p ssm-edge-gateway --bench pipeline`

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
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
use ssm_edge_gateway::call::{self, ParsedCall};
use ssm_edge_gateway::idempotency::{self, Begin, Command, Record};
use ssm_edge_gateway::identity::jwt::{self, SignedToken};
use ssm_edge_gateway::identity::keys::GatewayKeys;
use ssm_edge_gateway::identity::{AuthMethod, Identity};
use ssm_edge_gateway::limits::{self, Admission, AdmitRequest, TokenBucket};
use ssm_edge_gateway::pipeline::{HostError, SendFailure};
use ssm_edge_gateway::policy::{Caller, PolicyEngine};
use ssm_edge_gateway::{Config, Gateway, Host, Incoming};

/// The unit tests' fixed signing keys (`#[cfg(test)]` in the library, so included here
/// from the same file rather than copied); only some of its helpers are used.
#[allow(dead_code)]
#[path = "../src/identity/test_keys.rs"]
mod test_keys;

/// 2026-11-26T07:38:13Z: every request is signed, and handled, at this time.
const NOW_MS: u64 = 1_795_678_693_000;
const NOW: u64 = NOW_MS / 1000;
const GATEWAY_URL: &str = "https://gateway.example/";
const UPSTREAM_URL: &str = "http://127.0.0.1:9";
const UPSTREAM_AKID: &str = "AKIDUPSTREAM00000001";
const UPSTREAM_SECRET: &str = "upstream-SECRET-0123456789abcdef0123";
/// One gateway-issued key, for a principal in the `on-call` group (which the shipped
/// policies let run the restart document on staging).
const KEY_ID: &str = "GWKEYALICE000001";
const KEY_SECRET: &str = "alice-SECRET-0123456789abcdef0123456789";
const CLIENT_IP: &str = "203.0.113.7";

// ---------------------------------------------------------------------------------
// The host: nothing waits, nothing leaves the process.

struct InstantHost {
    jwks: String,
    rng: Cell<u64>,
    /// Rate-limit buckets per principal (the limit is off, so they stay empty).
    buckets: RefCell<HashMap<String, Option<TokenBucket>>>,
    /// Idempotency records per scope.
    records: RefCell<HashMap<String, Option<Record>>>,
    /// Bytes of log lines written (the audit line is built and handed over, then
    /// dropped).
    logged: Cell<usize>,
    list_commands: HttpResponse,
    send_command: HttpResponse,
}

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

impl InstantHost {
    fn new() -> Self {
        InstantHost {
            jwks: test_keys::jwks(&[test_keys::ec_jwk("ec-1"), test_keys::rsa_jwk("rsa-1")]),
            rng: Cell::new(0x5eed),
            buckets: RefCell::default(),
            records: RefCell::default(),
            logged: Cell::new(0),
            list_commands: canned(&json!({ "Commands": [] })),
            send_command: canned(&json!({
                "Command": {
                    "CommandId": "0b2c7e1f-0000-4000-8000-000000000001",
                    "DocumentName": "Ops-RestartService",
                    "Status": "Pending",
                }
            })),
        }
    }
}

impl Host for InstantHost {
    fn now_ms(&self) -> u64 {
        NOW_MS
    }

    fn random(&self) -> f64 {
        // splitmix64
        let mut z = self.rng.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
        self.rng.set(z);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn log(&self, line: &str) {
        self.logged.set(self.logged.get() + black_box(line).len());
    }

    async fn fetch_jwks(&self, _url: &str) -> Result<String, HostError> {
        Ok(self.jwks.clone())
    }

    async fn verify_jwt_signature(&self, token: &SignedToken) -> Result<bool, HostError> {
        Ok(jwt::verify_signature(token))
    }

    async fn admit(&self, principal: &str, request: &AdmitRequest) -> Result<Admission, HostError> {
        // Never a replay: the benchmark handles the same signed request many times.
        let mut buckets = self.buckets.borrow_mut();
        let bucket = buckets.entry(principal.to_owned()).or_default();
        Ok(limits::admit(request, false, bucket))
    }

    async fn forget_signature(&self, _principal: &str, _key: &str) -> Result<(), HostError> {
        Ok(())
    }

    async fn idempotency(&self, scope: &str, command: Command) -> Result<Begin, HostError> {
        let mut records = self.records.borrow_mut();
        if records.len() >= 10_000 {
            // Bounded: the idempotency bench uses a new key per request.
            records.clear();
        }
        let record = records.entry(scope.to_owned()).or_default();
        Ok(idempotency::apply(record, command))
    }

    async fn send(
        &self,
        request: &HttpRequest,
        _timeout_ms: u64,
    ) -> Result<HttpResponse, SendFailure> {
        Ok(match request.header("X-Amz-Target") {
            Some("AmazonSSM.SendCommand") => self.send_command.clone(),
            _ => self.list_commands.clone(),
        })
    }

    async fn sleep(&self, _ms: u64) {}
}

// ---------------------------------------------------------------------------------
// Configuration and requests.

fn vars() -> HashMap<&'static str, String> {
    let keys = json!([{
        "accessKeyId": KEY_ID,
        "secretAccessKey": KEY_SECRET,
        "principal": "alice",
        "groups": ["on-call"],
    }]);
    HashMap::from([
        ("UPSTREAM_ENDPOINT", UPSTREAM_URL.to_owned()),
        ("UPSTREAM_REGION", "us-east-1".to_owned()),
        ("UPSTREAM_ACCESS_KEY_ID", UPSTREAM_AKID.to_owned()),
        ("UPSTREAM_SECRET_ACCESS_KEY", UPSTREAM_SECRET.to_owned()),
        ("RATE_LIMIT_PER_MINUTE", "0".to_owned()),
        ("GATEWAY_KEYS", keys.to_string()),
        ("JWT_ISSUER", test_keys::ISSUER.to_owned()),
        ("JWT_AUDIENCE", test_keys::AUDIENCE.to_owned()),
        ("JWT_JWKS_URL", test_keys::JWKS_URL.to_owned()),
    ])
}

/// What a cold isolate does first: read the configuration, load and validate the
/// (shipped) policies.
fn start(vars: &HashMap<&'static str, String>) -> Gateway {
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("configuration");
    Gateway::new(config).expect("gateway starts")
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
    let mut headers = request.headers;
    headers.push(("cf-connecting-ip".into(), CLIENT_IP.into()));
    Incoming {
        method: request.method,
        url: request.url,
        headers,
        body: request.body,
    }
}

/// A request as an SDK sends it to the gateway, signed with the gateway-issued key.
fn signed(operation: OperationName, body: Vec<u8>) -> Incoming {
    let mut request = build_raw(GATEWAY_URL, operation, body);
    request.set_header(
        "amz-sdk-invocation-id",
        "2f0e3b9a-0000-4000-8000-000000000001".into(),
    );
    let credentials = Credentials::new(KEY_ID, KEY_SECRET, None);
    let params = SigningParams::new(&credentials, "us-east-1", "ssm", NOW);
    let _ = sign(&mut request, &params, None).expect("signs");
    incoming(request)
}

/// The same call with a bearer token instead of a signature.
fn bearer(operation: OperationName, body: Vec<u8>, token: &str) -> Incoming {
    let mut request = build_raw(GATEWAY_URL, operation, body);
    request.set_header("Authorization", format!("Bearer {token}"));
    incoming(request)
}

fn token(alg: Algorithm, kid: &str, key: &EncodingKey) -> String {
    let claims = test_keys::claims("alice", &["on-call"], NOW);
    test_keys::token(alg, Some(kid), &claims, key)
}

/// Runs one request to completion (the host never suspends, so this never blocks).
fn handle(gateway: &Gateway, host: &InstantHost, request: Incoming) -> u16 {
    pollster::block_on(gateway.handle(host, request)).status
}

// ---------------------------------------------------------------------------------
// The benchmarks.

fn bench_handle(c: &mut Criterion) {
    let vars = vars();
    let gateway = start(&vars);
    let host = InstantHost::new();
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
        // Allowed and forwarded, or the figure means nothing. The first call also
        // fills the caches (signing keys, JWKS), as the isolate's first request does.
        assert_eq!(handle(&gateway, &host, request.clone()), 200, "{name}");
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
    let vars = vars();
    let keys = GatewayKeys::from_json(&vars["GATEWAY_KEYS"]).expect("keys");

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
    };
    let caller = Caller {
        auth_method: "sigv4",
        source_ip: Some(CLIENT_IP.into()),
        now: NOW,
    };
    let send = call::parse(OperationName::SendCommand, &body).expect("valid");
    let list = ParsedCall::Read(OperationName::ListCommands);
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
    let upstream = Credentials::new(UPSTREAM_AKID, UPSTREAM_SECRET, None);
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
    let jwt_config = Config::from_lookup(|name| vars.get(name).cloned())
        .expect("configuration")
        .jwt
        .expect("JWT configured");
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
        assert_eq!(verify_token(token).principal, "alice");
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
    let vars = vars();
    c.bench_function("gateway/start/Config::from_lookup + Gateway::new", |b| {
        b.iter(|| start(black_box(&vars)));
    });
    c.bench_function("gateway/start/PolicyEngine::shipped", |b| {
        b.iter(|| PolicyEngine::shipped().expect("policies"));
    });
}

criterion_group!(benches, bench_handle, bench_parts, bench_start);
criterion_main!(benches);
