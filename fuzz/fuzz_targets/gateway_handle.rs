//! The whole gateway, `Gateway::handle`, over the shared in-memory host
//! (`ssm_edge_gateway::testing`, the tests' own): a request signed (or not) by one of
//! the three test keys — on-call, admins, no group — for any operation and
//! body, with CORS origins, `Idempotency-Key`, extra headers and a post-signing tamper,
//! answered by a scripted upstream (any status and body, transport failures).
//!
//! Properties:
//! - never panics, and writes exactly one audit line, valid JSON;
//! - **nothing reaches the upstream unless** the request verifies under the gateway's
//!   keys (checked here with the core's `verify`), its body parses and validates for
//!   the operation it names, and the shipped Cedar policies allow it (checked here with
//!   `PolicyEngine::decide`); what is forwarded decodes to exactly the input decided
//!   on (the core's serialization, never the caller's bytes), signed with the upstream
//!   key;
//! - no secret (upstream or gateway key) appears in the answer or in any log line.
//!
//! The configuration is the tests' (`testing::config`): bearer tokens from the test
//! issuer are on too, but the fuzzer cannot sign one, so only SigV4 callers get through.
//!
//! Input (arbitrary): the knobs first, the body as the rest of the bytes.
#![no_main]

mod common;

use common::Body;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use ssm_edge_core::decode::HttpResponse;
use ssm_edge_core::model::OperationName;
use ssm_edge_core::request::{build_raw, HttpRequest};
use ssm_edge_core::retry::Transport;
use ssm_edge_core::sign::{sign, Credentials, SigningParams};
use ssm_edge_core::verify::{verify, VerifyConfig};
use ssm_edge_gateway::call::{operation_of_target, parse, ParsedCall};
use ssm_edge_gateway::identity::{AuthMethod, Identity};
use ssm_edge_gateway::pipeline::SendFailure;
use ssm_edge_gateway::policy::{Caller, PolicyEngine};
use ssm_edge_gateway::testing::{
    self, block_on, MemoryHost, Scripted, GATEWAY_URL, KEYS, ORIGIN, T0_MS, UPSTREAM_AKID,
    UPSTREAM_SECRET,
};
use ssm_edge_gateway::{Config, Gateway, Incoming};

thread_local! {
    static GATEWAY: Gateway = testing::gateway(&[]);
    /// The shipped policies (documents are classified against the caller's route, as
    /// the gateway does).
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

impl Upstream {
    /// The scripted answer this stands for.
    fn scripted(self) -> Scripted {
        match self {
            Upstream::Answer {
                status,
                body,
                retry_after,
            } => Ok(HttpResponse {
                status,
                headers: [("x-amzn-RequestId".to_owned(), "upstream-1".to_owned())]
                    .into_iter()
                    .chain(retry_after.map(|ms| ("x-amz-retry-after".to_owned(), ms.to_string())))
                    .collect(),
                body: body.into_bytes(),
            }),
            Upstream::Fail {
                transport,
                timed_out,
            } => Err(SendFailure {
                transport: if transport % 2 == 0 {
                    Transport::NotSent
                } else {
                    Transport::MaybeSent
                },
                timed_out,
            }),
        }
    }
}

/// What the gateway should have concluded before forwarding, from the core and the
/// policy engine directly: the operation and the input it may forward, if any.
fn may_forward(
    request: &Incoming,
    config: &Config,
    now_ms: u64,
) -> Option<(OperationName, ParsedCall)> {
    let http = HttpRequest {
        method: request.method.clone(),
        url: request.url.clone(),
        headers: request.headers.clone(),
        body: request.body.clone(),
    };
    let verify_config = VerifyConfig::new("us-east-1", "ssm").with_max_skew_secs(300);
    let verified = verify(&http, &verify_config, now_ms / 1000, &config.keys, None).ok()?;
    let target = http.header("x-amz-target").unwrap_or_default();
    let operation = operation_of_target(target)?;
    let call = parse(operation, &http.body).ok()?;
    let (principal, groups) = verified.principal;
    let identity = Identity {
        principal,
        groups,
        method: AuthMethod::SigV4,
        replay_key: None,
        signed_region: None,
    };
    let caller = Caller {
        auth_method: "sigv4",
        source_ip: http.header("cf-connecting-ip").map(str::to_owned),
        now: now_ms / 1000,
       route: testing::home_route(),
        output_log_group: None,
   };
    let allowed = ENGINE
        .with(|engine| engine.decide(&identity, &call, &caller))
        .allowed;
    allowed.then_some((operation, call))
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
                Some(key) => (key.akid, key.secret),
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
    let host = MemoryHost::new();
    host.script(input.upstream.into_iter().map(Upstream::scripted));
    // Past the script, the upstream answers an empty 200.
    host.answer_with(|_| {
        Ok(HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: b"{}".to_vec(),
        })
    });
    let out = GATEWAY.with(|gateway| {
        let out = block_on(gateway.handle(&host, incoming.clone()));
        let state = host.state.borrow();
        if let Some(first) = state.sent.first() {
            let Some((operation, decided)) = may_forward(&incoming, gateway.config(), T0_MS) else {
                panic!("forwarded a request that is not authenticated, valid and allowed");
            };
            for sent in &state.sent {
                let forwarded = parse(operation, &sent.body)
                    .unwrap_or_else(|e| panic!("the forwarded body does not parse: {e}"));
                assert_eq!(forwarded, decided, "the forwarded body means another input");
                let authorization = sent.header("authorization").unwrap_or_default();
                assert!(authorization.contains(&format!("Credential={UPSTREAM_AKID}/")));
            }
            assert!(first.url.starts_with("http://127.0.0.1:9/"));
        }
        out
    });

    assert!((100..600).contains(&out.status), "status {}", out.status);
    let state = host.state.borrow();
    let audits = state
        .logs
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("requestId").is_some())
        .count();
    assert_eq!(audits, 1, "one audit line per request: {:?}", state.logs);
    let answer = format!("{:?}{}", out.headers, String::from_utf8_lossy(&out.body));
    let secrets = [
        UPSTREAM_SECRET,
        KEYS[0].secret,
        KEYS[1].secret,
        KEYS[2].secret,
    ];
    for secret in secrets.into_iter().filter(|s| !carried.contains(s)) {
        assert!(!answer.contains(secret), "a secret in the answer");
        for line in &state.logs {
            assert!(!line.contains(secret), "a secret in a log line");
        }
    }
});
