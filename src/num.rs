//! The number type the engine computes in.
//!
//! One engine serves two purposes: reconciling a filing to the cent, where every
//! amount is a [`Decimal`], and running thousands of projections a second, where
//! every amount is an `f64`. The engine is generic over [`Num`]; both paths round
//! at the same places with the same rule, so they agree to within a cent.

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};

/// The rounding rule for money: to the cent, halves away from zero (the rule a
/// trustee's spreadsheet applies when it shows a figure to the cent).
pub const MONEY_ROUNDING: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// Decimal places kept for money.
pub const CENTS: u32 = 2;

/// Arithmetic the engine needs, implemented for exact [`Decimal`] and fast `f64`.
pub trait Num:
    Copy
    + PartialOrd
    + Debug
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
{
    const ZERO: Self;
    const ONE: Self;

    fn from_decimal(d: Decimal) -> Self;
    /// A deal term in this type: its exact value for `Decimal`, its `f64`
    /// for `f64` (converted once, when the deal was read).
    fn of(t: &Term) -> Self;
    fn from_f64(x: f64) -> Self;
    fn from_i64(x: i64) -> Self;
    fn to_decimal(self) -> Decimal;
    fn to_f64(self) -> f64;
    /// The value in units of `10^-dp`, as `to_decimal` rounded to `dp`
    /// places with [`MONEY_ROUNDING`] would give it, when that is known
    /// without the `Decimal` ([`fixed_point`] for `f64`); `None` where only
    /// the `Decimal` can tell (always for `Decimal` itself).
    fn fixed_point(self, _dp: u32) -> Option<i64> {
        None
    }

    /// Round to the cent with [`MONEY_ROUNDING`].
    fn round_cents(self) -> Self;

    /// A sum or difference of cent amounts, as a cent amount. For `Decimal`
    /// it already is one; an `f64` sum drifts off the cent grid by a few
    /// ulps, and is put back on it, so that paying a balance exactly what a
    /// limit says leaves exactly zero, as the exact path does.
    fn canon(self) -> Self;

    /// `self / d`, or zero when `d` is zero.
    fn div_or_zero(self, d: Self) -> Self {
        if d == Self::ZERO {
            Self::ZERO
        } else {
            self / d
        }
    }

    fn min_of(self, o: Self) -> Self {
        if o < self { o } else { self }
    }

    fn max_of(self, o: Self) -> Self {
        if o > self { o } else { self }
    }

    /// `max(self, 0)`.
    fn pos(self) -> Self {
        self.max_of(Self::ZERO)
    }

    fn is_positive(self) -> bool {
        self > Self::ZERO
    }

    /// `self ^ n` for a whole exponent.
    fn powi(self, n: i32) -> Self;

    /// `self + o`, `self - o`, `self * o`, `self / o` (zero for a zero
    /// divisor) that cannot overflow: a result beyond the type's range
    /// saturates at its largest magnitude. The expression language uses these,
    /// so no deal term can make the engine panic.
    fn add_sat(self, o: Self) -> Self;
    fn sub_sat(self, o: Self) -> Self;
    fn mul_sat(self, o: Self) -> Self;
    fn div_sat(self, o: Self) -> Self;

    /// `self` held within `±limit`.
    fn clamp_abs(self, limit: Self) -> Self {
        self.min_of(limit).max_of(-limit)
    }
}

/// The largest amount an expression's result may be used as (money beyond
/// this is clamped): a thousand times the largest balance a deal file accepts.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0); // 10^15

/// Saturate a checked Decimal result in the direction of its exact value.
fn saturate(r: Option<Decimal>, negative: bool) -> Decimal {
    r.unwrap_or(if negative { Decimal::MIN } else { Decimal::MAX })
}

/// A number of a deal's terms (a rate, a margin, an amount), held both
/// exactly and as the `f64` the fast path computes with, so that neither path
/// converts it again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    pub exact: Decimal,
    pub fast: f64,
}

impl Term {
    pub fn new(exact: Decimal) -> Self {
        Term {
            exact,
            fast: ToPrimitive::to_f64(&exact).unwrap_or(0.0),
        }
    }

    pub const ZERO: Term = Term {
        exact: Decimal::ZERO,
        fast: 0.0,
    };
}

impl From<Decimal> for Term {
    fn from(d: Decimal) -> Self {
        Term::new(d)
    }
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.exact.normalize(), f)
    }
}

impl Num for Decimal {
    const ZERO: Self = Decimal::ZERO;
    const ONE: Self = Decimal::ONE;

