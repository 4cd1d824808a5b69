//! Integration tests of the git history features. Each test builds a small real
//! repository with the `git` command in a temporary folder (fixed dates, no user
//! config) and runs the built `okr` binary on it.

mod cache;
mod commands;
mod edge_cases;
mod events;
mod repo;
mod rules;

#[test]
fn every_test_file_is_a_module() {
    let main = include_str!("main.rs");
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/history");
    for entry in std::fs::read_dir(folder).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(module) = name.strip_suffix(".rs") else {
            continue;
        };
        assert!(
            module == "main" || main.contains(&format!("mod {module};")),
            "tests/history/{name} is not a module of main.rs"
        );
    }
}
