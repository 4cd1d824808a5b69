//! `okr diff` output: the goal changes grouped by meaning (added, removed,
//! re-targeted, re-owned, re-aligned, other changes) and the lint delta, as text, as
//! a Markdown pull-request comment, or as the documented JSON.

use super::findings::{JsonDiagnostic, plural};
use super::history::change_json;
use super::text::{markdown, printable, truncate};
use crate::cli::DiffFormat;
use crate::diagnostic::Finding;
use crate::history::{EventKind, FieldChange, ItemEvent, ObjectId, Value};
use crate::source::SourceFile;
use serde_json::json;
use std::io::{self, Write};

pub(crate) struct DiffReport<'a> {
    pub(crate) base: ObjectId,
    /// `None` for the working tree.
    pub(crate) head: Option<ObjectId>,
    pub(crate) changes: Vec<DiffChange>,
    pub(crate) lint: LintDelta<'a>,
}

pub(crate) struct DiffChange {
    pub(crate) event: ItemEvent,
    pub(crate) moved_goalpost: bool,
    /// For a moved goalpost, whether it made the key result easier to reach; `None`
    /// where the head side has no such key result to tell.
    pub(crate) eased: Option<bool>,
}

impl DiffChange {
    /// Returns the words that mark a moved goalpost. Eased ones need a reason, and
    /// harder ones do not.
    fn goalpost_note(&self) -> &'static str {
        match self.eased {
            Some(true) => "moved goalpost, eased",
            Some(false) => "moved goalpost, harder",
            None => "moved goalpost",
        }
    }
}

pub(crate) struct LintDelta<'a> {
    pub(crate) introduced: Vec<&'a Finding>,
    pub(crate) introduced_sources: &'a [SourceFile],
    pub(crate) fixed: Vec<&'a Finding>,
    pub(crate) fixed_sources: &'a [SourceFile],
}

/// The meaning of a changed field to a reviewer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Meaning {
    Retargeted,
    Reowned,
    Realigned,
    Other,
}

const SECTIONS: [(Meaning, &str); 4] = [
    (Meaning::Retargeted, "Re-targeted"),
    (Meaning::Reowned, "Re-owned"),
    (Meaning::Realigned, "Re-aligned"),
    (Meaning::Other, "Other changes"),
];

fn meaning(field: &str) -> Meaning {
    match field {
        "target" | "start" => Meaning::Retargeted,
        "owner" | "team" => Meaning::Reowned,
        "aligns_to" => Meaning::Realigned,
        _ => Meaning::Other,
    }
}

/// Widest a value gets in text output before it is cut.
const VALUE_WIDTH: usize = 40;

fn shown(value: Option<Value<'_>>) -> String {
    value.map_or_else(
        || "–".to_owned(),
        |value| truncate(&value.display(), VALUE_WIDTH),
    )
}

fn title(event: &ItemEvent) -> String {
    event
        .change("title")
        .and_then(|change| change.to.or(change.from))
        .and_then(Value::as_text)
        .unwrap_or("")
        .to_owned()
}

impl DiffReport<'_> {
    fn of_kind(&self, kind: EventKind) -> impl Iterator<Item = &DiffChange> {
        self.changes
            .iter()
            .filter(move |change| change.event.kind == kind)
    }

    /// Field changes of changed items with the given meaning.
    fn field_changes(&self, section: Meaning) -> Vec<(&DiffChange, FieldChange<'_>)> {
        self.of_kind(EventKind::Changed)
            .flat_map(|change| change.event.changes().map(move |field| (change, field)))
            .filter(|(_, field)| meaning(field.field) == section)
            .collect()
    }

    /// Names the head side: "the working tree", or the commit's short id, set in
    /// backticks for Markdown.
    fn head_name(&self, code: bool) -> String {
        let tick = if code { "`" } else { "" };
        self.head.map_or_else(
            || "the working tree".to_owned(),
            |head| format!("commit {tick}{}{tick}", &head.to_hex()[..7]),
        )
    }
}

pub(crate) fn write(
    report: &DiffReport<'_>,
    format: DiffFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        DiffFormat::Table => write_text(report, out),
        DiffFormat::Markdown => write_markdown(report, out),
        DiffFormat::Json => write_json(report, out),
    }
}

fn write_text(report: &DiffReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Goal changes from commit {} to {}",
        &report.base.to_hex()[..7],
        report.head_name(false)
    )?;
    if report.changes.is_empty() {
        writeln!(out, "\nNo objectives or key results changed.")?;
    }
    for (kind, heading) in [(EventKind::Added, "Added"), (EventKind::Removed, "Removed")] {
        let items: Vec<&DiffChange> = report.of_kind(kind).collect();
        if items.is_empty() {
            continue;
        }
        writeln!(out, "\n{heading}")?;
        for change in items {
            let key = &change.event.key;
            let line = format!("{} {}  {}", key.period, key.item(), title(&change.event));
            writeln!(out, "  {}", printable(&line))?;
        }
    }
    for (section, heading) in SECTIONS {
        let fields = report.field_changes(section);
        if fields.is_empty() {
            continue;
        }
        writeln!(out, "\n{heading}")?;
        for (change, field) in fields {
            let key = &change.event.key;
            let mark = if change.moved_goalpost && section == Meaning::Retargeted {
                format!("  ({})", change.goalpost_note())
            } else {
                String::new()
            };
            let line = format!(
                "{} {}  {} {} → {}{mark}",
                key.period,
                key.item(),
                field.field,
                shown(field.from),
                shown(field.to)
            );
            writeln!(out, "  {}", printable(&line))?;
        }
    }
    let lint = &report.lint;
    writeln!(
        out,
        "\nLint: {} introduced, {} fixed",
        plural(lint.introduced.len(), "finding"),
        lint.fixed.len()
    )?;
    for (sign, findings, sources) in [
        ('+', &lint.introduced, lint.introduced_sources),
        ('-', &lint.fixed, lint.fixed_sources),
    ] {
        for finding in findings {
            let diagnostic = diagnostic_json(finding, sources);
            let line = format!(
                "{sign} {} {} {}:{} {}",
                text_field(&diagnostic, "severity"),
                finding.rule,
                text_field(&diagnostic, "file"),
                diagnostic["line"],
                finding.message
            );
            writeln!(out, "  {}", printable(&line))?;
        }
    }
    Ok(())
}

