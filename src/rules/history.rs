//! The rules that read git history: `stale` (no check-in within the interval while
//! the period runs) and `moved-goalpost` (a target or start eased after the period
//! began, with no reason given). Both point at the key result's header line.

use super::context::{Context, Sink, Subject};
use crate::diagnostic::quoted;
use crate::history::{self, CommitMeta, EventKind, Facts, ItemEvent, ItemKey, ObjectId, Value};
use crate::index::ObjectiveRef;
use crate::model::{Direction, GoalFile, KeyResult, Kind, Objective, State};
use crate::period::Period;
use crate::progress::{Status, key_result_progress};
use crate::rollup::{PlaceMap, thresholds};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// The git history facts the history rules use, and the periods they check.
pub(crate) struct HistoryInput {
    /// The periods checked: the running ones, or those `--period` names.
    pub(crate) periods: Vec<String>,
    /// The ended periods whose final week the facts cover, for `no-final-check-in`.
    pub(crate) ended: Vec<String>,
    pub(crate) git: GitHistory,
    /// The entry in the facts of each objective's first key result. The others
    /// follow it in order.
    pub(crate) first_entries: PlaceMap<usize>,
    /// Per merge commit, the key results whose target or start a commit of the merged
    /// branch changed and explained.
    pub(crate) merged_reasons: MergedReasons,
}

/// Key results explained on a merged branch, by merge commit.
pub(crate) type MergedReasons = HashMap<ObjectId, HashSet<ItemKey>>;

pub(crate) enum GitHistory {
    Known(Facts),
    /// No history can be read, for the reason in the text ("not in a git repository").
    Unavailable(String),
}

impl HistoryInput {
    /// No history, for runs outside git.
    pub(crate) fn unavailable(periods: Vec<String>, reason: &str) -> HistoryInput {
        HistoryInput {
            periods,
            ended: Vec::new(),
            git: GitHistory::Unavailable(reason.to_owned()),
            first_entries: PlaceMap::default(),
            merged_reasons: MergedReasons::new(),
        }
    }

    /// Returns the facts and the key result's entry in them, when the history of the
    /// key result at `position` of objective `at` was read.
    pub(crate) fn facts_of(&self, at: ObjectiveRef, position: usize) -> Option<(&Facts, usize)> {
        match &self.git {
            GitHistory::Known(facts) => Some((facts, self.first_entries.get(&at)? + position)),
            GitHistory::Unavailable(_) => None,
        }
    }
}

/// A live key result of a checked period, with its period and its entry in the facts.
struct Candidate<'a> {
    file: &'a GoalFile,
    objective: &'a Objective,
    key_result: &'a KeyResult,
    period: &'a Period,
    facts: Option<(&'a Facts, usize)>,
}

impl Candidate<'_> {
    /// Formats the key result as messages name it: `objective/key_result`, with long ids cut.
    fn item(&self) -> String {
        format!(
            "{}/{}",
            quoted(&self.objective.id.value),
            quoted(&self.key_result.id.value)
        )
    }
}

/// Goal files per parallel task.
const CHUNK_FILES: usize = 256;

/// Lists the live key results of checked periods in `files`, which start at `first`
/// in `Workspace::files`.
fn candidates<'a>(
    context: &'a Context<'_>,
    history: &'a HistoryInput,
    first: usize,
    files: &'a [GoalFile],
) -> Vec<Candidate<'a>> {
    let mut found = Vec::new();
    for (offset, file) in files.iter().enumerate() {
        let file_index = first + offset;
        let Some(period) = context.index.file_period(file_index) else {
            continue;
        };
        if file.period.is_none() || !history.periods.contains(&period.name) {
            continue;
        }
        for (objective_index, objective) in file.objectives.iter().enumerate() {
            if !objective.state.is_live() {
                continue;
            }
            let at = ObjectiveRef {
                file: file_index,
                objective: objective_index,
            };
            for (position, key_result) in objective.key_results.iter().enumerate() {
                if !key_result.state.is_live() {
                    continue;
                }
                found.push(Candidate {
                    file,
                    objective,
                    key_result,
                    period,
                    facts: history.facts_of(at, position),
                });
            }
        }
    }
    found
}

