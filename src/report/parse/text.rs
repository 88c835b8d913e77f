//! Lines, tokens and figures: the lexical layer of the report parser.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::report::number::{Printed, Token, parse_number};

/// One line of the report, split into whitespace-separated tokens.
pub(super) struct Line<'a> {
    /// 1-based line number.
    pub no: usize,
    pub raw: &'a str,
    pub tokens: Vec<&'a str>,
    /// Per token: `None` if it is not a figure, `Some(None)` for N/A.
    figures: Vec<Option<Option<Printed>>>,
    /// Lower case, dots made spaces, whitespace collapsed: what labels and
    /// headers are matched against.
    pub norm: String,
}

impl<'a> Line<'a> {
    pub fn new(no: usize, raw: &'a str) -> Self {
        // Byte-wise splitting is much faster, and the same on ASCII text.
        let tokens: Vec<&str> = if raw.is_ascii() {
            raw.split_ascii_whitespace().collect()
        } else {
            raw.split_whitespace().collect()
        };
        let figures = tokens.iter().map(|t| figure(t, no)).collect();
        let norm = normalize(raw);
        Line {
            no,
            raw,
            tokens,
            figures,
            norm,
        }
    }

    pub fn is_blank(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The line as printed, shortened for a message.
    pub fn shown(&self) -> String {
        shorten(self.raw.trim(), 80)
    }

    /// The line as a label followed by figures: the trailing tokens that are
    /// numbers are the figures, everything before them the label.
    pub fn split(&self) -> Split<'a> {
        let start = self
            .figures
            .iter()
            .rposition(Option::is_none)
            .map_or(0, |k| k + 1);
        let label = self.tokens.get(..start).unwrap_or_default().join(" ");
        Split {
            norm: normalize(&label),
            label,
            figures: self.figures.iter().skip(start).flatten().copied().collect(),
            figure_tokens: self.tokens.iter().skip(start).copied().collect(),
        }
    }

    /// The line as a row of a class table: up to `max_texts` leading words
    /// (the class label, and the CUSIP in the CUSIP table), then only figures,
    /// at least one. `None` if the line is not such a row.
    pub fn row(&self, max_texts: usize) -> Option<Row<'a>> {
        let mut texts = Vec::new();
        let mut figures = Vec::new();
        for (&t, f) in self.tokens.iter().zip(&self.figures) {
            match f {
                Some(f) => figures.push(*f),
                None if figures.is_empty() && texts.len() < max_texts => texts.push(t),
                None => return None,
            }
        }
        if figures.is_empty() {
            return None;
        }
        Some(Row {
            line: self.no,
            texts,
            figures,
        })
    }
}

/// A line read as `label figures...`.
pub(super) struct Split<'a> {
    /// The label as printed, whitespace collapsed.
    pub label: String,
    /// The label normalized like [`Line::norm`].
    pub norm: String,
    /// One entry per figure token; `None` where the report prints N/A.
    pub figures: Vec<Option<Printed>>,
    pub figure_tokens: Vec<&'a str>,
}

/// A row of a class table.
pub(super) struct Row<'a> {
    pub line: usize,
    /// Leading words: the class label (if any) and, in the CUSIP table, the CUSIP.
    pub texts: Vec<&'a str>,
    /// The figures; `None` where the report prints N/A.
    pub figures: Vec<Option<Printed>>,
}

impl Row<'_> {
    pub fn label(&self) -> Option<&str> {
        self.texts.first().copied()
    }

    /// True if every figure is zero or N/A.
    pub fn all_zero(&self) -> bool {
        self.figures.iter().flatten().all(|p| p.value.is_zero())
    }
}

