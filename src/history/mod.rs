//! Goal history from git: the first-parent walk, the events it finds per objective
//! and key result, the cache that makes later walks incremental, and reading goal
//! files as they were at a revision. Reads git in-process through git2 and never
//! checks files out or writes anything but its cache.

mod cache;
mod cache_file;
mod event;
mod facts;
mod goalpost;
mod merged;
mod parse;
mod reason;
mod replay;
mod revision;
mod scope;
mod snapshot;
mod store;
mod tree_diff;
mod value;
mod walk;

pub(crate) use cache::{Cache, WalkedCommit};
pub(crate) use event::{CommitMeta, EventKind, FieldChange, ItemEvent, ItemKey};
pub(crate) use facts::{Facts, Interest, gather};
pub(crate) use goalpost::{Ends, changes_goalpost, eases, frozen_from, is_moved};
pub(crate) use merged::branch_reasons;
pub(crate) use reason::message_reason;
pub(crate) use revision::{Range, default_base, parse_range};
pub(crate) use scope::Scope;
pub(crate) use snapshot::{load_at, load_commit};
pub(crate) use store::{GitRepository, ObjectId, release_object_caches};
pub(crate) use value::Value;
pub(crate) use walk::{End, Limit, Walker};

use crate::error::Result;
use rayon::slice::ParallelSliceMut;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The threads that do a part of a history read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Threads {
    /// rayon's threads, for work the run waits for.
    Parallel,
    /// The calling thread only, for work done beside other work that keeps rayon's
    /// threads busy (parsing goal files, running rules): work handed to them would
    /// wait until theirs is done.
    Caller,
}

/// A walked stretch of history, oldest commit first.
pub(crate) struct History {
    pub(crate) commits: Vec<Arc<WalkedCommit>>,
    pub(crate) notes: Vec<String>,
}

/// One event with the commit it comes from.
pub(crate) type Dated<'h> = (&'h Arc<CommitMeta>, &'h ItemEvent);

impl History {
    /// Walks from `tip` until `limit` (or the root, or a shallow boundary).
    pub(crate) fn read(walker: &mut Walker<'_>, tip: ObjectId, limit: &Limit) -> Result<History> {
        let segment = walker.walk(tip, limit)?;
        let mut commits = segment.commits;
        commits.reverse();
        let mut notes: Vec<String> = commits
            .iter()
            .flat_map(|commit| commit.notes.iter().cloned())
            .collect();
        notes.extend(boundary_note(walker.repo(), segment.end));
        Ok(History { commits, notes })
    }

    /// Returns every event, oldest first.
    pub(crate) fn events(&self) -> impl Iterator<Item = Dated<'_>> {
        self.commits.iter().flat_map(|commit| {
            commit
                .meta
                .iter()
                .flat_map(move |meta| commit.events.iter().map(move |event| (meta, event)))
        })
    }

    /// Returns the events of each item, oldest first, items in key order: the
    /// same grouping as `by_item`, made by one sort in place of a tree of keys.
    pub(crate) fn item_events(&self) -> ItemEvents<'_> {
        // Events are numbered by the addresses of their key's strings, which keys read
        // from the cache share, so most equal keys get one number without reading text.
        let address = |text: &Arc<str>| Arc::as_ptr(text).cast::<u8>() as usize;
        let mut numbers: foldhash::HashMap<(usize, usize, usize), u32> =
            foldhash::HashMap::default();
        let mut numbered: Vec<(u32, Dated<'_>)> = self
            .events()
            .map(|dated| {
                let key = &dated.1.key;
                let key_result = key.key_result.as_ref().map_or(0, address);
                let next = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
                let number = *numbers
                    .entry((address(&key.period), address(&key.objective), key_result))
                    .or_insert(next);
                (number, dated)
            })
            .collect();

        // Rank the numbers in key order. Equal keys with different addresses (from
        // commits walked in this run) get the same rank.
        let mut first: Vec<Option<&ItemKey>> = vec![None; numbers.len()];
        for (number, (_, event)) in &numbered {
            first[*number as usize].get_or_insert(&event.key);
        }
        let mut order: Vec<(u32, &ItemKey)> = first
            .into_iter()
            .enumerate()
            .filter_map(|(number, key)| Some((u32::try_from(number).ok()?, key?)))
            .collect();
        order.par_sort_by(|a, b| compare_keys(a.1, b.1));
        let mut rank = vec![0_u32; numbers.len()];
        let mut current = 0_u32;
        for (position, &(number, key)) in order.iter().enumerate() {
            if position > 0 && compare_keys(order[position - 1].1, key).is_ne() {
                current += 1;
            }
            rank[number as usize] = current;
        }
        for (number, _) in &mut numbered {
            *number = rank[*number as usize];
        }

        // A stable sort keeps each item's events oldest first.
        numbered.par_sort_by_key(|&(rank, _)| rank);
        let mut groups: Vec<(&ItemKey, std::ops::Range<usize>)> = Vec::new();
        for (index, (rank, (_, event))) in numbered.iter().enumerate() {
            let same_item = index > 0 && numbered[index - 1].0 == *rank;
            match groups.last_mut() {
                Some((_, range)) if same_item => range.end = index + 1,
                _ => groups.push((&event.key, index..index + 1)),
            }
        }
        let events: Vec<Dated<'_>> = numbered.into_iter().map(|(_, dated)| dated).collect();
        let by_address = groups
            .iter()
            .enumerate()
            .map(|(index, (key, _))| (std::ptr::from_ref(*key) as usize, index))
            .collect();
        ItemEvents {
            events,
            groups,
            by_address,
        }
    }

    /// Returns the events of each item, oldest first.
    pub(crate) fn by_item(&self) -> BTreeMap<&ItemKey, Vec<Dated<'_>>> {
        let mut items: BTreeMap<&ItemKey, Vec<Dated<'_>>> = BTreeMap::new();
        for (meta, event) in self.events() {
            items.entry(&event.key).or_default().push((meta, event));
        }
        items
    }
}

