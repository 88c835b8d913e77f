//! The library's results as Arrow tables, column for column as the CLI's
//! CSV writes them (same names, same order, same rounding).

use chrono::NaiveDate;
use pyo3::prelude::*;
use rayon::prelude::*;
use std::str::FromStr;

use rust_decimal::Decimal;
use waterfall::breakeven::Breakeven;
use waterfall::grid::{self, GridRow};
use waterfall::num::Num;
use waterfall::projection::columns::{self, Unit};
use waterfall::projection::summary::Summary;
use waterfall::projection::{PeriodRecord, Projection, Recorded};
use waterfall::reconcile::Reconciliation;
use waterfall::scenario::{Scenario, ScenarioSet};
use waterfall::waterfall::Engine;

use crate::arrow::{Cell, Kind, MONEY, RATE, Table};
use crate::internal;

const MONEY_COL: Kind = Kind::Dec(MONEY);
const RATE_COL: Kind = Kind::Dec(RATE);

fn money<T: Num>(x: T) -> Cell<'static> {
    Cell::Dec(Some(x.to_decimal()))
}

fn rate<T: Num>(x: T) -> Cell<'static> {
    Cell::Dec(Some(x.to_decimal()))
}

fn date<'a>(d: NaiveDate) -> Cell<'a> {
    Cell::Date(Some(d))
}

/// A projection's four tables and its summary.
pub struct ProjectOut {
    pub classes: Table,
    pub collateral: Table,
    pub deal: Table,
    pub summary_table: Table,
    pub summary: Summary,
    pub scenario: String,
}

// PyErr is what the table builders return; inside `detach` errors are the
// library's, so builder errors are carried out as internal errors.
fn lib_err(e: PyErr) -> waterfall::Error {
    waterfall::Error::Internal(e.to_string())
}

/// Run `scenario` in number type `T` as `waterfall project` does, keeping
/// every period, and tabulate it.
pub fn project<T: Num>(p: &Projection, scenario: &Scenario) -> waterfall::Result<ProjectOut> {
    let Recorded { periods, summary } = p.record::<T>(scenario)?;
    let records = &periods;
    Ok(ProjectOut {
        classes: classes(p, records).map_err(lib_err)?,
        collateral: collateral(p, records).map_err(lib_err)?,
        deal: deal_table(p, records).map_err(lib_err)?,
        summary_table: summary_table(&summary).map_err(lib_err)?,
        summary,
        scenario: waterfall::projection::output::scenario_line(p, scenario),
    })
}

/// An Arrow column's kind for a projection table's column.
fn kind(u: Unit) -> Kind {
    match u {
        Unit::Int => Kind::Int,
        Unit::Date => Kind::Date,
        Unit::Text => Kind::Text,
        Unit::Bool => Kind::Bool,
        Unit::Amount => MONEY_COL,
        Unit::Rate => RATE_COL,
    }
}

