//! Object access: the few reads the history walk makes (commits, trees, blobs),
//! behind the `ObjectStore` trait so the git library can be swapped without touching
//! the walk. `GitRepository` implements it: trees and blobs are read with gitoxide
//! (`gix`), which reads them faster than libgit2 here, and commits and the
//! repository-level lookups (revisions, merge bases, the shallow boundary) with git2.
//! Nothing here writes.

use crate::error::{Error, Result};
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// A SHA-1 object id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ObjectId(pub(crate) [u8; 20]);

impl ObjectId {
    pub(crate) fn to_hex(self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(40);
        for byte in self.0 {
            text.push(char::from(DIGITS[usize::from(byte >> 4)]));
            text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
        }
        text
    }

    pub(crate) fn from_hex(text: &str) -> Option<ObjectId> {
        if text.len() != 40 {
            return None;
        }
        let mut bytes = [0; 20];
        for (slot, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).ok()?;
            *slot = u8::from_str_radix(pair, 16).ok()?;
        }
        Some(ObjectId(bytes))
    }

    fn from_git(oid: git2::Oid) -> ObjectId {
        ObjectId::from_bytes(oid.as_bytes())
    }

    /// Takes the first 20 bytes of a SHA-1 id (all of them).
    fn from_bytes(id: &[u8]) -> ObjectId {
        let mut bytes = [0; 20];
        bytes.copy_from_slice(&id[..20]);
        ObjectId(bytes)
    }

    fn to_git(self) -> git2::Oid {
        // A 20-byte slice is always a valid SHA-1 id.
        git2::Oid::from_bytes(&self.0).unwrap_or(git2::Oid::ZERO_SHA1)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.to_hex()[..12])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Tree,
    Blob,
    /// A symbolic link or a submodule: never a goal file.
    Other,
}

/// One entry of a tree; its name lives in the tree's shared name buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TreeEntry {
    name: (u32, u32),
    pub(crate) id: ObjectId,
    pub(crate) kind: EntryKind,
}

/// A decoded tree, entries in git's order. Names share one buffer, so decoding a
/// tree costs two allocations however many entries it has.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    names: Vec<u8>,
    pub(crate) entries: Vec<TreeEntry>,
}

impl Tree {
    pub(crate) fn push(&mut self, name: &[u8], id: ObjectId, kind: EntryKind) {
        // Tree entry names are short; a tree whose names pass 4 GiB cannot be stored.
        let start = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let length = u32::try_from(name.len()).unwrap_or(0);
        self.names.extend_from_slice(name);
        self.entries.push(TreeEntry {
            name: (start, length),
            id,
            kind,
        });
    }

    /// Returns the name as stored; git allows any bytes but `/` and NUL.
    pub(crate) fn name(&self, entry: &TreeEntry) -> &[u8] {
        let start = entry.name.0 as usize;
        &self.names[start..start + entry.name.1 as usize]
    }
}

/// The parts of a commit the history uses. Dates are committer dates.
#[derive(Debug, Clone)]
pub(crate) struct CommitInfo {
    pub(crate) id: ObjectId,
    pub(crate) tree: ObjectId,
    pub(crate) first_parent: Option<ObjectId>,
    pub(crate) author: String,
    pub(crate) email: String,
    /// Seconds since the Unix epoch.
    pub(crate) time: i64,
    /// The committer's offset from UTC, in minutes.
    pub(crate) offset_minutes: i32,
    pub(crate) message: String,
}

/// Reads git objects by id.
pub(crate) trait ObjectStore {
    fn commit(&self, id: ObjectId) -> Result<CommitInfo>;
    fn tree(&self, id: ObjectId) -> Result<Tree>;
    fn blob(&self, id: ObjectId) -> Result<Vec<u8>>;

    /// Reads each blob of `ids` and maps its bytes with `map`. A store that can read
    /// from several threads does so in parallel. Results keep the order of `ids`.
    fn map_blobs<T, F>(&self, ids: &[ObjectId], map: F) -> Result<Vec<T>>
    where
        T: Send,
        F: Fn(&[u8]) -> T + Sync + Send,
    {
        ids.iter().map(|id| Ok(map(&self.blob(*id)?))).collect()
    }
}

