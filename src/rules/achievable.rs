//! Achievable: confidence on one scale, a focused number of objectives and key
//! results, weights that mean something, and committed objectives their owners
//! still expect to meet.

use super::context::{Context, Sink, Subject};
use crate::diagnostic::quoted;
use crate::index::{ObjectiveRef, objectives};
use crate::model::{Commitment, GoalFile, KeyResult, Objective, Spanned};
use std::collections::{HashMap, HashSet};

pub(super) fn check_per_item(context: &Context<'_>, sink: &mut Sink<'_>) {
    confidence_out_of_range(context, sink);
    zero_weights(context, sink);
    committed_at_risk(context, sink);
}

pub(super) fn check_across_files(context: &Context<'_>, sink: &mut Sink<'_>) {
    let groups = group_objectives(context);
    too_many_objectives(context, &groups, sink);
    key_result_counts(context, sink);
    zero_objective_weights(&groups.by_team, sink);
}

/// Suggests the confidence the author most likely meant, for values written on a 0..10 or
/// 0..100 scale.
fn confidence_help(value: f64) -> String {
    // Rounded to six places so 1.4 / 10 prints as 0.14, not 0.13999999999999999.
    let scaled = |divisor: f64| (value / divisor * 1e6).round() / 1e6;
    if value > 1.0 && value <= 10.0 {
        format!(
            "confidence runs from 0.0 to 1.0; for {value} out of 10 write {}",
            scaled(10.0)
        )
    } else if value > 10.0 && value <= 100.0 {
        format!(
            "confidence runs from 0.0 to 1.0; for {value}% write {}",
            scaled(100.0)
        )
    } else {
        "confidence runs from 0.0 (no chance) to 1.0 (certain); write a value in that range"
            .to_owned()
    }
}

fn confidence_out_of_range(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        for key_result in &objective.key_results {
            let Some(confidence) = &key_result.confidence else {
                continue;
            };
            if (0.0..=1.0).contains(&confidence.value) {
                continue;
            }
            sink.report(
                "confidence-out-of-range",
                file,
                Subject::KeyResult(objective, key_result),
                confidence.span.clone(),
                format!(
                    "key result `{}/{}` has confidence {}, outside 0.0..1.0",
                    quoted(&objective.id.value),
                    quoted(&key_result.id.value),
                    confidence.value
                ),
                confidence_help(confidence.value),
            );
        }
    }
}

/// A group of live objectives (a team's or an owner's) within one period: what the
/// limits on objectives and on their weights need to know of it.
struct Group<'w> {
    count: usize,
    /// The first member, in file order.
    first: (&'w GoalFile, &'w Objective),
    /// The first member past the `too-many-objectives` limit.
    first_over: Option<(&'w GoalFile, &'w Objective)>,
    /// True while every member's weight is 0.
    all_zero: bool,
}

impl<'w> Group<'w> {
    fn new(member: (&'w GoalFile, &'w Objective)) -> Self {
        Group {
            count: 0,
            first: member,
            first_over: None,
            all_zero: true,
        }
    }

    fn add(&mut self, member: (&'w GoalFile, &'w Objective), limit_index: usize) {
        if self.count == limit_index {
            self.first_over = Some(member);
        }
        self.count += 1;
        self.all_zero &= is_zero(member.1.weight.as_ref());
    }
}

/// Groups keyed by (period, team or owner). Findings are sorted by place at the end, so
/// the order of the groups does not show. The fixed seed still keeps runs alike.
type Groups<'w> = FixedMap<(&'w str, &'w str), Group<'w>>;

/// A map hashed with foldhash and a fixed seed: quick on the names it is keyed by, and
/// the same order in every run.
type FixedMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

struct TeamsAndOwners<'w> {
    by_team: Groups<'w>,
    by_owner: Groups<'w>,
}

