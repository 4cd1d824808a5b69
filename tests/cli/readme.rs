//! README.md stays true: every pasted output is what the command prints now, and
//! the goal files and okr.toml shown in it lint as the text says.
//! Run with OKR_UPDATE_README=1 to rewrite the pasted outputs.

use super::support::{repo_root, rules_of, temp_repo};
use std::process::Command;

/// A fenced block after a marker comment: (marker text, block body, byte range of the body).
fn marked_blocks<'a>(
    readme: &'a str,
    marker: &str,
) -> Vec<(&'a str, &'a str, std::ops::Range<usize>)> {
    let mut blocks = Vec::new();
    let open = format!("<!-- {marker}");
    let mut from = 0;
    while let Some(found) = readme[from..].find(&open) {
        let start = from + found;
        let end_comment = start + readme[start..].find("-->").unwrap();
        let label = readme[start + open.len()..end_comment]
            .trim()
            .trim_start_matches(':')
            .trim();
        let fence = end_comment + readme[end_comment..].find("```").unwrap();
        let ticks = readme[fence..].chars().take_while(|c| *c == '`').count();
        let body_start = fence + readme[fence..].find('\n').unwrap() + 1;
        let closing = format!("\n{}\n", "`".repeat(ticks));
        let body_end = if readme[body_start..].starts_with(&closing[1..]) {
            body_start
        } else {
            body_start + readme[body_start..].find(&closing).unwrap() + 1
        };
        blocks.push((label, &readme[body_start..body_end], body_start..body_end));
        from = body_end;
    }
    blocks
}

fn run_okr(args: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_okr"))
        .args(args.split_whitespace())
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn pasted_outputs_match_commands() {
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let blocks = marked_blocks(&readme, "okr");
    assert!(blocks.len() >= 5, "expected pasted outputs in README.md");
    if std::env::var_os("OKR_UPDATE_README").is_some() {
        let mut updated = readme.clone();
        for (args, _, range) in blocks.iter().rev() {
            updated.replace_range(range.clone(), &run_okr(args));
        }
        std::fs::write(&path, updated).unwrap();
        return;
    }
    for (args, body, _) in blocks {
        assert_eq!(
            body,
            run_okr(args),
            "README output of `okr {args}` is out of date; run with OKR_UPDATE_README=1"
        );
    }
}

#[test]
fn goal_files_in_readme_lint_clean() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let goal_files = marked_blocks(&readme, "goal-file");
    let config = marked_blocks(&readme, "config-file");
    assert!(goal_files.len() >= 2);
    let mut files: Vec<(&str, &str)> = goal_files
        .iter()
        .map(|(path, body, _)| (*path, *body))
        .collect();
    files.push(("okr.toml", config[0].1));
    let repo = temp_repo(&files);
    // The README's okr.toml turns `missing-unit` off; the goal files must be clean without that too.
    let output = super::support::okr(
        repo.path(),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(rules_of(&output.json()), Vec::<String>::new());
    std::fs::remove_file(repo.path().join("okr.toml")).unwrap();
    let output = super::support::okr(
        repo.path(),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    );
    assert_eq!(rules_of(&output.json()), Vec::<String>::new());
}
