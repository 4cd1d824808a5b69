//! Broken goal files and configs: each gives a positioned message and the right exit code.

use super::support::{okr, rules_of, temp_repo};

const GOOD: &str = r#"period = "2026-Q4"

[[objective]]
id = "fast-checkout"
title = "Checkout feels instant for every shopper"
owner = "alice"

[[objective.key_result]]
id = "p95"
title = "Reduce checkout p95 latency"
start = 900
target = 400
current = 650
unit = "ms"
confidence = 0.6

[[objective.key_result]]
id = "errors"
title = "Reduce checkout error rate"
start = 2.0
target = 0.5
current = 1.1
unit = "%"
confidence = 0.7
"#;

fn lint(files: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let repo = temp_repo(files);
    let output = okr(
        repo.path(),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    );
    (output.code, output.json())
}

fn diagnostic<'a>(document: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|diagnostic| diagnostic["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} diagnostic in {document:#}"))
}

#[test]
fn invalid_toml_is_positioned_finding() {
    let broken = "period = \"2026-Q4\"\n\n[[objective]]\nid = \"x\"\ntitle = = \"oops\"\n";
    let (code, document) = lint(&[("okrs/a.toml", broken), ("okrs/b.toml", GOOD)]);
    assert_eq!(code, 1);
    let found = diagnostic(&document, "invalid-toml");
    assert_eq!(found["file"], "okrs/a.toml");
    assert_eq!(found["line"], 5);
    assert_eq!(found["column"], 9);
    assert_eq!(document["files"], 2);
}

#[test]
fn overlong_key_points_at_its_line() {
    let key = vec!["a"; 81].join(".");
    for line in [format!("{key} = 1"), format!("[{key}]")] {
        let broken = format!("period = \"2026-Q4\"\n\n{line}\n");
        let (code, document) = lint(&[("okrs/a.toml", &broken)]);
        assert_eq!(code, 1);
        let found = diagnostic(&document, "invalid-toml");
        assert_eq!(found["line"], 3, "{line}");
        assert_eq!(
            found["message"],
            "invalid TOML: this key has 81 dotted parts, more than the TOML parser's maximum of 80"
        );
    }
    let repo = temp_repo(&[
        ("okr.toml", &format!("# settings\n{key} = 1\n")),
        ("okrs/a.toml", GOOD),
    ]);
    let output = okr(repo.path(), &["lint"]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("okr.toml:2:1"), "{}", output.stderr);
    assert!(
        output.stderr.contains("81 dotted parts"),
        "{}",
        output.stderr
    );
}

#[test]
fn broken_file_hides_no_other_findings() {
    let other = GOOD.replace("unit = \"ms\"\n", "");
    let (_, document) = lint(&[("okrs/a.toml", "period = [\n"), ("okrs/b.toml", &other)]);
    let rules = rules_of(&document);
    assert!(rules.contains(&"invalid-toml".to_owned()), "{rules:?}");
    assert!(rules.contains(&"missing-unit".to_owned()), "{rules:?}");
}

/// Lints only okrs/a.toml, with the other goal files read for cross-file rules.
const LINT_A_ONLY: &[&str] = &[
    "lint",
    "okrs/a.toml",
    "--format",
    "json",
    "--as-of",
    "2026-11-15",
];

#[test]
fn broken_file_hides_no_unknown_alignment() {
    let aligned = GOOD.replace(
        "owner = \"alice\"\n",
        "owner = \"alice\"\naligns_to = [\"no-such-objective\"]\n",
    );
    let repo = temp_repo(&[
        ("okrs/a.toml", aligned.as_str()),
        // The id appears in the broken file only inside a longer string.
        (
            "okrs/other.toml",
            "period = \"2026-Q4\ntitle = \"no-such-objective plans\"\n",
        ),
    ]);
    let output = okr(repo.path(), LINT_A_ONLY);
    assert_eq!(output.code, 1, "{}", output.stdout);
    let document = output.json();
    let found = diagnostic(&document, "unknown-alignment");
    assert_eq!(found["file"], "okrs/a.toml");
    assert_eq!(found["line"], 7);
}

