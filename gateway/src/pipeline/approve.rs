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

use sha2::{Digest, Sha256};
use ssm_edge_core::model::{
    ApproveCommandOutput, GetApprovalOutput, ListApprovalsOutput, OperationName,
    RejectCommandOutput, SendCommandInput,
};

use super::approval_api::{
    id_of, json_answer, not_pending, required, state_of, targets_text, view, ApiCall,
};
use super::forward::Forwarded;
use super::settle::{forget_signature, idempotency_scope, replayed_answer, stored};
use super::trail::{ApprovalNote, Replayed};
use super::{log_error, request_id, Accepted, Gateway, Host, Incoming, Outgoing};
use crate::approvals::{Approval, Op, Outcome, Requester, State};
use crate::audit::rfc3339;
use crate::call::{self, ParsedCall};
use crate::error::GatewayError;
use crate::hex::encode as hex;
use crate::idempotency::{Command, StoredResponse};
use crate::identity::{AuthMethod, Identity};
use crate::policy::{Caller, Decision, PendingRequest};
use crate::route::{Route, HOME_ACCOUNT};

/// How long the webhook may take.
const WEBHOOK_TIMEOUT_MS: u64 = 5_000;

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

/// A stored approval made ready for the policy: the parsed SendCommand, the requester
/// as they were, and where it runs.
struct Unpacked {
    call: ParsedCall,
    requester: Identity,
    /// The requester's facts when they asked.
    asked: Caller,
    route: Route,
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
        operation: OperationName,
        noted: &mut Noted,
    ) -> Result<Outgoing, GatewayError> {
        let now_ms = host.now_ms();
        let api = ApiCall::parse(operation, &request.body)?;
        let accepted = Accepted {
            principal: &identity.principal,
            operation,
            replay_key: identity.replay_key.as_ref().filter(|_| api.changes()),
            elsewhere: None,
        };
        self.admit(host, &accepted, now_ms).await?;
        let caller = |route: &Route| self.caller_of(identity, request, now_ms, route);
        match api {
            ApiCall::List(input) => {
                let Outcome::Listed(approvals) = self.desk(host, Op::List, noted).await? else {
                    return Err(GatewayError::Internal(
                        "the approval store answered out of turn",
                    ));
                };
                let views: Vec<_> = approvals
                    .iter()
                    .filter(|a| {
                        input
                            .state
                            .as_ref()
                            .is_none_or(|s| state_of(&a.state) == *s)
                    })
                    .filter(|a| self.may_see(identity, a, &caller))
                    .map(view)
                    .collect();
                Ok(json_answer(&ListApprovalsOutput {
                    approvals: Some(views),
                }))
            }
            ApiCall::Get(input) => {
                let id = id_of(input.approval_id.as_ref());
                let approval = self.find(host, id, noted).await?;
                if !self.may_see(identity, &approval, &caller) {
                    return Err(GatewayError::ApprovalNotFound(id.to_owned()));
                }
                Ok(json_answer(&GetApprovalOutput {
                    approval: Some(view(&approval)),
                }))
            }
            ApiCall::Approve(input) => {
                let id = id_of(input.approval_id.as_ref());
                self.approve(host, identity, id, &caller, noted).await
            }
            ApiCall::Reject(input) => {
                let reason = input.reason.as_deref().unwrap_or_default();
                let id = id_of(input.approval_id.as_ref());
                self.reject(host, identity, id, reason, &caller, noted)
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
        self.may_approve(approver, &approval, &unpacked, caller, noted)?;
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
        Ok(json_answer(&ApproveCommandOutput {
            approval: Some(view(&done)),
        }))
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
            self.may_approve(who, &approval, &unpacked, caller, noted)?;
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
                Ok(json_answer(&RejectCommandOutput {
                    approval: Some(view(&approval)),
                }))
            }
            Outcome::NotPending(approval) => Err(not_pending(&approval)),
            _ => Err(GatewayError::ApprovalNotFound(approval.id)),
        }
    }

    /// Cedar on `who` approving `approval` (`ApproveCommand` on the `Approval`).
    fn approval_decision(
        &self,
        who: &Identity,
        approval: &Approval,
        unpacked: &Unpacked,
        caller: &impl Fn(&Route) -> Caller,
    ) -> Decision {
        self.policy.decide_approval(
            who,
            &caller(&unpacked.route),
            &PendingRequest {
                id: &approval.id,
                requester: &unpacked.requester,
                call: &unpacked.call,
                requester_caller: &unpacked.asked,
            },
        )
    }

    /// `who` may approve (or reject) `approval`, or the refusal; the decision is noted.
    fn may_approve(
        &self,
        who: &Identity,
        approval: &Approval,
        unpacked: &Unpacked,
        caller: &impl Fn(&Route) -> Caller,
        noted: &mut Noted,
    ) -> Result<(), GatewayError> {
        let decision = self.approval_decision(who, approval, unpacked, caller);
        noted.decision = Some(decision.clone());
        if decision.allowed {
            return Ok(());
        }
        Err(super::denied(who, &decision))
    }

    /// Whether `who` may see `approval`: they asked for it, or may approve it.
    fn may_see(
        &self,
        who: &Identity,
        approval: &Approval,
        caller: &impl Fn(&Route) -> Caller,
    ) -> bool {
        who.principal == approval.requester.principal
            || self
                .unpack(approval)
                .is_ok_and(|u| self.approval_decision(who, approval, &u, caller).allowed)
    }

    /// Record `id`, or `ApprovalNotFound`.
    async fn find<H: Host>(
        &self,
        host: &H,
        id: &str,
        noted: &mut Noted,
    ) -> Result<Approval, GatewayError> {
        match self.desk(host, Op::Get(id.to_owned()), noted).await? {
            Outcome::Found(approval) => Ok(approval),
            _ => Err(GatewayError::ApprovalNotFound(id.to_owned())),
        }
    }

    /// The stored approval ready for the policy.
    fn unpack(&self, approval: &Approval) -> Result<Unpacked, GatewayError> {
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
        Ok(Unpacked {
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
                output_log_group: self.config.output_log_group.clone(),
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
