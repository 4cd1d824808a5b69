//! Relevant: goals connect to the company's. `aligns_to` and initiative links must
//! name real items, alignment must not loop, and team goals need a company anchor.

use super::context::{Context, Sink, Subject};
use crate::diagnostic::quoted;
use crate::index::{ObjectiveRef, get_file, get_objective, objectives};
use crate::model::{GoalFile, Objective, Spanned, Text};
use crate::toml_read::{Candidate, Matcher};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;

mod cycles;

pub(super) fn check_per_item(context: &Context<'_>, sink: &mut Sink<'_>) {
    unknown_key_result(context, sink);
}

/// Checks what `aligns_to` entries name: unknown items and cycles.
pub(super) fn check_alignment(context: &Context<'_>, sink: &mut Sink<'_>) {
    let links = cycles::links(context);
    unknown_alignment(context, &links.unknown, sink);
    cycles::alignment_cycle(context, &links, sink);
}

/// Checks that team objectives have company objectives to align to.
pub(super) fn check_anchors(context: &Context<'_>, sink: &mut Sink<'_>) {
    unaligned(context, sink);
    no_company_anchor(context, sink);
}

/// Calls `visit` with the parts of each name an `aligns_to` entry written in a period
/// could have meant, among the items of `files`. Those are the objectives and key
/// results of the `near` periods (that period and those enclosing it), and every item
/// with its period in front. Names come one at a time, in file order, so a large
/// repository's list is never kept. The second argument is the key result's id when
/// the name is `objective/key-result` of a near period.
fn visit_candidates(
    context: &Context<'_>,
    files: Range<usize>,
    near: &HashSet<&str>,
    mut write: impl FnMut(&[&str], Option<&str>),
) {
    for file in files {
        let Some(own) = context.index.file_period(file) else {
            continue;
        };
        let is_near = near.contains(own.name.as_str());
        for objective in &context.workspace.files[file].objectives {
            let objective_id = objective.id.value.as_str();
            write(&[&own.name, "/", objective_id], None);
            if is_near {
                write(&[objective_id], None);
            }
            for key_result in &objective.key_results {
                let key_result_id = key_result.id.value.as_str();
                write(&[&own.name, "/", objective_id, "/", key_result_id], None);
                if is_near {
                    write(&[objective_id, "/", key_result_id], Some(key_result_id));
                }
            }
        }
    }
}

/// Goal files per parallel task when searching for suggestions.
const SEARCH_CHUNK_FILES: usize = 256;

