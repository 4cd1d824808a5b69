//! `okr diff`, `okr blame`, and `--rev` and git check-ins in progress, tree and lint.

use super::events::quarter;
use super::repo::{Repo, goal_file};

/// Returns a repository on main with one planning commit, and a working tree that adds,
/// removes, re-targets, re-owns and re-aligns items.
fn branch_change() -> Repo {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &(goal_file("owner = \"bob\"\nstart = 40\ntarget = 90\ncurrent = 50\nchecked = 2026-11-10\n")
            + "\n[[objective.key_result]]\nid = \"churn\"\ntitle = \"Cut monthly churn from 5% to 2%\"\n\
               unit = \"%\"\nstart = 5.0\ntarget = 2.0\ncurrent = 4.0\nchecked = 2026-11-10\n"),
    );
    repo.commit("2026-09-28T09:00:00+00:00", "Plan the quarter");
    repo.write(
        "okrs/growth.toml",
        &(goal_file(
            "owner = \"dana\"\nstart = 40\ntarget = 80\ncurrent = 50\nchecked = 2026-11-10\n\
             aligns_to = [\"2026/growth\"]\n",
        ) + "\n[[objective.key_result]]\nid = \"referrals\"\ntitle = \"Grow referred trials from 10 to 30 a week\"\n\
               unit = \"count\"\nstart = 10\ntarget = 30\ncurrent = 12\nchecked = 2026-11-10\n"),
    );
    repo
}

#[test]
fn diff_groups_changes_by_meaning() {
    let repo = branch_change();
    let output = repo.okr_ok(&["diff", "--as-of", "2026-11-15"]);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn diff_markdown_is_a_comment() {
    let repo = branch_change();
    let output = repo.okr_ok(&["diff", "--as-of", "2026-11-15", "--format", "markdown"]);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn diff_marks_harder_target_without_warning() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 50\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 95\ncurrent = 50\n"),
    );
    repo.commit("2026-10-20T09:00:00+00:00", "Aim higher");
    let markdown = repo
        .okr_ok(&["diff", "HEAD~1", "HEAD", "--format", "markdown"])
        .stdout;
    assert!(
        markdown.contains("| target | 90 | 95 | moved goalpost, harder |"),
        "{markdown}"
    );
    assert!(!markdown.contains("⚠️"), "{markdown}");
    let document = repo
        .okr_ok(&["diff", "HEAD~1", "HEAD", "--format", "json"])
        .json();
    assert_eq!(document["changes"][0]["moved_goalpost"], true);
    assert_eq!(document["changes"][0]["eased"], false);
}

#[test]
fn diff_json_matches_the_contract() {
    let repo = branch_change();
    let document = repo
        .okr_ok(&["diff", "--as-of", "2026-11-15", "--format", "json"])
        .json();
    let keys: Vec<&String> = document.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["schema_version", "base", "head", "changes", "lint"]);
    assert_eq!(document["head"], serde_json::Value::Null);
    assert_eq!(document["base"].as_str().unwrap().len(), 40);
    let changes = document["changes"].as_array().unwrap();
    let summary: Vec<(String, String)> = changes
        .iter()
        .map(|change| {
            let item = change["item"].as_str().unwrap().to_owned();
            (item, change["kind"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("signups/weekly".to_owned(), "changed".to_owned()),
            ("signups/referrals".to_owned(), "added".to_owned()),
            ("signups/churn".to_owned(), "removed".to_owned()),
        ]
    );
    let weekly = &changes[0];
    assert_eq!(weekly["moved_goalpost"], true);
    // Target 90 → 80 from a start of 40 is closer, so easier to reach.
    assert_eq!(weekly["eased"], true);
    let keys: Vec<&String> = weekly.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "item",
            "period",
            "kind",
            "changes",
            "moved_goalpost",
            "eased"
        ]
    );
    assert_eq!(
        changes[1]["eased"],
        serde_json::Value::Null,
        "added, not moved"
    );
    let fields: Vec<&str> = weekly["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["owner", "target", "aligns_to"]);
    let introduced = document["lint"]["introduced"].as_array().unwrap();
    assert!(
        introduced
            .iter()
            .any(|finding| finding["rule"] == "unknown-alignment"),
        "{introduced:?}"
    );
    let fixed = document["lint"]["fixed"].as_array().unwrap();
    assert!(fixed.is_empty(), "{fixed:?}");
}

#[test]
fn diff_lint_delta_reports_fixed_findings() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 40\ncurrent = 40\n"),
    );
    repo.commit("2026-09-28T09:00:00+00:00", "Plan with a mistake");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    let document = repo
        .okr_ok(&["diff", "HEAD", "--as-of", "2026-09-29", "--format", "json"])
        .json();
    let fixed: Vec<&str> = document["lint"]["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect();
    assert_eq!(fixed, ["target-equals-start"]);
    assert!(
        document["lint"]["introduced"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        document["changes"][0]["moved_goalpost"], false,
        "before the period began"
    );
}

#[test]
fn diff_between_two_revisions() {
    let repo = quarter();
    let document = repo
        .okr_ok(&["diff", "HEAD~3", "HEAD~2", "--format", "json"])
        .json();
    assert_eq!(document["head"].as_str().unwrap().len(), 40);
    assert_eq!(document["changes"][0]["changes"][0]["field"], "target");
    assert_eq!(document["changes"][0]["moved_goalpost"], true);
}

#[test]
fn diff_default_base_needs_a_branch() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &goal_file("start = 40\ntarget = 90\n"));
    repo.commit("2026-09-28T09:00:00+00:00", "Plan");
    repo.git(
        &["branch", "-q", "-m", "trunk"],
        "2026-09-28T09:00:00+00:00",
    );
    let output = repo.okr(&["diff"]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("okr diff BASE"), "{}", output.stderr);
    repo.git(&["branch", "-q", "master"], "2026-09-28T09:00:00+00:00");
    repo.okr_ok(&["diff"]);
}

