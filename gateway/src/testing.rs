//! The one in-memory [`Host`] the pipeline tests, the benchmarks and the fuzz targets
//! share, and the helpers that build their configuration, requests and scripted
//! upstream answers. Compiled for the crate's tests and with the `testing` feature
//! (`gateway/benches`, `fuzz/`); never in the Worker.
//!
//! The host's admission is [`GateState::apply`] and its idempotency
//! [`idempotency::apply`]: the same transitions the Worker's Durable Objects run. Its
//! clock moves only when told ([`MemoryHost::advance`]) or when the gateway sleeps; its
//! randomness is seeded; its upstream answers what was scripted ([`MemoryHost::script`]),
//! then what the responder says ([`MemoryHost::answer_with`]).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use ssm_edge_core::decode::HttpResponse;
use ssm_edge_core::model::OperationName;
use ssm_edge_core::request::{build_raw, HttpRequest};
use ssm_edge_core::retry::Transport;
use ssm_edge_core::sign::{sign, Credentials, SigningParams};

pub use crate::identity::test_keys;

use crate::config::Config;
use crate::idempotency::{self, Begin, Command, Record};
use crate::identity::jwt::{self, SignedToken};
use crate::limits::{Admission, AdmitRequest, GateCommand, GateState, ReplayKey};
use crate::pipeline::{Gateway, Host, HostError, Incoming, Outgoing, SendFailure};

/// 2026-11-26T07:38:13Z: the host's clock at the start.
pub const T0_MS: u64 = 1_795_678_693_000;
/// Where test requests are sent.
pub const GATEWAY_URL: &str = "https://gateway.example/";
/// The upstream credentials the test configuration re-signs with.
pub const UPSTREAM_AKID: &str = "AKIDUPSTREAM00000001";
/// The upstream secret (never in an answer or a log line).
pub const UPSTREAM_SECRET: &str = "upstream-SECRET-never-logged-0123456789";
/// The browser origin the test configuration allows.
pub const ORIGIN: &str = "https://ops.example.com";
/// How many idempotency scopes a host without history keeps before starting over.
const RECORDS_WITHOUT_HISTORY: usize = 10_000;

/// A gateway-issued key of the test configuration.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The access key id.
    pub akid: &'static str,
    /// The secret (never in an answer or a log line).
    pub secret: &'static str,
    /// The principal it stands for.
    pub principal: &'static str,
    /// The principal's groups.
    pub groups: &'static [&'static str],
}

/// On call: the shipped policies let it restart allow-listed services on staging.
pub const ALICE: Key = Key {
    akid: "GWKEYALICE000001",
    secret: "alice-SECRET-never-logged-0123456789",
    principal: "alice",
    groups: &["on-call"],
};
/// In `admins`: anything.
pub const ROOT: Key = Key {
    akid: "GWKEYROOT0000001",
    secret: "root-SECRET-never-logged-0123456789",
    principal: "root",
    groups: &["admins"],
};
/// In no group: reads only.
pub const BOB: Key = Key {
    akid: "GWKEYBOB00000001",
    secret: "bob-SECRET-never-logged-0123456789",
    principal: "bob",
    groups: &[],
};
/// The three keys [`gateway_keys`] configures.
pub const KEYS: [Key; 3] = [ALICE, ROOT, BOB];

// ---------------------------------------------------------------------------------
// The host.

/// One upstream answer, or a failed send.
pub type Scripted = Result<HttpResponse, SendFailure>;

/// Answers an upstream send when nothing is scripted.
pub type Responder = Box<dyn Fn(&HttpRequest) -> Scripted>;

