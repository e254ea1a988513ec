//! The output stage: a CloudWatch Logs call that reads a command's output. Parsed by
//! the core ([`OutputCall`]) and read for whose output it is ([`OutputRead`]: the
//! command and instance its stream name names); the command is looked up upstream
//! (ListCommands, with the route's credentials) so that the policy decides
//! `ReadOutput` on the document the command really ran, never on one the caller
//! names; the group must be where that command wrote; then the call goes upstream as
//! any other (admission, forwarding, settling).

use ssm_edge_core::client::Call;
use ssm_edge_core::model::{self, OperationName};

use super::forward::Forwarded;
use super::{log_error, Gateway, Host, Incoming, Outgoing, Trail};
use crate::error::GatewayError;
use crate::identity::Identity;
use crate::output::{OutputCall, OutputError, RecordedCommand};
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
        let command = match self.recorded_command(host, route, &read.command_id).await? {
            Recorded::Command(command) => command,
            // The upstream refused the lookup (an unknown command: InvalidCommandId):
            // its answer, scrubbed as every upstream refusal is, is the caller's.
            Recorded::Refused(answer) => return Ok(answer),
        };
        let caller = self.caller_of(identity, request, now_ms, route);
        let decision = &*trail.decision.insert(self.policy.decide_output(
            identity,
            read,
            &command.document_name,
            &caller,
        ));
        if !decision.allowed {
            return Err(super::denied(identity, decision));
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

    /// The command as SSM records it (ListCommands on the route's upstream).
    async fn recorded_command<H: Host>(
        &self,
        host: &H,
        route: &Route,
        command_id: &str,
    ) -> Result<Recorded, GatewayError> {
        let input = model::ListCommandsInput {
            command_id: Some(command_id.to_owned()),
            ..model::ListCommandsInput::default()
        };
        let lookup = Call::new::<model::ListCommands>(&input).map_err(|e| {
            log_error(host, "command lookup", &e);
            GatewayError::Internal("the command could not be looked up; nothing was sent")
        })?;
        match self.forward(host, route, lookup).await {
            Forwarded::Answer { out, .. } if out.status == 200 => {
                RecordedCommand::from_list_commands(&out.body, command_id)
                    .map(Recorded::Command)
                    .ok_or(GatewayError::Output(OutputError::UnknownCommand(
                        command_id.to_owned(),
                    )))
            }
            Forwarded::Answer { out, .. } => Ok(Recorded::Refused(out)),
            Forwarded::Failed { error, .. } => Err(error),
        }
    }
}

/// What the lookup found.
enum Recorded {
    Command(RecordedCommand),
    Refused(Outgoing),
}
