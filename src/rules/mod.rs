//! The rule registry: every lint rule's fixed name, group, default level, summary,
//! options and explain text. Rule logic lives in one file per SMART group.

mod achievable;
mod context;
mod history;
mod measurable;
mod ownership;
mod relevant;
mod specific;
mod structure;
mod time_bound;

#[cfg(test)]
pub(crate) use context::check_all;
pub(crate) use context::{Context, check_without_history, finish_with_history};
pub(crate) use history::{GitHistory, HistoryInput, MergedReasons};
pub(crate) use time_bound::final_week_start;

/// A rule's level in okr.toml; `Off` silences it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Error,
    Warn,
    Off,
}

impl Level {
    pub(crate) fn parse(text: &str) -> Option<Level> {
        match text {
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "off" => Some(Level::Off),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Off => "off",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    Structure,
    Specific,
    Measurable,
    Achievable,
    Relevant,
    TimeBound,
    Ownership,
}

impl Group {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Group::Structure => "structure",
            Group::Specific => "specific",
            Group::Measurable => "measurable",
            Group::Achievable => "achievable",
            Group::Relevant => "relevant",
            Group::TimeBound => "time-bound",
            Group::Ownership => "ownership",
        }
    }
}

#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) name: &'static str,
    pub(crate) group: Group,
    pub(crate) default_level: Level,
    /// One line: what the rule flags.
    pub(crate) summary: &'static str,
    /// Numeric options settable as `[rules] NAME = { OPTION = value }`, with defaults.
    pub(crate) options: &'static [(&'static str, f64)],
    /// The explain text (Markdown), printed by `okr explain`.
    pub(crate) doc: &'static str,
}

macro_rules! rule {
    ($name:literal, $group:ident, $level:ident, $summary:literal $(, $option:literal = $default:expr)*) => {
        Rule {
            name: $name,
            group: Group::$group,
            default_level: Level::$level,
            summary: $summary,
            options: &[$(($option, $default)),*],
            doc: include_str!(concat!("../../docs/rules/", $name, ".md")),
        }
    };
}

