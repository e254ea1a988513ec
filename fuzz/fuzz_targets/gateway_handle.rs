//! The whole gateway, `Gateway::handle`, over an in-memory host: a request signed (or
//! not) by one of three gateway keys — on-call, admins, no group — for any operation and
//! body, with CORS origins, `Idempotency-Key`, extra headers and a post-signing tamper,
//! answered by a scripted upstream (any status and body, transport failures).
//!
//! Properties:
//! - never panics, and writes exactly one audit line, valid JSON;
//! - **nothing reaches the upstream unless** the request verifies under the gateway's
//!   keys (checked here with the core's `verify`), its body parses and validates for
//!   the operation it names, and the shipped Cedar policies allow it (checked here with
//!   `PolicyEngine::decide`); what is forwarded is the caller's body, byte for byte,
//!   re-signed with the upstream key;
//! - no secret (upstream or gateway key) appears in the answer or in any log line.
//!
//! Input (arbitrary): the knobs first, the body as the rest of the bytes.
#![no_main]

mod common;

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use common::Body;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use ssm_edge_core::decode::HttpResponse;
use ssm_edge_core::model::OperationName;
use ssm_edge_core::request::{build_raw, HttpRequest};
use ssm_edge_core::retry::Transport;
use ssm_edge_core::sign::{sign, Credentials, SigningParams};
use ssm_edge_core::verify::{verify, VerifyConfig};
use ssm_edge_gateway::call::{operation_of_target, parse};
use ssm_edge_gateway::idempotency::{self, Begin, Command, Record};
use ssm_edge_gateway::identity::jwt::SignedToken;
use ssm_edge_gateway::identity::{AuthMethod, Identity};
use ssm_edge_gateway::limits::{self, Admission, AdmitRequest};
use ssm_edge_gateway::pipeline::{HostError, SendFailure};
use ssm_edge_gateway::policy::{Caller, PolicyEngine};
use ssm_edge_gateway::{Config, Gateway, Host, Incoming};

/// 2026-11-26T07:38:13Z.
const T0_MS: u64 = 1_795_678_693_000;
const GATEWAY_URL: &str = "https://gateway.example/";
const ORIGIN: &str = "https://ops.example.com";
const UPSTREAM_AKID: &str = "AKIDUPSTREAM00000001";
const UPSTREAM_SECRET: &str = "upstream-SECRET-never-logged-0123456789";
/// (access key id, secret, principal, groups).
const KEYS: [(&str, &str, &str, &[&str]); 3] = [
    (
        "GWKEYALICE000001",
        "alice-SECRET-never-logged-0123456789",
        "alice",
        &["on-call"],
    ),
    (
        "GWKEYROOT0000001",
        "root-SECRET-never-logged-0123456789",
        "root",
        &["admins"],
    ),
    (
        "GWKEYBOB00000001",
        "bob-SECRET-never-logged-0123456789",
        "bob",
        &[],
    ),
];

fn config() -> Config {
    let keys: Vec<serde_json::Value> = KEYS
        .iter()
        .map(|(akid, secret, principal, groups)| {
            serde_json::json!({
                "accessKeyId": akid, "secretAccessKey": secret,
                "principal": principal, "groups": groups,
            })
        })
        .collect();
    let vars: HashMap<&str, String> = [
        ("UPSTREAM_ENDPOINT", "http://127.0.0.1:9/".to_owned()),
        ("UPSTREAM_REGION", "us-east-1".to_owned()),
        ("UPSTREAM_ACCESS_KEY_ID", UPSTREAM_AKID.to_owned()),
        ("UPSTREAM_SECRET_ACCESS_KEY", UPSTREAM_SECRET.to_owned()),
        ("RATE_LIMIT_PER_MINUTE", "0".to_owned()),
        ("CORS_ALLOWED_ORIGINS", ORIGIN.to_owned()),
        ("GATEWAY_KEYS", serde_json::Value::Array(keys).to_string()),
    ]
    .into_iter()
    .collect();
    Config::from_lookup(|name| vars.get(name).cloned()).expect("fuzz configuration")
}

thread_local! {
    static GATEWAY: Gateway = Gateway::new(config()).expect("gateway starts");
    static ENGINE: PolicyEngine = PolicyEngine::shipped().expect("shipped policies");
}

#[derive(Arbitrary, Debug)]
enum Upstream {
    Answer {
        status: u16,
        body: String,
        retry_after: Option<u16>,
    },
    Fail {
        transport: u8,
        timed_out: bool,
    },
}

#[derive(Arbitrary, Debug)]
enum Tamper {
    FlipBody { at: u16 },
    SetHeader { which: u8, value: String },
    AddHeader { name: String, value: String },
    Method(String),
    Url(String),
}

