//! Forwarding: the core's [`Client`](ssm_edge_core::client::Client) signs each attempt
//! and decides every retry (one retry engine, the core's); this shell only sends,
//! sleeps and turns the last answer into the caller's.
//!
//! An upstream refusal is relayed as its AWS error code and status with the message
//! scrubbed of account ids and ARNs ([`crate::scrub`]); the full text goes to the audit
//! line only.

use ssm_edge_core::client::{Call, CallErrorKind, Outcome};
use ssm_edge_core::decode::{decode_error, ErrorCode, HttpResponse, ServiceError};
use ssm_edge_core::model::OperationName;
use ssm_edge_core::retry::Transport;

use super::upstreams::AssumeRoleFailure;
use super::{log_error, Gateway, Host, Outgoing, SendFailure};
use crate::error::GatewayError;
use crate::route::{Route, HOME_ACCOUNT};
use crate::scrub::scrub;

/// Headers not passed back from the upstream: hop-by-hop, what the platform recomputes
/// (length, encoding after decompression), and what the gateway sets itself.
const DROPPED_RESPONSE_HEADERS: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "x-amzn-requestid",
    "x-amzn-errortype",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "vary",
];

/// What forwarding learnt, for the audit line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForwardReport {
    /// Upstream attempts made.
    pub attempts: u32,
    /// The last answer's HTTP status, when one arrived.
    pub upstream_status: Option<u16>,
    /// The last answer's request id.
    pub upstream_request_id: Option<String>,
    /// SendCommand: the new command's id.
    pub command_id: Option<String>,
    /// An upstream refusal as the upstream wrote it (`Code: message`), for the audit
    /// line only: the caller gets it scrubbed.
    pub upstream_error: Option<String>,
}

/// How forwarding ended.
pub(super) enum Forwarded {
    /// The upstream answered (after retries); pass it back.
    Answer {
        /// The answer for the caller.
        out: Outgoing,
        /// Whether the answer proves the call did not run (throttling, auth, skew).
        proves_not_run: bool,
        /// The upstream's error code, when it refused the call.
        refusal: Option<ErrorCode>,
        /// What happened.
        report: ForwardReport,
    },
    /// No answer.
    Failed {
        /// What to tell the caller.
        error: GatewayError,
        /// Whether nothing was sent.
        not_sent: bool,
        /// What happened.
        report: ForwardReport,
    },
}

impl Forwarded {
    /// What happened.
    pub(super) fn report(&self) -> &ForwardReport {
        match self {
            Forwarded::Answer { report, .. } | Forwarded::Failed { report, .. } => report,
        }
    }
}

impl Gateway {
    /// Sends `call` to `route`'s upstream until the core's client says it is done
    /// (assuming the route's role first when its credentials are due).
    pub(super) async fn forward<H: Host>(
        &self,
        host: &H,
        route: &Route,
        mut call: Call,
    ) -> Forwarded {
        let operation = call.operation();
        let mut renewed = false;
        if let Err(failure) = self.prepare_route(host, route).await {
            return assume_role_failed(failure, call.attempts());
        }
        loop {
            let signed = self.with_client(route, |client| {
                client.request(&mut call, host.now_ms() / 1000)
            });
            let Ok(request) = signed else {
                log_error(host, "upstream request", &"could not be signed");
                return Forwarded::Failed {
                    error: GatewayError::Misconfigured,
                    not_sent: true,
                    report: ForwardReport {
                        attempts: call.attempts(),
                        ..ForwardReport::default()
                    },
                };
            };
            let sent = host
                .send(&request, self.config.upstream_timeout_ms)
                .await
                .and_then(|response| final_status(host, response));
            let (now, random) = (host.now_ms() / 1000, host.random());
            let outcome = self.with_client(route, |client| match &sent {
                Ok(response) => client.response_raw(&mut call, response, now, random),
                Err(failure) => client.transport_failure(&mut call, failure.transport, now, random),
            });
            let stop = match outcome {
                Outcome::Retry { delay_ms } => {
                    host.sleep(delay_ms).await;
                    continue;
                }
                Outcome::Done(()) => None,
                Outcome::Failed(error) => Some(error.kind),
            };
            // A role's credentials the upstream no longer takes (revoked, or expired
            // before the time STS gave): an auth refusal proves nothing ran, so assume
            // the role again and resend, once.
            if let Some(CallErrorKind::Service(error)) = &stop {
                if !renewed && route.account != HOME_ACCOUNT && error.is_credentials_refused() {
                    renewed = true;
                    self.forget_role(&route.account);
                    if let Err(failure) = self.prepare_route(host, route).await {
                        return assume_role_failed(failure, call.attempts());
                    }
                    continue;
                }
            }
            let attempts = call.attempts();
            return match (sent, stop) {
                (Ok(response), stop) => {
                    let error = match stop {
                        Some(CallErrorKind::Service(error)) => Some(error),
                        _ => None,
                    };
                    answer(operation, attempts, response, error, now)
                }
                (Err(failure), _) => failed(
                    operation,
                    attempts,
                    failure,
                    self.config.upstream_timeout_ms,
                ),
            };
        }
    }
}

