//! The first-parent walk: from a tip back to the root, a shallow boundary, the
//! start of a range or a date. Commits found in the cache are taken from it. Each
//! run of new commits is compared tree by tree newest first, so that each commit's
//! trees are reused as the next one's parent trees, and then replayed oldest first
//! into events.

use super::Threads;
use super::cache::{Cache, WalkedCommit};
use super::parse::{ParsedFile, parse_goal_file};
use super::replay::{self, Replay};
use super::scope::Scope;
use super::store::{CommitInfo, GitRepository, ObjectId, ObjectStore};
use super::tree_diff::{FileChange, TreeDiff};
use crate::error::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Commits replayed together: their blobs are read as one parallel batch, and those
/// not left to the replay (see `replay::blob_plan`) are parsed in it.
const CHUNK: usize = 256;

/// Commits whose trees one thread compares in a row, reusing each commit's trees for
/// the next. Each stretch starts by reading the trees of the changed folders afresh.
const COMPARE_SEGMENT: usize = 1024;
/// The maximum number of blobs of a chunk that is read while the chunk before it is
/// replayed.
const PREFETCH_BLOBS: usize = 2048;

/// Commits in a row older than `Limit::since` that end a walk. A commit with a wrong
/// clock can be older than its children, so one old commit does not end it.
const SINCE_SLOP: usize = 5;

/// The limits of a walk.
#[derive(Debug, Default, Clone)]
pub(crate) struct Limit {
    /// The first commit not to walk (the start of a range `A..B`, exclusive).
    pub(crate) stop_at: Option<ObjectId>,
    /// Stop once `SINCE_SLOP` commits in a row are older than this (seconds since the
    /// Unix epoch).
    pub(crate) since: Option<i64>,
    /// Walk at most this many commits.
    pub(crate) max_commits: Option<usize>,
}

/// The reason a walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// The root commit was walked: the history is complete.
    Root,
    /// This commit's parents are missing from a shallow clone; it was not walked.
    Shallow(ObjectId),
    /// The start of the range, or the limit, was reached at this commit, which was
    /// not walked.
    Limit(ObjectId),
}

/// A walked stretch of the first-parent chain.
pub(crate) struct Segment {
    /// Walked commits that changed goal items or left notes, newest first.
    pub(crate) commits: Vec<Arc<WalkedCommit>>,
    pub(crate) end: End,
    /// Commits walked (touching goal files or not).
    pub(crate) walked: usize,
}

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Stats {
    pub(crate) commits: usize,
    pub(crate) from_cache: usize,
    pub(crate) trees_read: usize,
    pub(crate) blobs_read: usize,
}

pub(crate) struct Walker<'r> {
    repo: &'r GitRepository,
    pub(crate) scope: Scope,
    cache: Cache,
    progress: WalkProgress,
    pub(crate) stats: Stats,
}

/// A commit of the chain being walked.
enum Link {
    Cached(ObjectId),
    Fresh(CommitInfo),
}

impl Link {
    fn id(&self) -> ObjectId {
        match self {
            Link::Cached(id) => *id,
            Link::Fresh(info) => info.id,
        }
    }
}

impl<'r> Walker<'r> {
    pub(crate) fn new(repo: &'r GitRepository, scope: Scope, use_cache: bool) -> Self {
        let cache = if use_cache {
            Cache::load(repo.git_dir(), &scope.fingerprint, Threads::Parallel)
        } else {
            Cache::disabled()
        };
        Walker::with_cache(repo, scope, cache)
    }

    /// Makes a walker with a cache loaded beforehand (`Cache::load` with this scope's
    /// fingerprint), so the load can overlap other work.
    pub(crate) fn with_cache(repo: &'r GitRepository, scope: Scope, cache: Cache) -> Self {
        Walker {
            repo,
            scope,
            cache,
            progress: WalkProgress::new(),
            stats: Stats::default(),
        }
    }

    pub(crate) fn has_cached_commits(&self) -> bool {
        !self.cache.commits.is_empty()
    }