/// Groups the live objectives by team and by owner within each period, in one pass.
fn group_objectives<'w>(context: &Context<'w>) -> TeamsAndOwners<'w> {
    let max = context
        .workspace
        .config
        .option("too-many-objectives", "max");
    let limit = limit_index(max);
    let mut groups = TeamsAndOwners {
        by_team: Groups::default(),
        by_owner: Groups::default(),
    };
    for (at, file, objective) in objectives(context.workspace) {
        let Some(period) = context.index.file_period(at.file) else {
            continue;
        };
        if !objective.state.is_live() {
            continue;
        }
        let member = (file, objective);
        let team_key = (period.name.as_str(), file.team.value.as_str());
        groups
            .by_team
            .entry(team_key)
            .or_insert_with(|| Group::new(member))
            .add(member, limit);
        if let Some(owner) = objective
            .owner
            .as_ref()
            .filter(|o| !o.value.trim().is_empty())
        {
            let owner_key = (period.name.as_str(), owner.value.as_str());
            groups
                .by_owner
                .entry(owner_key)
                .or_insert_with(|| Group::new(member))
                .add(member, limit);
        }
    }
    groups
}

fn too_many_objectives(context: &Context<'_>, groups: &TeamsAndOwners<'_>, sink: &mut Sink<'_>) {
    let max = context
        .workspace
        .config
        .option("too-many-objectives", "max");
    for (kind, groups) in [("team", &groups.by_team), ("owner", &groups.by_owner)] {
        for ((period, name), group) in groups {
            // Counts are small, so the conversion is exact.
            #[allow(clippy::cast_precision_loss)]
            let over = group.count as f64 > max;
            // The first objective past the limit carries the finding; a limit below
            // 1 counts from the first.
            let Some((file, objective)) = group.first_over.filter(|_| over) else {
                continue;
            };
            let span = match kind {
                "owner" => objective.owner.as_ref().map(|owner| owner.span.clone()),
                _ => None,
            };
            sink.report(
                "too-many-objectives",
                file,
                Subject::Objective(objective),
                span.unwrap_or_else(|| objective.span.clone()),
                format!(
                    "{kind} `{}` has {} live objectives in {period}, more than the limit of {max}",
                    quoted(name), group.count
                ),
                "choose the objectives that matter most this period; drop or move the others (`state = \"dropped\"` keeps their history)".to_owned(),
            );
        }
    }
}

/// Returns the index of the first member past a limit of `max`, counting from 0.
fn limit_index(max: f64) -> usize {
    // The limit is a small count from okr.toml; negative values mean the first member.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let index = max.max(0.0).floor() as usize;
    index
}

/// Collects the objectives that something aligns to: objectives or key results whose `aligns_to`
/// names the objective or one of its key results. These can roll up from children.
fn aligned_parents(context: &Context<'_>) -> HashSet<ObjectiveRef, foldhash::fast::FixedState> {
    let mut parents = HashSet::default();
    for (at, _, objective) in objectives(context.workspace) {
        let Some(period) = context.index.file_period(at.file) else {
            continue;
        };
        let entries = objective
            .aligns_to
            .iter()
            .chain(objective.key_results.iter().flat_map(|kr| &kr.aligns_to));
        for entry in entries {
            if let Some(target) =
                context
                    .index
                    .resolve(context.workspace, &period.name, &entry.value)
            {
                parents.insert(target.objective_ref());
            }
        }
    }
    parents
}

fn live_key_results(objective: &Objective) -> Vec<&KeyResult> {
    objective
        .key_results
        .iter()
        .filter(|key_result| key_result.state.is_live())
        .collect()
}

fn live_count(count: usize) -> String {
    match count {
        1 => "1 live key result".to_owned(),
        _ => format!("{count} live key results"),
    }
}

fn key_result_counts(context: &Context<'_>, sink: &mut Sink<'_>) {
    let config = &context.workspace.config;
    let min = config.option("too-few-key-results", "min");
    let max = config.option("too-many-key-results", "max");
    // Read only when an objective without live key results needs it.
    let mut parents = None;
    for (at, file, objective) in objectives(context.workspace) {
        if !objective.state.is_live() {
            continue;
        }
        let live = live_key_results(objective).len();
        // Counts are small, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let count = live as f64;
        // Without live key results, an objective rolls up from what aligns to it.
        let rolls_up = live == 0
            && count < min
            && parents
                .get_or_insert_with(|| aligned_parents(context))
                .contains(&at);
        if count < min && !rolls_up {
            sink.report(
                "too-few-key-results",
                file,
                Subject::Objective(objective),
                objective.span.clone(),
                format!(
                    "objective `{}` has {}, fewer than {min}",
                    quoted(&objective.id.value),
                    live_count(live)
                ),
                "add a key result that measures another side of the objective (speed and quality, growth and cost)".to_owned(),
            );
        }
        if count > max {
            sink.report(
                "too-many-key-results",
                file,
                Subject::Objective(objective),
                objective.span.clone(),
                format!(
                    "objective `{}` has {}, more than {max}",
                    quoted(&objective.id.value),
                    live_count(live)
                ),
                "keep the few numbers that would prove the objective met; drop the others with `state = \"dropped\"`".to_owned(),
            );
        }
    }
}

