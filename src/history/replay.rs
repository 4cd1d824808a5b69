//! Replays a run of commits oldest first and turns each commit's changed goal files
//! into item events. The replay keeps the last valid version of every changed file.
//! Each distinct blob of the run is parsed once. The blobs of a chunk of commits are
//! read in parallel (`blob_plan` decides which chunk reads which blobs). Most are
//! parsed there too, but a new version of a file the run has seen is parsed by the
//! replay, against the version before, so that unchanged sections are reused. A
//! blob is freed as soon as no later commit of the run refers to it. The replay
//! itself reads no objects, so it can run on another thread while the next chunk is
//! read.

use super::cache::WalkedCommit;
use super::event::{CommitMeta, ItemKey, Side, diff_sides};
use super::parse::{ParsedFile, parse_goal_file, parse_goal_file_after};
use super::store::{CommitInfo, ObjectId, ObjectStore};
use super::tree_diff::FileChange;
use crate::error::Result;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::Arc;

/// A parsed blob, or the reason it could not be parsed.
pub(crate) type Parsed = std::result::Result<Arc<ParsedFile>, Arc<str>>;

/// A blob read for the replay: parsed ahead in parallel, or kept as bytes to be
/// parsed when the replay reaches it, against the file's version before it.
enum Pending {
    Parsed(Parsed),
    Bytes(Arc<[u8]>),
}

/// The blobs one chunk of commits needs (see `blob_plan`).
#[derive(Debug, Default)]
pub(crate) struct ChunkBlobs {
    /// Parsed ahead on rayon's threads.
    pub(crate) parse: Vec<ObjectId>,
    /// New versions of files that the run already has a version of: kept as bytes
    /// and parsed by the replay, which then reuses the unchanged sections of the
    /// version before (`parse_goal_file_after`).
    pub(crate) bytes: Vec<ObjectId>,
}

impl ChunkBlobs {
    pub(crate) fn len(&self) -> usize {
        self.parse.len() + self.bytes.len()
    }
}

/// The results of reading one chunk's blobs, in the order of its `ChunkBlobs`.
#[derive(Default)]
pub(crate) struct ChunkRead {
    parsed: Vec<Parsed>,
    bytes: Vec<Arc<[u8]>>,
}

/// The known state of a goal file at one point of the run.
#[derive(Clone)]
enum FileState {
    Absent,
    Valid(Arc<ParsedFile>),
    /// The version before the run did not parse, so its items' earlier values are
    /// unknown.
    Unknown,
}

pub(crate) struct Replay {
    /// References to each blob id that later commits of the run still make.
    references: HashMap<ObjectId, usize>,
    parsed: HashMap<ObjectId, Pending>,
    files: HashMap<Arc<str>, FileState>,
    pub(crate) blobs_read: usize,
    /// Commits whose events are incomplete: a file's version before the run did not
    /// parse, so the changes to its items are unknown.
    pub(crate) incomplete: Vec<ObjectId>,
}

impl Replay {
    /// Prepares a replay of `changes`, one list per commit, oldest commit first.
    pub(crate) fn new(changes: &[&[FileChange]]) -> Self {
        let mut references: HashMap<ObjectId, usize> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for change in changes.iter().flat_map(|list| list.iter()) {
            if seen.insert(&change.path)
                && let Some(old) = change.old
            {
                *references.entry(old).or_default() += 1;
            }
            if let Some(new) = change.new {
                *references.entry(new).or_default() += 1;
            }
        }
        Replay {
            references,
            parsed: HashMap::new(),
            files: HashMap::new(),
            blobs_read: 0,
            incomplete: Vec::new(),
        }
    }

    /// Adds the blobs of one chunk, as `read_chunk` returned them for `blobs`.
    pub(crate) fn insert(&mut self, blobs: &ChunkBlobs, read: ChunkRead) {
        self.blobs_read += blobs.parse.len() + blobs.bytes.len();
        let parsed = read.parsed.into_iter().map(Pending::Parsed);
        self.parsed.extend(blobs.parse.iter().copied().zip(parsed));
        let bytes = read.bytes.into_iter().map(Pending::Bytes);
        self.parsed.extend(blobs.bytes.iter().copied().zip(bytes));
    }

