//! Steps shared by the commands that read git: opening the repository, loading the
//! goals of a revision (`--rev`), and walking the history that lint, progress and
//! tree need (last check-ins, target and start changes).

use super::{Loaded, discover_config, loaded};
use crate::cli::{GitArgs, GlobalArgs, RevisionArgs};
use crate::error::{Error, Result};
use crate::history::{
    self, Cache, Facts, GitRepository, Interest, ObjectId, Scope, Threads, Walker,
};
use crate::index::{Index, ObjectiveRef};
use crate::loader::Workspace;
use crate::rollup::{CheckIns, PlaceMap};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::sync::Mutex;

/// Returns the folder a command starts in: `-C DIR`, else the current folder.
pub(crate) fn start_folder(global: &GlobalArgs) -> Result<PathBuf> {
    match &global.directory {
        Some(directory) => Ok(directory.clone()),
        None => std::env::current_dir().map_err(|source| Error::Read {
            path: ".".into(),
            source,
        }),
    }
}

/// Goals loaded from the working tree or a revision, with the history behind them.
pub(crate) struct Source {
    pub(crate) loaded: Loaded,
    pub(crate) repo: Option<GitRepository>,
    /// The commit history is read from (`--rev`, else HEAD); `None` outside git and
    /// in a repository without commits.
    pub(crate) tip: Option<ObjectId>,
    /// The reason there is no history, for notes.
    pub(crate) no_history: Option<String>,
    /// History dated after this day is left out (an explicit `--as-of`).
    pub(crate) cutoff: Option<NaiveDate>,
    /// The history cache, read while the goal files were parsed; the first walk takes it.
    cache: Mutex<Option<Cache>>,
}

impl Source {
    /// Makes a source of goals loaded elsewhere (another revision's files).
    pub(crate) fn new(
        loaded: Loaded,
        repo: GitRepository,
        tip: Option<ObjectId>,
        cutoff: NaiveDate,
    ) -> Source {
        Source {
            loaded,
            repo: Some(repo),
            tip,
            no_history: None,
            cutoff: Some(cutoff),
            cache: Mutex::new(None),
        }
    }
}

/// Loads the goals from the working tree, or from `--rev REV`'s tree with `--as-of`
/// defaulting to that commit's date.
pub(crate) fn load_source(global: &GlobalArgs, revision: &RevisionArgs) -> Result<Source> {
    let Some(rev) = &revision.rev else {
        let config = discover_config(global)?;
        let (repo, tip, no_history) = open_quietly(&config.root)?;
        // The history cache is read on a second thread while the goal files are parsed.
        // A scope error is left for the walk to report, if one is needed.
        let cache_file = match (&repo, tip) {
            (Some(repo), Some(_)) if !revision.git.no_cache => Scope::new(&config, repo.workdir())
                .ok()
                .map(|scope| (repo.git_dir().to_owned(), scope.fingerprint)),
            _ => None,
        };
        let (workspace, cache) = std::thread::scope(|threads| {
            let reading = cache_file.map(|(git_dir, fingerprint)| {
                threads.spawn(move || Cache::load(&git_dir, &fingerprint, Threads::Caller))
            });
            let workspace = Workspace::load(config);
            let cache = reading.map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            (workspace, cache)
        });
        return Ok(Source {
            loaded: loaded(global, workspace?),
            repo,
            tip,
            no_history,
            cutoff: global.as_of,
            cache: Mutex::new(cache),
        });
    };
    let start = start_folder(global)?;
    if !start.is_dir() {
        return Err(Error::FolderNotFound { path: start });
    }
    let repo = GitRepository::require(&start)?;
    let snapshot = history::load_at(&repo, &start, rev)?;
    if snapshot.contents.is_empty() {
        return Err(Error::NoGoalFiles {
            folders: format!("{} at {rev}", snapshot.config.goals.join(", ")),
        });
    }
    let workspace = Workspace::from_contents(snapshot.config, snapshot.contents);
    let index = Index::build(&workspace);
    let loaded = Loaded {
        workspace,
        index,
        as_of: global.as_of.unwrap_or(snapshot.date),
    };
    Ok(Source {
        loaded,
        repo: Some(repo),
        tip: Some(snapshot.commit),
        no_history: None,
        cutoff: global.as_of,
        cache: Mutex::new(None),
    })
}

/// Opens the repository holding `folder` for commands that also work without one.
fn open_quietly(
    folder: &std::path::Path,
) -> Result<(Option<GitRepository>, Option<ObjectId>, Option<String>)> {
    let repo = match GitRepository::discover(folder) {
        Ok(Some(repo)) => repo,
        Ok(None) => return Ok((None, None, Some("not in a git repository".to_owned()))),
        Err(error) => return Ok((None, None, Some(error.to_string()))),
    };
    match repo.head() {
        Ok(Some(head)) => Ok((Some(repo), Some(head), None)),
        Ok(None) => Ok((
            Some(repo),
            None,
            Some("the git repository has no commits yet".to_owned()),
        )),
        // The goal files on disk can still be checked without their history.
        Err(error) => Ok((
            Some(repo),
            None,
            Some(format!("HEAD could not be read ({error})")),
        )),
    }
}

