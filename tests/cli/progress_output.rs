//! `okr progress` and `okr tree` on the sample fixture: every format, filters, escaping.

use super::support::{fixture, okr, temp_repo};

fn sample(args: &[&str]) -> super::support::Output {
    let mut all = vec!["-C", "tests/fixtures/sample", "--as-of", "2026-11-15"];
    all.extend_from_slice(args);
    okr(&super::support::repo_root(), &all)
}

#[test]
fn progress_table_snapshot() {
    let output = sample(&["progress"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn progress_markdown_snapshot() {
    let output = sample(&["progress", "--format", "markdown"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn progress_csv_snapshot() {
    let output = sample(&["progress", "--format", "csv"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn progress_json_snapshot() {
    let output = sample(&["progress", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    insta::assert_json_snapshot!(output.json());
}

#[test]
fn progress_json_has_documented_shape() {
    let document = sample(&["progress", "--format", "json"]).json();
    assert_eq!(document["schema_version"], 1);
    assert_eq!(document["as_of"], "2026-11-15");
    assert!(document["score"].is_number());
    for team in document["teams"].as_array().unwrap() {
        for key in [
            "team",
            "period",
            "score",
            "expected",
            "status",
            "confidence",
        ] {
            assert!(team.get(key).is_some(), "team lacks {key}: {team}");
        }
    }
    let objectives = document["objectives"].as_array().unwrap();
    for objective in objectives {
        for key in [
            "id",
            "period",
            "team",
            "title",
            "owner",
            "score",
            "expected",
            "status",
            "state",
            "confidence",
            "key_results",
        ] {
            assert!(
                objective.get(key).is_some(),
                "objective lacks {key}: {objective}"
            );
        }
        for key_result in objective["key_results"].as_array().unwrap() {
            for key in [
                "id",
                "title",
                "owner",
                "kind",
                "start",
                "target",
                "current",
                "unit",
                "score",
                "raw",
                "expected",
                "status",
                "state",
                "confidence",
                "last_check_in",
            ] {
                assert!(
                    key_result.get(key).is_some(),
                    "key result lacks {key}: {key_result}"
                );
            }
            if key_result["kind"] == "milestone" {
                assert!(
                    key_result["done"].is_boolean(),
                    "milestone lacks done: {key_result}"
                );
                assert!(key_result["current"].is_null());
            }
        }
    }
}

#[test]
fn decreasing_metric_scores_in_json() {
    let document = sample(&["progress", "--format", "json"]).json();
    let company = &document["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "happy-customers")
        .unwrap();
    let churn = company["key_results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == "churn")
        .unwrap();
    assert_eq!(churn["score"], 0.5);
    assert_eq!(churn["raw"], 0.5);
    assert_eq!(churn["status"], "on-track");
    assert_eq!(churn["last_check_in"], "2026-11-12");
}

#[test]
fn dropped_key_result_leaves_the_mean() {
    let document = sample(&["progress", "--format", "json"]).json();
    let objective = document["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "reliable-checkout")
        .unwrap();
    // availability (weight 2, held) = 1.0, game-day = 1.0, error-budget (no value) = 0.0.
    let score = objective["score"].as_f64().unwrap();
    assert!((score - 0.75).abs() < 1e-9, "{score}");
    let dropped = objective["key_results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == "legacy-retire")
        .unwrap();
    assert_eq!(dropped["state"], "dropped");
}

#[test]
fn markdown_escapes_user_strings() {
    let output = sample(&["progress", "--format", "markdown"]);
    assert!(
        output.stdout.contains("&lt;busiest&gt; \\| day"),
        "{}",
        output.stdout
    );
    assert!(!output.stdout.contains("<busiest>"));
}

#[test]
fn team_filter_shows_one_team() {
    let document = sample(&["progress", "--team", "platform", "--format", "json"]).json();
    let teams: Vec<_> = document["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["team"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(teams, ["platform"]);
}

#[test]
fn owner_filter_keeps_owned_key_results() {
    let document = sample(&["progress", "--owner", "liyan", "--format", "json"]).json();
    let objectives = document["objectives"].as_array().unwrap();
    let shown: Vec<_> = objectives
        .iter()
        .filter(|o| o["context"] == false)
        .collect();
    assert_eq!(shown.len(), 1);
    let key_results = shown[0]["key_results"].as_array().unwrap();
    assert_eq!(key_results.len(), 1);
    assert_eq!(key_results[0]["id"], "on-time");
}

#[test]
fn period_all_shows_enclosing_year() {
    let document = sample(&["progress", "--period", "all", "--format", "json"]).json();
    let periods: Vec<_> = document["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2026", "2026-Q4"]);
}

#[test]
fn invalid_period_flag_exits_2() {
    let output = sample(&["progress", "--period", "2026-Q7"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("invalid period `2026-Q7`"),
        "{}",
        output.stderr
    );
}

#[test]
fn wide_characters_align_in_table() {
    let output = sample(&["progress"]);
    let columns: Vec<usize> = output
        .stdout
        .lines()
        .filter_map(|line| {
            let bar = line.find(['█', '░'])?;
            Some(unicode_width::UnicodeWidthStr::width(&line[..bar]))
        })
        .collect();
    assert!(columns.len() > 10);
    assert!(
        columns.iter().all(|column| *column == columns[0]),
        "{columns:?}"
    );
}

#[test]
fn color_only_when_asked() {
    let plain = sample(&["progress"]);
    assert!(!plain.stdout.contains('\u{1b}'));
    let colored = sample(&["progress", "--color", "always"]);
    assert!(colored.stdout.contains('\u{1b}'));
}

#[test]
fn tree_snapshot() {
    let output = sample(&["tree"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn tree_shows_key_result_under_both_parents() {
    let output = sample(&["tree"]);
    let count = output.stdout.matches("reliable-checkout/game-day").count();
    // Under its own objective, under happy-customers/churn, and under lean-costs.
    assert_eq!(count, 3, "{}", output.stdout);
}

#[test]
fn tree_json_nests_children() {
    let document = sample(&["tree", "--format", "json"]).json();
    assert_eq!(document["schema_version"], 1);
    let roots = document["roots"].as_array().unwrap();
    assert_eq!(roots[0]["item"], "durable-business");
    assert_eq!(roots[0]["children"][0]["item"], "happy-customers");
    assert!(fixture("sample").exists());
}

#[test]
fn table_cuts_owner_and_masks_bidi() {
    let long_owner = "o".repeat(70);
    let file = format!(
        "period = \"2026-Q4\"\nteam = \"growth\"\n\n[[objective]]\nid = \"activation\"\n\
         title = \"Teams finish onboarding \\u202Ein one day\"\nowner = \"{long_owner}\"\n\n\
         [[objective.key_result]]\nid = \"trial\"\ntitle = \"Raise trial conversion\"\n\
         start = 10\ntarget = 14\ncurrent = 11\nunit = \"%\"\n"
    );
    let repo = temp_repo(&[("okrs/growth.toml", &file)]);
    let output = okr(repo.path(), &["progress", "--as-of", "2026-11-15"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(!output.stdout.contains(&long_owner), "{}", output.stdout);
    assert!(output.stdout.contains(&format!("{}…", "o".repeat(19))));
    assert!(!output.stdout.contains('\u{202E}'), "{}", output.stdout);
}

#[test]
fn table_lines_fit_the_terminal() {
    use unicode_width::UnicodeWidthStr;
    // Goals are cut to the room the other columns leave in `COLUMNS` (120 in tests).
    let long_title = "Customers finish checkout on every device and in every region ".repeat(3);
    let file = format!(
        "period = \"2026-Q4\"\nteam = \"web\"\n\n[[objective]]\nid = \"checkout\"\n\
         title = \"{long_title}\"\nowner = \"dana\"\n\n[[objective.key_result]]\n\
         id = \"conversion\"\ntitle = \"{long_title}\"\nstart = 1\ntarget = 2\ncurrent = 1.5\n\
         unit = \"%\"\nconfidence = 0.7\nchecked = 2026-11-09\n"
    );
    let repo = temp_repo(&[("okrs/web.toml", &file)]);
    let output = okr(repo.path(), &["progress", "--as-of", "2026-11-15"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stdout.contains('…'), "{}", output.stdout);
    for line in output.stdout.lines().skip(1) {
        assert!(line.width() <= 120, "{} columns: {line}", line.width());
    }
}

#[test]
fn period_names_are_masked_in_first_lines() {
    let config = "[periods.\"la\\u001b[31mnch\\u202e\"]\nstart = 2026-09-01\nend = 2026-12-31\n";
    let file = "period = \"la\\u001b[31mnch\\u202e\"\nteam = \"web\"\n\n[[objective]]\n\
                id = \"launch\"\ntitle = \"Customers can pay on any device\"\nowner = \"dana\"\n";
    let repo = temp_repo(&[("okr.toml", config), ("okrs/web.toml", file)]);
    for command in ["progress", "tree"] {
        let output = okr(
            repo.path(),
            &[command, "--period", "all", "--as-of", "2026-11-15"],
        );
        assert_eq!(output.code, 0, "{command}: {}", output.stderr);
        let first = output.stdout.lines().next().unwrap_or_default();
        assert!(first.contains("la"), "{command}: {first}");
        assert!(!first.contains('\u{1b}'), "{command}: {first:?}");
        assert!(!first.contains('\u{202e}'), "{command}: {first:?}");
    }
}
