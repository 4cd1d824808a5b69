//! `okr lint` output formats and options on a small fixture with known findings.

use super::support::{okr, rules_of, temp_repo};

const FILE: &str = r#"period = "2026-Q4"
team = "growth"

[[objective]]
id = "activation"
title = "Improve onboarding"
owner = "sofia"

[[objective.key_result]]
id = "signup-rate"
title = "Raise signup to first invoice rate"
start = 20
target = 20
current = 25
unit = "%"
confidence = 1.4

[[objective.key_result]]
id = "trial"
title = "Grow trial conversion to paid plans"
start = 10
target = 14
current = 11
confidence = 0.5
"#;

fn run(args: &[&str]) -> super::support::Output {
    let repo = temp_repo(&[("okrs/growth.toml", FILE)]);
    let mut all = vec!["lint", "--as-of", "2026-11-15"];
    all.extend_from_slice(args);
    okr(repo.path(), &all)
}

#[test]
fn human_output_snapshot() {
    let output = run(&[]);
    assert_eq!(output.code, 1);
    insta::assert_snapshot!(output.stdout);
    // Notes go to stderr, as every command's do.
    assert!(
        output
            .stderr
            .contains("okr: note: moved-goalpost: not in a git repository"),
        "{}",
        output.stderr
    );
}

#[test]
fn json_output_snapshot() {
    let output = run(&["--format", "json"]);
    assert_eq!(output.code, 1);
    insta::assert_json_snapshot!(output.json());
}

