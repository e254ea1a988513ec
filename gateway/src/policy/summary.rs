//! A one-screen summary of the schema for `make check-policy`: each entity's
//! attributes and each action's resource and context attributes (`?` marks optional
//! ones), read from [`super::SCHEMA_JSON`] so it always shows what the gateway loads.

use serde_json::{Map, Value};

use super::{PolicyError, SCHEMA_JSON};

fn type_text(ty: &Value, common: &Map<String, Value>) -> String {
    match ty["type"].as_str() {
        Some("Set") => format!("Set<{}>", type_text(&ty["element"], common)),
        Some("Record") => format!("{{{}}}", attributes_text(&ty["attributes"], common)),
        Some("Entity" | "EntityOrCommon" | "Extension") => {
            ty["name"].as_str().unwrap_or("?").to_owned()
        }
        Some(other) => other.to_owned(),
        None => "?".to_owned(),
    }
}

fn attributes_text(attributes: &Value, common: &Map<String, Value>) -> String {
    let Some(attributes) = attributes.as_object() else {
        return String::new();
    };
    attributes
        .iter()
        .map(|(name, ty)| {
            let optional = if ty["required"] == Value::Bool(false) {
                "?"
            } else {
                ""
            };
            format!("{name}{optional}: {}", type_text(ty, common))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The summary, one line per entity type with attributes and per action.
///
/// # Errors
/// Only if the shipped JSON schema is broken.
pub fn schema_summary() -> Result<String, PolicyError> {
    let schema: Value =
        serde_json::from_str(SCHEMA_JSON).map_err(|e| PolicyError::Schema(e.to_string()))?;
    let namespace = &schema[""];
    let empty = Map::new();
    let common = namespace["commonTypes"].as_object().unwrap_or(&empty);
    let mut lines = Vec::new();
    for (name, entity) in namespace["entityTypes"].as_object().unwrap_or(&empty) {
        let attributes = attributes_text(&entity["shape"]["attributes"], common);
        if !attributes.is_empty() {
            lines.push(format!("entity {name}: {attributes}"));
        }
    }
    for (name, action) in namespace["actions"].as_object().unwrap_or(&empty) {
        let applies = &action["appliesTo"];
        let resources: Vec<&str> = applies["resourceTypes"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if resources.is_empty() {
            // An action group.
            continue;
        }
        let context = applies["context"]["type"]
            .as_str()
            .and_then(|t| common.get(t))
            .map(|t| attributes_text(&t["attributes"], common))
            .unwrap_or_default();
        lines.push(format!(
            "action {name} on {}: context {{{context}}}",
            resources.join("|")
        ));
    }
    Ok(lines.join("\n"))
}
