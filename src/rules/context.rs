//! What every rule sees (the workspace, the index, the as-of date, what git history
//! tells) and the sink that applies okr.toml's levels and each item's `allow` list to
//! what rules report.

use crate::diagnostic::{Finding, Severity, quoted};
use crate::index::{Index, ObjectiveRef};
use crate::loader::Workspace;
use crate::model::{GoalFile, KeyResult, Objective, Spanned, Text};
use crate::rules::history::HistoryInput;
use crate::rules::{Level, REGISTRY};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::ops::Range;

pub(crate) struct Context<'w> {
    pub(crate) workspace: &'w Workspace,
    pub(crate) index: &'w Index,
    /// The date time-bound rules judge against (`--as-of`, default today).
    pub(crate) as_of: NaiveDate,
    /// The goal files that rules judging one item at a time look at: all of them, or one
    /// shard of them when those rules run in parallel.
    files: Range<usize>,
}

impl<'w> Context<'w> {
    pub(crate) fn new(workspace: &'w Workspace, index: &'w Index, as_of: NaiveDate) -> Self {
        Context {
            workspace,
            index,
            as_of,
            files: 0..workspace.files.len(),
        }
    }

    fn shard(&self, files: Range<usize>) -> Self {
        Context { files, ..*self }
    }

    /// Iterates over this context's files, with their indexes in `Workspace::files`.
    pub(crate) fn files(&self) -> impl Iterator<Item = (usize, &'w GoalFile)> + use<'w> {
        let first = self.files.start;
        self.workspace.files[self.files.clone()]
            .iter()
            .enumerate()
            .map(move |(offset, file)| (first + offset, file))
    }

    /// Iterates over the objectives of this context's files, with their places.
    pub(crate) fn objectives(
        &self,
    ) -> impl Iterator<Item = (ObjectiveRef, &'w GoalFile, &'w Objective)> + use<'w> {
        let files = &self.workspace.files[self.files.clone()];
        let first = self.files.start;
        files.iter().enumerate().flat_map(move |(offset, file)| {
            file.objectives
                .iter()
                .enumerate()
                .map(move |(objective, item)| {
                    let at = ObjectiveRef {
                        file: first + offset,
                        objective,
                    };
                    (at, file, item)
                })
        })
    }

    /// Iterates over the objectives and key results of this context's files, each
    /// objective before its key results.
    pub(crate) fn items(&self) -> impl Iterator<Item = (&'w GoalFile, Item<'w>)> + use<'w> {
        self.objectives().flat_map(|(_, file, objective)| {
            std::iter::once((file, Item::Objective(objective))).chain(
                objective
                    .key_results
                    .iter()
                    .map(move |key_result| (file, Item::KeyResult(objective, key_result))),
            )
        })
    }
}

/// Collects findings; drops those whose rule is off or allowed on the item.
pub(crate) struct Sink<'w> {
    workspace: &'w Workspace,
    pub(crate) findings: Vec<Finding>,
    /// Remarks that are not findings, such as a rule skipped outside git.
    pub(crate) notes: Vec<String>,
}

/// What a finding is about, for its `item` and `allow` lists.
#[derive(Clone, Copy)]
pub(crate) enum Subject<'a> {
    File,
    Objective(&'a Objective),
    KeyResult(&'a Objective, &'a KeyResult),
}

impl Subject<'_> {
    /// Formats the subject as messages name it, or returns `None` for a file.
    pub(crate) fn name(&self) -> Option<String> {
        match *self {
            Subject::File => None,
            Subject::Objective(objective) => Some(Item::Objective(objective).name()),
            Subject::KeyResult(objective, key_result) => {
                Some(Item::KeyResult(objective, key_result).name())
            }
        }
    }
}

/// An objective or one of its key results: the items most rules look at.
#[derive(Clone, Copy)]
pub(crate) enum Item<'a> {
    Objective(&'a Objective),
    KeyResult(&'a Objective, &'a KeyResult),
}

