//! `okr history [ITEM]`: the timeline of objectives and key results from git, one
//! event per commit that changed them, oldest first.

use super::git::start_folder;
use crate::Outcome;
use crate::cli::{GlobalArgs, HistoryArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::history::{
    self, Dated, GitRepository, History, ItemEvents, ItemKey, Limit, ObjectId, Range, Scope, Walker,
};
use crate::period::{Calendar, Period};
use crate::render::history::{HistoryReport, ItemTimeline, JsonStyle, TimelineEvent, write};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};

pub(super) fn run(
    args: &HistoryArgs,
    global: &GlobalArgs,
    color: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let start = start_folder(global)?;
    let config = Config::discover(&start)?;
    let repo = GitRepository::require(&config.root)?;
    let range = match &args.rev {
        Some(text) => history::parse_range(&repo, text)?,
        None => Range {
            from: None,
            to: repo.require_head()?,
        },
    };

    let scope = Scope::new(&config, repo.workdir())?;
    let mut walker = Walker::new(&repo, scope, !args.git.no_cache);
    // Without cached commits, the walk reads the whole history.
    let cold = !walker.has_cached_commits();
    if cold {
        // SAFETY: loading the cache is done, and rayon's threads wait idle.
        unsafe { crate::memory::purge_sooner(true) };
    }
    let history = match range_limit(&repo, range)? {
        Some(limit) => History::read(&mut walker, range.to, &limit)?,
        None => History {
            commits: Vec::new(),
            notes: Vec::new(),
        },
    };
    // The cache is written before the output, not beside it, because encoding it uses
    // about as much memory as printing, and the two at once set the run's peak.
    walker.finish();
    // The output needs no more objects, so their caches are freed for it.
    history::release_object_caches();
    if args.git.verbose {
        crate::terminal::note(&history::stats_line(&walker));
    }
    let outcome = print(&history, args, global, &config, color, out);
    // The process ends right after, and the system takes the memory back at once,
    // which is faster than freeing a large history's millions of values one by one.
    std::mem::forget(history);
    outcome
}

/// Prints the chosen items' timelines, then the walk's notes.
fn print(
    history: &History,
    args: &HistoryArgs,
    global: &GlobalArgs,
    config: &Config,
    color: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let as_of = global
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let items = history.item_events();
    let boundary = shallow_boundary(&history.notes);
    let chosen = choose(&items, args, &config.calendar, as_of, boundary)?;
    let mut periods: HashMap<&str, Option<Period>> = HashMap::new();
    for key in &chosen {
        periods
            .entry(&key.period)
            .or_insert_with(|| config.calendar.resolve(&key.period));
    }
    let report = HistoryReport {
        items: chosen
            .into_par_iter()
            .map(|key| {
                timeline(
                    key,
                    items.get(key).unwrap_or_default(),
                    periods[&*key.period].as_ref(),
                    config,
                )
            })
            .collect(),
    };

    let json_style = if std::io::stdout().is_terminal() {
        JsonStyle::Pretty
    } else {
        JsonStyle::Compact
    };
    write(&report, args.format, color, json_style, out)?;
    // Freed by the system at exit, as `history` is.
    std::mem::forget(report);
    std::mem::forget(items);
    out.flush()?;
    for note in &history.notes {
        crate::terminal::note(note);
    }
    Ok(Outcome::Success)
}

/// Returns the walk limit for a range, or `None` when the range has no commits.
pub(super) fn range_limit(repo: &GitRepository, range: Range) -> Result<Option<Limit>> {
    let Some(from) = range.from else {
        return Ok(Some(Limit::default()));
    };
    let chain: Vec<ObjectId> = repo.first_parent_range(from, range.to)?;
    let Some(oldest) = chain.last() else {
        return Ok(None);
    };
    let stop_at = history::first_parent(repo, *oldest)?;
    Ok(Some(Limit {
        stop_at,
        ..Limit::default()
    }))
}

/// Returns the items to show, in period and id order.
fn choose<'h>(
    items: &ItemEvents<'h>,
    args: &HistoryArgs,
    calendar: &Calendar,
    as_of: NaiveDate,
    boundary: Option<&str>,
) -> Result<Vec<&'h ItemKey>> {
    let period_filter = match args.filter.period.as_deref() {
        None | Some("all") => None,
        Some(name) => Some(
            calendar
                .resolve(name)
                .ok_or_else(|| Error::Reference {
                    message: format!("invalid period `{name}`"),
                    help: Some("use YYYY-Qn, YYYY-Hn, YYYY, a named period, or `all`".to_owned()),
                })?
                .name,
        ),
    };
    let mut keys: Vec<&ItemKey> = items.keys().collect();
    if let Some(reference) = &args.item {
        keys = resolve_reference(&keys, reference, calendar, as_of, true, boundary)?;
    }
    keys.retain(|key| {
        period_filter
            .as_ref()
            .is_none_or(|period| *period == *key.period)
    });
    if let Some(team) = &args.filter.team {
        keys.retain(|key| final_team(items.get(key).unwrap_or_default()) == Some(team.as_str()));
    }
    if let Some(owner) = &args.filter.owner {
        keys.retain(|key| effective_owner(key, items) == Some(owner.as_str()));
    }
    // Resolving a period parses its name, so each period is resolved once.
    let mut order: HashMap<&str, Option<(NaiveDate, i64)>> = HashMap::new();
    for key in &keys {
        order.entry(&*key.period).or_insert_with(|| {
            calendar
                .resolve(&key.period)
                .map(|period| (period.start, -period.days()))
        });
    }
    // The keys come in key order, which a stable sort by period keeps within each
    // period.
    let ranks: Vec<Option<(NaiveDate, i64)>> = keys.iter().map(|key| order[&*key.period]).collect();
    let mut positions: Vec<usize> = (0..keys.len()).collect();
    positions.sort_by_key(|&position| ranks[position]);
    let keys = positions
        .into_iter()
        .map(|position| keys[position])
        .collect();
    Ok(keys)
}

