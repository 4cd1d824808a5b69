//! The repository config, `okr.toml`: where goal files live, the fiscal calendar,
//! rule severities and options, and the word lists. Read once, validated, then shared.

use crate::error::{ConfigError, Error, Result};
use crate::model::Spanned;
use crate::period::Calendar;
use crate::render::text::{masked_source, printable};
use crate::rules::{self, Level};
use crate::toml_read::{Problem, TableReader, did_you_mean};
use crate::toml_tree::{Table, Value};
use crate::words;
use chrono::NaiveDate;
use miette::NamedSource;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::de::DeTable;

pub(crate) const FILE_NAME: &str = "okr.toml";

#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// The folder goal folders are relative to: where okr.toml is, else the start folder.
    pub(crate) root: PathBuf,
    /// The folder reported paths are relative to: the git work tree, else `root`.
    pub(crate) display_root: PathBuf,
    pub(crate) goals: Vec<String>,
    pub(crate) calendar: Calendar,
    pub(crate) company_team: String,
    /// Days without a check-in before a key result is stale.
    pub(crate) check_in_interval: i64,
    /// Days into a period after which a target change is a moved goalpost.
    pub(crate) freeze: i64,
    /// Points (0..1) behind expected from which a key result is at risk, and off track.
    pub(crate) at_risk: f64,
    pub(crate) off_track: f64,
    pub(crate) rules: BTreeMap<String, RuleConfig>,
    pub(crate) words: Words,
}

/// One rule's entry under `[rules]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleConfig {
    pub(crate) level: Option<Level>,
    pub(crate) options: BTreeMap<String, f64>,
}

/// The word lists rules match titles against, defaults with `add` and `remove` applied.
#[derive(Debug, Clone)]
pub(crate) struct Words {
    pub(crate) vague: Vec<String>,
    pub(crate) task: Vec<String>,
    pub(crate) units: Vec<String>,
}

impl Config {
    pub(crate) fn level(&self, rule: &rules::Rule) -> Level {
        self.rules
            .get(rule.name)
            .and_then(|setting| setting.level)
            .unwrap_or(rule.default_level)
    }

    /// Returns a numeric rule option, falling back to the rule's declared default.
    pub(crate) fn option(&self, rule: &str, option: &str) -> f64 {
        if let Some(value) = self.rules.get(rule).and_then(|s| s.options.get(option)) {
            return *value;
        }
        rules::option_default(rule, option)
    }

    /// Finds okr.toml by walking up from `start` (stopping at a git work tree's top)
    /// and reads it. Without one, every setting takes its default, and the root is the
    /// closest folder on the way up that has an `okrs` folder, else `start`.
    pub(crate) fn discover(start: &Path) -> Result<Config> {
        if !start.exists() {
            return Err(Error::FolderNotFound {
                path: start.to_path_buf(),
            });
        }
        if !start.is_dir() {
            return Err(Error::NotAFolder {
                path: start.to_path_buf(),
            });
        }
        let start = std::path::absolute(start).map_err(|source| Error::Read {
            path: start.to_path_buf(),
            source,
        })?;
        let config_file = find_upwards(&start, |folder| folder.join(FILE_NAME).is_file())
            .map(|folder| folder.join(FILE_NAME));
        let root = match &config_file {
            Some(file) => file
                .parent()
                .map_or_else(|| start.clone(), Path::to_path_buf),
            None => find_upwards(&start, |folder| folder.join("okrs").is_dir())
                .unwrap_or_else(|| start.clone()),
        };
        let display_root = work_tree_of(&root).unwrap_or_else(|| root.clone());
        let Some(config_file) = config_file else {
            return Ok(Config::defaults(root, display_root));
        };
        if !crate::loader::is_inside(&config_file, &display_root) {
            return Err(Error::Reference {
                message: format!(
                    "{} is a link to a file outside the repository",
                    config_file.display()
                ),
                help: Some("replace the link with the file itself".to_owned()),
            });
        }
        let text = std::fs::read_to_string(&config_file).map_err(|source| Error::Read {
            path: config_file.clone(),
            source,
        })?;
        Config::parse(&text, &config_file, root, display_root)
    }

