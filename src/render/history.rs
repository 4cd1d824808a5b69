//! `okr history` output: per item, a timeline table (text or Markdown) with a
//! sparkline of `current`, CSV rows (one per field change), or the documented JSON.

use super::text::{csv, markdown, printable, sparkline, truncate};
use crate::cli::TableFormat;
use crate::history::{CommitMeta, EventKind, FieldChange, ItemEvent, ItemKey, ObjectId, Value};
use comfy_table::{Cell, ContentArrangement, LineStyle, Table, TableStyle};
use rayon::prelude::*;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::json;
use std::collections::HashMap;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

pub(crate) struct HistoryReport<'a> {
    pub(crate) items: Vec<ItemTimeline<'a>>,
}

pub(crate) struct ItemTimeline<'a> {
    pub(crate) key: &'a ItemKey,
    /// The team of the item's file after its last event.
    pub(crate) team: String,
    pub(crate) title: Option<String>,
    pub(crate) events: Vec<TimelineEvent<'a>>,
}

pub(crate) struct TimelineEvent<'a> {
    pub(crate) meta: &'a CommitMeta,
    pub(crate) event: &'a ItemEvent,
    pub(crate) moved_goalpost: bool,
}

/// Widest a single value gets in a text table cell before it is cut; Markdown keeps
/// whole values.
const VALUE_WIDTH: usize = 32;

/// The layout of the JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonStyle {
    /// Indented, one value per line: for reading on a terminal.
    Pretty,
    /// One line with no spaces: for programs, and about half the pretty size.
    Compact,
}

pub(crate) fn write(
    report: &HistoryReport<'_>,
    format: TableFormat,
    color: bool,
    json_style: JsonStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        TableFormat::Table => write_table(report, color, out),
        TableFormat::Markdown => write_markdown(report, out),
        TableFormat::Csv => write_csv(report, out),
        TableFormat::Json => write_json(report, json_style, out),
    }
}

impl ItemTimeline<'_> {
    /// Returns the values of `current` after each event that set one.
    fn current_values(&self) -> Vec<f64> {
        self.events
            .iter()
            .filter_map(|event| event.event.change("current"))
            .filter_map(|change| change.to.and_then(Value::as_number))
            .collect()
    }

    fn heading(&self) -> String {
        let mut heading = format!("{} {}", self.key.period, self.key.item());
        if let Some(title) = &self.title {
            heading.push_str(&format!(" · {title}"));
        }
        heading.push_str(&format!(" (team {})", self.team));
        heading
    }
}

/// Returns a value for a table: `–` where there is none, cut to `width` columns.
fn shown(value: Option<Value<'_>>, width: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |value| truncate(&value.display(), width))
}

/// Describes an event in one line (`current 40 → 55; target 90 → 80`), each value
/// cut to `width` columns.
pub(crate) fn describe(event: &ItemEvent, moved_goalpost: bool, width: usize) -> String {
    let mut text = match event.kind {
        EventKind::Added => {
            let fields: Vec<String> = event
                .changes()
                .filter(|change| change.field != "title")
                .map(|change| format!("{} {}", change.field, shown(change.to, width)))
                .collect();
            if fields.is_empty() {
                "added".to_owned()
            } else {
                format!("added: {}", fields.join(", "))
            }
        }
        EventKind::Removed => "removed".to_owned(),
        EventKind::Changed => event
            .changes()
            .map(|change| describe_change(&change, width))
            .collect::<Vec<_>>()
            .join("; "),
    };
    if moved_goalpost {
        text.push_str(" (moved goalpost)");
    }
    text
}

fn describe_change(change: &FieldChange, width: usize) -> String {
    format!(
        "{} {} → {}",
        change.field,
        shown(change.from, width),
        shown(change.to, width)
    )
}

