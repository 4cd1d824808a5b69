//! Field values as goal files write them, kept small: numbers and booleans inline,
//! text boxed, arrays and tables as compact JSON text. The history keeps many
//! versions of every field, so no spans or source text are held here.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A field name: the known names of the goal file format borrow a static string,
/// unknown ones own theirs.
pub(crate) type FieldName = Cow<'static, str>;

const KNOWN_FIELDS: &[&str] = &[
    "title",
    "owner",
    "aligns_to",
    "weight",
    "state",
    "commitment",
    "allow",
    "reason",
    "initiative",
    "kind",
    "start",
    "target",
    "current",
    "unit",
    "confidence",
    "due",
    "checked",
    "notes",
    "done",
    "direction",
    "team",
];

pub(crate) fn field_name(name: &str) -> FieldName {
    match KNOWN_FIELDS.iter().find(|known| **known == name) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(name.to_owned()),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Value {
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(Box<str>),
    /// A TOML date, time or date-time, as written (`2026-11-30`).
    Datetime(Box<str>),
    /// An array or table, as compact JSON.
    Structured(Box<str>),
}

impl Value {
    pub(crate) fn from_toml(value: &toml::Value) -> Value {
        match value {
            toml::Value::String(text) => Value::Text(text.as_str().into()),
            toml::Value::Integer(number) => Value::Integer(*number),
            toml::Value::Float(number) => Value::Float(*number),
            toml::Value::Boolean(flag) => Value::Bool(*flag),
            toml::Value::Datetime(datetime) => Value::Datetime(datetime.to_string().into()),
            toml::Value::Array(_) | toml::Value::Table(_) => {
                Value::Structured(toml_to_json(value).to_string().into())
            }
        }
    }

    /// The value in JSON, as in the file: dates become strings, floats that JSON
    /// cannot hold (inf, nan) become their TOML spelling.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Bool(flag) => serde_json::Value::Bool(*flag),
            Value::Integer(number) => serde_json::Value::from(*number),
            Value::Float(number) => float_json(*number),
            Value::Text(text) | Value::Datetime(text) => serde_json::Value::from(&**text),
            // The text was written by `toml_to_json`, so it parses.
            Value::Structured(json) => serde_json::from_str(json).unwrap_or_default(),
        }
    }

    pub(crate) fn as_number(&self) -> Option<f64> {
        match self {
            // Goal file numbers are far below 2^53, where the conversion is exact.
            #[allow(clippy::cast_precision_loss)]
            Value::Integer(number) => Some(*number as f64),
            Value::Float(number) => Some(*number),
            _ => None,
        }
    }

    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value for a table cell: text unquoted, numbers without trailing zeros,
    /// arrays and tables as JSON.
    pub(crate) fn display(&self) -> String {
        match self {
            Value::Bool(flag) => flag.to_string(),
            Value::Integer(number) => number.to_string(),
            Value::Float(number) => number.to_string(),
            Value::Text(text) | Value::Datetime(text) | Value::Structured(text) => text.to_string(),
        }
    }
}

fn float_json(number: f64) -> serde_json::Value {
    match serde_json::Number::from_f64(number) {
        Some(json) => serde_json::Value::Number(json),
        None if number.is_nan() => serde_json::Value::from("nan"),
        None if number > 0.0 => serde_json::Value::from("inf"),
        None => serde_json::Value::from("-inf"),
    }
}

fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(text) => serde_json::Value::from(text.as_str()),
        toml::Value::Integer(number) => serde_json::Value::from(*number),
        toml::Value::Float(number) => float_json(*number),
        toml::Value::Boolean(flag) => serde_json::Value::Bool(*flag),
        toml::Value::Datetime(datetime) => serde_json::Value::from(datetime.to_string()),
        toml::Value::Array(items) => items.iter().map(toml_to_json).collect(),
        toml::Value::Table(table) => serde_json::Value::Object(
            table
                .iter()
                .map(|(key, value)| (key.clone(), toml_to_json(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Value {
        let table: toml::Table = text.parse().unwrap();
        Value::from_toml(&table["v"])
    }

    #[test]
    fn values_keep_their_file_form() {
        assert_eq!(parse("v = 40").to_json(), serde_json::json!(40));
        assert_eq!(parse("v = 99.95").to_json(), serde_json::json!(99.95));
        assert_eq!(
            parse("v = 2026-11-30").to_json(),
            serde_json::json!("2026-11-30")
        );
        assert_eq!(
            parse("v = [{ date = 2026-11-30, text = \"x\" }]").to_json(),
            serde_json::json!([{ "date": "2026-11-30", "text": "x" }])
        );
        assert_eq!(parse("v = inf").to_json(), serde_json::json!("inf"));
    }

    #[test]
    fn display_drops_trailing_zeros() {
        assert_eq!(parse("v = 40.0").display(), "40");
        assert_eq!(parse("v = \"bob\"").display(), "bob");
    }

    #[test]
    fn known_field_names_are_borrowed() {
        assert!(matches!(field_name("current"), Cow::Borrowed(_)));
        assert!(matches!(field_name("custom"), Cow::Owned(_)));
    }
}
