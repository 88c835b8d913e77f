//! `pay-basis-risk`: pay capped classes their net WAC rate carryover (what
//! their cap cost them, with any unpaid from before and interest on it at
//! the uncapped rate) from an account, in order or pro rata by amount due.
//!
//! ```toml
//! [[waterfall]]
//! action = "pay-basis-risk"
//! from = "excess"
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
pub struct PayBasisRisk(pub DueTerms);

impl ActionKind for PayBasisRisk {
    type Raw = DueRaw;
    const NAME: &'static str = "pay-basis-risk";

    fn check(raw: DueRaw, at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        DueTerms::check(raw, at, cx).map(PayBasisRisk)
    }

    fn describe(&self, deal: &Deal) -> String {
        self.0.describe(deal, "pay net WAC carryover to")
    }

    fn source(&self) -> Option<usize> {
        Some(self.0.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        self.0.run(r, step, Due::Basis)
    }
}
