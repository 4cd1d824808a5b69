//! Time-bound: due dates inside their period, a final check-in in a period's last
//! week, and an explanation for every committed objective that ended short.

use super::context::{Context, Sink, Subject};
use super::history::{GitHistory, HistoryInput};
use crate::diagnostic::quoted;
use crate::index::{ObjectiveRef, objectives};
use crate::model::{Commitment, KeyResult, Spanned};
use crate::period::Period;
use crate::rollup::{CheckIns, Rollup};
use chrono::NaiveDate;

/// How many days before a period's last day the final check-in may be.
const FINAL_WEEK_DAYS: u64 = 6;

/// Returns the first day of a period's final week, the earliest date a final check-in
/// may have.
pub(crate) fn final_week_start(period: &Period) -> NaiveDate {
    period.end - chrono::Days::new(FINAL_WEEK_DAYS)
}

pub(super) fn check_per_item(context: &Context<'_>, sink: &mut Sink<'_>) {
    due_outside_period(context, sink);
}

pub(super) fn check_with_history(
    context: &Context<'_>,
    history: &HistoryInput,
    sink: &mut Sink<'_>,
) {
    no_final_check_in(context, history, sink);
}

pub(super) fn check_across_files(context: &Context<'_>, sink: &mut Sink<'_>) {
    committed_miss_unexplained(context, sink);
}

fn due_outside_period(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (at, file, objective) in context.objectives() {
        let Some(period) = context.index.file_period(at.file) else {
            continue;
        };
        for key_result in &objective.key_results {
            let Some(due) = &key_result.due else {
                continue;
            };
            if period.contains(due.value) {
                continue;
            }
            let side = if due.value < period.start {
                "before"
            } else {
                "after"
            };
            sink.report(
                "due-outside-period",
                file,
                Subject::KeyResult(objective, key_result),
                due.span.clone(),
                format!(
                    "key result `{}/{}` is due {}, {side} its period {} ({} to {})",
                    quoted(&objective.id.value),
                    quoted(&key_result.id.value),
                    due.value,
                    period.name,
                    period.start,
                    period.end
                ),
                format!(
                    "set `due` between {} and {}, or move the key result to a period that contains its due date",
                    period.start, period.end
                ),
            );
        }
    }
}

/// The known facts about a key result's last check-in.
enum LastCheckIn<'k> {
    /// A shallow clone's boundary hides it, and there is no `checked` date.
    Unknown,
    /// No check-in at all, or none since the start of the walk, which reached back to
    /// the period's final week.
    NoneFound { walked: bool },
    /// The later of the `checked` date and the last check-in commit, with the `checked`
    /// field when that date comes from it.
    On(NaiveDate, Option<&'k Spanned<NaiveDate>>),
}

fn last_check_in<'k>(
    history: &HistoryInput,
    period: &Period,
    (at, position): (ObjectiveRef, usize),
    key_result: &'k KeyResult,
) -> LastCheckIn<'k> {
    let checked = key_result.checked.as_ref();
    let known = history
        .facts_of(at, position)
        .filter(|_| history.ended.contains(&period.name));
    let (facts, entry) = match known {
        Some(known) => known,
        // Without history of the period's final week, only the `checked` date is known.
        None => {
            return match checked {
                Some(date) => LastCheckIn::On(date.value, Some(date)),
                None => LastCheckIn::NoneFound { walked: false },
            };
        }
    };
    match (checked, facts.last_check_in(entry)) {
        (Some(date), Some(commit)) if commit > date.value => LastCheckIn::On(commit, None),
        (Some(date), Some(_)) => LastCheckIn::On(date.value, Some(date)),
        (None, Some(commit)) => LastCheckIn::On(commit, None),
        (Some(date), None) if date.value >= final_week_start(period) => {
            LastCheckIn::On(date.value, Some(date))
        }
        // A shallow clone hides what came before its boundary commit. When that commit
        // is older than the final week, every check-in of the week was still walked.
        (_, None)
            if facts.is_unknown(entry)
                && facts
                    .boundary
                    .is_none_or(|boundary| boundary >= final_week_start(period)) =>
        {
            LastCheckIn::Unknown
        }
        (_, None) => LastCheckIn::NoneFound { walked: true },
    }
}

