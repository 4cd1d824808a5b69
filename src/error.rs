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

    #[error("failed to read {}: {source}", path.display())]
    #[diagnostic(code(okr::io))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("invalid okr.toml: {message}")]
    #[diagnostic(code(okr::config))]
    Config {
        message: String,
        #[source_code]
        source_code: NamedSource<String>,
        #[label("here")]
        span: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

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

    #[error("failed to write output: {0}")]
    #[diagnostic(code(okr::output))]
    Output(#[from] std::io::Error),
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