    fn from_decimal(d: Decimal) -> Self {
        d
    }
    fn of(t: &Term) -> Self {
        t.exact
    }
    fn from_f64(x: f64) -> Self {
        <Decimal as FromPrimitive>::from_f64(x).unwrap_or(Decimal::ZERO)
    }
    fn from_i64(x: i64) -> Self {
        Decimal::from(x)
    }
    fn to_decimal(self) -> Decimal {
        self
    }
    fn to_f64(self) -> f64 {
        ToPrimitive::to_f64(&self).unwrap_or(0.0)
    }
    fn round_cents(self) -> Self {
        self.round_dp_with_strategy(CENTS, MONEY_ROUNDING)
    }
    #[inline]
    fn canon(self) -> Self {
        self
    }
    fn powi(self, n: i32) -> Self {
        use rust_decimal::MathematicalOps;
        if n >= 0 {
            self.powu(n as u64)
        } else {
            Decimal::ONE / self.powu((-n) as u64)
        }
    }
    fn add_sat(self, o: Self) -> Self {
        saturate(self.checked_add(o), o.is_sign_negative())
    }
    fn sub_sat(self, o: Self) -> Self {
        saturate(self.checked_sub(o), o.is_sign_positive())
    }
    fn mul_sat(self, o: Self) -> Self {
        saturate(
            self.checked_mul(o),
            self.is_sign_negative() != o.is_sign_negative(),
        )
    }
    fn div_sat(self, o: Self) -> Self {
        if o.is_zero() {
            return Decimal::ZERO;
        }
        saturate(
            self.checked_div(o),
            self.is_sign_negative() != o.is_sign_negative(),
        )
    }
}

impl Num for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;

    fn from_decimal(d: Decimal) -> Self {
        decimal_to_f64(d)
    }
    fn of(t: &Term) -> Self {
        t.fast
    }
    fn from_f64(x: f64) -> Self {
        x
    }
    fn from_i64(x: i64) -> Self {
        x as f64
    }
    fn to_decimal(self) -> Decimal {
        <Decimal as FromPrimitive>::from_f64(self).unwrap_or(Decimal::ZERO)
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn fixed_point(self, dp: u32) -> Option<i64> {
        fixed_point(self, dp)
    }
    fn round_cents(self) -> Self {
        // Halves away from zero, like MONEY_ROUNDING. A value the exact path
        // holds as an exact half cent arrives here a few ulps either side of
        // it, so anything within ~4 ulps below a half counts as the half
        // (1e-15 relative). Truncating the cast is the floor of a positive
        // number without a libm call; amounts are far below 2^63 cents.
        let cents = self * 100.0;
        let a = cents.abs();
        let whole = (a + 0.5 + a * 1e-15) as i64 as f64;
        whole.copysign(cents) / 100.0
    }
    #[inline]
    fn canon(self) -> Self {
        // Nearest cent: a sum of cent amounts is within far less than half a
        // cent of one.
        let cents = self * 100.0;
        let a = cents.abs();
        ((a + 0.5) as i64 as f64).copysign(cents) / 100.0
    }
    fn powi(self, n: i32) -> Self {
        f64::powi(self, n)
    }
    fn add_sat(self, o: Self) -> Self {
        self + o
    }
    fn sub_sat(self, o: Self) -> Self {
        self - o
    }
    fn mul_sat(self, o: Self) -> Self {
        self * o
    }
    fn div_sat(self, o: Self) -> Self {
        self.div_or_zero(o)
    }
}

/// Largest magnitude, in units of the last place kept, taken to those units
/// without a `Decimal`: 10^12 (for cents, $10 billion; for a rate to ten
/// places, 100).
///
/// `Decimal::from_f64` keeps at least 15 significant digits (its mantissa
/// is cut below 2^52 by dividing by ten with rounding), so it is within
/// 1.3e-15 of the `f64` relatively, 0.0013 units below this bound: a value
/// within 0.49 units of a whole number rounds to that number on either path.
const FAST_UNITS: f64 = 1e12;

/// Powers of ten up to 10^10, each exact in `f64`.
const POW10: [f64; 11] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/// A decimal as a 64-bit mantissa, its scale and its sign, where they fit
/// (a scale of at most 19, so that its power of ten fits too): every amount
/// and rate of a deal or tape. The fast conversions below work from these.
fn small_parts(d: Decimal) -> Option<(u64, u32, bool)> {
    let u = d.unpack();
    (u.hi == 0 && u.scale <= 19).then(|| {
        (
            (u64::from(u.mid) << 32) | u64::from(u.lo),
            u.scale,
            u.negative,
        )
    })
}

/// A magnitude with a decimal's sign, where a zero has none (as the
/// library's conversion of a whole number gives it).
fn signed_unless_zero(x: f64, negative: bool) -> f64 {
    if negative && x != 0.0 { -x } else { x }
}

