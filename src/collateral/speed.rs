//! Prepayment and default speeds in market notation, and the standard
//! conversions between them (SIFMA standard formulas; see
//! `docs/collateral-math.md`).
//!
//! Every speed is written as a percentage: `6CPR` is a 6% annual prepayment
//! rate, `1SMM` a 1% monthly one, `150PSA` one and a half times the PSA ramp,
//! `1.5ABS` the auto-loan convention (1.5% of the original number of loans a
//! month), `20HEP` a home-equity ramp to 20% CPR over 10 months. Parsing is
//! case-insensitive and allows a decimal number and spaces (`6.5 cpr`).
//!
//! A speed may also be a vector by projection period in the market's
//! notation (see [`super::notation`]): `5 12R 20 24S 10 CPR`, or the older
//! `[6, 8, 10]CPR`; its last value persists. A vector or a single number
//! written without a unit is in CPR (prepayments) or CDR (defaults).
//!
//! **Vectors of curve speeds.** A vector always indexes by projection period
//! (1 = the first projected month), never by loan age. For a curve unit (PSA,
//! PPC, HEP, SDA, and ABS, whose rate depends on the loan's age), the period's
//! value is the multiple (or ABS rate) in force that period, and the curve is
//! read at the loan's age that period: for a loan 10 months old at the start,
//! `100 200 PSA` is 100 PSA at age 11 (2.2% CPR) in period 1 and 200 PSA at
//! age 12 (4.8% CPR) from period 2 on.
//!
//! A curve speed (PSA, SDA, PPC, HEP) whose implied annual rate would exceed
//! 100% at some loan age is capped at 100% there (everything prepays or
//! defaults that month); the notation itself only refuses negative numbers.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::line::LineKind;
use super::notation::{self, SpeedVector};
use crate::num::Num;

/// A speed that could not be parsed or is out of range; the message says what
/// was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SpeedError(pub String);

/// The unit of a prepayment speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrepayUnit {
    /// Annual rate, percent.
    Cpr,
    /// Monthly rate, percent.
    Smm,
    /// Multiple of the PSA ramp, percent.
    Psa,
    /// Multiple of the prospectus curve of the line's kind, percent.
    Ppc,
    /// Auto-loan ABS rate: percent of the original number of loans a month.
    Abs,
    /// Home-equity prepayment curve: x% HEP ramps to x% CPR over 10 months.
    Hep,
}

/// The unit of a default speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultUnit {
    /// Annual rate, percent.
    Cdr,
    /// Monthly rate, percent.
    Mdr,
    /// Multiple of the standard default assumption curve, percent.
    Sda,
}

impl PrepayUnit {
    pub fn name(self) -> &'static str {
        match self {
            PrepayUnit::Cpr => "CPR",
            PrepayUnit::Smm => "SMM",
            PrepayUnit::Psa => "PSA",
            PrepayUnit::Ppc => "PPC",
            PrepayUnit::Abs => "ABS",
            PrepayUnit::Hep => "HEP",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "CPR" => PrepayUnit::Cpr,
            "SMM" => PrepayUnit::Smm,
            "PSA" => PrepayUnit::Psa,
            "PPC" => PrepayUnit::Ppc,
            "ABS" => PrepayUnit::Abs,
            "HEP" => PrepayUnit::Hep,
            _ => return None,
        })
    }

    /// Whether a value is a rate (0 to 100) rather than a curve multiple.
    fn is_rate(self) -> bool {
        matches!(self, PrepayUnit::Cpr | PrepayUnit::Smm | PrepayUnit::Abs)
    }

    /// The monthly rate before conversion of value `v` at loan age `age`.
    fn rate(self, v: Decimal, age: u32, kind: LineKind, ppc: &PpcCurves) -> RateAt {
        match self {
            PrepayUnit::Cpr => RateAt::Annual(v),
            PrepayUnit::Smm => RateAt::Monthly(v),
            PrepayUnit::Psa => RateAt::Annual(psa_cpr(v, age)),
            PrepayUnit::Ppc => {
                RateAt::Annual(cap100(v / Decimal::ONE_HUNDRED * ppc.ramp(kind).cpr(age)))
            }
            PrepayUnit::Abs => RateAt::Monthly(abs_smm(v, age) * Decimal::ONE_HUNDRED),
            PrepayUnit::Hep => RateAt::Annual(hep_cpr(v, age)),
        }
    }

    /// The first projection month from which a constant value of this unit
    /// gives a constant rate, for a line `age` months old at the start.
    fn flat_from(self, age: u32, kind: LineKind, ppc: &PpcCurves) -> u32 {
        match self {
            PrepayUnit::Cpr | PrepayUnit::Smm => 1,
            PrepayUnit::Psa => 30u32.saturating_sub(age).max(1),
            PrepayUnit::Ppc => ppc.ramp(kind).months.saturating_sub(age).max(1),
            PrepayUnit::Hep => 10u32.saturating_sub(age).max(1),
            // The ABS rate rises every month until everything has prepaid.
            PrepayUnit::Abs => u32::MAX,
        }
    }
}