#[derive(Arbitrary, Debug)]
enum Origin {
    Allowed,
    Other(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// 0–2: a gateway key; 3: an unknown key; else unsigned.
    signer: u8,
    operation: u8,
    target: Option<String>,
    sign_skew: i16,
    origin: Option<Origin>,
    preflight: bool,
    idempotency_key: Option<String>,
    source_ip: Option<String>,
    authorization: Option<String>,
    extra: Vec<(String, String)>,
    tamper: Option<Tamper>,
    upstream: Vec<Upstream>,
    body: Body,
}

#[derive(Default)]
struct State {
    now_ms: u64,
    rng: u64,
    logs: Vec<String>,
    seen: HashMap<String, u64>,
    records: HashMap<String, Option<Record>>,
    upstream: VecDeque<Upstream>,
    sent: Vec<HttpRequest>,
}

struct MemoryHost(RefCell<State>);

impl Host for MemoryHost {
    fn now_ms(&self) -> u64 {
        self.0.borrow().now_ms
    }

    fn random(&self) -> f64 {
        let mut state = self.0.borrow_mut();
        state.rng = state
            .rng
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    fn log(&self, line: &str) {
        self.0.borrow_mut().logs.push(line.to_owned());
    }

    async fn fetch_jwks(&self, _url: &str) -> Result<String, HostError> {
        Err(HostError("no JWKS in the fuzz host".into()))
    }

    async fn verify_jwt_signature(&self, _token: &SignedToken) -> Result<bool, HostError> {
        Ok(false)
    }

    async fn admit(&self, principal: &str, request: &AdmitRequest) -> Result<Admission, HostError> {
        let mut state = self.0.borrow_mut();
        let key = request
            .replay_key
            .as_ref()
            .map(|k| format!("{principal}\n{k}"));
        let seen = key
            .as_ref()
            .and_then(|k| state.seen.get(k))
            .is_some_and(|until| *until >= request.now_ms);
        let verdict = limits::admit(request, seen, &mut None);
        if let (Admission::Admitted, Some(key)) = (verdict, key) {
            state.seen.insert(key, request.replay_until_ms);
        }
        Ok(verdict)
    }

    async fn forget_signature(&self, principal: &str, replay_key: &str) -> Result<(), HostError> {
        self.0
            .borrow_mut()
            .seen
            .remove(&format!("{principal}\n{replay_key}"));
        Ok(())
    }

    async fn idempotency(&self, scope: &str, command: Command) -> Result<Begin, HostError> {
        let mut state = self.0.borrow_mut();
        let record = state.records.entry(scope.to_owned()).or_default();
        Ok(idempotency::apply(record, command))
    }

    async fn send(
        &self,
        request: &HttpRequest,
        _timeout_ms: u64,
    ) -> Result<HttpResponse, SendFailure> {
        let mut state = self.0.borrow_mut();
        state.sent.push(request.clone());
        match state.upstream.pop_front() {
            None => Ok(HttpResponse {
                status: 200,
                headers: Vec::new(),
                body: b"{}".to_vec(),
            }),
            Some(Upstream::Answer {
                status,
                body,
                retry_after,
            }) => Ok(HttpResponse {
                status,
                headers: [("x-amzn-RequestId".to_owned(), "upstream-1".to_owned())]
                    .into_iter()
                    .chain(retry_after.map(|ms| ("x-amz-retry-after".to_owned(), ms.to_string())))
                    .collect(),
                body: body.into_bytes(),
            }),
            Some(Upstream::Fail {
                transport,
                timed_out,
            }) => Err(SendFailure {
                transport: if transport % 2 == 0 {
                    Transport::NotSent
                } else {
                    Transport::MaybeSent
                },
                timed_out,
            }),
        }
    }

    async fn sleep(&self, ms: u64) {
        let mut state = self.0.borrow_mut();
        state.now_ms = state.now_ms.saturating_add(ms);
    }
}

/// Runs a future whose every await is ready (the host never waits).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the in-memory host never waits"),
    }
}

/// What the gateway should have concluded before forwarding, from the core and the
/// policy engine directly.
fn may_forward(request: &Incoming, config: &Config, now_ms: u64) -> bool {
    let http = HttpRequest {
        method: request.method.clone(),
        url: request.url.clone(),
        headers: request.headers.clone(),
        body: request.body.clone(),
    };
    let verify_config = VerifyConfig::new("us-east-1", "ssm").with_max_skew_secs(300);
    let Ok(verified) = verify(&http, &verify_config, now_ms / 1000, &config.keys, None) else {
        return false;
    };
    let target = http.header("x-amz-target").unwrap_or_default();
    let Some(operation) = operation_of_target(target) else {
        return false;
    };
    let Ok(call) = parse(operation, &http.body) else {
        return false;
    };
    let (principal, groups) = verified.principal;
    let identity = Identity {
        principal,
        groups,
        method: AuthMethod::SigV4,
        replay_key: None,
    };
    let caller = Caller {
        auth_method: "sigv4",
        source_ip: http.header("cf-connecting-ip").map(str::to_owned),
        now: now_ms / 1000,
    };
    ENGINE
        .with(|engine| engine.decide(&identity, &call, &caller))
        .allowed
}