    pub(crate) fn repo(&self) -> &'r GitRepository {
        self.repo
    }

    /// Walks the first-parent chain from `tip` until `limit`, the root or a shallow
    /// boundary.
    pub(crate) fn walk(&mut self, tip: ObjectId, limit: &Limit) -> Result<Segment> {
        let (chain, end) = self.chain(tip, limit)?;
        let mut index = 0;
        while index < chain.len() {
            if let Link::Cached(_) = chain[index] {
                index += 1;
                continue;
            }
            let start = index;
            while index < chain.len() && matches!(chain[index], Link::Fresh(_)) {
                index += 1;
            }
            // The run stopped at a cached commit (its base) or at the end of the chain.
            let base = match chain.get(index) {
                Some(link) => Some(link.id()),
                None => match end {
                    End::Root => None,
                    End::Shallow(id) | End::Limit(id) => Some(id),
                },
            };
            let infos: Vec<&CommitInfo> = chain[start..index]
                .iter()
                .filter_map(|link| match link {
                    Link::Fresh(info) => Some(info),
                    Link::Cached(_) => None,
                })
                .collect();
            let complete = self.walk_run(&infos, base)?;
            // A run that starts from a cached commit where a goal file did not parse
            // lacks the last version that did, which only a walk from further back
            // has: walk again without the cache (once, since the cache is then empty).
            if !complete && matches!(chain.get(index), Some(Link::Cached(_))) {
                self.forget_cache();
                return self.walk(tip, limit);
            }
        }
        let mut commits = Vec::new();
        for link in &chain {
            if let Some(commit) = self.cache.commits.get(&link.id())
                && commit.meta.is_some()
            {
                commits.push(Arc::clone(commit));
            }
        }
        self.stats.commits += chain.len();
        Ok(Segment {
            commits,
            end,
            walked: chain.len(),
        })
    }

    /// Returns the commits to walk, newest first, and why the chain ends.
    fn chain(&mut self, tip: ObjectId, limit: &Limit) -> Result<(Vec<Link>, End)> {
        let mut chain = Vec::new();
        let mut cursor = tip;
        let mut older_in_a_row = 0;
        let mut cached_links = 0;
        loop {
            if limit.stop_at == Some(cursor)
                || limit.max_commits.is_some_and(|max| chain.len() >= max)
            {
                return Ok((chain, End::Limit(cursor)));
            }
            if self.repo.is_shallow_boundary(cursor) {
                return Ok((chain, End::Shallow(cursor)));
            }
            let (link, parent, time) = match self.cache.commits.get(&cursor) {
                Some(_) if cached_links >= self.cache.commits.len() => {
                    // More cached links than cached commits: the cache's parents form
                    // a loop, which only a damaged or hand-made file can contain.
                    self.forget_cache();
                    return self.chain(tip, limit);
                }
                Some(commit) => {
                    cached_links += 1;
                    self.stats.from_cache += 1;
                    (Link::Cached(cursor), commit.parent, commit.time)
                }
                None => match self.repo.commit(cursor) {
                    Ok(info) => {
                        let (parent, time) = (info.first_parent, info.time);
                        (Link::Fresh(info), parent, time)
                    }
                    // A cached commit named a parent that cannot be read, which only a
                    // hand-made cache can do. Walk from git alone, so that an error of
                    // the repository itself comes back on the second try.
                    Err(_) if matches!(chain.last(), Some(Link::Cached(_))) => {
                        self.forget_cache();
                        return self.chain(tip, limit);
                    }
                    Err(error) => return Err(error),
                },
            };
            if limit.since.is_some_and(|since| time < since) {
                older_in_a_row += 1;
                if older_in_a_row >= SINCE_SLOP {
                    return Ok((chain, End::Limit(cursor)));
                }
            } else {
                older_in_a_row = 0;
            }
            // Cached commits are done here; new ones count when they are compared.
            if let Link::Cached(_) = link {
                self.progress.tick();
            }
            chain.push(link);
            match parent {
                Some(parent) => cursor = parent,
                None => return Ok((chain, End::Root)),
            }
        }
    }

    /// Drops every cached commit for the rest of this run, so the walk reads git alone.
    fn forget_cache(&mut self) {
        self.cache.commits.clear();
        self.cache.unsaved.clear();
        self.stats.from_cache = 0;
    }

    /// Compares and replays consecutive commits missing from the cache (`infos`,
    /// newest first) whose oldest commit's parent is `base`.
    /// Returns false when some commit's events are incomplete. Those commits are kept
    /// for this run but not saved in the cache.
    fn walk_run(&mut self, infos: &[&CommitInfo], base: Option<ObjectId>) -> Result<bool> {
        let base_tree = match base {
            Some(id) => Some(self.repo.commit(id)?.tree),
            None => None,
        };
        let changes = self.compare_run(infos, base_tree)?;

        let oldest_first: Vec<(&CommitInfo, &[FileChange])> = infos
            .iter()
            .zip(&changes)
            .rev()
            .map(|(info, list)| (*info, list.as_slice()))
            .collect();
        let lists: Vec<&[FileChange]> = oldest_first.iter().map(|(_, list)| *list).collect();
        let chunks: Vec<&[(&CommitInfo, &[FileChange])]> = oldest_first.chunks(CHUNK).collect();
        let chunk_lists: Vec<Vec<&[FileChange]>> = chunks
            .iter()
            .map(|chunk| chunk.iter().map(|(_, list)| *list).collect())
            .collect();
        let plan = replay::blob_plan(&chunk_lists);

        // Each chunk is replayed on a scoped thread while this thread reads and
        // parses the next chunk's blobs, so the serial replay overlaps the parse.
        let mut replay = Replay::new(&lists);
        let mut parsed = match plan.first() {
            Some(blobs) => replay::read_chunk(self.repo, blobs)?,
            None => replay::ChunkRead::default(),
        };
        for (index, chunk) in chunks.iter().enumerate() {
            replay.insert(&plan[index], parsed);
            let next_blobs = plan.get(index + 1);
            let replay_chunk = |replay: &mut Replay| {
                chunk
                    .iter()
                    .map(|(info, list)| (info.id, replay.commit(info, list)))
                    .collect::<Vec<_>>()
            };
            let read_next = || match next_blobs {
                Some(blobs) => replay::read_chunk(self.repo, blobs),
                None => Ok(replay::ChunkRead::default()),
            };
            // A chunk with thousands of blobs (a quarter's first or last commit) is
            // read after the replay, not beside it, so that two large chunks are
            // never in memory at once.
            let (walked, next) = if next_blobs.is_some_and(|blobs| blobs.len() > PREFETCH_BLOBS) {
                let walked = replay_chunk(&mut replay);
                (walked, read_next())
            } else {
                let (walked, next) = std::thread::scope(|scope| {
                    let replaying = scope.spawn(|| replay_chunk(&mut replay));
                    let next = read_next();
                    (replaying.join(), next)
                });
                let walked = walked.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (walked, next)
            };
            for (id, commit) in walked {
                self.cache.insert(id, Arc::new(commit));
            }
            parsed = next?;
        }
        self.stats.blobs_read += replay.blobs_read;
        let complete = replay.incomplete.is_empty();
        self.cache.unsaved.extend(replay.incomplete);
        Ok(complete)
    }

    /// Returns the changed goal files of each commit of `infos` (newest first, the
    /// oldest one's parent tree is `base_tree`), in the same order. Stretches of
    /// `COMPARE_SEGMENT` commits are compared on rayon's threads, each with its own
    /// tree reuse, which costs one extra read of the changed folders per stretch.
    fn compare_run(
        &mut self,
        infos: &[&CommitInfo],
        base_tree: Option<ObjectId>,
    ) -> Result<Vec<Vec<FileChange>>> {
        use rayon::prelude::*;
        let (repo, scope) = (self.repo, &self.scope);
        let segments: Vec<Result<(Vec<Vec<FileChange>>, usize)>> = infos
            .par_chunks(COMPARE_SEGMENT)
            .enumerate()
            .map(|(segment, segment_infos)| {
                let mut diff = TreeDiff::new(repo, scope);
                let mut changes = Vec::with_capacity(segment_infos.len());
                for (offset, info) in segment_infos.iter().enumerate() {
                    let position = segment * COMPARE_SEGMENT + offset;
                    let parent_tree = match infos.get(position + 1) {
                        Some(parent) => Some(parent.tree),
                        None => base_tree,
                    };
                    changes.push(diff.compare(parent_tree, Some(info.tree))?);
                }
                Ok((changes, diff.trees_read))
            })
            .collect();
        let mut changes = Vec::with_capacity(infos.len());
        // Each compare makes its own copies of the paths. Sharing one copy of each
        // keeps the paths of a long run small.
        let mut paths: foldhash::HashSet<Arc<str>> = foldhash::HashSet::default();
        for segment in segments {
            let (lists, trees_read) = segment?;
            self.stats.trees_read += trees_read;
            for mut list in lists {
                for change in &mut list {
                    match paths.get(&change.path) {
                        Some(shared) => change.path = Arc::clone(shared),
                        None => {
                            paths.insert(Arc::clone(&change.path));
                        }
                    }
                }
                list.shrink_to_fit();
                changes.push(list);
                self.progress.tick();
            }
        }
        Ok(changes)
    }

    /// Reads one goal file as it was at `commit`, when it exists there and parses.
    pub(crate) fn file_at(&self, commit: ObjectId, path: &str) -> Result<Option<ParsedFile>> {
        let Some(blob) = self.repo.blob_at(commit, path)? else {
            return Ok(None);
        };
        Ok(parse_goal_file(&self.repo.blob(blob)?).ok())
    }

    /// Reads every goal file in `commit`'s tree, as (path, bytes).
    pub(crate) fn files_at(&self, commit: ObjectId) -> Result<Vec<(String, Vec<u8>)>> {
        let tree = self.repo.commit(commit)?.tree;
        let mut diff = TreeDiff::new(self.repo, &self.scope);
        let mut files = Vec::new();
        for change in diff.list(tree)? {
            if let Some(id) = change.new {
                files.push((change.path.to_string(), self.repo.blob(id)?));
            }
        }
        Ok(files)
    }

    /// Writes the cache and clears the progress bar.
    /// Ends a walk: clears the progress bar and writes the cache.
    pub(crate) fn finish(&mut self) {
        self.progress.finish();
        self.cache.save();
    }
}

