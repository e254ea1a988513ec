//! # ssm-edge-wasm
//!
//! The wasm half of the npm package `ssm-edge`: JavaScript values in, the core's
//! protocol work, JavaScript values out. Everything here is conversion; validation,
//! endpoints, signing, error decoding and retry decisions are `ssm-edge-core`'s.
//! The package's JavaScript (`wasm/js/client.js`) owns the effects: `fetch`,
//! `AbortSignal`, timers, the clock and credential refresh.
//!
//! Values cross as JSON text or as plain objects; problems come back as plain
//! objects with a `kind`, which the JavaScript turns into `Error` subclasses.

#![cfg_attr(feature = "bundle", no_std)]

extern crate alloc;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use ssm_edge_core::client::{self, CallErrorKind, Outcome};
use ssm_edge_core::decode::{self, HttpResponse, ServiceError};
use ssm_edge_core::endpoint::{self, EndpointConfig};
use ssm_edge_core::model::{self as m, Operation, OperationName};
use ssm_edge_core::request::HttpRequest;
use ssm_edge_core::retry::{StopReason, Transport};
use ssm_edge_core::sign::{self, Credentials, SigningKeyCache, SigningParams};
use ssm_edge_core::validate::{self, ValidationError};

/// A plain object from key/value pairs.
fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn opt_str(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

/// `{ kind: "config", field, message }`: a bad client option.
fn config_error(field: &str, message: &str) -> JsValue {
    object(&[
        ("kind", "config".into()),
        ("field", field.into()),
        ("message", message.into()),
    ])
}

/// `{ kind: "validation", problems: [{ path, rule, message }] }`.
fn validation_error(e: &ValidationError) -> JsValue {
    object(&[
        ("kind", "validation".into()),
        ("problems", problems(e).into()),
        ("message", e.to_string().into()),
    ])
}

fn problems(e: &ValidationError) -> Array {
    e.problems
        .iter()
        .map(|p| {
            object(&[
                ("path", p.path.as_str().into()),
                ("rule", p.rule.code().into()),
                ("message", p.rule.to_string().into()),
            ])
        })
        .collect()
}

fn operation(name: &str) -> Result<OperationName, JsValue> {
    OperationName::from_name(name).ok_or_else(|| {
        config_error(
            "operation",
            "is not one of the eight Run Command operations",
        )
    })
}

/// Parses `json` as the input of `op` and validates it.
fn parse(op: OperationName, json: &[u8]) -> Result<(), ValidationError> {
    fn one<O: Operation>(json: &[u8]) -> Result<(), ValidationError> {
        validate::parse_input::<O>(json).map(drop)
    }
    match op {
        OperationName::SendCommand => one::<m::SendCommand>(json),
        OperationName::ListCommands => one::<m::ListCommands>(json),
        OperationName::ListCommandInvocations => one::<m::ListCommandInvocations>(json),
        OperationName::GetCommandInvocation => one::<m::GetCommandInvocation>(json),
        OperationName::CancelCommand => one::<m::CancelCommand>(json),
        OperationName::DescribeInstanceInformation => one::<m::DescribeInstanceInformation>(json),
        OperationName::DescribeDocument => one::<m::DescribeDocument>(json),
        OperationName::ListDocuments => one::<m::ListDocuments>(json),
    }
}

/// Every problem in `inputJson` as the input of `operation`, or an empty array.
#[wasm_bindgen]
pub fn validate(operation_name: &str, input_json: &str) -> Result<Array, JsValue> {
    let op = operation(operation_name)?;
    Ok(match parse(op, input_json.as_bytes()) {
        Ok(()) => Array::new(),
        Err(e) => problems(&e),
    })
}

/// The endpoint URL for a region and options, or a `config` error.
#[wasm_bindgen(js_name = resolveEndpoint)]
pub fn resolve_endpoint(
    region: &str,
    use_fips: bool,
    use_dual_stack: bool,
    endpoint: Option<String>,
) -> Result<String, JsValue> {
    endpoint_config(region, use_fips, use_dual_stack, endpoint).map(|e| e.url)
}

fn endpoint_config(
    region: &str,
    use_fips: bool,
    use_dual_stack: bool,
    endpoint: Option<String>,
) -> Result<endpoint::Endpoint, JsValue> {
    let mut config = EndpointConfig::new(region)
        .with_fips(use_fips)
        .with_dual_stack(use_dual_stack);
    config.endpoint_url = endpoint;
    endpoint::resolve(&config).map_err(|e| {
        let field = match e {
            endpoint::EndpointError::InvalidRegion { .. } => "region",
            _ => "endpoint",
        };
        config_error(field, &e.to_string())
    })
}

fn request_object(request: &HttpRequest) -> JsValue {
    let headers: Array = request
        .headers
        .iter()
        .map(|(n, v)| JsValue::from(Array::of2(&n.as_str().into(), &v.as_str().into())))
        .collect::<Array>();
    object(&[
        ("url", request.url.as_str().into()),
        ("method", request.method.as_str().into()),
        ("headers", headers.into()),
        (
            "body",
            String::from_utf8_lossy(&request.body).as_ref().into(),
        ),
    ])
}

/// `signRequest`'s signer: it keeps the signing keys, derived once a day per secret,
/// region and service. The package's JavaScript makes one and reuses it.
#[wasm_bindgen]
pub struct Signer {
    keys: SigningKeyCache,
}

impl Default for Signer {
    fn default() -> Self {
        Signer {
            keys: SigningKeyCache::with_capacity(4),
        }
    }
}

#[wasm_bindgen]
impl Signer {
    /// A signer with an empty key cache.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Signer {
        Signer::default()
    }

    /// Signs a request the caller sends itself. Everything but the body crosses as one
    /// string, `method\nurl\nregion\nservice\naccessKeyId\nsecretAccessKey\nsessionToken\n`
    /// followed by the headers as `name\nvalue…` (an empty token is none; the JavaScript
    /// refuses line feeds in all of them). Returns the headers, `Host`, `X-Amz-Date`,
    /// `X-Amz-Security-Token` and `Authorization` added, in the same `name\nvalue…` form
    /// (URL, method and body are unchanged: the JavaScript keeps its own, and nothing
    /// large crosses back).
    pub fn sign(&mut self, fields: &str, body: &str, now_ms: f64) -> Result<String, JsValue> {
        let mut parts = fields.splitn(8, '\n');
        let mut next = || parts.next().unwrap_or("");
        let (method, url, region, service) = (next(), next(), next(), next());
        let (access_key_id, secret_access_key, session_token) = (next(), next(), next());
        let headers = next();
        let mut request = HttpRequest {
            method: method.into(),
            url: url.into(),
            headers: pairs(headers),
            body: body.as_bytes().to_vec(),
        };
        let session_token = (!session_token.is_empty()).then(|| String::from(session_token));
        let credentials = Credentials::new(access_key_id, secret_access_key, session_token);
        let params = SigningParams::new(&credentials, region, service, unix_seconds(now_ms));
        let _signed = sign::sign(&mut request, &params, Some(&mut self.keys))
            .map_err(|e| config_error("request", &e.to_string()))?;
        let mut flat = String::with_capacity(512);
        for (i, (name, value)) in request.headers.iter().enumerate() {
            if i > 0 {
                flat.push('\n');
            }
            flat.push_str(name);
            flat.push('\n');
            flat.push_str(value);
        }
        Ok(flat)
    }
}

