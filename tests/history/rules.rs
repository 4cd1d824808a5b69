//! The history rules on real repositories: `stale` from commit dates and
//! `moved-goalpost` from target and start changes, with and without reasons.

use super::repo::{Repo, goal_file};

fn rules(repo: &Repo, as_of: &str) -> (Vec<String>, serde_json::Value) {
    let output = repo.okr(&["lint", "--format", "json", "--as-of", as_of]);
    assert!(output.code == 0 || output.code == 1, "{}", output.stderr);
    let document = output.json();
    let rules = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap().to_owned())
        .collect();
    (rules, document)
}

/// Returns the first finding of `rule` in a lint JSON document.
fn finding<'d>(document: &'d serde_json::Value, rule: &str) -> &'d serde_json::Value {
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {document}"))
}

fn fires(repo: &Repo, as_of: &str, rule: &str) -> bool {
    rules(repo, as_of).0.iter().any(|name| name == rule)
}

fn planned(target: u32) -> String {
    goal_file(&format!(
        "start = 40\ntarget = {target}\ncurrent = 50\nchecked = 2026-11-12\n"
    ))
}

#[test]
fn stale_uses_the_last_check_in_commit() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-09-28T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 60\n"),
    );
    repo.commit("2026-10-20T09:00:00+00:00", "Check in");
    assert!(
        !fires(&repo, "2026-11-01", "stale"),
        "12 days after the check-in"
    );
    assert!(
        fires(&repo, "2026-11-05", "stale"),
        "16 days after the check-in"
    );
    let (_, document) = rules(&repo, "2026-11-05");
    let finding = finding(&document, "stale");
    assert_eq!(finding["item"], "signups/weekly");
    assert_eq!(finding["line"], 9, "the key result's header");
    assert!(
        finding["message"].as_str().unwrap().contains("16 days"),
        "{finding}"
    );
}

#[test]
fn stale_ignores_unrelated_commits() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n")
            .replace("More teams", "Many more teams"),
    );
    repo.commit("2026-10-25T09:00:00+00:00", "Reword the objective");
    assert!(
        fires(&repo, "2026-11-01", "stale"),
        "a title edit is not a check-in"
    );
}

#[test]
fn stale_prefers_a_newer_checked_date() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\nchecked = 2026-10-30\n"),
    );
    assert!(
        !fires(&repo, "2026-11-05", "stale"),
        "an uncommitted `checked` counts"
    );
}

#[test]
fn stale_skips_done_and_ended_key_results() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 90\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan, already done");
    assert!(!fires(&repo, "2026-11-20", "stale"));
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 50\n"),
    );
    repo.commit("2026-10-02T09:00:00+00:00", "Correct the value");
    assert!(fires(&repo, "2026-11-20", "stale"));
    assert!(!fires(&repo, "2027-01-20", "stale"), "the period has ended");
}

#[test]
fn stale_outside_git_uses_checked() {
    let repo = Repo::new();
    let plain = repo.sibling("plain");
    std::fs::create_dir_all(plain.join("okrs")).unwrap();
    let text = goal_file("start = 40\ntarget = 90\ncurrent = 50\nchecked = 2026-10-01\n")
        + "\n[[objective.key_result]]\nid = \"unchecked\"\ntitle = \"Raise activation from 20% to 30%\"\n\
           unit = \"%\"\nstart = 20\ntarget = 30\ncurrent = 22\n";
    std::fs::write(plain.join("okrs/growth.toml"), text).unwrap();
    let output = repo.okr_in(
        &plain,
        &["lint", "--format", "json", "--as-of", "2026-11-01"],
    );
    let document = output.json();
    let stale: Vec<&str> = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["rule"] == "stale")
        .map(|finding| finding["item"].as_str().unwrap())
        .collect();
    assert_eq!(stale, ["signups/weekly"]);
    let notes = document["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|note| note
            .as_str()
            .unwrap()
            .contains("1 key result without a `checked` date")),
        "{notes:?}"
    );
}

#[test]
fn stale_in_shallow_clone_skips_unknown() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write("README.md", "one\n");
    repo.commit("2026-10-20T09:00:00+00:00", "Unrelated one");
    repo.write("README.md", "two\n");
    repo.commit("2026-10-21T09:00:00+00:00", "Unrelated two");
    let clone = repo.sibling("clone");
    let source = format!("file://{}", repo.path.display());
    repo.git_in(
        &repo.sibling(""),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &source,
            clone.to_str().unwrap(),
        ],
        "2026-10-22T00:00:00+00:00",
    );
    let output = repo.okr_in(
        &clone,
        &["lint", "--format", "json", "--as-of", "2026-11-20"],
    );
    let document = output.json();
    let rules: Vec<&str> = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"stale"), "{rules:?}");
    let notes = document["notes"].to_string();
    assert!(notes.contains("shallow clone"), "{notes}");
    // The key result existed at the boundary (2026-10-21), after 2026-Q4 began, so
    // moves before the boundary are unknown too.
    assert!(
        notes.contains("moved-goalpost: 1 key result existed at the shallow clone's boundary"),
        "{notes}"
    );
    assert_eq!(
        notes.matches("git fetch --unshallow").count(),
        1,
        "the boundary note comes once: {notes}"
    );
    assert!(
        fires(&repo, "2026-11-20", "stale"),
        "the full clone knows the check-in date"
    );
}

