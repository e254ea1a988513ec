//! # ssm-edge-wasm
//!
//! The wasm half of the npm package `ssm-edge`: text in, the core's protocol work, text
//! out. This file is the Rust API: every call takes and returns strings (or bytes), never
//! JavaScript objects; [`abi`] exports it to the package's JavaScript (`wasm/js/wasm.js`).
//! Failures are JSON text of codes and arguments ([`report`]) that `wasm/js/client.js`
//! turns into `Error`s with sentences for people. Validation, endpoints, signing, error decoding and retry
//! decisions are all `ssm-edge-core`'s; the JavaScript owns the effects (`fetch`,
//! `AbortSignal`, timers, the clock and credential refresh).

#![cfg_attr(feature = "bundle", no_std)]

extern crate alloc;

#[cfg(target_family = "wasm")]
mod abi;
mod report;

use alloc::string::String;
use alloc::vec::Vec;

use ssm_edge_core::client::{self, Outcome};
use ssm_edge_core::decode::HttpResponse;
use ssm_edge_core::endpoint::{self, EndpointConfig};
use ssm_edge_core::model::OperationName;
use ssm_edge_core::retry::Transport;
use ssm_edge_core::sign::{self, Credentials, RequestRef, SigningKeyCache, SigningParams};
use ssm_edge_core::text;
use ssm_edge_core::validate;

fn operation(name: &str) -> Result<OperationName, String> {
    OperationName::from_name(name).ok_or_else(report::unknown_operation)
}

/// Every problem in `input_json` (UTF-8 bytes) as the input of `operation`: a JSON array,
/// or nothing when there is none, so a valid input costs no text either way.
pub fn validate(operation_name: &str, input_json: &[u8]) -> Result<Option<String>, String> {
    let op = operation(operation_name)?;
    Ok(validate::check_json(op, input_json)
        .err()
        .map(|e| report::problem_list(&e.problems)))
}

/// The endpoint URL for a region and options.
pub fn resolve_endpoint(
    region: &str,
    use_fips: bool,
    use_dual_stack: bool,
    endpoint: Option<String>,
) -> Result<String, String> {
    endpoint_of(region, use_fips, use_dual_stack, endpoint).map(|e| e.ssm.url)
}

fn endpoint_of(
    region: &str,
    use_fips: bool,
    use_dual_stack: bool,
    endpoint: Option<String>,
) -> Result<endpoint::Endpoints, String> {
    let mut config = EndpointConfig::new(region)
        .with_fips(use_fips)
        .with_dual_stack(use_dual_stack);
    config.endpoint_url = endpoint;
    endpoint::Endpoints::resolve(&config).map_err(|e| report::endpoint(&e))
}

/// Appends a header to `name\nvalue\nname\nvalue…` (neither may hold a line feed:
/// the JavaScript refuses them, and `fetch` does too).
fn put_header(flat: &mut String, name: &str, value: &str) {
    if !flat.is_empty() {
        flat.push('\n');
    }
    flat.push_str(name);
    flat.push('\n');
    flat.push_str(value);
}

/// The pairs of `name\nvalue…`, with room for `extra` more.
fn pairs(flat: &str, extra: usize) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(extra);
    if flat.is_empty() {
        return out;
    }
    let mut it = text::split(flat, b'\n');
    while let (Some(n), Some(v)) = (it.next(), it.next()) {
        out.push((String::from(n), String::from(v)));
    }
    out
}

/// Whole seconds since the epoch of a JavaScript time in milliseconds; none for NaN
/// (an invalid `Date`), the infinities and times before 1970, which no signature carries.
fn unix_seconds(now_ms: f64) -> Option<u64> {
    (now_ms.is_finite() && now_ms >= 0.0).then(|| (now_ms / 1000.0) as u64)
}

/// The engine's clock (`Date.now()` with the skew correction): never before 1970.
fn engine_seconds(now_ms: f64) -> u64 {
    unix_seconds(now_ms).unwrap_or(0)
}

