//! Repositories that history must handle or reject with a clear message. They cover
//! no git, no commits, a shallow clone, a detached HEAD and merges. They also cover
//! files removed and added back or renamed and edited at once, invalid TOML in the
//! past, non-UTF-8 paths, odd time zones and bad revision names.

use super::repo::{Repo, goal_file};

fn weekly(current: u32) -> String {
    goal_file(&format!("start = 40\ntarget = 90\ncurrent = {current}\n"))
}

fn subjects(document: &serde_json::Value, item: &str) -> Vec<String> {
    document["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["item"] == item)
        .flat_map(|entry| entry["events"].as_array().unwrap())
        .map(|event| event["subject"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn outside_git_history_fails_lint_works() {
    let repo = Repo::new();
    let plain = repo.sibling("plain");
    std::fs::create_dir_all(plain.join("okrs")).unwrap();
    std::fs::write(plain.join("okrs/growth.toml"), weekly(50)).unwrap();
    for command in [
        &["history"][..],
        &["blame", "signups"],
        &["diff"],
        &["progress", "--rev", "HEAD"],
    ] {
        let output = repo.okr_in(&plain, command);
        assert_eq!(output.code, 2, "{command:?}: {}", output.stdout);
        assert!(
            output.stderr.contains("is not inside a git repository"),
            "{command:?}: {}",
            output.stderr
        );
    }
    let lint = repo.okr_in(
        &plain,
        &["lint", "--as-of", "2026-11-15", "--format", "json"],
    );
    assert!(lint.code == 0 || lint.code == 1, "{}", lint.stderr);
    let notes = lint.json()["notes"].to_string();
    assert!(notes.contains("not in a git repository"), "{notes}");
    let progress = repo.okr_in(&plain, &["progress", "--as-of", "2026-11-15"]);
    assert_eq!(progress.code, 0, "{}", progress.stderr);
}

#[test]
fn empty_repository_is_explained() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(50));
    let output = repo.okr(&["history"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("has no commits yet"),
        "{}",
        output.stderr
    );
    let output = repo.okr(&["diff"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("has no commits yet"),
        "{}",
        output.stderr
    );
    let lint = repo.okr(&["lint", "--as-of", "2026-11-15", "--format", "json"]);
    assert!(
        lint.json()["notes"].to_string().contains("no commits yet"),
        "{}",
        lint.stdout
    );
}

#[test]
fn shallow_clone_stops_at_boundary() {
    let repo = Repo::new();
    for (week, current) in [(1, 40), (2, 45), (3, 50), (4, 55)] {
        repo.write("okrs/growth.toml", &weekly(current));
        repo.commit(
            &format!("2026-10-0{week}T09:00:00+00:00"),
            &format!("Week {week}"),
        );
    }
    let clone = repo.sibling("clone");
    let source = format!("file://{}", repo.path.display());
    repo.git_in(
        &repo.sibling(""),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &source,
            clone.to_str().unwrap(),
        ],
        "2026-10-05T00:00:00+00:00",
    );
    let output = repo.okr_in(&clone, &["history", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(subjects(&output.json(), "signups/weekly"), ["Week 4"]);
    assert!(output.stderr.contains("shallow clone"), "{}", output.stderr);
    assert!(output.stderr.contains("unshallow"), "{}", output.stderr);
    // Both sides of a diff read history; the boundary is noted once all the same.
    let diff = repo.okr_in(&clone, &["diff", "HEAD~1", "HEAD", "--as-of", "2026-10-05"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(
        diff.stderr.matches("unshallow").count() == 1,
        "{}",
        diff.stderr
    );
}

#[test]
fn detached_head_walks_from_head() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write("okrs/growth.toml", &weekly(50));
    repo.commit("2026-10-08T09:00:00+00:00", "Check in");
    repo.git(
        &["checkout", "-q", "--detach", "HEAD~1"],
        "2026-10-09T00:00:00+00:00",
    );
    let document = repo.okr_ok(&["history", "--format", "json"]).json();
    assert_eq!(subjects(&document, "signups/weekly"), ["Plan"]);
}

#[test]
fn merge_changes_belong_to_merge_commit() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.git(
        &["checkout", "-q", "-b", "check-in"],
        "2026-10-02T00:00:00+00:00",
    );
    repo.write("okrs/growth.toml", &weekly(45));
    repo.commit("2026-10-02T09:00:00+00:00", "Feature step one");
    repo.write("okrs/growth.toml", &weekly(50));
    repo.commit("2026-10-03T09:00:00+00:00", "Feature step two");
    repo.git(&["checkout", "-q", "main"], "2026-10-04T00:00:00+00:00");
    repo.write("README.md", "goals\n");
    repo.commit("2026-10-04T09:00:00+00:00", "Add a readme");
    repo.git(
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge the check-in",
            "check-in",
        ],
        "2026-10-05T09:00:00+00:00",
    );
    let document = repo.okr_ok(&["history", "--format", "json"]).json();
    assert_eq!(
        subjects(&document, "signups/weekly"),
        ["Plan", "Merge the check-in"]
    );
    let event = &document["items"][1]["events"][1];
    assert_eq!(
        event["changes"][0],
        serde_json::json!({"field": "current", "from": 40, "to": 50})
    );
    assert_eq!(event["date"], "2026-10-05T09:00:00+00:00");
}

#[test]
fn removed_file_added_back_keeps_history() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.remove("okrs/growth.toml");
    repo.commit("2026-10-02T09:00:00+00:00", "Remove by mistake");
    repo.write("okrs/growth.toml", &weekly(45));
    repo.commit("2026-10-03T09:00:00+00:00", "Restore");
    let document = repo
        .okr_ok(&["history", "signups/weekly", "--format", "json"])
        .json();
    let kinds: Vec<&str> = document["items"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["added", "removed", "added"]);
}

#[test]
fn rename_with_edit_is_one_change() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    std::fs::create_dir_all(repo.path.join("okrs/q4")).unwrap();
    repo.git(
        &["mv", "okrs/growth.toml", "okrs/q4/trials.toml"],
        "2026-10-02T00:00:00+00:00",
    );
    repo.write("okrs/q4/trials.toml", &weekly(45));
    repo.commit("2026-10-02T09:00:00+00:00", "Move and check in");
    let document = repo.okr_ok(&["history", "--format", "json"]).json();
    assert_eq!(
        subjects(&document, "signups/weekly"),
        ["Plan", "Move and check in"]
    );
    assert_eq!(
        subjects(&document, "signups"),
        ["Plan"],
        "the file's team field did not change"
    );
    let event = &document["items"][1]["events"][1];
    assert_eq!(event["kind"], "changed");
    assert_eq!(event["changes"].as_array().unwrap().len(), 1);
}

#[test]
fn invalid_past_version_is_skipped_with_note() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        "period = \"2026-Q4\"\n[[objective]\nid = \n",
    );
    let broken = repo.commit("2026-10-02T09:00:00+00:00", "Break the file");
    repo.write("okrs/growth.toml", &weekly(50));
    repo.commit("2026-10-03T09:00:00+00:00", "Fix the file");
    let output = repo.okr_ok(&["history", "--format", "json"]);
    assert!(output.stderr.contains(&broken[..7]), "{}", output.stderr);
    assert!(
        output.stderr.contains("that version was skipped"),
        "{}",
        output.stderr
    );
    let document = output.json();
    assert_eq!(
        subjects(&document, "signups/weekly"),
        ["Plan", "Fix the file"]
    );
    let fixed = &document["items"][1]["events"][1]["changes"];
    assert_eq!(
        fixed[0],
        serde_json::json!({"field": "current", "from": 40, "to": 50})
    );
}