fn write_table(report: &HistoryReport<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    if report.items.is_empty() {
        return writeln!(out, "No goal changes found in the history.");
    }
    for (position, item) in report.items.iter().enumerate() {
        if position > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}", printable(&item.heading()))?;
        let values = item.current_values();
        if !values.is_empty() {
            writeln!(out, "current {}", sparkline(&values))?;
        }
        let author_width = item
            .events
            .iter()
            .map(|event| printable(&event.meta.author).width())
            .max()
            .unwrap_or(0)
            .min(20);
        let fixed = 10 + 7 + author_width.max(6) + 3 * 2 + 2;
        let budget = crate::terminal::width().saturating_sub(fixed).max(24);
        let mut table = Table::new();
        table
            .load_style(
                TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' ')),
            )
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(["Date", "Commit", "Author", "Change"]);
        if color {
            table.enforce_styling();
        }
        for event in &item.events {
            table.add_row(vec![
                Cell::new(event.meta.date()),
                Cell::new(event.meta.short_id()),
                Cell::new(truncate(&printable(&event.meta.author), 20)),
                Cell::new(truncate(
                    &printable(&describe(event.event, event.moved_goalpost, VALUE_WIDTH)),
                    budget,
                )),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    Ok(())
}

fn write_markdown(report: &HistoryReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    if report.items.is_empty() {
        return writeln!(out, "No goal changes found in the history.");
    }
    for (position, item) in report.items.iter().enumerate() {
        if position > 0 {
            writeln!(out)?;
        }
        writeln!(out, "### {}\n", markdown(&item.heading()))?;
        let values = item.current_values();
        if !values.is_empty() {
            writeln!(out, "current `{}`\n", sparkline(&values))?;
        }
        writeln!(out, "| Date | Commit | Author | Change |")?;
        writeln!(out, "| --- | --- | --- | --- |")?;
        for event in &item.events {
            writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                event.meta.date(),
                event.meta.short_id(),
                markdown(&event.meta.author),
                markdown(&describe(event.event, event.moved_goalpost, usize::MAX))
            )?;
        }
    }
    Ok(())
}

/// Returns a value for CSV: text as written, other values as in JSON, nothing for none.
fn csv_value(value: Option<Value<'_>>) -> String {
    match value {
        None => String::new(),
        Some(Value::Text(text) | Value::Datetime(text)) => csv(text),
        Some(other) => csv(&other.to_json().to_string()),
    }
}

fn write_csv(report: &HistoryReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "period,item,team,date,commit,author,email,subject,kind,field,from,to,moved_goalpost"
    )?;
    for item in &report.items {
        for event in &item.events {
            let meta = event.meta;
            let lead = [
                csv(&item.key.period),
                csv(&item.key.item()),
                csv(&item.team),
                meta.iso_date(),
                meta.id.to_hex(),
                csv(&meta.author),
                csv(&meta.email),
                csv(meta.subject()),
                event.event.kind.as_str().to_owned(),
            ]
            .join(",");
            for change in event.event.changes() {
                writeln!(
                    out,
                    "{lead},{},{},{},{}",
                    csv(change.field),
                    csv_value(change.from),
                    csv_value(change.to),
                    event.moved_goalpost
                )?;
            }
        }
    }
    Ok(())
}

/// Returns a field change as JSON: `{"field", "from", "to"}`, values as in the files.
pub(crate) fn change_json(change: FieldChange<'_>) -> serde_json::Value {
    let value = |value: Option<Value<'_>>| value.map_or(serde_json::Value::Null, Value::to_json);
    json!({
        "field": change.field,
        "from": value(change.from),
        "to": value(change.to),
    })
}

/// Streams the documented JSON: a history can hold millions of field changes, so
/// no JSON tree of the whole document is built. The serializer writes many small
/// pieces, so it gets its own buffer in place of a call through `out` per piece.
fn write_json(report: &HistoryReport<'_>, style: JsonStyle, out: &mut dyn Write) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    match style {
        JsonStyle::Pretty => {
            let commits = CommitText::of(report);
            let document = JsonReport {
                report,
                commits: &commits,
            };
            serde_json::to_writer_pretty(&mut buffered, &document)?;
        }
        JsonStyle::Compact => write_compact_json(report, &mut buffered)?,
    }
    writeln!(buffered)?;
    buffered.flush()
}

