//! `alignment-cycle`: follows links upward across files and periods (every resolved
//! `aligns_to` entry, and each key result to its own objective) and reports each cycle
//! that a depth-first walk meets, once, on its first item in file order.

use super::super::context::{Context, Sink, Subject};
use super::Unknown;
use crate::diagnostic::quoted;
use crate::index::{ObjectiveRef, Target, get_file, get_key_result, get_objective, objectives};
use crate::model::{Spanned, Text};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

struct Edge {
    to: Target,
    /// The `aligns_to` entry; `None` for a key result's link to its own objective.
    span: Option<Range<usize>>,
}

/// The resolved `aligns_to` entries of the items that have any. A key result's link to
/// its own objective is implied (see `edge`), so most items take no room here.
type Graph = HashMap<Target, Vec<Edge>, foldhash::fast::RandomState>;

/// Returns the edge numbered `index` from `node`: its `aligns_to` entries in order, then,
/// for a key result, the link to its own objective.
fn edge(graph: &Graph, node: Target, index: usize) -> Option<Edge> {
    let explicit = graph.get(&node).map_or(&[][..], Vec::as_slice);
    match explicit.get(index) {
        Some(edge) => Some(Edge {
            to: edge.to,
            span: edge.span.clone(),
        }),
        None => match node {
            Target::KeyResult(at, _) if index == explicit.len() => Some(Edge {
                to: Target::Objective(at),
                span: None,
            }),
            _ => None,
        },
    }
}

/// File order: an objective before its key results.
fn order(node: Target) -> (ObjectiveRef, usize) {
    match node {
        Target::Objective(at) => (at, 0),
        Target::KeyResult(at, position) => (at, position + 1),
    }
}

/// The resolved `aligns_to` links of the repository, each entry resolved once for both
/// alignment rules.
pub(super) struct Links<'w> {
    /// Every item, in file order.
    nodes: Vec<Target>,
    graph: Graph,
    /// The entries that resolve to nothing, in file order, for `unknown-alignment`.
    pub(super) unknown: Vec<Unknown<'w>>,
}

/// Resolves every `aligns_to` entry: the graph of every item (in file order) and its
/// upward links, and the entries that name nothing.
pub(super) fn links<'w>(context: &Context<'w>) -> Links<'w> {
    let mut nodes = Vec::new();
    let mut graph = Graph::default();
    let mut unknown = Vec::new();
    for (at, file, objective) in objectives(context.workspace) {
        let Some(period) = context.index.file_period(at.file) else {
            continue;
        };
        let mut add = |node: Target, subject: Subject<'w>, entries: &'w [Spanned<Text>]| {
            nodes.push(node);
            let mut edges = Vec::new();
            for entry in entries {
                match context
                    .index
                    .resolve(context.workspace, &period.name, &entry.value)
                {
                    Some(to) => edges.push(Edge {
                        to,
                        span: Some(entry.span.clone()),
                    }),
                    None => unknown.push((file, subject, period.name.as_str(), entry)),
                }
            }
            if !edges.is_empty() {
                graph.insert(node, edges);
            }
        };
        add(
            Target::Objective(at),
            Subject::Objective(objective),
            &objective.aligns_to,
        );
        for (position, key_result) in objective.key_results.iter().enumerate() {
            add(
                Target::KeyResult(at, position),
                Subject::KeyResult(objective, key_result),
                &key_result.aligns_to,
            );
        }
    }
    Links {
        nodes,
        graph,
        unknown,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    OnPath,
    Finished,
}

