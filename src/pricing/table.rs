//! Price/yield tables of a projected class across scenarios.

use chrono::NaiveDate;

use super::quote::{format_32nds, format_decimal};
use super::settle::{Settlement, face_at_filing, project_and_settle};
use crate::error::{Error, Result};
use crate::format::OutputFormat;
use crate::projection::Projection;
use crate::scenario::ScenarioSet;
use crate::waterfall::Engine;

/// The columns of a price table after the scenario's own.
const HEADER: [&str; 8] = [
    "price",
    "32nds",
    "accrued",
    "yield %",
    "DM bp",
    "WAL",
    "mod duration",
    "given",
];

/// The same, as CSV and JSON keys.
const KEYS: [&str; 8] = [
    "price",
    "price_32nds",
    "accrued",
    "yield_percent",
    "dm_bp",
    "wal",
    "modified_duration",
    "given",
];

/// A figure to `dp` places, empty when there is none.
pub(crate) fn figure(x: Option<f64>, dp: usize) -> String {
    x.filter(|v| v.is_finite())
        .map(|v| format!("{v:.dp$}"))
        .unwrap_or_default()
}

/// What a class's prices are percent of: "per 100 of notional" for an
/// interest-only class, else "percent of current face".
pub(crate) fn face_words(class: &crate::deal::Class) -> &'static str {
    if !class.has_principal() {
        "per 100 of notional"
    } else {
        "percent of current face"
    }
}

/// Where the settlement and its accrual start are, for a table's title.
pub(crate) fn settlement_words(p: &Projection, k: usize, first: Option<&Settlement>) -> String {
    let class = &p.deal.classes[k];
    match first {
        Some(s) if s.date != p.start.date || s.accrued_days != 0 => format!(
            "settling {}, clean prices, accrued interest from {} ({} day{} {})",
            s.date,
            s.accrual_start,
            s.accrued_days,
            if s.accrued_days == 1 { "" } else { "s" },
            class.day_count.name()
        ),
        Some(s) => format!("settling {}, no accrued interest", s.date),
        None => format!("settling {}", p.start.date),
    }
}

/// A price/yield table of class `k` across every scenario of `set`, as
/// prospectus tables show it: for each scenario and price the yield (and
/// discount margin for a floating class), WAL and modified duration; for
/// each yield the price. Prices are clean, percent of the face at
/// settlement (`settle`, the filing's distribution date when `None`), shown
/// as decimals and in 32nds ([`super::quote`]); the accrued interest (per
/// 100) is added to discount ([`super::settle`]).
pub fn price_table(
    p: &Projection,
    set: &ScenarioSet,
    k: usize,
    prices: &[f64],
    yields: &[f64],
    settle: Option<NaiveDate>,
    format: OutputFormat,
) -> Result<String> {
    use crate::table::{Align, Table};
    let class = &p.deal.classes[k];
    let floating = class.coupon.floats();
    face_at_filing(p, k)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut engine = Engine::<f64>::new(p.deal);
    let mut first: Option<Settlement> = None;
    for i in 0..set.len() {
        let s = set.get(i);
        let settled = project_and_settle(p, &s, k, &mut engine, settle)?;
        let bond = &settled.bond;
        let wal = super::weighted_average_life(bond);
        let scenario = s.columns();
        let dm = |dirty: f64| {
            if floating {
                figure(super::discount_margin(bond, dirty).map(|d| d * 10_000.0), 1)
            } else {
                String::new()
            }
        };
        let accrued = figure(Some(settled.accrued), 6);
        for &price in prices {
            let dirty = settled.dirty(price);
            let y = super::yield_from_price(bond, dirty);
            rows.push(
                scenario
                    .iter()
                    .cloned()
                    .chain([
                        format_decimal(price),
                        format_32nds(price),
                        accrued.clone(),
                        figure(y.map(|y| y * 100.0), 4),
                        dm(dirty),
                        figure(wal, 2),
                        figure(y.and_then(|y| super::modified_duration(bond, y)), 2),
                        "price".into(),
                    ])
                    .collect(),
            );
        }
        for &yld in yields {
            let y = yld / 100.0;
            let dirty = super::price_from_yield(bond, y);
            let price = settled.clean(dirty);
            rows.push(
                scenario
                    .iter()
                    .cloned()
                    .chain([
                        format_decimal(price),
                        format_32nds(price),
                        accrued.clone(),
                        format!("{yld:.4}"),
                        dm(dirty),
                        figure(wal, 2),
                        figure(super::modified_duration(bond, y), 2),
                        "yield".into(),
                    ])
                    .collect(),
            );
        }
        if first.is_none() && !settled.bond.flows.is_empty() {
            first = Some(settled);
        }
    }
    if first.is_none() {
        return Err(Error::Usage(format!(
            "class {} has nothing left to price at settlement {} in any scenario",
            class.name,
            settle.unwrap_or(p.start.date)
        )));
    }
    // The scenario's columns (its name and assumptions), then the figures.
    let header: Vec<&str> = crate::scenario::COLUMNS
        .iter()
        .chain(&HEADER)
        .copied()
        .collect();
    let keys: Vec<&str> = crate::scenario::COLUMNS
        .iter()
        .chain(&KEYS)
        .copied()
        .collect();
    let text: Vec<bool> = crate::scenario::TEXT_COLUMNS
        .iter()
        .copied()
        .chain([false, true, false, false, false, false, false, true])
        .collect();
    Ok(match format {
        OutputFormat::Table => {
            let align: Vec<Align> = text
                .iter()
                .map(|&t| if t { Align::Left } else { Align::Right })
                .collect();
            let mut t = Table::new(&header, &align);
            for r in rows {
                t.row(r);
            }
            format!(
                "{} class {} from {} ({}; {}; yields bond-equivalent, DM over {})\n\n{}",
                p.deal.name,
                class.name,
                p.start.label,
                face_words(class),
                settlement_words(p, k, first.as_ref()),
                p.deal.index_name,
                t.render()
            )
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let written = w
                .write_record(&keys)
                .and_then(|_| rows.iter().try_for_each(|r| w.write_record(r)));
            written
                .map_err(|e| Error::Internal(format!("cannot write CSV: {e}")))
                .and_then(|_| {
                    w.into_inner()
                        .map_err(|e| Error::Internal(format!("cannot write CSV: {e}")))
                })
                .map(|b| String::from_utf8_lossy(&b).into_owned())?
        }
        OutputFormat::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|r| {
                    serde_json::Value::Object(
                        keys.iter()
                            .zip(r.iter())
                            .zip(&text)
                            .map(|((h, v), &t)| (h.to_string(), crate::format::json_cell(v, t)))
                            .collect(),
                    )
                })
                .collect();
            serde_json::to_string_pretty(&v).expect("serializable") + "\n"
        }
    })
}