/// `d` as `f64`, bit for bit as `rust_decimal`'s own `to_f64` makes it,
/// by the same steps (whole part, fraction over the power of ten, the sum
/// rounded at the scale) in 64-bit integers wherever [`small_parts`] fit;
/// the 128-bit division and conversion the library makes are most of the
/// cost of turning a large tape's lines into `f64`. Anything larger takes
/// the library's path.
pub fn decimal_to_f64(d: Decimal) -> f64 {
    let Some((m, scale, negative)) = small_parts(d) else {
        return ToPrimitive::to_f64(&d).unwrap_or(0.0);
    };
    if scale == 0 {
        return signed_unless_zero(m as f64, negative);
    }
    // Past the whole numbers the library keeps the sign of a zero.
    let signed = |x: f64| if negative { -x } else { x };
    let precision = 10u64.pow(scale);
    let (whole, frac) = (m / precision, m % precision);
    // 10^scale as f64 is exact (scale <= 19 < 23), so it is also the
    // library's `10f64.powi(scale)`, whose squarings are exact on the way.
    let round_to = precision as f64;
    let frac = frac as f64 / round_to;
    let whole = whole as f64;
    if frac == 0.0 {
        return signed(whole);
    }
    signed(((whole + frac) * round_to).round() / round_to)
}

/// `d` in whole cents (as an `f64`), rounded with [`MONEY_ROUNDING`]: in
/// 64-bit integers wherever [`small_parts`] fit, bit for bit what the
/// `Decimal` path ([`whole_cents_by_decimal`]) gives, else by that path.
pub fn whole_cents(d: Decimal) -> f64 {
    if let Some((m, scale, negative)) = small_parts(d) {
        let cents = if scale <= CENTS {
            m.checked_mul(10u64.pow(CENTS - scale))
        } else {
            let p = 10u64.pow(scale - CENTS);
            let (q, r) = (m / p, m % p);
            // Half a cent or more (2r >= p) rounds the magnitude up.
            Some(q + u64::from(r >= p - r))
        };
        if let Some(c) = cents {
            return signed_unless_zero(c as f64, negative);
        }
    }
    whole_cents_by_decimal(d)
}

fn whole_cents_by_decimal(d: Decimal) -> f64 {
    let c = (d * Decimal::ONE_HUNDRED).round_dp_with_strategy(0, MONEY_ROUNDING);
    ToPrimitive::to_f64(&c).unwrap_or(0.0)
}

/// `x` rounded to whole cents exactly as the summary rounds it
/// (`Decimal::from_f64`, then to the cent with [`MONEY_ROUNDING`]), when
/// that can be told from the `f64` alone: [`fixed_point`] to two places.
pub fn cents(x: f64) -> Option<i64> {
    fixed_point(x, CENTS)
}

/// `x` in units of `10^-dp` (`dp` at most 10), rounded exactly as
/// `Decimal::from_f64` then rounding to `dp` places with [`MONEY_ROUNDING`]
/// rounds it, when that can be told from the `f64` alone; `None` within
/// 0.01 units of a half, at or beyond [`FAST_UNITS`] units, for what is not
/// a number, and for a negative value that rounds to zero (whose `Decimal`
/// keeps its sign).
pub fn fixed_point(x: f64, dp: u32) -> Option<i64> {
    let c = x * *POW10.get(dp as usize)?;
    // NaN and the infinities are not finite.
    if !c.is_finite() || c.abs() >= FAST_UNITS {
        return None;
    }
    let r = c.round();
    if (c - r).abs() > 0.49 || (r == 0.0 && x.is_sign_negative()) {
        return None;
    }
    Some(r as i64)
}

/// A percentage written in a deal or scenario file ("0.35" meaning 0.35%) as a fraction.
pub fn percent(p: Decimal) -> Decimal {
    p / Decimal::ONE_HUNDRED
}