#[test]
fn blame_shows_last_change_and_chains() {
    let repo = quarter();
    repo.write(
        "okrs/growth.toml",
        &std::fs::read_to_string(repo.path.join("okrs/growth.toml"))
            .unwrap()
            .replace("current = 55", "current = 61"),
    );
    let output = repo.okr_ok(&["blame", "signups/weekly"]);
    insta::assert_snapshot!(output.stdout);
    let document = repo
        .okr_ok(&["blame", "signups/weekly", "--format", "json"])
        .json();
    let target = document["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["field"] == "target")
        .unwrap();
    assert_eq!(target["value"], 80);
    assert_eq!(target["subject"], "Lower the signup target");
    let owners: Vec<&str> = document["chains"]["owner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["value"].as_str().unwrap())
        .collect();
    assert_eq!(owners, ["bob", "dana"]);
    assert_eq!(document["uncommitted"][0]["to"], 61);
    let churn = repo
        .okr_ok(&["blame", "signups/churn", "--format", "json"])
        .json();
    assert_eq!(churn["removed"], true);
    let reason = churn["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["field"] == "state")
        .unwrap();
    assert_eq!(reason["reason"], "Churn moved to the retention team.");
}

#[test]
fn progress_reads_check_ins_from_git() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-09-28T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 55\n"),
    );
    repo.commit("2026-10-20T22:00:00-05:00", "Check in");
    repo.write("README.md", "unrelated\n");
    repo.commit("2026-11-10T09:00:00+00:00", "Unrelated change");
    let document = repo
        .okr_ok(&["progress", "--as-of", "2026-11-01", "--format", "json"])
        .json();
    let key_result = &document["objectives"][0]["key_results"][0];
    assert_eq!(
        key_result["last_check_in"], "2026-10-20",
        "the committer's own day"
    );
    assert_eq!(key_result["status"], "on-track");
    let later = repo
        .okr_ok(&["progress", "--as-of", "2026-11-10", "--format", "json"])
        .json();
    assert_eq!(later["objectives"][0]["key_results"][0]["status"], "stale");
    let before = repo
        .okr_ok(&["progress", "--as-of", "2026-10-05", "--format", "json"])
        .json();
    assert_eq!(
        before["objectives"][0]["key_results"][0]["last_check_in"], "2026-09-28",
        "the adding commit counts, later commits do not"
    );
}

#[test]
fn progress_rev_reads_the_past() {
    let repo = quarter();
    let document = repo
        .okr_ok(&["progress", "--rev", "HEAD~4", "--format", "json"])
        .json();
    assert_eq!(document["as_of"], "2026-10-06", "the commit's date");
    let weekly = document["objectives"][0]["key_results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key_result| key_result["id"] == "weekly")
        .unwrap();
    assert_eq!(weekly["current"], 55.0);
    assert_eq!(weekly["target"], 90.0);
    assert_eq!(weekly["owner"], "bob");
    assert_eq!(weekly["last_check_in"], "2026-10-06");
    let chosen_date = repo
        .okr_ok(&[
            "progress",
            "--rev",
            "HEAD~4",
            "--as-of",
            "2026-10-10",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(chosen_date["as_of"], "2026-10-10");
    let tree = repo.okr_ok(&["tree", "--rev", "HEAD~4"]);
    assert!(tree.stdout.contains("as of 2026-10-06"), "{}", tree.stdout);
}

#[test]
fn rev_reads_config_of_that_commit() {
    let repo = Repo::new();
    repo.write("okr.toml", "goals = [\"goals\"]\n");
    repo.write(
        "goals/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-09-28T09:00:00+00:00", "Plan in goals/");
    repo.git(&["mv", "goals", "okrs"], "2026-09-29T09:00:00+00:00");
    repo.write("okr.toml", "goals = [\"okrs\"]\n");
    repo.commit("2026-09-29T09:00:00+00:00", "Move to okrs/");
    let document = repo
        .okr_ok(&["progress", "--rev", "HEAD~1", "--format", "json"])
        .json();
    assert_eq!(document["objectives"][0]["id"], "signups");
}

#[test]
fn lint_rev_checks_an_old_revision() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 40\ncurrent = 40\n"),
    );
    repo.commit("2026-09-28T09:00:00+00:00", "Plan with a mistake");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-09-29T09:00:00+00:00", "Fix the target");
    let old = repo.okr(&["lint", "--rev", "HEAD~1", "--format", "json"]);
    assert_eq!(old.code, 1, "{}", old.stderr);
    let rules: Vec<String> = old.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        rules.contains(&"target-equals-start".to_owned()),
        "{rules:?}"
    );
    let now = repo.okr(&["lint", "--format", "json", "--as-of", "2026-09-29"]);
    assert_eq!(now.code, 0, "{}", now.stdout);
}

#[test]
fn diff_from_before_any_goal_file() {
    let repo = Repo::new();
    repo.write("README.md", "goals soon\n");
    repo.commit("2026-09-20T09:00:00+00:00", "Start the repository");
    repo.write("okrs/growth.toml", &goal_file("start = 40\ntarget = 90\n"));
    let document = repo.okr_ok(&["diff", "--format", "json"]).json();
    let kinds: Vec<&str> = document["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["added", "added"]);
    let output = repo.okr(&["progress", "--rev", "HEAD"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("no goal files found"),
        "{}",
        output.stderr
    );
}