fn is_zero(weight: Option<&Spanned<f64>>) -> bool {
    weight.is_some_and(|weight| weight.value == 0.0)
}

fn zero_weights(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        if !objective.state.is_live() {
            continue;
        }
        let live = live_key_results(objective);
        if live.is_empty() || !live.iter().all(|kr| is_zero(kr.weight.as_ref())) {
            continue;
        }
        let span = live[0]
            .weight
            .as_ref()
            .map_or_else(|| objective.span.clone(), |w| w.span.clone());
        sink.report(
            "zero-weights",
            file,
            Subject::Objective(objective),
            span,
            format!(
                "every live key result of objective `{}` has weight 0, so equal weights are used",
                quoted(&objective.id.value)
            ),
            "give the key results relative weights above 0, or remove the `weight` fields for equal weights".to_owned(),
        );
    }
}

/// Checks the weights of each team's live objectives in each period, which form a set
/// of their own.
fn zero_objective_weights(teams: &Groups<'_>, sink: &mut Sink<'_>) {
    for ((period, team), group) in teams {
        if !group.all_zero {
            continue;
        }
        let (file, objective) = group.first;
        let span = objective
            .weight
            .as_ref()
            .map_or_else(|| objective.span.clone(), |w| w.span.clone());
        sink.report(
            "zero-weights",
            file,
            Subject::Objective(objective),
            span,
            format!(
                "every live objective of team `{}` in {period} has weight 0, so equal weights are used", quoted(team)
            ),
            "give the objectives relative weights above 0, or remove the `weight` fields for equal weights".to_owned(),
        );
    }
}

fn committed_at_risk(context: &Context<'_>, sink: &mut Sink<'_>) {
    let threshold = context
        .workspace
        .config
        .option("committed-at-risk", "confidence");
    for (at, file, objective) in context.objectives() {
        let Some(period) = context.index.file_period(at.file) else {
            continue;
        };
        let watched = objective.commitment == Commitment::Committed
            && objective.state.is_live()
            && period.contains(context.as_of);
        if !watched {
            continue;
        }
        let low: Vec<(&KeyResult, &Spanned<f64>)> = live_key_results(objective)
            .into_iter()
            .filter_map(|kr| kr.confidence.as_ref().map(|confidence| (kr, confidence)))
            .filter(|(_, confidence)| confidence.value < threshold)
            .collect();
        let Some((_, first)) = low.first() else {
            continue;
        };
        let listed: Vec<String> = low
            .iter()
            .map(|(kr, confidence)| format!("`{}` at {}", quoted(&kr.id.value), confidence.value))
            .collect();
        sink.report(
            "committed-at-risk",
            file,
            Subject::Objective(objective),
            first.span.clone(),
            format!(
                "committed objective `{}` has key results below {threshold} confidence: {}",
                quoted(&objective.id.value),
                listed.join(", ")
            ),
            "tell the teams that depend on it now, then change the plan until the owner is confident again, or make it aspirational with a `reason`".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_help_suggests_scale() {
        assert!(
            confidence_help(7.0).contains("0.7"),
            "{}",
            confidence_help(7.0)
        );
        assert!(
            confidence_help(70.0).contains("0.7"),
            "{}",
            confidence_help(70.0)
        );
        assert!(
            confidence_help(1.4).contains("write 0.14"),
            "{}",
            confidence_help(1.4)
        );
        assert!(!confidence_help(-0.5).contains("write 0"));
        assert!(!confidence_help(700.0).contains("write 7"));
    }

    #[test]
    fn first_member_past_limit() {
        assert_eq!(limit_index(5.0), 5);
        assert_eq!(limit_index(0.0), 0);
        assert_eq!(limit_index(-1.0), 0);
    }
}
