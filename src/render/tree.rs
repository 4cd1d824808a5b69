//! `okr tree` output: an indented text tree or a JSON document.

use super::text::{percent, printable};
use crate::model::State;
use crate::progress::Status;
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Objective,
    KeyResult,
    /// Daily work that moves a key result; `item` is its objective.
    Initiative,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) kind: NodeKind,
    /// `objective-id` or `objective-id/kr-id`.
    pub(crate) item: String,
    pub(crate) period: String,
    pub(crate) team: String,
    pub(crate) title: String,
    pub(crate) owner: Option<String>,
    pub(crate) score: Option<f64>,
    pub(crate) status: Option<Status>,
    /// The lifecycle state as written (`active` unless set).
    pub(crate) state: State,
    /// The tracker link of an initiative.
    pub(crate) link: Option<String>,
    /// An initiative's own state (`planned`, `in-progress`, `done`, `dropped`).
    pub(crate) work_state: Option<String>,
    pub(crate) children: Vec<Node>,
    /// True where the branch stops because the item is already among its ancestors.
    pub(crate) cycle: bool,
    /// True where the objective was shown, with its subtree, under an earlier parent.
    pub(crate) repeated: bool,
}

pub(crate) fn write_text(
    roots: &[Node],
    periods: &[String],
    as_of: NaiveDate,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "Alignment for {} as of {as_of}",
        printable(&periods.join(", "))
    )?;
    for root in roots {
        writeln!(out)?;
        write_node(root, "", "", None, out)?;
    }
    Ok(())
}

fn write_node(
    node: &Node,
    lead: &str,
    child_lead: &str,
    parent: Option<&Node>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let status = if node.state.is_live() {
        node.status.map_or("–", Status::as_str)
    } else {
        "dropped"
    };
    // Items from another team or period than their parent show where they come from.
    let origin = match parent {
        Some(parent) if parent.team == node.team && parent.period == node.period => String::new(),
        _ => format!("[{} {}] ", node.team, node.period),
    };
    let marker = match node.kind {
        NodeKind::Objective => "◆",
        NodeKind::KeyResult => "•",
        NodeKind::Initiative => "▸",
    };
    if node.kind == NodeKind::Initiative {
        let state = node.work_state.as_deref().unwrap_or("planned");
        let link = node
            .link
            .as_deref()
            .map_or_else(String::new, |link| format!("  {link}"));
        let line = format!("{lead}{marker} {} ({state}){link}", node.title);
        return writeln!(out, "{}", printable(&line));
    }
    let cycle = if node.cycle {
        "  (alignment cycle)"
    } else if node.repeated {
        "  (shown above)"
    } else {
        ""
    };
    let line = format!(
        "{lead}{marker} {origin}{} — {}  {} {status}{cycle}",
        node.item,
        node.title,
        percent(node.score)
    );
    writeln!(out, "{}", printable(&line))?;
    for (index, child) in node.children.iter().enumerate() {
        let last = index + 1 == node.children.len();
        let (branch, next) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        write_node(
            child,
            &format!("{child_lead}{branch}"),
            &format!("{child_lead}{next}"),
            Some(node),
            out,
        )?;
    }
    Ok(())
}

fn node_json(node: &Node) -> Value {
    json!({
        "type": match node.kind {
            NodeKind::Objective => "objective",
            NodeKind::KeyResult => "key_result",
            NodeKind::Initiative => "initiative",
        },
        "item": node.item,
        "period": node.period,
        "team": node.team,
        "title": node.title,
        "owner": node.owner,
        "score": node.score,
        "status": node.status.map(Status::as_str),
        "state": node.state.as_str(),
        "cycle": node.cycle,
        "repeated": node.repeated,
        "link": node.link,
        "initiative_state": node.work_state,
        "children": node.children.iter().map(node_json).collect::<Vec<_>>(),
    })
}

pub(crate) fn write_json(
    roots: &[Node],
    periods: &[String],
    as_of: NaiveDate,
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = json!({
        "schema_version": 1,
        "as_of": as_of.to_string(),
        "periods": periods,
        "roots": roots.iter().map(node_json).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
