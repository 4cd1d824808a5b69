//! `okr rules`: every rule with its group, default severity and summary.

use crate::Outcome;
use crate::cli::{RulesArgs, RulesFormat};
use crate::error::Result;
use crate::rules::REGISTRY;
use std::io::Write;

pub(super) fn run(args: &RulesArgs, out: &mut dyn Write) -> Result<Outcome> {
    match args.format {
        RulesFormat::Table => {
            let width = REGISTRY
                .iter()
                .map(|rule| rule.name.len())
                .max()
                .unwrap_or(0);
            for rule in REGISTRY {
                writeln!(
                    out,
                    "{:<width$}  {:<10}  {:<5}  {}",
                    rule.name,
                    rule.group.as_str(),
                    rule.default_level.as_str(),
                    rule.summary
                )?;
            }
        }
        RulesFormat::Json => {
            let rules: Vec<_> = REGISTRY
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "name": rule.name,
                        "group": rule.group.as_str(),
                        "default_severity": rule.default_level.as_str(),
                        "summary": rule.summary,
                    })
                })
                .collect();
            let document = serde_json::json!({ "schema_version": 1, "rules": rules });
            serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Success)
}
