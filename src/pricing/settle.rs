//! Settlement on any date: the flows a buyer receives, the time to each, and
//! the interest accrued to the seller.
//!
//! # Conventions
//!
//! * A projection starts right after the filing's distribution date `D0`;
//!   its periods pay on the distribution dates `D1, D2, ...`. Settlement `S`
//!   is on or after `D0` (by default `S = D0`, the convention of
//!   [`super`]'s analytics).
//! * **Flows on or before settlement are dropped**: the buyer receives the
//!   distributions after `S`. With `Dk` the last distribution date on or
//!   before `S` (`D0` when `S` is in the first period), the **face at
//!   settlement** is the class's balance (notional, for an interest-only
//!   class) after distribution `k`, and prices are percent of it.
//! * **Accrued interest** runs from `Dk` (the accrual start of the period `S`
//!   falls in) to `S`, in the class's day count, at the coupon the class
//!   accrues in that period (after any cap, as the waterfall computes it):
//!   `accrued = face × coupon × days(Dk, S) / 360`, shown per 100 of face.
//!   The price given is **clean**; the buyer pays the **dirty** price
//!   `clean + accrued` (per 100), which is the price the flows are
//!   discounted to. A buyer settling on `Dk` pays no accrued.
//! * **Time** stays 30/360 months from settlement: distribution `n > k` is at
//!   `(n − k) − f` months, where `f = days30(Dk, S) / days30(Dk, Dk+1)` is
//!   the part of the period (30/360) elapsed at settlement. For the discount
//!   margin (actual/360), the first period after settlement counts its
//!   actual days less those from `Dk` to `S` (the actual days from `S` to
//!   `Dk+1`).

use chrono::NaiveDate;

use super::{Bond, Flow};
use crate::calendar::{DayCount, days_30_360};
use crate::error::{Error, Result};
use crate::num::Num;
use crate::projection::{Observer, PeriodView, Projection};
use crate::scenario::Scenario;
use crate::waterfall::Engine;

/// One projected distribution of a class, as settlement needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassPeriod {
    /// The distribution date.
    pub date: NaiveDate,
    /// Actual days in the accrual period ending on `date`.
    pub days_actual: u32,
    pub principal: f64,
    /// Everything paid in the interest column.
    pub interest: f64,
    /// The coupon the class accrued in the period (after any cap), a fraction a year.
    pub rate: f64,
    /// Balance (notional for an interest-only class) after the distribution.
    pub ending: f64,
    /// The index rate of the period (a fraction).
    pub index: f64,
}

/// Collects one class's distributions from a projection.
#[derive(Debug, Clone)]
pub struct ClassCashFlows {
    class: usize,
    /// The filing's distribution date, where the projection starts.
    pub start_date: NaiveDate,
    /// The class's balance (or notional) after the filing's distribution.
    pub start_face: f64,
    pub periods: Vec<ClassPeriod>,
}

impl ClassCashFlows {
    pub fn new(class: usize, start_date: NaiveDate, start_face: f64) -> Self {
        ClassCashFlows {
            class,
            start_date,
            start_face,
            periods: Vec::new(),
        }
    }
}

impl<T: Num> Observer<T> for ClassCashFlows {
    fn period(&mut self, v: &PeriodView<T>) {
        let f = &v.result.classes[self.class];
        self.periods.push(ClassPeriod {
            date: v.input.date,
            days_actual: v.input.days_actual,
            principal: f.principal.to_f64(),
            interest: f.interest_distribution().to_f64(),
            rate: f.rate.to_f64(),
            ending: f.ending.to_f64(),
            index: v.input.index.to_f64(),
        });
    }
}

/// A class bought on a settlement date (see the module conventions).
#[derive(Debug, Clone, PartialEq)]
pub struct Settlement {
    pub date: NaiveDate,
    /// The last distribution date on or before settlement.
    pub accrual_start: NaiveDate,
    /// Days from `accrual_start` to settlement in the class's day count.
    pub accrued_days: i64,
    /// The coupon accrued in the period settlement falls in (fraction a year).
    pub coupon: f64,
    /// Face (balance or notional) at settlement.
    pub face: f64,
    /// Accrued interest per 100 of face: `100 × coupon × accrued_days / 360`.
    pub accrued: f64,
    /// The flows after settlement, timed from it, with `balance = face`.
    pub bond: Bond,
    /// The distribution date of each flow of `bond`.
    pub dates: Vec<NaiveDate>,
}

impl Settlement {
    /// The price paid, per 100 of face, for a clean price.
    pub fn dirty(&self, clean: f64) -> f64 {
        clean + self.accrued
    }

    /// The clean price for a dirty one.
    pub fn clean(&self, dirty: f64) -> f64 {
        dirty - self.accrued
    }

    /// The first distribution date after settlement that pays principal.
    pub fn first_principal(&self) -> Option<NaiveDate> {
        self.principal_dates().next()
    }

