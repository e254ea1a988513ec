//! Command output read through the gateway: CloudWatch Logs' `GetLogEvents` and
//! `DescribeLogStreams`, parsed and validated by the core, and what such a call reads,
//! taken from its own members. The SSM agent names a command's streams
//! `<CommandId>/<InstanceId>/<PluginId>/stdout|stderr` in the command's log group, so
//! the stream name says whose output it is: the policy decides on that command's
//! document, and the group must be the one the command wrote to.

use ssm_edge_core::client::Call;
use ssm_edge_core::model::{self, OperationName};
use ssm_edge_core::request::BuildError;
use ssm_edge_core::validate::Pattern;

use crate::call::{parse_typed, CallError};

/// A Logs call, parsed and validated by the core: what the policy decides on and the
/// body sent upstream is the core's serialization of it ([`OutputCall::start`]).
#[derive(Debug, PartialEq)]
pub enum OutputCall {
    /// `GetLogEvents`: one stream's events.
    GetLogEvents(Box<model::GetLogEventsInput>),
    /// `DescribeLogStreams`: the streams under a prefix.
    DescribeLogStreams(Box<model::DescribeLogStreamsInput>),
}

/// What an output call reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputRead {
    /// The operation.
    pub operation: OperationName,
    /// `logGroupName`.
    pub log_group: String,
    /// The command whose output it is.
    pub command_id: String,
    /// The instance, or "" for a prefix that covers every instance of the command.
    pub instance_id: String,
    /// `logStreamName` (GetLogEvents) or `logStreamNamePrefix` (DescribeLogStreams).
    pub stream: String,
    /// GetLogEvents' `unmask` (false when absent).
    pub unmask: bool,
}

/// Why an output call is refused before anything else looks at it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutputError {
    /// A group named by identifier (which may be another account's ARN).
    #[error(
        "logGroupIdentifier is not forwarded by this gateway: name the group with logGroupName"
    )]
    GroupIdentifier,
    /// No group.
    #[error("logGroupName is required: the log group the command's output went to")]
    NoGroup,
    /// A stream name that is not one of a command's.
    #[error("logStreamName must be <CommandId>/<InstanceId>/<PluginId>/stdout or /stderr, as the SSM agent names a command's output streams")]
    StreamName,
    /// A prefix that does not name one command.
    #[error("logStreamNamePrefix must start with <CommandId>/: this gateway lists the streams of one command")]
    StreamPrefix,
    /// A group other than the command's.
    #[error("log group {group} is not where command {command_id} writes its output")]
    NotTheCommandsGroup {
        /// The group asked for.
        group: String,
        /// The command.
        command_id: String,
    },
    /// The upstream does not list the command.
    #[error("command {0} is not one of this account's and region's")]
    UnknownCommand(String),
    /// The command keeps no CloudWatch output.
    #[error("command {0} does not send its output to CloudWatch Logs")]
    NoCloudWatchOutput(String),
}

impl OutputCall {
    /// Parses and validates `body` as the input of `operation`, a Logs operation.
    ///
    /// # Errors
    /// As [`crate::call::parse`]; [`CallError::NotForwarded`] for any other operation.
    pub fn parse(operation: OperationName, body: &[u8]) -> Result<Self, CallError> {
        Ok(match operation {
            OperationName::GetLogEvents => {
                OutputCall::GetLogEvents(Box::new(parse_typed::<model::GetLogEvents>(body)?))
            }
            OperationName::DescribeLogStreams => OutputCall::DescribeLogStreams(Box::new(
                parse_typed::<model::DescribeLogStreams>(body)?,
            )),
            other => return Err(CallError::NotForwarded(other)),
        })
    }

    /// The operation.
    #[must_use]
    pub fn operation(&self) -> OperationName {
        match self {
            OutputCall::GetLogEvents(_) => OperationName::GetLogEvents,
            OutputCall::DescribeLogStreams(_) => OperationName::DescribeLogStreams,
        }
    }

