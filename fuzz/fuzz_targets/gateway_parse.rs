//! A request body through the gateway's `call::parse` for one of the operations:
//! never panics; `Ok` implies the core's `validate()` passes on the parsed input and
//! that the input survives a JSON round trip; `Err(Serialization)` exactly when the body
//! is not a JSON object or names a member twice; `Ok` exactly when the core's
//! `parse_input` accepts the body.
//!
//! Input: the first byte picks the operation (`OperationName::SSM[b % SSM.len()]`: 0
//! SendCommand, 1 ListCommands, 2 ListCommandInvocations, 3 GetCommandInvocation,
//! 4 CancelCommand, 5 DescribeInstanceInformation, 6 DescribeDocument, 7 ListDocuments,
//! 8 GetDocument, 9 ListTagsForResource); the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssm_edge_core::model::{self, Operation, OperationName};
use ssm_edge_core::validate::{parse_input, Validate};
use ssm_edge_gateway::call::{parse, CallError, ParsedCall};

/// The core's verdict on `body` for operation `O`, and the parsed input's JSON round trip.
fn core_accepts<O: Operation>(body: &[u8]) -> bool
where
    O::Input: serde::Serialize + PartialEq + std::fmt::Debug,
{
    match parse_input::<O>(body) {
        Ok(input) => {
            assert_eq!(
                input.validate(),
                Ok(()),
                "parse_input returned an invalid input"
            );
            round_trip::<O>(&input);
            true
        }
        Err(_) => false,
    }
}

fn round_trip<O: Operation>(input: &O::Input)
where
    O::Input: serde::Serialize + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_vec(input).expect("a model input serializes");
    let again = parse_input::<O>(&json)
        .unwrap_or_else(|e| panic!("the serialized input does not parse back: {e}"));
    assert_eq!(&again, input, "JSON round trip changed the input");
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let operation = OperationName::SSM[usize::from(first) % OperationName::SSM.len()];
    let result = parse(operation, body);

    // An object to serde_json, or one holding a number beyond f64's range (which
    // serde_json refuses and the core reads as a non-integer: see the json_reader target).
    let is_object = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => value.is_object(),
        Err(e) => {
            e.to_string().starts_with("number out of range")
                && matches!(
                    ssm_edge_core::json::parse_keeping_last(body),
                    Ok(ssm_edge_core::json::Value::Object(_))
                )
        }
    };
    macro_rules! core_verdict {
        ($(($op:ident, $method:ident),)+) => {
            match operation {
                $(OperationName::$op => core_accepts::<model::$op>(body),)+
                _ => unreachable!("only SSM's operations are picked"),
            }
        };
    }
    let core = ssm_edge_core::for_each_operation!(core_verdict);

    match result {
        Ok(call) => {
            assert!(
                is_object && core,
                "the gateway accepted what the core refuses"
            );
            assert_eq!(call.operation(), operation);
            macro_rules! check {
                ($(($op:ident, $method:ident),)+) => {
                    match &call {
                        $(ParsedCall::$op(input) => {
                            assert_eq!(input.validate(), Ok(()));
                            round_trip::<model::$op>(input);
                        })+
                    }
                };
            }
            ssm_edge_core::for_each_operation!(check);
        }
        Err(CallError::Serialization(message)) => {
            assert!(
                !is_object || message.contains("more than once"),
                "a JSON object was refused as not JSON: {message}"
            );
            assert!(!message.is_empty());
        }
        Err(CallError::Invalid(error)) => {
            assert!(
                is_object && !core,
                "the gateway refused what the core accepts"
            );
            let _ = error.to_string();
        }
        Err(CallError::NotForwarded(op)) => panic!("{op:?} is SSM's, and was not parsed"),
    }
});
