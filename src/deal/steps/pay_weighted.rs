//! `pay-principal-weighted`: pay principal from an account, up to an optional
//! limit, to classes in proportion to weights that are expressions, worked
//! out when the step runs. A class whose weight is zero (or below) gets
//! nothing; what a class cannot take (it is retired) goes round again to the
//! others with a positive weight. Shares are rounded to the cent, the last
//! class with a positive weight taking the remainder (as every pro rata
//! share is).
//!
//! A shifting-interest deal pays its subordinates their share of
//! prepayments this way: a class that fails its class prepayment
//! distribution test (its credit support below its original) weighs zero,
//! and its share goes to the other subordinates.
//!
//! ```toml
//! [[waterfall]]
//! action = "pay-principal-weighted"
//! from = "unscheduled"
//! classes = ["B-1", "B-2"]
//! weights = ["balance[B-1].beginning", "if(b2_support >= b2_original_support, balance[B-2].beginning, 0)"]
//! ```

use std::ops::Range;

use serde::Deserialize;

use super::{ActionKind, class_list, limit_text};
use crate::deal::Deal;
use crate::deal::Target;
use crate::deal::expr::Expr;
use crate::deal::validate::Checker;
use crate::num::Num;
use crate::tomlfile::Spanned;
use crate::waterfall::{Ledger, Run, money, split};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    from: Spanned<String>,
    classes: Vec<Spanned<String>>,
    weights: Vec<Spanned<String>>,
    limit: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct PayWeighted {
    pub from: usize,
    pub classes: Vec<usize>,
    pub weights: Vec<Expr>,
    pub limit: Option<Expr>,
}

impl ActionKind for PayWeighted {
    type Raw = Raw;
    const NAME: &'static str = "pay-principal-weighted";

    fn check(raw: Raw, at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        let from = cx.account(&raw.from);
        let classes = cx.classes(&raw.classes, at.clone());
        let limit = cx.opt_expr(&raw.limit);
        let weights: Vec<Option<Expr>> = raw.weights.iter().map(|w| cx.expr(w)).collect();
        let classes = classes?;
        if weights.len() != classes.len() {
            cx.err(
                at,
                format!(
                    "pay-principal-weighted needs one weight for each class: {} classes, {} weights",
                    classes.len(),
                    weights.len()
                ),
            );
            return None;
        }
        for (s, &k) in raw.classes.iter().zip(&classes) {
            if !cx.class_has_principal(k) {
                cx.err(
                    s.span(),
                    "a class with a notional has no principal to be paid",
                );
                return None;
            }
        }
        Some(PayWeighted {
            from: from?,
            classes,
            weights: weights.into_iter().collect::<Option<Vec<_>>>()?,
            limit: limit?,
        })
    }

    fn describe(&self, deal: &Deal) -> String {
        let w: Vec<String> = self.weights.iter().map(|e| deal.display(e)).collect();
        format!(
            "pay principal to {} in proportion to {} from {}{}",
            class_list(deal, &self.classes),
            w.join(", "),
            deal.accounts[self.from].name,
            limit_text(deal, &self.limit)
        )
    }

    fn source(&self) -> Option<usize> {
        Some(self.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        let before = r.account(self.from);
        if !L::ON && !before.is_positive() {
            return T::ZERO;
        }
        let amount = r.limited(before, &self.limit).pos();
        let n = self.classes.len();
        let given: Vec<T> = self.weights.iter().map(|e| r.eval(e).pos()).collect();
        let mut weights = vec![T::ZERO; n];
        let mut shares = vec![T::ZERO; n];
        let mut payments = Vec::new();
        let mut left = amount;
        // Each round pays every class with a positive weight and a balance;
        // a class retired in one round weighs nothing in the next.
        for _ in 0..n {
            for (j, &k) in self.classes.iter().enumerate() {
                weights[j] = if r.balance(k).is_positive() {
                    given[j]
                } else {
                    T::ZERO
                };
            }
            split(left, &weights, &mut shares);
            let mut paid = T::ZERO;
            for (j, &k) in self.classes.iter().enumerate() {
                paid += r.pay_principal(Target::Class(k), shares[j], &mut payments);
            }
            left -= paid;
            if !left.is_positive() || !paid.is_positive() {
                break;
            }
        }
        let paid = amount - left;
        r.withdraw(self.from, paid);
        if L::ON {
            let w: Vec<String> = self
                .classes
                .iter()
                .zip(&given)
                .map(|(&k, &w)| format!("{} {}", r.deal.classes[k].name, money(w)))
                .collect();
            let mut note = format!("weights {}", w.join(", "));
            if self.limit.is_some() {
                note = format!("limited to {}; {note}", money(amount));
            }
            r.record(step, Some(self.from), before, payments, note);
        }
        paid
    }
}