fn no_final_check_in(context: &Context<'_>, history: &HistoryInput, sink: &mut Sink<'_>) {
    let mut beyond_boundary = 0;
    for (at, file, objective) in context.objectives() {
        let (Some(period), Some(_)) = (context.index.file_period(at.file), &file.period) else {
            continue;
        };
        if context.as_of <= period.end || !objective.state.is_live() {
            continue;
        }
        for (position, key_result) in objective.key_results.iter().enumerate() {
            if !key_result.state.is_live() {
                continue;
            }
            let final_week = final_week_start(period);
            let last = last_check_in(history, period, (at, position), key_result);
            let (problem, checked) = match last {
                LastCheckIn::NoneFound { walked: false } => ("has no check-in".to_owned(), None),
                LastCheckIn::NoneFound { walked: true } => (
                    "has no check-in in its final week".to_owned(),
                    key_result.checked.as_ref(),
                ),
                LastCheckIn::On(date, checked) if date < final_week => {
                    (format!("was last checked in on {date}"), checked)
                }
                LastCheckIn::Unknown => {
                    beyond_boundary += 1;
                    continue;
                }
                LastCheckIn::On(..) => continue,
            };
            let span = checked.map_or_else(|| key_result.span.clone(), |date| date.span.clone());
            sink.report(
                "no-final-check-in",
                file,
                Subject::KeyResult(objective, key_result),
                span,
                format!(
                    "key result `{}/{}` {problem}, but {} ended on {} and needs a check-in from {final_week} on",
                    quoted(&objective.id.value), quoted(&key_result.id.value), period.name, period.end,
                ),
                "set `current` to the value at the period's end and `checked` to that day's date, and commit the file".to_owned(),
            );
        }
    }
    if beyond_boundary > 0 {
        let count = if beyond_boundary == 1 {
            "1 key result".to_owned()
        } else {
            format!("{beyond_boundary} key results")
        };
        sink.note(format!(
            "no-final-check-in: {count} of ended periods had no check-in after the shallow \
             clone's boundary, which is inside their final week, so they were not checked"
        ));
        if let GitHistory::Known(facts) = &history.git {
            for note in &facts.notes {
                sink.note(note.clone());
            }
        }
    }
}

fn committed_miss_unexplained(context: &Context<'_>, sink: &mut Sink<'_>) {
    let ended_commitments: Vec<ObjectiveRef> = objectives(context.workspace)
        .filter(|(at, _, objective)| {
            let ended = context
                .index
                .file_period(at.file)
                .is_some_and(|period| context.as_of > period.end);
            let explained = objective
                .reason
                .as_ref()
                .is_some_and(|reason| !reason.trim().is_empty());
            ended
                && objective.commitment == Commitment::Committed
                && objective.state.is_live()
                && !explained
        })
        .map(|(at, _, _)| at)
        .collect();
    if ended_commitments.is_empty() {
        return;
    }
    let rollup = Rollup::compute(
        context.workspace,
        context.index,
        context.as_of,
        &CheckIns::default(),
    );
    for at in ended_commitments {
        let Some(score) = rollup
            .objectives
            .get(&at)
            .and_then(|progress| progress.progress.score)
        else {
            continue;
        };
        if score >= 1.0 {
            continue;
        }
        let file = &context.workspace.files[at.file];
        let objective = &file.objectives[at.objective];
        let period = file.period.as_ref().map_or("", |p| p.value.as_str());
        sink.report(
            "committed-miss-unexplained",
            file,
            Subject::Objective(objective),
            objective.span.clone(),
            format!(
                "committed objective `{}` ended {period} at a score of {score:.2}, below 1.0, with no `reason`",
                quoted(&objective.id.value)
            ),
            "add `reason = \"...\"` to the objective saying why the commitment was missed".to_owned(),
        );
    }
}
