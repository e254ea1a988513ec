//! JSON text in and out, the core's own: no serde in the npm package's wasm.
//!
//! Written by hand because the reader must do what serde_json's `Value` does not: refuse
//! an object that names a member twice (parsers disagree on which value counts, the
//! classic policy bypass) and say where, while staying small enough for the browser
//! bundle (serde_json's `Value` path with its float formatting was ~25 KB gzip there).
//!
//! The reader takes exactly RFC 8259 JSON (one value, whitespace around it, nothing
//! else), refuses lone surrogate escapes and raw control characters in strings (as
//! serde_json does), and nests at most [`MAX_DEPTH`] arrays and objects. Numbers are
//! integers that fit an `i64` or else opaque [`Value::Number`]s, whatever their size:
//! serde_json refuses those beyond f64's range, JavaScript reads them as `Infinity`, and
//! no input member takes a non-integer, so validation refuses them either way. The
//! `json_reader` fuzz target holds the reader to serde_json on everything else.

mod read;
mod write;

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

pub(crate) use read::parse_keeping_all;
pub use read::{parse, parse_keeping_last, ParseError, ParseErrorKind};
pub use write::{push_int, push_string, push_uint, Writer};

/// Arrays and objects nest at most this deep (as in serde_json, whose limit of 128
/// refuses the 128th level).
pub const MAX_DEPTH: usize = 127;

/// A parsed JSON value. Objects keep their members in text order. Strings and names
/// without escapes are borrowed from the text read (`'a`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number without fraction or exponent that fits an `i64`.
    Int(i64),
    /// Any other number (a fraction, an exponent, or too large for an `i64`).
    Number,
    /// A string, escapes decoded.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// An object: its members in text order, each name at most once.
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

impl<'a> Value<'a> {
    /// The member called `name`, if this is an object that has it.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        match self {
            // Lengths first: most names differ in length, and that check is inline.
            Value::Object(members) => members
                .iter()
                .find(|(n, _)| n.len() == name.len() && n.as_bytes() == name.as_bytes())
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// One step from a value to a value inside it, for naming where a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The member of an object with this name.
    Member(String),
    /// The item of an array at this index.
    Index(usize),
}

#[cfg(test)]
mod tests;