/// Returns the close candidates of each reference written in `period`, closest first and
/// in file order among equals. Every candidate is compared with every reference in one
/// pass over the repository, in parallel over chunks of files.
fn close_candidates(context: &Context<'_>, period: &str, references: &[&str]) -> Vec<Vec<String>> {
    let mut near: HashSet<&str> = HashSet::from([period]);
    near.extend(context.index.enclosing(period).map(|p| p.name.as_str()));
    let matchers: Vec<Matcher> = references
        .iter()
        .map(|reference| Matcher::new(reference))
        .collect();
    // The references by length in characters, so each candidate is compared only with
    // those whose length differs by no more than its limit.
    let mut by_length: Vec<(usize, usize)> = matchers
        .iter()
        .enumerate()
        .map(|(reference, matcher)| (matcher.chars(), reference))
        .collect();
    by_length.sort_unstable();
    // References without a `/` that may be a key result's id written without its
    // objective: `objective/key-result` is suggested for those before any close name.
    let unqualified: HashMap<&str, usize> = references
        .iter()
        .enumerate()
        .filter(|(_, reference)| !reference.contains('/'))
        .map(|(position, reference)| (*reference, position))
        .collect();
    // One bit per byte length of those references, so most key result ids are turned
    // away before they are hashed.
    let length_bit = |text: &str| 1u128 << text.len().min(127);
    let unqualified_lengths = unqualified.keys().fold(0, |bits, id| bits | length_bit(id));
    let files = context.workspace.files.len();
    // Each match: the reference's position in `references`, the distance and the name.
    let matches: Vec<(usize, usize, String)> = (0..files.div_ceil(SEARCH_CHUNK_FILES))
        .into_par_iter()
        .flat_map_iter(|chunk| {
            let start = chunk * SEARCH_CHUNK_FILES;
            let mut matchers = matchers.clone();
            let mut found = Vec::new();
            let mut name = String::new();
            visit_candidates(
                context,
                start..files.min(start + SEARCH_CHUNK_FILES),
                &near,
                |parts, key_result_id| {
                    if let Some(id) = key_result_id
                        && unqualified_lengths & length_bit(id) != 0
                        && let Some(&reference) = unqualified.get(id)
                    {
                        found.push((reference, 0, parts.concat()));
                    }
                    // Most names are too long or too short for every reference, and
                    // are rejected before they are joined and measured.
                    let chars: usize = parts.iter().map(|part| part.chars().count()).sum();
                    let limit = Candidate::limit(chars);
                    let first = by_length.partition_point(|&(length, _)| length + limit < chars);
                    let end = by_length.partition_point(|&(length, _)| length <= chars + limit);
                    if first >= end {
                        return;
                    }
                    name.clear();
                    for part in parts {
                        name.push_str(part);
                    }
                    let candidate = Candidate::new(&name);
                    for &(_, reference) in &by_length[first..end] {
                        if let Some(distance) = matchers[reference].distance_to(&candidate) {
                            found.push((reference, distance, name.clone()));
                        }
                    }
                },
            );
            found
        })
        .collect();
    let mut close: Vec<Vec<(usize, String)>> = vec![Vec::new(); references.len()];
    for (reference, distance, name) in matches {
        close[reference].push((distance, name));
    }
    close
        .into_iter()
        .map(|mut found| {
            found.sort_by_key(|&(distance, _)| distance);
            found.into_iter().map(|(_, name)| name).collect()
        })
        .collect()
}

/// Suggestions are searched for this many distinct unknown references at most, because
/// each search compares against every objective and key result of the repository.
const MAX_SUGGESTION_SEARCHES: usize = 50;

fn unknown_alignment<'w>(context: &Context<'w>, unknown: &[Unknown<'w>], sink: &mut Sink<'_>) {
    // An entry may name an item of a file that did not parse. Only an entry whose last
    // segment appears as a quoted string nowhere in those files is certainly unknown.
    let workspace = context.workspace;
    let mut unchecked = 0;
    let certain: Vec<Unknown<'w>> = unknown
        .iter()
        .filter(|(_, _, _, entry)| {
            let id = entry.value.rsplit('/').next().unwrap_or_default();
            let (basic, literal) = (format!("\"{id}\""), format!("'{id}'"));
            let maybe_there = workspace.unparsed.iter().any(|&source| {
                let text = &workspace.sources[source].text;
                text.contains(&basic) || text.contains(&literal)
            });
            unchecked += usize::from(maybe_there);
            !maybe_there
        })
        .copied()
        .collect();
    if unchecked > 0 {
        let entries = if unchecked == 1 {
            "1 `aligns_to` entry naming nothing known was".to_owned()
        } else {
            format!("{unchecked} `aligns_to` entries naming nothing known were")
        };
        let files = match workspace.unparsed.len() {
            1 => "the goal file".to_owned(),
            count => format!("the {count} goal files"),
        };
        sink.note(format!(
            "{entries} not reported, because they may name an item in {files} that could not be parsed"
        ));
    }
    let unknown = &certain[..];
    let suggestions = suggestions(context, unknown);
    for &(file, subject, period, entry) in unknown {
        let reference = &entry.value;
        let own = own_objective(&subject);
        let help = match &suggestions[&(period, reference.as_str(), own)] {
            Some(close) => format!(
                "did you mean `{}`? `aligns_to` names an objective (`id`) or key result (`id/kr`) of {period} or an enclosing period, or one with its period in front (`2026/id`)",
                quoted(close),
            ),
            None => format!(
                "name an objective (`id`) or key result (`id/kr`) of {period} or an enclosing period, or put its period in front (`2026/id`)",
            ),
        };
        let Some(owner) = subject.name() else {
            continue;
        };
        sink.report(
            "unknown-alignment",
            file,
            subject,
            entry.span.clone(),
            format!(
                "{owner} aligns to `{}`, which names no objective or key result known from {period}",
                quoted(reference)
            ),
            help,
        );
    }
}

