//! Reads one past version of a goal file (a blob) into the items it contains and their
//! fields. This is a lighter read than the loader's: no spans, no validation beyond
//! what identifies an item (period, objective id, key result id).
//!
//! Most commits change one or two key results of a file, so a file in the usual
//! layout is read section by section: the top-level keys, then each `[[objective]]`
//! and `[[objective.key_result]]` section on its own. A section whose text is
//! unchanged from the file's previous version keeps that version's parsed item, and
//! only the changed sections are parsed. `sections` lists when a file qualifies.

use super::value::{Packed, Packer, Value};
use foldhash::HashMap;
use std::ops::Range;
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
    /// Shared with the file's next version where the item's section is unchanged.
    pub(crate) items: Vec<Arc<ParsedItem>>,
    /// The text and its sections, when the file was read section by section.
    sections: Option<Sections>,
}

/// A file's text cut into sections, each known by a hash of its text, with the item
/// each section gave. Hashes in place of the text keep a large tree's latest
/// versions small.
#[derive(Debug)]
struct Sections {
    /// The text before the first `[[objective]]`.
    top: TextHash,
    /// Each `[[objective]]` or `[[objective.key_result]]` section, in file order,
    /// with its item (`None` for one without an id, or under an objective without one).
    parts: Vec<(TextHash, Option<Arc<ParsedItem>>)>,
}

/// A 128-bit hash of a section's text: two 64-bit hashes with different fixed seeds.
/// Two different texts of one file share it with a chance of about 2^-128.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct TextHash(u64, u64);

impl TextHash {
    fn of(text: &str) -> TextHash {
        use std::hash::BuildHasher;
        let seeded = |seed| foldhash::quality::FixedState::with_seed(seed).hash_one(text);
        TextHash(seeded(0x6f6b_7220_6869_7374), seeded(0x7365_6374_696f_6e73))
    }
}

/// An objective (`key_result` is `None`) or a key result, with its own fields in
/// file order. An objective's fields leave out its key results.
#[derive(Debug)]
pub(crate) struct ParsedItem {
    pub(crate) objective: Arc<str>,
    pub(crate) key_result: Option<Arc<str>>,
    fields: Packed,
}

impl ParsedItem {
    /// Returns the item's own fields in file order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&str, Value<'_>)> {
        let mut reader = self.fields.unpack();
        std::iter::from_fn(move || Some((reader.name()?, reader.value()??)))
    }

    /// Returns the packed fields: a field name and a value each.
    pub(crate) fn packed_fields(&self) -> &Packed {
        &self.fields
    }

    /// Returns the value of one field, reading only that field's value.
    pub(crate) fn field(&self, name: &str) -> Option<Value<'_>> {
        let mut reader = self.fields.unpack();
        loop {
            if reader.name()? == name {
                return reader.value()?;
            }
            reader.skip_value()?;
        }
    }
}

/// Parses a goal file blob; the error is a one-line message. Reads with the same
/// borrowing TOML parser as the loader, converting only the values it keeps.
pub(crate) fn parse_goal_file(bytes: &[u8]) -> Result<ParsedFile, String> {
    parse_goal_file_after(bytes, None)
}

