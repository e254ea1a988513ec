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
    /// The policy's decision.
    pub decision: Option<Decision>,
    /// A repeat answered from the idempotency record.
    pub replayed: Option<Replayed>,
    /// What forwarding learnt.
    pub forward: Option<ForwardReport>,
}

/// A repeat answered with the stored first answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replayed {
    /// The stored answer's status.
    pub status: u16,
    /// SendCommand: the command the first request created.
    pub command_id: Option<String>,
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
            operation: self.operation.map(OperationName::as_str),
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
        if let Some(decision) = &self.decision {
            line.record_decision(decision);
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
