//! Applies the progress math to a workspace: every key result, then objectives from
//! their key results (or, without any, from the children aligned to them).

use crate::history::Facts;
use crate::index::{Index, ObjectiveRef, get_objective, objectives};
use crate::loader::Workspace;
use crate::model::Objective;
use crate::progress::{
    Progress, Status, Thresholds, combined_status, key_result_progress, weighted_mean,
};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Check-in dates known beyond the files' `checked` fields: the git history facts of
/// the shown key results, read when the roll-up reaches a key result.
#[derive(Default)]
pub(crate) struct CheckIns {
    facts: Option<Facts>,
    /// The entry in the facts of each objective's first key result. The others
    /// follow it in order.
    first_entry: PlaceMap<usize>,
}

impl CheckIns {
    pub(crate) fn new(facts: Facts, first_entry: PlaceMap<usize>) -> CheckIns {
        CheckIns {
            facts: Some(facts),
            first_entry,
        }
    }

    /// Returns the date of the last check-in commit of the key result at `position` of
    /// objective `at`.
    pub(crate) fn get(&self, at: ObjectiveRef, position: usize) -> Option<NaiveDate> {
        let facts = self.facts.as_ref()?;
        facts.last_check_in(self.first_entry.get(&at)? + position)
    }
}

/// Maps keyed by objective place, hashed with foldhash: a roll-up fills several with
/// every objective of the repository.
pub(crate) type PlaceMap<V> = HashMap<ObjectiveRef, V, foldhash::fast::RandomState>;

#[derive(Debug, Clone)]
pub(crate) struct ObjectiveProgress {
    pub(crate) progress: Progress,
    pub(crate) key_results: Vec<KeyResultProgress>,
}

#[derive(Debug, Clone)]
pub(crate) struct KeyResultProgress {
    pub(crate) progress: Progress,
    pub(crate) last_check_in: Option<NaiveDate>,
}

/// A part that rolls into an objective without key results.
#[derive(Debug, Clone, Copy)]
enum Child {
    Objective(ObjectiveRef),
    KeyResult(ObjectiveRef, usize),
}

pub(crate) struct Rollup {
    pub(crate) objectives: PlaceMap<ObjectiveProgress>,
    pub(crate) thresholds: Thresholds,
}

pub(crate) fn thresholds(workspace: &Workspace) -> Thresholds {
    Thresholds {
        at_risk: workspace.config.at_risk,
        off_track: workspace.config.off_track,
        check_in_interval: workspace.config.check_in_interval,
    }
}

impl Rollup {
    pub(crate) fn compute(
        workspace: &Workspace,
        index: &Index,
        as_of: NaiveDate,
        check_ins: &CheckIns,
    ) -> Rollup {
        use rayon::prelude::*;
        let thresholds = thresholds(workspace);
        let places: Vec<_> = objectives(workspace).collect();
        // Each objective's key results are computed on their own, so they are spread
        // over the cores. Objectives with live key results roll up from them alone; the
        // builder then rolls up the others from what is aligned to them.
        let computed: Vec<(ObjectiveRef, Vec<KeyResultProgress>, Option<Progress>)> = places
            .par_iter()
            .filter_map(|&(at, _, objective)| {
                let period = index.file_period(at.file)?;
                let parts = objective
                    .key_results
                    .iter()
                    .enumerate()
                    .map(|(position, key_result)| {
                        let checked = key_result.checked.as_ref().map(|checked| checked.value);
                        let from_git = check_ins.get(at, position);
                        let last_check_in = checked.max(from_git);
                        KeyResultProgress {
                            progress: key_result_progress(
                                key_result,
                                period,
                                as_of,
                                thresholds,
                                last_check_in,
                            ),
                            last_check_in,
                        }
                    })
                    .collect::<Vec<_>>();
                let own = live_parts(objective, &parts);
                let progress =
                    (!own.is_empty()).then(|| objective_progress(objective, &own, thresholds));
                Some((at, parts, progress))
            })
            .collect();
        let mut key_results = PlaceMap::default();
        let mut done = PlaceMap::with_capacity_and_hasher(computed.len(), Default::default());
        for (at, parts, progress) in computed {
            match progress {
                Some(progress) => {
                    let key_results = parts;
                    done.insert(
                        at,
                        ObjectiveProgress {
                            progress,
                            key_results,
                        },
                    );
                }
                None => {
                    key_results.insert(at, parts);
                }
            }
        }
        // What aligns to what is only needed when some objective rolls up from it.
        let children = if key_results.is_empty() {
            PlaceMap::default()
        } else {
            children(workspace, index)
        };
        let mut builder = Builder {
            workspace,
            thresholds,
            children,
            key_results,
            done,
            visiting: HashSet::default(),
        };
        // Only objectives without live key results are left to roll up.
        let places: Vec<ObjectiveRef> = builder.key_results.keys().copied().collect();
        for at in places {
            builder.objective(at);
        }
        Rollup {
            objectives: builder.done,
            thresholds,
        }
    }

    /// Computes the weighted mean of objectives (by objective weight), dropped ones left out.
    pub(crate) fn aggregate(&self, workspace: &Workspace, members: &[ObjectiveRef]) -> Progress {
        let mut parts = Vec::new();
        for at in members {
            let objective = get_objective(workspace, *at);
            if !objective.state.is_live() {
                continue;
            }
            if let Some(progress) = self.objectives.get(at) {
                parts.push((
                    weight(objective.weight.as_ref().map(|w| w.value)),
                    &progress.progress,
                ));
            }
        }
        summarize(&parts, self.thresholds)
    }
}

