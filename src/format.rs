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

/// `n`'s decimal digits.
pub fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A number of cents as dollars and cents: `-12345` as `-123.45`, `0` as
/// `0.00`.
pub fn write_cents(out: &mut Vec<u8>, cents: i64) {
    if cents < 0 {
        out.push(b'-');
    }
    let a = cents.unsigned_abs();
    write_u64(out, a / 100);
    out.push(b'.');
    out.push(b'0' + (a % 100 / 10) as u8);
    out.push(b'0' + (a % 10) as u8);
}

/// `1,234,567.89`: to the cent, halves away from zero.
pub fn money(d: Decimal) -> String {
    fixed(d, 2)
}

/// `1,234,568`: to the dollar, halves away from zero.
pub fn dollars(d: Decimal) -> String {
    fixed(d, 0)
}

/// Grouped, with exactly `dp` decimals: rounded half away from zero, then
/// written from the value's digits (its mantissa and scale), the integer
/// digits in threes; no sign on a zero.
pub fn fixed(d: Decimal, dp: u32) -> String {
    let r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    // The mantissa's digits, least significant first (at most 29).
    let mut m = r.mantissa().unsigned_abs();
    let mut digits = [0u8; 40];
    let mut n = 0;
    while m > 0 {
        digits[n] = b'0' + (m % 10) as u8;
        m /= 10;
        n += 1;
    }
    // After rounding the value has at most `dp` decimals; the digit at
    // power of ten `p` (from `dp` decimals down to the units and up).
    let scale = r.scale().min(dp) as usize;
    let pad = dp as usize - scale;
    let digit = |p: usize| -> u8 {
        // `p` counts from the last of `dp` decimals: the mantissa's digit
        // `p - pad`, or a zero.
        match p.checked_sub(pad) {
            Some(i) if i < n => digits[i],
            _ => b'0',
        }
    };
    let int_digits = n.saturating_sub(scale).max(1);
    let mut out = String::with_capacity(int_digits + int_digits / 3 + dp as usize + 2);
    if r.is_sign_negative() && n > 0 {
        out.push('-');
    }
    for i in (0..int_digits).rev() {
        out.push(digit(dp as usize + i) as char);
        if i > 0 && i % 3 == 0 {
            out.push(',');
        }
    }
    if dp > 0 {
        out.push('.');
        for p in (0..dp as usize).rev() {
            out.push(digit(p) as char);
        }
    }
    out
}

/// A fraction as a percentage with `dp` decimals: 0.0147 -> `1.47000%`.
pub fn percent(d: Decimal, dp: u32) -> String {
    let r = (d * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    format!("{:.*}%", dp as usize, r)
}

// --- JSON -------------------------------------------------------------------
//
// Every JSON the CLI writes is typed: figures are JSON numbers, flags are
// booleans, a missing figure or date is `null`. A decimal is written with
// exactly its digits (`552925.79`, `0.0147`, `1.50`), never through a
// float: serde_json's `arbitrary_precision` feature keeps a number as the
// digits it was made from, in a `Value` tree as in derived serialization,
// and readers that parse JSON numbers as floats still read the same value.

/// The text of a decimal number as JSON writes one: an optional `-`, digits,
/// and optionally `.` and more digits.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && frac.is_none_or(all_digits)
}

/// A number written as `s` (`"1.50"`, `"-779"`), as a JSON number with those
/// digits; `null` if `s` is empty; a string if it is no plain number.
pub fn json_number(s: &str) -> serde_json::Value {
    if s.is_empty() {
        return serde_json::Value::Null;
    }
    if is_plain_number(s)
        && let Ok(n) = s.parse::<serde_json::Number>()
    {
        return serde_json::Value::Number(n);
    }
    serde_json::Value::String(s.to_string())
}

/// A decimal as a JSON number with exactly its digits.
pub fn json_decimal(d: Decimal) -> serde_json::Value {
    json_number(&d.to_string())
}

/// An optional decimal: its number, or `null`.
pub fn json_opt_decimal(d: Option<Decimal>) -> serde_json::Value {
    d.map_or(serde_json::Value::Null, json_decimal)
}

