//! The types of the validation tables (`shapes.rs`, generated from the service model):
//! each input shape as data, so one walker checks every operation and no code is
//! generated per shape.

use super::Pattern;

/// An inclusive range, either end optional: a length, a number of items or a value.
/// `i32` ends (gen_model.py checks every bound fits): half the table of `i64`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Smallest allowed, if bounded below.
    pub min: Option<i32>,
    /// Largest allowed, if bounded above.
    pub max: Option<i32>,
}

/// What a string must be.
#[derive(Debug, PartialEq, Eq)]
pub struct Text {
    /// Its length in code points.
    pub length: Bounds,
    /// A pattern it must match.
    pub pattern: Option<Pattern>,
    /// The values it may take (an enum); empty means any.
    pub allowed: &'static [&'static str],
}

/// One member of a structure.
#[derive(Debug, PartialEq, Eq)]
pub struct Member {
    /// Its JSON name, as in the model.
    pub name: &'static str,
    /// Its shape.
    pub shape: &'static Shape,
    /// Whether the model requires it.
    pub required: bool,
}

/// The JSON shape of a model input type and the model's constraints on it.
#[derive(Debug, PartialEq, Eq)]
pub enum Shape {
    /// A string (enums included).
    String(&'static Text),
    /// A 32-bit integer in a range.
    Integer(Bounds),
    /// A 64-bit integer in a range.
    Long(Bounds),
    /// `true` or `false`.
    Boolean,
    /// A list of a number of items of one shape.
    List(Bounds, &'static Shape),
    /// An object with string keys and values of one shape.
    Map(Bounds, &'static Shape),
    /// An object with these members (and no others).
    Struct(&'static [Member]),
}

/// The JSON type a shape wants, named for people and programs alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    String,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// A boolean.
    Boolean,
    /// An array.
    List,
    /// An object.
    Object,
}

impl Kind {
    /// A stable name for programs: `string`, `integer`, `long`, `boolean`, `list`, `object`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Integer => "integer",
            Kind::Long => "long",
            Kind::Boolean => "boolean",
            Kind::List => "list",
            Kind::Object => "object",
        }
    }

    /// What a value of this kind is, in words.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Integer => "a 32-bit integer",
            Kind::Long => "an integer",
            Kind::Boolean => "a boolean",
            Kind::List => "an array",
            Kind::Object => "an object",
        }
    }
}

impl Shape {
    /// The JSON type this shape wants.
    #[must_use]
    pub const fn kind(&self) -> Kind {
        match self {
            Shape::String(_) => Kind::String,
            Shape::Integer(_) => Kind::Integer,
            Shape::Long(_) => Kind::Long,
            Shape::Boolean => Kind::Boolean,
            Shape::List(..) => Kind::List,
            Shape::Map(..) | Shape::Struct(_) => Kind::Object,
        }
    }

    /// The member called `name`, if this is a structure that has it.
    #[must_use]
    pub fn member(&self, name: &str) -> Option<&'static Member> {
        match self {
            Shape::Struct(members) => members.iter().find(|m| m.name == name),
            _ => None,
        }
    }
}
