//! Prepayment and default speeds in market notation, and the standard
//! conversions between them (SIFMA standard formulas; see
//! `docs/collateral-math.md`).
//!
//! Every speed is written as a percentage: `6CPR` is a 6% annual prepayment
//! rate, `1SMM` a 1% monthly one, `150PSA` one and a half times the PSA ramp.
//! Parsing is case-insensitive and allows a decimal number and spaces
//! (`6.5 cpr`). A vector by projection month is written `[6, 8, 10]CPR`; its
//! last value carries forward.
//!
//! A curve speed (PSA, SDA, PPC) whose implied annual rate would exceed 100% at
//! some loan age is capped at 100% there (everything prepays or defaults that
//! month); the notation itself only refuses negative numbers.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::line::LineKind;
use crate::num::Num;

/// A speed that could not be parsed or is out of range; the message says what
/// was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SpeedError(pub String);

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
    /// Annual rates by projection month (1-based); the last value carries forward.
    CprVector(Vec<Decimal>),
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
    /// Annual rates by projection month (1-based); the last value carries forward.
    CdrVector(Vec<Decimal>),
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

impl Prepay {
    /// Refuse negative numbers, rates above 100% and empty vectors.
    pub fn validate(&self) -> Result<(), SpeedError> {
        match self {
            Prepay::Cpr(v) => check_rate(*v, "CPR"),
            Prepay::Smm(v) => check_rate(*v, "SMM"),
            Prepay::Psa(v) => check_multiple(*v, "PSA"),
            Prepay::Ppc(v) => check_multiple(*v, "PPC"),
            Prepay::CprVector(v) => check_vector(v, "CPR"),
        }
    }

    /// The monthly rate before conversion in projection month `month`
    /// (1-based) for a line of `kind` whose loan age is `age` that month.
    pub(crate) fn rate_at(&self, month: u32, age: u32, kind: LineKind, ppc: &PpcCurves) -> RateAt {
        match self {
            Prepay::Cpr(v) => RateAt::Annual(*v),
            Prepay::Smm(v) => RateAt::Monthly(*v),
            Prepay::Psa(v) => RateAt::Annual(psa_cpr(*v, age)),
            Prepay::Ppc(v) => {
                RateAt::Annual(cap100(*v / Decimal::ONE_HUNDRED * ppc.ramp(kind).cpr(age)))
            }
            Prepay::CprVector(v) => RateAt::Annual(vector_at(v, month)),
        }
    }

    /// The first projection month from which the rate no longer changes, for
    /// a line of `kind` that is `age` months old at the start.
    pub(crate) fn constant_from(&self, age: u32, kind: LineKind, ppc: &PpcCurves) -> u32 {
        match self {
            Prepay::Cpr(_) | Prepay::Smm(_) => 1,
            Prepay::Psa(_) => 30u32.saturating_sub(age).max(1),
            Prepay::Ppc(_) => ppc.ramp(kind).months.saturating_sub(age).max(1),
            Prepay::CprVector(v) => (v.len() as u32).max(1),
        }
    }

    /// The SMM (fraction) in projection month `month` (1-based) for a line of
    /// `kind` whose loan age is `age` that month (1 = the loan's first month).
    pub fn smm(&self, month: u32, age: u32, kind: LineKind, ppc: &PpcCurves) -> Decimal {
        self.rate_at(month, age, kind, ppc).monthly_fraction()
    }
}

impl Defaults {
    /// Refuse negative numbers, rates above 100% and empty vectors.
    pub fn validate(&self) -> Result<(), SpeedError> {
        match self {
            Defaults::Cdr(v) => check_rate(*v, "CDR"),
            Defaults::Mdr(v) => check_rate(*v, "MDR"),
            Defaults::Sda(v) => check_multiple(*v, "SDA"),
            Defaults::CdrVector(v) => check_vector(v, "CDR"),
        }
    }

    pub(crate) fn rate_at(&self, month: u32, age: u32) -> RateAt {
        match self {
            Defaults::Cdr(v) => RateAt::Annual(*v),
            Defaults::Mdr(v) => RateAt::Monthly(*v),
            Defaults::Sda(v) => RateAt::Annual(sda_cdr(*v, age)),
            Defaults::CdrVector(v) => RateAt::Annual(vector_at(v, month)),
        }
    }

    /// The first projection month from which the rate no longer changes, for
    /// a line that is `age` months old at the start.
    pub(crate) fn constant_from(&self, age: u32) -> u32 {
        match self {
            Defaults::Cdr(_) | Defaults::Mdr(_) => 1,
            Defaults::Sda(_) => 121u32.saturating_sub(age).max(1),
            Defaults::CdrVector(v) => (v.len() as u32).max(1),
        }
    }

    /// The MDR (fraction) in projection month `month` (1-based) at loan age
    /// `age`, before the zero rate of the last months before maturity.
    pub fn mdr(&self, month: u32, age: u32) -> Decimal {
        self.rate_at(month, age).monthly_fraction()
    }
}

impl FromStr for Prepay {
    type Err = SpeedError;

