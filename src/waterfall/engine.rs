//! Runs one distribution period through a deal's waterfall.
//!
//! Money is rounded to the cent ([`Num::round_cents`]) where it is computed (an
//! accrual, a fee, a pro rata share, an OC target) and only added or
//! subtracted after that, so every cent that comes in is accounted for; the
//! period ends with a conservation check.

use crate::deal::{
    Account, Action, ClassKind, Deal, Distribution, Limit, Rule, Step, Target, When,
};
use crate::error::{Error, Result};
use crate::num::Num;

use super::ledger::{Entry, Ledger, Payment};
use super::period::{ClassFlows, DealFlows, PeriodInput, PeriodResult};
use super::state::DealState;
use super::terms::{CouponT, Terms, TriggerT};

/// Most members an allocation or a step may list (pro rata shares are
/// computed on the stack).
pub const MAX_MEMBERS: usize = 32;

/// A deal ready to run periods in number type `T`. Build it once; run it for
/// as many periods and scenarios as needed.
#[derive(Debug, Clone)]
pub struct Engine<'d, T: Num> {
    pub deal: &'d Deal,
    pub terms: Terms<T>,
    /// IO notionals by distribution number, precomputed.
    notionals: Vec<Vec<T>>,
    /// The classes each step reaches, nested allocations expanded.
    step_classes: Vec<Vec<usize>>,
    /// For each class, the most junior class sharing its target enhancement.
    tier_junior: Vec<usize>,
    cur: Vec<T>,
}

/// Distribution numbers for which IO notionals are precomputed.
const NOTIONAL_HORIZON: usize = 600;

impl<'d, T: Num> Engine<'d, T> {
    pub fn new(deal: &'d Deal) -> Self {
        let notionals = deal
            .classes
            .iter()
            .map(|c| match &c.notional {
                Some(s) => (0..NOTIONAL_HORIZON)
                    .map(|n| {
                        let date = deal
                            .calendar
                            .distribution_after(deal.first_distribution_date, n as i32);
                        T::from_decimal(s.at(date, c.original_balance))
                    })
                    .collect(),
                None => Vec::new(),
            })
            .collect();
        let step_classes = deal
            .steps
            .iter()
            .map(|s| {
                let mut list = Vec::new();
                if let Action::PayPrincipal { dist, .. } = &s.action {
                    match dist {
                        Distribution::GroupShare(pairs) => pairs
                            .iter()
                            .for_each(|&(_, t)| deal.target_classes(t, &mut list)),
                        Distribution::To(t) => deal.target_classes(*t, &mut list),
                    }
                }
                list.truncate(MAX_MEMBERS);
                list
            })
            .collect();
        let tier_junior = (0..deal.classes.len())
            .map(|k| {
                let t = deal.classes[k].target_enhancement;
                (k..deal.classes.len())
                    .filter(|&j| {
                        deal.classes[j].kind.carries_principal()
                            && t.is_some()
                            && deal.classes[j].target_enhancement == t
                    })
                    .max()
                    .unwrap_or(k)
            })
            .collect();
        Engine {
            deal,
            terms: Terms::new(deal),
            notionals,
            step_classes,
            tier_junior,
            cur: vec![T::ZERO; deal.classes.len()],
        }
    }

    /// A fresh result buffer of the right shape for this deal.
    pub fn result(&self) -> PeriodResult<T> {
        PeriodResult::new(
            self.deal.classes.len(),
            self.deal.fees.len(),
            self.deal.rates.len(),
            self.deal.triggers.len(),
        )
    }

    /// Run one period: `state` goes from the previous distribution date to this
    /// one, `out` receives every figure, `ledger` every step.
    pub fn run<L: Ledger<T>>(
        &mut self,
        state: &mut DealState<T>,
        input: &PeriodInput<T>,
        out: &mut PeriodResult<T>,
        ledger: &mut L,
    ) -> Result<()> {
        let deal = self.deal;
        if input.groups.len() != deal.groups.len() {
            return Err(Error::Internal(format!(
                "{} groups of collateral cash for a deal with {} groups",
                input.groups.len(),
                deal.groups.len()
            )));
        }
        let mut cur = std::mem::take(&mut self.cur);
        cur.clear();
        cur.extend_from_slice(&state.balances);
        let mut p = Run {
            deal,
            t: &self.terms,
            step_classes: &self.step_classes,
            tier_junior: &self.tier_junior,
            input,
            state,
            out,
            ledger,
            cur: &mut cur,
            acc: [T::ZERO; 4],
            pool_beginning: T::ZERO,
            pool_ending: T::ZERO,
            certificates_beginning: T::ZERO,
            floor: T::ZERO,
            step_up: false,
        };
        let result = p.period();
        if result.is_ok() {
            p.finish(&self.notionals, |k, date, cur| {
                match &deal.classes[k].notional {
                    None => cur,
                    Some(s) => T::from_decimal(s.at(date, deal.classes[k].original_balance)),
                }
            })?;
        }
        self.cur = cur;
        result
    }
}

