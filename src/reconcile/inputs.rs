//! What a reconciliation takes from a filing: the beginning state (unless it
//! is carried from the month before), the period's collateral cash, the
//! index, and the accounts' earnings. Nothing the engine computes is taken.

use chrono::Datelike;
use rust_decimal::Decimal;

use crate::calendar::months_between;
use crate::deal::{CouponKind, Deal, Notional};
use crate::error::{Error, Result};
use crate::report::{FigurePath, Filing, Subject};
use crate::waterfall::{DayFractions, DealState, GroupCash, PeriodInput};

/// Where the index for the period came from.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexSource {
    /// Printed by the report, on this line.
    Printed { line: usize },
    /// Implied by floating classes' printed rates less their margins; the
    /// classes that imply a different value are listed.
    Implied {
        classes: Vec<String>,
        disagreeing: Vec<(String, Decimal)>,
    },
    /// The deal has no floating coupon and the report prints no index.
    None,
}

/// The engine's inputs for a filing's period.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub state: DealState<Decimal>,
    pub period: PeriodInput<Decimal>,
    pub index_source: IndexSource,
    /// The state was carried from the previous month's run, not read from
    /// this filing.
    pub carried: bool,
}

/// Collateral fields a reconciliation takes as given (the servicer's
/// figures), and the deal-wide ones.
pub fn is_input(path: &FigurePath, carried: bool) -> bool {
    let f = path.field.as_str();
    let beginning = matches!(
        f,
        "beginning_balance" | "beginning" | "carry_in" | "interest_carry_in"
    );
    match &path.subject {
        Subject::Pool | Subject::Group(_) => {
            !(matches!(f, "ending_balance" | "principal_remittance")
                || (carried && f == "beginning_balance"))
        }
        Subject::Class(_) | Subject::Oc | Subject::Fee(_) => beginning && !carried,
        Subject::Account(_) => f == "earnings" || (f == "beginning" && !carried),
        Subject::Deal => f == "index",
        _ => false,
    }
}

/// The name the deal gives a layout's name (an account `reserve`, a fee
/// `servicing`): the same name.
fn get(filing: &Filing, subject: Subject, field: &str) -> Option<Decimal> {
    filing.value(&subject, field).map(|p| p.value)
}

