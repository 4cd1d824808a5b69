//! Field values as goal files write them, kept small: numbers and booleans inline,
//! text boxed, arrays and tables as compact JSON text. The history keeps many
//! versions of every field, so no spans or source text are held here.

use std::borrow::Cow;
use std::sync::Arc;
use toml::de::DeValue;

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

/// Text is shared (`Arc`), so the events that carry a value do not copy it.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(Arc<str>),
    /// A TOML date, time or date-time, as written (`2026-11-30`).
    Datetime(Arc<str>),
    /// An array or table, as compact JSON.
    Structured(Arc<str>),
}

/// Numbers compare by value, so rewriting `1` as `1.0` is no change.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        // Integers past 2^53 compare as their nearest float, close enough for goals.
        #[allow(clippy::cast_precision_loss)]
        let as_float = |integer: i64| integer as f64;
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Integer(a), Value::Float(b)) | (Value::Float(b), Value::Integer(a)) => {
                as_float(*a) == *b
            }
            (Value::Text(a), Value::Text(b))
            | (Value::Datetime(a), Value::Datetime(b))
            | (Value::Structured(a), Value::Structured(b)) => a == b,
            _ => false,
        }
    }
}

impl Value {
    pub(crate) fn from_toml(value: &DeValue<'_>) -> Value {
        match value {
            DeValue::String(text) => Value::Text(text.as_ref().into()),
            DeValue::Integer(_) => match integer(value) {
                Some(number) => Value::Integer(number),
                None => Value::Float(float(value)),
            },
            DeValue::Float(_) => Value::Float(float(value)),
            DeValue::Boolean(flag) => Value::Bool(*flag),
            DeValue::Datetime(datetime) => Value::Datetime(datetime.to_string().into()),
            DeValue::Array(_) | DeValue::Table(_) => {
                Value::Structured(toml_to_json(value).to_string().into())
            }
        }
    }

    /// Returns the value in JSON, as in the file: dates become strings, floats that JSON
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

    /// Returns the value for a table cell: text unquoted, numbers without trailing zeros,
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

fn integer(value: &DeValue<'_>) -> Option<i64> {
    let DeValue::Integer(number) = value else {
        return None;
    };
    i64::from_str_radix(number.as_str(), number.radix()).ok()
}

/// Returns a float as TOML writes it (`inf`, `nan` included); an integer too large for i64
/// becomes the nearest float.
fn float(value: &DeValue<'_>) -> f64 {
    match value {
        DeValue::Float(number) => number.as_str().parse().unwrap_or(f64::NAN),
        DeValue::Integer(number) => {
            // Only integers beyond i64 come here, where a float is the closest value.
            #[allow(clippy::cast_precision_loss)]
            let wide = i128::from_str_radix(number.as_str(), number.radix())
                .map_or(f64::NAN, |n| n as f64);
            wide
        }
        _ => f64::NAN,
    }
}

fn toml_to_json(value: &DeValue<'_>) -> serde_json::Value {
    match value {
        DeValue::String(text) => serde_json::Value::from(text.as_ref()),
        DeValue::Integer(_) => match integer(value) {
            Some(number) => serde_json::Value::from(number),
            None => float_json(float(value)),
        },
        DeValue::Float(_) => float_json(float(value)),
        DeValue::Boolean(flag) => serde_json::Value::Bool(*flag),
        DeValue::Datetime(datetime) => serde_json::Value::from(datetime.to_string()),
        DeValue::Array(items) => items
            .iter()
            .map(|item| toml_to_json(item.get_ref()))
            .collect(),
        DeValue::Table(table) => serde_json::Value::Object(
            table
                .iter()
                .map(|(key, value)| (key.get_ref().to_string(), toml_to_json(value.get_ref())))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::de::DeTable;

    fn parse(text: &str) -> Value {
        let table = DeTable::parse(text).unwrap();
        Value::from_toml(table.get_ref()["v"].get_ref())
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
