//! A class's coupon: how its rate is set each period.
//!
//! - fixed: `{ fixed = "7.5" }`;
//! - floating: `{ margin = "0.35" }` is index + 0.35%; `multiplier` scales the
//!   index, so an inverse floater is `{ margin = "28.5", multiplier = "-3",
//!   floor = "0" }` (28.5% - 3 x index, not below zero);
//! - the collateral's net WAC less a strip: `{ wac = "pool", less = "0.25" }`
//!   (or a group's name);
//! - any of them with a `cap` and a `floor` (percentages), `capped_by` a rate
//!   the deal computes (a `[[quantity]]`, e.g. a net WAC cap), and step-ups:
//!   `after_call = { margin = "0.70" }` once the clean-up call could have been
//!   exercised, `step_up = [{ from = "2010-01-15", fixed = "6.0" }]` from a date.

use chrono::NaiveDate;

use crate::num::{Num, Term};

/// How the rate is computed before caps and floors.
#[derive(Debug, Clone, PartialEq)]
pub enum CouponKind {
    /// Pays no interest (a principal-only class, a residual).
    None,
    Fixed(Term),
    /// index x multiplier + margin.
    Floating {
        multiplier: Term,
        margin: Term,
    },
    /// The net WAC of the pool (`None`) or a group, less a strip.
    Wac {
        group: Option<usize>,
        less: Term,
    },
}

/// When a step-up takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepUpFrom {
    /// From the first distribution after the clean-up call could first have
    /// been exercised.
    Call,
    /// From the distribution on or after this date.
    Date(NaiveDate),
}

/// A coupon that replaces the class's own once it takes effect: a new
/// margin for a floating class, a new fixed rate for a fixed one.
#[derive(Debug, Clone, PartialEq)]
pub struct StepUp {
    pub from: StepUpFrom,
    pub kind: CouponKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coupon {
    pub kind: CouponKind,
    /// A ceiling and a floor on the rate (fractions).
    pub cap: Option<Term>,
    pub floor: Option<Term>,
    /// A rate the deal computes (a `[[quantity]]`) that caps the coupon.
    pub capped_by: Option<usize>,
    pub step_ups: Vec<StepUp>,
}

impl Coupon {
    pub const NONE: Coupon = Coupon {
        kind: CouponKind::None,
        cap: None,
        floor: None,
        capped_by: None,
        step_ups: Vec::new(),
    };

    /// Whether the coupon moves with the index.
    pub fn floats(&self) -> bool {
        matches!(self.kind, CouponKind::Floating { .. })
    }

    /// The coupon in force on `date`: the last step-up that has taken effect,
    /// else the class's own.
    pub fn kind_on(&self, date: NaiveDate, call_passed: bool) -> &CouponKind {
        self.step_ups
            .iter()
            .rev()
            .find(|s| match s.from {
                StepUpFrom::Call => call_passed,
                StepUpFrom::Date(d) => date >= d,
            })
            .map(|s| &s.kind)
            .unwrap_or(&self.kind)
    }

    /// The rate before any `capped_by` rate: the coupon in force, within its
    /// own cap and floor. `net_wac` gives the pool's (`None`) or a group's net WAC.
    pub fn rate<T: Num>(
        &self,
        date: NaiveDate,
        call_passed: bool,
        index: T,
        net_wac: impl Fn(Option<usize>) -> T,
    ) -> T {
        let raw = match self.kind_on(date, call_passed) {
            CouponKind::None => return T::ZERO,
            CouponKind::Fixed(c) => T::of(c),
            CouponKind::Floating { multiplier, margin } => {
                index * T::of(multiplier) + T::of(margin)
            }
            CouponKind::Wac { group, less } => net_wac(*group) - T::of(less),
        };
        let capped = match &self.cap {
            Some(c) => raw.min_of(T::of(c)),
            None => raw,
        };
        match &self.floor {
            Some(f) => capped.max_of(T::of(f)),
            None => capped,
        }
    }