impl DefaultUnit {
    pub fn name(self) -> &'static str {
        match self {
            DefaultUnit::Cdr => "CDR",
            DefaultUnit::Mdr => "MDR",
            DefaultUnit::Sda => "SDA",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "CDR" => DefaultUnit::Cdr,
            "MDR" => DefaultUnit::Mdr,
            "SDA" => DefaultUnit::Sda,
            _ => return None,
        })
    }

    fn is_rate(self) -> bool {
        !matches!(self, DefaultUnit::Sda)
    }

    fn rate(self, v: Decimal, age: u32) -> RateAt {
        match self {
            DefaultUnit::Cdr => RateAt::Annual(v),
            DefaultUnit::Mdr => RateAt::Monthly(v),
            DefaultUnit::Sda => RateAt::Annual(sda_cdr(v, age)),
        }
    }

    fn flat_from(self, age: u32) -> u32 {
        match self {
            DefaultUnit::Cdr | DefaultUnit::Mdr => 1,
            DefaultUnit::Sda => 121u32.saturating_sub(age).max(1),
        }
    }
}

/// A voluntary prepayment assumption. Numbers are percentages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepay {
    /// Constant annual rate, `6CPR`.
    Cpr(Decimal),
    /// Constant monthly rate, `1SMM`.
    Smm(Decimal),
    /// Multiple of the PSA ramp, `150PSA`.
    Psa(Decimal),
    /// Multiple of the home-equity prospectus curve of the line's kind, `100PPC`.
    Ppc(Decimal),
    /// The auto-loan ABS convention, `1.5ABS` (see [`abs_smm`]).
    Abs(Decimal),
    /// The home-equity prepayment curve, `20HEP` (see [`hep_cpr`]).
    Hep(Decimal),
    /// Values by projection period (1-based) in one unit; the last persists.
    Vector(PrepayUnit, SpeedVector),
}

/// A default assumption. Numbers are percentages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Defaults {
    /// Constant annual rate, `2CDR`.
    Cdr(Decimal),
    /// Constant monthly rate, `1MDR`.
    Mdr(Decimal),
    /// Multiple of the standard default assumption curve, `100SDA`.
    Sda(Decimal),
    /// Values by projection period (1-based) in one unit; the last persists.
    Vector(DefaultUnit, SpeedVector),
}

/// A monthly rate before conversion: either an annual percentage (CPR/CDR) that
/// still needs the twelfth root, or a monthly percentage (SMM/MDR).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RateAt {
    Annual(Decimal),
    Monthly(Decimal),
}

impl RateAt {
    /// The monthly rate as a fraction, computed in `T`.
    pub(crate) fn monthly_fraction<T: Num>(self) -> T {
        match self {
            RateAt::Annual(p) => T::ONE - root12(T::ONE - T::from_decimal(pct_fraction(p))),
            RateAt::Monthly(p) => T::from_decimal(pct_fraction(p)),
        }
    }
}

/// A home-equity prepayment ramp: `start_cpr` in loan month 1 rising linearly
/// to `end_cpr` in loan month `months`, flat after:
/// `cpr(m) = start + (end − start)·(min(m, months) − 1)/(months − 1)` for
/// `months > 1`; a ramp of `months <= 1` is flat at `end_cpr`. CPRs are
/// percentages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ramp {
    pub start_cpr: Decimal,
    pub end_cpr: Decimal,
    pub months: u32,
}

