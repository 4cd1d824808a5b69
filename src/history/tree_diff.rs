//! Finds the goal files that differ between a commit and its parent by comparing
//! tree ids: a goals folder whose id is unchanged is skipped whole, and only
//! subtrees whose ids differ are read. Trees decoded for one commit are kept for the
//! next, because walking back, each commit's parent is the next commit compared.

use super::scope::Scope;
use super::store::{EntryKind, ObjectId, ObjectStore, TreeEntry};
use crate::error::Result;
use std::collections::HashMap;
use std::sync::Arc;

/// One goal file that differs between a commit and its first parent.
#[derive(Debug, Clone)]
pub(crate) struct FileChange {
    /// Relative to the work tree, `/`-separated; non-UTF-8 names are shown lossily.
    pub(crate) path: Arc<str>,
    pub(crate) old: Option<ObjectId>,
    pub(crate) new: Option<ObjectId>,
}

pub(crate) struct TreeDiff<'a, S: ObjectStore + ?Sized> {
    store: &'a S,
    scope: &'a Scope,
    /// Trees decoded while comparing the previous commit.
    previous: HashMap<ObjectId, Arc<[TreeEntry]>>,
    /// Trees decoded (or reused) for the current commit.
    current: HashMap<ObjectId, Arc<[TreeEntry]>>,
    pub(crate) trees_read: usize,
}

impl<'a, S: ObjectStore + ?Sized> TreeDiff<'a, S> {
    pub(crate) fn new(store: &'a S, scope: &'a Scope) -> Self {
        TreeDiff {
            store,
            scope,
            previous: HashMap::new(),
            current: HashMap::new(),
            trees_read: 0,
        }
    }

    /// The goal files that differ between the root trees `old` (`None` for the
    /// empty tree before a root commit) and `new`, sorted by path.
    pub(crate) fn compare(
        &mut self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
    ) -> Result<Vec<FileChange>> {
        let mut changes = Vec::new();
        for folder in &self.scope.folders {
            let old_folder = match old {
                Some(root) => self.folder(root, folder)?,
                None => None,
            };
            let new_folder = match new {
                Some(root) => self.folder(root, folder)?,
                None => None,
            };
            if old_folder != new_folder {
                self.compare_trees(old_folder, new_folder, folder, &mut changes)?;
            }
        }
        self.previous = std::mem::take(&mut self.current);
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        changes.dedup_by(|a, b| a.path == b.path);
        Ok(changes)
    }

    /// Every goal file in the tree `root`, as additions.
    pub(crate) fn list(&mut self, root: ObjectId) -> Result<Vec<FileChange>> {
        self.compare(None, Some(root))
    }

    fn tree(&mut self, id: ObjectId) -> Result<Arc<[TreeEntry]>> {
        if let Some(tree) = self.current.get(&id) {
            return Ok(Arc::clone(tree));
        }
        let tree = match self.previous.get(&id) {
            Some(tree) => Arc::clone(tree),
            None => {
                self.trees_read += 1;
                let mut entries = self.store.tree(id)?;
                // Sorted by raw name so the two sides of a compare can be merged.
                entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
                Arc::from(entries)
            }
        };
        self.current.insert(id, Arc::clone(&tree));
        Ok(tree)
    }

    /// The tree id at `path` below `root` ("" is `root` itself).
    fn folder(&mut self, root: ObjectId, path: &str) -> Result<Option<ObjectId>> {
        let mut id = root;
        for part in path.split('/').filter(|part| !part.is_empty()) {
            let tree = self.tree(id)?;
            let found = tree
                .binary_search_by(|entry| (*entry.name).cmp(part.as_bytes()))
                .ok()
                .map(|index| &tree[index])
                .filter(|entry| entry.kind == EntryKind::Tree);
            match found {
                Some(entry) => id = entry.id,
                None => return Ok(None),
            }
        }
        Ok(Some(id))
    }

    fn compare_trees(
        &mut self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        path: &str,
        changes: &mut Vec<FileChange>,
    ) -> Result<()> {
        let old_entries = match old {
            Some(id) => self.tree(id)?,
            None => Arc::from(Vec::new()),
        };
        let new_entries = match new {
            Some(id) => self.tree(id)?,
            None => Arc::from(Vec::new()),
        };
        let (mut i, mut j) = (0, 0);
        while i < old_entries.len() || j < new_entries.len() {
            let order = match (old_entries.get(i), new_entries.get(j)) {
                (Some(a), Some(b)) => a.name.cmp(&b.name),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let (before, after) = match order {
                std::cmp::Ordering::Less => {
                    i += 1;
                    (Some(&old_entries[i - 1]), None)
                }
                std::cmp::Ordering::Greater => {
                    j += 1;
                    (None, Some(&new_entries[j - 1]))
                }
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    (Some(&old_entries[i - 1]), Some(&new_entries[j - 1]))
                }
            };
            if let (Some(a), Some(b)) = (before, after)
                && a.id == b.id
                && a.kind == b.kind
            {
                continue;
            }
            let name = before.or(after).map_or(&[][..], |entry| &entry.name);
            if name.first() == Some(&b'.') {
                continue;
            }
            let child = child_path(path, name);
            let pick = |entry: Option<&TreeEntry>, kind: EntryKind| {
                entry
                    .filter(|entry| entry.kind == kind)
                    .map(|entry| entry.id)
            };
            let (old_tree, new_tree) =
                (pick(before, EntryKind::Tree), pick(after, EntryKind::Tree));
            if old_tree.is_some() || new_tree.is_some() {
                self.compare_trees(old_tree, new_tree, &child, changes)?;
            }
            let (old_blob, new_blob) =
                (pick(before, EntryKind::Blob), pick(after, EntryKind::Blob));
            if (old_blob.is_some() || new_blob.is_some()) && self.scope.is_goal_file(&child) {
                changes.push(FileChange {
                    path: Arc::from(child),
                    old: old_blob,
                    new: new_blob,
                });
            }
        }
        Ok(())
    }
}

fn child_path(folder: &str, name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    if folder.is_empty() {
        name.into_owned()
    } else {
        format!("{folder}/{name}")
    }
}
