//! Interest-rate derivatives a trust holds: swaps (`[[swap]]`) and caps or
//! corridors (`[[cap]]`). Each is worked out once a period, before the
//! waterfall, from its notional (an expression, or a schedule by period),
//! its rates and the deal's index for the accrual period.
//!
//! What the counterparty pays (a net swap receipt, a cap payment) is cash
//! that comes into the period from outside: it is deposited into the
//! derivative's account with the collateral's cash, and the cash check
//! counts it. What the trust owes (a net swap payment, a termination
//! payment) is paid by the `pay-swap` and `pay-swap-termination` steps and
//! counted as it leaves.
//!
//! Rounding: a swap's net amount is `notional x (floating rate x floating
//! year fraction - fixed rate x fixed year fraction)` (signed for the side
//! the trust pays), rounded once to the cent, halves away from zero; a cap
//! pays `notional x (min(index, ceiling) - strike, not below zero) x year
//! fraction`, rounded once to the cent the same way. The legs are not
//! rounded on their own.
//!
//! ```toml
//! [[swap]]
//! name = "swap"
//! notional_schedule = [{ from = 1, notional = "1000000000" }, { from = 61, notional = "0" }]
//! fixed_rate = "5.00"            # percent a year
//! fixed_day_count = "30/360"
//! floating_spread = "0"          # percent over the deal's index
//! floating_day_count = "act/360"
//! trust_pays = "fixed"           # the trust pays fixed and receives floating
//! receipts_to = "swap"           # the account the net receipts go into
//! payments_from = "interest"     # the account pay-swap pays from by default
//!
//! [[cap]]
//! name = "cap"
//! notional = "balance[M-1, M-2].beginning"
//! strike = "6.00"
//! ceiling = "9.00"               # a corridor; no ceiling: a plain cap
//! day_count = "act/360"
//! pays_into = "swap"
//! ```

use serde::Deserialize;

use super::Deal;
use super::expr::Expr;
use super::validate::Checker;
use crate::calendar::DayCount;
use crate::num::Term;
use crate::tomlfile::{Amount, Spanned};

/// The side of a swap the trust pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leg {
    Fixed,
    Floating,
}

/// An interest-rate swap between the trust and a counterparty.
#[derive(Debug, Clone)]
pub struct Swap {
    pub name: String,
    /// The notional for the period (evaluated at its start).
    pub notional: Expr,
    /// The fixed rate, a fraction a year.
    pub fixed_rate: Term,
    pub fixed_day_count: DayCount,
    /// The floating rate is the deal's index plus this (a fraction).
    pub floating_spread: Term,
    pub floating_day_count: DayCount,
    /// The leg the trust pays; it receives the other.
    pub trust_pays: Leg,
    /// The account the counterparty's net payments go into.
    pub receipts_to: usize,
    /// The account `pay-swap` pays the trust's net payments from, unless
    /// the step names another.
    pub payments_from: usize,
}

/// An interest-rate cap, or a corridor when it has a ceiling.
#[derive(Debug, Clone)]
pub struct Cap {
    pub name: String,
    pub notional: Expr,
    /// Fractions a year.
    pub strike: Term,
    pub ceiling: Option<Term>,
    pub day_count: DayCount,
    /// The account its payments go into.
    pub pays_into: usize,
}

/// One entry of a notional schedule: the notional from period `from` on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotionalEntry {
    pub from: Spanned<i64>,
    pub notional: Spanned<String>,
}

/// `[[swap]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwapSection {
    pub name: Spanned<String>,
    pub notional: Option<Spanned<String>>,
    #[serde(default)]
    pub notional_schedule: Vec<NotionalEntry>,
    pub fixed_rate: Spanned<Amount>,
    pub fixed_day_count: Spanned<String>,
    pub floating_spread: Option<Spanned<Amount>>,
    pub floating_day_count: Spanned<String>,
    pub trust_pays: Spanned<String>,
    pub receipts_to: Spanned<String>,
    pub payments_from: Spanned<String>,
}

/// `[[cap]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapSection {
    pub name: Spanned<String>,
    pub notional: Option<Spanned<String>>,
    #[serde(default)]
    pub notional_schedule: Vec<NotionalEntry>,
    pub strike: Spanned<Amount>,
    pub ceiling: Option<Spanned<Amount>>,
    pub day_count: Spanned<String>,
    pub pays_into: Spanned<String>,
}