/// An `aligns_to` entry that resolves to nothing: its file, its item, the item's period
/// and the entry.
type Unknown<'w> = (&'w GoalFile, Subject<'w>, &'w str, &'w Spanned<Text>);

/// Returns the id of the objective an `aligns_to` entry belongs to.
fn own_objective<'w>(subject: &Subject<'w>) -> &'w str {
    match subject {
        Subject::Objective(objective) | Subject::KeyResult(objective, _) => &objective.id.value,
        Subject::File => "",
    }
}

/// True when `candidate` names the objective `own` or one of its key results, with or
/// without its period in front: aligning to those would close a loop or repeat the
/// link every key result has to its objective.
fn names_own_objective(candidate: &str, period: &str, own: &str) -> bool {
    let unprefixed = candidate
        .strip_prefix(period)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(candidate);
    unprefixed
        .strip_prefix(own)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// A distinct unknown reference: the period it was written in, the reference, and the
/// id of the objective it belongs to.
type UnknownKey<'w> = (&'w str, &'w str, &'w str);

/// Finds a close name for each distinct unknown reference, other than the item's own
/// objective and key results. Each (period, reference) is searched once, for the first
/// `MAX_SUGGESTION_SEARCHES` of them only, in parallel.
fn suggestions<'w>(
    context: &Context<'w>,
    unknown: &[Unknown<'w>],
) -> HashMap<UnknownKey<'w>, Option<String>> {
    let mut searches: Vec<(&str, &str)> = Vec::new();
    let mut seen = HashSet::new();
    for &(_, _, period, entry) in unknown {
        if seen.insert((period, entry.value.as_str())) {
            searches.push((period, entry.value.as_str()));
        }
    }
    searches.truncate(MAX_SUGGESTION_SEARCHES);
    let mut by_period: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &(period, reference) in &searches {
        by_period.entry(period).or_default().push(reference);
    }
    let mut found: HashMap<(&str, &str), Vec<String>> = HashMap::new();
    for (period, references) in by_period {
        let close = close_candidates(context, period, &references);
        found.extend(
            references
                .into_iter()
                .map(|reference| (period, reference))
                .zip(close),
        );
    }
    unknown
        .iter()
        .map(|(_, subject, period, entry)| {
            let own = own_objective(subject);
            let suggestion = found
                .get(&(*period, entry.value.as_str()))
                .and_then(|close| {
                    close
                        .iter()
                        .find(|candidate| !names_own_objective(candidate, period, own))
                })
                .cloned();
            ((*period, entry.value.as_str(), own), suggestion)
        })
        .collect()
}

/// Collects the periods in which the company team has live objectives.
fn company_periods(context: &Context<'_>) -> HashSet<String> {
    let company = &context.workspace.config.company_team;
    objectives(context.workspace)
        .filter(|(_, file, objective)| file.team.value == *company && objective.state.is_live())
        .filter_map(|(at, _, _)| context.index.file_period(at.file))
        .map(|period| period.name.clone())
        .collect()
}

/// True when the company team has live objectives in an enclosing period of `period`.
fn anchored_above(context: &Context<'_>, company: &HashSet<String>, period: &str) -> bool {
    context
        .index
        .enclosing(period)
        .any(|outer| company.contains(&outer.name))
}

fn has_alignment(objective: &Objective) -> bool {
    !objective.aligns_to.is_empty()
        || objective
            .key_results
            .iter()
            .any(|key_result| !key_result.aligns_to.is_empty())
}

fn unaligned(context: &Context<'_>, sink: &mut Sink<'_>) {
    let company_team = &context.workspace.config.company_team;
    let company = company_periods(context);
    for (at, file, objective) in objectives(context.workspace) {
        let Some(period) = context.index.file_period(at.file) else {
            continue;
        };
        let candidate = file.team.value != *company_team
            && objective.state.is_live()
            && !has_alignment(objective);
        let anchors_exist =
            company.contains(&period.name) || anchored_above(context, &company, &period.name);
        if !candidate || !anchors_exist {
            continue;
        }
        sink.report(
            "unaligned",
            file,
            Subject::Objective(objective),
            objective.span.clone(),
            format!(
                "objective `{}` of team `{}` aligns to nothing, while team `{company_team}` has objectives for {}",
                quoted(&objective.id.value), quoted(&file.team.value), period.name
            ),
            "add `aligns_to = [\"company-objective-id\"]` naming the company objective it serves, or `allow = [\"unaligned\"]` with a comment saying why it stands alone".to_owned(),
        );
    }
}

