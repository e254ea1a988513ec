//! What the stages of one request learnt, and the audit line built once from it.

use ssm_edge_core::model::OperationName;

use super::forward::ForwardReport;
use crate::audit::{rfc3339, AuditLine, CallFields};
use crate::call::ParsedCall;
use crate::config::Config;
use crate::error::GatewayError;
use crate::idempotency::StoredResponse;
use crate::identity::Identity;
use crate::policy::Decision;
use crate::route::Route;

/// Each stage's typed result, kept as soon as it is known (a refused request stops
/// part-way, with the later fields empty).
#[derive(Debug, Default)]
pub struct Trail {
    /// The allowed browser origin, when the request came from one.
    pub origin: Option<String>,
    /// Whether the request was a CORS preflight.
    pub preflight: bool,
    /// Who called.
    pub identity: Option<Identity>,
    /// Where the call goes.
    pub route: Option<Route>,
    /// The operation.
    pub operation: Option<OperationName>,
    /// The parsed, validated input (what the policy decided on and what was forwarded).
    pub call: Option<ParsedCall>,
    /// What a read of command output reads (CloudWatch Logs calls).
    pub output: Option<crate::output::OutputRead>,
    /// The policy's decision.
    pub decision: Option<Decision>,
    /// A repeat answered from the idempotency record.
    pub replayed: Option<Replayed>,
    /// What forwarding learnt.
    pub forward: Option<ForwardReport>,
    /// The approval the request filed, found or decided.
    pub approval: Option<ApprovalNote>,
    /// Pending approvals this request found expired: each gets its own audit line.
    pub expired: Vec<crate::approvals::Approval>,
}

/// What happened to an approval in this request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalNote {
    /// The approval id.
    pub id: String,
    /// `requested`, `waiting` (a repeat while pending), `replayed` (a repeat after the
    /// run), `ran` (approved and forwarded), `rejected`, `withdrawn`, `expired`.
    pub event: &'static str,
    /// Who asked.
    pub requester: String,
}

/// A repeat answered with the stored first answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replayed {
    /// The stored answer's status.
    pub status: u16,
    /// SendCommand: the command the first request created.
    pub command_id: Option<String>,
}

impl Trail {
    /// Takes in what the approval stages learnt.
    pub(super) fn note(&mut self, noted: super::approve::Noted) {
        self.approval = noted.approval;
        self.expired = noted.expired;
        if noted.replayed.is_some() {
            self.replayed = noted.replayed;
        }
        if noted.call.is_some() {
            self.call = noted.call;
        }
        if noted.decision.is_some() {
            self.decision = noted.decision;
        }
        if noted.forward.is_some() {
            self.forward = noted.forward;
        }
        if noted.route.is_some() {
            self.route = noted.route;
        }
    }
}

impl Replayed {
    /// The facts of a stored answer.
    #[must_use]
    pub fn of(stored: &StoredResponse) -> Self {
        Replayed {
            status: stored.status,
            command_id: super::forward::command_id(stored.body.as_bytes()),
        }
    }
}

/// What the audit line needs beyond the trail.
pub(super) struct Closing<'a> {
    pub started_ms: u64,
    pub latency_ms: u64,
    pub request_id: String,
    pub source_ip: Option<&'a str>,
    pub error: Option<&'a GatewayError>,
    pub config: &'a Config,
}

