//! What goes into a distribution period and what comes out of it.

use chrono::NaiveDate;

use crate::calendar::DayCount;
use crate::num::Num;

/// One loan group's collateral cash for the period, as the servicer remits it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupCash<T> {
    pub beginning_balance: T,
    /// Interest remitted, net of the servicing fee (and of any Relief Act or
    /// prepayment interest shortfall).
    pub interest: T,
    pub scheduled_principal: T,
    /// Prepayments in full and curtailments.
    pub prepayments: T,
    pub liquidation_proceeds: T,
    /// Purchase price of loans repurchased (or of the pool, at a clean-up call).
    pub repurchases: T,
    /// Principal cash recovered on loans charged off earlier: cash that does
    /// not reduce the balance.
    pub recoveries: T,
    /// Principal lost: reduces the balance, brings no cash.
    pub realized_loss: T,
    /// Weighted average net coupon at the start of the period, a fraction.
    pub net_wac: T,
}

impl<T: Num> GroupCash<T> {
    pub fn zero() -> Self {
        GroupCash {
            beginning_balance: T::ZERO,
            interest: T::ZERO,
            scheduled_principal: T::ZERO,
            prepayments: T::ZERO,
            liquidation_proceeds: T::ZERO,
            repurchases: T::ZERO,
            recoveries: T::ZERO,
            realized_loss: T::ZERO,
            net_wac: T::ZERO,
        }
    }

    /// Prepayments, liquidation proceeds, repurchases and recoveries.
    pub fn unscheduled_principal(&self) -> T {
        self.prepayments + self.liquidation_proceeds + self.repurchases + self.recoveries
    }

    /// All principal cash.
    pub fn principal_remittance(&self) -> T {
        self.scheduled_principal + self.unscheduled_principal()
    }

    /// The balance at the end: less the principal paid on loans and the
    /// principal lost (recoveries on loans already charged off reduce nothing).
    pub fn ending_balance(&self) -> T {
        self.beginning_balance
            - (self.principal_remittance() - self.recoveries)
            - self.realized_loss
    }
}

/// The year fraction of an accrual period under each day count, as exact
/// ratios (`amount x numerator / denominator`, rounded once).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayFractions<T> {
    num: [T; 5],
    den: [T; 5],
}

fn slot(d: DayCount) -> usize {
    match d {
        DayCount::Act360 => 0,
        DayCount::Thirty360 => 1,
        DayCount::Act365F => 2,
        DayCount::ActAct => 3,
        DayCount::Monthly => 4,
    }
}

impl<T: Num> DayFractions<T> {
    /// For the accrual period from `start` to `end` (adjusted dates; the
    /// 30/360 count runs between the scheduled dates).
    pub fn new(
        start: NaiveDate,
        end: NaiveDate,
        scheduled_start: NaiveDate,
        scheduled_end: NaiveDate,
    ) -> Self {
        Self::from_ratios(&Self::ratios(start, end, scheduled_start, scheduled_end))
    }

    /// The ratios of each day count for the period, as whole numbers.
    pub fn ratios(
        start: NaiveDate,
        end: NaiveDate,
        scheduled_start: NaiveDate,
        scheduled_end: NaiveDate,
    ) -> [(i64, i64); 5] {
        let mut r = [(0, 1); 5];
        for d in DayCount::ALL {
            let (n, m) = d.fraction(start, end, scheduled_start, scheduled_end);
            r[slot(d)] = (n.max(0), m);
        }
        r
    }

    /// From the ratios [`Self::ratios`] gives.
    pub fn from_ratios(r: &[(i64, i64); 5]) -> Self {
        let mut num = [T::ZERO; 5];
        let mut den = [T::ONE; 5];
        for i in 0..5 {
            num[i] = T::from_i64(r[i].0);
            den[i] = T::from_i64(r[i].1);
        }
        DayFractions { num, den }
    }

