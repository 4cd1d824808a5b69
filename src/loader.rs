//! Finds goal files, reads them in parallel and turns each into the goal model. A file
//! that does not parse yields findings and is left out; it never stops the others.

use crate::config::Config;
use crate::diagnostic::{Finding, Severity, quoted};
use crate::error::{Error, Result};
use crate::model::{
    Commitment, Direction, GoalFile, INITIATIVE_STATES, Initiative, KeyResult, Kind, Note,
    Objective, Spanned, State, Text,
};
use crate::source::SourceFile;
use crate::toml_read::{Problem, ProblemKind, TableReader};
use crate::toml_tree::{Item, Table, Value, key_limit};
use rayon::prelude::*;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

/// Every goal file of a repository, parsed, with the findings made while reading.
#[derive(Debug)]
pub(crate) struct Workspace {
    pub(crate) config: Config,
    /// All goal files found, parsed or not, in path order.
    pub(crate) sources: Vec<SourceFile>,
    /// The files that parsed, in path order.
    pub(crate) files: Vec<GoalFile>,
    /// Structure findings (`invalid-toml`, `unknown-field`, ...), at default severity.
    pub(crate) findings: Vec<Finding>,
    /// Sources that are not valid TOML (or not UTF-8), and so have no `GoalFile`.
    pub(crate) unparsed: Vec<usize>,
    /// What was skipped while finding files (unreadable folders), for stderr or lint notes.
    pub(crate) notes: Vec<String>,
}

const OBJECTIVE_FIELDS: &[&str] = &[
    "id",
    "title",
    "owner",
    "aligns_to",
    "weight",
    "state",
    "commitment",
    "allow",
    "reason",
    "key_result",
    "initiative",
];
const KEY_RESULT_FIELDS: &[&str] = &[
    "id",
    "title",
    "owner",
    "kind",
    "start",
    "target",
    "current",
    "unit",
    "confidence",
    "due",
    "weight",
    "checked",
    "aligns_to",
    "reason",
    "notes",
    "state",
    "done",
    "direction",
    "allow",
];
const INITIATIVE_FIELDS: &[&str] = &["title", "owner", "link", "state", "key_results"];
const FILE_FIELDS: &[&str] = &["period", "team", "objective"];

impl Workspace {
    /// Reads every goal file under the configured folders.
    pub(crate) fn load(config: Config) -> Result<Workspace> {
        let (paths, notes) = discover_with_notes(&config)?;
        // Each file is read and parsed in one task, so its bytes are freed right after.
        let parsed: Vec<Parsed> = paths
            .par_iter()
            .enumerate()
            .map(|(index, path)| {
                let display = display_path(&config.display_root, path);
                match std::fs::read(path) {
                    Ok(bytes) => parse_file(index, display, bytes),
                    Err(error) => unreadable(index, display, &error),
                }
            })
            .collect();
        let mut workspace = Workspace::assemble(config, parsed);
        workspace.notes = notes;
        Ok(workspace)
    }

    pub(crate) fn source(&self, file: &GoalFile) -> &SourceFile {
        &self.sources[file.source]
    }

    /// Parses files given as (display path, bytes); git blobs come in this way too.
    pub(crate) fn from_contents(config: Config, contents: Vec<(String, Vec<u8>)>) -> Workspace {
        let parsed = contents
            .into_par_iter()
            .enumerate()
            .map(|(index, (path, bytes))| parse_file(index, path, bytes))
            .collect();
        Workspace::assemble(config, parsed)
    }

    /// Builds the workspace from parsed files, given in source order.
    fn assemble(config: Config, parsed: Vec<Parsed>) -> Workspace {
        let mut workspace = Workspace {
            config,
            sources: Vec::with_capacity(parsed.len()),
            files: Vec::new(),
            findings: Vec::new(),
            unparsed: Vec::new(),
            notes: Vec::new(),
        };
        for (index, (source, file, findings)) in parsed.into_iter().enumerate() {
            workspace.sources.push(source);
            workspace.findings.extend(findings);
            match file {
                Some(file) => workspace.files.push(file),
                None => workspace.unparsed.push(index),
            }
        }
        workspace
    }
}

