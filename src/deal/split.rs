//! A coupon split: classes carved from one parent class (a floater and an
//! inverse floater from a fixed-rate class) whose coupons, weighted by their
//! shares of the parent, must add up to the parent's coupon.
//!
//! ```toml
//! [[coupon_split]]
//! parent = "7.5"                 # the parent's coupon, percent
//! classes = ["CF", "CIF"]
//! weights = ["75", "25"]
//! ```
//!
//! Each class's coupon is fixed or `index x multiplier + margin` with an
//! optional cap and floor. Where no cap or floor binds the weighted coupons
//! are linear in the index, and they add up at every index exactly when the
//! weighted multipliers add up to zero and the weighted margins (and fixed
//! rates) to the parent's coupon: that is what is checked, and a split that
//! fails it is refused. The index range where no cap or floor binds is
//! reported, and so is how far beyond it the coupons still add up (a
//! floater's cap and an inverse floater's floor that bind at the same index
//! keep them adding up above it).

use rust_decimal::Decimal;

use super::{Coupon, CouponKind};

/// An index range: `None` for no bound on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub low: Option<Decimal>,
    pub high: Option<Decimal>,
}

impl Range {
    /// `index <= 9.5%`, `0% <= index <= 9.5%`, `any index`.
    pub fn describe(&self) -> String {
        let pct = |d: Decimal| format!("{}%", (d * Decimal::ONE_HUNDRED).normalize());
        match (self.low, self.high) {
            (None, None) => "at any index".to_string(),
            (Some(l), None) => format!("for index >= {}", pct(l)),
            (None, Some(h)) => format!("for index <= {}", pct(h)),
            (Some(l), Some(h)) => format!("for {} <= index <= {}", pct(l), pct(h)),
        }
    }
}

/// A validated coupon split.
#[derive(Debug, Clone)]
pub struct CouponSplit {
    /// The parent's coupon, a fraction.
    pub parent: Decimal,
    pub classes: Vec<usize>,
    pub weights: Vec<Decimal>,
    /// Where no class's cap or floor binds: the weighted coupons add up
    /// there by the check.
    pub unbound: Range,
    /// Where they add up (at least `unbound`; more when caps and floors
    /// that bind offset each other).
    pub adds_up: Range,
}

/// Why a split is refused.
pub type Refusal = String;

/// The coupon as `(multiplier, margin)` with its cap and floor, or why it
/// cannot be part of a split.
fn linear(c: &Coupon) -> Result<(Decimal, Decimal), Refusal> {
    if c.capped_by.is_some() {
        return Err(
            "is capped by a rate the deal computes, which cannot be checked at load".into(),
        );
    }
    if !c.step_ups.is_empty() {
        return Err("has step-ups".into());
    }
    match &c.kind {
        CouponKind::Fixed(r) => Ok((Decimal::ZERO, r.exact)),
        CouponKind::Floating { multiplier, margin } => Ok((multiplier.exact, margin.exact)),
        CouponKind::None => Ok((Decimal::ZERO, Decimal::ZERO)),
        CouponKind::Wac { .. } => Err("pays the collateral's WAC".into()),
    }
}

/// The rate of a coupon at `index` (caps and floors applied).
fn rate_at(c: &Coupon, index: Decimal) -> Decimal {
    let (m, b) = linear(c).unwrap_or_default();
    let mut r = m * index + b;
    if let Some(cap) = &c.cap {
        r = r.min(cap.exact);
    }
    if let Some(floor) = &c.floor {
        r = r.max(floor.exact);
    }
    r
}

