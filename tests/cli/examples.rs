//! The shipped example company: lint finds exactly its deliberate findings, and
//! progress and tree run on it.

use super::support::{okr, repo_root, rules_of};

fn acme(args: &[&str]) -> super::support::Output {
    let mut all = vec!["-C", "examples/acme", "--as-of", "2026-11-15"];
    all.extend_from_slice(args);
    okr(&repo_root(), &all)
}

#[test]
fn lint_finds_only_deliberate_findings() {
    let output = acme(&["lint", "--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    let document = output.json();
    let mut rules = rules_of(&document);
    rules.sort();
    assert_eq!(
        rules,
        ["missing-unit", "unknown-alignment", "vague-title"],
        "{document:#}"
    );
    assert_eq!(document["errors"], 1);
}

#[test]
fn lint_json_paths_are_repository_relative() {
    let document = acme(&["lint", "--format", "json"]).json();
    for diagnostic in document["diagnostics"].as_array().unwrap() {
        let file = diagnostic["file"].as_str().unwrap();
        assert!(file.starts_with("examples/acme/okrs/2026-Q4/"), "{file}");
    }
}

#[test]
fn progress_covers_teams_and_objectives() {
    let output = acme(&["progress", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let document = output.json();
    let teams = document["teams"].as_array().unwrap();
    assert!(teams.len() >= 5, "{teams:?}");
    assert!(teams.iter().any(|team| team["team"] == "数据平台"));
    let shown = document["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["context"] == false)
        .count();
    assert!(shown >= 12, "{shown}");
}

#[test]
fn every_format_runs_on_example() {
    for format in ["table", "markdown", "csv", "json"] {
        let output = acme(&["progress", "--format", format]);
        assert_eq!(output.code, 0, "{format}: {}", output.stderr);
        assert!(!output.stdout.is_empty());
    }
    for format in ["table", "json"] {
        let output = acme(&["tree", "--format", format]);
        assert_eq!(output.code, 0, "{format}: {}", output.stderr);
    }
}

#[test]
fn previous_quarter_has_final_scores() {
    let document = acme(&["progress", "--period", "2026-Q3", "--format", "json"]).json();
    assert_eq!(document["periods"][0], "2026-Q3");
    assert!(document["score"].as_f64().unwrap() > 0.5);
}
