//! Prices as the market quotes them: in decimal points (`99.5`) or in points
//! and 32nds (`99-16`).
//!
//! - `99-16` is 99 + 16/32 = 99.5;
//! - `99-16+` is 99 + 16.5/32 = 99.515625 (`+` is half a 32nd, a 64th);
//! - `99-163` is 99 + (16 + 3/8)/32 = 99.51171875 (a third digit is eighths
//!   of a 32nd, 0 to 7; `4` is the same as `+`).
//!
//! The 32nds are two digits, `00` to `31`. Prices are read exactly (as
//! [`Decimal`]) and handed to the analytics as `f64`; every price a quote can
//! write is a multiple of 1/256 and so exact in `f64`.
//!
//! Written out, a price is shown in 32nds **rounded to the nearest 1/256 (an
//! eighth of a 32nd), halves away from zero** (`RoundingStrategy::
//! MidpointAwayFromZero` on the price's exact binary value), and as a decimal
//! rounded to at most 8 places by the same rule, with trailing zeros dropped
//! down to 4 places (`100.0000`, `99.515625`, `99.51171875`).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{Error, Result};

/// The rounding rule for writing prices (both in 32nds and as decimals).
pub const PRICE_ROUNDING: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

const EXPECTED: &str = "expected a price like 99.5, 99-16, 99-16+ or 99-163 (points, then 32nds from 00 to 31, then + for half a 32nd or a digit 0-7 for eighths)";

/// Read one price quote: a decimal (`99.5`) or points and 32nds (`99-16`,
/// `99-16+`, `99-163`). The message of an error says what was expected and
/// what was found.
pub fn parse_price(s: &str) -> std::result::Result<Decimal, String> {
    let t = s.trim();
    let bad = || format!("{EXPECTED}, found '{t}'");
    let digits = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit());
    match t.split_once('-') {
        // A leading '-' is a negative decimal, refused by the caller as not positive.
        Some((points, rest)) if !points.is_empty() => {
            // Points to nine digits: a billion percent is no price, and the bound
            // keeps the arithmetic exact.
            if !digits(points) || points.len() > 9 || !rest.is_ascii() {
                return Err(bad());
            }
            let (ticks, extra) = rest.split_at(rest.len().min(2));
            if ticks.len() != 2 || !digits(ticks) {
                return Err(bad());
            }
            let ticks: u32 = ticks.parse().map_err(|_| bad())?;
            if ticks > 31 {
                return Err(format!(
                    "32nds run from 00 to 31 (99-31 is followed by 100-00), found '{t}'"
                ));
            }
            let eighths: u32 = match extra {
                "" => 0,
                "+" => 4,
                d if d.len() == 1 && digits(d) => {
                    let e: u32 = d.parse().map_err(|_| bad())?;
                    if e > 7 {
                        return Err(format!(
                            "the digit after the 32nds is eighths of a 32nd, 0 to 7, found '{t}'"
                        ));
                    }
                    e
                }
                _ => return Err(bad()),
            };
            let points: Decimal = points.parse().map_err(|_| bad())?;
            Ok((points + Decimal::from(ticks * 8 + eighths) / Decimal::from(256)).normalize())
        }
        _ => {
            if !t
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
            {
                return Err(bad());
            }
            t.parse::<Decimal>()
                .map(|d| d.normalize())
                .map_err(|_| bad())
        }
    }
}

/// Read the prices of `--price` (already split at commas), refusing a price
/// that is not positive. Each is returned as `f64` for the analytics.
pub fn parse_prices(flag: &str, values: &[String]) -> Result<Vec<f64>> {
    values
        .iter()
        .map(|v| {
            let d = parse_price(v).map_err(|e| Error::Usage(format!("{flag}: {e}")))?;
            let f = d.to_f64().filter(|f| f.is_finite());
            match f {
                Some(f) if d > Decimal::ZERO => Ok(f),
                _ => Err(Error::Usage(format!(
                    "{flag} must be positive, found {}",
                    v.trim()
                ))),
            }
        })
        .collect()
}

/// The price as a multiple of 1/256 (rounded by [`PRICE_ROUNDING`]), or
/// `None` for a price that is not finite or is negative.
fn in_256ths(price: f64) -> Option<i128> {
    if !price.is_finite() || price < 0.0 {
        return None;
    }
    let d = Decimal::from_f64_retain(price)? * Decimal::from(256);
    d.round_dp_with_strategy(0, PRICE_ROUNDING).to_i128()
}

