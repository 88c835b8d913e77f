//! Runs one distribution period through a deal's waterfall.
//!
//! A period has three parts:
//! 1. **Determination**: the collateral's figures, the triggers, the
//!    step-down, the OC target, every `[[quantity]]` and every class's
//!    interest, each worked out once, when first needed (a cap rate that
//!    reads another class's interest accrues that class first);
//! 2. **The waterfall**: the collateral's cash goes into the collection
//!    accounts, and the steps run in order, each through its own module in
//!    [`crate::deal::steps`];
//! 3. **The end**: ending balances, notionals, the state for the next period,
//!    and two checks: no cash left in a collection account, and every cent
//!    that came in paid out or kept in an account that carries a balance.
//!
//! Money is rounded to the cent ([`Num::round_cents`], halves away from zero)
//! where it is computed (an accrual, a fee, a pro rata share, an amount an
//! expression gives) and only added or subtracted after that, so every cent
//! that comes in is accounted for.

use rust_decimal::Decimal;

use crate::deal::NotionalWalk as Walk;
use crate::deal::quantity::{
    AccountField, BalanceAt, CapField, FeeField, InterestField, OcField, PoolField, StepField,
    SwapField,
};
use crate::deal::{
    AccountKind, Deal, Expr, FeeDue, Flow, Leg, Notional, Quantity, Rule, ScheduleSource, Target,
    TriggerKind,
};
use crate::error::{Error, Result};
use crate::num::{MAX_AMOUNT, Num};

use super::ledger::{Entry, Ledger, Payment};
use super::period::{
    AccountFlows, CapFlows, ClassFlows, DealFlows, FeeFlows, PeriodInput, PeriodResult, StepFlows,
    SwapFlows,
};
use super::state::DealState;

/// Distribution numbers for which notional schedules are precomputed.
const NOTIONAL_HORIZON: usize = 720;

/// A deal ready to run periods in number type `T`. Build it once; run it for
/// as many periods and scenarios as needed (clone it for another thread).
#[derive(Debug, Clone)]
pub struct Engine<'d, T: Num> {
    pub deal: &'d Deal,
    plan: Plan<T>,
    scratch: Scratch<T>,
    /// Work out the deal's `[report.figures]` at the end of each period.
    report_figures: bool,
}

/// What is worked out once per deal.
#[derive(Debug, Clone)]
struct Plan<T> {
    /// Notional schedules by distribution number - 1, as far as a period
    /// has needed them (up to [`NOTIONAL_HORIZON`]): the first
    /// `notionals_known` distributions.
    notionals: Vec<Vec<T>>,
    notionals_known: usize,
    /// How far each schedule (in class order) has been walked.
    walks: Vec<Walk>,
    /// Whether any class has a notional schedule.
    has_schedules: bool,
    /// Scheduled balances (PAC/TAC) by distribution number - 1.
    schedules: Vec<Vec<T>>,
    principal_classes: Vec<usize>,
    cutoff: T,
    group_cutoff: Vec<T>,
    call_threshold: Option<T>,
    max_amount: T,
    /// For each step, the gate its `when` test shares with every step whose
    /// test is the same and reads only what is settled before the
    /// waterfall: worked out once a period, not once a step.
    gates: Vec<Option<usize>>,
}

impl<T: Num> Plan<T> {
    /// The notional schedules' values up to distribution number `upto` + 1
    /// (within [`NOTIONAL_HORIZON`]): the notional on each distribution date
    /// of the deal's calendar.
    // Out of line: once a period at most, and kept out of `Engine::run`'s
    // code for the deals that have no schedule.
    #[inline(never)]
    fn extend_notionals(&mut self, deal: &Deal, upto: usize) {
        let end = (upto + 1).min(NOTIONAL_HORIZON);
        if self.notionals_known >= end {
            return;
        }
        // One date a distribution, for every schedule, each walked on from
        // the date before; none once every schedule has ended.
        let from = self.notionals_known;
        self.notionals_known = end;
        for n in from..end {
            let date = (!self.walks.iter().all(Walk::ended)).then(|| {
                deal.calendar
                    .distribution_after(deal.first_distribution_date, n as i32)
            });
            let mut w = 0;
            for (c, v) in deal.classes.iter().zip(self.notionals.iter_mut()) {
                if let Some(Notional::Schedule(s)) = &c.notional {
                    let walk = &mut self.walks[w];
                    w += 1;
                    let x = match date {
                        Some(date) => walk.at(s, date, c.original_balance),
                        None => Decimal::ZERO,
                    };
                    v.push(if x.is_zero() {
                        T::ZERO
                    } else {
                        T::from_decimal(x)
                    });
                }
            }
        }
    }
}

/// Buffers reused from period to period.
#[derive(Debug, Clone)]
struct Scratch<T> {
    cur: Vec<T>,
    begin: Vec<T>,
    acc: Vec<T>,
    memo: Memo<T>,
    /// Buffers for shares, one per depth of nested allocations.
    bufs: Vec<Vec<T>>,
}

/// A value worked out once a period, when first needed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot<T> {
    Empty,
    Busy,
    Done(T),
}

#[derive(Debug, Clone)]
struct Memo<T> {
    quantities: Vec<Slot<T>>,
    accrued: Vec<Slot<()>>,
    triggers: Vec<Slot<bool>>,
    stepdown: Slot<bool>,
    oc_target: Slot<T>,
    oc_floor: Slot<T>,
    account_targets: Vec<Slot<T>>,
    fees: Vec<Slot<()>>,
    swaps: Vec<Slot<()>>,
    caps: Vec<Slot<()>>,
    gates: Vec<Slot<bool>>,
    /// A value was needed while it was being worked out: a cycle the
    /// validation should have refused.
    cycle: Option<String>,
}

impl<T: Num> Memo<T> {
    fn new(deal: &Deal, gates: usize) -> Self {
        Memo {
            quantities: vec![Slot::Empty; deal.quantities.len()],
            accrued: vec![Slot::Empty; deal.classes.len()],
            triggers: vec![Slot::Empty; deal.triggers.len()],
            stepdown: Slot::Empty,
            oc_target: Slot::Empty,
            oc_floor: Slot::Empty,
            account_targets: vec![Slot::Empty; deal.accounts.len()],
            fees: vec![Slot::Empty; deal.fees.len()],
            swaps: vec![Slot::Empty; deal.swaps.len()],
            caps: vec![Slot::Empty; deal.caps.len()],
            gates: vec![Slot::Empty; gates],
            cycle: None,
        }
    }