/// The `signRequest` field a signing error is about, which its `ConfigError` names.
fn sign_field(e: &sign::SignError) -> &'static str {
    use sign::SignError as E;
    match e {
        E::InvalidUrl(_) => "url",
        E::InvalidMethod => "method",
        E::InvalidHeaderName(_)
        | E::InvalidHeaderValue(_)
        | E::DuplicateHost
        | E::SignedHeaderMissing(_) => "headers",
        E::InvalidAccessKeyId | E::InvalidSessionToken => "credentials",
        E::InvalidRegion => "region",
        E::InvalidService => "service",
        E::TimeOutOfRange => "date",
        _ => "request",
    }
}

/// `signRequest`'s signer: it keeps the signing keys, derived once a day per secret,
/// region and service, and the host's SHA-256 if there is one. The package's
/// JavaScript makes one and reuses it.
pub struct Signer {
    keys: SigningKeyCache,
    host: Option<&'static dyn sign::Sha256Hex>,
}

/// `true` when `fields` is `7 + 2 * header_count` fields joined by line feeds and holds no
/// carriage return: then no field holds a line break (one would add a field), which is
/// what the JavaScript's own checks, run only when this fails, would refuse.
fn splits_as_declared(fields: &str, header_count: u32) -> bool {
    let (lf, cr) = fields.bytes().fold((0usize, false), |(lf, cr), b| {
        (lf + usize::from(b == b'\n'), cr | (b == b'\r'))
    });
    !cr && lf == 6 + 2 * header_count as usize
}

impl Signer {
    /// A signer with an empty key cache, hashing with `host` when given (the host's
    /// SHA-256, faster than the wasm's where the host has SHA instructions), else with
    /// the wasm's own SHA-256.
    pub fn new(host: Option<&'static dyn sign::Sha256Hex>) -> Signer {
        Signer {
            keys: SigningKeyCache::with_capacity(4),
            host,
        }
    }

