//! Reasons given on a merged branch. On the first-parent chain a change made on a
//! branch belongs to the merge commit that brought it in, while its reason is usually
//! in the branch's own commit. This reads the merged commits that give a reason and
//! finds what each of them changed.

use super::compare_files;
use super::event::ItemEvent;
use super::reason::message_reason;
use super::scope::Scope;
use super::store::{GitRepository, ObjectId, ObjectStore};
use super::tree_diff::TreeDiff;
use crate::error::Result;

/// Merged commits read per merge, newest first. The commits of a longer branch that
/// come before them are not read.
const MAX_MERGED_COMMITS: usize = 1000;

/// Returns the item events of the commits that `merge` brought in whose message gives
/// a reason, each with that reason. Commits that give no reason, or that cannot be
/// read, are skipped, so their changes stay unexplained. Empty for a commit with one
/// parent.
pub(crate) fn branch_reasons(
    repo: &GitRepository,
    scope: &Scope,
    merge: ObjectId,
) -> Vec<(ItemEvent, String)> {
    let mut found = Vec::new();
    for (commit, message) in repo.merged_commits(merge, MAX_MERGED_COMMITS) {
        let Some(reason) = message_reason(&message) else {
            continue;
        };
        if let Ok(events) = commit_events(repo, scope, commit) {
            found.extend(events.into_iter().map(|event| (event, reason.clone())));
        }
    }
    found
}

/// Returns the item events of one commit against its first parent.
fn commit_events(repo: &GitRepository, scope: &Scope, commit: ObjectId) -> Result<Vec<ItemEvent>> {
    let info = repo.commit(commit)?;
    let parent_tree = match info.first_parent {
        Some(parent) => Some(repo.commit(parent)?.tree),
        None => None,
    };
    let changes = TreeDiff::new(repo, scope).compare(parent_tree, Some(info.tree))?;
    let mut old = Vec::new();
    let mut new = Vec::new();
    for change in &changes {
        if let Some(blob) = change.old {
            old.push((change.path.to_string(), repo.blob(blob)?));
        }
        if let Some(blob) = change.new {
            new.push((change.path.to_string(), repo.blob(blob)?));
        }
    }
    let (events, _) = compare_files(&old, &new);
    Ok(events)
}