#[test]
fn entry_maybe_in_broken_file_is_noted() {
    let aligned = GOOD.replace(
        "owner = \"alice\"\n",
        "owner = \"alice\"\naligns_to = [\"company-goal\"]\n",
    );
    // The broken file may define `company-goal`, so the entry is not reported.
    let broken = "period = \"2026-Q4\"\n[[objective]]\nid = \"company-goal\"\ntitle = = \"x\"\n";
    let repo = temp_repo(&[
        ("okrs/a.toml", aligned.as_str()),
        ("okrs/company.toml", broken),
    ]);
    let output = okr(repo.path(), LINT_A_ONLY);
    let document = output.json();
    let rules = rules_of(&document);
    assert!(
        !rules.contains(&"unknown-alignment".to_owned()),
        "{rules:?}"
    );
    let notes = document["notes"].to_string();
    assert!(
        notes.contains("1 `aligns_to` entry naming nothing known was not reported"),
        "{notes}"
    );
}

#[test]
fn wrong_type_names_field_and_type() {
    let text = GOOD.replace("start = 900", "start = \"nine hundred\"");
    let (code, document) = lint(&[("okrs/a.toml", &text)]);
    assert_eq!(code, 1);
    let found = diagnostic(&document, "wrong-type");
    assert_eq!(found["line"], 11);
    assert!(
        found["message"].as_str().unwrap().contains("`start`"),
        "{found}"
    );
    assert!(
        found["message"].as_str().unwrap().contains("a string"),
        "{found}"
    );
    assert_eq!(found["item"], "fast-checkout/p95");
}

#[test]
fn non_finite_number_is_named() {
    for (written, named) in [
        ("nan", "nan"),
        ("+inf", "inf"),
        ("-inf", "-inf"),
        ("-nan", "nan"),
    ] {
        let text = GOOD.replace("start = 900", &format!("start = {written}"));
        let (code, document) = lint(&[("okrs/a.toml", &text)]);
        assert_eq!(code, 1, "{written}");
        let found = diagnostic(&document, "wrong-type");
        assert_eq!(found["line"], 11);
        let message = found["message"].as_str().unwrap();
        assert!(
            message.ends_with(&format!("must be a finite number, found {named}")),
            "{written}: {message}"
        );
    }
}

#[test]
fn unknown_field_suggests_spelling() {
    let text = GOOD.replace("target = 400", "tagret = 400");
    let (_, document) = lint(&[("okrs/a.toml", &text)]);
    let found = diagnostic(&document, "unknown-field");
    assert!(
        found["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `target`"),
        "{found}"
    );
    assert_eq!(found["line"], 12);
    assert_eq!(found["column"], 1);
}

#[test]
fn byte_order_mark_is_accepted() {
    let text = format!("\u{feff}{}", GOOD.replace("start = 900", "start = true"));
    let (_, document) = lint(&[("okrs/a.toml", &text)]);
    assert!(!rules_of(&document).contains(&"invalid-toml".to_owned()));
    let found = diagnostic(&document, "wrong-type");
    assert_eq!(found["line"], 11);
    assert_eq!(found["column"], 9);
}

#[test]
fn crlf_line_endings_keep_positions() {
    let text = GOOD
        .replace("start = 900", "start = true")
        .replace('\n', "\r\n");
    let (_, document) = lint(&[("okrs/a.toml", &text)]);
    let found = diagnostic(&document, "wrong-type");
    assert_eq!(found["line"], 11);
    assert_eq!(found["column"], 9);
}

#[test]
fn empty_file_reports_missing_period() {
    let (code, document) = lint(&[("okrs/a.toml", ""), ("okrs/b.toml", GOOD)]);
    assert_eq!(code, 1);
    let found = diagnostic(&document, "missing-field");
    assert_eq!(found["file"], "okrs/a.toml");
    assert!(found["message"].as_str().unwrap().contains("period"));
}

