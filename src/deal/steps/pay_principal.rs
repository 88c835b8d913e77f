//! `pay-principal`: pay principal from an account, up to an optional limit,
//! to
//! - `classes` in order (`rule = "sequential"`, the default) or pro rata by
//!   balance (`"pro-rata"`);
//! - `to` one class or `[[allocation]]` (which may nest rules: HE4's A-2 pro
//!   rata with A-3/A-4, which split 41:10);
//! - `groups`: each loan group's share of the principal remittance to its own
//!   target (`rule = "group-share"`); what a group's target cannot take goes
//!   to the other groups' targets.
//!
//! ```toml
//! [[waterfall]]
//! action = "pay-principal"
//! from = "principal"
//! classes = ["M-1", "M-2", "M-3"]
//! limit = "max(balance[A-1, M-1, M-2, M-3] - round(pool.ending * 84%), 0)"
//! ```

use std::ops::Range;

use serde::Deserialize;

use super::{ActionKind, limit_text};
use crate::deal::expr::Expr;
use crate::deal::validate::Checker;
use crate::deal::{Deal, Target};
use crate::num::Num;
use crate::tomlfile::Spanned;
use crate::waterfall::{Ledger, Run, money};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupTo {
    group: Spanned<String>,
    to: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    from: Spanned<String>,
    #[serde(default)]
    classes: Vec<Spanned<String>>,
    to: Option<Spanned<String>>,
    rule: Option<Spanned<String>>,
    #[serde(default)]
    groups: Vec<GroupTo>,
    limit: Option<Spanned<String>>,
}

/// Where the principal goes.
#[derive(Debug, Clone)]
pub enum Distribution {
    /// A class or an allocation (a step's own `classes` and `rule` become one).
    To(Target),
    /// Each group's share of the principal remittance to that group's target.
    GroupShare(Vec<(usize, Target)>),
}

#[derive(Debug, Clone)]
pub struct PayPrincipal {
    pub from: usize,
    pub to: Distribution,
    pub limit: Option<Expr>,
}

impl PayPrincipal {
    /// Whether any class the step pays still has a balance.
    fn anyone_outstanding<T: Num, L: Ledger<T>>(&self, r: &Run<T, L>) -> bool {
        match &self.to {
            Distribution::To(t) => r.outstanding(*t).is_positive(),
            Distribution::GroupShare(pairs) => {
                pairs.iter().any(|&(_, t)| r.outstanding(t).is_positive())
            }
        }
    }
}

impl ActionKind for PayPrincipal {
    type Raw = Raw;
    const NAME: &'static str = "pay-principal";

    fn check(raw: Raw, at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        let from = cx.account(&raw.from);
        let limit = cx.opt_expr(&raw.limit);
        let group_share = raw
            .rule
            .as_ref()
            .is_some_and(|r| r.get_ref().trim() == "group-share");
        let forms = [
            !raw.classes.is_empty(),
            raw.to.is_some(),
            group_share || !raw.groups.is_empty(),
        ]
        .iter()
        .filter(|&&b| b)
        .count();
        if forms != 1 {
            cx.err(
                at,
                "pay-principal pays one of: `classes` (with a `rule`), `to` (a class or allocation), or `groups` (with rule = \"group-share\")",
            );
            return None;
        }
        let to = if group_share || !raw.groups.is_empty() {
            if !group_share {
                cx.err(at, "`groups` goes with rule = \"group-share\"");
                return None;
            }
            if raw.groups.is_empty() {
                cx.err(at, "rule = \"group-share\" needs `groups = [{ group = \"1\", to = \"A-1\" }, ...]`");
                return None;
            }
            let mut pairs = Vec::new();
            for g in &raw.groups {
                let group = cx.group(&g.group);
                let target = cx.target(&g.to);
                pairs.push((group?, target?));
            }
            Distribution::GroupShare(pairs)
        } else if let Some(t) = &raw.to {
            if let Some(r) = &raw.rule {
                cx.err(
                    r.span(),
                    "a `rule` goes with `classes`; the rule of `to` is its allocation's",
                );
                return None;
            }
            Distribution::To(cx.target(t)?)
        } else {
            let classes = cx.classes(&raw.classes, at.clone())?;
            let rule = cx.rule(&raw.rule, false)?;
            Distribution::To(cx.implicit_allocation(classes, rule))
        };
        Some(PayPrincipal {
            from: from?,
            to,
            limit: limit?,
        })
    }

