//! Specific: titles that state what will be true. Vague wording, title length, metrics
//! in objective titles, and placeholders left from a template.

mod placeholder;

use super::context::{Context, Item, Sink, Subject};
use crate::diagnostic::quoted;
use crate::words::{
    TitleWords, WordList, changes, cjk_count, has_digit, is_cjk_title, measured_amount, word_count,
};

pub(super) fn check_per_item(context: &Context<'_>, sink: &mut Sink<'_>) {
    vague_title(context, sink);
    title_length(context, sink);
    objective_has_number(context, sink);
    placeholder::placeholder_text(context, sink);
}

/// The reason a title is vague.
#[derive(Debug, PartialEq)]
enum Vagueness<'w> {
    /// A short title led by a vague word ("Improve stability").
    ShortAndLed(&'w str),
    /// A vague word anywhere in a key result that has no numbers to judge it by.
    NothingToJudge(&'w str),
}

fn vagueness<'w>(item: Item<'_>, vague: &WordList<'w>) -> Option<Vagueness<'w>> {
    let title = item.title().value.as_str();
    if has_digit(title) {
        return None;
    }
    // A metric with start and target carries its numbers in its fields.
    if let Item::KeyResult(_, key_result) = item
        && key_result.metric_range().is_some()
    {
        return None;
    }
    // An objective is only checked for a leading vague word in a title of three words
    // or fewer, so splitting four words at most is enough to tell.
    let title_words = match item {
        Item::Objective(_) => TitleWords::leading(title, vague.longest_entry().max(4)),
        Item::KeyResult(..) => TitleWords::new(title),
    };
    let short = if is_cjk_title(title) {
        title.chars().filter(|c| c.is_alphanumeric()).count() <= 6
    } else {
        title_words.len() <= 3
    };
    if short && let Some(word) = vague.find_leading(&title_words) {
        return Some(Vagueness::ShortAndLed(word));
    }
    if let Item::KeyResult(..) = item {
        let word = vague.find_contained(&title_words)?;
        return Some(Vagueness::NothingToJudge(word));
    }
    None
}

fn vague_title(context: &Context<'_>, sink: &mut Sink<'_>) {
    let vague = WordList::new(
        context
            .workspace
            .config
            .words
            .vague
            .iter()
            .map(String::as_str),
    );
    for (file, item) in context.items() {
        let Some(vagueness) = vagueness(item, &vague) else {
            continue;
        };
        let title = item.title();
        let (message, help) = match vagueness {
            Vagueness::ShortAndLed(word) => (
                format!(
                    "{} has a vague title \"{}\": led by \"{word}\", with no number",
                    item.name(),
                    quoted(&title.value)
                ),
                "say what will be true when it succeeds, for example \"Customers can pay even while one region is down\"".to_owned(),
            ),
            Vagueness::NothingToJudge(word) => (
                format!(
                    "{} has the vague word \"{word}\" in its title \"{}\" and no start and target to judge it by",
                    item.name(),
                    quoted(&title.value)
                ),
                "name the result that will exist when it is done, or make it a metric with `start` and `target`".to_owned(),
            ),
        };
        sink.report(
            "vague-title",
            file,
            item.subject(),
            title.span.clone(),
            message,
            help,
        );
    }
}

/// Describes the problem with a title's length, if it has one.
fn length_problem(title: &str) -> Option<String> {
    if title.trim().is_empty() {
        return Some("is empty".to_owned());
    }
    if is_cjk_title(title) {
        let count = cjk_count(title);
        return match count {
            0..3 => Some(format!("has {count} CJK characters, fewer than 3")),
            41.. => Some(format!("has {count} CJK characters, more than 40")),
            _ => None,
        };
    }
    match word_count(title) {
        1 => Some("is a single word".to_owned()),
        count @ 19.. => Some(format!("has {count} words, more than 18")),
        _ => None,
    }
}

fn title_length(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (file, item) in context.items() {
        if item.title_is_missing() {
            continue;
        }
        let title = item.title();
        let Some(problem) = length_problem(&title.value) else {
            continue;
        };
        let help = if title.value.trim().is_empty() {
            "write the outcome the item stands for as a short sentence"
        } else if problem.contains("more than") {
            "keep one goal per title and move the plan into initiatives or notes"
        } else {
            "write what will be true, not only the topic: \"Customers can always pay\" rather than \"Reliability\""
        };
        sink.report(
            "title-length",
            file,
            item.subject(),
            title.span.clone(),
            format!(
                "title \"{}\" of {} {problem}",
                quoted(&title.value),
                item.name()
            ),
            help.to_owned(),
        );
    }
}

/// Finds the metric an objective title carries ("40%", "$2M", "from 3 to 5"), if any.
fn metric_in_title(title: &str, units: &[String]) -> Option<String> {
    measured_amount(title, units).or_else(|| changes(title).into_iter().next())
}

fn objective_has_number(context: &Context<'_>, sink: &mut Sink<'_>) {
    let units = &context.workspace.config.words.units;
    for (_, file, objective) in context.objectives() {
        let Some(metric) = metric_in_title(&objective.title.value, units) else {
            continue;
        };
        sink.report(
            "objective-has-number",
            file,
            Subject::Objective(objective),
            objective.title.span.clone(),
            format!(
                "title of objective `{}` carries the metric \"{}\"",
                quoted(&objective.id.value),
                quoted(&metric)
            ),
            "keep the objective qualitative and put the number in a key result's `start` and `target`".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{KeyResult, Kind, Objective, Spanned, State};
    use crate::words::{UNITS, VAGUE};

    fn owned(list: &[&str]) -> Vec<String> {
        list.iter().map(|word| (*word).to_owned()).collect()
    }

    fn objective(title: &str) -> Objective {
        Objective {
            span: 0..1,
            id: Spanned::new("goal".into(), 2..3),
            title: Spanned::new(title.into(), 4..5),
            owner: None,
            aligns_to: Vec::new(),
            weight: None,
            state: State::Active,
            commitment: crate::model::Commitment::Aspirational,
            allow: Vec::new(),
            reason: None,
            key_results: Vec::new(),
            initiatives: Vec::new(),
        }
    }

    fn key_result(title: &str, kind: Kind, numbers: bool) -> KeyResult {
        let number = |value| numbers.then(|| Spanned::new(value, 0..0));
        KeyResult {
            span: 0..1,
            id: Spanned::new("kr".into(), 2..3),
            title: Spanned::new(title.into(), 4..5),
            owner: None,
            kind,
            start: number(1.0),
            target: number(2.0),
            current: None,
            unit: None,
            confidence: None,
            due: None,
            weight: None,
            checked: None,
            aligns_to: Vec::new(),
            reason: None,
            notes: Vec::new(),
            state: State::Active,
            done: None,
            direction: None,
            allow: Vec::new(),
        }
    }

    fn objective_is_vague(title: &str) -> bool {
        let vague = WordList::new(VAGUE.iter().copied());
        vagueness(Item::Objective(&objective(title)), &vague).is_some()
    }

    fn key_result_is_vague(title: &str, kind: Kind, numbers: bool) -> bool {
        let parent = objective("Parent");
        let child = key_result(title, kind, numbers);
        let vague = WordList::new(VAGUE.iter().copied());
        vagueness(Item::KeyResult(&parent, &child), &vague).is_some()
    }

    #[test]
    fn vague_objective_titles() {
        for title in [
            "Improve stability",
            "Better onboarding",
            "Improving it",
            "提升效率",
        ] {
            assert!(objective_is_vague(title), "{title}");
        }
        for title in [
            "Improve checkout stability for every customer",
            "Improve p95 by 20",
            "Customers can always pay",
            "提升结算页面的支付成功率和稳定性",
            "Make onboarding better",
        ] {
            assert!(!objective_is_vague(title), "{title}");
        }
    }

    #[test]
    fn vague_key_result_titles() {
        assert!(key_result_is_vague(
            "Make paging alerts better",
            Kind::Milestone,
            false
        ));
        assert!(key_result_is_vague(
            "Fewer flaky tests",
            Kind::Milestone,
            false
        ));
        assert!(key_result_is_vague("支付页面更快", Kind::Milestone, false));
        assert!(key_result_is_vague(
            "Make alerts faster",
            Kind::Metric,
            false
        ));
        assert!(!key_result_is_vague(
            "Make alerts faster",
            Kind::Metric,
            true
        ));
        assert!(!key_result_is_vague(
            "Improve stability",
            Kind::Metric,
            true
        ));
        assert!(!key_result_is_vague(
            "Make 3 alerts faster",
            Kind::Milestone,
            false
        ));
        assert!(!key_result_is_vague(
            "Every alert links to a runbook",
            Kind::Milestone,
            false
        ));
    }

    #[test]
    fn title_lengths() {
        assert!(length_problem("").is_some());
        assert!(length_problem("   ").is_some());
        assert!(length_problem("Reliability").is_some());
        assert!(length_problem("Customers can pay").is_none());
        assert!(length_problem(&"word ".repeat(18)).is_none());
        assert!(length_problem(&"word ".repeat(19)).is_some());
        assert!(length_problem("效率").is_some());
        assert!(length_problem("提升效率").is_none());
        assert!(length_problem(&"字".repeat(40)).is_none());
        assert!(length_problem(&"字".repeat(41)).is_some());
        assert!(length_problem("将 API 错误率降到 1% 以下").is_none());
    }

    #[test]
    fn objective_metrics() {
        let units = owned(UNITS);
        for title in [
            "Win the 2026 season",
            "Close Q3 with every region live",
            "Finish H1 planning",
            "Move to HTTP/2 everywhere",
            "Move backups to S3",
            "Launch on 5G networks",
            "Open 3 markets",
            "开拓3个新市场",
        ] {
            assert_eq!(metric_in_title(title, &units), None, "{title}");
        }
        for (title, metric) in [
            ("Reach 40% of the market", "40%"),
            ("Raise $2M in new revenue", "$2M"),
            ("Earn USD 5 per seat", "USD 5"),
            ("Serve pages in 200 ms", "200 ms"),
            ("Grow from 3 to 5 markets", "from 3 to 5"),
            ("市场从3到5个", "从3到5个"),
        ] {
            assert_eq!(
                metric_in_title(title, &units).as_deref(),
                Some(metric),
                "{title}"
            );
        }
    }
}
