//! The history cache: the events of every walked commit, kept in the git folder
//! (`.git/okr/history-cache.bin`) so a later run only walks new commits. The file
//! is versioned and checked on read; a file that does not match (another version,
//! other goal folders, damaged) is ignored and rewritten. It is safe to delete, and
//! where it cannot be written the run goes on without it. `cache_file` has the
//! format.

use super::Threads;
use super::cache_file;
use super::event::{CommitMeta, ItemEvent};
use super::store::ObjectId;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const FILE_NAME: &str = "history-cache.bin";
/// The JSON file of cache format 1, removed when the current format is written.
const OLD_FILE_NAME: &str = "history-cache.json";

/// One walked commit: its place in the first-parent chain and what it changed.
#[derive(Debug, Clone)]
pub(crate) struct WalkedCommit {
    pub(crate) parent: Option<ObjectId>,
    /// Committer date, seconds since the Unix epoch.
    pub(crate) time: i64,
    /// Present when the commit has events or notes.
    pub(crate) meta: Option<Arc<CommitMeta>>,
    pub(crate) events: Vec<ItemEvent>,
    pub(crate) notes: Vec<String>,
}

pub(crate) struct Cache {
    path: Option<PathBuf>,
    fingerprint: String,
    pub(crate) commits: HashMap<ObjectId, Arc<WalkedCommit>>,
    /// Commits kept for this run only: their events are incomplete because a file's
    /// version before them did not parse and no earlier version was walked.
    pub(crate) unsaved: HashSet<ObjectId>,
    dirty: bool,
}

impl Cache {
    /// Returns a cache that reads nothing and writes nothing (`--no-cache`).
    pub(crate) fn disabled() -> Cache {
        Cache {
            path: None,
            fingerprint: String::new(),
            commits: HashMap::new(),
            unsaved: HashSet::new(),
            dirty: false,
        }
    }

    /// Loads the cache file of the repository at `git_dir`; a missing or mismatched
    /// file gives an empty cache.
    pub(crate) fn load(git_dir: &Path, fingerprint: &str, threads: Threads) -> Cache {
        let path = git_dir.join("okr").join(FILE_NAME);
        // Anything but a regular file (a FIFO, a link to a device) is not read.
        let is_file = std::fs::metadata(&path).is_ok_and(|metadata| metadata.is_file());
        let commits = is_file
            .then(|| std::fs::read(&path).ok())
            .flatten()
            .and_then(|bytes| cache_file::decode(&bytes, fingerprint, threads))
            .unwrap_or_default();
        Cache {
            path: Some(path),
            fingerprint: fingerprint.to_owned(),
            commits,
            unsaved: HashSet::new(),
            dirty: false,
        }
    }

    /// Adds a walked commit; a disabled cache keeps it in memory for this run only.
    pub(crate) fn insert(&mut self, id: ObjectId, commit: Arc<WalkedCommit>) {
        self.commits.insert(id, commit);
        self.dirty = true;
    }