/// A projection table's cell as an Arrow cell.
fn cell<T: Num>(c: columns::Cell<'_, T>) -> Cell<'_> {
    match c {
        columns::Cell::Int(n) => Cell::Int(n.into()),
        columns::Cell::Date(d) => date(d),
        columns::Cell::Text(t) => Cell::Text(t),
        columns::Cell::Bool(b) => Cell::Bool(b),
        columns::Cell::Amount(x) => money(x),
        columns::Cell::Rate(x) => rate(x),
    }
}

/// `classes.csv`: per period and class ([`columns::CLASS_COLUMNS`]).
fn classes<T: Num>(p: &Projection, records: &[PeriodRecord<T>]) -> PyResult<Table> {
    let mut t = Table::new(columns::CLASS_COLUMNS.map(|(n, u)| (n, kind(u))));
    for r in records {
        for k in 0..p.deal.classes.len() {
            t.row(&columns::class_row(p, r, k).map(cell))?;
        }
    }
    Ok(t)
}

/// `collateral.csv`: per period and loan group
/// ([`columns::COLLATERAL_COLUMNS`]).
fn collateral<T: Num>(p: &Projection, records: &[PeriodRecord<T>]) -> PyResult<Table> {
    let mut t = Table::new(columns::COLLATERAL_COLUMNS.map(|(n, u)| (n, kind(u))));
    for r in records {
        for g in 0..p.deal.groups.len() {
            t.row(&columns::collateral_row(p, r, g).map(cell))?;
        }
    }
    Ok(t)
}

/// `deal.csv`: the deal's state per period, with a column for each of the
/// deal's triggers, carried accounts, named quantities and named steps
/// ([`columns::deal_columns`]).
fn deal_table<T: Num>(p: &Projection, records: &[PeriodRecord<T>]) -> PyResult<Table> {
    let cols = columns::deal_columns(p.deal);
    let mut t = Table::new(cols.into_iter().map(|(n, u)| (n, kind(u))));
    let (mut row, mut cells) = (Vec::new(), Vec::new());
    for r in records {
        columns::deal_row(p, r, &mut row);
        cells.clear();
        cells.extend(row.iter().map(|&c| cell(c)));
        t.row(&cells)?;
    }
    Ok(t)
}

/// `summary.csv`: per class over the projection.
fn summary_table(summary: &Summary) -> PyResult<Table> {
    let mut t = Table::new([
        ("class", Kind::Text),
        ("starting_balance", MONEY_COL),
        ("wal_years", Kind::Dec(2)),
        ("first_principal", Kind::Date),
        ("last_principal", Kind::Date),
        ("total_interest", MONEY_COL),
        ("total_principal", MONEY_COL),
        ("total_writedown", MONEY_COL),
        ("loss_percent", Kind::Dec(4)),
        ("first_writedown", Kind::Date),
    ]);
    for c in &summary.classes {
        t.row(&[
            Cell::Text(&c.name),
            Cell::Dec(Some(c.starting_balance)),
            Cell::Dec(c.wal),
            Cell::Date(c.first_principal),
            Cell::Date(c.last_principal),
            Cell::Dec(Some(c.total_interest)),
            Cell::Dec(Some(c.total_principal)),
            Cell::Dec(Some(c.total_writedown)),
            Cell::Dec(Some(c.loss_percent)),
            Cell::Date(c.first_writedown),
        ])?;
    }
    Ok(t)
}

/// A grid being run: scenarios `first..last` of a set (all by default),
/// each summarised on the fast path by [`grid::summarize`] as `waterfall
/// grid` does, chunk by chunk in parallel on a rayon pool, in scenario order.
pub struct GridRun<'d> {
    pool: rayon::ThreadPool,
    prototype: Engine<'d, f64>,
    pub first: usize,
    pub last: usize,
}

impl<'d> GridRun<'d> {
    pub fn new(
        p: &Projection<'d>,
        set: &ScenarioSet,
        threads: Option<usize>,
        first: Option<usize>,
        last: Option<usize>,
    ) -> waterfall::Result<Self> {
        let n = set.len();
        let first = first.unwrap_or(0);
        let last = last.unwrap_or(n);
        if first > last || last > n {
            return Err(waterfall::Error::Usage(format!(
                "scenarios {first}..{last}: the file defines {n} scenarios (0 <= first <= last <= {n})"
            )));
        }
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(t) = threads {
            grid::check_threads(t)?;
            builder = builder.num_threads(t);
        }
        let pool = builder
            .build()
            .map_err(|e| waterfall::Error::Usage(format!("cannot start worker threads: {e}")))?;
        Ok(GridRun {
            pool,
            // One engine set up, copied to each worker (as the CLI's grid does).
            prototype: Engine::<f64>::new(p.deal),
            first,
            last,
        })
    }

    /// The rows of scenarios `at..end` (0-based), in order.
    pub fn chunk(
        &self,
        p: &Projection,
        set: &ScenarioSet,
        at: usize,
        end: usize,
    ) -> waterfall::Result<Vec<GridRow>> {
        let chunk: Vec<waterfall::Result<Vec<GridRow>>> = self.pool.install(|| {
            (at..end)
                .into_par_iter()
                .map_init(
                    || self.prototype.clone(),
                    |engine, i| grid::summarize(p, engine, &set.get(i), i + 1),
                )
                .collect()
        });
        let mut rows = Vec::new();
        for r in chunk {
            rows.extend(r?);
        }
        Ok(rows)
    }
}