/// Counts one chunk of files found besides its findings.
#[derive(Default)]
struct ChunkCounts {
    candidates: usize,
    /// Key results `stale` could not check: without a `checked` date outside git, and
    /// past a shallow clone's boundary.
    without_date: usize,
    beyond_boundary: usize,
    /// Key results `moved-goalpost` checked only in part: they existed at a shallow
    /// clone's boundary, which lies after their period began or froze.
    moves_before_boundary: usize,
}

/// Runs `stale` and `moved-goalpost`, which look at the same key results, on chunks of
/// files in parallel.
pub(super) fn stale_and_moved(context: &Context<'_>, history: &HistoryInput, sink: &mut Sink<'_>) {
    let (stale_on, moved_on) = (sink.is_enabled("stale"), sink.is_enabled("moved-goalpost"));
    if !stale_on && !moved_on {
        return;
    }
    let template = &*sink;
    let chunks: Vec<(Sink<'_>, Sink<'_>, ChunkCounts)> = context
        .workspace
        .files
        .par_chunks(CHUNK_FILES)
        .enumerate()
        .map(|(chunk, files)| {
            let candidates = candidates(context, history, chunk * CHUNK_FILES, files);
            let (mut stale_part, mut moved_part) = (template.part(), template.part());
            let mut counts = ChunkCounts::default();
            if stale_on {
                stale(context, history, &candidates, &mut stale_part, &mut counts);
            }
            if moved_on {
                moved_goalpost(context, history, &candidates, &mut moved_part, &mut counts);
            }
            counts.candidates = candidates.len();
            (stale_part, moved_part, counts)
        })
        .collect();
    let mut totals = ChunkCounts::default();
    let mut moved_parts = Vec::with_capacity(chunks.len());
    for (stale_part, moved_part, counts) in chunks {
        sink.merge(vec![stale_part]);
        moved_parts.push(moved_part);
        totals.candidates += counts.candidates;
        totals.without_date += counts.without_date;
        totals.beyond_boundary += counts.beyond_boundary;
        totals.moves_before_boundary += counts.moves_before_boundary;
    }
    if stale_on {
        stale_notes(history, &totals, sink);
    }
    sink.merge(moved_parts);
    if moved_on
        && totals.candidates > 0
        && let GitHistory::Unavailable(reason) = &history.git
    {
        sink.note(format!(
            "moved-goalpost: {reason}, so target and start changes could not be checked"
        ));
    }
    if totals.moves_before_boundary > 0
        && let GitHistory::Known(facts) = &history.git
        && let Some(boundary) = facts.boundary
    {
        sink.note(format!(
            "moved-goalpost: {} existed at the shallow clone's boundary ({boundary}), \
             after their period began, so target and start changes before it are unknown",
            plural_key_results(totals.moves_before_boundary)
        ));
    }
    if totals.beyond_boundary > 0 || totals.moves_before_boundary > 0 {
        boundary_notes(history, sink);
    }
}

/// Writes the walk's note on the shallow clone's boundary, with how to fetch more.
fn boundary_notes(history: &HistoryInput, sink: &mut Sink<'_>) {
    if let GitHistory::Known(facts) = &history.git {
        for note in &facts.notes {
            sink.note(note.clone());
        }
    }
}

