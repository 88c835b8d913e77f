//! Distribution dates, business days and day counts.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// How a distribution date that falls on a non-business day moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusinessDay {
    /// To the next business day.
    Following,
    /// To the next business day, unless that is in the next month: then the previous.
    ModifiedFollowing,
    /// To the previous business day.
    Preceding,
    /// Paid on the calendar date, business day or not.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holidays {
    /// Weekends only.
    None,
    /// The Federal Reserve's holidays (the US bank holidays trustees close on).
    UsFederalReserve,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub payment_day: u32,
    pub business_day: BusinessDay,
    pub holidays: Holidays,
}

impl Calendar {
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let holiday =
            self.holidays == Holidays::UsFederalReserve && is_us_federal_reserve_holiday(d);
        !weekend && !holiday
    }

    fn adjust(&self, d: NaiveDate) -> NaiveDate {
        let step = |d: NaiveDate, forward: bool| {
            let mut x = d;
            while !self.is_business_day(x) {
                x += Duration::days(if forward { 1 } else { -1 });
            }
            x
        };
        match self.business_day {
            BusinessDay::Following => step(d, true),
            BusinessDay::Preceding => step(d, false),
            BusinessDay::None => d,
            BusinessDay::ModifiedFollowing => {
                let f = step(d, true);
                if f.month() == d.month() {
                    f
                } else {
                    step(d, false)
                }
            }
        }
    }

    /// The scheduled (unadjusted) payment date in a month.
    pub fn scheduled(&self, year: i32, month: u32) -> NaiveDate {
        let last = last_day_of_month(year, month);
        NaiveDate::from_ymd_opt(year, month, self.payment_day.min(last)).expect("valid day")
    }

    /// The distribution date in a month, moved to a business day.
    pub fn distribution_date(&self, year: i32, month: u32) -> NaiveDate {
        self.adjust(self.scheduled(year, month))
    }

    /// The distribution date `n` months after the one in `date`'s month.
    pub fn distribution_after(&self, date: NaiveDate, n: i32) -> NaiveDate {
        let (y, m) = add_months(date.year(), date.month(), n);
        self.distribution_date(y, m)
    }
}

/// Add `n` months to a (year, month).
pub fn add_months(year: i32, month: u32, n: i32) -> (i32, u32) {
    let total = year * 12 + month as i32 - 1 + n;
    (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32)
}

/// Whole calendar months from `a`'s month to `b`'s month.
pub fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b.year() as i64 * 12 + b.month() as i64) - (a.year() as i64 * 12 + a.month() as i64)
}

fn last_day_of_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The Federal Reserve's holidays: a holiday on a Sunday is observed on the
/// Monday; one on a Saturday is not moved. Only the date's own month is
/// looked at: every observed day falls in its holiday's month. Worked out
/// from the date's day and weekday, building no other date.
pub fn is_us_federal_reserve_holiday(d: NaiveDate) -> bool {
    let (y, day, wd) = (d.year(), d.day(), d.weekday());
    // The holiday on the fixed `date`, as observed.
    let observed =
        |date: u32| (day == date && wd != Weekday::Sun) || (day == date + 1 && wd == Weekday::Mon);
    // The `n`th `weekday` of the month; the last one.
    let nth = |weekday: Weekday, n: u32| wd == weekday && (day - 1) / 7 == n - 1;
    let last = |weekday: Weekday| wd == weekday && day + 7 > last_day_of_month(y, d.month());
    match d.month() {
        1 => observed(1) || (y >= 1986 && nth(Weekday::Mon, 3)),
        2 => nth(Weekday::Mon, 3),
        5 => last(Weekday::Mon),
        6 => y >= 2022 && observed(19),
        7 => observed(4),
        9 => nth(Weekday::Mon, 1),
        10 => nth(Weekday::Mon, 2),
        11 => observed(11) || nth(Weekday::Thu, 4),
        12 => observed(25),
        _ => false,
    }
}

/// How interest accrues over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayCount {
    /// Actual days over 360.
    Act360,
    /// Thirty days a month over 360 (the bond basis), counted between the
    /// scheduled (unadjusted) payment dates.
    Thirty360,
    /// Actual days over a fixed 365.
    Act365F,
    /// Actual/actual (ISDA): days in a leap year over 366, the others over 365.
    ActAct,
    /// A twelfth of a year every period, whatever its length.
    Monthly,
}

