//! The goal model: goal files, objectives, key results and initiatives as plain data
//! with the byte spans of their values. No I/O here.

use chrono::NaiveDate;
use std::ops::Range;

/// Text read from a goal file. Ids, owners, units and period names are short, so most
/// values are stored inline in the struct that contains them, with no allocation.
pub(crate) type Text = compact_str::CompactString;

/// A value and the byte range in its source file it was read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) span: Range<usize>,
}

impl<T> Spanned<T> {
    pub(crate) fn new(value: T, span: Range<usize>) -> Self {
        Spanned { value, span }
    }
}

/// One goal file: one team's (or person's) goals for one period.
#[derive(Debug)]
pub(crate) struct GoalFile {
    /// Index of the file in the workspace's sources.
    pub(crate) source: usize,
    /// The declared period, as written; `None` when missing.
    pub(crate) period: Option<Spanned<Text>>,
    /// The team: the `team` field, else the file's stem.
    pub(crate) team: Spanned<Text>,
    pub(crate) objectives: Vec<Objective>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum State {
    Draft,
    #[default]
    Active,
    Done,
    Dropped,
}

impl State {
    pub(crate) const NAMES: &[&str] = &["draft", "active", "done", "dropped"];

    pub(crate) fn parse(text: &str) -> Option<State> {
        match text {
            "draft" => Some(State::Draft),
            "active" => Some(State::Active),
            "done" => Some(State::Done),
            "dropped" => Some(State::Dropped),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Active => "active",
            State::Done => "done",
            State::Dropped => "dropped",
        }
    }

    /// Live items count in means and limits; dropped ones are shown but left out.
    pub(crate) fn is_live(self) -> bool {
        self != State::Dropped
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Commitment {
    #[default]
    Aspirational,
    Committed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Kind {
    #[default]
    Metric,
    Milestone,
    Maintain,
    Baseline,
}

impl Kind {
    pub(crate) const NAMES: &[&str] = &["metric", "milestone", "maintain", "baseline"];

    pub(crate) fn parse(text: &str) -> Option<Kind> {
        match text {
            "metric" => Some(Kind::Metric),
            "milestone" => Some(Kind::Milestone),
            "maintain" => Some(Kind::Maintain),
            "baseline" => Some(Kind::Baseline),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Metric => "metric",
            Kind::Milestone => "milestone",
            Kind::Maintain => "maintain",
            Kind::Baseline => "baseline",
        }
    }
}

/// For `maintain` key results: which side of the target holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    AtLeast,
    AtMost,
}

#[derive(Debug, Clone)]
pub(crate) struct Note {
    pub(crate) date: Option<NaiveDate>,
    pub(crate) text: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Objective {
    /// The `[[objective]]` header, where item-level findings point.
    pub(crate) span: Range<usize>,
    /// Empty when missing (a `missing-field` finding was made).
    pub(crate) id: Spanned<Text>,
    pub(crate) title: Spanned<Text>,
    pub(crate) owner: Option<Spanned<Text>>,
    pub(crate) aligns_to: Vec<Spanned<Text>>,
    pub(crate) weight: Option<Spanned<f64>>,
    pub(crate) state: State,
    pub(crate) commitment: Commitment,
    pub(crate) allow: Vec<Text>,
    pub(crate) reason: Option<String>,
    pub(crate) key_results: Vec<KeyResult>,
    pub(crate) initiatives: Vec<Initiative>,
}

#[derive(Debug, Clone)]
pub(crate) struct KeyResult {
    /// The `[[objective.key_result]]` header.
    pub(crate) span: Range<usize>,
    pub(crate) id: Spanned<Text>,
    pub(crate) title: Spanned<Text>,
    /// The owner as written; `effective_owner` applies the objective's default.
    pub(crate) owner: Option<Spanned<Text>>,
    pub(crate) kind: Kind,
    pub(crate) start: Option<Spanned<f64>>,
    pub(crate) target: Option<Spanned<f64>>,
    pub(crate) current: Option<Spanned<f64>>,
    pub(crate) unit: Option<Spanned<Text>>,
    pub(crate) confidence: Option<Spanned<f64>>,
    pub(crate) due: Option<Spanned<NaiveDate>>,
    pub(crate) weight: Option<Spanned<f64>>,
    pub(crate) checked: Option<Spanned<NaiveDate>>,
    pub(crate) aligns_to: Vec<Spanned<Text>>,
    pub(crate) reason: Option<String>,
    pub(crate) notes: Vec<Note>,
    pub(crate) state: State,
    pub(crate) done: Option<Spanned<bool>>,
    pub(crate) direction: Option<Spanned<Direction>>,
    pub(crate) allow: Vec<Text>,
}

impl KeyResult {
    pub(crate) fn effective_owner<'a>(&'a self, objective: &'a Objective) -> Option<&'a str> {
        self.owner
            .as_ref()
            .or(objective.owner.as_ref())
            .map(|owner| owner.value.as_str())
    }

    /// A metric with both ends set, whose direction is known from its numbers.
    pub(crate) fn metric_range(&self) -> Option<(f64, f64)> {
        match (self.kind, &self.start, &self.target) {
            (Kind::Metric, Some(start), Some(target)) => Some((start.value, target.value)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Initiative {
    pub(crate) title: Spanned<Text>,
    pub(crate) owner: Option<Spanned<Text>>,
    pub(crate) link: Option<Spanned<Text>>,
    pub(crate) state: Option<Spanned<Text>>,
    pub(crate) key_results: Vec<Spanned<Text>>,
}

/// Initiative states, checked by the loader.
pub(crate) const INITIATIVE_STATES: &[&str] = &["planned", "in-progress", "done", "dropped"];
