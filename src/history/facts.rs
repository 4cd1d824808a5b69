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
use foldhash::HashSet;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Fields whose change is a check-in.
pub(crate) const CHECK_IN_FIELDS: &[&str] = &["current", "done", "confidence", "checked", "notes"];

/// Walks taken after the first go back at least this many commits at a time.
const MIN_EXTENSION: usize = 256;

/// A key result a command needs the history of, and the file it is in now.
#[derive(Debug, Clone)]
pub(crate) struct Interest {
    pub(crate) key: ItemKey,
    pub(crate) path: Arc<str>,
    /// Walk back past the start date until the key result's last check-in is found;
    /// without it, check-ins before that date are not looked for.
    pub(crate) walk_back: bool,
}

/// The position of an event: its commit's index in `Facts::commits`, then its own
/// index among that commit's events.
type EventAt = (usize, usize);

/// Maps keyed by item: foldhash, because lint hashes a key for every walked event.
type KeyMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Events of the key results asked for, up to the cutoff date. The events stay in the
/// walked commits; the map only points at them, so gathering copies no event.
#[derive(Default)]
pub(crate) struct Facts {
    /// The walked commits, newest first.
    commits: Vec<Arc<WalkedCommit>>,
    /// Each key result's events, oldest first.
    events: KeyMap<ItemKey, Vec<EventAt>>,
    /// Key results that existed at a shallow clone's boundary without a check-in
    /// since: their last check-in is unknown.
    pub(crate) unknown: HashSet<ItemKey>,
    /// The shallow boundary note, when the walk reached one.
    pub(crate) notes: Vec<String>,
    /// The date of the shallow clone's boundary commit, when the walk reached one:
    /// changes after it were all walked.
    pub(crate) boundary: Option<NaiveDate>,
}

impl Facts {
    /// Returns the events of a key result with their commits, oldest first.
    pub(crate) fn events(&self, key: &ItemKey) -> Vec<(&CommitMeta, &ItemEvent)> {
        self.events
            .get(key)
            .map(|places| {
                places
                    .iter()
                    .filter_map(|&at| event_at(&self.commits, at))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Returns the date of the last commit that added the key result or changed one of its
    /// check-in fields.
    pub(crate) fn last_check_in(&self, key: &ItemKey) -> Option<NaiveDate> {
        self.events
            .get(key)?
            .iter()
            .rev()
            .filter_map(|&at| event_at(&self.commits, at))
            .find(|(_, event)| is_check_in(event))
            .map(|(meta, _)| meta.date())
    }
}

fn event_at(
    commits: &[Arc<WalkedCommit>],
    (commit, event): EventAt,
) -> Option<(&CommitMeta, &ItemEvent)> {
    let commit = &commits[commit];
    Some((commit.meta.as_deref()?, &commit.events[event]))
}

pub(crate) fn is_check_in(event: &ItemEvent) -> bool {
    match event.kind {
        EventKind::Added => true,
        EventKind::Removed => false,
        EventKind::Changed => event
            .changes()
            .any(|change| CHECK_IN_FIELDS.contains(&change.field)),
    }
}

/// The details `gather` uses of a requested key: the file it is in now, and whether the
/// walk goes back past the start date for it (see `Interest`).
#[derive(Clone, Copy)]
struct Requested<'k> {
    path: &'k str,
    walk_back: bool,
}

/// The requested keys, each with its details.
type RequestedKeys<'k> = KeyMap<&'k ItemKey, Requested<'k>>;

/// Events gathered so far, newest first, and the oldest event kind seen per key. The
/// maps borrow the requested keys, so no key is copied per event.
struct Gathered<'k> {
    commits: Vec<Arc<WalkedCommit>>,
    newest_first: KeyMap<&'k ItemKey, Vec<EventAt>>,
    /// The oldest event seen for each key, cutoff or not: an `added` one means the
    /// key did not exist before it.
    oldest_kind: KeyMap<&'k ItemKey, EventKind>,
}

impl<'k> Gathered<'k> {
    /// Makes room for events of `keys` keys, so the maps do not grow while events come.
    fn with_capacity(keys: usize) -> Self {
        Gathered {
            commits: Vec::new(),
            newest_first: KeyMap::with_capacity_and_hasher(keys, Default::default()),
            oldest_kind: KeyMap::with_capacity_and_hasher(keys, Default::default()),
        }
    }