impl DayCount {
    pub const ALL: [DayCount; 5] = [
        DayCount::Act360,
        DayCount::Thirty360,
        DayCount::Act365F,
        DayCount::ActAct,
        DayCount::Monthly,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DayCount::Act360 => "act/360",
            DayCount::Thirty360 => "30/360",
            DayCount::Act365F => "act/365F",
            DayCount::ActAct => "act/act",
            DayCount::Monthly => "monthly",
        }
    }

    /// The convention a deal file names.
    pub fn from_name(s: &str) -> Option<DayCount> {
        DayCount::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(s.trim()))
    }

    /// Days in the period from `start` to `end` under this convention (a
    /// twelfth of a year counts 30).
    pub fn days(self, start: NaiveDate, end: NaiveDate) -> i64 {
        match self {
            DayCount::Thirty360 => days_30_360(start, end),
            DayCount::Monthly => 30,
            _ => (end - start).num_days(),
        }
    }

    /// The year fraction of the period as an exact ratio `(numerator,
    /// denominator)`, so that `amount x numerator / denominator` can be
    /// rounded once. `start`/`end` are the adjusted accrual dates; the 30/360
    /// count uses the scheduled dates `scheduled_start`/`scheduled_end`.
    pub fn fraction(
        self,
        start: NaiveDate,
        end: NaiveDate,
        scheduled_start: NaiveDate,
        scheduled_end: NaiveDate,
    ) -> (i64, i64) {
        match self {
            DayCount::Act360 => ((end - start).num_days(), 360),
            DayCount::Thirty360 => (days_30_360(scheduled_start, scheduled_end), 360),
            DayCount::Act365F => ((end - start).num_days(), 365),
            DayCount::Monthly => (1, 12),
            DayCount::ActAct => {
                // Split the days at each new year: d_leap/366 + d_other/365,
                // as one ratio over 366 x 365.
                let (mut leap, mut other) = (0i64, 0i64);
                let mut from = start;
                while from < end {
                    let next_year = NaiveDate::from_ymd_opt(from.year() + 1, 1, 1).unwrap_or(end);
                    let to = next_year.min(end);
                    let days = (to - from).num_days();
                    if is_leap(from.year()) {
                        leap += days;
                    } else {
                        other += days;
                    }
                    from = to;
                }
                (leap * 365 + other * 366, 366 * 365)
            }
        }
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// The 30/360 (bond basis) day count between two dates.
pub fn days_30_360(start: NaiveDate, end: NaiveDate) -> i64 {
    let (y1, m1, mut d1) = (
        start.year() as i64,
        start.month() as i64,
        start.day() as i64,
    );
    let (y2, m2, mut d2) = (end.year() as i64, end.month() as i64, end.day() as i64);
    if d1 == 31 {
        d1 = 30;
    }
    if d2 == 31 && d1 >= 30 {
        d2 = 30;
    }
    360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const CAL: Calendar = Calendar {
        payment_day: 15,
        business_day: BusinessDay::Following,
        holidays: Holidays::UsFederalReserve,
    };

    #[test]
    fn november_2003_distribution_moved_from_saturday_to_monday() {
        assert_eq!(CAL.distribution_date(2003, 11), d(2003, 11, 17));
        assert_eq!(CAL.distribution_date(2003, 12), d(2003, 12, 15));
        // The December 2003 accrual period of the floating classes: 28 days.
        assert_eq!(DayCount::Act360.days(d(2003, 11, 17), d(2003, 12, 15)), 28);
    }

    /// The holidays as their rules state them, each date built.
    fn holiday_by_its_rule(d: NaiveDate) -> bool {
        let y = d.year();
        let observed = |m: u32, day: u32| {
            let h = NaiveDate::from_ymd_opt(y, m, day).unwrap();
            if h.weekday() == Weekday::Sun {
                h + Duration::days(1)
            } else {
                h
            }
        };
        let nth =
            |m: u32, w: Weekday, n: u8| NaiveDate::from_weekday_of_month_opt(y, m, w, n).unwrap();
        let last = |m: u32, w: Weekday| {
            let (ny, nm) = add_months(y, m, 1);
            let mut x = NaiveDate::from_ymd_opt(ny, nm, 1).unwrap() - Duration::days(1);
            while x.weekday() != w {
                x -= Duration::days(1);
            }
            x
        };
        match d.month() {
            1 => d == observed(1, 1) || (y >= 1986 && d == nth(1, Weekday::Mon, 3)),
            2 => d == nth(2, Weekday::Mon, 3),
            5 => d == last(5, Weekday::Mon),
            6 => y >= 2022 && d == observed(6, 19),
            7 => d == observed(7, 4),
            9 => d == nth(9, Weekday::Mon, 1),
            10 => d == nth(10, Weekday::Mon, 2),
            11 => d == observed(11, 11) || d == nth(11, Weekday::Thu, 4),
            12 => d == observed(12, 25),
            _ => false,
        }
    }

    #[test]
    fn holidays_are_their_rules_on_every_day_from_1900_to_2200() {
        let mut day = d(1900, 1, 1);
        let mut holidays = 0;
        while day < d(2201, 1, 1) {
            assert_eq!(
                is_us_federal_reserve_holiday(day),
                holiday_by_its_rule(day),
                "{day}"
            );
            holidays += usize::from(holiday_by_its_rule(day));
            day += Duration::days(1);
        }
        // Ten a year (Juneteenth from 2022), MLK Day from 1986: none lost.
        assert_eq!(holidays, 301 * 9 + (2200 - 1986 + 1) + (2200 - 2022 + 1));
    }

    #[test]
    fn month_lengths_with_leap_years() {
        for y in [1900, 2000, 2003, 2004, 2100] {
            for m in 1..=12 {
                let (ny, nm) = add_months(y, m, 1);
                let by_dates =
                    (NaiveDate::from_ymd_opt(ny, nm, 1).unwrap() - Duration::days(1)).day();
                assert_eq!(last_day_of_month(y, m), by_dates, "{y}-{m}");
            }
        }
    }

    #[test]
    fn holidays_move_distribution_dates() {
        // 15-Jan-2007 is Martin Luther King Jr. Day: paid on the 16th.
        assert_eq!(CAL.distribution_date(2007, 1), d(2007, 1, 16));
        // Presidents' Day 2010 is 15-Feb.
        assert_eq!(CAL.distribution_date(2010, 2), d(2010, 2, 16));
        assert!(is_us_federal_reserve_holiday(d(2004, 11, 11)));
        assert!(!is_us_federal_reserve_holiday(d(2004, 11, 12)));
    }

    #[test]
    fn day_count_fractions() {
        let (a, b) = (d(2003, 11, 17), d(2003, 12, 15));
        let (sa, sb) = (d(2003, 11, 15), d(2003, 12, 15));
        assert_eq!(DayCount::Act360.fraction(a, b, sa, sb), (28, 360));
        assert_eq!(DayCount::Thirty360.fraction(a, b, sa, sb), (30, 360));
        assert_eq!(DayCount::Act365F.fraction(a, b, sa, sb), (28, 365));
        assert_eq!(DayCount::Monthly.fraction(a, b, sa, sb), (1, 12));
        // 15-Dec-2003 to 15-Jan-2004: 17 days of 2003 (365) and 14 of 2004 (366).
        let (n, m) = DayCount::ActAct.fraction(d(2003, 12, 15), d(2004, 1, 15), sa, sb);
        assert_eq!((n, m), (14 * 365 + 17 * 366, 366 * 365));
        assert_eq!(DayCount::from_name("ACT/365F"), Some(DayCount::Act365F));
    }

    #[test]
    fn no_business_day_adjustment_pays_on_the_calendar_date() {
        let cal = Calendar {
            business_day: BusinessDay::None,
            ..CAL
        };
        assert_eq!(cal.distribution_date(2003, 11), d(2003, 11, 15));
    }

    #[test]
    fn thirty_360_months_are_thirty_days() {
        assert_eq!(days_30_360(d(2003, 11, 15), d(2003, 12, 15)), 30);
        assert_eq!(days_30_360(d(2004, 1, 31), d(2004, 2, 29)), 29);
        assert_eq!(months_between(d(2003, 9, 15), d(2003, 12, 15)), 3);
        assert_eq!(add_months(2003, 12, 1), (2004, 1));
        assert_eq!(add_months(2004, 1, -1), (2003, 12));
    }
}