/// Writes the compact document: the bytes `serde_json::to_writer` writes for
/// `JsonReport`, but with the fields every event repeats from its commit (id,
/// author, email, date, subject) formatted and escaped once per commit.
fn write_compact_json(report: &HistoryReport<'_>, out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"{\"schema_version\":1,\"items\":[")?;
    // Items are rendered in parallel, a window at a time so that memory stays bounded,
    // and written in order. The buffers are reused from window to window.
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for (window_index, window) in report.items.chunks(RENDER_WINDOW).enumerate() {
        let chunks: Vec<&[ItemTimeline<'_>]> = window.chunks(RENDER_CHUNK).collect();
        if parts.len() < chunks.len() {
            parts.resize_with(chunks.len(), Vec::new);
        }
        let parts = &mut parts[..chunks.len()];
        parts
            .par_iter_mut()
            .zip(chunks.par_iter())
            .for_each(|(part, items)| {
                part.clear();
                // `Vec<u8>` never returns a write error.
                let _ = write_compact_items(items, part);
            });
        for (part_index, part) in parts.iter().enumerate() {
            if window_index > 0 || part_index > 0 {
                out.write_all(b",")?;
            }
            out.write_all(part)?;
        }
    }
    out.write_all(b"]}")
}

/// Items rendered by one task of the compact JSON writer.
const RENDER_CHUNK: usize = 256;

/// Items rendered before their text is written out.
const RENDER_WINDOW: usize = 16 * RENDER_CHUNK;

/// Writes items of the compact document, separated by commas.
fn write_compact_items(items: &[ItemTimeline<'_>], out: &mut impl Write) -> io::Result<()> {
    let mut commit_fields: foldhash::HashMap<ObjectId, Vec<u8>> = foldhash::HashMap::default();
    for (item_index, item) in items.iter().enumerate() {
        if item_index > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"{\"item\":")?;
        write_json_str(out, &item.key.item())?;
        out.write_all(b",\"period\":")?;
        write_json_str(out, &item.key.period)?;
        out.write_all(b",\"events\":[")?;
        for (event_index, event) in item.events.iter().enumerate() {
            if event_index > 0 {
                out.write_all(b",")?;
            }
            let fields = commit_fields
                .entry(event.meta.id)
                .or_insert_with(|| compact_commit_fields(event.meta));
            out.write_all(fields)?;
            out.write_all(b",\"kind\":\"")?;
            out.write_all(event.event.kind.as_str().as_bytes())?;
            out.write_all(b"\",\"changes\":[")?;
            for (change_index, change) in event.event.changes().enumerate() {
                if change_index > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(b"{\"field\":")?;
                write_json_str(out, change.field)?;
                out.write_all(b",\"from\":")?;
                write_json_value(out, change.from)?;
                out.write_all(b",\"to\":")?;
                write_json_value(out, change.to)?;
                out.write_all(b"}")?;
            }
            out.write_all(b"],\"moved_goalpost\":")?;
            out.write_all(if event.moved_goalpost {
                b"true}"
            } else {
                b"false}"
            })?;
        }
        out.write_all(b"]}")?;
    }
    Ok(())
}

/// Returns `{"commit":…,"author":…,"email":…,"date":…,"subject":…` for a commit,
/// the start of each of its events in the compact document.
fn compact_commit_fields(meta: &CommitMeta) -> Vec<u8> {
    let mut fields = Vec::with_capacity(160 + meta.subject().len());
    let parts: [(&[u8], &str); 5] = [
        (b"{\"commit\":", &meta.id.to_hex()),
        (b",\"author\":", &meta.author),
        (b",\"email\":", &meta.email),
        (b",\"date\":", &meta.iso_date()),
        (b",\"subject\":", meta.subject()),
    ];
    for (name, value) in parts {
        fields.extend_from_slice(name);
        // `Vec<u8>` never returns a write error.
        let _ = write_json_str(&mut fields, value);
    }
    fields
}

/// Writes a JSON string as serde_json does: text without a quote, backslash or
/// control character is copied as it is, other text goes through serde_json.
fn write_json_str(out: &mut impl Write, text: &str) -> io::Result<()> {
    let plain = !text
        .bytes()
        .any(|byte| byte < 0x20 || byte == b'"' || byte == b'\\');
    if plain {
        out.write_all(b"\"")?;
        out.write_all(text.as_bytes())?;
        out.write_all(b"\"")
    } else {
        serde_json::to_writer(out, text).map_err(io::Error::from)
    }
}

/// Writes a value as `JsonValue` serializes it.
fn write_json_value(out: &mut impl Write, value: Option<Value<'_>>) -> io::Result<()> {
    match value {
        None => out.write_all(b"null"),
        Some(Value::Bool(flag)) => out.write_all(if flag { b"true" } else { b"false" }),
        Some(Value::Integer(number)) => write!(out, "{number}"),
        Some(Value::Text(text) | Value::Datetime(text)) => write_json_str(out, text),
        Some(other) => serde_json::to_writer(out, &other.to_json()).map_err(io::Error::from),
    }
}

/// The commit id and date of each commit as JSON shows them, formatted once per
/// commit in place of once per event.
struct CommitText {
    by_id: HashMap<ObjectId, (String, String)>,
}

impl CommitText {
    fn of(report: &HistoryReport<'_>) -> CommitText {
        let mut by_id = HashMap::new();
        for event in report.items.iter().flat_map(|item| &item.events) {
            by_id
                .entry(event.meta.id)
                .or_insert_with(|| (event.meta.id.to_hex(), event.meta.iso_date()));
        }
        CommitText { by_id }
    }
}

struct JsonReport<'a> {
    report: &'a HistoryReport<'a>,
    commits: &'a CommitText,
}

impl Serialize for JsonReport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("schema_version", &1)?;
        map.serialize_entry("items", &Items(self))?;
        map.end()
    }
}

/// The `items` array, serialized from the report without a vector of wrappers.
struct Items<'a>(&'a JsonReport<'a>);

impl Serialize for Items<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        serializer.collect_seq(report.report.items.iter().map(|item| JsonItem {
            item,
            commits: report.commits,
        }))
    }
}

