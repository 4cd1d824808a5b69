//! `okr explain RULE`: the rule's explain text, with its group and default severity.

use crate::Outcome;
use crate::cli::ExplainArgs;
use crate::error::{Error, Result};
use crate::rules::{self, REGISTRY};
use crate::toml_read::did_you_mean;
use std::io::Write;

pub(super) fn run(args: &ExplainArgs, out: &mut dyn Write) -> Result<Outcome> {
    let Some(rule) = rules::find(&args.rule) else {
        let help = match did_you_mean(&args.rule, REGISTRY.iter().map(|rule| rule.name)) {
            Some(close) => format!("did you mean `{close}`? `okr rules` lists every rule"),
            None => "`okr rules` lists every rule".to_owned(),
        };
        return Err(Error::UnknownRule {
            name: args.rule.clone(),
            help: Some(help),
        });
    };
    out.write_all(rule.doc.as_bytes())?;
    Ok(Outcome::Success)
}
