//! History facts for lint, progress and tree: the events of the key results
//! they show, read only as far back as needed. The walk goes back to the earliest
//! start of the periods in question, then further only while some key result that
//! existed before that point has not had a check-in yet.

use super::Threads;
use super::cache::WalkedCommit;
use super::event::{CommitMeta, EventKind, ItemEvent, ItemKey};
use super::store::ObjectId;
use super::walk::{End, Limit, Walker};
use crate::error::Result;
use chrono::{NaiveDate, NaiveTime};
use hashbrown::HashTable;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::Arc;

/// Fields whose change is a check-in.
pub(crate) const CHECK_IN_FIELDS: &[&str] = &["current", "done", "confidence", "checked", "notes"];

/// Commits with at least this many events have their keys looked up in parallel.
const PARALLEL_EVENTS: usize = 4096;

/// Walks taken after the first go back at least this many commits at a time.
const MIN_EXTENSION: usize = 256;

/// A key result a command needs the history of, and the file it is in now, borrowed
/// from the goal files the command loaded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Interest<'a> {
    pub(crate) period: &'a str,
    pub(crate) objective: &'a str,
    pub(crate) key_result: &'a str,
    pub(crate) path: &'a str,
    /// Walk back past the start date until the key result's last check-in is found;
    /// without it, check-ins before that date are not looked for.
    pub(crate) walk_back: bool,
}

impl<'a> Interest<'a> {
    fn parts(&self) -> KeyParts<'a> {
        (self.period, self.objective, self.key_result)
    }
}

/// A key result's period, objective id and key result id. Events are matched to the
/// requested key results on these borrowed parts, so no key is copied.
type KeyParts<'a> = (&'a str, &'a str, &'a str);

/// The position of an event: its commit's index in `Facts::commits`, then its own
/// index among that commit's events.
type EventAt = (usize, usize);

/// Events of the key results asked for, up to the cutoff date, found by the position
/// of the key result in the interest list given to `gather`. The events stay in the
/// walked commits; the facts only point at them, so gathering copies no event.
#[derive(Default)]
pub(crate) struct Facts {
    /// The walked commits, newest first.
    commits: Vec<Arc<WalkedCommit>>,
    /// The slot of each requested key result, in the order of the interest list; a key
    /// result asked for twice has one slot.
    slots: Vec<usize>,
    /// Every slot's events, slot after slot, each slot's oldest first.
    events: Vec<EventAt>,
    /// The start of each slot's events in `events`, and the end of the last slot's.
    starts: Vec<usize>,
    /// Per slot, whether the key result existed at a shallow clone's boundary without
    /// a check-in since, so that its last check-in is unknown.
    unknown: Vec<bool>,
    /// The shallow boundary note, when the walk reached one.
    pub(crate) notes: Vec<String>,
    /// The date of the shallow clone's boundary commit, when the walk reached one:
    /// changes after it were all walked.
    pub(crate) boundary: Option<NaiveDate>,
}

impl Facts {
    fn slot(&self, interest: usize) -> Option<usize> {
        self.slots.get(interest).copied()
    }

    fn slot_events(&self, slot: usize) -> &[EventAt] {
        &self.events[self.starts[slot]..self.starts[slot + 1]]
    }

    /// Returns the events of the key result at `interest` in the interest list, with
    /// their commits, oldest first.
    pub(crate) fn events(&self, interest: usize) -> Vec<(&CommitMeta, &ItemEvent)> {
        self.event_iter(interest).collect()
    }

    /// Like `events`, without collecting them.
    pub(crate) fn event_iter(
        &self,
        interest: usize,
    ) -> impl Iterator<Item = (&CommitMeta, &ItemEvent)> {
        self.slot(interest)
            .map(|slot| self.slot_events(slot))
            .unwrap_or_default()
            .iter()
            .filter_map(|&at| event_at(&self.commits, at))
    }

    /// Returns the date of the last commit that added the key result at `interest` or
    /// changed one of its check-in fields.
    pub(crate) fn last_check_in(&self, interest: usize) -> Option<NaiveDate> {
        self.slot_events(self.slot(interest)?)
            .iter()
            .rev()
            .filter_map(|&at| event_at(&self.commits, at))
            .find(|(_, event)| is_check_in(event))
            .map(|(meta, _)| meta.date())
    }

    /// Returns the commits whose events change a key result's target or start.
    pub(crate) fn goalpost_commits(&self) -> Vec<ObjectId> {
        self.commits
            .iter()
            .filter(|commit| commit.events.iter().any(super::changes_goalpost))
            .filter_map(|commit| commit.meta.as_ref().map(|meta| meta.id))
            .collect()
    }

