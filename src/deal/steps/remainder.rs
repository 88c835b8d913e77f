//! `pay-remainder`: pay everything an account holds to one class (the
//! residual, the excess holder, prepayment premiums to P).
//!
//! ```toml
//! [[waterfall]]
//! action = "pay-remainder"
//! from = "excess"
//! to = "X"
//! ```

use std::ops::Range;

use serde::Deserialize;

use super::ActionKind;
use crate::deal::Deal;
use crate::deal::validate::Checker;
use crate::num::Num;
use crate::tomlfile::Spanned;
use crate::waterfall::{Ledger, Payment, Run};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    from: Spanned<String>,
    to: Spanned<String>,
}

#[derive(Debug, Clone)]
pub struct PayRemainder {
    pub from: usize,
    pub to: usize,
}

impl ActionKind for PayRemainder {
    type Raw = Raw;
    const NAME: &'static str = "pay-remainder";

    fn check(raw: Raw, _at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        let from = cx.account(&raw.from);
        let to = cx.class(&raw.to);
        Some(PayRemainder {
            from: from?,
            to: to?,
        })
    }

    fn describe(&self, deal: &Deal) -> String {
        format!(
            "pay the rest of {} to {}",
            deal.accounts[self.from].name, deal.classes[self.to].name
        )
    }

    fn source(&self) -> Option<usize> {
        Some(self.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        let before = r.account(self.from);
        let amount = before;
        r.withdraw(self.from, amount);
        r.out.classes[self.to].other += amount;
        if L::ON {
            let pay = vec![Payment {
                to: r.deal.classes[self.to].name.clone(),
                what: "remainder",
                due: None,
                paid: amount,
            }];
            r.record(step, Some(self.from), before, pay, String::new());
        }
        amount
    }
}
