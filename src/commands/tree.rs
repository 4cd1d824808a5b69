//! `okr tree`: the alignment tree from company objectives down to every team
//! objective and key result, with scores. An item with several parents appears under each.

use super::report_unparsed;
use crate::Outcome;
use crate::cli::{GlobalArgs, TreeArgs, TreeFormat};
use crate::error::{Error, Result};
use crate::index::{ObjectiveRef, Target, get_file, get_objective};
use crate::loader::Workspace;
use crate::model::{Initiative, State};
use crate::render::tree::{Node, NodeKind, write_json, write_text};
use crate::rollup::Rollup;
use std::collections::{HashMap, HashSet};
use std::io::Write;

pub(super) fn run(args: &TreeArgs, global: &GlobalArgs, out: &mut dyn Write) -> Result<Outcome> {
    let (source, selection, rollup) = super::roll_up(global, &args.revision, &args.filter)?;
    let workspace = &source.loaded.workspace;
    let index = &source.loaded.index;
    let as_of = source.loaded.as_of;
    // Enclosing-period objectives first, so company roots lead the tree.
    let shown: Vec<ObjectiveRef> = selection
        .context
        .iter()
        .chain(&selection.objectives)
        .copied()
        .collect();
    let shown_set: HashSet<ObjectiveRef> = shown.iter().copied().collect();

    // Children of each parent (an objective, or a key result), among the shown objectives.
    let mut children: HashMap<Target, Vec<Target>> = HashMap::new();
    let mut has_shown_parent: HashSet<ObjectiveRef> = HashSet::new();
    for &at in &shown {
        let Some(period) = index.file_period(at.file) else {
            continue;
        };
        let objective = get_objective(workspace, at);
        for reference in &objective.aligns_to {
            if let Some(parent) = index.resolve(workspace, &period.name, &reference.value)
                && shown_set.contains(&parent.objective_ref())
            {
                children
                    .entry(parent)
                    .or_default()
                    .push(Target::Objective(at));
                has_shown_parent.insert(at);
            }
        }
        for (position, key_result) in objective.key_results.iter().enumerate() {
            for reference in &key_result.aligns_to {
                if let Some(parent) = index.resolve(workspace, &period.name, &reference.value)
                    && shown_set.contains(&parent.objective_ref())
                    && parent.objective_ref() != at
                {
                    children
                        .entry(parent)
                        .or_default()
                        .push(Target::KeyResult(at, position));
                }
            }
        }
    }
    let builder = TreeBuilder {
        workspace,
        index,
        rollup: &rollup,
        children: &children,
        owner: selection.owner.as_deref(),
    };
    let mut walk = Walk::default();
    let mut roots: Vec<Node> = shown
        .iter()
        .filter(|at| !has_shown_parent.contains(at))
        .map(|at| builder.node(Target::Objective(*at), &mut walk))
        .collect();
    // Objectives that only align to each other in a cycle have no root above them.
    for at in &shown {
        if !walk.expanded.contains(at) {
            roots.push(builder.node(Target::Objective(*at), &mut walk));
        }
    }
    let written = match args.format {
        TreeFormat::Table => write_text(&roots, &selection.periods, as_of, out),
        TreeFormat::Json => write_json(&roots, &selection.periods, as_of, out),
    };
    // A closed pipe ends the output early, and broken goal files still exit 2.
    super::unless_pipe_closed(written.and_then(|()| out.flush()))?;
    super::report_left_out(workspace, index);
    if !workspace.unparsed.is_empty() {
        report_unparsed(workspace);
        return Err(Error::BrokenGoalFiles {
            count: workspace.unparsed.len(),
        });
    }
    Ok(Outcome::Success)
}

struct TreeBuilder<'a> {
    workspace: &'a Workspace,
    index: &'a crate::index::Index,
    rollup: &'a Rollup,
    children: &'a HashMap<Target, Vec<Target>>,
    /// `--owner`: objectives of others show only this owner's key results.
    owner: Option<&'a str>,
}

/// The state of one depth-first walk over the alignment graph.
#[derive(Default)]
struct Walk {
    /// The ancestors of the current node, to stop at alignment cycles.
    on_path: HashSet<Target>,
    /// Objectives already expanded: a second parent lists them without their subtree,
    /// so diamond-shaped alignments print in linear, not exponential, size.
    expanded: HashSet<ObjectiveRef>,
}