    /// Takes one reference to a blob, parsing it first if it is still bytes, with
    /// `previous` as the file's version before it. Frees it after its last use.
    fn take(&mut self, id: ObjectId, previous: Option<&ParsedFile>) -> Parsed {
        let remaining = self.references.get_mut(&id).map(|count| {
            *count = count.saturating_sub(1);
            *count
        });
        if let Some(Pending::Bytes(bytes)) = self.parsed.get(&id) {
            let parsed = parse_goal_file_after(bytes, previous)
                .map(Arc::new)
                .map_err(Arc::from);
            self.parsed.insert(id, Pending::Parsed(parsed));
        }
        let pending = if remaining == Some(0) {
            self.references.remove(&id);
            self.parsed.remove(&id)
        } else {
            self.parsed.get(&id).map(|pending| match pending {
                Pending::Parsed(parsed) => Pending::Parsed(parsed.clone()),
                Pending::Bytes(bytes) => Pending::Bytes(Arc::clone(bytes)),
            })
        };
        match pending {
            Some(Pending::Parsed(parsed)) => parsed,
            // `blob_plan` put every blob the commit refers to in this or an earlier
            // chunk, and bytes were parsed just above.
            Some(Pending::Bytes(_)) | None => Err(Arc::from("the blob was not read")),
        }
    }

    /// Turns one commit's changed goal files (`changes`) into its events and keeps the
    /// new file versions for the next commit.
    pub(crate) fn commit(&mut self, info: &CommitInfo, changes: &[FileChange]) -> WalkedCommit {
        if changes.len() >= PARALLEL_PARSE_FILES {
            self.parse_pending(changes);
        }
        let short = &info.id.to_hex()[..7];
        let mut notes = Vec::new();
        let mut sides: Vec<(Arc<str>, FileState, FileState)> = Vec::with_capacity(changes.len());
        for change in changes {
            let before = match self.files.get(&change.path) {
                Some(state) => state.clone(),
                None => match change.old {
                    None => FileState::Absent,
                    Some(id) => match self.take(id, None) {
                        Ok(file) => FileState::Valid(file),
                        Err(message) => {
                            notes.push(format!(
                                "{}: the version before commit {short} could not be read \
                                 ({message}), so that commit's changes to it are not shown",
                                change.path
                            ));
                            if self.incomplete.last() != Some(&info.id) {
                                self.incomplete.push(info.id);
                            }
                            FileState::Unknown
                        }
                    },
                },
            };
            let previous = match &before {
                FileState::Valid(file) => Some(Arc::clone(file)),
                FileState::Absent | FileState::Unknown => None,
            };
            let after = match change.new {
                None => FileState::Absent,
                Some(id) => match self.take(id, previous.as_deref()) {
                    Ok(file) => FileState::Valid(file),
                    Err(message) => {
                        notes.push(format!(
                            "{} at commit {short} could not be read ({message}); \
                             that version was skipped",
                            change.path
                        ));
                        before.clone()
                    }
                },
            };
            self.files.insert(Arc::clone(&change.path), after.clone());
            sides.push((Arc::clone(&change.path), before, after));
        }
        let mut old = Side { items: Vec::new() };
        let mut new = Side { items: Vec::new() };
        let mut skip = Vec::new();
        for (path, before, after) in &sides {
            if let FileState::Valid(file) = before {
                add_items(&mut old, path, file);
            }
            if let FileState::Valid(file) = after {
                let start = new.items.len();
                add_items(&mut new, path, file);
                if matches!(before, FileState::Unknown) {
                    skip.extend(new.items[start..].iter().map(|(key, _, _)| key.clone()));
                }
            }
        }
        let events = diff_sides(&old, &new, &skip);
        let meta = (!events.is_empty() || !notes.is_empty()).then(|| {
            Arc::new(CommitMeta {
                id: info.id,
                author: info.author.clone(),
                email: info.email.clone(),
                time: info.time,
                offset_minutes: info.offset_minutes,
                message: info.message.clone(),
            })
        });
        WalkedCommit {
            parent: info.first_parent,
            time: info.time,
            meta,
            events,
            notes,
        }
    }
}