    fn describe(&self, deal: &Deal) -> String {
        let to = match &self.to {
            Distribution::To(t) => describe_target(deal, *t),
            Distribution::GroupShare(pairs) => {
                let list: Vec<String> = pairs
                    .iter()
                    .map(|&(g, t)| {
                        format!(
                            "group {} to {}",
                            deal.groups[g].name,
                            describe_target(deal, t)
                        )
                    })
                    .collect();
                format!("each group's share ({})", list.join("; "))
            }
        };
        format!(
            "pay principal to {to} from {}{}",
            deal.accounts[self.from].name,
            limit_text(deal, &self.limit)
        )
    }

    fn source(&self) -> Option<usize> {
        Some(self.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        let before = r.account(self.from);
        // Nothing to pay with: the step pays nothing. Nobody left to pay: it
        // pays nothing either, and a limit need not be worked out (without
        // one, paying retired classes costs no more than this check would).
        if !L::ON
            && (!before.is_positive() || (self.limit.is_some() && !self.anyone_outstanding(r)))
        {
            return T::ZERO;
        }
        let amount = r.limited(before, &self.limit).pos();
        let mut payments = Vec::new();
        let mut note = String::new();
        if L::ON && self.limit.is_some() {
            note = format!("limited to {}", money(amount));
        }
        let paid = match &self.to {
            Distribution::To(t) => r.pay_principal(*t, amount, &mut payments),
            Distribution::GroupShare(pairs) => {
                let n = pairs.len();
                let mut weights = r.buf(n);
                for (j, &(g, _)) in pairs.iter().enumerate() {
                    weights[j] = r.input.groups[g].principal_remittance();
                }
                if !weights.iter().any(|w| w.is_positive()) {
                    for (j, &(g, _)) in pairs.iter().enumerate() {
                        weights[j] = r.input.groups[g].ending_balance();
                    }
                }
                let mut shares = r.buf(n);
                crate::waterfall::split(amount, &weights, &mut shares);
                if L::ON {
                    let parts: Vec<String> = pairs
                        .iter()
                        .enumerate()
                        .map(|(j, &(g, _))| {
                            format!("group {} {}", r.deal.groups[g].name, money(shares[j]))
                        })
                        .collect();
                    let s = format!("by share of principal remittance: {}", parts.join(", "));
                    note = if note.is_empty() {
                        s
                    } else {
                        format!("{note}; {s}")
                    };
                }
                let mut paid = T::ZERO;
                let mut leftover = T::ZERO;
                for (j, &(_, target)) in pairs.iter().enumerate() {
                    let p = r.pay_principal(target, shares[j], &mut payments);
                    paid += p;
                    leftover += shares[j] - p;
                }
                // A group whose classes are retired passes its share to the others.
                for &(_, target) in pairs {
                    if !leftover.is_positive() {
                        break;
                    }
                    let p = r.pay_principal(target, leftover, &mut payments);
                    paid += p;
                    leftover -= p;
                }
                r.give_back(weights);
                r.give_back(shares);
                paid
            }
        };
        r.withdraw(self.from, paid);
        if L::ON {
            r.record(step, Some(self.from), before, payments, note);
        }
        paid
    }
}

/// A target by name, an implicit allocation by its classes and rule.
fn describe_target(deal: &Deal, t: Target) -> String {
    match t {
        Target::Allocation(a) if deal.allocations[a].name.starts_with('(') => {
            let alloc = &deal.allocations[a];
            let names: Vec<&str> = alloc.members.iter().map(|&m| deal.target_name(m)).collect();
            format!("{} ({})", names.join(", "), alloc.rule.name())
        }
        t => deal.target_name(t).to_string(),
    }
}
