//! Projection output: the terminal summary, CSV files and JSON.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::columns::{self, Cell};
use super::summary::Summary;
use super::{PeriodRecord, Projection};
use crate::error::Result;
use crate::format;
use crate::num::{CENTS, MONEY_ROUNDING, Num};
use crate::output::{Content, io, write_all_or_none};
use crate::scenario::Scenario;
use crate::table::{Align, Table};

/// An amount for a file: to the cent, no grouping, no sign on a zero.
/// Written from whole cents where the number type knows them without a
/// `Decimal` ([`Num::fixed_point`]: the same digits), else from the value's
/// `Decimal` rounded half away from zero.
struct Amount<T>(T);

impl<T: Num> std::fmt::Display for Amount<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(c) = self.0.fixed_point(CENTS) {
            let a = c.unsigned_abs();
            let sign = if c < 0 { "-" } else { "" };
            return write!(f, "{sign}{}.{:02}", a / 100, a % 100);
        }
        let d = self
            .0
            .to_decimal()
            .round_dp_with_strategy(CENTS, MONEY_ROUNDING);
        write!(f, "{:.2}", if d.is_zero() { Decimal::ZERO } else { d })
    }
}

/// Places a rate is written to in a file.
const RATE_PLACES: u32 = 10;

/// A rate for a file: a fraction to [`RATE_PLACES`] places, halves away
/// from zero ([`MONEY_ROUNDING`]), without trailing zeros (`0.05`, `1`, `0`). Written from the
/// whole number of units in the last place where the number type knows it
/// without a `Decimal` ([`Num::fixed_point`]: the same digits), else from
/// the value's `Decimal`.
struct Rate<T>(T);

impl<T: Num> std::fmt::Display for Rate<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(units) = self.0.fixed_point(RATE_PLACES) {
            let a = units.unsigned_abs();
            let one = 10u64.pow(RATE_PLACES);
            let (whole, mut frac) = (a / one, a % one);
            let sign = if units < 0 { "-" } else { "" };
            if frac == 0 {
                return write!(f, "{sign}{whole}");
            }
            let mut places = RATE_PLACES as usize;
            while frac % 10 == 0 {
                frac /= 10;
                places -= 1;
            }
            return write!(f, "{sign}{whole}.{frac:0places$}");
        }
        let d = self
            .0
            .to_decimal()
            .round_dp_with_strategy(RATE_PLACES, MONEY_ROUNDING);
        write!(f, "{}", d.normalize())
    }
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// One line describing the scenario.
pub fn scenario_line(p: &Projection, s: &Scenario) -> String {
    let a = &s.assumptions;
    format!(
        "scenario {}: prepay {}, default {}, severity {}%, lag {} months, {}advancing, {} {}{}, call {}",
        s.name,
        a.prepay,
        a.defaults,
        (a.severity * Decimal::ONE_HUNDRED).normalize(),
        a.lag,
        if a.advancing { "" } else { "no " },
        p.deal.index_name,
        s.libor.describe(),
        p.start
            .index
            .map(|i| format!(" (filing {})", format::percent(i, 5)))
            .unwrap_or_default(),
        if s.call { "exercised" } else { "not exercised" }
    )
}

/// The readable summary `project` prints.
pub fn summary_text(p: &Projection, s: &Scenario, summary: &Summary) -> String {
    let deal = p.deal;
    let mut out = String::new();
    let pool: Decimal = p.start.group_balances.iter().sum();
    let (wac, wam) = p.start_averages();
    let _ = writeln!(out, "{} · projected from {}", deal.name, p.start.label);
    let _ = writeln!(out, "{}", scenario_line(p, s));
    let _ = writeln!(
        out,
        "collateral: {} loan lines, pool {} (WAC {}, WAM {}); {} periods to {}\n",
        p.lines.len(),
        format::dollars(pool),
        format::percent(wac, 3),
        wam,
        summary.deal.periods,
        date(summary.deal.last_date)
    );
    let mut t = Table::new(
        &[
            "class",
            "start balance",
            "WAL",
            "principal window",
            "interest",
            "principal",
            "writedown",
            "loss %",
            "first writedown",
        ],
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    );
    for c in &summary.classes {
        let window = match (c.first_principal, c.last_principal) {
            (Some(a), Some(b)) => format!("{} to {}", a.format("%Y-%m"), b.format("%Y-%m")),
            _ => String::new(),
        };
        t.row(vec![
            c.name.clone(),
            format::dollars(c.starting_balance),
            c.wal.map(|w| format!("{w:.2}")).unwrap_or_default(),
            window,
            format::dollars(c.total_interest),
            format::dollars(c.total_principal),
            format::dollars(c.total_writedown),
            format!("{:.2}", c.loss_percent),
            date(c.first_writedown),
        ]);
    }
    out.push_str(&t.render());
    let d = &summary.deal;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "step-down date: {}",
        d.stepdown
            .map(|x| x.to_string())
            .unwrap_or_else(|| "not reached".into())
    );
    for (name, when) in &d.triggers {
        let _ = writeln!(
            out,
            "{name}: {}",
            when.map(|x| format!("first breached {x}"))
                .unwrap_or_else(|| "never breached".into())
        );
    }
    let _ = writeln!(
        out,
        "clean-up call: {}",
        d.call
            .map(|x| format!("exercised {x}"))
            .unwrap_or_else(|| "not exercised".into())
    );
    let _ = writeln!(
        out,
        "cumulative realized losses: {} ({}% of the cut-off balance)",
        format::dollars(d.cumulative_loss),
        d.cumulative_loss_percent
    );
    out
}

