//! `transfer`: move what an account holds (or less: up to a `limit`) to
//! another account. Releasing OC, paying extra principal to build it, and
//! moving excess interest on are all transfers with limits.
//!
//! ```toml
//! [[waterfall]]
//! action = "transfer"
//! name = "extra_principal"
//! from = "excess"
//! to = "principal"
//! limit = "oc.deficiency"
//! ```

use std::ops::Range;

use serde::Deserialize;

use super::{ActionKind, limit_text};
use crate::deal::Deal;
use crate::deal::expr::Expr;
use crate::deal::validate::Checker;
use crate::num::Num;
use crate::tomlfile::Spanned;
use crate::waterfall::{Ledger, Payment, Run};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    from: Spanned<String>,
    to: Spanned<String>,
    limit: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Transfer {
    pub from: usize,
    pub to: usize,
    pub limit: Option<Expr>,
}

impl ActionKind for Transfer {
    type Raw = Raw;
    const NAME: &'static str = "transfer";

    fn check(raw: Raw, _at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        let from = cx.account(&raw.from);
        let to = cx.account(&raw.to);
        let limit = cx.opt_expr(&raw.limit);
        let (from, to) = (from?, to?);
        if from == to {
            cx.err(raw.to.span(), "a transfer needs two different accounts");
            return None;
        }
        Some(Transfer {
            from,
            to,
            limit: limit?,
        })
    }

    fn describe(&self, deal: &Deal) -> String {
        let what = if self.limit.is_some() {
            "move"
        } else {
            "move what is left of"
        };
        format!(
            "{what} {} to {}{}",
            deal.accounts[self.from].name,
            deal.accounts[self.to].name,
            limit_text(deal, &self.limit)
        )
    }

    fn source(&self) -> Option<usize> {
        Some(self.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        let before = r.account(self.from);
        // All of it, when there is no limit (so an account ends exactly empty).
        let amount = match &self.limit {
            None => before,
            Some(_) => r.limited(before, &self.limit).pos(),
        };
        r.transfer(self.from, self.to, amount);
        if L::ON {
            let pay = vec![Payment {
                to: format!("{} account", r.deal.accounts[self.to].name),
                what: "transfer",
                due: None,
                paid: amount,
            }];
            r.record(step, Some(self.from), before, pay, String::new());
        }
        amount
    }
}
