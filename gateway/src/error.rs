//! Every refusal as the AWS-shaped JSON error an SDK decodes into the matching
//! exception: `{"__type": ..., "message": ...}`, the right status, and the request id
//! header (added by the pipeline). Messages never carry secrets, tokens or policy text,
//! except the `@reason` a policy author wrote for callers: a policy refusal's message
//! ends with the deciding forbids' reasons, also given as `"reasons": [...]` (a member
//! SDKs ignore or keep on the exception).

use ssm_edge_core::validate::ValidationError;
use ssm_edge_core::verify::{ErrorDialect, Refusal};

use crate::identity::jwt::JwtRefusal;

/// Why the gateway answered instead of the upstream.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// No `Authorization` header (nor Cloudflare Access assertion): the message says
    /// how this gateway takes callers.
    #[error("{}", missing_authentication(.0))]
    MissingAuthentication(Accepted),
    /// The SigV4 signature was refused by the core's verifier (AWS's message; for a
    /// scope of another region, followed by the region this gateway takes).
    #[error("{}", sigv4_message(.0))]
    SigV4(Refusal),
    /// The bearer token was refused.
    #[error("{0}")]
    Jwt(JwtRefusal),
    /// An authentication scheme the gateway does not accept, or JWT is not configured.
    #[error("{0}")]
    UnrecognizedClient(String),
    /// A valid SigV4 signature made for another host than this gateway's.
    #[error("the request was signed for host {signed_host:?}, which is not this gateway: sign for the host name you send the request to")]
    WrongHost {
        /// The signed `Host` (at most 100 characters of it).
        signed_host: String,
    },
    /// A SigV4 request whose signature was already used.
    #[error("this request signature was already used; sign every request anew")]
    Replayed,
    /// Cedar denied the call.
    #[error("User: {principal} is not authorized to perform: ssm:{action} on resource: {resource}: denied by policy{}", reasons_text(.reasons))]
    Denied {
        /// The caller.
        principal: String,
        /// The Cedar action (operation) denied.
        action: &'static str,
        /// What the call was about (`document/<name>` or `fleet`).
        resource: String,
        /// The `@reason`s of the forbids that decided (often none).
        reasons: Vec<String>,
    },
    /// A browser request from an origin not on `CORS_ALLOWED_ORIGINS`, or a preflight
    /// asking for a method or header the gateway does not take.
    #[error("{0}")]
    Cors(String),
    /// The body is not a JSON object.
    #[error("{0}")]
    Serialization(String),
    /// The input breaks the service's constraints.
    #[error("{0}")]
    Validation(ValidationError),
    /// `X-Amz-Target` names no operation the gateway serves.
    #[error("{0}")]
    UnknownOperation(String),
    /// A CloudWatch Logs call that does not read one command's output stream where the
    /// command wrote it.
    #[error("{0}")]
    Output(crate::output::OutputError),
    /// The body is over the limit.
    #[error("request body of {size} bytes is over the gateway's limit of {limit} bytes")]
    PayloadTooLarge {
        /// The body size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The principal is over its rate limit.
    #[error("Rate exceeded: retry in {retry_after_ms} ms")]
    Throttled {
        /// When a token will be available.
        retry_after_ms: u64,
    },
    /// An `Idempotency-Key` is malformed or used on another operation.
    #[error("Idempotency-Key: {0}")]
    IdempotencyKey(&'static str),
    /// An `Idempotency-Key` was reused with a different body.
    #[error("Idempotency-Key was already used with a different request body")]
    IdempotencyMismatch,
    /// The first request with this `Idempotency-Key` is still running.
    #[error("a request with this Idempotency-Key is in progress; retry shortly")]
    IdempotencyInProgress,
    /// The first request with this `Idempotency-Key` never finished.
    #[error("the first request with this Idempotency-Key did not finish and its outcome is unknown: check ListCommands, and use a new key to run the command again")]
    IdempotencyUnknown,
    /// The upstream did not answer in time (the call may have run).
    #[error("the upstream did not answer within {timeout_ms} ms{}", if *.may_have_run { "; the command may have run: check ListCommands before sending it again" } else { "" })]
    UpstreamTimeout {
        /// The configured timeout.
        timeout_ms: u64,
        /// Whether a non-idempotent call may have run.
        may_have_run: bool,
    },
    /// The upstream could not be reached.
    #[error("the upstream could not be reached{}", if *.may_have_run { "; the command may have run: check ListCommands before sending it again" } else { "" })]
    UpstreamUnreachable {
        /// Whether a non-idempotent call may have run.
        may_have_run: bool,
    },
    /// The request names a region or account this gateway does not serve.
    #[error("{0}")]
    Route(crate::route::RouteRefusal),
    /// The role of the call's account could not be assumed: nothing was sent. Names
    /// the account alias and STS's error code, never the role or its account id (the
    /// audit line has STS's words).
    #[error("the gateway could not act in account {account:?}: STS AssumeRole {}; nothing was sent{}", .failure, if *.retryable { ", retry shortly" } else { "; its operators have the details in the log" })]
    AssumeRole {
        /// The account alias.
        account: String,
        /// What went wrong: `refused with AccessDenied`, `timed out`, …
        failure: String,
        /// Whether a later try may succeed (throttling, STS unavailable or slow).
        retryable: bool,
    },
    /// A SendCommand its policy does not permit but `RequestSendCommand` does: it waits
    /// for an approver.
    #[error("SendCommand needs someone else's approval: it waits as approval {id} until {expires}. An approver runs it with SsmEdge.ApproveCommand; send this request again with the same Idempotency-Key to get its answer then")]
    ApprovalRequired {
        /// The approval id.
        id: String,
        /// When it expires (RFC 3339).
        expires: String,
    },
    /// The approval of this request was rejected (or withdrawn).
    #[error("approval {id} was rejected by {by}{}", if .reason.is_empty() { String::new() } else { format!(": {}", .reason) })]
    ApprovalRejected {
        /// The approval id.
        id: String,
        /// Who rejected it.
        by: String,
        /// Their words.
        reason: String,
    },
    /// No approval with this id that the caller may see.
    #[error("no approval {0} that you may see")]
    ApprovalNotFound(String),
    /// The approval is no longer pending.
    #[error("approval {id} is {state}, not pending{detail}")]
    ApprovalNotPending {
        /// The approval id.
        id: String,
        /// Its state's name.
        state: &'static str,
        /// What ended it (`: approved by root`).
        detail: String,
    },
    /// The caller asked to approve their own request.
    #[error("approval {0} is your own request: someone else must approve it")]
    SelfApproval(String),
    /// The requester may no longer ask for the command: the approval is rejected.
    #[error("{requester} may no longer ask for this command (RequestSendCommand is not permitted now), so approval {id} is rejected and nothing ran")]
    RequesterRefused {
        /// The approval id.
        id: String,
        /// The requester.
        requester: String,
    },
    /// The requester has too many requests waiting for approval.
    #[error("you have {0} requests waiting for approval already: wait for them to be decided (or withdraw one with SsmEdge.RejectCommand)")]
    TooManyPending(usize),
    /// The body of an `SsmEdge.*` call is not what it takes.
    #[error("{0}")]
    ApprovalInput(String),
    /// The gateway's configuration is invalid (details are in the log only).
    #[error("the gateway is misconfigured; its operators have the details in the log")]
    Misconfigured,
    /// A gateway component (Durable Object, JWKS fetch) failed.
    #[error("{0}")]
    Internal(&'static str),
}

impl From<crate::call::CallError> for GatewayError {
    fn from(e: crate::call::CallError) -> Self {
        use crate::call::CallError;
        match e {
            CallError::Serialization(m) => GatewayError::Serialization(m),
            CallError::Invalid(v) => GatewayError::Validation(v),
            CallError::NotForwarded(_) => GatewayError::UnknownOperation(e.to_string()),
        }
    }
}

/// How this gateway authenticates callers, for the refusal of a request without
/// credentials. Names nothing secret: the region callers sign for, and which schemes
/// are on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The regions SigV4 callers may sign for.
    pub regions: Vec<String>,
    /// Whether gateway keys are configured (SigV4).
    pub sigv4: bool,
    /// Whether bearer tokens are configured (JWT).
    pub bearer: bool,
}

/// The answer without credentials: AWS's words, then the ways in.
fn missing_authentication(accepted: &Accepted) -> String {
    let mut ways = Vec::new();
    if accepted.sigv4 {
        ways.push(format!(
            "sign the request with SigV4 using an access key this gateway issued, for this gateway's host name and region {} (service ssm)",
            accepted.regions.join(" or ")
        ));
    }
    if accepted.bearer {
        ways.push("send Authorization: Bearer <JWT>".to_owned());
    }
    if ways.is_empty() {
        return "Missing Authentication Token".to_owned();
    }
    format!("Missing Authentication Token: {}", ways.join(", or "))
}

/// AWS's message for a SigV4 refusal; a scope of another region also names the region
/// this gateway takes (the SDK's region, which a custom endpoint does not set).
fn sigv4_message(refusal: &Refusal) -> String {
    match refusal {
        Refusal::WrongRegion { expected, .. } if !expected.contains(", ") => format!(
            "{} This gateway accepts signatures for region '{expected}' only: set the client's region to {expected}.",
            refusal.message()
        ),
        Refusal::WrongRegion { expected, .. } => format!(
            "{} This gateway serves the regions {expected}: set the client's region to one of them.",
            refusal.message()
        ),
        _ => refusal.message(),
    }
}

/// `: reason; reason` after "denied by policy", or nothing.
fn reasons_text(reasons: &[String]) -> String {
    if reasons.is_empty() {
        String::new()
    } else {
        format!(": {}", reasons.join("; "))
    }
}

/// The AWS answer for a [`GatewayError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsAnswer {
    /// `__type`.
    pub code: &'static str,
    /// HTTP status.
    pub status: u16,
    /// `message`.
    pub message: String,
    /// `reasons`, when a policy refusal has some (the member is left out otherwise).
    pub reasons: Vec<String>,
    /// `approvalId`, for an answer about an approval.
    pub approval_id: Option<String>,
}