/// The answer when the route's role could not be assumed: nothing (more) was sent.
fn assume_role_failed(failure: AssumeRoleFailure, attempts: u32) -> Forwarded {
    Forwarded::Failed {
        error: failure.error,
        // Nothing was sent, or only an attempt the upstream refused for its credentials.
        not_sent: true,
        report: ForwardReport {
            attempts,
            upstream_error: Some(format!("AssumeRole: {}", failure.detail)),
            ..ForwardReport::default()
        },
    }
}

/// The caller's answer from the upstream's last one.
fn answer(
    operation: OperationName,
    attempts: u32,
    response: HttpResponse,
    error: Option<ServiceError>,
    now: u64,
) -> Forwarded {
    let upstream_request_id = response.request_id().map(str::to_owned);
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
    if let Some(id) = &upstream_request_id {
        headers.push(("x-ssm-edge-upstream-request-id".into(), id.clone()));
    }
    let mut report = ForwardReport {
        attempts,
        upstream_status: Some(response.status),
        upstream_request_id,
        ..ForwardReport::default()
    };
    // A 2xx is always Done for `response_raw`; anything else is a refusal, even one
    // the client's decoder could not read as such.
    let error = match error {
        Some(error) => Some(error),
        None if response.status >= 300 => Some(decode_error(&response)),
        None => None,
    };
    let Some(error) = error else {
        if operation == OperationName::SendCommand {
            report.command_id = command_id(&response.body);
        }
        return Forwarded::Answer {
            out: Outgoing {
                status: response.status,
                headers,
                body: response.body,
            },
            proves_not_run: false,
            refusal: None,
            report,
        };
    };
    let code = error.code.as_str();
    report.upstream_error = Some(format!("{code}: {}", error.message));
    let relayed = serde_json::json!({ "__type": code, "message": scrub(&error.message) });
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
    headers.push(("Content-Type".into(), "application/x-amz-json-1.1".into()));
    Forwarded::Answer {
        out: Outgoing {
            status: response.status,
            headers,
            body: relayed.to_string().into_bytes(),
        },
        proves_not_run: error.is_throttling() || error.is_auth() || error.clock_skew(now).is_some(),
        refusal: Some(error.code),
        report,
    }
}

/// The caller's answer when no upstream answer arrived.
fn failed(
    operation: OperationName,
    attempts: u32,
    failure: SendFailure,
    timeout_ms: u64,
) -> Forwarded {
    let may_have_run = failure.transport == Transport::MaybeSent && !operation.is_idempotent();
    let error = if failure.timed_out {
        GatewayError::UpstreamTimeout {
            timeout_ms,
            may_have_run,
        }
    } else {
        GatewayError::UpstreamUnreachable { may_have_run }
    };
    Forwarded::Failed {
        error,
        not_sent: failure.transport == Transport::NotSent,
        report: ForwardReport {
            attempts,
            ..ForwardReport::default()
        },
    }
}

/// An answer whose status no final HTTP answer can have (fetch gives 200–599) is a
/// broken upstream or host: it is logged and treated like a connection lost after
/// sending (retried for reads, "may have run" for SendCommand), never relayed.
fn final_status<H: Host>(host: &H, response: HttpResponse) -> Result<HttpResponse, SendFailure> {
    if (200..=599).contains(&response.status) {
        return Ok(response);
    }
    let status = response.status;
    log_error(
        host,
        "upstream",
        &format_args!("answered with invalid HTTP status {status}"),
    );
    Err(SendFailure {
        transport: Transport::MaybeSent,
        timed_out: false,
    })
}

/// The `Command.CommandId` of a SendCommand answer's body.
pub(super) fn command_id(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value["Command"]["CommandId"].as_str().map(str::to_owned)
}
