//! One request through the gateway, as plain Rust over a [`Host`] that moves the bytes:
//!
//! CORS → size → identity (SigV4 via the core, or JWT) → operation → core validation →
//! Cedar → admission (rate limit and SigV4 replay, per principal) → idempotency →
//! re-sign with the upstream credentials → forward, retrying only where the core's
//! retry decision says it is safe → audit line.
//!
//! Admission runs before idempotency so a throttled request never claims a key.

use std::cell::RefCell;

use jsonwebtoken::jwk::JwkSet;
use sha2::{Digest, Sha256};
use ssm_edge_core::decode::{decode_error, HttpResponse};
use ssm_edge_core::model::OperationName;
use ssm_edge_core::request::{build_raw, HttpRequest};
use ssm_edge_core::retry::{decide, Decision, Failure, RetryContext, Transport};
use ssm_edge_core::sign::{sign, SigningKeyCache, SigningParams};
use ssm_edge_core::verify::{verify, VerifyConfig};

use crate::audit::{http_date, rfc3339, AuditLine};
use crate::call::{self, CallError, ParsedCall};
use crate::config::{Config, MAX_BODY_BYTES};
use crate::cors::{self, OriginCheck};
use crate::error::GatewayError;
use crate::idempotency::{self, Begin, Command, StoredResponse};
use crate::identity::jwt::{self, JwtRefusal, SignedToken};
use crate::identity::{self, AuthMethod, Identity, Scheme};
use crate::limits::{Admission, AdmitRequest};
use crate::policy::{Caller, PolicyEngine, PolicyError};

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
    /// Worker; [`jwt::verify_signature`] natively).
    async fn verify_jwt_signature(&self, token: &SignedToken) -> Result<bool, HostError>;
    /// The principal's admission check (rate limit, replay window).
    async fn admit(&self, principal: &str, request: &AdmitRequest) -> Result<Admission, HostError>;
    /// Forgets a recorded SigV4 signature, so that the SDK's retry of a request that
    /// failed upstream (same bytes, same signature) is not taken for a replay.
    async fn forget_signature(&self, principal: &str, replay_key: &str) -> Result<(), HostError>;
    /// Applies an idempotency command to the record of `scope`.
    async fn idempotency(&self, scope: &str, command: Command) -> Result<Begin, HostError>;
    /// Sends a request upstream with a timeout.
    async fn send(
        &self,
        request: &HttpRequest,
        timeout_ms: u64,
    ) -> Result<HttpResponse, SendFailure>;
    /// Waits.
    async fn sleep(&self, ms: u64);
}

/// How long a fetched JWKS is used before fetching it again.
pub const JWKS_TTL_MS: u64 = 10 * 60 * 1000;

#[derive(Default)]
struct JwksCache {
    set: Option<JwkSet>,
    fetched_ms: u64,
}

/// The gateway: configuration, policies and caches. Build one per isolate.
pub struct Gateway {
    config: Config,
    policy: PolicyEngine,
    verify_keys: RefCell<SigningKeyCache>,
    upstream_key: RefCell<SigningKeyCache>,
    jwks: RefCell<JwksCache>,
}

/// Why a gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A configuration variable is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The policies do not load.
    #[error("POLICIES: {0}")]
    Policy(#[from] PolicyError),
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Headers not passed back from the upstream: hop-by-hop, and what the platform
/// recomputes (length, encoding after decompression).
const DROPPED_RESPONSE_HEADERS: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "x-amzn-requestid",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "vary",
];

struct Progress {
    audit: AuditLine,
    origin: Option<String>,
}