    /// Signs a request the caller sends itself. The body crosses as bytes (only hashed, so
    /// any bytes: a string's UTF-8 or a binary body's). Everything else crosses as one
    /// UTF-8 string, `method\nurl\nregion\nservice\naccessKeyId\nsecretAccessKey\nsessionToken\n`
    /// followed by `header_count` headers as `name\nvalue…` (an empty token is none). Returns
    /// the headers with `Host`, `X-Amz-Date`, `X-Amz-Security-Token` and `Authorization`
    /// added, in the same form; nothing else crosses back. Returns `""` when `fields`
    /// does not split as declared (a field holds a line break): the JavaScript then
    /// finds which and says so.
    pub fn sign(
        &mut self,
        fields: &[u8],
        header_count: u32,
        body: &[u8],
        now_ms: f64,
    ) -> Result<String, String> {
        // UTF-8 bytes from JavaScript's `encodeInto` (always UTF-8, so only the second
        // test can fail).
        let fields = match core::str::from_utf8(fields) {
            Ok(fields) if splits_as_declared(fields, header_count) => fields,
            _ => return Ok(String::new()),
        };
        // One split for the fields and the header pairs after them (their count is
        // checked above), rather than a `splitn` and then a split of the rest.
        let mut parts = text::split(fields, b'\n');
        let mut next = || parts.next().unwrap_or("");
        let (method, url, region, service) = (next(), next(), next(), next());
        let (access_key_id, secret_access_key, session_token) = (next(), next(), next());
        let mut headers = Vec::with_capacity(header_count as usize);
        for _ in 0..header_count {
            headers.push((next(), next()));
        }
        let session_token = (!session_token.is_empty()).then(|| String::from(session_token));
        let credentials = Credentials::new(access_key_id, secret_access_key, session_token);
        // A time no signature carries (an invalid `Date`, one before 1970) is passed as
        // one past the core's range, which the core refuses as it refuses the year 10000:
        // one refusal, `TimeOutOfRange`, for every time it cannot sign.
        let time = unix_seconds(now_ms).unwrap_or(u64::MAX);
        let params = SigningParams::new(&credentials, region, service, time);
        // The signed request's headers as `name\nvalue…`, written as the core hands them
        // out: the request is borrowed, not copied.
        let mut flat = String::with_capacity(fields.len() + 256);
        let request = RequestRef {
            method,
            url,
            headers: &headers,
            body,
        };
        let mut put = |name: &str, value: &str| put_header(&mut flat, name, value);
        let _signed = sign::sign_ref(request, &params, Some(&mut self.keys), self.host, &mut put)
            .map_err(|e| report::sign(sign_field(&e), &e))?;
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

/// Any panic (none is expected: inputs are checked first) traps: a JavaScript
/// `RuntimeError` for the caller.
#[cfg(feature = "bundle")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// One client: endpoint, credentials, signing-key cache, learnt clock offset and
/// retry quota (the core's sans-IO [`client::Client`]).
pub struct Engine {
    client: client::Client,
}

/// One call in progress.
pub struct Call {
    call: client::Call,
}

impl Call {
    /// Attempts sent so far.
    pub fn attempts(&self) -> u32 {
        self.call.attempts()
    }
}

impl Engine {
    /// An engine for a region (and options); throws a `config` error on bad ones.
    /// `account`: an ssm-edge gateway's account alias, sent (and signed) with every
    /// request; `region_header`: name the region in a header too, for a gateway that
    /// reads no signature (bearer tokens).
    pub fn new(
        region: &str,
        use_fips: bool,
        use_dual_stack: bool,
        endpoint: Option<String>,
        max_attempts: u32,
        account: Option<String>,
        region_header: bool,
    ) -> Result<Engine, String> {
        let endpoint = endpoint_of(region, use_fips, use_dual_stack, endpoint)?;
        let mut client = client::Client::new(endpoint, Credentials::new("", "", None))
            .with_max_attempts(max_attempts);
        if let Some(alias) = account {
            client = client
                .with_account(&alias)
                .map_err(|_| report::config("account", "invalidAccount", |_| {}))?;
        }
        if region_header {
            client = client.with_region_header();
        }
        Ok(Engine { client })
    }

    /// The SSM endpoint URL requests go to.
    pub fn url(&self) -> String {
        self.client.endpoints().ssm.url.clone()
    }

    /// Sets the credentials used from the next signature on.
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

    /// Validates `inputJson` for `operation` and starts a call that sends exactly it.
    pub fn start(&self, operation_name: &str, input_json: String) -> Result<Call, String> {
        let op = operation(operation_name)?;
        self.client
            .start_json(op, input_json.into_bytes())
            .map(|call| Call { call })
            .map_err(|e| report::validation(&e))
    }

    /// The signed request for the next attempt, as `url\nname\nvalue…`; it is a `POST`
    /// of the text given to [`Engine::start`], which the JavaScript still holds.
    pub fn request(&mut self, call: &mut Call, now_ms: f64) -> Result<String, String> {
        let mut flat = String::with_capacity(1024);
        let url = self
            .client
            .sign_call(
                &mut call.call,
                engine_seconds(now_ms),
                &mut |name, value| {
                    put_header(&mut flat, name, value);
                },
            )
            .map_err(|e| report::sign("credentials", &e))?;
        flat.insert(0, '\n');
        flat.insert_str(0, &url);
        Ok(flat)
    }

    /// What to do with a response (see [`report::outcome`]). `headers` is
    /// `name\nvalue\nname\nvalue…`.
    pub fn response(
        &mut self,
        call: &mut Call,
        status: u16,
        headers: &str,
        body: &[u8],
        now_ms: f64,
        random: f64,
    ) -> String {
        let response = HttpResponse {
            status,
            headers: pairs(headers, 0),
            body: body.to_vec(),
        };
        let outcome =
            self.client
                .response_raw(&mut call.call, &response, engine_seconds(now_ms), random);
        report::outcome(outcome)
    }

    /// What to do when `fetch` failed: `sent` is false only when the request
    /// provably never left (the JavaScript cannot tell, so it passes `true`).
    pub fn transport_failure(
        &mut self,
        call: &mut Call,
        sent: bool,
        now_ms: f64,
        random: f64,
    ) -> String {
        let failure = if sent {
            Transport::MaybeSent
        } else {
            Transport::NotSent
        };
        let outcome: Outcome<()> =
            self.client
                .transport_failure(&mut call.call, failure, engine_seconds(now_ms), random);
        report::outcome(outcome)
    }

    /// Seconds added to the local clock when signing, learnt from skew refusals.
    pub fn clock_offset_seconds(&self) -> f64 {
        self.client.clock_offset_secs() as f64
    }
}
