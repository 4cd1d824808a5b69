//! `placeholder-text`: ids, titles and owners that still contain template text. The
//! patterns are fixed, not a word list: TODO-style markers, `<...>`, and the values
//! `okr new` writes.

use super::super::context::{Context, Sink, Subject};
use crate::diagnostic::quoted;
use crate::model::{GoalFile, Objective, Spanned, Text};
use crate::words::NEW_FILE_PLACEHOLDERS;

/// Finds the placeholder a value still contains: TODO, TBD, FIXME or XXX as a whole word, text
/// in angle brackets, or a value `okr new` writes.
fn placeholder(text: &str) -> Option<String> {
    if let Some(marker) = marker(text) {
        return Some(marker.to_owned());
    }
    if let Some(bracketed) = bracketed(text) {
        return Some(bracketed.to_owned());
    }
    let text = text.trim();
    NEW_FILE_PLACEHOLDERS
        .iter()
        .find(|written| written.eq_ignore_ascii_case(text))
        .map(|written| (*written).to_owned())
}

/// Finds TODO, TBD, FIXME or XXX as a whole word, in any case.
fn marker(text: &str) -> Option<&str> {
    if text.is_ascii() {
        return ascii_marker(text);
    }
    unicode_marker(text)
}

fn unicode_marker(text: &str) -> Option<&str> {
    // The markers are ASCII without a `k`, and the only other character that lowercases
    // to an ASCII letter is the Kelvin sign, so an ASCII comparison that ignores case
    // matches the same words as comparing lowercased words, with no allocation.
    let is_marker = |word: &[u8]| {
        (3..=5).contains(&word.len())
            && [&b"todo"[..], b"tbd", b"fixme", b"xxx"]
                .iter()
                .any(|marker| word.eq_ignore_ascii_case(marker))
    };
    text.split(|c: char| !c.is_alphanumeric())
        .find(|word| is_marker(word.as_bytes()))
}

/// `marker` for ASCII text, where the ASCII letters and digits are all the alphanumeric
/// characters, so splitting bytes finds the same words without decoding characters.
/// Every id, title and owner is scanned, so each word of three to five characters is
/// compared as one number: setting bit 5 lowercases an ASCII letter and leaves a digit
/// as it is, and words hold nothing else.
fn ascii_marker(text: &str) -> Option<&str> {
    const fn packed(word: &[u8]) -> u64 {
        let mut value = 0;
        let mut at = 0;
        while at < word.len() {
            value = value << 8 | (word[at] | 0x20) as u64;
            at += 1;
        }
        value
    }
    const MARKERS: [u64; 4] = [
        packed(b"todo"),
        packed(b"tbd"),
        packed(b"fixme"),
        packed(b"xxx"),
    ];
    let word = text
        .as_bytes()
        .split(|byte| !byte.is_ascii_alphanumeric())
        .find(|word| (3..=5).contains(&word.len()) && MARKERS.contains(&packed(word)))?;
    std::str::from_utf8(word).ok()
}

/// Finds the first text in angle brackets (`<owner>`), brackets included. `<>` does
/// not count.
fn bracketed(text: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(open) = text[from..].find('<').map(|i| i + from) {
        let inner_start = open + 1;
        let close = text[inner_start..].find('>')? + inner_start;
        let inner = &text[inner_start..close];
        if !inner.is_empty() && !inner.contains('<') {
            return Some(&text[open..=close]);
        }
        from = inner_start;
    }
    None
}

/// Calls `visit` with each field `placeholder-text` reads on one objective, and its
/// subject.
fn visit_fields<'o>(
    objective: &'o Objective,
    mut visit: impl FnMut(Subject<'o>, &'static str, &'o Spanned<Text>),
) {
    visit(Subject::Objective(objective), "id", &objective.id);
    visit(Subject::Objective(objective), "title", &objective.title);
    if let Some(owner) = &objective.owner {
        visit(Subject::Objective(objective), "owner", owner);
    }
    for key_result in &objective.key_results {
        let subject = || Subject::KeyResult(objective, key_result);
        visit(subject(), "id", &key_result.id);
        visit(subject(), "title", &key_result.title);
        if let Some(owner) = &key_result.owner {
            visit(subject(), "owner", owner);
        }
    }
    // Initiatives report on their objective.
    for initiative in &objective.initiatives {
        let subject = Subject::Objective(objective);
        visit(subject, "initiative title", &initiative.title);
        if let Some(owner) = &initiative.owner {
            visit(Subject::Objective(objective), "initiative owner", owner);
        }
    }
}

pub(super) fn placeholder_text(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        visit_fields(objective, |subject, field, value| {
            if let Some(found) = placeholder(&value.value) {
                report_placeholder(sink, file, subject, field, value, &found);
            }
        });
    }
}

fn report_placeholder(
    sink: &mut Sink<'_>,
    file: &GoalFile,
    subject: Subject<'_>,
    field: &str,
    value: &Spanned<Text>,
    found: &str,
) {
    let owner = subject.name().unwrap_or_else(|| "the file".to_owned());
    let what = field.rsplit(' ').next().unwrap_or(field);
    sink.report(
        "placeholder-text",
        file,
        subject,
        value.span.clone(),
        format!(
            "{field} \"{}\" of {owner} is still a placeholder ({found})",
            quoted(&value.value)
        ),
        format!("replace the placeholder with the real {what}"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for (text, found) in [
            ("TBD", "TBD"),
            ("owner: tbd", "tbd"),
            ("TODO: decide", "TODO"),
            ("Fix XXX later", "XXX"),
            ("<owner>", "<owner>"),
            ("Reach <what will be true>", "<what will be true>"),
            ("a < b and <name>", "<name>"),
            ("objective-id", "objective-id"),
            ("Objective title", "Objective title"),
        ] {
            assert_eq!(placeholder(text).as_deref(), Some(found), "{text}");
        }
        for text in [
            "Todoist sync works",
            "alice",
            "<>",
            "Keep p95 fast",
            "xxxl sizes",
        ] {
            assert_eq!(placeholder(text), None, "{text}");
        }
    }

    #[test]
    fn ascii_markers_match_the_unicode_scan() {
        for text in [
            "TODO",
            "todo:",
            "ToDo later",
            "tbd",
            "Fix-me",
            "FIXME!",
            "xXx",
            "xxxx",
            "todos",
            "2-tbd-3",
            "TBD1",
            "t0do",
            "@fixme#",
            "",
            "alice",
        ] {
            assert_eq!(ascii_marker(text), unicode_marker(text), "{text}");
        }
    }
}