#[test]
fn moved_goalpost_fires_on_eased_target_without_reason() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &planned(90));
    repo.commit("2026-09-28T09:00:00+00:00", "Plan");
    repo.write("okrs/growth.toml", &planned(80));
    let lowered = repo.commit("2026-11-03T09:00:00+00:00", "Lower the target");
    let (rules, document) = rules(&repo, "2026-11-15");
    assert!(!rules.contains(&"stale".to_owned()), "{rules:?}");
    let finding = finding(&document, "moved-goalpost");
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("target 90 → 80"), "{message}");
    assert!(message.contains(&lowered[..7]), "{message}");
    assert!(message.contains("after 2026-Q4 began"), "{message}");
    assert_eq!(finding["line"], 9);
}

#[test]
fn moved_goalpost_accepts_reasons() {
    let messages = [
        "Lower the target\n\nReason: the campaign moved to January",
        "Lower the target\n\nApproved-by: Dana <dana@example.com>",
        "Lower the target\n\nThe survey vendor changed its scale.",
    ];
    for message in messages {
        let repo = Repo::new();
        repo.write("okrs/growth.toml", &planned(90));
        repo.commit("2026-09-28T09:00:00+00:00", "Plan");
        repo.write("okrs/growth.toml", &planned(80));
        repo.commit("2026-11-03T09:00:00+00:00", message);
        assert!(!fires(&repo, "2026-11-15", "moved-goalpost"), "{message}");
    }
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &planned(90));
    repo.commit("2026-09-28T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        &(planned(80) + "reason = \"Budget cut in November\"\n"),
    );
    repo.commit("2026-11-03T09:00:00+00:00", "Lower the target");
    assert!(
        !fires(&repo, "2026-11-15", "moved-goalpost"),
        "a reason field"
    );
}

/// Lowers the target from 90 to 80 on branch `ease` in a commit with `message`, after
/// a commit that only touches docs with `docs_message`, and merges the branch into
/// `main` with git's default merge message.
fn merged_branch_lowering(docs_message: &str, message: &str) -> Repo {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &planned(90));
    repo.commit("2026-09-28T09:00:00+00:00", "Plan");
    repo.git(
        &["checkout", "-q", "-b", "ease"],
        "2026-11-02T08:00:00+00:00",
    );
    repo.write("docs/notes.md", "notes\n");
    repo.commit("2026-11-02T08:00:00+00:00", docs_message);
    repo.write("okrs/growth.toml", &planned(80));
    repo.commit("2026-11-02T09:00:00+00:00", message);
    repo.git(&["checkout", "-q", "main"], "2026-11-02T10:00:00+00:00");
    repo.write("README.md", "readme\n");
    repo.commit("2026-11-02T10:00:00+00:00", "Add a readme");
    repo.git(
        &["merge", "-q", "--no-ff", "--no-edit", "ease"],
        "2026-11-03T09:00:00+00:00",
    );
    repo
}

#[test]
fn moved_goalpost_reads_reason_of_merged_commit() {
    let repo = merged_branch_lowering("Add notes", "Lower the target\n\nReason: the launch moved");
    assert!(!fires(&repo, "2026-11-15", "moved-goalpost"));
    let blame = repo
        .okr_ok(&["blame", "signups/weekly", "--format", "json"])
        .json();
    let target = &blame["chains"]["target"][1];
    assert_eq!(target["value"], 80);
    assert_eq!(target["subject"], "Merge branch 'ease'");
    assert_eq!(target["reason"], "Reason: the launch moved");
}

#[test]
fn moved_goalpost_ignores_reasons_of_other_merged_commits() {
    // The branch's docs commit gives a reason, but the commit that lowered the target
    // gives none.
    let repo = merged_branch_lowering("Add notes\n\nReason: typo", "Lower the target");
    assert!(fires(&repo, "2026-11-15", "moved-goalpost"));
    let blame = repo
        .okr_ok(&["blame", "signups/weekly", "--format", "json"])
        .json();
    assert_eq!(
        blame["chains"]["target"][1]["reason"],
        serde_json::Value::Null
    );
}