    fn clear(&mut self) {
        self.quantities.fill(Slot::Empty);
        self.accrued.fill(Slot::Empty);
        self.triggers.fill(Slot::Empty);
        self.stepdown = Slot::Empty;
        self.oc_target = Slot::Empty;
        self.oc_floor = Slot::Empty;
        self.account_targets.fill(Slot::Empty);
        self.fees.fill(Slot::Empty);
        self.swaps.fill(Slot::Empty);
        self.caps.fill(Slot::Empty);
        self.gates.fill(Slot::Empty);
        self.cycle = None;
    }
}

impl<'d, T: Num> Engine<'d, T> {
    pub fn new(deal: &'d Deal) -> Self {
        // Worked out as the periods need them (see `Engine::run`).
        let notionals = vec![Vec::new(); deal.classes.len()];
        let schedules = deal
            .schedules
            .iter()
            .map(|s| match &s.source {
                ScheduleSource::Given(v) => v.iter().map(|&x| T::from_decimal(x)).collect(),
                ScheduleSource::Band { balances, .. } => {
                    balances.iter().map(|&x| T::from_decimal(x)).collect()
                }
            })
            .collect();
        let mut tests: Vec<&Expr> = Vec::new();
        let gates = deal
            .steps
            .iter()
            .map(|step| {
                let w = step.when.as_ref()?;
                if !w.settled_before_the_waterfall() {
                    return None;
                }
                Some(tests.iter().position(|t| *t == w).unwrap_or_else(|| {
                    tests.push(w);
                    tests.len() - 1
                }))
            })
            .collect();
        let memo = Memo::new(deal, tests.len());
        let plan = Plan {
            notionals,
            notionals_known: 0,
            walks: vec![
                Walk::default();
                deal.classes
                    .iter()
                    .filter(|c| matches!(c.notional, Some(Notional::Schedule(_))))
                    .count()
            ],
            has_schedules: deal
                .classes
                .iter()
                .any(|c| matches!(c.notional, Some(Notional::Schedule(_)))),
            schedules,
            principal_classes: deal.principal_classes().collect(),
            cutoff: T::from_decimal(deal.cutoff_balance),
            group_cutoff: deal
                .groups
                .iter()
                .map(|g| T::from_decimal(g.cutoff_balance.unwrap_or_default()))
                .collect(),
            call_threshold: deal
                .call
                .as_ref()
                .map(|c| T::from_decimal(c.fraction_of_cutoff * deal.cutoff_balance).round_cents()),
            max_amount: T::from_decimal(MAX_AMOUNT),
            gates,
        };
        let n = deal.classes.len();
        Engine {
            deal,
            plan,
            scratch: Scratch {
                cur: vec![T::ZERO; n],
                begin: vec![T::ZERO; n],
                acc: vec![T::ZERO; deal.accounts.len()],
                memo,
                bufs: Vec::new(),
            },
            report_figures: false,
        }
    }

    /// Also work out the deal's report figures (`[report.figures]`) each period.
    pub fn with_report_figures(mut self) -> Self {
        self.report_figures = true;
        self
    }

    /// A fresh result buffer of the right shape for this deal.
    pub fn result(&self) -> PeriodResult<T> {
        PeriodResult::new(self.deal)
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
        if input.groups.len() != deal.groups.len().max(1) {
            return Err(Error::Internal(format!(
                "{} groups of collateral cash for a deal with {} groups",
                input.groups.len(),
                deal.groups.len()
            )));
        }
        if self.plan.has_schedules {
            let next = deal.period_number(input.next_date) - 1;
            if next >= 0 {
                self.plan.extend_notionals(deal, next as usize);
            }
        }
        let s = &mut self.scratch;
        s.memo.clear();
        s.cur.clear();
        s.cur.extend_from_slice(&state.balances);
        s.begin.clear();
        s.begin.extend_from_slice(&state.balances);
        s.acc.clear();
        s.acc.extend_from_slice(&state.accounts);
        let mut bufs = std::mem::take(&mut s.bufs);
        let mut r = Run {
            deal,
            plan: &self.plan,
            input,
            state,
            out,
            ledger,
            cur: &mut s.cur,
            begin: &s.begin,
            acc: &mut s.acc,
            memo: &mut s.memo,
            bufs: &mut bufs,
            pool: Pool::zero(),
            call_passed: false,
            report_figures: self.report_figures,
        };
        let result = r.period();
        s.bufs = bufs;
        result
    }
}

/// The pool's figures this period.
#[derive(Debug, Clone, Copy)]
struct Pool<T> {
    beginning: T,
    ending: T,
    interest: T,
    principal: T,
    scheduled: T,
    prepayments: T,
    liquidation: T,
    repurchases: T,
    recoveries: T,
    loss: T,
    net_wac: T,
    certificates_beginning: T,
}

/// One period being run: what the steps work with.
pub struct Run<'a, T: Num, L: Ledger<T>> {
    pub deal: &'a Deal,
    plan: &'a Plan<T>,
    pub input: &'a PeriodInput<T>,
    pub state: &'a mut DealState<T>,
    pub out: &'a mut PeriodResult<T>,
    pub ledger: &'a mut L,
    /// Class balances as principal is paid, accreted and written down.
    cur: &'a mut Vec<T>,
    /// Class balances (notionals) at the start of the period.
    begin: &'a Vec<T>,
    /// Account balances as the steps run.
    acc: &'a mut Vec<T>,
    memo: &'a mut Memo<T>,
    bufs: &'a mut Vec<Vec<T>>,
    pool: Pool<T>,
    call_passed: bool,
    report_figures: bool,
}

/// What a "pay what is due" step pays.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Due {
    Interest,
    Basis,
    Writedown,
}

impl Due {
    pub fn what(self) -> &'static str {
        match self {
            Due::Interest => "interest",
            Due::Basis => "net WAC carryover",
            Due::Writedown => "writedown reimbursement",
        }
    }
}

