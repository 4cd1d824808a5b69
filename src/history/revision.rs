//! Revisions on the command line: `REV` and `A..B`, and the default base of
//! `okr diff`.

use super::store::{GitRepository, ObjectId};
use crate::error::{Error, Result};

/// A stretch of the first-parent chain: from `to` back to (not including) `from`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Range {
    pub(crate) from: Option<ObjectId>,
    pub(crate) to: ObjectId,
}

/// Parses `REV` (its whole history) or `A..B` (B's first-parent chain without the
/// commits reachable from A); an empty side of `..` is HEAD.
pub(crate) fn parse_range(repo: &GitRepository, text: &str) -> Result<Range> {
    if text.contains("...") {
        return Err(Error::BadRevision {
            revision: text.to_owned(),
            message: "symmetric ranges (A...B) are not supported".to_owned(),
        });
    }
    let Some((from, to)) = text.split_once("..") else {
        return Ok(Range {
            from: None,
            to: repo.resolve(text)?,
        });
    };
    let side = |name: &str| repo.resolve(if name.is_empty() { "HEAD" } else { name });
    Ok(Range {
        from: Some(side(from)?),
        to: side(to)?,
    })
}

/// Returns the base `okr diff` compares with when none is given: the merge base of HEAD
/// with the remote's default branch (origin/HEAD), else with main, else master.
pub(crate) fn default_base(repo: &GitRepository) -> Result<ObjectId> {
    let head = repo.require_head()?;
    for name in [
        "refs/remotes/origin/HEAD",
        "refs/heads/main",
        "refs/heads/master",
    ] {
        if let Some(branch) = repo.reference(name) {
            return repo
                .merge_base(head, branch)?
                .ok_or_else(|| Error::Reference {
                    message: format!("HEAD and {name} have no commit in common"),
                    help: Some("name the base to compare with: `okr diff BASE`".to_owned()),
                });
        }
    }
    Err(Error::Reference {
        message: "no default branch to compare with: none of origin/HEAD, main and master exists"
            .to_owned(),
        help: Some("name the base to compare with: `okr diff BASE`".to_owned()),
    })
}