fn diagnostic_json(finding: &Finding, sources: &[SourceFile]) -> serde_json::Value {
    serde_json::to_value(JsonDiagnostic::new(finding, sources)).unwrap_or_default()
}

fn text_field<'v>(value: &'v serde_json::Value, name: &str) -> &'v str {
    value[name].as_str().unwrap_or("")
}

fn write_markdown(report: &DiffReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## OKR changes\n")?;
    writeln!(
        out,
        "Compared commit `{}` with {}.\n",
        &report.base.to_hex()[..7],
        report.head_name(true)
    )?;
    if report.changes.is_empty() {
        writeln!(out, "No objectives or key results changed.\n")?;
    }
    for (kind, heading) in [(EventKind::Added, "Added"), (EventKind::Removed, "Removed")] {
        write_markdown_items(report, kind, heading, out)?;
    }
    for (section, heading) in SECTIONS {
        write_markdown_fields(report, section, heading, out)?;
    }
    write_markdown_lint(&report.lint, out)
}

/// The table of added or removed items, when there are any.
fn write_markdown_items(
    report: &DiffReport<'_>,
    kind: EventKind,
    heading: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let items: Vec<&DiffChange> = report.of_kind(kind).collect();
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "### {heading}\n")?;
    writeln!(out, "| Period | Item | Title |")?;
    writeln!(out, "| --- | --- | --- |")?;
    for change in items {
        let key = &change.event.key;
        writeln!(
            out,
            "| {} | {} | {} |",
            markdown(&key.period),
            markdown(&key.item()),
            markdown(&title(&change.event))
        )?;
    }
    writeln!(out)
}

/// The table of field changes with one meaning, when there are any.
fn write_markdown_fields(
    report: &DiffReport<'_>,
    section: Meaning,
    heading: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let fields = report.field_changes(section);
    if fields.is_empty() {
        return Ok(());
    }
    writeln!(out, "### {heading}\n")?;
    writeln!(out, "| Period | Item | Field | From | To | Note |")?;
    writeln!(out, "| --- | --- | --- | --- | --- | --- |")?;
    for (change, field) in fields {
        let key = &change.event.key;
        // Only a change that is not known to be harder gets the warning sign.
        let note = match (
            change.moved_goalpost && section == Meaning::Retargeted,
            change.eased,
        ) {
            (false, _) => String::new(),
            (true, Some(false)) => change.goalpost_note().to_owned(),
            (true, _) => format!("⚠️ {}", change.goalpost_note()),
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {note} |",
            markdown(&key.period),
            markdown(&key.item()),
            markdown(field.field),
            markdown(&shown(field.from)),
            markdown(&shown(field.to))
        )?;
    }
    writeln!(out)
}

/// The lint delta: counts, then one row per introduced or fixed finding.
fn write_markdown_lint(lint: &LintDelta<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "### Lint\n")?;
    writeln!(
        out,
        "{} introduced, {} fixed.\n",
        plural(lint.introduced.len(), "finding"),
        lint.fixed.len()
    )?;
    if lint.introduced.is_empty() && lint.fixed.is_empty() {
        return Ok(());
    }
    writeln!(out, "| | Severity | Rule | File | Line | Message |")?;
    writeln!(out, "| --- | --- | --- | --- | --- | --- |")?;
    for (label, findings, sources) in [
        ("introduced", &lint.introduced, lint.introduced_sources),
        ("fixed", &lint.fixed, lint.fixed_sources),
    ] {
        for finding in findings {
            let diagnostic = diagnostic_json(finding, sources);
            writeln!(
                out,
                "| {label} | {} | `{}` | {} | {} | {} |",
                text_field(&diagnostic, "severity"),
                finding.rule,
                markdown(text_field(&diagnostic, "file")),
                diagnostic["line"],
                markdown(&finding.message)
            )?;
        }
    }
    Ok(())
}

fn write_json(report: &DiffReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let changes: Vec<serde_json::Value> = report
        .changes
        .iter()
        .map(|change| {
            json!({
                "item": change.event.key.item(),
                "period": &*change.event.key.period,
                "kind": change.event.kind.as_str(),
                "changes": change.event.changes().map(change_json).collect::<Vec<_>>(),
                "moved_goalpost": change.moved_goalpost,
                "eased": change.eased,
            })
        })
        .collect();
    let lint = &report.lint;
    let diagnostics = |findings: &[&Finding], sources: &[SourceFile]| -> Vec<serde_json::Value> {
        findings
            .iter()
            .map(|finding| diagnostic_json(finding, sources))
            .collect()
    };
    let document = json!({
        "schema_version": 1,
        "base": report.base.to_hex(),
        "head": report.head.map(ObjectId::to_hex),
        "changes": changes,
        "lint": {
            "introduced": diagnostics(&lint.introduced, lint.introduced_sources),
            "fixed": diagnostics(&lint.fixed, lint.fixed_sources),
        },
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
