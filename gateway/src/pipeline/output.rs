//! The output stage: a CloudWatch Logs call that reads a command's output. Parsed by
//! the core ([`OutputCall`]) and read for whose output it is ([`OutputRead`]: the
//! command and instance its stream name names); the command is looked up upstream
//! (ListCommands, with the route's credentials) so that the policy decides
//! `ReadOutput` on the document the command really ran, never on one the caller
//! names; the group must be where that command wrote; then the call goes upstream as
//! any other (admission, forwarding, settling).

use ssm_edge_core::client::Call;
use ssm_edge_core::decode::ErrorCode;
use ssm_edge_core::model::{self, OperationName};

use super::forward::Forwarded;
use super::{log_error, Gateway, Host, Incoming, Outgoing, Trail};
use crate::call::ParsedCall;
use crate::error::GatewayError;
use crate::identity::Identity;
use crate::output::{OutputCall, OutputError, RecordedCommand};
use crate::policy::READ_OUTPUT;
use crate::route::Route;

impl Gateway {
    /// A read of command output, from the parsed call to the caller's answer.
    pub(super) async fn read_output<H: Host>(
        &self,
        host: &H,
        request: &Incoming,
        identity: &Identity,
        route: &Route,
        operation: OperationName,
        trail: &mut Trail,
    ) -> Result<Outgoing, GatewayError> {
        let now_ms = host.now_ms();
        let call = OutputCall::parse(operation, &request.body)?;
        let read = &*trail
            .output
            .insert(call.read().map_err(GatewayError::Output)?);
        let caller = self.caller_of(identity, request, now_ms, route);
        // Whether the command exists, and which document it ran, is what ListCommands
        // answers: a caller the policy lets ask it learns them here too; any other gets
        // one refusal for a command that does not exist and one it may not read.
        let lookup = model::ListCommandsInput {
            command_id: Some(read.command_id.clone()),
            ..model::ListCommandsInput::default()
        };
        let as_call = ParsedCall::ListCommands(Box::new(lookup.clone()));
        let may_list = self.policy.decide(identity, &as_call, &caller);
        let command = match self.recorded_command(host, route, &lookup).await? {
            Recorded::Command(command) => command,
            // An unknown command (InvalidCommandId, or not listed): the upstream's
            // answer, scrubbed as every upstream refusal is, for a caller who may list.
            Recorded::Unknown(answer) if may_list.allowed => return answer,
            Recorded::Unknown(_) => {
                let refusal = masked_denial(identity, &read.command_id);
                trail.decision = Some(may_list);
                return Err(refusal);
            }
            // Any other refusal (throttling, the route's credentials) says nothing of
            // the command, and may be retried.
            Recorded::Refused(answer) => return Ok(answer),
        };
        let decision = &*trail.decision.insert(self.policy.decide_output(
            identity,
            read,
            &command.document_name,
            &caller,
        ));
        if !decision.allowed {
            return Err(if may_list.allowed {
                super::denied(identity, decision)
            } else {
                masked_denial(identity, &read.command_id)
            });
        }
        // Decided on the command's document; the group must then be that command's.
        let groups = command.groups.ok_or_else(|| {
            GatewayError::Output(OutputError::NoCloudWatchOutput(read.command_id.clone()))
        })?;
        if !groups.contains(&read.log_group) {
            return Err(GatewayError::Output(OutputError::NotTheCommandsGroup {
                group: read.log_group.clone(),
                command_id: read.command_id.clone(),
            }));
        }
        let upstream_call = super::prepared(host, call.start())?;
        self.send_decided(host, request, identity, route, upstream_call, now_ms, trail)
            .await
    }

    /// The command as SSM records it (`lookup`, a ListCommands of its id, sent to the
    /// route's upstream).
    async fn recorded_command<H: Host>(
        &self,
        host: &H,
        route: &Route,
        lookup: &model::ListCommandsInput,
    ) -> Result<Recorded, GatewayError> {
        let command_id = lookup.command_id.clone().unwrap_or_default();
        let call = Call::new::<model::ListCommands>(lookup).map_err(|e| {
            log_error(host, "command lookup", &e);
            GatewayError::Internal("the command could not be looked up; nothing was sent")
        })?;
        match self.forward(host, route, call).await {
            Forwarded::Answer { out, .. } if out.status == 200 => Ok(
                RecordedCommand::from_list_commands(&out.body, &command_id).map_or_else(
                    || {
                        Recorded::Unknown(Err(GatewayError::Output(OutputError::UnknownCommand(
                            command_id,
                        ))))
                    },
                    Recorded::Command,
                ),
            ),
            Forwarded::Answer {
                out,
                refusal: Some(ErrorCode::InvalidCommandId),
                ..
            } => Ok(Recorded::Unknown(Ok(out))),
            Forwarded::Answer { out, .. } => Ok(Recorded::Refused(out)),
            Forwarded::Failed { error, .. } => Err(error),
        }
    }
}

/// What the lookup found.
enum Recorded {
    Command(RecordedCommand),
    /// No such command: the answer for a caller who may know that.
    Unknown(Result<Outgoing, GatewayError>),
    /// Another refusal of the lookup, the caller's answer.
    Refused(Outgoing),
}

/// The refusal of a read by a caller who may not list commands: the same whether the
/// command does not exist or its document's output is not the caller's, naming neither
/// the document nor the deciding policies' reasons (the audit line has the decision).
fn masked_denial(identity: &Identity, command_id: &str) -> GatewayError {
    GatewayError::Denied {
        principal: identity.principal.clone(),
        action: READ_OUTPUT,
        resource: format!("command/{command_id}"),
        reasons: Vec::new(),
    }
}
