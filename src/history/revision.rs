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
    if to.contains("..") {
        return Err(Error::BadRevision {
            revision: text.to_owned(),
            message: "a range has one `..` between two revisions, but this one has more".to_owned(),
        });
    }
    // A side's error quotes the whole range, as it was written, and names the side.
    let side = |name: &str| {
        let name = if name.is_empty() { "HEAD" } else { name };
        repo.resolve(name).map_err(|error| match error {
            Error::BadRevision { message, .. } => Error::BadRevision {
                revision: text.to_owned(),
                message: format!("in `{name}`, {message}"),
            },
            other => other,
        })
    };
    Ok(Range {
        from: Some(side(from)?),
        to: side(to)?,
    })
}

/// Explains in plain words why git could not resolve `revision`. A `~N` or `^N` step
/// past the start of the history is found by taking the steps one by one, because
/// libgit2 reports it as "parent 0 does not exist".
pub(super) fn explain_failure(
    repo: &git2::Repository,
    revision: &str,
    error: &git2::Error,
) -> String {
    if let Some(message) = explain_steps(repo, revision) {
        return message;
    }
    // libgit2 words a name it cannot find as "revspec 'nope' not found", and a
    // `^{/text}` search that matches nothing as "no error".
    let message = error.message();
    let generic_not_found =
        message.is_empty() || message == "no error" || message.starts_with("revspec");
    match error.code() {
        git2::ErrorCode::NotFound if generic_not_found => {
            "no branch, tag or commit matches it".to_owned()
        }
        git2::ErrorCode::InvalidSpec => {
            format!("it is not valid revision syntax ({})", error.message())
        }
        _ => error.message().to_owned(),
    }
}

/// A `~N` (N first parents back) or `^N` (the Nth parent) step after a revision name.
#[derive(Debug, PartialEq)]
enum Step {
    Back(usize),
    Parent(usize),
}

/// Splits `HEAD~2^2` into its name (`HEAD`) and its steps, each with its text, or
/// returns `None` when the revision does not end in steps.
fn split_steps(revision: &str) -> Option<(&str, Vec<(Step, &str)>)> {
    let is_step_char = |c: char| matches!(c, '~' | '^') || c.is_ascii_digit();
    let tail_start = revision.trim_end_matches(is_step_char).len();
    let steps_start = tail_start + revision[tail_start..].find(['~', '^'])?;
    let (name, mut rest) = revision.split_at(steps_start);
    if name.is_empty() {
        return None;
    }
    let mut steps = Vec::new();
    while let Some(operator) = rest.chars().next() {
        let digits_end = rest[1..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(rest.len(), |end| end + 1);
        let count = match &rest[1..digits_end] {
            "" => 1,
            digits => digits.parse().ok()?,
        };
        let step = if operator == '~' {
            Step::Back(count)
        } else {
            Step::Parent(count)
        };
        steps.push((step, &rest[..digits_end]));
        rest = &rest[digits_end..];
    }
    Some((name, steps))
}

/// Takes the steps of `revision` one by one and describes the first that goes past
/// the history. Returns `None` when the name does not resolve or every step works.
fn explain_steps(repo: &git2::Repository, revision: &str) -> Option<String> {
    let (name, steps) = split_steps(revision)?;
    let mut commit = repo.revparse_single(name).ok()?.peel_to_commit().ok()?;
    let mut reached = name.to_owned();
    let shallow = if repo.is_shallow() {
        " (this is a shallow clone, so older commits were not fetched)"
    } else {
        ""
    };
    for (step, text) in steps {
        match step {
            Step::Back(count) => {
                for commits_before in 0..count {
                    let Ok(parent) = commit.parent(0) else {
                        return Some(format!(
                            "the history has only {} before {reached}, following first parents{shallow}",
                            commits(commits_before)
                        ));
                    };
                    commit = parent;
                }
            }
            Step::Parent(0) => {}
            Step::Parent(number) => {
                let parents = commit.parent_count();
                if number > parents {
                    let parent_text = match parents {
                        0 => "no parents".to_owned(),
                        1 => "1 parent".to_owned(),
                        many => format!("{many} parents"),
                    };
                    return Some(format!(
                        "`{text}` names parent {number} of {reached}, but {reached} has {parent_text}{shallow}"
                    ));
                }
                commit = commit.parent(number - 1).ok()?;
            }
        }
        reached.push_str(text);
    }
    None
}

fn commits(count: usize) -> String {
    if count == 1 {
        "1 commit".to_owned()
    } else {
        format!("{count} commits")
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_split_from_name() {
        assert_eq!(
            split_steps("HEAD~1000"),
            Some(("HEAD", vec![(Step::Back(1000), "~1000")]))
        );
        assert_eq!(
            split_steps("v1.0~2^2^"),
            Some((
                "v1.0",
                vec![
                    (Step::Back(2), "~2"),
                    (Step::Parent(2), "^2"),
                    (Step::Parent(1), "^")
                ]
            ))
        );
        assert_eq!(
            split_steps("abc123^"),
            Some(("abc123", vec![(Step::Parent(1), "^")]))
        );
        assert_eq!(
            split_steps("HEAD^{commit}~"),
            Some(("HEAD^{commit}", vec![(Step::Back(1), "~")]))
        );
    }

    #[test]
    fn names_without_steps_are_not_split() {
        assert_eq!(split_steps("main"), None);
        assert_eq!(split_steps("abc123"), None);
        assert_eq!(split_steps("~2"), None);
        assert_eq!(split_steps("HEAD@{5}"), None);
    }
}
