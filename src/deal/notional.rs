//! Interest-only notional schedules: printed entries by distribution date, and
//! an optional stated rule for the dates after the last entry.

use chrono::NaiveDate;
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};

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
        let (first_date, first) = self.entries[0];
        if date < first_date {
            return self.before(first_date, first, date, original);
        }
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

    /// Before the first entry the same rule runs backwards (a notional grows
    /// going back in time), never above the original notional.
    fn before(
        &self,
        first_date: NaiveDate,
        first: Decimal,
        date: NaiveDate,
        original: Decimal,
    ) -> Decimal {
        let months = months_between(date, first_date).max(0);
        let Some(&(_, second)) = self.entries.get(1) else {
            return original;
        };
        let value = match self.extend {
            Extend::Flat => return original,
            Extend::LastStep => first + (first - second) * Decimal::from(months),
            Extend::LastRatio => {
                if second.is_zero() || first.is_zero() {
                    return original;
                }
                let ratio = first / second;
                (first * ratio.powi(months))
                    .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            }
        };
        value.max(first).min(original)
    }
}

/// Where a walk through a schedule's dates has got to, so that each next
/// date's notional is worked out from the one before: past the last entry a
/// last-ratio schedule multiplies once more a month instead of from the last
/// entry again, and once the schedule has ended every later date is zero
/// without a look. Each value is exactly what [`NotionalSchedule::at`] gives
/// (a date before the one walked to is worked out afresh).
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// Months past the last entry multiplied so far, and the value unrounded.
    months: i64,
    value: Option<Decimal>,
    /// The last two entries' ratio, divided out once.
    ratio: Option<Decimal>,
    ended: bool,
}

impl Walk {
    /// The notional of `s` on `date`, as [`NotionalSchedule::at`].
    pub fn at(&mut self, s: &NotionalSchedule, date: NaiveDate, original: Decimal) -> Decimal {
        if self.ended {
            return Decimal::ZERO;
        }
        if s.ends.is_some_and(|e| date >= e) {
            self.ended = true;
            return Decimal::ZERO;
        }
        let n = s.entries.len();
        if s.extend != Extend::LastRatio
            || n < 2
            || date <= s.entries[n - 1].0
            || s.entries[n - 2].1.is_zero()
        {
            return s.at(date, original);
        }
        let (last_date, last) = s.entries[n - 1];
        let prev = s.entries[n - 2].1;
        let months = months_between(last_date, date).max(0);
        if months < self.months {
            return s.at(date, original);
        }
        // The same multiplications in the same order as `at`'s loop.
        let ratio = *self.ratio.get_or_insert_with(|| last / prev);
        let mut v = self.value.unwrap_or(last);
        for _ in self.months..months {
            v *= ratio;
        }
        self.months = months;
        self.value = Some(v);
        v.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .max(Decimal::ZERO)
            .min(last.max(prev))
    }

    /// Whether every later date is zero.
    pub fn ended(&self) -> bool {
        self.ended
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
    fn before_the_first_entry_the_rule_runs_backwards_up_to_the_original() {
        // HE4 A-IO-INV: 817,167,112 in December 2003 falling to 763,970,281;
        // three months of that ratio back is 817,167,112 x (817,167,112 /
        // 763,970,281)^3 = 1,000,05x,xxx: above the printed original of
        // 1,000,000,000, so September 2003 (the first distribution) stands at it.
        let inv = NotionalSchedule {
            entries: vec![
                (d(2003, 12, 15), dec!(817167112)),
                (d(2004, 1, 15), dec!(763970281)),
            ],
            extend: Extend::LastRatio,
            ends: None,
        };
        assert_eq!(inv.at(d(2003, 9, 15), dec!(1000000000)), dec!(1000000000));
        // One month back: 817,167,112 x 1.069632... = 874,068,xxx.
        let nov = inv.at(d(2003, 11, 17), dec!(1000000000));
        assert!(nov > dec!(874000000) && nov < dec!(874100000), "{nov}");
        // HE4 A-IO falls by 1,600,000 a month: 74,600,000 in November 2003.
        assert_eq!(
            he4_a_io().at(d(2003, 11, 17), dec!(78100000)),
            dec!(74600000)
        );
        assert_eq!(
            he4_a_io().at(d(2003, 9, 15), dec!(78100000)),
            dec!(77800000)
        );
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

    /// A walk gives what `at` gives on every distribution of sixty years, for
    /// every way a schedule continues, with and without an end, starting
    /// before the first entry.
    #[test]
    fn a_walk_through_the_dates_gives_what_at_gives() {
        let entries = vec![
            (d(2003, 12, 15), dec!(817167112)),
            (d(2004, 1, 15), dec!(763970281)),
        ];
        for extend in [Extend::Flat, Extend::LastStep, Extend::LastRatio] {
            for ends in [None, Some(d(2006, 3, 15))] {
                for entries in [entries.clone(), entries[..1].to_vec(), vec![]] {
                    let s = NotionalSchedule {
                        entries,
                        extend,
                        ends,
                    };
                    let mut walk = Walk::default();
                    for m in 0..720 {
                        let date = d(2003 + (8 + m) / 12, ((8 + m) % 12) as u32 + 1, 15);
                        let want = s.at(date, dec!(1000000000));
                        assert_eq!(
                            walk.at(&s, date, dec!(1000000000)),
                            want,
                            "{extend:?} {ends:?} {date}"
                        );
                    }
                }
            }
        }
        // A date before the one walked to is worked out afresh.
        let s = NotionalSchedule {
            entries,
            extend: Extend::LastRatio,
            ends: None,
        };
        let mut walk = Walk::default();
        let late = walk.at(&s, d(2010, 1, 15), dec!(1000000000));
        assert_eq!(
            walk.at(&s, d(2005, 1, 15), dec!(1000000000)),
            s.at(d(2005, 1, 15), dec!(1000000000))
        );
        assert_eq!(late, s.at(d(2010, 1, 15), dec!(1000000000)));
    }
}
