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
    fn from_f64(x: f64) -> Self;
    fn from_i64(x: i64) -> Self;
    fn to_decimal(self) -> Decimal;
    fn to_f64(self) -> f64;

    /// Round to the cent with [`MONEY_ROUNDING`].
    fn round_cents(self) -> Self;

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
}

impl Num for Decimal {
    const ZERO: Self = Decimal::ZERO;
    const ONE: Self = Decimal::ONE;

    fn from_decimal(d: Decimal) -> Self {
        d
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
    fn powi(self, n: i32) -> Self {
        use rust_decimal::MathematicalOps;
        if n >= 0 {
            self.powu(n as u64)
        } else {
            Decimal::ONE / self.powu((-n) as u64)
        }
    }
}

impl Num for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;

    fn from_decimal(d: Decimal) -> Self {
        ToPrimitive::to_f64(&d).unwrap_or(0.0)
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
    fn powi(self, n: i32) -> Self {
        f64::powi(self, n)
    }
}

/// A percentage written in a deal or scenario file ("0.35" meaning 0.35%) as a fraction.
pub fn percent(p: Decimal) -> Decimal {
    p / Decimal::ONE_HUNDRED
}

#[cfg(test)]
mod tests {
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
    fn division_by_zero_gives_zero() {
        assert_eq!(dec!(5).div_or_zero(Decimal::ZERO), Decimal::ZERO);
        assert_eq!(5.0_f64.div_or_zero(0.0), 0.0);
    }
}
