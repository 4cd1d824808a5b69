//! The history cache: the events of every walked commit, kept in the git folder
//! (`.git/okr/history-cache.json`) so a later run only walks new commits. The file
//! is versioned and checked on read; a file that does not match (another version,
//! other goal folders, damaged) is ignored and rewritten. It is safe to delete, and
//! where it cannot be written the run goes on without it.

use super::event::{CommitMeta, EventKind, FieldChange, ItemEvent, ItemKey};
use super::store::ObjectId;
use super::value::{Value, field_name};
use serde::de::{self, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeTuple};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
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
    /// Returns a cache that reads nothing and writes nothing (`--no-cache`).
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
            .and_then(|bytes| serde_json::from_slice::<CacheIn>(&bytes).ok())
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
        let file = CacheOut::new(&self.fingerprint, &self.commits);
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

/// The file as written: a string table and one array per commit, so repeated ids,
/// teams, field names and authors are stored once and reading makes few
/// allocations.
///
/// ```text
/// {"format": "okr-history-cache", "version": 1, "scope": "...",
///  "strings": ["2026-Q4", "signups", ...],
///  "commits": [[id, parent|null, time, [offset, author, email, message]|null,
///               [[period, objective, key_result|-1, team, kind, [[field, from, to], ...]], ...],
///               [note, ...]], ...]}
/// ```
///
/// Numbers in events index `strings`; `kind` is 0 added, 1 changed, 2 removed.
/// Values are JSON numbers, booleans and strings, with `{"d": ...}` for a date,
/// `{"j": ...}` for an array or table as JSON text and `{"f": "nan"}` for a float
/// JSON cannot hold.
struct CacheOut<'a> {
    fingerprint: &'a str,
    commits: &'a HashMap<ObjectId, Arc<WalkedCommit>>,
    strings: Vec<&'a str>,
    indexes: HashMap<&'a str, i64>,
}

impl<'a> CacheOut<'a> {
    fn new(fingerprint: &'a str, commits: &'a HashMap<ObjectId, Arc<WalkedCommit>>) -> Self {
        let mut out = CacheOut {
            fingerprint,
            commits,
            strings: Vec::new(),
            indexes: HashMap::new(),
        };
        for commit in commits.values() {
            if let Some(meta) = &commit.meta {
                out.intern(&meta.author);
                out.intern(&meta.email);
            }
            for event in &commit.events {
                out.intern(&event.key.period);
                out.intern(&event.key.objective);
                if let Some(key_result) = &event.key.key_result {
                    out.intern(key_result);
                }
                out.intern(&event.team);
                for change in &event.changes {
                    out.intern(&change.field);
                }
            }
        }
        out
    }

    fn intern(&mut self, text: &'a str) {
        if !self.indexes.contains_key(text) {
            self.indexes.insert(text, self.strings.len() as i64);
            self.strings.push(text);
        }
    }

    fn index(&self, text: &str) -> i64 {
        // `new` interned every string that an event or commit refers to.
        self.indexes.get(text).copied().unwrap_or(-1)
    }
}

impl Serialize for CacheOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut ids: Vec<&ObjectId> = self.commits.keys().collect();
        ids.sort();
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("format", FORMAT)?;
        map.serialize_entry("version", &VERSION)?;
        map.serialize_entry("scope", self.fingerprint)?;
        map.serialize_entry("strings", &self.strings)?;
        let commits: Vec<CommitOut<'_>> = ids
            .into_iter()
            .map(|id| CommitOut {
                id: *id,
                commit: &self.commits[id],
                cache: self,
            })
            .collect();
        map.serialize_entry("commits", &commits)?;
        map.end()
    }
}

struct CommitOut<'a> {
    id: ObjectId,
    commit: &'a WalkedCommit,
    cache: &'a CacheOut<'a>,
}

impl Serialize for CommitOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let commit = self.commit;
        let cache = self.cache;
        let meta = commit.meta.as_ref().map(|meta| {
            (
                meta.offset_minutes,
                cache.index(&meta.author),
                cache.index(&meta.email),
                meta.message.as_str(),
            )
        });

        let events: Vec<_> = commit
            .events
            .iter()
            .map(|event| {
                let changes: Vec<_> = event
                    .changes
                    .iter()
                    .map(|change| {
                        (
                            cache.index(&change.field),
                            change.from.as_ref().map(ValueOut),
                            change.to.as_ref().map(ValueOut),
                        )
                    })
                    .collect();
                (
                    cache.index(&event.key.period),
                    cache.index(&event.key.objective),
                    event
                        .key
                        .key_result
                        .as_ref()
                        .map_or(-1, |id| cache.index(id)),
                    cache.index(&event.team),
                    kind_number(event.kind),
                    changes,
                )
            })
            .collect();

        let mut tuple = serializer.serialize_tuple(6)?;
        tuple.serialize_element(&self.id.to_hex())?;
        tuple.serialize_element(&commit.parent.map(ObjectId::to_hex))?;
        tuple.serialize_element(&commit.time)?;
        tuple.serialize_element(&meta)?;
        tuple.serialize_element(&events)?;
        tuple.serialize_element(&commit.notes)?;
        tuple.end()
    }
}

fn kind_number(kind: EventKind) -> u8 {
    match kind {
        EventKind::Added => 0,
        EventKind::Changed => 1,
        EventKind::Removed => 2,
    }
}

/// A value in the cache's encoding.
struct ValueOut<'a>(&'a Value);

impl Serialize for ValueOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Bool(flag) => serializer.serialize_bool(*flag),
            Value::Integer(number) => serializer.serialize_i64(*number),
            Value::Float(number) if number.is_finite() => serializer.serialize_f64(*number),
            Value::Float(number) => tagged(serializer, "f", &number.to_string()),
            Value::Text(text) => serializer.serialize_str(text),
            Value::Datetime(text) => tagged(serializer, "d", text),
            Value::Structured(text) => tagged(serializer, "j", text),
        }
    }
}

