//! One request through the gateway, as plain Rust over a [`Host`] that moves the bytes.
//! [`Gateway::run`] reads as its stages, each returning a typed value:
//!
//! CORS → size → identity (SigV4 via the core, bound to this gateway's host names; or
//! JWT) → operation → parse and validate ([`ParsedCall`], duplicate members refused) →
//! Cedar on that parsed input → the upstream call started from it (the core serializes
//! the body: the caller's bytes are never forwarded) → admission (rate limit and SigV4
//! replay, per principal) → idempotency → forwarding through the core's
//! [`Client`](ssm_edge_core::client::Client) → settling (replay window, idempotency
//! record). What each stage learnt is kept in a [`Trail`], from which the audit line is
//! built once at the end.
//!
//! Admission runs before idempotency so a throttled request never claims a key. The
//! stages after the policy, the same for every decided call (SSM's, command output,
//! an approved SendCommand), are `pipeline/settle.rs`.

mod approval_api;
mod approve;
mod forward;
mod identify;
mod output;
mod settle;
mod trail;
mod upstreams;

use std::cell::RefCell;

use ssm_edge_core::decode::HttpResponse;
use ssm_edge_core::endpoint::Service;
use ssm_edge_core::model::OperationName;
use ssm_edge_core::request::HttpRequest;
use ssm_edge_core::retry::Transport;
use ssm_edge_core::sign::SigningKeyCache;

use crate::audit::http_date;
use crate::call;
use crate::config::{Config, MAX_BODY_BYTES};
use crate::cors::{self, OriginCheck};
use crate::error::GatewayError;
use crate::hex::encode as hex;
use crate::idempotency::{Begin, Command};
use crate::identity::jwt::SignedToken;
use crate::limits::{Admission, AdmitRequest, ReplayKey};
use crate::policy::{Caller, PolicyEngine, PolicyError};
use crate::route::Route;

use identify::JwksCache;
pub use trail::Trail;
use upstreams::Upstreams;
pub use upstreams::{REFRESH_BEFORE_SECS, ROLE_SESSION_NAME};

/// An incoming HTTP request: the core's request value (its `Debug` redacts credentials),
/// `url` absolute as received (`https://gateway.example/`).
pub type Incoming = HttpRequest;

/// The answer: the core's response value.
pub type Outgoing = HttpResponse;

/// A failure of the host's own machinery (Durable Object, fetch of the JWKS).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HostError(pub String);

/// A failed upstream send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendFailure {
    /// What the failure proves about the request.
    pub transport: Transport,
    /// Whether the timeout fired.
    pub timed_out: bool,
}

/// What the gateway needs from its platform: time, randomness, logs, the per-principal
/// and per-key coordination (Durable Objects on Workers) and outbound HTTP.
#[allow(async_fn_in_trait)]
pub trait Host {
    /// Unix milliseconds.
    fn now_ms(&self) -> u64;
    /// A uniformly distributed number in `[0, 1)`.
    fn random(&self) -> f64;
    /// Writes one log line.
    fn log(&self, line: &str);
    /// Fetches a JWKS document.
    async fn fetch_jwks(&self, url: &str) -> Result<String, HostError>;
    /// Verifies a bearer token's signature with its issuer's key (WebCrypto in the
    /// Worker; [`crate::identity::jwt::verify_signature`] natively).
    async fn verify_jwt_signature(&self, token: &SignedToken) -> Result<bool, HostError>;
    /// The principal's admission check (rate limit, replay window).
    async fn admit(&self, principal: &str, request: &AdmitRequest) -> Result<Admission, HostError>;
    /// Forgets a recorded SigV4 signature, so that the SDK's retry of a request that
    /// failed upstream (same bytes, same signature) is not taken for a replay.
    async fn forget_signature(
        &self,
        principal: &str,
        replay_key: &ReplayKey,
    ) -> Result<(), HostError>;
    /// Applies an idempotency command to the record of `scope`.
    async fn idempotency(&self, scope: &str, command: Command) -> Result<Begin, HostError>;
    /// Applies an operation to the gateway's approval records ([`crate::approvals`]).
    async fn approvals(
        &self,
        op: crate::approvals::Op,
    ) -> Result<crate::approvals::Reply, HostError>;
    /// Posts a JSON `body` to the approval webhook; the status it answered.
    async fn post_webhook(&self, url: &str, body: &str, timeout_ms: u64) -> Result<u16, HostError>;
    /// Sends a request upstream with a timeout.
    async fn send(
        &self,
        request: &HttpRequest,
        timeout_ms: u64,
    ) -> Result<HttpResponse, SendFailure>;
    /// Waits.
    async fn sleep(&self, ms: u64);
}