    /// A one-line description: `1M LIBOR + 0.35%, capped by ...`.
    pub fn describe(&self, index: &str, rate_name: &dyn Fn(usize) -> String) -> String {
        fn kind(k: &CouponKind, index: &str) -> String {
            let pct = |t: &Term| {
                format!(
                    "{}%",
                    (t.exact * rust_decimal::Decimal::ONE_HUNDRED).normalize()
                )
            };
            match k {
                CouponKind::None => "no coupon".to_string(),
                CouponKind::Fixed(c) => format!("fixed {}", pct(c)),
                CouponKind::Floating { multiplier, margin } => {
                    let m = multiplier.exact;
                    let idx = if m == rust_decimal::Decimal::ONE {
                        index.to_string()
                    } else {
                        format!("{} x {index}", m.normalize())
                    };
                    if margin.exact.is_zero() {
                        idx
                    } else if m.is_sign_negative() {
                        format!("{} {idx}", pct(margin)).replacen(" -", " - ", 1)
                    } else {
                        format!("{idx} + {}", pct(margin))
                    }
                }
                CouponKind::Wac { group, less } => format!(
                    "{} net WAC less {}",
                    group.map(|g| format!("group {g}")).unwrap_or("pool".into()),
                    pct(less)
                ),
            }
        }
        let mut s = kind(&self.kind, index);
        let pct = |t: &Term| {
            format!(
                "{}%",
                (t.exact * rust_decimal::Decimal::ONE_HUNDRED).normalize()
            )
        };
        if let Some(c) = &self.cap {
            s.push_str(&format!(", cap {}", pct(c)));
        }
        if let Some(f) = &self.floor {
            s.push_str(&format!(", floor {}", pct(f)));
        }
        if let Some(r) = self.capped_by {
            s.push_str(&format!(", capped by {}", rate_name(r)));
        }
        for u in &self.step_ups {
            let when = match u.from {
                StepUpFrom::Call => "after the call date".to_string(),
                StepUpFrom::Date(d) => format!("from {d}"),
            };
            s.push_str(&format!("; {} {when}", kind(&u.kind, index)));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn t(d: Decimal) -> Term {
        Term::new(d)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_inverse_floater_is_a_negative_multiplier_floored_at_zero() {
        // 28.5% - 3 x LIBOR, floored at 0.
        let c = Coupon {
            kind: CouponKind::Floating {
                multiplier: t(dec!(-3)),
                margin: t(dec!(0.285)),
            },
            floor: Some(t(Decimal::ZERO)),
            ..Coupon::NONE
        };
        let d = date(2004, 1, 15);
        assert_eq!(c.rate(d, false, dec!(0.05), |_| Decimal::ZERO), dec!(0.135));
        assert_eq!(c.rate(d, false, dec!(0.10), |_| Decimal::ZERO), dec!(0));
    }

    #[test]
    fn a_floater_with_a_cap_and_a_step_up_after_the_call() {
        let c = Coupon {
            kind: CouponKind::Floating {
                multiplier: t(Decimal::ONE),
                margin: t(dec!(0.005)),
            },
            cap: Some(t(dec!(0.10))),
            step_ups: vec![StepUp {
                from: StepUpFrom::Call,
                kind: CouponKind::Floating {
                    multiplier: t(Decimal::ONE),
                    margin: t(dec!(0.01)),
                },
            }],
            ..Coupon::NONE
        };
        let d = date(2004, 1, 15);
        assert_eq!(c.rate(d, false, dec!(0.05), |_| Decimal::ZERO), dec!(0.055));
        assert_eq!(c.rate(d, true, dec!(0.05), |_| Decimal::ZERO), dec!(0.06));
        assert_eq!(c.rate(d, false, dec!(0.12), |_| Decimal::ZERO), dec!(0.10));
    }

    #[test]
    fn a_wac_coupon_is_the_net_wac_less_a_strip() {
        let c = Coupon {
            kind: CouponKind::Wac {
                group: None,
                less: t(dec!(0.0025)),
            },
            ..Coupon::NONE
        };
        let r = c.rate(date(2004, 1, 15), false, dec!(0.01), |_| dec!(0.0705));
        assert_eq!(r, dec!(0.068));
    }

    #[test]
    fn a_dated_step_up_takes_effect_on_its_date() {
        let c = Coupon {
            kind: CouponKind::Fixed(t(dec!(0.05))),
            step_ups: vec![StepUp {
                from: StepUpFrom::Date(date(2010, 1, 15)),
                kind: CouponKind::Fixed(t(dec!(0.055))),
            }],
            ..Coupon::NONE
        };
        let z = |_| Decimal::ZERO;
        assert_eq!(
            c.rate(date(2009, 12, 15), false, Decimal::ZERO, z),
            dec!(0.05)
        );
        assert_eq!(
            c.rate(date(2010, 1, 15), false, Decimal::ZERO, z),
            dec!(0.055)
        );
    }
}