#[test]
fn github_output_snapshot() {
    let output = run(&["--format", "github"]);
    assert_eq!(output.code, 1);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn json_counts_match_diagnostics() {
    let document = run(&["--format", "json"]).json();
    let diagnostics = document["diagnostics"].as_array().unwrap();
    let errors = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .count();
    let warnings = diagnostics
        .iter()
        .filter(|d| d["severity"] == "warning")
        .count();
    assert_eq!(document["errors"], errors);
    assert_eq!(document["warnings"], warnings);
    assert_eq!(document["files"], 1);
    assert!(document["notes"].is_array());
    for diagnostic in diagnostics {
        for key in [
            "rule", "severity", "file", "line", "column", "item", "period", "message", "help",
        ] {
            assert!(
                diagnostic.get(key).is_some(),
                "diagnostic lacks {key}: {diagnostic}"
            );
        }
    }
}

#[test]
fn diagnostics_sorted_by_position() {
    let document = run(&["--format", "json"]).json();
    let positions: Vec<(u64, u64)> = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
}

#[test]
fn warnings_alone_exit_0_unless_denied() {
    let clean = FILE
        .replace("target = 20\n", "target = 30\n")
        .replace("confidence = 1.4", "confidence = 0.7");
    let repo = temp_repo(&[("okrs/growth.toml", &clean)]);
    let output = okr(
        repo.path(),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    );
    let document = output.json();
    assert_eq!(document["errors"], 0, "{document:#}");
    assert!(document["warnings"].as_u64().unwrap() > 0, "{document:#}");
    assert_eq!(output.code, 0);
    let denied = okr(
        repo.path(),
        &["lint", "--deny", "warnings", "--as-of", "2026-11-15"],
    );
    assert_eq!(denied.code, 1);
}

#[test]
fn allow_list_silences_rule_on_item() {
    let allowed = FILE.replace(
        "owner = \"sofia\"\n",
        "owner = \"sofia\"\nallow = [\"vague-title\"]\n",
    );
    let repo = temp_repo(&[("okrs/growth.toml", &allowed)]);
    let document = okr(
        repo.path(),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    )
    .json();
    assert!(!rules_of(&document).contains(&"vague-title".to_owned()));
    assert!(rules_of(&document).contains(&"target-equals-start".to_owned()));
}

#[test]
fn config_changes_severity() {
    let repo = temp_repo(&[
        ("okrs/growth.toml", FILE),
        (
            "okr.toml",
            "[rules]\ntarget-equals-start = \"warn\"\nconfidence-out-of-range = \"off\"\n",
        ),
    ]);
    let document = okr(
        repo.path(),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    )
    .json();
    let diagnostics = document["diagnostics"].as_array().unwrap();
    let target = diagnostics
        .iter()
        .find(|d| d["rule"] == "target-equals-start")
        .unwrap();
    assert_eq!(target["severity"], "warning");
    assert!(!rules_of(&document).contains(&"confidence-out-of-range".to_owned()));
}

#[test]
fn paths_limit_reported_files() {
    let repo = temp_repo(&[
        ("okrs/growth.toml", FILE),
        ("okrs/other.toml", &FILE.replace("activation", "retention")),
    ]);
    let output = okr(
        repo.path(),
        &[
            "lint",
            "--format",
            "json",
            "--as-of",
            "2026-11-15",
            "okrs/other.toml",
        ],
    );
    let document = output.json();
    assert_eq!(document["files"], 1);
    for diagnostic in document["diagnostics"].as_array().unwrap() {
        assert_eq!(diagnostic["file"], "okrs/other.toml");
    }
}

#[test]
fn missing_path_exits_2() {
    let output = run(&["okrs/nope.toml"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("path not found"),
        "{}",
        output.stderr
    );
}

#[test]
fn rules_lists_every_rule() {
    let repo = temp_repo(&[]);
    let output = okr(repo.path(), &["rules", "--format", "json"]);
    assert_eq!(output.code, 0);
    let document = output.json();
    let names: Vec<&str> = document["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"not-measurable"));
    assert!(names.contains(&"invalid-toml"));
}

#[test]
fn explain_prints_sections() {
    let repo = temp_repo(&[]);
    let output = okr(repo.path(), &["explain", "not-measurable"]);
    assert_eq!(output.code, 0);
    for section in [
        "# not-measurable",
        "Group: measurable. Default severity: `error`.",
        "## Why it matters",
        "Bad:",
        "Good:",
    ] {
        assert!(
            output.stdout.contains(section),
            "lacks {section}:\n{}",
            output.stdout
        );
    }
}

#[test]
fn explain_unknown_rule_suggests() {
    let repo = temp_repo(&[]);
    let output = okr(repo.path(), &["explain", "not-measureable"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("did you mean `not-measurable`"),
        "{}",
        output.stderr
    );
}

#[test]
fn sarif_output_snapshot() {
    let output = run(&["--format", "sarif"]);
    assert_eq!(output.code, 1);
    let mut document = output.json();
    // The rule list repeats the registry; the results are what this test pins.
    let rules = document["runs"][0]["tool"]["driver"]["rules"].take();
    assert_eq!(rules.as_array().map(Vec::len), Some(38));
    insta::assert_json_snapshot!(document);
}

#[test]
fn sarif_results_match_json_diagnostics() {
    let sarif = run(&["--format", "sarif"]).json();
    let json = run(&["--format", "json"]).json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics.len());
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for (result, diagnostic) in results.iter().zip(diagnostics) {
        assert_eq!(result["ruleId"], diagnostic["rule"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], diagnostic["line"]);
        assert_eq!(region["startColumn"], diagnostic["column"]);
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], diagnostic["rule"]);
    }
}

#[test]
fn rdjson_output_snapshot() {
    let output = run(&["--format", "rdjson"]);
    assert_eq!(output.code, 1);
    insta::assert_json_snapshot!(output.json());
}

#[test]
fn rdjson_columns_count_bytes_and_sarif_characters() {
    let file = "period = \"2026-Q4\"\nteam = \"数据\"\n\n[[objective]]\nid = \"quality\"\n\
                title = \"提升效率\"\nowner = \"li\"\n";
    let repo = temp_repo(&[("okrs/data.toml", file)]);
    let lint = |format: &str| {
        okr(
            repo.path(),
            &["lint", "--as-of", "2026-11-15", "--format", format],
        )
        .json()
    };
    let rdjson = lint("rdjson");
    let title = rdjson["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|diagnostic| diagnostic["location"]["range"]["start"]["line"] == 6)
        .unwrap_or_else(|| panic!("no finding on the title line: {rdjson}"));
    // `title = "提升效率"`: the value starts at byte 9 and ends after 4 × 3 bytes and 2 quotes.
    assert_eq!(title["location"]["range"]["start"]["column"], 9);
    assert_eq!(title["location"]["range"]["end"]["column"], 9 + 12 + 2);
    let sarif = lint("sarif");
    let region = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| &result["locations"][0]["physicalLocation"]["region"])
        .find(|region| region["startLine"] == 6)
        .unwrap_or_else(|| panic!("no finding on the title line: {sarif}"));
    assert_eq!(region["startColumn"], 9);
    assert_eq!(region["endColumn"], 9 + 4 + 2);
}

/// Lints `repo` and returns the help texts of its `unknown-alignment` findings.
fn unknown_alignment_helps(repo: &tempfile::TempDir) -> Vec<String> {
    let output = okr(
        repo.path(),
        &["lint", "--as-of", "2026-11-15", "--format", "json"],
    );
    output.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["rule"] == "unknown-alignment")
        .map(|finding| finding["help"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn suggestion_skips_the_objective_itself() {
    let file = "period = \"2026-Q4\"\nteam = \"company\"\n\n[[objective]]\nid = \"obj-1\"\n\
                title = \"Customers love our onboarding\"\nowner = \"alice\"\n\
                aligns_to = [\"obj-x1\"]\n\n[[objective]]\nid = \"obj-2\"\n\
                title = \"Customers renew without a call\"\nowner = \"alice\"\n\
                aligns_to = [\"obj-x1\"]\n";
    let repo = temp_repo(&[("okrs/company.toml", file)]);
    let helps = unknown_alignment_helps(&repo);
    assert_eq!(helps.len(), 2, "{helps:?}");
    assert!(
        helps[0].starts_with("did you mean `obj-2`?"),
        "{}",
        helps[0]
    );
    assert!(
        helps[1].starts_with("did you mean `obj-1`?"),
        "{}",
        helps[1]
    );
}

#[test]
fn suggestion_adds_objective_to_bare_key_result() {
    let company = "period = \"2026-Q4\"\nteam = \"company\"\n\n[[objective]]\nid = \"support\"\n\
                   title = \"Customers get answers the same day\"\nowner = \"alice\"\n\n\
                   [[objective.key_result]]\nid = \"refund-time\"\ntitle = \"Refund time\"\n\
                   start = 10\ntarget = 2\ncurrent = 6\nunit = \"days\"\n";
    let team = "period = \"2026-Q4\"\nteam = \"payments\"\n\n[[objective]]\nid = \"fast\"\n\
                title = \"Refunds reach customers within a day\"\nowner = \"bob\"\n\
                aligns_to = [\"refund-time\"]\n";
    let repo = temp_repo(&[("okrs/company.toml", company), ("okrs/payments.toml", team)]);
    let helps = unknown_alignment_helps(&repo);
    assert_eq!(helps.len(), 1, "{helps:?}");
    assert!(
        helps[0].starts_with("did you mean `support/refund-time`?"),
        "{}",
        helps[0]
    );
}

/// Rules that judge one file at a time run on shards of files. Each finding must come
/// from the shard that contains its file only, however many shards there are.
#[test]
fn findings_are_reported_once_across_shards() {
    let mut files: Vec<(String, String)> = (0..300)
        .map(|index| {
            (
                format!("okrs/team-{index}.toml"),
                format!("period = \"2026-Q4\"\nteam = \"team-{index}\"\n"),
            )
        })
        .collect();
    files.push((
        "okrs/late.toml".to_owned(),
        "period = \"2026-Q9\"\nteam = \"late\"\n".to_owned(),
    ));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let repo = temp_repo(&borrowed);
    let output = okr(
        repo.path(),
        &["lint", "--as-of", "2026-11-15", "--format", "json"],
    );
    let rules = rules_of(&output.json());
    let invalid = rules
        .iter()
        .filter(|rule| *rule == "invalid-period")
        .count();
    assert_eq!(invalid, 1, "{rules:?}");
}
