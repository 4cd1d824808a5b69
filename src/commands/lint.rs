//! `okr lint`: every rule over every goal file; findings for the given paths only.

use super::git::{HistoryRequest, Source, facts, load_source};
use crate::Outcome;
use crate::cli::{DenyLevel, GitArgs, GlobalArgs, LintArgs, LintFormat};
use crate::diagnostic::{Finding, Severity};
use crate::error::{Error, Result};
use crate::history::{self, Facts, ItemKey, Threads};
use crate::index::{ObjectiveRef, objectives};
use crate::render::{findings, sarif};
use crate::rules::{
    Context, GitHistory, HistoryInput, Level, MergedReasons, check_without_history,
    final_week_start, finish_with_history,
};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

pub(super) fn run(
    args: &LintArgs,
    global: &GlobalArgs,
    color: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let source = load_source(global, &args.revision)?;
    let workspace = &source.loaded.workspace;
    let base = match &global.directory {
        Some(directory) => directory.clone(),
        None => std::env::current_dir().map_err(|source| Error::Read {
            path: ".".into(),
            source,
        })?,
    };
    let scope = Scope::new(&args.paths, &base, &workspace.config.display_root)?;
    if let Some(unmatched) = scope.unmatched(workspace.sources.iter().map(|s| s.path.as_str())) {
        return Err(not_goal_files(unmatched, &workspace.config));
    }
    let period = match &args.period {
        Some(name) if name != "all" => Some(
            workspace
                .config
                .calendar
                .resolve(name)
                .ok_or_else(|| Error::Reference {
                    message: format!("invalid period `{name}`"),
                    help: Some("use YYYY-Qn, YYYY-Hn, YYYY, a named period, or `all`".to_owned()),
                })?
                .name,
        ),
        _ => None,
    };
    let (all, notes) = check(
        &source,
        &args.revision.git,
        period.as_deref().or(args.period.as_deref()),
    )?;
    let selected: Vec<Finding> = all
        .into_iter()
        .filter(|finding| scope.contains(&workspace.sources[finding.file].path))
        .filter(|finding| match (&period, &finding.period) {
            (Some(wanted), Some(actual)) => wanted == actual,
            _ => true,
        })
        .collect();
    let files = workspace
        .sources
        .iter()
        .filter(|source| scope.contains(&source.path))
        .count();
    let report = findings::Report {
        findings: &selected,
        sources: &workspace.sources,
        files,
        notes,
    };
    let written = match args.format {
        LintFormat::Human => findings::write_human(&report, color, out),
        LintFormat::Json => findings::write_json(&report, out),
        LintFormat::Github => findings::write_github(&report, out),
        LintFormat::Sarif => sarif::write_sarif(&report, out),
        LintFormat::Rdjson => sarif::write_rdjson(&report, out),
    };
    // A reader that closed the pipe early (`okr lint | head`) still gets the exit code
    // of the findings, whatever their size.
    super::unless_pipe_closed(written)?;
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let denied = args.deny == Some(DenyLevel::Warnings) && warnings > 0;
    // The process ends right after, and the system takes the memory back at once,
    // which is faster than freeing every goal file's values one by one.
    std::mem::forget(source);
    Ok(if errors > 0 || denied {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

/// Runs every rule on the source's goals, with the history the history rules need;
/// `period` is the `--period` given, if any. Returns the findings and the notes of
/// rules that were skipped.
pub(super) fn check(
    source: &Source,
    git: &GitArgs,
    period: Option<&str>,
) -> Result<(Vec<Finding>, Vec<String>)> {
    let workspace = &source.loaded.workspace;
    let index = &source.loaded.index;
    let as_of = source.loaded.as_of;
    let is_on = |name: &str| {
        crate::rules::find(name).is_some_and(|rule| workspace.config.level(rule) != Level::Off)
    };
    // Walk nothing for the rules that okr.toml turns off.
    let periods = if is_on("stale") || is_on("moved-goalpost") {
        history_periods(source, period)
    } else {
        Vec::new()
    };
    let ended = if is_on("no-final-check-in") {
        ended_periods(source, period)
    } else {
        Vec::new()
    };
    let in_periods = |names: &[String]| -> Vec<ObjectiveRef> {
        objectives(workspace)
            .map(|(at, _, _)| at)
            .filter(|at| {
                index
                    .file_period(at.file)
                    .is_some_and(|period| names.contains(&period.name))
            })
            .collect()
    };
    let only_ended: Vec<String> = ended
        .iter()
        .filter(|name| !periods.contains(name))
        .cloned()
        .collect();
    // Running periods are read from their start and ended ones from their final week,
    // because `no-final-check-in` only needs to know whether a check-in came in it.
    let since = periods
        .iter()
        .filter_map(|name| index.periods.get(name))
        .map(|period| period.start)
        .chain(
            ended
                .iter()
                .filter_map(|name| index.periods.get(name))
                .map(final_week_start),
        )
        .min();
    let context = Context::new(workspace, index, as_of);
    // The other rules run on rayon's threads while this one reads the history, so it
    // matches the history's events with the key results on its own.
    let (facts, first_entries, unfinished) = std::thread::scope(|scope| {
        let early = scope.spawn(|| check_without_history(&context));
        let mut request = HistoryRequest::default();
        request.add(workspace, &in_periods(&periods), true);
        request.add(workspace, &in_periods(&only_ended), false);
        let facts = facts(source, git, &request.interest, since, Threads::Caller);
        let unfinished = early
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (facts, request.first_entries(), unfinished)
    });
    let history = match facts {
        Ok(Some(facts)) => HistoryInput {
            periods,
            ended,
            merged_reasons: merged_reasons(source, &facts)?,
            git: GitHistory::Known(facts),
            first_entries,
        },
        Ok(None) => HistoryInput::unavailable(
            periods,
            source.no_history.as_deref().unwrap_or("no git history"),
        ),
        // The goal files are checked all the same, and the history rules note why
        // they were skipped.
        Err(Error::Git { message }) => HistoryInput::unavailable(
            periods,
            &format!("the git history could not be read ({message})"),
        ),
        Err(error) => return Err(error),
    };
    let checked = finish_with_history(&context, &history, unfinished);
    // Freed by the system at exit, as the goal files are.
    std::mem::forget(history);
    Ok(checked)
}

/// Finds, for each merge commit that moved a goalpost, the key results whose change a
/// commit of the merged branch explains. Such a change belongs to the merge commit on
/// the first-parent chain, but its reason is usually in the branch's own commit.
fn merged_reasons(source: &Source, facts: &Facts) -> Result<MergedReasons> {
    let Some(repo) = &source.repo else {
        return Ok(MergedReasons::new());
    };
    let scope = history::Scope::new(&source.loaded.workspace.config, repo.workdir())?;
    let mut found = MergedReasons::new();
    for commit in facts.goalpost_commits() {
        let keys: HashSet<ItemKey> = history::branch_reasons(repo, &scope, commit)
            .into_iter()
            .filter(|(event, _)| history::changes_goalpost(event))
            .map(|(event, _)| event.key)
            .collect();
        if !keys.is_empty() {
            found.insert(commit, keys);
        }
    }
    Ok(found)
}

/// The periods the history rules check: the one `--period` names (every period for
/// `all`), else those running at the as-of date.
fn history_periods(source: &Source, period: Option<&str>) -> Vec<String> {
    let index = &source.loaded.index;
    match period {
        Some("all") => index.periods.keys().cloned().collect(),
        Some(name) => vec![name.to_owned()],
        None => index
            .periods
            .values()
            .filter(|period| period.contains(source.loaded.as_of))
            .map(|period| period.name.clone())
            .collect(),
    }
}

/// Returns the ended periods whose history `no-final-check-in` reads: the one
/// `--period` names (every period for `all`), else every period that ended before the
/// as-of date.
fn ended_periods(source: &Source, period: Option<&str>) -> Vec<String> {
    let as_of = source.loaded.as_of;
    source
        .loaded
        .index
        .periods
        .values()
        .filter(|candidate| as_of > candidate.end)
        .filter(|candidate| match period {
            None | Some("all") => true,
            Some(name) => candidate.name == name,
        })
        .map(|candidate| candidate.name.clone())
        .collect()
}

/// Returns the error for a path given to lint that contains no goal files: a file,
/// such as okr.toml, is not a goal file, and a folder has none under it.
fn not_goal_files(path: &str, config: &crate::config::Config) -> Error {
    let help = "name goal files or folders inside the goal folders of okr.toml (default okrs/)";
    if config.display_root.join(path).is_file() {
        return Error::Reference {
            message: format!(
                "`{path}` is not a goal file: it is not a *.toml file under the goal folders ({})",
                config.goals.join(", ")
            ),
            help: Some(format!("{help}, not hidden files or links")),
        };
    }
    Error::Reference {
        message: format!("no goal files under `{path}`"),
        help: Some(help.to_owned()),
    }
}

/// The paths findings are reported for, relative to the display root.
struct Scope {
    prefixes: Vec<String>,
}

impl Scope {
    /// Resolves each path against `base` (the `-C` folder or the working directory);
    /// a path outside the repository is an error.
    fn new(paths: &[PathBuf], base: &Path, root: &Path) -> Result<Scope> {
        let mut prefixes = Vec::new();
        for path in paths {
            let absolute =
                normalize(
                    &std::path::absolute(base.join(path)).map_err(|source| Error::Read {
                        path: path.clone(),
                        source,
                    })?,
                );
            if !absolute.exists() {
                return Err(Error::Reference {
                    message: format!(
                        "path not found: {} (looked for {})",
                        path.display(),
                        absolute.display()
                    ),
                    help: Some(
                        "name goal files or folders that exist, relative to the working \
                         directory, or to the folder given with -C"
                            .to_owned(),
                    ),
                });
            }
            let Ok(relative) = absolute.strip_prefix(normalize(root)) else {
                return Err(Error::Reference {
                    message: format!("{} is outside the repository", path.display()),
                    help: Some(format!("name files or folders under {}", root.display())),
                });
            };
            let text = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            prefixes.push(text);
        }
        Ok(Scope { prefixes })
    }

    fn covers(prefix: &str, path: &str) -> bool {
        prefix.is_empty()
            || path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    fn contains(&self, path: &str) -> bool {
        self.prefixes.is_empty()
            || self
                .prefixes
                .iter()
                .any(|prefix| Self::covers(prefix, path))
    }

    /// The first given path that covers none of `paths`.
    fn unmatched<'p>(&self, paths: impl Iterator<Item = &'p str> + Clone) -> Option<&str> {
        self.prefixes
            .iter()
            .find(|prefix| !paths.clone().any(|path| Self::covers(prefix, path)))
            .map(String::as_str)
    }
}

/// Removes `.` and resolves `..` without touching the file system, so `okrs/sub/..`
/// names the same files as `okrs`.
fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}
