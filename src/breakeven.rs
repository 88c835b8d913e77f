//! Breakeven: the highest default rate (or loss severity) at which a class
//! takes no principal writedown, found by bisection between a rate where it
//! takes none and one where it does.

use rayon::prelude::*;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::collateral::Defaults;
use crate::error::{Error, Result};
use crate::format::OutputFormat;
use crate::projection::Projection;
use crate::projection::summary::Summary;
use crate::scenario::{Libor, Scenario};
use crate::waterfall::Engine;

/// What is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Constant annual default rate, percent.
    Cdr,
    /// Multiple of the standard default curve, percent.
    Sda,
    /// Loss severity, percent, at the scenario's default rate.
    Severity,
}

impl By {
    pub fn unit(self) -> &'static str {
        match self {
            By::Cdr => "CDR",
            By::Sda => "SDA",
            By::Severity => "% severity",
        }
    }

    /// The search range's top and the default tolerance.
    fn range(self) -> (f64, f64) {
        match self {
            By::Cdr => (100.0, 0.01),
            By::Sda => (20_000.0, 1.0),
            By::Severity => (100.0, 0.01),
        }
    }
}

/// One class's breakeven.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakeven {
    pub class: String,
    pub by: By,
    /// The highest rate found with no writedown; `None` when the class is
    /// written down even at zero.
    pub rate: Option<Decimal>,
    /// True when even the top of the range writes nothing down.
    pub beyond_range: bool,
    /// The lowest rate found with a writedown (the breakeven plus at most the tolerance).
    pub first_loss_rate: Option<Decimal>,
    /// The class's writedown at `first_loss_rate`, and as % of its original balance.
    pub first_loss: Decimal,
    pub first_loss_percent: Decimal,
    /// The class's WAL and the collateral's cumulative loss (% of the
    /// cut-off balance) at the breakeven.
    pub wal: Option<Decimal>,
    pub collateral_loss_percent: Decimal,
    pub tolerance: Decimal,
    pub projections: u32,
}

/// Rates are searched on a grid of 1/10,000 of the unit, so every rate
/// reported is one that was projected.
const PLACES: u32 = 4;

fn on_grid(x: f64) -> Decimal {
    <Decimal as FromPrimitive>::from_f64(x)
        .unwrap_or_default()
        .round_dp_with_strategy(PLACES, RoundingStrategy::MidpointAwayFromZero)
}

fn with_rate(base: &Scenario, by: By, d: Decimal) -> Scenario {
    let mut s = base.clone();
    match by {
        By::Cdr => s.assumptions.defaults = Defaults::Cdr(d),
        By::Sda => s.assumptions.defaults = Defaults::Sda(d),
        By::Severity => s.assumptions.severity = d / Decimal::ONE_HUNDRED,
    }
    s
}

/// The breakeven of class `k` under `base`, searched `by`, to `tolerance`
/// (in the unit searched; the default when `None`).
pub fn breakeven(
    p: &Projection,
    base: &Scenario,
    k: usize,
    by: By,
    tolerance: Option<f64>,
) -> Result<Breakeven> {
    search(p, base, k, by, tolerance, Engine::<f64>::new(p.deal))
}

fn search(
    p: &Projection,
    base: &Scenario,
    k: usize,
    by: By,
    tolerance: Option<f64>,
    mut engine: Engine<f64>,
) -> Result<Breakeven> {
    let (top, default_tol) = by.range();
    let tol = tolerance.unwrap_or(default_tol).max(1e-6);
    if by == By::Severity
        && matches!(base.assumptions.defaults, Defaults::Cdr(x) | Defaults::Mdr(x) | Defaults::Sda(x) if x.is_zero())
    {
        return Err(Error::Usage(
            "a severity breakeven needs a scenario with defaults (give --scenario with a default speed)".into(),
        ));
    }
    let mut projections = 0u32;
    let mut eval = |x: Decimal| -> Result<Summary> {
        projections += 1;
        p.summarize(&with_rate(base, by, x), &mut engine)
    };
    let loses = |s: &Summary| s.classes[k].total_writedown > Decimal::ZERO;
    let class = &p.deal.classes[k];
    let d = on_grid;
    let at_zero = eval(Decimal::ZERO)?;
    let pct = |w: Decimal| crate::projection::summary::percent_of(w, class.original_balance);
    if loses(&at_zero) {
        let w = at_zero.classes[k].total_writedown;
        return Ok(Breakeven {
            class: class.name.clone(),
            by,
            rate: None,
            beyond_range: false,
            first_loss_rate: Some(Decimal::ZERO),
            first_loss: w,
            first_loss_percent: pct(w),
            wal: at_zero.classes[k].wal,
            collateral_loss_percent: at_zero.deal.cumulative_loss_percent,
            tolerance: d(tol),
            projections,
        });
    }
    let at_top = eval(d(top))?;
    if !loses(&at_top) {
        return Ok(Breakeven {
            class: class.name.clone(),
            by,
            rate: Some(d(top)),
            beyond_range: true,
            first_loss_rate: None,
            first_loss: Decimal::ZERO,
            first_loss_percent: pct(Decimal::ZERO),
            wal: at_top.classes[k].wal,
            collateral_loss_percent: at_top.deal.cumulative_loss_percent,
            tolerance: d(tol),
            projections,
        });
    }
    // Invariant: no writedown at lo, a writedown at hi.
    let (mut lo, mut hi) = (Decimal::ZERO, d(top));
    let (mut lo_s, mut hi_s) = (at_zero, at_top);
    let tol = d(tol).max(Decimal::new(1, PLACES));
    while hi - lo > tol {
        let mid = ((lo + hi) / Decimal::TWO)
            .round_dp_with_strategy(PLACES, RoundingStrategy::MidpointAwayFromZero);
        if mid == lo || mid == hi {
            break;
        }
        let s = eval(mid)?;
        if loses(&s) {
            hi = mid;
            hi_s = s;
        } else {
            lo = mid;
            lo_s = s;
        }
    }
    let w = hi_s.classes[k].total_writedown;
    Ok(Breakeven {
        class: class.name.clone(),
        by,
        rate: Some(lo),
        beyond_range: false,
        first_loss_rate: Some(hi),
        first_loss: w,
        first_loss_percent: pct(w),
        wal: lo_s.classes[k].wal,
        collateral_loss_percent: lo_s.deal.cumulative_loss_percent,
        tolerance: tol,
        projections,
    })
}

