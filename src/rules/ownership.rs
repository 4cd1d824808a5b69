//! Ownership: every objective and key result has someone responsible for it, and each
//! person's name is spelt one way across the repository.

use super::context::{Context, Sink, Subject};
use crate::diagnostic::quoted;
use crate::index::objectives;
use crate::model::{GoalFile, Objective, Spanned, Text};
use std::borrow::Cow;
use std::collections::HashMap;

pub(super) fn check_per_item(context: &Context<'_>, sink: &mut Sink<'_>) {
    missing_owner(context, sink);
}

pub(super) fn check_across_files(context: &Context<'_>, sink: &mut Sink<'_>) {
    owner_case_mismatch(context, sink);
}

fn is_named(owner: Option<&Spanned<Text>>) -> bool {
    owner.is_some_and(|owner| !owner.value.trim().is_empty())
}

fn missing_owner(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        let objective_owned = is_named(objective.owner.as_ref());
        if !objective_owned {
            let span = objective
                .owner
                .as_ref()
                .map_or_else(|| objective.span.clone(), |owner| owner.span.clone());
            sink.report(
                "missing-owner",
                file,
                Subject::Objective(objective),
                span,
                format!(
                    "objective `{}` has {}",
                    quoted(&objective.id.value),
                    if objective.owner.is_some() {
                        "an empty owner"
                    } else {
                        "no owner"
                    }
                ),
                "set `owner` to the one person who answers for the objective".to_owned(),
            );
        }
        for key_result in &objective.key_results {
            // A key result without its own owner takes its objective's.
            if objective_owned || is_named(key_result.owner.as_ref()) {
                continue;
            }
            let span = key_result
                .owner
                .as_ref()
                .map_or_else(|| key_result.span.clone(), |owner| owner.span.clone());
            sink.report(
                "missing-owner",
                file,
                Subject::KeyResult(objective, key_result),
                span,
                format!(
                    "key result `{}/{}` has no owner, and neither has its objective",
                    quoted(&objective.id.value),
                    quoted(&key_result.id.value)
                ),
                "set `owner` on the key result, or on its objective for all its key results"
                    .to_owned(),
            );
        }
    }
}

/// One owner field: where it is and who it belongs to.
struct Use<'w> {
    file: &'w GoalFile,
    objective: &'w Objective,
    /// The key result's index, for owners of key results.
    key_result: Option<usize>,
    owner: &'w Spanned<Text>,
    /// The owner as `normalize` returns it.
    normalized: Cow<'w, str>,
}

/// Normalizes an owner for comparing spellings: lowercased, without a leading `@`.
fn normalize(owner: &str) -> Cow<'_, str> {
    let name = owner.trim().trim_start_matches('@');
    // In ASCII text, the ASCII mapping gives the same result without a copy when the
    // name is lowercase already, as most are.
    if !name.is_ascii() {
        Cow::Owned(name.to_lowercase())
    } else if name.bytes().any(|byte| byte.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Calls `visit` with every non-empty owner of objectives, key results and initiatives,
/// in file order.
fn visit_owners<'w>(context: &Context<'w>, mut visit: impl FnMut(Use<'w>)) {
    for (_, file, objective) in objectives(context.workspace) {
        let mut push = |key_result, owner: Option<&'w Spanned<Text>>| {
            let Some(owner) = owner else {
                return;
            };
            let normalized = normalize(&owner.value);
            if !normalized.is_empty() {
                visit(Use {
                    file,
                    objective,
                    key_result,
                    owner,
                    normalized,
                });
            }
        };
        push(None, objective.owner.as_ref());
        for (position, key_result) in objective.key_results.iter().enumerate() {
            push(Some(position), key_result.owner.as_ref());
        }
        // Initiatives report on their objective.
        for initiative in &objective.initiatives {
            push(None, initiative.owner.as_ref());
        }
    }
}

/// Picks the spelling most uses share. Ties go to the one seen first in file order.
fn preferred<'a>(spellings: &[(&'a str, usize)]) -> &'a str {
    let mut best = spellings[0];
    for &(spelling, count) in &spellings[1..] {
        if count > best.1 {
            best = (spelling, count);
        }
    }
    best.0
}

fn owner_case_mismatch(context: &Context<'_>, sink: &mut Sink<'_>) {
    // Per normalized name: each spelling with its count, in order of first use.
    let mut names: HashMap<Cow<'_, str>, Vec<(&str, usize)>, foldhash::fast::FixedState> =
        HashMap::default();
    visit_owners(context, |owner_use| {
        let spelling = owner_use.owner.value.as_str();
        let spellings = names.entry(owner_use.normalized).or_default();
        match spellings.iter_mut().find(|(known, _)| *known == spelling) {
            Some((_, count)) => *count += 1,
            None => spellings.push((spelling, 1)),
        }
    });
    // Most repositories spell every owner one way, and need no second pass.
    names.retain(|_, spellings| spellings.len() > 1);
    if names.is_empty() {
        return;
    }
    visit_owners(context, |owner_use| {
        let Some(spellings) = names.get(&owner_use.normalized) else {
            return;
        };
        let preferred = preferred(spellings);
        let spelling = owner_use.owner.value.as_str();
        if spelling == preferred {
            return;
        }
        let listed: Vec<String> = spellings
            .iter()
            .map(|(spelling, count)| format!("\"{}\" ({count})", quoted(spelling)))
            .collect();
        let objective = owner_use.objective;
        let subject = match owner_use.key_result {
            Some(position) => Subject::KeyResult(objective, &objective.key_results[position]),
            None => Subject::Objective(objective),
        };
        sink.report(
            "owner-case-mismatch",
            owner_use.file,
            subject,
            owner_use.owner.span.clone(),
            format!(
                "owner \"{}\" is spelt several ways across the repository: {}",
                quoted(spelling),
                listed.join(", ")
            ),
            format!(
                "write \"{}\", the most common spelling, everywhere",
                quoted(preferred)
            ),
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_compare_without_case_and_at_sign() {
        assert_eq!(normalize("@Alice"), "alice");
        assert_eq!(normalize("alice"), "alice");
        assert_eq!(normalize(" ALICE "), "alice");
    }

    #[test]
    fn most_common_spelling_wins_ties_go_first() {
        assert_eq!(
            preferred(&[("Alice", 1), ("alice", 3), ("@alice", 1)]),
            "alice"
        );
        assert_eq!(preferred(&[("Alice", 2), ("alice", 2)]), "Alice");
    }
}
