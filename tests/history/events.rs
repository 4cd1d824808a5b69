//! `okr history`: every event kind, values as in the files, item selection, and the
//! four output formats.

use super::repo::{Repo, goal_file};

const WEEKLY: &str = "owner = \"bob\"\nstart = 40\ntarget = 90\ncurrent = 40\nconfidence = 0.6\n";

const CHURN: &str = "\n[[objective.key_result]]\nid = \"churn\"\ntitle = \"Cut monthly churn\"\n\
    unit = \"%\"\nstart = 5.0\ntarget = 2.0\ncurrent = 5.0\n";

/// Returns a quarter of changes: planning, a check-in, a new owner, a lowered target, a
/// dropped and then removed key result, and notes with characters to escape.
pub(crate) fn quarter() -> Repo {
    let repo = Repo::new();
    let mut weekly = WEEKLY.to_owned();
    let mut churn = CHURN.to_owned();
    let write = |repo: &Repo, weekly: &str, churn: &str| {
        repo.write("okrs/growth.toml", &(goal_file(weekly) + churn));
    };
    write(&repo, &weekly, &churn);
    repo.commit("2026-09-28T09:00:00+02:00", "Plan the 2026-Q4 growth goals");

    weekly = weekly
        .replace("current = 40", "current = 55")
        .replace("0.6", "0.7")
        + "checked = 2026-10-06\n";
    write(&repo, &weekly, &churn);
    repo.commit("2026-10-06T17:30:00+05:45", "Check in week 41");

    weekly = weekly.replace("owner = \"bob\"", "owner = \"dana\"");
    write(&repo, &weekly, &churn);
    repo.commit("2026-10-14T08:00:00-09:30", "Hand weekly signups to Dana");

    weekly = weekly.replace("target = 90", "target = 80");
    write(&repo, &weekly, &churn);
    repo.commit("2026-11-03T10:00:00+00:00", "Lower the signup target");

    churn.push_str("state = \"dropped\"\n");
    write(&repo, &weekly, &churn);
    repo.commit(
        "2026-11-10T10:00:00+14:00",
        "Drop the churn key result\n\nChurn moved to the retention team.",
    );

    weekly.push_str("notes = [{ date = 2026-11-20, text = \"Campaign | <b>launched</b>\" }]\n");
    write(&repo, &weekly, "");
    repo.commit(
        "2026-11-20T12:00:00+01:00",
        "Remove churn, note the campaign",
    );
    repo
}

fn events_of<'v>(document: &'v serde_json::Value, item: &str) -> &'v Vec<serde_json::Value> {
    document["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["item"] == item)
        .unwrap_or_else(|| panic!("no item {item} in {document}"))["events"]
        .as_array()
        .unwrap()
}

#[test]
fn json_has_every_event_kind() {
    let repo = quarter();
    let document = repo.okr_ok(&["history", "--format", "json"]).json();
    assert_eq!(document["schema_version"], 1);
    let items: Vec<&str> = document["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["signups", "signups/churn", "signups/weekly"]);

    let weekly = events_of(&document, "signups/weekly");
    let kinds: Vec<&str> = weekly.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["added", "changed", "changed", "changed", "changed"]);
    let added = &weekly[0];
    assert_eq!(
        added["changes"][0],
        serde_json::json!({"field": "title", "from": null, "to": "Raise weekly trial signups"})
    );
    assert_eq!(added["author"], "Ana Lima");
    assert_eq!(added["email"], "ana@example.com");
    assert_eq!(added["subject"], "Plan the 2026-Q4 growth goals");
    assert_eq!(added["date"], "2026-09-28T09:00:00+02:00");
    assert_eq!(added["commit"].as_str().unwrap().len(), 40);
    assert_eq!(added["moved_goalpost"], false);

    let check_in = &weekly[1]["changes"];
    assert_eq!(
        check_in[0],
        serde_json::json!({"field": "current", "from": 40, "to": 55})
    );
    assert_eq!(
        check_in[1],
        serde_json::json!({"field": "confidence", "from": 0.6, "to": 0.7})
    );
    assert_eq!(
        check_in[2],
        serde_json::json!({"field": "checked", "from": null, "to": "2026-10-06"})
    );
    assert_eq!(
        weekly[2]["changes"][0],
        serde_json::json!({"field": "owner", "from": "bob", "to": "dana"})
    );
    assert_eq!(
        weekly[3]["changes"][0],
        serde_json::json!({"field": "target", "from": 90, "to": 80})
    );
    assert_eq!(weekly[3]["moved_goalpost"], true);
    assert_eq!(
        weekly[4]["changes"][0]["to"],
        serde_json::json!([{"date": "2026-11-20", "text": "Campaign | <b>launched</b>"}])
    );

    let churn = events_of(&document, "signups/churn");
    let kinds: Vec<&str> = churn.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["added", "changed", "removed"]);
    assert_eq!(
        churn[1]["changes"][0],
        serde_json::json!({"field": "state", "from": null, "to": "dropped"})
    );
    assert_eq!(churn[1]["date"], "2026-11-10T10:00:00+14:00");
    let removed = churn[2]["changes"].as_array().unwrap();
    assert!(removed.iter().all(|change| change["to"].is_null()));
    assert!(
        removed
            .iter()
            .any(|change| change["field"] == "start" && change["from"] == 5.0)
    );
}