    /// Starts the upstream call: the input serialized by the core.
    ///
    /// # Errors
    /// Only for an input the core cannot serialize (none that it parsed).
    pub fn start(&self) -> Result<Call, BuildError> {
        match self {
            OutputCall::GetLogEvents(input) => Call::new::<model::GetLogEvents>(input),
            OutputCall::DescribeLogStreams(input) => Call::new::<model::DescribeLogStreams>(input),
        }
    }

    /// What the call reads: the command (and instance) its stream name or prefix names.
    ///
    /// # Errors
    /// [`OutputError`] for a group given by identifier or not at all, and for a stream
    /// name or prefix that does not name a command's output.
    pub fn read(&self) -> Result<OutputRead, OutputError> {
        let (identifier, group, stream, unmask) = match self {
            OutputCall::GetLogEvents(i) => (
                &i.log_group_identifier,
                &i.log_group_name,
                &i.log_stream_name,
                i.unmask.unwrap_or(false),
            ),
            OutputCall::DescribeLogStreams(i) => (
                &i.log_group_identifier,
                &i.log_group_name,
                &i.log_stream_name_prefix,
                false,
            ),
        };
        if identifier.is_some() {
            return Err(OutputError::GroupIdentifier);
        }
        let log_group = group.clone().ok_or(OutputError::NoGroup)?;
        let stream = stream.clone().unwrap_or_default();
        let (command_id, instance_id) = match self {
            OutputCall::GetLogEvents(_) => stream_owner(&stream).ok_or(OutputError::StreamName)?,
            OutputCall::DescribeLogStreams(_) => {
                prefix_owner(&stream).ok_or(OutputError::StreamPrefix)?
            }
        };
        Ok(OutputRead {
            operation: self.operation(),
            log_group,
            command_id: command_id.to_owned(),
            instance_id: instance_id.to_owned(),
            stream,
            unmask,
        })
    }
}

/// `<CommandId>/<InstanceId>/<PluginId>/stdout|stderr` → (command, instance).
fn stream_owner(name: &str) -> Option<(&str, &str)> {
    let mut parts = name.split('/');
    let (command, instance, plugin, kind) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let well_formed = parts.next().is_none()
        && is_command_id(command)
        && Pattern::InstanceId.is_match(instance)
        && !plugin.is_empty()
        && matches!(kind, "stdout" | "stderr");
    well_formed.then_some((command, instance))
}

/// `<CommandId>/` and anything after it → (command, the instance when the prefix names
/// one whole: `<CommandId>/<InstanceId>/…`, else "").
fn prefix_owner(prefix: &str) -> Option<(&str, &str)> {
    let (command, rest) = prefix.split_once('/')?;
    if !is_command_id(command) {
        return None;
    }
    match rest.split_once('/') {
        Some((instance, _)) if Pattern::InstanceId.is_match(instance) => Some((command, instance)),
        Some(_) => None,
        None => Some((command, "")),
    }
}

/// A command id as SSM makes them: a UUID in lower-case hex.
fn is_command_id(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// What SSM records of a command: the document it ran and where its output went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedCommand {
    /// `DocumentName` (a name or an ARN).
    pub document_name: String,
    /// The log groups its output is in: its `CloudWatchLogGroupName`, else the agent's
    /// default `/aws/ssm/<DocumentName>` (characters a group name cannot hold as `.`)
    /// and the API reference's spelling of it without the leading slash. `None` when
    /// the command keeps no CloudWatch output.
    pub groups: Option<Vec<String>>,
}

