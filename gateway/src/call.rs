//! The calls the gateway accepts: the operation named by `X-Amz-Target`, its body parsed
//! and validated by the core. Invalid input never leaves the gateway.

use ssm_edge_core::model::{
    CancelCommand, CancelCommandInput, DescribeDocument, DescribeDocumentInput,
    DescribeInstanceInformation, GetCommandInvocation, ListCommandInvocations, ListCommands,
    ListDocuments, OperationName, SendCommand, SendCommandInput,
};
use ssm_edge_core::request::TARGET_PREFIX;
use ssm_edge_core::validate::{parse_input, ValidationError};

/// A call the core parsed and validated. Read-only calls keep no input: the policy does
/// not look into them and the body is forwarded as received.
#[derive(Debug)]
pub enum ParsedCall {
    /// `SendCommand`, the one call that runs something.
    SendCommand(Box<SendCommandInput>),
    /// `CancelCommand`.
    CancelCommand(CancelCommandInput),
    /// `DescribeDocument` (its resource is the document).
    DescribeDocument(DescribeDocumentInput),
    /// Any other read-only call.
    Read(OperationName),
}

impl ParsedCall {
    /// The operation.
    #[must_use]
    pub fn operation(&self) -> OperationName {
        match self {
            ParsedCall::SendCommand(_) => OperationName::SendCommand,
            ParsedCall::CancelCommand(_) => OperationName::CancelCommand,
            ParsedCall::DescribeDocument(_) => OperationName::DescribeDocument,
            ParsedCall::Read(op) => *op,
        }
    }
}

/// Why a body was refused before anything else looked at it.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Not JSON, or not a JSON object.
    #[error("{0}")]
    Serialization(String),
    /// The model's constraints or documented rules are broken.
    #[error("{0}")]
    Invalid(ValidationError),
}

/// The operation named by an `X-Amz-Target` value (`AmazonSSM.<Operation>`), if the
/// gateway serves it.
#[must_use]
pub fn operation_of_target(target: &str) -> Option<OperationName> {
    let name = target.strip_prefix(TARGET_PREFIX)?.strip_prefix('.')?;
    OperationName::from_name(name)
}

/// Parses and validates `body` as the input of `operation`.
///
/// # Errors
/// [`CallError::Serialization`] for a body that is not a JSON object (what AWS answers
/// with `SerializationException`), else [`CallError::Invalid`] with every problem.
pub fn parse(operation: OperationName, body: &[u8]) -> Result<ParsedCall, CallError> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(_)) => {}
        Ok(_) => {
            return Err(CallError::Serialization(
                "the request body must be a JSON object".to_owned(),
            ))
        }
        Err(e) => {
            return Err(CallError::Serialization(format!(
                "the request body is not valid JSON: {e}"
            )))
        }
    }
    let invalid = CallError::Invalid;
    Ok(match operation {
        OperationName::SendCommand => {
            ParsedCall::SendCommand(Box::new(parse_input::<SendCommand>(body).map_err(invalid)?))
        }
        OperationName::CancelCommand => {
            ParsedCall::CancelCommand(parse_input::<CancelCommand>(body).map_err(invalid)?)
        }
        OperationName::DescribeDocument => {
            ParsedCall::DescribeDocument(parse_input::<DescribeDocument>(body).map_err(invalid)?)
        }
        OperationName::ListCommands => {
            parse_input::<ListCommands>(body).map_err(invalid)?;
            ParsedCall::Read(operation)
        }
        OperationName::ListCommandInvocations => {
            parse_input::<ListCommandInvocations>(body).map_err(invalid)?;
            ParsedCall::Read(operation)
        }
        OperationName::GetCommandInvocation => {
            parse_input::<GetCommandInvocation>(body).map_err(invalid)?;
            ParsedCall::Read(operation)
        }
        OperationName::DescribeInstanceInformation => {
            parse_input::<DescribeInstanceInformation>(body).map_err(invalid)?;
            ParsedCall::Read(operation)
        }
        OperationName::ListDocuments => {
            parse_input::<ListDocuments>(body).map_err(invalid)?;
            ParsedCall::Read(operation)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_map_to_the_eight_operations_only() {
        assert_eq!(
            operation_of_target("AmazonSSM.SendCommand"),
            Some(OperationName::SendCommand)
        );
        assert_eq!(operation_of_target("AmazonSSM.DeleteDocument"), None);
        assert_eq!(operation_of_target("AmazonSSMSendCommand"), None);
        assert_eq!(operation_of_target("AmazonEC2.SendCommand"), None);
        for op in OperationName::ALL {
            let target = format!("AmazonSSM.{}", op.as_str());
            assert_eq!(operation_of_target(&target), Some(*op));
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
}
