//! One module per subcommand, each with a `run`; this module dispatches and contains
//! the steps they share: finding the config, loading goals, choosing the as-of date.

mod blame;
mod diff;
mod explain;
mod git;
mod history;
mod lint;
mod progress;
mod rules;
mod schema;
mod tree;

use crate::Outcome;
use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::index::Index;
use crate::loader::Workspace;
use chrono::NaiveDate;
use std::io::Write;

pub(crate) fn run(cli: Cli, color: bool) -> Result<Outcome> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let outcome = match cli.command {
        Command::Lint(args) => lint::run(&args, &cli.global, color, &mut out),
        Command::Progress(args) => progress::run(&args, &cli.global, color, &mut out),
        Command::Tree(args) => tree::run(&args, &cli.global, &mut out),
        Command::History(args) => history::run(&args, &cli.global, color, &mut out),
        Command::Diff(args) => diff::run(&args, &cli.global, &mut out),
        Command::Blame(args) => blame::run(&args, &cli.global, &mut out),
        Command::Explain(args) => explain::run(&args, &mut out),
        Command::Rules(args) => rules::run(&args, &mut out),
        Command::Schema => schema::run(&mut out),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut command, "okr", &mut out);
            Ok(Outcome::Success)
        }
    }?;
    unless_pipe_closed(out.flush())?;
    Ok(outcome)
}

/// Passes on an output error unless the reader closed the pipe, which ends the output
/// but not the command's result.
pub(crate) fn unless_pipe_closed(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The loaded repository a command works on.
pub(crate) struct Loaded {
    pub(crate) workspace: Workspace,
    pub(crate) index: Index,
    pub(crate) as_of: NaiveDate,
}

/// Finds okr.toml from `-C DIR` or the current folder.
pub(crate) fn discover_config(global: &GlobalArgs) -> Result<Config> {
    let start = match &global.directory {
        Some(directory) => directory.clone(),
        None => std::env::current_dir().map_err(|source| Error::Read {
            path: ".".into(),
            source,
        })?,
    };
    Config::discover(&start)
}

/// Indexes a loaded workspace and picks the as-of date (`--as-of`, default today).
pub(crate) fn loaded(global: &GlobalArgs, workspace: Workspace) -> Loaded {
    let index = Index::build(&workspace);
    let as_of = global
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    Loaded {
        workspace,
        index,
        as_of,
    }
}

/// Reports goal files that did not parse (for commands other than lint, which treats
/// them as findings). The command still finishes its work, then exits 2.
pub(crate) fn report_unparsed(workspace: &Workspace) {
    for note in &workspace.notes {
        crate::terminal::note(note);
    }
    for &index in &workspace.unparsed {
        let source = &workspace.sources[index];
        let first = workspace
            .findings
            .iter()
            .find(|finding| finding.file == index);
        let reason = first.map_or_else(String::new, |finding| {
            let place = finding.span.as_ref().map_or_else(String::new, |span| {
                let position = source.position(span.start);
                format!(":{}:{}", position.line, position.column)
            });
            format!("{place}: {}", finding.message)
        });
        crate::terminal::note(&format!("{}{reason}; the file was left out", source.path));
    }
}

/// Notes on stderr what `progress` and `tree` leave out of parsed files: files whose
/// period is missing or invalid, and values with structure problems.
pub(crate) fn report_left_out(workspace: &Workspace, index: &crate::index::Index) {
    let without_period = (0..workspace.files.len())
        .filter(|&file| index.file_period(file).is_none())
        .count();
    if without_period > 0 {
        crate::terminal::note(&format!(
            "{without_period} goal file(s) with a missing or invalid period were left out; run `okr lint`"
        ));
    }
    let unparsed: std::collections::HashSet<usize> = workspace.unparsed.iter().copied().collect();
    let problems = workspace
        .findings
        .iter()
        .filter(|finding| !unparsed.contains(&finding.file))
        .count();
    if problems > 0 {
        crate::terminal::note(&format!(
            "goal files have {problems} structure problem(s), such as unknown fields or wrong types; the values concerned were ignored; run `okr lint`"
        ));
    }
}

/// Loads the goals (at `--rev` if given), selects what `filter` shows and rolls up
/// their progress with the check-in dates recorded in git; the notes go to stderr.
pub(crate) fn roll_up(
    global: &GlobalArgs,
    revision: &crate::cli::RevisionArgs,
    filter: &crate::cli::Filter,
) -> Result<(
    git::Source,
    crate::selection::Selection,
    crate::rollup::Rollup,
)> {
    let source = git::load_source(global, revision)?;
    let workspace = &source.loaded.workspace;
    let index = &source.loaded.index;
    let as_of = source.loaded.as_of;
    let selection = crate::selection::select(workspace, index, as_of, filter)?;
    let shown: Vec<crate::index::ObjectiveRef> = selection
        .objectives
        .iter()
        .chain(&selection.context)
        .copied()
        .collect();
    let (check_ins, notes) = git::check_ins(&source, &revision.git, &shown)?;
    for note in &notes {
        crate::terminal::note(note);
    }
    let rollup = crate::rollup::Rollup::compute(workspace, index, as_of, &check_ins);
    Ok((source, selection, rollup))
}
