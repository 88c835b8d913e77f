//! The collateral table of one line in exact `Decimal`, as the
//! `waterfall collateral` command prints it: CSV, JSON or an aligned text table.

use std::io::{self, Write};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::line::LoanLine;
use super::plan::{Assumptions, RatePlan};
use super::project::{LineFlows, LineState};

/// One month of a line's collateral cash flows (SIFMA's columns).
#[derive(Debug, Clone, PartialEq)]
pub struct CollateralRow {
    pub month: u32,
    pub performing_balance: Decimal,
    pub new_defaults: Decimal,
    pub in_foreclosure: Decimal,
    pub expected_amortization: Decimal,
    pub voluntary_prepayments: Decimal,
    pub amort_from_defaults: Decimal,
    pub actual_amortization: Decimal,
    pub expected_interest: Decimal,
    pub interest_lost: Decimal,
    pub actual_interest: Decimal,
    pub principal_recovery: Decimal,
    pub principal_loss: Decimal,
}

/// The column names, in output order.
pub const HEADER: [&str; 13] = [
    "month",
    "performing_balance",
    "new_defaults",
    "in_foreclosure",
    "expected_amortization",
    "voluntary_prepayments",
    "amort_from_defaults",
    "actual_amortization",
    "expected_interest",
    "interest_lost",
    "actual_interest",
    "principal_recovery",
    "principal_loss",
];

/// Whether a column is a balance (not summed in a totals row).
const IS_BALANCE: [bool; 12] = [
    true, false, true, false, false, false, false, false, false, false, false, false,
];

impl CollateralRow {
    /// Row `month` from one month's flows.
    pub fn from_flows(month: u32, f: &LineFlows<Decimal>) -> Self {
        CollateralRow {
            month,
            performing_balance: f.performing_balance,
            new_defaults: f.new_defaults,
            in_foreclosure: f.in_foreclosure,
            expected_amortization: f.expected_amortization,
            voluntary_prepayments: f.voluntary_prepayments,
            amort_from_defaults: f.amort_from_defaults,
            actual_amortization: f.actual_amortization,
            expected_interest: f.expected_interest,
            interest_lost: f.interest_lost,
            actual_interest: f.actual_interest,
            principal_recovery: f.principal_recovery,
            principal_loss: f.principal_loss,
        }
    }

    /// The amounts in [`HEADER`] order (after `month`).
    pub fn amounts(&self) -> [Decimal; 12] {
        [
            self.performing_balance,
            self.new_defaults,
            self.in_foreclosure,
            self.expected_amortization,
            self.voluntary_prepayments,
            self.amort_from_defaults,
            self.actual_amortization,
            self.expected_interest,
            self.interest_lost,
            self.actual_interest,
            self.principal_recovery,
            self.principal_loss,
        ]
    }
}

/// `line`'s table over its remaining term in exact `Decimal`. An ARM line's
/// index is taken flat at the level that keeps its current coupon (current
/// gross coupon less margin); use [`collateral_table_with_index`] for a curve.
pub fn collateral_table(line: &LoanLine, a: &Assumptions) -> Vec<CollateralRow> {
    let flat = match &line.arm {
        Some(t) => line.gross_coupon - t.margin,
        None => Decimal::ZERO,
    };
    collateral_table_with_index(line, a, |_| flat)
}

/// `line`'s table over its remaining term with the index rate (fraction) of
/// each projection month given by `index`.
pub fn collateral_table_with_index(
    line: &LoanLine,
    a: &Assumptions,
    index: impl Fn(u32) -> Decimal,
) -> Vec<CollateralRow> {
    let months = line.remaining_term;
    let plan = RatePlan::<Decimal>::for_line(a, line, months);
    let mut state = LineState::new(line, &plan);
    (1..=months)
        .map(|m| CollateralRow::from_flows(m, &state.step(m, index(m))))
        .collect()
}

/// Write `rows` as CSV with [`HEADER`], amounts with two decimals.
pub fn write_csv(rows: &[CollateralRow], w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "{}", HEADER.join(","))?;
    for r in rows {
        write!(w, "{}", r.month)?;
        for a in r.amounts() {
            write!(w, ",{}", cents(a))?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// Write `rows` as a JSON array of objects keyed by [`HEADER`], in that
/// order; `month` is a number, amounts are numbers with two decimals.
pub fn write_json(rows: &[CollateralRow], w: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, rows).map_err(io::Error::other)?;
    writeln!(w)
}

impl Serialize for CollateralRow {
    /// An object keyed by [`HEADER`], amounts as numbers with two decimals.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(HEADER.len()))?;
        map.serialize_entry(HEADER[0], &self.month)?;
        for (name, a) in HEADER[1..].iter().zip(self.amounts()) {
            map.serialize_entry(name, &crate::format::json_number(&cents(a)))?;
        }
        map.end()
    }
}

