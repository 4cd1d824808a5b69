//! Color choice and the miette report handler: the only module that looks at the
//! terminal or writes failures to stderr.

use crate::cli::ColorChoice;
use std::io::IsTerminal;

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
    eprintln!("{:?}", miette::Report::new(error));
}

/// Prints a note (not data) to stderr. Notes quote file names and ids from the
/// repository, so unsafe characters are masked as in tables.
#[allow(clippy::print_stderr)]
pub(crate) fn note(message: &str) {
    eprintln!("okr: note: {}", crate::render::text::printable(message));
}
