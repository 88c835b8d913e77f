//! Numbers as trustee reports print them: `1,234,567`, `1234567.89`, `(779)`
//! for a negative, `4.58824%` for a rate, `N/A` for none.

use rust_decimal::Decimal;
use serde::Serialize;

/// A figure as printed: its value (percentages as fractions), the number of
/// decimals it carries in that unit, and the report line it came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Printed {
    #[serde(serialize_with = "crate::format::serialize_decimal")]
    pub value: Decimal,
    /// Decimal places of `value` as printed (a percentage printed with 5
    /// decimals is a fraction with 7).
    pub decimals: u32,
    pub line: usize,
}

impl Printed {
    /// Half a unit in the last printed place: how far the true figure can be
    /// from the print.
    pub fn half_unit(&self) -> Decimal {
        Decimal::new(5, self.decimals + 1)
    }
}

/// What one printed token means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Token {
    Number { value: Decimal, decimals: u32 },
    NotApplicable,
}

/// Parse one token. Accepts thousands separators, a leading minus or
/// parentheses for negatives, a trailing `%` (the value becomes a fraction),
/// and `N/A`. Anything else is `None`.
pub fn parse_number(token: &str) -> Option<Token> {
    let t = token.trim();
    if t.eq_ignore_ascii_case("N/A") {
        return Some(Token::NotApplicable);
    }
    let (t, percent) = match t.strip_suffix('%') {
        Some(rest) => (rest, true),
        None => (t, false),
    };
    let (t, negative) = if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        (inner, true)
    } else if let Some(rest) = t.strip_prefix('-') {
        (rest, true)
    } else {
        (t, false)
    };
    if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    // Thousands separators must group digits by three before any decimal point.
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    if int_part.contains(',') {
        let mut groups = int_part.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 {
            return None;
        }
        if groups.any(|g| g.len() != 3) {
            return None;
        }
    }
    let digits = || int_part.bytes().filter(|&c| c != b',');
    let int_digits = digits().count();
    if !digits().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if let Some(f) = frac_part
        && (!f.bytes().all(|c| c.is_ascii_digit()) || (f.is_empty() && int_digits == 0))
    {
        return None;
    }
    let mut decimals = frac_part.map(|f| f.len() as u32).unwrap_or(0);
    // No report prints more than a handful of decimals; refusing absurd ones
    // keeps every decimal count within what `Decimal` can scale to.
    if decimals > 20 {
        return None;
    }
    let frac = frac_part.unwrap_or("").bytes();
    let mut value = if int_digits + frac.len() <= 28 {
        // At most 28 digits fit `Decimal`'s 96-bit mantissa exactly: the
        // digits as an integer, scaled by the decimals printed.
        let mantissa = digits()
            .chain(frac)
            .fold(0i128, |m, c| m * 10 + i128::from(c - b'0'));
        Decimal::try_from_i128_with_scale(mantissa, decimals).ok()?
    } else {
        // Longer: `Decimal`'s parser, which rounds what it cannot hold.
        let int: String = digits().map(char::from).collect();
        let text = match frac_part {
            Some(f) if !f.is_empty() => {
                format!("{}.{f}", if int.is_empty() { "0" } else { &int })
            }
            _ => int,
        };
        text.parse().ok()?
    };
    if negative {
        value = -value;
    }
    if percent {
        value /= Decimal::ONE_HUNDRED;
        decimals += 2;
    }
    Some(Token::Number { value, decimals })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn num(t: &str) -> (Decimal, u32) {
        match parse_number(t) {
            Some(Token::Number { value, decimals }) => (value, decimals),
            other => panic!("{t}: {other:?}"),
        }
    }

    #[test]
    fn digits_read_as_decimal_s_own_parser_reads_them() {
        // Every length up to 28 digits and past it, with and without
        // separators and decimals: the same value and the same scale.
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..5_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let int: String = (0..(x % 18))
                .map(|i| char::from(b'0' + ((x >> i) % 10) as u8))
                .collect();
            let frac: String = (0..((x >> 20) % 14))
                .map(|i| char::from(b'0' + ((x >> (i + 3)) % 10) as u8))
                .collect();
            let int = if int.is_empty() { "0".to_string() } else { int };
            let text = if frac.is_empty() {
                int.clone()
            } else {
                format!("{int}.{frac}")
            };
            let expected: Decimal = text.parse().unwrap();
            let (value, decimals) = num(&text);
            assert_eq!(value.to_string(), expected.to_string(), "{text}");
            assert_eq!(decimals, frac.len() as u32);
        }
        let long = "12345678901234567890.123456789";
        assert_eq!(num(long).0, long.parse::<Decimal>().unwrap());
    }

    #[test]
    fn every_number_style_in_the_seed_reports() {
        assert_eq!(num("1,008,600,100"), (dec!(1008600100), 0));
        assert_eq!(num("3558881.64"), (dec!(3558881.64), 2));
        assert_eq!(num("(779)"), (dec!(-779), 0));
        assert_eq!(num("4.58824%"), (dec!(0.0458824), 7));
        assert_eq!(num("7.0468419%"), (dec!(0.070468419), 9));
        assert_eq!(num("2936705.20000"), (dec!(2936705.2), 5));
        assert_eq!(num("5187860.5"), (dec!(5187860.5), 1));
        assert_eq!(parse_number("N/A"), Some(Token::NotApplicable));
    }

    #[test]
    fn words_and_malformed_groups_are_not_numbers() {
        for t in [
            "Class",
            "A-1",
            "04541GER9",
            "1,23,4",
            "12,3456",
            "",
            "-",
            "%",
            "1.2.3",
            "15-Dec-03",
            "0.0000000000000000000000000000001",
        ] {
            assert_eq!(parse_number(t), None, "{t}");
        }
    }

    #[test]
    fn half_unit_follows_printed_decimals() {
        let p = Printed {
            value: dec!(0.070468419),
            decimals: 9,
            line: 1,
        };
        assert_eq!(p.half_unit(), dec!(0.0000000005));
    }
}
