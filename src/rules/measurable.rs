//! Measurable: key results that can be scored. Metrics need a start, a target that
//! differs from it, a unit and, once the first check-in is due, a current value.
//! Titles must describe outcomes, point the same way as the numbers, and contain one
//! change.

use super::context::{Context, Item, Sink, Subject};
use crate::diagnostic::quoted;
use crate::model::{KeyResult, Kind, Objective};
use crate::words::{DOWN_VERBS, TitleWords, UP_VERBS, WordList, changes};
use std::sync::LazyLock;

pub(super) fn check_per_item(context: &Context<'_>, sink: &mut Sink<'_>) {
    not_measurable(context, sink);
    target_equals_start(context, sink);
    missing_unit(context, sink);
    task_not_outcome(context, sink);
    missing_current(context, sink);
    direction_mismatch(context, sink);
    compound_key_result(context, sink);
}

fn key_result_name(objective: &Objective, key_result: &KeyResult) -> String {
    Item::KeyResult(objective, key_result).name()
}

fn not_measurable(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        for key_result in &objective.key_results {
            if key_result.kind != Kind::Metric {
                continue;
            }
            let missing = match (&key_result.start, &key_result.target) {
                (Some(_), Some(_)) => continue,
                (None, Some(_)) => "`start`",
                (Some(_), None) => "`target`",
                (None, None) => "`start` or `target`",
            };
            sink.report(
                "not-measurable",
                file,
                Subject::KeyResult(objective, key_result),
                key_result.span.clone(),
                format!(
                    "metric {} has no {missing}",
                    key_result_name(objective, key_result)
                ),
                "set `start` (where the number is now) and `target` (where it should be); if the start is unknown, use `kind = \"baseline\"` for this period".to_owned(),
            );
        }
    }
}

fn target_equals_start(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        for key_result in &objective.key_results {
            let (Some((start, target)), Some(target_field)) =
                (key_result.metric_range(), &key_result.target)
            else {
                continue;
            };
            if start != target {
                continue;
            }
            sink.report(
                "target-equals-start",
                file,
                Subject::KeyResult(objective, key_result),
                target_field.span.clone(),
                format!(
                    "{} has target {target} equal to its start, so its progress is undefined",
                    key_result_name(objective, key_result)
                ),
                "set the target the key result should reach; to hold a value steady, use `kind = \"maintain\"` with a `direction`".to_owned(),
            );
        }
    }
}

fn missing_unit(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        for key_result in &objective.key_results {
            // `unit = ""` and `unit = "count"` mark plain counts, so any present value passes.
            if key_result.kind != Kind::Metric || key_result.unit.is_some() {
                continue;
            }
            sink.report(
                "missing-unit",
                file,
                Subject::KeyResult(objective, key_result),
                key_result.span.clone(),
                format!(
                    "metric {} has no `unit`",
                    key_result_name(objective, key_result)
                ),
                "add a unit such as `unit = \"%\"` or `unit = \"ms\"`; for a plain count write `unit = \"count\"`".to_owned(),
            );
        }
    }
}

fn task_not_outcome(context: &Context<'_>, sink: &mut Sink<'_>) {
    let verbs = WordList::new(
        context
            .workspace
            .config
            .words
            .task
            .iter()
            .map(String::as_str),
    );
    // Only the words that could make up a leading verb are split.
    let longest = verbs.longest_entry();
    for (file, item) in context.items() {
        let title = item.title();
        let title_words = TitleWords::leading(&title.value, longest);
        let Some(verb) = verbs.find_leading(&title_words) else {
            continue;
        };
        sink.report(
            "task-not-outcome",
            file,
            item.subject(),
            title.span.clone(),
            format!(
                "{} is an activity: its title \"{}\" is led by \"{verb}\"",
                item.name(),
                quoted(&title.value)
            ),
            "state the change the work should cause, and move the work itself into an `[[objective.initiative]]`".to_owned(),
        );
    }
    let share = context
        .workspace
        .config
        .option("task-not-outcome", "milestone_share");
    for (_, file, objective) in context.objectives() {
        let live: Vec<&KeyResult> = objective
            .key_results
            .iter()
            .filter(|key_result| key_result.state.is_live())
            .collect();
        let milestones = live
            .iter()
            .filter(|key_result| key_result.kind == Kind::Milestone)
            .count();
        if !too_many_milestones(milestones, live.len(), share) {
            continue;
        }
        sink.report(
            "task-not-outcome",
            file,
            Subject::Objective(objective),
            objective.span.clone(),
            format!(
                "objective `{}` is mostly a project plan: {milestones} of its {} live key results are milestones",
                quoted(&objective.id.value),
                live.len()
            ),
            "turn milestones into metrics that measure what the work changes, and keep the work in initiatives".to_owned(),
        );
    }
}

