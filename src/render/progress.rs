//! `okr progress` output: a text table, a Markdown table, CSV rows, or the documented
//! JSON object.

use super::table::{Cell, Style, Table};
use super::text::{
    bar, csv, decimal, has_unsafe, is_printable_ascii, iso_date, markdown, number, percent,
    printable, printable_cut,
};
use crate::model::{KeyResult, Kind, Objective};
use crate::progress::{Progress, Status};
use crate::rollup::KeyResultProgress;
use chrono::NaiveDate;
use rayon::prelude::*;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

pub(crate) struct ProgressReport<'a> {
    pub(crate) as_of: NaiveDate,
    pub(crate) periods: Vec<String>,
    pub(crate) overall: Progress,
    pub(crate) teams: Vec<TeamRow>,
    pub(crate) objectives: Vec<ObjectiveRow<'a>>,
}

pub(crate) struct TeamRow {
    pub(crate) team: String,
    pub(crate) period: String,
    pub(crate) progress: Progress,
}

pub(crate) struct ObjectiveRow<'a> {
    pub(crate) period: String,
    pub(crate) team: String,
    pub(crate) objective: &'a Objective,
    pub(crate) progress: Progress,
    pub(crate) key_results: Vec<KeyResultRow<'a>>,
    /// Shown because shown objectives align to it; not part of the overall score.
    pub(crate) context: bool,
}

pub(crate) struct KeyResultRow<'a> {
    pub(crate) key_result: &'a KeyResult,
    pub(crate) owner: Option<&'a str>,
    pub(crate) progress: KeyResultProgress,
}

/// The shown (not context) objective rows of each (team, period), in report order.
fn rows_by_team<'r, 'a>(
    report: &'r ProgressReport<'a>,
) -> HashMap<(&'r str, &'r str), Vec<&'r ObjectiveRow<'a>>> {
    let mut groups: HashMap<(&str, &str), Vec<&ObjectiveRow<'a>>> = HashMap::new();
    for row in report.objectives.iter().filter(|row| !row.context) {
        groups
            .entry((row.team.as_str(), row.period.as_str()))
            .or_default()
            .push(row);
    }
    groups
}

/// Names the shown periods for the first line of the text table. Period names come
/// from okr.toml, so they are made safe to print.
fn periods_label(periods: &[String]) -> String {
    if periods.is_empty() {
        "no period".to_owned()
    } else {
        printable(&periods.join(", "))
    }
}

fn status_text(progress: &Progress, live: bool) -> &'static str {
    if !live {
        return "dropped";
    }
    progress.status.map_or("–", Status::as_str)
}

fn status_style(status: Option<Status>) -> Style {
    match status {
        Some(Status::Done | Status::OnTrack) => Style::Green,
        Some(Status::AtRisk | Status::Stale) => Style::Yellow,
        Some(Status::OffTrack) => Style::Red,
        Some(Status::Pending) | None => Style::Grey,
    }
}

/// The score shown in tables: the raw ratio where it overshoots, so 110 % reads as such.
fn shown_score(progress: &Progress) -> Cow<'static, str> {
    match progress.raw {
        Some(raw) if raw > 1.0 => percent(Some(raw)),
        _ => percent(progress.score),
    }
}

pub(crate) fn write_table(
    report: &ProgressReport<'_>,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "Progress for {} as of {}: score {}, expected {}",
        periods_label(&report.periods),
        report.as_of,
        percent(report.overall.score),
        percent(report.overall.expected),
    )?;
    let by_team = rows_by_team(report);
    // Each team's lines are made on their own, so teams are spread over the cores.
    let team_lines: Vec<Vec<Line<'_>>> = report
        .teams
        .par_iter()
        .map(|team| {
            let mut lines = vec![
                LineText {
                    goal: Cell::styled(format!("{} · {}", team.team, team.period), Style::Bold),
                    progress: &team.progress,
                    score: percent(team.progress.score),
                    status: status_text(&team.progress, true),
                    owner: "",
                    checked: String::new(),
                }
                .into_line(),
            ];
            for row in by_team
                .get(&(team.team.as_str(), team.period.as_str()))
                .into_iter()
                .flatten()
            {
                objective_lines(row, &mut lines);
            }
            lines
        })
        .collect();
    let mut lines: Vec<Line<'_>> = team_lines.into_iter().flatten().collect();
    let no_progress = Progress {
        score: None,
        raw: None,
        expected: None,
        status: None,
        confidence: None,
    };
    let mut last_period = None;
    for row in report.objectives.iter().filter(|row| row.context) {
        if last_period != Some(&row.period) {
            last_period = Some(&row.period);
            lines.push(
                LineText {
                    goal: Cell::styled(format!("aligned to, from {}", row.period), Style::Bold),
                    progress: &no_progress,
                    score: Cow::Borrowed(""),
                    status: "",
                    owner: "",
                    checked: String::new(),
                }
                .into_line(),
            );
        }
        objective_lines(row, &mut lines);
    }
    let others = lines.par_iter().map(|line| line.fixed).max().unwrap_or(0);
    let budget = crate::terminal::width().saturating_sub(others).max(24);
    let mut table = Table::new(
        &[
            "Goal",
            "Progress",
            "Score",
            "Expected",
            "Status",
            "Conf.",
            "Owner",
            "Checked in",
        ],
        color,
    );
    table.extend(
        lines
            .into_par_iter()
            .map(|mut line| {
                line.cells[0].cut(budget);
                line.cells
            })
            .collect(),
    );
    table.write(out)?;
    // The process ends soon after, and the system takes the memory back at once,
    // faster than freeing a million cells one by one.
    std::mem::forget(table);
    Ok(())
}