/// The grid's rows as a table: the CLI's columns ([`grid::COLUMNS`]).
/// Severity is a float (percent, as the scenario gives it); lag an integer;
/// advancing and call booleans (the CSV's `yes`/`no`); the counterparty's
/// default month an integer and its termination payment a decimal to the
/// cent, both null when it never defaults.
pub fn grid(rows: &[GridRow]) -> PyResult<Table> {
    let kinds = [
        Kind::Int,
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Float,
        Kind::Int,
        Kind::Bool,
        Kind::Text,
        Kind::Bool,
        Kind::Int,
        MONEY_COL,
        Kind::Text,
        Kind::Dec(2),
        Kind::Date,
        Kind::Date,
        MONEY_COL,
        MONEY_COL,
        MONEY_COL,
        Kind::Dec(4),
        Kind::Date,
        Kind::Date,
        Kind::Date,
        Kind::Date,
    ];
    let mut t = Table::new(grid::COLUMNS.iter().copied().zip(kinds));
    for r in rows {
        let c = &r.class;
        let severity: f64 = r.params[3]
            .parse()
            .map_err(|_| internal(format!("severity {} is not a number", r.params[3])))?;
        let lag: i64 = r.params[4]
            .parse()
            .map_err(|_| internal(format!("lag {} is not a number", r.params[4])))?;
        // Both empty (null) when the counterparty never defaults.
        let month = match r.params[8].as_str() {
            "" => Cell::Null,
            m => Cell::Int(m.parse().map_err(|_| {
                internal(format!("counterparty default month {m} is not a number"))
            })?),
        };
        let termination = match r.params[9].as_str() {
            "" => None,
            t => Some(
                Decimal::from_str(t)
                    .map_err(|_| internal(format!("termination payment {t} is not a number")))?,
            ),
        };
        t.row(&[
            Cell::Int(r.scenario as i64),
            Cell::Text(&r.params[0]),
            Cell::Text(&r.params[1]),
            Cell::Text(&r.params[2]),
            Cell::Float(Some(severity)),
            Cell::Int(lag),
            Cell::Bool(r.params[5] == "yes"),
            Cell::Text(&r.params[6]),
            Cell::Bool(r.params[7] == "yes"),
            month,
            Cell::Dec(termination),
            Cell::Text(&c.name),
            Cell::Dec(c.wal),
            Cell::Date(c.first_principal),
            Cell::Date(c.last_principal),
            Cell::Dec(Some(c.total_principal)),
            Cell::Dec(Some(c.total_interest)),
            Cell::Dec(Some(c.total_writedown)),
            Cell::Dec(Some(c.loss_percent)),
            Cell::Date(c.first_writedown),
            Cell::Date(r.stepdown),
            Cell::Date(r.first_trigger),
            Cell::Date(r.call),
        ])?;
    }
    Ok(t)
}

/// Decimal places of reconcile's figure columns: the JSON's rounding
/// (money to the cent, rates and factors to the printed places plus 3)
/// fits in 12.
const FIGURE: u32 = 12;
/// A tolerance is a deal's dollars over a balance (a per-1,000 figure's
/// tolerance): kept to the 28 places it is computed to.
const TOLERANCE: u32 = 28;

/// One row per compared figure of every report, reports in date order, as
/// `reconcile --format json` lists them.
pub fn reconcile(runs: &[Reconciliation]) -> PyResult<Table> {
    use waterfall::report::Unit;
    let mut t = Table::new([
        ("report", Kind::Text),
        ("distribution_date", Kind::Date),
        ("id", Kind::Text),
        ("class", Kind::Text),
        ("field", Kind::Text),
        ("label", Kind::Text),
        ("unit", Kind::Text),
        ("ours", Kind::Dec(FIGURE)),
        ("reported", Kind::Dec(FIGURE)),
        ("difference", Kind::Dec(FIGURE)),
        ("tolerance", Kind::Dec(TOLERANCE)),
        ("status", Kind::Text),
        ("line", Kind::Int),
        ("note", Kind::Text),
    ]);
    for r in runs {
        let report = r.report_path.display().to_string();
        for f in &r.figures {
            // As the JSON rounds a computed figure.
            let dp = match f.unit {
                Unit::Money => 2,
                Unit::Flag | Unit::Count => 0,
                _ => f.reported.map(|p| p.decimals).unwrap_or(7) + 3,
            };
            let rounded = |v: Decimal| v.round_dp_with_strategy(dp, waterfall::num::MONEY_ROUNDING);
            let unit = match f.unit {
                Unit::Money => "money",
                Unit::Rate => "rate",
                Unit::Per1000 => "per1000",
                Unit::Factor => "factor",
                Unit::Count => "count",
                Unit::Flag => "flag",
            };
            t.row(&[
                Cell::Text(&report),
                date(r.distribution_date),
                Cell::Text(&f.id),
                text(f.class()),
                Cell::Text(f.field()),
                Cell::Text(&f.label),
                Cell::Text(unit),
                Cell::Dec(f.ours.map(rounded)),
                Cell::Dec(f.reported.map(|p| p.value)),
                Cell::Dec(f.difference().map(rounded)),
                Cell::Dec(Some(f.tolerance)),
                Cell::Text(f.status.name()),
                f.reported
                    .map(|p| Cell::Int(p.line as i64))
                    .unwrap_or(Cell::Null),
                text(f.note.as_deref()),
            ])?;
        }
    }
    Ok(t)
}

