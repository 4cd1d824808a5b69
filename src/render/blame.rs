//! `okr blame` output: the item's fields with the commit that last changed each, and
//! the chain of earlier values of its target, start, weight, due and owner.

use super::history::change_json;
use super::table::{Cell, Table};
use super::text::{printable, truncate};
use crate::cli::BlameFormat;
use crate::history::{CommitMeta, FieldChange, ItemKey, Value};
use serde_json::json;
use std::io::{self, Write};

pub(crate) struct BlameReport<'a> {
    pub(crate) key: &'a ItemKey,
    pub(crate) team: String,
    /// True when the item's last event removed it; `fields` then shows its last values.
    pub(crate) removed: bool,
    pub(crate) fields: Vec<FieldLine<'a>>,
    pub(crate) chains: Vec<(&'static str, Vec<ChainEntry<'a>>)>,
    /// Changes in the working tree that are not committed yet.
    pub(crate) uncommitted: Vec<FieldChange<'a>>,
}

pub(crate) struct FieldLine<'a> {
    pub(crate) field: String,
    pub(crate) value: Value<'a>,
    pub(crate) meta: &'a CommitMeta,
    pub(crate) reason: Option<String>,
}

pub(crate) struct ChainEntry<'a> {
    /// `None` where the commit removed the field.
    pub(crate) value: Option<Value<'a>>,
    pub(crate) meta: &'a CommitMeta,
    pub(crate) reason: Option<String>,
}

/// Widest a value or reason gets in the table before it is cut.
const CELL_WIDTH: usize = 40;

pub(crate) fn write(
    report: &BlameReport<'_>,
    format: BlameFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        BlameFormat::Table => write_table(report, out),
        BlameFormat::Json => write_json(report, out),
    }
}

const HEADER: [&str; 6] = ["Field", "Value", "Commit", "Date", "Author", "Reason"];

fn row(
    field: &str,
    value: Option<Value<'_>>,
    meta: &CommitMeta,
    reason: Option<&str>,
) -> Vec<Cell<'static>> {
    vec![
        Cell::new(field.to_owned()),
        Cell::new(truncate(
            &value.map_or_else(|| "–".to_owned(), Value::display),
            CELL_WIDTH,
        )),
        Cell::new(meta.short_id()),
        Cell::new(meta.date().to_string()),
        Cell::new(truncate(&meta.author, 20)),
        Cell::new(truncate(reason.unwrap_or(""), CELL_WIDTH)),
    ]
}

fn write_table(report: &BlameReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let state = if report.removed { ", removed" } else { "" };
    let heading = format!(
        "{} {} (team {}{state})",
        report.key.period,
        report.key.item(),
        report.team
    );
    writeln!(out, "{}", printable(&heading))?;
    let mut fields = Table::new(&HEADER, false);
    for line in &report.fields {
        fields.add_row(row(
            &line.field,
            Some(line.value),
            line.meta,
            line.reason.as_deref(),
        ));
    }
    fields.write(out)?;
    if !report.chains.is_empty() {
        writeln!(out, "\nEarlier values, oldest first")?;
        let mut chains = Table::new(&HEADER, false);
        for (field, entries) in &report.chains {
            for entry in entries {
                chains.add_row(row(field, entry.value, entry.meta, entry.reason.as_deref()));
            }
        }
        chains.write(out)?;
    }
    if !report.uncommitted.is_empty() {
        writeln!(out, "\nNot committed yet")?;
        for change in &report.uncommitted {
            let shown = |value: Option<Value<'_>>| {
                printable(&value.map_or_else(|| "–".to_owned(), Value::display))
            };
            writeln!(
                out,
                "  {} {} → {}",
                printable(change.field),
                truncate(&shown(change.from), CELL_WIDTH),
                truncate(&shown(change.to), CELL_WIDTH)
            )?;
        }
    }
    Ok(())
}

fn commit_json(
    meta: &CommitMeta,
    reason: Option<&str>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut object = serde_json::Map::new();
    object.insert("commit".into(), json!(meta.id.to_hex()));
    object.insert("author".into(), json!(meta.author));
    object.insert("email".into(), json!(meta.email));
    object.insert("date".into(), json!(meta.iso_date()));
    object.insert("subject".into(), json!(meta.subject()));
    object.insert("reason".into(), json!(reason));
    object
}

fn write_json(report: &BlameReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let fields: Vec<serde_json::Value> = report
        .fields
        .iter()
        .map(|line| {
            let mut object = serde_json::Map::new();
            object.insert("field".into(), json!(line.field));
            object.insert("value".into(), line.value.to_json());
            object.extend(commit_json(line.meta, line.reason.as_deref()));
            serde_json::Value::Object(object)
        })
        .collect();
    let mut chains = serde_json::Map::new();
    for (field, entries) in &report.chains {
        let values: Vec<serde_json::Value> = entries
            .iter()
            .map(|entry| {
                let mut object = serde_json::Map::new();
                object.insert(
                    "value".into(),
                    entry.value.map_or(serde_json::Value::Null, Value::to_json),
                );
                object.extend(commit_json(entry.meta, entry.reason.as_deref()));
                serde_json::Value::Object(object)
            })
            .collect();
        chains.insert((*field).to_owned(), serde_json::Value::Array(values));
    }
    let document = json!({
        "schema_version": 1,
        "item": report.key.item(),
        "period": &*report.key.period,
        "team": report.team,
        "removed": report.removed,
        "fields": fields,
        "chains": chains,
        "uncommitted": report.uncommitted.iter().copied().map(change_json).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