/// Widest owner shown in the table, in display columns. Longer names are cut with `…`,
/// so one long name does not widen every row.
const OWNER_WIDTH: usize = 20;

/// The texts of one line of the text table.
struct LineText<'a> {
    goal: Cell<'a>,
    progress: &'a Progress,
    score: Cow<'static, str>,
    status: &'static str,
    owner: &'a str,
    checked: String,
}

/// One line of the text table with its goal not yet cut to the room left for it.
struct Line<'a> {
    cells: Vec<Cell<'a>>,
    /// Display width of every column but the goal, with cell padding: the widest line
    /// decides how much room goals get.
    fixed: usize,
}

impl<'a> LineText<'a> {
    fn into_line(self) -> Line<'a> {
        let owner_width = self.owner.width();
        let fixed = [
            10,
            self.score.width().max(5),
            8,
            self.status.width().max(9),
            5,
            owner_width.clamp(5, OWNER_WIDTH),
            10,
        ]
        .iter()
        .sum::<usize>()
            // Eight columns, each padded by a space on both sides, and seven spaces
            // between them.
            + 2 * 8
            + 7;
        let blank = self.status.is_empty();
        let unless_blank = |text: Cow<'a, str>| if blank { Cow::Borrowed("") } else { text };
        // Most owners fit and are safe to print as they are, so they are borrowed.
        let owner = if owner_width <= OWNER_WIDTH && !has_unsafe(self.owner) {
            Cow::Borrowed(self.owner)
        } else {
            Cow::Owned(printable_cut(self.owner, OWNER_WIDTH))
        };
        let cells = vec![
            self.goal,
            bar_cell(self.progress.score, blank),
            Cell::new(self.score),
            Cell::new(unless_blank(percent(self.progress.expected))),
            Cell::styled(self.status, status_style(self.progress.status)),
            Cell::new(unless_blank(decimal(self.progress.confidence))),
            Cell::new(owner),
            Cell::new(self.checked),
        ];
        Line { cells, fixed }
    }
}

/// Makes the progress bar cell of a line, blank for lines without a status. Bars are
/// safe and exactly `BAR_WIDTH` columns wide, so they are not measured.
fn bar_cell<'a>(score: Option<f64>, blank: bool) -> Cell<'a> {
    const BAR_WIDTH: usize = 10;
    if blank {
        Cell::new("")
    } else {
        Cell::measured(bar(score, BAR_WIDTH), Style::Plain, BAR_WIDTH)
    }
}

/// Makes the goal cell of an item, `id · title` behind its indent. The `·` makes every
/// goal non-ASCII, so the width is summed from the parts where they are printable ASCII.
fn goal_cell<'a>(indent: &'static str, id: &str, title: &str) -> Cell<'a> {
    const SEPARATOR: &str = " · ";
    let mut goal = String::with_capacity(indent.len() + id.len() + SEPARATOR.len() + title.len());
    goal.push_str(indent);
    goal.push_str(id);
    goal.push_str(SEPARATOR);
    goal.push_str(title);
    if is_printable_ascii(indent) && is_printable_ascii(id) && is_printable_ascii(title) {
        let width = indent.len() + id.len() + SEPARATOR.width() + title.len();
        Cell::measured(goal, Style::Plain, width)
    } else {
        Cell::new(goal)
    }
}

