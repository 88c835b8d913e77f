//! What a deal carries from one distribution date to the next.

use crate::deal::{ClassKind, Deal};
use crate::num::Num;

/// Most months a rolling delinquency average can look back.
pub const DELINQUENCY_HISTORY: usize = 12;

/// The state of a deal between distribution dates.
#[derive(Debug, Clone, PartialEq)]
pub struct DealState<T> {
    /// Principal balance per class; the notional for an interest-only class;
    /// the OC for the excess class.
    pub balances: Vec<T>,
    /// Interest due and unpaid, carried forward.
    pub interest_carry: Vec<T>,
    /// Net WAC rate carryover (basis risk) due and unpaid.
    pub basis_carry: Vec<T>,
    /// Writedowns not yet reimbursed.
    pub unpaid_writedowns: Vec<T>,
    pub cumulative_loss: T,
    /// The OC target of the last period (held while a trigger is in effect).
    pub oc_target: Option<T>,
    /// The step-down date has occurred.
    pub stepdown: bool,
    /// The clean-up call could have been exercised on an earlier date: the
    /// floating margins have stepped up.
    pub call_date_passed: bool,
    /// The credit enhancement of the last period.
    pub credit_enhancement: Option<T>,
    /// Recent 60+ delinquency rates, oldest first.
    pub delinquency: Vec<T>,
}

impl<T: Num> DealState<T> {
    /// Every class at its original balance, nothing carried: the deal at
    /// closing, the OC being the cut-off balance less the certificates.
    pub fn at_closing(deal: &Deal) -> Self {
        let n = deal.classes.len();
        let certificates: rust_decimal::Decimal = deal
            .classes
            .iter()
            .filter(|c| c.kind.carries_principal())
            .map(|c| c.original_balance)
            .sum();
        let mut state = DealState {
            balances: deal
                .classes
                .iter()
                .map(|c| match c.kind {
                    ClassKind::Excess | ClassKind::Residual => T::ZERO,
                    _ => T::from_decimal(c.original_balance),
                })
                .collect(),
            interest_carry: vec![T::ZERO; n],
            basis_carry: vec![T::ZERO; n],
            unpaid_writedowns: vec![T::ZERO; n],
            cumulative_loss: T::ZERO,
            oc_target: None,
            stepdown: false,
            call_date_passed: false,
            credit_enhancement: None,
            delinquency: Vec::with_capacity(DELINQUENCY_HISTORY),
        };
        if let Some(oc) = &deal.oc {
            state.balances[oc.holder] = T::from_decimal(deal.cutoff_balance - certificates);
        }
        state
    }

    /// Remember a period's 60+ delinquency rate.
    pub fn push_delinquency(&mut self, rate: T) {
        if self.delinquency.len() == DELINQUENCY_HISTORY {
            self.delinquency.remove(0);
        }
        self.delinquency.push(rate);
    }

    /// Convert to another number type (a filing's exact state to a fast projection).
    pub fn convert<U: Num>(&self) -> DealState<U> {
        let v = |xs: &Vec<T>| xs.iter().map(|x| U::from_decimal(x.to_decimal())).collect();
        DealState {
            balances: v(&self.balances),
            interest_carry: v(&self.interest_carry),
            basis_carry: v(&self.basis_carry),
            unpaid_writedowns: v(&self.unpaid_writedowns),
            cumulative_loss: U::from_decimal(self.cumulative_loss.to_decimal()),
            oc_target: self.oc_target.map(|x| U::from_decimal(x.to_decimal())),
            stepdown: self.stepdown,
            call_date_passed: self.call_date_passed,
            credit_enhancement: self
                .credit_enhancement
                .map(|x| U::from_decimal(x.to_decimal())),
            delinquency: v(&self.delinquency),
        }
    }
}
