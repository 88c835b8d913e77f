//! Binary file formats for analysts' tools: Excel workbooks ([`xlsx`]) for
//! `project`, `grid` and `price`, and Parquet ([`parquet`]) for `grid`.
//!
//! Every figure in a workbook is the figure the same run writes as CSV: a
//! sheet is made from the command's own CSV text ([`Sheet::from_csv`]),
//! each cell typed by what it holds and its column (a number as a number,
//! money with a money format, a rate as a percentage, a date as a date), so
//! no format can drift from another. The Parquet grid is built from the
//! grid's rows directly, with money as exact decimals.
//!
//! Both writers give the same bytes for the same inputs: the workbook's
//! creation time is fixed ([`xlsx::CREATED`]) and the Parquet writer names
//! itself with this program's version only.

pub mod parquet;
pub mod xlsx;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// How a column's figures are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Names and speeds: always text, even `1`.
    Text,
    /// Counts (period, scenario, lag): whole numbers.
    Integer,
    /// Dollars: `#,##0.00`.
    Money,
    /// A fraction shown as a percentage (`0.0147` as `1.4700%`).
    Rate,
    /// A figure shown with this many decimals (WAL, loss %, yield %).
    Fixed(u8),
    /// Whatever the cell holds: a number, a date, a flag or text.
    Auto,
}

/// One typed cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A figure, with the exact digits the CSV has, shown as its column says.
    Number(Decimal, Kind),
    Date(NaiveDate),
    Bool(bool),
}

/// A table for one worksheet: a title block (lines of text above the
/// table, none for a plain table), the header and the rows, then notes
/// (label and value pairs) below it.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub title: Vec<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub notes: Vec<(String, Cell)>,
}

/// A `YYYY-MM-DD` date.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A plain decimal number (`-12.50`, `3`), as the CSV writes figures.
fn parse_number(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let all = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !(all(int) && all(frac)) {
        return None;
    }
    s.parse::<Decimal>().ok()
}

impl Cell {
    /// A CSV field as a cell of a column of `kind`.
    pub fn typed(s: &str, kind: Kind) -> Cell {
        if s.is_empty() {
            return Cell::Empty;
        }
        if kind == Kind::Text {
            return Cell::Text(s.to_string());
        }
        if let Some(d) = parse_number(s) {
            return Cell::Number(d, kind);
        }
        if let Some(d) = parse_date(s) {
            return Cell::Date(d);
        }
        match s {
            "true" => Cell::Bool(true),
            "false" => Cell::Bool(false),
            _ => Cell::Text(s.to_string()),
        }
    }
}

/// The kind of a column, from its name, as the CLI's files name them.
pub fn kind_of(column: &str) -> Kind {
    const TEXT: [&str; 9] = [
        "class",
        "group",
        "name",
        "prepay",
        "default",
        "libor",
        "price_32nds",
        "given",
        "speed",
    ];
    const INTEGER: [&str; 4] = ["period", "scenario", "lag", "counterparty_default"];
    const RATE: [&str; 4] = ["rate", "net_wac", "index", "delinquency_rate"];
    if TEXT.contains(&column) {
        return Kind::Text;
    }
    if INTEGER.contains(&column) {
        return Kind::Integer;
    }
    if RATE.contains(&column) {
        return Kind::Rate;
    }
    match column {
        "wal" | "wal_years" | "modified_duration" => return Kind::Fixed(2),
        "loss_percent" | "yield_percent" | "cumulative_loss_percent" => return Kind::Fixed(4),
        "severity" => return Kind::Fixed(2),
        "dm_bp" => return Kind::Fixed(1),
        "price" => return Kind::Fixed(6),
        "accrued" => return Kind::Fixed(6),
        _ => {}
    }
    let money_words = [
        "balance",
        "interest",
        "principal",
        "writedown",
        "shortfall",
        "carryover",
        "proceeds",
        "repurchases",
        "realized_loss",
        "cumulative_loss",
        "prepayments",
        "fees",
        "distributed",
        "pool_",
        "oc_",
        "remittance",
        "foreclosure",
        "termination_payment",
    ];
    if money_words.iter().any(|w| column.contains(w)) {
        Kind::Money
    } else {
        Kind::Auto
    }
}