fn stale(
    context: &Context<'_>,
    history: &HistoryInput,
    candidates: &[Candidate<'_>],
    sink: &mut Sink<'_>,
    counts: &mut ChunkCounts,
) {
    let interval = context.workspace.config.check_in_interval;
    let limits = thresholds(context.workspace);
    for candidate in candidates {
        let key_result = candidate.key_result;
        if !candidate.period.contains(context.as_of) || key_result.state == State::Done {
            continue;
        }
        let checked = key_result.checked.as_ref().map(|checked| checked.value);
        let unknown = checked.is_none()
            && candidate
                .facts
                .is_some_and(|(facts, entry)| facts.is_unknown(entry));
        let from_git = candidate
            .facts
            .filter(|_| !unknown)
            .and_then(|(facts, entry)| facts.last_check_in(entry));
        let last = checked.max(from_git);
        let days = last.map(|last| (context.as_of - last).num_days());
        // A recent check-in settles it, so progress is only computed for the others.
        if !unknown && days.is_some_and(|days| days <= interval) {
            continue;
        }
        let progress =
            key_result_progress(key_result, candidate.period, context.as_of, limits, None);
        if progress.status == Some(Status::Done) {
            continue;
        }
        if unknown {
            counts.beyond_boundary += 1;
            continue;
        }
        let (Some(last), Some(days)) = (last, days) else {
            if let GitHistory::Unavailable(_) = history.git {
                counts.without_date += 1;
            }
            continue;
        };
        sink.report(
            "stale",
            candidate.file,
            Subject::KeyResult(candidate.objective, key_result),
            key_result.span.clone(),
            format!(
                "key result `{}` has had no check-in for {days} days (last on {last}); \
                 the check-in interval is {interval} days",
                candidate.item()
            ),
            "commit where it stands (a new `current`, `confidence` or note), or drop it \
             with `state = \"dropped\"` if nobody works on it any more"
                .to_owned(),
        );
    }
}

/// Writes the notes on the key results `stale` could not check.
fn stale_notes(history: &HistoryInput, totals: &ChunkCounts, sink: &mut Sink<'_>) {
    if totals.without_date > 0
        && let GitHistory::Unavailable(reason) = &history.git
    {
        sink.note(format!(
            "stale: {reason}, so {} without a `checked` date could not be checked",
            plural_key_results(totals.without_date)
        ));
    }
    if totals.beyond_boundary > 0 {
        sink.note(format!(
            "stale: {} had no check-in after the shallow clone's boundary, so their last \
             check-in is unknown and they were not checked",
            plural_key_results(totals.beyond_boundary)
        ));
    }
}

fn plural_key_results(count: usize) -> String {
    if count == 1 {
        "1 key result".to_owned()
    } else {
        format!("{count} key results")
    }
}

/// One target or start change that eased a key result without a reason.
struct Unexplained<'e> {
    meta: &'e CommitMeta,
    event: &'e ItemEvent,
}

