//! The Cloudflare Worker shell: adapts Worker requests to [`Gateway::handle`] and
//! provides the [`Host`]: the clock, `Math.random`, `console.log`, `fetch` with a
//! timeout, and three Durable Objects — [`PrincipalGate`] (one per principal: rate
//! limit and SigV4 replay window), [`IdempotencyStore`] (one per principal and key) and
//! [`ApprovalDesk`] (one for the gateway: the approvals).
//! No state lives in isolate globals except the parsed configuration and caches.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::StreamExt;
use ssm_edge_core::decode::HttpResponse;
use ssm_edge_core::request::HttpRequest;
use ssm_edge_core::retry::Transport;
use worker::{
    console_log, durable_object, event, js_sys, wasm_bindgen::JsValue, AbortController, Context,
    Date, Delay, DurableObject, Env, Fetch, Headers, Method, Request, RequestInit, Response,
    Result, State,
};

use crate::config::MAX_BODY_BYTES;
use crate::error::GatewayError;
use crate::idempotency::{self, Begin, Command, Record};
use crate::identity::jwt::SignedToken;
use crate::limits::{self, Admission, AdmitRequest, GateCommand, ReplayKey, TokenBucket};
use crate::pipeline::{Gateway, Host, HostError, Incoming, SendFailure};

/// Durable Object binding names (see `wrangler.toml`).
const PRINCIPAL_GATE: &str = "PRINCIPAL_GATE";
const IDEMPOTENCY: &str = "IDEMPOTENCY";
const APPROVALS: &str = "APPROVALS";
/// The one `ApprovalDesk` object: every approval of this gateway.
const APPROVAL_DESK: &str = "approvals";

thread_local! {
    static GATEWAY: RefCell<Option<std::result::Result<Rc<Gateway>, String>>> = const { RefCell::new(None) };
}

fn setting(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.to_string())
        .or_else(|_| env.secret(name).map(|s| s.to_string()))
        .ok()
}

/// The isolate's gateway, built from the configuration on first use
/// ([`Gateway::start`]: every problem at once). Every configuration problem is logged
/// once per isolate (`{"gatewayConfigError": [lines]}`) and requests are answered
/// `InternalServerError`.
///
/// Why not at start: workers-rs 0.8's `#[event(start)]` runs when the wasm module is
/// instantiated, before any request and without an [`Env`] (module Workers get
/// variables and secrets with each event), so the configuration can only be read at the
/// first request. `make check-config` (`ssm-edge-check-config`) runs the same
/// [`Gateway::start`] natively, and the local scripts run it before `wrangler dev`.
fn gateway(env: &Env) -> std::result::Result<Rc<Gateway>, String> {
    GATEWAY.with(|cell| {
        let mut cell = cell.borrow_mut();
        cell.get_or_insert_with(|| {
            let started = Gateway::start(|name| setting(env, name))
                .map_err(|problems| problems.iter().map(ToString::to_string).collect());
            match &started {
                Ok(g) => console_log!(
                    "{}",
                    serde_json::json!({ "gatewayStarted": true, "policies": g.policy_ids() })
                ),
                Err(problems) => {
                    console_log!("{}", serde_json::json!({ "gatewayConfigError": problems }))
                }
            }
            started
                .map(Rc::new)
                .map_err(|problems: Vec<String>| problems.join("; "))
        })
        .clone()
    })
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let gateway = match gateway(&env) {
        Ok(g) => g,
        Err(_) => return answer_error(&GatewayError::Misconfigured),
    };
    let body = read_body(&mut req).await?;
    let incoming = Incoming {
        method: req.method().to_string(),
        url: req.url()?.to_string(),
        headers: req.headers().entries().collect(),
        body,
    };
    let host = WorkerHost { env };
    let out = gateway.handle(&host, incoming).await;
    let headers = Headers::new();
    for (name, value) in &out.headers {
        headers.append(name, value)?;
    }
    let response = if out.body.is_empty() {
        Response::empty()?
    } else {
        Response::from_bytes(out.body)?
    };
    Ok(response.with_status(out.status).with_headers(headers))
}

