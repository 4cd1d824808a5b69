//! Hostile and odd input: links out of the repository, special files, control
//! characters, deep and diamond-shaped alignments, paths given to lint.

use super::support::{okr, rules_of, temp_repo};
use std::fmt::Write as _;

const GOAL: &str = r#"period = "2026-Q4"
team = "platform"

[[objective]]
id = "reliable-checkout"
title = "Customers can always pay, even on our busiest day"
owner = "alice"

[[objective.key_result]]
id = "availability"
title = "Raise checkout availability"
start = 99.5
target = 99.95
current = 99.8
unit = "%"
confidence = 0.7
checked = 2026-11-10

[[objective.key_result]]
id = "errors"
title = "Reduce failed payments per week"
start = 100
target = 20
current = 60
unit = "count"
confidence = 0.7
checked = 2026-11-10
"#;

/// Writes one file with `count` objectives, each aligned to the one before it.
fn chain(count: usize) -> String {
    let mut text = String::from("period = \"2026-Q4\"\nteam = \"company\"\n");
    for index in 0..count {
        write!(text, "\n[[objective]]\nid = \"o{index}\"\ntitle = \"Objective number {index} holds\"\nowner = \"ann\"\n").unwrap();
        if index > 0 {
            writeln!(text, "aligns_to = [\"o{}\"]", index - 1).unwrap();
        }
        text.push_str("[[objective.key_result]]\nid = \"k\"\ntitle = \"Reach the milestone\"\nkind = \"milestone\"\ndone = true\n");
    }
    text
}

#[test]
fn linked_goal_folder_is_rejected() {
    let outside = temp_repo(&[("secret.toml", GOAL)]);
    let repo = temp_repo(&[]);
    std::os::unix::fs::symlink(outside.path(), repo.path().join("okrs")).unwrap();
    let output = okr(repo.path(), &["progress", "--as-of", "2026-11-15"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("outside the repository"),
        "{}",
        output.stderr
    );
    assert!(!output.stdout.contains("reliable-checkout"));
}

#[test]
fn linked_config_outside_is_rejected() {
    let outside = temp_repo(&[("secret.txt", "token = \"do-not-print\"\n")]);
    let repo = temp_repo(&[("okrs/a.toml", GOAL)]);
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        repo.path().join("okr.toml"),
    )
    .unwrap();
    let output = okr(repo.path(), &["lint"]);
    assert_eq!(output.code, 2);
    assert!(!output.stderr.contains("do-not-print"), "{}", output.stderr);
}

