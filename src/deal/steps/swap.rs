//! `pay-swap` and `pay-swap-termination`: pay a `[[swap]]`'s counterparty
//! what the trust owes it. Cash the counterparty pays the trust needs no
//! step: it is in the swap's `receipts_to` account when the waterfall
//! starts, and the deal applies it to shortfalls with the usual steps
//! (`pay-interest`, `transfer` with a limit, `reimburse-writedowns`,
//! `pay-basis-risk`) from that account.
//!
//! - `pay-swap` pays the net swap payment (this period's, and any unpaid
//!   from before) from the swap's `payments_from` account, or from the
//!   step's `from`; a deal that pays it first from interest and then from
//!   principal writes two steps. What is not paid is owed next period.
//! - `pay-swap-termination` pays a termination payment the trust owes (a
//!   scenario's `counterparty_default` brings one due), usually placed low
//!   in the waterfall when the counterparty is the defaulting party.
//!
//! Both may have a `limit`.
//!
//! ```toml
//! [[waterfall]]
//! action = "pay-swap"
//! swap = "swap"
//!
//! [[waterfall]]
//! action = "pay-swap-termination"
//! swap = "swap"
//! from = "excess"
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
    swap: Spanned<String>,
    from: Option<Spanned<String>>,
    limit: Option<Spanned<String>>,
}

/// What the steps share: the swap, the account and a limit.
#[derive(Debug, Clone)]
pub struct SwapTerms {
    pub swap: usize,
    pub from: usize,
    pub limit: Option<Expr>,
}

impl SwapTerms {
    fn check(raw: Raw, cx: &mut Checker) -> Option<Self> {
        let swap = cx.swap(&raw.swap);
        let from = match &raw.from {
            Some(f) => cx.account(f),
            None => swap.map(|(_, a)| a),
        };
        let limit = cx.opt_expr(&raw.limit);
        Some(SwapTerms {
            swap: swap?.0,
            from: from?,
            limit: limit?,
        })
    }

    fn describe(&self, deal: &Deal, what: &str) -> String {
        format!(
            "pay swap {}'s counterparty the {what} from {}{}",
            deal.swaps[self.swap].name,
            deal.accounts[self.from].name,
            limit_text(deal, &self.limit)
        )
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize, termination: bool) -> T {
        let before = r.account(self.from);
        let f = r.out.swaps[self.swap];
        let due = if termination {
            f.termination - f.termination_paid
        } else {
            f.due()
        }
        .pos();
        if !L::ON && !due.is_positive() {
            return T::ZERO;
        }
        let paid = r.limited(before, &self.limit).pos().min_of(due);
        r.withdraw(self.from, paid);
        let f = &mut r.out.swaps[self.swap];
        if termination {
            f.termination_paid += paid;
        } else {
            f.paid += paid;
        }
        r.out.deal.derivative_payments += paid;
        if L::ON {
            let pay = vec![Payment {
                to: format!("swap {} counterparty", r.deal.swaps[self.swap].name),
                what: if termination {
                    "swap termination payment"
                } else {
                    "net swap payment"
                },
                due: Some(due),
                paid,
            }];
            r.record(step, Some(self.from), before, pay, String::new());
        }
        paid
    }
}

#[derive(Debug, Clone)]
pub struct PaySwap(pub SwapTerms);

impl ActionKind for PaySwap {
    type Raw = Raw;
    const NAME: &'static str = "pay-swap";

    fn check(raw: Raw, _at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        SwapTerms::check(raw, cx).map(PaySwap)
    }

    fn describe(&self, deal: &Deal) -> String {
        self.0.describe(deal, "net swap payment")
    }

    fn source(&self) -> Option<usize> {
        Some(self.0.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        self.0.run(r, step, false)
    }
}

#[derive(Debug, Clone)]
pub struct PaySwapTermination(pub SwapTerms);

impl ActionKind for PaySwapTermination {
    type Raw = Raw;
    const NAME: &'static str = "pay-swap-termination";

    fn check(raw: Raw, _at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        SwapTerms::check(raw, cx).map(PaySwapTermination)
    }

    fn describe(&self, deal: &Deal) -> String {
        self.0.describe(deal, "termination payment")
    }

    fn source(&self) -> Option<usize> {
        Some(self.0.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        self.0.run(r, step, true)
    }
}