/// Check a split of `parent` (a fraction) among `coupons` (with their names)
/// in `weights`.
pub fn check(
    parent: Decimal,
    classes: Vec<usize>,
    coupons: &[(&str, &Coupon)],
    weights: Vec<Decimal>,
) -> Result<CouponSplit, Refusal> {
    let total: Decimal = weights.iter().sum();
    if total <= Decimal::ZERO {
        return Err("the weights must add up to more than zero".into());
    }
    let mut slope = Decimal::ZERO;
    let mut level = Decimal::ZERO;
    let mut low: Option<Decimal> = None;
    let mut high: Option<Decimal> = None;
    let mut breaks: Vec<Decimal> = Vec::new();
    let pct = |d: Decimal| format!("{}%", (d * Decimal::ONE_HUNDRED).normalize());
    for ((name, c), w) in coupons.iter().zip(&weights) {
        let (m, b) = linear(c).map_err(|why| format!("{name}'s coupon {why}"))?;
        slope += *w * m;
        level += *w * b;
        // Where the cap and the floor leave the rate alone.
        for (bound, is_cap) in [(&c.cap, true), (&c.floor, false)] {
            let Some(bound) = bound else { continue };
            let bound = bound.exact;
            if m.is_zero() {
                let binds = if is_cap { b > bound } else { b < bound };
                if binds {
                    return Err(format!(
                        "{name}'s {} of {} always binds its fixed {}",
                        if is_cap { "cap" } else { "floor" },
                        pct(bound),
                        pct(b)
                    ));
                }
                continue;
            }
            let at = (bound - b) / m;
            breaks.push(at);
            // m L + b <= cap: L <= at when m > 0; floor the other way.
            let upper = (m > Decimal::ZERO) == is_cap;
            if upper {
                high = Some(high.map_or(at, |h| h.min(at)));
            } else {
                low = Some(low.map_or(at, |l| l.max(at)));
            }
        }
    }
    if let (Some(l), Some(h)) = (low, high)
        && l > h
    {
        return Err(format!(
            "there is no index at which no cap or floor binds (they bind below {} and above {})",
            pct(l),
            pct(h)
        ));
    }
    let index_part = slope / total;
    let fixed_part = level / total;
    if !index_part.is_zero() || fixed_part != parent {
        let mut sum = pct(fixed_part);
        if !index_part.is_zero() {
            sum = format!(
                "{sum} {} {} x index",
                if index_part.is_sign_negative() {
                    "-"
                } else {
                    "+"
                },
                index_part.abs().normalize()
            );
        }
        return Err(format!(
            "the weighted coupons add up to {sum}, not the parent's {} (weighted multipliers must add up to 0 and weighted margins to the parent's coupon)",
            pct(parent)
        ));
    }
    // Beyond the range: the weighted coupon is linear between breakpoints,
    // so it adds up on a stretch where it does at both ends.
    let adds = |index: Decimal| {
        let s: Decimal = coupons
            .iter()
            .zip(&weights)
            .map(|((_, c), w)| *w * rate_at(c, index))
            .sum();
        s == parent * total
    };
    breaks.sort();
    breaks.dedup();
    let extend = |from: Option<Decimal>, up: bool| -> Option<Decimal> {
        let from = from?;
        let mut points: Vec<Decimal> = breaks
            .iter()
            .copied()
            .filter(|b| if up { *b > from } else { *b < from })
            .collect();
        if !up {
            points.reverse();
        }
        let mut reached = from;
        for p in points {
            if !adds(p) {
                return Some(reached);
            }
            reached = p;
        }
        // Past the last breakpoint the weighted coupon is linear: one more
        // point tells whether it stays at the parent's.
        let further = if up {
            reached + Decimal::ONE
        } else {
            reached - Decimal::ONE
        };
        if adds(further) { None } else { Some(reached) }
    };
    let unbound = Range { low, high };
    let adds_up = Range {
        low: extend(low, false),
        high: extend(high, true),
    };
    Ok(CouponSplit {
        parent,
        classes,
        weights,
        unbound,
        adds_up,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::Term;
    use rust_decimal_macros::dec;

    fn floating(
        multiplier: Decimal,
        margin: Decimal,
        cap: Option<Decimal>,
        floor: Option<Decimal>,
    ) -> Coupon {
        Coupon {
            kind: CouponKind::Floating {
                multiplier: Term::new(multiplier),
                margin: Term::new(margin),
            },
            cap: cap.map(Term::new),
            floor: floor.map(Term::new),
            capped_by: None,
            step_ups: Vec::new(),
        }
    }

    #[test]
    fn the_books_floater_and_inverse_floater_add_up_to_7_5_at_any_index() {
        // LIBOR + 0.50% capped at 10%; 28.5% - 3 x LIBOR floored at 0.
        let f = floating(dec!(1), dec!(0.005), Some(dec!(0.10)), None);
        let i = floating(dec!(-3), dec!(0.285), None, Some(dec!(0)));
        let s = check(
            dec!(0.075),
            vec![0, 1],
            &[("CF", &f), ("CIF", &i)],
            vec![dec!(75), dec!(25)],
        )
        .unwrap();
        // The cap binds above 9.5%, the floor at 28.5% / 3 = 9.5% too.
        assert_eq!(
            s.unbound,
            Range {
                low: None,
                high: Some(dec!(0.095))
            }
        );
        // Above it: 0.75 x 10% + 0.25 x 0% = 7.5% still.
        assert_eq!(
            s.adds_up,
            Range {
                low: None,
                high: None
            }
        );
        assert_eq!(s.unbound.describe(), "for index <= 9.5%");
    }

    #[test]
    fn a_cap_that_binds_alone_ends_where_they_add_up() {
        // The floater capped at 9%: above 8.5% it loses what the inverse
        // still pays less of.
        let f = floating(dec!(1), dec!(0.005), Some(dec!(0.09)), None);
        let i = floating(dec!(-3), dec!(0.285), None, Some(dec!(0)));
        let s = check(
            dec!(0.075),
            vec![0, 1],
            &[("CF", &f), ("CIF", &i)],
            vec![dec!(75), dec!(25)],
        )
        .unwrap();
        assert_eq!(s.unbound.high, Some(dec!(0.085)));
        assert_eq!(s.adds_up.high, Some(dec!(0.085)));
    }

    #[test]
    fn coupons_that_do_not_add_up_are_refused_with_their_sum() {
        let f = floating(dec!(1), dec!(0.005), Some(dec!(0.10)), None);
        let i = floating(dec!(-2), dec!(0.285), None, Some(dec!(0)));
        let e = check(
            dec!(0.075),
            vec![0, 1],
            &[("CF", &f), ("CIF", &i)],
            vec![dec!(75), dec!(25)],
        )
        .unwrap_err();
        assert_eq!(
            e,
            "the weighted coupons add up to 7.5% + 0.25 x index, not the parent's 7.5% (weighted multipliers must add up to 0 and weighted margins to the parent's coupon)"
        );
        let i = floating(dec!(-3), dec!(0.28), None, Some(dec!(0)));
        let e = check(
            dec!(0.075),
            vec![0, 1],
            &[("CF", &f), ("CIF", &i)],
            vec![dec!(75), dec!(25)],
        )
        .unwrap_err();
        assert!(
            e.starts_with("the weighted coupons add up to 7.375%, not"),
            "{e}"
        );
    }
}
