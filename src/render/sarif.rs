//! Lint findings for code-scanning services (SARIF 2.1.0) and for reviewdog (its
//! diagnostic format, rdjson). Both are JSON documents built with serde_json, so every
//! user string is escaped by the serializer.

use super::findings::Report;
use crate::diagnostic::{Finding, Severity};
use crate::rules::{Level, REGISTRY};
use crate::source::SourceFile;
use serde_json::{Value, json};
use std::io::{self, Write};

/// Writes one SARIF run: every registered rule in the tool's rule list, and one result
/// per finding. Columns count Unicode scalar values (`columnKind`), as in okr's other
/// outputs.
pub(crate) fn write_sarif(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = REGISTRY
        .iter()
        .map(|rule| {
            json!({
                "id": rule.name,
                "shortDescription": { "text": rule.summary },
                "help": { "text": format!("okr explain {}", rule.name) },
                "defaultConfiguration": { "level": sarif_level_of_rule(rule.default_level) },
                "properties": { "tags": [rule.group.as_str()] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| sarif_result(finding, &report.sources[finding.file]))
        .collect();
    let notifications: Vec<Value> = report
        .notes
        .iter()
        .map(|note| json!({ "level": "note", "message": { "text": note } }))
        .collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "okr",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "SRCROOT": { "description": { "text": "the repository root" } } },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn sarif_level_of_rule(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Off => "none",
    }
}

fn sarif_result(finding: &Finding, source: &SourceFile) -> Value {
    let rule_index = REGISTRY.iter().position(|rule| rule.name == finding.rule);
    let mut location = json!({
        "artifactLocation": { "uri": uri_path(&source.path), "uriBaseId": "SRCROOT" },
    });
    if let Some(span) = &finding.span {
        let span = source.clamp(span.clone());
        let start = source.position(span.start);
        let end = source.position(span.end);
        location["region"] = json!({
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": end.column,
        });
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "level": match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "message": { "text": format!("{} ({})", finding.message, finding.help) },
        "locations": [{ "physicalLocation": location }],
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(item) = &finding.item {
        result["properties"] = json!({ "item": item, "period": finding.period });
    }
    result
}

/// Percent-encodes a relative path for a URI: every byte but letters, digits, `/` and
/// `-._~`, so spaces and non-ASCII names stay valid.
fn uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Writes a reviewdog diagnostic result: one diagnostic per finding, with line and
/// column (in UTF-8 bytes, as the format requires) of the start and end of its span.
pub(crate) fn write_rdjson(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let diagnostics: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let source = &report.sources[finding.file];
            let mut location = json!({ "path": source.path });
            if let Some(span) = &finding.span {
                let span = source.clamp(span.clone());
                location["range"] = json!({
                    "start": byte_position(source, span.start),
                    "end": byte_position(source, span.end),
                });
            }
            json!({
                "message": format!("{} ({})", finding.message, finding.help),
                "location": location,
                "severity": match finding.severity {
                    Severity::Error => "ERROR",
                    Severity::Warning => "WARNING",
                },
                "source": { "name": "okr" },
                "code": { "value": finding.rule },
            })
        })
        .collect();
    let document = json!({
        "source": { "name": "okr" },
        "diagnostics": diagnostics,
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// Returns the 1-based line and the 1-based column in UTF-8 bytes of `offset`.
fn byte_position(source: &SourceFile, offset: usize) -> Value {
    let position = source.position(offset);
    let column = offset - source.line_start(position.line) + 1;
    json!({ "line": position.line, "column": column })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_are_percent_encoded() {
        assert_eq!(
            uri_path("okrs/2026-Q4/growth.toml"),
            "okrs/2026-Q4/growth.toml"
        );
        assert_eq!(uri_path("okrs/my team.toml"), "okrs/my%20team.toml");
        assert_eq!(uri_path("okrs/数据.toml"), "okrs/%E6%95%B0%E6%8D%AE.toml");
    }
}