/// At least two milestones, more than `share` of the live key results.
fn too_many_milestones(milestones: usize, live: usize, share: f64) -> bool {
    // Counts of key results are small, so the conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    let over = milestones as f64 > share * live as f64;
    milestones >= 2 && over
}

fn missing_current(context: &Context<'_>, sink: &mut Sink<'_>) {
    let interval = context.workspace.config.check_in_interval;
    for (at, file, objective) in context.objectives() {
        let Some(period) = context.index.file_period(at.file) else {
            continue;
        };
        // The status shows `pending` until the first check-in is due.
        let first_check_in_due = (context.as_of - period.start).num_days() >= interval;
        if !period.contains(context.as_of) || !first_check_in_due {
            continue;
        }
        for key_result in &objective.key_results {
            let waiting = key_result.kind == Kind::Metric
                && key_result.state.is_live()
                && key_result.current.is_none();
            if !waiting {
                continue;
            }
            sink.report(
                "missing-current",
                file,
                Subject::KeyResult(objective, key_result),
                key_result.span.clone(),
                format!(
                    "{} has no `current` value {} days into {}",
                    key_result_name(objective, key_result),
                    (context.as_of - period.start).num_days(),
                    period.name
                ),
                "set `current` to the latest value and `checked` to today's date, and commit the file".to_owned(),
            );
        }
    }
}

/// Reads the direction a title's verbs name: `Some(true)` for up, `Some(false)` for down,
/// `None` for neither or both, with the verb found.
fn title_direction(title: &str) -> Option<(bool, &'static str)> {
    static UP: LazyLock<WordList<'static>> =
        LazyLock::new(|| WordList::new(UP_VERBS.iter().copied()));
    static DOWN: LazyLock<WordList<'static>> =
        LazyLock::new(|| WordList::new(DOWN_VERBS.iter().copied()));
    let title_words = TitleWords::new(title);
    let up = UP.find_contained(&title_words);
    let down = DOWN.find_contained(&title_words);
    match (up, down) {
        (Some(verb), None) => Some((true, verb)),
        (None, Some(verb)) => Some((false, verb)),
        _ => None,
    }
}

fn direction_mismatch(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        for key_result in &objective.key_results {
            let (Some((start, target)), Some(target_field)) =
                (key_result.metric_range(), &key_result.target)
            else {
                continue;
            };
            let Some((up, verb)) = title_direction(&key_result.title.value) else {
                continue;
            };
            let numbers = if up && target < start {
                "goes down"
            } else if !up && target > start {
                "goes up"
            } else {
                continue;
            };
            sink.report(
                "direction-mismatch",
                file,
                Subject::KeyResult(objective, key_result),
                target_field.span.clone(),
                format!(
                    "{} says \"{verb}\" but its numbers go the other way: start {start}, target {target} {numbers}",
                    key_result_name(objective, key_result),
                ),
                "swap `start` and `target` if they were entered the wrong way round, or fix the verb in the title".to_owned(),
            );
        }
    }
}

fn compound_key_result(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        for key_result in &objective.key_results {
            let found = changes(&key_result.title.value);
            if found.len() < 2 {
                continue;
            }
            let listed: Vec<String> = found
                .iter()
                .map(|change| format!("\"{}\"", quoted(change)))
                .collect();
            sink.report(
                "compound-key-result",
                file,
                Subject::KeyResult(objective, key_result),
                key_result.title.span.clone(),
                format!(
                    "{} contains {} changes in one title: {}",
                    key_result_name(objective, key_result),
                    found.len(),
                    listed.join(", ")
                ),
                "split it into one key result per change, each with its own start, target and check-ins".to_owned(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_from_verbs() {
        assert_eq!(
            title_direction("Reduce churn from 5% to 2%"),
            Some((false, "reduce"))
        );
        assert_eq!(title_direction("Raising NPS"), Some((true, "raise")));
        assert_eq!(
            title_direction("Halving build time"),
            Some((false, "halve"))
        );
        assert_eq!(title_direction("Cutting p95"), Some((false, "cut")));
        assert_eq!(title_direction("将错误率降低到1%"), Some((false, "降低")));
        assert_eq!(title_direction("提高转化率"), Some((true, "提高")));
        assert_eq!(title_direction("Grow revenue and cut costs"), None);
        assert_eq!(title_direction("Net revenue retention at 110%"), None);
        assert_eq!(title_direction("Lower-tier plans convert"), None);
    }

    #[test]
    fn milestone_share() {
        assert!(too_many_milestones(2, 3, 0.5));
        assert!(!too_many_milestones(2, 4, 0.5));
        assert!(!too_many_milestones(1, 1, 0.5));
        assert!(too_many_milestones(2, 2, 0.5));
        assert!(too_many_milestones(3, 5, 0.5));
    }
}