    pub(crate) fn defaults(root: PathBuf, display_root: PathBuf) -> Config {
        Config {
            root,
            display_root,
            goals: vec!["okrs".to_owned()],
            calendar: Calendar::new(1, BTreeMap::new()),
            company_team: "company".to_owned(),
            check_in_interval: 14,
            freeze: 0,
            at_risk: 0.10,
            off_track: 0.25,
            rules: BTreeMap::new(),
            words: Words::defaults(),
        }
    }

    pub(crate) fn parse(
        text: &str,
        path: &Path,
        root: PathBuf,
        display_root: PathBuf,
    ) -> Result<Config> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let source_name = path
            .strip_prefix(&display_root)
            .unwrap_or(path)
            .display()
            .to_string();
        let fail = |problem: Problem| {
            Error::Config(Box::new(ConfigError {
                message: problem.message,
                // Masked byte for byte, so the spans still point at the same text.
                source_code: NamedSource::new(printable(&source_name), masked_source(text)),
                span: Some(problem.span.into()),
                help: Some(problem.help),
            }))
        };
        let table = DeTable::parse(text).map_err(|error| {
            let (span, message) = crate::toml_tree::key_limit::located(text, &error);
            fail(Problem {
                kind: crate::toml_read::ProblemKind::InvalidValue,
                span: span.unwrap_or(0..0),
                message,
                help: "fix the TOML syntax".to_owned(),
            })
        })?;
        let mut config = Config::defaults(root, display_root);
        let problems = config.read(&Table::from_document(table.into_inner()));
        match problems.into_iter().next() {
            Some(problem) => Err(fail(problem)),
            None => Ok(config),
        }
    }

    fn read(&mut self, table: &Table<'_>) -> Vec<Problem> {
        let mut reader = TableReader::new(table, 0..0, "okr.toml");
        if let Some(goals) = reader.string_or_strings("goals") {
            self.goals = goals
                .into_iter()
                .map(|goal| goal.value.into_string())
                .collect();
        }
        if let Some(goals) = table.get("goals")
            && matches!(goals.value(), Value::Array(array) if array.iter().next().is_none())
        {
            reader.invalid(
                goals.span(),
                "goals must list at least one goal folder, found an empty list".to_owned(),
                "write for example `goals = [\"okrs\"]`, or remove `goals` to use okrs/".to_owned(),
            );
        }
        let mut quarter_start_month = 1;
        if let Some(month) = reader.number("quarter_start_month") {
            match whole_number(&month).filter(|m| (1..=12).contains(m)) {
                Some(m) => quarter_start_month = u32::try_from(m).unwrap_or(1),
                None => reader.invalid(
                    month.span,
                    format!(
                        "quarter_start_month must be a month from 1 to 12, found {}",
                        month.value
                    ),
                    "use 1 for calendar years, 4 for fiscal years starting in April".to_owned(),
                ),
            }
        }
        if let Some(team) = reader.string("company_team") {
            if team.value.trim().is_empty() {
                reader.invalid(
                    team.span,
                    "company_team must not be empty".to_owned(),
                    "name the team whose objectives anchor the others, e.g. \"company\"".to_owned(),
                );
            } else {
                self.company_team = team.value.into_string();
            }
        }
        for (key, slot) in [
            ("check_in_interval", &mut self.check_in_interval),
            ("freeze", &mut self.freeze),
        ] {
            if let Some(days) = reader.number(key) {
                if let Some(problem) = days_problem(key, days.value) {
                    reader.invalid(
                        days.span,
                        problem,
                        format!("write for example `{key} = 14`"),
                    );
                } else if let Some(whole) = whole_number(&days) {
                    *slot = whole;
                }
            }
        }
        let mut problems = Vec::new();
        let mut named_periods = BTreeMap::new();
        if let Some((periods, _)) = reader.table("periods") {
            named_periods = read_periods(periods, &mut problems);
        }
        self.calendar = Calendar::new(quarter_start_month, named_periods);
        if let Some((status, span)) = reader.table("status") {
            let mut status_reader = TableReader::new(status, span.clone(), "[status]");
            for (key, slot) in [
                ("at_risk", &mut self.at_risk),
                ("off_track", &mut self.off_track),
            ] {
                if let Some(points) = status_reader.number(key) {
                    if (0.0..=100.0).contains(&points.value) {
                        *slot = points.value / 100.0;
                    } else {
                        status_reader.invalid(
                            points.span,
                            format!(
                                "{key} must be a number of points from 0 to 100, found {}",
                                points.value
                            ),
                            "the defaults are at_risk = 10 and off_track = 25".to_owned(),
                        );
                    }
                }
            }
            if self.at_risk > self.off_track {
                status_reader.invalid(
                    span.clone(),
                    format!(
                        "at_risk ({}) is larger than off_track ({})",
                        self.at_risk * 100.0,
                        self.off_track * 100.0
                    ),
                    "a key result is at risk before it is off track: set at_risk below off_track"
                        .to_owned(),
                );
            }
            problems.extend(status_reader.finish(&["at_risk", "off_track"]));
        }
        if let Some((rules, _)) = reader.table("rules") {
            self.rules = read_rules(rules, &mut problems);
        }
        if let Some((words, span)) = reader.table("words") {
            self.words.apply(words, span, &mut problems);
        }
        let mut all = reader.finish(&[
            "goals",
            "quarter_start_month",
            "company_team",
            "check_in_interval",
            "freeze",
            "periods",
            "status",
            "rules",
            "words",
        ]);
        all.extend(problems);
        all
    }
}