/// Everything the host holds; tests read and set it through [`MemoryHost::state`].
#[derive(Default)]
pub struct HostState {
    /// The clock (unix milliseconds).
    pub now_ms: u64,
    /// The random generator's state (splitmix64).
    pub rng: u64,
    /// How many requests [`sign_at`] signed (each gets its own invocation id).
    pub invocations: u64,
    /// Whether logs, sent requests, timeouts and sleeps are kept (not in benchmarks).
    pub keep_history: bool,
    /// The log lines written, in order.
    pub logs: Vec<String>,
    /// Bytes of log lines written (kept or not).
    pub logged_bytes: usize,
    /// The JWKS document served; empty: the fetch fails.
    pub jwks: String,
    /// The URLs of the JWKS fetches.
    pub jwks_fetches: Vec<String>,
    /// Each principal's admission state.
    pub gates: HashMap<String, GateState>,
    /// Each idempotency scope's record.
    pub records: HashMap<String, Option<Record>>,
    /// Answers for the next upstream sends, in order.
    pub upstream: VecDeque<Scripted>,
    /// Answers a send when `upstream` is empty; `None`: such a send panics.
    pub responder: Option<Responder>,
    /// The requests sent upstream.
    pub sent: Vec<HttpRequest>,
    /// How many requests were sent upstream (kept or not).
    pub sent_count: usize,
    /// The timeout of each send.
    pub timeouts: Vec<u64>,
    /// Each sleep's milliseconds.
    pub sleeps: Vec<u64>,
    /// Admission answers with a host failure.
    pub admission_down: bool,
    /// The idempotency store answers with a host failure.
    pub store_down: bool,
    /// How many recorded signatures the gateway asked to forget.
    pub forgotten: usize,
    /// The approval records, by id.
    pub approvals: BTreeMap<String, crate::approvals::Approval>,
    /// The approval store answers with a host failure.
    pub approvals_down: bool,
    /// The webhook posts: URL and body.
    pub webhooks: Vec<(String, String)>,
    /// The status the webhook answers (`0`: the post fails).
    pub webhook_status: u16,
}

/// The in-memory host.
pub struct MemoryHost {
    /// Its state.
    pub state: RefCell<HostState>,
}

impl Default for MemoryHost {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryHost {
    /// A host at [`T0_MS`] that keeps its history, serving the test JWKS (`ec-1`,
    /// `rsa-1`), with nothing scripted upstream.
    #[must_use]
    pub fn new() -> Self {
        MemoryHost {
            state: RefCell::new(HostState {
                now_ms: T0_MS,
                rng: 0x5eed,
                keep_history: true,
                jwks: test_keys::jwks(&[test_keys::ec_jwk("ec-1"), test_keys::rsa_jwk("rsa-1")]),
                webhook_status: 200,
                ..HostState::default()
            }),
        }
    }

    /// A host for benchmarks: as [`MemoryHost::new`], but it keeps no logs, sent
    /// requests, timeouts or sleeps (it counts them), and at most 10 000 idempotency
    /// scopes (then starts over), so that millions of requests run in bounded memory.
    #[must_use]
    pub fn without_history() -> Self {
        let host = Self::new();
        host.state.borrow_mut().keep_history = false;
        host
    }

    /// Moves the clock.
    pub fn advance(&self, ms: u64) {
        self.state.borrow_mut().now_ms += ms;
    }

    /// The clock in unix seconds.
    #[must_use]
    pub fn now_secs(&self) -> u64 {
        self.state.borrow().now_ms / 1000
    }

    /// Queues answers for the next upstream sends.
    pub fn script(&self, responses: impl IntoIterator<Item = Scripted>) {
        self.state.borrow_mut().upstream.extend(responses);
    }

    /// Answers every send that finds nothing scripted with `responder`.
    pub fn answer_with(&self, responder: impl Fn(&HttpRequest) -> Scripted + 'static) {
        self.state.borrow_mut().responder = Some(Box::new(responder));
    }

    /// How many requests were sent upstream.
    #[must_use]
    pub fn sends(&self) -> usize {
        self.state.borrow().sent_count
    }

    /// The last request sent upstream.
    ///
    /// # Panics
    /// When none was (or the host keeps no history).
    #[must_use]
    pub fn last_sent(&self) -> HttpRequest {
        self.state
            .borrow()
            .sent
            .last()
            .cloned()
            .expect("something was sent")
    }

    /// The log lines, in order.
    #[must_use]
    pub fn logs(&self) -> Vec<String> {
        self.state.borrow().logs.clone()
    }

    /// The audit lines (the JSON lines with a request id), in order.
    #[must_use]
    pub fn audits(&self) -> Vec<Value> {
        self.logs()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v.get("requestId").is_some())
            .collect()
    }

