//! The goal file locations inside the repository's trees: okr.toml's `goals` folders
//! and globs, placed under okr.toml's folder relative to the work tree. The same
//! files count as the loader finds on disk: `*.toml` other than okr.toml, hidden
//! names and symbolic links skipped.

use crate::config::{Config, FILE_NAME};
use crate::error::{Error, Result};
use globset::GlobMatcher;
use std::path::Path;

pub(crate) struct Scope {
    /// okr.toml's folder relative to the work tree, `/`-separated ("" at the top).
    pub(crate) root: String,
    /// Folders to compare, relative to the work tree, none inside another.
    pub(crate) folders: Vec<String>,
    /// The plain `goals` folders, relative to the work tree.
    plain: Vec<String>,
    /// Globs matched against paths relative to `root`.
    globs: Vec<GlobMatcher>,
    /// Changes when anything above changes; cached history is only reused for an
    /// equal fingerprint.
    pub(crate) fingerprint: String,
}

impl Scope {
    pub(crate) fn new(config: &Config, workdir: &Path) -> Result<Scope> {
        let root = relative_root(&config.root, workdir)?;
        let mut plain = Vec::new();
        let mut globs = Vec::new();
        for entry in &config.goals {
            crate::loader::reject_outside_entry(entry)?;
            if entry.contains(['*', '?', '[', '{']) {
                let glob = globset::Glob::new(entry).map_err(|error| Error::Reference {
                    message: format!("invalid glob `{entry}` in okr.toml: {error}"),
                    help: None,
                })?;
                globs.push(glob.compile_matcher());
            } else {
                plain.push(join(&root, &normalize(entry)));
            }
        }

        let mut folders = plain.clone();
        if !globs.is_empty() {
            folders.push(root.clone());
        }
        folders.sort();
        folders.dedup();
        // A folder inside another adds nothing: the outer one is compared in full.
        let outer: Vec<String> = folders
            .iter()
            .filter(|folder| {
                !folders
                    .iter()
                    .any(|other| *other != **folder && is_inside(folder, other))
            })
            .cloned()
            .collect();

        let fingerprint = format!("root={root};goals={}", config.goals.join("\u{1f}"));
        Ok(Scope {
            root,
            folders: outer,
            plain,
            globs,
            fingerprint,
        })
    }

    /// True when a file at `path` (relative to the work tree) is a goal file.
    pub(crate) fn is_goal_file(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name == FILE_NAME
            || !name.ends_with(".toml")
            || path.split('/').any(|part| part.starts_with('.'))
        {
            return false;
        }
        let in_folder = self.plain.iter().any(|folder| is_inside(path, folder));
        in_folder || self.matches_glob(path)
    }

    fn matches_glob(&self, path: &str) -> bool {
        if self.globs.is_empty() {
            return false;
        }
        let Some(relative) = strip_folder(path, &self.root) else {
            return false;
        };
        self.globs.iter().any(|glob| glob.is_match(relative))
    }
}

fn relative_root(root: &Path, workdir: &Path) -> Result<String> {
    let canonical = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let root = canonical(root);
    let workdir = canonical(workdir);
    let relative = root.strip_prefix(&workdir).map_err(|_| Error::Reference {
        message: format!(
            "the goal folders under {} are outside the git work tree {}",
            root.display(),
            workdir.display()
        ),
        help: Some("run okr inside the repository that contains the goal files".to_owned()),
    })?;
    Ok(relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/"))
}

fn normalize(entry: &str) -> String {
    entry
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn join(root: &str, entry: &str) -> String {
    match (root.is_empty(), entry.is_empty()) {
        (true, _) => entry.to_owned(),
        (_, true) => root.to_owned(),
        _ => format!("{root}/{entry}"),
    }
}

/// True when `path` is `folder` or lies below it ("" is the top of the tree).
fn is_inside(path: &str, folder: &str) -> bool {
    strip_folder(path, folder).is_some()
}

fn strip_folder<'p>(path: &'p str, folder: &str) -> Option<&'p str> {
    if folder.is_empty() {
        return Some(path);
    }
    let rest = path.strip_prefix(folder)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(root: &str, goals: &[&str]) -> Scope {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::defaults(dir.path().join(root), dir.path().to_owned());
        config.goals = goals.iter().map(|goal| (*goal).to_owned()).collect();
        std::fs::create_dir_all(&config.root).unwrap();
        Scope::new(&config, dir.path()).unwrap()
    }

    #[test]
    fn folders_sit_under_the_config_folder() {
        let scope = scope("examples/acme", &["okrs", "./more/"]);
        assert_eq!(scope.folders, ["examples/acme/more", "examples/acme/okrs"]);
        assert!(scope.is_goal_file("examples/acme/okrs/2026/company.toml"));
        assert!(!scope.is_goal_file("examples/acme/okrs/.draft/company.toml"));
        assert!(!scope.is_goal_file("examples/acme/okrs/okr.toml"));
        assert!(!scope.is_goal_file("examples/acme/okrs/readme.md"));
        assert!(!scope.is_goal_file("okrs/company.toml"));
    }

    #[test]
    fn nested_folders_collapse() {
        let scope = scope("", &["okrs", "okrs/2026"]);
        assert_eq!(scope.folders, ["okrs"]);
    }

    #[test]
    fn globs_match_relative_to_the_config_folder() {
        let scope = scope("goals", &["teams/*/okrs/*.toml"]);
        assert_eq!(scope.folders, ["goals"]);
        assert!(scope.is_goal_file("goals/teams/a/okrs/q4.toml"));
        assert!(!scope.is_goal_file("goals/teams/a/q4.toml"));
    }
}
