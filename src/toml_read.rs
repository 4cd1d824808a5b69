//! Typed reads from a span-keeping TOML tree. Every unknown key, wrong type and
//! missing field of a table is collected, so one pass reports all of them.

use crate::diagnostic::quoted;
use crate::model::{Spanned, Text};
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

    pub(crate) fn string(&mut self, key: &str) -> Option<Spanned<Text>> {
        let value = self.get(key)?;
        match value.value() {
            Value::String(text) => Some(Spanned::new(Text::from(&**text), value.span())),
            _ => {
                self.wrong_type(key, value, "a string");
                None
            }
        }
    }

    /// A required string: when missing, a problem is recorded and an empty value
    /// spanning the table header is returned so the item can still be checked.
    pub(crate) fn required_string(&mut self, key: &str) -> Spanned<Text> {
        if self.get(key).is_none() {
            self.problems.push(Problem {
                kind: ProblemKind::MissingField,
                span: self.span.clone(),
                message: format!("{} has no `{key}`", self.what),
                help: format!("add `{key} = \"...\"` to the {}", self.what),
            });
        }
        self.string(key)
            .unwrap_or_else(|| Spanned::new(Text::default(), self.span.clone()))
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

    pub(crate) fn strings(&mut self, key: &str) -> Vec<Spanned<Text>> {
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
                Value::String(text) => strings.push(Spanned::new(Text::from(&**text), item.span())),
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
    pub(crate) fn string_or_strings(&mut self, key: &str) -> Option<Vec<Spanned<Text>>> {
        let value = self.get(key)?;
        match value.value() {
            Value::String(text) => Some(vec![Spanned::new(Text::from(&**text), value.span())]),
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
                message: format!("unknown field `{}` in {}", quoted(name), self.what),
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

/// Names a value's type for messages. The special floats are named by value, because
/// "must be a finite number, found a float" would not say what is wrong.
fn describe(value: &Value<'_>) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(float) => match float.as_str().parse::<f64>() {
            Ok(number) if number.is_nan() => "nan",
            Ok(number) if number == f64::INFINITY => "inf",
            Ok(number) if number == f64::NEG_INFINITY => "-inf",
            _ => "a float",
        },
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
    let mut matcher = Matcher::new(name);
    let mut close: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|candidate| Some((matcher.distance(candidate)?, candidate)))
        .collect();
    close.sort_by_key(|&(distance, _)| distance);
    close.into_iter().map(|(_, candidate)| candidate).collect()
}

/// One name prepared for comparing against many candidates.
#[derive(Clone)]
pub(crate) struct Matcher {
    chars: Vec<char>,
    shape: Shape,
    counts: CharCounts,
    bits: Option<NameBits>,
    rows: DistanceRows,
}

impl Matcher {
    pub(crate) fn new(name: &str) -> Matcher {
        let chars: Vec<char> = name.chars().collect();
        Matcher {
            shape: Shape::of(name),
            counts: CharCounts::new(&chars),
            bits: NameBits::new(&chars),
            rows: DistanceRows::default(),
            chars,
        }
    }

    /// Returns the length of the matched name in characters. A candidate whose length
    /// differs by more than its `Candidate::limit` is never close.
    pub(crate) fn chars(&self) -> usize {
        self.chars.len()
    }

    /// Returns the edit distance to `candidate` when it is close: within 2 edits, or
    /// within a third of the candidate's length.
    pub(crate) fn distance(&mut self, candidate: &str) -> Option<usize> {
        self.distance_to(&Candidate::new(candidate))
    }

    /// Like `distance`, for a candidate that several matchers compare against.
    pub(crate) fn distance_to(&mut self, candidate: &Candidate<'_>) -> Option<usize> {
        let Candidate {
            text: candidate,
            shape,
            limit,
        } = *candidate;
        // The distance is at least the difference in length, at least the number of
        // distinct characters only one side has, and at least the bag distance, so
        // hopeless candidates are skipped before the distance is computed.
        if self.shape.lower_bound(shape) > limit || self.counts.bag_distance(candidate) > limit {
            return None;
        }
        match &self.bits {
            Some(bits) => Some(bits.distance(candidate)).filter(|&distance| distance <= limit),
            None => self.rows.bounded_distance(&self.chars, candidate, limit),
        }
    }
}

/// A name to compare with matchers, with what their quick checks need of it.
#[derive(Clone, Copy)]
pub(crate) struct Candidate<'a> {
    text: &'a str,
    shape: Shape,
    /// The largest distance that counts as close: 2 edits, or a third of the length in
    /// characters.
    limit: usize,
}

impl<'a> Candidate<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let shape = Shape::of(text);
        Candidate {
            text,
            shape,
            limit: Candidate::limit(shape.chars),
        }
    }

    /// Returns the largest distance that counts as close to a candidate of `chars`
    /// characters.
    pub(crate) fn limit(chars: usize) -> usize {
        2.max(chars / 3)
    }
}

/// A name's length in characters and the buckets of its characters (see `CharCounts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    chars: usize,
    buckets: u128,
}

impl Shape {
    fn of(name: &str) -> Shape {
        let mut shape = Shape {
            chars: 0,
            buckets: 0,
        };
        for c in name.chars() {
            shape.chars += 1;
            shape.buckets |= 1 << CharCounts::bucket(c);
        }
        shape
    }

    /// Returns a lower bound of the edit distance between the two names. Each edit
    /// changes the length by one at most and adds at most one bucket to either side.
    fn lower_bound(self, other: Shape) -> usize {
        let only_self = (self.buckets & !other.buckets).count_ones();
        let only_other = (other.buckets & !self.buckets).count_ones();
        let buckets = only_self.max(only_other) as usize;
        self.chars.abs_diff(other.chars).max(buckets)
    }
}