impl Ramp {
    /// The CPR (percent) at loan age `age` (1 = the first month of the loan).
    pub fn cpr(&self, age: u32) -> Decimal {
        if self.months <= 1 {
            return self.end_cpr;
        }
        let m = age.clamp(1, self.months);
        self.start_cpr
            + (self.end_cpr - self.start_cpr) * Decimal::from(m - 1)
                / Decimal::from(self.months - 1)
    }
}

/// The prospectus prepayment curves that `100PPC` means, one per line kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PpcCurves {
    pub fixed: Ramp,
    pub arm: Ramp,
}

impl PpcCurves {
    /// The ramp for lines of `kind`.
    pub fn ramp(&self, kind: LineKind) -> &Ramp {
        match kind {
            LineKind::Fixed => &self.fixed,
            LineKind::Arm => &self.arm,
        }
    }
}

impl Default for PpcCurves {
    /// The shelf's published curves: fixed 4% → 20% CPR over 12 months, ARM
    /// 4% → 35% CPR over 24 months.
    fn default() -> Self {
        PpcCurves {
            fixed: Ramp {
                start_cpr: dec!(4),
                end_cpr: dec!(20),
                months: 12,
            },
            arm: Ramp {
                start_cpr: dec!(4),
                end_cpr: dec!(35),
                months: 24,
            },
        }
    }
}

/// SMM from CPR, both fractions: `1 − CPR = (1 − SMM)^12`. Arguments outside
/// [0, 1] are clamped.
pub fn cpr_to_smm(cpr: Decimal) -> Decimal {
    let c = cpr.clamp(Decimal::ZERO, Decimal::ONE);
    Decimal::ONE - root12(Decimal::ONE - c)
}

/// CPR from SMM, both fractions: `1 − CPR = (1 − SMM)^12`.
pub fn smm_to_cpr(smm: Decimal) -> Decimal {
    let s = smm.clamp(Decimal::ZERO, Decimal::ONE);
    let y = Decimal::ONE - s;
    let y2 = y * y;
    let y4 = y2 * y2;
    Decimal::ONE - y4 * y4 * y4
}

/// MDR from CDR, both fractions (the same relation as [`cpr_to_smm`]).
pub fn cdr_to_mdr(cdr: Decimal) -> Decimal {
    cpr_to_smm(cdr)
}

/// CDR from MDR, both fractions (the same relation as [`smm_to_cpr`]).
pub fn mdr_to_cdr(mdr: Decimal) -> Decimal {
    smm_to_cpr(mdr)
}

/// The CPR (percent) of `psa` PSA at loan age `age`:
/// `psa/100 × 0.2% × min(age, 30)`, capped at 100%.
pub fn psa_cpr(psa: Decimal, age: u32) -> Decimal {
    let base = dec!(0.2) * Decimal::from(age.min(30));
    cap100(psa / Decimal::ONE_HUNDRED * base)
}

/// The CDR (percent) of `sda` SDA at loan age `age`: 0.02% × age to month 30,
/// 0.6% for months 31–60, 0.6% − 0.0095% × (age − 60) for 61–120, 0.03% after;
/// scaled by `sda/100` and capped at 100%. (The zero rate in the last months
/// before maturity is applied by the projection, for every default speed.)
pub fn sda_cdr(sda: Decimal, age: u32) -> Decimal {
    let base = match age {
        0..=30 => dec!(0.02) * Decimal::from(age),
        31..=60 => dec!(0.6),
        61..=120 => dec!(0.6) - dec!(0.0095) * Decimal::from(age - 60),
        _ => dec!(0.03),
    };
    cap100(sda / Decimal::ONE_HUNDRED * base)
}

/// The CPR (percent) of `hep` HEP at loan age `age`: a 10-month ramp,
/// `hep/10 × min(age, 10)` (20 HEP is 2% CPR in the loan's first month, 4%
/// in its second, ..., 20% from its tenth), capped at 100%.
pub fn hep_cpr(hep: Decimal, age: u32) -> Decimal {
    cap100(hep / Decimal::TEN * Decimal::from(age.min(10)))
}

