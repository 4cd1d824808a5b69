//! Lint findings as miette reports (human), one JSON object, or GitHub workflow commands.

use super::text::{is_unsafe, masked_source, printable};
use crate::diagnostic::{Finding, Severity};
use crate::source::SourceFile;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

pub(crate) struct Report<'a> {
    pub(crate) findings: &'a [Finding],
    pub(crate) sources: &'a [SourceFile],
    /// Goal files checked, unparsable ones included.
    pub(crate) files: usize,
    pub(crate) notes: Vec<String>,
}

impl Report<'_> {
    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }
}

/// A file's text for miette, reporting columns in characters as the JSON output does.
/// miette's own `str` source counts bytes, which differs on any non-ASCII line.
struct CharColumns {
    name: String,
    text: Arc<str>,
}

impl miette::SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &'a str = &self.text;
        let inner = text.read_span(span, context_lines_before, context_lines_after)?;
        let start = inner.span().offset();
        let line_start = text[..start].rfind('\n').map_or(0, |newline| newline + 1);
        let column = text
            .get(line_start..start)
            .map_or(0, |prefix| prefix.chars().count());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// A finding with its source, in the shape miette renders.
struct FindingView<'a> {
    finding: &'a Finding,
    source: CharColumns,
}

impl fmt::Debug for FindingView<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.finding.message)
    }
}

impl fmt::Display for FindingView<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingView<'_> {}

impl Diagnostic for FindingView<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.finding
            .span
            .as_ref()
            .map(|_| &self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.finding.span.clone()?;
        let length = span.end.saturating_sub(span.start);
        Some(Box::new(std::iter::once(LabeledSpan::underline(
            miette::SourceSpan::from((span.start, length)),
        ))))
    }
}

pub(crate) fn write_human(report: &Report<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(crate::terminal::width());
    let mut safe_texts: HashMap<usize, Arc<str>> = HashMap::new();
    for finding in report.findings {
        let source = &report.sources[finding.file];
        let mut finding = finding.clone();
        finding.span = finding.span.map(|span| source.clamp(span));
        finding.message = printable(&finding.message);
        finding.help = printable(&finding.help);
        if finding.span.is_none() {
            finding.message = format!("{}: {}", printable(&source.path), finding.message);
        }
        let text = safe_texts.entry(finding.file).or_insert_with(|| {
            let unsafe_control = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t');
            if source.text.chars().any(unsafe_control) {
                Arc::from(masked_source(&source.text))
            } else {
                Arc::from(source.text.as_str())
            }
        });
        let view = FindingView {
            finding: &finding,
            source: CharColumns {
                name: printable(&source.path),
                text: Arc::clone(text),
            },
        };
        let mut rendered = String::new();
        handler
            .render_report(&mut rendered, &view)
            .map_err(io::Error::other)?;
        writeln!(out, "{rendered}")?;
    }
    // Notes go to stderr, as every command's do, so stdout contains the findings alone.
    for note in &report.notes {
        crate::terminal::note(note);
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let files = plural(report.files, "goal file");
    if errors + warnings == 0 {
        writeln!(out, "{files} checked: no findings")
    } else {
        writeln!(
            out,
            "{files} checked: {}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}

pub(crate) fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// One diagnostic in the documented JSON shape.
#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: &'a str,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    item: Option<&'a str>,
    period: Option<&'a str>,
    message: &'a str,
    help: &'a str,
}

impl<'a> JsonDiagnostic<'a> {
    pub(crate) fn new(finding: &'a Finding, sources: &'a [SourceFile]) -> Self {
        let source = &sources[finding.file];
        let position = finding
            .span
            .as_ref()
            .map(|span| source.position(span.start));
        JsonDiagnostic {
            rule: finding.rule,
            severity: finding.severity.as_str(),
            file: &source.path,
            line: position.map(|position| position.line),
            column: position.map(|position| position.column),
            item: finding.item.as_deref(),
            period: finding.period.as_deref(),
            message: &finding.message,
            help: &finding.help,
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    files: usize,
    errors: usize,
    warnings: usize,
    notes: &'a [String],
}

pub(crate) fn write_json(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let document = JsonReport {
        schema_version: 1,
        diagnostics: report
            .findings
            .iter()
            .map(|finding| JsonDiagnostic::new(finding, report.sources))
            .collect(),
        files: report.files,
        errors: report.count(Severity::Error),
        warnings: report.count(Severity::Warning),
        notes: &report.notes,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// GitHub Actions workflow commands: one annotation per finding.
pub(crate) fn write_github(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for finding in report.findings {
        let source = &report.sources[finding.file];
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(out, "::{command} file={}", escape_property(&source.path))?;
        if let Some(span) = &finding.span {
            let position = source.position(span.start);
            write!(out, ",line={},col={}", position.line, position.column)?;
        }
        let message = printable(&format!("{} ({})", finding.message, finding.help));
        writeln!(
            out,
            ",title={}::{}",
            escape_property(finding.rule),
            escape_data(&message)
        )?;
    }
    for note in &report.notes {
        writeln!(out, "::notice::{}", escape_data(note))?;
    }
    Ok(())
}

/// Escapes text for a workflow command as the runner decodes it (`%25`, `%0D`, `%0A`).
/// Other unsafe characters become U+FFFD, as `printable` masks them, so the output is
/// safe to print on a terminal.
fn escape_data(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => escaped.push_str("%25"),
            '\r' => escaped.push_str("%0D"),
            '\n' => escaped.push_str("%0A"),
            c if is_unsafe(c) => escaped.push(char::REPLACEMENT_CHARACTER),
            c => escaped.push(c),
        }
    }
    escaped
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escapes() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn workflow_command_masks_controls() {
        assert_eq!(escape_data("a\u{1b}[2J\u{7}b"), "a\u{fffd}[2J\u{fffd}b");
        assert_eq!(escape_property("f\u{1b}[2J.toml"), "f\u{fffd}[2J.toml");
        assert_eq!(
            escape_property("50%:\r\n\u{202e}"),
            "50%25%3A%0D%0A\u{fffd}"
        );
    }
}
