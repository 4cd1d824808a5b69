//! Finds the goal files that differ between a commit and its parent by comparing
//! tree ids: a goals folder whose id is unchanged is skipped whole, and only
//! subtrees whose ids differ are read. Trees decoded for one commit are kept for the
//! next, because walking back, each commit's parent is the next commit compared.

use super::scope::Scope;
use super::store::{EntryKind, ObjectId, ObjectStore, Tree, TreeEntry};
use crate::error::Result;
use foldhash::{HashMap, HashMapExt};
use std::cmp::Ordering;
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
    previous: HashMap<ObjectId, Arc<Tree>>,
    /// Trees decoded (or reused) for the current commit.
    current: HashMap<ObjectId, Arc<Tree>>,
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

    /// Returns the goal files that differ between the root trees `old` (`None` for the
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

    /// Returns every goal file in the tree `root`, as additions.
    pub(crate) fn list(&mut self, root: ObjectId) -> Result<Vec<FileChange>> {
        self.compare(None, Some(root))
    }

    fn tree(&mut self, id: ObjectId) -> Result<Arc<Tree>> {
        if let Some(tree) = self.current.get(&id) {
            return Ok(Arc::clone(tree));
        }
        let tree = match self.previous.get(&id) {
            Some(tree) => Arc::clone(tree),
            None => {
                self.trees_read += 1;
                Arc::new(self.store.tree(id)?)
            }
        };
        self.current.insert(id, Arc::clone(&tree));
        Ok(tree)
    }

    /// Returns the tree id at `path` below `root` ("" is `root` itself).
    fn folder(&mut self, root: ObjectId, path: &str) -> Result<Option<ObjectId>> {
        let mut id = root;
        for part in path.split('/').filter(|part| !part.is_empty()) {
            let tree = self.tree(id)?;
            let found = tree
                .entries
                .iter()
                .find(|entry| entry.kind == EntryKind::Tree && tree.name(entry) == part.as_bytes());
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
        let old_tree = match old {
            Some(id) => self.tree(id)?,
            None => Arc::new(Tree::default()),
        };
        let new_tree = match new {
            Some(id) => self.tree(id)?,
            None => Arc::new(Tree::default()),
        };
        let (mut i, mut j) = (0, 0);
        while i < old_tree.entries.len() || j < new_tree.entries.len() {
            let order = match (old_tree.entries.get(i), new_tree.entries.get(j)) {
                (Some(a), Some(b)) => git_order(&old_tree, a, &new_tree, b),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            let (before, after) = match order {
                Ordering::Less => {
                    i += 1;
                    (Some(&old_tree.entries[i - 1]), None)
                }
                Ordering::Greater => {
                    j += 1;
                    (None, Some(&new_tree.entries[j - 1]))
                }
                Ordering::Equal => {
                    i += 1;
                    j += 1;
                    (
                        Some(&old_tree.entries[i - 1]),
                        Some(&new_tree.entries[j - 1]),
                    )
                }
            };
            if let (Some(a), Some(b)) = (before, after)
                && a.id == b.id
            {
                continue;
            }
            let name = match (before, after) {
                (Some(entry), _) => old_tree.name(entry),
                (None, Some(entry)) => new_tree.name(entry),
                (None, None) => break,
            };
            if name.first() == Some(&b'.') {
                continue;
            }
            let child = child_path(path, name);
            let pick = |entry: Option<&TreeEntry>, kind: EntryKind| {
                entry
                    .filter(|entry| entry.kind == kind)
                    .map(|entry| entry.id)
            };
            let (old_subtree, new_subtree) =
                (pick(before, EntryKind::Tree), pick(after, EntryKind::Tree));
            if old_subtree.is_some() || new_subtree.is_some() {
                self.compare_trees(old_subtree, new_subtree, &child, changes)?;
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

/// Orders entries as git sorts a tree: by name, with a subtree's name read as if it
/// ended in `/`. Both sides of a compare come from git in this order, so they merge
/// without sorting. A blob and a subtree of the same name do not match, which makes
/// a file replaced by a folder a removal and an addition.
fn git_order(left: &Tree, a: &TreeEntry, right: &Tree, b: &TreeEntry) -> Ordering {
    let (a_name, b_name) = (left.name(a), right.name(b));
    let shared = a_name.len().min(b_name.len());
    match a_name[..shared].cmp(&b_name[..shared]) {
        Ordering::Equal => {}
        order => return order,
    }
    let next = |name: &[u8], kind: EntryKind| {
        name.get(shared)
            .copied()
            .or((kind == EntryKind::Tree).then_some(b'/'))
    };
    next(a_name, a.kind).cmp(&next(b_name, b.kind))
}

fn child_path(folder: &str, name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    if folder.is_empty() {
        name.into_owned()
    } else {
        format!("{folder}/{name}")
    }
}