    /// True when the key result at `interest` existed at a shallow clone's boundary
    /// with no check-in since, so its last check-in is unknown.
    pub(crate) fn is_unknown(&self, interest: usize) -> bool {
        self.slot(interest).is_some_and(|slot| self.unknown[slot])
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

/// A requested key result: its parts, the file it is in now, and whether the walk goes
/// back past the start date for it (see `Interest`).
struct Requested<'k> {
    parts: KeyParts<'k>,
    path: &'k str,
    walk_back: bool,
}

/// The requested key results, one slot each, and the slot of each key.
struct RequestedKeys<'k> {
    slots: Vec<Requested<'k>>,
    /// The slot of each key, found by the key's hash. The table stores slot numbers
    /// only, so it stays small and reads key text only to tell apart equal hashes.
    by_key: HashTable<usize>,
    hasher: foldhash::fast::RandomState,
}

impl<'k> RequestedKeys<'k> {
    /// Gives each distinct key of `interest` a slot, and returns the slot of each entry.
    fn new(interest: &[Interest<'k>], threads: Threads) -> (RequestedKeys<'k>, Vec<usize>) {
        let hasher = foldhash::fast::RandomState::default();
        // Hashing reads every key's text, scattered over the goals, so it runs on all
        // cores before the table is filled.
        let hash = |item: &Interest<'k>| hasher.hash_one(item.parts());
        let hashes: Vec<u64> = match threads {
            Threads::Parallel => interest.par_iter().map(hash).collect(),
            Threads::Caller => interest.iter().map(hash).collect(),
        };
        let mut slots: Vec<Requested<'k>> = Vec::with_capacity(interest.len());
        let mut by_key = HashTable::with_capacity(interest.len());
        let mut slot_of_entry = Vec::with_capacity(interest.len());
        for (item, hash) in interest.iter().zip(hashes) {
            let parts = item.parts();
            let entry = by_key.entry(
                hash,
                |&slot: &usize| slots[slot].parts == parts,
                |&slot: &usize| hasher.hash_one(slots[slot].parts),
            );
            let slot = match entry {
                hashbrown::hash_table::Entry::Occupied(found) => *found.get(),
                hashbrown::hash_table::Entry::Vacant(vacant) => {
                    let slot = slots.len();
                    vacant.insert(slot);
                    slots.push(Requested {
                        parts,
                        path: item.path,
                        walk_back: false,
                    });
                    slot
                }
            };
            // A key given twice keeps its last path, and is walked back for if either
            // entry requests it.
            let entry = &mut slots[slot];
            entry.path = item.path;
            entry.walk_back |= item.walk_back;
            slot_of_entry.push(slot);
        }
        let requested = RequestedKeys {
            slots,
            by_key,
            hasher,
        };
        (requested, slot_of_entry)
    }

    fn slot(&self, key: &ItemKey) -> Option<usize> {
        let key_result = key.key_result.as_deref()?;
        let parts = (&*key.period, &*key.objective, key_result);
        self.by_key
            .find(self.hasher.hash_one(parts), |&slot| {
                self.slots[slot].parts == parts
            })
            .copied()
    }
}

/// Events gathered so far, newest first, and the oldest event kind seen, per slot.
struct Gathered {
    commits: Vec<Arc<WalkedCommit>>,
    /// Each gathered event with its slot, in the order walked. One list for all slots,
    /// because a repository's first commit adds tens of thousands of key results.
    newest_first: Vec<(usize, EventAt)>,
    /// Per slot, whether a gathered event is a check-in.
    checked_in: Vec<bool>,
    /// The oldest event seen for each slot, cutoff or not: an `added` one means the
    /// key result did not exist before it.
    oldest_kind: Vec<Option<EventKind>>,
}

impl Gathered {
    fn new(slots: usize) -> Self {
        Gathered {
            commits: Vec::new(),
            newest_first: Vec::new(),
            checked_in: vec![false; slots],
            oldest_kind: vec![None; slots],
        }
    }

    /// Keeps the events of the `requested` keys in `commits` (newest first) that are
    /// dated up to `cutoff`.
    fn add(
        &mut self,
        commits: &[Arc<WalkedCommit>],
        requested: &RequestedKeys<'_>,
        cutoff: Option<NaiveDate>,
        threads: Threads,
    ) {
        for commit in commits {
            let Some(meta) = &commit.meta else {
                continue;
            };
            let position = self.commits.len();
            self.commits.push(Arc::clone(commit));
            let in_range = cutoff.is_none_or(|cutoff| meta.date() <= cutoff);
            // A commit that adds a whole repository has an event per item: their keys
            // are looked up on all cores.
            let parallel = threads == Threads::Parallel && commit.events.len() >= PARALLEL_EVENTS;
            let slots: Vec<Option<usize>> = if parallel {
                commit
                    .events
                    .par_iter()
                    .map(|event| requested.slot(&event.key))
                    .collect()
            } else {
                commit
                    .events
                    .iter()
                    .map(|event| requested.slot(&event.key))
                    .collect()
            };
            for (index, (event, slot)) in commit.events.iter().zip(slots).enumerate() {
                let Some(slot) = slot else {
                    continue;
                };
                self.oldest_kind[slot] = Some(event.kind);
                if in_range {
                    self.newest_first.push((slot, (position, index)));
                    self.checked_in[slot] |= is_check_in(event);
                }
            }
        }
    }

