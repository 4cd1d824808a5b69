//! Typed reads from a span-keeping TOML tree. Every unknown key, wrong type and
//! missing field of a table is collected, so one pass reports all of them.

use crate::model::Spanned;
use crate::toml_tree::{Item, Table, Value};
use chrono::NaiveDate;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProblemKind {
    UnknownField,
    WrongType,
    MissingField,
    InvalidValue,
    /// A key result `kind` outside the known kinds.
    UnknownKind,
}

/// A problem with one field, ready to become a finding or an error.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub(crate) kind: ProblemKind,
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
    pub(crate) help: String,
}

/// Reads the fields of one table. `what` names the table in messages ("objective").
pub(crate) struct TableReader<'a, 'i> {
    table: &'a Table<'i>,
    span: Range<usize>,
    what: &'a str,
    pub(crate) problems: Vec<Problem>,
}

impl<'a, 'i> TableReader<'a, 'i> {
    pub(crate) fn new(table: &'a Table<'i>, span: Range<usize>, what: &'a str) -> Self {
        TableReader {
            table,
            span,
            what,
            problems: Vec::new(),
        }
    }

    fn get(&self, key: &str) -> Option<&'a Item<'i>> {
        self.table.get(key)
    }

    fn wrong_type(&mut self, key: &str, value: &Item<'_>, expected: &str) {
        self.problems.push(Problem {
            kind: ProblemKind::WrongType,
            span: value.span(),
            message: format!(
                "`{key}` of {} must be {expected}, found {}",
                self.what,
                describe(value.value())
            ),
            help: format!("write `{key}` as {expected}"),
        });
    }

    pub(crate) fn invalid(&mut self, span: Range<usize>, message: String, help: String) {
        self.problems.push(Problem {
            kind: ProblemKind::InvalidValue,
            span,
            message,
            help,
        });
    }

    pub(crate) fn string(&mut self, key: &str) -> Option<Spanned<String>> {
        let value = self.get(key)?;
        match value.value() {
            Value::String(text) => Some(Spanned::new(text.to_string(), value.span())),
            _ => {
                self.wrong_type(key, value, "a string");
                None
            }
        }
    }

    /// A required string: when missing, a problem is recorded and an empty value
    /// spanning the table header is returned so the item can still be checked.
    pub(crate) fn required_string(&mut self, key: &str) -> Spanned<String> {
        if self.get(key).is_none() {
            self.problems.push(Problem {
                kind: ProblemKind::MissingField,
                span: self.span.clone(),
                message: format!("{} has no `{key}`", self.what),
                help: format!("add `{key} = \"...\"` to the {}", self.what),
            });
        }
        self.string(key)
            .unwrap_or_else(|| Spanned::new(String::new(), self.span.clone()))
    }

    pub(crate) fn number(&mut self, key: &str) -> Option<Spanned<f64>> {
        let value = self.get(key)?;
        match number_of(value.value()) {
            Some(number) if number.is_finite() => Some(Spanned::new(number, value.span())),
            _ => {
                self.wrong_type(key, value, "a finite number");
                None
            }
        }
    }

    /// Reads a relative weight: a finite number that is not negative.
    pub(crate) fn weight(&mut self, key: &str) -> Option<Spanned<f64>> {
        let weight = self.number(key)?;
        if weight.value < 0.0 {
            self.invalid(
                weight.span,
                format!("`{key}` of {} must be 0 or more, found {}", self.what, weight.value),
                "weights are relative: use a positive number, or 0 to leave the item out of the mean"
                    .to_owned(),
            );
            return None;
        }
        Some(weight)
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Option<Spanned<bool>> {
        let value = self.get(key)?;
        match value.value() {
            Value::Boolean(flag) => Some(Spanned::new(*flag, value.span())),
            _ => {
                self.wrong_type(key, value, "true or false");
                None
            }
        }
    }

    /// Reads a date: a TOML local date (`2026-12-15`) or a string in the same form.
    pub(crate) fn date(&mut self, key: &str) -> Option<Spanned<NaiveDate>> {
        let value = self.get(key)?;
        match date_of(value.value()) {
            Some(date) => Some(Spanned::new(date, value.span())),
            None => {
                self.wrong_type(key, value, "a date (YYYY-MM-DD)");
                None
            }
        }
    }

    pub(crate) fn strings(&mut self, key: &str) -> Vec<Spanned<String>> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let Value::Array(items) = value.value() else {
            self.wrong_type(key, value, "an array of strings");
            return Vec::new();
        };
        let mut strings = Vec::new();
        for item in items.iter() {
            match item.value() {
                Value::String(text) => strings.push(Spanned::new(text.to_string(), item.span())),
                _ => self.wrong_type(key, item, "an array of strings"),
            }
        }
        strings
    }