/// Parses a goal file blob like `parse_goal_file`, reusing the items of `previous`
/// (an earlier version of the same file) whose section text is unchanged.
pub(crate) fn parse_goal_file_after(
    bytes: &[u8],
    previous: Option<&ParsedFile>,
) -> Result<ParsedFile, String> {
    BLOBS_PARSED.fetch_add(1, Ordering::Relaxed);
    let text = std::str::from_utf8(bytes).map_err(|error| {
        format!(
            "not valid UTF-8 (first bad byte at offset {})",
            error.valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(file) = parse_by_section(text, previous) {
        return Ok(file);
    }
    parse_whole(text)
}

/// Parses the whole text as one document: the path for files not in the usual
/// layout, and for invalid files, so that errors read the same either way.
fn parse_whole(text: &str) -> Result<ParsedFile, String> {
    let document = DeTable::parse(text).map_err(|error| {
        let (_, message) = crate::toml_tree::key_limit::located(text, &error);
        format!("invalid TOML: {}", message.lines().next().unwrap_or(""))
    })?;
    let table = document.get_ref();
    let (period, team) = period_and_team(table);
    let mut items = Vec::new();
    for objective in tables(table.get("objective")) {
        let Some(id) = item_id(objective) else {
            continue;
        };
        let objective_id: Arc<str> = Arc::from(id);
        items.push(Arc::new(objective_item(&objective_id, objective)));
        for key_result in tables(objective.get("key_result")) {
            if let Some(item) = key_result_item(&objective_id, key_result) {
                items.push(Arc::new(item));
            }
        }
    }
    Ok(ParsedFile {
        period,
        team,
        items,
        sections: None,
    })
}

fn period_and_team(table: &DeTable<'_>) -> (Option<Arc<str>>, Option<Arc<str>>) {
    let text = |key: &str| {
        table
            .get(key)
            .and_then(|value| value.get_ref().as_str())
            .map(Arc::from)
    };
    (text("period"), text("team"))
}

fn objective_item(id: &Arc<str>, objective: &DeTable<'_>) -> ParsedItem {
    ParsedItem {
        objective: Arc::clone(id),
        key_result: None,
        fields: own_fields(objective, &["id", "key_result"]),
    }
}

fn key_result_item(objective: &Arc<str>, key_result: &DeTable<'_>) -> Option<ParsedItem> {
    let id = item_id(key_result)?;
    Some(ParsedItem {
        objective: Arc::clone(objective),
        key_result: Some(Arc::from(id)),
        fields: own_fields(key_result, &["id"]),
    })
}

/// A section's place in the text, and whether it is a key result (else an objective).
type SectionRange = (Range<usize>, bool);

/// Cuts `text` into its top-level part and its item sections, or returns `None`
/// when reading the sections one by one could differ from reading the whole file.
/// A file qualifies when it has no multi-line string (whose lines could look like
/// headers), every line that starts with `[` is exactly one of the two array
/// headers, and no key result header comes before the first objective header.
/// `parse_by_section` checks the rest, on the parsed sections.
fn sections(text: &str) -> Option<(Range<usize>, Vec<SectionRange>)> {
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, b"\"\"\"").is_some()
        || memchr::memmem::find(bytes, b"'''").is_some()
    {
        return None;
    }
    let mut top_end = text.len();
    // (start, is a key result) of each section, in order.
    let mut starts: Vec<(usize, bool)> = Vec::new();
    let line_starts =
        std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|end| end + 1));
    for start in line_starts {
        let rest = &bytes[start..];
        let indent = rest
            .iter()
            .take_while(|byte| matches!(byte, b' ' | b'\t'))
            .count();
        if rest.get(indent) != Some(&b'[') {
            continue;
        }
        let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
        let is_key_result = match line {
            b"[[objective]]" => false,
            b"[[objective.key_result]]" if !starts.is_empty() => true,
            _ => return None,
        };
        if starts.is_empty() {
            top_end = start;
        }
        starts.push((start, is_key_result));
    }
    let parts = starts
        .iter()
        .enumerate()
        .map(|(index, (start, is_key_result))| {
            let end = starts.get(index + 1).map_or(text.len(), |next| next.0);
            (*start..end, *is_key_result)
        })
        .collect();
    Some((0..top_end, parts))
}

/// Reads a file section by section, reusing `previous`'s items for unchanged
/// sections. Returns `None` when the file does not qualify or a section does not
/// parse alone, and the caller then parses the whole file.
fn parse_by_section(text: &str, previous: Option<&ParsedFile>) -> Option<ParsedFile> {
    let (top, parts) = sections(text)?;
    let top_hash = TextHash::of(&text[top.clone()]);
    let old_sections = previous.and_then(|file| file.sections.as_ref());
    let (period, team) = match (previous, old_sections) {
        (Some(file), Some(old)) if old.top == top_hash => (file.period.clone(), file.team.clone()),
        _ => {
            let document = DeTable::parse(&text[top.clone()]).ok()?;
            let table = document.get_ref();
            // `objective = …` at the top would clash with the array of tables.
            if table.contains_key("objective") {
                return None;
            }
            period_and_team(table)
        }
    };
    let mut finder = PreviousSections {
        previous: old_sections,
        by_text: None,
    };
    let mut items = Vec::new();
    let mut section_items = Vec::with_capacity(parts.len());
    // The id of the objective that the key results read next belong to.
    let mut objective: Option<Arc<str>> = None;
    for (index, (range, is_key_result)) in parts.into_iter().enumerate() {
        let section = &text[range];
        let hash = TextHash::of(section);
        let reused = finder.find(index, hash).filter(|item| {
            !is_key_result || objective.as_ref().is_some_and(|id| *id == item.objective)
        });
        let item = match reused {
            Some(item) => Some(item),
            None if is_key_result => {
                parse_key_result_section(objective.as_ref(), section)?.map(Arc::new)
            }
            None => parse_objective_section(section)?.map(Arc::new),
        };
        if !is_key_result {
            objective = item.as_ref().map(|item| Arc::clone(&item.objective));
        }
        if let Some(item) = &item {
            items.push(Arc::clone(item));
        }
        section_items.push((hash, item));
    }
    Some(ParsedFile {
        period,
        team,
        items,
        sections: Some(Sections {
            top: top_hash,
            parts: section_items,
        }),
    })
}