/// Writes a table's rows as CSV lines: cells comma separated, amounts as
/// [`Amount`] and rates as [`Rate`] write them, each period's date
/// formatted once for all its rows, every line built in one reused buffer.
#[derive(Default)]
struct CsvLines {
    line: String,
    date: Option<(NaiveDate, String)>,
}

impl CsvLines {
    fn header<'a>(
        w: &mut dyn Write,
        names: impl IntoIterator<Item = &'a str>,
    ) -> std::io::Result<()> {
        let names: Vec<&str> = names.into_iter().collect();
        writeln!(w, "{}", names.join(","))
    }

    fn row<T: Num>(&mut self, w: &mut dyn Write, cells: &[Cell<T>]) -> std::io::Result<()> {
        let line = &mut self.line;
        line.clear();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let _ = match *c {
                Cell::Int(n) => write!(line, "{n}"),
                Cell::Date(d) => {
                    let text = match &mut self.date {
                        Some((at, text)) if *at == d => text,
                        slot => &mut slot.insert((d, d.to_string())).1,
                    };
                    line.push_str(text);
                    Ok(())
                }
                Cell::Text(t) => {
                    line.push_str(t);
                    Ok(())
                }
                Cell::Bool(b) => write!(line, "{b}"),
                Cell::Amount(x) => write!(line, "{}", Amount(x)),
                Cell::Rate(x) => write!(line, "{}", Rate(x)),
            };
        }
        line.push('\n');
        w.write_all(line.as_bytes())
    }
}

/// Per-period cash flows per class ([`columns::CLASS_COLUMNS`]).
pub fn write_classes<T: Num>(
    p: &Projection,
    records: &[PeriodRecord<T>],
    w: &mut dyn Write,
) -> std::io::Result<()> {
    CsvLines::header(w, columns::CLASS_COLUMNS.map(|c| c.0))?;
    let mut lines = CsvLines::default();
    for r in records {
        for k in 0..p.deal.classes.len() {
            lines.row(w, &columns::class_row(p, r, k))?;
        }
    }
    Ok(())
}

/// Per-period collateral per group ([`columns::COLLATERAL_COLUMNS`]).
pub fn write_collateral<T: Num>(
    p: &Projection,
    records: &[PeriodRecord<T>],
    w: &mut dyn Write,
) -> std::io::Result<()> {
    CsvLines::header(w, columns::COLLATERAL_COLUMNS.map(|c| c.0))?;
    let mut lines = CsvLines::default();
    for r in records {
        for g in 0..p.deal.groups.len() {
            lines.row(w, &columns::collateral_row(p, r, g))?;
        }
    }
    Ok(())
}

/// The deal's state per period ([`columns::deal_columns`]).
pub fn write_deal<T: Num>(
    p: &Projection,
    records: &[PeriodRecord<T>],
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let names = columns::deal_columns(p.deal);
    CsvLines::header(w, names.iter().map(|c| c.0.as_str()))?;
    let mut lines = CsvLines::default();
    let mut row = Vec::new();
    for r in records {
        columns::deal_row(p, r, &mut row);
        lines.row(w, &row)?;
    }
    Ok(())
}

/// The per-class summary.
pub fn write_summary(summary: &Summary, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        w,
        "class,starting_balance,wal_years,first_principal,last_principal,total_interest,total_principal,total_writedown,loss_percent,first_writedown"
    )?;
    for c in &summary.classes {
        writeln!(
            w,
            "{},{:.2},{},{},{},{:.2},{:.2},{:.2},{},{}",
            c.name,
            c.starting_balance,
            c.wal.map(|x| x.to_string()).unwrap_or_default(),
            date(c.first_principal),
            date(c.last_principal),
            c.total_interest,
            c.total_principal,
            c.total_writedown,
            c.loss_percent,
            date(c.first_writedown)
        )?;
    }
    Ok(())
}

/// The files `project --out DIR` writes.
pub const FILES: [&str; 4] = ["classes.csv", "collateral.csv", "deal.csv", "summary.csv"];