impl Sheet {
    /// A sheet of CSV text (a header line, then rows), each column typed by
    /// [`kind_of`] its name, or as `text` says for the columns it names.
    pub fn from_csv(name: &str, csv_text: &str, text: &[&str]) -> Result<Sheet> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(csv_text.as_bytes());
        let headers: Vec<String> = r
            .headers()
            .map_err(|e| Error::Internal(format!("cannot read back the CSV: {e}")))?
            .iter()
            .map(String::from)
            .collect();
        let kinds: Vec<Kind> = headers
            .iter()
            .map(|h| {
                if text.contains(&h.as_str()) {
                    Kind::Text
                } else {
                    kind_of(h)
                }
            })
            .collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| Error::Internal(format!("cannot read back the CSV: {e}")))?;
            rows.push(
                rec.iter()
                    .zip(&kinds)
                    .map(|(f, &k)| Cell::typed(f, k))
                    .collect(),
            );
        }
        Ok(Sheet {
            name: name.to_string(),
            headers,
            rows,
            ..Sheet::default()
        })
    }

    /// The rows whose column `col` holds `value`, as a sheet named `name`.
    pub fn filtered(&self, name: &str, col: usize, value: &str) -> Sheet {
        Sheet {
            name: name.to_string(),
            title: Vec::new(),
            headers: self.headers.clone(),
            rows: self
                .rows
                .iter()
                .filter(|r| matches!(r.get(col), Some(Cell::Text(t)) if t == value))
                .cloned()
                .collect(),
            notes: Vec::new(),
        }
    }
}

/// Refuse to write a binary format to standard output: `--out FILE` is needed.
pub fn require_file<'a>(
    format: &str,
    out: Option<&'a std::path::Path>,
) -> Result<&'a std::path::Path> {
    out.ok_or_else(|| {
        Error::Usage(format!(
            "--format {format} writes a binary file, not text for a terminal or a pipe: give --out FILE.{format}"
        ))
    })
}

/// A grid row as typed cells, in the order of [`crate::grid::COLUMNS`]:
/// the same figures as its CSV row.
pub fn grid_cells(r: &crate::grid::GridRow) -> Vec<Cell> {
    let c = &r.class;
    let date = |d: Option<NaiveDate>| d.map_or(Cell::Empty, Cell::Date);
    let mut out = Vec::with_capacity(crate::grid::COLUMNS.len());
    out.push(Cell::Number(
        Decimal::from(r.scenario as u64),
        Kind::Integer,
    ));
    for (i, p) in r.params.iter().enumerate() {
        out.push(Cell::typed(p, kind_of(crate::grid::COLUMNS[i + 1])));
    }
    out.push(Cell::Text(c.name.clone()));
    out.push(
        c.wal
            .map_or(Cell::Empty, |w| Cell::Number(w, Kind::Fixed(2))),
    );
    out.push(date(c.first_principal));
    out.push(date(c.last_principal));
    out.push(Cell::Number(c.total_principal, Kind::Money));
    out.push(Cell::Number(c.total_interest, Kind::Money));
    out.push(Cell::Number(c.total_writedown, Kind::Money));
    out.push(Cell::Number(c.loss_percent, Kind::Fixed(4)));
    out.push(date(c.first_writedown));
    out.push(date(r.stepdown));
    out.push(date(r.first_trigger));
    out.push(date(r.call));
    out
}

/// An empty grid sheet, rows to be added with [`grid_cells`].
pub fn grid_sheet() -> Sheet {
    Sheet {
        name: "grid".into(),
        headers: crate::grid::COLUMNS.iter().map(|c| c.to_string()).collect(),
        ..Sheet::default()
    }
}

