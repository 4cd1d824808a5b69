//! Numbers in titles that read as measurements: an amount with a unit, a percent
//! sign or a currency, and "from X to Y" (从X到Y) changes. Years, versions, product
//! names and bare counts are not measurements.

use super::{CURRENCY_CODES, CURRENCY_SIGNS, is_cjk, is_digit};

/// Finds the first amount in `text` that carries `%`, `‰`, a unit from `units` or a
/// currency. It is returned as written ("40%", "$2M", "USD 5", "200 ms").
pub(crate) fn measured_amount(text: &str, units: &[String]) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut position = 0;
    while position < chars.len() {
        if !is_digit(chars[position]) {
            position += 1;
            continue;
        }
        let start = position;
        let end = number_end(&chars, start);
        if let Some(found) = amount_at(&chars, start, end, units) {
            return Some(found);
        }
        position = end;
    }
    None
}

/// Returns the end (exclusive) of the number starting at `start`: digits, with `.` or `,`
/// allowed between two digits ("99.95", "1,200").
fn number_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while end < chars.len() {
        let separator =
            matches!(chars[end], '.' | ',') && chars.get(end + 1).copied().is_some_and(is_digit);
        if !is_digit(chars[end]) && !separator {
            break;
        }
        end += 1;
    }
    end
}

/// Checks one number, `chars[start..end]`, for a sign, currency or unit around it.
fn amount_at(chars: &[char], start: usize, end: usize, units: &[String]) -> Option<String> {
    let number: String = chars[start..end].iter().collect();
    let before = start.checked_sub(1).map(|i| chars[i]);
    let after = chars.get(end).copied();

    // Currency: a sign touching the number, or a code next to it.
    if let Some(sign) = before.filter(|c| CURRENCY_SIGNS.contains(c)) {
        return Some(format!("{sign}{number}{}", magnitude_suffix(chars, end)));
    }
    if let Some(sign) = after.filter(|c| CURRENCY_SIGNS.contains(c)) {
        return Some(format!("{number}{sign}"));
    }
    if let Some((code, spaced)) = word_before(chars, start)
        && CURRENCY_CODES.contains(&code.to_lowercase().as_str())
    {
        let gap = if spaced { " " } else { "" };
        let suffix = magnitude_suffix(chars, end);
        return Some(format!("{code}{gap}{number}{suffix}"));
    }

    // Skip one space between the number and what follows.
    let (next, gap) = match after {
        Some(' ') => (end + 1, " "),
        _ => (end, ""),
    };
    match chars.get(next) {
        Some('%' | '‰') => return Some(format!("{number}{gap}{}", chars[next])),
        Some(_) => {}
        None => return None,
    }

    if let Some(word) = word_at(chars, next) {
        let lower = word.to_lowercase();
        if CURRENCY_CODES.contains(&lower.as_str()) {
            return Some(format!("{number}{gap}{word}"));
        }
        // A letter right before the number makes it a name or version ("S3", "v2").
        let named = before.is_some_and(|c| c.is_alphabetic() && !is_cjk(c));
        if !named && units.iter().any(|unit| is_unit(&lower, unit)) {
            return Some(format!("{number}{gap}{word}"));
        }
    }

    let rest: String = chars[next..].iter().collect();
    units
        .iter()
        .filter(|unit| unit.chars().any(is_cjk))
        .find(|unit| rest.starts_with(unit.as_str()))
        .map(|unit| format!("{number}{gap}{unit}"))
}

/// Tests whether `word` is `unit` or its plural with -s.
fn is_unit(word: &str, unit: &str) -> bool {
    word == unit || word.strip_suffix('s') == Some(unit)
}

/// Returns a `k`, `m` or `bn` written right after an amount of money ("$2M"), for the
/// message.
fn magnitude_suffix(chars: &[char], end: usize) -> String {
    word_at(chars, end)
        .filter(|word| matches!(word.to_lowercase().as_str(), "k" | "m" | "bn"))
        .unwrap_or_default()
}

/// Returns the whole non-CJK word that starts at `position`, if one does: letters up to a
/// space, punctuation or CJK character. A hyphen or digit after the letters makes a
/// longer word ("s-tier", "h1"), which is not returned.
fn word_at(chars: &[char], position: usize) -> Option<String> {
    let is_letter = |c: &char| c.is_alphabetic() && !is_cjk(*c);
    let word: String = chars[position..]
        .iter()
        .take_while(|c| is_letter(c))
        .collect();
    if word.is_empty() {
        return None;
    }
    let follower = chars.get(position + word.chars().count());
    if follower.is_some_and(|c| c.is_alphanumeric() && !is_cjk(*c) || matches!(c, '-' | '_')) {
        return None;
    }
    Some(word)
}

/// Returns the whole non-CJK word that ends right before `start` or one space before it, and
/// whether a space separates it from `start`.
fn word_before(chars: &[char], start: usize) -> Option<(String, bool)> {
    let (end, spaced) = match start.checked_sub(1).map(|i| chars[i]) {
        Some(' ') => (start - 1, true),
        Some(_) => (start, false),
        None => return None,
    };
    let is_letter = |c: char| c.is_alphabetic() && !is_cjk(c);
    let mut begin = end;
    while begin > 0 && is_letter(chars[begin - 1]) {
        begin -= 1;
    }
    if begin == end {
        return None;
    }
    if begin > 0 && (chars[begin - 1].is_alphanumeric() || matches!(chars[begin - 1], '-' | '_')) {
        return None;
    }
    Some((chars[begin..end].iter().collect(), spaced))
}