    /// Writes the cache when new commits were added. Failures are ignored: the cache
    /// only saves time.
    pub(crate) fn save(&mut self) {
        let Some(path) = &self.path else {
            return;
        };
        if !self.dirty {
            return;
        }
        let Some(folder) = path.parent() else {
            return;
        };
        if std::fs::create_dir_all(folder).is_err() {
            return;
        }
        let temporary = folder.join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
        let written = std::fs::File::create(&temporary).and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            if self.unsaved.is_empty() {
                cache_file::write(&self.fingerprint, &self.commits, &mut out)?;
            } else {
                let complete: HashMap<ObjectId, Arc<WalkedCommit>> = self
                    .commits
                    .iter()
                    .filter(|(id, _)| !self.unsaved.contains(*id))
                    .map(|(id, commit)| (*id, Arc::clone(commit)))
                    .collect();
                cache_file::write(&self.fingerprint, &complete, &mut out)?;
            }
            std::io::Write::flush(&mut out)
        });
        if written.is_ok() && std::fs::rename(&temporary, path).is_ok() {
            self.dirty = false;
            let _ = std::fs::remove_file(folder.join(OLD_FILE_NAME));
        } else {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::event::{EventKind, FieldChange, ItemKey};
    use crate::history::value::Value;

    fn sample() -> HashMap<ObjectId, Arc<WalkedCommit>> {
        let id = ObjectId([7; 20]);
        let meta = Arc::new(CommitMeta {
            id,
            author: "Ana".into(),
            email: "ana@example.com".into(),
            time: 1_790_000_000,
            offset_minutes: 345,
            message: "Check in\n\nReason: audit".into(),
        });
        let event = ItemEvent::new(
            ItemKey::new("2026-Q4", "o", Some("k")),
            Arc::from("growth"),
            EventKind::Changed,
            [
                FieldChange {
                    field: "current",
                    from: Some(Value::Integer(40)),
                    to: Some(Value::Float(55.5)),
                },
                FieldChange {
                    field: "custom",
                    from: Some(Value::Float(f64::NAN)),
                    to: Some(Value::Datetime("2026-11-30")),
                },
                FieldChange {
                    field: "notes",
                    from: None,
                    to: Some(Value::Structured("[1,2]")),
                },
            ],
        );
        let commit = WalkedCommit {
            parent: Some(ObjectId([1; 20])),
            time: meta.time,
            meta: Some(meta),
            events: vec![event],
            notes: vec!["a note".into()],
        };
        let quiet = WalkedCommit {
            parent: None,
            time: 1_789_000_000,
            meta: None,
            events: Vec::new(),
            notes: Vec::new(),
        };
        [(id, Arc::new(commit)), (ObjectId([1; 20]), Arc::new(quiet))]
            .into_iter()
            .collect()
    }

    #[test]
    fn records_round_trip() {
        let bytes = cache_file::encode("scope", &sample());
        let commits = cache_file::decode(&bytes, "scope", Threads::Parallel).unwrap();
        assert_eq!(commits.len(), 2);
        let commit = &commits[&ObjectId([7; 20])];
        assert_eq!(commit.parent, Some(ObjectId([1; 20])));
        let meta = commit.meta.as_ref().unwrap();
        assert_eq!(meta.offset_minutes, 345);
        assert_eq!(meta.author, "Ana");
        assert_eq!(meta.message, "Check in\n\nReason: audit");
        let changes: Vec<FieldChange<'_>> = commit.events[0].changes().collect();
        assert_eq!(changes[0].from, Some(Value::Integer(40)));
        assert_eq!(changes[0].to, Some(Value::Float(55.5)));
        assert_eq!(changes[1].field, "custom");
        assert!(matches!(changes[1].from, Some(Value::Float(n)) if n.is_nan()));
        assert_eq!(changes[1].to, Some(Value::Datetime("2026-11-30")));
        assert_eq!(changes[2].from, None);
        assert_eq!(
            commit.events[0].key,
            ItemKey::new("2026-Q4", "o", Some("k"))
        );
        assert_eq!(commit.notes, ["a note"]);
        let root = &commits[&ObjectId([1; 20])];
        assert_eq!(root.parent, None);
        assert!(root.meta.is_none());
    }

    #[test]
    fn other_scope_or_version_is_ignored() {
        let bytes = cache_file::encode("scope", &sample());
        assert!(cache_file::decode(&bytes, "other", Threads::Parallel).is_none());
        let version = b"okr-history-cache\n".len();
        let mut newer = bytes.clone();
        newer[version] += 1;
        assert!(cache_file::decode(&newer, "scope", Threads::Parallel).is_none());
    }

    #[test]
    fn damaged_bytes_are_rejected() {
        let bytes = cache_file::encode("scope", &sample());
        for position in [0, 30, bytes.len() / 2, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[position] ^= 0x55;
            assert!(
                cache_file::decode(&damaged, "scope", Threads::Parallel).is_none(),
                "byte {position}"
            );
        }
        for length in [0, 7, bytes.len() - 1] {
            assert!(
                cache_file::decode(&bytes[..length], "scope", Threads::Parallel).is_none(),
                "cut to {length} bytes"
            );
        }
    }

    #[test]
    fn unwritable_folder_is_skipped() {
        let mut cache = Cache::load(
            Path::new("/proc/okr-no-such-folder"),
            "scope",
            Threads::Parallel,
        );
        cache.insert(
            ObjectId([7; 20]),
            sample().remove(&ObjectId([7; 20])).unwrap(),
        );
        cache.save();
        assert!(cache.dirty, "a failed write leaves the cache unsaved");
    }
}
