//! The one walker over the validation tables: reads JSON text as an operation's input,
//! finds every shape problem (wrong type, unknown member), then every broken model
//! constraint and documented rule, each with its field path.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::shape::{Bounds, Member, Shape};
use super::{documented, shapes, Path, Problem, Problems, Rule, ValidationError};
use crate::json::{self, ParseErrorKind, Step, Value};
use crate::model::OperationName;

/// Reads `json` as the input of `operation` and checks it: every shape problem, or else
/// every broken constraint. Returns the value read, which is the input as checked.
///
/// # Errors
/// Text that is not one JSON object (or names a member twice), every shape problem, or
/// else every constraint and documented rule the input breaks.
pub fn check_json(operation: OperationName, json: &[u8]) -> Result<Value<'_>, ValidationError> {
    let shape = shapes::input(operation);
    let value = read(json, shape)?;
    // Problems come with members in name order. A valid input (the usual case) has
    // none to order, so it is first walked in text order; only when that finds a
    // problem is it walked again, in order, to report them.
    if check(operation, &value, Order::Text).is_ok() {
        return Ok(value);
    }
    check(operation, &value, Order::ByName)?;
    Ok(value)
}

/// Every broken constraint and documented rule in `value`, an input of `operation`
/// whose types are already checked (by [`check_json`]).
///
/// # Errors
/// Every problem found.
pub fn check_value(operation: OperationName, value: &Value<'_>) -> Result<(), ValidationError> {
    rules(operation, value, Order::ByName)
}

/// How objects are walked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Members in name order, as problems are reported.
    ByName,
    /// Members in text order, to find out cheaply whether there is any problem.
    Text,
}

/// Every shape problem, or else every broken constraint and documented rule.
fn check(operation: OperationName, value: &Value<'_>, order: Order) -> Result<(), ValidationError> {
    let mut problems = Problems::default();
    check_types(
        value,
        shapes::input(operation),
        &Path::ROOT,
        &mut problems,
        order,
    );
    problems.finish()?;
    rules(operation, value, order)
}

fn rules(operation: OperationName, value: &Value<'_>, order: Order) -> Result<(), ValidationError> {
    let mut problems = Problems::default();
    check_rules(
        value,
        shapes::input(operation),
        &Path::ROOT,
        &mut problems,
        order,
    );
    documented::check(operation, value, &mut problems);
    problems.finish()
}

/// Parses `json`, naming a member given twice by its path in `shape`'s terms.
pub(crate) fn read<'a>(
    json: &'a [u8],
    shape: &'static Shape,
) -> Result<Value<'a>, ValidationError> {
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
                    shape = shape.and_then(|s| member(s, name)).map(|m| m.shape);
                }
            }
        }
    }
    out
}