#[cfg(all(
    feature = "bundle",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Any panic (none is expected: inputs are checked first) traps; wasm-bindgen turns the
/// trap into a JavaScript `RuntimeError`.
#[cfg(feature = "bundle")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Headers cross as one string, `name\nvalue\nname\nvalue…` (neither may contain a line
/// feed): far less glue and copying than an array of strings.
fn pairs(flat: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if flat.is_empty() {
        return out;
    }
    let mut it = flat.split('\n');
    while let (Some(n), Some(v)) = (it.next(), it.next()) {
        out.push((String::from(n), String::from(v)));
    }
    out
}

fn unix_seconds(now_ms: f64) -> u64 {
    if now_ms.is_finite() && now_ms > 0.0 {
        (now_ms / 1000.0) as u64
    } else {
        0
    }
}

/// One client: endpoint, credentials, signing-key cache, learnt clock offset and
/// retry quota (the core's sans-IO [`client::Client`]).
#[wasm_bindgen]
pub struct Engine {
    client: client::Client,
}

/// One call in progress.
#[wasm_bindgen]
pub struct Call {
    call: client::Call,
}

#[wasm_bindgen]
impl Call {
    /// Attempts sent so far.
    #[wasm_bindgen(getter)]
    pub fn attempts(&self) -> u32 {
        self.call.attempts()
    }
}

#[wasm_bindgen]
impl Engine {
    /// An engine for a region (and options); throws a `config` error on bad ones.
    #[wasm_bindgen(constructor)]
    pub fn new(
        region: &str,
        use_fips: bool,
        use_dual_stack: bool,
        endpoint: Option<String>,
        max_attempts: u32,
    ) -> Result<Engine, JsValue> {
        let endpoint = endpoint_config(region, use_fips, use_dual_stack, endpoint)?;
        let client = client::Client::new(endpoint, Credentials::new("", "", None))
            .with_max_attempts(max_attempts);
        Ok(Engine { client })
    }

