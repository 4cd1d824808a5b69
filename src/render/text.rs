//! Small text helpers shared by renderers: bars, numbers, and escaping for
//! Markdown and CSV. Every user string goes through an escape before it is printed.

/// A bar of `width` cells for a score in 0..1.
pub(crate) fn bar(score: Option<f64>, width: usize) -> String {
    let Some(score) = score else {
        return " ".repeat(width);
    };
    // The product is in 0..=width, so the cast cannot truncate meaningfully.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let filled = ((score.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// A score as a whole percentage ("54%"), or "–" when undefined.
pub(crate) fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |value| format!("{:.0}%", value * 100.0))
}

/// A number as written in goal files: no trailing zeros.
pub(crate) fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |value| {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    })
}

pub(crate) fn decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |value| format!("{value:.2}"))
}

/// Escapes text for a Markdown table cell: inline Markdown punctuation is backslash-escaped,
/// HTML-significant characters become entities, and line breaks become spaces.
pub(crate) fn markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\r' | '\n' => escaped.push(' '),
            // `@` and `:` would turn names and URLs into mentions and links, `#` into
            // issue references.
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '|' | '~' | '@'
            | ':' => {
                escaped.push('\\');
                escaped.push(c);
            }
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Quotes a CSV field when it holds a separator, quote or line break (RFC 4180).
/// A leading `=`, `+`, `-` or `@` is prefixed with `'` so spreadsheets do not run it.
pub(crate) fn csv(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '@'])
        || (text.starts_with('-') && text.parse::<f64>().is_err())
    {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_round_to_cells() {
        assert_eq!(bar(Some(0.5), 10), "█████░░░░░");
        assert_eq!(bar(Some(1.4), 4), "████");
        assert_eq!(bar(None, 3), "   ");
    }

    #[test]
    fn markdown_escapes_tables_and_html() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("<script>"), "&lt;script&gt;");
        assert_eq!(markdown("[x](http://e)"), "\\[x\\]\\(http\\://e\\)");
        assert_eq!(markdown("line\nbreak"), "line break");
    }

    #[test]
    fn csv_quotes_and_guards() {
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv("-0.5"), "-0.5");
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(Some(99.95)), "99.95");
        assert_eq!(number(Some(40.0)), "40");
        assert_eq!(number(None), "");
    }
}