fn weight(value: Option<f64>) -> f64 {
    value.unwrap_or(1.0)
}

/// Weighted means of score, expected and confidence, and the combined status.
fn summarize(parts: &[(f64, &Progress)], thresholds: Thresholds) -> Progress {
    let mean = |pick: fn(&Progress) -> Option<f64>| {
        let values: Vec<(f64, Option<f64>)> = parts.iter().map(|(w, p)| (*w, pick(p))).collect();
        weighted_mean(&values)
    };
    let score = mean(|progress| progress.score);
    let expected = mean(|progress| progress.expected);
    let statuses: Vec<Option<Status>> = parts.iter().map(|(_, progress)| progress.status).collect();
    Progress {
        score,
        raw: None,
        expected,
        status: combined_status(&statuses, score, expected, thresholds),
        confidence: mean(|progress| progress.confidence),
    }
}

fn children(workspace: &Workspace, index: &Index) -> PlaceMap<Vec<Child>> {
    use rayon::prelude::*;
    let places: Vec<_> = objectives(workspace).collect();
    // The references are resolved on all cores, then filed in file order.
    let links: Vec<Vec<(ObjectiveRef, Child)>> = places
        .par_iter()
        .map(|&(at, _, objective)| {
            let Some(period) = index.file_period(at.file) else {
                return Vec::new();
            };
            let resolve = |reference: &str| {
                index
                    .resolve(workspace, &period.name, reference)
                    .map(|target| target.objective_ref())
            };
            let mut links = Vec::new();
            for parent in &objective.aligns_to {
                links.extend(resolve(&parent.value).map(|to| (to, Child::Objective(at))));
            }
            for (position, key_result) in objective.key_results.iter().enumerate() {
                for parent in &key_result.aligns_to {
                    let child = Child::KeyResult(at, position);
                    links.extend(resolve(&parent.value).map(|to| (to, child)));
                }
            }
            links
        })
        .collect();
    let mut children: PlaceMap<Vec<Child>> = PlaceMap::default();
    for (parent, child) in links.into_iter().flatten() {
        children.entry(parent).or_default().push(child);
    }
    children
}

/// Returns the weight and progress of an objective's live key results.
fn live_parts(objective: &Objective, parts: &[KeyResultProgress]) -> Vec<(f64, Progress)> {
    objective
        .key_results
        .iter()
        .zip(parts)
        .filter(|(key_result, _)| key_result.state.is_live())
        .map(|(key_result, part)| {
            (
                weight(key_result.weight.as_ref().map(|w| w.value)),
                part.progress.clone(),
            )
        })
        .collect()
}

/// Rolls weighted parts up into an objective's progress. A done objective with a
/// score is `Done`.
fn objective_progress(
    objective: &Objective,
    parts: &[(f64, Progress)],
    thresholds: Thresholds,
) -> Progress {
    let borrowed: Vec<(f64, &Progress)> = parts.iter().map(|(w, p)| (*w, p)).collect();
    let mut progress = summarize(&borrowed, thresholds);
    if objective.state == crate::model::State::Done && progress.score.is_some() {
        progress.status = Some(Status::Done);
    }
    progress
}

struct Builder<'w> {
    workspace: &'w Workspace,
    thresholds: Thresholds,
    children: PlaceMap<Vec<Child>>,
    key_results: PlaceMap<Vec<KeyResultProgress>>,
    done: PlaceMap<ObjectiveProgress>,
    visiting: HashSet<ObjectiveRef, foldhash::fast::RandomState>,
}

impl Builder<'_> {
    /// Computes (once) an objective's progress; an alignment cycle yields no score
    /// rather than endless recursion (the `alignment-cycle` rule reports it).
    fn objective(&mut self, at: ObjectiveRef) -> Option<Progress> {
        if let Some(done) = self.done.get(&at) {
            return Some(done.progress.clone());
        }
        let key_results = self.key_results.get(&at)?.clone();
        if !self.visiting.insert(at) {
            return None;
        }
        let objective = get_objective(self.workspace, at);
        let mut parts = live_parts(objective, &key_results);
        if parts.is_empty() {
            parts = self.child_parts(at);
        }
        let progress = objective_progress(objective, &parts, self.thresholds);
        self.visiting.remove(&at);
        self.done.insert(
            at,
            ObjectiveProgress {
                progress: progress.clone(),
                key_results,
            },
        );
        Some(progress)
    }

    fn child_parts(&mut self, at: ObjectiveRef) -> Vec<(f64, Progress)> {
        let children = self.children.get(&at).cloned().unwrap_or_default();
        let mut parts = Vec::new();
        for child in children {
            match child {
                Child::Objective(child_at) => {
                    let objective = get_objective(self.workspace, child_at);
                    if !objective.state.is_live() {
                        continue;
                    }
                    let weight = weight(objective.weight.as_ref().map(|w| w.value));
                    if let Some(progress) = self.objective(child_at) {
                        parts.push((weight, progress));
                    }
                }
                Child::KeyResult(child_at, position) => {
                    let key_result = &get_objective(self.workspace, child_at).key_results[position];
                    if !key_result.state.is_live() {
                        continue;
                    }
                    let weight = weight(key_result.weight.as_ref().map(|w| w.value));
                    let child_parts = match self.done.get(&child_at) {
                        Some(done) => Some(&done.key_results),
                        None => self.key_results.get(&child_at),
                    };
                    if let Some(part) = child_parts.and_then(|parts| parts.get(position)) {
                        parts.push((weight, part.progress.clone()));
                    }
                }
            }
        }
        parts
    }
}