/// The events of a history grouped by item, items in key order.
pub(crate) struct ItemEvents<'h> {
    events: Vec<Dated<'h>>,
    groups: Vec<(&'h ItemKey, std::ops::Range<usize>)>,
    /// The group of each key that `keys` returns, by the key's address, so that
    /// looking up those keys compares no text.
    by_address: foldhash::HashMap<usize, usize>,
}

impl<'h> ItemEvents<'h> {
    /// Returns the items with events, in key order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &'h ItemKey> + '_ {
        self.groups.iter().map(|(key, _)| *key)
    }

    /// Returns an item's events, oldest first, or `None` for an item without any.
    pub(crate) fn get(&self, key: &ItemKey) -> Option<&[Dated<'h>]> {
        let index = match self.by_address.get(&(std::ptr::from_ref(key) as usize)) {
            Some(index) => *index,
            None => self
                .groups
                .binary_search_by(|(probe, _)| compare_keys(probe, key))
                .ok()?,
        };
        Some(&self.events[self.groups[index].1.clone()])
    }
}

/// Orders item keys as `ItemKey`'s `Ord` does. Keys read from the cache share their
/// strings, so equal parts are usually the same allocation and compare without
/// reading the text.
fn compare_keys(a: &ItemKey, b: &ItemKey) -> std::cmp::Ordering {
    fn part(a: &Arc<str>, b: &Arc<str>) -> std::cmp::Ordering {
        if Arc::ptr_eq(a, b) {
            std::cmp::Ordering::Equal
        } else {
            a.cmp(b)
        }
    }
    part(&a.period, &b.period)
        .then_with(|| part(&a.objective, &b.objective))
        .then_with(|| match (&a.key_result, &b.key_result) {
            (Some(a), Some(b)) => part(a, b),
            (a, b) => a.is_some().cmp(&b.is_some()),
        })
}

/// Returns the item events that turn one set of goal files into another, as (path, bytes):
/// two revisions, or a revision and the working tree. Files that do not parse are
/// left out and named in the notes.
pub(crate) fn compare_files(
    old: &[(String, Vec<u8>)],
    new: &[(String, Vec<u8>)],
) -> (Vec<ItemEvent>, Vec<String>) {
    let mut notes = Vec::new();
    let old_files = parse_files(old, "before", &mut notes);
    let new_files = parse_files(new, "after", &mut notes);
    let events = event::diff_sides(&side_of(&old_files), &side_of(&new_files), &[]);
    (events, notes)
}

type ParsedFiles<'f> = Vec<(&'f str, parse::ParsedFile)>;

fn parse_files<'f>(
    files: &'f [(String, Vec<u8>)],
    side: &str,
    notes: &mut Vec<String>,
) -> ParsedFiles<'f> {
    use rayon::prelude::*;
    let parsed: Vec<_> = files
        .par_iter()
        .map(|(path, bytes)| (path.as_str(), parse::parse_goal_file(bytes)))
        .collect();
    let mut valid = Vec::new();
    for (path, result) in parsed {
        match result {
            Ok(file) => valid.push((path, file)),
            Err(message) => notes.push(format!(
                "{path} ({side}) could not be read ({message}) and was left out"
            )),
        }
    }
    valid
}

fn side_of<'f>(files: &'f [(&'f str, parse::ParsedFile)]) -> event::Side<'f> {
    let mut side = event::Side { items: Vec::new() };
    for (path, file) in files {
        replay::add_items(&mut side, path, file);
    }
    side
}

/// Returns the first parent of a commit; `None` for a root commit or a shallow boundary.
pub(crate) fn first_parent(repo: &GitRepository, commit: ObjectId) -> Result<Option<ObjectId>> {
    Ok(store::ObjectStore::commit(repo, commit)?.first_parent)
}

/// Returns the note for a walk that stopped at a shallow clone's boundary.
/// Returns the date of a commit in its committer's time zone, if it can be read.
pub(crate) fn commit_date(repo: &GitRepository, id: ObjectId) -> Option<chrono::NaiveDate> {
    let info = store::ObjectStore::commit(repo, id).ok()?;
    let meta = CommitMeta {
        id,
        author: info.author,
        email: info.email,
        time: info.time,
        offset_minutes: info.offset_minutes,
        message: String::new(),
    };
    Some(meta.date())
}

pub(crate) fn boundary_note(repo: &GitRepository, end: End) -> Option<String> {
    let End::Shallow(boundary) = end else {
        return None;
    };
    let date = commit_date(repo, boundary)
        .map(|date| format!(" ({date})"))
        .unwrap_or_default();
    Some(format!(
        "this is a shallow clone: history stops at commit {}{date}, and earlier changes \
         are unknown (`git fetch --unshallow` fetches the rest)",
        &boundary.to_hex()[..7]
    ))
}

/// Returns the counters `--verbose` prints.
pub(crate) fn stats_line(walker: &Walker<'_>) -> String {
    let stats = walker.stats;
    format!(
        "walked {} commits ({} from the cache), read {} trees and {} blobs, parsed {} blobs",
        stats.commits,
        stats.from_cache,
        stats.trees_read,
        stats.blobs_read,
        parse::blobs_parsed()
    )
}