/// Split `amount` in proportion to `weights` (rounded to the cent; the last
/// weighted member takes the remainder so the shares add up exactly; no share
/// takes more than what is left).
pub fn split<T: Num>(amount: T, weights: &[T], shares: &mut [T]) {
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

/// Money as text, for the ledger.
pub fn money<T: Num>(x: T) -> String {
    crate::format::money(x.to_decimal())
}

impl<T: Num> Pool<T> {
    fn zero() -> Self {
        let z = T::ZERO;
        Pool {
            beginning: z,
            ending: z,
            interest: z,
            principal: z,
            scheduled: z,
            prepayments: z,
            liquidation: z,
            repurchases: z,
            recoveries: z,
            loss: z,
            net_wac: z,
            certificates_beginning: z,
        }
    }
}

impl<T: Num, L: Ledger<T>> crate::deal::expr::Context<T> for Run<'_, T, L> {
    /// The quantities read most often, read here; the rest through
    /// [`Run::value`], kept out of line so that the common reads do not pay
    /// for its size.
    #[inline]
    fn quantity(&mut self, q: &Quantity) -> T {
        match q {
            Quantity::Account {
                account,
                field: AccountField::Balance,
            } => self.acc[*account],
            Quantity::Named(n) => match self.memo.quantities[*n] {
                Slot::Done(v) => v,
                _ => self.value(q),
            },
            _ => self.value(q),
        }
    }
}

