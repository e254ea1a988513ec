//! The core's JSON reader against serde_json, on any bytes: both accept the same texts
//! and read the same values (members compared by name; a member named twice is refused
//! by ours, and kept last by serde_json's `Value`, so those texts are compared with
//! serde_json's reading of the de-duplicated reading of ours). The one deliberate
//! difference: a number beyond f64's range, which serde_json refuses and ours reads as
//! a non-integer number (as JavaScript does); no input member takes one, so an input
//! holding one is refused by validation either way. A differential between
//! the reader a gateway's policy decides on and the one the service parses with is a
//! bypass: this target looks for one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssm_edge_core::json::{self, ParseErrorKind, Value};

fn ours(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        // Any number that is not an i64 reads as a float or a u64 in serde_json.
        Value::Number => serde_json::Value::String("<number>".into()),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(ours).collect()),
        Value::Object(members) => serde_json::Value::Object(
            members.iter().map(|(k, v)| (k.to_string(), ours(v))).collect(),
        ),
    }
}

fn theirs(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Number(n) if n.as_i64().is_none() => {
            serde_json::Value::String("<number>".into())
        }
        serde_json::Value::Array(items) => items.into_iter().map(theirs).collect(),
        serde_json::Value::Object(members) => serde_json::Value::Object(
            members.into_iter().map(|(k, v)| (k, theirs(v))).collect(),
        ),
        other => other,
    }
}

fuzz_target!(|text: &[u8]| {
    let serde = serde_json::from_slice::<serde_json::Value>(text).map(theirs);
    match json::parse(text) {
        Ok(value) => match serde {
            Ok(serde) => assert_eq!(ours(&value), serde, "the readers read different values"),
            Err(e) => assert!(out_of_range(&e), "ours accepts a text serde_json refuses: {e}"),
        },
        Err(e) if matches!(e.kind, ParseErrorKind::DuplicateMember(_)) => {
            // A repeated member: serde_json's `Value` keeps the last, and so does our
            // lenient mode, on the same texts and with the same value.
            match (json::parse_keeping_last(text), serde) {
                (Ok(lenient), Ok(serde)) => {
                    assert_eq!(ours(&lenient), serde, "the lenient reader differs");
                }
                (Ok(_), Err(e)) => assert!(out_of_range(&e), "lenient accepts more: {e}"),
                (Err(e), Ok(_)) => panic!("the lenient reader refuses what serde_json reads: {e:?}"),
                (Err(_), Err(_)) => {}
            }
        }
        Err(_) => assert!(serde.is_err(), "ours refuses a text serde_json accepts"),
    }
});

/// Whether serde_json refused `text` only for a number beyond f64's range, which ours
/// (like JavaScript's `JSON.parse`) reads as a non-integer number.
fn out_of_range(error: &serde_json::Error) -> bool {
    error.to_string().starts_with("number out of range")
}
