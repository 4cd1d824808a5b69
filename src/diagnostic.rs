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

/// Maximum display width of a user value (an id, a title, a name) quoted in a message.
const QUOTED_WIDTH: usize = 80;

/// Cuts a user value quoted in a message to 80 columns, ending in `…` when cut, so a
/// long title or id is not repeated in full in every message about it.
pub(crate) fn quoted(value: &str) -> std::borrow::Cow<'_, str> {
    // A text of at most 80 bytes is at most 80 columns wide: a double-width character
    // takes three or four bytes.
    if value.len() <= QUOTED_WIDTH {
        return std::borrow::Cow::Borrowed(value);
    }
    std::borrow::Cow::Owned(crate::render::text::truncate(value, QUOTED_WIDTH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_cuts_long_values() {
        assert_eq!(quoted("short title"), "short title");
        let long = "x".repeat(5_000);
        let cut = quoted(&long);
        assert_eq!(cut.chars().count(), 80);
        assert!(cut.ends_with("x…"), "{cut}");
        assert_eq!(quoted(&"x".repeat(80)), "x".repeat(80));
        let wide = "数".repeat(100);
        let cut = quoted(&wide);
        assert_eq!(cut, format!("{}…", "数".repeat(39)));
    }
}
