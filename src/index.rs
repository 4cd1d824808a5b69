//! Lookups across the whole repository: each file's resolved period, objectives by
//! period and id, and `aligns_to` references resolved to objectives or key results.

use crate::loader::Workspace;
use crate::model::{GoalFile, KeyResult, Objective};
use crate::period::Period;
use std::collections::{BTreeMap, HashMap, HashSet};

/// An objective's place: its file's index in `Workspace::files` and its own index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ObjectiveRef {
    pub(crate) file: usize,
    pub(crate) objective: usize,
}

/// What an `aligns_to` entry or a command-line reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    Objective(ObjectiveRef),
    KeyResult(ObjectiveRef, usize),
}

impl Target {
    pub(crate) fn objective_ref(self) -> ObjectiveRef {
        match self {
            Target::Objective(objective) | Target::KeyResult(objective, _) => objective,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Index {
    /// Every period some parsed file declares and the calendar resolves, by name.
    pub(crate) periods: BTreeMap<String, Period>,
    /// The resolved period of each file in `Workspace::files`, as a position in
    /// `period_list`: rules ask for it once per item, so it is found without comparing
    /// names.
    file_periods: Vec<Option<usize>>,
    /// The values of `periods`, in the same order.
    period_list: Vec<Period>,
    /// The first objective with each id, per period, nested so that lookups need no
    /// owned key.
    objectives: NameMap<NameMap<ObjectiveRef>>,
    /// The periods enclosing each period of `periods`, shortest first.
    enclosing: NameMap<Vec<String>>,
}

/// Maps keyed by period names and ids, hashed with foldhash: rules look up every
/// `aligns_to` entry.
type NameMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

impl Index {
    pub(crate) fn build(workspace: &Workspace) -> Index {
        // Files share a few period names, so each name is resolved once; a resolved
        // period's name is the name as written.
        let calendar = &workspace.config.calendar;
        let mut periods = BTreeMap::new();
        let mut unknown: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
        for file in &workspace.files {
            let Some(name) = file.period.as_ref().map(|name| name.value.as_str()) else {
                continue;
            };
            if periods.contains_key(name) || unknown.contains(name) {
                continue;
            }
            match calendar.resolve(name) {
                Some(period) => {
                    periods.insert(period.name.clone(), period);
                }
                None => {
                    unknown.insert(name);
                }
            }
        }
        let period_list: Vec<Period> = periods.values().cloned().collect();
        let positions: HashMap<&str, usize, foldhash::fast::RandomState> = period_list
            .iter()
            .enumerate()
            .map(|(position, period)| (period.name.as_str(), position))
            .collect();
        let file_periods: Vec<Option<usize>> = workspace
            .files
            .iter()
            .map(|file| positions.get(file.period.as_ref()?.value.as_str()).copied())
            .collect();
        let mut counts = vec![0; period_list.len()];
        for (file, position) in workspace.files.iter().zip(&file_periods) {
            if let Some(position) = position {
                counts[*position] += file.objectives.len();
            }
        }
        let mut by_period: Vec<NameMap<ObjectiveRef>> = counts
            .iter()
            .map(|&count| NameMap::with_capacity_and_hasher(count, Default::default()))
            .collect();
        for (file_index, file) in workspace.files.iter().enumerate() {
            let Some(position) = file_periods[file_index] else {
                continue;
            };
            let by_id = &mut by_period[position];
            for (objective_index, objective) in file.objectives.iter().enumerate() {
                if objective.id.value.is_empty() || by_id.contains_key(objective.id.value.as_str())
                {
                    continue;
                }
                let at = ObjectiveRef {
                    file: file_index,
                    objective: objective_index,
                };
                by_id.insert(objective.id.value.to_string(), at);
            }
        }
        let objectives = period_list
            .iter()
            .map(|period| period.name.clone())
            .zip(by_period)
            .collect();
        let enclosing = periods
            .values()
            .map(|period| {
                let mut outer: Vec<&Period> = periods
                    .values()
                    .filter(|candidate| candidate.encloses(period))
                    .collect();
                outer.sort_by_key(|candidate| (candidate.days(), candidate.name.clone()));
                let names = outer.iter().map(|outer| outer.name.clone()).collect();
                (period.name.clone(), names)
            })
            .collect();
        Index {
            periods,
            file_periods,
            period_list,
            objectives,
            enclosing,
        }
    }

    pub(crate) fn file_period(&self, file: usize) -> Option<&Period> {
        self.file_periods[file].map(|position| &self.period_list[position])
    }

    /// Returns the periods that enclose `name`, shortest first (its half, then its year).
    pub(crate) fn enclosing(&self, name: &str) -> impl Iterator<Item = &Period> {
        self.enclosing
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|outer| self.periods.get(outer))
    }

    pub(crate) fn objective(&self, period: &str, id: &str) -> Option<ObjectiveRef> {
        self.objectives.get(period)?.get(id).copied()
    }

    /// Resolves `[PERIOD/]OBJECTIVE[/KEY_RESULT]` as seen from `from_period`: without a
    /// period, the item's own period first, then the periods that enclose it.
    pub(crate) fn resolve(
        &self,
        workspace: &Workspace,
        from_period: &str,
        reference: &str,
    ) -> Option<Target> {
        let find = |period: &str, objective_id: &str, key_result_id: Option<&str>| {
            let objective_ref = self.objective(period, objective_id)?;
            match key_result_id {
                None => Some(Target::Objective(objective_ref)),
                Some(key_result_id) => {
                    let objective = get_objective(workspace, objective_ref);
                    let position = objective
                        .key_results
                        .iter()
                        .position(|key_result| key_result.id.value == key_result_id)?;
                    Some(Target::KeyResult(objective_ref, position))
                }
            }
        };
        let mut parts = reference.splitn(4, '/');
        let first = parts.next().unwrap_or_default();
        let second = parts.next();
        let third = parts.next();
        if parts.next().is_some() {
            return None;
        }
        if let Some(rest) = second
            && let Some(period) = workspace.config.calendar.resolve(first)
        {
            return find(&period.name, rest, third);
        }
        if third.is_some() {
            return None;
        }
        std::iter::once(from_period)
            .chain(
                self.enclosing(from_period)
                    .map(|period| period.name.as_str()),
            )
            .find_map(|period| find(period, first, second))
    }
}

pub(crate) fn get_objective(workspace: &Workspace, at: ObjectiveRef) -> &Objective {
    &workspace.files[at.file].objectives[at.objective]
}

pub(crate) fn get_file(workspace: &Workspace, at: ObjectiveRef) -> &GoalFile {
    &workspace.files[at.file]
}

pub(crate) fn get_key_result(workspace: &Workspace, at: ObjectiveRef, index: usize) -> &KeyResult {
    &get_objective(workspace, at).key_results[index]
}

/// Iterates over every objective of the workspace with its place, in file order.
pub(crate) fn objectives(
    workspace: &Workspace,
) -> impl Iterator<Item = (ObjectiveRef, &GoalFile, &Objective)> {
    workspace
        .files
        .iter()
        .enumerate()
        .flat_map(|(file_index, file)| {
            file.objectives
                .iter()
                .enumerate()
                .map(move |(objective_index, objective)| {
                    let at = ObjectiveRef {
                        file: file_index,
                        objective: objective_index,
                    };
                    (at, file, objective)
                })
        })
}