/// Finds the cycles a depth-first walk from every item meets, each rotated to start at its
/// first item in file order. Every strongly connected part with a cycle yields at least one.
fn find_cycles(nodes: &[Target], graph: &Graph) -> Vec<Vec<Target>> {
    // Not sized for every item: most walks start nowhere (see below).
    let mut visits: HashMap<Target, Visit, foldhash::fast::RandomState> = HashMap::default();
    let mut seen: HashSet<Vec<Target>> = HashSet::new();
    let mut cycles = Vec::new();
    for &root in nodes {
        if visits.contains_key(&root) {
            continue;
        }
        // An item with no `aligns_to` of its own is on no cycle when it is an objective,
        // or a key result whose objective was walked already, so no walk starts there.
        // Should another walk reach it, it is walked then, as it would have been.
        if !graph.contains_key(&root) {
            let ends_here = match root {
                Target::Objective(_) => true,
                Target::KeyResult(at, _) => {
                    visits.get(&Target::Objective(at)) == Some(&Visit::Finished)
                }
            };
            if ends_here {
                continue;
            }
        }
        // Each frame is a node on the current path and the index of its next edge.
        let mut stack: Vec<(Target, usize)> = vec![(root, 0)];
        visits.insert(root, Visit::OnPath);
        while let Some(&(node, next)) = stack.last() {
            let Some(edge) = edge(graph, node, next) else {
                visits.insert(node, Visit::Finished);
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            match visits.get(&edge.to) {
                Some(Visit::Finished) => {}
                Some(Visit::OnPath) => {
                    let start = stack.iter().position(|(on_path, _)| *on_path == edge.to);
                    let mut cycle: Vec<Target> = stack[start.unwrap_or(0)..]
                        .iter()
                        .map(|(on_path, _)| *on_path)
                        .collect();
                    let first = (0..cycle.len())
                        .min_by_key(|&i| order(cycle[i]))
                        .unwrap_or(0);
                    cycle.rotate_left(first);
                    if seen.insert(cycle.clone()) {
                        cycles.push(cycle);
                    }
                }
                None => {
                    visits.insert(edge.to, Visit::OnPath);
                    stack.push((edge.to, 0));
                }
            }
        }
    }
    cycles
}

/// Formats an item as a cycle message names it, with its period in front when that differs
/// from `home`.
fn label(context: &Context<'_>, node: Target, home: &str) -> String {
    let at = node.objective_ref();
    let objective = get_objective(context.workspace, at);
    let name = match node {
        Target::Objective(_) => quoted(&objective.id.value).into_owned(),
        Target::KeyResult(_, position) => format!(
            "{}/{}",
            quoted(&objective.id.value),
            quoted(&get_key_result(context.workspace, at, position).id.value)
        ),
    };
    match context.index.file_period(at.file) {
        Some(period) if period.name != home => format!("`{}/{name}`", period.name),
        _ => format!("`{name}`"),
    }
}

pub(super) fn alignment_cycle(context: &Context<'_>, links: &Links<'_>, sink: &mut Sink<'_>) {
    let graph = &links.graph;
    for cycle in find_cycles(&links.nodes, graph) {
        let first = cycle[0];
        let next = cycle[1 % cycle.len()];
        let at = first.objective_ref();
        let home = context
            .index
            .file_period(at.file)
            .map_or(String::new(), |period| period.name.clone());
        let objective = get_objective(context.workspace, at);
        let (subject, header) = match first {
            Target::Objective(_) => (Subject::Objective(objective), objective.span.clone()),
            Target::KeyResult(_, position) => {
                let key_result = get_key_result(context.workspace, at, position);
                (
                    Subject::KeyResult(objective, key_result),
                    key_result.span.clone(),
                )
            }
        };
        let span = (0..)
            .map_while(|index| edge(graph, first, index))
            .find(|edge| edge.to == next)
            .and_then(|edge| edge.span)
            .unwrap_or(header);
        let mut chain: Vec<String> = cycle
            .iter()
            .map(|&node| label(context, node, &home))
            .collect();
        chain.push(label(context, first, &home));
        sink.report(
            "alignment-cycle",
            get_file(context.workspace, at),
            subject,
            span,
            format!("alignment cycle: {}", chain.join(" -> ")),
            "decide which goal serves which, and remove the `aligns_to` entry that points back down".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objective(file: usize) -> Target {
        Target::Objective(ObjectiveRef { file, objective: 0 })
    }

    fn key_result(file: usize, position: usize) -> Target {
        Target::KeyResult(ObjectiveRef { file, objective: 0 }, position)
    }

    fn graph(edges: &[(Target, Target)]) -> Graph {
        let mut graph = Graph::default();
        for &(from, to) in edges {
            graph.entry(from).or_default().push(Edge { to, span: None });
        }
        graph
    }

    #[test]
    fn mutual_alignment_is_one_cycle() {
        let (a, b) = (objective(0), objective(1));
        let cycles = find_cycles(&[b, a], &graph(&[(a, b), (b, a)]));
        assert_eq!(cycles, [vec![a, b]]);
    }

    #[test]
    fn key_result_to_own_objective_is_no_cycle() {
        let (parent, child) = (objective(0), key_result(0, 0));
        let edges = graph(&[(child, parent), (child, parent)]);
        assert!(find_cycles(&[parent, child], &edges).is_empty());
    }

    #[test]
    fn objective_aligned_to_own_key_result_is_cycle() {
        let (parent, child) = (objective(0), key_result(0, 0));
        let edges = graph(&[(child, parent), (parent, child)]);
        assert_eq!(find_cycles(&[parent, child], &edges), [vec![parent, child]]);
    }

    #[test]
    fn self_alignment_is_cycle() {
        let a = objective(0);
        assert_eq!(find_cycles(&[a], &graph(&[(a, a)])), [vec![a]]);
    }

    #[test]
    fn chain_without_loop_is_no_cycle() {
        let (a, b, c) = (objective(0), objective(1), objective(2));
        let edges = graph(&[(a, b), (b, c), (a, c)]);
        assert!(find_cycles(&[a, b, c], &edges).is_empty());
    }
}