    /// The last distribution date that pays principal.
    pub fn last_principal(&self) -> Option<NaiveDate> {
        self.principal_dates().last()
    }

    fn principal_dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.bond
            .flows
            .iter()
            .zip(&self.dates)
            .filter(|(f, _)| f.principal > 0.0)
            .map(|(_, d)| *d)
    }
}

/// Accrued interest per 100 of face: `100 × coupon × days / 360`.
pub fn accrued_per_100(coupon: f64, days: i64) -> f64 {
    100.0 * coupon * days as f64 / 360.0
}

/// Read `--settle`: a date written `YYYY-MM-DD`.
pub fn parse_settle(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|e| {
        Error::Usage(format!(
            "--settle: expected a date like 2003-12-25, found '{}' ({e})",
            s.trim()
        ))
    })
}

/// Settle `flows` on `date` under `day_count` (the class's). An error when
/// `date` is before the projection's start; a settlement after the class's
/// last distribution has no flows and zero face.
pub fn settle(flows: &ClassCashFlows, day_count: DayCount, date: NaiveDate) -> Result<Settlement> {
    if date < flows.start_date {
        return Err(Error::Usage(format!(
            "--settle {date} is before {}, the filing's distribution date the projection starts from",
            flows.start_date
        )));
    }
    let k = flows.periods.iter().take_while(|p| p.date <= date).count();
    let (accrual_start, face) = match k {
        0 => (flows.start_date, flows.start_face),
        _ => (flows.periods[k - 1].date, flows.periods[k - 1].ending),
    };
    let Some(next) = flows.periods.get(k) else {
        return Ok(Settlement {
            date,
            accrual_start,
            accrued_days: 0,
            coupon: 0.0,
            face: 0.0,
            accrued: 0.0,
            bond: Bond {
                balance: 0.0,
                flows: Vec::new(),
            },
            dates: Vec::new(),
        });
    };
    let accrued_days = day_count.days(accrual_start, date);
    let period_30 = days_30_360(accrual_start, next.date).max(1) as f64;
    let elapsed = (days_30_360(accrual_start, date) as f64 / period_30).clamp(0.0, 1.0);
    // The first period's actual days less those elapsed before settlement.
    let first_days =
        (next.days_actual as i64 - DayCount::Act360.days(accrual_start, date)).max(0) as f64;
    let rest = &flows.periods[k..];
    let bond = Bond {
        balance: face,
        flows: rest
            .iter()
            .enumerate()
            .map(|(i, p)| Flow {
                months: (i + 1) as f64 - elapsed,
                days: if i == 0 {
                    first_days
                } else {
                    p.days_actual as f64
                },
                principal: p.principal,
                interest: p.interest,
                index: p.index,
            })
            .collect(),
    };
    Ok(Settlement {
        date,
        accrual_start,
        accrued_days,
        coupon: next.rate,
        face,
        accrued: accrued_per_100(next.rate, accrued_days),
        bond,
        dates: rest.iter().map(|p| p.date).collect(),
    })
}

/// The face of class `k` at the filing the projection starts from: its
/// balance, or notional for an interest-only class. An error when it has none.
pub fn face_at_filing(p: &Projection, k: usize) -> Result<f64> {
    let face = p.start.balances(p.deal)[k].to_f64();
    if face.is_finite() && face > 0.0 {
        Ok(face)
    } else {
        Err(Error::Usage(format!(
            "class {} has no balance at the filing to price",
            p.deal.classes[k].name
        )))
    }
}