/// Maximum magnitude `whole_number` converts, so that the conversion is exact.
const MAX_WHOLE: i64 = 999_999_999;

fn whole_number(value: &Spanned<f64>) -> Option<i64> {
    // Checked to be whole and small before the conversion.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    (value.value.fract() == 0.0 && value.value.abs() <= MAX_WHOLE as f64)
        .then_some(value.value as i64)
}

/// Returns the problem with `days` as the value of `key` (`check_in_interval`, `freeze`),
/// if there is one.
fn days_problem(key: &str, days: f64) -> Option<String> {
    #[allow(clippy::cast_precision_loss)]
    let max = MAX_WHOLE as f64;
    if days.fract() != 0.0 {
        Some(format!(
            "{key} must be a whole number of days, found {days}"
        ))
    } else if days < 0.0 {
        Some(format!("{key} must not be negative, found {days}"))
    } else if days > max {
        Some(format!(
            "{key} of {days} days is too large, the maximum is {MAX_WHOLE}"
        ))
    } else {
        None
    }
}

/// Why a name cannot name a custom period: it would shadow a calendar period, the
/// `--period all` keyword, or break `PERIOD/OBJECTIVE` references.
fn period_name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("it is empty")
    } else if crate::period::looks_like_period(name) {
        Some("it reads as a calendar period")
    } else if name == "all" {
        Some("`all` is the keyword for every period")
    } else if name.contains('/') || name.trim() != name {
        Some("it contains `/` or spaces at either end")
    } else {
        None
    }
}

/// What a rule option must be, when `value` is not that.
fn option_problem(option: &str, value: f64) -> Option<&'static str> {
    match option {
        "max" | "min" => {
            (value.fract() != 0.0 || value < 1.0).then_some("a whole number of 1 or more")
        }
        _ => (!(0.0..=1.0).contains(&value)).then_some("a number from 0 to 1"),
    }
}

fn read_periods(
    periods: &Table<'_>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, (NaiveDate, NaiveDate)> {
    let mut named = BTreeMap::new();
    for (name, value) in periods.iter() {
        let label = format!("[periods.{}]", name.name());
        let Value::Table(table) = value.value() else {
            problems.push(Problem {
                kind: crate::toml_read::ProblemKind::WrongType,
                span: value.span(),
                message: format!("{label} must be a table with `start` and `end`"),
                help: "write `[periods.NAME]` with `start = 2026-09-01` and `end = 2026-10-31`"
                    .to_owned(),
            });
            continue;
        };
        let mut reader = TableReader::new(table, name.span(), &label);
        let name_text = name.name();
        if let Some(problem) = period_name_problem(name_text) {
            reader.invalid(
                name.span(),
                format!("invalid period name `{name_text}`: {problem}"),
                "name custom periods with words, e.g. [periods.launch-2026]".to_owned(),
            );
        }
        let start = reader.date("start");
        let end = reader.date("end");
        match (start, end) {
            (Some(start), Some(end)) if start.value <= end.value => {
                named.insert(name.name().to_string(), (start.value, end.value));
            }
            (Some(_), Some(end)) => reader.invalid(
                end.span,
                format!("{label} ends before it starts"),
                "set `end` on or after `start`".to_owned(),
            ),
            _ => reader.invalid(
                name.span(),
                format!("{label} needs both `start` and `end` dates"),
                "write `start = 2026-09-01` and `end = 2026-10-31`".to_owned(),
            ),
        }
        problems.extend(reader.finish(&["start", "end"]));
    }
    named
}

