//! The waterfall's actions: one module each, holding the action's fields as
//! the deal file writes them, its validation, its description and what it
//! does in a period (and what it writes in the ledger).
//!
//! Every `[[waterfall]]` step has an `action` and may have a `when` (a test:
//! the step runs only while it holds) and a `name` (so that other terms and
//! the report can read what it did: `step[NAME].amount`). The rest of its
//! fields belong to the action.
//!
//! Adding an action: write its module (a type implementing [`ActionKind`]),
//! declare it below and add one line to the `actions!` list. The compiler
//! names anything else.

use std::fmt::Debug;
use std::ops::Range;

use serde::de::DeserializeOwned;

use super::Deal;
use super::expr::Expr;
use super::validate::Checker;
use crate::num::Num;
use crate::waterfall::{Ledger, Run};

/// What every action is.
pub trait ActionKind: Sized + Clone + Debug {
    /// The action's own fields, as written (unknown fields are refused).
    type Raw: DeserializeOwned;
    /// Its name in the deal file (`action = "pay-fee"`).
    const NAME: &'static str;
    /// Validate the fields; `at` is the step's `action` value, for messages
    /// about the step as a whole. Problems go to `cx`; `None` if there were any.
    fn check(raw: Self::Raw, at: Range<usize>, cx: &mut Checker) -> Option<Self>;
    /// One line saying what the step does.
    fn describe(&self, deal: &Deal) -> String;
    /// The account the step pays from, if any (the ledger shows its balance
    /// before and after; `step[NAME].available` and `.left` read it).
    fn source(&self) -> Option<usize>;
    /// Run the step in a period; returns what it paid or moved.
    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T;
}

pub mod accrete;
pub mod basis_risk;
pub mod pay_fee;
pub mod pay_interest;
pub mod pay_principal;
pub mod pay_weighted;
pub mod reimburse;
pub mod remainder;
pub mod reserve;
pub mod swap;
pub mod transfer;
pub mod write_down;

macro_rules! actions {
    ($($variant:ident($module:ident::$ty:ident)),* $(,)?) => {
        /// One step's action.
        #[derive(Debug, Clone)]
        pub enum Action {
            $($variant($module::$ty),)*
        }

        /// Every action's name, as the deal file writes it.
        pub const ACTIONS: &[&str] = &[$(<$module::$ty as ActionKind>::NAME,)*];

        impl Action {
            /// Read and validate the fields of the action named `name`;
            /// `None` inside when the name is not an action.
            pub(crate) fn read(
                name: &str,
                table: toml::Spanned<toml::de::DeTable<'_>>,
                at: Range<usize>,
                cx: &mut Checker,
            ) -> Option<Option<Action>> {
                $(
                    if name == <$module::$ty as ActionKind>::NAME {
                        let Some(raw) = cx.fields::<<$module::$ty as ActionKind>::Raw>(table) else {
                            return Some(None);
                        };
                        return Some(<$module::$ty>::check(raw, at, cx).map(Action::$variant));
                    }
                )*
                None
            }

            pub fn name(&self) -> &'static str {
                match self {
                    $(Action::$variant(_) => <$module::$ty as ActionKind>::NAME,)*
                }
            }

            pub fn describe(&self, deal: &Deal) -> String {
                match self {
                    $(Action::$variant(a) => a.describe(deal),)*
                }
            }

            pub fn source(&self) -> Option<usize> {
                match self {
                    $(Action::$variant(a) => a.source(),)*
                }
            }

            pub fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
                match self {
                    $(Action::$variant(a) => a.run(r, step),)*
                }
            }
        }
    };
}

actions! {
    PayFee(pay_fee::PayFee),
    PaySwap(swap::PaySwap),
    PaySwapTermination(swap::PaySwapTermination),
    PayInterest(pay_interest::PayInterest),
    PayPrincipal(pay_principal::PayPrincipal),
    PayWeighted(pay_weighted::PayWeighted),
    Transfer(transfer::Transfer),
    WriteDown(write_down::WriteDown),
    ReimburseWritedowns(reimburse::ReimburseWritedowns),
    PayBasisRisk(basis_risk::PayBasisRisk),
    PayRemainder(remainder::PayRemainder),
    Accrete(accrete::Accrete),
    FundReserve(reserve::FundReserve),
    DrawReserve(reserve::DrawReserve),
    ReleaseReserve(reserve::ReleaseReserve),
}

/// One step of the waterfall.
#[derive(Debug, Clone)]
pub struct Step {
    pub action: Action,
    /// The step runs only while this holds.
    pub when: Option<Expr>,
    /// Other terms and the report read what it did as `step[NAME]`.
    pub name: Option<String>,
    /// Line of the step in the deal file.
    pub line: usize,
}

impl Step {
    /// What the step does, with its condition.
    pub fn describe(&self, deal: &Deal) -> String {
        let mut s = self.action.describe(deal);
        if let Some(w) = &self.when {
            s = format!("{s}, when {}", deal.display(w));
        }
        s
    }
}

/// `A-1, A-2, A-3`.
pub(crate) fn class_list(deal: &Deal, classes: &[usize]) -> String {
    classes
        .iter()
        .map(|&k| deal.classes[k].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// ` up to LIMIT` or nothing.
pub(crate) fn limit_text(deal: &Deal, limit: &Option<Expr>) -> String {
    match limit {
        Some(e) => format!(" up to {}", deal.display(e)),
        None => String::new(),
    }
}

/// The fields of an action that pays classes what is due to them (interest,
/// net WAC carryover, writedowns): from an account, to classes, by a rule,
/// up to a limit.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueRaw {
    from: crate::tomlfile::Spanned<String>,
    classes: Vec<crate::tomlfile::Spanned<String>>,
    rule: Option<crate::tomlfile::Spanned<String>>,
    limit: Option<crate::tomlfile::Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct DueTerms {
    pub from: usize,
    pub classes: Vec<usize>,
    pub rule: super::Rule,
    pub limit: Option<Expr>,
}

impl DueTerms {
    pub(crate) fn check(raw: DueRaw, at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        let from = cx.account(&raw.from);
        let classes = cx.classes(&raw.classes, at);
        let rule = cx.rule(&raw.rule, false);
        let limit = cx.opt_expr(&raw.limit);
        Some(DueTerms {
            from: from?,
            classes: classes?,
            rule: rule?,
            limit: limit?,
        })
    }

    /// `pay WHAT to A-1, A-2 (pro rata) from interest`.
    pub(crate) fn describe(&self, deal: &Deal, what: &str) -> String {
        format!(
            "{what} {} ({}) from {}{}",
            class_list(deal, &self.classes),
            self.rule.name(),
            deal.accounts[self.from].name,
            limit_text(deal, &self.limit)
        )
    }

    pub(crate) fn run<T: Num, L: Ledger<T>>(
        &self,
        r: &mut Run<T, L>,
        step: usize,
        due: crate::waterfall::Due,
    ) -> T {
        r.pay_due(step, &self.classes, &self.rule, self.from, due, &self.limit)
    }
}