fn csv_text(f: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<String> {
    let mut buf = Vec::new();
    f(&mut buf).map_err(|e| Error::Internal(format!("cannot format the CSV: {e}")))?;
    String::from_utf8(buf).map_err(|e| Error::Internal(format!("the CSV is not UTF-8: {e}")))
}

/// The sheets of a projection's workbook: `summary` (the lines `project`
/// prints above its table, the per-class summary as `summary.csv` with the
/// original and ending balances after it, then the deal's events), a sheet
/// per class (its rows of `classes.csv`), `collateral` (`collateral.csv`)
/// and `deal` (`deal.csv`).
pub fn project_sheets<T: crate::num::Num>(
    p: &crate::projection::Projection,
    s: &crate::scenario::Scenario,
    records: &[crate::projection::PeriodRecord<T>],
    summary: &crate::projection::summary::Summary,
) -> Result<Vec<Sheet>> {
    use crate::projection::output as out;
    let text = out::summary_text(p, s, summary);
    let title: Vec<String> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    let mut first = Sheet::from_csv(
        "summary",
        &csv_text(|w| out::write_summary(summary, w))?,
        &[],
    )?;
    first.title = title;
    first
        .headers
        .extend(["original_balance", "ending_balance"].map(String::from));
    for (row, c) in first.rows.iter_mut().zip(&summary.classes) {
        row.push(Cell::Number(c.original_balance, Kind::Money));
        row.push(Cell::Number(c.ending_balance, Kind::Money));
    }
    let d = &summary.deal;
    let date_or = |x: Option<NaiveDate>, none: &str| x.map_or(Cell::Text(none.into()), Cell::Date);
    let mut notes = vec![
        (
            "periods".to_string(),
            Cell::Number(Decimal::from(d.periods), Kind::Integer),
        ),
        ("last payment date".to_string(), date_or(d.last_date, "")),
        (
            "step-down date".to_string(),
            date_or(d.stepdown, "not reached"),
        ),
    ];
    for (name, when) in &d.triggers {
        notes.push((
            format!("{name}: first breached"),
            date_or(*when, "never breached"),
        ));
    }
    notes.extend([
        (
            "clean-up call".to_string(),
            date_or(d.call, "not exercised"),
        ),
        (
            "cumulative realized losses".to_string(),
            Cell::Number(d.cumulative_loss, Kind::Money),
        ),
        (
            "cumulative losses, % of the cut-off balance".to_string(),
            Cell::Number(d.cumulative_loss_percent, Kind::Fixed(4)),
        ),
        (
            "collateral principal".to_string(),
            Cell::Number(d.collateral_principal, Kind::Money),
        ),
        (
            "collateral interest".to_string(),
            Cell::Number(d.collateral_interest, Kind::Money),
        ),
    ]);
    first.notes = notes;
    let classes = Sheet::from_csv(
        "classes",
        &csv_text(|w| out::write_classes(p, records, w))?,
        &[],
    )?;
    let class_col = classes
        .headers
        .iter()
        .position(|h| h == "class")
        .ok_or_else(|| Error::Internal("classes.csv has no class column".into()))?;
    let mut sheets = vec![first];
    for c in &p.deal.classes {
        sheets.push(classes.filtered(&c.name, class_col, &c.name));
    }
    sheets.push(Sheet::from_csv(
        "collateral",
        &csv_text(|w| out::write_collateral(p, records, w))?,
        &[],
    )?);
    sheets.push(Sheet::from_csv(
        "deal",
        &csv_text(|w| out::write_deal(p, records, w))?,
        &[],
    )?);
    Ok(sheets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn cells_are_typed_by_content_and_column() {
        assert_eq!(
            Cell::typed("1234.50", Kind::Money),
            Cell::Number(dec!(1234.50), Kind::Money)
        );
        assert_eq!(Cell::typed("1", Kind::Text), Cell::Text("1".into()));
        assert_eq!(
            Cell::typed("2004-01-25", Kind::Auto),
            Cell::Date(NaiveDate::from_ymd_opt(2004, 1, 25).unwrap())
        );
        assert_eq!(Cell::typed("", Kind::Money), Cell::Empty);
        assert_eq!(Cell::typed("false", Kind::Auto), Cell::Bool(false));
        assert_eq!(Cell::typed("1e5", Kind::Auto), Cell::Text("1e5".into()));
        assert_eq!(
            Cell::typed("100PPC", Kind::Auto),
            Cell::Text("100PPC".into())
        );
    }

    #[test]
    fn columns_are_kinded_by_name() {
        assert_eq!(kind_of("beginning_balance"), Kind::Money);
        assert_eq!(kind_of("oc_target"), Kind::Money);
        assert_eq!(kind_of("rate"), Kind::Rate);
        assert_eq!(kind_of("period"), Kind::Integer);
        assert_eq!(kind_of("class"), Kind::Text);
        assert_eq!(kind_of("wal"), Kind::Fixed(2));
        assert_eq!(kind_of("stepdown"), Kind::Auto);
    }
}
