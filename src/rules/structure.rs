//! Structure rules that need the parsed model: periods, ids, duplicates, and fields
//! that do not fit the kind. Syntax, unknown fields and types are found by the loader.

use super::context::{Context, Sink, Subject};
use crate::diagnostic::quoted;
use crate::index::{get_file, get_objective};
use crate::model::{KeyResult, Kind};
use crate::model::{Spanned, Text};
use crate::period::{Calendar, looks_like_period};
use std::ops::Range;

pub(super) fn check_per_item(context: &Context<'_>, sink: &mut Sink<'_>) {
    invalid_period(context, sink);
    invalid_id(context, sink);
    duplicate_id(context, sink);
    kind_field_mismatch(context, sink);
}

fn invalid_period(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (index, file) in context.files() {
        let Some(period) = &file.period else { continue };
        if context.index.file_period(index).is_none() {
            sink.report(
                "invalid-period",
                file,
                Subject::File,
                period.span.clone(),
                format!("invalid period `{}`", quoted(&period.value)),
                "use YYYY-Qn (n 1..4), YYYY-Hn (n 1..2), YYYY, or a period named under [periods] in okr.toml".to_owned(),
            );
        }
    }
}

/// Why an id cannot serve in `[PERIOD/]OBJECTIVE[/KEY_RESULT]` references, if it cannot.
/// `written` is false where the id is missing, which `missing-field` reports instead.
fn id_problem(
    id: &Spanned<Text>,
    header: &Range<usize>,
    calendar: &Calendar,
) -> Option<&'static str> {
    let written = id.span != *header;
    let id = id.value.as_str();
    if id.is_empty() {
        written.then_some("is empty")
    } else if id.contains('/') {
        Some("contains `/`")
    } else if id.trim() != id {
        Some("has spaces at either end")
    } else if looks_like_period(id) || calendar.resolve(id).is_some() {
        Some("reads as a period")
    } else {
        None
    }
}

fn invalid_id(context: &Context<'_>, sink: &mut Sink<'_>) {
    let calendar = &context.workspace.config.calendar;
    for (_, file, objective) in context.objectives() {
        if let Some(problem) = id_problem(&objective.id, &objective.span, calendar) {
            sink.report(
                "invalid-id",
                file,
                Subject::Objective(objective),
                objective.id.span.clone(),
                format!("objective id `{}` {problem}", quoted(&objective.id.value)),
                "use a kebab-case id such as `reliable-checkout`".to_owned(),
            );
        }
        for key_result in &objective.key_results {
            if let Some(problem) = id_problem(&key_result.id, &key_result.span, calendar) {
                sink.report(
                    "invalid-id",
                    file,
                    Subject::KeyResult(objective, key_result),
                    key_result.id.span.clone(),
                    format!("key result id `{}` {problem}", quoted(&key_result.id.value)),
                    "use a kebab-case id such as `availability`".to_owned(),
                );
            }
        }
    }
}

fn duplicate_id(context: &Context<'_>, sink: &mut Sink<'_>) {
    let workspace = context.workspace;
    for (at, file, objective) in context.objectives() {
        let id = &objective.id.value;
        let period = context.index.file_period(at.file);
        // The index keeps the first objective of each id in a period, in file order.
        let first = period
            .filter(|_| !id.is_empty())
            .and_then(|period| context.index.objective(&period.name, id))
            .filter(|&first| first != at);
        if let (Some(period), Some(first)) = (period, first) {
            let first_source = workspace.source(get_file(workspace, first));
            let line = first_source
                .position(get_objective(workspace, first).id.span.start)
                .line;
            sink.report(
                "duplicate-id",
                file,
                Subject::Objective(objective),
                objective.id.span.clone(),
                format!(
                    "objective id `{}` is already used in {} at {}:{line}",
                    quoted(id),
                    period.name,
                    first_source.path
                ),
                "give each objective of a period its own id".to_owned(),
            );
        }
        for (position, key_result) in objective.key_results.iter().enumerate() {
            let key_result_id = key_result.id.value.as_str();
            let earlier = &objective.key_results[..position];
            if key_result_id.is_empty() || !earlier.iter().any(|kr| kr.id.value == key_result_id) {
                continue;
            }
            sink.report(
                "duplicate-id",
                file,
                Subject::KeyResult(objective, key_result),
                key_result.id.span.clone(),
                format!(
                    "key result id `{}` appears twice in objective `{}`",
                    quoted(key_result_id),
                    quoted(id)
                ),
                "give each key result of an objective its own id".to_owned(),
            );
        }
    }
}

/// The fields present on a key result that its kind does not use, with their spans.
fn misfit_fields(key_result: &KeyResult) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let mut misfits = Vec::new();
    let numbers = [
        ("start", &key_result.start),
        ("target", &key_result.target),
        ("current", &key_result.current),
    ];
    match key_result.kind {
        Kind::Milestone => {
            for (name, value) in numbers {
                if let Some(value) = value {
                    misfits.push((name, value.span.clone()));
                }
            }
        }
        Kind::Metric | Kind::Baseline => {
            if let Some(done) = &key_result.done {
                misfits.push(("done", done.span.clone()));
            }
        }
        Kind::Maintain => {
            if let Some(done) = &key_result.done {
                misfits.push(("done", done.span.clone()));
            }
        }
    }
    if key_result.kind != Kind::Maintain
        && let Some(direction) = &key_result.direction
    {
        misfits.push(("direction", direction.span.clone()));
    }
    misfits
}

fn kind_field_mismatch(context: &Context<'_>, sink: &mut Sink<'_>) {
    for (_, file, objective) in context.objectives() {
        for key_result in &objective.key_results {
            let kind = key_result.kind.as_str();
            for (field, span) in misfit_fields(key_result) {
                sink.report(
                    "kind-field-mismatch",
                    file,
                    Subject::KeyResult(objective, key_result),
                    span,
                    format!("`{field}` does not fit a {kind} key result"),
                    match key_result.kind {
                        Kind::Milestone => "a milestone records `done = true|false`; remove the numbers or set `kind = \"metric\"`".to_owned(),
                        _ if field == "direction" => "`direction` belongs to maintain key results only; remove it".to_owned(),
                        _ => "`done` belongs to milestones; remove it, or set `kind = \"milestone\"`".to_owned(),
                    },
                );
            }
            if key_result.kind == Kind::Maintain && key_result.direction.is_none() {
                sink.report(
                    "kind-field-mismatch",
                    file,
                    Subject::KeyResult(objective, key_result),
                    key_result.span.clone(),
                    format!(
                        "maintain key result `{}` has no `direction`",
                        quoted(&key_result.id.value)
                    ),
                    "add `direction = \"at-least\"` or `direction = \"at-most\"`".to_owned(),
                );
            }
        }
    }
}