impl<'a> Item<'a> {
    pub(crate) fn subject(self) -> Subject<'a> {
        match self {
            Item::Objective(objective) => Subject::Objective(objective),
            Item::KeyResult(objective, key_result) => Subject::KeyResult(objective, key_result),
        }
    }

    /// Formats the item as messages name it: "objective `id`" or "key result `id/kr`",
    /// with long ids cut by `quoted`.
    pub(crate) fn name(self) -> String {
        match self {
            Item::Objective(objective) => format!("objective `{}`", quoted(&objective.id.value)),
            Item::KeyResult(objective, key_result) => {
                format!(
                    "key result `{}/{}`",
                    quoted(&objective.id.value),
                    quoted(&key_result.id.value)
                )
            }
        }
    }

    pub(crate) fn title(self) -> &'a Spanned<Text> {
        match self {
            Item::Objective(objective) => &objective.title,
            Item::KeyResult(_, key_result) => &key_result.title,
        }
    }

    /// Returns the span of the item's `[[...]]` header.
    pub(crate) fn header(self) -> Range<usize> {
        match self {
            Item::Objective(objective) => objective.span.clone(),
            Item::KeyResult(_, key_result) => key_result.span.clone(),
        }
    }

    /// True when the title field is absent; the loader then stores an empty title with
    /// the header's span, and `missing-field` has reported it.
    pub(crate) fn title_is_missing(self) -> bool {
        self.title().span == self.header()
    }
}

impl<'w> Sink<'w> {
    pub(crate) fn new(workspace: &'w Workspace) -> Self {
        Sink {
            workspace,
            findings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Returns an empty sink for a part of the work, to `merge` back.
    pub(crate) fn part(&self) -> Sink<'w> {
        Sink::new(self.workspace)
    }

    /// True unless okr.toml turns the rule off.
    pub(crate) fn is_enabled(&self, rule: &str) -> bool {
        self.severity(rule).is_some()
    }

    /// Takes the findings and notes of the parts, in order.
    pub(crate) fn merge(&mut self, parts: Vec<Sink<'w>>) {
        for part in parts {
            self.findings.extend(part.findings);
            for note in part.notes {
                self.note(note);
            }
        }
    }

    /// Adds a note for the report, once per text.
    pub(crate) fn note(&mut self, text: String) {
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }

    fn severity(&self, rule: &str) -> Option<Severity> {
        let registered = REGISTRY.iter().find(|registered| registered.name == rule)?;
        match self.workspace.config.level(registered) {
            Level::Error => Some(Severity::Error),
            Level::Warn => Some(Severity::Warning),
            Level::Off => None,
        }
    }

    /// Reports a finding on a goal file, an objective or a key result.
    pub(crate) fn report(
        &mut self,
        rule: &'static str,
        file: &GoalFile,
        subject: Subject<'_>,
        span: Range<usize>,
        message: String,
        help: String,
    ) {
        let allowed = |allow: &[Text]| allow.iter().any(|name| name == rule);
        let item = match subject {
            Subject::File => None,
            Subject::Objective(objective) => {
                if allowed(&objective.allow) {
                    return;
                }
                Some(objective.id.value.to_string())
            }
            Subject::KeyResult(objective, key_result) => {
                if allowed(&objective.allow) || allowed(&key_result.allow) {
                    return;
                }
                Some(format!("{}/{}", objective.id.value, key_result.id.value))
            }
        };
        let Some(severity) = self.severity(rule) else {
            return;
        };
        self.findings.push(Finding {
            rule,
            severity,
            file: file.source,
            span: Some(span),
            item,
            period: file.period.as_ref().map(|period| period.value.to_string()),
            message,
            help,
        });
    }
}

/// Files per shard of the per-item rules: enough work per task to outweigh the
/// scheduling, small enough to spread over every core.
const SHARD_FILES: usize = 128;

/// Runs the rules that judge each objective and key result on its own, on the
/// context's files only.
fn check_per_item(context: &Context<'_>, sink: &mut Sink<'_>) {
    super::structure::check_per_item(context, sink);
    super::specific::check_per_item(context, sink);
    super::measurable::check_per_item(context, sink);
    super::achievable::check_per_item(context, sink);
    super::relevant::check_per_item(context, sink);
    super::time_bound::check_per_item(context, sink);
    super::ownership::check_per_item(context, sink);
}

/// Rules that compare items across files (counts per team and owner, alignment,
/// anchors, owner spellings), in groups that run in parallel with each other and with the
/// per-item shards. The order is the order of their notes.
const ACROSS_FILES: &[fn(&Context<'_>, &mut Sink<'_>)] = &[
    super::achievable::check_across_files,
    super::relevant::check_alignment,
    super::relevant::check_anchors,
    super::time_bound::check_across_files,
    super::ownership::check_across_files,
];

/// Rules that read git history, run in parallel once the history is read. The order is
/// the order of their notes.
const WITH_HISTORY: &[fn(&Context<'_>, &HistoryInput, &mut Sink<'_>)] = &[
    super::time_bound::check_with_history,
    super::history::stale_and_moved,
];

/// A unit of rule work: the per-item rules on a shard of files, or one group of
/// `ACROSS_FILES`.
enum Task {
    Shard(Range<usize>),
    Across(usize),
}

/// Runs every rule without git history (the history rules then use `checked` dates
/// only) and returns the findings, sorted as `check_all_with_history` sorts them.
/// Commands read history, so only tests call this.
#[cfg(test)]
pub(crate) fn check_all(context: &Context<'_>) -> Vec<Finding> {
    let running = context
        .index
        .periods
        .values()
        .filter(|period| period.contains(context.as_of))
        .map(|period| period.name.clone())
        .collect();
    let history = HistoryInput::unavailable(running, "no git history was read");
    check_all_with_history(context, &history).0
}

/// Runs every rule, the history rules with the facts in `history`, and returns the
/// findings, loader findings included, sorted by file, line, column and rule, and the
/// notes rules left.
#[cfg(test)]
fn check_all_with_history(
    context: &Context<'_>,
    history: &HistoryInput,
) -> (Vec<Finding>, Vec<String>) {
    finish_with_history(context, history, check_without_history(context))
}

/// Findings and notes of the rules that need no history, and the loader's findings.
pub(crate) struct Unfinished<'w> {
    sink: Sink<'w>,
}