fn read_rules(
    rules_table: &Table<'_>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, RuleConfig> {
    let mut settings = BTreeMap::new();
    for (name, value) in rules_table.iter() {
        let name_text = name.name().to_string();
        let Some(rule) = rules::find(&name_text) else {
            let help = match did_you_mean(&name_text, rules::REGISTRY.iter().map(|r| r.name)) {
                Some(close) => format!("did you mean `{close}`? `okr rules` lists every rule"),
                None => "`okr rules` lists every rule".to_owned(),
            };
            problems.push(Problem {
                kind: crate::toml_read::ProblemKind::UnknownField,
                span: name.span(),
                message: format!("unknown rule `{name_text}` in [rules]"),
                help,
            });
            continue;
        };
        let mut setting = RuleConfig::default();
        match value.value() {
            Value::String(level) => setting.level = parse_level(level, value.span(), problems),
            Value::Table(table) => {
                let label = format!("[rules] {name_text}");
                let mut reader = TableReader::new(table, value.span(), &label);
                if let Some(level) = reader.string("severity") {
                    setting.level = parse_level(&level.value, level.span, problems);
                }
                let mut known = vec!["severity"];
                for (option, _) in rule.options {
                    known.push(option);
                    if let Some(number) = reader.number(option) {
                        match option_problem(option, number.value) {
                            Some(expected) => reader.invalid(
                                number.span,
                                format!(
                                    "`{option}` of rule `{name_text}` must be {expected}, found {}",
                                    number.value
                                ),
                                format!(
                                    "the default is {}",
                                    rules::option_default(&name_text, option)
                                ),
                            ),
                            None => {
                                setting.options.insert((*option).to_owned(), number.value);
                            }
                        }
                    }
                }
                problems.extend(reader.finish(&known));
            }
            _ => problems.push(Problem {
                kind: crate::toml_read::ProblemKind::WrongType,
                span: value.span(),
                message: format!("rule `{name_text}` must be set to a severity or a table"),
                help: format!("write `{name_text} = \"warn\"` (error, warn or off)"),
            }),
        }
        settings.insert(name_text, setting);
    }
    settings
}

fn parse_level(
    text: &str,
    span: std::ops::Range<usize>,
    problems: &mut Vec<Problem>,
) -> Option<Level> {
    let level = Level::parse(text);
    if level.is_none() {
        problems.push(Problem {
            kind: crate::toml_read::ProblemKind::InvalidValue,
            span,
            message: format!("invalid severity `{text}`"),
            help: "use \"error\", \"warn\" or \"off\"".to_owned(),
        });
    }
    level
}

impl Words {
    pub(crate) fn defaults() -> Words {
        let owned = |list: &[&str]| list.iter().map(|word| (*word).to_owned()).collect();
        Words {
            vague: owned(words::VAGUE),
            task: owned(words::TASK_VERBS),
            units: owned(words::UNITS),
        }
    }

    fn apply(
        &mut self,
        table: &Table<'_>,
        span: std::ops::Range<usize>,
        problems: &mut Vec<Problem>,
    ) {
        let mut reader = TableReader::new(table, span, "[words]");
        for (key, list) in [
            ("vague", &mut self.vague),
            ("task", &mut self.task),
            ("units", &mut self.units),
        ] {
            let Some((edits, span)) = reader.table(key) else {
                continue;
            };
            let label = format!("[words.{key}]");
            let mut edit_reader = TableReader::new(edits, span, &label);
            for word in edit_reader.strings("remove") {
                let word = word.value.to_lowercase();
                list.retain(|known| *known != word);
            }
            for word in edit_reader.strings("add") {
                let word = word.value.to_lowercase().into_string();
                if !list.contains(&word) {
                    list.push(word);
                }
            }
            problems.extend(edit_reader.finish(&["add", "remove"]));
        }
        problems.extend(reader.finish(&["vague", "task", "units"]));
    }
}