/// A repository opened with git2, and with gitoxide for tree and blob reads.
pub(crate) struct GitRepository {
    /// A git2 handle cannot be shared between threads, so it sits behind a lock,
    /// which makes the repository shareable for the parallel tree compare.
    repo: std::sync::Mutex<git2::Repository>,
    workdir: PathBuf,
    git_dir: PathBuf,
    objects: GixObjects,
    /// Commits whose parents a shallow clone left out.
    shallow: HashSet<ObjectId>,
}

fn git_error(error: &git2::Error) -> Error {
    Error::Git {
        message: error.message().to_owned(),
    }
}

impl GitRepository {
    /// Reads a commit with libgit2, for commits gitoxide cannot decode.
    fn git2_commit(&self, id: ObjectId) -> Result<CommitInfo> {
        let repo = self.git();
        let commit = repo.find_commit(id.to_git()).map_err(|e| git_error(&e))?;
        let committer = commit.committer();
        let author = commit.author();
        Ok(CommitInfo {
            id,
            tree: ObjectId::from_git(commit.tree_id()),
            first_parent: commit.parent_ids().next().map(ObjectId::from_git),
            author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
            time: committer.when().seconds(),
            offset_minutes: committer.when().offset_minutes(),
            message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
        })
    }

    /// Opens the repository that contains `start`, searching upwards like git does and
    /// honouring GIT_CEILING_DIRECTORIES. Returns `None` outside any repository.
    pub(crate) fn discover(start: &Path) -> Result<Option<GitRepository>> {
        let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
            .map(|value| std::env::split_paths(&value).collect())
            .unwrap_or_default();
        // Objects are checked when git writes them; hashing each again on every
        // read costs several percent of a long walk and finds nothing new.
        git2::opts::strict_hash_verification(false);
        // The walk keeps the trees it needs and reads each blob once, so libgit2's
        // own object cache (up to 256 MiB by default) would only hold memory.
        git2::opts::enable_caching(false);
        let repo = match git2::Repository::open_ext(
            start,
            git2::RepositoryOpenFlags::empty(),
            ceilings.iter(),
        ) {
            Ok(repo) => repo,
            Err(error) if error.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(error) => return Err(git_error(&error)),
        };
        if repo.workdir().is_none() {
            return Err(Error::Git {
                message: format!(
                    "{} is a bare repository; okr needs a work tree",
                    repo.path().display()
                ),
            });
        }
        // A linked worktree shares the main repository's list of shallow commits.
        let shallow = read_shallow_file(&repo.commondir().join("shallow"));
        let objects = GixObjects::open(repo.path())?;
        let git_dir = repo.path().to_path_buf();
        let workdir = repo.workdir().unwrap_or(&git_dir).to_path_buf();
        Ok(Some(GitRepository {
            repo: std::sync::Mutex::new(repo),
            workdir,
            git_dir,
            objects,
            shallow,
        }))
    }

    /// Like `discover`, but a missing repository is the error that commands needing
    /// git report.
    pub(crate) fn require(start: &Path) -> Result<GitRepository> {
        GitRepository::discover(start)?.ok_or_else(|| Error::NotRepository {
            path: start.to_path_buf(),
        })
    }