/// Lower case, dots as spaces, whitespace collapsed to single spaces.
pub(super) fn normalize(s: &str) -> String {
    if !s.is_ascii() {
        return normalize_tokens(&s.split_whitespace().collect::<Vec<_>>());
    }
    // The common case, byte by byte: much faster in debug builds.
    let mut out = Vec::with_capacity(s.len());
    let mut space = false;
    for &b in s.as_bytes() {
        if b.is_ascii_whitespace() || b == b'.' {
            space = !out.is_empty();
        } else {
            if space {
                out.push(b' ');
                space = false;
            }
            out.push(b.to_ascii_lowercase());
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

fn normalize_tokens(tokens: &[&str]) -> String {
    let mut out = String::new();
    for piece in tokens
        .iter()
        .flat_map(|t| t.split('.'))
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&piece.to_lowercase());
    }
    out
}

/// A token as a figure: `None` if it is not one, `Some(None)` for N/A.
fn figure(token: &str, line: usize) -> Option<Option<Printed>> {
    // Words are most tokens: rule them out before the full parse.
    if !token.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '.' | '(' | '-' | 'N' | 'n'))
    {
        return None;
    }
    match parse_number(token)? {
        Token::Number { value, decimals } if decimals <= MAX_DECIMALS => Some(Some(Printed {
            value,
            decimals,
            line,
        })),
        Token::Number { .. } => None,
        Token::NotApplicable => Some(None),
    }
}

/// More printed decimals than this is garbage, not a figure: `Decimal` keeps
/// at most 28, and [`Printed::half_unit`] needs one more than the figure has.
const MAX_DECIMALS: u32 = 27;

/// At most `max` characters of `s`, with an ellipsis if cut.
pub(super) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// A date printed as DD-Mon-YY (years before 70 are 20YY) or DD-Mon-YYYY.
pub(super) fn parse_date(token: &str) -> Option<NaiveDate> {
    let mut parts = token.split('-');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits =
        |s: &str, lens: &[usize]| lens.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    if !digits(day, &[1, 2]) || !digits(year, &[2, 4]) {
        return None;
    }
    let day: u32 = day.parse().ok()?;
    let mut year: i32 = year.parse().ok()?;
    if year < 100 {
        year += if year < 70 { 2000 } else { 1900 };
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))?;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()? + 1, day)
}

/// A figure with thousands separators, as trustee reports print them.
pub(super) fn fmt_amount(d: Decimal) -> String {
    let s = d.to_string();
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let digits: Vec<char> = int.chars().collect();
    let mut grouped = String::new();
    for (k, c) in digits.iter().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(*c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn dates_pivot_at_70() {
        assert_eq!(
            parse_date("15-Dec-03"),
            NaiveDate::from_ymd_opt(2003, 12, 15)
        );
        assert_eq!(parse_date("1-jan-99"), NaiveDate::from_ymd_opt(1999, 1, 1));
        assert_eq!(parse_date("31-Feb-03"), None);
        assert_eq!(parse_date("15-Dec-+3"), None);
        assert_eq!(parse_date("15-Déc-03"), None);
    }

    #[test]
    fn labels_normalize_the_same_with_and_without_unicode() {
        assert_eq!(
            normalize("  Num. of Loans\tfor which Prep.Prem. "),
            "num of loans for which prep prem"
        );
        assert_eq!(normalize("Réal. Losses  é"), "réal losses é");
        assert_eq!(normalize("..."), "");
    }

    #[test]
    fn amounts_get_thousands_separators() {
        assert_eq!(fmt_amount(dec!(4207186)), "4,207,186");
        assert_eq!(fmt_amount(dec!(-186667)), "-186,667");
        assert_eq!(fmt_amount(dec!(17603709.73)), "17,603,709.73");
        assert_eq!(fmt_amount(dec!(100)), "100");
    }

    #[test]
    fn labels_split_from_trailing_figures() {
        let line = Line::new(7, "90 + days             5           464,227             2");
        let s = line.split();
        assert_eq!(s.label, "90 + days");
        assert_eq!(s.figures.len(), 3);
        let row = Line::new(8, "  A-1   04541GER9   23.39614").row(2).unwrap();
        assert_eq!(row.texts, ["A-1", "04541GER9"]);
        assert!(Line::new(9, "Class  Rate  Int").row(1).is_none());
        let garbage = Line::new(10, "Rate 0.0000000000000000000000000001%");
        assert!(garbage.split().figures.is_empty());
    }
}
