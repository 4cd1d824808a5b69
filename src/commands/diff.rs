//! `okr diff [BASE] [HEAD]`: what changed in the goals between two revisions (by
//! default the merge base with the default branch and the working tree): items
//! added, removed, re-targeted, re-owned and re-aligned, and the lint findings the
//! change introduces and fixes.

use super::Loaded;
use super::git::{Source, start_folder};
use super::lint::check;
use crate::Outcome;
use crate::cli::{DiffArgs, GitArgs, GlobalArgs};
use crate::config::Config;
use crate::diagnostic::Finding;
use crate::error::{Error, Result};
use crate::history::{self, GitRepository, ObjectId};
use crate::index::Index;
use crate::loader::Workspace;
use crate::model::{Direction, Kind};
use crate::render::diff::{DiffChange, DiffReport, LintDelta, write};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

pub(super) fn run(args: &DiffArgs, global: &GlobalArgs, out: &mut dyn Write) -> Result<Outcome> {
    let start = start_folder(global)?;
    let repo = GitRepository::require(&start)?;
    let base = match &args.base {
        Some(revision) => repo.resolve(revision)?,
        None => history::default_base(&repo)?,
    };
    let base_side = Side::at(&repo, &start, base)?;
    let head_side = match &args.head {
        Some(revision) => Side::at(&repo, &start, repo.resolve(revision)?)?,
        None => Side::working_tree(&start)?,
    };

    let as_of = global
        .as_of
        .or(head_side.date)
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let (events, notes) = history::compare_files(&base_side.contents, &head_side.contents);
    let calendar = &head_side.config.calendar;
    let mut changes: Vec<DiffChange> = events
        .into_iter()
        .map(|event| {
            let period = calendar.resolve(&event.key.period);
            let moved_goalpost =
                history::is_moved(&event, as_of, period.as_ref(), head_side.config.freeze);
            DiffChange {
                event,
                moved_goalpost,
                eased: None,
            }
        })
        .collect();

    let head_tip = match head_side.commit {
        Some(commit) => Some(commit),
        None => repo.head()?,
    };
    let base_lint = base_side.lint(&start, Some(base), as_of, &args.git)?;
    let head_lint = head_side.lint(&start, head_tip, as_of, &args.git)?;
    for change in changes.iter_mut().filter(|change| change.moved_goalpost) {
        change.eased = eased(&change.event, &head_lint.workspace);
    }
    let delta = lint_delta(&base_lint, &head_lint);
    let report = DiffReport {
        base,
        head: head_side.commit,
        changes,
        lint: delta,
    };

    write(&report, args.format, out)?;
    out.flush()?;
    // Both sides' lint can note the same thing, such as a shallow clone's boundary.
    let mut noted = HashSet::new();
    for note in notes.iter().chain(&base_lint.notes).chain(&head_lint.notes) {
        if noted.insert(note) {
            crate::terminal::note(note);
        }
    }
    Ok(Outcome::Success)
}

/// Tells whether a target or start change made the key result easier to reach, from
/// its numbers on the head side. Returns `None` where the head side lacks it.
fn eased(event: &history::ItemEvent, head: &Workspace) -> Option<bool> {
    let key = &event.key;
    let key_result_id = key.key_result.as_deref()?;
    let key_result = head
        .files
        .iter()
        .filter(|file| {
            file.period
                .as_ref()
                .is_some_and(|p| *p.value == *key.period)
        })
        .flat_map(|file| &file.objectives)
        .filter(|objective| *objective.id.value == *key.objective)
        .flat_map(|objective| &objective.key_results)
        .find(|key_result| key_result.id.value == key_result_id)?;
    let after = history::Ends {
        start: key_result.start.as_ref().map(|start| start.value),
        target: key_result.target.as_ref().map(|target| target.value),
    };
    let from = |field: &str, now: Option<f64>| match event.change(field) {
        Some(change) => change.from.and_then(history::Value::as_number),
        None => now,
    };
    let before = history::Ends {
        start: from("start", after.start),
        target: from("target", after.target),
    };
    let maintain = (key_result.kind == Kind::Maintain).then(|| {
        key_result
            .direction
            .as_ref()
            .map_or(Direction::AtLeast, |direction| direction.value)
    });
    Some(history::eases(before, after, maintain))
}

/// One side of the comparison: goal files and the config they were read with.
struct Side {
    config: Config,
    contents: Vec<(String, Vec<u8>)>,
    /// The commit, or `None` for the working tree.
    commit: Option<ObjectId>,
    date: Option<NaiveDate>,
}

/// A side's lint findings with the workspace their files index.
pub(super) struct Linted {
    pub(super) workspace: Workspace,
    pub(super) findings: Vec<Finding>,
    pub(super) notes: Vec<String>,
}

impl Side {
    fn at(repo: &GitRepository, start: &Path, commit: ObjectId) -> Result<Side> {
        let short_id = &commit.to_hex()[..7];
        let snapshot = history::load_commit(repo, start, commit, short_id)?;
        Ok(Side {
            config: snapshot.config,
            contents: snapshot.contents,
            commit: Some(snapshot.commit),
            date: Some(snapshot.date),
        })
    }

    fn working_tree(start: &Path) -> Result<Side> {
        let config = Config::discover(start)?;
        let mut contents = Vec::new();
        for path in crate::loader::discover(&config)? {
            let bytes = std::fs::read(&path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            let relative = path.strip_prefix(&config.display_root).unwrap_or(&path);
            let relative = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            contents.push((relative, bytes));
        }
        Ok(Side {
            config,
            contents,
            commit: None,
            date: None,
        })
    }

    /// Lints this side at `as_of`, with history read from `tip`.
    fn lint(
        &self,
        start: &Path,
        tip: Option<ObjectId>,
        as_of: NaiveDate,
        git: &GitArgs,
    ) -> Result<Linted> {
        let workspace = Workspace::from_contents(self.config.clone(), self.contents.clone());
        let index = Index::build(&workspace);
        let loaded = Loaded {
            workspace,
            index,
            as_of,
        };
        let source = Source::new(loaded, GitRepository::require(start)?, tip, as_of);
        let (findings, notes) = check(&source, git, None)?;
        Ok(Linted {
            workspace: source.loaded.workspace,
            findings,
            notes,
        })
    }
}

/// Findings matched between the sides by rule, period, item and message (lines
/// move, so they are not compared). Each base finding matches at most one head
/// finding.
fn lint_delta<'a>(base: &'a Linted, head: &'a Linted) -> LintDelta<'a> {
    type Identity<'f> = (&'f str, Option<&'f str>, Option<&'f str>, &'f str);
    let identity = |finding: &'a Finding| -> Identity<'a> {
        (
            finding.rule,
            finding.period.as_deref(),
            finding.item.as_deref(),
            finding.message.as_str(),
        )
    };
    let mut unmatched: HashMap<Identity<'a>, usize> = HashMap::new();
    for finding in &base.findings {
        *unmatched.entry(identity(finding)).or_default() += 1;
    }
    let mut introduced = Vec::new();
    for finding in &head.findings {
        match unmatched.get_mut(&identity(finding)) {
            Some(count) if *count > 0 => *count -= 1,
            _ => introduced.push(finding),
        }
    }
    let mut fixed = Vec::new();
    for finding in base.findings.iter().rev() {
        if let Some(count) = unmatched.get_mut(&identity(finding))
            && *count > 0
        {
            *count -= 1;
            fixed.push(finding);
        }
    }
    fixed.reverse();
    LintDelta {
        introduced,
        introduced_sources: &head.workspace.sources,
        fixed,
        fixed_sources: &base.workspace.sources,
    }
}