    /// An array of tables (`[[objective]]` or `notes = [{...}]`), with each table's span.
    pub(crate) fn tables(&mut self, key: &str) -> Vec<(&'a Table<'i>, Range<usize>)> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let Value::Array(items) = value.value() else {
            self.wrong_type(key, value, "an array of tables");
            return Vec::new();
        };
        let mut tables = Vec::new();
        for item in items.iter() {
            match item.value() {
                Value::Table(table) => tables.push((table, item.span())),
                _ => self.wrong_type(key, item, "an array of tables"),
            }
        }
        tables
    }

    /// A sub-table (`[periods]`), with its span.
    pub(crate) fn table(&mut self, key: &str) -> Option<(&'a Table<'i>, Range<usize>)> {
        let value = self.get(key)?;
        match value.value() {
            Value::Table(table) => Some((table, value.span())),
            _ => {
                self.wrong_type(key, value, "a table");
                None
            }
        }
    }

    /// Reads a key that may contain one string or an array of strings.
    pub(crate) fn string_or_strings(&mut self, key: &str) -> Option<Vec<Spanned<String>>> {
        let value = self.get(key)?;
        match value.value() {
            Value::String(text) => Some(vec![Spanned::new(text.to_string(), value.span())]),
            _ => Some(self.strings(key)),
        }
    }

    /// Reports every key not in `known`, with the closest known key as a suggestion.
    pub(crate) fn finish(mut self, known: &[&str]) -> Vec<Problem> {
        for (key, _) in self.table.iter() {
            let name = key.name();
            if known.contains(&name) {
                continue;
            }
            let help = match did_you_mean(name, known.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("known fields of {}: {}", self.what, known.join(", ")),
            };
            self.problems.push(Problem {
                kind: ProblemKind::UnknownField,
                span: key.span(),
                message: format!("unknown field `{name}` in {}", self.what),
                help,
            });
        }
        self.problems
    }
}

pub(crate) fn number_of(value: &Value<'_>) -> Option<f64> {
    match value {
        Value::Integer(integer) => {
            let parsed = i64::from_str_radix(integer.digits(), integer.radix()).ok()?;
            // Goal values stay far below 2^53, where this conversion is exact.
            #[allow(clippy::cast_precision_loss)]
            Some(parsed as f64)
        }
        Value::Float(float) => float.as_str().parse().ok(),
        _ => None,
    }
}

pub(crate) fn date_of(value: &Value<'_>) -> Option<NaiveDate> {
    match value {
        Value::Datetime(datetime) if datetime.time.is_none() && datetime.offset.is_none() => {
            let date = datetime.date?;
            NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
        }
        Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
        _ => None,
    }
}

fn describe(value: &Value<'_>) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// Returns the closest candidate within a small edit distance, for "did you mean" hints.
pub(crate) fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    close_matches(name, candidates).into_iter().next()
}

/// Returns the candidates within a small edit distance of `name`, closest first, in
/// candidate order among equals.
pub(crate) fn close_matches<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Vec<&'c str> {
    let name: Vec<char> = name.chars().collect();
    let counts = CharCounts::new(&name);
    let mut rows = DistanceRows::default();
    let mut close: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let limit = 2.max(candidate.len() / 3);
            // The distance is at least the difference in length and at least the bag
            // distance, so hopeless candidates are skipped before the table is filled.
            if name.len().abs_diff(candidate.chars().count()) > limit
                || counts.bag_distance(candidate) > limit
            {
                return None;
            }
            let distance = rows.bounded_distance(&name, candidate, limit)?;
            Some((distance, candidate))
        })
        .collect();
    close.sort_by_key(|&(distance, _)| distance);
    close.into_iter().map(|(_, candidate)| candidate).collect()
}

/// How often each character occurs in a name, with characters folded into 128 buckets.
struct CharCounts {
    counts: [u32; 128],
    length: usize,
}

impl CharCounts {
    fn new(name: &[char]) -> Self {
        let mut counts = [0; 128];
        for &c in name {
            counts[Self::bucket(c)] += 1;
        }
        CharCounts {
            counts,
            length: name.len(),
        }
    }

    fn bucket(c: char) -> usize {
        (u32::from(c) & 127) as usize
    }

    /// Returns the bag distance to `candidate`: the larger of the number of characters
    /// only the name has and the number only the candidate has, counted with repeats.
    /// An insertion, deletion or substitution changes each number by at most one and a
    /// swap of neighbours changes neither, so this is a lower bound of the optimal string
    /// alignment distance. Folding characters into buckets can only lower it further.
    fn bag_distance(&self, candidate: &str) -> usize {
        let mut unmatched = self.counts;
        let mut candidate_only = 0;
        let mut length = 0;
        for c in candidate.chars() {
            length += 1;
            let count = &mut unmatched[Self::bucket(c)];
            if *count == 0 {
                candidate_only += 1;
            } else {
                *count -= 1;
            }
        }
        let name_only = self.length - (length - candidate_only);
        name_only.max(candidate_only)
    }
}

