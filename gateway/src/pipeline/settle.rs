//! A decided call's way upstream, the stages after the policy: admission (rate limit,
//! replays of calls that change something), idempotency (a repeat with the same key and
//! body gets the first answer), forwarding, and settling (the replay window, the
//! idempotency record, the answer).

use sha2::{Digest, Sha256};
use ssm_edge_core::model::OperationName;

use super::forward::Forwarded;
use super::{changes_state, log_error, trail, Accepted, Gateway, Host, Incoming, Outgoing, Trail};
use crate::error::GatewayError;
use crate::hex::encode as hex;
use crate::idempotency::{self, Begin, Command, StoredResponse};
use crate::limits::{Admission, AdmitRequest, ReplayKey};
use crate::route::{Route, HOME_ACCOUNT};

impl Gateway {
    /// A decided call's way upstream: admission (rate limit, replays of calls that
    /// change something), idempotency, forwarding, settling.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn send_decided<H: Host>(
        &self,
        host: &H,
        request: &Incoming,
        identity: &crate::identity::Identity,
        route: &Route,
        upstream_call: ssm_edge_core::client::Call,
        now_ms: u64,
        trail: &mut Trail,
    ) -> Result<Outgoing, GatewayError> {
        let operation = upstream_call.operation();
        let accepted = Accepted {
            principal: &identity.principal,
            operation,
            // Replays matter for calls that change something: a replayed SendCommand
            // runs the command again. Reads are not checked: botocore signs with
            // one-second resolution, so a dashboard's two identical reads in a second
            // share a signature.
            replay_key: identity
                .replay_key
                .as_ref()
                .filter(|_| changes_state(operation)),
            elsewhere: Some(route).filter(|r| {
                r.account != HOME_ACCOUNT || r.region != self.config.routes.default_region
            }),
        };
        self.admit(host, &accepted, now_ms).await?;

        let body_sha256 = hex(&Sha256::digest(upstream_call.body()));
        let scope = idempotency_scope(request, &accepted)?;
        if let Some(scope) = &scope {
            if let Some(stored) = begin_idempotent(host, scope, &body_sha256, now_ms).await? {
                // The stored answer of a failed first try is a 5xx, which SDKs retry with
                // the same bytes: let those retries have it again too, rather than a
                // replay refusal.
                if let (true, Some(key)) = (stored.status >= 500, accepted.replay_key) {
                    forget_signature(host, accepted.principal, key).await;
                }
                trail.replayed = Some(trail::Replayed::of(&stored));
                return Ok(replayed_answer(stored));
            }
        }

        let forwarded = self.forward(host, route, upstream_call).await;
        trail.forward = Some(forwarded.report().clone());
        self.settle(host, &accepted, scope.as_deref(), body_sha256, forwarded)
            .await
    }

    pub(super) async fn admit<H: Host>(
        &self,
        host: &H,
        accepted: &Accepted<'_>,
        now_ms: u64,
    ) -> Result<(), GatewayError> {
        if self.config.rate_limit.is_none() && accepted.replay_key.is_none() {
            return Ok(());
        }
        let signed_at_ms = accepted.replay_key.map_or(now_ms / 1000, |k| k.signed_at) * 1000;
        let admit = AdmitRequest {
            now_ms,
            rate_limit: self.config.rate_limit,
            replay_key: accepted.replay_key.cloned(),
            replay_until_ms: signed_at_ms + self.config.max_skew_secs * 1000,
        };
        match host.admit(accepted.principal, &admit).await {
            Ok(Admission::Admitted) => Ok(()),
            Ok(Admission::Throttled { retry_after_ms }) => {
                Err(GatewayError::Throttled { retry_after_ms })
            }
            Ok(Admission::Replayed) => Err(GatewayError::Replayed),
            Err(e) => {
                log_error(host, "admission", &e);
                Err(GatewayError::Internal(
                    "the rate limiter is unavailable; nothing was sent",
                ))
            }
        }
    }

    /// After forwarding: lets an SDK's retry through the replay window when the call
    /// provably did not run, records the idempotent result, and gives the answer.
    pub(super) async fn settle<H: Host>(
        &self,
        host: &H,
        accepted: &Accepted<'_>,
        scope: Option<&str>,
        body_sha256: String,
        forwarded: Forwarded,
    ) -> Result<Outgoing, GatewayError> {
        // An SDK retries a failed call with the same bytes (botocore re-signs within the
        // same second to the same signature): let it through.
        let sdk_may_retry = match &forwarded {
            Forwarded::Answer {
                out,
                proves_not_run,
                ..
            } => *proves_not_run || out.status >= 500,
            // Not when the command may have run: SDKs do not retry that answer, and an
            // identical resend stays a replay (a new request is the caller's decision).
            Forwarded::Failed { error, .. } => !error.outcome_unknown(),
        };
        if let (true, Some(key)) = (sdk_may_retry, accepted.replay_key) {
            forget_signature(host, accepted.principal, key).await;
        }
        let now_ms = host.now_ms();
        let (result, command) = match forwarded {
            Forwarded::Answer {
                proves_not_run: true,
                out,
                ..
            } => (Ok(out), Command::Release),
            Forwarded::Answer { out, .. } => {
                let response = stored(&out);
                (
                    Ok(out),
                    Command::Finish {
                        body_sha256,
                        response,
                        now_ms,
                    },
                )
            }
            Forwarded::Failed {
                error,
                not_sent: true,
                ..
            } => (Err(error), Command::Release),
            Forwarded::Failed { error, .. } => {
                // Maybe run: the answer ("outcome unknown, check ListCommands") is the
                // result; a repeat gets it again rather than a second run.
                let answer = error.answer();
                let response = StoredResponse {
                    status: answer.status,
                    // No upstream answer, so no upstream request id.
                    content_type: "application/x-amz-json-1.1".into(),
                    body: answer.json_body(),
                    request_id: String::new(),
                };
                (
                    Err(error),
                    Command::Finish {
                        body_sha256,
                        response,
                        now_ms,
                    },
                )
            }
        };
        if let Some(scope) = scope {
            if let Err(e) = host.idempotency(scope, command).await {
                log_error(host, "idempotency store", &e);
            }
        }
        result
    }
}

