//! `pay-fee`: pay a `[[fee]]` what is due (this period's and any unpaid) from
//! an account, up to an optional limit.
//!
//! ```toml
//! [[waterfall]]
//! action = "pay-fee"
//! fee = "servicing"
//! from = "available-funds"
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
    fee: Spanned<String>,
    from: Spanned<String>,
    limit: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct PayFee {
    pub fee: usize,
    pub from: usize,
    pub limit: Option<Expr>,
}

impl ActionKind for PayFee {
    type Raw = Raw;
    const NAME: &'static str = "pay-fee";

    fn check(raw: Raw, _at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        let fee = cx.fee(&raw.fee);
        let from = cx.account(&raw.from);
        let limit = cx.opt_expr(&raw.limit);
        Some(PayFee {
            fee: fee?,
            from: from?,
            limit: limit?,
        })
    }

    fn describe(&self, deal: &Deal) -> String {
        format!(
            "pay fee {} from {}{}",
            deal.fees[self.fee].name,
            deal.accounts[self.from].name,
            limit_text(deal, &self.limit)
        )
    }

    fn source(&self) -> Option<usize> {
        Some(self.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        let before = r.account(self.from);
        let f = r.out.fees[self.fee];
        let due = (f.due() - f.paid).pos();
        let paid = r.limited(before, &self.limit).min_of(due).pos();
        r.withdraw(self.from, paid);
        r.out.fees[self.fee].paid += paid;
        if L::ON {
            let pay = vec![Payment {
                to: r.deal.fees[self.fee].name.clone(),
                what: "fee",
                due: Some(due),
                paid,
            }];
            let note = if f.carry_in.is_positive() {
                format!(
                    "{} this period and {} unpaid from before",
                    crate::waterfall::money(f.accrued),
                    crate::waterfall::money(f.carry_in)
                )
            } else {
                String::new()
            };
            r.record(step, Some(self.from), before, pay, note);
        }
        paid
    }
}
