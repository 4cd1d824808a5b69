//! Findings: what the lint rules report, collected from every file, kept apart from
//! failures. A finding becomes a miette report (human output) or a JSON record.

use std::ops::Range;

/// The severity a finding is reported with (after okr.toml's `[rules]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub(crate) rule: &'static str,
    pub(crate) severity: Severity,
    /// Index of the file in the workspace's sources; repository-wide findings point at
    /// the first file, in path order, that holds the value.
    pub(crate) file: usize,
    /// `None` when no position exists (an unreadable file).
    pub(crate) span: Option<Range<usize>>,
    /// `objective-id` or `objective-id/kr-id`; `None` for file, period and repository findings.
    pub(crate) item: Option<String>,
    pub(crate) period: Option<String>,
    pub(crate) message: String,
    pub(crate) help: String,
}
