//! The calls the gateway accepts: the operation named by `X-Amz-Target`, its body parsed
//! and validated by the core. Invalid input never leaves the gateway.

use ssm_edge_core::client::Call;
use ssm_edge_core::model::{self, OperationName};
use ssm_edge_core::request::BuildError;
use ssm_edge_core::validate::{parse_input, Rule, ValidationError};

/// Declares [`ParsedCall`] with one variant per operation (called by the core's
/// `for_each_operation!`, so the list is the model's), and the dispatch from an operation
/// name to its typed input.
macro_rules! parsed_calls {
    ($(($operation:ident, $method:ident),)+) => {
        /// A call the core parsed and validated: the typed input every later stage
        /// reads. The policy decides on it, the audit line records it, and the body sent
        /// upstream is the core's serialization of it ([`ParsedCall::start`]): the
        /// caller's bytes are never forwarded.
        #[derive(Debug, PartialEq)]
        pub enum ParsedCall {
            $(
                #[doc = concat!("`", stringify!($operation), "`.")]
                $operation(Box<<model::$operation as model::Operation>::Input>),
            )+
        }

        impl ParsedCall {
            /// The operation.
            #[must_use]
            pub fn operation(&self) -> OperationName {
                match self {
                    $(ParsedCall::$operation(_) => OperationName::$operation,)+
                }
            }

            fn parse_as(operation: OperationName, body: &[u8]) -> Result<Self, CallError> {
                Ok(match operation {
                    $(OperationName::$operation => ParsedCall::$operation(Box::new(
                        parse_input::<model::$operation>(body)?,
                    )),)+
                    other => return Err(CallError::NotForwarded(other)),
                })
            }

            /// Starts the upstream call: the input serialized by the core.
            ///
            /// # Errors
            /// Only for an input the core cannot serialize (none that it parsed).
            pub fn start(&self) -> Result<Call, BuildError> {
                match self {
                    $(ParsedCall::$operation(input) => Call::new::<model::$operation>(input),)+
                }
            }
        }
    };
}

ssm_edge_core::for_each_operation!(parsed_calls);

/// Why a body was refused before anything else looked at it.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Not one JSON object, or an object naming a member twice (what AWS answers with
    /// `SerializationException`).
    #[error("{0}")]
    Serialization(String),
    /// The model's constraints or documented rules are broken.
    #[error("{0}")]
    Invalid(ValidationError),
    /// Not an operation the gateway forwards: its own (`SsmEdge.*`, answered by the
    /// gateway), or CloudWatch Logs' (the core models them; the gateway does not
    /// decide on them, so it refuses them).
    #[error("{} is not an operation this gateway forwards", .0.target())]
    NotForwarded(OperationName),
}

impl From<ValidationError> for CallError {
    fn from(e: ValidationError) -> Self {
        match serialization_problem(&e) {
            Some(message) => CallError::Serialization(message),
            None => CallError::Invalid(e),
        }
    }
}

/// The operation an `X-Amz-Target` value names (`AmazonSSM.<Operation>`, or
/// `SsmEdge.<Operation>` for the gateway's own), exactly as the model spells it.
#[must_use]
pub fn operation_of_target(target: &str) -> Option<OperationName> {
    OperationName::from_target(target)
}

/// Parses and validates `body` as the input of `operation`, one the gateway forwards.
///
/// # Errors
/// [`CallError::Serialization`] for a body that is not one JSON object or that names a
/// member twice, [`CallError::NotForwarded`] for the gateway's own operations, else
/// [`CallError::Invalid`] with every problem.
pub fn parse(operation: OperationName, body: &[u8]) -> Result<ParsedCall, CallError> {
    ParsedCall::parse_as(operation, body)
}

/// Parses and validates `body` as the input of `O` (any modelled operation).
///
/// # Errors
/// As [`parse`].
pub fn parse_typed<O: model::Operation>(body: &[u8]) -> Result<O::Input, CallError> {
    Ok(ssm_edge_core::validate::parse_input::<O>(body)?)
}