/// Key results whose history a command reads: where each is in the goal files and, in
/// the same order, what the walk looks for.
#[derive(Default)]
pub(crate) struct HistoryRequest<'w> {
    pub(crate) places: Vec<(ObjectiveRef, usize)>,
    pub(crate) interest: Vec<Interest<'w>>,
}

impl<'w> HistoryRequest<'w> {
    /// Adds the key results of `chosen` that are in files with a period. With
    /// `walk_back`, the walk goes back as far as their last check-ins. Without it, the
    /// walk stops at the start date the command gives.
    pub(crate) fn add(
        &mut self,
        workspace: &'w Workspace,
        chosen: &[ObjectiveRef],
        walk_back: bool,
    ) {
        // Sized once, because large repositories request tens of thousands of key results.
        let key_results: usize = chosen
            .iter()
            .map(|at| {
                workspace.files[at.file].objectives[at.objective]
                    .key_results
                    .len()
            })
            .sum();
        self.places.reserve(key_results);
        self.interest.reserve(key_results);
        for &at in chosen {
            let file = &workspace.files[at.file];
            let Some(period) = &file.period else {
                continue;
            };
            let path = workspace.source(file).path.as_str();
            let objective = &file.objectives[at.objective];
            for (position, key_result) in objective.key_results.iter().enumerate() {
                self.places.push((at, position));
                self.interest.push(Interest {
                    period: &period.value,
                    objective: &objective.id.value,
                    key_result: &key_result.id.value,
                    path,
                    walk_back,
                });
            }
        }
    }

    /// Maps each objective to the entry of its first key result. An objective's key
    /// results are consecutive entries, so the others follow it in order.
    pub(crate) fn first_entries(&self) -> PlaceMap<usize> {
        self.places
            .iter()
            .enumerate()
            .filter(|(_, (_, position))| *position == 0)
            .map(|(entry, (at, _))| (*at, entry))
            .collect()
    }
}

/// Walks back from the source's commit as far as `interest` needs, starting from
/// `since`. Returns `None` where there is no history. `threads` selects where the
/// events of walked commits are matched with `interest`.
pub(crate) fn facts(
    source: &Source,
    git: &GitArgs,
    interest: &[Interest<'_>],
    since: Option<NaiveDate>,
    threads: Threads,
) -> Result<Option<Facts>> {
    let (Some(repo), Some(tip)) = (&source.repo, source.tip) else {
        return Ok(None);
    };
    let Some(since) = since else {
        return Ok(Some(Facts::default()));
    };
    let scope = Scope::new(&source.loaded.workspace.config, repo.workdir())?;
    let preloaded = source.cache.lock().ok().and_then(|mut cache| cache.take());
    let mut walker = match preloaded {
        Some(cache) if !git.no_cache => Walker::with_cache(repo, scope, cache),
        _ => Walker::new(repo, scope, !git.no_cache),
    };
    let facts = history::gather(&mut walker, tip, interest, since, source.cutoff, threads)?;
    walker.finish();
    if git.verbose {
        crate::terminal::note(&history::stats_line(&walker));
    }
    Ok(Some(facts))
}

/// Last check-ins from git for the key results of `chosen`, keyed as the roll-up
/// expects, and the notes of the walk.
pub(crate) fn check_ins(
    source: &Source,
    git: &GitArgs,
    chosen: &[ObjectiveRef],
) -> Result<(CheckIns, Vec<String>)> {
    let workspace = &source.loaded.workspace;
    let index = &source.loaded.index;
    let since = chosen
        .iter()
        .filter_map(|at| index.file_period(at.file))
        .map(|period| period.start)
        .min();
    let mut request = HistoryRequest::default();
    request.add(workspace, chosen, true);
    let found = match facts(source, git, &request.interest, since, Threads::Parallel) {
        Ok(found) => found,
        // Progress is still shown, with the `checked` dates of the files alone.
        Err(Error::Git { message }) => {
            let note = format!(
                "the git history could not be read ({message}), so last check-ins come from `checked` dates only"
            );
            return Ok((CheckIns::default(), vec![note]));
        }
        Err(error) => return Err(error),
    };
    let Some(mut facts) = found else {
        return Ok((CheckIns::default(), Vec::new()));
    };
    let notes = std::mem::take(&mut facts.notes);
    Ok((CheckIns::new(facts, request.first_entries()), notes))
}