/// A float as a JSON number (shortest digits that read back the same);
/// `null` when it is not finite.
pub fn json_f64(x: f64) -> serde_json::Value {
    serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// A cell of a CSV-like row as a typed JSON value: empty is `null`,
/// `true`/`false` and `yes`/`no` are booleans, a plain number is a number,
/// anything else (a date, a speed like `100PPC`) a string. A column of
/// names (`text`) is always a string, even a name like `1`.
pub fn json_cell(cell: &str, text: bool) -> serde_json::Value {
    use serde_json::Value;
    match cell {
        _ if text => Value::String(cell.to_string()),
        "" => Value::Null,
        "true" | "yes" => Value::Bool(true),
        "false" | "no" => Value::Bool(false),
        _ => json_number(cell),
    }
}

/// Serialize a decimal as a JSON number with its exact digits (for
/// `#[serde(serialize_with = ...)]`).
pub fn serialize_decimal<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&json_decimal(*d), s)
}

/// A CSV field: quoted (with quotes doubled) when it holds a comma, a quote
/// or a line break, as it is when a name or a speed vector (`[6,8]CPR`) does.
pub fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// What `fixed` writes, by way of `Decimal`'s own formatting: the
    /// definition the digit-by-digit writer is held to.
    fn fixed_by_format(d: Decimal, dp: u32) -> String {
        let r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
        let r = if r.is_zero() { Decimal::ZERO } else { r };
        let s = format!("{:.*}", dp as usize, r);
        let (sign, rest) = match s.strip_prefix('-') {
            Some(r) => ("-", r),
            None => ("", s.as_str()),
        };
        let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let dot = if frac.is_empty() { "" } else { "." };
        format!("{sign}{grouped}{dot}{frac}")
    }

    #[test]
    fn fixed_groups_thousands_and_rounds_half_away_from_zero() {
        assert_eq!(fixed(dec!(1234567.885), 2), "1,234,567.89");
        assert_eq!(fixed(dec!(-1234567.885), 2), "-1,234,567.89");
        assert_eq!(fixed(dec!(-0.004), 2), "0.00");
        assert_eq!(fixed(dec!(999.5), 0), "1,000");
        assert_eq!(fixed(dec!(0.8350798), 7), "0.8350798");
        assert_eq!(fixed(dec!(12), 3), "12.000");
        assert_eq!(fixed(dec!(0.05), 5), "0.05000");
        assert_eq!(fixed(Decimal::ZERO, 0), "0");
        assert_eq!(fixed(dec!(100000), 0), "100,000");
        assert_eq!(
            fixed(Decimal::MAX, 2),
            "79,228,162,514,264,337,593,543,950,335.00"
        );
        // Every scale, sign and length against Decimal's own formatting.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mantissa = (x >> (x % 40)) as i64 * if x & 1 == 0 { 1 } else { -1 };
            let d = Decimal::new(mantissa, (x % 12) as u32);
            let dp = ((x >> 8) % 10) as u32;
            assert_eq!(fixed(d, dp), fixed_by_format(d, dp), "{d} at {dp}");
        }
    }

    #[test]
    fn json_numbers_keep_their_exact_digits() {
        let v = serde_json::json!({
            "a": json_decimal(dec!(552925.79)),
            "b": json_decimal(dec!(0.070468419)),
            "c": json_number("1.50"),
            "d": json_decimal(dec!(79228162514264337593543950335)),
            "e": json_number(""),
            "f": json_number("2003-12-15"),
            "g": json_f64(f64::NAN),
        });
        assert_eq!(
            v.to_string(),
            r#"{"a":552925.79,"b":0.070468419,"c":1.50,"d":79228162514264337593543950335,"e":null,"f":"2003-12-15","g":null}"#
        );
        assert!(v["a"].is_number() && v["f"].is_string() && v["e"].is_null());
    }

    #[test]
    fn json_cells_are_typed_by_what_they_hold() {
        assert_eq!(json_cell("", false), serde_json::Value::Null);
        assert_eq!(json_cell("no", false), serde_json::Value::Bool(false));
        assert_eq!(json_cell("-12.5", false).to_string(), "-12.5");
        assert_eq!(json_cell("100PPC", false), "100PPC");
        assert_eq!(json_cell("1e5", false), "1e5");
        assert_eq!(json_cell("1", true), "1");
    }

    #[test]
    fn csv_fields_with_commas_are_quoted() {
        assert_eq!(csv_field("100PPC"), "100PPC");
        assert_eq!(csv_field("[6,8]CPR"), "\"[6,8]CPR\"");
        assert_eq!(csv_field("a \"b\""), "\"a \"\"b\"\"\"");
    }

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