/// Reads the request body, never more than one byte past [`MAX_BODY_BYTES`]: a
/// declared `Content-Length` over the limit is not read at all, and a body without one
/// (or longer than declared) is read chunk by chunk until it is over. Either way the
/// pipeline answers 413 from the size. No body, or a stream that fails, reads as empty
/// (the signature then does not match).
async fn read_body(req: &mut Request) -> Result<Vec<u8>> {
    let declared = req.headers().get("content-length")?;
    if limits::declared_too_large(declared.as_deref()) {
        return Ok(vec![0; MAX_BODY_BYTES + 1]);
    }
    let Ok(mut stream) = req.stream() else {
        return Ok(Vec::new());
    };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return Ok(Vec::new());
        };
        if !limits::append_within_limit(&mut body, &chunk) {
            break;
        }
    }
    Ok(body)
}

fn answer_error(error: &GatewayError) -> Result<Response> {
    let answer = error.answer();
    let headers = Headers::new();
    headers.set("Content-Type", "application/x-amz-json-1.1")?;
    Ok(Response::from_bytes(answer.json_body().into_bytes())?
        .with_status(answer.status)
        .with_headers(headers))
}

struct WorkerHost {
    env: Env,
}

fn host_error(e: impl std::fmt::Display) -> HostError {
    HostError(e.to_string())
}

/// A Durable Object message's JSON body. Read as text and parsed with serde_json, as
/// the answers are (`call_object`): one deserializer per message type in the Worker,
/// not serde_json's and `serde_wasm_bindgen`'s (`Request::json`) both.
async fn json_body<T: serde::de::DeserializeOwned>(req: &mut Request) -> Result<T> {
    let text = req.text().await?;
    serde_json::from_str(&text).map_err(|e| worker::Error::RustError(e.to_string()))
}

/// Sends `body` as JSON to the Durable Object `name` in namespace `binding`.
async fn call_object<T: serde::de::DeserializeOwned>(
    env: &Env,
    binding: &str,
    name: &str,
    body: String,
) -> std::result::Result<T, HostError> {
    let namespace = env.durable_object(binding).map_err(host_error)?;
    let stub = namespace
        .id_from_name(name)
        .and_then(|id| id.get_stub())
        .map_err(host_error)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let request = Request::new_with_init("https://durable-object/", &init).map_err(host_error)?;
    let mut response = stub.fetch_with_request(request).await.map_err(host_error)?;
    if response.status_code() != 200 {
        return Err(HostError(format!(
            "{binding} answered {}",
            response.status_code()
        )));
    }
    let text = response.text().await.map_err(host_error)?;
    serde_json::from_str(&text).map_err(host_error)
}

impl Host for WorkerHost {
    fn now_ms(&self) -> u64 {
        Date::now().as_millis()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn log(&self, line: &str) {
        console_log!("{line}");
    }

    async fn fetch_jwks(&self, url: &str) -> std::result::Result<String, HostError> {
        let url = worker::Url::parse(url).map_err(host_error)?;
        let mut response = Fetch::Url(url).send().await.map_err(host_error)?;
        if response.status_code() != 200 {
            return Err(HostError(format!(
                "JWKS answered {}",
                response.status_code()
            )));
        }
        response.text().await.map_err(host_error)
    }

    async fn verify_jwt_signature(
        &self,
        token: &SignedToken,
    ) -> std::result::Result<bool, HostError> {
        web_crypto_verify(token)
            .await
            .map_err(|e| HostError(format!("WebCrypto: {e:?}")))
    }

    async fn admit(
        &self,
        principal: &str,
        request: &AdmitRequest,
    ) -> std::result::Result<Admission, HostError> {
        let body =
            serde_json::to_string(&GateCommand::Admit(request.clone())).map_err(host_error)?;
        call_object(&self.env, PRINCIPAL_GATE, principal, body).await
    }

    async fn forget_signature(
        &self,
        principal: &str,
        replay_key: &ReplayKey,
    ) -> std::result::Result<(), HostError> {
        let command = GateCommand::Forget {
            replay_key: replay_key.clone(),
        };
        let body = serde_json::to_string(&command).map_err(host_error)?;
        call_object::<Admission>(&self.env, PRINCIPAL_GATE, principal, body).await?;
        Ok(())
    }

    async fn idempotency(
        &self,
        scope: &str,
        command: Command,
    ) -> std::result::Result<Begin, HostError> {
        let body = serde_json::to_string(&command).map_err(host_error)?;
        call_object(&self.env, IDEMPOTENCY, scope, body).await
    }

    async fn approvals(
        &self,
        op: crate::approvals::Op,
    ) -> std::result::Result<crate::approvals::Reply, HostError> {
        let body = serde_json::to_string(&op).map_err(host_error)?;
        call_object(&self.env, APPROVALS, APPROVAL_DESK, body).await
    }

    async fn post_webhook(
        &self,
        url: &str,
        body: &str,
        timeout_ms: u64,
    ) -> std::result::Result<u16, HostError> {
        let headers = Headers::new();
        headers
            .append("Content-Type", "application/json")
            .map_err(host_error)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(JsValue::from_str(body)));
        let request = Request::new_with_init(url, &init).map_err(host_error)?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = Fetch::Request(request);
        let sending = Box::pin(fetch.send_with_signal(&signal));
        let deadline = Box::pin(Delay::from(Duration::from_millis(timeout_ms)));
        let answer = match select(sending, deadline).await {
            Either::Left((Ok(response), _)) => Ok(response.status_code()),
            Either::Left((Err(e), _)) => Err(host_error(e)),
            Either::Right(((), _)) => {
                controller.abort();
                Err(HostError(format!("no answer within {timeout_ms} ms")))
            }
        };
        answer
    }

