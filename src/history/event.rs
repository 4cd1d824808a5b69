//! Events: what one commit changed in each objective and key result. Items are keyed
//! by period, objective id and key result id, so a goal that moves to another file
//! keeps its history.

use super::parse::ParsedItem;
use super::store::ObjectId;
use super::value::{Packed, Packer, Unpacker, Value};
use chrono::{DateTime, FixedOffset, NaiveDate};
use foldhash::{HashMap, HashMapExt};
use std::fmt;
use std::sync::Arc;

/// An objective (no key result) or a key result, as `period/objective[/key_result]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ItemKey {
    pub(crate) period: Arc<str>,
    pub(crate) objective: Arc<str>,
    pub(crate) key_result: Option<Arc<str>>,
}

impl ItemKey {
    #[cfg(test)]
    pub(crate) fn new(period: &str, objective: &str, key_result: Option<&str>) -> ItemKey {
        ItemKey {
            period: Arc::from(period),
            objective: Arc::from(objective),
            key_result: key_result.map(Arc::from),
        }
    }

    /// `objective` or `objective/key_result`, as JSON and findings name items.
    pub(crate) fn item(&self) -> String {
        match &self.key_result {
            Some(key_result) => format!("{}/{key_result}", self.objective),
            None => self.objective.to_string(),
        }
    }

    pub(crate) fn is_key_result(&self) -> bool {
        self.key_result.is_some()
    }

    /// Returns the objective a key result belongs to (itself for an objective).
    pub(crate) fn objective_key(&self) -> ItemKey {
        ItemKey {
            period: Arc::clone(&self.period),
            objective: Arc::clone(&self.objective),
            key_result: None,
        }
    }
}

impl fmt::Display for ItemKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.period, self.item())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Added,
    Changed,
    Removed,
}

impl EventKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EventKind::Added => "added",
            EventKind::Changed => "changed",
            EventKind::Removed => "removed",
        }
    }
}

/// One field's change, read from an event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FieldChange<'a> {
    pub(crate) field: &'a str,
    pub(crate) from: Option<Value<'a>>,
    pub(crate) to: Option<Value<'a>>,
}

/// What one commit did to one item.
#[derive(Debug, Clone)]
pub(crate) struct ItemEvent {
    pub(crate) key: ItemKey,
    /// The team of the file the item is in after the commit (before it, when removed).
    pub(crate) team: Arc<str>,
    pub(crate) kind: EventKind,
    changes: Changes,
}

/// An event's field changes. A history contains millions of them, so they are packed.
/// An added or removed item's changes are its fields, shared with the parsed item.
#[derive(Debug, Clone)]
enum Changes {
    Packed(Packed),
    /// Every field of the item, added or removed by the event (its `kind`), and an
    /// objective's team when it has no `team` field of its own.
    Item(Arc<ParsedItem>),
}

impl ItemEvent {
    #[cfg(test)]
    pub(crate) fn new<'a>(
        key: ItemKey,
        team: Arc<str>,
        kind: EventKind,
        changes: impl IntoIterator<Item = FieldChange<'a>>,
    ) -> ItemEvent {
        let mut packer = Packer::default();
        for change in changes {
            pack_change(&mut packer, change);
        }
        ItemEvent {
            key,
            team,
            kind,
            changes: Changes::Packed(packer.finish()),
        }
    }

    /// Makes an event of changes packed as `packed_changes` returns them.
    pub(crate) fn from_packed(
        key: ItemKey,
        team: Arc<str>,
        kind: EventKind,
        changes: Packed,
    ) -> ItemEvent {
        ItemEvent {
            key,
            team,
            kind,
            changes: Changes::Packed(changes),
        }
    }

    /// Returns the changes packed, as the history cache stores them.
    pub(crate) fn packed_changes(&self) -> std::borrow::Cow<'_, Packed> {
        match &self.changes {
            Changes::Packed(packed) => std::borrow::Cow::Borrowed(packed),
            Changes::Item(_) => {
                let mut packer = Packer::default();
                for change in self.changes() {
                    pack_change(&mut packer, change);
                }
                std::borrow::Cow::Owned(packer.finish())
            }
        }
    }

    /// Returns the field changes in the order they were found.
    pub(crate) fn changes(&self) -> ChangeIter<'_> {
        match &self.changes {
            Changes::Packed(packed) => ChangeIter::Packed(packed.unpack()),
            Changes::Item(item) => ChangeIter::Item {
                fields: item.packed_fields().unpack(),
                added: self.kind == EventKind::Added,
                team: (!self.key.is_key_result() && item.field("team").is_none())
                    .then_some(Value::Text(&self.team)),
            },
        }
    }

    /// Returns the change of one field, reading only that field's values. History
    /// output reads a few fields of each event, and most events have several.
    pub(crate) fn change(&self, field: &str) -> Option<FieldChange<'_>> {
        match &self.changes {
            Changes::Packed(packed) => {
                let mut reader = packed.unpack();
                loop {
                    let name = reader.name()?;
                    if name == field {
                        let from = reader.value()?;
                        let to = reader.value()?;
                        return Some(FieldChange {
                            field: name,
                            from,
                            to,
                        });
                    }
                    reader.skip_value()?;
                    reader.skip_value()?;
                }
            }
            Changes::Item(_) => self.changes().find(|change| change.field == field),
        }
    }
}

