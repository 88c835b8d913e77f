//! `pay-interest`: pay classes the interest due to them (this period's, any
//! unpaid from before and, where the class's terms say, interest on it) from
//! an account, in order (`rule = "sequential"`, the default) or pro rata by
//! the amounts due (`"pro-rata"`), up to an optional limit. What is not paid
//! is carried to the next period.
//!
//! ```toml
//! [[waterfall]]
//! action = "pay-interest"
//! from = "interest"
//! classes = ["A-1", "A-2"]
//! rule = "pro-rata"
//! ```

use std::ops::Range;

use super::{ActionKind, DueRaw, DueTerms};
use crate::deal::Deal;
use crate::deal::validate::Checker;
use crate::num::Num;
use crate::waterfall::{Due, Ledger, Run};

#[derive(Debug, Clone)]
pub struct PayInterest(pub DueTerms);

impl ActionKind for PayInterest {
    type Raw = DueRaw;
    const NAME: &'static str = "pay-interest";

    fn check(raw: DueRaw, at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        DueTerms::check(raw, at, cx).map(PayInterest)
    }

    fn describe(&self, deal: &Deal) -> String {
        self.0.describe(deal, "pay interest to")
    }

    fn source(&self) -> Option<usize> {
        Some(self.0.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        self.0.run(r, step, Due::Interest)
    }
}
