//! Failures: the reasons a command could not do its job (exit code 2). Lint findings
//! are not errors; they live in `diagnostic`.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub(crate) enum Error {
    #[error("folder not found: {}", path.display())]
    #[diagnostic(code(okr::folder_not_found), help("check the path given to -C"))]
    FolderNotFound { path: PathBuf },

    #[error("{} is a file, not a folder", path.display())]
    #[diagnostic(
        code(okr::not_a_folder),
        help("give -C the folder that holds okr.toml or okrs/")
    )]
    NotAFolder { path: PathBuf },

    #[error("failed to read {}", path.display())]
    #[diagnostic(code(okr::io))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),

    #[error("no goal files found under {folders}")]
    #[diagnostic(
        code(okr::no_goal_files),
        help("put goal files (*.toml) under okrs/, or list their folders in `goals` in okr.toml")
    )]
    NoGoalFiles { folders: String },

    #[error("{count} goal file(s) could not be read; they were left out")]
    #[diagnostic(
        code(okr::broken_files),
        help("run `okr lint` to see every problem with its position")
    )]
    BrokenGoalFiles { count: usize },

    #[error("unknown rule `{name}`")]
    #[diagnostic(code(okr::unknown_rule))]
    UnknownRule {
        name: String,
        #[help]
        help: Option<String>,
    },

    #[error("{message}")]
    #[diagnostic(code(okr::reference))]
    Reference {
        message: String,
        #[help]
        help: Option<String>,
    },

    #[error("{} is not inside a git repository", path.display())]
    #[diagnostic(
        code(okr::not_a_repository),
        help(
            "this command reads goal history from git: run it in a git work tree, or name one with -C"
        )
    )]
    NotRepository { path: PathBuf },

    #[error("the git repository at {} has no commits yet", path.display())]
    #[diagnostic(
        code(okr::empty_repository),
        help("commit the goal files first, for example `git add okrs okr.toml && git commit`")
    )]
    EmptyRepository { path: PathBuf },

    #[error("invalid revision `{revision}`: {message}")]
    #[diagnostic(
        code(okr::bad_revision),
        help("name a branch, tag or commit id (`git log --oneline` lists them)")
    )]
    BadRevision { revision: String, message: String },

    #[error("failed to read the git repository: {message}")]
    #[diagnostic(code(okr::git))]
    Git { message: String },

    #[error("failed to write output: {0}")]
    #[diagnostic(code(okr::output))]
    Output(#[from] std::io::Error),
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem in okr.toml, with the file's text so the report can show the line. Boxed
/// inside `Error` because it is much larger than the other variants.
#[derive(Debug, Error, Diagnostic)]
#[error("invalid okr.toml: {message}")]
#[diagnostic(code(okr::config))]
pub(crate) struct ConfigError {
    pub(crate) message: String,
    #[source_code]
    pub(crate) source_code: NamedSource<String>,
    #[label("here")]
    pub(crate) span: Option<SourceSpan>,
    #[help]
    pub(crate) help: Option<String>,
}