/// The index for the period: printed, or implied by the floating classes
/// (`path` names the report in an error).
pub fn index(
    deal: &Deal,
    filing: &Filing,
    path: &std::path::Path,
) -> Result<(Decimal, IndexSource)> {
    if let Some(p) = filing.value(&Subject::Deal, "index") {
        return Ok((p.value, IndexSource::Printed { line: p.line }));
    }
    // Each floating class's printed rate less its margin; the value most
    // classes agree on is the index (a capped class implies a lower one).
    let mut implied: Vec<(String, Decimal)> = Vec::new();
    for c in &deal.classes {
        if let CouponKind::Floating { multiplier, margin } = &c.coupon.kind
            && multiplier.exact == Decimal::ONE
            && let Some(rate) = filing.class(&c.name, "rate")
        {
            implied.push((c.name.clone(), rate.value - margin.exact));
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
        if deal.classes.iter().any(|c| c.coupon.floats()) {
            return Err(Error::file(
                path,
                "the report prints no index and no floating class rate to imply it from",
            ));
        }
        return Ok((Decimal::ZERO, IndexSource::None));
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

/// A group's cash: what the servicer remitted, from the filing's figures.
fn group_cash(
    filing: &Filing,
    path: &std::path::Path,
    subject: Subject,
    name: &str,
    net_wac: Decimal,
) -> Result<GroupCash<Decimal>> {
    let v = |f: &str| get(filing, subject.clone(), f);
    let z = |f: &str| v(f).unwrap_or_default();
    let beginning = v("beginning_balance").ok_or_else(|| {
        Error::file(
            path,
            format!("the report does not print the beginning balance of {name}"),
        )
    })?;
    // Interest: the remittance as printed, else what it is made of.
    let interest = match v("interest_remittance").or(v("available_interest")) {
        Some(i) => i,
        None => {
            z("scheduled_interest_net")
                + z("interest_collections")
                + z("liquidation_proceeds_interest")
                + z("purchases_interest")
                - z("relief_act_shortfall")
                - z("prepayment_interest_shortfall")
                - z("nonrecoverable_advances")
        }
    } + z("advances");
    Ok(GroupCash {
        beginning_balance: beginning,
        interest,
        scheduled_principal: z("scheduled_principal") + z("principal_collections"),
        prepayments: z("prepayments"),
        liquidation_proceeds: z("liquidation_proceeds"),
        repurchases: z("repurchases") + z("purchases_principal"),
        recoveries: z("liquidation_proceeds_principal"),
        realized_loss: v("realized_loss").or(v("defaults")).unwrap_or_default(),
        net_wac,
    })
}

/// Build the engine's inputs from a filing of `deal`; with `carried`, the
/// state at the start is that one (the previous month's end), not the filing's.
pub fn from_filing(
    deal: &Deal,
    filing: &Filing,
    path: &std::path::Path,
    carried: Option<&DealState<Decimal>>,
) -> Result<Inputs> {
    if let (Some(series), Some(printed)) = (&deal.series, &filing.series)
        && !printed.eq_ignore_ascii_case(series)
    {
        return Err(Error::file(
            path,
            format!(
                "this is a report of series {printed}, but the deal file is for series {series} ({})",
                deal.path.display()
            ),
        ));
    }
    let date = filing.date;
    if date < deal.first_distribution_date {
        return Err(Error::file(
            path,
            format!(
                "the report's distribution date {date} is before the deal's first distribution date {}",
                deal.first_distribution_date
            ),
        ));
    }
    check_classes(deal, filing, path)?;

    let holder = deal.oc.as_ref().and_then(|o| o.holder);
    let state = match carried {
        Some(s) => s.clone(),
        None => {
            let mut state = DealState::at_closing(deal);
            for (k, c) in deal.classes.iter().enumerate() {
                let printed = filing.class(&c.name, "beginning_balance");
                let v = match (printed, Some(k) == holder) {
                    (_, true) => Decimal::ZERO,
                    (Some(p), false) => p.value,
                    (None, false) if c.original_balance.is_zero() => Decimal::ZERO,
                    (None, false) => match &c.notional {
                        Some(Notional::Of(_)) => Decimal::ZERO,
                        _ => {
                            return Err(Error::file(
                                path,
                                format!(
                                    "the report does not print a beginning balance for {}",
                                    c.name
                                ),
                            ));
                        }
                    },
                };
                if v.is_sign_negative() {
                    return Err(Error::file(
                        path,
                        format!(
                            "class {} has a negative beginning balance ({v}) in the report (line {})",
                            c.name,
                            printed.map(|p| p.line).unwrap_or(0)
                        ),
                    ));
                }
                state.balances[k] = v;
                state.interest_carry[k] = filing
                    .class(&c.name, "interest_carry_in")
                    .map(|p| p.value)
                    .unwrap_or_default();
            }
            if deal.oc.is_some() {
                let oc = holder
                    .and_then(|h| filing.class(&deal.classes[h].name, "beginning_balance"))
                    .or(filing.value(&Subject::Oc, "beginning"));
                if let Some(oc) = oc {
                    state.oc = oc.value;
                } else {
                    // Pool less the classes, as the report prints them.
                    let pool = get(filing, Subject::Pool, "beginning_balance").unwrap_or_default();
                    let classes: Decimal =
                        deal.principal_classes().map(|k| state.balances[k]).sum();
                    state.oc = pool - classes;
                }
            }
            for (a, acct) in deal.accounts.iter().enumerate() {
                if acct.carried()
                    && let Some(b) = get(filing, Subject::Account(acct.name.clone()), "beginning")
                {
                    state.accounts[a] = b;
                }
            }
            for (i, fee) in deal.fees.iter().enumerate() {
                if let Some(c) = get(filing, Subject::Fee(fee.name.clone()), "carry_in") {
                    state.fee_carry[i] = c;
                }
            }
            let current_loss = get(filing, Subject::Pool, "realized_loss").unwrap_or_default();
            state.cumulative_loss = get(filing, Subject::Pool, "cumulative_loss")
                .map(|c| c - current_loss)
                .unwrap_or_default();
            state
        }
    };

    let net_wac = get(filing, Subject::Pool, "net_wac")
        .or(get(filing, Subject::Pool, "wac"))
        .unwrap_or_default();
    let report_groups = filing.groups();
    let groups = if deal.groups.len() > 1 || (!report_groups.is_empty() && !deal.groups.is_empty())
    {
        deal.groups
            .iter()
            .map(|g| {
                if !report_groups.contains(&g.name.as_str()) {
                    if deal.groups.len() == 1 {
                        return group_cash(filing, path, Subject::Pool, "the pool", net_wac);
                    }
                    return Err(Error::file(
                        path,
                        format!("the report has no collateral column for group {}", g.name),
                    ));
                }
                group_cash(
                    filing,
                    path,
                    Subject::Group(g.name.clone()),
                    &format!("group {}", g.name),
                    net_wac,
                )
            })
            .collect::<Result<Vec<_>>>()?
    } else {
        vec![group_cash(
            filing,
            path,
            Subject::Pool,
            "the pool",
            net_wac,
        )?]
    };
    for g in &groups {
        if g.beginning_balance.is_sign_negative() || g.beginning_balance > crate::deal::MAX_BALANCE
        {
            return Err(Error::file(
                path,
                format!(
                    "the report's collateral balance {} is out of range (0 to 10^13)",
                    g.beginning_balance
                ),
            ));
        }
    }

    let (index, index_source) = index(deal, filing, path)?;
    // The accrual period: from closing for the first distribution (the
    // 30/360 count too: closing to the scheduled date), else from the
    // previous distribution date as it was made: the carried state's, the
    // deal's first distribution date, or the calendar's. The 30/360 count
    // runs between the scheduled (unadjusted) dates of the two months.
    let cal = &deal.calendar;
    let n = months_between(deal.first_distribution_date, date);
    let (accrual_start, scheduled_start) = if n == 0 {
        (deal.closing_date, deal.closing_date)
    } else {
        let prev = match carried {
            Some(s) if s.date < date => s.date,
            _ if n == 1 => deal.first_distribution_date,
            _ => cal.distribution_after(date, -1),
        };
        (prev, cal.scheduled(prev.year(), prev.month()))
    };
    let scheduled_end = cal.scheduled(date.year(), date.month());
    let delinquent: Decimal = [
        "delinquent_60_89",
        "delinquent_90_plus",
        "foreclosure",
        "bankruptcy",
        "reo",
        "delinquent_61_90",
        "delinquent_91_120",
        "delinquent_121_plus",
    ]
    .iter()
    .filter_map(|f| get(filing, Subject::Pool, f))
    .sum();
    let earnings = deal
        .accounts
        .iter()
        .map(|a| get(filing, Subject::Account(a.name.clone()), "earnings").unwrap_or_default())
        .collect();
    let period = PeriodInput {
        date,
        period: (n + 1) as u32,
        accrual_start,
        days_actual: (date - accrual_start).num_days().max(0) as u32,
        days: DayFractions::new(accrual_start, date, scheduled_start, scheduled_end),
        index,
        next_date: cal.distribution_after(date, 1),
        groups,
        premiums: get(filing, Subject::Pool, "premiums").unwrap_or_default(),
        delinquent_60_plus: delinquent,
        earnings,
        // A report's derivatives are read from it, not assumed: the
        // counterparty is performing and no termination is due.
        counterparty_default: false,
        swap_termination: Decimal::ZERO,
    };
    Ok(Inputs {
        state,
        period,
        index_source,
        carried: carried.is_some(),
    })
}

/// Every class the deal has with a balance or a notional is printed, and
/// every class printed is the deal's.
fn check_classes(deal: &Deal, filing: &Filing, path: &std::path::Path) -> Result<()> {
    let printed = filing.classes();
    let missing: Vec<&str> = deal
        .classes
        .iter()
        .filter(|c| !printed.contains(&c.name.as_str()))
        .filter(|c| !c.original_balance.is_zero())
        .map(|c| c.name.as_str())
        .collect();
    let unknown: Vec<&str> = printed
        .iter()
        .filter(|r| deal.class_index(r).is_none())
        .copied()
        .collect();
    if missing.is_empty() && unknown.is_empty() {
        return Ok(());
    }
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
    Err(Error::file(
        path,
        format!("{}: is this a report of {}?", msg.join("; "), deal.name),
    ))
}