fn text(s: Option<&str>) -> Cell<'_> {
    s.map(Cell::Text).unwrap_or(Cell::Null)
}

/// One row per class, as `breakeven --format json` lists them.
pub fn breakeven(results: &[Breakeven]) -> PyResult<Table> {
    let mut t = Table::new([
        ("class", Kind::Text),
        ("by", Kind::Text),
        ("breakeven", Kind::Dec(4)),
        ("beyond_range", Kind::Bool),
        ("first_loss_at", Kind::Dec(4)),
        ("first_loss", MONEY_COL),
        ("first_loss_percent", Kind::Dec(4)),
        ("wal", Kind::Dec(2)),
        ("collateral_loss_percent", Kind::Dec(4)),
        ("tolerance", Kind::Dec(4)),
        ("projections", Kind::Int),
    ]);
    for b in results {
        t.row(&[
            Cell::Text(&b.class),
            Cell::Text(b.by.unit()),
            Cell::Dec(b.rate),
            Cell::Bool(b.beyond_range),
            Cell::Dec(b.first_loss_rate),
            Cell::Dec(Some(b.first_loss)),
            Cell::Dec(Some(b.first_loss_percent)),
            Cell::Dec(b.wal),
            Cell::Dec(Some(b.collateral_loss_percent)),
            Cell::Dec(Some(b.tolerance)),
            Cell::Int(b.projections.into()),
        ])?;
    }
    Ok(t)
}

/// The price table (`price --format csv`, the library's own rendering) as
/// typed columns: the scenario's (its counterparty default month an
/// integer and termination payment a decimal to the cent, both null when
/// it never defaults), then price, price_32nds, accrued,
/// yield_percent, dm_bp, wal, modified_duration (floats, as computed on
/// the fast path; null where the CSV is empty) and given.
pub fn price(csv: &str) -> PyResult<Table> {
    let mut lines = csv.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split(',')
        .map(String::from)
        .collect();
    let kind = |name: &str| match name {
        "name" | "prepay" | "default" | "libor" | "price_32nds" | "given" => Kind::Text,
        "lag" => Kind::Int,
        "advancing" | "call" => Kind::Bool,
        "counterparty_default" => Kind::Int,
        "termination_payment" => MONEY_COL,
        _ => Kind::Float,
    };
    let kinds: Vec<Kind> = header.iter().map(|h| kind(h)).collect();
    let mut t = Table::new(header.iter().cloned().zip(kinds.iter().copied()));
    for line in lines {
        let fields = split_csv(line);
        if fields.len() != kinds.len() {
            return Err(internal(format!(
                "a price row of {} fields for {} columns: {line}",
                fields.len(),
                kinds.len()
            )));
        }
        let mut row = Vec::with_capacity(fields.len());
        for (f, k) in fields.iter().zip(&kinds) {
            row.push(match k {
                Kind::Text => Cell::Text(f),
                // The counterparty's default month is empty when it never defaults.
                Kind::Int if f.is_empty() => Cell::Null,
                Kind::Int => Cell::Int(
                    f.parse()
                        .map_err(|_| internal(format!("{f} is not an integer")))?,
                ),
                Kind::Bool => Cell::Bool(f == "yes"),
                Kind::Dec(_) if f.is_empty() => Cell::Dec(None),
                Kind::Dec(_) => Cell::Dec(Some(
                    Decimal::from_str(f).map_err(|_| internal(format!("{f} is not a number")))?,
                )),
                _ if f.is_empty() => Cell::Float(None),
                _ => Cell::Float(Some(
                    f.parse()
                        .map_err(|_| internal(format!("{f} is not a number")))?,
                )),
            });
        }
        t.row(&row)?;
    }
    Ok(t)
}

/// Split one CSV line as the csv crate writes it (quotes only around a
/// field holding a comma, a quote or a line break).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}