/// The SMM (a fraction) of `abs` ABS (percent) at loan age `age` (1 in the
/// loan's first month): `abs` percent of the *original* number of loans
/// prepay each month, so with `a = abs/100` the share of the loans still
/// outstanding that prepays is `a / (1 − a·(age − 1))`. Once
/// `1 − a·(age − 1)` is zero or below, or the quotient reaches 1, it is 1:
/// everything left prepays. Age 0 is read as age 1.
pub fn abs_smm(abs: Decimal, age: u32) -> Decimal {
    let a = pct_fraction(abs);
    let left = Decimal::ONE - a * Decimal::from(age.max(1) - 1);
    if left <= Decimal::ZERO {
        return Decimal::ONE;
    }
    (a / left).min(Decimal::ONE)
}

impl Prepay {
    /// The unit and, for a constant speed, its value.
    fn parts(&self) -> (PrepayUnit, Option<Decimal>) {
        match self {
            Prepay::Cpr(v) => (PrepayUnit::Cpr, Some(*v)),
            Prepay::Smm(v) => (PrepayUnit::Smm, Some(*v)),
            Prepay::Psa(v) => (PrepayUnit::Psa, Some(*v)),
            Prepay::Ppc(v) => (PrepayUnit::Ppc, Some(*v)),
            Prepay::Abs(v) => (PrepayUnit::Abs, Some(*v)),
            Prepay::Hep(v) => (PrepayUnit::Hep, Some(*v)),
            Prepay::Vector(u, _) => (*u, None),
        }
    }

    /// The constant speed `v` in `unit`.
    pub fn constant(unit: PrepayUnit, v: Decimal) -> Prepay {
        match unit {
            PrepayUnit::Cpr => Prepay::Cpr(v),
            PrepayUnit::Smm => Prepay::Smm(v),
            PrepayUnit::Psa => Prepay::Psa(v),
            PrepayUnit::Ppc => Prepay::Ppc(v),
            PrepayUnit::Abs => Prepay::Abs(v),
            PrepayUnit::Hep => Prepay::Hep(v),
        }
    }

    /// The value (in the speed's unit) in force in projection month `month`.
    fn value_at(&self, month: u32) -> Decimal {
        match (self, self.parts()) {
            (Prepay::Vector(_, v), _) => v.at(month),
            (_, (_, Some(v))) => v,
            _ => Decimal::ZERO,
        }
    }

    /// Refuse negative numbers, rates above 100% and empty vectors.
    pub fn validate(&self) -> Result<(), SpeedError> {
        let (unit, value) = self.parts();
        let check = |v: Decimal| {
            if unit.is_rate() {
                check_rate(v, unit.name())
            } else {
                check_multiple(v, unit.name())
            }
        };
        match (self, value) {
            (Prepay::Vector(_, v), _) => check_vector(v, unit.name(), check),
            (_, Some(v)) => check(v),
            _ => Ok(()),
        }
    }

    /// The monthly rate before conversion in projection month `month`
    /// (1-based) for a line of `kind` whose loan age is `age` that month.
    pub(crate) fn rate_at(&self, month: u32, age: u32, kind: LineKind, ppc: &PpcCurves) -> RateAt {
        let (unit, _) = self.parts();
        unit.rate(self.value_at(month), age, kind, ppc)
    }

    /// The first projection month from which the rate no longer changes, for
    /// a line of `kind` that is `age` months old at the start.
    pub(crate) fn constant_from(&self, age: u32, kind: LineKind, ppc: &PpcCurves) -> u32 {
        let (unit, _) = self.parts();
        let flat = unit.flat_from(age, kind, ppc);
        match self {
            Prepay::Vector(_, v) => flat.max(v.len() as u32),
            _ => flat,
        }
    }

    /// The SMM (fraction) in projection month `month` (1-based) for a line of
    /// `kind` whose loan age is `age` that month (1 = the loan's first month).
    pub fn smm(&self, month: u32, age: u32, kind: LineKind, ppc: &PpcCurves) -> Decimal {
        self.rate_at(month, age, kind, ppc).monthly_fraction()
    }
}