/// A notional: an expression or a schedule by period.
fn notional(
    cx: &mut Checker,
    name: &Spanned<String>,
    expr: &Option<Spanned<String>>,
    schedule: &[NotionalEntry],
) -> Option<Expr> {
    match (expr, schedule.is_empty()) {
        (Some(e), true) => cx.expr(e),
        (None, false) => cx.by_period(
            schedule.iter().map(|e| (&e.from, &e.notional)).collect(),
            name.span(),
        ),
        _ => {
            cx.err(
                name.span(),
                "give a `notional` (an expression) or a `notional_schedule` ([{ from = 1, notional = \"...\" }, ...]), one of the two",
            );
            None
        }
    }
}

pub(crate) fn check_swap(s: &SwapSection, cx: &mut Checker) -> Option<Swap> {
    let notional = notional(cx, &s.name, &s.notional, &s.notional_schedule);
    let fixed_rate = cx.pct_in(&s.fixed_rate, "fixed_rate", -5, 50);
    let fixed_day_count = cx.day_count(&s.fixed_day_count);
    let floating_spread = s
        .floating_spread
        .as_ref()
        .map(|x| cx.pct_in(x, "floating_spread", -10, 10))
        .unwrap_or_default();
    let floating_day_count = cx.day_count(&s.floating_day_count);
    let trust_pays = match s.trust_pays.get_ref().trim() {
        "fixed" => Some(Leg::Fixed),
        "floating" => Some(Leg::Floating),
        other => {
            cx.err(
                s.trust_pays.span(),
                format!("trust_pays is \"fixed\" or \"floating\" (the leg the trust pays), found \"{other}\""),
            );
            None
        }
    };
    let receipts_to = cx.account(&s.receipts_to);
    let payments_from = cx.account(&s.payments_from);
    Some(Swap {
        name: s.name.get_ref().trim().to_string(),
        notional: notional?,
        fixed_rate: Term::new(fixed_rate),
        fixed_day_count: fixed_day_count?,
        floating_spread: Term::new(floating_spread),
        floating_day_count: floating_day_count?,
        trust_pays: trust_pays?,
        receipts_to: receipts_to?,
        payments_from: payments_from?,
    })
}

pub(crate) fn check_cap(c: &CapSection, cx: &mut Checker) -> Option<Cap> {
    let notional = notional(cx, &c.name, &c.notional, &c.notional_schedule);
    let strike = cx.pct_in(&c.strike, "strike", 0, 50);
    let ceiling = c
        .ceiling
        .as_ref()
        .map(|x| (x, cx.pct_in(x, "ceiling", 0, 50)));
    if let Some((at, v)) = ceiling
        && v <= strike
    {
        cx.err(
            at.span(),
            format!(
                "a corridor's ceiling is above its strike ({}%), found {}%",
                c.strike.get_ref().0,
                at.get_ref().0
            ),
        );
    }
    let day_count = cx.day_count(&c.day_count);
    let pays_into = cx.account(&c.pays_into);
    Some(Cap {
        name: c.name.get_ref().trim().to_string(),
        notional: notional?,
        strike: Term::new(strike),
        ceiling: ceiling.map(|(_, v)| Term::new(v)),
        day_count: day_count?,
        pays_into: pays_into?,
    })
}

/// One line for each swap and cap, for `show`.
pub(crate) fn describe(deal: &Deal) -> Vec<String> {
    let pct = |t: &Term| {
        format!(
            "{}%",
            (t.exact * rust_decimal::Decimal::ONE_HUNDRED).normalize()
        )
    };
    let mut out = Vec::new();
    for s in &deal.swaps {
        let floating = if s.floating_spread.exact.is_zero() {
            format!("{} ({})", deal.index_name, s.floating_day_count.name())
        } else {
            format!(
                "{} + {} ({})",
                deal.index_name,
                pct(&s.floating_spread),
                s.floating_day_count.name()
            )
        };
        let fixed = format!("{} ({})", pct(&s.fixed_rate), s.fixed_day_count.name());
        let (pays, receives) = match s.trust_pays {
            Leg::Fixed => (fixed, floating),
            Leg::Floating => (floating, fixed),
        };
        out.push(format!(
            "swap {}: the trust pays {pays} and receives {receives} on {}; receipts into {}, payments from {}",
            s.name,
            deal.display(&s.notional),
            deal.accounts[s.receipts_to].name,
            deal.accounts[s.payments_from].name
        ));
    }
    for c in &deal.caps {
        let ceiling = c
            .ceiling
            .as_ref()
            .map(|x| format!(" up to {}", pct(x)))
            .unwrap_or_default();
        out.push(format!(
            "cap {}: pays {} above {}{ceiling} ({}) on {} into {}",
            c.name,
            deal.index_name,
            pct(&c.strike),
            c.day_count.name(),
            deal.display(&c.notional),
            deal.accounts[c.pays_into].name
        ));
    }
    out
}
