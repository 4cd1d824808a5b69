//! Renderers: each writes one output format to the writer it is given. Nothing here
//! reads files or decides what to show.

pub(crate) mod blame;
pub(crate) mod diff;
pub(crate) mod findings;
pub(crate) mod history;
pub(crate) mod progress;
pub(crate) mod sarif;
pub(crate) mod table;
pub(crate) mod text;
pub(crate) mod tree;
