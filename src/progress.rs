//! Progress math: key result scores, expected progress at a date, status, and
//! weighted means. Pure functions; the as-of date is always a parameter.

use crate::model::{Direction, KeyResult, Kind, State};
use crate::period::Period;
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    Done,
    Pending,
    Stale,
    OffTrack,
    AtRisk,
    OnTrack,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Pending => "pending",
            Status::Stale => "stale",
            Status::OffTrack => "off-track",
            Status::AtRisk => "at-risk",
            Status::OnTrack => "on-track",
        }
    }
}

/// Tolerances from okr.toml.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Thresholds {
    /// Points (0..1) behind expected from which a part is at risk.
    pub(crate) at_risk: f64,
    /// Points (0..1) behind expected from which a part is off track.
    pub(crate) off_track: f64,
    /// Days without a check-in before a key result of a running period is stale.
    pub(crate) check_in_interval: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Progress {
    /// 0.0..1.0; `None` where no progress is defined (target == start, no numbers).
    pub(crate) score: Option<f64>,
    /// The unclamped ratio, for metrics with a current value.
    pub(crate) raw: Option<f64>,
    pub(crate) expected: Option<f64>,
    pub(crate) status: Option<Status>,
    pub(crate) confidence: Option<f64>,
}

/// Computes where a key result is at `as_of`. `last_check_in` is its latest check-in date,
/// when known; without it the key result is never judged stale.
pub(crate) fn key_result_progress(
    key_result: &KeyResult,
    period: &Period,
    as_of: NaiveDate,
    thresholds: Thresholds,
    last_check_in: Option<NaiveDate>,
) -> Progress {
    let current = key_result.current.as_ref().map(|current| current.value);
    let done_flag = key_result.done.as_ref().is_some_and(|done| done.value);
    let due = key_result.due.as_ref().map_or(period.end, |due| due.value);
    let (score, raw, recorded) = match key_result.kind {
        Kind::Metric => match (key_result.metric_range(), current) {
            (Some((start, target)), _) if start == target => (None, None, current.is_some()),
            (Some((start, target)), Some(current)) => {
                // Halving both differences keeps them finite for values near f64::MAX.
                // Adding 0.0 turns -0.0 (a decrease still at its start) into 0.0.
                let raw = (current / 2.0 - start / 2.0) / (target / 2.0 - start / 2.0) + 0.0;
                let score = if raw.is_nan() {
                    0.0
                } else {
                    raw.clamp(0.0, 1.0)
                };
                (Some(score), raw.is_finite().then_some(raw), true)
            }
            (Some(_), None) => (Some(0.0), None, false),
            (None, _) => (None, None, current.is_some()),
        },
        Kind::Milestone => (
            Some(if done_flag { 1.0 } else { 0.0 }),
            None,
            key_result.done.is_some(),
        ),
        Kind::Maintain => {
            let held = held(key_result, current);
            (Some(if held { 1.0 } else { 0.0 }), None, current.is_some())
        }
        Kind::Baseline => (
            Some(if current.is_some() { 1.0 } else { 0.0 }),
            None,
            current.is_some(),
        ),
    };
    let expected = match key_result.kind {
        Kind::Metric => Some(time_share(period.start, due, as_of)),
        Kind::Milestone | Kind::Baseline => Some(if as_of >= due { 1.0 } else { 0.0 }),
        Kind::Maintain => Some(1.0),
    };
    let status = score.map(|score| {
        let done = key_result.state == State::Done
            || match key_result.kind {
                Kind::Maintain => score >= 1.0 && as_of > due,
                _ => score >= 1.0,
            };
        let running = period.contains(as_of);
        let stale = running
            && last_check_in
                .is_some_and(|date| (as_of - date).num_days() > thresholds.check_in_interval);
        if done {
            Status::Done
        } else if !recorded {
            Status::Pending
        } else if stale && key_result.state.is_live() {
            Status::Stale
        } else {
            gap_status(score, expected.unwrap_or(0.0), thresholds)
        }
    });
    Progress {
        score,
        raw,
        expected,
        status,
        confidence: key_result
            .confidence
            .as_ref()
            .map(|confidence| confidence.value),
    }
}

