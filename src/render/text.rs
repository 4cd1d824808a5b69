//! Small text helpers shared by renderers: bars, numbers, and escaping for
//! Markdown and CSV. Every user string goes through an escape before it is printed.

use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use std::sync::LazyLock;

/// Draws a bar of `width` cells for a score in 0..1.
pub(crate) fn bar(score: Option<f64>, width: usize) -> Cow<'static, str> {
    let Some(score) = score else {
        return Cow::Owned(" ".repeat(width));
    };
    // The product is in 0..=width, so the cast cannot truncate meaningfully.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let filled = ((score.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    // Tables show bars 10 wide on every row, so those are not formatted each time.
    const TEN: [&str; 11] = [
        "░░░░░░░░░░",
        "█░░░░░░░░░",
        "██░░░░░░░░",
        "███░░░░░░░",
        "████░░░░░░",
        "█████░░░░░",
        "██████░░░░",
        "███████░░░",
        "████████░░",
        "█████████░",
        "██████████",
    ];
    if width == TEN.len() - 1 {
        return Cow::Borrowed(TEN[filled]);
    }
    Cow::Owned(format!(
        "{}{}",
        "█".repeat(filled),
        "░".repeat(width - filled)
    ))
}

/// Formats a score as a whole percentage ("54%"), or "–" when undefined.
pub(crate) fn percent(value: Option<f64>) -> Cow<'static, str> {
    match value {
        Some(value) if value.is_finite() => whole_percent(value * 100.0 + 0.0),
        Some(value) if value > 0.0 => Cow::Borrowed("∞%"),
        Some(_) => Cow::Borrowed("-∞%"),
        None => Cow::Borrowed("–"),
    }
}

/// Returns the percentages "0%" to "200%", or with `hundredths` the decimals "0.00" to
/// "2.00". They are made once, because progress tables print three on each of 100,000
/// rows, nearly all in this range.
fn common_texts(hundredths: bool) -> &'static [String] {
    static PERCENTS: LazyLock<Vec<String>> =
        LazyLock::new(|| (0..=200).map(|whole| format!("{whole}%")).collect());
    static DECIMALS: LazyLock<Vec<String>> = LazyLock::new(|| {
        (0..=200)
            .map(|whole| format!("{}.{:02}", whole / 100, whole % 100))
            .collect()
    });
    if hundredths { &DECIMALS } else { &PERCENTS }
}

/// Formats a finite percentage rounded to a whole number, as `format!("{:.0}%")` does
/// (half to even, and `-0` for small negatives), without the formatting machinery:
/// progress tables print two on each of 100,000 rows.
fn whole_percent(scaled: f64) -> Cow<'static, str> {
    if scaled.abs() >= 1e15 {
        return Cow::Owned(format!("{scaled:.0}%"));
    }
    let rounded = scaled.round_ties_even();
    if rounded == 0.0 && scaled.is_sign_negative() {
        return Cow::Borrowed("-0%");
    }
    // Below 1e15 in magnitude, the rounded value is a whole number that fits.
    #[allow(clippy::cast_possible_truncation)]
    let whole = rounded as i64;
    if let Some(text) = usize::try_from(whole)
        .ok()
        .and_then(|index| common_texts(false).get(index))
    {
        return Cow::Borrowed(text);
    }
    let mut text = whole.to_string();
    text.push('%');
    Cow::Owned(text)
}

/// Formats a date as `YYYY-MM-DD`, as chrono's `Display` does, without the formatting
/// machinery for years 0 to 9999: progress tables print one on each key result's row.
pub(crate) fn iso_date(date: NaiveDate) -> String {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        return date.to_string();
    }
    let mut text = String::with_capacity(10);
    for (value, digits) in [(year.unsigned_abs(), 4), (date.month(), 2), (date.day(), 2)] {
        if !text.is_empty() {
            text.push('-');
        }
        for place in (0..digits).rev() {
            let digit = value / 10u32.pow(place) % 10;
            text.push(char::from(b'0' + digit as u8));
        }
    }
    text
}

/// Formats a number as written in goal files, without trailing zeros.
pub(crate) fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |value| {
        let magnitude = value.abs();
        // Very large and very small values keep their digits in exponent form.
        if magnitude != 0.0 && !(1e-4..1e15).contains(&magnitude) {
            return format!("{value:e}");
        }
        let text = format!("{:.4}", value + 0.0);
        let text = text.trim_end_matches('0').trim_end_matches('.');
        if text == "-0" {
            "0".to_owned()
        } else {
            text.to_owned()
        }
    })
}

pub(crate) fn decimal(value: Option<f64>) -> Cow<'static, str> {
    value.map_or(Cow::Borrowed("–"), |value| two_decimals(value + 0.0))
}