fn objective_lines<'a>(row: &'a ObjectiveRow<'_>, lines: &mut Vec<Line<'a>>) {
    let objective = row.objective;
    lines.push(
        LineText {
            goal: goal_cell("  ", &objective.id.value, &objective.title.value),
            progress: &row.progress,
            score: percent(row.progress.score),
            status: status_text(&row.progress, objective.state.is_live()),
            owner: objective
                .owner
                .as_ref()
                .map_or("", |owner| owner.value.as_str()),
            checked: String::new(),
        }
        .into_line(),
    );
    for key_result_row in &row.key_results {
        let key_result = key_result_row.key_result;
        let progress = &key_result_row.progress.progress;
        lines.push(
            LineText {
                goal: goal_cell("    ", &key_result.id.value, &key_result.title.value),
                progress,
                score: shown_score(progress),
                status: status_text(progress, key_result.state.is_live()),
                owner: key_result_row.owner.unwrap_or(""),
                checked: key_result_row
                    .progress
                    .last_check_in
                    .map_or_else(String::new, iso_date),
            }
            .into_line(),
        );
    }
}

pub(crate) fn write_markdown(report: &ProgressReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "**Progress for {} as of {}**: score {}, expected {}\n",
        markdown(&report.periods.join(", ")),
        report.as_of,
        percent(report.overall.score),
        percent(report.overall.expected)
    )?;
    writeln!(
        out,
        "| Goal | Progress | Score | Expected | Status | Confidence | Owner | Checked in |"
    )?;
    writeln!(out, "| --- | --- | ---: | ---: | --- | ---: | --- | --- |")?;
    let by_team = rows_by_team(report);
    for team in &report.teams {
        writeln!(
            out,
            "| **{} · {}** | `{}` | {} | {} | {} | {} |  |  |",
            markdown(&team.team),
            markdown(&team.period),
            bar(team.progress.score, 10),
            percent(team.progress.score),
            percent(team.progress.expected),
            status_text(&team.progress, true),
            decimal(team.progress.confidence)
        )?;
        for row in by_team
            .get(&(team.team.as_str(), team.period.as_str()))
            .into_iter()
            .flatten()
        {
            write_markdown_objective(row, out)?;
        }
    }
    for row in report.objectives.iter().filter(|row| row.context) {
        write_markdown_objective(row, out)?;
    }
    Ok(())
}

fn write_markdown_objective(row: &ObjectiveRow<'_>, out: &mut dyn Write) -> io::Result<()> {
    let objective = row.objective;
    let context = if row.context {
        format!(" ({})", markdown(&row.period))
    } else {
        String::new()
    };
    writeln!(
        out,
        "| {}{context} | `{}` | {} | {} | {} | {} | {} |  |",
        markdown(&objective.title.value),
        bar(row.progress.score, 10),
        percent(row.progress.score),
        percent(row.progress.expected),
        status_text(&row.progress, objective.state.is_live()),
        decimal(row.progress.confidence),
        markdown(
            objective
                .owner
                .as_ref()
                .map_or("", |owner| owner.value.as_str())
        ),
    )?;
    for key_result_row in &row.key_results {
        let progress = &key_result_row.progress.progress;
        writeln!(
            out,
            "| ↳ {} | `{}` | {} | {} | {} | {} | {} | {} |",
            markdown(&key_result_row.key_result.title.value),
            bar(progress.score, 10),
            shown_score(progress),
            percent(progress.expected),
            status_text(progress, key_result_row.key_result.state.is_live()),
            decimal(progress.confidence),
            markdown(key_result_row.owner.unwrap_or("")),
            key_result_row
                .progress
                .last_check_in
                .map_or_else(String::new, |d| d.to_string()),
        )?;
    }
    Ok(())
}