/// Calls `each` on an object's members, sorted by name (problems come in one order
/// whatever the text's) or, when only whether there is a problem matters, as they are.
fn by_name<'v, 'a>(
    members: &'v [(Cow<'a, str>, Value<'a>)],
    order: Order,
    each: &mut dyn FnMut(&'v str, &'v Value<'a>),
) {
    if order == Order::Text {
        for (k, v) in members {
            each(k, v);
        }
        return;
    }
    let mut sorted: Vec<&(Cow<'a, str>, Value<'a>)> = members.iter().collect();
    crate::sort::sort_by(&mut sorted, |a, b| a.0 < b.0);
    for (k, v) in sorted {
        each(k, v);
    }
}

/// `shape.member(name)`, lengths compared first (inline: most names differ in length).
fn member(shape: &'static Shape, name: &str) -> Option<&'static Member> {
    match shape {
        Shape::Struct(members) => members
            .iter()
            .find(|m| m.name.len() == name.len() && m.name.as_bytes() == name.as_bytes()),
        _ => None,
    }
}

fn check_types(
    value: &Value<'_>,
    shape: &'static Shape,
    path: &Path<'_>,
    problems: &mut Problems,
    order: Order,
) {
    let fits = match (shape, value) {
        (Shape::String(_), Value::String(_)) | (Shape::Boolean, Value::Bool(_)) => true,
        (Shape::Integer(_), Value::Int(v)) => i32::try_from(*v).is_ok(),
        (Shape::Long(_), Value::Int(_)) => true,
        (Shape::List(_, item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check_types(v, item, &path.index(i), problems, order);
            }
            true
        }
        (Shape::Map(_, item), Value::Object(entries)) => {
            by_name(entries, order, &mut |k, v| {
                check_types(v, item, &path.key(k), problems, order);
            });
            true
        }
        (Shape::Struct(_), Value::Object(entries)) => {
            by_name(entries, order, &mut |k, v| {
                match member(shape, k) {
                    // `null` is an absent member, as the AWS SDKs send it.
                    Some(_) if v.is_null() => {}
                    Some(member) => check_types(v, member.shape, &path.field(k), problems, order),
                    None => problems.push(&path.field(k), Rule::UnknownMember),
                }
            });
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
    let u = |v: Option<i32>| v.map(|v| u64::try_from(v).unwrap_or(0));
    (u(bounds.min), u(bounds.max))
}

fn check_rules(
    value: &Value<'_>,
    shape: &'static Shape,
    path: &Path<'_>,
    problems: &mut Problems,
    order: Order,
) {
    match (shape, value) {
        (Shape::String(text), Value::String(s)) => {
            if !text.allowed.is_empty() {
                if !text.allowed.contains(&&**s) {
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
            problems.range(path, *v, range.min.map(i64::from), range.max.map(i64::from));
        }
        (Shape::List(count, item), Value::Array(items)) => {
            if count.min.is_some() || count.max.is_some() {
                let (min, max) = unsigned(*count);
                problems.items(path, items.len(), min, max);
            }
            for (i, v) in items.iter().enumerate() {
                check_rules(v, item, &path.index(i), problems, order);
            }
        }
        (Shape::Map(count, item), Value::Object(entries)) => {
            if count.min.is_some() || count.max.is_some() {
                let (min, max) = unsigned(*count);
                problems.items(path, entries.len(), min, max);
            }
            by_name(entries, order, &mut |k, v| {
                check_rules(v, item, &path.key(k), problems, order);
            });
        }
        (Shape::Struct(members), Value::Object(entries)) if order == Order::Text => {
            // The same problems as in member order below, found with fewer lookups.
            for (k, v) in entries {
                match member(shape, k) {
                    Some(member) if !v.is_null() => {
                        check_rules(v, member.shape, &path.field(k), problems, order);
                    }
                    _ => {}
                }
            }
            for member in members.iter().filter(|m| m.required) {
                if value.get(member.name).is_none_or(Value::is_null) {
                    problems.push(&path.field(member.name), Rule::Required);
                }
            }
        }
        (Shape::Struct(members), Value::Object(_)) => {
            for member in *members {
                match value.get(member.name).filter(|v| !v.is_null()) {
                    None if member.required => {
                        problems.push(&path.field(member.name), Rule::Required);
                    }
                    None => {}
                    Some(v) => {
                        check_rules(v, member.shape, &path.field(member.name), problems, order);
                    }
                }
            }
        }
        // Types are checked before rules; a mismatch here has been reported.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    //! The quick walk in text order decides only whether there is a problem; the
    //! problems themselves still come from the walk in name order. This checks, on
    //! random inputs for every operation (members in random order, nulls, wrong types,
    //! unknown members, values each side of every bound), that the two agree.

    use alloc::string::String;
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;

    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        }

        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    const STRINGS: &[&str] = &[
        "AWS-RunShellScript",
        "i-0123456789abcdef0",
        "mi-0123456789abcdef0",
        "i-123",
        "*",
        "tag:env",
        "tag:",
        "InstanceIds",
        "resource-groups:Name",
        "2024-07-07T00:00:00Z",
        "Executing",
        "Success",
        "InvokedAfter",
        "Status",
        "ExecutionStage",
        "10",
        "50%",
        "0",
        "$LATEST",
        "3",
        "",
        " ",
        "caf\\u00e9",
        "arn:aws:iam::123456789012:role/x",
        "not valid!",
    ];

    fn write_value(shape: &'static Shape, rng: &mut Rng, depth: usize, out: &mut String) {
        if depth > 6 || rng.chance(3) {
            out.push_str(rng.pick(&["null", "true", "7", "\"s\"", "[]", "{}", "1.5"]));
            return;
        }
        match shape {
            Shape::String(text) => {
                if !text.allowed.is_empty() && rng.chance(70) {
                    let value = text.allowed[rng.below(text.allowed.len())];
                    out.push('"');
                    out.push_str(value);
                    out.push('"');
                } else if rng.chance(20) {
                    out.push('"');
                    for _ in 0..rng.below(140) {
                        out.push('x');
                    }
                    out.push('"');
                } else {
                    out.push('"');
                    out.push_str(rng.pick(STRINGS));
                    out.push('"');
                }
            }
            Shape::Integer(bounds) | Shape::Long(bounds) => {
                let mut near = Vec::from([0, 1, -1, 600, 2_147_483_648]);
                for end in [bounds.min, bounds.max]
                    .into_iter()
                    .flatten()
                    .map(i64::from)
                {
                    near.extend([end - 1, end, end + 1]);
                }
                json::push_int(out, near[rng.below(near.len())]);
            }
            Shape::Boolean => out.push_str(rng.pick(&["true", "false"])),
            Shape::List(_, item) => {
                out.push('[');
                for i in 0..rng.below(4) {
                    if i > 0 {
                        out.push(',');
                    }
                    write_value(item, rng, depth + 1, out);
                }
                out.push(']');
            }
            Shape::Map(_, item) => {
                let keys = ["commands", "k", "workingDirectory", "a"];
                let start = rng.below(keys.len());
                out.push('{');
                for (i, key) in keys
                    .iter()
                    .cycle()
                    .skip(start)
                    .take(rng.below(4))
                    .enumerate()
                {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    out.push_str(key);
                    out.push_str("\":");
                    write_value(item, rng, depth + 1, out);
                }
                out.push('}');
            }
            Shape::Struct(members) => {
                let mut chosen: Vec<&str> = Vec::new();
                let mut values: Vec<String> = Vec::new();
                for member in *members {
                    if rng.chance(if member.required { 90 } else { 40 }) {
                        let mut value = String::new();
                        if rng.chance(5) {
                            value.push_str("null");
                        } else {
                            write_value(member.shape, rng, depth + 1, &mut value);
                        }
                        chosen.push(member.name);
                        values.push(value);
                    }
                }
                if rng.chance(5) {
                    chosen.push(rng.pick(&["Extra", "comment", "Zzz"]));
                    values.push(String::from("1"));
                }
                // Members in a random order: text order and name order differ.
                let mut order: Vec<usize> = (0..chosen.len()).collect();
                for i in (1..order.len()).rev() {
                    order.swap(i, rng.below(i + 1));
                }
                out.push('{');
                for (n, i) in order.into_iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    out.push_str(chosen[i]);
                    out.push_str("\":");
                    out.push_str(&values[i]);
                }
                out.push('}');
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 3000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn the_quick_walk_agrees_with_the_ordered_one(seed in any::<u64>()) {
            let mut rng = Rng(seed | 1);
            for &operation in OperationName::ALL {
                let mut text = String::new();
                write_value(shapes::input(operation), &mut rng, 0, &mut text);
                let Ok(value) = read(text.as_bytes(), shapes::input(operation)) else {
                    continue;
                };
                let ordered = check(operation, &value, Order::ByName);
                let quick = check(operation, &value, Order::Text);
                prop_assert_eq!(quick.is_ok(), ordered.is_ok(), "{}", text);
                prop_assert_eq!(
                    check_json(operation, text.as_bytes()).map(drop),
                    ordered,
                    "{}",
                    text
                );
            }
        }
    }
}
