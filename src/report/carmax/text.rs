//! Cells, figures and dates: the lexical layer of the certificate parser.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::report::number::{Token, parse_number};

/// One cell of a row: the text between ` | ` separators, trimmed, and the
/// 1-based column (in characters) where it starts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cell<'a> {
    pub text: &'a str,
    pub column: usize,
}

/// Split a line at `|` into trimmed cells.
pub(super) fn cells(line: &str) -> Vec<Cell<'_>> {
    // A certificate's rows have at most a handful of cells.
    let mut out = Vec::with_capacity(8);
    // The 1-based column (in characters) where the current piece starts.
    let mut start = 1;
    // In an ASCII line (every certificate's) characters are bytes.
    let ascii = line.is_ascii();
    let chars = |s: &str| if ascii { s.len() } else { s.chars().count() };
    for raw in line.split('|') {
        let text = raw.trim();
        let lead = raw.len() - raw.trim_start().len();
        let column = start + chars(&raw[..lead]);
        out.push(Cell { text, column });
        start += chars(raw) + 1;
    }
    out
}

/// What a value cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Figure {
    /// A number; `percent` if it carried its own `%`.
    Number {
        value: Decimal,
        decimals: u32,
        percent: bool,
    },
    /// A figure of 10^13 or more (or too long to be read at all).
    TooLarge,
    /// Not a number.
    Other,
}

/// The largest magnitude a figure may have: a balance of at most 10^13 is
/// the project's range check, and no real deal comes near it.
pub(super) const LIMIT_DIGITS: usize = 13;
const LIMIT: i64 = 10_000_000_000_000;

/// Read a cell as a number: thousands separators, a leading minus or
/// parentheses, a trailing `%`, a leading `$` are understood.
pub(super) fn figure(cell: &str) -> Figure {
    let t = cell.strip_prefix('$').map(str::trim_start).unwrap_or(cell);
    let looks_numeric = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-' | '(' | ')' | '%'))
        && t.chars().any(|c| c.is_ascii_digit());
    if !looks_numeric {
        return Figure::Other;
    }
    // Count the integer digits before `parse_number` (and `Decimal`) could
    // overflow on them: 14 significant digits is 10^13 or more.
    let int_part = t.split('.').next().unwrap_or("");
    let significant = int_part
        .chars()
        .filter(char::is_ascii_digit)
        .skip_while(|&c| c == '0')
        .count();
    if significant > LIMIT_DIGITS {
        return Figure::TooLarge;
    }
    match parse_number(t) {
        // `Decimal` keeps 28 digits: 9,999,999,999,999.999...9 with 20
        // decimals reads as 10^13.
        Some(Token::Number { value, .. }) if value.abs() >= Decimal::from(LIMIT) => {
            Figure::TooLarge
        }
        Some(Token::Number { value, decimals }) => Figure::Number {
            value,
            decimals,
            percent: t.ends_with('%'),
        },
        _ => Figure::Other,
    }
}

/// A date printed `m/d/yyyy` or `mm/dd/yy` (20yy).
pub(super) fn us_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.trim().split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits =
        |s: &str, lens: &[usize]| lens.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    if !digits(m, &[1, 2]) || !digits(d, &[1, 2]) || !digits(y, &[2, 4]) {
        return None;
    }
    let mut year: i32 = y.parse().ok()?;
    if y.len() == 2 {
        year += 2000;
    }
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
}

/// A collection period printed `04/01/25-04/30/25`.
pub(super) fn us_period(s: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (a, b) = s.split_once('-')?;
    Some((us_date(a)?, us_date(b)?))
}

/// A date printed `2025-06-16` (a certificate's file name).
pub(super) fn iso_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The last day of the month before `d`'s.
pub(super) fn end_of_previous_month(d: NaiveDate) -> Option<NaiveDate> {
    use chrono::Datelike;
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1)?.pred_opt()
}

/// At most `max` characters of `s`, with an ellipsis if cut.
pub(super) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn cells_keep_their_columns() {
        let c = cells("a. Class A-1 Note Balance | $ | 0.00");
        let got: Vec<(&str, usize)> = c.iter().map(|c| (c.text, c.column)).collect();
        assert_eq!(
            got,
            vec![("a. Class A-1 Note Balance", 1), ("$", 29), ("0.00", 33)]
        );
        assert_eq!(cells("").len(), 1);
        assert_eq!(
            cells("—|x").iter().map(|c| c.column).collect::<Vec<_>>(),
            vec![1, 3]
        );
    }

    #[test]
    fn figures_as_the_certificates_print_them() {
        let n = |value, decimals| Figure::Number {
            value,
            decimals,
            percent: false,
        };
        assert_eq!(figure("233,283,502.17"), n(dec!(233283502.17), 2));
        assert_eq!(figure("84,026"), n(dec!(84026), 0));
        assert_eq!(figure("0.8350798"), n(dec!(0.8350798), 7));
        assert_eq!(figure("12,090,686"), n(dec!(12090686), 0));
        assert_eq!(figure("9,999,999,999,999.99"), n(dec!(9999999999999.99), 2));
        assert_eq!(figure("10,000,000,000,000"), Figure::TooLarge);
        assert_eq!(figure("79228162514264337593543950336"), Figure::TooLarge);
        assert_eq!(
            figure("9,999,999,999,999.99999999999999999999"),
            Figure::TooLarge
        );
        assert_eq!(figure("000000000000001.00"), n(dec!(1.00), 2));
        for t in ["Yes", "", "-", "%", "1,23", "1e5", "months", "1.2.3"] {
            assert_eq!(figure(t), Figure::Other, "{t}");
        }
    }

    #[test]
    fn dates_and_periods() {
        assert_eq!(us_date("5/9/2025"), NaiveDate::from_ymd_opt(2025, 5, 9));
        assert_eq!(us_date("04/30/25"), NaiveDate::from_ymd_opt(2025, 4, 30));
        assert_eq!(us_date("2/30/2025"), None);
        assert_eq!(us_date("99999999999/1/2025"), None);
        assert_eq!(
            us_period("04/01/25-04/30/25"),
            Some((
                NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
                NaiveDate::from_ymd_opt(2025, 4, 30).unwrap()
            ))
        );
        assert_eq!(
            end_of_previous_month(NaiveDate::from_ymd_opt(2025, 3, 17).unwrap()),
            NaiveDate::from_ymd_opt(2025, 2, 28)
        );
    }
}