/// A spinner on stderr for walks that take more than a moment; only on a terminal.
struct WalkProgress {
    started: Instant,
    enabled: bool,
    bar: Option<ProgressBar>,
    count: u64,
}

impl WalkProgress {
    fn new() -> Self {
        WalkProgress {
            started: Instant::now(),
            enabled: std::io::stderr().is_terminal(),
            bar: None,
            count: 0,
        }
    }

    fn tick(&mut self) {
        self.count += 1;
        if self.bar.is_none()
            && self.enabled
            && self.count.is_multiple_of(64)
            && self.started.elapsed() > Duration::from_millis(500)
        {
            let style =
                ProgressStyle::with_template("{spinner} reading git history: {pos} commits")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
            let bar =
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(self.count);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::history::event::EventKind;
    use std::path::Path;
    use std::process::Command;

    /// Runs `git` in `dir` with a fixed identity and date, and no user config.
    fn git(dir: &Path, args: &[&str], date: &str) {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .env("GIT_AUTHOR_NAME", "Ana")
            .env("GIT_AUTHOR_EMAIL", "ana@example.com")
            .env("GIT_COMMITTER_NAME", "Ana")
            .env("GIT_COMMITTER_EMAIL", "ana@example.com")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?} failed");
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn goal(current: u32, target: u32) -> String {
        format!(
            "period = \"2026-Q4\"\n[[objective]]\nid = \"o\"\ntitle = \"T\"\n\
             [[objective.key_result]]\nid = \"k\"\nstart = 0\ntarget = {target}\ncurrent = {current}\n"
        )
    }

    /// Walks a two-commit repository whose cache holds only its tip, with the parent
    /// that `cached_parent` names, and checks that the walk reads git alone.
    fn walk_with_cached_tip(cached_parent: impl Fn(ObjectId) -> ObjectId) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let date = "2026-10-01T09:00:00+00:00";
        git(root, &["init", "-q", "-b", "main"], date);
        write(root, "okrs/a.toml", &goal(10, 90));
        git(root, &["add", "."], date);
        git(root, &["commit", "-qm", "Add goals"], date);
        write(root, "okrs/a.toml", &goal(20, 90));
        git(root, &["commit", "-qam", "Check in"], date);

        let repo = GitRepository::discover(root).unwrap().unwrap();
        let config = Config::defaults(root.to_owned(), root.to_owned());
        let tip = repo.require_head().unwrap();
        let mut cache = Cache::disabled();
        let tip_entry = WalkedCommit {
            parent: Some(cached_parent(tip)),
            time: 0,
            meta: None,
            events: Vec::new(),
            notes: Vec::new(),
        };
        cache.insert(tip, Arc::new(tip_entry));
        let scope = Scope::new(&config, repo.workdir()).unwrap();
        let mut walker = Walker::with_cache(&repo, scope, cache);
        let segment = walker.walk(tip, &Limit::default()).unwrap();
        assert_eq!(segment.end, End::Root);
        assert_eq!(segment.walked, 2, "walked from git, not the cache");
        assert_eq!(walker.stats.from_cache, 0);
        assert_eq!(segment.commits.len(), 2, "both commits have events");
    }

    #[test]
    fn cache_whose_parents_loop_is_dropped() {
        // A cached tip whose parent is itself, which only a hand-made file could contain.
        walk_with_cached_tip(|tip| tip);
    }

    #[test]
    fn cache_with_missing_parent_is_dropped() {
        // A cached tip whose parent is no object of the repository.
        walk_with_cached_tip(|_| {
            ObjectId::from_hex("1234567890123456789012345678901234567890").unwrap()
        });
    }

    #[test]
    fn walk_follows_items_across_renames_and_bad_versions() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(
            root,
            &["init", "-q", "-b", "main"],
            "2026-10-01T09:00:00+00:00",
        );
        write(root, "okrs/a.toml", &goal(10, 90));
        write(root, "README.md", "hello\n");
        git(root, &["add", "."], "2026-10-01T09:00:00+00:00");
        git(
            root,
            &["commit", "-qm", "Add goals"],
            "2026-10-01T09:00:00+00:00",
        );
        write(root, "README.md", "hello again\n");
        git(
            root,
            &["commit", "-qam", "Touch readme"],
            "2026-10-02T09:00:00+00:00",
        );
        write(root, "okrs/a.toml", "period = \n");
        git(
            root,
            &["commit", "-qam", "Break the file"],
            "2026-10-03T09:00:00+00:00",
        );
        write(root, "okrs/a.toml", &goal(20, 90));
        git(
            root,
            &["commit", "-qam", "Fix and check in"],
            "2026-10-04T09:00:00+00:00",
        );
        git(
            root,
            &["mv", "okrs/a.toml", "okrs/b.toml"],
            "2026-10-05T09:00:00+00:00",
        );
        write(root, "okrs/b.toml", &goal(20, 80));
        git(
            root,
            &["commit", "-qam", "Rename and lower"],
            "2026-10-05T09:00:00+00:00",
        );

        let repo = GitRepository::discover(root).unwrap().unwrap();
        let config = Config::defaults(root.to_owned(), root.to_owned());
        let scope = Scope::new(&config, repo.workdir()).unwrap();
        let mut walker = Walker::new(&repo, scope, false);
        let tip = repo.require_head().unwrap();
        let segment = walker.walk(tip, &Limit::default()).unwrap();
        assert_eq!(segment.end, End::Root);
        assert_eq!(segment.walked, 5);
        let subjects: Vec<&str> = segment
            .commits
            .iter()
            .map(|commit| commit.meta.as_ref().unwrap().subject())
            .collect();
        assert_eq!(
            subjects,
            [
                "Rename and lower",
                "Fix and check in",
                "Break the file",
                "Add goals"
            ]
        );
        let renamed = &segment.commits[0].events;
        assert_eq!(renamed.len(), 2, "{renamed:?}");
        let key_result = renamed
            .iter()
            .find(|event| event.key.is_key_result())
            .unwrap();
        assert_eq!(key_result.kind, EventKind::Changed);
        let changes: Vec<_> = key_result.changes().collect();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "target");
        let objective = renamed
            .iter()
            .find(|event| !event.key.is_key_result())
            .unwrap();
        assert_eq!(objective.changes().next().unwrap().field, "team");
        let fixed = &segment.commits[1].events;
        assert_eq!(fixed.len(), 1);
        assert_eq!(fixed[0].changes().next().unwrap().field, "current");
        assert_eq!(segment.commits[2].events.len(), 0);
        assert_eq!(segment.commits[2].notes.len(), 1);
        assert_eq!(
            walker.stats.blobs_read, 4,
            "each distinct blob is read once"
        );
    }
}