impl AwsAnswer {
    /// The awsJson body.
    #[must_use]
    pub fn json_body(&self) -> String {
        let mut body = serde_json::json!({ "__type": self.code, "message": self.message });
        if !self.reasons.is_empty() {
            body["reasons"] = serde_json::json!(self.reasons);
        }
        if let Some(id) = &self.approval_id {
            body["approvalId"] = serde_json::json!(id);
        }
        body.to_string()
    }
}

impl GatewayError {
    /// The code, status and message to answer with.
    #[must_use]
    pub fn answer(&self) -> AwsAnswer {
        let message = self.to_string();
        let (code, status) = match self {
            GatewayError::MissingAuthentication(_) => {
                let e = Refusal::MissingAuthorization.aws_error(ErrorDialect::AwsJson);
                (e.code, e.status)
            }
            GatewayError::SigV4(refusal) => {
                let e = refusal.aws_error(ErrorDialect::AwsJson);
                (e.code, e.status)
            }
            GatewayError::Jwt(refusal) if refusal.is_expiry() => ("ExpiredTokenException", 400),
            GatewayError::Jwt(_) | GatewayError::UnrecognizedClient(_) => {
                ("UnrecognizedClientException", 400)
            }
            GatewayError::Replayed | GatewayError::WrongHost { .. } => {
                ("InvalidSignatureException", 400)
            }
            GatewayError::Denied { .. } | GatewayError::Cors(_) => ("AccessDeniedException", 400),
            GatewayError::Serialization(_) => ("SerializationException", 400),
            GatewayError::Validation(_) | GatewayError::IdempotencyKey(_) => {
                ("ValidationException", 400)
            }
            GatewayError::UnknownOperation(_) => ("UnknownOperationException", 400),
            // CloudWatch Logs' own code for a parameter it refuses.
            GatewayError::Output(_) => ("InvalidParameterException", 400),
            GatewayError::Route(refusal) => (refusal.code(), 400),
            // A retryable failure is a status SDKs retry (nothing was sent); a refused
            // role is the operators' to fix, which retrying would not.
            GatewayError::AssumeRole {
                retryable: true, ..
            } => ("ServiceUnavailable", 503),
            GatewayError::AssumeRole { .. } => ("AccessDeniedException", 403),
            GatewayError::PayloadTooLarge { .. } => ("RequestEntityTooLargeException", 413),
            GatewayError::Throttled { .. } | GatewayError::IdempotencyInProgress => {
                ("ThrottlingException", 400)
            }
            GatewayError::IdempotencyMismatch => ("IdempotentParameterMismatch", 400),
            GatewayError::IdempotencyUnknown => ("InternalServerError", 500),
            // A SendCommand that may have run: a status SDKs do not retry (botocore and
            // the AWS JS SDK resend every 502/504, which would run the command again).
            _ if self.outcome_unknown() => ("CommandOutcomeUnknownException", 409),
            GatewayError::UpstreamTimeout { .. } => ("InternalServerError", 504),
            GatewayError::UpstreamUnreachable { .. } => ("InternalServerError", 502),
            GatewayError::Misconfigured | GatewayError::Internal(_) => ("InternalServerError", 500),
            GatewayError::ApprovalRequired { .. } => ("ApprovalRequiredException", 400),
            GatewayError::ApprovalRejected { .. } => ("ApprovalRejectedException", 400),
            GatewayError::ApprovalNotFound(_) => ("ApprovalNotFoundException", 400),
            GatewayError::ApprovalNotPending { .. } => ("ApprovalNotPendingException", 400),
            GatewayError::SelfApproval(_) | GatewayError::RequesterRefused { .. } => {
                ("AccessDeniedException", 400)
            }
            GatewayError::ApprovalInput(_) => ("ValidationException", 400),
            // Not `LimitExceededException`, which SDKs read as throttling and retry: the
            // limit lasts until an approver decides.
            GatewayError::TooManyPending(_) => ("TooManyPendingApprovalsException", 400),
        };
        let reasons = match self {
            GatewayError::Denied { reasons, .. } => reasons.clone(),
            _ => Vec::new(),
        };
        let approval_id = match self {
            GatewayError::ApprovalRequired { id, .. }
            | GatewayError::ApprovalRejected { id, .. }
            | GatewayError::ApprovalNotPending { id, .. } => Some(id.clone()),
            _ => None,
        };
        AwsAnswer {
            code,
            status,
            message,
            reasons,
            approval_id,
        }
    }

