//! Typed inputs from JSON text (the `model` feature): the walker checks the text
//! ([`super::check_json`]), then generated `from_checked_json` code builds the input
//! from the value it checked, so the typed input is exactly what was validated.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Shape, ValidationError};
use crate::json::Value;
use crate::model::Operation;

/// Model input types that know their shape.
pub trait Schema: Sized {
    /// The shape and its constraints, from the service model.
    const SHAPE: &'static Shape;

    /// Builds the value from JSON that [`Schema::SHAPE`] accepted. Members of another
    /// shape read as their default (they cannot occur after the check).
    fn from_checked_json(value: &Value) -> Self;
}

// Readers for generated `from_checked_json` code: the walker has checked every type.

/// Member `name` of an object, `null` read as absent.
pub(crate) fn member<'v, 'a>(value: &'v Value<'a>, name: &str) -> Option<&'v Value<'a>> {
    value.get(name).filter(|v| !v.is_null())
}

pub(crate) fn str_of<'v>(value: &'v Value<'_>) -> &'v str {
    value.as_str().unwrap_or_default()
}

pub(crate) fn string(value: &Value) -> String {
    String::from(str_of(value))
}

pub(crate) fn integer(value: &Value) -> i32 {
    match value {
        Value::Int(v) => i32::try_from(*v).unwrap_or_default(),
        _ => 0,
    }
}

pub(crate) fn long(value: &Value) -> i64 {
    match value {
        Value::Int(v) => *v,
        _ => 0,
    }
}

pub(crate) fn boolean(value: &Value) -> bool {
    matches!(value, Value::Bool(true))
}

pub(crate) fn list<T>(value: &Value, item: impl Fn(&Value) -> T) -> Vec<T> {
    match value {
        Value::Array(items) => items.iter().map(item).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn map<T>(value: &Value, item: impl Fn(&Value) -> T) -> BTreeMap<String, T> {
    match value {
        Value::Object(entries) => entries
            .iter()
            .map(|(k, v)| (String::from(&**k), item(v)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// Parses `json` as the input of operation `O` and validates it.
///
/// # Errors
/// Every shape problem (wrong type, unknown member, not JSON, a member named twice), or
/// else every validation problem.
pub fn parse_input<O: Operation>(json: &[u8]) -> Result<O::Input, ValidationError> {
    let value = super::check_json(O::NAME, json)?;
    Ok(O::Input::from_checked_json(&value))
}

#[cfg(test)]
mod tests;