#[test]
fn non_utf8_path_outside_goals_is_ignored() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(repo.path.join(name), "menu\n").unwrap();
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    std::fs::write(repo.path.join(name), "new menu\n").unwrap();
    repo.write("okrs/growth.toml", &weekly(45));
    repo.commit("2026-10-02T09:00:00+00:00", "Check in");
    let document = repo.okr_ok(&["history", "--format", "json"]).json();
    assert_eq!(subjects(&document, "signups/weekly"), ["Plan", "Check in"]);
}

#[test]
fn odd_time_zones_keep_their_offsets() {
    let repo = Repo::new();
    let dates = [
        "2026-10-01T23:30:00+05:45",
        "2026-10-02T00:15:00-09:30",
        "2026-10-03T23:59:59+14:00",
        "2026-10-04T00:00:01-12:00",
    ];
    for (step, date) in dates.iter().enumerate() {
        repo.write(
            "okrs/growth.toml",
            &weekly(40 + u32::try_from(step).unwrap()),
        );
        repo.commit(date, &format!("Step {step}"));
    }
    let document = repo
        .okr_ok(&["history", "signups/weekly", "--format", "json"])
        .json();
    let shown: Vec<&str> = document["items"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["date"].as_str().unwrap())
        .collect();
    assert_eq!(shown, dates);
    let table = repo.okr_ok(&["history", "signups/weekly"]).stdout;
    for day in ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"] {
        assert!(table.contains(day), "local commit days are shown: {table}");
    }
}