/// Writes one operator-facing log line about the gateway's own machinery, built with
/// serde (error texts may hold any character).
pub(crate) fn log_error<H: Host>(host: &H, what: &str, error: &dyn std::fmt::Display) {
    host.log(&serde_json::json!({ "gatewayError": format!("{what}: {error}") }).to_string());
}

/// The gateway: configuration, policies, the upstream clients and caches. Build one per
/// isolate.
pub struct Gateway {
    config: Config,
    policy: PolicyEngine,
    verify_keys: RefCell<SigningKeyCache>,
    /// The core's clients, one per route (their signing-key caches, learnt clock
    /// offsets and retry quotas outlive one request), and the roles' credentials.
    upstreams: RefCell<Upstreams>,
    jwks: RefCell<JwksCache>,
}

/// Why a gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A configuration variable is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The policies do not load. Their problems name the `POLICIES` source already.
    #[error("{}{}", if .0.names_source() { "" } else { "POLICIES: " }, .0)]
    Policy(#[from] PolicyError),
}

/// What admission and idempotency need to know about an accepted call.
struct Accepted<'a> {
    principal: &'a str,
    operation: OperationName,
    replay_key: Option<&'a ReplayKey>,
    /// Where the call goes, when not the default region and account (keys the
    /// idempotency record: the same key and body to another account is another call).
    elsewhere: Option<&'a Route>,
}

