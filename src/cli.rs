//! The command line: global flags and one `Args` struct per subcommand.

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// OKRs as code: lint goal files, roll up progress, and show how goals align.
#[derive(Debug, Parser)]
#[command(name = "okr", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Run as if started in DIR
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub(crate) directory: Option<PathBuf>,

    /// When to color output (`auto` follows NO_COLOR and whether stdout is a terminal)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub(crate) color: ColorChoice,

    /// The date to judge progress and time-bound rules at (YYYY-MM-DD; default today)
    #[arg(long, value_name = "DATE", global = true, value_parser = parse_date)]
    pub(crate) as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check goal files against the SMART and structure rules
    Lint(LintArgs),
    /// Show progress rolled up from key results to objectives, teams and the company
    Progress(ProgressArgs),
    /// Show the alignment tree from company objectives down to every team's
    Tree(TreeArgs),
    /// Show how objectives and key results changed, commit by commit, from git
    History(HistoryArgs),
    /// Show what changed in the goals between two revisions, with the lint delta
    Diff(DiffArgs),
    /// Show each field of an objective or key result with the commit that last changed it
    Blame(BlameArgs),
    /// Explain what a rule checks, why it matters and how to fix a finding
    Explain(ExplainArgs),
    /// List every lint rule with its group and severity
    Rules(RulesArgs),
    /// Print the JSON Schema of the goal file format
    Schema,
    /// Print a shell completion script (for example `okr completions bash > okr.bash`)
    Completions(CompletionsArgs),
}

/// Which goals a command shows.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct Filter {
    /// Show this period (YYYY-Qn, YYYY-Hn, YYYY, a named period, or `all`)
    #[arg(long, value_name = "PERIOD")]
    pub(crate) period: Option<String>,

    /// Show only this team
    #[arg(long, value_name = "TEAM")]
    pub(crate) team: Option<String>,

    /// Show only objectives and key results of this owner
    #[arg(long, value_name = "OWNER")]
    pub(crate) owner: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Report findings only for these files or folders (rules still see the whole repository)
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub(crate) format: LintFormat,

    /// Exit with 1 on warnings too (`--deny warnings`)
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub(crate) deny: Option<DenyLevel>,

    /// Check only this period (default: every period)
    #[arg(long, value_name = "PERIOD")]
    pub(crate) period: Option<String>,

    #[command(flatten)]
    pub(crate) revision: RevisionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LintFormat {
    /// Readable, with the source lines of each finding
    Human,
    /// okr's JSON document (`schema_version` 1)
    Json,
    /// GitHub Actions annotations
    Github,
    /// SARIF 2.1.0, for code-scanning services
    Sarif,
    /// reviewdog's diagnostic format
    Rdjson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DenyLevel {
    Warnings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TableFormat {
    Table,
    Markdown,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ProgressArgs {
    #[command(flatten)]
    pub(crate) filter: Filter,

    /// Output format
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub(crate) format: TableFormat,

    #[command(flatten)]
    pub(crate) revision: RevisionArgs,
}

#[derive(Debug, Args)]
pub(crate) struct TreeArgs {
    #[command(flatten)]
    pub(crate) filter: Filter,

    #[command(flatten)]
    pub(crate) revision: RevisionArgs,

    /// Output format
    #[arg(long, value_enum, default_value_t = TreeFormat::Table)]
    pub(crate) format: TreeFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TreeFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The rule's name, as `okr rules` lists it
    pub(crate) rule: String,
}

#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub(crate) format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RulesFormat {
    Table,
    Json,
}

/// Options of commands that read git history.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct GitArgs {
    /// Walk the history without reading or updating the cache in the git folder
    #[arg(long)]
    pub(crate) no_cache: bool,

    /// Print what the history walk did to stderr (commits walked, blobs parsed)
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

/// Reading goals as they were at a commit.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct RevisionArgs {
    /// Read okr.toml and the goal files as they were at this revision (branch, tag or
    /// commit); --as-of then defaults to its commit date
    #[arg(long, value_name = "REV")]
    pub(crate) rev: Option<String>,

    #[command(flatten)]
    pub(crate) git: GitArgs,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// The item, as [PERIOD/]OBJECTIVE[/KEY_RESULT]; without it, every item that passes
    /// --period, --team and --owner, in every period unless --period is given
    #[arg(value_name = "ITEM")]
    pub(crate) item: Option<String>,

    #[command(flatten)]
    pub(crate) filter: Filter,

    /// Walk the history of this revision, or of a range A..B (default: HEAD)
    #[arg(long, value_name = "REV")]
    pub(crate) rev: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub(crate) format: TableFormat,

    #[command(flatten)]
    pub(crate) git: GitArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The revision to compare from (default: the merge base of HEAD with origin/HEAD,
    /// else with main, else with master)
    #[arg(value_name = "BASE")]
    pub(crate) base: Option<String>,

    /// The revision to compare to (default: the working tree)
    #[arg(value_name = "HEAD")]
    pub(crate) head: Option<String>,

    /// Output format (`markdown` makes a pull-request comment)
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub(crate) format: DiffFormat,

    #[command(flatten)]
    pub(crate) git: GitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct BlameArgs {
    /// The item, as [PERIOD/]OBJECTIVE[/KEY_RESULT]
    #[arg(value_name = "ITEM")]
    pub(crate) item: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = BlameFormat::Table)]
    pub(crate) format: BlameFormat,

    #[command(flatten)]
    pub(crate) git: GitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BlameFormat {
    Table,
    Json,
}

/// Parses a calendar date, with the expected form in the message.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|error| format!("{error}: expected a date as YYYY-MM-DD, such as 2026-11-15"))
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}