    async fn send(
        &self,
        request: &HttpRequest,
        timeout_ms: u64,
    ) -> std::result::Result<HttpResponse, SendFailure> {
        let not_sent = SendFailure {
            transport: Transport::NotSent,
            timed_out: false,
        };
        let headers = Headers::new();
        for (name, value) in &request.headers {
            headers.append(name, value).map_err(|_| not_sent)?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(
                js_sys::Uint8Array::from(request.body.as_slice()).into(),
            ));
        let outgoing = Request::new_with_init(&request.url, &init).map_err(|_| not_sent)?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = Fetch::Request(outgoing);
        // One deadline for the whole attempt: the headers and the body. An upstream that
        // sends its headers and then trickles (or stalls) its body is cut off too.
        let mut deadline = Box::pin(Delay::from(Duration::from_millis(timeout_ms)));
        let timed_out = |controller: AbortController| {
            controller.abort();
            SendFailure {
                transport: Transport::MaybeSent,
                timed_out: true,
            }
        };
        let sending = Box::pin(fetch.send_with_signal(&signal));
        let mut response = match select(sending, &mut deadline).await {
            Either::Left((Ok(response), _)) => response,
            // workerd does not say whether a failed fetch sent anything: assume it may have.
            Either::Left((Err(_), _)) => {
                return Err(SendFailure {
                    transport: Transport::MaybeSent,
                    timed_out: false,
                })
            }
            Either::Right(((), _)) => return Err(timed_out(controller)),
        };
        let status = response.status_code();
        let headers: Vec<(String, String)> = response.headers().entries().collect();
        let body = match select(Box::pin(response.bytes()), &mut deadline).await {
            Either::Left((Ok(body), _)) => body,
            // A body cut short: the request was received.
            Either::Left((Err(_), _)) => {
                return Err(SendFailure {
                    transport: Transport::MaybeSent,
                    timed_out: false,
                })
            }
            Either::Right(((), _)) => return Err(timed_out(controller)),
        };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    async fn sleep(&self, ms: u64) {
        Delay::from(Duration::from_millis(ms)).await;
    }
}

/// Verifies an RS256 or ES256 signature with `crypto.subtle` (no crypto in the wasm).
async fn web_crypto_verify(token: &SignedToken) -> std::result::Result<bool, JsValue> {
    use jsonwebtoken::Algorithm;
    use worker::js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array, JSON};
    use worker::wasm_bindgen::JsCast;
    use worker::wasm_bindgen_futures::JsFuture;

