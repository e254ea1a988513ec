//! Client-side validation against the service model's own constraints (required,
//! length, pattern, range, list size, enum) plus the documented semantics the model
//! cannot express (InstanceIds xor Targets, Target key forms, DocumentHash needs
//! DocumentHashType, filter values).
//!
//! Every problem names its field path (`Targets[2].Values[0]`) and the broken
//! [`Rule`]; all problems are collected, never just the first.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

mod documented;
#[cfg(feature = "model")]
pub(crate) mod json;
pub mod patterns;
mod shape;
pub mod shapes;
#[cfg(all(test, feature = "model"))]
mod tests;
#[cfg_attr(feature = "host-patterns", allow(dead_code))]
mod unicode_sets;
mod walk;

pub use documented::{is_target_key, FilterExpects};
#[cfg(feature = "model")]
pub use json::{parse_input, Schema};
pub use patterns::Pattern;
pub use shape::{Bounds, Kind, Member, Shape, Text};
pub use walk::{check_json, check_value};

/// One broken constraint: where, and which rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Field path from the operation input, e.g. `Targets[2].Values[0]`.
    pub path: String,
    /// The rule the value breaks.
    pub rule: Rule,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "the input {}", self.rule)
        } else {
            write!(f, "{}: {}", self.path, self.rule)
        }
    }
}

/// A constraint from the service model, or a documented semantic rule.
///
/// Lengths of strings count Unicode code points, as Smithy's `@length` does.
/// Values themselves are never echoed (some are sensitive), only their sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// A required member is missing.
    Required,
    /// A string is shorter than the model allows.
    MinLength {
        /// Minimum length in code points.
        min: u64,
        /// Actual length in code points.
        actual: u64,
    },
    /// A string is longer than the model allows.
    MaxLength {
        /// Maximum length in code points.
        max: u64,
        /// Actual length in code points.
        actual: u64,
    },
    /// A list has fewer items than the model allows.
    MinItems {
        /// Minimum number of items.
        min: u64,
        /// Actual number of items.
        actual: u64,
    },
    /// A list has more items than the model allows.
    MaxItems {
        /// Maximum number of items.
        max: u64,
        /// Actual number of items.
        actual: u64,
    },
    /// A number is outside the model's range.
    Range {
        /// Smallest allowed value, if bounded below.
        min: Option<i64>,
        /// Largest allowed value, if bounded above.
        max: Option<i64>,
        /// The value given.
        actual: i64,
    },
    /// A string does not match the model's pattern.
    Pattern(Pattern),
    /// A value is not one of the model's enum values.
    Enum {
        /// The allowed values.
        allowed: &'static [&'static str],
    },
    /// Exactly one of these members must be given (non-empty).
    ExactlyOneOf {
        /// The mutually exclusive members.
        members: &'static [&'static str],
    },
    /// This member is only allowed together with another one.
    Requires {
        /// The member that must also be given.
        member: &'static str,
    },
    /// A SendCommand target key is not one of the documented forms.
    TargetKey,
    /// A SendCommand target has no values.
    TargetValuesEmpty,
    /// A command filter value does not fit its key.
    FilterValue {
        /// The filter key.
        key: &'static str,
        /// What the value must be.
        expected: FilterExpects,
    },
    /// A member has the wrong JSON type.
    Type {
        /// The type the model wants.
        expected: Kind,
    },
    /// A member the model does not have.
    UnknownMember,
    /// An object names this member twice (parsers disagree on which value counts).
    DuplicateMember,
    /// The text is not a JSON object.
    Json {
        /// Line where reading stopped.
        line: u64,
        /// Column where reading stopped.
        column: u64,
    },
}

impl Rule {
    /// A stable name for the rule, for programs (e.g. `maxLength`, `pattern`).
    #[must_use]
    pub fn code(&self) -> &'static str {
        // A position in one table rather than a `match` of string constants: in wasm
        // that match is a jump table with a pointer and a length per arm.
        const CODES: [&str; 17] = [
            "required",
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "range",
            "pattern",
            "enum",
            "exactlyOneOf",
            "requires",
            "targetKey",
            "targetValues",
            "filterValue",
            "type",
            "unknownMember",
            "duplicateMember",
            "json",
        ];
        CODES[match self {
            Rule::Required => 0,
            Rule::MinLength { .. } => 1,
            Rule::MaxLength { .. } => 2,
            Rule::MinItems { .. } => 3,
            Rule::MaxItems { .. } => 4,
            Rule::Range { .. } => 5,
            Rule::Pattern(_) => 6,
            Rule::Enum { .. } => 7,
            Rule::ExactlyOneOf { .. } => 8,
            Rule::Requires { .. } => 9,
            Rule::TargetKey => 10,
            Rule::TargetValuesEmpty => 11,
            Rule::FilterValue { .. } => 12,
            Rule::Type { .. } => 13,
            Rule::UnknownMember => 14,
            Rule::DuplicateMember => 15,
            Rule::Json { .. } => 16,
        }]
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => f.write_str("is required"),
            Rule::MinLength { min, actual } => {
                write!(f, "must be at least {min} characters long (got {actual})")
            }
            Rule::MaxLength { max, actual } => {
                write!(f, "must be at most {max} characters long (got {actual})")
            }
            Rule::MinItems { min, actual } => {
                write!(f, "must have at least {min} items (got {actual})")
            }
            Rule::MaxItems { max, actual } => {
                write!(f, "must have at most {max} items (got {actual})")
            }
            Rule::Range { min, max, actual } => match (min, max) {
                (Some(lo), Some(hi)) => write!(f, "must be between {lo} and {hi} (got {actual})"),
                (Some(lo), None) => write!(f, "must be at least {lo} (got {actual})"),
                (None, Some(hi)) => write!(f, "must be at most {hi} (got {actual})"),
                (None, None) => write!(f, "is out of range (got {actual})"),
            },
            Rule::Pattern(p) => write!(
                f,
                "must be {} (pattern {})",
                shapes::pattern_hint(*p),
                p.regex()
            ),
            Rule::Enum { allowed } => {
                f.write_str("must be one of ")?;
                write_list(f, allowed, "or")
            }
            Rule::ExactlyOneOf { members } => {
                f.write_str("specify exactly one of ")?;
                write_list(f, members, "or")
            }
            Rule::Requires { member } => write!(f, "requires {member} to be set as well"),
            Rule::TargetKey => f.write_str(
                "must be InstanceIds, tag:<tag-name>, tag-key, resource-groups:Name or \
                 resource-groups:ResourceTypeFilters",
            ),
            Rule::TargetValuesEmpty => f.write_str("must list at least one value"),
            Rule::FilterValue { key, expected } => {
                write!(f, "must be {} for filter key {key}", expected.describe())
            }
            Rule::Type { expected } => {
                write!(f, "has the wrong type: expected {}", expected.describe())
            }
            Rule::UnknownMember => f.write_str("is not a member of this input"),
            Rule::DuplicateMember => f.write_str("is given more than once in one JSON object"),
            Rule::Json { line, column } => {
                write!(
                    f,
                    "is not a JSON object (stopped at line {line}, column {column})"
                )
            }
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[&str], last_joiner: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(if i + 1 == items.len() { " " } else { ", " })?;
            if i + 1 == items.len() {
                write!(f, "{last_joiner} ")?;
            }
        }
        f.write_str(item)?;
    }
    Ok(())
}