/// Project scenario `s` and settle class `k` on `date` (the filing's
/// distribution date when `None`).
pub fn project_and_settle(
    p: &Projection,
    s: &Scenario,
    k: usize,
    engine: &mut Engine<f64>,
    date: Option<NaiveDate>,
) -> Result<Settlement> {
    let mut flows = ClassCashFlows::new(k, p.start.date, face_at_filing(p, k)?);
    p.run(s, engine, &mut flows)?;
    settle(
        &flows,
        p.deal.classes[k].day_count,
        date.unwrap_or(p.start.date),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A 5.00% 30/360 bond of 1,000,000 paying interest monthly on the 15th
    /// and 100,000 of principal each month from 2004-01-15.
    fn five_percent() -> ClassCashFlows {
        let mut f = ClassCashFlows::new(0, d(2003, 12, 15), 1_000_000.0);
        let mut balance = 1_000_000.0;
        for n in 1..=10 {
            let date = d(2003 + (11 + n) / 12, ((11 + n) % 12 + 1) as u32, 15);
            let interest = balance * 0.05 / 12.0;
            balance -= 100_000.0;
            f.periods.push(ClassPeriod {
                date,
                days_actual: 30,
                principal: 100_000.0,
                interest,
                rate: 0.05,
                ending: balance,
                index: 0.0,
            });
        }
        f
    }

    #[test]
    fn ten_days_into_the_period_accrues_ten_days_of_coupon() {
        // Settled 2003-12-25, 10 days (30/360) after the 2003-12-15 distribution:
        // accrued = face × 5% × 10/360 = 1,000,000 × 0.05 × 10/360 = 1,388.89,
        // per 100 of face 5 × 10/360 = 0.138888...
        let s = settle(&five_percent(), DayCount::Thirty360, d(2003, 12, 25)).unwrap();
        assert_eq!(s.accrual_start, d(2003, 12, 15));
        assert_eq!(s.accrued_days, 10);
        assert!(
            (s.accrued - 5.0 * 10.0 / 360.0).abs() < 1e-15,
            "{}",
            s.accrued
        );
        assert!((s.accrued / 100.0 * s.face - 1_388.888_888_888_889).abs() < 1e-6);
        // Every flow is still to come, a third of a month (10/30) sooner.
        assert_eq!(s.bond.flows.len(), 10);
        assert!((s.bond.flows[0].months - 2.0 / 3.0).abs() < 1e-15);
        assert!((s.bond.flows[9].months - (10.0 - 1.0 / 3.0)).abs() < 1e-15);
        // The first period's 30 actual days (as given above) less the 10
        // from 2003-12-15 to 2003-12-25.
        assert_eq!(s.bond.flows[0].days, 20.0);
        assert_eq!(s.dirty(99.5), 99.5 + 5.0 * 10.0 / 360.0);
    }

    #[test]
    fn settling_on_the_start_date_accrues_nothing_and_keeps_every_flow() {
        let s = settle(&five_percent(), DayCount::Thirty360, d(2003, 12, 15)).unwrap();
        assert_eq!((s.accrued_days, s.accrued), (0, 0.0));
        assert_eq!(s.face, 1_000_000.0);
        assert_eq!(s.bond.flows[0].months, 1.0);
        assert_eq!(s.bond.flows[0].days, 30.0);
    }

    #[test]
    fn flows_on_or_before_settlement_go_to_the_seller() {
        // Settled 2004-02-20: the January and February distributions are
        // dropped, the face is what is left after February (800,000), and
        // interest accrues from 2004-02-15: 5 days, 5 × 5/360 = 0.069444... per 100.
        let s = settle(&five_percent(), DayCount::Thirty360, d(2004, 2, 20)).unwrap();
        assert_eq!(s.accrual_start, d(2004, 2, 15));
        assert_eq!(s.face, 800_000.0);
        assert_eq!(s.bond.flows.len(), 8);
        assert_eq!(s.dates[0], d(2004, 3, 15));
        assert!((s.accrued - 5.0 * 5.0 / 360.0).abs() < 1e-15);
        // 30/360 from 2004-02-15 to 2004-03-15 is 30 days; 5 elapsed: 1 − 5/30.
        assert!((s.bond.flows[0].months - (1.0 - 5.0 / 30.0)).abs() < 1e-15);
        assert_eq!(s.first_principal(), Some(d(2004, 3, 15)));
        assert_eq!(s.last_principal(), Some(d(2004, 10, 15)));
        // On a distribution date itself: that distribution goes to the seller.
        let s = settle(&five_percent(), DayCount::Thirty360, d(2004, 2, 15)).unwrap();
        assert_eq!((s.face, s.bond.flows.len(), s.accrued), (800_000.0, 8, 0.0));
    }

    #[test]
    fn act_360_accrues_actual_days() {
        // 2003-12-15 to 2004-01-05 is 16 + 5 = 21 actual days: 5 × 21/360 per 100.
        let s = settle(&five_percent(), DayCount::Act360, d(2004, 1, 5)).unwrap();
        assert_eq!(s.accrued_days, 21);
        assert!((s.accrued - 5.0 * 21.0 / 360.0).abs() < 1e-15);
    }

    #[test]
    fn before_the_start_is_refused_and_after_the_end_is_empty() {
        let e = settle(&five_percent(), DayCount::Thirty360, d(2003, 12, 1)).unwrap_err();
        assert!(e.to_string().contains("before 2003-12-15"), "{e}");
        let s = settle(&five_percent(), DayCount::Thirty360, d(2005, 1, 1)).unwrap();
        assert!(s.bond.flows.is_empty());
        assert_eq!(s.face, 0.0);
        assert_eq!(s.first_principal(), None);
    }

    #[test]
    fn settle_dates_are_read_strictly() {
        assert_eq!(parse_settle("2003-12-25").unwrap(), d(2003, 12, 25));
        for bad in ["12/25/2003", "2003-13-01", "2003-02-30", "tomorrow"] {
            let e = parse_settle(bad).unwrap_err().to_string();
            assert!(e.starts_with("--settle: expected a date like"), "{e}");
        }
    }
}
