//! `accrete`: an accrual (Z) class's interest is added to its balance instead
//! of being paid, and the cash it would have been paid with moves to another
//! account (to pay other classes' principal: "accretion directed to A, B and C
//! in order"). Give it a `when` to say while it accretes; once the step does
//! not run, a `pay-interest` step pays the class its interest in cash.
//!
//! ```toml
//! [[waterfall]]
//! action = "accrete"
//! classes = ["Z"]
//! from = "interest"
//! to = "principal"
//! when = "balance[A, B, C] > 0"
//! ```

use std::ops::Range;

use serde::Deserialize;

use super::{ActionKind, class_list};
use crate::deal::Deal;
use crate::deal::validate::Checker;
use crate::num::Num;
use crate::tomlfile::Spanned;
use crate::waterfall::{Due, Ledger, Payment, Run};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    classes: Vec<Spanned<String>>,
    from: Spanned<String>,
    to: Spanned<String>,
}

#[derive(Debug, Clone)]
pub struct Accrete {
    pub classes: Vec<usize>,
    pub from: usize,
    pub to: usize,
}

impl ActionKind for Accrete {
    type Raw = Raw;
    const NAME: &'static str = "accrete";

    fn check(raw: Raw, at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        let classes = cx.classes(&raw.classes, at);
        let from = cx.account(&raw.from);
        let to = cx.account(&raw.to);
        let classes = classes?;
        for &k in &classes {
            if !cx.class_has_principal(k) {
                cx.err(
                    raw.classes[0].span(),
                    "only a class with a principal balance can accrete interest",
                );
                return None;
            }
        }
        Some(Accrete {
            classes,
            from: from?,
            to: to?,
        })
    }

    fn describe(&self, deal: &Deal) -> String {
        format!(
            "add the interest of {} to its balance, moving the cash from {} to {}",
            class_list(deal, &self.classes),
            deal.accounts[self.from].name,
            deal.accounts[self.to].name
        )
    }

    fn source(&self) -> Option<usize> {
        Some(self.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        let before = r.account(self.from);
        let mut moved = T::ZERO;
        let mut payments = Vec::new();
        for &k in &self.classes {
            let due = r.due(k, Due::Interest).pos();
            let amount = due.min_of(r.account(self.from)).pos();
            r.accrete(k, amount);
            r.transfer(self.from, self.to, amount);
            moved += amount;
            if L::ON {
                payments.push(Payment {
                    to: r.deal.classes[k].name.clone(),
                    what: "accreted",
                    due: Some(due),
                    paid: amount,
                });
            }
        }
        if L::ON {
            r.record(step, Some(self.from), before, payments, String::new());
        }
        moved
    }
}