/// The idempotency scope of a request with an `Idempotency-Key`: `principal\nkey`, and
/// `\nregion/account` after it for a call that does not go to the default region and
/// account (so the records of calls to the default place keep the scope they had before
/// there were several places; neither the key, a region nor an alias holds a line feed).
pub(super) fn idempotency_scope(
    request: &Incoming,
    accepted: &Accepted<'_>,
) -> Result<Option<String>, GatewayError> {
    match request.header("idempotency-key") {
        None => Ok(None),
        Some(_) if accepted.operation != OperationName::SendCommand => {
            Err(GatewayError::IdempotencyKey("only SendCommand takes one"))
        }
        Some(key) => {
            idempotency::check_key(key).map_err(GatewayError::IdempotencyKey)?;
            let scope = match accepted.elsewhere {
                None => format!("{}\n{key}", accepted.principal),
                Some(route) => format!(
                    "{}\n{key}\n{}/{}",
                    accepted.principal, route.region, route.account
                ),
            };
            Ok(Some(scope))
        }
    }
}

/// Claims the idempotency record of `scope`: `Some(answer)` when an earlier request
/// with the same key and body already has one.
pub(super) async fn begin_idempotent<H: Host>(
    host: &H,
    scope: &str,
    body_sha256: &str,
    now_ms: u64,
) -> Result<Option<StoredResponse>, GatewayError> {
    let begin = host
        .idempotency(
            scope,
            Command::Begin {
                body_sha256: body_sha256.to_owned(),
                now_ms,
            },
        )
        .await
        .map_err(|e| {
            log_error(host, "idempotency store", &e);
            GatewayError::Internal("the idempotency store is unavailable; nothing was sent")
        })?;
    match begin {
        Begin::Proceed => Ok(None),
        Begin::Replay { response } => Ok(Some(response)),
        Begin::Mismatch => Err(GatewayError::IdempotencyMismatch),
        Begin::InProgress => Err(GatewayError::IdempotencyInProgress),
        Begin::Unknown => Err(GatewayError::IdempotencyUnknown),
    }
}

/// The stored first answer, given again to a repeat with the same key and body.
pub(super) fn replayed_answer(stored: StoredResponse) -> Outgoing {
    let mut headers = vec![
        ("Content-Type".to_owned(), stored.content_type),
        ("Idempotent-Replayed".to_owned(), "true".to_owned()),
    ];
    if !stored.request_id.is_empty() {
        headers.push((
            "x-ssm-edge-upstream-request-id".to_owned(),
            stored.request_id,
        ));
    }
    Outgoing {
        status: stored.status,
        headers,
        body: stored.body.into_bytes(),
    }
}

/// Forgets a recorded signature so that an SDK's retry (same bytes) is not a replay.
pub(super) async fn forget_signature<H: Host>(host: &H, principal: &str, replay_key: &ReplayKey) {
    if let Err(e) = host.forget_signature(principal, replay_key).await {
        log_error(host, "admission", &e);
    }
}

pub(super) fn stored(out: &Outgoing) -> StoredResponse {
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
