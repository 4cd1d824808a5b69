//! The history cache: the events of every walked commit, kept in the git folder
//! (`.git/okr/history-cache.json`) so a later run only walks new commits. The file
//! is versioned and checked on read; a file that does not match (another version,
//! other goal folders, damaged) is ignored and rewritten. It is safe to delete, and
//! where it cannot be written the run goes on without it.

use super::event::{CommitMeta, EventKind, FieldChange, ItemEvent, ItemKey};
use super::store::ObjectId;
use super::value::{Value, field_name};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const FORMAT: &str = "okr-history-cache";
const VERSION: u32 = 1;

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
    dirty: bool,
}

impl Cache {
    /// A cache that reads nothing and writes nothing (`--no-cache`).
    pub(crate) fn disabled() -> Cache {
        Cache {
            path: None,
            fingerprint: String::new(),
            commits: HashMap::new(),
            dirty: false,
        }
    }

    /// Loads the cache file of the repository at `git_dir`; a missing or mismatched
    /// file gives an empty cache.
    pub(crate) fn load(git_dir: &Path, fingerprint: &str) -> Cache {
        let path = git_dir.join("okr").join("history-cache.json");
        let commits = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .and_then(|file| file.validate(fingerprint))
            .unwrap_or_default();
        Cache {
            path: Some(path),
            fingerprint: fingerprint.to_owned(),
            commits,
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
        let file = CacheFile::from_commits(&self.fingerprint, &self.commits);
        let Ok(bytes) = serde_json::to_vec(&file) else {
            return;
        };
        let Some(folder) = path.parent() else {
            return;
        };
        if std::fs::create_dir_all(folder).is_err() {
            return;
        }
        let temporary = folder.join(format!("history-cache.json.{}.tmp", std::process::id()));
        if std::fs::write(&temporary, bytes).is_ok() && std::fs::rename(&temporary, path).is_ok() {
            self.dirty = false;
        } else {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: String,
    version: u32,
    scope: String,
    commits: Vec<CommitRecord>,
}

#[derive(Serialize, Deserialize)]
struct CommitRecord {
    id: String,
    parent: Option<String>,
    time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    meta: Option<MetaRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    events: Vec<EventRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct MetaRecord {
    author: String,
    email: String,
    offset: i32,
    message: String,
}

#[derive(Serialize, Deserialize)]
struct EventRecord {
    period: String,
    objective: String,
    key_result: Option<String>,
    team: String,
    kind: String,
    /// (field, from, to)
    changes: Vec<(String, Option<Value>, Option<Value>)>,
}

impl CacheFile {
    fn from_commits(
        fingerprint: &str,
        commits: &HashMap<ObjectId, Arc<WalkedCommit>>,
    ) -> CacheFile {
        let mut records: Vec<CommitRecord> = commits
            .iter()
            .map(|(id, commit)| CommitRecord {
                id: id.to_hex(),
                parent: commit.parent.map(ObjectId::to_hex),
                time: commit.time,
                meta: commit.meta.as_ref().map(|meta| MetaRecord {
                    author: meta.author.clone(),
                    email: meta.email.clone(),
                    offset: meta.offset_minutes,
                    message: meta.message.clone(),
                }),
                events: commit.events.iter().map(EventRecord::from_event).collect(),
                notes: commit.notes.clone(),
            })
            .collect();
        records.sort_by(|a, b| a.id.cmp(&b.id));
        CacheFile {
            format: FORMAT.to_owned(),
            version: VERSION,
            scope: fingerprint.to_owned(),
            commits: records,
        }
    }

    /// The commits, when the file is this format and version, for the same goal
    /// folders, and every record is well formed.
    fn validate(self, fingerprint: &str) -> Option<HashMap<ObjectId, Arc<WalkedCommit>>> {
        if self.format != FORMAT || self.version != VERSION || self.scope != fingerprint {
            return None;
        }
        let mut commits = HashMap::with_capacity(self.commits.len());
        for record in self.commits {
            let id = ObjectId::from_hex(&record.id)?;
            let parent = match &record.parent {
                Some(parent) => Some(ObjectId::from_hex(parent)?),
                None => None,
            };
            let meta = record.meta.map(|meta| {
                Arc::new(CommitMeta {
                    id,
                    author: meta.author,
                    email: meta.email,
                    time: record.time,
                    offset_minutes: meta.offset,
                    message: meta.message,
                })
            });
            if meta.is_none() && !record.events.is_empty() {
                return None;
            }
            let events = record
                .events
                .into_iter()
                .map(EventRecord::into_event)
                .collect::<Option<Vec<_>>>()?;
            let commit = WalkedCommit {
                parent,
                time: record.time,
                meta,
                events,
                notes: record.notes,
            };
            commits.insert(id, Arc::new(commit));
        }
        Some(commits)
    }
}

impl EventRecord {
    fn from_event(event: &ItemEvent) -> EventRecord {
        EventRecord {
            period: event.key.period.to_string(),
            objective: event.key.objective.to_string(),
            key_result: event.key.key_result.as_ref().map(ToString::to_string),
            team: event.team.to_string(),
            kind: event.kind.as_str().to_owned(),
            changes: event
                .changes
                .iter()
                .map(|change| {
                    (
                        change.field.to_string(),
                        change.from.clone(),
                        change.to.clone(),
                    )
                })
                .collect(),
        }
    }

    fn into_event(self) -> Option<ItemEvent> {
        let kind = match self.kind.as_str() {
            "added" => EventKind::Added,
            "changed" => EventKind::Changed,
            "removed" => EventKind::Removed,
            _ => return None,
        };
        Some(ItemEvent {
            key: ItemKey::new(&self.period, &self.objective, self.key_result.as_deref()),
            team: self.team.into(),
            kind,
            changes: self
                .changes
                .into_iter()
                .map(|(field, from, to)| FieldChange {
                    field: field_name(&field),
                    from,
                    to,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let event = ItemEvent {
            key: ItemKey::new("2026-Q4", "o", Some("k")),
            team: "growth".into(),
            kind: EventKind::Changed,
            changes: vec![FieldChange {
                field: field_name("current"),
                from: Some(Value::Integer(40)),
                to: Some(Value::Float(55.5)),
            }],
        };
        let commit = WalkedCommit {
            parent: Some(ObjectId([1; 20])),
            time: meta.time,
            meta: Some(meta),
            events: vec![event],
            notes: vec!["a note".into()],
        };
        HashMap::from([(id, Arc::new(commit))])
    }

    #[test]
    fn records_round_trip() {
        let file = CacheFile::from_commits("scope", &sample());
        let bytes = serde_json::to_vec(&file).unwrap();
        let read: CacheFile = serde_json::from_slice(&bytes).unwrap();
        let commits = read.validate("scope").unwrap();
        let commit = &commits[&ObjectId([7; 20])];
        assert_eq!(commit.parent, Some(ObjectId([1; 20])));
        assert_eq!(commit.events[0].changes[0].to, Some(Value::Float(55.5)));
        assert_eq!(commit.meta.as_ref().unwrap().offset_minutes, 345);
        assert_eq!(commit.notes, ["a note"]);
    }

    #[test]
    fn other_scope_or_version_is_ignored() {
        let file = CacheFile::from_commits("scope", &sample());
        let text = serde_json::to_string(&file).unwrap();
        let read: CacheFile = serde_json::from_str(&text).unwrap();
        assert!(read.validate("other").is_none());
        let newer = text.replace("\"version\":1", "\"version\":2");
        let read: CacheFile = serde_json::from_str(&newer).unwrap();
        assert!(read.validate("scope").is_none());
    }

    #[test]
    fn damaged_ids_are_rejected() {
        let file = CacheFile::from_commits("scope", &sample());
        let text = serde_json::to_string(&file)
            .unwrap()
            .replace("0707", "zz07");
        let read: CacheFile = serde_json::from_str(&text).unwrap();
        assert!(read.validate("scope").is_none());
    }

    #[test]
    fn unwritable_folder_is_skipped() {
        let mut cache = Cache::load(Path::new("/proc/okr-no-such-folder"), "scope");
        cache.insert(
            ObjectId([7; 20]),
            sample().remove(&ObjectId([7; 20])).unwrap(),
        );
        cache.save();
        assert!(cache.dirty, "a failed write leaves the cache unsaved");
    }
}