/// Every problem found in one input, in field order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// The problems, never empty.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{n} validation problem{}: ",
            if n == 1 { "" } else { "s" }
        )?;
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ValidationError {}

/// A field path under construction, kept on the stack; rendered only when a
/// problem is found.
#[derive(Clone, Copy, Debug)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Segment<'a> {
    Root,
    Field(&'a str),
    Index(usize),
    Key(&'a str),
}

impl<'a> Path<'a> {
    /// The operation input itself.
    pub const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    /// The member `name` of this structure.
    #[must_use]
    pub fn field(&'a self, name: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Field(name),
        }
    }

    /// Item `index` of this list.
    #[must_use]
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    /// Entry `key` of this map.
    #[must_use]
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// Renders the path, e.g. `Targets[2].Values[0]`.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    fn render_into(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.render_into(out);
        }
        match self.segment {
            Segment::Root => {}
            Segment::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Segment::Index(i) => {
                out.push('[');
                crate::json::push_uint(out, i as u64);
                out.push(']');
            }
            Segment::Key(k) => {
                out.push('[');
                out.push('"');
                out.push_str(k);
                out.push('"');
                out.push(']');
            }
        }
    }
}

/// Collects problems while an input is walked.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Problem>,
}

impl Problems {
    /// Records that the value at `path` breaks `rule`.
    pub fn push(&mut self, path: &Path<'_>, rule: Rule) {
        self.list.push(Problem {
            path: path.render(),
            rule,
        });
    }

    /// `Ok` when nothing was recorded, else every problem.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                problems: self.list,
            })
        }
    }

    /// Checks a string's length in code points.
    pub fn length(&mut self, path: &Path<'_>, value: &str, min: Option<u64>, max: Option<u64>) {
        let actual = value.chars().count() as u64;
        if let Some(min) = min {
            if actual < min {
                self.push(path, Rule::MinLength { min, actual });
            }
        }
        if let Some(max) = max {
            if actual > max {
                self.push(path, Rule::MaxLength { max, actual });
            }
        }
    }

    /// Checks a list's number of items.
    pub fn items(&mut self, path: &Path<'_>, len: usize, min: Option<u64>, max: Option<u64>) {
        let actual = len as u64;
        if let Some(min) = min {
            if actual < min {
                self.push(path, Rule::MinItems { min, actual });
            }
        }
        if let Some(max) = max {
            if actual > max {
                self.push(path, Rule::MaxItems { max, actual });
            }
        }
    }

    /// Checks a number against an inclusive range.
    pub fn range(&mut self, path: &Path<'_>, value: i64, min: Option<i64>, max: Option<i64>) {
        let below = min.is_some_and(|lo| value < lo);
        let above = max.is_some_and(|hi| value > hi);
        if below || above {
            self.push(
                path,
                Rule::Range {
                    min,
                    max,
                    actual: value,
                },
            );
        }
    }

    /// Checks a string against one of the model's patterns.
    pub fn pattern(&mut self, path: &Path<'_>, value: &str, pattern: Pattern) {
        if !pattern.is_match(value) {
            self.push(path, Rule::Pattern(pattern));
        }
    }
}

/// Typed inputs that can be checked before they are sent (the `model` feature): the
/// input is written as JSON and walked like any text, so typed and text inputs meet
/// the very same rules.
#[cfg(feature = "model")]
pub trait Validate: serde::Serialize {
    /// The operation whose input this is.
    const OPERATION: crate::model::OperationName;

    /// Every problem in `self`, or `Ok`.
    ///
    /// # Errors
    /// Every constraint and documented rule broken.
    fn validate(&self) -> Result<(), ValidationError> {
        let text = serde_json::to_vec(self).unwrap_or_default();
        check_json(Self::OPERATION, &text).map(drop)
    }
}
