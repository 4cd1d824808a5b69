//! `okr schema`: the JSON Schema (draft 2020-12) of the goal file format, the same
//! document that is committed as schema/okr.schema.json.

use crate::Outcome;
use crate::error::Result;
use std::io::Write;

pub(crate) const SCHEMA: &str = include_str!("../../schema/okr.schema.json");

pub(super) fn run(out: &mut dyn Write) -> Result<Outcome> {
    out.write_all(SCHEMA.as_bytes())?;
    Ok(Outcome::Success)
}
