//! Every rule fails its bad fixture and passes its good one, and no word-list rule
//! fires on the corpus of good English and Chinese OKRs.

use super::support::{fixture, okr, rules_of};
use std::path::Path;

/// The as-of date for fixtures without an `as-of` file.
const DEFAULT_AS_OF: &str = "2026-11-15";

/// Registered rules that may lack a fixture folder: the bad-input tests feed
/// `invalid-toml` many broken files, and `moved-goalpost` needs a commit history, so
/// its cases are real repositories in tests/history.
const WITHOUT_FIXTURE: &[&str] = &["invalid-toml", "moved-goalpost"];

/// Rules whose matching depends on word lists, which must not fire on the good corpus.
const WORD_LIST_RULES: &[&str] = &[
    "vague-title",
    "task-not-outcome",
    "objective-has-number",
    "direction-mismatch",
    "compound-key-result",
];

fn as_of(dir: &Path) -> String {
    match std::fs::read_to_string(dir.join("as-of")) {
        Ok(text) => text.trim().to_owned(),
        Err(_) => DEFAULT_AS_OF.to_owned(),
    }
}

/// The rules `okr lint` reports on a fixture folder, with the raw output for messages.
fn lint(dir: &Path) -> (Vec<String>, String) {
    let date = as_of(dir);
    let output = okr(dir, &["lint", "--format", "json", "--as-of", &date]);
    assert!(
        output.code == 0 || output.code == 1,
        "okr lint failed in {} with exit {}:\n{}",
        dir.display(),
        output.code,
        output.stderr
    );
    (rules_of(&output.json()), output.stdout)
}

fn fixture_rules() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture("rules"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn registered_rules() -> Vec<(String, String)> {
    let output = okr(&fixture("rules"), &["rules", "--format", "json"]);
    assert_eq!(output.code, 0, "okr rules failed:\n{}", output.stderr);
    output.json()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            let name = rule["name"].as_str().unwrap().to_owned();
            let group = rule["group"].as_str().unwrap().to_owned();
            (name, group)
        })
        .collect()
}

#[test]
fn bad_fixtures_fire_their_rule() {
    for rule in fixture_rules() {
        let dir = fixture("rules").join(&rule).join("bad");
        let (rules, stdout) = lint(&dir);
        assert!(
            rules.contains(&rule),
            "rule {rule} did not fire on {}:\n{stdout}",
            dir.display()
        );
    }
}

#[test]
fn good_fixtures_pass_their_rule() {
    for rule in fixture_rules() {
        let dir = fixture("rules").join(&rule).join("good");
        let (rules, stdout) = lint(&dir);
        assert!(
            !rules.contains(&rule),
            "rule {rule} fired on {}:\n{stdout}",
            dir.display()
        );
    }
}

#[test]
fn every_rule_has_fixture_folder() {
    let folders = fixture_rules();
    for (rule, _) in registered_rules() {
        if WITHOUT_FIXTURE.contains(&rule.as_str()) {
            continue;
        }
        assert!(
            folders.contains(&rule),
            "rule {rule} has no folder tests/fixtures/rules/{rule}"
        );
    }
}

#[test]
fn every_fixture_folder_is_a_rule() {
    let registered: Vec<String> = registered_rules()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for folder in fixture_rules() {
        assert!(
            registered.contains(&folder),
            "tests/fixtures/rules/{folder} names no registered rule"
        );
    }
}

#[test]
fn good_corpus_passes_word_list_rules() {
    let dir = fixture("good-corpus");
    let (rules, stdout) = lint(&dir);
    for rule in WORD_LIST_RULES {
        assert!(
            !rules.contains(&(*rule).to_owned()),
            "word-list rule {rule} fired on the good corpus:\n{stdout}"
        );
    }
}