impl TreeBuilder<'_> {
    /// Builds the node for `target` and everything aligned below it.
    fn node(&self, target: Target, walk: &mut Walk) -> Node {
        let at = target.objective_ref();
        let file = get_file(self.workspace, at);
        let objective = get_objective(self.workspace, at);
        let period = self
            .index
            .file_period(at.file)
            .map_or_else(String::new, |period| period.name.clone());
        let progress = self.rollup.objectives.get(&at);
        let mut node = match target {
            Target::Objective(_) => Node {
                kind: NodeKind::Objective,
                item: objective.id.value.to_string(),
                period,
                team: file.team.value.to_string(),
                title: objective.title.value.to_string(),
                owner: objective
                    .owner
                    .as_ref()
                    .map(|owner| owner.value.to_string()),
                score: progress.and_then(|p| p.progress.score),
                status: progress.and_then(|p| p.progress.status),
                state: objective.state,
                children: Vec::new(),
                cycle: false,
                repeated: false,
                link: None,
                work_state: None,
            },
            Target::KeyResult(_, position) => {
                let key_result = &objective.key_results[position];
                let part = progress.and_then(|p| p.key_results.get(position));
                Node {
                    kind: NodeKind::KeyResult,
                    item: format!("{}/{}", objective.id.value, key_result.id.value),
                    period,
                    team: file.team.value.to_string(),
                    title: key_result.title.value.to_string(),
                    owner: key_result.effective_owner(objective).map(str::to_owned),
                    score: part.and_then(|p| p.progress.score),
                    status: part.and_then(|p| p.progress.status),
                    state: key_result.state,
                    children: Vec::new(),
                    cycle: false,
                    repeated: false,
                    link: None,
                    work_state: None,
                }
            }
        };
        if walk.on_path.contains(&target) {
            node.cycle = true;
            return node;
        }
        if let Target::Objective(_) = target
            && !walk.expanded.insert(at)
        {
            node.repeated = true;
            return node;
        }
        walk.on_path.insert(target);
        match target {
            Target::Objective(_) => {
                let owned = self
                    .owner
                    .is_none_or(|owner| node.owner.as_deref() == Some(owner));
                for (position, key_result) in objective.key_results.iter().enumerate() {
                    if !owned && key_result.effective_owner(objective) != self.owner {
                        continue;
                    }
                    let child = Target::KeyResult(at, position);
                    node.children.push(self.node(child, walk));
                }
                let unlinked = objective
                    .initiatives
                    .iter()
                    .filter(|work| work.key_results.is_empty());
                let leaves: Vec<Node> = unlinked.map(|work| initiative_node(&node, work)).collect();
                node.children.extend(leaves);
            }
            Target::KeyResult(_, position) => {
                let id = &objective.key_results[position].id.value;
                let qualified = format!("{}/{id}", objective.id.value);
                let moving = objective.initiatives.iter().filter(|work| {
                    work.key_results
                        .iter()
                        .any(|name| name.value == *id || name.value == qualified)
                });
                let leaves: Vec<Node> = moving.map(|work| initiative_node(&node, work)).collect();
                node.children.extend(leaves);
            }
        }
        for child in self.children.get(&target).into_iter().flatten() {
            node.children.push(self.node(*child, walk));
        }
        walk.on_path.remove(&target);
        node
    }
}

/// Builds a leaf for an initiative under the objective or key result it moves.
fn initiative_node(parent: &Node, initiative: &Initiative) -> Node {
    let work_state = initiative.state.as_ref().map(|state| state.value.clone());
    let dropped = work_state.as_deref() == Some("dropped");
    Node {
        kind: NodeKind::Initiative,
        item: parent.item.split('/').next().unwrap_or_default().to_owned(),
        period: parent.period.clone(),
        team: parent.team.clone(),
        title: initiative.title.value.to_string(),
        owner: initiative
            .owner
            .as_ref()
            .map(|owner| owner.value.to_string()),
        score: None,
        status: None,
        state: if dropped {
            State::Dropped
        } else {
            State::Active
        },
        children: Vec::new(),
        cycle: false,
        repeated: false,
        link: initiative.link.as_ref().map(|link| link.value.to_string()),
        work_state: work_state.map(crate::model::Text::into_string),
    }
}