    /// `amount` accrued over the period at `rate` (a fraction a year),
    /// rounded to the cent.
    #[inline]
    pub fn accrue(&self, d: DayCount, amount: T, rate: T) -> T {
        if amount == T::ZERO || rate == T::ZERO {
            return T::ZERO;
        }
        let i = slot(d);
        (amount * rate * self.num[i] / self.den[i]).round_cents()
    }

    /// The day count's days (the numerator over 360 or 365; 30 for a month).
    pub fn days(&self, d: DayCount) -> T {
        let i = slot(d);
        match d {
            DayCount::Monthly => T::from_i64(30),
            DayCount::ActAct => self.num[i] / T::from_i64(366),
            _ => self.num[i],
        }
    }

    /// The year fraction as its ratio (numerator, denominator).
    pub fn ratio(&self, d: DayCount) -> (T, T) {
        let i = slot(d);
        (self.num[i], self.den[i])
    }

    /// The fraction of a year.
    pub fn fraction(&self, d: DayCount) -> T {
        let i = slot(d);
        self.num[i] / self.den[i]
    }
}

/// Everything the engine needs to run one distribution date.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodInput<T> {
    pub date: NaiveDate,
    /// Number of this distribution (the first is 1).
    pub period: u32,
    /// The first day of the accrual period (the last distribution date, or
    /// the closing date for the first).
    pub accrual_start: NaiveDate,
    /// Actual days in the accrual period.
    pub days_actual: u32,
    pub days: DayFractions<T>,
    /// The index for the accrual period, a fraction.
    pub index: T,
    /// The next distribution date (where notional schedules stand after this one).
    pub next_date: NaiveDate,
    pub groups: Vec<GroupCash<T>>,
    /// Prepayment premiums collected.
    pub premiums: T,
    /// Balance 60+ days delinquent, in foreclosure, bankrupt or REO at the end
    /// of the period (what a delinquency trigger sees).
    pub delinquent_60_plus: T,
    /// Investment earnings credited to each account this period.
    pub earnings: Vec<T>,
    /// The derivatives' counterparty has defaulted (this period or before):
    /// no swap or cap pays or receives anything.
    pub counterparty_default: bool,
    /// A swap termination payment the trust comes to owe this period, under
    /// each swap (the scenario's, in the month the counterparty defaults).
    pub swap_termination: T,
}

/// One class's figures for the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassFlows<T> {
    /// Principal balance, or notional for an interest-only class; the OC for
    /// the OC's holder.
    pub beginning: T,
    /// The coupon paid this period (after any cap), a fraction a year.
    pub rate: T,
    /// The coupon before a `capped_by` rate.
    pub uncapped_rate: T,
    /// Interest accrued this period at `rate`.
    pub accrued: T,
    /// Unpaid interest carried in, and the interest on it.
    pub carry_in: T,
    pub interest_on_carry: T,
    /// Accrued + carried in + interest on it.
    pub interest_due: T,
    pub interest_paid: T,
    /// Interest added to the balance instead of paid (an accrual class).
    pub accreted: T,
    pub principal: T,
    /// Principal written down (realized loss allocated).
    pub writedown: T,
    /// Net WAC rate carryover (basis risk) due and paid.
    pub basis_due: T,
    pub basis_paid: T,
    /// Earlier writedowns reimbursed.
    pub reimbursed: T,
    /// The remainder of an account paid to the class (premiums, excess).
    pub other: T,
    pub ending: T,
}

impl<T: Num> ClassFlows<T> {
    pub fn zero() -> Self {
        let z = T::ZERO;
        ClassFlows {
            beginning: z,
            rate: z,
            uncapped_rate: z,
            accrued: z,
            carry_in: z,
            interest_on_carry: z,
            interest_due: z,
            interest_paid: z,
            accreted: z,
            principal: z,
            writedown: z,
            basis_due: z,
            basis_paid: z,
            reimbursed: z,
            other: z,
            ending: z,
        }
    }