/// Formats a number with two decimals, as `format!("{:.2}")` does, without the
/// formatting machinery for the common case: progress tables print one on every row.
/// A value within a millionth of a whole number of hundredths has that number as its
/// rounding, because no tie is near, so it is printed from the integer.
fn two_decimals(value: f64) -> Cow<'static, str> {
    let hundredths = (value * 100.0).round();
    let near_whole = (value * 100.0 - hundredths).abs() < 1e-6;
    if !value.is_finite() || value.abs() >= 1e12 || !near_whole {
        return Cow::Owned(format!("{value:.2}"));
    }
    // Below 1e14 in magnitude, the rounded value is a whole number that fits.
    #[allow(clippy::cast_possible_truncation)]
    let whole = hundredths as i64;
    let negative = whole < 0 || (whole == 0 && value.is_sign_negative());
    let magnitude = whole.unsigned_abs();
    if !negative
        && let Some(text) = usize::try_from(magnitude)
            .ok()
            .and_then(|index| common_texts(true).get(index))
    {
        return Cow::Borrowed(text);
    }
    let sign = if negative { "-" } else { "" };
    Cow::Owned(format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100))
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
            '\r' | '\n' | '\t' => escaped.push(' '),
            c if is_unsafe(c) => escaped.push(char::REPLACEMENT_CHARACTER),
            // `@`, `:` and `.` would turn names, URLs and `www.` hosts into mentions and
            // links, `#` into issue references.
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '|' | '~' | '@'
            | ':' | '.' => {
                escaped.push('\\');
                escaped.push(c);
            }
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Quotes a CSV field when it contains a separator, quote or line break (RFC 4180).
/// A leading `=`, `+`, `-` or `@` is prefixed with `'` so spreadsheets do not run it.
pub(crate) fn csv(text: &str) -> String {
    let text = &text
        .chars()
        .map(|c| match c {
            '\r' | '\n' | '\t' => c,
            c if is_unsafe(c) => char::REPLACEMENT_CHARACTER,
            c => c,
        })
        .collect::<String>();
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

/// True for characters a terminal acts on rather than shows: control characters
/// (escape sequences, bells), and the bidirectional overrides, isolates and marks
/// (U+061C, U+200E, U+200F), which reorder the text around them on terminals that
/// support right-to-left scripts.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// True when `text` has a character `is_unsafe` names. ASCII text is checked byte by
/// byte: its only unsafe characters are the control characters.
pub(crate) fn has_unsafe(text: &str) -> bool {
    if text.is_ascii() {
        return text.bytes().any(|byte| byte.is_ascii_control());
    }
    text.chars().any(is_unsafe)
}

/// Makes user text safe for a terminal line: line breaks and tabs become spaces and other
/// unsafe characters become U+FFFD, so a title cannot move the cursor, recolor,
/// retitle or reorder the terminal, or break a table row.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\r' | '\n' | '\t' => ' ',
            c if is_unsafe(c) => char::REPLACEMENT_CHARACTER,
            c => c,
        })
        .collect()
}

/// `printable` text cut to `budget` display columns, as `truncate` cuts it, with one
/// copy of text that is already safe and fits.
pub(crate) fn printable_cut(text: &str, budget: usize) -> String {
    if has_unsafe(text) {
        truncate(&printable(text), budget)
    } else {
        truncate(text, budget)
    }
}

/// Masks unsafe characters other than line breaks and tabs with `?`, one `?` per byte,
/// so source snippets print safely and every byte offset into the text stays valid.
pub(crate) fn masked_source(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t') {
            masked.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            masked.push(c);
        }
    }
    masked
}

/// Cuts text to `budget` display columns, ending in `…` when cut.
pub(crate) fn truncate(text: &str, budget: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= budget {
        return text.to_owned();
    }
    let prefix = &text[..cut_point(text, budget)];
    let mut cut = String::with_capacity(prefix.len() + '…'.len_utf8());
    cut.push_str(prefix);
    cut.push('…');
    cut
}

/// Returns the byte offset where `truncate` cuts text wider than `budget`: the end of
/// the longest start that leaves one column for `…`.
pub(crate) fn cut_point(text: &str, budget: usize) -> usize {
    use unicode_width::UnicodeWidthStr;
    // Printable ASCII is one column per byte.
    if is_printable_ascii(text) {
        return budget.saturating_sub(1).min(text.len());
    }
    // Characters are counted one by one, but the prefix is measured whole, and some
    // sequences (an emoji with a variation selector) are wider than their characters.
    // So the room shrinks until the prefix fits.
    let mut room = budget;
    loop {
        let prefix = &text[..start_within(text, room)];
        // A zero-width joiner left before `…` would join the two.
        let prefix = prefix.trim_end_matches('\u{200D}');
        let width = prefix.width() + 1;
        if width <= budget || room == 0 {
            return prefix.len();
        }
        room -= (width - budget).min(room);
    }
}

/// Returns the end of the longest start of `text` whose characters, counted one by
/// one, leave one column of `room` free.
fn start_within(text: &str, room: usize) -> usize {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    for (offset, c) in text.char_indices() {
        let width = c.width().unwrap_or(0);
        if used + width + 1 > room {
            return offset;
        }
        used += width;
    }
    text.len()
}

/// Returns whether every byte is a printable ASCII character: text that is safe to print and
/// one display column per byte.
pub(crate) fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(|byte| (b' '..=b'~').contains(&byte))
}