/// Reports a goal file that could not be read as an `invalid-toml` finding, so the
/// other files are still checked.
fn unreadable(index: usize, path: String, error: &std::io::Error) -> Parsed {
    let finding = structure_finding(
        "invalid-toml",
        index,
        None,
        format!("failed to read the goal file: {error}"),
        "check the file's permissions; the other files are still checked".to_owned(),
    );
    (SourceFile::new(path, ""), None, vec![finding])
}

/// Lists goal files: `*.toml` under each configured folder (or matching each glob),
/// sorted. Hidden files and folders, symbolic links and anything that is not a
/// regular file are skipped, so nothing outside the repository is read.
pub(crate) fn discover(config: &Config) -> Result<Vec<PathBuf>> {
    discover_with_notes(config).map(|(paths, _)| paths)
}

/// Like `discover`, with a note for each folder that could not be read.
fn discover_with_notes(config: &Config) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let mut paths = Vec::new();
    let mut notes = Vec::new();
    for entry in &config.goals {
        reject_outside_entry(entry)?;
        if entry.contains(['*', '?', '[', '{']) {
            let matcher = globset::Glob::new(entry)
                .map_err(|error| Error::Reference {
                    message: format!("invalid glob `{entry}` in okr.toml: {error}"),
                    help: None,
                })?
                .compile_matcher();
            let (found, walk_notes) = walk(&config.root);
            notes.extend(walk_notes);
            paths.extend(found.into_iter().filter(|path| {
                let relative = path.strip_prefix(&config.root).unwrap_or(path);
                matcher.is_match(relative)
            }));
        } else {
            let folder = config.root.join(entry);
            if !folder.exists() {
                continue;
            }
            let linked = std::fs::symlink_metadata(&folder).is_ok_and(|meta| meta.is_symlink());
            if linked || !is_inside(&folder, &config.display_root) {
                return Err(outside_repository(entry));
            }
            let (found, walk_notes) = walk(&folder);
            notes.extend(walk_notes);
            paths.extend(found);
        }
    }
    // Each folder's list is sorted already, but several folders or globs may overlap.
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        return Err(Error::NoGoalFiles {
            folders: config.goals.join(", "),
        });
    }
    Ok((paths, notes))
}

/// Rejects a `goals` entry of okr.toml that climbs out of the repository by its
/// words alone (`..`, an absolute path), before anything is read.
pub(crate) fn reject_outside_entry(entry: &str) -> Result<()> {
    let escapes = Path::new(entry).components().any(|component| {
        matches!(
            component,
            Component::ParentDir | Component::RootDir | Component::Prefix(_)
        )
    });
    if escapes {
        return Err(outside_repository(entry));
    }
    Ok(())
}

fn outside_repository(entry: &str) -> Error {
    Error::Reference {
        message: format!("goal folder `{entry}` in okr.toml points outside the repository"),
        help: Some(
            "list real folders inside the repository, without `..` or symbolic links".to_owned(),
        ),
    }
}

/// True when `path`, with every symbolic link resolved, lies inside `root`.
pub(crate) fn is_inside(path: &Path, root: &Path) -> bool {
    match (std::fs::canonicalize(path), std::fs::canonicalize(root)) {
        (Ok(path), Ok(root)) => path.starts_with(root),
        _ => false,
    }
}

/// Lists the goal files under `folder` in path order, with notes on folders that could
/// not be read. Sub-folders are read in parallel, and each folder's entries are sorted
/// by name, so the list comes out sorted.
fn walk(folder: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) => {
            let note = format!("skipped folder {}: {error}", folder.display());
            return (Vec::new(), vec![note]);
        }
    };
    // Each entry with its name, and whether it is a folder to walk into.
    let mut found: Vec<(std::ffi::OsString, bool)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let hidden = name.to_string_lossy().starts_with('.');
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if hidden {
            continue;
        }
        let path = Path::new(&name);
        if kind.is_dir() {
            found.push((name, true));
        } else if kind.is_file()
            && path.extension().is_some_and(|ext| ext == "toml")
            && name != crate::config::FILE_NAME
        {
            found.push((name, false));
        }
    }
    found.sort_unstable();
    let parts: Vec<(Vec<PathBuf>, Vec<String>)> = found
        .into_par_iter()
        .map(|(name, is_folder)| {
            let path = folder.join(name);
            if is_folder {
                walk(&path)
            } else {
                (vec![path], Vec::new())
            }
        })
        .collect();
    let mut paths = Vec::new();
    let mut notes = Vec::new();
    for (part_paths, part_notes) in parts {
        paths.extend(part_paths);
        notes.extend(part_notes);
    }
    (paths, notes)
}