    fn from_str(s: &str) -> Result<Self, SpeedError> {
        const EXPECTED: &str = "expected a prepayment speed like 6CPR, 1SMM, 150PSA or 100PPC";
        let speed = match parse_notation(s, EXPECTED, "prepayment")? {
            Notation::Scalar(v, unit) => match unit.as_str() {
                "CPR" => Prepay::Cpr(v),
                "SMM" => Prepay::Smm(v),
                "PSA" => Prepay::Psa(v),
                "PPC" => Prepay::Ppc(v),
                _ => return Err(SpeedError(format!("{EXPECTED}, found '{}'", s.trim()))),
            },
            Notation::Vector(v, unit) if unit == "CPR" => Prepay::CprVector(v),
            Notation::Vector(..) => {
                return Err(SpeedError(format!(
                    "expected a prepayment vector like [6, 8, 10]CPR, found '{}'",
                    s.trim()
                )));
            }
        };
        speed.validate()?;
        Ok(speed)
    }
}

impl FromStr for Defaults {
    type Err = SpeedError;

    fn from_str(s: &str) -> Result<Self, SpeedError> {
        const EXPECTED: &str = "expected a default speed like 2CDR, 1MDR or 100SDA";
        let speed = match parse_notation(s, EXPECTED, "default")? {
            Notation::Scalar(v, unit) => match unit.as_str() {
                "CDR" => Defaults::Cdr(v),
                "MDR" => Defaults::Mdr(v),
                "SDA" => Defaults::Sda(v),
                _ => return Err(SpeedError(format!("{EXPECTED}, found '{}'", s.trim()))),
            },
            Notation::Vector(v, unit) if unit == "CDR" => Defaults::CdrVector(v),
            Notation::Vector(..) => {
                return Err(SpeedError(format!(
                    "expected a default vector like [1, 2, 3]CDR, found '{}'",
                    s.trim()
                )));
            }
        };
        speed.validate()?;
        Ok(speed)
    }
}

impl fmt::Display for Prepay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prepay::Cpr(v) => write!(f, "{}CPR", v.normalize()),
            Prepay::Smm(v) => write!(f, "{}SMM", v.normalize()),
            Prepay::Psa(v) => write!(f, "{}PSA", v.normalize()),
            Prepay::Ppc(v) => write!(f, "{}PPC", v.normalize()),
            Prepay::CprVector(v) => write_vector(f, v, "CPR"),
        }
    }
}

impl fmt::Display for Defaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Defaults::Cdr(v) => write!(f, "{}CDR", v.normalize()),
            Defaults::Mdr(v) => write!(f, "{}MDR", v.normalize()),
            Defaults::Sda(v) => write!(f, "{}SDA", v.normalize()),
            Defaults::CdrVector(v) => write_vector(f, v, "CDR"),
        }
    }
}

fn write_vector(f: &mut fmt::Formatter<'_>, v: &[Decimal], unit: &str) -> fmt::Result {
    f.write_str("[")?;
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}", x.normalize())?;
    }
    write!(f, "]{unit}")
}

enum Notation {
    Scalar(Decimal, String),
    Vector(Vec<Decimal>, String),
}

/// Split `6.5cpr` into (6.5, "CPR") or `[6, 8]cpr` into ([6, 8], "CPR").
fn parse_notation(s: &str, expected: &str, what: &str) -> Result<Notation, SpeedError> {
    let t = s.trim();
    let bad = || SpeedError(format!("{expected}, found '{t}'"));
    if let Some(rest) = t.strip_prefix('[') {
        let close = rest.find(']').ok_or_else(bad)?;
        let unit = rest[close + 1..].trim().to_ascii_uppercase();
        let mut values = Vec::new();
        for item in rest[..close].split(',') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let v = parse_number(item).ok_or_else(|| {
                SpeedError(format!("{expected}, found '{t}': '{item}' is not a number"))
            })?;
            if v.is_sign_negative() && !v.is_zero() {
                return Err(SpeedError(format!(
                    "a {what} speed must not be negative, found '{t}'"
                )));
            }
            values.push(v);
        }
        return Ok(Notation::Vector(values, unit));
    }
    let split = t.find(|c: char| c.is_ascii_alphabetic()).ok_or_else(bad)?;
    let number = t[..split].trim();
    let unit = t[split..].trim().to_ascii_uppercase();
    let v = parse_number(number).ok_or_else(bad)?;
    if v.is_sign_negative() && !v.is_zero() {
        return Err(SpeedError(format!(
            "a {what} speed must not be negative, found '{t}'"
        )));
    }
    Ok(Notation::Scalar(v, unit))
}

fn parse_number(s: &str) -> Option<Decimal> {
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
    {
        return None;
    }
    Decimal::from_str(s).ok().map(|d| d.normalize())
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

fn check_vector(v: &[Decimal], unit: &str) -> Result<(), SpeedError> {
    if v.is_empty() {
        return Err(SpeedError(format!(
            "a {unit} vector needs at least one value, like [6, 8, 10]{unit}"
        )));
    }
    for (i, x) in v.iter().enumerate() {
        check_rate(*x, unit)
            .map_err(|e| SpeedError(format!("{unit} vector month {}: {e}", i + 1)))?;
    }
    Ok(())
}

/// The value for projection month `month` (1-based), the last carrying forward.
fn vector_at(v: &[Decimal], month: u32) -> Decimal {
    match v.len() {
        0 => Decimal::ZERO,
        n => v[(month.max(1) as usize - 1).min(n - 1)],
    }
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
        let p = Prepay::CprVector(vec![dec!(1), dec!(2)]);
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
}
