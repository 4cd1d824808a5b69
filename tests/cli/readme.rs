//! README.md stays true: every pasted output is what the command prints now, and
//! the goal files and okr.toml shown in it lint as the text states.
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

fn run_okr_in(dir: &std::path::Path, args: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_okr"))
        .args(args.split_whitespace())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

/// Builds the example's git history with the shipped script into a temporary folder.
fn example_history() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg(repo_root().join("examples/build-history.sh"))
        .arg(folder.path().join("acme"))
        .env("HOME", folder.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "examples/build-history.sh failed");
    folder
}

/// Compares each marked block with what the command prints in `dir`, or rewrites the
/// blocks when OKR_UPDATE_README is set.
fn check_blocks(marker: &str, dir: &std::path::Path) {
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let blocks = marked_blocks(&readme, marker);
    assert!(
        blocks.len() >= 5,
        "expected pasted outputs marked `{marker}` in README.md"
    );
    if std::env::var_os("OKR_UPDATE_README").is_some() {
        let mut updated = readme.clone();
        for (args, _, range) in blocks.iter().rev() {
            updated.replace_range(range.clone(), &run_okr_in(dir, args));
        }
        std::fs::write(&path, updated).unwrap();
        return;
    }
    for (args, body, _) in blocks {
        assert_eq!(
            body,
            run_okr_in(dir, args),
            "README output of `okr {args}` is out of date; run with OKR_UPDATE_README=1"
        );
    }
}

#[test]
fn pasted_outputs_match_commands() {
    check_blocks("okr:", &repo_root());
}

#[test]
fn pasted_history_outputs_match_commands() {
    let history = example_history();
    check_blocks("okr-history:", &history.path().join("acme"));
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