/// The text of a body that is not one JSON object, or names a member twice.
fn serialization_problem(error: &ValidationError) -> Option<String> {
    error.problems.iter().find_map(|p| match &p.rule {
        Rule::Json { line, column } => Some(format!(
            "the request body is not one JSON value (line {line}, column {column})"
        )),
        Rule::Type { .. } if p.path.is_empty() => {
            Some("the request body must be a JSON object".to_owned())
        }
        Rule::DuplicateMember => Some(format!(
            "the request body names {} more than once; send each member once",
            p.path
        )),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssm_edge_core::endpoint::Service;

    #[test]
    fn targets_name_the_modelled_operations_with_their_own_prefix_only() {
        assert_eq!(
            operation_of_target("AmazonSSM.SendCommand"),
            Some(OperationName::SendCommand)
        );
        assert_eq!(
            operation_of_target("SsmEdge.ApproveCommand"),
            Some(OperationName::ApproveCommand)
        );
        for wrong in [
            "AmazonSSM.DeleteDocument",
            "AmazonSSMSendCommand",
            "AmazonEC2.SendCommand",
            "SsmEdge.SendCommand",
            "AmazonSSM.ApproveCommand",
            "ssmedge.ListApprovals",
            "SsmEdge.DeleteEverything",
        ] {
            assert_eq!(operation_of_target(wrong), None, "{wrong}");
        }
        for op in OperationName::ALL {
            let prefix = if op.is_gateway_own() {
                "SsmEdge"
            } else if op.service() == Service::Logs {
                "Logs_20140328"
            } else {
                "AmazonSSM"
            };
            let target = format!("{prefix}.{}", op.as_str());
            assert_eq!(operation_of_target(&target), Some(*op));
            assert_eq!(op.target(), target);
        }
    }

    #[test]
    fn ssm_s_operations_are_all_but_the_gateways_own_and_logs() {
        let ssm: Vec<_> = OperationName::ALL
            .iter()
            .copied()
            .filter(|op| !op.is_gateway_own() && op.service() == Service::Ssm)
            .collect();
        assert_eq!(OperationName::SSM, ssm.as_slice());
    }

    #[test]
    fn only_ssm_s_operations_are_parsed_for_forwarding() {
        let others = OperationName::ALL
            .iter()
            .filter(|op| !OperationName::SSM.contains(op));
        for op in others {
            assert!(matches!(
                parse(*op, b"{}"),
                Err(CallError::NotForwarded(o)) if o == *op
            ));
        }
    }

    #[test]
    fn malformed_json_is_a_serialization_error_and_bad_input_a_validation_error() {
        assert!(matches!(
            parse(OperationName::ListCommands, b"{"),
            Err(CallError::Serialization(_))
        ));
        assert!(matches!(
            parse(OperationName::ListCommands, b"[]"),
            Err(CallError::Serialization(_))
        ));
        let Err(CallError::Invalid(e)) =
            parse(OperationName::SendCommand, br#"{"DocumentName":""}"#)
        else {
            panic!("expected a validation error");
        };
        assert!(e.to_string().contains("DocumentName"), "{e}");
        assert!(matches!(
            parse(
                OperationName::SendCommand,
                br#"{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"]}"#
            ),
            Ok(ParsedCall::SendCommand(_))
        ));
    }

    #[test]
    fn a_member_named_twice_is_a_serialization_error_naming_it() {
        let Err(CallError::Serialization(message)) = parse(
            OperationName::SendCommand,
            br#"{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"DocumentName":"Ops-RestartService"}"#,
        ) else {
            panic!("expected a serialization error");
        };
        assert!(message.contains("DocumentName"), "{message}");
        let Err(CallError::Serialization(message)) = parse(
            OperationName::ListCommands,
            br#"{"Filters":[{"key":"Status","value":"Success","value":"Failed"}]}"#,
        ) else {
            panic!("expected a serialization error");
        };
        assert!(message.contains("Filters[0].value"), "{message}");
    }

    #[test]
    fn every_operation_parses_into_its_own_variant() {
        for op in OperationName::ALL {
            let parsed = parse(*op, b"{}");
            if let Ok(call) = parsed {
                assert_eq!(call.operation(), *op);
            }
        }
    }
}
