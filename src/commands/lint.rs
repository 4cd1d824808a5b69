//! `okr lint`: every rule over every goal file; findings for the given paths only.

use super::{Loaded, load};
use crate::Outcome;
use crate::cli::{DenyLevel, GlobalArgs, LintArgs, LintFormat};
use crate::diagnostic::{Finding, Severity};
use crate::error::{Error, Result};
use crate::render::findings;
use crate::rules::{Context, check_all};
use std::io::Write;
use std::path::Path;

pub(super) fn run(
    args: &LintArgs,
    global: &GlobalArgs,
    color: bool,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let Loaded {
        workspace,
        index,
        as_of,
    } = load(global)?;
    let context = Context {
        workspace: &workspace,
        index: &index,
        as_of,
    };
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
    let selected: Vec<Finding> = check_all(&context)
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
        notes: Vec::new(),
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