/// `price` in points and 32nds, to the nearest 1/256 (halves away from
/// zero): `99-16`, `99-16+`, `99-163`, `100-00`. Empty for a price that is
/// not finite or is negative.
pub fn format_32nds(price: f64) -> String {
    let Some(n) = in_256ths(price) else {
        return String::new();
    };
    let (points, rest) = (n / 256, n % 256);
    let (ticks, eighths) = (rest / 8, rest % 8);
    let tail = match eighths {
        0 => String::new(),
        4 => "+".to_string(),
        e => e.to_string(),
    };
    format!("{points}-{ticks:02}{tail}")
}

/// `price` as a decimal, rounded to 8 places (halves away from zero) with
/// trailing zeros dropped down to 4 places. Empty when not finite.
pub fn format_decimal(price: f64) -> String {
    let Some(d) = Decimal::from_f64_retain(price).filter(|_| price.is_finite()) else {
        return String::new();
    };
    let mut s = format!("{:.8}", d.round_dp_with_strategy(8, PRICE_ROUNDING));
    while s.ends_with('0') && s.len() - s.find('.').unwrap_or(s.len()) > 5 {
        s.pop();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn quotes_in_32nds() {
        // 16/32 = 0.5; 16.5/32 = 0.515625; (16 + 3/8)/32 = 16.375/32 = 0.51171875.
        assert_eq!(parse_price("99-16").unwrap(), dec!(99.5));
        assert_eq!(parse_price("99-16+").unwrap(), dec!(99.515625));
        assert_eq!(parse_price("99-163").unwrap(), dec!(99.51171875));
        assert_eq!(parse_price("99-164").unwrap(), dec!(99.515625));
        assert_eq!(parse_price("100-00").unwrap(), dec!(100));
        // 31/32 + 7/256 = 0.96875 + 0.02734375 = 0.99609375.
        assert_eq!(parse_price("99-317").unwrap(), dec!(99.99609375));
        assert_eq!(parse_price(" 101.25 ").unwrap(), dec!(101.25));
        assert_eq!(parse_price("-5").unwrap(), dec!(-5));
    }

    #[test]
    fn bad_quotes_say_what_was_expected() {
        for bad in [
            "99-1",
            "99-",
            "99-16++",
            "99-1x",
            "a-16",
            "99-168",
            "99-32",
            "abc",
            "",
            "99-é1",
            "79228162514264337593543950335-31+",
        ] {
            assert!(parse_price(bad).is_err(), "{bad}");
        }
        assert!(parse_price("99-32").unwrap_err().contains("00 to 31"));
        assert!(parse_price("99-168").unwrap_err().contains("0 to 7"));
        assert!(
            parse_price("x")
                .unwrap_err()
                .starts_with("expected a price like")
        );
    }

    #[test]
    fn written_in_32nds_to_the_nearest_256th() {
        assert_eq!(format_32nds(99.5), "99-16");
        assert_eq!(format_32nds(99.515625), "99-16+");
        assert_eq!(format_32nds(99.51171875), "99-163");
        assert_eq!(format_32nds(100.0), "100-00");
        assert_eq!(format_32nds(101.03125), "101-01");
        // 99.5 + 1/512 is half way between 99-16 and 99-161: away from zero.
        assert_eq!(format_32nds(99.5 + 1.0 / 512.0), "99-161");
        // Just under that: down.
        assert_eq!(format_32nds(99.5 + 1.0 / 512.0 - 1e-9), "99-16");
        // 99.999 × 256 = 25599.744: 25600/256 = 100-00 (carried into the points).
        assert_eq!(format_32nds(99.999), "100-00");
        assert_eq!(format_32nds(f64::NAN), "");
    }

    #[test]
    fn written_as_decimals() {
        assert_eq!(format_decimal(100.0), "100.0000");
        assert_eq!(format_decimal(99.5), "99.5000");
        assert_eq!(format_decimal(99.515625), "99.515625");
        assert_eq!(format_decimal(99.51171875), "99.51171875");
        // 8 places, the ninth rounding the eighth: 1/3 = 0.333333333...
        assert_eq!(format_decimal(100.0 + 1.0 / 3.0), "100.33333333");
    }

    #[test]
    fn prices_must_be_positive() {
        let p = |v: &[&str]| {
            parse_prices(
                "--price",
                &v.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(p(&["99-16+", "100"]).unwrap(), vec![99.515625, 100.0]);
        assert!(
            p(&["0"])
                .unwrap_err()
                .to_string()
                .contains("must be positive")
        );
        assert!(
            p(&["-5"])
                .unwrap_err()
                .to_string()
                .contains("must be positive")
        );
        assert!(
            p(&["99-32"])
                .unwrap_err()
                .to_string()
                .starts_with("--price: ")
        );
    }
}