impl Gateway {
    /// Reads the configuration and loads the policies (the configured ones, or the
    /// shipped examples), validated against the schema.
    ///
    /// # Errors
    /// [`StartError`] naming the variable or policy and the rule.
    pub fn new(config: Config) -> Result<Self, StartError> {
        let policy = match &config.policies {
            Some(text) => PolicyEngine::new([("POLICIES", text.as_str())])?,
            None => PolicyEngine::shipped()?,
        };
        Ok(Gateway {
            config,
            policy,
            verify_keys: RefCell::new(SigningKeyCache::with_capacity(8)),
            upstream_key: RefCell::new(SigningKeyCache::new()),
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
        let mut progress = Progress {
            audit: AuditLine {
                time: rfc3339(started),
                request_id: request_id.clone(),
                source_ip: request.header("cf-connecting-ip").map(str::to_owned),
                decision: "allowed",
                ..AuditLine::default()
            },
            origin: None,
        };
        let mut out = match self.run(host, &request, &mut progress).await {
            Ok(out) => out,
            Err(error) => {
                let answer = error.answer();
                progress.audit.decision = error.decision();
                progress.audit.error = Some(answer.code);
                Outgoing {
                    status: answer.status,
                    headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
                    body: answer.json_body().into_bytes(),
                }
            }
        };
        out.headers.push(("x-amzn-RequestId".into(), request_id));
        if out.header("date").is_none() {
            // Clients correct their clock from it after a skew refusal.
            out.headers
                .push(("Date".into(), http_date(host.now_ms() / 1000)));
        }
        if let Some(origin) = &progress.origin {
            out.headers.extend(cors::response_headers(origin));
        }
        progress.audit.latency_ms = host.now_ms().saturating_sub(started);
        host.log(&progress.audit.to_json());
        out
    }

    async fn run<H: Host>(
        &self,
        host: &H,
        request: &Incoming,
        progress: &mut Progress,
    ) -> Result<Outgoing, GatewayError> {
        // CORS first: a preflight carries no credentials.
        match cors::check(request.header("origin"), &self.config.cors_origins) {
            OriginCheck::Refused => {
                return Err(GatewayError::Cors(format!(
                    "origin {:?} is not allowed by this gateway's CORS_ALLOWED_ORIGINS",
                    request
                        .header("origin")
                        .unwrap_or_default()
                        .chars()
                        .take(100)
                        .collect::<String>()
                )))
            }
            OriginCheck::Allowed(origin) => {
                if request.method == "OPTIONS" {
                    progress.audit.decision = "preflight";
                    return cors::preflight(
                        &origin,
                        request.header("access-control-request-method"),
                        request.header("access-control-request-headers"),
                    )
                    .map(|headers| Outgoing {
                        status: 204,
                        headers,
                        body: Vec::new(),
                    })
                    .ok_or_else(|| {
                        GatewayError::Cors(format!(
                            "preflight refused: only POST with the headers {} is allowed",
                            cors::ALLOWED_HEADERS.join(", ")
                        ))
                    });
                }
                progress.origin = Some(origin);
            }
            OriginCheck::None => {}
        }
        if request.body.len() > MAX_BODY_BYTES {
            return Err(GatewayError::PayloadTooLarge {
                size: request.body.len(),
                limit: MAX_BODY_BYTES,
            });
        }

        // Identity before anything else is looked at.
        let now_ms = host.now_ms();
        let identity = self.identify(host, request, now_ms).await?;
        progress.audit.principal = Some(identity.principal.clone());
        progress.audit.auth_method = Some(identity.method.as_str());

        if request.method != "POST" || path_of(&request.url) != "/" {
            return Err(GatewayError::UnknownOperation(format!(
                "{} {} is not an SSM operation: send POST / with X-Amz-Target",
                request.method,
                path_of(&request.url)
            )));
        }
        let target = request.header("x-amz-target").unwrap_or_default();
        let operation = call::operation_of_target(target).ok_or_else(|| {
            GatewayError::UnknownOperation(format!(
                "X-Amz-Target {:?} is not one of the operations this gateway serves",
                target.chars().take(80).collect::<String>()
            ))
        })?;
        progress.audit.operation = Some(operation.as_str());

        let parsed = call::parse(operation, &request.body).map_err(|e| match e {
            CallError::Serialization(m) => GatewayError::Serialization(m),
            CallError::Invalid(v) => GatewayError::Validation(v),
        })?;
        match &parsed {
            ParsedCall::SendCommand(input) => progress
                .audit
                .describe_send_command(input, self.config.audit_parameter_values),
            ParsedCall::DescribeDocument(input) => progress.audit.document.clone_from(&input.name),
            _ => {}
        }

        let caller = Caller {
            auth_method: identity.method.as_str(),
            source_ip: request.header("cf-connecting-ip").map(str::to_owned),
            now: now_ms / 1000,
        };
        let decision = self.policy.decide(&identity, &parsed, &caller);
        progress.audit.policy_ids.clone_from(&decision.policy_ids);
        if !decision.allowed {
            return Err(GatewayError::Denied {
                principal: identity.principal.clone(),
                action: decision.action,
                resource: match &parsed {
                    ParsedCall::SendCommand(i) => {
                        format!(
                            "document/{}",
                            i.document_name.as_deref().unwrap_or_default()
                        )
                    }
                    ParsedCall::DescribeDocument(i) => {
                        format!("document/{}", i.name.as_deref().unwrap_or_default())
                    }
                    _ => "fleet".to_owned(),
                },
            });
        }

        // Replays matter for calls that change something: a replayed SendCommand runs
        // the command again. Reads are not checked: botocore signs with one-second
        // resolution, so a dashboard's two identical reads in a second share a signature.
        let replay_key = identity
            .replay_key
            .as_deref()
            .filter(|_| changes_state(operation));
        self.admit(host, &identity.principal, replay_key, now_ms)
            .await?;

        let idempotency_key = request.header("idempotency-key");
        let scope = match idempotency_key {
            None => None,
            Some(_) if operation != OperationName::SendCommand => {
                return Err(GatewayError::IdempotencyKey("only SendCommand takes one"))
            }
            Some(key) => {
                idempotency::check_key(key).map_err(GatewayError::IdempotencyKey)?;
                Some(format!("{}\n{key}", identity.principal))
            }
        };
        let body_sha256 = hex(&Sha256::digest(&request.body));
        if let Some(scope) = &scope {
            let begin = host
                .idempotency(
                    scope,
                    Command::Begin {
                        body_sha256: body_sha256.clone(),
                        now_ms,
                    },
                )
                .await
                .map_err(|e| {
                    host.log(&format!("{{\"gatewayError\":\"idempotency store: {e}\"}}"));
                    GatewayError::Internal("the idempotency store is unavailable; nothing was sent")
                })?;
            match begin {
                Begin::Proceed => {}
                Begin::Replay { response } => {
                    // The stored answer of a failed first try is a 5xx, which SDKs retry
                    // with the same bytes: let those retries have it again too, rather
                    // than a replay refusal.
                    if let (true, Some(key)) = (response.status >= 500, replay_key) {
                        forget_signature(host, &identity.principal, key).await;
                    }
                    progress.audit.decision = "replayed";
                    progress.audit.upstream_status = Some(response.status);
                    progress.audit.command_id = command_id(response.body.as_bytes());
                    return Ok(Outgoing {
                        status: response.status,
                        headers: vec![
                            ("Content-Type".into(), response.content_type),
                            ("Idempotent-Replayed".into(), "true".into()),
                        ]
                        .into_iter()
                        .chain((!response.request_id.is_empty()).then(|| {
                            ("x-ssm-edge-upstream-request-id".into(), response.request_id)
                        }))
                        .collect(),
                        body: response.body.into_bytes(),
                    });
                }
                Begin::Mismatch => return Err(GatewayError::IdempotencyMismatch),
                Begin::InProgress => return Err(GatewayError::IdempotencyInProgress),
                Begin::Unknown => return Err(GatewayError::IdempotencyUnknown),
            }
        }

        let forwarded = self.forward(host, operation, &request.body, progress).await;
        // An SDK retries a failed call with the same bytes (botocore re-signs within the
        // same second to the same signature): let it through.
        let sdk_may_retry = match &forwarded {
            Forwarded::Answer {
                out,
                proves_not_run,
            } => *proves_not_run || out.status >= 500,
            // Not when the command may have run: SDKs do not retry that answer, and an
            // identical resend stays a replay (a new request is the caller's decision).
            Forwarded::Failed { error, .. } => !error.outcome_unknown(),
        };
        if let (true, Some(key)) = (sdk_may_retry, replay_key) {
            forget_signature(host, &identity.principal, key).await;
        }
        let (result, command) = match forwarded {
            Forwarded::Answer {
                out,
                proves_not_run,
            } => {
                let command = if proves_not_run {
                    Command::Release
                } else {
                    Command::Finish {
                        body_sha256,
                        response: stored(&out),
                        now_ms: host.now_ms(),
                    }
                };
                (Ok(out), command)
            }
            Forwarded::Failed {
                error,
                not_sent: true,
            } => (Err(error), Command::Release),
            Forwarded::Failed {
                error,
                not_sent: false,
            } => {
                // Maybe run: the answer ("outcome unknown, check ListCommands") is the
                // result; a repeat gets it again rather than a second run.
                let answer = error.answer();
                let command = Command::Finish {
                    body_sha256,
                    response: StoredResponse {
                        status: answer.status,
                        // No upstream answer, so no upstream request id.
                        content_type: "application/x-amz-json-1.1".into(),
                        body: answer.json_body(),
                        request_id: String::new(),
                    },
                    now_ms: host.now_ms(),
                };
                (Err(error), command)
            }
        };
        if let Some(scope) = &scope {
            if let Err(e) = host.idempotency(scope, command).await {
                host.log(&format!("{{\"gatewayError\":\"idempotency store: {e}\"}}"));
            }
        }
        result
    }

    async fn identify<H: Host>(
        &self,
        host: &H,
        request: &Incoming,
        now_ms: u64,
    ) -> Result<Identity, GatewayError> {
        let scheme = match request.header("authorization") {
            Some(authorization) => identity::scheme(Some(authorization))?,
            // Cloudflare Access sends its JWT in a header of its own.
            None => match request.header("cf-access-jwt-assertion").map(str::trim) {
                Some(token) if !token.is_empty() => Scheme::Bearer(token),
                _ => return Err(GatewayError::MissingAuthentication),
            },
        };
        match scheme {
            Scheme::SigV4 => {
                if self.config.keys.is_empty() {
                    return Err(GatewayError::UnrecognizedClient(
                        "this gateway does not accept SigV4 keys".into(),
                    ));
                }
                let verify_config = VerifyConfig::new(&self.config.gateway_region, "ssm")
                    .with_max_skew_secs(self.config.max_skew_secs);
                let verified = verify(
                    request,
                    &verify_config,
                    now_ms / 1000,
                    &self.config.keys,
                    Some(&mut self.verify_keys.borrow_mut()),
                )
                .map_err(GatewayError::SigV4)?;
                let (principal, groups) = verified.principal;
                let signature = request
                    .header("authorization")
                    .and_then(|a| a.rsplit_once("Signature="))
                    .map(|(_, s)| s.trim().to_owned());
                Ok(Identity {
                    principal,
                    groups,
                    method: AuthMethod::SigV4,
                    replay_key: signature.map(|s| format!("{}:{s}", verified.signed_at.unix())),
                })
            }
            Scheme::Bearer(token) => self.verify_jwt(host, token, now_ms).await,
        }
    }

    async fn verify_jwt<H: Host>(
        &self,
        host: &H,
        token: &str,
        now_ms: u64,
    ) -> Result<Identity, GatewayError> {
        let Some(config) = &self.config.jwt else {
            return Err(GatewayError::UnrecognizedClient(
                "this gateway does not accept bearer tokens".into(),
            ));
        };
        let stale = {
            let cache = self.jwks.borrow();
            cache.set.is_none() || now_ms.saturating_sub(cache.fetched_ms) > JWKS_TTL_MS
        };
        if stale {
            self.refresh_jwks(host, &config.jwks_url, now_ms).await?;
        }
        let prepare = || {
            let cache = self.jwks.borrow();
            let set = cache
                .set
                .as_ref()
                .ok_or(GatewayError::Internal("no JWKS"))?;
            Ok::<_, GatewayError>(jwt::prepare(token, set))
        };
        let signed = match prepare()? {
            Err(JwtRefusal::UnknownKey(_))
                if now_ms.saturating_sub(self.jwks.borrow().fetched_ms)
                    >= config.jwks_refresh_secs * 1000 =>
            {
                // Perhaps the issuer rotated its keys: fetch once more.
                self.refresh_jwks(host, &config.jwks_url, now_ms).await?;
                prepare()?
            }
            other => other,
        }
        .map_err(GatewayError::Jwt)?;
        let valid = host.verify_jwt_signature(&signed).await.map_err(|e| {
            host.log(&format!(
                "{{\"gatewayError\":\"JWT signature check: {e}\"}}"
            ));
            GatewayError::Internal("the bearer token could not be checked")
        })?;
        if !valid {
            return Err(GatewayError::Jwt(JwtRefusal::BadSignature));
        }
        jwt::accept(&signed, config, now_ms / 1000).map_err(GatewayError::Jwt)
    }

    async fn refresh_jwks<H: Host>(
        &self,
        host: &H,
        url: &str,
        now_ms: u64,
    ) -> Result<(), GatewayError> {
        let fetched = host.fetch_jwks(url).await.map_err(|e| {
            host.log(&format!("{{\"gatewayError\":\"JWKS fetch: {e}\"}}"));
            GatewayError::Internal("the token issuer's keys could not be fetched")
        })?;
        let set = jwt::parse_jwks(&fetched).map_err(|_| {
            host.log("{\"gatewayError\":\"JWKS is not a JSON Web Key Set\"}");
            GatewayError::Internal("the token issuer's keys could not be read")
        })?;
        let mut cache = self.jwks.borrow_mut();
        cache.set = Some(set);
        cache.fetched_ms = now_ms;
        Ok(())
    }

    async fn admit<H: Host>(
        &self,
        host: &H,
        principal: &str,
        replay_key: Option<&str>,
        now_ms: u64,
    ) -> Result<(), GatewayError> {
        if self.config.rate_limit.is_none() && replay_key.is_none() {
            return Ok(());
        }
        let signed_at_ms = replay_key
            .and_then(|k| k.split_once(':'))
            .and_then(|(t, _)| t.parse::<u64>().ok())
            .unwrap_or(now_ms / 1000)
            * 1000;
        let admit = AdmitRequest {
            now_ms,
            rate_limit: self.config.rate_limit,
            replay_key: replay_key.map(str::to_owned),
            replay_until_ms: signed_at_ms + self.config.max_skew_secs * 1000,
        };
        match host.admit(principal, &admit).await {
            Ok(Admission::Admitted) => Ok(()),
            Ok(Admission::Throttled { retry_after_ms }) => {
                Err(GatewayError::Throttled { retry_after_ms })
            }
            Ok(Admission::Replayed) => Err(GatewayError::Replayed),
            Err(e) => {
                host.log(&format!("{{\"gatewayError\":\"admission: {e}\"}}"));
                Err(GatewayError::Internal(
                    "the rate limiter is unavailable; nothing was sent",
                ))
            }
        }
    }

    async fn forward<H: Host>(
        &self,
        host: &H,
        operation: OperationName,
        body: &[u8],
        progress: &mut Progress,
    ) -> Forwarded {
        let config = &self.config;
        let mut attempt = 0;
        // Seconds to add to the gateway's clock, learnt from a clock-skew refusal.
        let mut clock_offset: i64 = 0;
        loop {
            attempt += 1;
            progress.audit.attempts = Some(attempt);
            let now_ms = host.now_ms().saturating_add_signed(clock_offset * 1000);
            let mut upstream = build_raw(&config.upstream_url, operation, body.to_vec());
            let params = SigningParams::new(
                &config.upstream_credentials,
                &config.upstream_region,
                "ssm",
                now_ms / 1000,
            );
            if sign(
                &mut upstream,
                &params,
                Some(&mut self.upstream_key.borrow_mut()),
            )
            .is_err()
            {
                host.log("{\"gatewayError\":\"upstream request could not be signed\"}");
                return Forwarded::Failed {
                    error: GatewayError::Misconfigured,
                    not_sent: true,
                };
            }
            let outcome = host
                .send(&upstream, config.upstream_timeout_ms)
                .await
                .and_then(|response| final_status(host, response));
            let random = host.random();
            let failure_decision = match &outcome {
                Ok(response) if response.status < 300 => None,
                Ok(response) => {
                    let error = decode_error(response);
                    let decision = decide(&RetryContext {
                        operation,
                        attempt,
                        max_attempts: config.upstream_max_attempts,
                        failure: Failure::Service(&error),
                        now: now_ms / 1000,
                        random,
                    });
                    Some(decision)
                }
                Err(failure) => Some(decide(&RetryContext {
                    operation,
                    attempt,
                    max_attempts: config.upstream_max_attempts,
                    failure: Failure::Transport(failure.transport),
                    now: now_ms / 1000,
                    random,
                })),
            };
            if let Some(Decision::Retry {
                delay_ms,
                clock_offset_secs,
            }) = failure_decision
            {
                if let Some(offset) = clock_offset_secs {
                    clock_offset = clock_offset.saturating_add(offset);
                }
                host.sleep(delay_ms).await;
                continue;
            }
            return match outcome {
                Ok(response) => {
                    progress.audit.upstream_status = Some(response.status);
                    progress.audit.upstream_request_id = response.request_id().map(str::to_owned);
                    if response.status < 300 && operation == OperationName::SendCommand {
                        progress.audit.command_id = command_id(&response.body);
                    }
                    if response.status >= 300 {
                        progress.audit.decision = "upstream-error";
                    }
                    let mut headers: Vec<(String, String)> = response
                        .headers
                        .iter()
                        .filter(|(n, _)| {
                            !DROPPED_RESPONSE_HEADERS
                                .iter()
                                .any(|d| n.eq_ignore_ascii_case(d))
                        })
                        .cloned()
                        .collect();
                    if let Some(id) = response.request_id() {
                        headers.push(("x-ssm-edge-upstream-request-id".into(), id.to_owned()));
                    }
                    let proves_not_run = response.status >= 300 && {
                        let error = decode_error(&response);
                        error.is_throttling()
                            || error.is_auth()
                            || error.clock_skew(now_ms / 1000).is_some()
                    };
                    Forwarded::Answer {
                        out: Outgoing {
                            status: response.status,
                            headers,
                            body: response.body,
                        },
                        proves_not_run,
                    }
                }
                Err(failure) => {
                    let may_have_run =
                        failure.transport == Transport::MaybeSent && !operation.is_idempotent();
                    let error = if failure.timed_out {
                        GatewayError::UpstreamTimeout {
                            timeout_ms: config.upstream_timeout_ms,
                            may_have_run,
                        }
                    } else {
                        GatewayError::UpstreamUnreachable { may_have_run }
                    };
                    Forwarded::Failed {
                        error,
                        not_sent: failure.transport == Transport::NotSent,
                    }
                }
            };
        }
    }
}

/// An answer whose status no final HTTP answer can have (fetch gives 200–599) is a
/// broken upstream or host: it is logged and treated like a connection lost after
/// sending (retried for reads, "may have run" for SendCommand), never relayed.
fn final_status<H: Host>(host: &H, response: HttpResponse) -> Result<HttpResponse, SendFailure> {
    if (200..=599).contains(&response.status) {
        return Ok(response);
    }
    host.log(&format!(
        "{{\"gatewayError\":\"upstream answered with invalid HTTP status {}\"}}",
        response.status
    ));
    Err(SendFailure {
        transport: Transport::MaybeSent,
        timed_out: false,
    })
}

/// How forwarding ended.
enum Forwarded {
    /// The upstream answered (after retries); pass it back.
    Answer {
        /// The answer.
        out: Outgoing,
        /// Whether the answer proves the call did not run (throttling, auth, skew).
        proves_not_run: bool,
    },
    /// No answer.
    Failed {
        /// What to tell the caller.
        error: GatewayError,
        /// Whether nothing was sent.
        not_sent: bool,
    },
}

fn stored(out: &Outgoing) -> StoredResponse {
    StoredResponse {
        status: out.status,
        content_type: out
            .header("content-type")
            .unwrap_or("application/x-amz-json-1.1")
            .to_owned(),
        body: String::from_utf8_lossy(&out.body).into_owned(),
        request_id: out
            .header("x-ssm-edge-upstream-request-id")
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Forgets a recorded signature so that an SDK's retry (same bytes) is not a replay.
async fn forget_signature<H: Host>(host: &H, principal: &str, replay_key: &str) {
    if let Err(e) = host.forget_signature(principal, replay_key).await {
        host.log(&format!("{{\"gatewayError\":\"admission: {e}\"}}"));
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

fn command_id(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value["Command"]["CommandId"].as_str().map(str::to_owned)
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
mod tests;
