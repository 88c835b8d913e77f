//! Price/yield tables of a projected class across scenarios.

use crate::deal::ClassKind;
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
    let floating = matches!(class.coupon, crate::deal::Coupon::Floating { .. });
    let face = p.start.state.balances[k]
        .to_string()
        .parse::<f64>()
        .unwrap_or(0.0);
    if face <= 0.0 {
        return Err(Error::Usage(format!(
            "class {} has no balance at the filing to price",
            class.name
        )));
    }
    let mut rows: Vec<[String; 7]> = Vec::new();
    let mut engine = Engine::<f64>::new(p.deal);
    for i in 0..set.len() {
        let s = set.get(i);
        let mut flows = crate::projection::BondFlows::new(k, face);
        p.run(&s, &mut engine, &mut flows)?;
        let bond = flows.bond;
        let wal = super::weighted_average_life(&bond);
        let cols = s.columns();
        let scenario = format!("{} {} {}% sev", cols[0], cols[1], cols[2]);
        let f = |x: Option<f64>, dp: usize| {
            x.filter(|v| v.is_finite())
                .map(|v| format!("{v:.dp$}"))
                .unwrap_or_default()
        };
        for &price in prices {
            let y = super::yield_from_price(&bond, price);
            rows.push([
                scenario.clone(),
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
            ]);
        }
        for &yld in yields {
            let y = yld / 100.0;
            let price = super::price_from_yield(&bond, y);
            rows.push([
                scenario.clone(),
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
            ]);
        }
    }
    let header = [
        "scenario",
        "price",
        "yield %",
        "DM bp",
        "WAL",
        "mod duration",
        "given",
    ];
    Ok(match format {
        OutputFormat::Table => {
            let mut t = Table::new(
                &header,
                &[
                    Align::Left,
                    Align::Right,
                    Align::Right,
                    Align::Right,
                    Align::Right,
                    Align::Right,
                    Align::Left,
                ],
            );
            for r in rows {
                t.row(r.to_vec());
            }
            format!(
                "{} class {} from the {} filing ({} of {} face; yields bond-equivalent, DM over one-month LIBOR)\n\n{}",
                p.deal.name,
                class.name,
                p.start.date,
                if class.kind == ClassKind::InterestOnly {
                    "per 100"
                } else {
                    "percent"
                },
                if class.kind == ClassKind::InterestOnly {
                    "notional"
                } else {
                    "current"
                },
                t.render()
            )
        }
        OutputFormat::Csv => {
            let mut s =
                "scenario,price,yield_percent,dm_bp,wal,modified_duration,given\n".to_string();
            for r in rows {
                s.push_str(&r.join(","));
                s.push('\n');
            }
            s
        }
        OutputFormat::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|r| {
                    serde_json::Value::Object(
                        header
                            .iter()
                            .zip(r.iter())
                            .map(|(h, v)| (h.to_string(), serde_json::Value::String(v.clone())))
                            .collect(),
                    )
                })
                .collect();
            serde_json::to_string_pretty(&v).expect("serializable") + "\n"
        }
    })
}