/// Writes a commit object as given, as a tool other than git may have, and moves
/// `main` to it.
fn write_raw_commit(repo: &Repo, headers: &str, message: &str) {
    let date = "2026-10-09T00:00:00+00:00";
    repo.git(&["add", "-A"], date);
    let tree = repo.git(&["write-tree"], date);
    let parent = repo.git(&["rev-parse", "HEAD"], date);
    let object = format!(
        "tree {}\nparent {}\n{headers}\n{message}",
        tree.trim(),
        parent.trim()
    );
    let file = repo.sibling("commit-object");
    std::fs::write(&file, object).unwrap();
    let file = file.to_str().unwrap();
    let id = repo.git(
        &["hash-object", "-t", "commit", "--literally", "-w", file],
        date,
    );
    repo.git(&["update-ref", "refs/heads/main", id.trim()], date);
}

#[test]
fn unusual_git_commits_are_read() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    // A comment after the time zone, which git ignores.
    let signature = "Ana <ana@example.com> 1791500000 -0700 (PDT)";
    repo.write("okrs/growth.toml", &weekly(50));
    write_raw_commit(
        &repo,
        &format!("author {signature}\ncommitter {signature}\n"),
        "Check in\n",
    );
    let document = repo.okr_ok(&["history", "--format", "json"]).json();
    assert_eq!(subjects(&document, "signups/weekly"), ["Plan", "Check in"]);
    let lint = repo.okr(&["lint", "--as-of", "2026-10-10"]);
    assert_ne!(lint.code, 2, "{}", lint.stderr);
}

#[test]
fn unreadable_commit_leaves_lint_and_progress_working() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    // An author line without an e-mail, which `git log` shows and neither library reads.
    let signature = "Ana 1791500000 +0000";
    repo.write("okrs/growth.toml", &weekly(50));
    write_raw_commit(
        &repo,
        &format!("author {signature}\ncommitter {signature}\n"),
        "Check in\n",
    );

    let lint = repo.okr(&["lint", "--as-of", "2026-10-10", "--format", "json"]);
    assert_ne!(lint.code, 2, "{}", lint.stderr);
    let notes = lint.json()["notes"].to_string();
    assert!(
        notes.contains("the git history could not be read"),
        "{notes}"
    );
    let progress = repo.okr(&["progress", "--as-of", "2026-10-10"]);
    assert_eq!(progress.code, 0, "{}", progress.stderr);
    assert!(
        progress
            .stderr
            .contains("the git history could not be read"),
        "{}",
        progress.stderr
    );

    // History itself cannot be read, so history exits 2 with a message.
    let history = repo.okr(&["history"]);
    assert_eq!(history.code, 2, "{}", history.stdout);
    assert!(
        history.stderr.contains("failed to read the git repository"),
        "{}",
        history.stderr
    );
    assert!(
        history.stderr.contains("cannot be read"),
        "{}",
        history.stderr
    );
    let diff = repo.okr(&["diff"]);
    assert_eq!(diff.code, 2, "{}", diff.stdout);
    assert!(diff.stderr.contains("cannot be read"), "{}", diff.stderr);
}