impl Defaults {
    fn parts(&self) -> (DefaultUnit, Option<Decimal>) {
        match self {
            Defaults::Cdr(v) => (DefaultUnit::Cdr, Some(*v)),
            Defaults::Mdr(v) => (DefaultUnit::Mdr, Some(*v)),
            Defaults::Sda(v) => (DefaultUnit::Sda, Some(*v)),
            Defaults::Vector(u, _) => (*u, None),
        }
    }

    /// The constant speed `v` in `unit`.
    pub fn constant(unit: DefaultUnit, v: Decimal) -> Defaults {
        match unit {
            DefaultUnit::Cdr => Defaults::Cdr(v),
            DefaultUnit::Mdr => Defaults::Mdr(v),
            DefaultUnit::Sda => Defaults::Sda(v),
        }
    }

    fn value_at(&self, month: u32) -> Decimal {
        match (self, self.parts()) {
            (Defaults::Vector(_, v), _) => v.at(month),
            (_, (_, Some(v))) => v,
            _ => Decimal::ZERO,
        }
    }

    /// True when no loan ever defaults (every value is zero).
    pub fn is_zero(&self) -> bool {
        match (self, self.parts()) {
            (Defaults::Vector(_, v), _) => v.values().iter().all(|x| x.is_zero()),
            (_, (_, Some(v))) => v.is_zero(),
            _ => true,
        }
    }

    /// Refuse negative numbers, rates above 100% and empty vectors.
    pub fn validate(&self) -> Result<(), SpeedError> {
        let (unit, value) = self.parts();
        let check = |v: Decimal| {
            if unit.is_rate() {
                check_rate(v, unit.name())
            } else {
                check_multiple(v, unit.name())
            }
        };
        match (self, value) {
            (Defaults::Vector(_, v), _) => check_vector(v, unit.name(), check),
            (_, Some(v)) => check(v),
            _ => Ok(()),
        }
    }

    pub(crate) fn rate_at(&self, month: u32, age: u32) -> RateAt {
        let (unit, _) = self.parts();
        unit.rate(self.value_at(month), age)
    }

    /// The first projection month from which the rate no longer changes, for
    /// a line that is `age` months old at the start.
    pub(crate) fn constant_from(&self, age: u32) -> u32 {
        let (unit, _) = self.parts();
        let flat = unit.flat_from(age);
        match self {
            Defaults::Vector(_, v) => flat.max(v.len() as u32),
            _ => flat,
        }
    }

    /// The MDR (fraction) in projection month `month` (1-based) at loan age
    /// `age`, before the zero rate of the last months before maturity.
    pub fn mdr(&self, month: u32, age: u32) -> Decimal {
        self.rate_at(month, age).monthly_fraction()
    }
}

/// What a prepayment speed looks like, for messages.
const PREPAY_EXPECTED: &str =
    "expected a prepayment speed like 6CPR, 1SMM, 150PSA, 100PPC, 1.5ABS, 20HEP or 5 12R 20 CPR";

/// What a default speed looks like, for messages.
const DEFAULT_EXPECTED: &str = "expected a default speed like 2CDR, 1MDR, 100SDA or 1 12R 4 CDR";

impl FromStr for Prepay {
    type Err = SpeedError;

    /// `6CPR`, `1.5ABS`, `5 12R 20 24S 10 CPR`, `[6, 8, 10]CPR`; CPR when no
    /// unit is written.
    fn from_str(s: &str) -> Result<Self, SpeedError> {
        let w = notation::parse(s, PREPAY_EXPECTED, "prepayment")?;
        let unit = match w.unit.as_deref() {
            None => PrepayUnit::Cpr,
            Some(u) => PrepayUnit::from_name(u)
                .ok_or_else(|| SpeedError(format!("{PREPAY_EXPECTED}, found '{}'", s.trim())))?,
        };
        let speed = if w.single {
            Prepay::constant(unit, w.vector.values()[0])
        } else {
            Prepay::Vector(unit, w.vector)
        };
        speed.validate()?;
        Ok(speed)
    }
}

impl FromStr for Defaults {
    type Err = SpeedError;