    /// Returns the work tree; `discover` rejects bare repositories, so one exists.
    pub(crate) fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// Returns the `.git` folder (or the worktree's private git folder).
    pub(crate) fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// Locks the git2 handle. A panic while it was held leaves nothing half-written,
    /// because git2 is only used to read, so a poisoned lock is taken over.
    fn git(&self) -> std::sync::MutexGuard<'_, git2::Repository> {
        self.repo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Returns the commits a merge brought in (reachable from its other parents but not
    /// from its first), with their messages, newest first and at most `max` of them.
    /// Empty for a commit with one parent, or where the merged commits cannot be read.
    pub(crate) fn merged_commits(&self, merge: ObjectId, max: usize) -> Vec<(ObjectId, String)> {
        let repo = self.git();
        let Ok(commit) = repo.find_commit(merge.to_git()) else {
            return Vec::new();
        };
        let parents: Vec<git2::Oid> = commit.parent_ids().collect();
        let [first, ref others @ ..] = parents[..] else {
            return Vec::new();
        };
        let Ok(mut walk) = repo.revwalk() else {
            return Vec::new();
        };
        if walk.hide(first).is_err() || others.iter().any(|&other| walk.push(other).is_err()) {
            return Vec::new();
        }
        walk.filter_map(|id| id.ok())
            .take(max)
            .filter_map(|id| repo.find_commit(id).ok())
            .map(|merged| {
                let message = String::from_utf8_lossy(merged.message_bytes()).into_owned();
                (ObjectId::from_git(merged.id()), message)
            })
            .collect()
    }

    /// True when `id` is a commit whose parents a shallow clone left out.
    pub(crate) fn is_shallow_boundary(&self, id: ObjectId) -> bool {
        self.shallow.contains(&id)
    }

    /// Returns the commit HEAD points to, or `None` in a repository with no commits.
    pub(crate) fn head(&self) -> Result<Option<ObjectId>> {
        let repo = self.git();
        match repo.head() {
            Ok(reference) => commit_of(&repo, &reference).map(Some),
            Err(error)
                if matches!(
                    error.code(),
                    git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(git_error(&error)),
        }
    }

    /// Returns the commit HEAD points to; an empty repository is an error.
    pub(crate) fn require_head(&self) -> Result<ObjectId> {
        self.head()?.ok_or_else(|| Error::EmptyRepository {
            path: self.workdir().to_path_buf(),
        })
    }

    /// Resolves a revision (branch, tag, commit id, `HEAD~2`, …) to a commit.
    pub(crate) fn resolve(&self, revision: &str) -> Result<ObjectId> {
        if revision.is_empty() || revision.starts_with('-') {
            return Err(Error::BadRevision {
                revision: revision.to_owned(),
                message: "a revision name cannot be empty or start with `-`".to_owned(),
            });
        }
        // Ranges are split before their sides get here, so a `..` means the command was
        // given a range where it takes one revision.
        if revision.contains("..") {
            return Err(Error::BadRevision {
                revision: revision.to_owned(),
                message: "this command takes one revision, not a range (only `okr history --rev` takes A..B)"
                    .to_owned(),
            });
        }
        if self.head()?.is_none() {
            return Err(Error::EmptyRepository {
                path: self.workdir().to_path_buf(),
            });
        }
        let repo = self.git();
        let object = repo
            .revparse_single(revision)
            .map_err(|error| Error::BadRevision {
                revision: revision.to_owned(),
                message: super::revision::explain_failure(&repo, revision, &error),
            })?;
        let commit = object
            .peel_to_commit()
            .map_err(|error| Error::BadRevision {
                revision: revision.to_owned(),
                message: format!("it does not name a commit ({})", error.message()),
            })?;
        Ok(ObjectId::from_git(commit.id()))
    }

    /// True when the reference (`refs/remotes/origin/HEAD`, `refs/heads/main`) exists
    /// and points to a commit.
    pub(crate) fn reference(&self, name: &str) -> Option<ObjectId> {
        let repo = self.git();
        let reference = repo.find_reference(name).ok()?;
        commit_of(&repo, &reference).ok()
    }

    pub(crate) fn merge_base(&self, one: ObjectId, two: ObjectId) -> Result<Option<ObjectId>> {
        match self.git().merge_base(one.to_git(), two.to_git()) {
            Ok(base) => Ok(Some(ObjectId::from_git(base))),
            Err(error) if error.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(error) => Err(git_error(&error)),
        }
    }

    /// Returns the first-parent chain of `tip` without the commits reachable from `hidden`,
    /// newest first, as `git log --first-parent hidden..tip` lists it.
    pub(crate) fn first_parent_range(
        &self,
        hidden: ObjectId,
        tip: ObjectId,
    ) -> Result<Vec<ObjectId>> {
        let repo = self.git();
        let mut walk = repo.revwalk().map_err(|e| git_error(&e))?;
        walk.simplify_first_parent().map_err(|e| git_error(&e))?;
        walk.push(tip.to_git()).map_err(|e| git_error(&e))?;
        walk.hide(hidden.to_git()).map_err(|e| git_error(&e))?;
        walk.map(|oid| {
            oid.map(ObjectId::from_git)
                .map_err(|error| git_error(&error))
        })
        .collect()
    }

    /// Returns the path of a blob in a commit's tree, if it exists there.
    pub(crate) fn blob_at(&self, commit: ObjectId, path: &str) -> Result<Option<ObjectId>> {
        let tree = self.commit(commit)?.tree;
        let repo = self.git();
        let tree = repo.find_tree(tree.to_git()).map_err(|e| git_error(&e))?;
        match tree.get_path(Path::new(path)) {
            Ok(entry) if entry.kind() == Some(git2::ObjectType::Blob) => {
                Ok(Some(ObjectId::from_git(entry.id())))
            }
            Ok(_) => Ok(None),
            Err(error) if error.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(error) => Err(git_error(&error)),
        }
    }
}

/// Returns the commit a reference points to. A branch names its commit directly, and
/// reading the id from the object header leaves the commit unparsed, because libgit2
/// rejects commits that git itself reads, such as an author line without an e-mail.
fn commit_of(repo: &git2::Repository, reference: &git2::Reference<'_>) -> Result<ObjectId> {
    let direct = reference.resolve().ok().and_then(|target| target.target());
    if let Some(id) = direct
        && let Ok(odb) = repo.odb()
        && let Ok((_, git2::ObjectType::Commit)) = odb.read_header(id)
    {
        return Ok(ObjectId::from_git(id));
    }
    let commit = reference.peel_to_commit().map_err(|e| git_error(&e))?;
    Ok(ObjectId::from_git(commit.id()))
}

impl ObjectStore for GitRepository {
    fn commit(&self, id: ObjectId) -> Result<CommitInfo> {
        // gitoxide rejects some commits that git shows, such as a time zone with a
        // comment after it. libgit2 reads those.
        let mut commit = match self.objects.commit(id) {
            Ok(commit) => commit,
            Err(_) => self.git2_commit(id).map_err(|error| match error {
                Error::Git { message } => Error::Git {
                    message: format!("commit {} cannot be read: {message}", &id.to_hex()[..7]),
                },
                other => other,
            })?,
        };
        if self.shallow.contains(&id) {
            commit.first_parent = None;
        }
        Ok(commit)
    }

    fn tree(&self, id: ObjectId) -> Result<Tree> {
        self.objects.tree(id)
    }

    fn blob(&self, id: ObjectId) -> Result<Vec<u8>> {
        self.objects.with_blob(id, <[u8]>::to_vec)
    }

    /// Reads and maps blobs on rayon's threads, each with its own gitoxide handle.
    fn map_blobs<T, F>(&self, ids: &[ObjectId], map: F) -> Result<Vec<T>>
    where
        T: Send,
        F: Fn(&[u8]) -> T + Sync + Send,
    {
        use rayon::prelude::*;
        let objects = &self.objects;
        ids.par_iter()
            .map(|id| objects.with_blob(*id, &map))
            .collect()
    }
}

/// Byte limit of each thread's cache of decoded pack delta bases. On the
/// 100,000-commit benchmark repository, gitoxide's default (64 entries) made the
/// tree compare 70–90 % slower than libgit2, and 16 MiB made it 38 % faster and
/// blob reads 25 % faster (bench/history-notes.md has the figures). 6 MiB took the
/// same CPU time as 16 MiB there, and lowered the peak memory by 17 MiB.
const DELTA_CACHE_BYTES: usize = 6 << 20;

/// Tree and blob reads through gitoxide. A `gix::Repository` cannot be shared
/// between threads, so each thread reads through its own handle, made on first use
/// from the shared one and kept for the thread's life.
struct GixObjects {
    shared: gix::ThreadSafeRepository,
    /// Tells this repository's thread handles apart from those of repositories
    /// opened earlier in the same process.
    serial: u64,
}

/// Counts repositories opened by this process, for `GixObjects::serial`.
static GIX_OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

thread_local! {
    /// This thread's gitoxide handle, with the serial of the repository it reads and
    /// a buffer for undecoded objects.
    static THREAD_OBJECTS: std::cell::RefCell<Option<(u64, gix::Repository, Vec<u8>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Drops every thread's gitoxide handle with its caches, once a command has read what
/// it needs. A later read makes a new handle.
pub(crate) fn release_object_caches() {
    let release = || THREAD_OBJECTS.with(|cell| cell.borrow_mut().take());
    rayon::broadcast(|_| release());
    release();
}

fn gix_error(error: &impl fmt::Display) -> Error {
    Error::Git {
        message: error.to_string(),
    }
}

impl GixObjects {
    fn open(git_dir: &Path) -> Result<GixObjects> {
        let shared = gix::ThreadSafeRepository::open(git_dir).map_err(|e| gix_error(&e))?;
        let serial = GIX_OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(GixObjects { shared, serial })
    }

    /// Runs `read` with this thread's handle and object buffer.
    fn with_handle<T>(&self, read: impl FnOnce(&gix::Repository, &mut Vec<u8>) -> T) -> T {
        THREAD_OBJECTS.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot
                .as_ref()
                .is_none_or(|(serial, _, _)| *serial != self.serial)
            {
                let mut repo = self.shared.to_thread_local();
                // Revisions and ranges are read with libgit2, which does not apply
                // `refs/replace/`, so objects are read as stored here too.
                repo.objects.ignore_replacements = true;
                repo.objects.set_pack_cache(|| {
                    Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                        DELTA_CACHE_BYTES,
                    ))
                });
                *slot = Some((self.serial, repo, Vec::new()));
            }
            let (_, repo, buffer) = slot.as_mut().expect("the handle was made above");
            read(repo, buffer)
        })
    }