    /// Whether a call that changes something may have run upstream without an answer:
    /// the caller must look (ListCommands) before sending again.
    #[must_use]
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            GatewayError::UpstreamTimeout {
                may_have_run: true,
                ..
            } | GatewayError::UpstreamUnreachable { may_have_run: true }
        )
    }

    /// A short, stable word for the audit log (`denied`, `unauthenticated`, ...).
    #[must_use]
    pub fn decision(&self) -> &'static str {
        match self {
            GatewayError::MissingAuthentication(_)
            | GatewayError::SigV4(_)
            | GatewayError::Jwt(_)
            | GatewayError::UnrecognizedClient(_)
            | GatewayError::WrongHost { .. }
            | GatewayError::Replayed => "unauthenticated",
            GatewayError::Route(_) => "invalid",
            GatewayError::AssumeRole { .. } => "upstream-failed",
            GatewayError::Denied { .. } | GatewayError::Cors(_) => "denied",
            GatewayError::Serialization(_)
            | GatewayError::Validation(_)
            | GatewayError::UnknownOperation(_)
            | GatewayError::Output(_)
            | GatewayError::PayloadTooLarge { .. }
            | GatewayError::IdempotencyKey(_)
            | GatewayError::IdempotencyMismatch => "invalid",
            GatewayError::Throttled { .. } | GatewayError::IdempotencyInProgress => "throttled",
            GatewayError::IdempotencyUnknown
            | GatewayError::UpstreamTimeout { .. }
            | GatewayError::UpstreamUnreachable { .. } => "upstream-failed",
            GatewayError::Misconfigured | GatewayError::Internal(_) => "error",
            GatewayError::ApprovalRequired { .. } => "approval-required",
            GatewayError::ApprovalRejected { .. }
            | GatewayError::SelfApproval(_)
            | GatewayError::RequesterRefused { .. } => "denied",
            GatewayError::ApprovalNotFound(_)
            | GatewayError::ApprovalNotPending { .. }
            | GatewayError::ApprovalInput(_) => "invalid",
            GatewayError::TooManyPending(_) => "throttled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_what_sdks_decode() {
        let denied = GatewayError::Denied {
            principal: "bob".into(),
            action: "SendCommand",
            resource: "document/AWS-RunShellScript".into(),
            reasons: Vec::new(),
        }
        .answer();
        assert_eq!((denied.code, denied.status), ("AccessDeniedException", 400));
        assert!(
            denied.message.ends_with("denied by policy"),
            "{}",
            denied.message
        );
        let body: serde_json::Value = serde_json::from_str(&denied.json_body()).unwrap();
        assert_eq!(body["__type"], "AccessDeniedException");
        assert!(body.get("reasons").is_none(), "{body}");

        // The deciding policies' reasons, in the message and as a member.
        let reasons = vec![
            "name a ticket".to_owned(),
            "use another document".to_owned(),
        ];
        let reasoned = GatewayError::Denied {
            principal: "bob".into(),
            action: "SendCommand",
            resource: "document/AWS-RunShellScript".into(),
            reasons: reasons.clone(),
        }
        .answer();
        assert_eq!(
            reasoned.message,
            "User: bob is not authorized to perform: ssm:SendCommand on resource: \
             document/AWS-RunShellScript: denied by policy: name a ticket; use another document"
        );
        let body: serde_json::Value = serde_json::from_str(&reasoned.json_body()).unwrap();
        assert_eq!(body["reasons"], serde_json::json!(reasons));
        assert_eq!(body["message"], reasoned.message.as_str());
        // No other refusal has the member.
        assert!(GatewayError::Replayed.answer().reasons.is_empty());

        let accepted = Accepted {
            regions: vec!["eu-west-1".into()],
            sigv4: true,
            bearer: false,
        };
        let missing = GatewayError::MissingAuthentication(accepted.clone()).answer();
        assert_eq!(
            (missing.code, missing.status),
            ("MissingAuthenticationTokenException", 400)
        );
        assert_eq!(
            missing.message,
            "Missing Authentication Token: sign the request with SigV4 using an access key this gateway issued, for this gateway's host name and region eu-west-1 (service ssm)"
        );
        let bearer_only = Accepted {
            sigv4: false,
            bearer: true,
            ..accepted
        };
        assert_eq!(
            GatewayError::MissingAuthentication(bearer_only).to_string(),
            "Missing Authentication Token: send Authorization: Bearer <JWT>"
        );
        let region = GatewayError::SigV4(Refusal::WrongRegion {
            expected: "eu-west-1".into(),
            found: "us-east-1".into(),
        })
        .answer();
        assert_eq!(
            (region.code, region.status),
            ("InvalidSignatureException", 400)
        );
        assert_eq!(
            region.message,
            "Credential should be scoped to a valid region, not 'us-east-1'. This gateway accepts signatures for region 'eu-west-1' only: set the client's region to eu-west-1."
        );
        let throttled = GatewayError::Throttled {
            retry_after_ms: 500,
        }
        .answer();
        assert_eq!(
            (throttled.code, throttled.status),
            ("ThrottlingException", 400)
        );
        let expired = GatewayError::Jwt(JwtRefusal::Expired { exp: 1, now: 100 }).answer();
        assert_eq!(expired.code, "ExpiredTokenException");
        let timeout = GatewayError::UpstreamTimeout {
            timeout_ms: 10_000,
            may_have_run: true,
        }
        .answer();
        assert_eq!(
            (timeout.code, timeout.status),
            ("CommandOutcomeUnknownException", 409)
        );
        assert!(timeout.message.contains("check ListCommands"));
        let read_timeout = GatewayError::UpstreamTimeout {
            timeout_ms: 10_000,
            may_have_run: false,
        }
        .answer();
        assert_eq!(
            (read_timeout.code, read_timeout.status),
            ("InternalServerError", 504)
        );
    }
}
