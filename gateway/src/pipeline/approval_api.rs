//! The approval API's wire: its operations (`X-Amz-Target: SsmEdge.<name>`), the
//! bodies it takes (read with the core's JSON reader), the approval as it shows it, and
//! its refusals.

use serde::Serialize;
use ssm_edge_core::model::SendCommandInput;

use super::Outgoing;
use crate::approvals::{Approval, State};
use crate::audit::rfc3339;
use crate::error::GatewayError;

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

/// An approval API body: a JSON object (empty text counts as `{}`) with no member but
/// `allowed`, each a string. Read with the core's reader, as every body the gateway
/// takes (a member named twice is refused); no serde derive, which would be one more
/// deserializer per input in the Worker.
pub(super) struct ApiInput(Vec<(&'static str, String)>);

impl ApiInput {
    pub(super) fn read(body: &[u8], allowed: &[&'static str]) -> Result<Self, GatewayError> {
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

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `ApprovalId`, required.
    pub(super) fn approval_id(&self) -> Result<String, GatewayError> {
        self.get("ApprovalId").map(str::to_owned).ok_or_else(|| {
            GatewayError::ApprovalInput(
                "ApprovalId: required (the id ApprovalRequiredException gave)".into(),
            )
        })
    }
}

/// The longest `Reason`.
pub(super) const MAX_REASON_CHARS: usize = 500;

pub(super) fn check_id(id: &str) -> Result<(), GatewayError> {
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

/// The approval as the API shows it (awsJson, epoch seconds like AWS's timestamps).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ApprovalView {
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
    pub(super) fn of(a: &Approval) -> Self {
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

pub(super) fn json_answer(value: &serde_json::Value) -> Outgoing {
    Outgoing {
        status: 200,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: value.to_string().into_bytes(),
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