/// A commit that changes at least this many files has its new versions parsed in
/// parallel before it is replayed, in place of one by one on the replay's thread.
/// Such commits are rare (a check-in of every goal file at the end of a quarter),
/// and one of them can hold thousands of files.
const PARALLEL_PARSE_FILES: usize = 32;

impl Replay {
    /// Parses, on rayon's threads, the new versions in `changes` that are still
    /// bytes, each against the version its file has before the commit: the same
    /// parse `take` would make when it reaches them. A blob that two changes share
    /// is parsed for the first of them, as `take` would.
    fn parse_pending(&mut self, changes: &[FileChange]) {
        use rayon::prelude::*;
        let mut seen: HashSet<ObjectId> = HashSet::new();
        // (blob, its bytes, the file's version before the commit)
        type Work = (ObjectId, Arc<[u8]>, Option<Arc<ParsedFile>>);
        let mut work: Vec<Work> = Vec::new();
        for change in changes {
            let Some(id) = change.new else {
                continue;
            };
            let Some(Pending::Bytes(bytes)) = self.parsed.get(&id) else {
                continue;
            };
            if !seen.insert(id) {
                continue;
            }
            let previous = match self.files.get(&change.path) {
                Some(FileState::Valid(file)) => Some(Arc::clone(file)),
                Some(FileState::Absent | FileState::Unknown) => None,
                None => match change.old.and_then(|old| self.parsed.get(&old)) {
                    Some(Pending::Parsed(Ok(file))) => Some(Arc::clone(file)),
                    _ => None,
                },
            };
            work.push((id, Arc::clone(bytes), previous));
        }
        let parsed: Vec<(ObjectId, Parsed)> = work
            .into_par_iter()
            .map(|(id, bytes, previous)| {
                let parsed = parse_goal_file_after(&bytes, previous.as_deref())
                    .map(Arc::new)
                    .map_err(Arc::from);
                (id, parsed)
            })
            .collect();
        for (id, parsed) in parsed {
            self.parsed.insert(id, Pending::Parsed(parsed));
        }
    }
}

/// Returns, for each chunk of commits (each a list of change lists, oldest first),
/// the blobs to read before replaying it. These are the version before the run of
/// each path that the chunk is first to change, and every new version. Each blob
/// is listed only in the first chunk that needs it. `Replay::new` counts the same
/// references, so no blob is freed before a later chunk needs it. A blob first
/// needed as the new version of a file the run has seen (a change with an old
/// version) is read as bytes, to be parsed against that old version.
pub(crate) fn blob_plan(chunks: &[Vec<&[FileChange]>]) -> Vec<ChunkBlobs> {
    let mut seen_paths: HashSet<&str> = HashSet::new();
    let mut seen_blobs: HashSet<ObjectId> = HashSet::new();
    let mut plan = Vec::with_capacity(chunks.len());
    for lists in chunks {
        let mut wanted = ChunkBlobs::default();
        for change in lists.iter().flat_map(|list| list.iter()) {
            if seen_paths.insert(&change.path)
                && let Some(old) = change.old
                && seen_blobs.insert(old)
            {
                wanted.parse.push(old);
            }
            if let Some(new) = change.new
                && seen_blobs.insert(new)
            {
                match change.old {
                    Some(_) => wanted.bytes.push(new),
                    None => wanted.parse.push(new),
                }
            }
        }
        wanted.parse.sort_unstable();
        wanted.bytes.sort_unstable();
        plan.push(wanted);
    }
    plan
}

/// Reads a chunk's blobs, in parallel where the store can: those to parse ahead are
/// parsed, the others kept as bytes.
pub(crate) fn read_chunk<S: ObjectStore + ?Sized>(
    store: &S,
    blobs: &ChunkBlobs,
) -> Result<ChunkRead> {
    let parsed = store.map_blobs(&blobs.parse, |bytes| {
        parse_goal_file(bytes).map(Arc::new).map_err(Arc::from)
    })?;
    let bytes = store.map_blobs(&blobs.bytes, |bytes| Arc::<[u8]>::from(bytes))?;
    Ok(ChunkRead { parsed, bytes })
}

