//! Price/yield tables of a projected class across scenarios.

use crate::error::{Error, Result};
use crate::format::OutputFormat;
use crate::projection::Projection;
use crate::scenario::ScenarioSet;
use crate::waterfall::Engine;

/// A price/yield table of class `k` across every scenario of `set`, as
/// prospectus tables show it: for each scenario and price the yield (and
/// discount margin for a floating class), WAL and modified duration; for
/// each yield the price.
pub fn price_table(
    p: &Projection,
    set: &ScenarioSet,
    k: usize,
    prices: &[f64],
    yields: &[f64],
    format: OutputFormat,
) -> Result<String> {
    use crate::table::{Align, Table};
    let class = &p.deal.classes[k];
    let floating = class.coupon.floats();
    let face = p.start.balances(p.deal)[k]
        .to_string()
        .parse::<f64>()
        .unwrap_or(0.0);
    if face <= 0.0 {
        return Err(Error::Usage(format!(
            "class {} has no balance at the filing to price",
            class.name
        )));
    }
    // A row: the scenario's columns, then price, yield, DM, WAL, duration, given.
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut engine = Engine::<f64>::new(p.deal);
    for i in 0..set.len() {
        let s = set.get(i);
        let mut flows = crate::projection::BondFlows::new(k, face);
        p.run(&s, &mut engine, &mut flows)?;
        let bond = flows.bond;
        let wal = super::weighted_average_life(&bond);
        let scenario = s.columns();
        let f = |x: Option<f64>, dp: usize| {
            x.filter(|v| v.is_finite())
                .map(|v| format!("{v:.dp$}"))
                .unwrap_or_default()
        };
        for &price in prices {
            let y = super::yield_from_price(&bond, price);
            rows.push(
                scenario
                    .iter()
                    .cloned()
                    .chain([
                        format!("{price:.4}"),
                        f(y.map(|y| y * 100.0), 4),
                        if floating {
                            f(
                                super::discount_margin(&bond, price).map(|d| d * 10_000.0),
                                1,
                            )
                        } else {
                            String::new()
                        },
                        f(wal, 2),
                        f(y.and_then(|y| super::modified_duration(&bond, y)), 2),
                        "price".into(),
                    ])
                    .collect(),
            );
        }
        for &yld in yields {
            let y = yld / 100.0;
            let price = super::price_from_yield(&bond, y);
            rows.push(
                scenario
                    .iter()
                    .cloned()
                    .chain([
                        f(Some(price), 4),
                        format!("{yld:.4}"),
                        if floating {
                            f(
                                super::discount_margin(&bond, price).map(|d| d * 10_000.0),
                                1,
                            )
                        } else {
                            String::new()
                        },
                        f(wal, 2),
                        f(super::modified_duration(&bond, y), 2),
                        "yield".into(),
                    ])
                    .collect(),
            );
        }
    }
    // The scenario's columns (its name and assumptions), then the figures.
    const FIGURES: [&str; 6] = ["price", "yield %", "DM bp", "WAL", "mod duration", "given"];
    const FIGURE_KEYS: [&str; 6] = [
        "price",
        "yield_percent",
        "dm_bp",
        "wal",
        "modified_duration",
        "given",
    ];
    let header: Vec<&str> = crate::scenario::COLUMNS
        .iter()
        .chain(&FIGURES)
        .copied()
        .collect();
    let keys: Vec<&str> = crate::scenario::COLUMNS
        .iter()
        .chain(&FIGURE_KEYS)
        .copied()
        .collect();
    let text: Vec<bool> = crate::scenario::TEXT_COLUMNS
        .iter()
        .copied()
        .chain([false, false, false, false, false, true])
        .collect();
    Ok(match format {
        OutputFormat::Table => {
            let aligns: Vec<Align> = text
                .iter()
                .map(|&t| if t { Align::Left } else { Align::Right })
                .collect();
            let mut t = Table::new(&header, &aligns);
            for r in rows {
                t.row(r);
            }
            format!(
                "{} class {} from {} ({} of {} face; yields bond-equivalent, DM over one-month LIBOR)\n\n{}",
                p.deal.name,
                class.name,
                p.start.label,
                if !class.has_principal() {
                    "per 100"
                } else {
                    "percent"
                },
                if !class.has_principal() {
                    "notional"
                } else {
                    "current"
                },
                t.render()
            )
        }
        OutputFormat::Csv => {
            let mut s = keys.join(",") + "\n";
            for r in rows {
                let fields: Vec<_> = r.iter().map(|f| crate::format::csv_field(f)).collect();
                s.push_str(&fields.join(","));
                s.push('\n');
            }
            s
        }
        OutputFormat::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|r| {
                    serde_json::Value::Object(
                        keys.iter()
                            .zip(r.iter())
                            .zip(&text)
                            .map(|((k, v), &t)| (k.to_string(), crate::format::json_cell(v, t)))
                            .collect(),
                    )
                })
                .collect();
            serde_json::to_string_pretty(&v).expect("serializable") + "\n"
        }
    })
}
