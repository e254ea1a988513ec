//! Reading JSON text into a `serde_json::Value` the way a policy gateway must: an object
//! that names a member twice is refused, naming the member's path.
//!
//! `serde_json::Value` keeps the last of two equal members, other parsers keep the first:
//! a body with both is decided on one value by one parser and run with the other by
//! another. Refusing it closes that gap for every reader of the core (the gateway and the
//! npm package alike). The text is still parsed by serde_json (its recursion limit stops
//! depth bombs, its `end` check refuses trailing bytes); only the building of objects is
//! ours, as a [`DeserializeSeed`] that knows the input's [`Shape`] so the path is rendered
//! as validation problems render it (`Targets[0].Key`, `Parameters["commands"]`).

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::{Path, Problem, Rule, Shape, ValidationError};

/// Parses `json` (one value, nothing after it but whitespace) into a `Value`.
///
/// # Errors
/// A [`Rule::DuplicateMember`] problem at the member named twice, or a [`Rule::Json`]
/// problem where the text stops being JSON.
pub(crate) fn read(json: &[u8], shape: &'static Shape) -> Result<Value, ValidationError> {
    let duplicate = RefCell::new(None);
    let mut reader = serde_json::Deserializer::from_slice(json);
    let seed = Seed {
        shape: Some(shape),
        path: &Path::ROOT,
        duplicate: &duplicate,
    };
    let value = seed.deserialize(&mut reader).and_then(|value| {
        reader.end()?;
        Ok(value)
    });
    value.map_err(|e| {
        let problem = match duplicate.into_inner() {
            Some(path) => Problem {
                path,
                rule: Rule::DuplicateMember,
            },
            None => Problem {
                path: String::new(),
                rule: Rule::Json {
                    line: e.line() as u64,
                    column: e.column() as u64,
                },
            },
        };
        ValidationError {
            problems: alloc::vec![problem],
        }
    })
}

/// One value at `path`, of `shape` where the model knows it.
struct Seed<'a> {
    shape: Option<&'static Shape>,
    path: &'a Path<'a>,
    /// Where the first duplicate member was found (the error itself is serde_json's,
    /// which keeps only a message).
    duplicate: &'a RefCell<Option<String>>,
}

impl Seed<'_> {
    fn child<'b>(&'b self, shape: Option<&'static Shape>, path: &'b Path<'b>) -> Seed<'b> {
        Seed {
            shape,
            path,
            duplicate: self.duplicate,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(String::from(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let item = match self.shape {
            Some(Shape::List(item)) => Some(*item),
            _ => None,
        };
        let mut items = Vec::new();
        loop {
            let path = self.path.index(items.len());
            match seq.next_element_seed(self.child(item, &path))? {
                Some(value) => items.push(value),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let (shape, path) = match self.shape {
                Some(Shape::Map(item)) => (Some(*item), self.path.key(&name)),
                Some(Shape::Struct(fields)) => (
                    fields.iter().find(|(n, _)| *n == name).map(|(_, s)| *s),
                    self.path.field(&name),
                ),
                _ => (None, self.path.field(&name)),
            };
            if members.contains_key(&name) {
                *self.duplicate.borrow_mut() = Some(path.render());
                return Err(de::Error::custom("duplicate member"));
            }
            let value = map.next_value_seed(self.child(shape, &path))?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}