    /// `2CDR`, `100SDA`, `1 12R 4 24S 2 CDR`, `[1, 2, 3]CDR`; CDR when no
    /// unit is written.
    fn from_str(s: &str) -> Result<Self, SpeedError> {
        let w = notation::parse(s, DEFAULT_EXPECTED, "default")?;
        let unit = match w.unit.as_deref() {
            None => DefaultUnit::Cdr,
            Some(u) => DefaultUnit::from_name(u)
                .ok_or_else(|| SpeedError(format!("{DEFAULT_EXPECTED}, found '{}'", s.trim())))?,
        };
        let speed = if w.single {
            Defaults::constant(unit, w.vector.values()[0])
        } else {
            Defaults::Vector(unit, w.vector)
        };
        speed.validate()?;
        Ok(speed)
    }
}

impl fmt::Display for Prepay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.parts()) {
            (Prepay::Vector(u, v), _) => f.write_str(&v.display_with(u.name())),
            (_, (u, Some(v))) => write!(f, "{}{}", v.normalize(), u.name()),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Defaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.parts()) {
            (Defaults::Vector(u, v), _) => f.write_str(&v.display_with(u.name())),
            (_, (u, Some(v))) => write!(f, "{}{}", v.normalize(), u.name()),
            _ => Ok(()),
        }
    }
}

fn check_rate(v: Decimal, unit: &str) -> Result<(), SpeedError> {
    if v < Decimal::ZERO || v > Decimal::ONE_HUNDRED {
        Err(SpeedError(format!(
            "a {unit} speed must be between 0 and 100 (percent), found {}{unit}",
            v.normalize()
        )))
    } else {
        Ok(())
    }
}

fn check_multiple(v: Decimal, unit: &str) -> Result<(), SpeedError> {
    if v < Decimal::ZERO {
        Err(SpeedError(format!(
            "a {unit} speed must not be negative, found {}{unit}",
            v.normalize()
        )))
    } else {
        Ok(())
    }
}

fn check_vector(
    v: &SpeedVector,
    unit: &str,
    check: impl Fn(Decimal) -> Result<(), SpeedError>,
) -> Result<(), SpeedError> {
    if v.is_empty() {
        return Err(SpeedError(format!(
            "a {unit} vector needs at least one value, like 6 8 10 {unit}"
        )));
    }
    if v.len() > notation::MAX_VECTOR_PERIODS {
        return Err(SpeedError(format!(
            "a {unit} vector of {} periods is longer than the longest projection ({} periods)",
            v.len(),
            notation::MAX_VECTOR_PERIODS
        )));
    }
    for (i, x) in v.values().iter().enumerate() {
        check(*x).map_err(|e| SpeedError(format!("{unit} vector period {}: {e}", i + 1)))?;
    }
    Ok(())
}

fn cap100(p: Decimal) -> Decimal {
    p.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
}

fn pct_fraction(p: Decimal) -> Decimal {
    cap100(p) / Decimal::ONE_HUNDRED
}