/// Finds the item an earlier version's section of the same text gave: first at the
/// same position, then anywhere (for files where a section was added or removed).
struct PreviousSections<'p> {
    previous: Option<&'p Sections>,
    by_text: Option<HashMap<TextHash, &'p Arc<ParsedItem>>>,
}

impl PreviousSections<'_> {
    fn find(&mut self, index: usize, section: TextHash) -> Option<Arc<ParsedItem>> {
        let old = self.previous?;
        if let Some((hash, Some(item))) = old.parts.get(index)
            && *hash == section
        {
            return Some(Arc::clone(item));
        }
        let by_text = self.by_text.get_or_insert_with(|| {
            old.parts
                .iter()
                .filter_map(|(hash, item)| Some((*hash, item.as_ref()?)))
                .collect()
        });
        by_text.get(&section).map(|item| Arc::clone(item))
    }
}

/// Parses one `[[objective]]` section alone. The outer `None` means the section is
/// not one objective table without key results (or is invalid); the inner `None`
/// means the objective has no id, so it and its key results give no items.
fn parse_objective_section(section: &str) -> Option<Option<ParsedItem>> {
    let document = DeTable::parse(section).ok()?;
    let objective = single_table(document.get_ref(), "objective")?;
    if objective.contains_key("key_result") {
        return None;
    }
    let Some(id) = item_id(objective) else {
        return Some(None);
    };
    Some(Some(objective_item(&Arc::from(id), objective)))
}

/// Parses one `[[objective.key_result]]` section alone, for the objective `objective`
/// (`None` when that objective has no id). The outer `None` means the section is not
/// one key result table (or is invalid); the inner `None` means it gives no item.
fn parse_key_result_section(
    objective: Option<&Arc<str>>,
    section: &str,
) -> Option<Option<ParsedItem>> {
    let document = DeTable::parse(section).ok()?;
    let table = document.get_ref();
    if table.len() != 1 {
        return None;
    }
    let parent = table.get("objective")?.get_ref().as_table()?;
    let key_result = single_table(parent, "key_result")?;
    Some(objective.and_then(|id| key_result_item(id, key_result)))
}

/// Returns the one table of `table`'s only key `key`, an array holding one table.
fn single_table<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t DeTable<'i>> {
    if table.len() != 1 {
        return None;
    }
    match table.get(key)?.get_ref().as_array()?.as_ref() {
        [only] => only.get_ref().as_table(),
        _ => None,
    }
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