fuzz_target!(|input: Input| {
    let operation = OperationName::ALL[usize::from(input.operation) % OperationName::ALL.len()];
    let mut request = build_raw(GATEWAY_URL, operation, input.body.0);
    if let Some(target) = &input.target {
        request.set_header("X-Amz-Target", target.clone());
    }
    if let Some(ip) = &input.source_ip {
        request
            .headers
            .push(("cf-connecting-ip".into(), ip.clone()));
    }
    if let Some(key) = &input.idempotency_key {
        request
            .headers
            .push(("Idempotency-Key".into(), key.clone()));
    }
    if let Some(origin) = &input.origin {
        let origin = match origin {
            Origin::Allowed => ORIGIN.to_owned(),
            Origin::Other(o) => o.clone(),
        };
        request.headers.push(("Origin".into(), origin));
    }
    if input.preflight {
        request.method = "OPTIONS".into();
        request
            .headers
            .push(("Access-Control-Request-Method".into(), "POST".into()));
    }
    for (name, value) in &input.extra {
        request.headers.push((name.clone(), value.clone()));
    }
    let signed_at_secs = (T0_MS / 1000).saturating_add_signed(i64::from(input.sign_skew));
    match input.signer {
        0..=3 => {
            let (akid, secret) = match KEYS.get(usize::from(input.signer)) {
                Some((akid, secret, _, _)) => (*akid, *secret),
                None => ("GWKEYUNKNOWN0001", "unknown-SECRET-0123456789abcdefgh"),
            };
            let credentials = Credentials::new(akid, secret, None);
            let params = SigningParams::new(&credentials, "us-east-1", "ssm", signed_at_secs);
            if sign(&mut request, &params, None).is_err() {
                return;
            }
        }
        _ => {
            if let Some(authorization) = &input.authorization {
                request
                    .headers
                    .push(("Authorization".into(), authorization.clone()));
            }
        }
    }
    match &input.tamper {
        None => {}
        Some(Tamper::FlipBody { at }) => {
            if !request.body.is_empty() {
                let i = usize::from(*at) % request.body.len();
                request.body[i] ^= 0x20;
            }
        }
        Some(Tamper::SetHeader { which, value }) => {
            if !request.headers.is_empty() {
                let i = usize::from(*which) % request.headers.len();
                request.headers[i].1.clone_from(value);
            }
        }
        Some(Tamper::AddHeader { name, value }) => {
            request.headers.push((name.clone(), value.clone()));
        }
        Some(Tamper::Method(m)) => request.method.clone_from(m),
        Some(Tamper::Url(u)) => request.url.clone_from(u),
    }
    let incoming = Incoming {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.body,
    };

    // Secrets the input itself carries may legitimately come back (echoed or passed through).
    let carried = format!(
        "{:?}{}{:?}",
        incoming.headers,
        String::from_utf8_lossy(&incoming.body),
        input.upstream
    );
    let host = MemoryHost(RefCell::new(State {
        now_ms: T0_MS,
        rng: 0x5eed,
        upstream: input.upstream.into_iter().collect(),
        ..State::default()
    }));
    let out = GATEWAY.with(|gateway| {
        let out = block_on(gateway.handle(&host, incoming.clone()));
        let state = host.0.borrow();
        if let Some(first) = state.sent.first() {
            assert!(
                may_forward(&incoming, gateway.config(), T0_MS),
                "forwarded a request that is not authenticated, valid and allowed"
            );
            for sent in &state.sent {
                assert_eq!(sent.body, incoming.body, "the forwarded body differs");
                let authorization = sent.header("authorization").unwrap_or_default();
                assert!(authorization.contains(&format!("Credential={UPSTREAM_AKID}/")));
            }
            assert!(first.url.starts_with("http://127.0.0.1:9/"));
        }
        out
    });

    assert!((100..600).contains(&out.status), "status {}", out.status);
    let state = host.0.borrow();
    let audits = state
        .logs
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("requestId").is_some())
        .count();
    assert_eq!(audits, 1, "one audit line per request: {:?}", state.logs);
    let answer = format!("{:?}{}", out.headers, String::from_utf8_lossy(&out.body));
    let secrets = [UPSTREAM_SECRET, KEYS[0].1, KEYS[1].1, KEYS[2].1];
    for secret in secrets.into_iter().filter(|s| !carried.contains(s)) {
        assert!(!answer.contains(secret), "a secret in the answer");
        for line in &state.logs {
            assert!(!line.contains(secret), "a secret in a log line");
        }
    }
});