/// Adds a file version's items to a side. A file without a `period` has no items.
pub(super) fn add_items<'f>(side: &mut Side<'f>, path: &'f str, file: &'f ParsedFile) {
    let Some(period) = &file.period else {
        return;
    };
    let team = file.team.clone().unwrap_or_else(|| Arc::from(stem(path)));
    for item in &file.items {
        let key = ItemKey {
            period: Arc::clone(period),
            objective: Arc::clone(&item.objective),
            key_result: item.key_result.clone(),
        };
        side.items.push((key, Arc::clone(&team), item));
    }
}

/// Returns the file name without `.toml`, which is the team of a file with no `team`
/// field.
pub(crate) fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::event::ItemEvent;

    fn info(byte: u8, parent: Option<u8>) -> CommitInfo {
        CommitInfo {
            id: ObjectId([byte; 20]),
            tree: ObjectId([byte; 20]),
            first_parent: parent.map(|parent| ObjectId([parent; 20])),
            author: "Ana".into(),
            email: "ana@example.com".into(),
            time: 1_790_000_000 + i64::from(byte),
            offset_minutes: 0,
            message: "Check in".into(),
        }
    }

    fn goal(objective: usize, current: u32) -> String {
        format!(
            "period = \"2026-Q4\"\n[[objective]]\nid = \"o{objective}\"\ntitle = \"T\"\n\
             [[objective.key_result]]\nid = \"k\"\ncurrent = {current}\n\
             [[objective.key_result]]\nid = \"m\"\ncurrent = 1\n"
        )
    }

    /// Returns the file number that `check_in_every_file` put in a blob id.
    fn file_index(id: ObjectId) -> usize {
        let number = u64::from_le_bytes(id.0[..8].try_into().unwrap());
        usize::try_from(number).unwrap()
    }

    /// Replays one commit adding `files` goal files, then one changing `current` of
    /// key result `k` in each, and returns the second commit's events.
    fn check_in_every_file(files: usize) -> Vec<ItemEvent> {
        let blob = |index: usize, version: u8| {
            let mut bytes = [version; 20];
            bytes[..8].copy_from_slice(&(index as u64).to_le_bytes());
            ObjectId(bytes)
        };
        let path = |index: usize| Arc::<str>::from(format!("okrs/team-{index:03}.toml"));
        let added: Vec<FileChange> = (0..files)
            .map(|index| FileChange {
                path: path(index),
                old: None,
                new: Some(blob(index, 1)),
            })
            .collect();
        let checked: Vec<FileChange> = (0..files)
            .map(|index| FileChange {
                path: path(index),
                old: Some(blob(index, 1)),
                new: Some(blob(index, 2)),
            })
            .collect();
        let lists: [&[FileChange]; 2] = [&added, &checked];
        let plan = blob_plan(&[lists.to_vec()]);
        assert_eq!(plan[0].parse.len(), files);
        assert_eq!(
            plan[0].bytes.len(),
            files,
            "new versions wait for the replay"
        );
        let parsed = plan[0]
            .parse
            .iter()
            .map(|id| {
                let index = file_index(*id);
                parse_goal_file(goal(index, 10).as_bytes())
                    .map(Arc::new)
                    .map_err(Arc::from)
            })
            .collect();
        let bytes = plan[0]
            .bytes
            .iter()
            .map(|id| {
                let index = file_index(*id);
                Arc::<[u8]>::from(goal(index, 20).as_bytes())
            })
            .collect();
        let mut replay = Replay::new(&lists);
        replay.insert(&plan[0], ChunkRead { parsed, bytes });
        let first = replay.commit(&info(1, None), &added);
        assert_eq!(first.events.len(), files * 3);
        replay.commit(&info(2, Some(1)), &checked).events
    }

    #[test]
    fn large_commit_parses_like_small_one() {
        for files in [PARALLEL_PARSE_FILES - 1, PARALLEL_PARSE_FILES + 8] {
            let events = check_in_every_file(files);
            assert_eq!(events.len(), files, "{files} files: one event each");
            for event in &events {
                assert_eq!(event.key.key_result.as_deref(), Some("k"));
                let changes: Vec<_> = event.changes().collect();
                assert_eq!(changes.len(), 1);
                assert_eq!(changes[0].field, "current");
                assert_eq!(
                    changes[0].to,
                    Some(crate::history::value::Value::Integer(20))
                );
            }
        }
    }
}
