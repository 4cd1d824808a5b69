//! Time-bound: due dates inside their period, a final check-in in a period's last
//! week, and an explanation for every committed objective that ended short.

use super::context::{Context, Sink, Subject};
use crate::index::{ObjectiveRef, objectives};
use crate::model::Commitment;
use crate::rollup::{CheckIns, Rollup};

/// How many days before a period's last day the final check-in may be.
const FINAL_WEEK_DAYS: i64 = 6;

pub(super) fn check_per_item(context: &Context<'_>, sink: &mut Sink<'_>) {
    due_outside_period(context, sink);
    no_final_check_in(context, sink);
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
                    objective.id.value,
                    key_result.id.value,
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

fn no_final_check_in(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (at, file, objective) in context.objectives() {
        let Some(period) = context.index.file_period(at.file) else {
            continue;
        };
        if context.as_of <= period.end || !objective.state.is_live() {
            continue;
        }
        for key_result in &objective.key_results {
            if !key_result.state.is_live() {
                continue;
            }
            // NOTE: only `checked` is read here; check-in commits from git are not yet.
            let checked = key_result.checked.as_ref();
            let problem = match checked {
                None => "has no check-in".to_owned(),
                Some(date) if (period.end - date.value).num_days() > FINAL_WEEK_DAYS => {
                    format!("was last checked in on {}", date.value)
                }
                Some(_) => continue,
            };
            let span = checked.map_or_else(|| key_result.span.clone(), |date| date.span.clone());
            sink.report(
                "no-final-check-in",
                file,
                Subject::KeyResult(objective, key_result),
                span,
                format!(
                    "key result `{}/{}` {problem}, but {} ended on {} and needs a check-in from {} on",
                    objective.id.value,
                    key_result.id.value,
                    period.name,
                    period.end,
                    period.end - chrono::Days::new(FINAL_WEEK_DAYS.unsigned_abs())
                ),
                "record the final value with `okr check-in`, or set `current` and `checked` to the value at the period's end".to_owned(),
            );
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
        &CheckIns::new(),
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
                objective.id.value
            ),
            "add `reason = \"...\"` to the objective saying why the commitment was missed".to_owned(),
        );
    }
}