/// Every rule, in the order `okr rules` lists them.
pub(crate) static REGISTRY: &[Rule] = &[
    rule!(
        "invalid-toml",
        Structure,
        Error,
        "a goal file that is not valid TOML"
    ),
    rule!(
        "unknown-field",
        Structure,
        Error,
        "a field the goal file format does not have"
    ),
    rule!(
        "wrong-type",
        Structure,
        Error,
        "a field whose value has the wrong type or an unknown value"
    ),
    rule!(
        "missing-field",
        Structure,
        Error,
        "a required field that is missing"
    ),
    rule!(
        "unknown-kind",
        Structure,
        Error,
        "a key result kind other than metric, milestone, maintain or baseline"
    ),
    rule!(
        "duplicate-id",
        Structure,
        Error,
        "an objective id twice in a period, or a key result id twice in an objective"
    ),
    rule!(
        "invalid-period",
        Structure,
        Error,
        "a period that is not YYYY-Qn, YYYY-Hn, YYYY or a named period"
    ),
    rule!(
        "invalid-id",
        Structure,
        Error,
        "an id that contains `/`, spaces at either end, or reads as a period"
    ),
    rule!(
        "kind-field-mismatch",
        Structure,
        Error,
        "a field that does not fit the key result's kind"
    ),
    rule!(
        "vague-title",
        Specific,
        Warn,
        "vague wording with no number"
    ),
    rule!(
        "title-length",
        Specific,
        Warn,
        "an empty, too short or too long title"
    ),
    rule!(
        "objective-has-number",
        Specific,
        Warn,
        "an objective title carrying a metric"
    ),
    rule!(
        "placeholder-text",
        Specific,
        Error,
        "a title, owner or id left as a placeholder"
    ),
    rule!(
        "not-measurable",
        Measurable,
        Error,
        "a metric key result without start or target"
    ),
    rule!(
        "target-equals-start",
        Measurable,
        Error,
        "a metric whose target equals its start"
    ),
    rule!(
        "missing-unit",
        Measurable,
        Warn,
        "a metric key result without a unit"
    ),
    rule!(
        "task-not-outcome",
        Measurable,
        Warn,
        "an activity posing as an outcome, or too many milestones",
        "milestone_share" = 0.5
    ),
    rule!(
        "missing-current",
        Measurable,
        Warn,
        "a running metric key result with no current value"
    ),
    rule!(
        "direction-mismatch",
        Measurable,
        Warn,
        "a title whose verb points the other way from its numbers"
    ),
    rule!(
        "compound-key-result",
        Measurable,
        Warn,
        "two or more \"from X to Y\" pairs in one key result"
    ),
    rule!(
        "confidence-out-of-range",
        Achievable,
        Error,
        "a confidence outside 0.0..1.0"
    ),
    rule!(
        "too-many-objectives",
        Achievable,
        Warn,
        "more objectives per owner or team than the limit",
        "max" = 5.0
    ),
    rule!(
        "too-few-key-results",
        Achievable,
        Warn,
        "an objective with fewer key results than the minimum",
        "min" = 2.0
    ),
    rule!(
        "too-many-key-results",
        Achievable,
        Warn,
        "an objective with more key results than the maximum",
        "max" = 5.0
    ),
    rule!(
        "zero-weights",
        Achievable,
        Warn,
        "a set of weights that are all zero"
    ),
    rule!(
        "committed-at-risk",
        Achievable,
        Warn,
        "a committed objective with a key result below 0.7 confidence",
        "confidence" = 0.7
    ),
    rule!(
        "unknown-alignment",
        Relevant,
        Error,
        "`aligns_to` naming nothing known"
    ),
    rule!("alignment-cycle", Relevant, Error, "a cycle of `aligns_to`"),
    rule!(
        "unaligned",
        Relevant,
        Warn,
        "a team objective aligned to nothing while company objectives exist"
    ),
    rule!(
        "unknown-key-result",
        Relevant,
        Error,
        "an initiative naming no key result of its objective"
    ),
    rule!(
        "no-company-anchor",
        Relevant,
        Warn,
        "a period with objectives from several teams and none from the company"
    ),
    rule!(
        "due-outside-period",
        TimeBound,
        Warn,
        "a `due` date outside its period"
    ),
    rule!(
        "no-final-check-in",
        TimeBound,
        Warn,
        "an ended period with key results not checked in during its last week"
    ),
    rule!(
        "committed-miss-unexplained",
        TimeBound,
        Warn,
        "a committed objective that ended below 1.0 with no reason"
    ),
    rule!(
        "stale",
        TimeBound,
        Warn,
        "a key result of a running period with no check-in within the interval"
    ),
    rule!(
        "moved-goalpost",
        TimeBound,
        Warn,
        "a target or start eased after the period began, with no reason"
    ),
    rule!(
        "missing-owner",
        Ownership,
        Warn,
        "an objective or key result with no owner"
    ),
    rule!(
        "owner-case-mismatch",
        Ownership,
        Warn,
        "one owner spelt two ways across the repository"
    ),
];

pub(crate) fn find(name: &str) -> Option<&'static Rule> {
    REGISTRY.iter().find(|rule| rule.name == name)
}

/// The registered default of a rule option; asking for an undeclared option is a bug.
pub(crate) fn option_default(rule: &str, option: &str) -> f64 {
    find(rule)
        .and_then(|rule| rule.options.iter().find(|(name, _)| *name == option))
        .map(|(_, default)| *default)
        .unwrap_or_else(|| panic!("rule `{rule}` declares no option `{option}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for rule in REGISTRY {
            assert!(seen.insert(rule.name), "{} registered twice", rule.name);
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                rule.name
            );
        }
    }

    #[test]
    fn every_doc_has_the_sections() {
        for rule in REGISTRY {
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## Known limitations",
            ] {
                assert!(rule.doc.contains(section), "{} lacks {section}", rule.name);
            }
            assert!(
                rule.doc.starts_with(&format!("# {}\n", rule.name)),
                "{} heading",
                rule.name
            );
            assert!(
                rule.doc.contains("Bad:") && rule.doc.contains("Good:"),
                "{} examples",
                rule.name
            );
            let registered = format!(
                "Group: {}. Default severity: `{}`.",
                rule.group.as_str(),
                rule.default_level.as_str()
            );
            assert!(
                rule.doc.contains(&registered),
                "{} doc lacks {registered:?}",
                rule.name
            );
        }
    }
}