    /// The last audit line.
    ///
    /// # Panics
    /// When there is none.
    #[must_use]
    pub fn last_audit(&self) -> Value {
        self.audits().pop().expect("an audit line")
    }

    /// How many times the JWKS was fetched.
    #[must_use]
    pub fn jwks_fetches(&self) -> usize {
        self.state.borrow().jwks_fetches.len()
    }

    /// A principal's admission state (default when it has none yet).
    #[must_use]
    pub fn gate(&self, principal: &str) -> GateState {
        self.state
            .borrow()
            .gates
            .get(principal)
            .cloned()
            .unwrap_or_default()
    }

    /// Forgets every recorded signature (buckets stay): a benchmark handles one signed
    /// request again and again.
    pub fn forget_replays(&self) {
        for gate in self.state.borrow_mut().gates.values_mut() {
            gate.replays = crate::limits::ReplayLog::default();
        }
    }

    fn next_u64(&self) -> u64 {
        // splitmix64
        let mut state = self.state.borrow_mut();
        state.rng = state.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn gate_command(&self, principal: &str, command: &GateCommand) -> Admission {
        let mut state = self.state.borrow_mut();
        state
            .gates
            .entry(principal.to_owned())
            .or_default()
            .apply(command)
    }
}

impl Host for MemoryHost {
    fn now_ms(&self) -> u64 {
        self.state.borrow().now_ms
    }

    fn random(&self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn log(&self, line: &str) {
        let mut state = self.state.borrow_mut();
        state.logged_bytes += line.len();
        if state.keep_history {
            state.logs.push(line.to_owned());
        }
    }

    async fn fetch_jwks(&self, url: &str) -> Result<String, HostError> {
        let mut state = self.state.borrow_mut();
        if state.keep_history {
            state.jwks_fetches.push(url.to_owned());
        }
        if state.jwks.is_empty() {
            return Err(HostError("connection refused".into()));
        }
        Ok(state.jwks.clone())
    }

    async fn verify_jwt_signature(&self, token: &SignedToken) -> Result<bool, HostError> {
        Ok(jwt::verify_signature(token))
    }

    async fn admit(&self, principal: &str, request: &AdmitRequest) -> Result<Admission, HostError> {
        if self.state.borrow().admission_down {
            return Err(HostError("durable object unavailable".into()));
        }
        Ok(self.gate_command(principal, &GateCommand::Admit(request.clone())))
    }

    async fn forget_signature(
        &self,
        principal: &str,
        replay_key: &ReplayKey,
    ) -> Result<(), HostError> {
        self.state.borrow_mut().forgotten += 1;
        let command = GateCommand::Forget {
            replay_key: replay_key.clone(),
        };
        self.gate_command(principal, &command);
        Ok(())
    }

    async fn idempotency(&self, scope: &str, command: Command) -> Result<Begin, HostError> {
        let mut state = self.state.borrow_mut();
        if state.store_down {
            return Err(HostError("durable object unavailable".into()));
        }
        if !state.keep_history
            && state.records.len() >= RECORDS_WITHOUT_HISTORY
            && !state.records.contains_key(scope)
        {
            state.records.clear();
        }
        let record = state.records.entry(scope.to_owned()).or_default();
        Ok(idempotency::apply(record, command))
    }

    async fn approvals(
        &self,
        op: crate::approvals::Op,
    ) -> Result<crate::approvals::Reply, HostError> {
        let mut state = self.state.borrow_mut();
        if state.approvals_down {
            return Err(HostError("durable object unavailable".into()));
        }
        let now_ms = state.now_ms;
        Ok(crate::approvals::apply(&mut state.approvals, op, now_ms))
    }

    async fn post_webhook(
        &self,
        url: &str,
        body: &str,
        _timeout_ms: u64,
    ) -> Result<u16, HostError> {
        let mut state = self.state.borrow_mut();
        state.webhooks.push((url.to_owned(), body.to_owned()));
        match state.webhook_status {
            0 => Err(HostError("connection refused".into())),
            status => Ok(status),
        }
    }

    async fn send(
        &self,
        request: &HttpRequest,
        timeout_ms: u64,
    ) -> Result<HttpResponse, SendFailure> {
        let mut state = self.state.borrow_mut();
        state.sent_count += 1;
        if state.keep_history {
            state.sent.push(request.clone());
            state.timeouts.push(timeout_ms);
        }
        if let Some(answer) = state.upstream.pop_front() {
            return answer;
        }
        match &state.responder {
            Some(responder) => responder(request),
            None => panic!("an upstream send the test did not script"),
        }
    }

    async fn sleep(&self, ms: u64) {
        let mut state = self.state.borrow_mut();
        if state.keep_history {
            state.sleeps.push(ms);
        }
        state.now_ms += ms;
    }
}

/// Runs a future whose every await is ready: the in-memory host never waits.
///
/// # Panics
/// When the future is not ready at once.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the in-memory host never waits"),
    }
}