/// Runs the rules that need no git history, so that a command can run them while it
/// reads the history.
pub(crate) fn check_without_history<'w>(context: &Context<'w>) -> Unfinished<'w> {
    let workspace = context.workspace;
    let mut sink = Sink::new(workspace);
    sink.notes.extend(workspace.notes.iter().cloned());
    for finding in &workspace.findings {
        if let Some(severity) = sink.severity(finding.rule) {
            sink.findings.push(Finding {
                severity,
                ..finding.clone()
            });
        }
    }
    // The larger groups across files come first, so that they start early.
    let tasks: Vec<Task> = (0..ACROSS_FILES.len())
        .map(Task::Across)
        .chain(
            (0..workspace.files.len())
                .step_by(SHARD_FILES)
                .map(|start| Task::Shard(start..workspace.files.len().min(start + SHARD_FILES))),
        )
        .collect();
    let parts: Vec<Sink<'_>> = tasks
        .into_par_iter()
        .map(|task| {
            let mut part = Sink::new(workspace);
            match task {
                Task::Shard(files) => check_per_item(&context.shard(files), &mut part),
                Task::Across(group) => ACROSS_FILES[group](context, &mut part),
            }
            part
        })
        .collect();
    sink.merge(parts);
    Unfinished { sink }
}

/// Runs the history rules with the facts in `history` and returns every finding,
/// sorted by file, line, column and rule, and the notes rules left.
pub(crate) fn finish_with_history(
    context: &Context<'_>,
    history: &HistoryInput,
    unfinished: Unfinished<'_>,
) -> (Vec<Finding>, Vec<String>) {
    let workspace = context.workspace;
    let mut sink = unfinished.sink;
    let parts: Vec<Sink<'_>> = WITH_HISTORY
        .par_iter()
        .map(|check| {
            let mut part = Sink::new(workspace);
            check(context, history, &mut part);
            part
        })
        .collect();
    sink.merge(parts);
    let notes = std::mem::take(&mut sink.notes);
    let mut findings = sink.findings;
    findings.sort_by_cached_key(|finding| {
        let source = &workspace.sources[finding.file];
        let position = finding.span.clone().map(|span| source.position(span.start));
        (source.path.clone(), position, finding.rule)
    });
    (findings, notes)
}