/// A sparkline of `values`, one block per value, scaled from their minimum to their
/// maximum; equal values draw a flat middle line.
pub(crate) fn sparkline(values: &[f64]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    finite
        .iter()
        .map(|value| {
            if max <= min {
                return BLOCKS[3];
            }
            // The ratio is in 0..=1, so the index is in 0..=7.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let index = (((value - min) / (max - min)) * 7.0).round() as usize;
            BLOCKS[index.min(7)]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_match_display() {
        let mut dates: Vec<NaiveDate> = [(0, 1, 1), (9, 2, 3), (999, 12, 31), (2026, 11, 15)]
            .iter()
            .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
            .collect();
        dates.extend(
            [-1, 10_000, -10_000]
                .iter()
                .filter_map(|&y| NaiveDate::from_ymd_opt(y, 6, 7)),
        );
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        dates.extend(start.iter_days().take(800));
        for date in dates {
            assert_eq!(iso_date(date), date.to_string(), "{date:?}");
        }
    }

    #[test]
    fn two_decimals_match_format() {
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            0.7,
            0.75,
            0.125,
            0.135,
            1.005,
            -0.004,
            -0.005,
            -0.7,
            99.99,
            1e11,
            123_456.785,
            1e13,
            -1e13,
            0.1 + 0.2,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        values.extend((0..3000).map(|step| f64::from(step) * 0.001 - 1.0));
        values.extend((0..1000).map(|step| f64::from(step) / 7.0));
        for value in values {
            assert_eq!(two_decimals(value), format!("{value:.2}"), "{value}");
        }
    }

    #[test]
    fn whole_percent_matches_format() {
        let mut values = vec![
            0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -0.3, -1.5, 12.5, 99.5, 100.5, 1e14, -7.49,
        ];
        values.extend((0..2000).map(|step| f64::from(step) * 0.0625 - 20.0));
        values.extend((0..1000).map(|step| f64::from(step) / 7.0 * 100.0 + 0.0));
        for value in values {
            assert_eq!(whole_percent(value), format!("{value:.0}%"), "{value}");
        }
    }

    #[test]
    fn cut_text_fits_its_budget() {
        use unicode_width::UnicodeWidthStr;
        let hearts = format!("Hearts {}", "\u{2764}\u{FE0F}".repeat(30));
        let family = "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}".repeat(10);
        for text in [
            hearts.as_str(),
            family.as_str(),
            "数据驱动的增长目标",
            "e\u{301}".repeat(40).as_str(),
        ] {
            for budget in 0..40 {
                let cut = truncate(text, budget);
                assert!(cut.width() <= budget.max(1), "{cut:?} in {budget}");
                assert!(!cut.contains("\u{200D}…"), "{cut:?} in {budget}");
            }
        }
    }

    #[test]
    fn direction_marks_are_unsafe() {
        for mark in ['\u{061C}', '\u{200E}', '\u{200F}'] {
            assert!(is_unsafe(mark), "{mark:?}");
            assert!(!printable(&format!("a{mark}b")).contains(mark), "{mark:?}");
        }
    }

    #[test]
    fn unsafe_text_is_found() {
        assert!(has_unsafe("bell\x07"));
        assert!(has_unsafe("del\x7f"));
        assert!(has_unsafe("tab\tin"));
        assert!(has_unsafe("override \u{202E}"));
        assert!(has_unsafe("数据\x1b[31m"));
        assert!(!has_unsafe("plain text"));
        assert!(!has_unsafe("数据驱动"));
    }

    #[test]
    fn bars_round_to_cells() {
        assert_eq!(bar(Some(0.5), 10), "█████░░░░░");
        assert_eq!(bar(Some(0.0), 10), "░░░░░░░░░░");
        assert_eq!(bar(Some(1.0), 10), "██████████");
        assert_eq!(bar(None, 10), " ".repeat(10));
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
    fn control_characters_are_neutralized() {
        assert_eq!(printable("red\u{1b}[31m\nnext"), "red\u{fffd}[31m next");
        assert_eq!(printable_cut("red\u{1b}[31m\nnext", 6), "red\u{fffd}[…");
        assert_eq!(printable_cut("plain", 6), "plain");
        assert_eq!(markdown("bell\u{7}"), "bell\u{fffd}");
        assert_eq!(markdown("www.evil.com"), "www\\.evil\\.com");
        assert_eq!(
            masked_source("a\u{1b}b\u{85}c\n").len(),
            "a\u{1b}b\u{85}c\n".len()
        );
        assert_eq!(masked_source("a\u{1b}b\n"), "a?b\n");
    }

    #[test]
    fn csv_quotes_and_guards() {
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv("-0.5"), "-0.5");
        // Terminal controls and direction overrides are masked, as in every text output.
        assert_eq!(csv("a\u{1b}[2Jb\u{202e}c"), "a\u{fffd}[2Jb\u{fffd}c");
    }

    #[test]
    fn sparkline_scales_from_min_to_max() {
        assert_eq!(sparkline(&[10.0, 20.0, 40.0]), "▁▃█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn truncate_ends_in_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(Some(99.95)), "99.95");
        assert_eq!(number(Some(40.0)), "40");
        assert_eq!(number(None), "");
    }
}
