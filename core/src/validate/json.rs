//! Parsing an operation's input from JSON text (a JavaScript object, a request body
//! arriving at a gateway) with every shape problem named like a validation problem:
//! a member of the wrong type, a member the model does not have, text that is not
//! JSON. Values are never echoed (some are sensitive).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{Problem, Problems, Rule, Validate, ValidationError};
use crate::model::Operation;

/// Parses `json` as the input of operation `O`, then validates it.
///
/// # Errors
/// Every unknown member, or the first member of the wrong type (parsing stops
/// there), or else every validation problem.
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
pub fn parse_shape<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, ValidationError> {
    // serde would also read a struct from a JSON array; an input is an object.
    let first = json.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ValidationError {
            problems: alloc::vec![Problem {
                path: String::new(),
                rule: Rule::Type {
                    expected: String::from("a JSON object"),
                },
            }],
        });
    }
    let mut unknown: Vec<String> = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(json);
    let mut record = |path: serde_ignored::Path<'_>| unknown.push(render_ignored(&path));
    let parsed = serde_path_to_error::deserialize::<_, T>(serde_ignored::Deserializer::new(
        &mut de,
        &mut record,
    ));
    let value = match parsed {
        Ok(value) => value,
        Err(e) => {
            let path = render_path(e.path());
            let inner = e.into_inner();
            let rule = match inner.classify() {
                serde_json::error::Category::Data => Rule::Type {
                    expected: expected_of(&inner.to_string()),
                },
                _ => json_rule(&inner),
            };
            return Err(ValidationError {
                problems: alloc::vec![Problem { path, rule }],
            });
        }
    };
    if let Err(e) = de.end() {
        return Err(ValidationError {
            problems: alloc::vec![Problem {
                path: String::new(),
                rule: json_rule(&e),
            }],
        });
    }
    if unknown.is_empty() {
        return Ok(value);
    }
    let mut problems = Problems::default();
    for path in unknown {
        problems.list.push(Problem {
            path,
            rule: Rule::UnknownMember,
        });
    }
    problems.finish().map(|()| value)
}

fn json_rule(e: &serde_json::Error) -> Rule {
    Rule::Json {
        line: e.line() as u64,
        column: e.column() as u64,
    }
}

/// The "expected …" part of a serde data error, which names our types, never the
/// caller's value.
fn expected_of(message: &str) -> String {
    let tail = message
        .split(", expected ")
        .nth(1)
        .unwrap_or("another type");
    let tail = tail.split(" at line ").next().unwrap_or(tail);
    tail.to_string()
}

fn render_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Enum { variant } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(variant);
            }
            Segment::Unknown => {}
        }
    }
    out
}

fn render_ignored(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path as P;
    match path {
        P::Root => String::new(),
        P::Seq { parent, index } => {
            let mut out = render_ignored(parent);
            out.push('[');
            out.push_str(&index.to_string());
            out.push(']');
            out
        }
        P::Map { parent, key } => {
            let mut out = render_ignored(parent);
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
            out
        }
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            render_ignored(parent)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ListCommands, SendCommand};

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
                    expected: "i32".into()
                }
            )]
        );
        let got = problems(r#"{"Targets":[{"Key":"tag:a","Values":[1]}]}"#);
        assert_eq!(got[0].0, "Targets[0].Values[0]");
        let got = problems(r#"{"Parameters":{"commands":"uptime"}}"#);
        assert_eq!(got[0].0, "Parameters.commands");
        let e = parse_input::<SendCommand>(br#"{"Comment":["SECRET-VALUE"]}"#).unwrap_err();
        assert!(!alloc::format!("{e}").contains("SECRET-VALUE"), "{e}");
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
    fn then_the_model_rules_apply() {
        let got = problems(r#"{"InstanceIds":["nope"]}"#);
        assert_eq!(got.len(), 2, "{got:?}");
    }
}
