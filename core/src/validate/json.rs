//! Parsing an operation's input from JSON text (a JavaScript object, a request body
//! arriving at a gateway) with every shape problem named like a validation problem:
//! each member of the wrong type, each member the model does not have, text that is
//! not JSON. Values are never echoed (some are sensitive).
//!
//! The text is read once into a `serde_json::Value` (refusing a member named twice:
//! [`super::json_text`]), checked against the input's
//! generated [`Schema`] (so *every* shape problem is found, not just the first), then
//! converted to the typed input and validated.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value;

use super::{Path, Problems, Rule, Validate, ValidationError};
use crate::model::Operation;

/// The JSON shape of a model input type, generated from the service model.
#[derive(Debug)]
pub enum Shape {
    /// A string (enums included).
    String,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// `true` or `false`.
    Boolean,
    /// A list of values of one shape.
    List(&'static Shape),
    /// An object with string keys and values of one shape.
    Map(&'static Shape),
    /// An object with these members (and no others).
    Struct(&'static [(&'static str, &'static Shape)]),
}

impl Shape {
    /// What a value of this shape is, in words.
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match self {
            Shape::String => "a string",
            Shape::Integer => "a 32-bit integer",
            Shape::Long => "an integer",
            Shape::Boolean => "a boolean",
            Shape::List(_) => "an array",
            Shape::Map(_) | Shape::Struct(_) => "an object",
        }
    }
}

/// Model input types that know their JSON shape.
pub trait Schema: Sized {
    /// The shape, from the service model.
    const SHAPE: &'static Shape;

    /// Builds the value from JSON that [`Schema::SHAPE`] accepted. Members of another
    /// shape read as their default (they cannot occur after the check).
    fn from_checked_json(value: &Value) -> Self;
}

// Readers for generated `from_checked_json` code: the schema has checked every type.

/// Member `name` of an object, `null` read as absent.
pub(crate) fn member<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.get(name).filter(|v| !v.is_null())
}

pub(crate) fn str_of(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

pub(crate) fn string(value: &Value) -> String {
    String::from(str_of(value))
}

pub(crate) fn integer(value: &Value) -> i32 {
    value
        .as_i64()
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or_default()
}

pub(crate) fn boolean(value: &Value) -> bool {
    value.as_bool().unwrap_or_default()
}

pub(crate) fn list<T>(value: &Value, item: impl Fn(&Value) -> T) -> Vec<T> {
    value
        .as_array()
        .map(|items| items.iter().map(item).collect())
        .unwrap_or_default()
}

pub(crate) fn map<T>(value: &Value, item: impl Fn(&Value) -> T) -> BTreeMap<String, T> {
    value
        .as_object()
        .map(|entries| entries.iter().map(|(k, v)| (k.clone(), item(v))).collect())
        .unwrap_or_default()
}

/// Parses `json` as the input of operation `O`, then validates it.
///
/// # Errors
/// Every shape problem (wrong type, unknown member, not JSON), or else every
/// validation problem.
pub fn parse_input<O: Operation>(json: &[u8]) -> Result<O::Input, ValidationError> {
    let input = parse_shape::<O::Input>(json)?;
    input.validate()?;
    Ok(input)
}

/// Parses `json` into `T`, refusing unknown members and wrong types, without
/// checking the model's constraints.
///
/// # Errors
/// As [`parse_input`], for shape problems only.
pub fn parse_shape<T: Schema>(json: &[u8]) -> Result<T, ValidationError> {
    let value = super::json_text::read(json, T::SHAPE)?;
    let mut problems = Problems::default();
    check(&value, T::SHAPE, &Path::ROOT, &mut problems);
    problems.finish()?;
    Ok(T::from_checked_json(&value))
}

/// An object's members sorted by name, so problems come in the same order whether or not
/// some other crate in the build turns on serde_json's `preserve_order` (Cargo unifies
/// features: in the gateway's build, Cedar does).
fn by_key(entries: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut sorted: Vec<(&String, &Value)> = entries.iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    sorted
}

fn check(value: &Value, shape: &'static Shape, path: &Path<'_>, problems: &mut Problems) {
    let fits = match (shape, value) {
        (Shape::String, Value::String(_)) | (Shape::Boolean, Value::Bool(_)) => true,
        (Shape::Integer, Value::Number(n)) => n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
        (Shape::Long, Value::Number(n)) => n.as_i64().is_some(),
        (Shape::List(item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check(v, item, &path.index(i), problems);
            }
            true
        }
        (Shape::Map(item), Value::Object(entries)) => {
            for (k, v) in by_key(entries) {
                check(v, item, &path.key(k), problems);
            }
            true
        }
        (Shape::Struct(members), Value::Object(entries)) => {
            for (k, v) in by_key(entries) {
                match members.iter().find(|(name, _)| name == k) {
                    // `null` is an absent member, as the AWS SDKs send it.
                    Some(_) if v.is_null() => {}
                    Some((_, member)) => check(v, member, &path.field(k), problems),
                    None => problems.push(&path.field(k), Rule::UnknownMember),
                }
            }
            true
        }
        _ => false,
    };
    if !fits {
        problems.push(
            path,
            Rule::Type {
                expected: String::from(shape.describe()),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ListCommands, SendCommand};
    use alloc::vec::Vec;

    fn problems(json: &str) -> Vec<(String, Rule)> {
        match parse_input::<SendCommand>(json.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.into_iter().map(|p| (p.path, p.rule)).collect(),
        }
    }

    #[test]
    fn a_valid_body_parses() {
        let input = parse_input::<SendCommand>(
            br#"{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"Parameters":{"commands":["uptime"]}}"#,
        )
        .unwrap();
        assert_eq!(input.document_name.as_deref(), Some("AWS-RunShellScript"));
        assert!(parse_input::<ListCommands>(b"{}").is_ok());
        assert!(parse_input::<ListCommands>(b" {} \n").is_ok());
    }

    #[test]
    fn wrong_types_name_the_member_and_the_expected_type_but_not_the_value() {
        let got = problems(
            r#"{"DocumentName":"d","InstanceIds":["i-0123456789abcdef0"],"TimeoutSeconds":"SECRET-VALUE"}"#,
        );
        assert_eq!(
            got,
            [(
                "TimeoutSeconds".into(),
                Rule::Type {
                    expected: "a 32-bit integer".into()
                }
            )]
        );
        let got = problems(r#"{"Targets":[{"Key":"tag:a","Values":[1]}]}"#);
        assert_eq!(got[0].0, "Targets[0].Values[0]");
        let got = problems(r#"{"Parameters":{"commands":"uptime"}}"#);
        assert_eq!(got[0].0, "Parameters[\"commands\"]");
        let e = parse_input::<SendCommand>(br#"{"Comment":["SECRET-VALUE"]}"#).unwrap_err();
        assert!(!alloc::format!("{e}").contains("SECRET-VALUE"), "{e}");
    }

    #[test]
    fn every_shape_problem_is_reported_at_once() {
        let got = problems(
            r#"{"DocumentName":5,"TimeoutSeconds":3000000000,"InstanceIds":["i-0123456789abcdef0",null],"Comment":null,"Parameters":{"a":["x"],"b":[1]},"Bogus":true}"#,
        );
        assert_eq!(
            got,
            [
                ("Bogus".into(), Rule::UnknownMember),
                (
                    "DocumentName".into(),
                    Rule::Type {
                        expected: "a string".into()
                    }
                ),
                (
                    "InstanceIds[1]".into(),
                    Rule::Type {
                        expected: "a string".into()
                    }
                ),
                (
                    "Parameters[\"b\"][0]".into(),
                    Rule::Type {
                        expected: "a string".into()
                    }
                ),
                (
                    "TimeoutSeconds".into(),
                    Rule::Type {
                        expected: "a 32-bit integer".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn unknown_members_are_all_reported() {
        let got = problems(
            r#"{"DocumentName":"d","InstanceIds":["i-0123456789abcdef0"],"Instanceids":[],"Targets":[{"Key":"tag:a","Values":["b"],"Value":"c"}]}"#,
        );
        assert_eq!(
            got,
            [
                ("Instanceids".into(), Rule::UnknownMember),
                ("Targets[0].Value".into(), Rule::UnknownMember)
            ]
        );
    }

    #[test]
    fn text_that_is_not_a_json_object_is_refused() {
        for bad in ["", "{", "[]", "null", "{} {}", "{\"DocumentName\":}"] {
            let got = problems(bad);
            assert_eq!(got.len(), 1, "{bad:?}");
            assert!(
                matches!(got[0].1, Rule::Json { .. } | Rule::Type { .. }),
                "{bad:?}: {got:?}"
            );
        }
    }

    #[test]
    fn a_member_named_twice_is_refused_with_its_path() {
        // Whichever value a parser keeps, the body is refused: the policy and the
        // service must never read two different documents out of one body.
        for (body, path) in [
            (
                r#"{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"DocumentName":"Ops-RestartService"}"#,
                "DocumentName",
            ),
            // The same name spelled with an escape is the same member.
            (
                r#"{"DocumentName":"a","Document\u004eame":"b"}"#,
                "DocumentName",
            ),
            (
                r#"{"Targets":[{"Key":"tag:env","Values":["staging"],"Key":"tag:team"}]}"#,
                "Targets[0].Key",
            ),
            (
                r#"{"Parameters":{"service":["nginx"],"service":["sshd"]}}"#,
                "Parameters[\"service\"]",
            ),
            (r#"{"Bogus":{"x":1,"x":2}}"#, "Bogus.x"),
        ] {
            assert_eq!(
                problems(body),
                [(path.into(), Rule::DuplicateMember)],
                "{body}"
            );
        }
        assert_eq!(Rule::DuplicateMember.code(), "duplicateMember");
    }

    #[test]
    fn trailing_bytes_and_depth_bombs_are_not_json() {
        let deep = alloc::format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        for bad in [r#"{"DocumentName":"a"} x"#, r#"{"Parameters":{}}}"#, &deep] {
            let got = problems(bad);
            assert!(matches!(got[..], [(_, Rule::Json { .. })]), "{got:?}");
        }
    }

    #[test]
    fn then_the_model_rules_apply() {
        let got = problems(r#"{"InstanceIds":["nope"]}"#);
        assert_eq!(got.len(), 2, "{got:?}");
    }
}
