//! What a reconciliation takes from a report: the beginning state, the
//! period's collateral cash and the index. Nothing the engine computes is taken.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::{days_30_360, months_between};
use crate::deal::{ClassKind, Coupon, Deal};
use crate::error::{Error, Result};
use crate::report::{CountBalance, GroupCollateral, Printed, Report, value};
use crate::waterfall::{DealState, GroupCash, PeriodInput};

/// Where the index for the period came from.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexSource {
    /// Printed by the report (HE2: the rate column's total row), on this line.
    Printed { line: usize },
    /// Implied by floating classes' printed rates less their margins; the
    /// classes that imply a different value are listed.
    Implied {
        classes: Vec<String>,
        disagreeing: Vec<(String, Decimal)>,
    },
}

/// The engine's inputs for a report's period.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub state: DealState<Decimal>,
    pub period: PeriodInput<Decimal>,
    pub accrual_start: NaiveDate,
    pub index_source: IndexSource,
}

fn required(p: &Option<Printed>, path: &Path, what: &str) -> Result<Decimal> {
    value(p).ok_or_else(|| Error::file(path, format!("the report does not print {what}")))
}

fn balance(c: &Option<CountBalance>) -> Decimal {
    c.as_ref().map(|c| c.balance.value).unwrap_or_default()
}

/// The index for the period: printed, or implied by the floating classes.
pub fn index(deal: &Deal, report: &Report, path: &Path) -> Result<(Decimal, IndexSource)> {
    if let Some(p) = &report.index_rate {
        return Ok((p.value, IndexSource::Printed { line: p.line }));
    }
    // Each floating class's printed rate less its margin; the value most
    // classes agree on is the index (a capped class implies a lower one).
    let mut implied: Vec<(String, Decimal)> = Vec::new();
    for c in &deal.classes {
        if let Coupon::Floating { margin, .. } = c.coupon
            && let Some(rate) = report.class(&c.name).and_then(|r| value(&r.rate))
        {
            implied.push((c.name.clone(), rate - margin));
        }
    }
    let mut best: Option<(Decimal, usize)> = None;
    for (_, v) in &implied {
        let n = implied.iter().filter(|(_, w)| w == v).count();
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((*v, n));
        }
    }
    let Some((index, _)) = best else {
        return Err(Error::file(
            path,
            "the report prints no index and no floating class rate to imply it from",
        ));
    };
    let (agree, disagree): (Vec<_>, Vec<_>) = implied.into_iter().partition(|(_, v)| *v == index);
    Ok((
        index,
        IndexSource::Implied {
            classes: agree.into_iter().map(|(n, _)| n).collect(),
            disagreeing: disagree,
        },
    ))
}

fn group_cash(g: &GroupCollateral, net_wac: Decimal, path: &Path) -> Result<GroupCash<Decimal>> {
    let name = if g.name == "TOTAL" {
        "the pool".to_string()
    } else {
        format!("group {}", g.name)
    };
    let interest = match value(&g.interest_remittance) {
        Some(i) => i,
        None => {
            required(
                &g.scheduled_interest_net,
                path,
                &format!("the interest remittance of {name}"),
            )? - value(&g.relief_act_shortfall).unwrap_or_default()
                - value(&g.prepayment_interest_shortfall).unwrap_or_default()
                - value(&g.nonrecoverable_advances).unwrap_or_default()
        }
    };
    Ok(GroupCash {
        beginning_balance: required(
            &g.beginning_balance,
            path,
            &format!("the beginning balance of {name}"),
        )?,
        interest,
        scheduled_principal: value(&g.scheduled_principal).unwrap_or_default(),
        prepayments: value(&g.prepayments).unwrap_or_default(),
        liquidation_proceeds: value(&g.net_liquidation_proceeds).unwrap_or_default(),
        repurchases: value(&g.repurchases).unwrap_or_default(),
        realized_loss: value(&g.realized_losses).unwrap_or_default(),
        net_wac,
    })
}