/// Write `classes.csv`, `collateral.csv`, `deal.csv` and `summary.csv` into
/// `dir`: all four, or none of them.
pub fn write_csv_dir<T: Num>(
    dir: &Path,
    p: &Projection,
    records: &[PeriodRecord<T>],
    summary: &Summary,
) -> Result<()> {
    let [classes, collateral, deal, summary_path] = FILES.map(|f| dir.join(f));
    let files: Vec<(std::path::PathBuf, Content)> = vec![
        (
            classes.clone(),
            Box::new(|w| write_classes(p, records, w).map_err(io(&classes))),
        ),
        (
            collateral.clone(),
            Box::new(|w| write_collateral(p, records, w).map_err(io(&collateral))),
        ),
        (
            deal.clone(),
            Box::new(|w| write_deal(p, records, w).map_err(io(&deal))),
        ),
        (
            summary_path.clone(),
            Box::new(|w| write_summary(summary, w).map_err(io(&summary_path))),
        ),
    ];
    write_all_or_none(files)
}

fn csv_rows(f: impl Fn(&mut dyn Write) -> std::io::Result<()>) -> Value {
    let mut buf = Vec::new();
    let _ = f(&mut buf);
    let text = String::from_utf8(buf).unwrap_or_default();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    Value::Array(
        lines
            .map(|l| {
                let obj: serde_json::Map<String, Value> = header
                    .iter()
                    .zip(l.split(','))
                    .map(|(h, v)| {
                        let names = matches!(*h, "class" | "group");
                        (h.to_string(), format::json_cell(v, names))
                    })
                    .collect();
                Value::Object(obj)
            })
            .collect(),
    )
}

/// Everything as one JSON object: the summary, the events and every period.
pub fn to_json<T: Num>(
    p: &Projection,
    s: &Scenario,
    records: &[PeriodRecord<T>],
    summary: &Summary,
) -> Value {
    let d = &summary.deal;
    json!({
        "deal": p.deal.short_name,
        "from": p.start.date.to_string(),
        "scenario": scenario_line(p, s),
        "summary": csv_rows(|w| write_summary(summary, w)),
        "events": {
            "periods": d.periods,
            "last_date": d.last_date.map(|x| x.to_string()),
            "stepdown": d.stepdown.map(|x| x.to_string()),
            "first_trigger": d.first_trigger.map(|x| x.to_string()),
            "triggers": d.triggers.iter().map(|(n, w)| json!({"name": n, "first_breached": w.map(|x| x.to_string())})).collect::<Vec<_>>(),
            "call": d.call.map(|x| x.to_string()),
            "cumulative_loss": format::json_decimal(d.cumulative_loss),
            "cumulative_loss_percent": format::json_decimal(d.cumulative_loss_percent),
        },
        "classes": csv_rows(|w| write_classes(p, records, w)),
        "collateral": csv_rows(|w| write_collateral(p, records, w)),
        "deal_periods": csv_rows(|w| write_deal(p, records, w)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// What a file held before the whole-units path: the `Decimal` of the
    /// value, rounded half away from zero.
    fn decimal_amount(x: f64) -> String {
        Amount(x.to_decimal()).to_string()
    }

    fn decimal_rate(x: f64) -> String {
        Rate(x.to_decimal()).to_string()
    }

    #[test]
    fn amounts_and_rates_are_written_as_hand_rounding_gives() {
        assert_eq!(Amount(0.0).to_string(), "0.00");
        assert_eq!(Amount(-0.001).to_string(), "0.00");
        assert_eq!(Amount(-0.0).to_string(), "0.00");
        assert_eq!(Amount(0.125).to_string(), "0.13");
        assert_eq!(Amount(-1234567.005).to_string(), "-1234567.01");
        assert_eq!(Amount(0.1 + 0.2).to_string(), "0.30");
        assert_eq!(Amount(dec!(19417644.005)).to_string(), "19417644.01");
        // A fraction to ten places, no trailing zeros.
        assert_eq!(Rate(0.05).to_string(), "0.05");
        assert_eq!(Rate(0.07016818613).to_string(), "0.0701681861");
        assert_eq!(Rate(0.070168186150001).to_string(), "0.0701681862");
        assert_eq!(Rate(-0.0123).to_string(), "-0.0123");
        assert_eq!(Rate(1.0).to_string(), "1");
        assert_eq!(Rate(0.0).to_string(), "0");
        assert_eq!(Rate(0.00000000004).to_string(), "0");
        assert_eq!(
            Rate(-0.00000000004).to_string(),
            decimal_rate(-0.00000000004)
        );
        assert_eq!(Rate(dec!(0.04500)).to_string(), "0.045");
    }

    #[test]
    fn every_fast_amount_and_rate_is_the_decimal_paths() {
        // A spread of values on and off the cent and ten-place grids, with
        // halves, against the Decimal path the files were written by.
        let mut x = 1e-12_f64;
        while x < 5e10 {
            for v in [
                x,
                -x,
                x + 0.005,
                x + 0.000_000_000_05,
                x * 1.000_000_1,
                (x * 100.0).round() / 100.0,
                (x * 1e10).round() / 1e10,
            ] {
                assert_eq!(Amount(v).to_string(), decimal_amount(v), "{v}");
                assert_eq!(Rate(v).to_string(), decimal_rate(v), "{v}");
            }
            x *= 1.37;
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, 1e300] {
            assert_eq!(Amount(v).to_string(), decimal_amount(v));
            assert_eq!(Rate(v).to_string(), decimal_rate(v));
        }
    }
}
