//! How figures are written for people: money with thousands separators,
//! rates as percentages. Every rounding here is for display only.

use rust_decimal::{Decimal, RoundingStrategy};

/// How a command writes its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Aligned text for a terminal.
    Table,
    Csv,
    Json,
}

/// Group the integer digits of a plain decimal string in threes.
fn group(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// `1,234,567.89`: to the cent, halves away from zero.
pub fn money(d: Decimal) -> String {
    fixed(d, 2)
}

/// `1,234,568`: to the dollar, halves away from zero.
pub fn dollars(d: Decimal) -> String {
    fixed(d, 0)
}

/// Grouped, with exactly `dp` decimals.
pub fn fixed(d: Decimal, dp: u32) -> String {
    let r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    let r = if r.is_zero() { Decimal::ZERO } else { r };
    group(&format!("{:.*}", dp as usize, r))
}

/// A fraction as a percentage with `dp` decimals: 0.0147 -> `1.47000%`.
pub fn percent(d: Decimal, dp: u32) -> String {
    let r = (d * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    format!("{:.*}%", dp as usize, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_is_grouped_and_rounded_half_away() {
        assert_eq!(money(dec!(3875973.805)), "3,875,973.81");
        assert_eq!(money(dec!(-779)), "-779.00");
        assert_eq!(dollars(dec!(552925.5)), "552,926");
        assert_eq!(dollars(dec!(100)), "100");
        assert_eq!(money(dec!(-0.001)), "0.00");
        assert_eq!(percent(dec!(0.0147), 5), "1.47000%");
    }
}
