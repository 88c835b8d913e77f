//! `write-down`: allocate losses to classes, in the order given
//! (`rule = "sequential"`, the default: list the most junior first) or pro
//! rata by balance. The amount is the classes' shortfall against the
//! collateral unless `amount` says otherwise: with an
//! `[overcollateralization]` section, what the OC has gone below zero; else
//! what the classes with principal exceed the pool's ending balance by.
//!
//! ```toml
//! [[waterfall]]
//! action = "write-down"
//! classes = ["M-2", "M-1"]
//! ```

use std::ops::Range;

use serde::Deserialize;

use super::{ActionKind, class_list};
use crate::deal::expr::Expr;
use crate::deal::validate::Checker;
use crate::deal::{Deal, Rule};
use crate::num::Num;
use crate::tomlfile::Spanned;
use crate::waterfall::{Ledger, Payment, Run, money};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    classes: Vec<Spanned<String>>,
    rule: Option<Spanned<String>>,
    amount: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct WriteDown {
    pub classes: Vec<usize>,
    pub rule: Rule,
    pub amount: Option<Expr>,
}

impl ActionKind for WriteDown {
    type Raw = Raw;
    const NAME: &'static str = "write-down";

    fn check(raw: Raw, at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        let classes = cx.classes(&raw.classes, at);
        let rule = cx.rule(&raw.rule, false);
        let amount = cx.opt_expr(&raw.amount);
        Some(WriteDown {
            classes: classes?,
            rule: rule?,
            amount: amount?,
        })
    }

    fn describe(&self, deal: &Deal) -> String {
        let amount = match &self.amount {
            Some(e) => deal.display(e),
            None if deal.oc.is_some() => "losses beyond the OC".to_string(),
            None => "the classes' excess over the pool".to_string(),
        };
        format!(
            "write down {amount} on {} ({})",
            class_list(deal, &self.classes),
            self.rule.name()
        )
    }

    fn source(&self) -> Option<usize> {
        None
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        let loss = match &self.amount {
            Some(e) => r.amount(e).pos(),
            None if r.deal.oc.is_some() => (-r.oc_now()).pos(),
            None => (r.outstanding_all() - r.out.deal.pool_ending).pos(),
        };
        if !L::ON && !loss.is_positive() {
            return T::ZERO;
        }
        let mut payments = Vec::new();
        let mut left = loss;
        let write = |r: &mut Run<T, L>, k: usize, w: T, payments: &mut Vec<Payment<T>>| {
            if w.is_positive() {
                r.write_off(k, w);
                if L::ON {
                    payments.push(Payment {
                        to: r.deal.classes[k].name.clone(),
                        what: "writedown",
                        due: None,
                        paid: w,
                    });
                }
            }
        };
        match self.rule {
            Rule::ProRata => {
                let weights: Vec<T> = self.classes.iter().map(|&k| r.balance(k)).collect();
                let total = weights.iter().fold(T::ZERO, |a, &w| a + w);
                let take = left.min_of(total);
                let mut shares = vec![T::ZERO; weights.len()];
                crate::waterfall::split(take, &weights, &mut shares);
                for (j, &k) in self.classes.iter().enumerate() {
                    let w = shares[j].min_of(r.balance(k));
                    write(r, k, w, &mut payments);
                    left -= w;
                }
            }
            _ => {
                for &k in &self.classes {
                    if !left.is_positive() {
                        break;
                    }
                    let w = left.min_of(r.balance(k));
                    write(r, k, w, &mut payments);
                    left -= w;
                }
            }
        }
        let written = loss - left;
        if L::ON {
            let note = format!(
                "classes {} against a pool of {}: {} to write down",
                money(r.outstanding_all() + written),
                money(r.out.deal.pool_ending),
                money(loss)
            );
            r.record(step, None, T::ZERO, payments, note);
        }
        written
    }
}