#[test]
fn moved_goalpost_ignores_harder_and_early_changes() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &planned(90));
    repo.commit("2026-09-20T09:00:00+00:00", "Plan");
    repo.write("okrs/growth.toml", &planned(70));
    repo.commit("2026-09-28T09:00:00+00:00", "Lower before the quarter");
    repo.write("okrs/growth.toml", &planned(95));
    repo.commit("2026-11-03T09:00:00+00:00", "Raise the bar");
    assert!(!fires(&repo, "2026-11-15", "moved-goalpost"));
    let history = repo
        .okr_ok(&["history", "signups/weekly", "--format", "json"])
        .json();
    let marks: Vec<bool> = history["items"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["moved_goalpost"].as_bool().unwrap())
        .collect();
    assert_eq!(
        marks,
        [false, false, true],
        "history marks the harder change too"
    );
}

#[test]
fn moved_goalpost_respects_freeze() {
    let repo = Repo::new();
    repo.write("okr.toml", "freeze = 14\n");
    repo.write("okrs/growth.toml", &planned(90));
    repo.commit("2026-09-28T09:00:00+00:00", "Plan");
    repo.write("okrs/growth.toml", &planned(80));
    repo.commit("2026-10-10T09:00:00+00:00", "Adjust in the first two weeks");
    assert!(!fires(&repo, "2026-11-15", "moved-goalpost"));
    repo.write("okrs/growth.toml", &planned(70));
    repo.commit("2026-10-20T09:00:00+00:00", "Lower again");
    let (_, document) = rules(&repo, "2026-11-15");
    let message = finding(&document, "moved-goalpost")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("after the freeze on 2026-10-15"),
        "{message}"
    );
}

#[test]
fn moved_goalpost_eased_decrease_and_start() {
    let repo = Repo::new();
    let churn = |start: f64, target: f64| {
        goal_file(&format!(
            "start = {start:?}\ntarget = {target:?}\ncurrent = 4.0\nchecked = 2026-11-12\n"
        ))
    };
    repo.write("okrs/growth.toml", &churn(5.0, 2.0));
    repo.commit("2026-09-28T09:00:00+00:00", "Plan");
    repo.write("okrs/growth.toml", &churn(5.0, 3.0));
    repo.commit("2026-10-10T09:00:00+00:00", "Ease the churn target");
    repo.write("okrs/growth.toml", &churn(4.0, 3.0));
    repo.commit("2026-10-20T09:00:00+00:00", "Ease the start too");
    let (_, document) = rules(&repo, "2026-11-15");
    let message = finding(&document, "moved-goalpost")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("start 5 → 4"), "{message}");
    assert!(
        message.contains("and 1 earlier unexplained change"),
        "{message}"
    );
}

#[test]
fn moved_goalpost_outside_git_is_noted() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &planned(90));
    let (rules, document) = rules(&repo, "2026-11-15");
    assert!(!rules.contains(&"moved-goalpost".to_owned()));
    assert!(
        document["notes"].to_string().contains("moved-goalpost"),
        "{document}"
    );
}

#[test]
fn rules_can_be_turned_off() {
    let repo = Repo::new();
    repo.write(
        "okr.toml",
        "[rules]\nstale = \"off\"\nmoved-goalpost = \"off\"\n",
    );
    repo.write("okrs/growth.toml", &planned(90));
    repo.commit("2026-09-28T09:00:00+00:00", "Plan");
    repo.write("okrs/growth.toml", &planned(80));
    repo.commit("2026-11-03T09:00:00+00:00", "Lower the target");
    let (rules, document) = rules(&repo, "2026-12-20");
    assert!(!rules.contains(&"stale".to_owned()), "{rules:?}");
    assert!(!rules.contains(&"moved-goalpost".to_owned()), "{rules:?}");
    assert_eq!(document["notes"], serde_json::json!([]));
}

/// Builds a repository that plans `signups/weekly` on 1 October 2026 (current 40)
/// and checks it in at `current` on `date`.
fn planned_and_checked_in(date: &str, current: u32) -> Repo {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        &goal_file(&format!("start = 40\ntarget = 90\ncurrent = {current}\n")),
    );
    repo.commit(date, "Check in");
    repo
}

#[test]
fn final_check_in_in_last_week() {
    let repo = planned_and_checked_in("2026-12-28T17:00:00+01:00", 85);
    assert!(
        !fires(&repo, "2027-01-10", "no-final-check-in"),
        "the commit on 28 December is in the last week of 2026-Q4"
    );
}

#[test]
fn final_check_in_missing_early_commits() {
    let repo = planned_and_checked_in("2026-12-10T09:00:00+00:00", 70);
    repo.write("README.md", "unrelated\n");
    repo.commit("2026-12-30T09:00:00+00:00", "Docs");
    let (_, document) = rules(&repo, "2027-01-10");
    let finding = finding(&document, "no-final-check-in");
    assert_eq!(finding["item"], "signups/weekly");
    let message = finding["message"].as_str().unwrap();
    // The walk reads a few commits past the final week's start, here as far as the
    // check-in of 10 December.
    assert!(
        message.contains("was last checked in on 2026-12-10"),
        "{message}"
    );
    assert!(message.contains("from 2026-12-25 on"), "{message}");
}

