//! The walk's cost guarantees: each distinct blob parsed once, a second run served
//! from the cache in the git folder, and a damaged or unwritable cache ignored.

use super::events::quarter;
use super::repo::{Repo, goal_file};

/// Returns the counters `--verbose` prints: (commits walked, from the cache, blobs parsed).
fn counters(stderr: &str) -> (usize, usize, usize) {
    let line = stderr
        .lines()
        .find(|line| line.contains("walked"))
        .unwrap_or_else(|| panic!("no walk line in:\n{stderr}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap())
        .collect();
    // walked W commits (C from the cache), read T trees and B blobs, parsed P blobs
    (numbers[0], numbers[1], numbers[4])
}

#[test]
fn each_distinct_blob_is_parsed_once() {
    let repo = Repo::new();
    let versions = [40, 45, 40, 45, 50, 40];
    for (week, current) in versions.iter().enumerate() {
        repo.write(
            "okrs/growth.toml",
            &goal_file(&format!("start = 40\ntarget = 90\ncurrent = {current}\n")),
        );
        repo.write(
            "okrs/platform.toml",
            &goal_file("start = 1\ntarget = 9\n").replace("growth", "platform"),
        );
        repo.commit(
            &format!("2026-10-0{}T09:00:00+00:00", week + 1),
            &format!("Week {week}"),
        );
    }
    let output = repo.okr_ok(&["history", "--no-cache", "--verbose"]);
    let (walked, cached, parsed) = counters(&output.stderr);
    assert_eq!(walked, 6);
    assert_eq!(cached, 0);
    assert_eq!(
        parsed, 4,
        "three versions of growth.toml and one of platform.toml:\n{}",
        output.stderr
    );
}

#[test]
fn second_run_uses_the_cache() {
    let repo = quarter();
    let first = repo.okr_ok(&["history", "--format", "json", "--verbose"]);
    assert_eq!(
        counters(&first.stderr),
        (6, 0, 6),
        "six versions of one file"
    );
    assert!(repo.path.join(".git/okr/history-cache.bin").is_file());
    let second = repo.okr_ok(&["history", "--format", "json", "--verbose"]);
    assert_eq!(counters(&second.stderr), (6, 6, 0));
    assert_eq!(first.stdout, second.stdout);

    repo.write("README.md", "new\n");
    repo.commit("2026-11-21T09:00:00+00:00", "Unrelated");
    let third = repo.okr_ok(&["history", "--format", "json", "--verbose"]);
    assert_eq!(
        counters(&third.stderr),
        (7, 6, 0),
        "only the new commit is walked"
    );
    assert_eq!(first.stdout, third.stdout);
}

#[test]
fn no_cache_leaves_no_file() {
    let repo = quarter();
    let output = repo.okr_ok(&["history", "--no-cache", "--verbose"]);
    assert_eq!(counters(&output.stderr).1, 0);
    assert!(!repo.path.join(".git/okr").exists());
}

#[test]
fn damaged_cache_is_ignored() {
    let repo = quarter();
    let expected = repo.okr_ok(&["history", "--format", "json"]).stdout;
    let cache = repo.path.join(".git/okr/history-cache.bin");
    let other_version = [&b"okr-history-cache\n"[..], &99_u32.to_le_bytes()].concat();
    for damage in [&b"not a cache"[..], &other_version, b""] {
        std::fs::write(&cache, damage).unwrap();
        let output = repo.okr_ok(&["history", "--format", "json", "--verbose"]);
        assert_eq!(output.stdout, expected);
        assert_eq!(counters(&output.stderr).1, 0, "{damage:?} was not read");
    }
    let bytes = std::fs::read(&cache).unwrap();
    assert!(
        bytes.starts_with(b"okr-history-cache\n\x05\0\0\0"),
        "rewritten"
    );
}

#[test]
fn non_file_cache_is_ignored() {
    let repo = quarter();
    let expected = repo.okr_ok(&["history", "--format", "json"]).stdout;
    let cache = repo.path.join(".git/okr/history-cache.bin");
    std::fs::remove_file(&cache).unwrap();
    // A FIFO would block a read until something writes to it.
    let created = std::process::Command::new("mkfifo")
        .arg(&cache)
        .status()
        .unwrap();
    assert!(created.success());
    let output = repo.okr_ok(&["history", "--format", "json", "--verbose"]);
    assert_eq!(output.stdout, expected);
    assert_eq!(counters(&output.stderr).1, 0);
}

#[test]
fn other_goal_folders_ignore_the_cache() {
    let repo = quarter();
    repo.okr_ok(&["history"]);
    repo.write("okr.toml", "goals = [\"okrs\", \"more\"]\n");
    let output = repo.okr_ok(&["history", "--verbose"]);
    assert_eq!(counters(&output.stderr).1, 0);
}

#[test]
fn unwritable_cache_is_skipped() {
    let repo = quarter();
    std::fs::write(
        repo.path.join(".git/okr"),
        "a file where the cache folder goes",
    )
    .unwrap();
    let expected = repo
        .okr_ok(&["history", "--format", "json", "--no-cache"])
        .stdout;
    let output = repo.okr_ok(&["history", "--format", "json"]);
    assert_eq!(output.stdout, expected);
    assert!(output.stderr.is_empty(), "{}", output.stderr);
}

#[test]
fn lint_walk_stops_at_the_period_start() {
    let repo = Repo::new();
    for week in 1..=8 {
        let text = goal_file(&format!(
            "start = 40\ntarget = 90\ncurrent = {}\n",
            40 + week
        ))
        .replace("2026-Q4", "2026-Q3");
        repo.write("okrs/old.toml", &text);
        repo.commit(
            &format!("2026-08-{:02}T09:00:00+00:00", week * 3),
            &format!("Q3 week {week}"),
        );
    }
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan Q4");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 50\n"),
    );
    repo.commit("2026-10-08T09:00:00+00:00", "Check in");
    let output = repo.okr(&["lint", "--as-of", "2026-10-10", "--no-cache", "--verbose"]);
    let (walked, _, _) = counters(&output.stderr);
    // The 2 commits since 2026-Q4 began, then older ones until 5 in a row are older:
    // the fifth ends the walk without being walked.
    assert_eq!(
        walked, 6,
        "only the commits since 2026-Q4 began and 4 older ones:\n{}",
        output.stderr
    );
}

#[test]
fn cache_ending_at_broken_file() {
    let repo = Repo::new();
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 40\n"),
    );
    repo.commit("2026-10-01T09:00:00+00:00", "Plan");
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = \n"),
    );
    repo.commit("2026-10-02T09:00:00+00:00", "Break the file");
    // This run writes a cache that ends at the broken version.
    repo.okr_ok(&["history", "--format", "json"]);
    repo.write(
        "okrs/growth.toml",
        &goal_file("start = 40\ntarget = 90\ncurrent = 55\n"),
    );
    repo.commit("2026-10-08T09:00:00+00:00", "Fix and check in");
    let expected = repo
        .okr_ok(&["history", "--format", "json", "--no-cache"])
        .stdout;
    let warm = repo.okr_ok(&["history", "--format", "json"]).stdout;
    assert_eq!(warm, expected);
    assert!(expected.contains("Fix and check in"), "{expected}");
    let again = repo.okr_ok(&["history", "--format", "json"]).stdout;
    assert_eq!(again, expected, "the rewritten cache gives the same events");
}