// ---------------------------------------------------------------------------------
// Configuration.

/// `GATEWAY_KEYS` for [`ALICE`], [`ROOT`] and [`BOB`].
#[must_use]
pub fn gateway_keys() -> String {
    let keys: Vec<Value> = KEYS
        .iter()
        .map(|k| {
            json!({
                "accessKeyId": k.akid,
                "secretAccessKey": k.secret,
                "principal": k.principal,
                "groups": k.groups,
            })
        })
        .collect();
    Value::Array(keys).to_string()
}

/// The test configuration: the three keys, bearer tokens from the test issuer, the
/// rate limit off, [`ORIGIN`] allowed; then `overrides`.
///
/// # Panics
/// When the configuration is refused.
#[must_use]
pub fn config(overrides: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = [
        ("UPSTREAM_ENDPOINT", "http://127.0.0.1:9/"),
        ("UPSTREAM_REGION", "us-east-1"),
        ("UPSTREAM_ACCESS_KEY_ID", UPSTREAM_AKID),
        ("UPSTREAM_SECRET_ACCESS_KEY", UPSTREAM_SECRET),
        ("UPSTREAM_TIMEOUT_MS", "5000"),
        ("RATE_LIMIT_PER_MINUTE", "0"),
        ("CORS_ALLOWED_ORIGINS", ORIGIN),
        ("JWT_ISSUER", test_keys::ISSUER),
        ("JWT_AUDIENCE", test_keys::AUDIENCE),
        ("JWT_JWKS_URL", test_keys::JWKS_URL),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    vars.insert("GATEWAY_KEYS".to_owned(), gateway_keys());
    for (k, v) in overrides {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Config::from_lookup(move |name| vars.get(name).cloned()).expect("test configuration")
}

/// The route of a call without route headers under [`config`]`(&[])`: us-east-1, the
/// gateway's own account (its id not configured).
#[must_use]
pub fn home_route() -> crate::route::Route {
    crate::route::Route {
        region: "us-east-1".into(),
        account: crate::route::HOME_ACCOUNT.into(),
        account_id: None,
    }
}

/// A gateway over [`config`]`(overrides)`.
///
/// # Panics
/// When it does not start.
#[must_use]
pub fn gateway(overrides: &[(&str, &str)]) -> Gateway {
    Gateway::new(config(overrides)).expect("gateway starts")
}

// ---------------------------------------------------------------------------------
// Requests.

/// `operation` with `body` to [`GATEWAY_URL`], unsigned.
#[must_use]
pub fn unsigned(operation: OperationName, body: &Value) -> HttpRequest {
    build_raw(GATEWAY_URL, operation, body.to_string().into_bytes())
}

/// The request as the gateway receives it.
#[must_use]
pub fn incoming(request: HttpRequest) -> Incoming {
    Incoming {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.body,
    }
}

/// Signs `request` as `key` at `secs`, as an SDK would (with an invocation id of its
/// own, so that two calls never share a signature).
///
/// # Panics
/// When the request does not sign.
#[must_use]
pub fn sign_at(host: &MemoryHost, key: &Key, request: HttpRequest, secs: u64) -> Incoming {
    sign_in(host, key, request, "us-east-1", secs)
}

/// Signs `request` as `key` for `region` at `secs` (every header already on it signed),
/// for the service an SDK signs its operation for (`logs` for CloudWatch Logs').
///
/// # Panics
/// When the request does not sign.
#[must_use]
pub fn sign_in(
    host: &MemoryHost,
    key: &Key,
    request: HttpRequest,
    region: &str,
    secs: u64,
) -> Incoming {
    let service = match request.header("x-amz-target").unwrap_or_default() {
        t if t.starts_with("Logs_20140328.") => "logs",
        _ => "ssm",
    };
    sign_as(host, key, request, region, service, secs)
}

/// Signs `request` as `key` for `region` and `service` at `secs`.
///
/// # Panics
/// When the request does not sign.
#[must_use]
pub fn sign_as(
    host: &MemoryHost,
    key: &Key,
    mut request: HttpRequest,
    region: &str,
    service: &str,
    secs: u64,
) -> Incoming {
    let invocation = {
        let mut state = host.state.borrow_mut();
        state.invocations += 1;
        state.invocations
    };
    request.set_header("amz-sdk-invocation-id", format!("invocation-{invocation}"));
    let credentials = Credentials::new(key.akid, key.secret, None);
    let params = SigningParams::new(&credentials, region, service, secs);
    let _ = sign(&mut request, &params, None).expect("test request signs");
    incoming(request)
}

/// `operation` with `body`, signed as `key` at the host's time.
#[must_use]
pub fn signed(host: &MemoryHost, key: &Key, operation: OperationName, body: &Value) -> Incoming {
    sign_at(host, key, unsigned(operation, body), host.now_secs())
}

/// `operation` with `body` and `headers` (signed with the rest), signed as `key` for
/// `region` at the host's time.
#[must_use]
pub fn signed_for(
    host: &MemoryHost,
    key: &Key,
    region: &str,
    operation: OperationName,
    body: &Value,
    headers: &[(&str, &str)],
) -> Incoming {
    let mut request = unsigned(operation, body);
    for (name, value) in headers {
        request
            .headers
            .push(((*name).to_owned(), (*value).to_owned()));
    }
    sign_in(host, key, request, region, host.now_secs())
}

/// An approval API call (`X-Amz-Target: SsmEdge.<name>`) with `body`, signed as `key`
/// at the host's time.
#[must_use]
pub fn signed_api(host: &MemoryHost, key: &Key, target: &str, body: &Value) -> Incoming {
    let mut request = unsigned(OperationName::ListCommands, body);
    request.set_header("X-Amz-Target", target.to_owned());
    sign_at(host, key, request, host.now_secs())
}

/// `request` with one more header (after signing: not signed).
#[must_use]
pub fn with_header(mut request: Incoming, name: &str, value: &str) -> Incoming {
    request.headers.push((name.to_owned(), value.to_owned()));
    request
}

/// A restart SendCommand signed by [`ALICE`] with `Idempotency-Key: key`.
#[must_use]
pub fn keyed_restart(host: &MemoryHost, key: &str, body: &Value) -> Incoming {
    with_header(
        signed(host, &ALICE, OperationName::SendCommand, body),
        "Idempotency-Key",
        key,
    )
}

/// `operation` with `body` and `Authorization: Bearer token`.
#[must_use]
pub fn bearer(token: &str, operation: OperationName, body: &Value) -> Incoming {
    with_header(
        incoming(unsigned(operation, body)),
        "Authorization",
        &format!("Bearer {token}"),
    )
}

/// An ES256 token from the test issuer (key `ec-1`) for `sub` in `groups`, valid at
/// the host's time.
#[must_use]
pub fn es256_token(host: &MemoryHost, sub: &str, groups: &[&str]) -> String {
    test_keys::token(
        Algorithm::ES256,
        Some("ec-1"),
        &test_keys::claims(sub, groups, host.now_secs()),
        &test_keys::ec_key(),
    )
}

/// A CORS preflight from `origin` for a POST with the SDK's headers.
#[must_use]
pub fn preflight(origin: &str) -> Incoming {
    Incoming {
        method: "OPTIONS".to_owned(),
        url: GATEWAY_URL.to_owned(),
        headers: vec![
            ("Origin".to_owned(), origin.to_owned()),
            (
                "Access-Control-Request-Method".to_owned(),
                "POST".to_owned(),
            ),
            (
                "Access-Control-Request-Headers".to_owned(),
                "authorization, content-type, x-amz-date, x-amz-target, idempotency-key".to_owned(),
            ),
        ],
        body: Vec::new(),
    }
}

/// The restart the shipped policies let [`ALICE`] run (tag target, allow-listed
/// service, a ticket in the comment).
#[must_use]
pub fn restart() -> Value {
    json!({
        "DocumentName": "Ops-RestartService",
        "Targets": [{ "Key": "tag:env", "Values": ["staging"] }],
        "Parameters": { "service": ["nginx"] },
        "Comment": "CHG-1 restart",
    })
}

/// Handles `request` to completion.
pub fn handle(gateway: &Gateway, host: &MemoryHost, request: Incoming) -> Outgoing {
    block_on(gateway.handle(host, request))
}

// ---------------------------------------------------------------------------------
// Answers.

/// `(status, __type, message)` of an answer.
///
/// # Panics
/// When the body is not JSON.
#[must_use]
pub fn error_of(out: &Outgoing) -> (u16, String, String) {
    let body: Value = serde_json::from_slice(&out.body).expect("a JSON error body");
    (
        out.status,
        body["__type"].as_str().unwrap_or_default().to_owned(),
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The answer's body as text.
///
/// # Panics
/// When it is not UTF-8.
#[must_use]
pub fn body_text(out: &Outgoing) -> &str {
    std::str::from_utf8(&out.body).expect("UTF-8 body")
}

/// Whether `id` is a version 4 UUID.
#[must_use]
pub fn is_uuid_v4(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && groups[2].starts_with('4')
        && matches!(groups[3].chars().next(), Some('8' | '9' | 'a' | 'b'))
}

// ---------------------------------------------------------------------------------
// Scripted upstream answers.

/// An upstream answer with `status` and `body`, with the headers the gateway drops or
/// replaces (length, connection, CORS) as well as a request id.
pub fn upstream(status: u16, body: &str, request_id: &str) -> Scripted {
    Ok(HttpResponse {
        status,
        headers: vec![
            ("Content-Type".into(), "application/x-amz-json-1.1".into()),
            ("x-amzn-RequestId".into(), request_id.into()),
            ("Content-Length".into(), body.len().to_string()),
            ("Connection".into(), "keep-alive".into()),
            ("Access-Control-Allow-Origin".into(), "*".into()),
        ],
        body: body.as_bytes().to_vec(),
    })
}

/// SendCommand's answer: the restart command, pending.
pub fn command_created(command_id: &str, request_id: &str) -> Scripted {
    upstream(
        200,
        &json!({
            "Command": {
                "CommandId": command_id,
                "DocumentName": "Ops-RestartService",
                "Status": "Pending",
            }
        })
        .to_string(),
        request_id,
    )
}

/// An AWS error answer with `code`.
pub fn upstream_error(status: u16, code: &str, request_id: &str) -> Scripted {
    upstream(
        status,
        &json!({ "__type": code, "message": "upstream says no" }).to_string(),
        request_id,
    )
}

/// STS's `AssumeRole` answer with these credentials, expiring at `expires_at` (unix
/// seconds).
///
/// # Panics
/// For an `expires_at` past year 9999.
pub fn sts_credentials(akid: &str, secret: &str, token: &str, expires_at: u64) -> Scripted {
    let expiration = ssm_edge_core::time::format_iso8601(expires_at).expect("a date");
    let body = format!(
        r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:ssm-edge</AssumedRoleId>
      <Arn>arn:aws:sts::222222222222:assumed-role/ssm-edge/ssm-edge</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{akid}</AccessKeyId>
      <SecretAccessKey>{secret}</SecretAccessKey>
      <SessionToken>{token}</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#
    );
    Ok(HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: body.into_bytes(),
    })
}

/// STS's error answer: `status`, `code` and `message`.
pub fn sts_error(status: u16, code: &str, message: &str) -> Scripted {
    let body = format!(
        r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>4f2e2a3c-0000-4000-8000-000000000000</RequestId></ErrorResponse>"#
    );
    Ok(HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: body.into_bytes(),
    })
}

/// A failed send.
pub fn failure(transport: Transport, timed_out: bool) -> Scripted {
    Err(SendFailure {
        transport,
        timed_out,
    })
}