fn held(key_result: &KeyResult, current: Option<f64>) -> bool {
    let (Some(current), Some(target)) = (current, key_result.target.as_ref()) else {
        return false;
    };
    match key_result
        .direction
        .as_ref()
        .map(|direction| direction.value)
    {
        Some(Direction::AtMost) => current <= target.value,
        Some(Direction::AtLeast) | None => current >= target.value,
    }
}

/// Returns the share of the days from `start` to `end` (both inclusive) that have passed at `as_of`.
pub(crate) fn time_share(start: NaiveDate, end: NaiveDate, as_of: NaiveDate) -> f64 {
    let total = (end - start).num_days() + 1;
    if total <= 0 {
        return 1.0;
    }
    let passed = (as_of - start).num_days() + 1;
    // Day counts are far below 2^53, so the conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    let share = passed as f64 / total as f64;
    share.clamp(0.0, 1.0)
}

/// on-track, at-risk or off-track from how far the score lags behind expected.
pub(crate) fn gap_status(score: f64, expected: f64, thresholds: Thresholds) -> Status {
    // A small epsilon keeps exact boundaries (10 points behind) from flipping on rounding.
    let gap = expected - score + 1e-9;
    if gap >= thresholds.off_track {
        Status::OffTrack
    } else if gap >= thresholds.at_risk {
        Status::AtRisk
    } else {
        Status::OnTrack
    }
}

/// Computes the weighted mean of the values that exist. Weights are relative; a set whose
/// weights are all zero falls back to equal weights.
pub(crate) fn weighted_mean(parts: &[(f64, Option<f64>)]) -> Option<f64> {
    let present: Vec<(f64, f64)> = parts
        .iter()
        .filter_map(|&(weight, value)| value.map(|value| (weight.max(0.0), value)))
        .collect();
    if present.is_empty() {
        return None;
    }
    // Weights are relative, so dividing by the largest keeps the sum finite.
    let largest = present
        .iter()
        .map(|(weight, _)| *weight)
        .fold(0.0, f64::max);
    let present: Vec<(f64, f64)> = if largest > 0.0 {
        present
            .iter()
            .map(|(weight, value)| (weight / largest, *value))
            .collect()
    } else {
        present
    };
    let total: f64 = present.iter().map(|(weight, _)| weight).sum();
    if total <= 0.0 {
        #[allow(clippy::cast_precision_loss)]
        let count = present.len() as f64;
        return Some(present.iter().map(|(_, value)| value).sum::<f64>() / count);
    }
    Some(
        present
            .iter()
            .map(|(weight, value)| weight * value)
            .sum::<f64>()
            / total,
    )
}