/// How often each character occurs in a name, with characters folded into 128 buckets.
#[derive(Clone)]
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

/// A name of at most 64 characters as bit masks, one per distinct character, for the
/// bit-parallel edit distance (Myers' algorithm, with Hyyrö's extension to swaps of
/// neighbours). A search compares one name against every item of a large repository,
/// where filling the table below for each took longer than the rest of the search.
#[derive(Clone)]
struct NameBits {
    ascii: [u64; 128],
    other: Vec<(char, u64)>,
    /// The bit of the name's last character.
    last: u64,
    length: usize,
}

impl NameBits {
    fn new(name: &[char]) -> Option<NameBits> {
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        let mut bits = NameBits {
            ascii: [0; 128],
            other: Vec::new(),
            last: 1 << (name.len() - 1),
            length: name.len(),
        };
        for (position, &c) in name.iter().enumerate() {
            let bit = 1 << position;
            if c.is_ascii() {
                bits.ascii[c as usize] |= bit;
            } else if let Some(entry) = bits.other.iter_mut().find(|(known, _)| *known == c) {
                entry.1 |= bit;
            } else {
                bits.other.push((c, bit));
            }
        }
        Some(bits)
    }

    fn positions(&self, c: char) -> u64 {
        if c.is_ascii() {
            return self.ascii[c as usize];
        }
        self.other
            .iter()
            .find(|(known, _)| *known == c)
            .map_or(0, |&(_, bits)| bits)
    }

    /// Returns the optimal string alignment distance to `candidate`, as
    /// `DistanceRows::bounded_distance` computes it without a bound. Bit `i` of the
    /// vertical deltas records how the table's column changes from row `i` to `i + 1`.
    fn distance(&self, candidate: &str) -> usize {
        let mask = if self.length == 64 {
            u64::MAX
        } else {
            (1 << self.length) - 1
        };
        let mut plus = mask;
        let mut minus = 0u64;
        let mut score = self.length;
        let mut previous_zero = 0u64;
        let mut previous_equal = 0u64;
        for c in candidate.chars() {
            let equal = self.positions(c);
            // A swap of neighbours: this character matches the name one place earlier and
            // the previous character one place later.
            let swap = ((!previous_zero & equal) << 1) & previous_equal;
            let zero = (((equal & plus).wrapping_add(plus)) ^ plus) | equal | minus | swap;
            let horizontal_plus = minus | !(zero | plus);
            let horizontal_minus = plus & zero;
            if horizontal_plus & self.last != 0 {
                score += 1;
            } else if horizontal_minus & self.last != 0 {
                score -= 1;
            }
            let horizontal_plus = (horizontal_plus << 1) | 1;
            let horizontal_minus = horizontal_minus << 1;
            plus = (horizontal_minus | !(zero | horizontal_plus)) & mask;
            minus = horizontal_plus & zero & mask;
            previous_zero = zero;
            previous_equal = equal;
        }
        score
    }
}

/// Rows of the edit-distance table, kept between calls so a search over thousands of
/// candidates allocates once.
#[derive(Clone, Default)]
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

    /// Words for the edit-distance tests: swaps, repeats, CJK and item names.
    const DISTANCE_WORDS: &[&str] = &[
        "",
        "a",
        "ab",
        "ba",
        "abc",
        "acb",
        "bca",
        "title",
        "titel",
        "tilte",
        "target",
        "tagret",
        "owner",
        "own",
        "数据",
        "数剧",
        "据数",
        "checkout-p99",
        "checkout-p95",
        "2026-Q4/growth",
        "retired-company-goal",
        "aaaa",
        "abab",
        "baba",
    ];

    #[test]
    fn bounded_distance_matches_the_full_table() {
        let words = DISTANCE_WORDS;
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
    fn bit_parallel_distance_matches_the_table() {
        let mut words: Vec<String> = DISTANCE_WORDS
            .iter()
            .map(|word| (*word).to_owned())
            .collect();
        // Pseudo-random words over small alphabets, where swaps and repeats are common.
        let mut seed = 7u64;
        for length in (1..=70).step_by(3) {
            for alphabet in ["ab", "abc", "ab数"] {
                let letters: Vec<char> = alphabet.chars().collect();
                let word = (0..length)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        letters[(seed >> 33) as usize % letters.len()]
                    })
                    .collect();
                words.push(word);
            }
        }
        for a in &words {
            let chars: Vec<char> = a.chars().collect();
            let Some(bits) = NameBits::new(&chars) else {
                assert!(chars.is_empty() || chars.len() > 64);
                continue;
            };
            for b in &words {
                assert_eq!(bits.distance(b), strsim::osa_distance(a, b), "{a} / {b}");
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
                let shape = Shape::of(a).lower_bound(Shape::of(b));
                assert!(shape <= bag, "{a} / {b}: shape {shape} > bag {bag}");
            }
        }
        let counts = CharCounts::new(&['a', 'b', 'c']);
        assert_eq!(counts.bag_distance("abc"), 0);
        assert_eq!(counts.bag_distance("cab"), 0);
        assert_eq!(counts.bag_distance("abd"), 1);
        assert_eq!(counts.bag_distance("xyzw"), 4);
        assert_eq!(Shape::of("abc").lower_bound(Shape::of("xyzw")), 4);
        assert_eq!(Shape::of("aab").lower_bound(Shape::of("ab")), 1);
    }

    #[test]
    fn limit_counts_characters_not_bytes() {
        // A four-character CJK name is twelve bytes, but may differ by two edits only.
        assert_eq!(Matcher::new("xyz").distance("增长目标"), None);
        assert_eq!(Matcher::new("增长目").distance("增长目标"), Some(1));
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
