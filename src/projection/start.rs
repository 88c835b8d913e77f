//! Where a projection starts: the deal at closing, or the state a filing
//! leaves it in; and the loan lines its collateral becomes.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::collateral::{ArmTerms, LoanLine, read_tape};
use crate::deal::Deal;
use crate::error::{Error, Result};
use crate::reconcile;
use crate::report::Subject;
use crate::waterfall::DealState;

/// The state a projection starts from.
#[derive(Debug, Clone)]
pub struct Start {
    /// The last distribution date before the projection (a filing's), or the
    /// closing date: the projection's first period is the next distribution.
    pub date: NaiveDate,
    pub state: DealState<Decimal>,
    /// Pool balance per group at `date`.
    pub group_balances: Vec<Decimal>,
    /// The filing's index; `None` from closing.
    pub index: Option<Decimal>,
    /// Each group's weighted average gross and net coupon and remaining
    /// term: the filing's (the pool's, where it prints them), or the deal
    /// file's at the cut-off date.
    pub group_terms: Vec<GroupTerms>,
    /// "the 2003-12-15 filing" or "closing (2025-05-02)".
    pub label: String,
    pub from_closing: bool,
}

impl Start {
    /// Each class's balance at the start as a summary shows it: the
    /// principal balance or notional, the OC for the OC's holder.
    pub fn balances(&self, deal: &Deal) -> Vec<Decimal> {
        let holder = deal.oc.as_ref().and_then(|o| o.holder);
        self.state
            .balances
            .iter()
            .enumerate()
            .map(|(k, &b)| if Some(k) == holder { self.state.oc } else { b })
            .collect()
    }
}

/// A group's weighted averages at the start.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupTerms {
    pub wac_gross: Option<Decimal>,
    pub wac_net: Option<Decimal>,
    pub wam: Option<u32>,
}

/// The deal at its closing: classes at their original balances, reserves at
/// their initial balances, the collateral at the cut-off date.
pub fn at_closing(deal: &Deal) -> Result<Start> {
    let group_balances = closing_group_balances(deal)?;
    Ok(Start {
        date: deal.closing_date,
        state: DealState::at_closing(deal),
        group_balances,
        index: None,
        group_terms: deal
            .groups
            .iter()
            .map(|g| GroupTerms {
                wac_gross: g.cutoff_wac,
                wac_net: g.cutoff_net_wac,
                wam: g.cutoff_wam,
            })
            .collect(),
        label: format!("closing ({})", deal.closing_date),
        from_closing: true,
    })
}

/// Each group's balance at the cut-off date: as the deal file states it, or
/// the cut-off balance for a deal of one group.
fn closing_group_balances(deal: &Deal) -> Result<Vec<Decimal>> {
    if deal.groups.len() <= 1 {
        let b = deal
            .groups
            .first()
            .and_then(|g| g.cutoff_balance)
            .unwrap_or(deal.cutoff_balance);
        return Ok(vec![b]);
    }
    let mut out = Vec::new();
    for g in &deal.groups {
        out.push(g.cutoff_balance.ok_or_else(|| {
            Error::file(
                &deal.path,
                format!(
                    "to run from closing, group \"{}\" needs a cutoff_balance (the deal has {} groups)",
                    g.name,
                    deal.groups.len()
                ),
            )
        })?);
    }
    let total: Decimal = out.iter().sum();
    if total != deal.cutoff_balance {
        return Err(Error::file(
            &deal.path,
            format!(
                "the groups' cut-off balances add up to {}, not the deal's cutoff_balance {}",
                crate::format::money(total),
                crate::format::money(deal.cutoff_balance)
            ),
        ));
    }
    Ok(out)
}

/// The state at the end of a filing's distribution: the filing run through
/// the deal's waterfall from its own beginning figures.
pub fn from_filing(deal: &Deal, path: &Path) -> Result<Start> {
    let filing = reconcile::read_filing(deal, path)?;
    let r = reconcile::reconcile(deal, &filing, path, &reconcile::Options::default(), None)?;
    let group_balances: Vec<Decimal> = r
        .inputs
        .period
        .groups
        .iter()
        .map(|g| g.ending_balance())
        .collect();
    let pool = |f: &str| filing.value(&Subject::Pool, f).map(|p| p.value);
    let wam = pool("wam")
        .or(pool("remaining_term"))
        .map(|w| w.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
        .and_then(|w| {
            u32::try_from(w.mantissa())
                .ok()
                .filter(|&m| (1..=600).contains(&m))
        });
    Ok(Start {
        date: filing.date,
        state: r.state,
        group_balances,
        index: Some(r.inputs.period.index),
        group_terms: vec![
            GroupTerms {
                wac_gross: pool("wac"),
                wac_net: pool("net_wac"),
                wam,
            };
            deal.groups.len().max(1)
        ],
        label: format!("the {} filing", filing.date),
        from_closing: false,
    })
}

/// The loan lines the projection runs: the deal's loan tape if it names one,
/// else each group's representative lines (shares of the group's balance,
/// their coupons and terms, or the filing's weighted averages where a line
/// leaves them out), else one line per group at the filing's averages.
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
    let none = GroupTerms::default();
    let need = |what: &str, group: &str| {
        Error::file(
            &deal.path,
            format!(
                "group \"{group}\"'s loan lines give no {what}, and {} prints none: state it in each [[group.line]]",
                if start.from_closing {
                    "there is no filing at closing that"
                } else {
                    "the filing"
                }
            ),
        )
    };
    let mut lines = Vec::new();
    let groups: Vec<(String, &[crate::deal::LineAssumption])> = if deal.groups.is_empty() {
        vec![("1".to_string(), &[][..])]
    } else {
        deal.groups
            .iter()
            .map(|g| (g.name.clone(), &g.lines[..]))
            .collect()
    };
    for (g, (name, assumed)) in groups.iter().enumerate() {
        let balance = start.group_balances.get(g).copied().unwrap_or_default();
        let terms = start.group_terms.get(g).unwrap_or(&none);
        let servicing = match (terms.wac_gross, terms.wac_net) {
            (Some(g), Some(n)) if n <= g => g - n,
            _ => deal.collateral.servicing_fee,
        };
        if assumed.is_empty() {
            let gross = terms.wac_gross.ok_or_else(|| need("gross coupon", name))?;
            let wam = terms.wam.ok_or_else(|| need("remaining term", name))?;
            lines.push(LoanLine {
                id: format!("group {name}"),
                group: name.clone(),
                balance,
                gross_coupon: gross,
                net_coupon: terms.wac_net.unwrap_or(gross - servicing),
                original_term: 360.max(wam),
                remaining_term: wam,
                arm: None,
            });
            continue;
        }
        let mut given = Decimal::ZERO;
        for (i, a) in assumed.iter().enumerate() {
            // Shares rounded to the cent; the last line takes the remainder.
            let b = if i + 1 == assumed.len() {
                balance - given
            } else {
                (balance * a.share)
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            };
            given += b;
            let gross = match a.gross_coupon {
                Some(c) => c,
                None => {
                    terms.wac_gross.ok_or_else(|| need("gross coupon", name))? + a.coupon_spread
                }
            };
            let remaining = match a.remaining_term {
                Some(t) => t,
                None => terms.wam.ok_or_else(|| need("remaining term", name))?,
            };
            lines.push(LoanLine {
                id: a.name.clone(),
                group: name.clone(),
                balance: b,
                gross_coupon: gross,
                net_coupon: a.net_coupon.unwrap_or(gross - servicing),
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