impl RecordedCommand {
    /// The command `command_id` in a ListCommands answer's body, if listed. Read with
    /// the core's JSON reader as botocore reads answers (a member named twice keeps its
    /// last value), without the model's serde types: the gateway needs four members.
    #[must_use]
    pub fn from_list_commands(body: &[u8], command_id: &str) -> Option<Self> {
        let answer = ssm_edge_core::json::parse_keeping_last(body).ok()?;
        let Some(ssm_edge_core::json::Value::Array(commands)) = answer.get("Commands") else {
            return None;
        };
        let command = commands
            .iter()
            .find(|c| c.get("CommandId").and_then(|v| v.as_str()) == Some(command_id))?;
        let document_name = command.get("DocumentName")?.as_str()?.to_owned();
        let config = command.get("CloudWatchOutputConfig");
        let enabled = config.and_then(|c| c.get("CloudWatchOutputEnabled"))
            == Some(&ssm_edge_core::json::Value::Bool(true));
        let group = config
            .and_then(|c| c.get("CloudWatchLogGroupName"))
            .and_then(|g| g.as_str())
            .filter(|g| !g.is_empty());
        let groups = enabled.then(|| match group {
            Some(group) => vec![group.to_owned()],
            None => {
                let default: String = format!("/aws/ssm/{document_name}")
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.' | '#') {
                            c
                        } else {
                            '.'
                        }
                    })
                    .collect();
                let bare = default[1..].to_owned();
                vec![default, bare]
            }
        });
        Some(RecordedCommand {
            document_name,
            groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMAND: &str = "0b7c5f0e-3a4d-4c1e-9f7a-1234567890ab";

    fn get(body: &str) -> Result<OutputRead, OutputError> {
        OutputCall::parse(OperationName::GetLogEvents, body.as_bytes())
            .expect("parses")
            .read()
    }

    fn list(body: &str) -> Result<OutputRead, OutputError> {
        OutputCall::parse(OperationName::DescribeLogStreams, body.as_bytes())
            .expect("parses")
            .read()
    }

    #[test]
    fn a_stream_name_names_its_command_and_instance() {
        let read = get(&format!(
            r#"{{"logGroupName":"/aws/ssm/AWS-RunShellScript","logStreamName":"{COMMAND}/i-0123456789abcdef0/aws-runShellScript/stdout","startFromHead":true}}"#
        ))
        .unwrap();
        assert_eq!(read.command_id, COMMAND);
        assert_eq!(read.instance_id, "i-0123456789abcdef0");
        assert_eq!(read.log_group, "/aws/ssm/AWS-RunShellScript");
        assert!(!read.unmask);
    }

    #[test]
    fn other_stream_names_and_groups_are_refused() {
        let group = r#""logGroupName":"/aws/ssm/AWS-RunShellScript""#;
        for stream in [
            "application.log",
            &format!("{COMMAND}/i-0123456789abcdef0/aws-runShellScript"),
            &format!("{COMMAND}/i-0123456789abcdef0/aws-runShellScript/stdout/x"),
            &format!("{COMMAND}/i-0123456789abcdef0//stdout"),
            &format!("{COMMAND}/i-0123456789abcdef0/aws-runShellScript/console"),
            &format!("{COMMAND}/not-an-instance/aws-runShellScript/stdout"),
            &format!(
                "{}/i-0123456789abcdef0/aws-runShellScript/stdout",
                COMMAND.to_uppercase()
            ),
            "../i-0123456789abcdef0/aws-runShellScript/stdout",
        ] {
            let body = format!(r#"{{{group},"logStreamName":{stream:?}}}"#);
            assert_eq!(get(&body), Err(OutputError::StreamName), "{stream}");
        }
        let stream = format!("{COMMAND}/i-0123456789abcdef0/aws-runShellScript/stdout");
        assert_eq!(
            get(&format!(r#"{{"logStreamName":"{stream}"}}"#)),
            Err(OutputError::NoGroup)
        );
        assert_eq!(
            get(&format!(
                r#"{{"logGroupIdentifier":"arn:aws:logs:us-east-1:999999999999:log-group:x","logStreamName":"{stream}"}}"#
            )),
            Err(OutputError::GroupIdentifier)
        );
    }

    #[test]
    fn a_prefix_must_name_one_command() {
        let group = r#""logGroupName":"/aws/ssm/AWS-RunShellScript""#;
        let read = list(&format!(
            r#"{{{group},"logStreamNamePrefix":"{COMMAND}/"}}"#
        ))
        .unwrap();
        assert_eq!(
            (read.command_id.as_str(), read.instance_id.as_str()),
            (COMMAND, "")
        );
        let read = list(&format!(
            r#"{{{group},"logStreamNamePrefix":"{COMMAND}/i-0123456789abcdef0/"}}"#
        ))
        .unwrap();
        assert_eq!(read.instance_id, "i-0123456789abcdef0");
        // A partial instance id covers several instances: the policy sees "".
        let read = list(&format!(
            r#"{{{group},"logStreamNamePrefix":"{COMMAND}/i-01"}}"#
        ))
        .unwrap();
        assert_eq!(read.instance_id, "");
        for prefix in ["0b7c", COMMAND, &format!("{COMMAND}/x/")] {
            let body = format!(r#"{{{group},"logStreamNamePrefix":{prefix:?}}}"#);
            assert_eq!(list(&body), Err(OutputError::StreamPrefix), "{prefix:?}");
        }
        assert_eq!(
            list(&format!(r#"{{{group}}}"#)),
            Err(OutputError::StreamPrefix)
        );
    }

    #[test]
    fn a_command_writes_to_its_group_or_the_agents_default() {
        let listed = |command: &str| {
            format!(r#"{{"Commands":[{{"CommandId":"other"}},{command}]}}"#).into_bytes()
        };
        let recorded = |body: &[u8]| RecordedCommand::from_list_commands(body, COMMAND);
        let plain = listed(&format!(
            r#"{{"CommandId":"{COMMAND}","DocumentName":"Ops-RestartService"}}"#
        ));
        assert_eq!(
            recorded(&plain),
            Some(RecordedCommand {
                document_name: "Ops-RestartService".into(),
                groups: None
            })
        );
        let default = listed(&format!(
            r#"{{"CommandId":"{COMMAND}","DocumentName":"Ops-RestartService","CloudWatchOutputConfig":{{"CloudWatchLogGroupName":"","CloudWatchOutputEnabled":true}}}}"#
        ));
        assert_eq!(
            recorded(&default).unwrap().groups.unwrap(),
            ["/aws/ssm/Ops-RestartService", "aws/ssm/Ops-RestartService"]
        );
        let shared = listed(&format!(
            r#"{{"CommandId":"{COMMAND}","DocumentName":"arn:aws:ssm:us-east-1:111122223333:document/Shared Doc","CloudWatchOutputConfig":{{"CloudWatchOutputEnabled":true}}}}"#
        ));
        assert_eq!(
            recorded(&shared).unwrap().groups.unwrap()[0],
            "/aws/ssm/arn.aws.ssm.us-east-1.111122223333.document/Shared.Doc"
        );
        let central = listed(&format!(
            r#"{{"CommandId":"{COMMAND}","DocumentName":"AWS-RunShellScript","CloudWatchOutputConfig":{{"CloudWatchLogGroupName":"central-output","CloudWatchOutputEnabled":true}}}}"#
        ));
        assert_eq!(
            recorded(&central).unwrap().groups.unwrap(),
            ["central-output"]
        );
        // Disabled output keeps none, whatever group it names; an unlisted command is None.
        let disabled = listed(&format!(
            r#"{{"CommandId":"{COMMAND}","DocumentName":"AWS-RunShellScript","CloudWatchOutputConfig":{{"CloudWatchLogGroupName":"central-output","CloudWatchOutputEnabled":false}}}}"#
        ));
        assert_eq!(recorded(&disabled).unwrap().groups, None);
        assert_eq!(recorded(br#"{"Commands":[]}"#), None);
    }
}
