//! The one walker over the validation tables: reads JSON text as an operation's input,
//! finds every shape problem (wrong type, unknown member), then every broken model
//! constraint and documented rule, each with its field path.

use alloc::string::String;
use alloc::vec::Vec;

use super::shape::{Bounds, Shape};
use super::{documented, shapes, Path, Problem, Problems, Rule, ValidationError};
use crate::json::{self, ParseErrorKind, Step, Value};
use crate::model::OperationName;

/// Reads `json` as the input of `operation` and checks it: every shape problem, or else
/// every broken constraint. Returns the value read, which is the input as checked.
///
/// # Errors
/// Text that is not one JSON object (or names a member twice), every shape problem, or
/// else every constraint and documented rule the input breaks.
pub fn check_json(operation: OperationName, json: &[u8]) -> Result<Value, ValidationError> {
    let shape = shapes::input(operation);
    let value = read(json, shape)?;
    let mut problems = Problems::default();
    check_types(&value, shape, &Path::ROOT, &mut problems);
    problems.finish()?;
    check_value(operation, &value)?;
    Ok(value)
}

/// Every broken constraint and documented rule in `value`, an input of `operation`
/// whose types are already checked (by [`check_json`]).
///
/// # Errors
/// Every problem found.
pub fn check_value(operation: OperationName, value: &Value) -> Result<(), ValidationError> {
    let mut problems = Problems::default();
    check_rules(value, shapes::input(operation), &Path::ROOT, &mut problems);
    documented::check(operation, value, &mut problems);
    problems.finish()
}

/// Parses `json`, naming a member given twice by its path in `shape`'s terms.
pub(crate) fn read(json: &[u8], shape: &'static Shape) -> Result<Value, ValidationError> {
    json::parse(json).map_err(|e| {
        let problem = match e.kind {
            ParseErrorKind::DuplicateMember(steps) => Problem {
                path: render_steps(&steps, shape),
                rule: Rule::DuplicateMember,
            },
            ParseErrorKind::Syntax => Problem {
                path: String::new(),
                rule: Rule::Json {
                    line: e.line,
                    column: e.column,
                },
            },
        };
        ValidationError {
            problems: alloc::vec![problem],
        }
    })
}

/// `Targets[0].Key`, `Parameters["commands"]`: a map's keys in brackets, members (known
/// or not) after dots, as problems name them.
fn render_steps(steps: &[Step], shape: &'static Shape) -> String {
    let mut out = String::new();
    let mut shape = Some(shape);
    for step in steps {
        match step {
            Step::Index(i) => {
                out.push('[');
                json::push_uint(&mut out, *i as u64);
                out.push(']');
                shape = match shape {
                    Some(Shape::List(_, item)) => Some(item),
                    _ => None,
                };
            }
            Step::Member(name) => {
                if let Some(Shape::Map(_, item)) = shape {
                    out.push_str("[\"");
                    out.push_str(name);
                    out.push_str("\"]");
                    shape = Some(item);
                } else {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                    shape = shape.and_then(|s| s.member(name)).map(|m| m.shape);
                }
            }
        }
    }
    out
}

/// An object's members sorted by name: problems come in one order whatever the text's.
fn by_name(members: &[(String, Value)]) -> Vec<&(String, Value)> {
    let mut sorted: Vec<&(String, Value)> = members.iter().collect();
    crate::sort::sort_by(&mut sorted, |a, b| a.0 < b.0);
    sorted
}

fn check_types(value: &Value, shape: &'static Shape, path: &Path<'_>, problems: &mut Problems) {
    let fits = match (shape, value) {
        (Shape::String(_), Value::String(_)) | (Shape::Boolean, Value::Bool(_)) => true,
        (Shape::Integer(_), Value::Int(v)) => i32::try_from(*v).is_ok(),
        (Shape::Long(_), Value::Int(_)) => true,
        (Shape::List(_, item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check_types(v, item, &path.index(i), problems);
            }
            true
        }
        (Shape::Map(_, item), Value::Object(entries)) => {
            for (k, v) in by_name(entries) {
                check_types(v, item, &path.key(k), problems);
            }
            true
        }
        (Shape::Struct(_), Value::Object(entries)) => {
            for (k, v) in by_name(entries) {
                match shape.member(k) {
                    // `null` is an absent member, as the AWS SDKs send it.
                    Some(_) if v.is_null() => {}
                    Some(member) => check_types(v, member.shape, &path.field(k), problems),
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
                expected: shape.kind(),
            },
        );
    }
}

/// Bounds as the `Problems` checks take them (lengths and counts are never negative).
fn unsigned(bounds: Bounds) -> (Option<u64>, Option<u64>) {
    let u = |v: Option<i64>| v.map(|v| u64::try_from(v).unwrap_or(0));
    (u(bounds.min), u(bounds.max))
}

fn check_rules(value: &Value, shape: &'static Shape, path: &Path<'_>, problems: &mut Problems) {
    match (shape, value) {
        (Shape::String(text), Value::String(s)) => {
            if !text.allowed.is_empty() {
                if !text.allowed.contains(&s.as_str()) {
                    problems.push(
                        path,
                        Rule::Enum {
                            allowed: text.allowed,
                        },
                    );
                }
                return;
            }
            if text.length.min.is_some() || text.length.max.is_some() {
                let (min, max) = unsigned(text.length);
                problems.length(path, s, min, max);
            }
            if let Some(pattern) = text.pattern {
                problems.pattern(path, s, pattern);
            }
        }
        (Shape::Integer(range) | Shape::Long(range), Value::Int(v)) => {
            problems.range(path, *v, range.min, range.max);
        }
        (Shape::List(count, item), Value::Array(items)) => {
            if count.min.is_some() || count.max.is_some() {
                let (min, max) = unsigned(*count);
                problems.items(path, items.len(), min, max);
            }
            for (i, v) in items.iter().enumerate() {
                check_rules(v, item, &path.index(i), problems);
            }
        }
        (Shape::Map(count, item), Value::Object(entries)) => {
            if count.min.is_some() || count.max.is_some() {
                let (min, max) = unsigned(*count);
                problems.items(path, entries.len(), min, max);
            }
            for (k, v) in by_name(entries) {
                check_rules(v, item, &path.key(k), problems);
            }
        }
        (Shape::Struct(members), Value::Object(_)) => {
            for member in *members {
                match value.get(member.name).filter(|v| !v.is_null()) {
                    None if member.required => {
                        problems.push(&path.field(member.name), Rule::Required);
                    }
                    None => {}
                    Some(v) => check_rules(v, member.shape, &path.field(member.name), problems),
                }
            }
        }
        // Types are checked before rules; a mismatch here has been reported.
        _ => {}
    }
}
