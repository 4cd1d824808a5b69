//! Goal selection for display: the default period at the as-of date, `--period`,
//! `--team` and `--owner`, plus the enclosing-period objectives shown items align to.

use crate::cli::Filter;
use crate::error::{Error, Result};
use crate::index::{Index, ObjectiveRef, get_file, get_objective, objectives};
use crate::loader::Workspace;
use chrono::NaiveDate;
use std::collections::BTreeSet;

#[derive(Debug)]
pub(crate) struct Selection {
    /// The periods shown, in date order.
    pub(crate) periods: Vec<String>,
    /// Objectives of those periods that pass the filters, in display order.
    pub(crate) objectives: Vec<ObjectiveRef>,
    /// Objectives of enclosing periods that shown objectives align to, so roots stay visible.
    pub(crate) context: Vec<ObjectiveRef>,
    pub(crate) owner: Option<String>,
}

/// Returns the shortest periods that contain `as_of` (all of them on a tie); else the latest
/// that ended before it; else the earliest.
pub(crate) fn default_periods(index: &Index, as_of: NaiveDate) -> Vec<String> {
    let periods: Vec<_> = index.periods.values().collect();
    let containing: Vec<_> = periods.iter().filter(|p| p.contains(as_of)).collect();
    if let Some(shortest) = containing.iter().map(|p| p.days()).min() {
        return containing
            .iter()
            .filter(|p| p.days() == shortest)
            .map(|p| p.name.clone())
            .collect();
    }
    let ended: Vec<_> = periods.iter().filter(|p| p.end < as_of).collect();
    let chosen: Vec<_> = match ended.iter().map(|p| p.end).max() {
        Some(latest) => ended.into_iter().filter(|p| p.end == latest).collect(),
        None => {
            let earliest = periods.iter().map(|p| p.start).min();
            periods
                .iter()
                .filter(|p| Some(p.start) == earliest)
                .collect()
        }
    };
    let shortest = chosen.iter().map(|p| p.days()).min();
    chosen
        .into_iter()
        .filter(|p| Some(p.days()) == shortest)
        .map(|p| p.name.clone())
        .collect()
}

pub(crate) fn select(
    workspace: &Workspace,
    index: &Index,
    as_of: NaiveDate,
    filter: &Filter,
) -> Result<Selection> {
    let periods = match filter.period.as_deref() {
        Some("all") => index.periods.keys().cloned().collect(),
        Some(name) => {
            let period =
                workspace
                    .config
                    .calendar
                    .resolve(name)
                    .ok_or_else(|| Error::Reference {
                        message: format!("invalid period `{name}`"),
                        help: Some(
                            "use YYYY-Qn, YYYY-Hn, YYYY, a period named in okr.toml, or `all`"
                                .to_owned(),
                        ),
                    })?;
            vec![period.name]
        }
        None => default_periods(index, as_of),
    };
    let mut periods: Vec<String> = periods;
    periods.sort_by_key(|name| index.periods.get(name).map(|p| (p.start, -p.days())));
    let wanted: BTreeSet<&str> = periods.iter().map(String::as_str).collect();
    let company = workspace.config.company_team.as_str();
    let mut chosen: Vec<ObjectiveRef> = objectives(workspace)
        .filter(|(at, _, _)| {
            index
                .file_period(at.file)
                .is_some_and(|period| wanted.contains(period.name.as_str()))
        })
        .filter(|(_, file, _)| {
            filter
                .team
                .as_ref()
                .is_none_or(|team| file.team.value == *team)
        })
        .filter(|(_, file, objective)| {
            filter.owner.as_ref().is_none_or(|owner| {
                objective.owner.as_ref().is_some_and(|o| o.value == *owner)
                    || objective
                        .key_results
                        .iter()
                        .any(|kr| kr.effective_owner(objective) == Some(owner.as_str()))
            }) && !file.objectives.is_empty()
        })
        .map(|(at, _, _)| at)
        .collect();
    // Keys borrow the team name: objectives are many and sorting compares each often.
    let order = |at: &ObjectiveRef| {
        let period = index.file_period(at.file).map(|p| (p.start, -p.days()));
        let team = get_file(workspace, *at).team.value.as_str();
        (period, team != company, team, *at)
    };
    chosen.sort_by(|a, b| order(a).cmp(&order(b)));
    let context = enclosing_context(workspace, index, &chosen, &wanted);
    Ok(Selection {
        periods,
        objectives: chosen,
        context,
        owner: filter.owner.clone(),
    })
}

/// Objectives outside the shown periods that shown objectives (or their key results)
/// align to, followed up the chain.
fn enclosing_context(
    workspace: &Workspace,
    index: &Index,
    shown: &[ObjectiveRef],
    wanted: &BTreeSet<&str>,
) -> Vec<ObjectiveRef> {
    let mut found: Vec<ObjectiveRef> = Vec::new();
    let mut queue: Vec<ObjectiveRef> = shown.to_vec();
    while let Some(at) = queue.pop() {
        let Some(period) = index.file_period(at.file) else {
            continue;
        };
        let objective = get_objective(workspace, at);
        let references = objective.aligns_to.iter().chain(
            objective
                .key_results
                .iter()
                .flat_map(|kr| kr.aligns_to.iter()),
        );
        for reference in references {
            let Some(target) = index.resolve(workspace, &period.name, &reference.value) else {
                continue;
            };
            let parent = target.objective_ref();
            let parent_period = index.file_period(parent.file).map(|p| p.name.as_str());
            if parent_period.is_some_and(|name| !wanted.contains(name)) && !found.contains(&parent)
            {
                found.push(parent);
                queue.push(parent);
            }
        }
    }
    found.sort_by_key(|at| {
        (
            index.file_period(at.file).map(|p| (p.start, -p.days())),
            *at,
        )
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn workspace(files: &[(&str, &str)]) -> (Workspace, Index) {
        let config = Config::defaults("/repo".into(), "/repo".into());
        let contents = files
            .iter()
            .map(|(path, text)| ((*path).to_owned(), text.as_bytes().to_vec()))
            .collect();
        let workspace = Workspace::from_contents(config, contents);
        let index = Index::build(&workspace);
        (workspace, index)
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn quarter_wins_over_enclosing_year() {
        let (_, index) = workspace(&[
            ("a.toml", "period = \"2026-Q4\"\n"),
            ("b.toml", "period = \"2026\"\n"),
            ("c.toml", "period = \"2026-Q3\"\n"),
        ]);
        assert_eq!(default_periods(&index, date("2026-11-15")), ["2026-Q4"]);
        assert_eq!(default_periods(&index, date("2026-08-01")), ["2026-Q3"]);
    }

    #[test]
    fn after_every_period_the_latest_ended_is_shown() {
        let (_, index) = workspace(&[
            ("a.toml", "period = \"2026-Q3\"\n"),
            ("b.toml", "period = \"2026-Q2\"\n"),
        ]);
        assert_eq!(default_periods(&index, date("2027-02-01")), ["2026-Q3"]);
        assert_eq!(default_periods(&index, date("2025-02-01")), ["2026-Q2"]);
    }
}
