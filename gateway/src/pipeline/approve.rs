//! Two-person approval in the pipeline.
//!
//! - A SendCommand its policy denies but `RequestSendCommand` permits is filed as a
//!   pending approval ([`Gateway::request_approval`]): the canonical body the policy
//!   decided on, the requester and their groups, the route, the `Idempotency-Key`. The
//!   requester gets `ApprovalRequiredException` with the approval id; their repeat with
//!   the same key gets the same id while it waits, and the run's answer after it.
//! - `X-Amz-Target: SsmEdge.ListApprovals | GetApproval | ApproveCommand |
//!   RejectCommand` ([`Gateway::approval_api`]), same endpoint and authentication.
//!   Approving: never one's own request (refused before any policy), `ApproveCommand`
//!   permitted on the `Approval`, `RequestSendCommand` still permitted for the
//!   requester (else the request is rejected), then one claim (two approvers at once:
//!   one run) and the stored bytes forwarded once.
//! - An optional webhook hears of each request and decision.

use serde::Serialize;
use sha2::{Digest, Sha256};
use ssm_edge_core::model::{OperationName, SendCommandInput};

use super::forward::Forwarded;
use super::trail::{ApprovalNote, Replayed};
use super::{
    forget_signature, idempotency_scope, log_error, replayed_answer, request_id, stored, Accepted,
    Gateway, Host, Incoming, Outgoing,
};
use crate::approvals::{Approval, Op, Outcome, Requester, State};
use crate::audit::rfc3339;
use crate::call::{self, ParsedCall};
use crate::error::GatewayError;
use crate::hex::encode as hex;
use crate::idempotency::{Command, StoredResponse};
use crate::identity::{AuthMethod, Identity};
use crate::policy::{Caller, Decision, PendingRequest};
use crate::route::{Route, HOME_ACCOUNT};

/// The approval API's operations (`X-Amz-Target: SsmEdge.<name>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiOperation {
    /// The approvals the caller may see: their own requests and those they may approve.
    ListApprovals,
    /// One approval the caller may see.
    GetApproval,
    /// Approves someone else's pending request: it runs, once.
    ApproveCommand,
    /// Rejects a pending request (an approver), or withdraws it (the requester).
    RejectCommand,
}

impl ApiOperation {
    /// Every operation.
    pub const ALL: [ApiOperation; 4] = [
        ApiOperation::ListApprovals,
        ApiOperation::GetApproval,
        ApiOperation::ApproveCommand,
        ApiOperation::RejectCommand,
    ];

    /// `SsmEdge.<name>`.
    #[must_use]
    pub const fn target(self) -> &'static str {
        match self {
            ApiOperation::ListApprovals => "SsmEdge.ListApprovals",
            ApiOperation::GetApproval => "SsmEdge.GetApproval",
            ApiOperation::ApproveCommand => "SsmEdge.ApproveCommand",
            ApiOperation::RejectCommand => "SsmEdge.RejectCommand",
        }
    }

    /// The operation an `X-Amz-Target` value names.
    #[must_use]
    pub fn of_target(target: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.target() == target)
    }
}

/// What the approval stages learnt, merged into the request's trail.
#[derive(Debug, Default)]
pub(super) struct Noted {
    pub approval: Option<ApprovalNote>,
    pub expired: Vec<Approval>,
    pub replayed: Option<Replayed>,
    /// The approved SendCommand (its audit line describes what ran).
    pub call: Option<ParsedCall>,
    pub decision: Option<Decision>,
    pub forward: Option<super::forward::ForwardReport>,
    /// Where the approved SendCommand went.
    pub route: Option<Route>,
}

impl Noted {
    fn note(&mut self, approval: &Approval, event: &'static str) {
        self.approval = Some(ApprovalNote {
            id: approval.id.clone(),
            event,
            requester: approval.requester.principal.clone(),
        });
    }
}

