//! `okr blame ITEM`: each field of one objective or key result with the commit that
//! last changed it, and the chain of earlier targets, starts, weights, dues and
//! owners.

use super::git::start_folder;
use super::history::{resolve_reference, shallow_boundary};
use crate::Outcome;
use crate::cli::{BlameArgs, GlobalArgs};
use crate::config::Config;
use crate::error::Result;
use crate::history::{
    self, CommitMeta, Dated, EventKind, GitRepository, History, ItemEvent, Limit, ObjectId, Scope,
    Value, Walker,
};
use crate::render::blame::{BlameReport, ChainEntry, FieldLine, write};
use std::collections::HashMap;
use std::io::Write;

/// The fields whose every earlier value blame lists.
const CHAIN_FIELDS: &[&str] = &["target", "start", "weight", "due", "owner"];

pub(super) fn run(args: &BlameArgs, global: &GlobalArgs, out: &mut dyn Write) -> Result<Outcome> {
    let start = start_folder(global)?;
    let config = Config::discover(&start)?;
    let repo = GitRepository::require(&config.root)?;
    let head = repo.require_head()?;
    let scope = Scope::new(&config, repo.workdir())?;
    let mut walker = Walker::new(&repo, scope, !args.git.no_cache);
    let history = History::read(&mut walker, head, &Limit::default())?;
    let uncommitted = uncommitted_changes(&walker, head, &config);
    walker.finish();
    if args.git.verbose {
        crate::terminal::note(&history::stats_line(&walker));
    }

    let as_of = global
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let items = history.by_item();
    let keys: Vec<_> = items.keys().copied().collect();
    let boundary = shallow_boundary(&history.notes);
    let found = resolve_reference(&keys, &args.item, &config.calendar, as_of, false, boundary)?;
    let key = found[0];
    let events = &items[key];

    let mut report = BlameReport {
        key,
        team: events
            .last()
            .map_or_else(String::new, |(_, event)| event.team.to_string()),
        removed: events
            .last()
            .is_some_and(|(_, event)| event.kind == EventKind::Removed),
        fields: current_fields(events),
        chains: CHAIN_FIELDS
            .iter()
            .map(|field| (*field, chain(events, field)))
            .filter(|(_, entries)| !entries.is_empty())
            .collect(),
        uncommitted: uncommitted
            .iter()
            .filter(|event| event.key == *key)
            .flat_map(ItemEvent::changes)
            .collect(),
    };
    let scope = Scope::new(&config, repo.workdir())?;
    add_branch_reasons(&repo, &scope, &mut report);

    write(&report, args.format, out)?;
    for note in &history.notes {
        crate::terminal::note(note);
    }
    Ok(Outcome::Success)
}

/// Returns the reason an event gives for its changes: the `reason` field it set, else the
/// reason in its commit message.
fn reason(meta: &CommitMeta, event: &ItemEvent) -> Option<String> {
    let field = event
        .change("reason")
        .and_then(|change| change.to)
        .and_then(Value::as_text)
        .map(|text| format!("reason: {text}"));
    field.or_else(|| history::message_reason(&meta.message))
}

/// Gives a change that arrived by a merge, with no reason of its own, the reason of the
/// merged branch's commit that made it, where that commit gives one.
fn add_branch_reasons(repo: &GitRepository, scope: &Scope, report: &mut BlameReport<'_>) {
    let key = report.key;
    let mut found: HashMap<ObjectId, Vec<(ItemEvent, String)>> = HashMap::new();
    let mut reason_for = |meta: &CommitMeta, field: &str| -> Option<String> {
        found
            .entry(meta.id)
            .or_insert_with(|| history::branch_reasons(repo, scope, meta.id))
            .iter()
            .find(|(event, _)| event.key == *key && event.change(field).is_some())
            .map(|(_, reason)| reason.clone())
    };
    for line in report.fields.iter_mut() {
        if line.reason.is_none() {
            line.reason = reason_for(line.meta, &line.field);
        }
    }
    for (field, entries) in &mut report.chains {
        for entry in entries.iter_mut() {
            if entry.reason.is_none() {
                entry.reason = reason_for(entry.meta, field);
            }
        }
    }
}

/// Returns each field the item has now, in file order, with the event that set it.
fn current_fields<'h>(events: &[Dated<'h>]) -> Vec<FieldLine<'h>> {
    let mut fields: Vec<FieldLine<'h>> = Vec::new();
    for (meta, event) in events {
        if event.kind == EventKind::Removed {
            continue;
        }
        for change in event.changes() {
            let position = fields.iter().position(|line| line.field == change.field);
            match (change.to, position) {
                (Some(value), Some(position)) => {
                    fields[position].value = value;
                    fields[position].meta = meta;
                    fields[position].reason = reason(meta, event);
                }
                (Some(value), None) => fields.push(FieldLine {
                    field: change.field.to_owned(),
                    value,
                    meta,
                    reason: reason(meta, event),
                }),
                (None, Some(position)) => {
                    fields.remove(position);
                }
                (None, None) => {}
            }
        }
    }
    fields
}

/// Returns every value `field` has had, oldest first, with the commit that set it.
fn chain<'h>(events: &[Dated<'h>], field: &str) -> Vec<ChainEntry<'h>> {
    events
        .iter()
        .filter_map(|(meta, event)| {
            let change = event.change(field)?;
            Some(ChainEntry {
                value: change.to,
                meta,
                reason: reason(meta, event),
            })
        })
        .collect()
}

/// Changes in the working tree that HEAD does not have. A working tree without goal
/// files, or one that cannot be read, has none to show.
fn uncommitted_changes(
    walker: &Walker<'_>,
    head: history::ObjectId,
    config: &Config,
) -> Vec<ItemEvent> {
    let Ok(committed) = walker.files_at(head) else {
        return Vec::new();
    };
    let Ok(paths) = crate::loader::discover(config) else {
        return Vec::new();
    };
    let canonical = |path: &std::path::Path| std::fs::canonicalize(path).ok();
    let Some(workdir) = canonical(walker.repo().workdir()) else {
        return Vec::new();
    };
    let working: Vec<(String, Vec<u8>)> = paths
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).ok()?;
            let absolute = canonical(path)?;
            let relative = absolute.strip_prefix(&workdir).ok()?;
            let relative = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Some((relative, bytes))
        })
        .collect();
    let (events, _) = history::compare_files(&committed, &working);
    events
}
