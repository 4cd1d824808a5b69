//! Reads one past version of a goal file (a blob) into the items it contains and their
//! fields. This is a lighter read than the loader's: no spans, no validation beyond
//! what identifies an item (period, objective id, key result id).

use super::value::{FieldName, Value, field_name};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Blobs parsed by this process, reported by `--verbose` so tests can check that
/// each distinct blob is parsed once.
static BLOBS_PARSED: AtomicUsize = AtomicUsize::new(0);

pub(crate) fn blobs_parsed() -> usize {
    BLOBS_PARSED.load(Ordering::Relaxed)
}

/// One version of a goal file.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    /// The `period` field; `None` when missing or not a string.
    pub(crate) period: Option<Arc<str>>,
    /// The `team` field; without it the team is the file's stem, which depends on
    /// the path the blob is found at.
    pub(crate) team: Option<Arc<str>>,
    pub(crate) items: Vec<ParsedItem>,
}

/// An objective (`key_result` is `None`) or a key result, with its own fields in
/// file order. An objective's fields leave out its key results.
#[derive(Debug)]
pub(crate) struct ParsedItem {
    pub(crate) objective: Arc<str>,
    pub(crate) key_result: Option<Arc<str>>,
    pub(crate) fields: Box<[(FieldName, Value)]>,
}

/// Parses a goal file blob; the error is a one-line message. Reads with the same
/// borrowing TOML parser as the loader, converting only the values it keeps.
pub(crate) fn parse_goal_file(bytes: &[u8]) -> Result<ParsedFile, String> {
    BLOBS_PARSED.fetch_add(1, Ordering::Relaxed);
    let text = std::str::from_utf8(bytes).map_err(|error| {
        format!(
            "not valid UTF-8 (first bad byte at offset {})",
            error.valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let document = DeTable::parse(text).map_err(|error| {
        let message = error.message().lines().next().unwrap_or("").to_owned();
        format!("invalid TOML: {message}")
    })?;
    let table = document.get_ref();
    let period = table
        .get("period")
        .and_then(|value| value.get_ref().as_str())
        .map(Arc::from);
    let team = table
        .get("team")
        .and_then(|value| value.get_ref().as_str())
        .map(Arc::from);
    let mut items = Vec::new();
    for objective in tables(table.get("objective")) {
        let Some(id) = item_id(objective) else {
            continue;
        };
        let objective_id: Arc<str> = Arc::from(id);
        items.push(ParsedItem {
            objective: Arc::clone(&objective_id),
            key_result: None,
            fields: own_fields(objective, &["id", "key_result"]),
        });
        for key_result in tables(objective.get("key_result")) {
            let Some(id) = item_id(key_result) else {
                continue;
            };
            items.push(ParsedItem {
                objective: Arc::clone(&objective_id),
                key_result: Some(Arc::from(id)),
                fields: own_fields(key_result, &["id"]),
            });
        }
    }
    Ok(ParsedFile {
        period,
        team,
        items,
    })
}

/// Returns the tables of an array of tables, and none for any other value.
fn tables<'t, 'i>(
    value: Option<&'t Spanned<DeValue<'i>>>,
) -> impl Iterator<Item = &'t DeTable<'i>> {
    value
        .and_then(|value| value.get_ref().as_array())
        .into_iter()
        .flatten()
        .filter_map(|item| item.get_ref().as_table())
}

fn item_id<'t>(table: &'t DeTable<'_>) -> Option<&'t str> {
    table
        .get("id")
        .and_then(|value| value.get_ref().as_str())
        .filter(|id| !id.is_empty())
}

fn own_fields(table: &DeTable<'_>, skip: &[&str]) -> Box<[(FieldName, Value)]> {
    table
        .iter()
        .filter(|(name, _)| !skip.contains(&name.get_ref().as_ref()))
        .map(|(name, value)| {
            (
                field_name(name.get_ref()),
                Value::from_toml(value.get_ref()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_carry_their_own_fields() {
        let file = parse_goal_file(
            br#"period = "2026-Q4"
[[objective]]
id = "fast"
title = "Pages load fast"
[[objective.key_result]]
id = "p99"
target = 300
current = 410
"#,
        )
        .unwrap();
        assert_eq!(file.period.as_deref(), Some("2026-Q4"));
        assert_eq!(file.items.len(), 2);
        let objective = &file.items[0];
        assert_eq!(objective.fields.len(), 1);
        assert_eq!(objective.fields[0].0, "title");
        let key_result = &file.items[1];
        assert_eq!(key_result.key_result.as_deref(), Some("p99"));
        assert_eq!(
            key_result.fields[1],
            ("current".into(), Value::Integer(410))
        );
    }

    #[test]
    fn invalid_toml_is_a_message() {
        let error = parse_goal_file(b"period = ").unwrap_err();
        assert!(error.starts_with("invalid TOML"), "{error}");
        let error = parse_goal_file(b"period = \"\xff\"").unwrap_err();
        assert!(error.contains("UTF-8"), "{error}");
    }

    #[test]
    fn items_without_an_id_are_left_out() {
        let file = parse_goal_file(b"period = \"2026\"\n[[objective]]\ntitle = \"x\"\n").unwrap();
        assert!(file.items.is_empty());
    }
}