/// What a "pay what is due" step pays.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Due {
    Interest,
    Basis,
    Writedown,
}

impl Due {
    fn what(self) -> &'static str {
        match self {
            Due::Interest => "interest",
            Due::Basis => "net WAC carryover",
            Due::Writedown => "writedown reimbursement",
        }
    }
}

struct Run<'a, T: Num, L: Ledger<T>> {
    deal: &'a Deal,
    t: &'a Terms<T>,
    step_classes: &'a [Vec<usize>],
    tier_junior: &'a [usize],
    input: &'a PeriodInput<T>,
    state: &'a mut DealState<T>,
    out: &'a mut PeriodResult<T>,
    ledger: &'a mut L,
    /// Current principal balances as principal is paid and written down.
    cur: &'a mut Vec<T>,
    acc: [T; 4],
    pool_beginning: T,
    pool_ending: T,
    certificates_beginning: T,
    floor: T,
    step_up: bool,
}

/// Split `amount` in proportion to `weights` (rounded to the cent; the last
/// weighted member takes the remainder so the shares add up exactly; no share
/// takes more than what is left).
fn split<T: Num>(amount: T, weights: &[T], shares: &mut [T]) {
    let total = weights.iter().fold(T::ZERO, |a, &w| a + w);
    for s in shares.iter_mut() {
        *s = T::ZERO;
    }
    if !total.is_positive() || !amount.is_positive() {
        return;
    }
    let last = weights.iter().rposition(|w| w.is_positive()).unwrap_or(0);
    let mut given = T::ZERO;
    for (i, &w) in weights.iter().enumerate() {
        if !w.is_positive() {
            continue;
        }
        let share = if i == last {
            amount - given
        } else {
            (amount * w / total).round_cents().min_of(amount - given)
        };
        shares[i] = share;
        given += share;
    }
}

fn money<T: Num>(x: T) -> String {
    crate::format::money(x.to_decimal())
}