#[test]
fn json_event_fields_are_exact() {
    let repo = quarter();
    let document = repo.okr_ok(&["history", "--format", "json"]).json();
    let item = &document["items"][0];
    let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["item", "period", "events"]);
    let event = &item["events"][0];
    let keys: Vec<&String> = event.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "commit",
            "author",
            "email",
            "date",
            "subject",
            "kind",
            "changes",
            "moved_goalpost"
        ]
    );
}

#[test]
fn item_reference_selects_one_timeline() {
    let repo = quarter();
    let document = repo
        .okr_ok(&["history", "signups/weekly", "--format", "json"])
        .json();
    assert_eq!(document["items"].as_array().unwrap().len(), 1);
    let with_period = repo
        .okr_ok(&["history", "2026-Q4/signups/weekly", "--format", "json"])
        .json();
    assert_eq!(document, with_period);
    let objective = repo
        .okr_ok(&["history", "signups", "--format", "json"])
        .json();
    assert_eq!(
        objective["items"].as_array().unwrap().len(),
        3,
        "an objective brings its key results"
    );
}

#[test]
fn filters_by_owner_and_team() {
    let repo = quarter();
    let dana = repo
        .okr_ok(&["history", "--owner", "dana", "--format", "json"])
        .json();
    let items: Vec<&str> = dana["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["signups/weekly"]);
    let ana = repo
        .okr_ok(&["history", "--owner", "ana", "--format", "json"])
        .json();
    let items: Vec<&str> = ana["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"].as_str().unwrap())
        .collect();
    assert_eq!(
        items,
        ["signups", "signups/churn"],
        "a key result without owner is its objective's"
    );
    let other = repo
        .okr_ok(&["history", "--team", "platform", "--format", "json"])
        .json();
    assert!(other["items"].as_array().unwrap().is_empty());
    let other_period = repo
        .okr_ok(&["history", "--period", "2026-Q3", "--format", "json"])
        .json();
    assert!(other_period["items"].as_array().unwrap().is_empty());
}

#[test]
fn unknown_item_is_an_error() {
    let repo = quarter();
    let output = repo.okr(&["history", "signups/nothing"]);
    assert_eq!(output.code, 2);
    assert!(
        output
            .stderr
            .contains("no history found for `signups/nothing`"),
        "{}",
        output.stderr
    );
}

#[test]
fn ambiguous_item_lists_candidates() {
    let repo = quarter();
    let next = goal_file(WEEKLY).replace("2026-Q4", "2027-Q1");
    repo.write("okrs/next.toml", &next);
    repo.commit("2026-12-20T09:00:00+00:00", "Plan 2027-Q1");
    let output = repo.okr(&["history", "signups/weekly", "--as-of", "2026-06-01"]);
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert!(
        output.stderr.contains("2026-Q4/signups/weekly"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("2027-Q1/signups/weekly"),
        "{}",
        output.stderr
    );
    let output = repo.okr_ok(&[
        "history",
        "signups/weekly",
        "--as-of",
        "2027-02-01",
        "--format",
        "json",
    ]);
    assert_eq!(
        output.json()["items"][0]["period"],
        "2027-Q1",
        "the running period wins"
    );
}

#[test]
fn table_output() {
    let repo = quarter();
    insta::assert_snapshot!(repo.okr_ok(&["history"]).stdout);
}

#[test]
fn markdown_output_escapes() {
    let repo = quarter();
    let output = repo
        .okr_ok(&["history", "signups/weekly", "--format", "markdown"])
        .stdout;
    assert!(output.contains("&lt;b&gt;"), "{output}");
    assert!(!output.contains("<b>"), "{output}");
    assert!(output.contains("Campaign \\|"), "{output}");
    insta::assert_snapshot!(output);
}

#[test]
fn csv_output() {
    let repo = quarter();
    let output = repo
        .okr_ok(&["history", "signups/weekly", "--format", "csv"])
        .stdout;
    insta::assert_snapshot!(output);
}

#[test]
fn json_output() {
    let repo = quarter();
    insta::assert_snapshot!(repo.okr_ok(&["history", "--format", "json"]).stdout);
}

#[test]
fn range_limits_the_walk() {
    let repo = quarter();
    let document = repo
        .okr_ok(&["history", "--rev", "HEAD~2..HEAD~1", "--format", "json"])
        .json();
    let churn = events_of(&document, "signups/churn");
    assert_eq!(churn.len(), 1);
    assert_eq!(churn[0]["subject"], "Drop the churn key result");
    let empty = repo
        .okr_ok(&["history", "--rev", "HEAD..HEAD", "--format", "json"])
        .json();
    assert!(empty["items"].as_array().unwrap().is_empty());
    let older = repo
        .okr_ok(&["history", "--rev", "HEAD~4", "--format", "json"])
        .json();
    assert_eq!(events_of(&older, "signups/weekly").len(), 2);
}

#[test]
fn rewriting_a_number_as_float_is_no_change() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 50\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40.0\ntarget = 90\ncurrent = 50.0\n"),
    );
    repo.commit("2026-10-08T09:00:00+00:00", "Write numbers as floats");
    let document = repo
        .okr_ok(&["history", "signups/weekly", "--format", "json"])
        .json();
    let events = events_of(&document, "signups/weekly");
    assert_eq!(events.len(), 1, "only the addition: {events:?}");
}