    fn tree(&self, id: ObjectId) -> Result<Tree> {
        use gix::objs::FindExt;
        self.with_handle(|repo, buffer| {
            let entries = repo
                .objects
                .find_tree_iter(&gix::ObjectId::from(id.0), buffer)
                .map_err(|e| gix_error(&e))?;
            let mut decoded = Tree::default();
            for entry in entries {
                let entry = entry.map_err(|e| gix_error(&e))?;
                // A symbolic link's blob is the link target, and a submodule is a
                // commit, so neither is a goal file.
                let kind = if entry.mode.is_tree() {
                    EntryKind::Tree
                } else if entry.mode.is_blob() {
                    EntryKind::Blob
                } else {
                    EntryKind::Other
                };
                decoded.push(
                    entry.filename,
                    ObjectId::from_bytes(entry.oid.as_bytes()),
                    kind,
                );
            }
            Ok(decoded)
        })
    }

    /// Reads a commit. Commits are read through gitoxide like trees and blobs, so the
    /// pack is mapped into memory once, not once per library.
    fn commit(&self, id: ObjectId) -> Result<CommitInfo> {
        use gix::objs::FindExt;
        self.with_handle(|repo, buffer| {
            let commit = repo
                .objects
                .find_commit(&gix::ObjectId::from(id.0), buffer)
                .map_err(|e| gix_error(&e))?;
            let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
            let (author, email) = commit
                .author()
                .map(|author| (text(author.name), text(author.email)))
                .unwrap_or_default();
            // NOTE: a time zone git accepts but gix cannot parse (such as +9999) reads as
            // UTC here, and an `encoding` header is not applied (README KL-7).
            let time = commit
                .committer()
                .ok()
                .and_then(|committer| committer.time().ok())
                .unwrap_or_default();
            let first_parent = commit
                .parents()
                .next()
                .map(|parent| ObjectId::from_bytes(parent.as_bytes()));
            // Blank lines before the message are left out, as `git log` leaves them out.
            let leading = commit
                .message
                .iter()
                .take_while(|byte| **byte == b'\n')
                .count();
            let message = &commit.message[leading..];
            Ok(CommitInfo {
                id,
                tree: ObjectId::from_bytes(commit.tree().as_bytes()),
                first_parent,
                author,
                email,
                time: time.seconds,
                offset_minutes: time.offset / 60,
                message: text(message),
            })
        })
    }

    /// Reads a blob and maps its bytes with `map`, without copying them.
    fn with_blob<T>(&self, id: ObjectId, map: impl FnOnce(&[u8]) -> T) -> Result<T> {
        use gix::objs::FindExt;
        self.with_handle(|repo, buffer| {
            let blob = repo
                .objects
                .find_blob(&gix::ObjectId::from(id.0), buffer)
                .map_err(|e| gix_error(&e))?;
            Ok(map(blob.data))
        })
    }
}

/// Reads the commit ids listed in `.git/shallow`; an absent file means a full clone.
fn read_shallow_file(path: &Path) -> HashSet<ObjectId> {
    std::fs::read_to_string(path)
        .map(|text| text.lines().filter_map(ObjectId::from_hex).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_id_round_trips_through_hex() {
        let text = "0123456789abcdef0123456789abcdef01234567";
        let id = ObjectId::from_hex(text).unwrap();
        assert_eq!(id.to_hex(), text);
        assert!(ObjectId::from_hex("xyz").is_none());
        assert!(ObjectId::from_hex(&"g".repeat(40)).is_none());
    }
}