impl<T: Num, L: Ledger<T>> Run<'_, T, L> {
    fn period(&mut self) -> Result<()> {
        let (deal, t, input) = (self.deal, self.t, self.input);
        self.out.date = input.date;
        self.out.period = input.period;
        for f in self.out.fees.iter_mut() {
            *f = T::ZERO;
        }
        let mut d = DealFlows::zero();
        for g in &input.groups {
            d.pool_beginning += g.beginning_balance;
            d.interest_remittance += g.interest;
            d.principal_remittance += g.principal_remittance();
            d.realized_loss += g.realized_loss;
        }
        d.premiums = input.premiums;
        d.available = d.interest_remittance + d.principal_remittance + d.premiums;
        d.pool_ending = d.pool_beginning - d.principal_remittance - d.realized_loss;
        self.pool_beginning = d.pool_beginning;
        self.pool_ending = d.pool_ending;

        let certificates = t
            .principal_classes
            .iter()
            .fold(T::ZERO, |a, &k| a + self.state.balances[k]);
        self.certificates_beginning = certificates;
        let senior = t
            .senior_classes
            .iter()
            .fold(T::ZERO, |a, &k| a + self.state.balances[k]);
        // The OC is carried in the state as the holder's balance (a report prints
        // it as X's beginning balance); without an OC section it is implied.
        d.oc_beginning = match &deal.oc {
            Some(oc) => self.state.balances[oc.holder],
            None => d.pool_beginning - certificates,
        };

        // The clean-up call: margins step up after the first date it could be exercised.
        self.step_up = self.state.call_date_passed;
        if let Some(th) = t.call_threshold
            && d.pool_beginning <= th
        {
            self.state.call_date_passed = true;
        }

        // Delinquency, losses, step-down and triggers, as of this period.
        d.delinquency_rate = input.delinquent_60_plus.div_or_zero(d.pool_ending);
        self.state.push_delinquency(d.delinquency_rate);
        d.senior_enhancement_before = (d.pool_ending - senior).div_or_zero(d.pool_ending);
        let prior_enhancement = self
            .state
            .credit_enhancement
            .unwrap_or_else(|| (d.pool_beginning - senior).div_or_zero(d.pool_beginning));
        d.cumulative_loss = self.state.cumulative_loss + d.realized_loss;
        let mut trigger = false;
        for (i, tr) in t.triggers.iter().enumerate() {
            let breached = match tr {
                TriggerT::Delinquency { fraction, months } => {
                    let hist = &self.state.delinquency;
                    let n = (*months).min(hist.len()).max(1);
                    let avg = hist[hist.len().saturating_sub(n)..]
                        .iter()
                        .fold(T::ZERO, |a, &x| a + x)
                        / T::from_i64(n as i64);
                    d.rolling_delinquency_rate = avg;
                    avg > *fraction * prior_enhancement
                }
                TriggerT::CumulativeLoss { schedule } => {
                    match schedule.iter().rev().find(|(from, _)| *from <= input.date) {
                        Some(&(_, limit)) => d.cumulative_loss.div_or_zero(t.cutoff) > limit,
                        None => false,
                    }
                }
            };
            self.out.triggers[i] = breached;
            trigger |= breached;
        }
        if let (Some(se), Some(sd)) = (t.stepdown_enhancement, &deal.stepdown)
            && !self.state.stepdown
            && input.date >= sd.earliest
            && (d.senior_enhancement_before >= se || !senior.is_positive())
        {
            self.state.stepdown = true;
        }
        d.stepdown = self.state.stepdown;
        d.trigger = trigger;

        // The OC target and how far the OC is from it before this period's principal.
        if let Some(before) = t.oc_before {
            let floor = t
                .oc_floor
                .map(|f| f.value(t.cutoff, d.pool_ending))
                .unwrap_or(T::ZERO);
            self.floor = floor;
            let before_target = before.value(t.cutoff, d.pool_ending);
            d.oc_target = if !self.state.stepdown {
                before_target
            } else if trigger {
                self.state.oc_target.unwrap_or(before_target)
            } else {
                t.oc_after
                    .map(|a| a.value(t.cutoff, d.pool_ending))
                    .unwrap_or(before_target)
                    .max_of(floor)
            };
            let oc_before_principal = d.oc_beginning - d.realized_loss;
            d.oc_deficiency = (d.oc_target - oc_before_principal).pos();
            d.excess_oc = (oc_before_principal - d.oc_target).pos();
        }
        self.out.deal = d;

        self.accrue();

        self.acc = [
            d.interest_remittance,
            d.principal_remittance,
            d.premiums,
            T::ZERO,
        ];
        let after_stepdown = self.state.stepdown && !trigger;
        for (i, step) in deal.steps.iter().enumerate() {
            let applies = match step.when {
                When::Always => true,
                When::BeforeStepdownOrTrigger => !after_stepdown,
                When::AfterStepdownNoTrigger => after_stepdown,
            };
            if applies {
                self.step(i, step);
            } else if L::ON {
                self.ledger.record(Entry {
                    step: i,
                    account: None,
                    before: T::ZERO,
                    after: T::ZERO,
                    payments: Vec::new(),
                    note: if after_stepdown {
                        "skipped: on or after the step-down date with no trigger event".to_string()
                    } else {
                        "skipped: before the step-down date or a trigger event is in effect"
                            .to_string()
                    },
                });
            }
        }
        for a in Account::ALL {
            let left = self.acc[a as usize];
            if left != T::ZERO {
                return Err(Error::file(
                    &deal.path,
                    format!(
                        "the waterfall leaves {} in the {} account after its last step on {}: add a step that pays or transfers it",
                        money(left),
                        a.name(),
                        input.date
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Rates and each class's interest accrual for the period.
    fn accrue(&mut self) {
        let (deal, t, input) = (self.deal, self.t, self.input);
        let mut done = [false; 64];
        for k in 0..deal.classes.len() {
            if deal.classes[k].cap.is_none() {
                self.accrue_class(k, &mut done);
            }
        }
        for (j, r) in deal.rates.iter().enumerate() {
            let base = match r.group {
                Some(g) => input.groups[g].net_wac,
                None => input
                    .groups
                    .iter()
                    .fold(T::ZERO, |a, g| a + g.net_wac * g.beginning_balance)
                    .div_or_zero(self.pool_beginning),
            };
            let mut rate = base;
            for &f in &r.less_fees {
                rate -= t.fee_rates[f];
            }
            for &k in &r.less_interest_of {
                self.accrue_class(k, &mut done);
                rate -= (self.out.classes[k].accrued * T::from_i64(12))
                    .div_or_zero(self.pool_beginning);
            }
            if r.basis == crate::calendar::DayCount::Act360 && input.days_actual > 0 {
                rate = rate * T::from_i64(30) / T::from_i64(input.days_actual as i64);
            }
            self.out.rates[j] = rate;
        }
        for k in 0..deal.classes.len() {
            self.accrue_class(k, &mut done);
        }
    }

    fn accrue_class(&mut self, k: usize, done: &mut [bool; 64]) {
        if k < 64 && done[k] {
            return;
        }
        if k < 64 {
            done[k] = true;
        }
        let (deal, t, input) = (self.deal, self.t, self.input);
        let class = &deal.classes[k];
        let uncapped = match t.coupons[k] {
            CouponT::None => T::ZERO,
            CouponT::Fixed(c) => c,
            CouponT::Floating {
                margin,
                margin_after_call,
            } => {
                input.index
                    + if self.step_up {
                        margin_after_call
                    } else {
                        margin
                    }
            }
            CouponT::Inverse { strike } => (strike - input.index).pos(),
        };
        let rate = match class.cap {
            Some(j) => uncapped.min_of(self.out.rates[j]).pos(),
            None => uncapped,
        };
        let days = T::from_i64(match class.day_count {
            crate::calendar::DayCount::Act360 => input.days_actual,
            crate::calendar::DayCount::Thirty360 => input.days_30,
        } as i64);
        let d360 = T::from_i64(360);
        // Most carry-forwards are zero, and retired classes have no balance.
        let accrue = |balance: T, r: T| {
            if balance == T::ZERO || r == T::ZERO {
                T::ZERO
            } else {
                (balance * r * days / d360).round_cents()
            }
        };
        let beginning = self.state.balances[k];
        let accrued = accrue(beginning, rate);
        let carry = self.state.interest_carry[k];
        let basis_carry = self.state.basis_carry[k];
        let cap_shortfall = if uncapped > rate {
            accrue(beginning, uncapped) - accrued
        } else {
            T::ZERO
        };
        let f = &mut self.out.classes[k];
        *f = ClassFlows::zero();
        f.beginning = beginning;
        f.rate = rate;
        f.uncapped_rate = uncapped;
        f.accrued = accrued;
        f.interest_due = accrued + carry + accrue(carry, rate);
        f.basis_due = basis_carry + accrue(basis_carry, uncapped) + cap_shortfall;
    }

    fn record(
        &mut self,
        step: usize,
        account: Option<Account>,
        before: T,
        payments: Vec<Payment<T>>,
        note: String,
    ) {
        let after = account.map(|a| self.acc[a as usize]).unwrap_or(T::ZERO);
        self.ledger.record(Entry {
            step,
            account,
            before,
            after,
            payments,
            note,
        });
    }

    fn step(&mut self, i: usize, step: &Step) {
        let deal = self.deal;
        match &step.action {
            Action::PayFee { fee, from } => {
                let before = self.acc[*from as usize];
                let f = &deal.fees[*fee];
                let rate = self.t.fee_rates[*fee];
                let amount = match f.day_count {
                    crate::calendar::DayCount::Thirty360 => {
                        rate * self.pool_beginning / T::from_i64(12)
                    }
                    crate::calendar::DayCount::Act360 => {
                        rate * self.pool_beginning * T::from_i64(self.input.days_actual as i64)
                            / T::from_i64(360)
                    }
                }
                .round_cents();
                let paid = amount.min_of(before);
                self.acc[*from as usize] -= paid;
                self.out.fees[*fee] += paid;
                self.out.deal.fees += paid;
                if L::ON {
                    let pay = vec![Payment {
                        to: f.name.clone(),
                        what: "fee",
                        due: Some(amount),
                        paid,
                    }];
                    self.record(i, Some(*from), before, pay, String::new());
                }
            }
            Action::PayInterest {
                classes,
                rule,
                from,
            } => self.pay_due(i, classes, rule, *from, Due::Interest),
            Action::PayBasisRisk {
                classes,
                rule,
                from,
            } => self.pay_due(i, classes, rule, *from, Due::Basis),
            Action::ReimburseWritedowns {
                classes,
                rule,
                from,
            } => self.pay_due(i, classes, rule, *from, Due::Writedown),
            Action::Transfer { from, to } => {
                let amount = self.acc[*from as usize];
                // Principal no certificate takes goes to the excess holder: it
                // is OC released.
                if *from == Account::Principal && *to == Account::Excess {
                    self.out.deal.oc_release += amount;
                }
                self.move_cash(i, *from, *to, amount, "transfer", String::new());
            }
            Action::ReleaseOc { from, to } => {
                let amount = self.out.deal.excess_oc.min_of(self.acc[*from as usize]);
                self.out.deal.oc_release += amount;
                let note = if L::ON {
                    format!("OC above target {}", money(self.out.deal.excess_oc))
                } else {
                    String::new()
                };
                self.move_cash(i, *from, *to, amount, "OC release", note);
            }
            Action::PayExtraPrincipal { from, to } => {
                let available = self.acc[*from as usize];
                self.out.deal.excess_before_extra_principal = available;
                let amount = self.out.deal.oc_deficiency.min_of(available);
                self.out.deal.extra_principal += amount;
                self.out.deal.excess_after_extra_principal = available - amount;
                let note = if L::ON {
                    format!(
                        "OC target {}, OC before principal {}, deficiency {}",
                        money(self.out.deal.oc_target),
                        money(self.out.deal.oc_beginning - self.out.deal.realized_loss),
                        money(self.out.deal.oc_deficiency)
                    )
                } else {
                    String::new()
                };
                self.move_cash(i, *from, *to, amount, "extra principal", note);
            }
            Action::PayPrincipal { from, dist, limit } => {
                self.pay_principal(i, *from, dist, *limit)
            }
            Action::WriteDown { classes } => self.write_down(i, classes),
            Action::PayPremiums { from, to } | Action::PayRemainder { from, to } => {
                let before = self.acc[*from as usize];
                self.acc[*from as usize] = T::ZERO;
                self.out.classes[*to].other += before;
                if L::ON {
                    let what = if matches!(step.action, Action::PayPremiums { .. }) {
                        "prepayment premiums"
                    } else {
                        "remainder"
                    };
                    let pay = vec![Payment {
                        to: deal.classes[*to].name.clone(),
                        what,
                        due: None,
                        paid: before,
                    }];
                    self.record(i, Some(*from), before, pay, String::new());
                }
            }
        }
    }

    fn move_cash(
        &mut self,
        i: usize,
        from: Account,
        to: Account,
        amount: T,
        what: &'static str,
        note: String,
    ) {
        let before = self.acc[from as usize];
        self.acc[from as usize] -= amount;
        self.acc[to as usize] += amount;
        if L::ON {
            let pay = vec![Payment {
                to: format!("{} account", to.name()),
                what,
                due: None,
                paid: amount,
            }];
            self.record(i, Some(from), before, pay, note);
        }
    }

    fn due(&self, k: usize, what: Due) -> T {
        let f = &self.out.classes[k];
        match what {
            Due::Interest => f.interest_due - f.interest_paid,
            Due::Basis => f.basis_due - f.basis_paid,
            Due::Writedown => self.state.unpaid_writedowns[k] + f.writedown - f.reimbursed,
        }
    }

    fn add_paid(&mut self, k: usize, what: Due, amount: T) {
        let f = &mut self.out.classes[k];
        match what {
            Due::Interest => f.interest_paid += amount,
            Due::Basis => {
                f.basis_paid += amount;
                self.out.deal.basis_risk_paid += amount;
            }
            Due::Writedown => f.reimbursed += amount,
        }
    }

    /// Pay classes what is due to them, in order or pro rata by amount due.
    fn pay_due(&mut self, i: usize, classes: &[usize], rule: &Rule, from: Account, what: Due) {
        let before = self.acc[from as usize];
        let mut dues = [T::ZERO; MAX_MEMBERS];
        let mut paid = [T::ZERO; MAX_MEMBERS];
        let n = classes.len().min(MAX_MEMBERS);
        let mut total = T::ZERO;
        for (j, &k) in classes.iter().take(n).enumerate() {
            dues[j] = self.due(k, what).pos();
            total += dues[j];
        }
        if !L::ON && total == T::ZERO {
            return;
        }
        if before >= total {
            paid[..n].copy_from_slice(&dues[..n]);
        } else if *rule == Rule::ProRata {
            split(before, &dues[..n], &mut paid[..n]);
            for j in 0..n {
                paid[j] = paid[j].min_of(dues[j]);
            }
        } else {
            let mut left = before;
            for j in 0..n {
                paid[j] = dues[j].min_of(left);
                left -= paid[j];
            }
        }
        let mut spent = T::ZERO;
        for (j, &k) in classes.iter().take(n).enumerate() {
            self.add_paid(k, what, paid[j]);
            spent += paid[j];
        }
        self.acc[from as usize] -= spent;
        if L::ON {
            let pay = classes
                .iter()
                .take(n)
                .enumerate()
                .map(|(j, &k)| Payment {
                    to: self.deal.classes[k].name.clone(),
                    what: what.what(),
                    due: Some(dues[j]),
                    paid: paid[j],
                })
                .collect();
            self.record(i, Some(from), before, pay, String::new());
        }
    }

    fn outstanding(&self, target: Target) -> T {
        match target {
            Target::Class(k) => self.cur[k],
            Target::Allocation(a) => self.deal.allocations[a]
                .members
                .iter()
                .fold(T::ZERO, |s, &m| s + self.outstanding(m)),
        }
    }

    /// Pay up to `amount` of principal to a class or an allocation; returns what was paid.
    fn pay_target(&mut self, target: Target, amount: T, payments: &mut Vec<Payment<T>>) -> T {
        if !amount.is_positive() {
            return T::ZERO;
        }
        match target {
            Target::Class(k) => {
                let p = amount.min_of(self.cur[k]);
                if p.is_positive() {
                    self.cur[k] -= p;
                    self.out.classes[k].principal += p;
                    if L::ON {
                        payments.push(Payment {
                            to: self.deal.classes[k].name.clone(),
                            what: "principal",
                            due: None,
                            paid: p,
                        });
                    }
                }
                p
            }
            Target::Allocation(a) => {
                let alloc = &self.deal.allocations[a];
                let n = alloc.members.len().min(MAX_MEMBERS);
                let mut left = amount;
                match &alloc.rule {
                    Rule::Sequential => {
                        for &m in alloc.members.iter().take(n) {
                            if !left.is_positive() {
                                break;
                            }
                            left -= self.pay_target(m, left, payments);
                        }
                    }
                    rule => {
                        // Pro rata by outstanding balance, or in fixed weights;
                        // what a member cannot take goes round again to the others.
                        for _ in 0..n {
                            let mut weights = [T::ZERO; MAX_MEMBERS];
                            let mut shares = [T::ZERO; MAX_MEMBERS];
                            for (j, &m) in alloc.members.iter().take(n).enumerate() {
                                let out = self.outstanding(m);
                                weights[j] = match rule {
                                    Rule::Fixed(_) if out.is_positive() => self.t.weights[a][j],
                                    Rule::Fixed(_) => T::ZERO,
                                    _ => out,
                                };
                            }
                            split(left, &weights[..n], &mut shares[..n]);
                            let mut paid = T::ZERO;
                            for (j, &m) in alloc.members.iter().take(n).enumerate() {
                                paid += self.pay_target(m, shares[j], payments);
                            }
                            left -= paid;
                            if !left.is_positive() || !paid.is_positive() {
                                break;
                            }
                        }
                    }
                }
                amount - left
            }
        }
    }

    /// The most a set of classes may receive so that, after it, the classes
    /// senior to and including the set's most junior class keep their target
    /// enhancement: their balance less min(pool x (1 - target), pool - floor).
    /// Classes that share a target enhancement form one tier, capped together.
    fn target_cap(&self, classes: &[usize]) -> T {
        let Some(&named) = classes
            .iter()
            .filter(|&&k| self.t.targets[k].is_some())
            .max()
        else {
            return self.pool_ending.max_of(self.outstanding_all());
        };
        let target = self.t.targets[named].unwrap_or(T::ZERO);
        let junior = self.tier_junior[named];
        let senior_and_this = self
            .t
            .principal_classes
            .iter()
            .filter(|&&k| k <= junior)
            .fold(T::ZERO, |a, &k| a + self.cur[k]);
        let keep = (self.pool_ending * (T::ONE - target))
            .round_cents()
            .min_of(self.pool_ending - self.floor)
            .pos();
        (senior_and_this - keep).pos()
    }

    fn outstanding_all(&self) -> T {
        self.t
            .principal_classes
            .iter()
            .fold(T::ZERO, |a, &k| a + self.cur[k])
    }

    /// The OC as the period stands: the beginning OC rolled forward by what
    /// the pool and the certificates have lost since (so it stays on the
    /// trustee's basis when the beginning figures are rounded prints).
    fn oc_now(&self) -> T {
        let d = &self.out.deal;
        d.oc_beginning - d.principal_remittance - d.realized_loss
            + (self.certificates_beginning - self.outstanding_all())
    }

    /// `amount`, or less where the step pays its classes only down to their
    /// target enhancement (noted for the ledger).
    fn limited(&self, amount: T, classes: &[usize], limit: Limit, note: &mut String) -> T {
        if limit != Limit::TargetEnhancement {
            return amount;
        }
        let cap = self.target_cap(classes);
        if L::ON {
            *note = format!("limited to {} by the target enhancement", money(cap));
        }
        amount.min_of(cap)
    }

    fn pay_principal(&mut self, i: usize, from: Account, dist: &Distribution, limit: Limit) {
        let before = self.acc[from as usize];
        if !L::ON && !before.is_positive() {
            return;
        }
        let mut payments = Vec::new();
        let mut note = String::new();
        let mut paid_total = T::ZERO;
        let classes: &[usize] = &self.step_classes[i];
        match dist {
            Distribution::GroupShare(pairs) => {
                let amount = self.limited(before, classes, limit, &mut note);
                let n = pairs.len().min(MAX_MEMBERS);
                let mut weights = [T::ZERO; MAX_MEMBERS];
                let mut shares = [T::ZERO; MAX_MEMBERS];
                for (j, &(g, _)) in pairs.iter().take(n).enumerate() {
                    weights[j] = self.input.groups[g].principal_remittance();
                }
                if !weights[..n].iter().any(|w| w.is_positive()) {
                    for (j, &(g, _)) in pairs.iter().take(n).enumerate() {
                        weights[j] = self.input.groups[g].ending_balance();
                    }
                }
                split(amount, &weights[..n], &mut shares[..n]);
                if L::ON {
                    let parts: Vec<String> = pairs
                        .iter()
                        .take(n)
                        .enumerate()
                        .map(|(j, &(g, _))| {
                            format!("group {} {}", self.deal.groups[g].name, money(shares[j]))
                        })
                        .collect();
                    let shares_note =
                        format!("by share of principal remittance: {}", parts.join(", "));
                    note = if note.is_empty() {
                        shares_note
                    } else {
                        format!("{note}; {shares_note}")
                    };
                }
                let mut leftover = T::ZERO;
                for (j, &(_, target)) in pairs.iter().take(n).enumerate() {
                    let p = self.pay_target(target, shares[j], &mut payments);
                    paid_total += p;
                    leftover += shares[j] - p;
                }
                // A group whose classes are retired passes its share to the others.
                for &(_, target) in pairs.iter().take(n) {
                    if !leftover.is_positive() {
                        break;
                    }
                    let p = self.pay_target(target, leftover, &mut payments);
                    paid_total += p;
                    leftover -= p;
                }
            }
            Distribution::To(target) => {
                let sequential_with_limit = limit == Limit::TargetEnhancement
                    && matches!(target, Target::Allocation(a) if self.deal.allocations[*a].rule == Rule::Sequential);
                if sequential_with_limit {
                    // Each class in turn, down to its own target; a class with
                    // no target only once every class before it is retired.
                    let mut left = before;
                    for (j, &k) in classes.iter().enumerate() {
                        let cap = if self.t.targets[k].is_some() {
                            self.target_cap(&[k])
                        } else if classes[..j].iter().all(|&c| !self.cur[c].is_positive()) {
                            self.cur[k]
                        } else {
                            T::ZERO
                        };
                        let p = self.pay_target(Target::Class(k), left.min_of(cap), &mut payments);
                        paid_total += p;
                        left -= p;
                    }
                } else {
                    let amount = self.limited(before, classes, limit, &mut note);
                    paid_total = self.pay_target(*target, amount, &mut payments);
                }
            }
        }
        self.acc[from as usize] -= paid_total;
        if L::ON {
            self.record(i, Some(from), before, payments, note);
        }
    }

    fn write_down(&mut self, i: usize, classes: &[usize]) {
        let certificates = self.outstanding_all();
        let mut loss = (-self.oc_now()).pos();
        if !L::ON && !loss.is_positive() {
            return;
        }
        let total = loss;
        let mut payments = Vec::new();
        for &k in classes {
            if !loss.is_positive() {
                break;
            }
            let w = loss.min_of(self.cur[k]);
            self.cur[k] -= w;
            self.out.classes[k].writedown += w;
            self.out.deal.writedowns += w;
            loss -= w;
            if L::ON && w.is_positive() {
                payments.push(Payment {
                    to: self.deal.classes[k].name.clone(),
                    what: "writedown",
                    due: None,
                    paid: w,
                });
            }
        }
        if L::ON {
            let note = format!(
                "certificates {} against a pool of {}: {} to write down",
                money(certificates),
                money(self.pool_ending),
                money(total)
            );
            self.record(i, None, T::ZERO, payments, note);
        }
    }

    /// Ending balances, the state for the next period, and the conservation check.
    fn finish(
        &mut self,
        notionals: &[Vec<T>],
        slow_notional: impl Fn(usize, chrono::NaiveDate, T) -> T,
    ) -> Result<()> {
        let (deal, input) = (self.deal, self.input);
        let next_period = deal.period_number(input.next_date) - 1;
        let mut certificates = T::ZERO;
        let mut senior = T::ZERO;
        for (k, class) in deal.classes.iter().enumerate() {
            let f = &mut self.out.classes[k];
            f.ending = match class.kind {
                ClassKind::InterestOnly => match notionals[k].get(next_period.max(0) as usize) {
                    Some(&v) if next_period >= 0 => v,
                    _ if class.notional.is_some() => slow_notional(k, input.next_date, f.beginning),
                    _ => f.beginning,
                },
                ClassKind::Excess | ClassKind::Residual => T::ZERO,
                _ => f.beginning - f.principal - f.writedown,
            };
            if f.ending < T::ZERO {
                return Err(Error::Internal(format!(
                    "class {} ends with a negative balance",
                    class.name
                )));
            }
            if class.kind.carries_principal() {
                certificates += f.ending;
            }
            if class.kind == ClassKind::Senior {
                senior += f.ending;
            }
        }
        let oc_ending = self.oc_now();
        let d = &mut self.out.deal;
        d.certificates_ending = certificates;
        d.oc_ending = oc_ending;
        d.credit_enhancement = (d.pool_ending - senior).div_or_zero(d.pool_ending);
        if let Some(oc) = &deal.oc {
            self.out.classes[oc.holder].beginning = d.oc_beginning;
            self.out.classes[oc.holder].ending = d.oc_ending;
        }

        // Every dollar in is a dollar paid.
        let paid = self
            .out
            .classes
            .iter()
            .fold(self.out.deal.fees, |a, c| a + c.total_distribution());
        let available = self.out.deal.available;
        let gap = available - paid;
        let tolerance = T::from_f64(1e-6) * available.max_of(T::ONE);
        if gap > tolerance || -gap > tolerance {
            return Err(Error::Internal(format!(
                "cash not conserved on {}: {} available, {} paid",
                input.date,
                money(available),
                money(paid)
            )));
        }

        let state = &mut *self.state;
        for (k, f) in self.out.classes.iter().enumerate() {
            state.balances[k] = f.ending;
            state.interest_carry[k] = f.interest_shortfall().pos();
            state.basis_carry[k] = (f.basis_due - f.basis_paid).pos();
            state.unpaid_writedowns[k] =
                (state.unpaid_writedowns[k] + f.writedown - f.reimbursed).pos();
        }
        state.cumulative_loss = self.out.deal.cumulative_loss;
        state.oc_target = Some(self.out.deal.oc_target);
        state.credit_enhancement = Some(self.out.deal.credit_enhancement);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    #[test]
    fn pro_rata_shares_add_up_to_the_cent() {
        let mut shares = [Decimal::ZERO; 3];
        split(dec!(100.00), &[dec!(1), dec!(1), dec!(1)], &mut shares);
        assert_eq!(shares, [dec!(33.33), dec!(33.33), dec!(33.34)]);
        // HE4 group 2 principal: A-2 pro rata with A-3 + A-4 by beginning balance.
        let mut two = [Decimal::ZERO; 2];
        split(
            dec!(9618559.12),
            &[dec!(161327967), dec!(94368256) + dec!(49138599)],
            &mut two,
        );
        assert_eq!(two[0], dec!(5090437.43));
        assert_eq!(two[0] + two[1], dec!(9618559.12));
    }

    #[test]
    fn a_share_never_exceeds_what_is_left() {
        let mut shares = [Decimal::ZERO; 3];
        split(dec!(0.01), &[dec!(1), dec!(1), dec!(0.000001)], &mut shares);
        assert_eq!(shares.iter().sum::<Decimal>(), dec!(0.01));
        assert!(shares.iter().all(|s| *s >= Decimal::ZERO));
    }
}