/// Build the engine's inputs from a report of `deal`.
pub fn from_report(deal: &Deal, report: &Report, path: &Path) -> Result<Inputs> {
    if let Some(series) = &deal.series
        && !report.series.is_empty()
        && !report.series.eq_ignore_ascii_case(series)
    {
        return Err(Error::file(
            path,
            format!(
                "this is a report of series {}, but the deal file is for series {series} ({})",
                report.series,
                deal.path.display()
            ),
        ));
    }
    let date = report
        .distribution_date
        .ok_or_else(|| Error::file(path, "the report prints no distribution date"))?;
    if date < deal.first_distribution_date {
        return Err(Error::file(
            path,
            format!(
                "the report's distribution date {date} is before the deal's first distribution date {}",
                deal.first_distribution_date
            ),
        ));
    }
    let missing: Vec<&str> = deal
        .classes
        .iter()
        .filter(|c| report.class(&c.name).is_none())
        .map(|c| c.name.as_str())
        .collect();
    let unknown: Vec<&str> = report
        .classes
        .iter()
        .filter(|r| deal.class_index(&r.name).is_none())
        .map(|r| r.name.as_str())
        .collect();
    if !missing.is_empty() || !unknown.is_empty() {
        let mut msg = Vec::new();
        if !missing.is_empty() {
            msg.push(format!(
                "the report has no row for class {}",
                missing.join(", ")
            ));
        }
        if !unknown.is_empty() {
            msg.push(format!("the deal file has no class {}", unknown.join(", ")));
        }
        return Err(Error::file(
            path,
            format!("{}: is this a report of {}?", msg.join("; "), deal.name),
        ));
    }

    let mut state = DealState::at_closing(deal);
    for (k, c) in deal.classes.iter().enumerate() {
        let row = report.class(&c.name).expect("checked above");
        // The excess class's beginning balance is the OC the trustee carried in.
        state.balances[k] = match c.kind {
            ClassKind::Residual => Decimal::ZERO,
            _ => required(
                &row.beginning_balance,
                path,
                &format!("a beginning balance for {}", c.name),
            )?,
        };
    }
    let current_loss = report
        .groups
        .iter()
        .map(|g| value(&g.realized_losses).unwrap_or_default())
        .sum::<Decimal>();
    state.cumulative_loss = value(&report.cumulative_realized_losses)
        .map(|c| c - current_loss)
        .unwrap_or_default();

    let net_wac = required(&report.wac_net, path, "the weighted average net coupon")?;
    let groups = if report.groups.len() == deal.groups.len() {
        deal.groups
            .iter()
            .map(|g| {
                let rg = report.group(&g.name).ok_or_else(|| {
                    Error::file(
                        path,
                        format!("the report has no collateral column for group {}", g.name),
                    )
                })?;
                group_cash(rg, net_wac, path)
            })
            .collect::<Result<Vec<_>>>()?
    } else if deal.groups.len() <= 1 {
        vec![group_cash(&report.pool, net_wac, path)?]
    } else {
        return Err(Error::file(
            path,
            format!(
                "the report has {} collateral groups, the deal {}",
                report.groups.len(),
                deal.groups.len()
            ),
        ));
    };

    let (index, index_source) = index(deal, report, path)?;
    let cal = &deal.calendar;
    let n = months_between(deal.first_distribution_date, date);
    let accrual_start = if n == 0 {
        deal.closing_date
    } else {
        cal.distribution_after(date, -1)
    };
    let scheduled_start = if n == 0 {
        deal.closing_date
    } else {
        let prev = cal.distribution_after(date, -1);
        cal.scheduled(
            chrono::Datelike::year(&prev),
            chrono::Datelike::month(&prev),
        )
    };
    let scheduled_end = cal.scheduled(
        chrono::Datelike::year(&date),
        chrono::Datelike::month(&date),
    );
    let t = &report.delinquency_total;
    let delinquent = balance(&t.days_60_89)
        + balance(&t.days_90_plus)
        + balance(&t.foreclosure)
        + balance(&t.bankruptcy)
        + balance(&t.reo);
    let period = PeriodInput {
        date,
        period: (n + 1) as u32,
        days_actual: (date - accrual_start).num_days() as u32,
        days_30: days_30_360(scheduled_start, scheduled_end) as u32,
        index,
        next_date: cal.distribution_after(date, 1),
        groups,
        premiums: value(&report.prepayment_premiums.amount).unwrap_or_default(),
        delinquent_60_plus: delinquent,
    };
    Ok(Inputs {
        state,
        period,
        accrual_start,
        index_source,
    })
}
