//! Field values as goal files write them, and the packed form the history keeps them
//! in. A history contains millions of values, so an item's fields and an event's
//! changes are one byte string each (`Packed`), with no allocation per value and no
//! spans or source text. Readers get `Value`s that borrow from those bytes.

use toml::de::DeValue;

/// The field names of the goal file format, packed as their index. Other names are
/// packed as text.
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
/// The name byte that marks a field name written out as text.
const OTHER_FIELD: u8 = u8::MAX;

/// A field value, borrowed from packed bytes or from a parsed file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(&'a str),
    /// A TOML date, time or date-time, as written (`2026-11-30`).
    Datetime(&'a str),
    /// An array or table, as compact JSON.
    Structured(&'a str),
}

/// Numbers compare by value, so rewriting `1` as `1.0` is no change.
impl PartialEq for Value<'_> {
    fn eq(&self, other: &Value<'_>) -> bool {
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

impl<'a> Value<'a> {
    /// True when a field holding `self` and then `other` did not change. Unlike `==`,
    /// a NaN is the same as a NaN, so a file's NaN field does not read as changed at
    /// every commit that touches the file.
    pub(crate) fn same(self, other: Value<'_>) -> bool {
        self == other
            || matches!((self, other), (Value::Float(a), Value::Float(b)) if a.is_nan() && b.is_nan())
    }

    /// Returns the value in JSON, as in the file: dates become strings, floats that JSON
    /// cannot hold (inf, nan) become their TOML spelling.
    pub(crate) fn to_json(self) -> serde_json::Value {
        match self {
            Value::Bool(flag) => serde_json::Value::Bool(flag),
            Value::Integer(number) => serde_json::Value::from(number),
            Value::Float(number) => float_json(number),
            Value::Text(text) | Value::Datetime(text) => serde_json::Value::from(text),
            // The text was written by `toml_to_json`, so it parses.
            Value::Structured(json) => serde_json::from_str(json).unwrap_or_default(),
        }
    }

    pub(crate) fn as_number(self) -> Option<f64> {
        match self {
            // Goal file numbers are far below 2^53, where the conversion is exact.
            #[allow(clippy::cast_precision_loss)]
            Value::Integer(number) => Some(number as f64),
            Value::Float(number) => Some(number),
            _ => None,
        }
    }

    pub(crate) fn as_text(self) -> Option<&'a str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    /// Returns the value for a table cell: text unquoted, numbers without trailing zeros,
    /// arrays and tables as JSON.
    pub(crate) fn display(self) -> String {
        match self {
            Value::Bool(flag) => flag.to_string(),
            Value::Integer(number) => number.to_string(),
            Value::Float(number) => number.to_string(),
            Value::Text(text) | Value::Datetime(text) | Value::Structured(text) => text.to_owned(),
        }
    }
}

/// Values packed into one byte string, with `Packer` to write and `Unpacker` to read.
/// Each field name is one byte (its index in `KNOWN_FIELDS`), or `OTHER_FIELD` and a
/// text. Each value is a tag byte (0 none, 1 false, 2 true, 3 integer, 4 float, 5 text,
/// 6 date-time, 7 array or table as JSON), then 8 bytes for a number or a text. A
/// text is a u32 byte length and UTF-8 bytes. Integers are little-endian.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Packed(Box<[u8]>);

impl Packed {
    pub(crate) fn unpack(&self) -> Unpacker<'_> {
        Unpacker {
            bytes: &self.0,
            position: 0,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// True when `bytes` are whole changes as `ItemEvent` packs them: a field name
    /// and two optional values each, and nothing else.
    /// Text is checked as UTF-8 when it is read, not here.
    pub(crate) fn holds_changes(bytes: &[u8]) -> bool {
        let mut reader = Unpacker { bytes, position: 0 };
        while reader.position < bytes.len() {
            let whole = reader.skip_name().is_some()
                && reader.skip_value().is_some()
                && reader.skip_value().is_some();
            if !whole {
                return false;
            }
        }
        true
    }

    /// Copies packed changes read from a file, when they are well formed.
    pub(crate) fn changes_from(bytes: &[u8]) -> Option<Packed> {
        Packed::holds_changes(bytes).then(|| Packed(bytes.into()))
    }
}

#[derive(Debug, Default)]
pub(crate) struct Packer(Vec<u8>);

impl Packer {
    pub(crate) fn name(&mut self, name: &str) {
        match KNOWN_FIELDS.iter().position(|known| *known == name) {
            // Fewer than 255 names, so the index fits and differs from OTHER_FIELD.
            #[allow(clippy::cast_possible_truncation)]
            Some(index) => self.0.push(index as u8),
            None => {
                self.0.push(OTHER_FIELD);
                self.text(name);
            }
        }
    }

    pub(crate) fn value(&mut self, value: Option<Value<'_>>) {
        match value {
            None => self.0.push(0),
            Some(Value::Bool(flag)) => self.0.push(if flag { 2 } else { 1 }),
            Some(Value::Integer(number)) => {
                self.0.push(3);
                self.0.extend_from_slice(&number.to_le_bytes());
            }
            Some(Value::Float(number)) => {
                self.0.push(4);
                self.0.extend_from_slice(&number.to_bits().to_le_bytes());
            }
            Some(Value::Text(text)) => self.tagged_text(5, text),
            Some(Value::Datetime(text)) => self.tagged_text(6, text),
            Some(Value::Structured(text)) => self.tagged_text(7, text),
        }
    }

    /// Packs a value read by the TOML parser.
    pub(crate) fn toml_value(&mut self, value: &DeValue<'_>) {
        match value {
            DeValue::String(text) => self.value(Some(Value::Text(text))),
            DeValue::Integer(_) => match integer(value) {
                Some(number) => self.value(Some(Value::Integer(number))),
                None => self.value(Some(Value::Float(float(value)))),
            },
            DeValue::Float(_) => self.value(Some(Value::Float(float(value)))),
            DeValue::Boolean(flag) => self.value(Some(Value::Bool(*flag))),
            DeValue::Datetime(datetime) => {
                self.value(Some(Value::Datetime(&datetime.to_string())));
            }
            DeValue::Array(_) | DeValue::Table(_) => {
                self.value(Some(Value::Structured(&toml_to_json(value).to_string())));
            }
        }
    }

    fn tagged_text(&mut self, tag: u8, text: &str) {
        self.0.push(tag);
        self.text(text);
    }

    fn text(&mut self, text: &str) {
        // Goal files are far below 4 GiB. A longer text is cut rather than misread.
        let length = u32::try_from(text.len()).unwrap_or(u32::MAX);
        self.0.extend_from_slice(&length.to_le_bytes());
        self.0
            .extend_from_slice(&text.as_bytes()[..length as usize]);
    }

    pub(crate) fn finish(self) -> Packed {
        Packed(self.0.into_boxed_slice())
    }
}

/// Reads packed bytes in the order they were written. The bytes come from a `Packer`
/// or passed `Packed::holds_changes`. Reading past the end or invalid UTF-8 gives `None`.
pub(crate) struct Unpacker<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Unpacker<'a> {
    pub(crate) fn name(&mut self) -> Option<&'a str> {
        let byte = self.byte()?;
        if byte == OTHER_FIELD {
            self.text()
        } else {
            KNOWN_FIELDS.get(usize::from(byte)).copied()
        }
    }

    /// Reads an optional value: the outer `None` is the end of the bytes, the inner
    /// one a missing value.
    pub(crate) fn value(&mut self) -> Option<Option<Value<'a>>> {
        Some(Some(match self.byte()? {
            0 => return Some(None),
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Integer(i64::from_le_bytes(self.array()?)),
            4 => Value::Float(f64::from_bits(u64::from_le_bytes(self.array()?))),
            5 => Value::Text(self.text()?),
            6 => Value::Datetime(self.text()?),
            7 => Value::Structured(self.text()?),
            _ => return None,
        }))
    }

    /// Moves past one field name without reading it.
    fn skip_name(&mut self) -> Option<()> {
        match self.byte()? {
            OTHER_FIELD => self.skip_text(),
            index => (usize::from(index) < KNOWN_FIELDS.len()).then_some(()),
        }
    }

    fn skip_text(&mut self) -> Option<()> {
        let length = u32::from_le_bytes(self.array()?) as usize;
        let end = self.position.checked_add(length)?;
        (end <= self.bytes.len()).then(|| self.position = end)
    }

    /// Moves past one optional value without reading its text, for a reader that
    /// looks for one field. `None` at the end of the bytes.
    pub(crate) fn skip_value(&mut self) -> Option<()> {
        match self.byte()? {
            0..=2 => Some(()),
            3 | 4 => self.array::<8>().map(|_| ()),
            5..=7 => self.skip_text(),
            _ => None,
        }
    }

    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.position)?;
        self.position += 1;
        Some(byte)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let end = self.position.checked_add(N)?;
        let array = self.bytes.get(self.position..end)?.try_into().ok()?;
        self.position = end;
        Some(array)
    }

    fn text(&mut self) -> Option<&'a str> {
        let length = u32::from_le_bytes(self.array()?) as usize;
        let end = self.position.checked_add(length)?;
        let bytes = self.bytes.get(self.position..end)?;
        self.position = end;
        std::str::from_utf8(bytes).ok()
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

    fn parse(text: &str) -> Packed {
        let table = DeTable::parse(text).unwrap();
        let mut packer = Packer::default();
        packer.toml_value(table.get_ref()["v"].get_ref());
        packer.finish()
    }

    fn json(text: &str) -> serde_json::Value {
        parse(text).unpack().value().unwrap().unwrap().to_json()
    }

    #[test]
    fn values_keep_their_file_form() {
        assert_eq!(json("v = 40"), serde_json::json!(40));
        assert_eq!(json("v = 99.95"), serde_json::json!(99.95));
        assert_eq!(json("v = 2026-11-30"), serde_json::json!("2026-11-30"));
        assert_eq!(
            json("v = [{ date = 2026-11-30, text = \"x\" }]"),
            serde_json::json!([{ "date": "2026-11-30", "text": "x" }])
        );
        assert_eq!(json("v = inf"), serde_json::json!("inf"));
    }

    #[test]
    fn display_drops_trailing_zeros() {
        let displayed = |text: &str| parse(text).unpack().value().unwrap().unwrap().display();
        assert_eq!(displayed("v = 40.0"), "40");
        assert_eq!(displayed("v = \"bob\""), "bob");
    }

    #[test]
    fn names_and_values_read_back_as_written() {
        let mut packer = Packer::default();
        packer.name("current");
        packer.value(Some(Value::Integer(-40)));
        packer.name("custom");
        packer.value(None);
        packer.name("notes");
        packer.value(Some(Value::Text("ünïcode")));
        let packed = packer.finish();
        let mut reader = packed.unpack();
        assert_eq!(reader.name(), Some("current"));
        assert_eq!(reader.value(), Some(Some(Value::Integer(-40))));
        assert_eq!(reader.name(), Some("custom"));
        assert_eq!(reader.value(), Some(None));
        assert_eq!(reader.name(), Some("notes"));
        assert_eq!(reader.value(), Some(Some(Value::Text("ünïcode"))));
        assert_eq!(reader.name(), None);
    }

    #[test]
    fn only_whole_changes_are_read_from_a_file() {
        let mut packer = Packer::default();
        packer.name("current");
        packer.value(Some(Value::Integer(40)));
        packer.value(Some(Value::Text("55")));
        let whole = packer.finish();
        assert!(Packed::changes_from(whole.as_bytes()).is_some());
        let bytes = whole.as_bytes();
        for cut in 1..bytes.len() {
            assert!(
                Packed::changes_from(&bytes[..cut]).is_none(),
                "cut at {cut}"
            );
        }
        let mut bad_tag = bytes.to_vec();
        bad_tag[1] = 9;
        assert!(Packed::changes_from(&bad_tag).is_none());
        let mut unknown_name = bytes.to_vec();
        unknown_name[0] = 200;
        assert!(Packed::changes_from(&unknown_name).is_none());
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(Value::Integer(1), Value::Float(1.0));
        assert_ne!(Value::Text("1"), Value::Integer(1));
    }
}