/// Derives the status of an objective or team from its parts' statuses and its own numbers:
/// done when every live part is done, pending when every live part is pending, stale
/// rather than on-track while any part is stale.
pub(crate) fn combined_status(
    parts: &[Option<Status>],
    score: Option<f64>,
    expected: Option<f64>,
    thresholds: Thresholds,
) -> Option<Status> {
    let score = score?;
    let known: Vec<Status> = parts.iter().flatten().copied().collect();
    if !known.is_empty() && known.iter().all(|status| *status == Status::Done) {
        return Some(Status::Done);
    }
    if !known.is_empty() && known.iter().all(|status| *status == Status::Pending) {
        return Some(Status::Pending);
    }
    let own = gap_status(score, expected.unwrap_or(0.0), thresholds);
    if own == Status::OnTrack && known.contains(&Status::Stale) {
        return Some(Status::Stale);
    }
    Some(own)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Spanned;

    const THRESHOLDS: Thresholds = Thresholds {
        at_risk: 0.10,
        off_track: 0.25,
        check_in_interval: 14,
    };

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn q4() -> Period {
        Period {
            name: "2026-Q4".into(),
            start: date("2026-10-01"),
            end: date("2026-12-31"),
        }
    }

    fn number(value: f64) -> Option<Spanned<f64>> {
        Some(Spanned::new(value, 0..0))
    }

    fn metric(start: f64, target: f64, current: Option<f64>) -> KeyResult {
        KeyResult {
            span: 0..0,
            id: Spanned::new("kr".into(), 0..0),
            title: Spanned::new("Title".into(), 0..0),
            owner: None,
            kind: Kind::Metric,
            start: number(start),
            target: number(target),
            current: current.and_then(number),
            unit: None,
            confidence: None,
            due: None,
            weight: None,
            checked: None,
            aligns_to: Vec::new(),
            reason: None,
            notes: Vec::new(),
            state: State::Active,
            done: None,
            direction: None,
            allow: Vec::new(),
        }
    }

    fn progress(key_result: &KeyResult, as_of: &str) -> Progress {
        key_result_progress(key_result, &q4(), date(as_of), THRESHOLDS, None)
    }

    #[test]
    fn increasing_metric_scores_share_of_distance() {
        let result = progress(&metric(40.0, 90.0, Some(65.0)), "2026-11-15");
        assert_eq!(result.score, Some(0.5));
        assert_eq!(result.raw, Some(0.5));
    }

    #[test]
    fn decreasing_metric_scores_share_of_distance() {
        let result = progress(&metric(5.0, 2.0, Some(3.5)), "2026-11-15");
        assert_eq!(result.score, Some(0.5));
    }

    #[test]
    fn overshoot_clamps_score_keeps_raw() {
        let result = progress(&metric(0.0, 100.0, Some(110.0)), "2026-11-15");
        assert_eq!(result.score, Some(1.0));
        assert_eq!(result.raw, Some(1.1));
        assert_eq!(result.status, Some(Status::Done));
    }

    #[test]
    fn undershoot_clamps_to_zero() {
        let result = progress(&metric(5.0, 2.0, Some(6.0)), "2026-11-15");
        assert_eq!(result.score, Some(0.0));
        assert!(result.raw.unwrap() < 0.0);
    }

    #[test]
    fn target_equal_to_start_has_no_score() {
        let result = progress(&metric(10.0, 10.0, Some(12.0)), "2026-11-15");
        assert_eq!(result.score, None);
        assert_eq!(result.status, None);
    }

    #[test]
    fn missing_current_is_pending() {
        let result = progress(&metric(0.0, 10.0, None), "2026-11-15");
        assert_eq!(result.score, Some(0.0));
        assert_eq!(result.raw, None);
        assert_eq!(result.status, Some(Status::Pending));
    }

    #[test]
    fn expected_counts_days_inclusive() {
        let period = q4();
        assert_eq!(
            time_share(period.start, period.end, date("2026-09-30")),
            0.0
        );
        assert!(
            (time_share(period.start, period.end, date("2026-10-01")) - 1.0 / 92.0).abs() < 1e-12
        );
        assert_eq!(
            time_share(period.start, period.end, date("2026-12-31")),
            1.0
        );
        assert_eq!(
            time_share(period.start, period.end, date("2027-01-05")),
            1.0
        );
    }

    #[test]
    fn status_follows_gap_thresholds() {
        // 46 of 92 days have passed: expected 0.5.
        let on_track = progress(&metric(0.0, 100.0, Some(45.0)), "2026-11-15");
        assert_eq!(on_track.status, Some(Status::OnTrack));
        let at_risk = progress(&metric(0.0, 100.0, Some(35.0)), "2026-11-15");
        assert_eq!(at_risk.status, Some(Status::AtRisk));
        let off_track = progress(&metric(0.0, 100.0, Some(20.0)), "2026-11-15");
        assert_eq!(off_track.status, Some(Status::OffTrack));
    }

    #[test]
    fn stale_check_in_outranks_track_status() {
        let key_result = metric(0.0, 100.0, Some(60.0));
        let old = Some(date("2026-10-20"));
        let result = key_result_progress(&key_result, &q4(), date("2026-11-15"), THRESHOLDS, old);
        assert_eq!(result.status, Some(Status::Stale));
        let recent = Some(date("2026-11-10"));
        let result =
            key_result_progress(&key_result, &q4(), date("2026-11-15"), THRESHOLDS, recent);
        assert_eq!(result.status, Some(Status::OnTrack));
    }

    #[test]
    fn milestone_expected_jumps_at_due() {
        let mut key_result = metric(0.0, 0.0, None);
        key_result.kind = Kind::Milestone;
        key_result.start = None;
        key_result.target = None;
        key_result.done = Some(Spanned::new(false, 0..0));
        key_result.due = Some(Spanned::new(date("2026-11-20"), 0..0));
        let before = progress(&key_result, "2026-11-19");
        assert_eq!(
            (before.expected, before.status),
            (Some(0.0), Some(Status::OnTrack))
        );
        let after = progress(&key_result, "2026-11-20");
        assert_eq!(
            (after.expected, after.status),
            (Some(1.0), Some(Status::OffTrack))
        );
    }

    #[test]
    fn maintain_held_is_done_only_after_due() {
        let mut key_result = metric(0.0, 200.0, Some(180.0));
        key_result.kind = Kind::Maintain;
        key_result.start = None;
        key_result.direction = Some(Spanned::new(Direction::AtMost, 0..0));
        let running = progress(&key_result, "2026-11-15");
        assert_eq!(
            (running.score, running.status),
            (Some(1.0), Some(Status::OnTrack))
        );
        let ended = progress(&key_result, "2027-01-02");
        assert_eq!(ended.status, Some(Status::Done));
        key_result.current = number(250.0);
        let broken = progress(&key_result, "2026-11-15");
        assert_eq!(
            (broken.score, broken.status),
            (Some(0.0), Some(Status::OffTrack))
        );
    }

    #[test]
    fn baseline_scores_once_recorded() {
        let mut key_result = metric(0.0, 0.0, None);
        key_result.kind = Kind::Baseline;
        key_result.start = None;
        key_result.target = None;
        assert_eq!(
            progress(&key_result, "2026-11-15").status,
            Some(Status::Pending)
        );
        key_result.current = number(42.0);
        assert_eq!(
            progress(&key_result, "2026-11-15").status,
            Some(Status::Done)
        );
    }

    #[test]
    fn weights_are_relative() {
        let mean = weighted_mean(&[(2.0, Some(1.0)), (1.0, Some(0.0))]).unwrap();
        assert!((mean - 2.0 / 3.0).abs() < 1e-12);
        let scaled = weighted_mean(&[(200.0, Some(1.0)), (100.0, Some(0.0))]).unwrap();
        assert!((scaled - mean).abs() < 1e-12);
    }

    #[test]
    fn decrease_at_start_scores_positive_zero() {
        let result = progress(&metric(900.0, 400.0, Some(900.0)), "2026-11-15");
        assert!(result.score.unwrap().is_sign_positive());
        assert!(result.raw.unwrap().is_sign_positive());
    }

    #[test]
    fn huge_weights_stay_finite() {
        let mean = weighted_mean(&[(1e308, Some(1.0)), (1.7e308, Some(0.5))]).unwrap();
        assert!((mean - (1.0 + 0.85) / 2.7).abs() < 1e-9, "{mean}");
    }

    #[test]
    fn extreme_metric_values_stay_finite() {
        let result = progress(&metric(-1e308, 1e308, Some(0.0)), "2026-11-15");
        assert_eq!(result.score, Some(0.5));
        let result = progress(&metric(0.0, 1e-300, Some(1e300)), "2026-11-15");
        assert_eq!(result.score, Some(1.0));
        assert_eq!(result.raw, None);
    }

    #[test]
    fn zero_weights_fall_back_to_equal() {
        assert_eq!(
            weighted_mean(&[(0.0, Some(1.0)), (0.0, Some(0.0))]),
            Some(0.5)
        );
    }

    #[test]
    fn undefined_scores_leave_the_mean() {
        assert_eq!(weighted_mean(&[(1.0, None), (1.0, Some(0.4))]), Some(0.4));
        assert_eq!(weighted_mean(&[(1.0, None)]), None);
    }

    #[test]
    fn objective_status_combines_parts() {
        let done = [Some(Status::Done), Some(Status::Done)];
        assert_eq!(
            combined_status(&done, Some(1.0), Some(0.5), THRESHOLDS),
            Some(Status::Done)
        );
        let pending = [Some(Status::Pending), Some(Status::Pending)];
        assert_eq!(
            combined_status(&pending, Some(0.0), Some(0.5), THRESHOLDS),
            Some(Status::Pending)
        );
        let stale = [Some(Status::Stale), Some(Status::OnTrack)];
        assert_eq!(
            combined_status(&stale, Some(0.6), Some(0.5), THRESHOLDS),
            Some(Status::Stale)
        );
    }
}