    /// Keeps the events of the `requested` keys in `commits` (newest first) that are
    /// dated up to `cutoff`.
    fn add(
        &mut self,
        commits: &[Arc<WalkedCommit>],
        requested: &RequestedKeys<'k>,
        cutoff: Option<NaiveDate>,
    ) {
        for commit in commits {
            let Some(meta) = &commit.meta else {
                continue;
            };
            let position = self.commits.len();
            self.commits.push(Arc::clone(commit));
            let in_range = cutoff.is_none_or(|cutoff| meta.date() <= cutoff);
            for (index, event) in commit.events.iter().enumerate() {
                // Only key results are requested; objectives are skipped before hashing.
                if !event.key.is_key_result() {
                    continue;
                }
                let Some((&key, _)) = requested.get_key_value(&event.key) else {
                    continue;
                };
                self.oldest_kind.insert(key, event.kind);
                if in_range {
                    self.newest_first
                        .entry(key)
                        .or_default()
                        .push((position, index));
                }
            }
        }
    }

    /// The requested keys without a check-in among the gathered events.
    fn pending(&self, requested: &RequestedKeys<'k>) -> Vec<&'k ItemKey> {
        requested
            .keys()
            .copied()
            .filter(|key| {
                !self.newest_first.get(*key).is_some_and(|events| {
                    events
                        .iter()
                        .filter_map(|&at| event_at(&self.commits, at))
                        .any(|(_, event)| is_check_in(event))
                })
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
    let mut requested: RequestedKeys<'_> =
        KeyMap::with_capacity_and_hasher(interest.len(), Default::default());
    for item in interest {
        // A key given twice keeps its last path, and is walked back for if either
        // interest requests it.
        let entry = requested.entry(&item.key).or_insert(Requested {
            path: &item.path,
            walk_back: false,
        });
        entry.path = &item.path;
        entry.walk_back |= item.walk_back;
    }
    // A day early, so a commit dated `since` in any offset is walked.
    let since_time = (since - chrono::Days::new(1))
        .and_time(NaiveTime::MIN)
        .and_utc()
        .timestamp();
    let mut limit = Limit {
        since: Some(since_time),
        ..Limit::default()
    };
    let mut gathered = Gathered::with_capacity(requested.len());
    let mut facts = Facts::default();
    let mut walked = 0;
    let mut cursor = tip;

    loop {
        let segment = walker.walk(cursor, &limit)?;
        walked += segment.walked;
        gathered.add(&segment.commits, &requested, cutoff);
        let base = match segment.end {
            End::Root => break,
            End::Shallow(base) | End::Limit(base) => base,
        };

        let pending = gathered.pending(&requested);
        let existing = existing_at(walker, base, &pending, &requested, &gathered.oldest_kind)?;
        if let End::Shallow(boundary) = segment.end {
            facts.boundary = super::commit_date(walker.repo(), boundary);
            facts.unknown = existing.into_iter().collect();
            facts
                .notes
                .extend(super::boundary_note(walker.repo(), segment.end));
            break;
        }
        if !existing.iter().any(|key| requested[key].walk_back) {
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

    facts.events = gathered
        .newest_first
        .into_iter()
        .map(|(key, mut events)| {
            events.reverse();
            (key.clone(), events)
        })
        .collect();
    facts.commits = gathered.commits;
    Ok(facts)
}

/// Finds the keys among `pending` that exist in `base`'s tree: those whose oldest walked
/// event is not their addition, and those never touched by the walked commits that
/// are still in the file they are in now.
fn existing_at(
    walker: &Walker<'_>,
    base: ObjectId,
    pending: &[&ItemKey],
    requested: &RequestedKeys<'_>,
    oldest_kind: &KeyMap<&ItemKey, EventKind>,
) -> Result<Vec<ItemKey>> {
    let mut existing = Vec::new();
    let mut untouched: BTreeMap<&str, Vec<&ItemKey>> = BTreeMap::new();
    for key in pending {
        match oldest_kind.get(*key) {
            Some(EventKind::Added) => {}
            Some(_) => existing.push((*key).clone()),
            None => untouched.entry(requested[key].path).or_default().push(key),
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
