//! Scenario assumptions and the monthly rates they imply, computed once.
//!
//! A [`RatePlan`] holds the SMM and MDR for every projection month of lines of
//! one kind (fixed or ARM) and one loan age. Building it does the only
//! fractional powers of a projection (the twelfth root that turns CPR into SMM,
//! computed once per distinct annual rate); stepping a line then just reads two
//! numbers a month. Lines of the same kind and age share one plan.

use rust_decimal::Decimal;

use super::line::{LineKind, LoanLine};
use super::speed::{Defaults, PpcCurves, Prepay, RateAt, SpeedError};
use crate::num::Num;

/// A prepayment and default scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Assumptions {
    pub prepay: Prepay,
    pub defaults: Defaults,
    /// Loss severity on liquidation, as a fraction of the defaulted balance.
    pub severity: Decimal,
    /// Months from default to liquidation.
    pub lag: u32,
    /// Whether the servicer advances principal and interest on defaulted
    /// loans (defaulted balances then keep amortizing until liquidation).
    pub advancing: bool,
    /// The curves `PPC` speeds scale.
    pub ppc: PpcCurves,
}

impl Assumptions {
    /// Check speeds and that the severity is a fraction in [0, 1].
    pub fn validate(&self) -> Result<(), SpeedError> {
        self.prepay.validate()?;
        self.defaults.validate()?;
        if self.severity < Decimal::ZERO || self.severity > Decimal::ONE {
            return Err(SpeedError(format!(
                "severity must be a fraction between 0 and 1, found {}",
                self.severity
            )));
        }
        Ok(())
    }
}

/// SMM and MDR (fractions) by projection month for lines of one kind and age,
/// plus the scenario's severity, lag and advancing flag in the engine's number
/// type. Months past the plan's length use its last month.
#[derive(Debug, Clone)]
pub struct RatePlan<T> {
    smm: Vec<T>,
    mdr: Vec<T>,
    pub(crate) severity: T,
    pub(crate) lag: u32,
    pub(crate) advancing: bool,
}

impl<T: Num> RatePlan<T> {
    /// The plan for `months` projection months of lines of `kind` that are
    /// `age` months old at the start. Rates outside [0, 1] are clamped (use
    /// [`Assumptions::validate`] to refuse them instead).
    pub fn new(a: &Assumptions, kind: LineKind, age: u32, months: u32) -> Self {
        let n = months.max(1);
        // Rates are computed month by month until the curves go flat (PSA
        // after loan month 30, HEP after 10, SDA after 120, a PPC ramp after
        // its length, a vector after its last value and its unit's curve;
        // ABS rises to the end); the rest repeats the last month.
        let smm = fill(n, a.prepay.constant_from(age, kind, &a.ppc), |month| {
            a.prepay.rate_at(month, age + month, kind, &a.ppc)
        });
        let mdr = fill(n, a.defaults.constant_from(age), |month| {
            a.defaults.rate_at(month, age + month)
        });
        RatePlan {
            smm,
            mdr,
            severity: T::from_decimal(a.severity.clamp(Decimal::ZERO, Decimal::ONE)),
            lag: a.lag,
            advancing: a.advancing,
        }
    }

    /// The plan for `line` (its kind and age) over `months` months.
    pub fn for_line(a: &Assumptions, line: &LoanLine, months: u32) -> Self {
        Self::new(a, line.kind(), line.age(), months)
    }

    /// SMM in projection month `month` (1-based).
    #[inline]
    pub fn smm(&self, month: u32) -> T {
        self.smm[index(month, self.smm.len())]
    }

    /// MDR in projection month `month` (1-based), before the zero rate of a
    /// line's last `lag` months.
    #[inline]
    pub fn mdr(&self, month: u32) -> T {
        self.mdr[index(month, self.mdr.len())]
    }

    /// Months from default to liquidation.
    pub fn lag(&self) -> u32 {
        self.lag
    }

    /// Months the plan holds rates for.
    pub fn months(&self) -> u32 {
        self.smm.len() as u32
    }
}

#[inline]
fn index(month: u32, len: usize) -> usize {
    (month.max(1) as usize - 1).min(len - 1)
}

/// `n` monthly rates from `rate_at`, computed for months `1..=flat_from` and
/// repeated after; each distinct rate is converted once.
fn fill<T: Num>(n: u32, flat_from: u32, rate_at: impl Fn(u32) -> RateAt) -> Vec<T> {
    let mut out = Vec::with_capacity(n as usize);
    let mut last: Option<(RateAt, T)> = None;
    for month in 1..=flat_from.min(n) {
        let r = rate_at(month);
        let v = match last {
            Some((k, v)) if k == r => v,
            _ => r.monthly_fraction::<T>(),
        };
        last = Some((r, v));
        out.push(v);
    }
    let v = last.map(|(_, v)| v).unwrap_or(T::ZERO);
    out.resize(n as usize, v);
    out
}