/// Returns the walk's note on a shallow clone's boundary, if the walk reached one.
pub(super) fn shallow_boundary(notes: &[String]) -> Option<&str> {
    notes
        .iter()
        .find(|note| note.starts_with("this is a shallow clone"))
        .map(String::as_str)
}

/// Returns the keys a command-line reference `[PERIOD/]OBJECTIVE[/KEY_RESULT]` names among
/// `keys`. Without a period, the period that contains it is used; where several do,
/// the shortest that contains `as_of`, else the reference is ambiguous. With
/// `with_key_results`, an objective reference also names its key results. `boundary`
/// is the shallow clone note, given as the help when nothing matches, because an item
/// older than the boundary has no history in the clone.
pub(super) fn resolve_reference<'k>(
    keys: &[&'k ItemKey],
    reference: &str,
    calendar: &Calendar,
    as_of: NaiveDate,
    with_key_results: bool,
    boundary: Option<&str>,
) -> Result<Vec<&'k ItemKey>> {
    let parts: Vec<&str> = reference.split('/').collect();
    let (period, rest) = match calendar.resolve(parts[0]) {
        Some(period) if parts.len() > 1 => (Some(period.name), &parts[1..]),
        _ => (None, &parts[..]),
    };
    if rest.is_empty() || rest.len() > 2 || rest.iter().any(|part| part.is_empty()) {
        return Err(Error::Reference {
            message: format!("invalid item `{reference}`"),
            help: Some(
                "write [PERIOD/]OBJECTIVE[/KEY_RESULT], \
                 for example 2026-Q4/reliable-checkout/availability"
                    .to_owned(),
            ),
        });
    }
    let matches = |key: &ItemKey| {
        period.as_ref().is_none_or(|period| **period == *key.period)
            && *key.objective == *rest[0]
            && match rest.get(1) {
                Some(key_result) => key.key_result.as_deref() == Some(*key_result),
                None => with_key_results || key.key_result.is_none(),
            }
    };
    let found: Vec<&ItemKey> = keys.iter().copied().filter(|key| matches(key)).collect();
    let mut periods: Vec<&str> = found.iter().map(|key| &*key.period).collect();
    periods.sort_unstable();
    periods.dedup();
    let chosen_period = match periods.as_slice() {
        [] => {
            let help = match boundary {
                Some(boundary) => {
                    format!("{boundary}; an item not changed since then has no history here")
                }
                None => {
                    "check the ids (`okr history` lists every item with history) and the revision"
                        .to_owned()
                }
            };
            return Err(Error::Reference {
                message: format!("no history found for `{reference}`"),
                help: Some(help),
            });
        }
        [only] => (*only).to_owned(),
        several => {
            let containing: Vec<_> = several
                .iter()
                .filter_map(|name| calendar.resolve(name))
                .filter(|period| period.contains(as_of))
                .collect();
            let shortest = containing.iter().map(|period| period.days()).min();
            let best: Vec<_> = containing
                .iter()
                .filter(|period| Some(period.days()) == shortest)
                .collect();
            match best.as_slice() {
                [one] => one.name.clone(),
                _ => {
                    let candidates: Vec<String> = several
                        .iter()
                        .map(|period| format!("{period}/{}", rest.join("/")))
                        .collect();
                    return Err(Error::Reference {
                        message: format!(
                            "`{reference}` is ambiguous: it names items in several periods"
                        ),
                        help: Some(format!("name the period: {}", candidates.join(", "))),
                    });
                }
            }
        }
    };
    Ok(found
        .into_iter()
        .filter(|key| *key.period == *chosen_period)
        .collect())
}

/// Returns the team of an item's file after its last event.
fn final_team<'h>(events: &[Dated<'h>]) -> Option<&'h str> {
    events.last().map(|(_, event)| &*event.team)
}

/// Returns a field's value after an item's last event, scanning from the newest
/// event back. A removal keeps the values the item had, so a removed item still
/// has its last title and owner.
fn final_value<'h>(events: &[Dated<'h>], field: &str) -> Option<history::Value<'h>> {
    for (_, event) in events.iter().rev() {
        let Some(change) = event.change(field) else {
            continue;
        };
        match change.to {
            Some(value) => return Some(value),
            None if event.kind != history::EventKind::Removed => return None,
            None => {}
        }
    }
    None
}

/// Returns a key result's owner, else its objective's.
fn effective_owner<'h>(key: &ItemKey, items: &ItemEvents<'h>) -> Option<&'h str> {
    let own = |key: &ItemKey| {
        items
            .get(key)
            .and_then(|events| final_value(events, "owner"))
            .and_then(history::Value::as_text)
    };
    own(key).or_else(|| own(&key.objective_key()))
}

fn timeline<'h>(
    key: &'h ItemKey,
    events: &[Dated<'h>],
    period: Option<&Period>,
    config: &Config,
) -> ItemTimeline<'h> {
    let title = final_value(events, "title")
        .and_then(history::Value::as_text)
        .map(str::to_owned);
    ItemTimeline {
        key,
        team: final_team(events).unwrap_or_default().to_owned(),
        title,
        events: events
            .iter()
            .map(|(meta, event)| TimelineEvent {
                meta,
                event,
                moved_goalpost: history::changes_goalpost(event)
                    && history::is_moved(event, meta.date(), period, config.freeze),
            })
            .collect(),
    }
}