/// The changes of one event, read from its packed changes or its item's fields.
pub(crate) enum ChangeIter<'a> {
    Packed(Unpacker<'a>),
    Item {
        fields: Unpacker<'a>,
        added: bool,
        /// The team an objective's fields end with, until it is returned.
        team: Option<Value<'a>>,
    },
}

impl<'a> Iterator for ChangeIter<'a> {
    type Item = FieldChange<'a>;

    fn next(&mut self) -> Option<FieldChange<'a>> {
        match self {
            ChangeIter::Packed(reader) => Some(FieldChange {
                field: reader.name()?,
                from: reader.value()?,
                to: reader.value()?,
            }),
            ChangeIter::Item {
                fields,
                added,
                team,
            } => {
                let (field, value) = match fields.name() {
                    Some(name) => (name, fields.value()??),
                    None => ("team", team.take()?),
                };
                let (from, to) = if *added {
                    (None, Some(value))
                } else {
                    (Some(value), None)
                };
                Some(FieldChange { field, from, to })
            }
        }
    }
}

fn pack_change(packer: &mut Packer, change: FieldChange<'_>) {
    packer.name(change.field);
    packer.value(change.from);
    packer.value(change.to);
}

/// The commit an event comes from.
#[derive(Debug, Clone)]
pub(crate) struct CommitMeta {
    pub(crate) id: ObjectId,
    pub(crate) author: String,
    pub(crate) email: String,
    /// Committer date: seconds since the Unix epoch, and the offset in minutes.
    pub(crate) time: i64,
    pub(crate) offset_minutes: i32,
    pub(crate) message: String,
}

impl CommitMeta {
    /// Returns the committer date in the committer's own offset.
    pub(crate) fn date_time(&self) -> DateTime<FixedOffset> {
        let offset = FixedOffset::east_opt(self.offset_minutes * 60)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset is valid"));
        DateTime::from_timestamp(self.time, 0)
            .unwrap_or_default()
            .with_timezone(&offset)
    }

    /// Returns the calendar day of the commit where it was made.
    pub(crate) fn date(&self) -> NaiveDate {
        self.date_time().date_naive()
    }

    /// ISO 8601 with the offset: `2026-10-05T09:30:00+05:45`.
    pub(crate) fn iso_date(&self) -> String {
        self.date_time().to_rfc3339()
    }

    pub(crate) fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim()
    }

    pub(crate) fn short_id(&self) -> String {
        self.id.to_hex()[..7].to_owned()
    }
}

/// One side of a commit: the items of the changed files, with each file's team.
pub(crate) struct Side<'a> {
    pub(crate) items: Vec<(ItemKey, Arc<str>, &'a Arc<ParsedItem>)>,
}

/// Returns the events that turn the `old` side into the `new` side. Keys in `skip` (items of
/// files whose earlier version is unknown) get none.
pub(crate) fn diff_sides(old: &Side<'_>, new: &Side<'_>, skip: &[ItemKey]) -> Vec<ItemEvent> {
    let mut old_items: HashMap<&ItemKey, (&Arc<str>, &Arc<ParsedItem>)> =
        HashMap::with_capacity(old.items.len());
    for (key, team, item) in &old.items {
        old_items.entry(key).or_insert((team, item));
    }
    let mut seen: HashMap<&ItemKey, ()> = HashMap::with_capacity(new.items.len());
    let mut events = Vec::new();
    for (key, team, item) in &new.items {
        if seen.insert(key, ()).is_some() || skip.contains(key) {
            continue;
        }
        let (kind, changes) = match old_items.get(key) {
            None => (EventKind::Added, Changes::Item(Arc::clone(item))),
            Some((old_team, old_item)) => {
                // An item whose file section did not change is the same parsed item,
                // and has no changes.
                if Arc::ptr_eq(old_item, item) && (key.is_key_result() || *old_team == team) {
                    continue;
                }
                let changes = item_changes(key, (old_team, old_item), (team, item));
                if changes.is_empty() {
                    continue;
                }
                (EventKind::Changed, Changes::Packed(changes))
            }
        };
        events.push(ItemEvent {
            key: key.clone(),
            team: Arc::clone(team),
            kind,
            changes,
        });
    }
    for (key, team, item) in &old.items {
        if seen.insert(key, ()).is_some() || skip.contains(key) {
            continue;
        }
        events.push(ItemEvent {
            key: key.clone(),
            team: Arc::clone(team),
            kind: EventKind::Removed,
            changes: Changes::Item(Arc::clone(item)),
        });
    }
    events.shrink_to_fit();
    events
}

