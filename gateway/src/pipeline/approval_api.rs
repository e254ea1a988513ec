//! The approval API's wire: its calls (`X-Amz-Target: SsmEdge.<name>`, in the core's
//! model with SSM's operations, so the package and the gateway share their shapes and
//! validation), the approval as it shows it, and its refusals.

use ssm_edge_core::decode::{decode_error, HttpResponse};
use ssm_edge_core::model::{
    self, ApprovalState, ApproveCommandInput, EpochSeconds, GetApprovalInput, ListApprovalsInput,
    OperationName, RejectCommandInput, SendCommandInput,
};

use super::Outgoing;
use crate::approvals::{Approval, State};
use crate::audit::rfc3339;
use crate::call::{self, ParsedCall};
use crate::error::GatewayError;

/// An approval API call, its input parsed and validated by the core (the model's
/// `ssm-edge-model.json`): an `ApprovalId` that is not a UUID or a `Reason` past 500
/// characters is refused there, named by member and rule like any SSM input.
pub(super) enum ApiCall {
    /// `SsmEdge.ListApprovals`.
    List(ListApprovalsInput),
    /// `SsmEdge.GetApproval`.
    Get(GetApprovalInput),
    /// `SsmEdge.ApproveCommand`.
    Approve(ApproveCommandInput),
    /// `SsmEdge.RejectCommand`.
    Reject(RejectCommandInput),
}

impl ApiCall {
    /// Parses `body` as the input of `operation`, one of the gateway's own.
    pub(super) fn parse(operation: OperationName, body: &[u8]) -> Result<Self, GatewayError> {
        Ok(match operation {
            OperationName::ListApprovals => {
                ApiCall::List(call::parse_typed::<model::ListApprovals>(body)?)
            }
            OperationName::GetApproval => {
                ApiCall::Get(call::parse_typed::<model::GetApproval>(body)?)
            }
            OperationName::ApproveCommand => {
                ApiCall::Approve(call::parse_typed::<model::ApproveCommand>(body)?)
            }
            OperationName::RejectCommand => {
                ApiCall::Reject(call::parse_typed::<model::RejectCommand>(body)?)
            }
            other => return Err(call::CallError::NotForwarded(other).into()),
        })
    }

    /// Whether the call changes an approval (a replayed signature must not repeat it).
    pub(super) fn changes(&self) -> bool {
        matches!(self, ApiCall::Approve(_) | ApiCall::Reject(_))
    }
}

/// A required member the tables have checked.
pub(super) fn id_of(id: Option<&String>) -> &str {
    id.map_or("", String::as_str)
}

/// The model's name of a state.
pub(super) fn state_of(state: &State) -> ApprovalState {
    ApprovalState::from(state.name())
}

fn secs(ms: u64) -> EpochSeconds {
    EpochSeconds(ms as f64 / 1000.0)
}

/// The approval as the API shows it (the model's `Approval`).
pub(super) fn view(a: &Approval) -> model::Approval {
    let (decided_by, decided_at, reason, response) = match &a.state {
        State::Pending | State::Expired { .. } => (None, None, None, None),
        State::Running { approver, at_ms } => (Some(approver.clone()), Some(*at_ms), None, None),
        State::Done {
            approver,
            at_ms,
            response,
        } => (Some(approver.clone()), Some(*at_ms), None, Some(response)),
        State::Rejected { by, at_ms, reason } => {
            (Some(by.clone()), Some(*at_ms), Some(reason.clone()), None)
        }
    };
    let ran = response.filter(|r| r.status == 200);
    let failure = response.filter(|r| r.status != 200).map(|r| {
        let error = decode_error(&HttpResponse {
            status: r.status,
            headers: Vec::new(),
            body: r.body.clone().into_bytes(),
        });
        model::ApprovalFailure {
            status: Some(i32::from(r.status)),
            code: Some(error.code.as_str().to_owned()),
            message: Some(error.message),
        }
    });
    let send_command = match call::parse(OperationName::SendCommand, a.body.as_bytes()) {
        Ok(ParsedCall::SendCommand(input)) => Some(*input),
        _ => None,
    };
    model::Approval {
        approval_id: Some(a.id.clone()),
        state: Some(state_of(&a.state)),
        requester: Some(a.requester.principal.clone()),
        region: Some(a.region.clone()),
        account: Some(a.account.clone()),
        created_at: Some(secs(a.created_ms)),
        expires_at: Some(secs(a.expires_ms)),
        send_command,
        decided_by,
        decided_at: decided_at.map(secs),
        reason: reason.filter(|r| !r.is_empty()),
        command_id: ran.and_then(|r| super::forward::command_id(r.body.as_bytes())),
        failure,
    }
}

pub(super) fn json_answer(value: &impl serde::Serialize) -> Outgoing {
    Outgoing {
        status: 200,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: serde_json::to_vec(value).unwrap_or_default(),
    }
}

/// `tag:env=staging`, `i-0123…, i-0fed…`: where a SendCommand goes, for people.
pub(super) fn targets_text(input: &SendCommandInput) -> String {
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

pub(super) fn required(approval: &Approval) -> GatewayError {
    GatewayError::ApprovalRequired {
        id: approval.id.clone(),
        expires: rfc3339(approval.expires_ms),
    }
}

pub(super) fn not_pending(approval: &Approval) -> GatewayError {
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
    fn every_state_is_one_of_the_models() {
        for name in State::NAMES {
            assert!(!matches!(
                ApprovalState::from(*name),
                ApprovalState::Unknown(_)
            ));
        }
    }

    #[test]
    fn only_the_gateways_own_operations_are_api_calls() {
        for op in OperationName::ALL {
            let parsed = ApiCall::parse(
                *op,
                br#"{"ApprovalId":"5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a11"}"#,
            );
            assert_eq!(
                parsed.is_ok(),
                op.is_gateway_own() && *op != OperationName::ListApprovals,
                "{op:?}"
            );
        }
        for bad in [
            "",
            "5f0c7e59",
            "5f0c7e59-2a7e-4d0e-9a51-3c1b1c1f0a1g",
            "../../etc/passwd",
        ] {
            let body = format!(r#"{{"ApprovalId":"{bad}"}}"#);
            assert!(
                ApiCall::parse(OperationName::GetApproval, body.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }
}
