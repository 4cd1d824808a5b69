//! History facts for lint, progress and tree: the events of the key results
//! they show, read only as far back as needed. The walk goes back to the earliest
//! start of the periods in question, then further only while some key result that
//! existed before that point has not had a check-in yet.

use super::cache::WalkedCommit;
use super::event::{CommitMeta, EventKind, ItemEvent, ItemKey};
use super::store::ObjectId;
use super::walk::{End, Limit, Walker};
use crate::error::Result;
use chrono::{NaiveDate, NaiveTime};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Fields whose change is a check-in.
pub(crate) const CHECK_IN_FIELDS: &[&str] = &["current", "done", "confidence", "checked", "notes"];

/// Walks taken after the first go back at least this many commits at a time.
const MIN_EXTENSION: usize = 256;

/// A key result a command needs the history of, and the file it is in now.
#[derive(Debug, Clone)]
pub(crate) struct Interest {
    pub(crate) key: ItemKey,
    pub(crate) path: String,
}

/// Events of the key results asked for, oldest first, up to the cutoff date.
#[derive(Default)]
pub(crate) struct Facts {
    pub(crate) events: HashMap<ItemKey, Vec<(Arc<CommitMeta>, ItemEvent)>>,
    /// Key results that existed at a shallow clone's boundary without a check-in
    /// since: their last check-in is unknown.
    pub(crate) unknown: HashSet<ItemKey>,
    /// The shallow boundary note, when the walk reached one.
    pub(crate) notes: Vec<String>,
}

impl Facts {
    /// Returns the date of the last commit that added the key result or changed one of its
    /// check-in fields.
    pub(crate) fn last_check_in(&self, key: &ItemKey) -> Option<NaiveDate> {
        self.events
            .get(key)?
            .iter()
            .rev()
            .find(|(_, event)| is_check_in(event))
            .map(|(meta, _)| meta.date())
    }
}

pub(crate) fn is_check_in(event: &ItemEvent) -> bool {
    match event.kind {
        EventKind::Added => true,
        EventKind::Removed => false,
        EventKind::Changed => event
            .changes
            .iter()
            .any(|change| CHECK_IN_FIELDS.contains(&&*change.field)),
    }
}

/// Events gathered so far, newest first, and the oldest event kind seen per key.
#[derive(Default)]
struct Gathered {
    newest_first: HashMap<ItemKey, Vec<(Arc<CommitMeta>, ItemEvent)>>,
    /// The oldest event seen for each key, cutoff or not: an `added` one means the
    /// key did not exist before it.
    oldest_kind: HashMap<ItemKey, EventKind>,
}

impl Gathered {
    /// Keeps the events of the `wanted` keys in `commits` (newest first) that are
    /// dated up to `cutoff`.
    fn add(
        &mut self,
        commits: &[Arc<WalkedCommit>],
        wanted: &HashMap<&ItemKey, &str>,
        cutoff: Option<NaiveDate>,
    ) {
        for commit in commits {
            let Some(meta) = &commit.meta else {
                continue;
            };
            for event in commit.events.iter().filter(|e| wanted.contains_key(&e.key)) {
                self.oldest_kind.insert(event.key.clone(), event.kind);
                if cutoff.is_none_or(|cutoff| meta.date() <= cutoff) {
                    self.newest_first
                        .entry(event.key.clone())
                        .or_default()
                        .push((Arc::clone(meta), event.clone()));
                }
            }
        }
    }

    /// The wanted keys without a check-in among the gathered events.
    fn pending<'k>(&self, wanted: &HashMap<&'k ItemKey, &str>) -> Vec<&'k ItemKey> {
        wanted
            .keys()
            .copied()
            .filter(|key| {
                !self
                    .newest_first
                    .get(*key)
                    .is_some_and(|events| events.iter().any(|(_, event)| is_check_in(event)))
            })
            .collect()
    }
}

/// Walks back from `tip` to `since` (and further while needed) and keeps the events
/// of `interest` dated up to `cutoff`.
pub(crate) fn gather(
    walker: &mut Walker<'_>,
    tip: ObjectId,
    interest: &[Interest],
    since: NaiveDate,
    cutoff: Option<NaiveDate>,
) -> Result<Facts> {
    let wanted: HashMap<&ItemKey, &str> = interest
        .iter()
        .map(|item| (&item.key, item.path.as_str()))
        .collect();
    // A day early, so a commit dated `since` in any offset is walked.
    let since_time = (since - chrono::Days::new(1))
        .and_time(NaiveTime::MIN)
        .and_utc()
        .timestamp();
    let mut limit = Limit {
        since: Some(since_time),
        ..Limit::default()
    };
    let mut gathered = Gathered::default();
    let mut facts = Facts::default();
    let mut walked = 0;
    let mut cursor = tip;

    loop {
        let segment = walker.walk(cursor, &limit)?;
        walked += segment.walked;
        gathered.add(&segment.commits, &wanted, cutoff);
        let base = match segment.end {
            End::Root => break,
            End::Shallow(base) | End::Limit(base) => base,
        };

        let pending = gathered.pending(&wanted);
        let existing = existing_at(walker, base, &pending, &wanted, &gathered.oldest_kind)?;
        if let End::Shallow(_) = segment.end {
            facts.unknown = existing.into_iter().collect();
            facts
                .notes
                .extend(super::boundary_note(walker.repo(), segment.end));
            break;
        }
        if existing.is_empty() {
            break;
        }

        // Some key results existed before the walked stretch without a check-in in
        // it: walk back further, at least as far again.
        cursor = base;
        limit = Limit {
            max_commits: Some(walked.max(MIN_EXTENSION)),
            ..Limit::default()
        };
    }

    for (key, mut events) in gathered.newest_first {
        events.reverse();
        facts.events.insert(key, events);
    }
    Ok(facts)
}

/// Finds the keys among `pending` that exist in `base`'s tree: those whose oldest walked
/// event is not their addition, and those never touched by the walked commits that
/// are still in the file they are in now.
fn existing_at(
    walker: &Walker<'_>,
    base: ObjectId,
    pending: &[&ItemKey],
    paths: &HashMap<&ItemKey, &str>,
    oldest_kind: &HashMap<ItemKey, EventKind>,
) -> Result<Vec<ItemKey>> {
    let mut existing = Vec::new();
    let mut untouched: BTreeMap<&str, Vec<&ItemKey>> = BTreeMap::new();
    for key in pending {
        match oldest_kind.get(*key) {
            Some(EventKind::Added) => {}
            Some(_) => existing.push((*key).clone()),
            None => untouched.entry(paths[key]).or_default().push(key),
        }
    }
    for (path, keys) in untouched {
        let Some(file) = walker.file_at(base, path)? else {
            continue;
        };
        let Some(period) = &file.period else {
            continue;
        };
        for key in keys {
            let present = *period == key.period
                && file.items.iter().any(|item| {
                    item.objective == key.objective && item.key_result == key.key_result
                });
            if present {
                existing.push(key.clone());
            }
        }
    }
    Ok(existing)
}