pub(crate) fn write_csv(report: &ProgressReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "level,period,team,objective,key_result,title,kind,owner,start,target,current,unit,score,raw,expected,status,confidence,state,last_check_in"
    )?;
    let optional = |value: Option<f64>| value.map_or_else(String::new, |v| v.to_string());
    for team in &report.teams {
        let progress = &team.progress;
        writeln!(
            out,
            "team,{},{},,,,,,,,,,{},,{},{},{},,",
            csv(&team.period),
            csv(&team.team),
            optional(progress.score),
            optional(progress.expected),
            progress.status.map_or("", Status::as_str),
            optional(progress.confidence),
        )?;
    }
    for row in &report.objectives {
        let objective = row.objective;
        let progress = &row.progress;
        writeln!(
            out,
            "objective,{},{},{},,{},,{},,,,,{},,{},{},{},{},",
            csv(&row.period),
            csv(&row.team),
            csv(&objective.id.value),
            csv(&objective.title.value),
            csv(objective
                .owner
                .as_ref()
                .map_or("", |owner| owner.value.as_str())),
            optional(progress.score),
            optional(progress.expected),
            progress.status.map_or("", Status::as_str),
            optional(progress.confidence),
            objective.state.as_str(),
        )?;
        for key_result_row in &row.key_results {
            let key_result = key_result_row.key_result;
            let progress = &key_result_row.progress.progress;
            let value = |field: &Option<crate::model::Spanned<f64>>| {
                number(field.as_ref().map(|v| v.value))
            };
            writeln!(
                out,
                "key_result,{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                csv(&row.period),
                csv(&row.team),
                csv(&objective.id.value),
                csv(&key_result.id.value),
                csv(&key_result.title.value),
                key_result.kind.as_str(),
                csv(key_result_row.owner.unwrap_or("")),
                value(&key_result.start),
                value(&key_result.target),
                value(&key_result.current),
                csv(key_result
                    .unit
                    .as_ref()
                    .map_or("", |unit| unit.value.as_str())),
                optional(progress.score),
                optional(progress.raw),
                optional(progress.expected),
                progress.status.map_or("", Status::as_str),
                optional(progress.confidence),
                key_result.state.as_str(),
                key_result_row
                    .progress
                    .last_check_in
                    .map_or_else(String::new, |d| d.to_string()),
            )?;
        }
    }
    Ok(())
}

fn status_json(status: Option<Status>) -> Value {
    status.map_or(Value::Null, |status| Value::from(status.as_str()))
}

fn key_result_json(row: &KeyResultRow<'_>) -> Value {
    let key_result = row.key_result;
    let progress = &row.progress.progress;
    let value = |field: &Option<crate::model::Spanned<f64>>| field.as_ref().map(|v| v.value);
    let mut object = json!({
        "id": key_result.id.value,
        "title": key_result.title.value,
        "owner": row.owner,
        "kind": key_result.kind.as_str(),
        "start": value(&key_result.start),
        "target": value(&key_result.target),
        "current": value(&key_result.current),
        "unit": key_result.unit.as_ref().map(|unit| unit.value.as_str()),
        "score": progress.score,
        "raw": progress.raw,
        "expected": progress.expected,
        "status": status_json(progress.status),
        "state": key_result.state.as_str(),
        "confidence": progress.confidence,
        "last_check_in": row.progress.last_check_in.map(|date| date.to_string()),
        "weight": value(&key_result.weight),
        "due": key_result.due.as_ref().map(|due| due.value.to_string()),
        "reason": key_result.reason,
        "notes": key_result
            .notes
            .iter()
            .map(|note| json!({ "date": note.date.map(|date| date.to_string()), "text": note.text }))
            .collect::<Vec<_>>(),
    });
    if key_result.kind == Kind::Milestone {
        object["done"] = Value::from(key_result.done.as_ref().is_some_and(|done| done.value));
    }
    object
}

pub(crate) fn write_json(report: &ProgressReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let teams: Vec<Value> = report
        .teams
        .iter()
        .map(|team| {
            json!({
                "team": team.team,
                "period": team.period,
                "score": team.progress.score,
                "expected": team.progress.expected,
                "status": status_json(team.progress.status),
                "confidence": team.progress.confidence,
            })
        })
        .collect();
    let objectives: Vec<Value> = report
        .objectives
        .iter()
        .map(|row| {
            let objective = row.objective;
            json!({
                "id": objective.id.value,
                "period": row.period,
                "team": row.team,
                "title": objective.title.value,
                "owner": objective.owner.as_ref().map(|owner| owner.value.as_str()),
                "score": row.progress.score,
                "expected": row.progress.expected,
                "status": status_json(row.progress.status),
                "state": objective.state.as_str(),
                "confidence": row.progress.confidence,
                "weight": objective.weight.as_ref().map(|weight| weight.value),
                "context": row.context,
                "key_results": row.key_results.iter().map(key_result_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let document = json!({
        "schema_version": 1,
        "as_of": report.as_of.to_string(),
        "periods": report.periods,
        "score": report.overall.score,
        "expected": report.overall.expected,
        "teams": teams,
        "objectives": objectives,
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