/// Write `rows` as an aligned text table, amounts in whole dollars with
/// thousands separators, and a totals row (flows summed; balances left blank).
pub fn write_table(rows: &[CollateralRow], w: &mut impl Write) -> io::Result<()> {
    let mut totals = [Decimal::ZERO; 12];
    let mut cells: Vec<[String; 13]> = Vec::with_capacity(rows.len() + 1);
    for r in rows {
        let amounts = r.amounts();
        for (t, a) in totals.iter_mut().zip(amounts) {
            *t += a;
        }
        cells.push(std::array::from_fn(|i| {
            if i == 0 {
                r.month.to_string()
            } else {
                dollars(amounts[i - 1])
            }
        }));
    }
    cells.push(std::array::from_fn(|i| {
        if i == 0 {
            "Total".to_string()
        } else if IS_BALANCE[i - 1] {
            String::new()
        } else {
            dollars(totals[i - 1])
        }
    }));
    let widths: [usize; 13] = std::array::from_fn(|i| {
        cells
            .iter()
            .map(|c| c[i].len())
            .chain([HEADER[i].len()])
            .max()
            .unwrap_or(0)
    });
    let line = |w: &mut dyn Write, cols: &[String]| -> io::Result<()> {
        let text: Vec<String> = cols
            .iter()
            .zip(widths)
            .map(|(c, width)| format!("{c:>width$}"))
            .collect();
        writeln!(w, "{}", text.join("  "))
    };
    let header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    line(w, &header)?;
    for c in &cells {
        line(w, c)?;
    }
    Ok(())
}

/// `a` with exactly two decimals.
fn cents(a: Decimal) -> String {
    let mut d = a.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(2);
    d.to_string()
}

/// `a` rounded to whole dollars with thousands separators: `1,234,568`.
fn dollars(a: Decimal) -> String {
    let d = a.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let digits = d.abs().trunc().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn row(month: u32, x: Decimal) -> CollateralRow {
        CollateralRow {
            month,
            performing_balance: x,
            new_defaults: x,
            in_foreclosure: x,
            expected_amortization: x,
            voluntary_prepayments: x,
            amort_from_defaults: x,
            actual_amortization: x,
            expected_interest: x,
            interest_lost: x,
            actual_interest: x,
            principal_recovery: x,
            principal_loss: x,
        }
    }

    #[test]
    fn dollars_have_thousands_separators() {
        assert_eq!(dollars(dec!(1234567.5)), "1,234,568");
        assert_eq!(dollars(dec!(999.49)), "999");
        assert_eq!(dollars(dec!(-1000)), "-1,000");
        assert_eq!(dollars(dec!(0)), "0");
    }

    #[test]
    fn csv_has_the_header_and_two_decimals() {
        let mut out = Vec::new();
        write_csv(&[row(1, dec!(5))], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), HEADER.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "1,5.00,5.00,5.00,5.00,5.00,5.00,5.00,5.00,5.00,5.00,5.00,5.00"
        );
    }

    #[test]
    fn json_amounts_are_numbers_with_two_decimals() {
        let mut out = Vec::new();
        write_json(&[row(3, dec!(1.5))], &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v[0]["month"], 3);
        assert_eq!(v[0]["principal_loss"], 1.5);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"principal_loss\": 1.50"), "{text}");
        let first = text.find("\"month\"").unwrap();
        let last = text.find("\"principal_loss\"").unwrap();
        assert!(first < text.find("\"performing_balance\"").unwrap());
        assert!(
            text.find("\"principal_recovery\"").unwrap() < last,
            "{text}"
        );
    }

    #[test]
    fn table_ends_with_totals() {
        let mut out = Vec::new();
        write_table(&[row(1, dec!(1000)), row(2, dec!(2000))], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let last = text.lines().last().unwrap();
        assert!(last.trim_start().starts_with("Total"), "{last}");
        assert!(last.contains("3,000"), "{last}");
        let widths: Vec<usize> = text.lines().map(|l| l.len()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{text}");
    }
}
