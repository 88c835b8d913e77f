//! A parsed certificate as text: header, rows with their figure paths, the
//! layout's notes, the checks' outcome and the warnings.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{Certificate, Unit, Value, checks, layout, text};
use crate::format;
use crate::report::Warning;
use crate::table::{Align, Table};

/// Longest label shown; longer ones end in an ellipsis.
const LABEL_WIDTH: usize = 48;

/// [`format::fixed`], padding with zeros beyond the figure's own scale
/// instead of asking `Decimal`'s formatter for more decimals than it has
/// room for (it panics past 32 characters: a 13-digit figure printed with
/// 20 decimals, which `Decimal` keeps to 28 digits).
fn fixed(d: Decimal, dp: u32) -> String {
    if dp <= d.scale() {
        return format::fixed(d, dp);
    }
    let mut s = format::fixed(d, d.scale());
    if d.scale() == 0 {
        s.push('.');
    }
    s.extend(std::iter::repeat_n('0', (dp - d.scale()) as usize));
    s
}

/// A figure as printed, in its unit.
pub(super) fn value_text(v: &Value) -> String {
    if v.dash {
        return "—".to_string();
    }
    let p = &v.printed;
    match v.unit {
        Unit::Dollars | Unit::Number => fixed(p.value, p.decimals),
        Unit::Count => fixed(p.value, 0),
        Unit::Percent => format!(
            "{}%",
            fixed(p.value * Decimal::ONE_HUNDRED, p.decimals.saturating_sub(2))
        ),
        Unit::Months => format!("{} months", fixed(p.value, p.decimals)),
        Unit::Flag => if p.value.is_zero() { "No" } else { "Yes" }.to_string(),
    }
}

/// The certificate as text: what a `parse` command prints.
pub fn render_text(c: &Certificate, warnings: &[Warning]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (line {})", c.trust, c.trust_line);
    if let Some(p) = &c.collection_period {
        let _ = writeln!(out, "collection period {} (line {})", p.printed, p.line);
    }
    if let Some(d) = &c.determination_date {
        let _ = writeln!(out, "determination date {} (line {})", d.printed, d.line);
    }
    if let Some(d) = &c.distribution_date {
        let _ = writeln!(out, "distribution date {} (line {})", d.printed, d.line);
    }
    match (c.file_date, c.header_stale) {
        (Some(f), true) => {
            let _ = writeln!(
                out,
                "file name date {f}: the header is stale, {f} is the distribution date"
            );
        }
        (Some(f), false) => {
            let _ = writeln!(out, "file name date {f}: the header agrees");
        }
        (None, _) => {}
    }
    out.push('\n');

    let mut t = Table::new(
        &["line", "key", "label", "figure", "path"],
        &[
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Left,
        ],
    );
    for row in &c.rows {
        let label = text::shorten(&row.label, LABEL_WIDTH);
        if row.values.is_empty() {
            t.row(vec![
                row.line.to_string(),
                row.key.clone(),
                label,
                String::new(),
                String::new(),
            ]);
            continue;
        }
        for (i, v) in row.values.iter().enumerate() {
            let (line, key, label) = if i == 0 {
                (row.line.to_string(), row.key.clone(), label.clone())
            } else {
                Default::default()
            };
            let path = v.path.clone().unwrap_or_else(|| "(not mapped)".to_string());
            t.row(vec![line, key, label, value_text(v), path]);
        }
    }
    out.push_str(&t.render());

    let notes: Vec<(&str, &str)> = layout::NOTES
        .iter()
        .filter(|(k, _)| c.row(k).is_some())
        .copied()
        .collect();
    if !notes.is_empty() {
        out.push_str("\nnotes\n");
        for (k, n) in notes {
            let _ = writeln!(out, "  {k}: {n}");
        }
    }

    let all = checks(c);
    let holding = all.iter().filter(|k| k.holds()).count();
    let missing = all.iter().filter(|k| !k.missing.is_empty()).count();
    let failing = all.len() - holding - missing;
    let _ = writeln!(
        out,
        "\nchecks: {holding} hold, {failing} fail, {missing} cannot be made"
    );
    for k in all.iter().filter(|k| !k.holds()) {
        let _ = writeln!(out, "  {k}");
    }

    if warnings.is_empty() {
        out.push_str("\nno warnings\n");
    } else {
        let _ = writeln!(out, "\nwarnings ({})", warnings.len());
        for w in warnings {
            let _ = writeln!(out, "  line {}: {}", w.line, w.message);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::carmax::parse;
    use std::path::PathBuf;

    fn certificate(deal: &str, file: &str) -> (Certificate, Vec<Warning>) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("deals")
            .join(deal)
            .join("filings")
            .join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        parse(&path, &text).unwrap()
    }

    #[test]
    fn long_figures_are_padded_not_overflowed() {
        use rust_decimal_macros::dec;
        assert_eq!(fixed(dec!(12090686), 0), "12,090,686");
        assert_eq!(fixed(dec!(0.85), 4), "0.8500");
        assert_eq!(fixed(dec!(7), 2), "7.00");
        let long = dec!(9999999999999.999999999999999);
        assert_eq!(fixed(long, 20), "9,999,999,999,999.99999999999999900000");
    }

    fn squeeze(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn a_stale_header_and_its_rows_as_text() {
        let (c, w) = certificate("carmax-2025-2", "2025-06-16.txt");
        let out = render_text(&c, &w);
        let lines: Vec<String> = out.lines().map(squeeze).collect();
        let has = |want: &str| {
            assert!(
                lines.iter().any(|l| l == want),
                "no line \"{want}\" in\n{out}"
            );
        };
        has("CarMax Auto Owner Trust 2025-2 (line 1)");
        has("distribution date 5/15/2025 (line 4)");
        has("file name date 2025-06-16: the header is stale, 2025-06-16 is the distribution date");
        // Row 8a's two figures, on two lines.
        has("14 8a Class A-1 Note Balance 233,283,502.17 class[A-1].beginning_balance");
        has("186,855,769.73 class[A-1].ending_balance");
        // The delinquency percent as printed, and the flag.
        has(
            "195 74f Delinquent Loans as a percentage of end of peri… 0.8514% pool.delinquency_percent",
        );
        has("196 75 Has a Delinquency Trigger Event occurred? No delinquency_trigger");
        has(
            "26: prints 0.15% while the fee (26a) is 1.00% a year / 12 of the pool balance (row 1)",
        );
        assert!(
            lines.iter().any(
                |l| l.starts_with("checks: ") && l.ends_with(" hold, 0 fail, 0 cannot be made")
            ),
            "{out}"
        );
        has(
            "line 4: the header's distribution date 5/15/2025 is not the file name's (2025-06-16.txt): stale header, 2025-06-16 is taken",
        );
    }
}