/// An approval API body: a JSON object (empty text counts as `{}`) with no member but
/// `allowed`, each a string. Read with the core's reader, as every body the gateway
/// takes (a member named twice is refused); no serde derive, which would be one more
/// deserializer per input in the Worker.
struct ApiInput(Vec<(&'static str, String)>);

impl ApiInput {
    fn read(body: &[u8], allowed: &[&'static str]) -> Result<Self, GatewayError> {
        use ssm_edge_core::json::{self, Value};
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            b"{}".as_slice()
        } else {
            body
        };
        let invalid = |why: String| GatewayError::ApprovalInput(why);
        let value = json::parse(body).map_err(|e| match e.kind {
            json::ParseErrorKind::DuplicateMember(_) => {
                invalid("the body names a member more than once; send each member once".into())
            }
            json::ParseErrorKind::Syntax => invalid(format!(
                "the body is not one JSON object (line {}, column {})",
                e.line, e.column
            )),
        })?;
        let Value::Object(members) = value else {
            return Err(invalid("the body must be a JSON object".into()));
        };
        let mut found = Vec::new();
        for (name, value) in members {
            let Some(known) = allowed.iter().find(|a| **a == name) else {
                return Err(invalid(format!(
                    "{}: not a member this call takes ({})",
                    name.chars().take(40).collect::<String>(),
                    allowed.join(", ")
                )));
            };
            let Value::String(text) = value else {
                return Err(invalid(format!("{known}: must be a string")));
            };
            found.push((*known, text.into_owned()));
        }
        Ok(ApiInput(found))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `ApprovalId`, required.
    fn approval_id(&self) -> Result<String, GatewayError> {
        self.get("ApprovalId").map(str::to_owned).ok_or_else(|| {
            GatewayError::ApprovalInput(
                "ApprovalId: required (the id ApprovalRequiredException gave)".into(),
            )
        })
    }
}

/// The longest `Reason`.
const MAX_REASON_CHARS: usize = 500;

/// How long the webhook may take.
const WEBHOOK_TIMEOUT_MS: u64 = 5_000;

const STATES: [&str; 5] = ["Pending", "Running", "Done", "Rejected", "Expired"];

fn check_id(id: &str) -> Result<(), GatewayError> {
    let uuid = id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    if uuid {
        Ok(())
    } else {
        Err(GatewayError::ApprovalInput(
            "ApprovalId: an approval id, as ApprovalRequiredException gave it (a UUID)".into(),
        ))
    }
}

/// A stored approval made ready for the policy: the parsed SendCommand, the requester
/// as they were, and where it runs.
struct Stored {
    call: ParsedCall,
    requester: Identity,
    /// The requester's facts when they asked.
    asked: Caller,
    route: Route,
}

/// The approval as the API shows it (awsJson, epoch seconds like AWS's timestamps).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ApprovalView {
    approval_id: String,
    state: &'static str,
    requester: String,
    region: String,
    account: String,
    created_at: f64,
    expires_at: f64,
    /// Exactly what runs when approved.
    send_command: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_at: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command_id: Option<String>,
    /// The upstream's answer to the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<ResponseView>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ResponseView {
    status: u16,
    body: serde_json::Value,
}

fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

impl ApprovalView {
    fn of(a: &Approval) -> Self {
        let (decided_by, decided_at, reason, response) = match &a.state {
            State::Pending | State::Expired { .. } => (None, None, None, None),
            State::Running { approver, at_ms } => {
                (Some(approver.clone()), Some(secs(*at_ms)), None, None)
            }
            State::Done {
                approver,
                at_ms,
                response,
            } => (
                Some(approver.clone()),
                Some(secs(*at_ms)),
                None,
                Some(response),
            ),
            State::Rejected { by, at_ms, reason } => (
                Some(by.clone()),
                Some(secs(*at_ms)),
                Some(reason.clone()),
                None,
            ),
        };
        ApprovalView {
            approval_id: a.id.clone(),
            state: a.state.name(),
            requester: a.requester.principal.clone(),
            region: a.region.clone(),
            account: a.account.clone(),
            created_at: secs(a.created_ms),
            expires_at: secs(a.expires_ms),
            send_command: serde_json::from_str(&a.body).unwrap_or_default(),
            decided_by,
            decided_at,
            reason,
            command_id: response
                .filter(|r| r.status == 200)
                .and_then(|r| super::forward::command_id(r.body.as_bytes())),
            response: response.map(|r| ResponseView {
                status: r.status,
                body: serde_json::from_str(&r.body)
                    .unwrap_or(serde_json::Value::String(r.body.clone())),
            }),
        }
    }
}

fn json_answer(value: &serde_json::Value) -> Outgoing {
    Outgoing {
        status: 200,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: value.to_string().into_bytes(),
    }
}

/// `tag:env=staging`, `i-0123…, i-0fed…`: where a SendCommand goes, for people.
fn targets_text(input: &SendCommandInput) -> String {
    let mut parts: Vec<String> = input.instance_ids.iter().flatten().cloned().collect();
    for target in input.targets.iter().flatten() {
        parts.push(format!(
            "{}={}",
            target.key.as_deref().unwrap_or_default(),
            target
                .values
                .iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    parts.join(", ")
}

impl Gateway {
    /// A SendCommand its policy denies and `RequestSendCommand` permits: files it (or
    /// finds the requester's earlier one with the same `Idempotency-Key`) and answers
    /// `ApprovalRequiredException`, or the earlier approval's outcome.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn request_approval<H: Host>(
        &self,
        host: &H,
        request: &Incoming,
        identity: &Identity,
        route: &Route,
        call: &ParsedCall,
        caller: &Caller,
        noted: &mut Noted,
    ) -> Result<Outgoing, GatewayError> {
        let now_ms = host.now_ms();
        let accepted = Accepted {
            principal: &identity.principal,
            operation: OperationName::SendCommand,
            replay_key: identity.replay_key.as_ref(),
            elsewhere: Some(route).filter(|r| {
                r.account != HOME_ACCOUNT || r.region != self.config.routes.default_region
            }),
        };
        self.admit(host, &accepted, now_ms).await?;
        let scope = idempotency_scope(request, &accepted)?;
        let upstream_call = call.start().map_err(|e| {
            log_error(host, "approval body", &e);
            GatewayError::Internal("the request could not be prepared; nothing was filed")
        })?;
        let body = String::from_utf8_lossy(upstream_call.body()).into_owned();
        let approval = Approval {
            id: request_id(host),
            requester: Requester {
                principal: identity.principal.clone(),
                groups: identity.groups.clone(),
                auth_method: identity.method.as_str().to_owned(),
                source_ip: caller.source_ip.clone(),
            },
            region: route.region.clone(),
            account: route.account.clone(),
            body_sha256: hex(&Sha256::digest(body.as_bytes())),
            body,
            idempotency_scope: scope,
            created_ms: now_ms,
            expires_ms: now_ms + self.config.approvals.ttl_secs * 1000,
            state: State::Pending,
        };
        let keyed = approval.idempotency_scope.is_some();
        let outcome = self
            .desk(host, Op::Request(Box::new(approval)), noted)
            .await?;
        // Nothing ran. With a key, a resend of these very bytes (botocore signs the same
        // request the same way within a second) finds the same approval: let it through
        // the replay window. Without one it would file another, so it stays refused.
        if let (true, Some(replay_key)) = (keyed, accepted.replay_key) {
            if !matches!(&outcome, Outcome::Earlier(approval) if matches!(approval.state, State::Done { .. }))
            {
                forget_signature(host, accepted.principal, replay_key).await;
            }
        }
        match outcome {
            Outcome::Filed(approval) => {
                noted.note(&approval, "requested");
                self.notify(host, "requested", &approval, &identity.principal)
                    .await;
                Err(required(&approval))
            }
            Outcome::Earlier(approval) => match &approval.state {
                State::Pending | State::Running { .. } => {
                    noted.note(&approval, "waiting");
                    Err(required(&approval))
                }
                State::Done { response, .. } => {
                    noted.note(&approval, "replayed");
                    noted.replayed = Some(Replayed::of(response));
                    Ok(replayed_answer(response.clone()))
                }
                State::Rejected { by, reason, .. } => {
                    noted.note(&approval, "rejected");
                    Err(GatewayError::ApprovalRejected {
                        id: approval.id.clone(),
                        by: by.clone(),
                        reason: reason.clone(),
                    })
                }
                State::Expired { .. } => Err(not_pending(&approval)),
            },
            Outcome::KeyReused => Err(GatewayError::IdempotencyMismatch),
            Outcome::TooManyPending => Err(GatewayError::TooManyPending(
                crate::approvals::MAX_PENDING_PER_REQUESTER,
            )),
            _ => Err(GatewayError::Internal(
                "the approval store answered out of turn",
            )),
        }
    }

    /// An `SsmEdge.*` call.
    pub(super) async fn approval_api<H: Host>(
        &self,
        host: &H,
        request: &Incoming,
        identity: &Identity,
        api: ApiOperation,
        noted: &mut Noted,
    ) -> Result<Outgoing, GatewayError> {
        let now_ms = host.now_ms();
        let changes = matches!(
            api,
            ApiOperation::ApproveCommand | ApiOperation::RejectCommand
        );
        let accepted = Accepted {
            principal: &identity.principal,
            operation: OperationName::SendCommand,
            replay_key: identity.replay_key.as_ref().filter(|_| changes),
            elsewhere: None,
        };
        self.admit(host, &accepted, now_ms).await?;
        let caller = |route: &Route| Caller {
            auth_method: identity.method.as_str(),
            source_ip: request.header("cf-connecting-ip").map(str::to_owned),
            now: now_ms / 1000,
            route: route.clone(),
        };
        match api {
            ApiOperation::ListApprovals => {
                let input = ApiInput::read(&request.body, &["State"])?;
                let state = input.get("State");
                if let Some(state) = state.filter(|s| !STATES.contains(s)) {
                    return Err(GatewayError::ApprovalInput(format!(
                        "State: one of {}, not {:?}",
                        STATES.join(", "),
                        state.chars().take(40).collect::<String>()
                    )));
                }
                let Outcome::Listed(approvals) = self.desk(host, Op::List, noted).await? else {
                    return Err(GatewayError::Internal(
                        "the approval store answered out of turn",
                    ));
                };
                let views: Vec<ApprovalView> = approvals
                    .iter()
                    .filter(|a| state.is_none_or(|s| a.state.name() == s))
                    .filter(|a| self.may_see(identity, a, &caller))
                    .map(ApprovalView::of)
                    .collect();
                Ok(json_answer(&serde_json::json!({ "Approvals": views })))
            }
            ApiOperation::GetApproval => {
                let id = ApiInput::read(&request.body, &["ApprovalId"])?.approval_id()?;
                let approval = self.find(host, &id, noted).await?;
                if !self.may_see(identity, &approval, &caller) {
                    return Err(GatewayError::ApprovalNotFound(id));
                }
                Ok(json_answer(
                    &serde_json::json!({ "Approval": ApprovalView::of(&approval) }),
                ))
            }
            ApiOperation::ApproveCommand => {
                let id = ApiInput::read(&request.body, &["ApprovalId"])?.approval_id()?;
                self.approve(host, identity, &id, &caller, noted).await
            }
            ApiOperation::RejectCommand => {
                let input = ApiInput::read(&request.body, &["ApprovalId", "Reason"])?;
                let reason = input.get("Reason").unwrap_or_default();
                if reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control)
                {
                    return Err(GatewayError::ApprovalInput(format!(
                        "Reason: at most {MAX_REASON_CHARS} characters on one line"
                    )));
                }
                self.reject(
                    host,
                    identity,
                    &input.approval_id()?,
                    reason,
                    &caller,
                    noted,
                )
                .await
            }
        }
    }

    async fn approve<H: Host>(
        &self,
        host: &H,
        approver: &Identity,
        id: &str,
        caller: &impl Fn(&Route) -> Caller,
        noted: &mut Noted,
    ) -> Result<Outgoing, GatewayError> {
        let approval = self.find(host, id, noted).await?;
        let unpacked = self.unpack(&approval)?;
        if approver.principal == approval.requester.principal {
            return Err(GatewayError::SelfApproval(approval.id));
        }
        let decision = self.policy.decide_approval(
            approver,
            &caller(&unpacked.route),
            &PendingRequest {
                id: &approval.id,
                requester: &unpacked.requester,
                call: &unpacked.call,
                requester_caller: &unpacked.asked,
            },
        );
        noted.decision = Some(decision.clone());
        if !decision.allowed {
            return Err(GatewayError::Denied {
                principal: approver.principal.clone(),
                action: decision.action,
                resource: decision.resource,
                reasons: decision.reasons,
            });
        }
        if approval.state != State::Pending {
            return Err(not_pending(&approval));
        }
        // The requester must still be allowed to ask, now.
        let asked_now = Caller {
            now: host.now_ms() / 1000,
            ..unpacked.asked.clone()
        };
        if !self
            .policy
            .decide_request(&unpacked.requester, &unpacked.call, &asked_now)
            .allowed
        {
            let reason = "the requester may no longer ask for it (RequestSendCommand)";
            let reject = Op::Reject {
                id: approval.id.clone(),
                by: "gateway".into(),
                reason: reason.into(),
            };
            if let Outcome::Found(approval) = self.desk(host, reject, noted).await? {
                noted.note(&approval, "rejected");
                self.notify(host, "rejected", &approval, "the gateway")
                    .await;
            }
            return Err(GatewayError::RequesterRefused {
                id: approval.id,
                requester: approval.requester.principal,
            });
        }
        // Exactly the stored bytes, once: the claim succeeds for one approver only.
        let upstream_call = unpacked.call.start().map_err(|e| {
            log_error(host, "approved body", &e);
            GatewayError::Internal("the approved request could not be prepared; nothing ran")
        })?;
        if upstream_call.body() != approval.body.as_bytes() {
            log_error(host, "approved body", &"not the stored bytes");
            return Err(GatewayError::Internal(
                "the approved request is not the stored one; nothing ran",
            ));
        }
        let claim = Op::Claim {
            id: approval.id.clone(),
            approver: approver.principal.clone(),
        };
        match self.desk(host, claim, noted).await? {
            Outcome::Found(_) => {}
            Outcome::NotPending(approval) => return Err(not_pending(&approval)),
            _ => return Err(GatewayError::ApprovalNotFound(approval.id)),
        }
        noted.call = Some(unpacked.call);
        noted.route = Some(unpacked.route.clone());
        let forwarded = self.forward(host, &unpacked.route, upstream_call).await;
        noted.forward = Some(forwarded.report().clone());
        let response = match &forwarded {
            Forwarded::Answer { out, .. } => stored(out),
            Forwarded::Failed { error, .. } => {
                let answer = error.answer();
                StoredResponse {
                    status: answer.status,
                    content_type: "application/x-amz-json-1.1".into(),
                    body: answer.json_body(),
                    request_id: String::new(),
                }
            }
        };
        let finish = Op::Finish {
            id: approval.id.clone(),
            response: response.clone(),
        };
        let done = match self.desk(host, finish, noted).await? {
            Outcome::Found(approval) => approval,
            _ => return Err(GatewayError::Internal("the approval store lost the run")),
        };
        // The requester's repeat on the plain SendCommand path finds the answer too.
        if let Some(scope) = &done.idempotency_scope {
            let record = Command::Finish {
                body_sha256: done.body_sha256.clone(),
                response,
                now_ms: host.now_ms(),
            };
            if let Err(e) = host.idempotency(scope, record).await {
                log_error(host, "idempotency store", &e);
            }
        }
        noted.note(&done, "ran");
        self.notify(host, "ran", &done, &approver.principal).await;
        Ok(json_answer(
            &serde_json::json!({ "Approval": ApprovalView::of(&done) }),
        ))
    }

    async fn reject<H: Host>(
        &self,
        host: &H,
        who: &Identity,
        id: &str,
        reason: &str,
        caller: &impl Fn(&Route) -> Caller,
        noted: &mut Noted,
    ) -> Result<Outgoing, GatewayError> {
        let approval = self.find(host, id, noted).await?;
        let withdrawing = who.principal == approval.requester.principal;
        if !withdrawing {
            let unpacked = self.unpack(&approval)?;
            let decision = self.policy.decide_approval(
                who,
                &caller(&unpacked.route),
                &PendingRequest {
                    id: &approval.id,
                    requester: &unpacked.requester,
                    call: &unpacked.call,
                    requester_caller: &unpacked.asked,
                },
            );
            noted.decision = Some(decision.clone());
            if !decision.allowed {
                return Err(GatewayError::Denied {
                    principal: who.principal.clone(),
                    action: decision.action,
                    resource: decision.resource,
                    reasons: decision.reasons,
                });
            }
        }
        let op = Op::Reject {
            id: approval.id.clone(),
            by: who.principal.clone(),
            reason: reason.to_owned(),
        };
        match self.desk(host, op, noted).await? {
            Outcome::Found(approval) => {
                let event = if withdrawing { "withdrawn" } else { "rejected" };
                noted.note(&approval, event);
                self.notify(host, event, &approval, &who.principal).await;
                Ok(json_answer(
                    &serde_json::json!({ "Approval": ApprovalView::of(&approval) }),
                ))
            }
            Outcome::NotPending(approval) => Err(not_pending(&approval)),
            _ => Err(GatewayError::ApprovalNotFound(approval.id)),
        }
    }

    /// Whether `who` may see `approval`: they asked for it, or may approve it.
    fn may_see(
        &self,
        who: &Identity,
        approval: &Approval,
        caller: &impl Fn(&Route) -> Caller,
    ) -> bool {
        if who.principal == approval.requester.principal {
            return true;
        }
        let Ok(unpacked) = self.unpack(approval) else {
            return false;
        };
        self.policy
            .decide_approval(
                who,
                &caller(&unpacked.route),
                &PendingRequest {
                    id: &approval.id,
                    requester: &unpacked.requester,
                    call: &unpacked.call,
                    requester_caller: &unpacked.asked,
                },
            )
            .allowed
    }

    /// Record `id`, or `ApprovalNotFound`.
    async fn find<H: Host>(
        &self,
        host: &H,
        id: &str,
        noted: &mut Noted,
    ) -> Result<Approval, GatewayError> {
        check_id(id)?;
        match self.desk(host, Op::Get(id.to_owned()), noted).await? {
            Outcome::Found(approval) => Ok(approval),
            _ => Err(GatewayError::ApprovalNotFound(id.to_owned())),
        }
    }

    /// The stored approval ready for the policy.
    fn unpack(&self, approval: &Approval) -> Result<Stored, GatewayError> {
        let call = call::parse(OperationName::SendCommand, approval.body.as_bytes())
            .map_err(|_| GatewayError::Internal("a stored approval does not parse; nothing ran"))?;
        let route = self
            .config
            .routes
            .served(&approval.region, &approval.account)
            .ok_or_else(|| {
                GatewayError::ApprovalInput(format!(
                    "approval {} goes to region {} and account {}, which this gateway no longer serves",
                    approval.id, approval.region, approval.account
                ))
            })?;
        let r = &approval.requester;
        let method = if r.auth_method == AuthMethod::Jwt.as_str() {
            AuthMethod::Jwt
        } else {
            AuthMethod::SigV4
        };
        Ok(Stored {
            call,
            requester: Identity {
                principal: r.principal.clone(),
                groups: r.groups.clone(),
                method,
                replay_key: None,
                signed_region: None,
            },
            asked: Caller {
                auth_method: method.as_str(),
                source_ip: r.source_ip.clone(),
                now: approval.created_ms / 1000,
                route: route.clone(),
            },
            route,
        })
    }

    /// Applies `op` to the approval records; notes the ones that expired on the way.
    async fn desk<H: Host>(
        &self,
        host: &H,
        op: Op,
        noted: &mut Noted,
    ) -> Result<Outcome, GatewayError> {
        let reply = host.approvals(op).await.map_err(|e| {
            log_error(host, "approval store", &e);
            GatewayError::Internal("the approval store is unavailable; nothing ran")
        })?;
        noted.expired.extend(reply.expired);
        Ok(reply.outcome)
    }

    /// Posts `event` about `approval` to `APPROVAL_WEBHOOK_URL`, when set: a
    /// Slack-compatible `text` and the facts (parameter names, never their values).
    /// A failure is logged; the request goes on.
    async fn notify<H: Host>(&self, host: &H, event: &str, approval: &Approval, actor: &str) {
        let Some(url) = &self.config.approvals.webhook_url else {
            return;
        };
        // The core's reader, as everywhere in the gateway (serde's model deserializers
        // are not linked into the Worker: ~80 KB gzip).
        let input: Option<Box<SendCommandInput>> =
            match call::parse(OperationName::SendCommand, approval.body.as_bytes()) {
                Ok(ParsedCall::SendCommand(input)) => Some(input),
                _ => None,
            };
        let document = input
            .as_ref()
            .and_then(|i| i.document_name.clone())
            .unwrap_or_default();
        let targets = input.as_deref().map(targets_text).unwrap_or_default();
        let comment = input
            .as_ref()
            .and_then(|i| i.comment.clone())
            .unwrap_or_default();
        let requester = &approval.requester.principal;
        let text = match (event, &approval.state) {
            ("requested", _) => format!(
                "{requester} asks to run {document} on {targets} (\"{comment}\"): approval {} waits until {}",
                approval.id,
                rfc3339(approval.expires_ms)
            ),
            (_, State::Done { response, .. }) => format!(
                "{actor} approved {requester}'s {document} on {targets}: {} (approval {})",
                match super::forward::command_id(response.body.as_bytes()) {
                    Some(command) if response.status == 200 => format!("command {command} sent"),
                    _ => format!("the upstream answered {}", response.status),
                },
                approval.id
            ),
            (event, _) => format!(
                "{actor} {event} {requester}'s {document} on {targets} (approval {})",
                approval.id
            ),
        };
        let body = serde_json::json!({
            "text": text,
            "event": event,
            "approvalId": approval.id,
            "state": approval.state.name(),
            "requester": requester,
            "by": actor,
            "document": document,
            "targets": targets,
            "parameterNames": input
                .as_ref()
                .and_then(|i| i.parameters.as_ref())
                .map(|p| p.0.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default(),
            "comment": comment,
            "region": approval.region,
            "account": approval.account,
            "expiresAt": rfc3339(approval.expires_ms),
        });
        match host
            .post_webhook(url, &body.to_string(), WEBHOOK_TIMEOUT_MS)
            .await
        {
            Ok(status) if status < 300 => {}
            Ok(status) => log_error(host, "approval webhook", &format!("answered {status}")),
            Err(e) => log_error(host, "approval webhook", &e),
        }
    }
}

fn required(approval: &Approval) -> GatewayError {
    GatewayError::ApprovalRequired {
        id: approval.id.clone(),
        expires: rfc3339(approval.expires_ms),
    }
}

fn not_pending(approval: &Approval) -> GatewayError {
    let detail = match &approval.state {
        State::Running { approver, .. } => format!(": approved by {approver}, running"),
        State::Done { approver, .. } => format!(": approved by {approver}"),
        State::Rejected { by, .. } => format!(": rejected by {by}"),
        State::Expired { at_ms } => format!(": expired at {}", rfc3339(*at_ms)),
        State::Pending => String::new(),
    };
    GatewayError::ApprovalNotPending {
        id: approval.id.clone(),
        state: approval.state.name(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_name_the_api_operations_only() {
        for op in ApiOperation::ALL {
            assert_eq!(ApiOperation::of_target(op.target()), Some(op));
        }
        assert_eq!(ApiOperation::of_target("SsmEdge.DeleteEverything"), None);
        assert_eq!(ApiOperation::of_target("ssmedge.ListApprovals"), None);
    }

    #[test]
    fn ids_are_uuids() {
        assert!(check_id("5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11").is_ok());
        for bad in [
            "",
            "5f0c7e59",
            "5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a1g",
            "../../etc/passwd",
        ] {
            assert!(check_id(bad).is_err(), "{bad}");
        }
    }
}
