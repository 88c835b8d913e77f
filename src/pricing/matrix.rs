//! A price/yield matrix as prospectus supplements print it: prices down the
//! side, scenarios across the top, the yield in each cell, then the weighted
//! average life, the modified duration and the first and last principal
//! payment dates of each scenario; to the clean-up call, to maturity, or both.
//!
//! * **To call** runs each scenario with its clean-up call exercised on the
//!   first date it is allowed (`Scenario::call = true`), whatever the
//!   scenario file says; **to maturity** runs the same scenario with the
//!   call off. For a deal with no clean-up call the two are the same.
//! * Yields are bond-equivalent, percent, at the clean price plus the
//!   accrued interest to settlement ([`super::settle`]).
//! * The modified duration is at one price, the middle of the prices given
//!   (the lower middle for an even number; the row says which), as a
//!   prospectus quotes it at the pricing price.
//! * Each column is headed by what sets its scenario apart: the assumptions
//!   (prepayment, default, severity, lag, LIBOR) that vary across the file's
//!   scenarios, or the prepayment speed when none does; the scenario's
//!   number is put in front when that leaves two headings the same.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::quote::{format_32nds, format_decimal};
use super::settle::{face_at_filing, project_and_settle};
use super::table::{face_words, figure, settlement_words};
use crate::error::{Error, Result};
use crate::format::OutputFormat;
use crate::projection::Projection;
use crate::scenario::{SCENARIO_COLUMNS, ScenarioSet};
use crate::table::Table;
use crate::waterfall::Engine;

/// Most scenarios a matrix puts across the top (`price` takes any number).
pub const MAX_COLUMNS: usize = 100;

/// What a matrix is priced to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    /// The clean-up call exercised on the first date it is allowed.
    Call,
    /// The call not exercised: to the last payment.
    Maturity,
}

impl To {
    pub fn name(self) -> &'static str {
        match self {
            To::Call => "call",
            To::Maturity => "maturity",
        }
    }

    fn words(self) -> &'static str {
        match self {
            To::Call => "to call (the clean-up call exercised on the first date it is allowed)",
            To::Maturity => "to maturity (the clean-up call not exercised)",
        }
    }
}

/// One scenario's column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The heading.
    pub label: String,
    /// The scenario's name.
    pub scenario: String,
    /// Accrued interest per 100 of face at settlement.
    pub accrued: f64,
    /// Bond-equivalent yield (a fraction) at each price, in the order given.
    pub yields: Vec<Option<f64>>,
    /// Weighted average life from settlement, years.
    pub wal: Option<f64>,
    /// Modified duration at [`Matrix::duration_price`], years.
    pub modified_duration: Option<f64>,
    pub first_principal: Option<NaiveDate>,
    pub last_principal: Option<NaiveDate>,
}

/// The columns priced to one redemption.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub to: To,
    pub columns: Vec<Column>,
}

/// A price/yield matrix of one class.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub deal: String,
    pub class: String,
    pub filing: NaiveDate,
    pub settle: NaiveDate,
    /// Clean prices, percent of face at settlement, in the order given.
    pub prices: Vec<f64>,
    /// Index into `prices` of the price the modified duration is at.
    pub duration_price: usize,
    /// Show the accrued interest (settlement was given).
    pub show_accrued: bool,
    /// The deal has a clean-up call.
    pub has_call: bool,
    /// "percent of current face" or "per 100 of notional".
    pub face: &'static str,
    /// Settlement and accrual, in words, for the title.
    pub settlement: String,
    pub blocks: Vec<Block>,
}

