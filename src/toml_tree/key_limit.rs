//! Positions for the `toml` crate's "recursion limit" error. The crate (1.2) rejects a
//! key or table header of more than 80 dotted parts with that message and no span, so
//! the report would point at the start of the file. The key is found here instead.

use std::ops::Range;
use toml_parser::parser::{Event, EventKind, RecursionGuard};
use toml_parser::{ParseError, Source};

/// Maximum number of dotted parts in a key or table header path in the `toml` crate.
const MAX_KEY_PARTS: usize = 80;

/// Returns the span and message of a `toml` crate error. A "recursion limit" error
/// without a span gets the span of the first key longer than `MAX_KEY_PARTS`, and a
/// message that names the limit.
pub(crate) fn located(text: &str, error: &toml::de::Error) -> (Option<Range<usize>>, String) {
    if error.span().is_none()
        && error.message().starts_with("recursion limit")
        && let Some((span, parts)) = first_long_key(text)
    {
        let message = format!(
            "this key has {parts} dotted parts, more than the TOML parser's maximum of {MAX_KEY_PARTS}"
        );
        return (Some(span), message);
    }
    (error.span(), error.message().to_owned())
}

/// Finds the first key or table header path with more than `MAX_KEY_PARTS` parts, and
/// returns its span and its number of parts.
fn first_long_key(text: &str) -> Option<(Range<usize>, usize)> {
    let source = Source::new(text);
    let tokens: Vec<_> = source.lex().collect();
    let mut scan = KeyScan::default();
    let mut receiver = |event: Event| scan.event(&event);
    let mut guarded = RecursionGuard::new(&mut receiver, super::RECURSION_LIMIT);
    let mut errors: Option<ParseError> = None;
    toml_parser::parser::parse_document(&tokens, &mut guarded, &mut errors);
    scan.finish();
    scan.found
}

/// Counts the parts of each key as the parser's events arrive.
#[derive(Default)]
struct KeyScan {
    /// The span and part count of the key being read.
    current: Option<(Range<usize>, usize)>,
    /// True right after a `.` between parts.
    after_dot: bool,
    found: Option<(Range<usize>, usize)>,
}

impl KeyScan {
    fn event(&mut self, event: &Event) {
        if self.found.is_some() {
            return;
        }
        let span = event.span();
        match event.kind() {
            EventKind::SimpleKey => match &mut self.current {
                Some((key, parts)) if self.after_dot => {
                    key.end = span.end();
                    *parts += 1;
                    self.after_dot = false;
                }
                _ => {
                    self.finish();
                    self.current = Some((span.start()..span.end(), 1));
                }
            },
            EventKind::KeySep => self.after_dot = true,
            EventKind::Whitespace => {}
            _ => self.finish(),
        }
    }

    /// Ends the key being read, keeping it when it is too long.
    fn finish(&mut self) {
        self.after_dot = false;
        if let Some((span, parts)) = self.current.take()
            && parts > MAX_KEY_PARTS
            && self.found.is_none()
        {
            self.found = Some((span, parts));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dotted(parts: usize) -> String {
        vec!["a"; parts].join(".")
    }

    fn error_of(text: &str) -> toml::de::Error {
        toml::de::DeTable::parse(text).expect_err(text)
    }

    #[test]
    fn long_dotted_key_is_located() {
        let text = format!("x = 1\n\n{} = 1\n", dotted(MAX_KEY_PARTS + 1));
        let (span, message) = located(&text, &error_of(&text));
        let key_start = text.find("a.").unwrap();
        assert_eq!(
            span,
            Some(key_start..key_start + dotted(MAX_KEY_PARTS + 1).len())
        );
        assert_eq!(
            message,
            "this key has 81 dotted parts, more than the TOML parser's maximum of 80"
        );
    }

    #[test]
    fn long_table_header_is_located() {
        let text = format!("x = 1\n[ {} ]\ny = 2\n", dotted(100).replace('.', " . "));
        let (span, message) = located(&text, &error_of(&text));
        let span = span.expect("a span");
        assert_eq!(&text[..span.start], "x = 1\n[ ");
        assert!(text[span.clone()].ends_with('a'), "{:?}", &text[span]);
        assert!(message.contains("100 dotted parts"), "{message}");
    }

    #[test]
    fn key_at_limit_is_accepted() {
        let text = format!("{} = 1\n", dotted(MAX_KEY_PARTS));
        assert!(toml::de::DeTable::parse(&text).is_ok());
        assert_eq!(first_long_key(&text), None);
    }

    #[test]
    fn other_errors_keep_their_span() {
        let text = "a = = 1\n";
        let error = error_of(text);
        let (span, message) = located(text, &error);
        assert_eq!(span, error.span());
        assert_eq!(message, error.message());
    }
}
