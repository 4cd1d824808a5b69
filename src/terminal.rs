//! Color choice and the miette report handler: the only module that looks at the
//! terminal or writes failures to stderr.

use crate::cli::ColorChoice;
use crate::render::text::printable;
use std::io::IsTerminal;
use std::io::Write;

/// Resolves `--color`: `auto` colors only a terminal, and never when NO_COLOR is set.
pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Output width for reports: COLUMNS when set, else 100.
pub(crate) fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.parse().ok())
        .filter(|&columns| columns >= 40)
        .unwrap_or(100)
}

pub(crate) fn install_report_handler(color: bool) {
    let stderr_color = color && std::io::stderr().is_terminal();
    // Installing fails only when a hook is already set, and main installs it once.
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(stderr_color)
                .unicode(stderr_color)
                .width(width())
                .build(),
        )
    }));
}

/// Prints a failure with its help to stderr.
#[allow(clippy::print_stderr)]
pub(crate) fn report_error(error: crate::error::Error) {
    let report = miette::Report::new(MaskedError::new(error));
    // A closed stderr leaves nowhere to report more, and the exit code still gives the result.
    let _ = writeln!(std::io::stderr(), "{report:?}");
}

/// A failure whose message and help pass through `printable`, because they can quote
/// okr.toml, file names and git data. Everything else comes from the wrapped error.
#[derive(Debug)]
struct MaskedError {
    error: crate::error::Error,
    message: String,
    help: Option<String>,
}

impl MaskedError {
    fn new(error: crate::error::Error) -> MaskedError {
        use miette::Diagnostic;
        let message = printable(&error.to_string());
        let help = error.help().map(|help| printable(&help.to_string()));
        MaskedError {
            error,
            message,
            help,
        }
    }
}

impl std::fmt::Display for MaskedError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for MaskedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

impl miette::Diagnostic for MaskedError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.error.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn std::fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.url()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.error.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.error.labels()
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        self.error.related()
    }

    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.error.diagnostic_source()
    }
}

/// Prints a note (not data) to stderr. Notes quote file names and ids from the
/// repository, so unsafe characters are masked as in tables.
#[allow(clippy::print_stderr)]
pub(crate) fn note(message: &str) {
    // A closed stderr must not stop the command, which still has its output to give.
    let _ = writeln!(std::io::stderr(), "okr: note: {}", printable(message));
}