/// Rows of the edit-distance table, kept between calls so a search over thousands of
/// candidates allocates once.
#[derive(Default)]
struct DistanceRows {
    before_previous: Vec<usize>,
    previous: Vec<usize>,
    current: Vec<usize>,
    candidate: Vec<char>,
}

impl DistanceRows {
    /// Returns the optimal string alignment distance (edits, with swaps of neighbours)
    /// between `name` and `candidate`, or `None` as soon as it must exceed `limit`.
    fn bounded_distance(&mut self, name: &[char], candidate: &str, limit: usize) -> Option<usize> {
        self.candidate.clear();
        self.candidate.extend(candidate.chars());
        let other = &self.candidate;
        let width = other.len() + 1;
        for row in [
            &mut self.before_previous,
            &mut self.previous,
            &mut self.current,
        ] {
            row.clear();
            row.resize(width, 0);
        }
        for (column, cell) in self.previous.iter_mut().enumerate() {
            *cell = column;
        }
        for (i, &a) in name.iter().enumerate() {
            self.current[0] = i + 1;
            let mut row_min = self.current[0];
            for (j, &b) in other.iter().enumerate() {
                let cost = usize::from(a != b);
                let mut best = (self.previous[j] + cost)
                    .min(self.previous[j + 1] + 1)
                    .min(self.current[j] + 1);
                if i > 0 && j > 0 && a == other[j - 1] && name[i - 1] == b {
                    best = best.min(self.before_previous[j - 1] + 1);
                }
                self.current[j + 1] = best;
                row_min = row_min.min(best);
            }
            // Every later row is at least this row's minimum.
            if row_min > limit {
                return None;
            }
            std::mem::swap(&mut self.before_previous, &mut self.previous);
            std::mem::swap(&mut self.previous, &mut self.current);
        }
        let distance = self.previous[other.len()];
        (distance <= limit).then_some(distance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_distance_matches_the_full_table() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "title",
            "titel",
            "tilte",
            "target",
            "tagret",
            "owner",
            "own",
            "数据",
            "数剧",
            "checkout-p99",
            "checkout-p95",
            "2026-Q4/growth",
        ];
        let mut rows = DistanceRows::default();
        for a in words {
            let chars: Vec<char> = a.chars().collect();
            for b in words {
                let full = strsim::osa_distance(a, b);
                for limit in 0..6 {
                    let bounded = rows.bounded_distance(&chars, b, limit);
                    let expected = (full <= limit).then_some(full);
                    assert_eq!(bounded, expected, "{a} / {b} within {limit}");
                }
            }
        }
    }

    #[test]
    fn bag_distance_is_a_lower_bound() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "aab",
            "title",
            "titel",
            "target",
            "tagret",
            "retired-company-goal",
            "2026-Q1/retired-goal",
            "数据",
            "数剧",
            "\u{80}",
        ];
        for a in words {
            let counts = CharCounts::new(&a.chars().collect::<Vec<_>>());
            for b in words {
                let bag = counts.bag_distance(b);
                let full = strsim::osa_distance(a, b);
                assert!(bag <= full, "{a} / {b}: bag {bag} > distance {full}");
            }
        }
        let counts = CharCounts::new(&['a', 'b', 'c']);
        assert_eq!(counts.bag_distance("abc"), 0);
        assert_eq!(counts.bag_distance("cab"), 0);
        assert_eq!(counts.bag_distance("abd"), 1);
        assert_eq!(counts.bag_distance("xyzw"), 4);
    }

    #[test]
    fn suggestion_for_misspelt_field() {
        let known = ["title", "owner", "target"];
        assert_eq!(did_you_mean("titel", known), Some("title"));
        assert_eq!(did_you_mean("tagret", known), Some("target"));
        assert_eq!(did_you_mean("budget", known), None);
    }

    #[test]
    fn reader_collects_every_problem() {
        let text = "a = 1\nb = \"x\"\nc = 2026-01-01\nzz = true\n";
        let table = Table::parse(text).unwrap();
        let mut reader = TableReader::new(&table, 0..0, "objective");
        assert!(reader.string("a").is_none());
        assert!(reader.number("b").is_none());
        assert_eq!(reader.date("c").unwrap().value.to_string(), "2026-01-01");
        let _ = reader.required_string("id");
        let problems = reader.finish(&["a", "b", "c", "id"]);
        let kinds: Vec<_> = problems.iter().map(|problem| problem.kind).collect();
        assert_eq!(
            kinds,
            [
                ProblemKind::WrongType,
                ProblemKind::WrongType,
                ProblemKind::MissingField,
                ProblemKind::UnknownField
            ]
        );
    }
}