    let object = |pairs: &[(&str, &str)]| -> std::result::Result<Object, JsValue> {
        let object = Object::new();
        for (k, v) in pairs {
            Reflect::set(&object, &JsValue::from_str(k), &JsValue::from_str(v))?;
        }
        Ok(object)
    };
    let (import_params, verify_params) = match token.alg {
        Algorithm::RS256 => (
            object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")])?,
            object(&[("name", "RSASSA-PKCS1-v1_5")])?,
        ),
        Algorithm::ES256 => (
            object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?,
            object(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
        ),
        _ => return Ok(false),
    };
    let subtle = Reflect::get(
        &Reflect::get(&js_sys::global(), &"crypto".into())?,
        &"subtle".into(),
    )?;
    let call = |method: &str, args: Array| -> std::result::Result<JsFuture, JsValue> {
        let function: Function = Reflect::get(&subtle, &method.into())?.dyn_into()?;
        let promise: Promise = function.apply(&subtle, &args)?.dyn_into()?;
        Ok(JsFuture::from(promise))
    };
    let jwk = JSON::parse(&token.public_jwk().to_string())?;
    let usages = Array::of1(&"verify".into());
    let key = call(
        "importKey",
        Array::of5(
            &"jwk".into(),
            &jwk,
            &import_params,
            &JsValue::FALSE,
            &usages,
        ),
    )?
    .await?;
    let valid = call(
        "verify",
        Array::of4(
            &verify_params,
            &key,
            &Uint8Array::from(token.signature.as_slice()),
            &Uint8Array::from(token.signing_input.as_bytes()),
        ),
    )?
    .await?;
    Ok(valid.as_bool().unwrap_or(false))
}

/// The storage key of a principal's token bucket; each recorded signature has its own
/// ([`ReplayKey::storage_key`]).
const BUCKET: &str = "token-bucket";

/// The one-value state of earlier versions (bucket and every signature in one value,
/// rewritten whole by each admission): moved to the keys above on first use.
const LEGACY_GATE_STATE: &str = "gate";

/// What [`LEGACY_GATE_STATE`] held.
#[derive(serde::Deserialize)]
struct LegacyGate {
    bucket: Option<TokenBucket>,
    replays: Vec<(ReplayKey, u64)>,
}

/// One per principal: its token bucket and the SigV4 signatures it used recently, each
/// under its own key, so that an admission reads and writes a constant amount however
/// many signatures are recorded. Changed only as [`limits::admit_step`] says; an alarm
/// sweeps the signatures whose window ended.
#[durable_object]
pub struct PrincipalGate {
    state: State,
    /// Whether this instance has moved the legacy one-value state (in memory only: an
    /// evicted instance checks again, which costs one read).
    migrated: std::cell::Cell<bool>,
}

impl DurableObject for PrincipalGate {
    fn new(state: State, _env: Env) -> Self {
        PrincipalGate {
            state,
            migrated: std::cell::Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let command: GateCommand = json_body(&mut req).await?;
        let storage = self.state.storage();
        if !self.migrated.get() {
            migrate_legacy_gate(&storage).await?;
            self.migrated.set(true);
        }
        let key = command.replay_key().map(ReplayKey::storage_key);
        let read = limits::GateRead {
            bucket: storage.get(BUCKET).await?,
            recorded_until_ms: match &key {
                Some(key) => storage.get(key).await?,
                None => None,
            },
        };
        let (admission, write) = limits::admit_step(read, &command);
        if let Some(bucket) = write.bucket {
            storage.put(BUCKET, bucket).await?;
        }
        if let Some(key) = &key {
            if let Some(until_ms) = write.record_until_ms {
                storage.put(key, until_ms).await?;
                if storage.get_alarm().await?.is_none() {
                    storage.set_alarm(sweep_delay(until_ms)).await?;
                }
            }
            if write.forget {
                storage.delete(key).await?;
            }
        }
        Response::from_json(&admission)
    }

    /// Sweeps the signatures whose window ended, and sets itself again for the first
    /// of those left. Also removes what versions before the one-value state stored
    /// (`r:…` signatures and `bucket`).
    async fn alarm(&self) -> Result<Response> {
        let storage = self.state.storage();
        let now_ms = Date::now().as_millis();
        let mut gone = vec![String::from("bucket")];
        let mut next: Option<u64> = None;
        for prefix in ["r:", limits::REPLAY_KEY_PREFIX] {
            let entries = storage
                .list_with_options(worker::ListOptions::new().prefix(prefix))
                .await?;
            for entry in entries.entries() {
                let pair: js_sys::Array = entry?.into();
                let Some(key) = pair.get(0).as_string() else {
                    continue;
                };
                let until = pair.get(1).as_f64().map(|ms| ms as u64);
                match until {
                    Some(until) if prefix != "r:" && until >= now_ms => {
                        next = Some(next.map_or(until, |n| n.min(until)));
                    }
                    _ => gone.push(key),
                }
            }
        }
        // At most 128 keys per call.
        for keys in gone.chunks(128) {
            storage.delete_multiple(keys.to_vec()).await?;
        }
        if let Some(until_ms) = next {
            storage.set_alarm(sweep_delay(until_ms)).await?;
        }
        Response::empty()
    }
}

/// How long from now until a window that ends at `until_ms` can be swept.
fn sweep_delay(until_ms: u64) -> Duration {
    let now_ms = Date::now().as_millis();
    Duration::from_millis(until_ms.saturating_sub(now_ms) + 1_000)
}

/// Moves the one-value state of earlier versions to one key per fact.
async fn migrate_legacy_gate(storage: &worker::Storage) -> Result<()> {
    let Some(legacy) = storage.get::<LegacyGate>(LEGACY_GATE_STATE).await? else {
        return Ok(());
    };
    if let Some(bucket) = legacy.bucket {
        storage.put(BUCKET, bucket).await?;
    }
    let now_ms = Date::now().as_millis();
    let mut latest: Option<u64> = None;
    for (key, until_ms) in legacy.replays.into_iter().filter(|(_, u)| *u >= now_ms) {
        storage.put(&key.storage_key(), until_ms).await?;
        latest = Some(latest.map_or(until_ms, |l| l.max(until_ms)));
    }
    storage.delete(LEGACY_GATE_STATE).await?;
    if let Some(until_ms) = latest {
        storage.set_alarm(sweep_delay(until_ms)).await?;
    }
    Ok(())
}

/// One per principal and `Idempotency-Key`: the first request's record.
#[durable_object]
pub struct IdempotencyStore {
    state: State,
}

impl DurableObject for IdempotencyStore {
    fn new(state: State, _env: Env) -> Self {
        IdempotencyStore { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let command: Command = json_body(&mut req).await?;
        let storage = self.state.storage();
        let mut record: Option<Record> = storage.get("record").await?;
        let answer = idempotency::apply(&mut record, command);
        match &record {
            Some(record) => {
                storage.put("record", record).await?;
                // Forget the key a little after its retention.
                storage
                    .set_alarm(Duration::from_millis(idempotency::RETENTION_MS + 60_000))
                    .await?;
            }
            None => {
                storage.delete("record").await?;
            }
        }
        Response::from_json(&answer)
    }

    async fn alarm(&self) -> Result<Response> {
        self.state.storage().delete_all().await?;
        Response::empty()
    }
}

/// Every approval of the gateway ([`crate::approvals`]), one record per storage key
/// (`a:<id>`): each operation reads them all (pending ones expire on the way, ended
/// ones are dropped a week after), applies [`crate::approvals::apply`] and writes back
/// what changed. Being one object, it runs one operation at a time: two approvers
/// claiming the same request at once get one `Found` and one `NotPending`.
#[durable_object]
pub struct ApprovalDesk {
    state: State,
}

impl DurableObject for ApprovalDesk {
    fn new(state: State, _env: Env) -> Self {
        ApprovalDesk { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        use crate::approvals::{self, Approval};
        use std::collections::BTreeMap;

        let op: approvals::Op = json_body(&mut req).await?;
        let storage = self.state.storage();
        let stored = storage
            .list_with_options(worker::ListOptions::new().prefix("a:"))
            .await?;
        let mut before: BTreeMap<String, Approval> = BTreeMap::new();
        // Each record is kept as its JSON text.
        for entry in stored.entries() {
            let pair: js_sys::Array = entry?.into();
            let text = pair.get(1).as_string().unwrap_or_default();
            let value: Approval =
                serde_json::from_str(&text).map_err(|e| worker::Error::RustError(e.to_string()))?;
            before.insert(value.id.clone(), value);
        }
        let mut records = before.clone();
        let reply = approvals::apply(&mut records, op, Date::now().as_millis());
        for (id, record) in &records {
            if before.get(id) != Some(record) {
                let text = serde_json::to_string(record)
                    .map_err(|e| worker::Error::RustError(e.to_string()))?;
                storage.put(&format!("a:{id}"), text).await?;
            }
        }
        for id in before.keys().filter(|id| !records.contains_key(*id)) {
            storage.delete(&format!("a:{id}")).await?;
        }
        Response::from_json(&reply)
    }
}