/// Returns the field changes between two versions of an item, each version with its
/// file's team.
fn item_changes(
    key: &ItemKey,
    (old_team, old): (&Arc<str>, &ParsedItem),
    (new_team, new): (&Arc<str>, &ParsedItem),
) -> Packed {
    let mut packer = Packer::default();
    for (field, value) in new.fields() {
        let before = old.field(field);
        if !before.is_some_and(|before| before.same(value)) {
            pack_change(
                &mut packer,
                FieldChange {
                    field,
                    from: before,
                    to: Some(value),
                },
            );
        }
    }
    for (field, value) in old.fields() {
        if new.field(field).is_none() {
            pack_change(
                &mut packer,
                FieldChange {
                    field,
                    from: Some(value),
                    to: None,
                },
            );
        }
    }
    let own_team = |item: &ParsedItem| item.field("team").is_some();
    if !key.is_key_result() && !own_team(old) && !own_team(new) && old_team != new_team {
        pack_change(
            &mut packer,
            FieldChange {
                field: "team",
                from: Some(Value::Text(old_team)),
                to: Some(Value::Text(new_team)),
            },
        );
    }
    packer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::parse::parse_goal_file;

    fn side<'a>(file: &'a super::super::parse::ParsedFile, team: &str) -> Side<'a> {
        Side {
            items: file
                .items
                .iter()
                .map(|item| {
                    let key = ItemKey {
                        period: Arc::clone(file.period.as_ref().unwrap()),
                        objective: Arc::clone(&item.objective),
                        key_result: item.key_result.clone(),
                    };
                    (key, Arc::from(team), item)
                })
                .collect(),
        }
    }

    const BEFORE: &str = "period = \"2026-Q4\"\n[[objective]]\nid = \"o\"\ntitle = \"T\"\n\
        [[objective.key_result]]\nid = \"k\"\ntarget = 90\ncurrent = 40\nowner = \"bob\"\n";

    #[test]
    fn field_changes_use_file_names() {
        let before = parse_goal_file(BEFORE.as_bytes()).unwrap();
        let after_text = BEFORE
            .replace("current = 40", "current = 55")
            .replace("target = 90", "target = 80")
            .replace("owner = \"bob\"\n", "");
        let after = parse_goal_file(after_text.as_bytes()).unwrap();
        let events = diff_sides(&side(&before, "a"), &side(&after, "a"), &[]);
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.kind, EventKind::Changed);
        assert_eq!(event.key.item(), "o/k");
        let changes: Vec<FieldChange<'_>> = event.changes().collect();
        let fields: Vec<&str> = changes.iter().map(|change| change.field).collect();
        assert_eq!(fields, ["target", "current", "owner"]);
        assert_eq!(changes[2].to, None);
    }

    #[test]
    fn added_and_removed_list_every_field() {
        let file = parse_goal_file(BEFORE.as_bytes()).unwrap();
        let empty = Side { items: Vec::new() };
        let added = diff_sides(&empty, &side(&file, "a"), &[]);
        assert_eq!(added.len(), 2);
        assert!(added.iter().all(|event| event.kind == EventKind::Added));
        assert!(
            added[0].change("team").is_some(),
            "objectives carry their team"
        );
        let removed = diff_sides(&side(&file, "a"), &empty, &[]);
        assert!(removed.iter().all(|event| event.kind == EventKind::Removed));
        assert!(removed[1].changes().all(|change| change.to.is_none()));
    }

    #[test]
    fn nan_fields_stay_unchanged() {
        let text = "period = \"2026-Q4\"\n[[objective]]\nid = \"o\"\n\
            [[objective.key_result]]\nid = \"k\"\nratio = nan\nnote = \"a\"\n\
            [[objective.key_result]]\nid = \"m\"\ncurrent = 1\n";
        let before = parse_goal_file(text.as_bytes()).unwrap();
        // A section shared with the version before, and one parsed again.
        let changed = text
            .replace("current = 1", "current = 2")
            .replace("note = \"a\"", "note = \"b\"");
        let after = crate::history::parse::parse_goal_file_after(changed.as_bytes(), Some(&before))
            .unwrap();
        let events = diff_sides(&side(&before, "a"), &side(&after, "a"), &[]);
        let changes: Vec<(String, &str)> = events
            .iter()
            .flat_map(|event| {
                event
                    .changes()
                    .map(|change| (event.key.item(), change.field))
            })
            .collect();
        assert_eq!(
            changes,
            [("o/k".to_owned(), "note"), ("o/m".to_owned(), "current")]
        );
    }

    #[test]
    fn moving_to_another_team_file_changes_team() {
        let file = parse_goal_file(BEFORE.as_bytes()).unwrap();
        let events = diff_sides(&side(&file, "a"), &side(&file, "b"), &[]);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].changes().next().unwrap().field, "team");
    }
}