/// `a^(1/12)` for `a` in [0, 1], to the number type's full precision: a
/// double-precision first guess refined by Newton steps.
fn root12<T: Num>(a: T) -> T {
    if a <= T::ZERO {
        return T::ZERO;
    }
    if a >= T::ONE {
        return T::ONE;
    }
    let mut y = T::from_f64(a.to_f64().powf(1.0 / 12.0));
    let twelve = T::from_i64(12);
    for _ in 0..3 {
        let y2 = y * y;
        let y4 = y2 * y2;
        let y8 = y4 * y4;
        let y11 = y8 * y2 * y;
        let step = (y11 * y - a).div_or_zero(twelve * y11);
        if step == T::ZERO {
            break;
        }
        y -= step;
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Decimal, b: Decimal, tol: Decimal) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn six_cpr_is_about_half_a_percent_smm() {
        // (1 − 0.06)^(1/12) = 0.99485... so SMM = 0.005143.
        let smm = cpr_to_smm(dec!(0.06));
        assert!(close(smm, dec!(0.005143), dec!(0.0000005)), "{smm}");
        assert!(close(smm_to_cpr(smm), dec!(0.06), dec!(1e-24)));
    }

    #[test]
    fn one_smm_is_about_eleven_point_four_cpr() {
        // 1 − 0.99^12 = 0.113615...
        assert!(close(
            smm_to_cpr(dec!(0.01)),
            dec!(0.1136151),
            dec!(0.0000001)
        ));
        assert!(close(
            cpr_to_smm(smm_to_cpr(dec!(0.01))),
            dec!(0.01),
            dec!(1e-24)
        ));
    }

    #[test]
    fn extreme_rates_convert_exactly() {
        assert_eq!(cpr_to_smm(Decimal::ZERO), Decimal::ZERO);
        assert_eq!(cpr_to_smm(Decimal::ONE), Decimal::ONE);
        assert_eq!(smm_to_cpr(Decimal::ONE), Decimal::ONE);
    }

    #[test]
    fn psa_ramps_to_six_cpr_at_month_thirty() {
        assert_eq!(psa_cpr(dec!(100), 1), dec!(0.2));
        assert_eq!(psa_cpr(dec!(100), 30), dec!(6));
        assert_eq!(psa_cpr(dec!(100), 200), dec!(6));
        assert_eq!(psa_cpr(dec!(150), 30), dec!(9));
        // 2000 PSA would be 120% CPR at month 30: capped.
        assert_eq!(psa_cpr(dec!(2000), 30), dec!(100));
    }

    #[test]
    fn sda_curve_points() {
        assert_eq!(sda_cdr(dec!(100), 15), dec!(0.3));
        assert_eq!(sda_cdr(dec!(100), 30), dec!(0.6));
        assert_eq!(sda_cdr(dec!(100), 45), dec!(0.6));
        assert_eq!(sda_cdr(dec!(100), 61), dec!(0.5905));
        assert_eq!(sda_cdr(dec!(100), 120), dec!(0.03));
        assert_eq!(sda_cdr(dec!(100), 300), dec!(0.03));
        assert_eq!(sda_cdr(dec!(200), 45), dec!(1.2));
    }

    #[test]
    fn ppc_ramps() {
        let c = PpcCurves::default();
        assert_eq!(c.fixed.cpr(1), dec!(4));
        assert_eq!(c.fixed.cpr(12), dec!(20));
        assert_eq!(c.fixed.cpr(40), dec!(20));
        assert_eq!(c.arm.cpr(1), dec!(4));
        assert_eq!(c.arm.cpr(24), dec!(35));
        let p = Prepay::Ppc(dec!(150));
        assert_eq!(
            p.rate_at(1, 12, LineKind::Fixed, &c),
            RateAt::Annual(dec!(30))
        );
    }

    #[test]
    fn vectors_carry_forward() {
        let p = Prepay::Vector(
            PrepayUnit::Cpr,
            SpeedVector::from_values(&[dec!(1), dec!(2)]),
        );
        let c = PpcCurves::default();
        assert_eq!(
            p.rate_at(1, 5, LineKind::Fixed, &c),
            RateAt::Annual(dec!(1))
        );
        assert_eq!(
            p.rate_at(9, 5, LineKind::Fixed, &c),
            RateAt::Annual(dec!(2))
        );
    }

    #[test]
    fn a_psa_vector_reads_the_curve_at_each_period_s_loan_age() {
        // 100 PSA in period 1, 200 PSA from period 2, for a loan aged 11 in
        // period 1: 100% × 0.2 × 11 = 2.2 CPR, then 200% × 0.2 × 12 = 4.8 CPR,
        // and 200% × 0.2 × 30 = 12 CPR once the ramp is flat.
        let p: Prepay = "100 200 PSA".parse().unwrap();
        let c = PpcCurves::default();
        let at = |month, age| p.rate_at(month, age, LineKind::Fixed, &c);
        assert_eq!(at(1, 11), RateAt::Annual(dec!(2.2)));
        assert_eq!(at(2, 12), RateAt::Annual(dec!(4.8)));
        assert_eq!(at(40, 50), RateAt::Annual(dec!(12)));
        // Rates change until the vector ends and the curve is flat: loan age
        // 30 is projection month 20 for a loan 10 months old at the start.
        assert_eq!(p.constant_from(10, LineKind::Fixed, &c), 20);
    }

    #[test]
    fn hep_is_a_ten_month_ramp() {
        // 20 HEP: 20/10 = 2 CPR a month of age, 2, 4, ..., 20 at age 10, flat after.
        let expected = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20];
        for (age, cpr) in (1..=10).zip(expected) {
            assert_eq!(hep_cpr(dec!(20), age), Decimal::from(cpr), "age {age}");
        }
        assert_eq!(hep_cpr(dec!(20), 11), dec!(20));
        assert_eq!(hep_cpr(dec!(20), 300), dec!(20));
        // 35 HEP at age 3: 3.5 × 3 = 10.5 CPR.
        assert_eq!(hep_cpr(dec!(35), 3), dec!(10.5));
        // 1500 HEP would be 150 CPR at age 10: capped at 100.
        assert_eq!(hep_cpr(dec!(1500), 10), dec!(100));
        let p: Prepay = "20HEP".parse().unwrap();
        assert_eq!(p, Prepay::Hep(dec!(20)));
        assert_eq!(
            p.rate_at(1, 4, LineKind::Arm, &PpcCurves::default()),
            RateAt::Annual(dec!(8))
        );
    }

    #[test]
    fn abs_prepays_a_share_of_the_original_loans() {
        // 1.5 ABS, a = 0.015: SMM(m) = 0.015 / (1 − 0.015 × (m − 1)).
        // m = 1: 0.015 / 1 = 0.015.
        assert_eq!(abs_smm(dec!(1.5), 1), dec!(0.015));
        // m = 2: 0.015 / 0.985 = 0.01522842639593908629441624365...
        assert!(close(
            abs_smm(dec!(1.5), 2),
            dec!(0.0152284263959390862944162437),
            dec!(1e-27)
        ));
        // m = 11: 0.015 / (1 − 0.15) = 0.015 / 0.85 = 3/170 = 0.0176470588235294117647058824...
        assert!(close(
            abs_smm(dec!(1.5), 11),
            dec!(0.0176470588235294117647058824),
            dec!(1e-27)
        ));
        // m = 51: 0.015 / (1 − 0.75) = 0.06.
        assert_eq!(abs_smm(dec!(1.5), 51), dec!(0.06));
        // m = 66: 0.015 / (1 − 0.975) = 0.015 / 0.025 = 0.6.
        assert_eq!(abs_smm(dec!(1.5), 66), dec!(0.6));
        // m = 67: 1 − 0.015 × 66 = 0.01, 0.015 / 0.01 = 1.5 > 1: everything prepays.
        assert_eq!(abs_smm(dec!(1.5), 67), Decimal::ONE);
        // m = 68: 1 − 0.015 × 67 = −0.005 ≤ 0: everything prepays.
        assert_eq!(abs_smm(dec!(1.5), 68), Decimal::ONE);
        // 2 ABS at m = 51: 1 − 0.02 × 50 = 0 exactly: SMM 1.
        assert_eq!(abs_smm(dec!(2), 51), Decimal::ONE);
        // Through the speed: the SMM as a fraction in the line's month.
        let p: Prepay = "1.5ABS".parse().unwrap();
        assert_eq!(p, Prepay::Abs(dec!(1.5)));
        let c = PpcCurves::default();
        assert_eq!(p.smm(1, 1, LineKind::Fixed, &c), dec!(0.015));
        assert_eq!(p.smm(7, 51, LineKind::Fixed, &c), dec!(0.06));
    }

    #[test]
    fn the_acceptance_ramp_five_to_twenty_cpr() {
        // "5 12R 20": 5 in period 1, + (20 − 5)/12 = 1.25 a period, 20 in period 13.
        let p: Prepay = "5 12R 20".parse().unwrap();
        let expected = [
            dec!(5),
            dec!(6.25),
            dec!(7.5),
            dec!(8.75),
            dec!(10),
            dec!(11.25),
            dec!(12.5),
            dec!(13.75),
            dec!(15),
            dec!(16.25),
            dec!(17.5),
            dec!(18.75),
            dec!(20),
        ];
        let c = PpcCurves::default();
        for (month, cpr) in (1..).zip(expected) {
            assert_eq!(
                p.rate_at(month, 100, LineKind::Fixed, &c),
                RateAt::Annual(cpr),
                "period {month}"
            );
        }
        assert_eq!(
            p.rate_at(14, 100, LineKind::Fixed, &c),
            RateAt::Annual(dec!(20))
        );
        assert_eq!(p.to_string(), "5 12R 20 CPR");
    }
}
