//! Integration tests: each runs the built `okr` binary on fixture folders or on git
//! repositories made in temporary folders.

mod bad_input;
mod completions;
mod examples;
mod hardening;
mod lint_output;
mod progress_output;
mod readme;
mod rule_fixtures;
mod schema;
mod support;
mod toml_suite;

#[test]
fn every_test_file_is_a_module() {
    let main = include_str!("main.rs");
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli");
    for entry in std::fs::read_dir(folder).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(module) = name.strip_suffix(".rs") else {
            continue;
        };
        if module == "main" {
            continue;
        }
        assert!(
            main.contains(&format!("mod {module};")),
            "tests/cli/{name} is not a module of main.rs"
        );
    }
}

#[test]
fn sources_have_no_bare_todo_markers() {
    fn visit(folder: &std::path::Path, offenders: &mut Vec<String>) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, offenders);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (number, line) in text.lines().enumerate() {
                let comment = line.split_once("//").map_or("", |(_, comment)| comment);
                let marked = ["TODO", "FIXME", "XXX"]
                    .iter()
                    .any(|mark| comment.trim_start().starts_with(mark));
                if marked || line.contains(concat!("dbg", "!(")) {
                    offenders.push(format!("{}:{}: {line}", path.display(), number + 1));
                }
            }
        }
    }
    let mut offenders = Vec::new();
    visit(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut offenders,
    );
    assert!(
        offenders.is_empty(),
        "known gaps belong in README's Limitations:\n{}",
        offenders.join("\n")
    );
}