/// The heading of each scenario of `set` (see the module docs).
fn labels(set: &ScenarioSet) -> Vec<String> {
    // name, prepay, default, severity, lag, advancing, LIBOR, call,
    // counterparty default month, termination payment
    // (crate::scenario::COLUMNS); the call is the matrix's to call or to
    // maturity, so it never labels a scenario.
    let cols: Vec<[String; SCENARIO_COLUMNS]> =
        (0..set.len()).map(|i| set.get(i).columns()).collect();
    let varies: Vec<usize> = (1..SCENARIO_COLUMNS)
        .filter(|&j| j != 7 && cols.iter().any(|c| c[j] != cols[0][j]))
        .collect();
    let shown = if varies.is_empty() { vec![1] } else { varies };
    let labels: Vec<String> = cols
        .iter()
        .map(|c| {
            shown
                .iter()
                .map(|&j| match j {
                    3 => format!("{}% sev", c[3]),
                    4 => format!("lag {}", c[4]),
                    5 => format!("advancing {}", c[5]),
                    6 => format!("LIBOR {}", c[6]),
                    8 if c[8].is_empty() => "no counterparty default".to_string(),
                    8 => format!("counterparty defaults month {}", c[8]),
                    9 if c[9].is_empty() => String::new(),
                    9 => format!("termination {}", c[9]),
                    _ => c[j].clone(),
                })
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut sorted = labels.clone();
    sorted.sort();
    sorted.dedup();
    if sorted.len() == labels.len() {
        labels
    } else {
        labels
            .into_iter()
            .enumerate()
            .map(|(i, l)| format!("#{} {l}", i + 1))
            .collect()
    }
}

/// The matrix of class `k` at clean `prices` across the scenarios of `set`,
/// settled on `settle` (the filing's distribution date when `None`), one
/// block for each of `to`.
pub fn build(
    p: &Projection,
    set: &ScenarioSet,
    k: usize,
    prices: &[f64],
    settle: Option<NaiveDate>,
    to: &[To],
) -> Result<Matrix> {
    let class = &p.deal.classes[k];
    if prices.is_empty() {
        return Err(Error::Usage(
            "give at least one --price for the matrix".into(),
        ));
    }
    if set.len() > MAX_COLUMNS {
        return Err(Error::Usage(format!(
            "a matrix puts at most {MAX_COLUMNS} scenarios across the top; {} defines {} (`waterfall price` takes any number)",
            set.path.display(),
            set.len()
        )));
    }
    face_at_filing(p, k)?;
    let duration_price = (prices.len() - 1) / 2;
    let labels = labels(set);
    let mut engine = Engine::<f64>::new(p.deal);
    let mut blocks = Vec::new();
    let mut first = None;
    for &t in to {
        let mut columns = Vec::new();
        for (i, label) in labels.iter().enumerate() {
            let mut s = set.get(i);
            s.call = t == To::Call;
            let settled = project_and_settle(p, &s, k, &mut engine, settle)?;
            let bond = &settled.bond;
            let yields: Vec<Option<f64>> = prices
                .iter()
                .map(|&c| super::yield_from_price(bond, settled.dirty(c)))
                .collect();
            columns.push(Column {
                label: label.clone(),
                scenario: s.name.clone(),
                accrued: settled.accrued,
                modified_duration: yields[duration_price]
                    .and_then(|y| super::modified_duration(bond, y)),
                yields,
                wal: super::weighted_average_life(bond),
                first_principal: settled.first_principal(),
                last_principal: settled.last_principal(),
            });
            if first.is_none() && !settled.bond.flows.is_empty() {
                first = Some(settled);
            }
        }
        blocks.push(Block { to: t, columns });
    }
    if first.is_none() {
        return Err(Error::Usage(format!(
            "class {} has nothing left to price at settlement {} in any scenario",
            class.name,
            settle.unwrap_or(p.start.date)
        )));
    }
    Ok(Matrix {
        deal: p.deal.name.clone(),
        class: class.name.clone(),
        filing: p.start.date,
        settle: settle.unwrap_or(p.start.date),
        prices: prices.to_vec(),
        duration_price,
        show_accrued: settle.is_some(),
        has_call: p.deal.call.is_some(),
        face: face_words(class),
        settlement: settlement_words(p, k, first.as_ref()),
        blocks,
    })
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

impl Matrix {
    /// The rows of one block: (measure key, row label, price, cells).
    fn rows(&self, b: &Block) -> Vec<(&'static str, String, Option<f64>, Vec<String>)> {
        let cells = |f: &dyn Fn(&Column) -> String| b.columns.iter().map(f).collect::<Vec<_>>();
        let mut rows = Vec::new();
        for (i, &price) in self.prices.iter().enumerate() {
            rows.push((
                "yield_percent",
                format!("{} ({})", format_32nds(price), format_decimal(price)),
                Some(price),
                cells(&|c| figure(c.yields[i].map(|y| y * 100.0), 4)),
            ));
        }
        if self.show_accrued {
            rows.push((
                "accrued_per_100",
                "accrued (per 100)".into(),
                None,
                cells(&|c| figure(Some(c.accrued), 6)),
            ));
        }
        let dp = self.prices[self.duration_price];
        rows.push((
            "wal_years",
            "WAL (years)".into(),
            None,
            cells(&|c| figure(c.wal, 2)),
        ));
        rows.push((
            "modified_duration",
            format!("mod duration at {}", format_32nds(dp)),
            Some(dp),
            cells(&|c| figure(c.modified_duration, 2)),
        ));
        rows.push((
            "first_principal",
            "first principal".into(),
            None,
            cells(&|c| date(c.first_principal)),
        ));
        rows.push((
            "last_principal",
            "last principal".into(),
            None,
            cells(&|c| date(c.last_principal)),
        ));
        rows
    }

    fn title(&self) -> String {
        format!(
            "{} class {} from the {} filing ({}; {})",
            self.deal, self.class, self.filing, self.face, self.settlement
        )
    }

    fn subtitle(&self, b: &Block) -> String {
        format!(
            "Yields (bond-equivalent, percent) {}{}",
            b.to.words(),
            if self.has_call {
                ""
            } else {
                "; the deal has no clean-up call"
            }
        )
    }

    /// The matrix as aligned text, one table per block.
    pub fn to_text(&self) -> String {
        let mut out = self.title();
        out.push('\n');
        for b in &self.blocks {
            let mut headers = vec!["price".to_string()];
            headers.extend(b.columns.iter().map(|c| c.label.clone()));
            let h: Vec<&str> = headers.iter().map(String::as_str).collect();
            let mut t = Table::with_left(&h, 1);
            let rows = self.rows(b);
            let n = self.prices.len();
            for (i, (_, label, _, cells)) in rows.into_iter().enumerate() {
                if i == n {
                    t.row(Vec::new());
                }
                let mut r = vec![label];
                r.extend(cells);
                t.row(r);
            }
            out.push('\n');
            out.push_str(&self.subtitle(b));
            out.push_str("\n\n");
            out.push_str(&t.render());
        }
        out
    }

    /// The matrix as CSV: `to,row,price,price_32nds`, then a column per
    /// scenario; one line per price (yields, percent), then the accrued
    /// interest (with `--settle`), WAL, modified duration (at the price
    /// shown) and first and last principal dates, for each block.
    pub fn to_csv(&self) -> Result<String> {
        let fail = |e: String| Error::Internal(format!("cannot write CSV: {e}"));
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec![
            "to".to_string(),
            "row".into(),
            "price".into(),
            "price_32nds".into(),
        ];
        if let Some(b) = self.blocks.first() {
            header.extend(b.columns.iter().map(|c| c.label.clone()));
        }
        w.write_record(&header).map_err(|e| fail(e.to_string()))?;
        for b in &self.blocks {
            for (key, _, price, cells) in self.rows(b) {
                let mut r = vec![
                    b.to.name().to_string(),
                    key.to_string(),
                    price.map(format_decimal).unwrap_or_default(),
                    price.map(format_32nds).unwrap_or_default(),
                ];
                r.extend(cells);
                w.write_record(&r).map_err(|e| fail(e.to_string()))?;
            }
        }
        let bytes = w.into_inner().map_err(|e| fail(e.to_string()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The matrix as JSON, figures as numbers (yields in percent), `null`
    /// where there is none.
    pub fn to_json(&self) -> Value {
        let pct = |y: Option<f64>| y.map(|y| y * 100.0);
        json!({
            "deal": self.deal,
            "class": self.class,
            "filing": self.filing.to_string(),
            "settle": self.settle.to_string(),
            "prices": self.prices.iter().map(|&p| json!({
                "price": p,
                "price_32nds": format_32nds(p),
            })).collect::<Vec<_>>(),
            "duration_price": self.prices[self.duration_price],
            "yields": "bond-equivalent, percent",
            "tables": self.blocks.iter().map(|b| json!({
                "to": b.to.name(),
                "columns": b.columns.iter().map(|c| json!({
                    "label": c.label,
                    "scenario": c.scenario,
                    "accrued_per_100": c.accrued,
                    "yields": c.yields.iter().map(|&y| pct(y)).collect::<Vec<_>>(),
                    "wal_years": c.wal,
                    "modified_duration": c.modified_duration,
                    "first_principal": c.first_principal.map(|d| d.to_string()),
                    "last_principal": c.last_principal.map(|d| d.to_string()),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    /// The matrix in `format`.
    pub fn render(&self, format: OutputFormat) -> Result<String> {
        Ok(match format {
            OutputFormat::Table => self.to_text(),
            OutputFormat::Csv => self.to_csv()?,
            OutputFormat::Json => {
                serde_json::to_string_pretty(&self.to_json()).expect("serializable") + "\n"
            }
        })
    }
}
