//! Goals as they were at a revision (`--rev REV`): okr.toml and every goal file read
//! from the commit's tree, without checking anything out.

use super::event::CommitMeta;
use super::scope::Scope;
use super::store::{GitRepository, ObjectId, ObjectStore};
use super::tree_diff::TreeDiff;
use crate::config::{Config, FILE_NAME};
use crate::error::{ConfigError, Error, Result};
use chrono::NaiveDate;
use miette::NamedSource;
use std::path::{Path, PathBuf};

pub(crate) struct Snapshot {
    pub(crate) commit: ObjectId,
    /// The commit's committer date, in the committer's offset.
    pub(crate) date: NaiveDate,
    pub(crate) config: Config,
    /// Goal files as (path relative to the work tree, bytes); empty where the
    /// revision has none, which each command judges for itself.
    pub(crate) contents: Vec<(String, Vec<u8>)>,
}

/// Reads okr.toml (found by walking up from `start`, as on disk) and the goal files
/// from `revision`'s tree.
pub(crate) fn load_at(repo: &GitRepository, start: &Path, revision: &str) -> Result<Snapshot> {
    let commit = repo.resolve(revision)?;
    load_commit(repo, start, commit, revision)
}

/// Like `load_at`, for a commit already resolved; `revision` names it in messages.
pub(crate) fn load_commit(
    repo: &GitRepository,
    start: &Path,
    commit: ObjectId,
    revision: &str,
) -> Result<Snapshot> {
    let info = repo.commit(commit)?;
    let workdir = canonical(repo.workdir());
    let start = canonical(start);
    let relative = start.strip_prefix(&workdir).map_err(|_| Error::Reference {
        message: format!(
            "{} is outside the git work tree {}",
            start.display(),
            workdir.display()
        ),
        help: None,
    })?;
    let relative = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>();

    let config = config_at(repo, commit, &workdir, &relative).map_err(|error| match error {
        Error::Config(config_error) => {
            Error::Config(Box::new(at_revision(*config_error, revision)))
        }
        other => other,
    })?;
    let scope = Scope::new(&config, &workdir).map_err(|error| match error {
        // The goals come from that revision's okr.toml, not the working tree's.
        Error::Reference { message, help } => Error::Reference {
            message: format!("{message} (as of revision `{revision}`)"),
            help,
        },
        other => other,
    })?;
    let mut diff = TreeDiff::new(repo, &scope);
    let mut contents = Vec::new();
    for change in diff.list(info.tree)? {
        if let Some(blob) = change.new {
            contents.push((change.path.to_string(), repo.blob(blob)?));
        }
    }

    let meta = CommitMeta {
        id: commit,
        author: String::new(),
        email: String::new(),
        time: info.time,
        offset_minutes: info.offset_minutes,
        message: String::new(),
    };
    Ok(Snapshot {
        commit,
        date: meta.date(),
        config,
        contents,
    })
}

/// Reads the config in effect at `commit` for a run started in `relative` (folder names
/// below the work tree): the nearest okr.toml at or above it, else the defaults.
fn config_at(
    repo: &GitRepository,
    commit: ObjectId,
    workdir: &Path,
    relative: &[String],
) -> Result<Config> {
    for depth in (0..=relative.len()).rev() {
        let folder = relative[..depth].join("/");
        let path = if folder.is_empty() {
            FILE_NAME.to_owned()
        } else {
            format!("{folder}/{FILE_NAME}")
        };
        if let Some(blob) = repo.blob_at(commit, &path)? {
            let bytes = repo.blob(blob)?;
            let text = String::from_utf8_lossy(&bytes);
            let root = workdir.join(&folder);
            return Config::parse(&text, &workdir.join(&path), root, workdir.to_path_buf());
        }
    }
    let start = workdir.join(relative.join("/"));
    Ok(Config::defaults(start, workdir.to_path_buf()))
}

/// Names the revision in a problem of the okr.toml read from it, so it is not taken for
/// the working tree's file: the source becomes `REV:okr.toml`, as git writes it.
fn at_revision(error: ConfigError, revision: &str) -> ConfigError {
    let name = format!("{revision}:{}", error.source_code.name());
    let text = error.source_code.inner().clone();
    ConfigError {
        message: format!("{} (as of revision `{revision}`)", error.message),
        source_code: NamedSource::new(name, text),
        ..error
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