#[test]
fn tables_mask_control_characters() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    let signature = "Eve\u{1b}]0;title\u{7} <eve@example.com> 1791500000 +0000";
    repo.write(
        "okrs/growth.toml",
        &weekly(50).replace("Raise weekly", "Raise \\u001b[41mweekly"),
    );
    write_raw_commit(
        &repo,
        &format!("author {signature}\ncommitter {signature}\n"),
        "Check in\n",
    );
    let table = repo.okr_ok(&["history"]).stdout;
    let diff = repo.okr_ok(&["diff", "HEAD~1", "HEAD"]).stdout;
    for output in [&table, &diff] {
        assert!(!output.contains('\u{1b}'), "{output}");
        assert!(!output.contains('\u{7}'), "{output}");
    }
    assert!(table.contains("Eve\u{fffd}]0;title"), "{table}");
}

#[test]
fn notes_and_headers_mask_control_characters() {
    let repo = Repo::new();
    let hostile = weekly(50)
        .replace("id = \"signups\"", "id = \"up\\u001b]0;pwned\\u0007\"")
        .replace("team = \"growth\"", "team = \"gr\\u001b[31mowth\"");
    repo.write("okrs/growth.toml", &hostile);
    repo.write("okrs/f\u{1b}[2J.toml", "period = \"2026-Q4\n");
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    let item = "up\u{1b}]0;pwned\u{7}/weekly";

    for args in [
        vec!["blame", item],
        vec!["history"],
        vec!["progress", "--as-of", "2026-10-10"],
        vec!["tree", "--as-of", "2026-10-10"],
        vec!["diff"],
        vec!["lint", "--as-of", "2026-10-10"],
        vec!["lint", "--as-of", "2026-10-10", "--format", "github"],
    ] {
        let output = repo.okr(&args);
        for (stream, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(!text.contains('\u{1b}'), "{args:?} {stream}:\n{text}");
            assert!(!text.contains('\u{7}'), "{args:?} {stream}:\n{text}");
        }
    }

    let blame = repo.okr_ok(&["blame", item]).stdout;
    assert!(
        blame.starts_with("2026-Q4 up\u{fffd}]0;pwned\u{fffd}/weekly (team gr\u{fffd}[31mowth)"),
        "{blame}"
    );
    let history = repo.okr(&["history"]).stderr;
    assert!(history.contains("okrs/f\u{fffd}[2J.toml"), "{history}");
    let github = repo
        .okr(&["lint", "--as-of", "2026-10-10", "--format", "github"])
        .stdout;
    assert!(
        github.contains("file=okrs/f\u{fffd}[2J.toml,line=1"),
        "{github}"
    );
}

#[test]
fn json_keeps_control_characters() {
    let repo = Repo::new();
    let hostile = weekly(50).replace("id = \"signups\"", "id = \"up\\u001b]0;pwned\\u0007\"");
    repo.write("okrs/growth.toml", &hostile);
    repo.write("okrs/f\u{1b}[2J.toml", "period = \"2026-Q4\n");
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    let item = "up\u{1b}]0;pwned\u{7}/weekly";
    let blame = repo.okr_ok(&["blame", item, "--format", "json"]).json();
    assert_eq!(blame["item"], item, "{blame}");
    let lint = repo
        .okr(&["lint", "--as-of", "2026-10-10", "--format", "json"])
        .json();
    let files: Vec<&str> = lint["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|diagnostic| diagnostic["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"okrs/f\u{1b}[2J.toml"), "{files:?}");
}

#[test]
fn replace_refs_are_ignored() {
    let repo = Repo::new();
    for (step, day) in ["01", "02", "03", "04", "05"].iter().enumerate() {
        repo.write(
            "okrs/growth.toml",
            &weekly(40 + u32::try_from(step).unwrap()),
        );
        repo.commit(
            &format!("2026-10-{day}T09:00:00+00:00"),
            &format!("Step {step}"),
        );
    }
    repo.git(
        &["replace", "--graft", "HEAD~1", "HEAD~4"],
        "2026-10-06T09:00:00+00:00",
    );
    let document = repo
        .okr_ok(&["history", "--rev", "HEAD~2..HEAD", "--format", "json"])
        .json();
    assert_eq!(subjects(&document, "signups/weekly"), ["Step 3", "Step 4"]);
}