impl<T: Num, L: Ledger<T>> Run<'_, T, L> {
    // --- The period -------------------------------------------------------------

    fn period(&mut self) -> Result<()> {
        let (deal, input) = (self.deal, self.input);
        self.out.date = input.date;
        self.out.period = input.period;
        for f in self.out.fees.iter_mut() {
            *f = FeeFlows::zero();
        }
        for s in self.out.steps.iter_mut() {
            *s = StepFlows::zero();
        }
        for c in self.out.classes.iter_mut() {
            *c = ClassFlows::zero();
        }
        for s in self.out.swaps.iter_mut() {
            *s = SwapFlows::zero();
        }
        for c in self.out.caps.iter_mut() {
            *c = CapFlows::zero();
        }
        let mut p: Pool<T> = Pool::zero();
        let mut wac_weighted = T::ZERO;
        for g in &input.groups {
            p.beginning += g.beginning_balance;
            p.interest += g.interest;
            p.scheduled += g.scheduled_principal;
            p.prepayments += g.prepayments;
            p.liquidation += g.liquidation_proceeds;
            p.repurchases += g.repurchases;
            p.recoveries += g.recoveries;
            p.loss += g.realized_loss;
            wac_weighted += g.net_wac * g.beginning_balance;
        }
        for x in [
            &mut p.beginning,
            &mut p.interest,
            &mut p.scheduled,
            &mut p.prepayments,
            &mut p.liquidation,
            &mut p.repurchases,
            &mut p.recoveries,
            &mut p.loss,
        ] {
            *x = x.canon();
        }
        p.principal =
            (p.scheduled + p.prepayments + p.liquidation + p.repurchases + p.recoveries).canon();
        p.ending = (p.beginning - (p.principal - p.recoveries) - p.loss).canon();
        p.net_wac = wac_weighted.div_or_zero(p.beginning);
        p.certificates_beginning = self
            .plan
            .principal_classes
            .iter()
            .fold(T::ZERO, |a, &k| a + self.begin[k])
            .canon();
        self.pool = p;

        let mut d = DealFlows::zero();
        d.pool_beginning = p.beginning;
        d.pool_ending = p.ending;
        d.interest_remittance = p.interest;
        d.principal_remittance = p.principal;
        d.scheduled_principal = p.scheduled;
        d.unscheduled_principal = p.principal - p.scheduled;
        d.realized_loss = p.loss;
        d.premiums = input.premiums;
        d.oc_beginning = if deal.oc.is_some() {
            self.state.oc
        } else {
            p.beginning - p.certificates_beginning
        };
        d.cumulative_loss = self.state.cumulative_loss + p.loss;
        d.delinquency_rate = input.delinquent_60_plus.div_or_zero(p.ending);
        self.out.deal = d;

        // Coupons that step up after the call: from the period after the
        // first one the call could have been exercised on.
        self.call_passed = self.state.call_date_passed;
        if let Some(th) = self.plan.call_threshold
            && p.beginning <= th
        {
            self.state.call_date_passed = true;
        }
        self.state.push_delinquency(self.out.deal.delinquency_rate);

        // Accounts: what they carried, then the collateral's cash.
        for (a, acct) in deal.accounts.iter().enumerate() {
            let mut f = AccountFlows::zero();
            f.beginning = self.acc[a];
            f.earnings = input.earnings.get(a).copied().unwrap_or(T::ZERO);
            f.collections = self.collections(a);
            self.acc[a] = (self.acc[a] + f.collections + f.earnings).canon();
            self.out.accounts[a] = f;
            let _ = acct;
        }
        self.out.deal.available = self
            .out
            .accounts
            .iter()
            .fold(T::ZERO, |s, f| s + f.collections + f.earnings);
        // The derivatives: what a counterparty pays comes in now, from
        // outside the collateral, into the derivative's account.
        let mut receipts = T::ZERO;
        for s in 0..deal.swaps.len() {
            self.swap(s);
            let x = self.out.swaps[s].receipt;
            let a = deal.swaps[s].receipts_to;
            self.acc[a] = (self.acc[a] + x).canon();
            self.out.accounts[a].from_counterparty += x;
            receipts += x;
        }
        for c in 0..deal.caps.len() {
            self.cap(c);
            let x = self.out.caps[c].payment;
            let a = deal.caps[c].pays_into;
            self.acc[a] = (self.acc[a] + x).canon();
            self.out.accounts[a].from_counterparty += x;
            receipts += x;
        }
        self.out.deal.derivative_receipts = receipts;
        // Validation sends each group's interest and principal to exactly one
        // account; premiums may have none, and then there must be none.
        if input.premiums != T::ZERO
            && !deal
                .accounts
                .iter()
                .any(|a| a.receives.contains(&Flow::Premiums))
        {
            return Err(Error::file(
                &deal.path,
                format!(
                    "on {} the collateral paid {} of prepayment premiums, but no account receives \"premiums\"",
                    input.date,
                    money(input.premiums)
                ),
            ));
        }

        // Determination: everything the waterfall's terms read, worked out
        // before any step runs.
        let mut any = false;
        for t in 0..deal.triggers.len() {
            let b = self.trigger(t);
            self.out.triggers[t] = b;
            any |= b;
        }
        self.out.deal.trigger = any;
        self.out.deal.stepdown = self.stepdown();
        if deal.oc.is_some() {
            let target = self.oc_target();
            let before = self.out.deal.oc_beginning - p.loss;
            self.out.deal.oc_target = target;
            self.out.deal.oc_deficiency = (target - before).pos();
            self.out.deal.excess_oc = (before - target).pos();
        }
        for q in 0..deal.quantities.len() {
            self.out.quantities[q] = self.named(q);
        }
        for k in 0..deal.classes.len() {
            self.accrue(k);
        }
        for f in 0..deal.fees.len() {
            self.fee(f);
        }
        for a in 0..deal.accounts.len() {
            if matches!(deal.accounts[a].kind, AccountKind::Reserve { .. }) {
                self.out.accounts[a].target = self.account_target(a);
            }
        }
        if let Some(c) = self.memo.cycle.take() {
            return Err(Error::file(
                &deal.path,
                format!("{c} depends on itself (through the terms it reads)"),
            ));
        }

        // The waterfall.
        for (i, step) in deal.steps.iter().enumerate() {
            let applies = match (&step.when, self.plan.gates[i]) {
                (None, _) => true,
                (Some(w), None) => w.holds(self),
                (Some(w), Some(g)) => self.gate(g, w),
            };
            let source = step.action.source();
            let before = source.map(|a| self.acc[a]).unwrap_or(T::ZERO);
            if !applies {
                if L::ON {
                    let note = format!(
                        "skipped: {} does not hold",
                        step.when
                            .as_ref()
                            .map(|w| deal.display(w))
                            .unwrap_or_default()
                    );
                    self.record(i, None, T::ZERO, Vec::new(), note);
                }
                continue;
            }
            let amount = step.action.run(self, i);
            let after = source.map(|a| self.acc[a]).unwrap_or(T::ZERO);
            self.out.steps[i] = StepFlows {
                available: before,
                amount,
                left: after,
                ran: true,
            };
        }
        self.finish()
    }

    /// The collateral cash account `a` receives this period.
    fn collections(&self, a: usize) -> T {
        let acct = &self.deal.accounts[a];
        let mut total = T::ZERO;
        let groups: &[super::period::GroupCash<T>] = match acct.group {
            Some(g) => std::slice::from_ref(&self.input.groups[g]),
            None => &self.input.groups,
        };
        for flow in &acct.receives {
            for g in groups {
                total += match flow {
                    Flow::Interest => g.interest,
                    Flow::Principal => g.principal_remittance(),
                    Flow::ScheduledPrincipal => g.scheduled_principal,
                    Flow::UnscheduledPrincipal => g.unscheduled_principal(),
                    Flow::Premiums => T::ZERO,
                };
            }
            if *flow == Flow::Premiums {
                total += self.input.premiums;
            }
        }
        total
    }

    // --- Determination -----------------------------------------------------------

    fn cycle(&mut self, what: String) {
        if self.memo.cycle.is_none() {
            self.memo.cycle = Some(what);
        }
    }

    /// A `[[quantity]]`'s value this period.
    fn named(&mut self, q: usize) -> T {
        match self.memo.quantities[q] {
            Slot::Done(v) => v,
            Slot::Busy => {
                self.cycle(format!("quantity {}", self.deal.quantities[q].name));
                T::ZERO
            }
            Slot::Empty => {
                self.memo.quantities[q] = Slot::Busy;
                let v = self.deal.quantities[q].value.eval(self);
                self.memo.quantities[q] = Slot::Done(v);
                v
            }
        }
    }

    fn trigger(&mut self, t: usize) -> bool {
        match self.memo.triggers[t] {
            Slot::Done(v) => v,
            Slot::Busy => {
                self.cycle(format!("trigger {}", self.deal.triggers[t].name));
                false
            }
            Slot::Empty => {
                self.memo.triggers[t] = Slot::Busy;
                let v = match &self.deal.triggers[t].kind {
                    TriggerKind::Delinquency {
                        rolling_months,
                        limit,
                    } => {
                        let hist = &self.state.delinquency;
                        let n = (*rolling_months as usize).min(hist.len()).max(1);
                        let avg = hist[hist.len().saturating_sub(n)..]
                            .iter()
                            .fold(T::ZERO, |a, &x| a + x)
                            / T::from_i64(n as i64);
                        self.out.deal.rolling_delinquency_rate = avg;
                        let limit = limit.eval(self);
                        avg > limit
                    }
                    TriggerKind::CumulativeLoss { schedule } => {
                        match schedule
                            .iter()
                            .rev()
                            .find(|(from, _)| *from <= self.input.date)
                        {
                            Some((_, limit)) => {
                                self.out.deal.cumulative_loss.div_or_zero(self.plan.cutoff)
                                    > T::of(limit)
                            }
                            None => false,
                        }
                    }
                    TriggerKind::Test(e) => e.holds(self),
                };
                self.memo.triggers[t] = Slot::Done(v);
                v
            }
        }
    }

    /// A shared step test's value this period (`test` is the test of one of
    /// the steps that share gate `g`).
    fn gate(&mut self, g: usize, test: &Expr) -> bool {
        if let Slot::Done(v) = self.memo.gates[g] {
            return v;
        }
        let v = test.holds(self);
        self.memo.gates[g] = Slot::Done(v);
        v
    }

    fn any_trigger(&mut self) -> bool {
        let mut any = false;
        for t in 0..self.deal.triggers.len() {
            any |= self.trigger(t);
        }
        any
    }

    fn stepdown(&mut self) -> bool {
        match self.memo.stepdown {
            Slot::Done(v) => v,
            Slot::Busy => {
                self.cycle("the step-down test".to_string());
                false
            }
            Slot::Empty => {
                self.memo.stepdown = Slot::Busy;
                let v = self.state.stepdown
                    || match &self.deal.stepdown {
                        Some(sd) if self.input.date >= sd.earliest => match &sd.test {
                            Some(t) => t.holds(self),
                            None => true,
                        },
                        _ => false,
                    };
                self.state.stepdown = v;
                self.memo.stepdown = Slot::Done(v);
                v
            }
        }
    }

    fn oc_target(&mut self) -> T {
        match self.memo.oc_target {
            Slot::Done(v) => v,
            Slot::Busy => {
                self.cycle("the OC target".to_string());
                T::ZERO
            }
            Slot::Empty => {
                self.memo.oc_target = Slot::Busy;
                let v = match &self.deal.oc {
                    Some(oc) => self.amount(&oc.target),
                    None => T::ZERO,
                };
                self.memo.oc_target = Slot::Done(v);
                v
            }
        }
    }

    fn oc_floor(&mut self) -> T {
        match self.memo.oc_floor {
            Slot::Done(v) => v,
            Slot::Busy => {
                self.cycle("the OC floor".to_string());
                T::ZERO
            }
            Slot::Empty => {
                self.memo.oc_floor = Slot::Busy;
                let v = match self.deal.oc.as_ref().and_then(|o| o.floor.as_ref()) {
                    Some(f) => self.amount(f),
                    None => T::ZERO,
                };
                self.memo.oc_floor = Slot::Done(v);
                v
            }
        }
    }

    fn account_target(&mut self, a: usize) -> T {
        match self.memo.account_targets[a] {
            Slot::Done(v) => v,
            Slot::Busy => {
                self.cycle(format!(
                    "the target of account {}",
                    self.deal.accounts[a].name
                ));
                T::ZERO
            }
            Slot::Empty => {
                self.memo.account_targets[a] = Slot::Busy;
                let v = match &self.deal.accounts[a].kind {
                    AccountKind::Reserve { target, .. } => self.amount(target),
                    AccountKind::Collection => T::ZERO,
                };
                self.memo.account_targets[a] = Slot::Done(v);
                v
            }
        }
    }

    /// A fee's amount due this period.
    fn fee(&mut self, f: usize) {
        match self.memo.fees[f] {
            Slot::Done(()) => {}
            Slot::Busy => self.cycle(format!("fee {}", self.deal.fees[f].name)),
            Slot::Empty => {
                self.memo.fees[f] = Slot::Busy;
                let fee = &self.deal.fees[f];
                let accrued = match &fee.due {
                    FeeDue::Rate { rate, basis } => {
                        let basis = self.amount(basis);
                        self.input.days.accrue(fee.day_count, basis, T::of(rate))
                    }
                    FeeDue::Amount(e) => self.amount(e).pos(),
                };
                let out = &mut self.out.fees[f];
                out.accrued = accrued;
                out.carry_in = self.state.fee_carry[f];
                self.memo.fees[f] = Slot::Done(());
            }
        }
    }

    /// A swap's figures this period: its notional, floating rate and the
    /// net amount, `notional x (floating rate x floating fraction - fixed
    /// rate x fixed fraction)` signed for the leg the trust pays, rounded
    /// once to the cent (halves away from zero). Nothing once the
    /// counterparty has defaulted.
    fn swap(&mut self, s: usize) {
        match self.memo.swaps[s] {
            Slot::Done(()) => return,
            Slot::Busy => {
                self.cycle(format!("the notional of swap {}", self.deal.swaps[s].name));
                return;
            }
            Slot::Empty => {}
        }
        self.memo.swaps[s] = Slot::Busy;
        let swap = &self.deal.swaps[s];
        let notional = self.amount(&swap.notional).pos();
        let rate = self.input.index + T::of(&swap.floating_spread);
        let net = if self.input.counterparty_default {
            T::ZERO
        } else {
            let (fnum, fden) = self.input.days.ratio(swap.floating_day_count);
            let (xnum, xden) = self.input.days.ratio(swap.fixed_day_count);
            let floating = rate * fnum / fden;
            let fixed = T::of(&swap.fixed_rate) * xnum / xden;
            let receive_floating = (notional * (floating - fixed)).round_cents();
            match swap.trust_pays {
                Leg::Fixed => receive_floating,
                Leg::Floating => -receive_floating,
            }
        };
        let f = &mut self.out.swaps[s];
        f.notional = notional;
        f.rate = rate;
        f.net = net;
        f.receipt = net.pos();
        f.payment = (-net).pos();
        f.carry_in = self.state.swap_carry[s];
        f.termination = self.state.termination_carry[s] + self.input.swap_termination;
        self.memo.swaps[s] = Slot::Done(());
    }

    /// A cap's payment this period: `notional x (min(index, ceiling) -
    /// strike, not below zero) x year fraction`, rounded once to the cent
    /// (halves away from zero). Nothing once the counterparty has defaulted.
    fn cap(&mut self, c: usize) {
        match self.memo.caps[c] {
            Slot::Done(()) => return,
            Slot::Busy => {
                self.cycle(format!("the notional of cap {}", self.deal.caps[c].name));
                return;
            }
            Slot::Empty => {}
        }
        self.memo.caps[c] = Slot::Busy;
        let cap = &self.deal.caps[c];
        let notional = self.amount(&cap.notional).pos();
        let payment = if self.input.counterparty_default {
            T::ZERO
        } else {
            let index = self.input.index;
            let top = match &cap.ceiling {
                Some(ceiling) => index.min_of(T::of(ceiling)),
                None => index,
            };
            let (num, den) = self.input.days.ratio(cap.day_count);
            (notional * (top - T::of(&cap.strike)).pos() * num / den).round_cents()
        };
        let f = &mut self.out.caps[c];
        f.notional = notional;
        f.payment = payment;
        self.memo.caps[c] = Slot::Done(());
    }

    /// Net WAC of the pool (`None`) or a group.
    fn net_wac(&self, g: Option<usize>) -> T {
        match g {
            Some(g) => self.input.groups[g].net_wac,
            None => self.pool.net_wac,
        }
    }

    /// A class's rate and interest for the period (worked out on the first
    /// call of the period; every later call is this check).
    #[inline]
    fn accrue(&mut self, k: usize) {
        if !matches!(self.memo.accrued[k], Slot::Done(())) {
            self.accrue_now(k);
        }
    }

    #[inline(never)]
    fn accrue_now(&mut self, k: usize) {
        match self.memo.accrued[k] {
            Slot::Done(()) => return,
            Slot::Busy => {
                self.cycle(format!(
                    "the interest of class {}",
                    self.deal.classes[k].name
                ));
                return;
            }
            Slot::Empty => {}
        }
        self.memo.accrued[k] = Slot::Busy;
        let (deal, input) = (self.deal, self.input);
        let class = &deal.classes[k];
        let uncapped = class
            .coupon
            .rate(input.date, self.call_passed, input.index, |g| {
                self.net_wac(g)
            });
        let rate = match class.coupon.capped_by {
            Some(q) => uncapped.min_of(self.named(q)).pos(),
            None => uncapped,
        };
        let beginning = match &class.notional {
            Some(Notional::Of(e)) => {
                let v = self.amount(e).pos();
                self.cur[k] = v;
                v
            }
            _ => self.begin[k],
        };
        let days = &input.days;
        let dc = class.day_count;
        let accrued = days.accrue(dc, beginning, rate);
        let carry = self.state.interest_carry[k];
        let on_carry = if class.interest_on_unpaid {
            days.accrue(dc, carry, rate)
        } else {
            T::ZERO
        };
        let basis_carry = self.state.basis_carry[k];
        let cap_shortfall = if uncapped > rate {
            days.accrue(dc, beginning, uncapped) - accrued
        } else {
            T::ZERO
        };
        let f = &mut self.out.classes[k];
        f.beginning = beginning;
        f.rate = rate;
        f.uncapped_rate = uncapped;
        f.accrued = accrued;
        f.carry_in = carry;
        f.interest_on_carry = on_carry;
        f.interest_due = accrued + carry + on_carry;
        f.basis_due = basis_carry + days.accrue(dc, basis_carry, uncapped) + cap_shortfall;
        self.memo.accrued[k] = Slot::Done(());
    }

    /// The OC as the period stands: the beginning OC rolled forward by what
    /// the pool and the classes have lost since (so it stays on the
    /// trustee's basis when the beginning figures are rounded prints).
    pub fn oc_now(&self) -> T {
        let d = &self.out.deal;
        (d.oc_beginning - (self.pool.principal - self.pool.recoveries) - self.pool.loss
            + (self.pool.certificates_beginning - self.outstanding_all()))
        .canon()
    }

    /// Balance now of every class with principal (the OC's holder aside).
    pub fn outstanding_all(&self) -> T {
        self.plan
            .principal_classes
            .iter()
            .fold(T::ZERO, |a, &k| a + self.cur[k])
            .canon()
    }

    /// A quantity's value now.
    #[inline(never)]
    fn value(&mut self, q: &Quantity) -> T {
        let sum =
            |v: &[T], classes: &[usize]| classes.iter().fold(T::ZERO, |a, &k| a + v[k]).canon();
        match q {
            Quantity::Pool { group, field } => self.pool_value(*group, *field),
            Quantity::Balance { classes, at } => match at {
                BalanceAt::Current => sum(self.cur, classes),
                BalanceAt::Beginning => sum(self.begin, classes),
                BalanceAt::Original => classes.iter().fold(T::ZERO, |a, &k| {
                    a + T::from_decimal(self.deal.classes[k].original_balance)
                }),
            },
            Quantity::Interest { classes, field } => {
                let mut total = T::ZERO;
                for &k in classes {
                    self.accrue(k);
                    let f = &self.out.classes[k];
                    total += match field {
                        InterestField::Accrued => f.accrued,
                        InterestField::Due => (f.interest_due - f.interest_paid - f.accreted).pos(),
                        InterestField::Paid => f.interest_paid,
                    };
                }
                total.canon()
            }
            Quantity::Account { account, field } => match field {
                AccountField::Balance => self.acc[*account],
                AccountField::Beginning => self.out.accounts[*account].beginning,
                AccountField::Target => self.account_target(*account),
            },
            Quantity::Fee { fee, field } => match field {
                FeeField::Rate => match &self.deal.fees[*fee].due {
                    FeeDue::Rate { rate, .. } => T::of(rate),
                    FeeDue::Amount(_) => T::ZERO,
                },
                FeeField::Due => {
                    self.fee(*fee);
                    let f = &self.out.fees[*fee];
                    (f.due() - f.paid).pos()
                }
                FeeField::Paid => self.out.fees[*fee].paid,
            },
            Quantity::Named(q) => self.named(*q),
            Quantity::Oc(field) => {
                let loss = self.pool.loss;
                let beginning = self.out.deal.oc_beginning;
                match field {
                    OcField::Beginning => beginning,
                    OcField::Target => self.oc_target(),
                    OcField::LastTarget => self.state.oc_target.unwrap_or(T::ZERO),
                    OcField::Floor => self.oc_floor(),
                    OcField::Current => self.oc_now(),
                    OcField::Deficiency => (self.oc_target() - (beginning - loss)).pos(),
                    OcField::Excess => ((beginning - loss) - self.oc_target()).pos(),
                }
            }
            Quantity::Index => self.input.index,
            Quantity::Period => T::from_i64(self.input.period as i64),
            Quantity::Days => T::from_i64(self.input.days_actual as i64),
            Quantity::Stepdown => truth(self.stepdown()),
            Quantity::Trigger(None) => truth(self.any_trigger()),
            Quantity::Trigger(Some(t)) => truth(self.trigger(*t)),
            Quantity::Schedule(s) => {
                let v = &self.plan.schedules[*s];
                let i = self.input.period.max(1) as usize - 1;
                v.get(i).copied().unwrap_or(T::ZERO)
            }
            Quantity::Swap { swap, field } => {
                self.swap(*swap);
                let f = &self.out.swaps[*swap];
                match field {
                    SwapField::Notional => f.notional,
                    SwapField::Rate => f.rate,
                    SwapField::Net => f.net,
                    SwapField::Payment => f.payment,
                    SwapField::Receipt => f.receipt,
                    SwapField::Termination => (f.termination - f.termination_paid).pos(),
                }
            }
            Quantity::Cap { cap, field } => {
                self.cap(*cap);
                let f = &self.out.caps[*cap];
                match field {
                    CapField::Notional => f.notional,
                    CapField::Payment => f.payment,
                }
            }
            Quantity::Step { step, field } => {
                let s = &self.out.steps[*step];
                match field {
                    StepField::Amount => s.amount,
                    StepField::Available => s.available,
                    StepField::Left => s.left,
                }
            }
        }
    }

    fn pool_value(&self, group: Option<usize>, field: PoolField) -> T {
        let one = |g: &super::period::GroupCash<T>| match field {
            PoolField::Beginning => g.beginning_balance,
            PoolField::Ending => g.ending_balance(),
            PoolField::Interest => g.interest,
            PoolField::Principal => g.principal_remittance(),
            PoolField::ScheduledPrincipal => g.scheduled_principal,
            PoolField::Prepayments => g.prepayments,
            PoolField::UnscheduledPrincipal => g.unscheduled_principal(),
            PoolField::LiquidationProceeds => g.liquidation_proceeds,
            PoolField::Repurchases => g.repurchases,
            PoolField::RealizedLoss => g.realized_loss,
            PoolField::NetWac => g.net_wac,
            _ => T::ZERO,
        };
        match group {
            Some(g) => match field {
                PoolField::Cutoff => self.plan.group_cutoff.get(g).copied().unwrap_or(T::ZERO),
                PoolField::Premiums | PoolField::Delinquent | PoolField::CumulativeLoss => T::ZERO,
                PoolField::NetWac => one(&self.input.groups[g]),
                _ => one(&self.input.groups[g]).canon(),
            },
            None => {
                let p = &self.pool;
                match field {
                    PoolField::Beginning => p.beginning,
                    PoolField::Ending => p.ending,
                    PoolField::Cutoff => self.plan.cutoff,
                    PoolField::Interest => p.interest,
                    PoolField::Principal => p.principal,
                    PoolField::ScheduledPrincipal => p.scheduled,
                    PoolField::Prepayments => p.prepayments,
                    PoolField::UnscheduledPrincipal => p.principal - p.scheduled,
                    PoolField::LiquidationProceeds => p.liquidation,
                    PoolField::Repurchases => p.repurchases,
                    PoolField::RealizedLoss => p.loss,
                    PoolField::Premiums => self.input.premiums,
                    PoolField::NetWac => p.net_wac,
                    PoolField::Delinquent => self.input.delinquent_60_plus,
                    PoolField::CumulativeLoss => self.out.deal.cumulative_loss,
                }
            }
        }
    }

    // --- What the steps use ----------------------------------------------------------

    /// An expression's value.
    pub fn eval(&mut self, e: &Expr) -> T {
        e.eval(self)
    }

    /// An expression's value as money: rounded to the cent, within ±10^15.
    pub fn amount(&mut self, e: &Expr) -> T {
        let v = e.eval(self);
        v.clamp_abs(self.plan.max_amount).round_cents()
    }

    /// `amount`, or less when a step has a limit (never below zero).
    pub fn limited(&mut self, amount: T, limit: &Option<Expr>) -> T {
        match limit {
            Some(e) => amount.min_of(self.amount(e).pos()),
            None => amount,
        }
    }

    pub fn account(&self, a: usize) -> T {
        self.acc[a]
    }

    /// Take `amount` out of account `a` (paid by a step).
    pub fn withdraw(&mut self, a: usize, amount: T) {
        self.acc[a] = (self.acc[a] - amount).canon();
        self.out.accounts[a].withdrawals += amount;
    }

    /// Put `amount` into account `a` (moved there by a step).
    pub fn deposit(&mut self, a: usize, amount: T) {
        self.acc[a] = (self.acc[a] + amount).canon();
        self.out.accounts[a].deposits += amount;
    }

    /// Move `amount` from one account to another.
    pub fn transfer(&mut self, from: usize, to: usize, amount: T) {
        self.withdraw(from, amount);
        self.deposit(to, amount);
    }

    /// A class's balance now.
    pub fn balance(&self, k: usize) -> T {
        self.cur[k]
    }

    /// What is due to class `k` now.
    pub fn due(&self, k: usize, what: Due) -> T {
        let f = &self.out.classes[k];
        match what {
            Due::Interest => f.interest_due - f.interest_paid - f.accreted,
            Due::Basis => f.basis_due - f.basis_paid,
            Due::Writedown => self.state.unpaid_writedowns[k] + f.writedown - f.reimbursed,
        }
    }

    pub fn add_paid(&mut self, k: usize, what: Due, amount: T) {
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

    /// Add `amount` of accrued interest to class `k`'s balance.
    pub fn accrete(&mut self, k: usize, amount: T) {
        self.out.classes[k].accreted += amount;
        self.cur[k] = (self.cur[k] + amount).canon();
    }

    /// Write `amount` off class `k`.
    pub fn write_off(&mut self, k: usize, amount: T) {
        self.cur[k] = (self.cur[k] - amount).canon();
        self.out.classes[k].writedown += amount;
        self.out.deal.writedowns += amount;
    }

    /// A buffer of `n` zeros for shares at a nesting depth.
    pub fn buf(&mut self, n: usize) -> Vec<T> {
        let mut b = self.bufs.pop().unwrap_or_default();
        b.clear();
        b.resize(n, T::ZERO);
        b
    }

    pub fn give_back(&mut self, b: Vec<T>) {
        self.bufs.push(b);
    }

    /// Pay classes what is due to them from account `from`, in order or pro
    /// rata by amount due, up to `limit` in all. Returns what was paid.
    pub fn pay_due(
        &mut self,
        step: usize,
        classes: &[usize],
        rule: &Rule,
        from: usize,
        what: Due,
        limit: &Option<Expr>,
    ) -> T {
        let before = self.acc[from];
        // Nothing due (the commonest case once classes retire): nothing to
        // share out, no buffers to take. The classes before the first one
        // owed anything are owed nothing.
        let first = classes
            .iter()
            .position(|&k| self.due(k, what).is_positive());
        if !L::ON && first.is_none() {
            return T::ZERO;
        }
        let n = classes.len();
        let mut dues = self.buf(n);
        let mut paid = self.buf(n);
        let mut total = T::ZERO;
        for j in first.unwrap_or(n)..n {
            dues[j] = self.due(classes[j], what).pos();
            total += dues[j];
        }
        let available = self.limited(before, limit);
        if available >= total {
            paid.copy_from_slice(&dues);
        } else if *rule == Rule::ProRata {
            split(available, &dues, &mut paid);
            for j in 0..n {
                paid[j] = paid[j].min_of(dues[j]);
            }
        } else {
            let mut left = available;
            for j in 0..n {
                paid[j] = dues[j].min_of(left);
                left -= paid[j];
            }
        }
        let mut spent = T::ZERO;
        for (j, &k) in classes.iter().enumerate() {
            self.add_paid(k, what, paid[j]);
            spent += paid[j];
        }
        self.withdraw(from, spent);
        if L::ON {
            let pay = classes
                .iter()
                .enumerate()
                .map(|(j, &k)| Payment {
                    to: self.deal.classes[k].name.clone(),
                    what: what.what(),
                    due: Some(dues[j]),
                    paid: paid[j],
                })
                .collect();
            self.record(step, Some(from), before, pay, String::new());
        }
        self.give_back(dues);
        self.give_back(paid);
        spent
    }

    pub fn outstanding(&self, target: Target) -> T {
        match target {
            Target::Class(k) => self.cur[k],
            Target::Allocation(a) => self.deal.allocations[a]
                .members
                .iter()
                .fold(T::ZERO, |s, &m| s + self.outstanding(m)),
        }
    }

    /// Pay up to `amount` of principal to a class or an allocation; returns what was paid.
    pub fn pay_principal(
        &mut self,
        target: Target,
        amount: T,
        payments: &mut Vec<Payment<T>>,
    ) -> T {
        if !amount.is_positive() {
            return T::ZERO;
        }
        match target {
            Target::Class(k) => {
                let p = amount.min_of(self.cur[k]);
                if p.is_positive() {
                    self.cur[k] = (self.cur[k] - p).canon();
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
                p.pos()
            }
            Target::Allocation(a) => {
                let deal = self.deal;
                let alloc = &deal.allocations[a];
                let n = alloc.members.len();
                let mut left = amount;
                match &alloc.rule {
                    Rule::Sequential => {
                        for &m in &alloc.members {
                            if !left.is_positive() {
                                break;
                            }
                            left -= self.pay_principal(m, left, payments);
                        }
                    }
                    rule => {
                        // Pro rata by outstanding balance, or in fixed weights;
                        // what a member cannot take goes round again to the others.
                        let mut weights = self.buf(n);
                        let mut shares = self.buf(n);
                        for _ in 0..n {
                            for (j, &m) in alloc.members.iter().enumerate() {
                                let out = self.outstanding(m);
                                weights[j] = match rule {
                                    Rule::Fixed(w) if out.is_positive() => T::of(&w[j]),
                                    Rule::Fixed(_) => T::ZERO,
                                    _ => out,
                                };
                            }
                            split(left, &weights, &mut shares);
                            let mut paid = T::ZERO;
                            for (j, &m) in alloc.members.iter().enumerate() {
                                paid += self.pay_principal(m, shares[j], payments);
                            }
                            left -= paid;
                            if !left.is_positive() || !paid.is_positive() {
                                break;
                            }
                        }
                        self.give_back(weights);
                        self.give_back(shares);
                    }
                }
                amount - left
            }
        }
    }

    /// Record a step in the ledger (only called when the ledger is on).
    pub fn record(
        &mut self,
        step: usize,
        account: Option<usize>,
        before: T,
        payments: Vec<Payment<T>>,
        note: String,
    ) {
        let after = account.map(|a| self.acc[a]).unwrap_or(T::ZERO);
        self.ledger.record(Entry {
            step,
            account,
            before,
            after,
            payments,
            note,
        });
    }

    // --- The end of the period ------------------------------------------------------

    /// Ending balances, the state for the next period, and the checks.
    fn finish(&mut self) -> Result<()> {
        let (deal, input) = (self.deal, self.input);
        let holder = deal.oc.as_ref().and_then(|o| o.holder);
        let next = deal.period_number(input.next_date) - 1;
        let mut certificates = T::ZERO;
        for k in 0..deal.classes.len() {
            let class = &deal.classes[k];
            let ending = match &class.notional {
                Some(Notional::Schedule(s)) => {
                    match self.plan.notionals[k].get(next.max(0) as usize) {
                        Some(&v) if next >= 0 => v,
                        _ => T::from_decimal(s.at(input.next_date, class.original_balance)),
                    }
                }
                Some(Notional::Of(e)) => self.amount(e).pos(),
                None => self.cur[k],
            };
            let f = &mut self.out.classes[k];
            f.ending = ending;
            if ending < T::ZERO {
                return Err(Error::Internal(format!(
                    "class {} ends {} with a negative balance",
                    class.name, input.date
                )));
            }
            if class.has_principal() && Some(k) != holder {
                certificates += ending;
            }
        }
        let oc_ending = self.oc_now();
        let d = &mut self.out.deal;
        d.certificates_ending = certificates;
        d.oc_ending = if deal.oc.is_some() {
            oc_ending
        } else {
            d.pool_ending - certificates
        };
        if let Some(h) = holder {
            self.out.classes[h].beginning = self.out.deal.oc_beginning;
            self.out.classes[h].ending = self.out.deal.oc_ending;
        }

        // No cash may be left in an account that does not carry a balance.
        for (a, acct) in deal.accounts.iter().enumerate() {
            let left = self.acc[a];
            self.out.accounts[a].ending = left;
            if !acct.carried() && left != T::ZERO {
                return Err(Error::file(
                    &deal.path,
                    format!(
                        "the waterfall leaves {} in the {} account after its last step on {}: add a step that pays or transfers it",
                        money(left),
                        acct.name,
                        input.date
                    ),
                ));
            }
        }

        // Every cent in is paid out or kept in a carried account.
        let fees = self.out.fees.iter().fold(T::ZERO, |a, f| a + f.paid);
        let distributed = self
            .out
            .classes
            .iter()
            .fold(T::ZERO, |a, c| a + c.total_distribution());
        let kept = self
            .out
            .accounts
            .iter()
            .fold(T::ZERO, |a, f| a + f.ending - f.beginning);
        self.out.deal.fees = fees;
        self.out.deal.distributed = distributed;
        let available = self.out.deal.available;
        // A counterparty's payments came in from outside; the trust's to it went out.
        let received = self.out.deal.derivative_receipts;
        let paid_out = self.out.deal.derivative_payments;
        let gap = available + received - fees - distributed - paid_out - kept;
        let tolerance = T::from_f64(1e-6) * (available + received).max_of(T::ONE);
        if gap > tolerance || -gap > tolerance {
            let derivatives = if deal.swaps.is_empty() && deal.caps.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} from derivative counterparties, {} paid to them",
                    money(received),
                    money(paid_out)
                )
            };
            return Err(Error::Internal(format!(
                "cash not conserved on {}: {} came in, {} paid in fees, {} to the classes, {} kept in accounts{derivatives}",
                input.date,
                money(available),
                money(fees),
                money(distributed),
                money(kept)
            )));
        }

        let state = &mut *self.state;
        for (k, f) in self.out.classes.iter().enumerate() {
            state.balances[k] = if Some(k) == holder { T::ZERO } else { f.ending };
            state.interest_carry[k] = f.interest_shortfall().pos();
            state.basis_carry[k] = (f.basis_due - f.basis_paid).pos();
            state.unpaid_writedowns[k] =
                (state.unpaid_writedowns[k] + f.writedown - f.reimbursed).pos();
        }
        for (i, f) in self.out.fees.iter().enumerate() {
            state.fee_carry[i] = if deal.fees[i].carry_unpaid {
                f.shortfall().pos()
            } else {
                T::ZERO
            };
        }
        for (a, f) in self.out.accounts.iter().enumerate() {
            state.accounts[a] = f.ending;
        }
        for (s, f) in self.out.swaps.iter().enumerate() {
            state.swap_carry[s] = f.due().pos();
            state.termination_carry[s] = (f.termination - f.termination_paid).pos();
        }
        state.cumulative_loss = self.out.deal.cumulative_loss;
        state.oc = self.out.deal.oc_ending;
        if deal.oc.is_some() {
            state.oc_target = Some(self.out.deal.oc_target);
        }
        state.date = input.date;
        if self.report_figures {
            for (i, (_, e)) in deal.report.figures.iter().enumerate() {
                self.out.report[i] = e.eval(self);
            }
        }
        Ok(())
    }
}

fn truth<T: Num>(b: bool) -> T {
    if b { T::ONE } else { T::ZERO }
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
