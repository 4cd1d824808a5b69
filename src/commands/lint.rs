//! `okr lint`: every rule over every goal file; findings for the given paths only.

use super::git::{Source, facts, interest, load_source};
use crate::Outcome;
use crate::cli::{DenyLevel, GitArgs, GlobalArgs, LintArgs, LintFormat};
use crate::diagnostic::{Finding, Severity};
use crate::error::{Error, Result};
use crate::index::{ObjectiveRef, objectives};
use crate::render::findings;
use crate::rules::{Context, GitHistory, HistoryInput, check_all_with_history};
use std::io::Write;
use std::path::Path;

pub(super) fn run(
    args: &LintArgs,
    global: &GlobalArgs,
    color: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let source = load_source(global, &args.revision)?;
    let workspace = &source.loaded.workspace;
    let scope = Scope::new(&args.paths, &workspace.config.display_root)?;
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
    match args.format {
        LintFormat::Human => findings::write_human(&report, color, out)?,
        LintFormat::Json => findings::write_json(&report, out)?,
        LintFormat::Github => findings::write_github(&report, out)?,
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let denied = args.deny == Some(DenyLevel::Warnings) && warnings > 0;
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
    let periods = history_periods(source, period);
    let chosen: Vec<ObjectiveRef> = objectives(workspace)
        .map(|(at, _, _)| at)
        .filter(|at| {
            index
                .file_period(at.file)
                .is_some_and(|period| periods.contains(&period.name))
        })
        .collect();
    let since = periods
        .iter()
        .filter_map(|name| index.periods.get(name))
        .map(|period| period.start)
        .min();
    let wanted = interest(workspace, &chosen);
    let history = match facts(source, git, &wanted, since)? {
        Some(facts) => HistoryInput {
            periods,
            git: GitHistory::Known(facts),
        },
        None => HistoryInput::unavailable(
            periods,
            source.no_history.as_deref().unwrap_or("no git history"),
        ),
    };
    let context = Context {
        workspace,
        index,
        as_of,
    };
    Ok(check_all_with_history(&context, &history))
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

/// The paths findings are reported for, relative to the display root.
struct Scope {
    prefixes: Vec<String>,
}

impl Scope {
    fn new(paths: &[std::path::PathBuf], root: &Path) -> Result<Scope> {
        let mut prefixes = Vec::new();
        for path in paths {
            if !path.exists() {
                return Err(Error::Reference {
                    message: format!("path not found: {}", path.display()),
                    help: Some("name goal files or folders that exist".to_owned()),
                });
            }
            let absolute = std::path::absolute(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            let relative = absolute.strip_prefix(root).unwrap_or(&absolute);
            let text = relative
                .components()
                .filter(|part| !matches!(part, std::path::Component::CurDir))
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            prefixes.push(text);
        }
        Ok(Scope { prefixes })
    }

    fn contains(&self, path: &str) -> bool {
        self.prefixes.is_empty()
            || self.prefixes.iter().any(|prefix| {
                prefix.is_empty()
                    || path == prefix
                    || path
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }
}
