//! A deal's terms converted once to the engine's number type.

use crate::deal::{Coupon, Deal, OcAmount, Rule, Trigger};
use crate::num::Num;

#[derive(Debug, Clone, Copy)]
pub enum CouponT<T> {
    None,
    Fixed(T),
    Floating { margin: T, margin_after_call: T },
    Inverse { strike: T },
}

#[derive(Debug, Clone, Copy)]
pub enum OcAmountT<T> {
    Amount(T),
    OfCutoff(T),
    OfCurrent(T),
}

impl<T: Num> OcAmountT<T> {
    fn from(a: OcAmount) -> Self {
        match a {
            OcAmount::Amount(x) => OcAmountT::Amount(T::from_decimal(x)),
            OcAmount::OfCutoff(x) => OcAmountT::OfCutoff(T::from_decimal(x)),
            OcAmount::OfCurrent(x) => OcAmountT::OfCurrent(T::from_decimal(x)),
        }
    }

    /// The amount, rounded to the cent.
    pub fn value(self, cutoff: T, current: T) -> T {
        match self {
            OcAmountT::Amount(x) => x,
            OcAmountT::OfCutoff(p) => (p * cutoff).round_cents(),
            OcAmountT::OfCurrent(p) => (p * current).round_cents(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum TriggerT<T> {
    Delinquency {
        fraction: T,
        months: usize,
    },
    CumulativeLoss {
        schedule: Vec<(chrono::NaiveDate, T)>,
    },
}

/// Deal terms as `T`.
#[derive(Debug, Clone)]
pub struct Terms<T> {
    pub coupons: Vec<CouponT<T>>,
    pub originals: Vec<T>,
    pub targets: Vec<Option<T>>,
    pub fee_rates: Vec<T>,
    pub cutoff: T,
    pub oc_before: Option<OcAmountT<T>>,
    pub oc_after: Option<OcAmountT<T>>,
    pub oc_floor: Option<OcAmountT<T>>,
    pub stepdown_enhancement: Option<T>,
    pub triggers: Vec<TriggerT<T>>,
    pub call_threshold: Option<T>,
    /// Fixed weights per allocation (empty unless the rule is fixed).
    pub weights: Vec<Vec<T>>,
    /// Classes that carry principal, in declaration order.
    pub principal_classes: Vec<usize>,
    pub senior_classes: Vec<usize>,
}

impl<T: Num> Terms<T> {
    pub fn new(deal: &Deal) -> Self {
        let d = T::from_decimal;
        Terms {
            coupons: deal
                .classes
                .iter()
                .map(|c| match c.coupon {
                    Coupon::None => CouponT::None,
                    Coupon::Fixed(x) => CouponT::Fixed(d(x)),
                    Coupon::Floating {
                        margin,
                        margin_after_call,
                    } => CouponT::Floating {
                        margin: d(margin),
                        margin_after_call: d(margin_after_call),
                    },
                    Coupon::Inverse { strike } => CouponT::Inverse { strike: d(strike) },
                })
                .collect(),
            originals: deal.classes.iter().map(|c| d(c.original_balance)).collect(),
            targets: deal
                .classes
                .iter()
                .map(|c| c.target_enhancement.map(d))
                .collect(),
            fee_rates: deal.fees.iter().map(|f| d(f.rate)).collect(),
            cutoff: d(deal.cutoff_balance),
            oc_before: deal.oc.as_ref().map(|o| OcAmountT::from(o.before_stepdown)),
            oc_after: deal
                .oc
                .as_ref()
                .and_then(|o| o.after_stepdown.map(OcAmountT::from)),
            oc_floor: deal.oc.as_ref().and_then(|o| o.floor.map(OcAmountT::from)),
            stepdown_enhancement: deal.stepdown.as_ref().map(|s| d(s.senior_enhancement)),
            triggers: deal
                .triggers
                .iter()
                .map(|t| match t {
                    Trigger::Delinquency {
                        fraction_of_senior_enhancement,
                        rolling_months,
                        ..
                    } => TriggerT::Delinquency {
                        fraction: d(*fraction_of_senior_enhancement),
                        months: *rolling_months as usize,
                    },
                    Trigger::CumulativeLoss { schedule, .. } => TriggerT::CumulativeLoss {
                        schedule: schedule.iter().map(|&(date, p)| (date, d(p))).collect(),
                    },
                })
                .collect(),
            call_threshold: deal
                .call
                .as_ref()
                .map(|c| (d(c.fraction_of_cutoff) * d(deal.cutoff_balance)).round_cents()),
            weights: deal
                .allocations
                .iter()
                .map(|a| match &a.rule {
                    Rule::Fixed(w) => w.iter().map(|&x| d(x)).collect(),
                    _ => Vec::new(),
                })
                .collect(),
            principal_classes: deal
                .classes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.kind.carries_principal())
                .map(|(i, _)| i)
                .collect(),
            senior_classes: deal.senior_classes().collect(),
        }
    }
}