impl Gateway {
    /// Reads the configuration and loads the policies (the configured ones, or the
    /// shipped examples), compiled by `make check-policy` ([`PolicyEngine::load`]).
    ///
    /// # Errors
    /// [`StartError`] naming the variable or policy and the rule.
    pub fn new(config: Config) -> Result<Self, StartError> {
        let policy = match &config.policies {
            Some(text) => PolicyEngine::load(text)?,
            None => PolicyEngine::shipped()?,
        };
        Ok(Gateway {
            config,
            policy,
            verify_keys: RefCell::new(SigningKeyCache::with_capacity(8)),
            upstreams: RefCell::new(Upstreams::default()),
            jwks: RefCell::new(JwksCache::default()),
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The loaded policy ids.
    #[must_use]
    pub fn policy_ids(&self) -> Vec<String> {
        self.policy.policy_ids()
    }

    /// Answers one request, and writes its audit line.
    pub async fn handle<H: Host>(&self, host: &H, request: Incoming) -> Outgoing {
        let started = host.now_ms();
        let request_id = request_id(host);
        let mut trail = Trail::default();
        let result = self.run(host, &request, &mut trail).await;
        let mut out = match &result {
            Ok(out) => out.clone(),
            Err(error) => error_answer(error),
        };
        out.headers
            .push(("x-amzn-RequestId".into(), request_id.clone()));
        if out.header("date").is_none() {
            // Clients correct their clock from it after a skew refusal.
            out.headers
                .push(("Date".into(), http_date(host.now_ms() / 1000)));
        }
        if let Some(origin) = &trail.origin {
            out.headers.extend(cors::response_headers(origin));
        }
        let audit = trail.audit_line(trail::Closing {
            started_ms: started,
            latency_ms: host.now_ms().saturating_sub(started),
            request_id: request_id.clone(),
            source_ip: request.header("cf-connecting-ip"),
            error: result.as_ref().err(),
            config: &self.config,
        });
        host.log(&audit.to_json());
        for approval in &trail.expired {
            host.log(&trail::expired_line(approval, &request_id, &self.config).to_json());
        }
        out
    }

    /// The stages of one request. Each stage's result is kept in `trail` as soon as it
    /// is known, so the audit line describes refusals as well as forwarded calls.
    async fn run<H: Host>(
        &self,
        host: &H,
        request: &Incoming,
        trail: &mut Trail,
    ) -> Result<Outgoing, GatewayError> {
        // CORS first: a preflight carries no credentials.
        match cors_stage(request, &self.config.cors_origins)? {
            CorsStage::Preflight(answer) => {
                trail.preflight = true;
                return Ok(answer);
            }
            CorsStage::Proceed(origin) => trail.origin = origin,
        }
        if request.body.len() > MAX_BODY_BYTES {
            return Err(GatewayError::PayloadTooLarge {
                size: request.body.len(),
                limit: MAX_BODY_BYTES,
            });
        }

        // Identity before anything else is looked at.
        let now_ms = host.now_ms();
        let identity = &*trail
            .identity
            .insert(self.identify(host, request, now_ms).await?);
        let route = &*trail.route.insert(
            self.config
                .routes
                .choose(identity.signed_region.as_deref(), |name| {
                    request.header(name)
                })
                .map_err(GatewayError::Route)?,
        );
        let operation = match operation_stage(request)? {
            Target::Ssm(operation) => operation,
            Target::Output(operation) => {
                trail.operation = Some(operation);
                // Owned: the stages after this one keep what they learn in `trail`.
                let (identity, route) = (identity.clone(), route.clone());
                return self
                    .read_output(host, request, &identity, &route, operation, trail)
                    .await;
            }
            Target::Approvals(api) => {
                trail.operation = Some(api);
                let mut noted = approve::Noted::default();
                let result = self
                    .approval_api(host, request, identity, api, &mut noted)
                    .await;
                trail.note(noted);
                return result;
            }
        };
        trail.operation = Some(operation);
        let mut parsed = call::parse(operation, &request.body)?;
        self.keep_output(&mut parsed);
        let call = &*trail.call.insert(parsed);

        let caller = self.caller_of(identity, request, now_ms, route);
        let decision = &*trail
            .decision
            .insert(self.policy.decide(identity, call, &caller));
        if !decision.allowed {
            // Denied, but the caller may ask for it: it waits for someone else's approval.
            if operation == OperationName::SendCommand {
                let asked = self.policy.decide_request(identity, call, &caller);
                if asked.allowed {
                    trail.decision = Some(asked);
                    let mut noted = approve::Noted::default();
                    let result = self
                        .request_approval(host, request, identity, route, call, &caller, &mut noted)
                        .await;
                    trail.note(noted);
                    return result;
                }
            }
            return Err(denied(identity, decision));
        }

        // What goes upstream is the core's serialization of the input just decided on.
        let upstream_call = prepared(host, call.start())?;
        let (identity, route) = (identity.clone(), route.clone());
        self.send_decided(
            host,
            request,
            &identity,
            &route,
            upstream_call,
            now_ms,
            trail,
        )
        .await
    }
}

/// What the CORS stage decided.
enum CorsStage {
    /// A preflight, answered.
    Preflight(Outgoing),
    /// Go on; the allowed origin to answer with, if the request came from a browser.
    Proceed(Option<String>),
}

fn cors_stage(request: &Incoming, allowed: &[String]) -> Result<CorsStage, GatewayError> {
    match cors::check(request.header("origin"), allowed) {
        OriginCheck::Refused => Err(GatewayError::Cors(format!(
            "origin {:?} is not allowed by this gateway's CORS_ALLOWED_ORIGINS",
            request
                .header("origin")
                .unwrap_or_default()
                .chars()
                .take(100)
                .collect::<String>()
        ))),
        OriginCheck::Allowed(origin) if request.method == "OPTIONS" => cors::preflight(
            &origin,
            request.header("access-control-request-method"),
            request.header("access-control-request-headers"),
        )
        .map(|headers| {
            CorsStage::Preflight(Outgoing {
                status: 204,
                headers,
                body: Vec::new(),
            })
        })
        .ok_or_else(|| {
            GatewayError::Cors(format!(
                "preflight refused: only POST with the headers {} is allowed",
                cors::ALLOWED_HEADERS.join(", ")
            ))
        }),
        OriginCheck::Allowed(origin) => Ok(CorsStage::Proceed(Some(origin))),
        OriginCheck::None => Ok(CorsStage::Proceed(None)),
    }
}

/// The refusal of a call its policy did not allow.
fn denied(
    identity: &crate::identity::Identity,
    decision: &crate::policy::Decision,
) -> GatewayError {
    GatewayError::Denied {
        principal: identity.principal.clone(),
        action: decision.action,
        resource: decision.resource.clone(),
        reasons: decision.reasons.clone(),
    }
}

/// The upstream call started from a decided input (the core serializes it; it cannot
/// fail for an input the core parsed, and says so if it ever does).
fn prepared<H: Host>(
    host: &H,
    started: Result<ssm_edge_core::client::Call, ssm_edge_core::request::BuildError>,
) -> Result<ssm_edge_core::client::Call, GatewayError> {
    started.map_err(|e| {
        log_error(host, "upstream body", &e);
        GatewayError::Internal("the request could not be prepared; nothing was sent")
    })
}

impl Gateway {
    /// The caller as policies see it.
    fn caller_of(
        &self,
        identity: &crate::identity::Identity,
        request: &Incoming,
        now_ms: u64,
        route: &Route,
    ) -> Caller {
        Caller {
            auth_method: identity.method.as_str(),
            source_ip: request.header("cf-connecting-ip").map(str::to_owned),
            now: now_ms / 1000,
            route: route.clone(),
            output_log_group: self.config.output_log_group.clone(),
        }
    }

    /// With `OUTPUT_LOG_GROUP`, a SendCommand that names no `CloudWatchOutputConfig`
    /// gets one with that group, before the policy decides: what is forwarded (and
    /// audited, and stored for approval) is what the policy saw.
    fn keep_output(&self, call: &mut call::ParsedCall) {
        if let (call::ParsedCall::SendCommand(input), Some(group)) =
            (call, &self.config.output_log_group)
        {
            input.cloud_watch_output_config.get_or_insert_with(|| {
                ssm_edge_core::model::CloudWatchOutputConfig {
                    cloud_watch_log_group_name: Some(group.clone()),
                    cloud_watch_output_enabled: Some(true),
                }
            });
        }
    }
}

/// What an `X-Amz-Target` names.
enum Target {
    /// An SSM operation.
    Ssm(OperationName),
    /// A CloudWatch Logs operation reading command output.
    Output(OperationName),
    /// The approval API (`SsmEdge.*`, the gateway's own operations).
    Approvals(OperationName),
}

/// `POST /` with an `X-Amz-Target` naming an operation the gateway serves.
fn operation_stage(request: &Incoming) -> Result<Target, GatewayError> {
    if request.method != "POST" || path_of(&request.url) != "/" {
        return Err(GatewayError::UnknownOperation(format!(
            "{} {} is not an SSM operation: send POST / with X-Amz-Target",
            request.method,
            path_of(&request.url)
        )));
    }
    let target = request.header("x-amz-target").unwrap_or_default();
    call::operation_of_target(target)
        .map(|op| {
            if op.is_gateway_own() {
                Target::Approvals(op)
            } else if op.service() == Service::Logs {
                Target::Output(op)
            } else {
                Target::Ssm(op)
            }
        })
        .ok_or_else(|| {
            GatewayError::UnknownOperation(format!(
                "X-Amz-Target {:?} is not one of the operations this gateway serves",
                target.chars().take(80).collect::<String>()
            ))
        })
}

fn error_answer(error: &GatewayError) -> Outgoing {
    let answer = error.answer();
    Outgoing {
        status: answer.status,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: answer.json_body().into_bytes(),
    }
}

/// Whether an operation changes something (and so is checked for replays).
fn changes_state(operation: OperationName) -> bool {
    matches!(
        operation,
        OperationName::SendCommand | OperationName::CancelCommand
    )
}

fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or("/")
}

/// A random UUID v4 from the host's randomness.
fn request_id<H: Host>(host: &H) -> String {
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(4) {
        let n = (host.random() * 4_294_967_296.0) as u32;
        chunk.copy_from_slice(&n.to_be_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod approval_tests;
#[cfg(test)]
mod output_tests;
#[cfg(test)]
mod read_tests;
#[cfg(test)]
mod route_tests;
#[cfg(test)]
mod tamper_tests;
#[cfg(test)]
mod tests;