#[test]
fn final_check_in_earlier_walked_commit() {
    let repo = planned_and_checked_in("2026-12-10T09:00:00+00:00", 70);
    // `--period all` walks from the start of 2026-Q4, so the last check-in is known.
    let output = repo.okr(&[
        "lint",
        "--format",
        "json",
        "--as-of",
        "2027-01-10",
        "--period",
        "all",
    ]);
    let document = output.json();
    let message = finding(&document, "no-final-check-in")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("was last checked in on 2026-12-10"),
        "{message}"
    );
}

#[test]
fn final_check_in_later_checked_date() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\nchecked = 2026-12-29\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan with a date set ahead");
    assert!(!fires(&repo, "2027-01-10", "no-final-check-in"));
}

#[test]
fn final_check_in_behind_backdated_commit() {
    let repo = planned_and_checked_in("2026-12-28T09:00:00+00:00", 85);
    repo.write("README.md", "notes\n");
    // A committer with a wrong clock: older than the check-in it follows.
    repo.commit("2026-11-01T09:00:00+00:00", "Docs");
    assert!(
        !fires(&repo, "2027-01-10", "no-final-check-in"),
        "the walk looks past one commit older than the final week"
    );
}

/// Builds a repository whose last goal commit predates 2026-Q4's final week, and a
/// clone of it with `depth` commits.
fn shallow_without_final_check_in(depth: &str) -> (Repo, std::path::PathBuf) {
    let repo = planned_and_checked_in("2026-11-10T09:00:00+00:00", 60);
    repo.write("README.md", "notes\n");
    repo.commit("2026-12-29T09:00:00+00:00", "Docs");
    let clone = repo.sibling(&format!("clone-{depth}"));
    let source = format!("file://{}", repo.path.display());
    repo.git_in(
        &repo.sibling(""),
        &[
            "clone",
            "-q",
            "--depth",
            depth,
            &source,
            clone.to_str().unwrap(),
        ],
        "2027-01-02T00:00:00+00:00",
    );
    (repo, clone)
}

#[test]
fn final_check_in_shallow_boundary_before_week() {
    // Depth 2: the boundary is the check-in of 10 November, before the final week.
    let (repo, clone) = shallow_without_final_check_in("2");
    let output = repo.okr_in(
        &clone,
        &["lint", "--format", "json", "--as-of", "2027-01-10"],
    );
    let document = output.json();
    let finding = finding(&document, "no-final-check-in");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("has no check-in in its final week"),
        "{message}"
    );
}

#[test]
fn final_check_in_shallow_boundary_inside_week() {
    // Depth 1: the boundary is the commit of 29 December, inside the final week.
    let (repo, clone) = shallow_without_final_check_in("1");
    let output = repo.okr_in(
        &clone,
        &["lint", "--format", "json", "--as-of", "2027-01-10"],
    );
    let document = output.json();
    let rules = document["diagnostics"].to_string();
    assert!(!rules.contains("no-final-check-in"), "{rules}");
    let notes = document["notes"].to_string();
    assert!(
        notes.contains("no-final-check-in: 1 key result of ended periods"),
        "{notes}"
    );
    assert!(notes.contains("shallow clone"), "{notes}");
}

#[test]
fn blame_shallow_clone_names_boundary() {
    // Depth 1: the key result last changed before the clone's only commit.
    let (repo, clone) = shallow_without_final_check_in("1");
    let output = repo.okr_in(&clone, &["blame", "signups/weekly"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("shallow clone"), "{}", output.stderr);
}

#[test]
fn history_shallow_clone_names_boundary() {
    let (repo, clone) = shallow_without_final_check_in("1");
    let blame = repo.okr_in(&clone, &["blame", "signups/weekly"]);
    let history = repo.okr_in(&clone, &["history", "signups/weekly"]);
    assert_eq!(history.code, 2, "{}", history.stderr);
    assert!(
        history
            .stderr
            .contains("no history found for `signups/weekly`"),
        "{}",
        history.stderr
    );
    assert!(
        history.stderr.contains("shallow clone"),
        "{}",
        history.stderr
    );
    // Both commands give the same help.
    let help = |stderr: &str| stderr[stderr.find("help:").unwrap()..].to_owned();
    assert_eq!(help(&history.stderr), help(&blame.stderr));
    // A malformed item keeps its own help.
    let malformed = repo.okr_in(&clone, &["history", "a/b/c/d"]);
    assert!(
        malformed
            .stderr
            .contains("write [PERIOD/]OBJECTIVE[/KEY_RESULT]"),
        "{}",
        malformed.stderr
    );
}