    /// The endpoint URL requests go to.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.client.endpoint().url.clone()
    }

    /// Sets the credentials used from the next signature on.
    #[wasm_bindgen(js_name = setCredentials)]
    pub fn set_credentials(
        &mut self,
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
    ) {
        self.client.set_credentials(Credentials::new(
            access_key_id,
            secret_access_key,
            session_token,
        ));
    }

    /// Validates `inputJson` for `operation` and starts a call that sends it.
    pub fn start(&self, operation_name: &str, input_json: String) -> Result<Call, JsValue> {
        let op = operation(operation_name)?;
        fn one<O: Operation>(
            client: &client::Client,
            json: String,
        ) -> Result<client::Call, ValidationError> {
            let input = validate::parse_input::<O>(json.as_bytes())?;
            client.start_with_json::<O>(&input, json.into_bytes())
        }
        let c = &self.client;
        let started = match op {
            OperationName::SendCommand => one::<m::SendCommand>(c, input_json),
            OperationName::ListCommands => one::<m::ListCommands>(c, input_json),
            OperationName::ListCommandInvocations => {
                one::<m::ListCommandInvocations>(c, input_json)
            }
            OperationName::GetCommandInvocation => one::<m::GetCommandInvocation>(c, input_json),
            OperationName::CancelCommand => one::<m::CancelCommand>(c, input_json),
            OperationName::DescribeInstanceInformation => {
                one::<m::DescribeInstanceInformation>(c, input_json)
            }
            OperationName::DescribeDocument => one::<m::DescribeDocument>(c, input_json),
            OperationName::ListDocuments => one::<m::ListDocuments>(c, input_json),
        };
        started
            .map(|call| Call { call })
            .map_err(|e| validation_error(&e))
    }

    /// The signed request for the next attempt: `{ url, method, headers, body }`.
    pub fn request(&mut self, call: &mut Call, now_ms: f64) -> Result<JsValue, JsValue> {
        let request = self
            .client
            .request(&mut call.call, unix_seconds(now_ms))
            .map_err(|e| config_error("credentials", &e.to_string()))?;
        Ok(request_object(&request))
    }

    /// What to do with a response: `{ done: true }`, `{ retry: delayMs }`, or
    /// `{ error: {...} }`. `headers` is `name\nvalue\nname\nvalue…`.
    pub fn response(
        &mut self,
        call: &mut Call,
        status: u16,
        headers: &str,
        body: &[u8],
        now_ms: f64,
        random: f64,
    ) -> JsValue {
        let response = HttpResponse {
            status,
            headers: pairs(headers),
            body: body.to_vec(),
        };
        let outcome =
            self.client
                .response_raw(&mut call.call, &response, unix_seconds(now_ms), random);
        outcome_object(outcome)
    }

    /// What to do when `fetch` failed: `sent` is false only when the request
    /// provably never left (the JavaScript cannot tell, so it passes `true`).
    #[wasm_bindgen(js_name = transportFailure)]
    pub fn transport_failure(
        &mut self,
        call: &mut Call,
        sent: bool,
        now_ms: f64,
        random: f64,
    ) -> JsValue {
        let failure = if sent {
            Transport::MaybeSent
        } else {
            Transport::NotSent
        };
        let outcome: Outcome<()> =
            self.client
                .transport_failure(&mut call.call, failure, unix_seconds(now_ms), random);
        outcome_object(outcome)
    }

    /// Seconds added to the local clock when signing, learnt from skew refusals.
    #[wasm_bindgen(getter, js_name = clockOffsetSeconds)]
    pub fn clock_offset_seconds(&self) -> f64 {
        self.client.clock_offset_secs() as f64
    }
}

fn outcome_object(outcome: Outcome<()>) -> JsValue {
    match outcome {
        Outcome::Done(()) => object(&[("done", JsValue::TRUE)]),
        Outcome::Retry { delay_ms } => object(&[("retry", (delay_ms as f64).into())]),
        Outcome::Failed(e) => {
            let stop = match e.stop {
                StopReason::NotRetryable => "notRetryable",
                StopReason::AttemptsExhausted => "attemptsExhausted",
                StopReason::MayHaveExecuted => "mayHaveExecuted",
                StopReason::QuotaExhausted => "quotaExhausted",
            };
            let error = match &e.kind {
                CallErrorKind::Service(s) => service_error(s),
                CallErrorKind::Response(r) => object(&[
                    ("kind", "response".into()),
                    ("message", r.to_string().into()),
                ]),
                CallErrorKind::Transport(t) => object(&[
                    ("kind", "transport".into()),
                    ("sent", (*t == Transport::MaybeSent).into()),
                ]),
            };
            let _ = Reflect::set(&error, &"attempts".into(), &e.attempts.into());
            let _ = Reflect::set(&error, &"stop".into(), &stop.into());
            object(&[("error", error)])
        }
    }
}

fn service_error(e: &ServiceError) -> JsValue {
    object(&[
        ("kind", "service".into()),
        ("code", e.code.as_str().into()),
        ("message", e.message.as_str().into()),
        ("status", e.status.into()),
        ("requestId", opt_str(e.request_id.as_deref())),
        (
            "fault",
            match e.fault() {
                decode::Fault::Server => "server",
                decode::Fault::Client => "client",
            }
            .into(),
        ),
        ("retryable", e.is_retryable().into()),
        ("throttling", e.is_throttling().into()),
        ("clockSkew", e.is_clock_skew().into()),
    ])
}
