//! Where a projection starts: the state a filing reports at the end of its
//! distribution date, and the loan lines its collateral becomes.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::collateral::{ArmTerms, LoanLine, read_tape};
use crate::deal::{ClassKind, Deal};
use crate::error::{Error, Result};
use crate::reconcile::from_report;
use crate::report::{Report, value};
use crate::waterfall::DealState;

/// The state a filing leaves a deal in.
#[derive(Debug, Clone)]
pub struct Start {
    /// The filing's distribution date; the projection's first period is the next one.
    pub date: NaiveDate,
    pub state: DealState<Decimal>,
    /// Ending pool balance per group.
    pub group_balances: Vec<Decimal>,
    /// The filing's one-month LIBOR.
    pub index: Decimal,
    pub wac_gross: Decimal,
    pub wac_net: Decimal,
    pub wam: u32,
}

/// The state at the end of `report`'s distribution, from its printed figures.
pub fn from_filing(deal: &Deal, report: &Report, path: &Path) -> Result<Start> {
    // The same checks as a reconciliation: the right series, every class.
    let inputs = from_report(deal, report, path)?;
    let date = inputs.period.date;
    let index = inputs.period.index;
    let mut state = DealState::at_closing(deal);
    for (k, c) in deal.classes.iter().enumerate() {
        let row = report.class(&c.name).expect("checked by from_report");
        let need = |what: &str, v: Option<Decimal>| {
            v.ok_or_else(|| {
                Error::file(
                    path,
                    format!("the report does not print {what} for {}", c.name),
                )
            })
        };
        state.balances[k] = match c.kind {
            ClassKind::Residual => Decimal::ZERO,
            ClassKind::Excess => match value(&report.ending_oc) {
                Some(oc) => oc,
                None => need("an ending balance", value(&row.ending_balance))?,
            },
            _ => need("an ending balance", value(&row.ending_balance))?,
        };
        state.interest_carry[k] = value(&row.interest_shortfall).unwrap_or_default();
        state.basis_carry[k] = value(&row.net_wac_carryover).unwrap_or_default();
    }
    let group_balances: Vec<Decimal> = inputs
        .period
        .groups
        .iter()
        .map(|g| g.ending_balance())
        .collect();
    let pool: Decimal = group_balances.iter().sum();
    state.cumulative_loss =
        value(&report.cumulative_realized_losses).unwrap_or(inputs.state.cumulative_loss);
    state.oc_target = value(&report.oc_target);
    state.stepdown = report.stepdown_occurred.as_ref().is_some_and(|f| f.value);
    state.credit_enhancement = value(&report.credit_enhancement);
    if let Some(th) = deal
        .call
        .as_ref()
        .map(|c| c.fraction_of_cutoff * deal.cutoff_balance)
    {
        state.call_date_passed = pool <= th;
    }
    if !pool.is_zero() {
        state.push_delinquency(inputs.period.delinquent_60_plus / pool);
    }
    let wac_gross = value(&report.wac_gross)
        .ok_or_else(|| Error::file(path, "the report prints no weighted average gross coupon"))?;
    let wac_net = value(&report.wac_net)
        .ok_or_else(|| Error::file(path, "the report prints no weighted average net coupon"))?;
    let wam = value(&report.wam)
        .and_then(|w| u32::try_from(w.round().mantissa()).ok())
        .ok_or_else(|| Error::file(path, "the report prints no weighted average remaining term"))?;
    Ok(Start {
        date,
        state,
        group_balances,
        index,
        wac_gross,
        wac_net,
        wam,
    })
}

/// The loan lines the projection runs: the deal's loan tape if it names one,
/// else each group's representative lines (shares of the filing's balance,
/// its coupons and remaining term unless a line says otherwise), else one
/// fixed-rate line per group at the filing's weighted averages.
pub fn loan_lines(deal: &Deal, start: &Start) -> Result<Vec<LoanLine>> {
    if let Some(tape) = &deal.collateral.loan_tape {
        let lines = read_tape(tape)?;
        for l in &lines {
            if !deal.groups.iter().any(|g| g.name == l.group) {
                return Err(Error::file(
                    tape,
                    format!(
                        "loan {} is in group \"{}\", which the deal does not have",
                        l.id, l.group
                    ),
                ));
            }
        }
        return Ok(lines);
    }
    let servicing = start.wac_gross - start.wac_net;
    let mut lines = Vec::new();
    for (g, group) in deal.groups.iter().enumerate() {
        let balance = start.group_balances[g];
        if group.lines.is_empty() {
            lines.push(LoanLine {
                id: format!("group {}", group.name),
                group: group.name.clone(),
                balance,
                gross_coupon: start.wac_gross,
                net_coupon: start.wac_net,
                original_term: 360.max(start.wam),
                remaining_term: start.wam,
                arm: None,
            });
            continue;
        }
        let mut given = Decimal::ZERO;
        for (i, a) in group.lines.iter().enumerate() {
            // Shares rounded to the cent; the last line takes the remainder.
            let b = if i + 1 == group.lines.len() {
                balance - given
            } else {
                (balance * a.share)
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            };
            given += b;
            let gross = a.gross_coupon.unwrap_or(start.wac_gross + a.coupon_spread);
            let remaining = a.remaining_term.unwrap_or(start.wam);
            lines.push(LoanLine {
                id: a.name.clone(),
                group: group.name.clone(),
                balance: b,
                gross_coupon: gross,
                net_coupon: gross - servicing,
                original_term: a.original_term.max(remaining),
                remaining_term: remaining,
                arm: a.arm.then(|| ArmTerms {
                    margin: a.margin,
                    months_to_next_reset: a.months_to_next_reset.max(1),
                    reset_period: a.reset_period.max(1),
                    periodic_cap: a.periodic_cap,
                    life_cap: gross + a.life_cap_over_coupon,
                    life_floor: a.life_floor.unwrap_or(a.margin),
                }),
            });
        }
    }
    Ok(lines)
}
