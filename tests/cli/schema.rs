//! The JSON Schema: `okr schema` prints the committed file, and every example goal
//! file validates against it.

use super::support::{okr, repo_root};
use std::path::Path;

fn schema_file() -> String {
    std::fs::read_to_string(repo_root().join("schema/okr.schema.json")).unwrap()
}

#[test]
fn schema_command_prints_committed_file() {
    let output = okr(&repo_root(), &["schema"]);
    assert_eq!(output.code, 0);
    assert_eq!(output.stdout, schema_file());
}

/// TOML to JSON as editors' schema validators see it: dates become strings.
fn to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(text) => text.into(),
        toml::Value::Integer(number) => number.into(),
        toml::Value::Float(number) => number.into(),
        toml::Value::Boolean(flag) => flag.into(),
        toml::Value::Datetime(datetime) => datetime.to_string().into(),
        toml::Value::Array(items) => items.into_iter().map(to_json).collect(),
        toml::Value::Table(table) => table
            .into_iter()
            .map(|(key, value)| (key, to_json(value)))
            .collect(),
    }
}

fn goal_files(folder: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            goal_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "toml") && !path.ends_with("okr.toml") {
            found.push(path);
        }
    }
}

#[test]
fn example_files_validate_against_schema() {
    let schema: serde_json::Value = serde_json::from_str(&schema_file()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let mut files = Vec::new();
    goal_files(&repo_root().join("examples"), &mut files);
    assert!(
        files.len() >= 10,
        "expected the example goal files, found {}",
        files.len()
    );
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let value: toml::Value = toml::from_str(&text).unwrap();
        let instance = to_json(value);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} does not validate: {errors:#?}",
            path.display()
        );
    }
}

#[test]
fn schema_rejects_unknown_field() {
    let schema: serde_json::Value = serde_json::from_str(&schema_file()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let instance = serde_json::json!({"period": "2026-Q4", "objective": [{"id": "a", "title": "t", "tittle": "x"}]});
    assert!(!validator.is_valid(&instance));
}

#[test]
fn example_files_reference_the_schema() {
    let mut files = Vec::new();
    goal_files(&repo_root().join("examples"), &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let reference = first
            .strip_prefix("#:schema ")
            .unwrap_or_else(|| panic!("{} has no #:schema line", path.display()));
        let target = path.parent().unwrap().join(reference);
        assert!(
            target.exists(),
            "{}: {reference} does not exist",
            path.display()
        );
    }
}