fn display_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

type Parsed = (SourceFile, Option<GoalFile>, Vec<Finding>);

fn parse_file(index: usize, path: String, bytes: Vec<u8>) -> Parsed {
    let source = match SourceFile::from_bytes(path, bytes) {
        Ok(source) => source,
        Err((path, bytes, offset)) => {
            let source = SourceFile::new(path, &String::from_utf8_lossy(&bytes));
            let finding = structure_finding(
                "invalid-toml",
                index,
                Some(offset..offset),
                format!("goal file is not valid UTF-8 (first bad byte at offset {offset})"),
                "save the file as UTF-8".to_owned(),
            );
            return (source, None, vec![finding]);
        }
    };
    // The first byte order mark was stripped; the TOML parser would skip another one.
    if source.text.starts_with('\u{feff}') {
        let finding = structure_finding(
            "invalid-toml",
            index,
            Some(0..3),
            "invalid TOML: a second byte order mark at the start of the file".to_owned(),
            "remove the extra byte order mark".to_owned(),
        );
        return (source, None, vec![finding]);
    }
    let table = match Table::parse(&source.text) {
        Ok(table) => table,
        Err(errors) => {
            let findings = errors
                .iter()
                .map(|error| {
                    let (span, message) = key_limit::located(&source.text, error);
                    structure_finding(
                        "invalid-toml",
                        index,
                        Some(span.unwrap_or(0..0)),
                        format!("invalid TOML: {message}"),
                        "fix the TOML syntax; the other files are still checked".to_owned(),
                    )
                })
                .collect();
            return (source, None, findings);
        }
    };
    let bad_numbers = invalid_numbers(&table);
    if !bad_numbers.is_empty() {
        let findings = bad_numbers
            .into_iter()
            .map(|(span, text)| {
                structure_finding(
                    "invalid-toml",
                    index,
                    Some(span),
                    format!("invalid TOML: `{}` is not a valid number", quoted(&text)),
                    "write the number in decimal, or with a 0x, 0o or 0b prefix and digits"
                        .to_owned(),
                )
            })
            .collect();
        return (source, None, findings);
    }
    let mut problems = Vec::new();
    let file = read_goal_file(index, &source.path, &table, &mut problems);
    let findings = problems
        .into_iter()
        .map(|(problem, item)| {
            let mut finding = problem_finding(index, problem);
            finding.item = item;
            finding.period = file.period.as_ref().map(|period| period.value.to_string());
            finding
        })
        .collect();
    (source, Some(file), findings)
}

/// Numbers the parser kept as text but that do not convert (`0x`, `1_0٠`): the span-keeping
/// parse checks them only when they are read, and unknown fields are never read.
fn invalid_numbers(table: &Table<'_>) -> Vec<(Range<usize>, String)> {
    fn visit(value: &Item<'_>, found: &mut Vec<(Range<usize>, String)>) {
        match value.value() {
            Value::Integer(integer) => {
                if i64::from_str_radix(integer.digits(), integer.radix()).is_err() {
                    found.push((value.span(), integer.to_string()));
                }
            }
            Value::Float(float) => {
                if float.as_str().parse::<f64>().is_err() {
                    found.push((value.span(), float.to_string()));
                }
            }
            Value::Array(items) => items.iter().for_each(|item| visit(item, found)),
            Value::Table(table) => table.values().for_each(|item| visit(item, found)),
            Value::String(_) | Value::Boolean(_) | Value::Datetime(_) => {}
        }
    }
    let mut found = Vec::new();
    table.values().for_each(|value| visit(value, &mut found));
    found
}

fn structure_finding(
    rule: &'static str,
    file: usize,
    span: Option<Range<usize>>,
    message: String,
    help: String,
) -> Finding {
    Finding {
        rule,
        severity: Severity::Error,
        file,
        span,
        item: None,
        period: None,
        message,
        help,
    }
}

