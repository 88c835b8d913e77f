//! `reimburse-writedowns`: pay classes back what was written off them in
//! earlier periods (and this one), from an account, in order or pro rata.
//!
//! ```toml
//! [[waterfall]]
//! action = "reimburse-writedowns"
//! from = "excess"
//! classes = ["M-1", "M-2"]
//! ```

use std::ops::Range;

use super::{ActionKind, DueRaw, DueTerms};
use crate::deal::Deal;
use crate::deal::validate::Checker;
use crate::num::Num;
use crate::waterfall::{Due, Ledger, Run};

#[derive(Debug, Clone)]
pub struct ReimburseWritedowns(pub DueTerms);

impl ActionKind for ReimburseWritedowns {
    type Raw = DueRaw;
    const NAME: &'static str = "reimburse-writedowns";

    fn check(raw: DueRaw, at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        DueTerms::check(raw, at, cx).map(ReimburseWritedowns)
    }

    fn describe(&self, deal: &Deal) -> String {
        self.0.describe(deal, "reimburse writedowns of")
    }

    fn source(&self) -> Option<usize> {
        Some(self.0.from)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        self.0.run(r, step, Due::Writedown)
    }
}