struct JsonItem<'a> {
    item: &'a ItemTimeline<'a>,
    commits: &'a CommitText,
}

impl Serialize for JsonItem<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let item = self.item;
        let commits = self.commits;
        let events = item.events.iter().map(|event| JsonEvent { event, commits });
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("item", &item.key.item())?;
        map.serialize_entry("period", &*item.key.period)?;
        map.serialize_entry("events", &Sequence(std::cell::Cell::new(Some(events))))?;
        map.end()
    }
}

/// Serializes an iterator as a JSON array, once.
struct Sequence<I>(std::cell::Cell<Option<I>>);

impl<I> Serialize for Sequence<I>
where
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.take().into_iter().flatten())
    }
}

struct JsonEvent<'a> {
    event: &'a TimelineEvent<'a>,
    commits: &'a CommitText,
}

impl Serialize for JsonEvent<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let event = self.event;
        let meta = event.meta;
        let (id, date) = &self.commits.by_id[&meta.id];
        let changes = event.event.changes().map(JsonChange);
        let mut map = serializer.serialize_map(Some(8))?;
        map.serialize_entry("commit", id)?;
        map.serialize_entry("author", &meta.author)?;
        map.serialize_entry("email", &meta.email)?;
        map.serialize_entry("date", date)?;
        map.serialize_entry("subject", meta.subject())?;
        map.serialize_entry("kind", event.event.kind.as_str())?;
        map.serialize_entry("changes", &Sequence(std::cell::Cell::new(Some(changes))))?;
        map.serialize_entry("moved_goalpost", &event.moved_goalpost)?;
        map.end()
    }
}

struct JsonChange<'a>(FieldChange<'a>);

impl Serialize for JsonChange<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let change = self.0;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("field", change.field)?;
        map.serialize_entry("from", &JsonValue(change.from))?;
        map.serialize_entry("to", &JsonValue(change.to))?;
        map.end()
    }
}

/// A value as in the file, or null; the same JSON as `Value::to_json`.
struct JsonValue<'a>(Option<Value<'a>>);

impl Serialize for JsonValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            None => serializer.serialize_none(),
            Some(Value::Bool(flag)) => serializer.serialize_bool(flag),
            Some(Value::Integer(number)) => serializer.serialize_i64(number),
            Some(Value::Text(text) | Value::Datetime(text)) => serializer.serialize_str(text),
            Some(other) => other.to_json().serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::ItemKey;

    #[test]
    fn compact_writer_matches_serde_json() {
        let meta = CommitMeta {
            id: ObjectId([0xab; 20]),
            author: "Zoë \"Z\" O'Neil".into(),
            email: "zoe@example.com".into(),
            time: 1_790_000_000,
            offset_minutes: -150,
            message: "Tab\there, back\\slash \u{7}\n\nbody".into(),
        };
        let value = |value: Value<'static>| Some(value);
        let event = ItemEvent::new(
            ItemKey::new("2026-Q4", "o\"1", Some("k\n")),
            std::sync::Arc::from("growth"),
            EventKind::Changed,
            [
                FieldChange {
                    field: "current",
                    from: value(Value::Integer(-40)),
                    to: value(Value::Float(55.5)),
                },
                FieldChange {
                    field: "odd \"name\"",
                    from: value(Value::Float(f64::NAN)),
                    to: value(Value::Float(f64::NEG_INFINITY)),
                },
                FieldChange {
                    field: "notes",
                    from: None,
                    to: value(Value::Structured("[1,{\"a\":\"b\"}]")),
                },
                FieldChange {
                    field: "checked",
                    from: value(Value::Datetime("2026-11-30")),
                    to: value(Value::Bool(true)),
                },
                FieldChange {
                    field: "title",
                    from: value(Value::Text("line\u{1f}\u{2028}é")),
                    to: None,
                },
            ],
        );
        let report = HistoryReport {
            items: vec![
                ItemTimeline {
                    key: &event.key,
                    team: "growth".into(),
                    title: None,
                    events: vec![
                        TimelineEvent {
                            meta: &meta,
                            event: &event,
                            moved_goalpost: true,
                        },
                        TimelineEvent {
                            meta: &meta,
                            event: &event,
                            moved_goalpost: false,
                        },
                    ],
                },
                ItemTimeline {
                    key: &event.key,
                    team: "growth".into(),
                    title: None,
                    events: Vec::new(),
                },
            ],
        };
        let commits = CommitText::of(&report);
        let expected = serde_json::to_vec(&JsonReport {
            report: &report,
            commits: &commits,
        })
        .unwrap();
        let mut written = Vec::new();
        write_compact_json(&report, &mut written).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}