fn problem_finding(file: usize, problem: Problem) -> Finding {
    let rule = match problem.kind {
        ProblemKind::UnknownField => "unknown-field",
        ProblemKind::WrongType | ProblemKind::InvalidValue => "wrong-type",
        ProblemKind::MissingField => "missing-field",
        ProblemKind::UnknownKind => "unknown-kind",
    };
    structure_finding(
        rule,
        file,
        Some(problem.span),
        problem.message,
        problem.help,
    )
}

/// Problems found in one file, each with the item it belongs to.
type Problems = Vec<(Problem, Option<String>)>;

fn read_goal_file(
    index: usize,
    path: &str,
    table: &Table<'_>,
    problems: &mut Problems,
) -> GoalFile {
    let mut reader = TableReader::new(table, 0..0, "the goal file");
    let period = reader.string("period");
    if period.is_none() && table.get("period").is_none() {
        reader.problems.push(Problem {
            kind: ProblemKind::MissingField,
            span: 0..0,
            message: "goal file has no `period`".to_owned(),
            help: "add `period = \"2026-Q4\"` (YYYY-Qn, YYYY-Hn, YYYY or a period named in okr.toml) at the top".to_owned(),
        });
    }
    let team = reader.string("team").unwrap_or_else(|| {
        let stem = path.rsplit('/').next().unwrap_or(path);
        Spanned::new(Text::from(stem.trim_end_matches(".toml")), 0..0)
    });
    let objectives = reader
        .tables("objective")
        .into_iter()
        .map(|(table, span)| read_objective(table, span, problems))
        .collect();
    problems.extend(
        reader
            .finish(FILE_FIELDS)
            .into_iter()
            .map(|problem| (problem, None)),
    );
    GoalFile {
        source: index,
        period,
        team,
        objectives,
    }
}

fn read_state(reader: &mut TableReader<'_, '_>) -> State {
    let Some(state) = reader.string("state") else {
        return State::default();
    };
    State::parse(&state.value).unwrap_or_else(|| {
        reader.invalid(
            state.span,
            format!("unknown state `{}`", quoted(&state.value)),
            format!("use one of: {}", State::NAMES.join(", ")),
        );
        State::default()
    })
}

fn read_objective(table: &Table<'_>, span: Range<usize>, problems: &mut Problems) -> Objective {
    let mut reader = TableReader::new(table, span.clone(), "objective");
    let id = reader.required_string("id");
    let title = reader.required_string("title");
    let commitment = match reader.string("commitment") {
        None => Commitment::default(),
        Some(value) if value.value == "committed" => Commitment::Committed,
        Some(value) if value.value == "aspirational" => Commitment::Aspirational,
        Some(value) => {
            reader.invalid(
                value.span,
                format!("unknown commitment `{}`", quoted(&value.value)),
                "use \"aspirational\" (the default) or \"committed\"".to_owned(),
            );
            Commitment::default()
        }
    };
    let mut objective = Objective {
        span,
        owner: reader.string("owner"),
        aligns_to: reader.strings("aligns_to"),
        weight: reader.weight("weight"),
        state: read_state(&mut reader),
        commitment,
        allow: reader
            .strings("allow")
            .into_iter()
            .map(|rule| rule.value)
            .collect(),
        reason: reader
            .string("reason")
            .map(|reason| reason.value.into_string()),
        key_results: Vec::new(),
        initiatives: Vec::new(),
        id,
        title,
    };
    let item = (!objective.id.value.is_empty()).then(|| objective.id.value.to_string());
    // Sized exactly: the model of a large repository is kept until the end of the run.
    let key_results = reader.tables("key_result");
    objective.key_results.reserve_exact(key_results.len());
    for (table, span) in key_results {
        let key_result = read_key_result(table, span, &objective.id.value, problems);
        objective.key_results.push(key_result);
    }
    let initiatives = reader.tables("initiative");
    objective.initiatives.reserve_exact(initiatives.len());
    for (table, span) in initiatives {
        let mut initiative_reader = TableReader::new(table, span.clone(), "initiative");
        let initiative = Initiative {
            title: initiative_reader.required_string("title"),
            owner: initiative_reader.string("owner"),
            link: initiative_reader.string("link"),
            state: initiative_reader.string("state"),
            key_results: initiative_reader.strings("key_results"),
        };
        if let Some(state) = &initiative.state
            && !INITIATIVE_STATES.contains(&state.value.as_str())
        {
            initiative_reader.invalid(
                state.span.clone(),
                format!("unknown initiative state `{}`", quoted(&state.value)),
                format!("use one of: {}", INITIATIVE_STATES.join(", ")),
            );
        }
        let found = initiative_reader.finish(INITIATIVE_FIELDS);
        problems.extend(found.into_iter().map(|problem| (problem, item.clone())));
        objective.initiatives.push(initiative);
    }
    problems.extend(
        reader
            .finish(OBJECTIVE_FIELDS)
            .into_iter()
            .map(|problem| (problem, item.clone())),
    );
    objective
}

