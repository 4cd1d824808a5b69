//! Lookups across the whole repository: each file's resolved period, objectives by
//! period and id, and `aligns_to` references resolved to objectives or key results.

use crate::loader::Workspace;
use crate::model::{GoalFile, KeyResult, Objective};
use crate::period::Period;
use std::collections::{BTreeMap, HashMap};

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
    /// The resolved period name of each file in `Workspace::files`.
    file_periods: Vec<Option<String>>,
    /// The first objective with each (period, id).
    objectives: HashMap<(String, String), ObjectiveRef>,
}

impl Index {
    pub(crate) fn build(workspace: &Workspace) -> Index {
        let mut periods = BTreeMap::new();
        let mut file_periods = Vec::with_capacity(workspace.files.len());
        let mut objectives = HashMap::new();
        for (file_index, file) in workspace.files.iter().enumerate() {
            let period = file
                .period
                .as_ref()
                .and_then(|name| workspace.config.calendar.resolve(&name.value));
            let name = period.as_ref().map(|period| period.name.clone());
            if let Some(period) = period {
                for (objective_index, objective) in file.objectives.iter().enumerate() {
                    if objective.id.value.is_empty() {
                        continue;
                    }
                    let key = (period.name.clone(), objective.id.value.clone());
                    objectives.entry(key).or_insert(ObjectiveRef {
                        file: file_index,
                        objective: objective_index,
                    });
                }
                periods.insert(period.name.clone(), period);
            }
            file_periods.push(name);
        }
        Index {
            periods,
            file_periods,
            objectives,
        }
    }

    pub(crate) fn file_period(&self, file: usize) -> Option<&Period> {
        self.file_periods[file]
            .as_ref()
            .and_then(|name| self.periods.get(name))
    }

    /// Returns the periods that enclose `name`, shortest first (its half, then its year).
    pub(crate) fn enclosing(&self, name: &str) -> Vec<&Period> {
        let Some(period) = self.periods.get(name) else {
            return Vec::new();
        };
        let mut outer: Vec<&Period> = self
            .periods
            .values()
            .filter(|candidate| candidate.encloses(period))
            .collect();
        outer.sort_by_key(|candidate| (candidate.days(), candidate.name.clone()));
        outer
    }

    pub(crate) fn objective(&self, period: &str, id: &str) -> Option<ObjectiveRef> {
        self.objectives
            .get(&(period.to_owned(), id.to_owned()))
            .copied()
    }

    /// Resolves `[PERIOD/]OBJECTIVE[/KEY_RESULT]` as seen from `from_period`: without a
    /// period, the item's own period first, then the periods that enclose it.
    pub(crate) fn resolve(
        &self,
        workspace: &Workspace,
        from_period: &str,
        reference: &str,
    ) -> Option<Target> {
        let parts: Vec<&str> = reference.split('/').collect();
        let (periods, rest): (Vec<String>, &[&str]) =
            match workspace.config.calendar.resolve(parts[0]) {
                Some(period) if parts.len() > 1 => (vec![period.name], &parts[1..]),
                _ => {
                    let mut periods = vec![from_period.to_owned()];
                    periods.extend(self.enclosing(from_period).iter().map(|p| p.name.clone()));
                    (periods, &parts[..])
                }
            };
        if rest.is_empty() || rest.len() > 2 {
            return None;
        }
        periods.iter().find_map(|period| {
            let objective_ref = self.objective(period, rest[0])?;
            match rest.get(1) {
                None => Some(Target::Objective(objective_ref)),
                Some(key_result_id) => {
                    let objective = get_objective(workspace, objective_ref);
                    let position = objective
                        .key_results
                        .iter()
                        .position(|key_result| key_result.id.value == *key_result_id)?;
                    Some(Target::KeyResult(objective_ref, position))
                }
            }
        })
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