#[test]
fn non_utf8_file_is_invalid_toml() {
    let repo = temp_repo(&[("okrs/b.toml", GOOD)]);
    std::fs::write(
        repo.path().join("okrs/a.toml"),
        b"period = \"2026-Q4\"\ntitle = \"\xff\"\n",
    )
    .unwrap();
    let output = okr(repo.path(), &["lint", "--format", "json"]);
    assert_eq!(output.code, 1);
    let document = output.json();
    let found = diagnostic(&document, "invalid-toml");
    assert!(
        found["message"].as_str().unwrap().contains("UTF-8"),
        "{found}"
    );
    assert_eq!(found["line"], 2);
}

#[test]
fn no_goal_files_exits_2_with_hint() {
    let repo = temp_repo(&[("README.md", "nothing here\n")]);
    let output = okr(repo.path(), &["lint"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("no goal files found"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("okrs/"), "{}", output.stderr);
    let progress = okr(repo.path(), &["progress"]);
    assert_eq!(progress.code, 2);
}

#[test]
fn missing_folder_exits_2() {
    let repo = temp_repo(&[]);
    let output = okr(repo.path(), &["lint", "-C", "does-not-exist"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("folder not found"),
        "{}",
        output.stderr
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn bad_config_is_positioned_failure() {
    let repo = temp_repo(&[
        ("okr.toml", "goals = \"okrs\"\ncheck_in_intervall = 7\n"),
        ("okrs/a.toml", GOOD),
    ]);
    let output = okr(repo.path(), &["lint"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("check_in_intervall"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("did you mean `check_in_interval`"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("okr.toml:2:1"), "{}", output.stderr);
}

#[test]
fn config_errors_mask_control_characters() {
    // The message masks with U+FFFD; the source snippet masks with `?`, one per byte.
    for (config, masked) in [
        (
            "\"x\\u001b]0;pwned\\u0007\" = 1\n",
            "`x\u{fffd}]0;pwned\u{fffd}`",
        ),
        ("goals = [\"x\\u001b[2J\"]\n", "`x\u{fffd}[2J`"),
        (
            "goals = [\"okrs\"]\n# \u{1b}[31m in a comment\n",
            "# ?[31m in a comment",
        ),
    ] {
        let repo = temp_repo(&[("okr.toml", config), ("okrs/a.toml", GOOD)]);
        let output = okr(repo.path(), &["lint"]);
        assert_eq!(output.code, 2, "{config:?}: {}", output.stderr);
        assert!(!output.stderr.contains('\u{1b}'), "{}", output.stderr);
        assert!(!output.stderr.contains('\u{7}'), "{}", output.stderr);
        assert!(output.stderr.contains(masked), "{}", output.stderr);
    }
}

#[test]
fn progress_skips_broken_file_and_exits_2() {
    let repo = temp_repo(&[("okrs/a.toml", "period = [\n"), ("okrs/b.toml", GOOD)]);
    let output = okr(
        repo.path(),
        &["progress", "--as-of", "2026-11-15", "--format", "json"],
    );
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("okrs/a.toml"), "{}", output.stderr);
    let document = output.json();
    assert_eq!(document["objectives"][0]["id"], "fast-checkout");
}

#[test]
fn bad_date_argument_is_usage_error() {
    let repo = temp_repo(&[("okrs/a.toml", GOOD)]);
    let output = okr(repo.path(), &["progress", "--as-of", "2026-13-01"]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("--as-of"), "{}", output.stderr);
}

#[test]
fn goal_folder_outside_repository_is_rejected() {
    let repo = temp_repo(&[
        ("okr.toml", "goals = [\"../elsewhere\"]\n"),
        ("okrs/a.toml", GOOD),
    ]);
    let output = okr(repo.path(), &["lint"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("outside the repository"),
        "{}",
        output.stderr
    );
}