fn read_key_result(
    table: &Table<'_>,
    span: Range<usize>,
    objective_id: &str,
    problems: &mut Problems,
) -> KeyResult {
    let mut reader = TableReader::new(table, span.clone(), "key result");
    let id = reader.required_string("id");
    // Made only for problems: most key results have none.
    let item = |id: &str| Some(format!("{objective_id}/{id}"));
    let mut unknown_kind = None;
    let kind = match reader.string("kind") {
        None => Kind::default(),
        Some(kind) => Kind::parse(&kind.value).unwrap_or_else(|| {
            unknown_kind = Some(kind);
            Kind::default()
        }),
    };
    let direction = reader.string("direction").and_then(|direction| {
        let parsed = match direction.value.as_str() {
            "at-least" => Some(Direction::AtLeast),
            "at-most" => Some(Direction::AtMost),
            _ => None,
        };
        if parsed.is_none() {
            reader.invalid(
                direction.span.clone(),
                format!("unknown direction `{}`", quoted(&direction.value)),
                "use \"at-least\" or \"at-most\"".to_owned(),
            );
        }
        parsed.map(|value| Spanned::new(value, direction.span))
    });
    let notes = reader
        .tables("notes")
        .into_iter()
        .map(|(table, span)| {
            let mut note_reader = TableReader::new(table, span, "note");
            let note = Note {
                date: note_reader.date("date").map(|date| date.value),
                text: note_reader
                    .string("text")
                    .map(|text| text.value.into_string())
                    .unwrap_or_default(),
            };
            let found = note_reader.finish(&["date", "text"]);
            problems.extend(found.into_iter().map(|problem| (problem, item(&id.value))));
            note
        })
        .collect();
    let key_result = KeyResult {
        span,
        title: reader.required_string("title"),
        owner: reader.string("owner"),
        kind,
        start: reader.number("start"),
        target: reader.number("target"),
        current: reader.number("current"),
        unit: reader.string("unit"),
        confidence: reader.number("confidence"),
        due: reader.date("due"),
        weight: reader.weight("weight"),
        checked: reader.date("checked"),
        aligns_to: reader.strings("aligns_to"),
        reason: reader
            .string("reason")
            .map(|reason| reason.value.into_string()),
        notes,
        state: read_state(&mut reader),
        done: reader.boolean("done"),
        direction,
        allow: reader
            .strings("allow")
            .into_iter()
            .map(|rule| rule.value)
            .collect(),
        id,
    };
    let mut found = reader.finish(KEY_RESULT_FIELDS);
    if let Some(kind) = unknown_kind {
        found.push(Problem {
            kind: ProblemKind::UnknownKind,
            span: kind.span,
            message: format!("unknown key result kind `{}`", quoted(&kind.value)),
            help: format!("use one of: {}", Kind::NAMES.join(", ")),
        });
    }
    for problem in found {
        problems.push((problem, item(&key_result.id.value)));
    }
    key_result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_lists_goal_files_in_path_order() {
        let root = tempfile::tempdir().unwrap();
        for path in [
            "b/c/d.toml",
            "a.toml",
            "a/x.toml",
            "a-b.toml",
            "a/y/z.toml",
            ".hidden/h.toml",
            "a/.h.toml",
            "a/notes.md",
            "a/okr.toml",
        ] {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let (paths, notes) = walk(root.path());
        let relative: Vec<&Path> = paths
            .iter()
            .map(|path| path.strip_prefix(root.path()).unwrap())
            .collect();
        let expected: Vec<&Path> = ["a/x.toml", "a/y/z.toml", "a-b.toml", "a.toml", "b/c/d.toml"]
            .iter()
            .map(Path::new)
            .collect();
        assert_eq!(relative, expected);
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
        assert!(notes.is_empty(), "{notes:?}");
    }
}