#[test]
fn bad_revision_exits_2() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    for command in [
        &["history", "--rev", "no-such-branch"][..],
        &["history", "--rev", "no-such-branch..HEAD"],
        &["progress", "--rev", "no-such-branch"],
        &["lint", "--rev", "no-such-branch"],
        &["tree", "--rev", "no-such-branch"],
        &["diff", "no-such-branch"],
        &["diff", "HEAD", "no-such-branch"],
    ] {
        let output = repo.okr(command);
        assert_eq!(output.code, 2, "{command:?}: {}", output.stdout);
        assert!(
            output.stderr.contains("invalid revision `no-such-branch"),
            "{command:?}: {}",
            output.stderr
        );
    }
    let output = repo.okr(&["history", "--rev", "-x"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
}

#[test]
fn goal_folder_outside_repository_stops_history_commands() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write("okr.toml", "goals = [\"../elsewhere\"]\n");
    for command in [
        &["history"][..],
        &["blame", "signups/weekly"],
        &["diff", "HEAD"],
        &["lint"],
    ] {
        let output = repo.okr(command);
        assert_eq!(output.code, 2, "{command:?}: {}", output.stdout);
        assert!(
            output.stderr.contains("points outside the repository"),
            "{command:?}: {}",
            output.stderr
        );
    }
}

#[test]
fn bad_revision_messages_quote_whole_revision() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write("okrs/growth.toml", &weekly(50));
    repo.commit("2026-10-08T09:00:00+00:00", "Check in");
    for (command, message) in [
        (
            &["progress", "--rev", "HEAD~1000"][..],
            "invalid revision `HEAD~1000`: the history has only 1 commit before HEAD, \
             following first parents",
        ),
        (
            &["progress", "--rev", "HEAD^2"],
            "invalid revision `HEAD^2`: `^2` names parent 2 of HEAD, but HEAD has 1 parent",
        ),
        (
            &["progress", "--rev", "HEAD~^"],
            "invalid revision `HEAD~^`: `^` names parent 1 of HEAD~, but HEAD~ has no parents",
        ),
        (
            &["progress", "--rev", "no-such-branch"],
            "invalid revision `no-such-branch`: no branch, tag or commit matches it",
        ),
        (
            &["lint", "--rev", "HEAD~1..HEAD"],
            "invalid revision `HEAD~1..HEAD`: this command takes one revision, not a range",
        ),
        (
            &["history", "--rev", "HEAD~1..HEAD..HEAD"],
            "invalid revision `HEAD~1..HEAD..HEAD`: a range has one `..` between two \
             revisions, but this one has more",
        ),
        (
            &["history", "--rev", "HEAD~5..HEAD"],
            "invalid revision `HEAD~5..HEAD`: in `HEAD~5`, the history has only 1 commit \
             before HEAD, following first parents",
        ),
    ] {
        let output = repo.okr(command);
        assert_eq!(output.code, 2, "{command:?}: {}", output.stdout);
        // miette wraps long lines; the message is compared with its words joined again.
        let words: Vec<&str> = output
            .stderr
            .split_whitespace()
            .filter(|word| *word != "|")
            .collect();
        let expected: Vec<&str> = message.split_whitespace().collect();
        assert!(
            words
                .windows(expected.len())
                .any(|window| window == expected),
            "{command:?}: {}",
            output.stderr
        );
    }
}

#[test]
fn invalid_config_at_revision_names_it() {
    let repo = Repo::new();
    repo.write("okrs/growth.toml", &weekly(40));
    repo.write("okr.toml", "gaols = 1\n");
    repo.commit("2026-10-01T09:00:00+00:00", "Plan with a typo");
    repo.write("okr.toml", "check_in_interval = 7\n");
    repo.commit("2026-10-02T09:00:00+00:00", "Fix the typo");
    let output = repo.okr(&["lint", "--rev", "HEAD~1"]);
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert!(
        output.stderr.contains("as of revision `HEAD~1`"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("HEAD~1:okr.toml:1:1"),
        "{}",
        output.stderr
    );
    // The working tree's okr.toml is valid, and lint of it works.
    assert_eq!(repo.okr(&["lint"]).code, 0);

    repo.write("okr.toml", "goals = [\"../elsewhere\"]\n");
    repo.commit("2026-10-03T09:00:00+00:00", "Point outside");
    repo.write("okr.toml", "check_in_interval = 7\n");
    let output = repo.okr(&["lint", "--rev", "HEAD"]);
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert!(
        output.stderr.contains("as of revision `HEAD`"),
        "{}",
        output.stderr
    );
}