impl Trail {
    /// The request's audit line.
    pub(super) fn audit_line(&self, closing: Closing<'_>) -> AuditLine {
        let mut line = AuditLine {
            time: rfc3339(closing.started_ms),
            request_id: closing.request_id,
            source_ip: closing.source_ip.map(str::to_owned),
            principal: self.identity.as_ref().map(|i| i.principal.clone()),
            auth_method: self.identity.as_ref().map(|i| i.method.as_str()),
            region: self.route.as_ref().map(|r| r.region.clone()),
            account: self.route.as_ref().map(|r| r.account.clone()),
            // The gateway's own operations by their whole target (`SsmEdge.ApproveCommand`).
            operation: self.operation.map(|op| {
                if op.is_gateway_own() {
                    op.target()
                } else {
                    op.as_str()
                }
            }),
            decision: self.decision_word(closing.error),
            error: closing.error.map(|e| e.answer().code),
            latency_ms: closing.latency_ms,
            ..AuditLine::default()
        };
        match &self.call {
            Some(ParsedCall::SendCommand(input)) => {
                line.describe_send_command(input, closing.config.audit_digest());
            }
            Some(ParsedCall::DescribeDocument(input)) => {
                line.describe_document(
                    input.name.as_ref(),
                    CallFields::of_describe_document(input),
                );
            }
            Some(ParsedCall::GetDocument(input)) => {
                line.describe_document(input.name.as_ref(), CallFields::of_get_document(input));
            }
            Some(ParsedCall::ListTagsForResource(input)) => {
                line.fields = CallFields::of_list_tags_for_resource(input);
            }
            Some(ParsedCall::CancelCommand(input)) => line.describe_cancel_command(input),
            // Listings and lookups whose members the policy does not see either.
            Some(
                ParsedCall::ListCommands(_)
                | ParsedCall::ListCommandInvocations(_)
                | ParsedCall::GetCommandInvocation(_)
                | ParsedCall::DescribeInstanceInformation(_)
                | ParsedCall::ListDocuments(_),
            )
            | None => {}
        }
        if let Some(read) = &self.output {
            line.describe_output(read);
        }
        if let Some(decision) = &self.decision {
            line.record_decision(decision);
        }
        if let Some(note) = &self.approval {
            line.approval_id = Some(note.id.clone());
            line.approval_event = Some(note.event);
            line.requester = Some(note.requester.clone());
        }
        if let Some(replayed) = &self.replayed {
            line.upstream_status = Some(replayed.status);
            if replayed.command_id.is_some() {
                line.command_id.clone_from(&replayed.command_id);
            }
        }
        if let Some(forward) = &self.forward {
            line.attempts = Some(forward.attempts).filter(|n| *n > 0);
            line.upstream_status = forward.upstream_status;
            line.upstream_request_id
                .clone_from(&forward.upstream_request_id);
            if forward.command_id.is_some() {
                line.command_id.clone_from(&forward.command_id);
            }
            line.upstream_error.clone_from(&forward.upstream_error);
        }
        line
    }

    /// `allowed`, `preflight`, `replayed`, `upstream-error`, or the refusal's word.
    fn decision_word(&self, error: Option<&GatewayError>) -> &'static str {
        if let Some(error) = error {
            return error.decision();
        }
        if self.preflight {
            "preflight"
        } else if self.replayed.is_some() {
            "replayed"
        } else if self
            .forward
            .as_ref()
            .and_then(|f| f.upstream_status)
            .is_some_and(|s| s >= 300)
        {
            "upstream-error"
        } else {
            "allowed"
        }
    }
}

/// The audit line of an approval found expired while answering request `request_id`:
/// the requester's SendCommand, as it was asked for, never ran.
pub(super) fn expired_line(
    approval: &crate::approvals::Approval,
    request_id: &str,
    config: &Config,
) -> AuditLine {
    let mut line = AuditLine {
        time: rfc3339(approval.expires_ms),
        request_id: request_id.to_owned(),
        principal: Some(approval.requester.principal.clone()),
        region: Some(approval.region.clone()),
        account: Some(approval.account.clone()),
        operation: Some(OperationName::SendCommand.as_str()),
        decision: "expired",
        approval_id: Some(approval.id.clone()),
        approval_event: Some("expired"),
        requester: Some(approval.requester.principal.clone()),
        ..AuditLine::default()
    };
    if let Ok(ParsedCall::SendCommand(input)) =
        crate::call::parse(OperationName::SendCommand, approval.body.as_bytes())
    {
        line.describe_send_command(&input, config.audit_digest());
    }
    line
}