    /// Everything paid that a report shows in the interest column.
    pub fn interest_distribution(&self) -> T {
        self.interest_paid + self.basis_paid + self.reimbursed + self.other
    }

    pub fn total_distribution(&self) -> T {
        self.interest_distribution() + self.principal
    }

    /// Interest due but neither paid nor accreted, carried to the next period.
    pub fn interest_shortfall(&self) -> T {
        self.interest_due - self.interest_paid - self.accreted
    }
}

/// One fee's figures for the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeeFlows<T> {
    /// This period's fee.
    pub accrued: T,
    /// Unpaid from earlier periods.
    pub carry_in: T,
    pub paid: T,
}

impl<T: Num> FeeFlows<T> {
    pub fn zero() -> Self {
        FeeFlows {
            accrued: T::ZERO,
            carry_in: T::ZERO,
            paid: T::ZERO,
        }
    }

    pub fn due(&self) -> T {
        self.accrued + self.carry_in
    }

    pub fn shortfall(&self) -> T {
        self.due() - self.paid
    }
}

/// One account's figures for the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccountFlows<T> {
    pub beginning: T,
    /// Collateral cash deposited at the start of the period.
    pub collections: T,
    pub earnings: T,
    /// Moved in and out by the waterfall's steps.
    pub deposits: T,
    pub withdrawals: T,
    /// Paid in by a derivative's counterparty (a net swap receipt, a cap
    /// payment) at the start of the period.
    pub from_counterparty: T,
    /// A reserve's target for the period.
    pub target: T,
    /// Drawn to cover shortfalls, funded towards the target, released above it.
    pub drawn: T,
    pub funded: T,
    pub released: T,
    pub ending: T,
}

impl<T: Num> AccountFlows<T> {
    pub fn zero() -> Self {
        let z = T::ZERO;
        AccountFlows {
            beginning: z,
            collections: z,
            earnings: z,
            deposits: z,
            withdrawals: z,
            from_counterparty: z,
            target: z,
            drawn: z,
            funded: z,
            released: z,
            ending: z,
        }
    }
}

/// What one step of the waterfall did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepFlows<T> {
    /// Its source account's balance before it ran.
    pub available: T,
    /// What it paid or moved.
    pub amount: T,
    /// Its source account's balance after.
    pub left: T,
    pub ran: bool,
}

impl<T: Num> StepFlows<T> {
    pub fn zero() -> Self {
        StepFlows {
            available: T::ZERO,
            amount: T::ZERO,
            left: T::ZERO,
            ran: false,
        }
    }
}

/// Deal-level figures for the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DealFlows<T> {
    pub pool_beginning: T,
    pub pool_ending: T,
    pub interest_remittance: T,
    pub principal_remittance: T,
    pub scheduled_principal: T,
    pub unscheduled_principal: T,
    pub realized_loss: T,
    pub premiums: T,
    /// Collateral cash and earnings that came in.
    pub available: T,
    pub fees: T,
    pub oc_beginning: T,
    pub oc_target: T,
    pub oc_deficiency: T,
    /// OC above target before this period's principal.
    pub excess_oc: T,
    pub oc_ending: T,
    pub delinquency_rate: T,
    pub rolling_delinquency_rate: T,
    pub cumulative_loss: T,
    pub stepdown: bool,
    pub trigger: bool,
    pub writedowns: T,
    pub basis_risk_paid: T,
    /// Balance of the classes with principal (the OC's holder aside) at the end.
    pub certificates_ending: T,
    /// Paid to the classes in all.
    pub distributed: T,
    /// Paid in by derivatives' counterparties (net swap receipts, cap
    /// payments), and paid to them (net swap and termination payments).
    pub derivative_receipts: T,
    pub derivative_payments: T,
}