/// Reports the unexplained moves; without git history there is nothing to check, and
/// `stale_and_moved` leaves a note.
fn moved_goalpost(
    context: &Context<'_>,
    history: &HistoryInput,
    candidates: &[Candidate<'_>],
    sink: &mut Sink<'_>,
    counts: &mut ChunkCounts,
) {
    let boundary = match &history.git {
        GitHistory::Unavailable(_) => return,
        GitHistory::Known(facts) => facts.boundary,
    };
    let freeze = context.workspace.config.freeze;
    for candidate in candidates {
        // The walk reached the boundary, so a key result whose first event since then
        // is not its addition existed at the boundary.
        if let Some(boundary) = boundary
            && let Some((facts, entry)) = candidate.facts
            && history::frozen_from(candidate.period, freeze) < boundary
            && facts
                .event_iter(entry)
                .next()
                .is_none_or(|(_, event)| event.kind != EventKind::Added)
        {
            counts.moves_before_boundary += 1;
        }
        let key_result = candidate.key_result;
        if key_result
            .reason
            .as_ref()
            .is_some_and(|reason| !reason.trim().is_empty())
        {
            continue;
        }
        let Some((facts, entry)) = candidate.facts else {
            continue;
        };
        // Only a change of `start` or `target` after the key result was added can move it.
        let moved = facts.event_iter(entry).any(|(_, event)| {
            event.kind == EventKind::Changed
                && (event.change("start").is_some() || event.change("target").is_some())
        });
        if !moved {
            continue;
        }
        let events = facts.events(entry);
        let frozen_from = history::frozen_from(candidate.period, freeze);
        let unexplained =
            unexplained_moves(&events, key_result, frozen_from, &history.merged_reasons);
        let Some(latest) = unexplained.last() else {
            continue;
        };
        let mut message = format!(
            "{} of key result `{}` eased on {} (commit {}) with no reason given",
            describe_move(latest.event),
            candidate.item(),
            latest.meta.date(),
            latest.meta.short_id()
        );
        if freeze > 0 {
            message.push_str(&format!(", after the freeze on {frozen_from}"));
        } else {
            message.push_str(&format!(", after {} began", candidate.period.name));
        }
        if unexplained.len() > 1 {
            message.push_str(&format!(
                " (and {} earlier unexplained change{})",
                unexplained.len() - 1,
                if unexplained.len() == 2 { "" } else { "s" }
            ));
        }
        sink.report(
            "moved-goalpost",
            candidate.file,
            Subject::KeyResult(candidate.objective, key_result),
            key_result.span.clone(),
            message,
            "say why with `reason = \"...\"` on the key result, or in the commit message \
             body (for example a `Reason:` or `Approved-by:` trailer); a harder target \
             needs no reason"
                .to_owned(),
        );
    }
}

/// `target 90 → 80`, or both ends when both moved.
fn describe_move(event: &ItemEvent) -> String {
    ["start", "target"]
        .iter()
        .filter_map(|field| event.change(field))
        .map(|change| {
            let shown = |value: Option<Value<'_>>| {
                value.map_or_else(
                    || "none".to_owned(),
                    |value| quoted(&value.display()).into_owned(),
                )
            };
            format!(
                "{} {} → {}",
                change.field,
                shown(change.from),
                shown(change.to)
            )
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Returns the target and start changes from `frozen_from` on that eased the key result and
/// gave no reason, oldest first.
fn unexplained_moves<'e>(
    events: &[(&'e CommitMeta, &'e ItemEvent)],
    key_result: &KeyResult,
    frozen_from: NaiveDate,
    merged_reasons: &MergedReasons,
) -> Vec<Unexplained<'e>> {
    let maintain = (key_result.kind == Kind::Maintain).then(|| {
        key_result
            .direction
            .as_ref()
            .map_or(Direction::AtLeast, |direction| direction.value)
    });
    let mut ends = history::Ends {
        start: initial(events, "start", key_result.start.as_ref().map(|s| s.value)),
        target: initial(
            events,
            "target",
            key_result.target.as_ref().map(|t| t.value),
        ),
    };
    let mut found = Vec::new();
    for &(meta, event) in events {
        let number = |field: &str| {
            event
                .change(field)
                .and_then(|change| change.to)
                .and_then(Value::as_number)
        };
        let before = ends;
        match event.kind {
            EventKind::Added => {
                ends = history::Ends {
                    start: number("start"),
                    target: number("target"),
                };
                continue;
            }
            EventKind::Removed => continue,
            EventKind::Changed => {
                if event.change("start").is_some() {
                    ends.start = number("start");
                }
                if event.change("target").is_some() {
                    ends.target = number("target");
                }
            }
        }
        let moved = event.change("start").is_some() || event.change("target").is_some();
        if !moved || meta.date() < frozen_from || !history::eases(before, ends, maintain) {
            continue;
        }
        let explained_on_branch = merged_reasons
            .get(&meta.id)
            .is_some_and(|keys| keys.contains(&event.key));
        if !gives_reason(meta, event) && !explained_on_branch {
            found.push(Unexplained { meta, event });
        }
    }
    found
}

/// Returns the value a field had before the first walked event: the `from` of its first
/// change, or, when the walked events never change it, its value now.
fn initial(events: &[(&CommitMeta, &ItemEvent)], field: &str, now: Option<f64>) -> Option<f64> {
    for (_, event) in events {
        if let Some(change) = event.change(field) {
            return match event.kind {
                EventKind::Added => None,
                _ => change.from.and_then(Value::as_number),
            };
        }
    }
    now
}

/// True when the commit explains itself: it sets a `reason` on the key result, or
/// its message gives one.
fn gives_reason(meta: &CommitMeta, event: &ItemEvent) -> bool {
    let reason_field = event
        .change("reason")
        .and_then(|change| change.to)
        .and_then(Value::as_text)
        .is_some_and(|reason| !reason.trim().is_empty());
    reason_field || history::message_reason(&meta.message).is_some()
}
