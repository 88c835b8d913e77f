//! What a deal carries from one distribution date to the next.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::deal::{AccountKind, Deal, Notional};
use crate::num::Num;

/// Most months a rolling delinquency average can look back.
pub const DELINQUENCY_HISTORY: usize = 12;

/// The state of a deal between distribution dates.
#[derive(Debug, Clone, PartialEq)]
pub struct DealState<T> {
    /// Principal balance per class; the notional for the next period of an
    /// interest-only class with a notional schedule; zero for the OC holder.
    pub balances: Vec<T>,
    /// Interest due and unpaid, carried forward.
    pub interest_carry: Vec<T>,
    /// Net WAC rate carryover (basis risk) due and unpaid.
    pub basis_carry: Vec<T>,
    /// Writedowns not yet reimbursed.
    pub unpaid_writedowns: Vec<T>,
    /// Fees due and unpaid, carried forward.
    pub fee_carry: Vec<T>,
    /// Per swap: net swap payments and termination payments the trust owes
    /// and has not paid.
    pub swap_carry: Vec<T>,
    pub termination_carry: Vec<T>,
    /// Balances of the accounts that carry one (zero for collection accounts).
    pub accounts: Vec<T>,
    pub cumulative_loss: T,
    /// The OC at the end of the last period, on the trustee's basis.
    pub oc: T,
    /// The OC target of the last period.
    pub oc_target: Option<T>,
    /// The step-down date has occurred.
    pub stepdown: bool,
    /// The clean-up call could have been exercised on an earlier date: the
    /// coupons that step up after it have stepped up.
    pub call_date_passed: bool,
    /// Recent 60+ delinquency rates, oldest first.
    pub delinquency: Vec<T>,
    /// The last distribution date the state is as of (the closing date at closing).
    pub date: NaiveDate,
}

impl<T: Num> DealState<T> {
    /// The deal at closing: every class at its original balance, nothing
    /// carried, reserves at their initial balances, the OC being the cut-off
    /// balance less the classes' principal.
    pub fn at_closing(deal: &Deal) -> Self {
        let n = deal.classes.len();
        let holder = deal.oc.as_ref().and_then(|o| o.holder);
        let principal: Decimal = deal
            .principal_classes()
            .map(|k| deal.classes[k].original_balance)
            .sum();
        DealState {
            balances: deal
                .classes
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    if Some(k) == holder {
                        return T::ZERO;
                    }
                    match &c.notional {
                        Some(Notional::Schedule(s)) => {
                            T::from_decimal(s.at(deal.first_distribution_date, c.original_balance))
                        }
                        _ => T::from_decimal(c.original_balance),
                    }
                })
                .collect(),
            interest_carry: vec![T::ZERO; n],
            basis_carry: vec![T::ZERO; n],
            unpaid_writedowns: vec![T::ZERO; n],
            fee_carry: vec![T::ZERO; deal.fees.len()],
            swap_carry: vec![T::ZERO; deal.swaps.len()],
            termination_carry: vec![T::ZERO; deal.swaps.len()],
            accounts: deal
                .accounts
                .iter()
                .map(|a| match &a.kind {
                    AccountKind::Reserve { initial, .. } => T::from_decimal(*initial),
                    AccountKind::Collection => T::ZERO,
                })
                .collect(),
            cumulative_loss: T::ZERO,
            oc: T::from_decimal(deal.cutoff_balance - principal),
            oc_target: None,
            stepdown: false,
            call_date_passed: false,
            delinquency: Vec::with_capacity(DELINQUENCY_HISTORY),
            date: deal.closing_date,
        }
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
        let c = |x: &T| U::from_decimal(x.to_decimal());
        let v = |xs: &Vec<T>| xs.iter().map(c).collect();
        DealState {
            balances: v(&self.balances),
            interest_carry: v(&self.interest_carry),
            basis_carry: v(&self.basis_carry),
            unpaid_writedowns: v(&self.unpaid_writedowns),
            fee_carry: v(&self.fee_carry),
            swap_carry: v(&self.swap_carry),
            termination_carry: v(&self.termination_carry),
            accounts: v(&self.accounts),
            cumulative_loss: c(&self.cumulative_loss),
            oc: c(&self.oc),
            oc_target: self.oc_target.as_ref().map(c),
            stepdown: self.stepdown,
            call_date_passed: self.call_date_passed,
            delinquency: v(&self.delinquency),
            date: self.date,
        }
    }
}
