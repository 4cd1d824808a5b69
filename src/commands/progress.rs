//! `okr progress`: the roll-up table for the shown periods, teams and owners.

use super::report_unparsed;
use crate::Outcome;
use crate::cli::{GlobalArgs, ProgressArgs, TableFormat};
use crate::error::{Error, Result};
use crate::index::{ObjectiveRef, get_file, get_objective};
use crate::render::progress::{KeyResultRow, ObjectiveRow, ProgressReport, TeamRow};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::io::Write;

pub(super) fn run(
    args: &ProgressArgs,
    global: &GlobalArgs,
    color: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let (source, selection, rollup) = super::roll_up(global, &args.revision, &args.filter)?;
    let workspace = &source.loaded.workspace;
    let index = &source.loaded.index;
    let as_of = source.loaded.as_of;
    let owner = selection.owner.as_deref();
    let row = |at: ObjectiveRef, context: bool| {
        let objective = get_objective(workspace, at);
        let progress = rollup.objectives.get(&at)?;
        let objective_owned =
            owner.is_none_or(|owner| objective.owner.as_ref().is_some_and(|o| o.value == owner));
        let key_results = objective
            .key_results
            .iter()
            .zip(&progress.key_results)
            .map(|(key_result, part)| KeyResultRow {
                key_result,
                owner: key_result.effective_owner(objective),
                progress: part.clone(),
            })
            .filter(|row| objective_owned || row.owner == owner)
            .collect();
        Some(ObjectiveRow {
            period: index.file_period(at.file)?.name.clone(),
            team: get_file(workspace, at).team.value.to_string(),
            objective,
            progress: progress.progress.clone(),
            key_results,
            context,
        })
    };
    // Rows are made on all cores: large repositories show tens of thousands.
    let mut objectives: Vec<ObjectiveRow<'_>> = selection
        .objectives
        .par_iter()
        .filter_map(|at| row(*at, false))
        .collect();
    // A team row rolls up the whole team, whatever `--owner` shows of it.
    let mut members: HashMap<(&str, &str), Vec<ObjectiveRef>, foldhash::fast::RandomState> =
        HashMap::default();
    for (at, file, _) in crate::index::objectives(workspace) {
        if let Some(period) = index.file_period(at.file) {
            members
                .entry((file.team.value.as_str(), period.name.as_str()))
                .or_default()
                .push(at);
        }
    }
    let mut teams: Vec<TeamRow> = Vec::new();
    let mut seen: HashSet<(&str, &str), foldhash::fast::RandomState> = HashSet::default();
    for shown in &objectives {
        let key = (shown.team.as_str(), shown.period.as_str());
        if seen.insert(key) {
            teams.push(TeamRow {
                team: shown.team.clone(),
                period: shown.period.clone(),
                progress: rollup.aggregate(workspace, &members[&key]),
            });
        }
    }
    if objectives.is_empty() {
        crate::terminal::note(&no_match_note(&args.filter, &selection.periods));
    }
    objectives.extend(selection.context.iter().filter_map(|at| row(*at, true)));
    let report = ProgressReport {
        as_of,
        periods: selection.periods.clone(),
        overall: rollup.aggregate(workspace, &selection.objectives),
        teams,
        objectives,
    };
    let written = match args.format {
        TableFormat::Table => crate::render::progress::write_table(&report, color, out),
        TableFormat::Markdown => crate::render::progress::write_markdown(&report, out),
        TableFormat::Csv => crate::render::progress::write_csv(&report, out),
        TableFormat::Json => crate::render::progress::write_json(&report, out),
    };
    // A closed pipe ends the output early, and broken goal files still exit 2.
    super::unless_pipe_closed(written.and_then(|()| out.flush()))?;
    super::report_left_out(workspace, index);
    if !workspace.unparsed.is_empty() {
        report_unparsed(workspace);
        return Err(Error::BrokenGoalFiles {
            count: workspace.unparsed.len(),
        });
    }
    // The process ends right after, and the system takes the memory back at once,
    // which is faster than freeing every goal file's values one by one.
    std::mem::forget(report);
    std::mem::forget(rollup);
    std::mem::forget(source);
    Ok(Outcome::Success)
}

/// Says why nothing is shown, naming the filters that were given.
pub(super) fn no_match_note(filter: &crate::cli::Filter, periods: &[String]) -> String {
    let mut given = Vec::new();
    if let Some(team) = &filter.team {
        given.push(format!("team `{team}`"));
    }
    if let Some(owner) = &filter.owner {
        given.push(format!("owner `{owner}`"));
    }
    let period = if periods.is_empty() {
        "any period".to_owned()
    } else {
        periods.join(", ")
    };
    if given.is_empty() {
        format!("no objectives in {period}; `--period all` shows every period")
    } else {
        format!("no objectives of {} in {period}", given.join(" and "))
    }
}