#[test]
fn special_files_are_skipped() {
    let repo = temp_repo(&[("okrs/a.toml", GOAL)]);
    let fifo = repo.path().join("okrs/pipe.toml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let output = okr(
        repo.path(),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(output.json()["files"], 1);
}

#[test]
fn lint_paths_resolve_against_directory_flag() {
    let repo = temp_repo(&[("okrs/sub/a.toml", "x = \n"), ("okrs/b.toml", GOAL)]);
    let parent = repo.path().parent().unwrap();
    let name = repo.path().file_name().unwrap().to_str().unwrap();
    let output = okr(
        parent,
        &[
            "lint",
            "-C",
            name,
            "--format",
            "json",
            "okrs/sub/../sub/a.toml",
        ],
    );
    assert_eq!(output.code, 1, "{}", output.stderr);
    let document = output.json();
    assert_eq!(document["files"], 1);
    assert_eq!(rules_of(&document), ["invalid-toml"]);
}

#[test]
fn lint_path_outside_repository_exits_2() {
    let repo = temp_repo(&[("okrs/b.toml", GOAL)]);
    let output = okr(repo.path(), &["lint", "/"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("outside the repository"),
        "{}",
        output.stderr
    );
}

#[test]
fn lint_of_config_file_says_not_goal_file() {
    let repo = temp_repo(&[
        ("okr.toml", "goals = [\"okrs\"]\n"),
        ("okrs/b.toml", GOAL),
        ("okrs/README.md", "notes\n"),
    ]);
    for (path, message) in [
        (
            "okr.toml",
            "`okr.toml` is not a goal file: it is not a *.toml file under the goal folders (okrs)",
        ),
        (
            "okrs/README.md",
            "`okrs/README.md` is not a goal file: it is not a *.toml file under the goal folders (okrs)",
        ),
    ] {
        let output = okr(repo.path(), &["lint", path]);
        assert_eq!(output.code, 2, "{path}: {}", output.stderr);
        assert!(output.stderr.contains(message), "{path}: {}", output.stderr);
    }
    let output = okr(&repo.path().join("okrs"), &["lint", "okr.toml"]);
    assert_eq!(output.code, 2);
    assert!(
        output
            .stderr
            .contains("path not found: okr.toml (looked for "),
        "{}",
        output.stderr
    );
}

#[test]
fn lint_path_without_goal_files_exits_2() {
    let repo = temp_repo(&[("okrs/b.toml", GOAL), ("notes/readme.toml", "x = 1\n")]);
    let output = okr(repo.path(), &["lint", "notes"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("no goal files under `notes`"),
        "{}",
        output.stderr
    );
}

#[test]
fn control_characters_never_reach_terminal() {
    let hostile = GOAL
        .replace(
            "Customers can always pay",
            "Customers \u{1b}[2J can \u{7} always pay",
        )
        .replace(
            "owner = \"alice\"",
            "owner = \"al\\u001b]0;pwned\\u0007ice\"",
        )
        .replace("start = 99.5", "start = 99.5\n# \u{1b}[31m");
    let repo = temp_repo(&[("okrs/a.toml", &hostile)]);
    for args in [
        vec!["progress", "--as-of", "2026-11-15"],
        vec!["tree", "--as-of", "2026-11-15"],
        vec!["progress", "--as-of", "2026-11-15", "--format", "markdown"],
        vec!["lint", "--as-of", "2026-11-15"],
    ] {
        let output = okr(repo.path(), &args);
        assert!(
            !output.stdout.contains('\u{1b}'),
            "{args:?} printed an escape:\n{}",
            output.stdout
        );
        assert!(!output.stdout.contains('\u{7}'), "{args:?} printed a bell");
    }
}

#[test]
fn long_values_are_cut_in_messages() {
    let long_title = format!("Raise {}", "word ".repeat(20_000));
    let long_id = "i".repeat(5_000);
    let goal = GOAL
        .replace("Raise checkout availability", &long_title)
        .replace("reliable-checkout", &long_id);
    let repo = temp_repo(&[("okrs/a.toml", &goal)]);

    let output = okr(
        repo.path(),
        &["lint", "--as-of", "2026-11-15", "--format", "json"],
    );
    let document = output.json();
    let diagnostics = document["diagnostics"].as_array().unwrap();

    let title_length = diagnostics
        .iter()
        .find(|diagnostic| diagnostic["rule"] == "title-length")
        .unwrap_or_else(|| panic!("no title-length finding in {document:#}"));
    let message = title_length["message"].as_str().unwrap();
    let cut_id = format!("{}…", "i".repeat(79));
    let cut_title = format!("\"Raise {}wor…\"", "word ".repeat(14));
    assert!(message.contains(&cut_title), "{message}");
    assert!(
        message.contains(&format!("`{cut_id}/availability`")),
        "{message}"
    );
    assert!(
        message.ends_with("has 20001 words, more than 18"),
        "{message}"
    );

    // The item field keeps the whole id: only the message is cut.
    assert_eq!(title_length["item"], format!("{long_id}/availability"));

    for diagnostic in diagnostics {
        let message = diagnostic["message"].as_str().unwrap();
        assert!(message.len() < 400, "{}: {message}", diagnostic["rule"]);
    }
}

#[test]
fn long_alignment_chain_does_not_overflow() {
    let repo = temp_repo(&[("okrs/company.toml", &chain(15_000))]);
    let progress = okr(
        repo.path(),
        &["progress", "--as-of", "2026-11-15", "--format", "json"],
    );
    assert_eq!(progress.code, 0, "{}", progress.stderr);
    let lint = okr(
        repo.path(),
        &["lint", "--as-of", "2026-11-15", "--format", "json"],
    );
    assert!(lint.code < 2, "{}", lint.stderr);
    let small = temp_repo(&[("okrs/company.toml", &chain(300))]);
    let tree = okr(
        small.path(),
        &["tree", "--as-of", "2026-11-15", "--format", "json"],
    );
    assert_eq!(tree.code, 0, "{}", tree.stderr);
}

#[test]
fn cycle_only_objectives_stay_in_tree() {
    let text = "period = \"2026-Q4\"\nteam = \"company\"\n\n[[objective]]\nid = \"a\"\ntitle = \"First of the pair\"\naligns_to = [\"b\"]\n\n[[objective]]\nid = \"b\"\ntitle = \"Second of the pair\"\naligns_to = [\"a\"]\n";
    let repo = temp_repo(&[("okrs/company.toml", text)]);
    let document = okr(
        repo.path(),
        &["tree", "--as-of", "2026-11-15", "--format", "json"],
    )
    .json();
    let roots = document["roots"].as_array().unwrap();
    assert!(!roots.is_empty());
    let text = okr(repo.path(), &["tree", "--as-of", "2026-11-15"]).stdout;
    assert!(text.contains("a — First of the pair"), "{text}");
    assert!(text.contains("b — Second of the pair"), "{text}");
    assert!(text.contains("(alignment cycle)"), "{text}");
}

#[test]
fn diamond_alignments_print_linearly() {
    let mut text = String::from(
        "period = \"2026-Q4\"\nteam = \"company\"\n\n[[objective]]\nid = \"root\"\ntitle = \"The root of the diamond\"\n",
    );
    for layer in 0..20 {
        for side in ["l", "r"] {
            let parents = if layer == 0 {
                "\"root\"".to_owned()
            } else {
                format!("\"l{}\", \"r{}\"", layer - 1, layer - 1)
            };
            write!(text, "\n[[objective]]\nid = \"{side}{layer}\"\ntitle = \"Layer {layer} objective\"\naligns_to = [{parents}]\n").unwrap();
        }
    }
    let repo = temp_repo(&[("okrs/company.toml", &text)]);
    let output = okr(repo.path(), &["tree", "--as-of", "2026-11-15"]);
    assert_eq!(output.code, 0);
    let lines = output.stdout.lines().count();
    assert!(lines < 200, "{lines} lines");
    assert!(output.stdout.contains("(shown above)"));
}

#[test]
fn owner_filter_keeps_team_rollup() {
    let args = [
        "-C",
        "examples/acme",
        "--as-of",
        "2026-11-15",
        "progress",
        "--format",
        "json",
    ];
    let all = okr(&super::support::repo_root(), &args).json();
    let mut filtered_args = args.to_vec();
    filtered_args.extend(["--owner", "bob"]);
    let filtered = okr(&super::support::repo_root(), &filtered_args).json();
    let team = |document: &serde_json::Value| {
        document["teams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["team"] == "platform")
            .unwrap()["score"]
            .clone()
    };
    assert_eq!(team(&all), team(&filtered));
}

#[test]
fn unmatched_filter_gives_note() {
    let repo = temp_repo(&[("okrs/a.toml", GOAL)]);
    let output = okr(
        repo.path(),
        &["progress", "--as-of", "2026-11-15", "--team", "nobody"],
    );
    assert_eq!(output.code, 0);
    assert!(
        output.stderr.contains("no objectives of team `nobody`"),
        "{}",
        output.stderr
    );
}

#[test]
fn broken_file_without_the_id_keeps_unknown_alignment() {
    let aligned = GOAL.replace(
        "owner = \"alice\"",
        "owner = \"alice\"\naligns_to = [\"customer-trust\"]",
    );
    // The broken file never mentions `customer-trust`, so it cannot define it.
    let repo = temp_repo(&[
        ("okrs/company.toml", "period = \"2026-Q4\"\noops = \n"),
        ("okrs/a.toml", &aligned),
    ]);
    let document = okr(
        repo.path(),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    )
    .json();
    let rules = rules_of(&document);
    assert!(rules.contains(&"invalid-toml".to_owned()), "{rules:?}");
    assert!(rules.contains(&"unknown-alignment".to_owned()), "{rules:?}");
    let notes = document["notes"].to_string();
    assert!(!notes.contains("`aligns_to` entry"), "{notes}");
}

#[test]
fn empty_and_period_named_ids_are_invalid() {
    let config = "[periods.launch]\nstart = 2026-10-01\nend = 2026-10-31\n";
    let text = GOAL
        .replace("id = \"reliable-checkout\"", "id = \"launch\"")
        .replace("id = \"errors\"", "id = \"\"");
    let repo = temp_repo(&[("okr.toml", config), ("okrs/a.toml", &text)]);
    let document = okr(
        repo.path(),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    )
    .json();
    let invalid = rules_of(&document)
        .iter()
        .filter(|rule| *rule == "invalid-id")
        .count();
    assert_eq!(invalid, 2, "{document:#}");
}

#[test]
fn runs_from_subfolder_without_config() {
    let repo = temp_repo(&[("okrs/a.toml", GOAL), ("okrs/sub/.keep", "")]);
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    let output = okr(
        &repo.path().join("okrs/sub"),
        &["lint", "--format", "json", "--as-of", "2026-11-15"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(output.json()["files"], 1);
}

#[test]
fn human_columns_count_characters() {
    let text = "period = \"2026-Q4\"\n[[objective]]\nid = \"a\"\ntitle = \"数据平台的每日报表\"\nowner = \"x\"\nallow = [\"数据\", 3]\n";
    let repo = temp_repo(&[("okrs/a.toml", text)]);
    let human = okr(repo.path(), &["lint"]);
    assert!(
        human.stdout.contains("okrs/a.toml:6:16]"),
        "{}",
        human.stdout
    );
    let document = okr(repo.path(), &["lint", "--format", "json"]).json();
    let wrong = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "wrong-type")
        .unwrap();
    assert_eq!(wrong["column"], 16);
}

#[test]
fn closed_pipe_keeps_lint_exit_code() {
    // Enough findings to fill the pipe, so that lint's writes fail whatever the timing.
    let missing_unit = GOAL.replace("unit = \"%\"\n", "");
    let files: Vec<(String, String)> = (0..300)
        .map(|index| {
            let text = missing_unit.replace("platform", &format!("team-{index}"));
            (format!("okrs/team-{index}.toml"), text)
        })
        .chain([("okrs/broken.toml".to_owned(), "period = [\n".to_owned())])
        .collect();
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let repo = temp_repo(&borrowed);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_okr"))
        .args(["lint", "--as-of", "2026-11-15"])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Close the reading end at once, as `okr lint | head -c 0` would.
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn closed_stderr_keeps_exit_code() {
    let repo = temp_repo(&[("okrs/a.toml", GOAL), ("okrs/broken.toml", "period = [\n")]);
    for command in [
        &["progress", "--as-of", "2026-11-15"][..],
        &["lint"],
        &["tree"],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_okr"))
            .args(command)
            .current_dir(repo.path())
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end at once, so every note and error report fails to print.
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        let expected = if command[0] == "lint" { 1 } else { 2 };
        assert_eq!(status.code(), Some(expected), "{command:?}");
    }
}