fn tagged<S: Serializer>(serializer: S, tag: &str, text: &str) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(tag, text)?;
    map.end()
}

/// A value read back from the cache's encoding.
struct ValueIn(Value);

impl<'de> Deserialize<'de> for ValueIn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = ValueIn;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a cached goal file value")
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<ValueIn, E> {
        Ok(ValueIn(Value::Bool(flag)))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<ValueIn, E> {
        Ok(ValueIn(Value::Integer(number)))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<ValueIn, E> {
        i64::try_from(number)
            .map(|number| ValueIn(Value::Integer(number)))
            .map_err(|_| E::custom("integer out of range"))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<ValueIn, E> {
        Ok(ValueIn(Value::Float(number)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<ValueIn, E> {
        Ok(ValueIn(Value::Text(Arc::from(text))))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ValueIn, A::Error> {
        let Some((tag, text)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::custom("empty value object"));
        };
        let value = match tag.as_str() {
            "d" => Value::Datetime(Arc::from(text)),
            "j" => Value::Structured(Arc::from(text)),
            "f" => Value::Float(text.parse().map_err(de::Error::custom)?),
            _ => return Err(de::Error::custom("unknown value tag")),
        };
        Ok(ValueIn(value))
    }
}

#[derive(Deserialize)]
struct CacheIn {
    format: String,
    version: u32,
    scope: String,
    strings: Vec<String>,
    commits: Vec<CommitIn>,
}

type MetaIn = (i32, i64, i64, String);
type ChangeIn = (i64, Option<ValueIn>, Option<ValueIn>);
type EventIn = (i64, i64, i64, i64, u8, Vec<ChangeIn>);
type CommitIn = (
    String,
    Option<String>,
    i64,
    Option<MetaIn>,
    Vec<EventIn>,
    Vec<String>,
);

impl CacheIn {
    /// Returns the commits, when the file is this format and version, for the same goal
    /// folders, and every record is well formed.
    fn validate(self, fingerprint: &str) -> Option<HashMap<ObjectId, Arc<WalkedCommit>>> {
        if self.format != FORMAT || self.version != VERSION || self.scope != fingerprint {
            return None;
        }
        let strings: Vec<Arc<str>> = self.strings.into_iter().map(Arc::from).collect();
        let string =
            |index: i64| -> Option<Arc<str>> { strings.get(usize::try_from(index).ok()?).cloned() };
        let mut commits = HashMap::with_capacity(self.commits.len());
        for (id, parent, time, meta, events, notes) in self.commits {
            let id = ObjectId::from_hex(&id)?;
            let parent = match parent {
                Some(parent) => Some(ObjectId::from_hex(&parent)?),
                None => None,
            };
            let meta = match meta {
                Some((offset_minutes, author, email, message)) => Some(Arc::new(CommitMeta {
                    id,
                    author: string(author)?.to_string(),
                    email: string(email)?.to_string(),
                    time,
                    offset_minutes,
                    message,
                })),
                None => None,
            };
            if meta.is_none() && !events.is_empty() {
                return None;
            }
            let mut read = Vec::with_capacity(events.len());
            for (period, objective, key_result, team, kind, changes) in events {
                let kind = match kind {
                    0 => EventKind::Added,
                    1 => EventKind::Changed,
                    2 => EventKind::Removed,
                    _ => return None,
                };
                let key_result = if key_result < 0 {
                    None
                } else {
                    Some(string(key_result)?)
                };
                let mut fields = Vec::with_capacity(changes.len());
                for (field, from, to) in changes {
                    fields.push(FieldChange {
                        field: field_name(&string(field)?),
                        from: from.map(|value| value.0),
                        to: to.map(|value| value.0),
                    });
                }
                read.push(ItemEvent {
                    key: ItemKey {
                        period: string(period)?,
                        objective: string(objective)?,
                        key_result,
                    },
                    team: string(team)?,
                    kind,
                    changes: fields,
                });
            }
            let commit = WalkedCommit {
                parent,
                time,
                meta,
                events: read,
                notes,
            };
            commits.insert(id, Arc::new(commit));
        }
        Some(commits)
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
            team: Arc::from("growth"),
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
        let commits = sample();
        let bytes = serde_json::to_vec(&CacheOut::new("scope", &commits)).unwrap();
        let read: CacheIn = serde_json::from_slice(&bytes).unwrap();
        let commits = read.validate("scope").unwrap();
        let commit = &commits[&ObjectId([7; 20])];
        assert_eq!(commit.parent, Some(ObjectId([1; 20])));
        assert_eq!(commit.events[0].changes[0].to, Some(Value::Float(55.5)));
        assert_eq!(commit.meta.as_ref().unwrap().offset_minutes, 345);
        assert_eq!(commit.notes, ["a note"]);
    }

    #[test]
    fn other_scope_or_version_is_ignored() {
        let commits = sample();
        let text = serde_json::to_string(&CacheOut::new("scope", &commits)).unwrap();
        let read: CacheIn = serde_json::from_str(&text).unwrap();
        assert!(read.validate("other").is_none());
        let newer = text.replace("\"version\":1", "\"version\":2");
        let read: CacheIn = serde_json::from_str(&newer).unwrap();
        assert!(read.validate("scope").is_none());
    }

    #[test]
    fn damaged_ids_are_rejected() {
        let commits = sample();
        let text = serde_json::to_string(&CacheOut::new("scope", &commits))
            .unwrap()
            .replace("0707", "zz07");
        let read: CacheIn = serde_json::from_str(&text).unwrap();
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