#[cfg(test)]
mod tests {
    /// `n` decimals from `seed`, the same on every run (a 64-bit xorshift):
    /// every scale from 0 to 28, both signs, mantissas of every magnitude
    /// (a tape's cents, rates, near 2^64) and now and then one beyond 64
    /// bits.
    fn generated_decimals(mut seed: u64, n: u64) -> Vec<Decimal> {
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..n)
            .map(|i| {
                let bits = next();
                let m = match i % 4 {
                    0 => bits >> (next() % 64),
                    1 => bits,
                    2 => bits % 1_000_000_000_000,
                    _ => bits % 10_000,
                };
                let hi = if i % 101 == 0 {
                    (next() >> 40) as u32
                } else {
                    0
                };
                let scale = (next() % 29) as u32;
                let negative = next() & 1 == 1;
                Decimal::from_parts(m as u32, (m >> 32) as u32, hi, negative, scale)
            })
            .collect()
    }

    /// The decimals `written` out, then 300,000 generated from `seed`.
    fn cases(written: &[&str], seed: u64) -> Vec<Decimal> {
        let mut cases: Vec<Decimal> = written.iter().map(|t| t.parse().unwrap()).collect();
        cases.extend(generated_decimals(seed, 300_000));
        cases
    }

    #[test]
    fn decimal_to_f64_is_the_librarys_own_conversion_bit_for_bit() {
        let cases = cases(
            &[
                "0",
                "-0",
                "0.000",
                "-0.000",
                "0.5",
                "-0.5",
                "0.125",
                "7.125",
                "0.07125",
                "1234567.89",
                "-1234567.89",
                "0.1",
                "0.2",
                "0.3",
                "9007199254740993",
                "18446744073709551615",
                "1844674407370955161.5",
                "0.0000000000000000001",
                "79228162514264337593543950335",
                "-7922816251426433759354395033.5",
            ],
            0x9E37_79B9_7F4A_7C15,
        );
        for d in cases {
            let library = ToPrimitive::to_f64(&d).unwrap();
            assert_eq!(
                decimal_to_f64(d).to_bits(),
                library.to_bits(),
                "{d} (scale {}): {} against the library's {library}",
                d.scale(),
                decimal_to_f64(d)
            );
        }
    }

    #[test]
    fn whole_cents_are_the_decimal_paths_bit_for_bit() {
        let cases = cases(
            &[
                "0",
                "-0",
                "-0.004",
                "0.005",
                "-0.005",
                "0.0049999",
                "1234.565",
                "-1234.565",
                "7500.06",
                "184467440737095516.15",
                "18446744073709551615",
                "1844674407370955161.5",
                "0.0000000000000000001",
            ],
            0x2545_F491_4F6C_DD1D,
        );
        for d in cases {
            assert_eq!(
                whole_cents(d).to_bits(),
                whole_cents_by_decimal(d).to_bits(),
                "{d}: {} against {}",
                whole_cents(d),
                whole_cents_by_decimal(d)
            );
        }
    }

    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn both_paths_round_half_cents_away_from_zero() {
        assert_eq!(dec!(552925.785).round_cents(), dec!(552925.79));
        assert_eq!(dec!(-0.005).round_cents(), dec!(-0.01));
        assert_eq!(0.125_f64.round_cents(), 0.13);
        // 1.005 is 1.00499999999999989... in binary: still the half cent it was written as.
        assert_eq!(1.005_f64.round_cents(), 1.01);
        assert_eq!((-1.005_f64).round_cents(), -1.01);
        assert_eq!(1.0049_f64.round_cents(), 1.0);
        assert_eq!(0.0_f64.round_cents(), 0.0);
    }

    #[test]
    fn fixed_point_units_are_the_decimal_paths_or_none() {
        assert_eq!(cents(1234567.89), Some(123456789));
        assert_eq!(cents(0.1 + 0.2), Some(30));
        assert_eq!(fixed_point(0.05, 10), Some(500_000_000));
        assert_eq!(fixed_point(-0.0701681861, 10), Some(-701_681_861));
        // Too near a half to tell without the Decimal: 1.005 is a few ulps
        // below the half cent it was written as.
        assert_eq!(cents(1.005), None);
        // A negative zero, beyond the bound, not a number, too many places.
        assert_eq!(cents(-0.001), None);
        assert_eq!(cents(1e10), None);
        assert_eq!(fixed_point(100.0, 10), None);
        assert_eq!(cents(f64::NAN), None);
        assert_eq!(fixed_point(0.5, 11), None);
    }

    #[test]
    fn saturating_arithmetic_never_panics() {
        assert_eq!(Decimal::MAX.mul_sat(dec!(2)), Decimal::MAX);
        assert_eq!(Decimal::MAX.mul_sat(dec!(-2)), Decimal::MIN);
        assert_eq!(Decimal::MIN.sub_sat(dec!(1)), Decimal::MIN);
        assert_eq!(Decimal::MAX.add_sat(dec!(1)), Decimal::MAX);
        assert_eq!(
            dec!(10).div_sat(dec!(0.0000000000000000000000000001)),
            Decimal::MAX
        );
        assert_eq!(dec!(1).div_sat(Decimal::ZERO), Decimal::ZERO);
        assert_eq!(MAX_AMOUNT, dec!(1000000000000000));
    }

    #[test]
    fn canon_puts_f64_sums_back_on_the_cent_grid() {
        let x = 0.1_f64 + 0.2;
        assert_ne!(x, 0.3);
        assert_eq!(x.canon(), 0.3);
        assert_eq!((0.3_f64).canon(), 0.3);
        assert_eq!((4480868.16_f64 - 0.01 + 0.01).canon(), 4480868.16);
        assert_eq!(dec!(0.30).canon(), dec!(0.30));
    }

    #[test]
    fn division_by_zero_gives_zero() {
        assert_eq!(dec!(5).div_or_zero(Decimal::ZERO), Decimal::ZERO);
        assert_eq!(5.0_f64.div_or_zero(0.0), 0.0);
    }
}