/// Finds the "from X to Y" and 从X到Y changes in `text`, as written. A change counts only with
/// a digit between "from" and "to" and another after "to", before the next "from":
/// "from signup to first report" names a metric, not a change.
pub(crate) fn changes(text: &str) -> Vec<String> {
    // Every change has a digit, and "from" or 从 in front, so most titles are passed
    // over without splitting them. No character outside ASCII lowercases to a letter
    // of "from", so the byte search finds every "from" that lowercasing would.
    if !super::has_digit(text) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let has_from = text
        .as_bytes()
        .windows(4)
        .any(|window| window.eq_ignore_ascii_case(b"from"));
    if has_from {
        found = english_changes(text);
    }
    if text.contains('从') {
        found.extend(chinese_changes(text));
    }
    found
}

fn english_changes(text: &str) -> Vec<String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let normal: Vec<String> = tokens
        .iter()
        .map(|token| {
            token
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    let mut found = Vec::new();
    for (from, word) in normal.iter().enumerate() {
        if word != "from" {
            continue;
        }
        let next_from = (from + 1..normal.len())
            .find(|&i| normal[i] == "from")
            .unwrap_or(normal.len());
        let Some(to) = (from + 1..next_from).find(|&i| normal[i] == "to") else {
            continue;
        };
        let between = tokens[from + 1..to].join(" ");
        let Some(last) = (to + 1..next_from).find(|&i| super::has_digit(tokens[i])) else {
            continue;
        };
        if super::has_digit(&between) {
            let change = tokens[from..=last].join(" ");
            found.push(change.trim_end_matches([',', ';', '.', ':']).to_owned());
        }
    }
    found
}

fn chinese_changes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    // Each piece runs from one 从 to the next, so the text before the first is skipped.
    for piece in text.split('从').skip(1) {
        let Some((between, after)) = piece.split_once('到') else {
            continue;
        };
        let Some(number) = after.find(super::is_digit) else {
            continue;
        };
        // The change ends at the first space or punctuation after the target's number.
        let end = after[number..]
            .find(|c: char| c.is_whitespace() || is_separator(c))
            .map_or(after.len(), |i| number + i);
        if super::has_digit(between) {
            found.push(format!("从{between}到{}", &after[..end]));
        }
    }
    found
}

/// Punctuation that ends a clause, ASCII or full-width; `.` and `%` stay inside numbers.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ',' | ';' | ':' | '，' | '；' | '：' | '。' | '、' | '（' | '）' | '(' | ')'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<String> {
        super::super::UNITS
            .iter()
            .map(|unit| (*unit).to_owned())
            .collect()
    }

    #[test]
    fn amounts_that_are_measurements() {
        let cases = [
            ("Reach 40% share", "40%"),
            ("Keep uptime at 99.95%", "99.95%"),
            ("Cut costs by 5 ‰", "5 ‰"),
            ("Raise $2M in new revenue", "$2M"),
            ("Spend under 30€ per lead", "30€"),
            ("Earn USD 5 per seat", "USD 5"),
            ("Earn usd5 per seat", "usd5"),
            ("Sell 500 EUR of add-ons", "500 EUR"),
            ("Serve pages in 200 ms", "200 ms"),
            ("Serve pages in 200ms", "200ms"),
            ("Answer within 5 minutes", "5 minutes"),
            ("Store 2 GB per user", "2 GB"),
            ("Ship builds 10x faster", "10x"),
            ("Answer every ticket in 24 h.", "24 h"),
            ("三天内回复", ""),
            ("3天内回复所有工单", "3天"),
            ("年收入达到500元", "500元"),
            ("交付周期缩短到 2 个月", "2 个月"),
        ];
        for (text, expected) in cases {
            let found = measured_amount(text, &units());
            if expected.is_empty() {
                assert_eq!(found, None, "{text}");
            } else {
                assert_eq!(found.as_deref(), Some(expected), "{text}");
            }
        }
    }

    #[test]
    fn numbers_that_are_not_measurements() {
        for text in [
            "Win the 2026 enterprise season",
            "Close Q3 with every region live",
            "Own the 2026-H1 roadmap",
            "Finish H1 planning",
            "Move to HTTP/2 everywhere",
            "Move backups to S3",
            "Launch on 5G networks",
            "Release v2 of the API",
            "Open 3 markets",
            "Open 3 S-tier accounts",
            "开拓3个新市场",
            "Serve 10k customers",
            "Be the 1st choice",
        ] {
            assert_eq!(measured_amount(text, &units()), None, "{text}");
        }
    }

    #[test]
    fn changes_need_digits_on_both_sides() {
        assert_eq!(changes("Grow from 3 to 5 teams"), ["from 3 to 5"]);
        assert_eq!(changes("从3到5个团队"), ["从3到5个团队"]);
        assert_eq!(
            changes("把延迟从900毫秒降到400毫秒"),
            ["从900毫秒降到400毫秒"]
        );
        assert!(changes("Go from idea to launch").is_empty());
        assert!(changes("从想法到上线").is_empty());
        assert!(changes("Grow to 5 teams").is_empty());
    }

    #[test]
    fn metric_names_are_not_changes() {
        let title = "Cut time from signup to first report from 3 days to 1 day";
        assert_eq!(changes(title), ["from 3 days to 1"]);
    }

    #[test]
    fn two_changes_are_found() {
        let title = "Raise NPS from 30 to 45 and cut churn from 5% to 3%";
        assert_eq!(changes(title), ["from 30 to 45", "from 5% to 3%"]);
        assert_eq!(
            changes("NPS从30到45，流失率从5%到3%"),
            ["从30到45", "从5%到3%"]
        );
    }
}
