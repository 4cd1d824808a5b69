//! Moved goalposts: a key result's `target` or `start` changed after its period
//! began, or after `freeze` days into it. History and diff mark every such change;
//! the `moved-goalpost` rule requires a reason only when the change eases the key
//! result.

use super::event::{EventKind, ItemEvent};
use crate::model::Direction;
use crate::period::Period;
use chrono::NaiveDate;

/// Returns the first day on which a target or start change counts as a moved goalpost.
pub(crate) fn frozen_from(period: &Period, freeze_days: i64) -> NaiveDate {
    let days = u64::try_from(freeze_days).unwrap_or(0);
    period.start + chrono::Days::new(days)
}

/// True when `event` changes a key result's target or start on `date`, on or after
/// the period's freeze date.
pub(crate) fn is_moved(
    event: &ItemEvent,
    date: NaiveDate,
    period: Option<&Period>,
    freeze_days: i64,
) -> bool {
    changes_goalpost(event) && period.is_some_and(|period| date >= frozen_from(period, freeze_days))
}

/// True when `event` changes a key result's target or start, whatever the date.
/// Lets a caller skip working out the date of events that cannot move a goalpost.
pub(crate) fn changes_goalpost(event: &ItemEvent) -> bool {
    event.key.is_key_result()
        && event.kind == EventKind::Changed
        && (event.change("target").is_some() || event.change("start").is_some())
}

/// The numbers that decide whether a key result got easier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ends {
    pub(crate) start: Option<f64>,
    pub(crate) target: Option<f64>,
}

/// True when going from `before` to `after` eases the key result: the distance
/// from start to target shrinks or changes sign. A `maintain` key result has no
/// start, so its target eases when it moves to the side that is easier to keep
/// (down for at-least, up for at-most). Unknown numbers never ease.
pub(crate) fn eases(before: Ends, after: Ends, maintain: Option<Direction>) -> bool {
    if let Some(direction) = maintain {
        return match (before.target, after.target, direction) {
            (Some(old), Some(new), Direction::AtLeast) => new < old,
            (Some(old), Some(new), Direction::AtMost) => new > old,
            _ => false,
        };
    }
    let (Some(old_start), Some(old_target), Some(new_start), Some(new_target)) =
        (before.start, before.target, after.start, after.target)
    else {
        return false;
    };
    let old = old_target - old_start;
    let new = new_target - new_start;
    new.abs() < old.abs() || (old != 0.0 && new != 0.0 && old.signum() != new.signum())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(start: f64, target: f64) -> Ends {
        Ends {
            start: Some(start),
            target: Some(target),
        }
    }

    #[test]
    fn lower_increase_target_eases() {
        assert!(eases(ends(40.0, 90.0), ends(40.0, 80.0), None));
        assert!(!eases(ends(40.0, 80.0), ends(40.0, 90.0), None));
    }

    #[test]
    fn decrease_targets_ease_upwards() {
        assert!(eases(ends(5.0, 2.0), ends(5.0, 3.0), None));
        assert!(!eases(ends(5.0, 2.0), ends(5.0, 1.0), None));
    }

    #[test]
    fn raised_start_eases_and_flipped_sign_eases() {
        assert!(eases(ends(40.0, 90.0), ends(60.0, 90.0), None));
        assert!(eases(ends(40.0, 90.0), ends(40.0, -20.0), None));
    }

    #[test]
    fn maintain_follows_its_direction() {
        let before = Ends {
            start: None,
            target: Some(99.0),
        };
        let lower = Ends {
            start: None,
            target: Some(98.0),
        };
        assert!(eases(before, lower, Some(Direction::AtLeast)));
        assert!(!eases(before, lower, Some(Direction::AtMost)));
    }

    #[test]
    fn unknown_numbers_never_ease() {
        let missing = Ends {
            start: None,
            target: Some(80.0),
        };
        assert!(!eases(ends(40.0, 90.0), missing, None));
    }
}