/// Returns the first folder from `start` upwards that passes `test`, not looking above the top
/// of a git work tree: okr.toml files and goal folders above it belong to someone else.
fn find_upwards(start: &Path, test: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    for folder in start.ancestors() {
        if test(folder) {
            return Some(folder.to_path_buf());
        }
        if folder.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Returns the top of the git work tree that contains `folder`, if any.
pub(crate) fn work_tree_of(folder: &Path) -> Option<PathBuf> {
    folder
        .ancestors()
        .find(|ancestor| ancestor.join(".git").exists())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(
            text,
            Path::new("/repo/okr.toml"),
            "/repo".into(),
            "/repo".into(),
        )
    }

    #[test]
    fn defaults_without_keys() {
        let config = parse("").unwrap();
        assert_eq!(config.goals, ["okrs"]);
        assert_eq!(config.check_in_interval, 14);
        assert_eq!(config.company_team, "company");
    }

    #[test]
    fn rules_take_levels_and_options() {
        let config = parse(
            "[rules]\nmissing-unit = \"off\"\ntoo-many-objectives = { severity = \"error\", max = 7 }\n",
        )
        .unwrap();
        assert_eq!(config.rules["missing-unit"].level, Some(Level::Off));
        assert_eq!(config.option("too-many-objectives", "max"), 7.0);
    }

    #[test]
    fn unknown_rule_suggests_close_name() {
        let error = parse("[rules]\nmissing-units = \"off\"\n").unwrap_err();
        let Error::Config(config_error) = error else {
            panic!("expected a config error");
        };
        let ConfigError { message, help, .. } = *config_error;
        assert!(message.contains("missing-units"), "{message}");
        assert!(help.unwrap().contains("missing-unit"));
    }

    #[test]
    fn unknown_key_suggests_close_name() {
        let error = parse("goal = \"okrs\"\n").unwrap_err();
        let Error::Config(config_error) = error else {
            panic!("expected a config error");
        };
        assert!(config_error.help.unwrap().contains("`goals`"));
    }

    #[test]
    fn word_lists_add_and_remove() {
        let config =
            parse("[words.vague]\nadd = [\"Streamline\"]\nremove = [\"improve\"]\n").unwrap();
        assert!(config.words.vague.contains(&"streamline".to_owned()));
        assert!(!config.words.vague.contains(&"improve".to_owned()));
    }

    #[test]
    fn invalid_settings_are_rejected() {
        for text in [
            "[periods.2026-Q4]\nstart = 2026-11-10\nend = 2026-12-09\n",
            "[periods.all]\nstart = 2026-11-10\nend = 2026-12-09\n",
            "[status]\nat_risk = -5\n",
            "[status]\nat_risk = 30\noff_track = 10\n",
            "[rules]\ntoo-many-objectives = { max = -7 }\n",
            "[rules]\ntoo-many-objectives = { max = 0.5 }\n",
            "company_team = \"\"\n",
        ] {
            assert!(parse(text).is_err(), "accepted: {text}");
        }
    }

    fn config_message(text: &str) -> String {
        let Err(Error::Config(config_error)) = parse(text) else {
            panic!("expected a config error for {text:?}");
        };
        config_error.message
    }

    #[test]
    fn days_problems_are_named() {
        assert_eq!(
            config_message("check_in_interval = 99999999999999\n"),
            "check_in_interval of 99999999999999 days is too large, the maximum is 999999999"
        );
        assert_eq!(
            config_message("freeze = 1.5\n"),
            "freeze must be a whole number of days, found 1.5"
        );
        assert_eq!(
            config_message("freeze = -3\n"),
            "freeze must not be negative, found -3"
        );
        let config = parse("check_in_interval = 999999999\nfreeze = 0\n").unwrap();
        assert_eq!(config.check_in_interval, 999_999_999);
        assert_eq!(config.freeze, 0);
    }

    #[test]
    fn empty_goals_list_is_rejected() {
        let Err(Error::Config(config_error)) = parse("# folders\ngoals = []\n") else {
            panic!("expected a config error");
        };
        assert_eq!(
            config_error.message,
            "goals must list at least one goal folder, found an empty list"
        );
        let span = config_error.span.unwrap();
        assert_eq!((span.offset(), span.len()), (18, 2));
        assert!(parse("goals = \"okrs\"\n").is_ok());
        assert!(parse("goals = [\"okrs\", \"more\"]\n").is_ok());
    }

    #[test]
    fn month_out_of_range_is_rejected() {
        assert!(parse("quarter_start_month = 13\n").is_err());
    }
}