fn own_fields(table: &DeTable<'_>, skip: &[&str]) -> Packed {
    let mut packer = Packer::default();
    for (name, value) in table.iter() {
        let name: &str = name.get_ref();
        if !skip.contains(&name) {
            packer.name(name);
            packer.toml_value(value.get_ref());
        }
    }
    packer.finish()
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
        let names: Vec<&str> = objective.fields().map(|(name, _)| name).collect();
        assert_eq!(names, ["title"]);
        let key_result = &file.items[1];
        assert_eq!(key_result.key_result.as_deref(), Some("p99"));
        assert_eq!(
            key_result.fields().nth(1),
            Some(("current", Value::Integer(410)))
        );
    }

    #[test]
    fn invalid_toml_is_a_message() {
        let error = parse_goal_file(b"period = ").unwrap_err();
        assert!(error.starts_with("invalid TOML"), "{error}");
        let error = parse_goal_file(b"period = \"\xff\"").unwrap_err();
        assert!(error.contains("UTF-8"), "{error}");
    }

    const TWO_KEY_RESULTS: &str = "period = \"2026-Q4\"\nteam = \"growth\"\n\
        [[objective]]\nid = \"o\"\ntitle = \"T\"\n\
        [[objective.key_result]]\nid = \"a\"\ncurrent = 1\n\
        [[objective.key_result]]\nid = \"b\"\ncurrent = 2\n";

    /// Returns each item as (objective, key result, fields) for comparing parses.
    fn summary(file: &ParsedFile) -> Vec<(String, Option<String>, String)> {
        file.items
            .iter()
            .map(|item| {
                (
                    item.objective.to_string(),
                    item.key_result.as_deref().map(str::to_owned),
                    format!("{:?}", item.fields),
                )
            })
            .collect()
    }

    #[test]
    fn sections_read_like_the_whole_file() {
        let texts = [
            TWO_KEY_RESULTS.to_owned(),
            TWO_KEY_RESULTS.replace("id = \"o\"\n", ""),
            TWO_KEY_RESULTS.replace("id = \"a\"\n", "id = \"\"\n"),
            TWO_KEY_RESULTS.replace("current = 2", "current = 2\nnotes = [\n  1,\n  2,\n]"),
            format!("{TWO_KEY_RESULTS}[[objective]]\nid = \"p\"\n"),
            "period = \"2026-Q4\"\n".to_owned(),
        ];
        for text in &texts {
            let whole = parse_whole(text).unwrap();
            let by_section = parse_by_section(text, None)
                .unwrap_or_else(|| panic!("not read by section:\n{text}"));
            assert_eq!(summary(&by_section), summary(&whole), "{text}");
            assert_eq!(by_section.period, whole.period);
            assert_eq!(by_section.team, whole.team);
        }
    }

    #[test]
    fn unusual_layouts_are_read_whole() {
        let texts = [
            TWO_KEY_RESULTS.replace("title = \"T\"", "title = \"\"\"\nT\n\"\"\""),
            TWO_KEY_RESULTS.replace(
                "current = 2",
                "current = 2\n[objective.key_result.meta]\nx = 1",
            ),
            TWO_KEY_RESULTS.replace("[[objective]]", "  [[objective]]"),
            TWO_KEY_RESULTS.replace("[[objective]]", "[[objective]] # first"),
            TWO_KEY_RESULTS.replace("title = \"T\"", "key_result = []"),
            format!("objective = []\n{TWO_KEY_RESULTS}"),
            "[[objective.key_result]]\nid = \"a\"\n".to_owned(),
        ];
        for text in &texts {
            assert!(parse_by_section(text, None).is_none(), "{text}");
        }
    }

    #[test]
    fn unchanged_sections_share_their_items() {
        let before = parse_goal_file(TWO_KEY_RESULTS.as_bytes()).unwrap();
        let text = TWO_KEY_RESULTS.replace("current = 2", "current = 3");
        let after = parse_goal_file_after(text.as_bytes(), Some(&before)).unwrap();
        assert_eq!(summary(&after), summary(&parse_whole(&text).unwrap()));
        assert!(Arc::ptr_eq(&before.items[0], &after.items[0]));
        assert!(Arc::ptr_eq(&before.items[1], &after.items[1]));
        assert!(!Arc::ptr_eq(&before.items[2], &after.items[2]));
        assert_eq!(after.items[2].field("current"), Some(Value::Integer(3)));
    }

    #[test]
    fn moved_sections_keep_their_objective() {
        let before = parse_goal_file(TWO_KEY_RESULTS.as_bytes()).unwrap();
        let text = TWO_KEY_RESULTS.replace(
            "[[objective.key_result]]\nid = \"b\"",
            "[[objective]]\nid = \"p\"\n[[objective.key_result]]\nid = \"b\"",
        );
        let after = parse_goal_file_after(text.as_bytes(), Some(&before)).unwrap();
        assert_eq!(summary(&after), summary(&parse_whole(&text).unwrap()));
        assert_eq!(after.items[3].objective.as_ref(), "p");
    }

    #[test]
    fn invalid_section_gives_the_whole_file_error() {
        let text = TWO_KEY_RESULTS.replace("current = 2", "current = ");
        let before = parse_goal_file(TWO_KEY_RESULTS.as_bytes()).unwrap();
        let error = parse_goal_file_after(text.as_bytes(), Some(&before)).unwrap_err();
        assert_eq!(error, parse_whole(&text).unwrap_err());
    }

    #[test]
    fn items_without_an_id_are_left_out() {
        let file = parse_goal_file(b"period = \"2026\"\n[[objective]]\ntitle = \"x\"\n").unwrap();
        assert!(file.items.is_empty());
    }
}
