//! relevant rules.

use super::context::{Context, Sink};

pub(super) fn check(_context: &Context<'_>, _sink: &mut Sink<'_>) {}