/// True when an initiative's `key_results` entry names a key result: one of its own
/// objective, or `objective/key-result` in the same period.
fn names_key_result(context: &Context<'_>, at: ObjectiveRef, entry: &str) -> bool {
    let has = |objective: &Objective, id: &str| {
        objective
            .key_results
            .iter()
            .any(|key_result| key_result.id.value == id)
    };
    let own = get_objective(context.workspace, at);
    match entry.split_once('/') {
        None => has(own, entry),
        Some((objective_id, key_result_id)) => {
            if objective_id == own.id.value && has(own, key_result_id) {
                return true;
            }
            let Some(period) = context.index.file_period(at.file) else {
                return false;
            };
            context
                .index
                .objective(&period.name, objective_id)
                .is_some_and(|found| has(get_objective(context.workspace, found), key_result_id))
        }
    }
}

fn unknown_key_result(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (at, file, objective) in context.objectives() {
        for initiative in &objective.initiatives {
            for entry in &initiative.key_results {
                if names_key_result(context, at, &entry.value) {
                    continue;
                }
                sink.report(
                    "unknown-key-result",
                    file,
                    Subject::Objective(objective),
                    entry.span.clone(),
                    format!(
                        "initiative \"{}\" of objective `{}` names `{}`, which is no key result of the objective or its period",
                        quoted(&initiative.title.value), quoted(&objective.id.value), quoted(&entry.value)
                    ),
                    "name a key result of this objective by its id (`availability`), or one of another objective of the period as `objective-id/kr-id`".to_owned(),
                );
            }
        }
    }
}

fn no_company_anchor(context: &Context<'_>, sink: &mut Sink<'_>) {
    let company_team = &context.workspace.config.company_team;
    let company = company_periods(context);
    // Per period: the teams with live objectives, and the first file in path order.
    let mut periods: BTreeMap<String, (BTreeSet<String>, ObjectiveRef)> = BTreeMap::new();
    for (at, file, objective) in objectives(context.workspace) {
        let Some(period) = context.index.file_period(at.file) else {
            continue;
        };
        let entry = periods
            .entry(period.name.clone())
            .or_insert_with(|| (BTreeSet::new(), at));
        if objective.state.is_live() {
            entry.0.insert(file.team.value.to_string());
        }
    }
    for (period, (teams, first)) in periods {
        let unanchored = teams.len() >= 2
            && !teams.contains(company_team)
            && !anchored_above(context, &company, &period);
        if !unanchored {
            continue;
        }
        let file = get_file(context.workspace, first);
        let span = file.period.as_ref().map_or(0..0, |p| p.span.clone());
        let names: Vec<String> = teams
            .iter()
            .map(|team| format!("`{}`", quoted(team)))
            .collect();
        sink.report(
            "no-company-anchor",
            file,
            Subject::File,
            span,
            format!(
                "{period} has objectives from {} teams ({}) and none from the company team `{company_team}`",
                teams.len(),
                names.join(", ")
            ),
            format!(
                "add company objectives for {period} or an enclosing period (team `{company_team}`, or set `company_team` in okr.toml) for the teams to align to"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::names_own_objective;

    #[test]
    fn own_objective_and_key_results_are_recognised() {
        assert!(names_own_objective("obj-1", "2026-Q4", "obj-1"));
        assert!(names_own_objective("obj-1/speed", "2026-Q4", "obj-1"));
        assert!(names_own_objective("2026-Q4/obj-1", "2026-Q4", "obj-1"));
        assert!(!names_own_objective("obj-10", "2026-Q4", "obj-1"));
        assert!(!names_own_objective("2026/obj-1", "2026-Q4", "obj-1"));
    }
}