impl<T: Num> DealFlows<T> {
    pub fn zero() -> Self {
        let z = T::ZERO;
        DealFlows {
            pool_beginning: z,
            pool_ending: z,
            interest_remittance: z,
            principal_remittance: z,
            scheduled_principal: z,
            unscheduled_principal: z,
            realized_loss: z,
            premiums: z,
            available: z,
            fees: z,
            oc_beginning: z,
            oc_target: z,
            oc_deficiency: z,
            excess_oc: z,
            oc_ending: z,
            delinquency_rate: z,
            rolling_delinquency_rate: z,
            cumulative_loss: z,
            stepdown: false,
            trigger: false,
            writedowns: z,
            basis_risk_paid: z,
            certificates_ending: z,
            distributed: z,
            derivative_receipts: z,
            derivative_payments: z,
        }
    }
}

/// One swap's figures for the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwapFlows<T> {
    pub notional: T,
    /// The floating rate: the index plus the swap's spread.
    pub rate: T,
    /// This period's net amount, from the trust's side: above zero the
    /// counterparty pays it, below zero the trust does.
    pub net: T,
    /// The trust's net payment this period, and what it paid of it and of
    /// what was unpaid from before.
    pub payment: T,
    pub carry_in: T,
    pub paid: T,
    /// What the counterparty paid the trust.
    pub receipt: T,
    /// A termination payment the trust owes (this period's and unpaid from
    /// before), and what it paid of it.
    pub termination: T,
    pub termination_paid: T,
}

impl<T: Num> SwapFlows<T> {
    pub fn zero() -> Self {
        let z = T::ZERO;
        SwapFlows {
            notional: z,
            rate: z,
            net: z,
            payment: z,
            carry_in: z,
            paid: z,
            receipt: z,
            termination: z,
            termination_paid: z,
        }
    }

    /// The net swap payment due now: this period's and what was unpaid.
    pub fn due(&self) -> T {
        self.payment + self.carry_in - self.paid
    }
}

/// One cap's figures for the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapFlows<T> {
    pub notional: T,
    /// What it paid the trust.
    pub payment: T,
}

impl<T: Num> CapFlows<T> {
    pub fn zero() -> Self {
        CapFlows {
            notional: T::ZERO,
            payment: T::ZERO,
        }
    }
}

/// The outcome of one period. Reused from period to period by the caller, so a
/// projection allocates it once.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodResult<T> {
    pub date: NaiveDate,
    pub period: u32,
    pub classes: Vec<ClassFlows<T>>,
    pub fees: Vec<FeeFlows<T>>,
    pub accounts: Vec<AccountFlows<T>>,
    /// Each `[[quantity]]` as determined this period.
    pub quantities: Vec<T>,
    /// Whether each trigger was breached.
    pub triggers: Vec<bool>,
    pub steps: Vec<StepFlows<T>>,
    pub swaps: Vec<SwapFlows<T>>,
    pub caps: Vec<CapFlows<T>>,
    pub deal: DealFlows<T>,
    /// The deal's report figures (`[report.figures]`), at the end of the
    /// period, when the engine was asked for them.
    pub report: Vec<T>,
}

impl<T: Num> PeriodResult<T> {
    pub fn new(deal: &crate::deal::Deal) -> Self {
        PeriodResult {
            date: NaiveDate::MIN,
            period: 0,
            classes: vec![ClassFlows::zero(); deal.classes.len()],
            fees: vec![FeeFlows::zero(); deal.fees.len()],
            accounts: vec![AccountFlows::zero(); deal.accounts.len()],
            quantities: vec![T::ZERO; deal.quantities.len()],
            triggers: vec![false; deal.triggers.len()],
            steps: vec![StepFlows::zero(); deal.steps.len()],
            swaps: vec![SwapFlows::zero(); deal.swaps.len()],
            caps: vec![CapFlows::zero(); deal.caps.len()],
            deal: DealFlows::zero(),
            report: vec![T::ZERO; deal.report.figures.len()],
        }
    }
}