/// Breakevens of several classes, searched in parallel, in the order given.
pub fn breakevens(
    p: &Projection,
    base: &Scenario,
    classes: &[usize],
    by: By,
    tolerance: Option<f64>,
) -> Result<Vec<Breakeven>> {
    let prototype = Engine::<f64>::new(p.deal);
    classes
        .par_iter()
        .map(|&k| search(p, base, k, by, tolerance, prototype.clone()))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// The classes `--class all` means: every class with a principal balance
/// at issue (senior and mezzanine), not the one holding the OC.
pub fn all_classes(deal: &crate::deal::Deal) -> Vec<usize> {
    deal.classes
        .iter()
        .enumerate()
        .filter(|(k, c)| {
            c.has_principal()
                && !c.original_balance.is_zero()
                && deal.oc.as_ref().and_then(|o| o.holder) != Some(*k)
        })
        .map(|(k, _)| k)
        .collect()
}

/// The assumptions a breakeven searches around when no scenario is given.
pub fn default_base(by: By) -> Scenario {
    use crate::collateral::{Assumptions, PpcCurves, Prepay};
    Scenario {
        name: "breakeven base".into(),
        assumptions: Assumptions {
            prepay: Prepay::Ppc(Decimal::ONE_HUNDRED),
            defaults: Defaults::Cdr(if by == By::Severity {
                Decimal::from(6)
            } else {
                Decimal::ZERO
            }),
            severity: Decimal::new(40, 2),
            lag: 12,
            advancing: true,
            ppc: PpcCurves::default(),
        },
        libor: Libor::Filing {
            shift: Decimal::ZERO,
        },
        call: false,
        counterparty_default: None,
    }
}

/// The breakevens as a table, CSV or JSON.
pub fn render(
    p: &Projection,
    base: &Scenario,
    results: &[Breakeven],
    format: OutputFormat,
) -> String {
    let rate = |b: &Breakeven| match (b.rate, b.beyond_range) {
        (None, _) => "written down at 0".to_string(),
        (Some(r), true) => format!(">= {r}"),
        (Some(r), false) => r.to_string(),
    };
    let opt = |d: Option<Decimal>| d.map(|x| x.to_string()).unwrap_or_default();
    use crate::format::{json_decimal, json_opt_decimal};
    match format {
        OutputFormat::Json => {
            let rows: Vec<_> = results
                .iter()
                .map(|b| {
                    serde_json::json!({
                        "class": b.class, "by": b.by.unit(), "breakeven": json_opt_decimal(b.rate),
                        "beyond_range": b.beyond_range, "first_loss_at": json_opt_decimal(b.first_loss_rate),
                        "first_loss": json_decimal(b.first_loss), "first_loss_percent": json_decimal(b.first_loss_percent),
                        "wal": json_opt_decimal(b.wal), "collateral_loss_percent": json_decimal(b.collateral_loss_percent),
                        "tolerance": json_decimal(b.tolerance), "projections": b.projections,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({
                "deal": p.deal.short_name, "from": p.start.date.to_string(),
                "scenario": crate::projection::output::scenario_line(p, base), "breakevens": rows,
            }))
            .expect("serializable")
                + "\n"
        }
        OutputFormat::Csv => {
            let mut s = String::from(
                "class,by,breakeven,first_loss_at,first_loss,first_loss_percent,wal,collateral_loss_percent\n",
            );
            for b in results {
                s.push_str(&format!(
                    "{},{},{},{},{},{},{},{}\n",
                    b.class,
                    b.by.unit(),
                    rate(b),
                    opt(b.first_loss_rate),
                    b.first_loss,
                    b.first_loss_percent,
                    opt(b.wal),
                    b.collateral_loss_percent
                ));
            }
            s
        }
        OutputFormat::Table => {
            use crate::table::Table;
            let by = results.first().map(|b| b.by.unit()).unwrap_or("");
            let mut t = Table::with_left(
                &[
                    "class",
                    &format!("breakeven {by}"),
                    "first loss at",
                    "loss there",
                    "loss %",
                    "WAL at breakeven",
                    "collateral loss %",
                ],
                1,
            );
            for b in results {
                t.row(vec![
                    b.class.clone(),
                    rate(b),
                    opt(b.first_loss_rate),
                    crate::format::dollars(b.first_loss),
                    b.first_loss_percent.to_string(),
                    opt(b.wal),
                    b.collateral_loss_percent.to_string(),
                ]);
            }
            format!(
                "{} · from {} · breakeven by {by} (to within {} {by}) with the rest of: {}\n\n{}",
                p.deal.name,
                p.start.label,
                results
                    .first()
                    .map(|b| b.tolerance.to_string())
                    .unwrap_or_default(),
                crate::projection::output::scenario_line(p, base),
                t.render()
            )
        }
    }
}
