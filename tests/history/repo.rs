//! A git repository in a temporary folder, built with the `git` command. Author,
//! committer, dates and config are fixed, so commit ids and output are stable.

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) struct Repo {
    /// Holds `repo/` (the work tree) and `home/` (HOME for git and okr).
    root: tempfile::TempDir,
    pub(crate) path: PathBuf,
}

pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Output {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Returns a goal file of one objective with one key result, in 2026-Q4 for team growth.
pub(crate) fn goal_file(key_result: &str) -> String {
    format!(
        "period = \"2026-Q4\"\nteam = \"growth\"\n\n[[objective]]\nid = \"signups\"\n\
         title = \"More teams start a trial every week\"\nowner = \"ana\"\n\n\
         [[objective.key_result]]\nid = \"weekly\"\ntitle = \"Raise weekly trial signups\"\n\
         unit = \"count\"\n{key_result}"
    )
}

impl Repo {
    /// Returns an empty repository on branch `main`.
    pub(crate) fn new() -> Repo {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("repo");
        std::fs::create_dir_all(&path).unwrap();
        std::fs::create_dir_all(root.path().join("home")).unwrap();
        let repo = Repo { root, path };
        repo.git(&["init", "-q", "-b", "main"], "2026-01-01T00:00:00+00:00");
        repo
    }

    /// Returns a path next to the work tree, inside the same temporary folder.
    pub(crate) fn sibling(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    fn environment(&self, command: &mut Command, date: &str) {
        command
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CEILING_DIRECTORIES", self.root.path())
            .env("HOME", self.home())
            .env("GIT_AUTHOR_NAME", "Ana Lima")
            .env("GIT_AUTHOR_EMAIL", "ana@example.com")
            .env("GIT_COMMITTER_NAME", "Ana Lima")
            .env("GIT_COMMITTER_EMAIL", "ana@example.com")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }

    /// Runs git in the work tree and returns its stdout; a failure fails the test.
    pub(crate) fn git(&self, args: &[&str], date: &str) -> String {
        self.git_in(&self.path, args, date)
    }

    pub(crate) fn git_in(&self, dir: &Path, args: &[&str], date: &str) -> String {
        let mut command = Command::new("git");
        command.args(args).current_dir(dir);
        self.environment(&mut command, date);
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    pub(crate) fn write(&self, path: &str, text: &str) -> &Repo {
        let path = self.path.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub(crate) fn remove(&self, path: &str) -> &Repo {
        std::fs::remove_file(self.path.join(path)).unwrap();
        self
    }

    /// Commits every change in the work tree with `message` on `date` (ISO 8601
    /// with offset) and returns the commit id.
    pub(crate) fn commit(&self, date: &str, message: &str) -> String {
        self.git(&["add", "-A"], date);
        self.git(&["commit", "-q", "--allow-empty", "-m", message], date);
        self.git(&["rev-parse", "HEAD"], date).trim().to_owned()
    }

    /// Runs the built `okr` in the work tree.
    pub(crate) fn okr(&self, args: &[&str]) -> Output {
        self.okr_in(&self.path, args)
    }

    pub(crate) fn okr_in(&self, dir: &Path, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_okr"));
        command
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .env_remove("CLICOLOR_FORCE");
        self.environment(&mut command, "2026-01-01T00:00:00+00:00");
        let output = command.output().expect("failed to start okr");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs `okr` and fails the test unless it exits with 0.
    pub(crate) fn okr_ok(&self, args: &[&str]) -> Output {
        let output = self.okr(args);
        assert_eq!(
            output.code, 0,
            "okr {args:?} exited {}:\n{}{}",
            output.code, output.stdout, output.stderr
        );
        output
    }
}