    /// Lists the slots without a check-in among the gathered events.
    fn pending(&self) -> Vec<usize> {
        (0..self.checked_in.len())
            .filter(|&slot| !self.checked_in[slot])
            .collect()
    }
}

/// Walks back from `tip` to `since` (and further while needed) and keeps the events
/// of `interest` dated up to `cutoff`.
pub(crate) fn gather(
    walker: &mut Walker<'_>,
    tip: ObjectId,
    interest: &[Interest<'_>],
    since: NaiveDate,
    cutoff: Option<NaiveDate>,
    threads: Threads,
) -> Result<Facts> {
    let (requested, slots) = RequestedKeys::new(interest, threads);
    // A day early, so a commit dated `since` in any offset is walked.
    let since_time = (since - chrono::Days::new(1))
        .and_time(NaiveTime::MIN)
        .and_utc()
        .timestamp();
    let mut limit = Limit {
        since: Some(since_time),
        ..Limit::default()
    };
    let mut gathered = Gathered::new(requested.slots.len());
    let mut unknown = vec![false; requested.slots.len()];
    let mut facts = Facts::default();
    let mut walked = 0;
    let mut cursor = tip;

    loop {
        let segment = walker.walk(cursor, &limit)?;
        walked += segment.walked;
        gathered.add(&segment.commits, &requested, cutoff, threads);
        let base = match segment.end {
            End::Root => break,
            End::Shallow(base) | End::Limit(base) => base,
        };

        let pending = gathered.pending();
        let existing = existing_at(walker, base, &pending, &requested, &gathered.oldest_kind)?;
        if let End::Shallow(boundary) = segment.end {
            facts.boundary = super::commit_date(walker.repo(), boundary);
            for slot in existing {
                unknown[slot] = true;
            }
            facts
                .notes
                .extend(super::boundary_note(walker.repo(), segment.end));
            break;
        }
        if !existing.iter().any(|&slot| requested.slots[slot].walk_back) {
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

    (facts.events, facts.starts) = oldest_first(&gathered.newest_first, requested.slots.len());
    facts.commits = gathered.commits;
    facts.slots = slots;
    facts.unknown = unknown;
    Ok(facts)
}

/// Lays out the events of `newest_first` slot after slot, each slot's oldest first,
/// and returns them with where each slot's events start.
fn oldest_first(newest_first: &[(usize, EventAt)], slots: usize) -> (Vec<EventAt>, Vec<usize>) {
    let mut starts = vec![0; slots + 1];
    for &(slot, _) in newest_first {
        starts[slot + 1] += 1;
    }
    for slot in 0..slots {
        starts[slot + 1] += starts[slot];
    }
    // Filled from the oldest event, each slot's from its start.
    let mut next = starts.clone();
    let mut events = vec![(0, 0); newest_first.len()];
    for &(slot, at) in newest_first.iter().rev() {
        events[next[slot]] = at;
        next[slot] += 1;
    }
    (events, starts)
}

/// Finds the slots among `pending` whose key results exist in `base`'s tree: those
/// whose oldest walked event is not their addition, and those never touched by the
/// walked commits that are still in the file they are in now.
fn existing_at(
    walker: &Walker<'_>,
    base: ObjectId,
    pending: &[usize],
    requested: &RequestedKeys<'_>,
    oldest_kind: &[Option<EventKind>],
) -> Result<Vec<usize>> {
    let mut existing = Vec::new();
    let mut untouched: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &slot in pending {
        match oldest_kind[slot] {
            Some(EventKind::Added) => {}
            Some(_) => existing.push(slot),
            None => untouched
                .entry(requested.slots[slot].path)
                .or_default()
                .push(slot),
        }
    }
    for (path, slots) in untouched {
        let Some(file) = walker.file_at(base, path)? else {
            continue;
        };
        let Some(period) = &file.period else {
            continue;
        };
        for slot in slots {
            let (key_period, objective, key_result) = requested.slots[slot].parts;
            let present = &**period == key_period
                && file.items.iter().any(|item| {
                    &*item.objective == objective && item.key_result.as_deref() == Some(key_result)
                });
            if present {
                existing.push(slot);
            }
        }
    }
    Ok(existing)
}
