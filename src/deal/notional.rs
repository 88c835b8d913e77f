//! Interest-only notional schedules: printed entries by distribution date, and
//! an optional stated rule for the dates after the last entry.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::calendar::months_between;

/// How a schedule continues after its last entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extend {
    /// The last entry's notional stays.
    Flat,
    /// Keeps falling each month by the last step between two entries (not below zero).
    LastStep,
    /// Keeps falling each month by the ratio of the last two entries, rounded
    /// to the dollar (half away from zero).
    LastRatio,
}

/// A notional by distribution date: the notional interest accrues on for the
/// distribution on that date (the report's beginning notional), as a step
/// function of the date.
#[derive(Debug, Clone, PartialEq)]
pub struct NotionalSchedule {
    pub entries: Vec<(NaiveDate, Decimal)>,
    pub extend: Extend,
    /// From this date on the notional is zero.
    pub ends: Option<NaiveDate>,
}

impl NotionalSchedule {
    /// The notional for the distribution on `date`; `original` before the first entry.
    pub fn at(&self, date: NaiveDate, original: Decimal) -> Decimal {
        if self.ends.is_some_and(|e| date >= e) {
            return Decimal::ZERO;
        }
        let Some(&(last_date, last)) = self.entries.last() else {
            return original;
        };
        if date <= last_date {
            return self
                .entries
                .iter()
                .rev()
                .find(|(d, _)| *d <= date)
                .map(|(_, n)| *n)
                .unwrap_or(original);
        }
        let months = months_between(last_date, date).max(0);
        let prev = if self.entries.len() >= 2 {
            self.entries[self.entries.len() - 2].1
        } else {
            last
        };
        let value = match self.extend {
            Extend::Flat => last,
            Extend::LastStep => last - (prev - last) * Decimal::from(months),
            Extend::LastRatio => {
                if prev.is_zero() {
                    Decimal::ZERO
                } else {
                    let ratio = last / prev;
                    let mut v = last;
                    for _ in 0..months {
                        v *= ratio;
                    }
                    v.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                }
            }
        };
        value.max(Decimal::ZERO).min(last.max(prev))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn he4_a_io() -> NotionalSchedule {
        NotionalSchedule {
            entries: vec![
                (d(2003, 12, 15), dec!(73000000)),
                (d(2004, 1, 15), dec!(71400000)),
            ],
            extend: Extend::LastStep,
            ends: Some(d(2006, 3, 15)),
        }
    }

    #[test]
    fn printed_entries_are_used_as_printed() {
        let s = he4_a_io();
        assert_eq!(s.at(d(2003, 12, 15), dec!(78100000)), dec!(73000000));
        assert_eq!(s.at(d(2004, 1, 15), dec!(78100000)), dec!(71400000));
        assert_eq!(s.at(d(2003, 9, 15), dec!(78100000)), dec!(78100000));
    }

    #[test]
    fn last_step_continues_then_ends() {
        let s = he4_a_io();
        // 71,400,000 - 2 x 1,600,000
        assert_eq!(s.at(d(2004, 3, 15), dec!(78100000)), dec!(68200000));
        assert_eq!(s.at(d(2006, 2, 15), dec!(78100000)), dec!(31400000));
        assert_eq!(s.at(d(2006, 3, 15), dec!(78100000)), Decimal::ZERO);
    }

    #[test]
    fn last_ratio_continues_geometrically() {
        let s = NotionalSchedule {
            entries: vec![(d(2003, 12, 15), dec!(1000)), (d(2004, 1, 15), dec!(900))],
            extend: Extend::LastRatio,
            ends: None,
        };
        // 900 x 0.9 = 810, x 0.9 = 729
        assert_eq!(s.at(d(2004, 3, 15), dec!(1000)), dec!(729));
    }
}
