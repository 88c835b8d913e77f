//! What goes into a distribution period and what comes out of it.

use chrono::NaiveDate;

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
            realized_loss: T::ZERO,
            net_wac: T::ZERO,
        }
    }

    pub fn principal_remittance(&self) -> T {
        self.scheduled_principal + self.prepayments + self.liquidation_proceeds + self.repurchases
    }

    pub fn ending_balance(&self) -> T {
        self.beginning_balance - self.principal_remittance() - self.realized_loss
    }
}

/// Everything the engine needs to run one distribution date.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodInput<T> {
    pub date: NaiveDate,
    /// Number of this distribution (the first is 1).
    pub period: u32,
    /// Actual days in the accrual period (for act/360 classes).
    pub days_actual: u32,
    /// 30/360 days in the accrual period.
    pub days_30: u32,
    /// The index (one-month LIBOR) for the accrual period, a fraction.
    pub index: T,
    /// The next distribution date (where IO notionals stand after this one).
    pub next_date: NaiveDate,
    pub groups: Vec<GroupCash<T>>,
    /// Prepayment premiums collected.
    pub premiums: T,
    /// Balance 60+ days delinquent, in foreclosure, bankrupt or REO at the end
    /// of the period (what the delinquency trigger sees).
    pub delinquent_60_plus: T,
}

/// One class's figures for the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassFlows<T> {
    /// Principal balance, or notional for an interest-only class; the OC for X.
    pub beginning: T,
    /// The coupon paid this period (after any cap), a fraction a year.
    pub rate: T,
    /// The coupon before the cap.
    pub uncapped_rate: T,
    /// Interest accrued this period at `rate`.
    pub accrued: T,
    /// Accrued plus unpaid interest carried in, with interest on it.
    pub interest_due: T,
    pub interest_paid: T,
    pub principal: T,
    /// Principal written down (realized loss allocated).
    pub writedown: T,
    /// Net WAC rate carryover due (prior carryover, interest on it, this
    /// period's cap shortfall) and paid.
    pub basis_due: T,
    pub basis_paid: T,
    /// Earlier writedowns reimbursed.
    pub reimbursed: T,
    /// Premiums or the residual amount paid to the class.
    pub other: T,
    pub ending: T,
}

impl<T: Num> ClassFlows<T> {
    pub fn zero() -> Self {
        ClassFlows {
            beginning: T::ZERO,
            rate: T::ZERO,
            uncapped_rate: T::ZERO,
            accrued: T::ZERO,
            interest_due: T::ZERO,
            interest_paid: T::ZERO,
            principal: T::ZERO,
            writedown: T::ZERO,
            basis_due: T::ZERO,
            basis_paid: T::ZERO,
            reimbursed: T::ZERO,
            other: T::ZERO,
            ending: T::ZERO,
        }
    }

    /// Everything paid that a report shows in the interest column.
    pub fn interest_distribution(&self) -> T {
        self.interest_paid + self.basis_paid + self.reimbursed + self.other
    }

    pub fn total_distribution(&self) -> T {
        self.interest_distribution() + self.principal
    }

    /// Interest due but not paid, carried to the next period.
    pub fn interest_shortfall(&self) -> T {
        self.interest_due - self.interest_paid
    }
}

/// Deal-level figures for the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DealFlows<T> {
    pub pool_beginning: T,
    pub pool_ending: T,
    pub interest_remittance: T,
    pub principal_remittance: T,
    pub realized_loss: T,
    pub premiums: T,
    /// Interest remittance + principal remittance + premiums.
    pub available: T,
    pub fees: T,
    pub oc_beginning: T,
    pub oc_target: T,
    pub oc_deficiency: T,
    /// OC above target before this period's principal (the "Excess O/C Amt").
    pub excess_oc: T,
    pub oc_release: T,
    pub extra_principal: T,
    pub oc_ending: T,
    /// What interest left over, plus any OC release, before the extra principal.
    pub excess_before_extra_principal: T,
    /// What was left after the extra principal.
    pub excess_after_extra_principal: T,
    /// (pool - senior certificates) / pool, at the end of the period.
    pub credit_enhancement: T,
    /// The same before this period's principal went to the certificates (the
    /// step-down test).
    pub senior_enhancement_before: T,
    pub delinquency_rate: T,
    pub rolling_delinquency_rate: T,
    pub cumulative_loss: T,
    pub stepdown: bool,
    pub trigger: bool,
    pub writedowns: T,
    pub basis_risk_paid: T,
    pub certificates_ending: T,
}

impl<T: Num> DealFlows<T> {
    pub fn zero() -> Self {
        let z = T::ZERO;
        DealFlows {
            pool_beginning: z,
            pool_ending: z,
            interest_remittance: z,
            principal_remittance: z,
            realized_loss: z,
            premiums: z,
            available: z,
            fees: z,
            oc_beginning: z,
            oc_target: z,
            oc_deficiency: z,
            excess_oc: z,
            oc_release: z,
            extra_principal: z,
            oc_ending: z,
            excess_before_extra_principal: z,
            excess_after_extra_principal: z,
            credit_enhancement: z,
            senior_enhancement_before: z,
            delinquency_rate: z,
            rolling_delinquency_rate: z,
            cumulative_loss: z,
            stepdown: false,
            trigger: false,
            writedowns: z,
            basis_risk_paid: z,
            certificates_ending: z,
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
    /// Paid to each fee of the deal.
    pub fees: Vec<T>,
    /// Value of each rate the deal defines, a fraction a year.
    pub rates: Vec<T>,
    /// Whether each trigger was breached.
    pub triggers: Vec<bool>,
    pub deal: DealFlows<T>,
}

impl<T: Num> PeriodResult<T> {
    pub fn new(classes: usize, fees: usize, rates: usize, triggers: usize) -> Self {
        PeriodResult {
            date: NaiveDate::MIN,
            period: 0,
            classes: vec![ClassFlows::zero(); classes],
            fees: vec![T::ZERO; fees],
            rates: vec![T::ZERO; rates],
            triggers: vec![false; triggers],
            deal: DealFlows::zero(),
        }
    }
}
