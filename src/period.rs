//! Periods: `YYYY-Qn`, `YYYY-Hn`, `YYYY` and periods named in okr.toml, resolved to
//! start and end dates. Fiscal years start in `quarter_start_month` of year N.

use chrono::{Months, NaiveDate};
use std::collections::BTreeMap;

/// A period resolved to dates (both ends inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Period {
    pub(crate) name: String,
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
}

impl Period {
    pub(crate) fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub(crate) fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// True when `other` lies inside this period and is not the same period.
    pub(crate) fn encloses(&self, other: &Period) -> bool {
        self.name != other.name && self.start <= other.start && other.end <= self.end
    }
}

/// Turns period names into dates, with the repository's fiscal calendar.
#[derive(Debug, Clone)]
pub(crate) struct Calendar {
    quarter_start_month: u32,
    named: BTreeMap<String, (NaiveDate, NaiveDate)>,
}

/// The shape of a calendar period name, before the calendar gives it dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Year(i32),
    Half(i32, u32),
    Quarter(i32, u32),
}

impl Calendar {
    pub(crate) fn new(
        quarter_start_month: u32,
        named: BTreeMap<String, (NaiveDate, NaiveDate)>,
    ) -> Self {
        Calendar {
            quarter_start_month,
            named,
        }
    }

    pub(crate) fn resolve(&self, name: &str) -> Option<Period> {
        if let Some(&(start, end)) = self.named.get(name) {
            return Some(Period {
                name: name.to_owned(),
                start,
                end,
            });
        }
        let (first_month, months) = match parse_shape(name)? {
            Shape::Year(year) => (month_index(year, 0), 12),
            Shape::Half(year, half) => (month_index(year, 6 * (half - 1)), 6),
            Shape::Quarter(year, quarter) => (month_index(year, 3 * (quarter - 1)), 3),
        };
        let start = self.first_day(first_month)?;
        let end = start.checked_add_months(Months::new(months))?.pred_opt()?;
        Some(Period {
            name: name.to_owned(),
            start,
            end,
        })
    }

    /// First day of the month `index` months after January of fiscal year 0 starts.
    fn first_day(&self, index: i64) -> Option<NaiveDate> {
        let month0 = index + i64::from(self.quarter_start_month) - 1;
        let year = i32::try_from(month0.div_euclid(12)).ok()?;
        let month = u32::try_from(month0.rem_euclid(12)).ok()? + 1;
        NaiveDate::from_ymd_opt(year, month, 1)
    }
}

fn month_index(year: i32, offset: u32) -> i64 {
    i64::from(year) * 12 + i64::from(offset)
}

fn parse_shape(name: &str) -> Option<Shape> {
    let (year, rest) = match name.split_once('-') {
        Some((year, rest)) => (year, Some(rest)),
        None => (name, None),
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let Some(rest) = rest else {
        return Some(Shape::Year(year));
    };
    let mut chars = rest.chars();
    let letter = chars.next()?;
    let number: u32 = chars.as_str().parse().ok()?;
    if chars.as_str().len() != 1 {
        return None;
    }
    match (letter, number) {
        ('Q', 1..=4) => Some(Shape::Quarter(year, number)),
        ('H', 1..=2) => Some(Shape::Half(year, number)),
        _ => None,
    }
}

/// True when a string reads as a calendar period (`2026`, `2026-Q7`, `2026-h1`), valid or
/// not. Ids that read this way would make `PERIOD/OBJECTIVE` references ambiguous.
pub(crate) fn looks_like_period(text: &str) -> bool {
    let bytes = text.as_bytes();
    let year = bytes.len() >= 4 && bytes[..4].iter().all(u8::is_ascii_digit);
    match bytes.len() {
        4 => year,
        7.. => {
            year && bytes[4] == b'-'
                && matches!(bytes[5].to_ascii_uppercase(), b'Q' | b'H')
                && bytes[6..].iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn calendar_quarters_and_halves() {
        let calendar = Calendar::new(1, BTreeMap::new());
        let q4 = calendar.resolve("2026-Q4").unwrap();
        assert_eq!((q4.start, q4.end), (date("2026-10-01"), date("2026-12-31")));
        let h1 = calendar.resolve("2026-H1").unwrap();
        assert_eq!((h1.start, h1.end), (date("2026-01-01"), date("2026-06-30")));
        let year = calendar.resolve("2026").unwrap();
        assert_eq!(
            (year.start, year.end),
            (date("2026-01-01"), date("2026-12-31"))
        );
        assert_eq!(q4.days(), 92);
    }

    #[test]
    fn fiscal_year_starting_in_april() {
        let calendar = Calendar::new(4, BTreeMap::new());
        let q1 = calendar.resolve("2026-Q1").unwrap();
        assert_eq!((q1.start, q1.end), (date("2026-04-01"), date("2026-06-30")));
        let q4 = calendar.resolve("2026-Q4").unwrap();
        assert_eq!((q4.start, q4.end), (date("2027-01-01"), date("2027-03-31")));
        let year = calendar.resolve("2026").unwrap();
        assert_eq!(
            (year.start, year.end),
            (date("2026-04-01"), date("2027-03-31"))
        );
        let q1_next = calendar.resolve("2027-Q1").unwrap();
        assert_eq!(q1_next.start, date("2027-04-01"));
    }

    #[test]
    fn fiscal_year_starting_in_december() {
        let calendar = Calendar::new(12, BTreeMap::new());
        let q1 = calendar.resolve("2026-Q1").unwrap();
        assert_eq!((q1.start, q1.end), (date("2026-12-01"), date("2027-02-28")));
    }

    #[test]
    fn invalid_period_names() {
        let calendar = Calendar::new(1, BTreeMap::new());
        for name in [
            "2026-Q5", "2026-Q0", "2026-H3", "26-Q1", "2026-q1", "2026-Q12", "Q4",
        ] {
            assert!(calendar.resolve(name).is_none(), "{name} resolved");
        }
    }

    #[test]
    fn named_period_resolves() {
        let named = BTreeMap::from([(
            "launch".to_owned(),
            (date("2026-09-01"), date("2026-10-31")),
        )]);
        let calendar = Calendar::new(1, named);
        assert_eq!(calendar.resolve("launch").unwrap().days(), 61);
    }

    #[test]
    fn period_lookalikes() {
        assert!(looks_like_period("2026"));
        assert!(looks_like_period("2026-Q9"));
        assert!(looks_like_period("2026-h1"));
        assert!(!looks_like_period("reliable-checkout"));
        assert!(!looks_like_period("2026-launch"));
    }
}
