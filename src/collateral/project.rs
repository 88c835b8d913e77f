//! One line's month-by-month projection with prepayments, defaults, a
//! foreclosure pipeline and liquidations (SIFMA standard formulas, see
//! `docs/collateral-math.md`).
//!
//! Notation for month i: `PERF` performing balance, `FCL` defaulted balance in
//! foreclosure, `q_i` the fraction of a performing balance that survives the
//! month's scheduled principal, `L` the liquidation lag, `s` the severity.
//!
//! Every amount is rounded to the cent as soon as it is computed and balances
//! are updated by subtracting rounded amounts, so in `Decimal`
//! `pool_balance(i−1) − principal_remittance(i) − principal_loss(i) ==
//! pool_balance(i)` exactly.

use super::line::LoanLine;
use super::plan::{Assumptions, RatePlan};
use crate::num::Num;

/// One line's cash flows in one month. Interest columns other than
/// `net_interest` are at the gross coupon, as the SIFMA tables show them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineFlows<T> {
    /// Performing balance at the end of the month.
    pub performing_balance: T,
    /// `NEWDEF(i) = PERF(i−1) × MDR(i)`.
    pub new_defaults: T,
    /// Defaulted balance not yet liquidated, end of month.
    pub in_foreclosure: T,
    /// `(PERF(i−1) + FCL(i−1) − ADB(i)) × (1 − q_i)`, taken as the actual
    /// amortization plus the (rounded) scheduled principal on loans in
    /// foreclosure, so with advancing it is exactly actual + from defaults.
    pub expected_amortization: T,
    /// `PERF(i−1) × q_i × SMM(i)`, capped by what is left of the performing balance.
    pub voluntary_prepayments: T,
    /// Scheduled principal advanced on defaulted loans (zero without advancing).
    pub amort_from_defaults: T,
    /// `(PERF(i−1) − NEWDEF(i)) × (1 − q_i)`.
    pub actual_amortization: T,
    /// `(PERF(i−1) + FCL(i−1)) × gross/12`.
    pub expected_interest: T,
    /// `(NEWDEF(i) + FCL(i−1)) × gross/12`.
    pub interest_lost: T,
    /// Expected less lost interest.
    pub actual_interest: T,
    /// `(PERF(i−1) − NEWDEF(i)) × net/12`.
    pub net_interest: T,
    /// Liquidation proceeds: `ADB(i) − loss`.
    pub principal_recovery: T,
    /// `min(NEWDEF(i−L) × s, ADB(i))`.
    pub principal_loss: T,
    /// ADB: the defaulted balance liquidated this month.
    pub amortized_default_balance: T,
    /// Voluntary prepayments + actual amortization + amortization from
    /// defaults + principal recovery.
    pub principal_remittance: T,
    /// Performing plus in-foreclosure balance at the end of the month.
    pub pool_balance: T,
}

impl<T: Num> LineFlows<T> {
    /// All amounts zero: a line that has paid off.
    pub const ZERO: Self = LineFlows {
        performing_balance: T::ZERO,
        new_defaults: T::ZERO,
        in_foreclosure: T::ZERO,
        expected_amortization: T::ZERO,
        voluntary_prepayments: T::ZERO,
        amort_from_defaults: T::ZERO,
        actual_amortization: T::ZERO,
        expected_interest: T::ZERO,
        interest_lost: T::ZERO,
        actual_interest: T::ZERO,
        net_interest: T::ZERO,
        principal_recovery: T::ZERO,
        principal_loss: T::ZERO,
        amortized_default_balance: T::ZERO,
        principal_remittance: T::ZERO,
        pool_balance: T::ZERO,
    };
}

/// One default cohort waiting for liquidation: its balance when it defaulted
/// and the line's schedule factor just before that month's amortization.
#[derive(Debug, Clone, Copy)]
struct Cohort<T> {
    defaulted: T,
    factor: T,
}

/// The coupon reset state of an ARM line.
#[derive(Debug, Clone, Copy)]
struct ArmState<T> {
    margin: T,
    periodic_cap: T,
    life_cap: T,
    life_floor: T,
    next_reset: u32,
    period: u32,
}

/// A line being projected, one month per [`LineState::step`].
///
/// Holds the balances, the amortization state `x = (1 + r)^−M` (updated by one
/// multiplication a month, recomputed only at an ARM reset) and the
/// foreclosure pipeline as a ring of `L + 1` cohorts allocated once; a step
/// allocates nothing.
#[derive(Debug, Clone)]
pub struct LineState<'p, T: Num> {
    plan: &'p RatePlan<T>,
    /// Months stepped so far.
    month: u32,
    /// Remaining term at the start of the next month.
    remaining: u32,
    /// Gross and net coupons (annual fractions) and the monthly rates.
    gross: T,
    net: T,
    rate: T,
    /// `(1 + rate)^−remaining`.
    x: T,
    perf: T,
    fcl: T,
    /// Product of the `q`s so far: the scheduled balance factor.
    factor: T,
    ring: Vec<Cohort<T>>,
    /// The ring slot of the next month's new defaults.
    head: usize,
    /// Cohorts in the ring with a non-zero balance.
    pending: u32,
    arm: Option<ArmState<T>>,
    twelve: T,
}

impl<'p, T: Num> LineState<'p, T> {
    /// Start projecting `line` with the rates of `plan` (built for the line's
    /// kind and age).
    pub fn new(line: &LoanLine, plan: &'p RatePlan<T>) -> Self {
        let twelve = T::from_i64(12);
        let gross = T::from_decimal(line.gross_coupon);
        let net = T::from_decimal(line.net_coupon);
        let rate = gross / twelve;
        let remaining = line.remaining_term;
        let arm = line.arm.as_ref().map(|t| ArmState {
            margin: T::from_decimal(t.margin),
            periodic_cap: T::from_decimal(t.periodic_cap),
            life_cap: T::from_decimal(t.life_cap),
            life_floor: T::from_decimal(t.life_floor),
            next_reset: t.months_to_next_reset.max(1),
            period: t.reset_period.max(1),
        });
        let zero = Cohort {
            defaulted: T::ZERO,
            factor: T::ONE,
        };
        LineState {
            plan,
            month: 0,
            remaining,
            gross,
            net,
            rate,
            x: discount(rate, remaining),
            perf: T::from_decimal(line.balance).round_cents(),
            fcl: T::ZERO,
            factor: T::ONE,
            ring: vec![zero; plan.lag as usize + 1],
            head: 0,
            pending: 0,
            arm,
            twelve,
        }
    }

    /// Months stepped so far.
    pub fn month(&self) -> u32 {
        self.month
    }

    /// The scheduled balance factor: the product of every month's `q` so far
    /// (SIFMA's "amortization factor" for a new loan).
    pub fn schedule_factor(&self) -> T {
        self.factor
    }

    /// The gross coupon (annual fraction) in force.
    pub fn gross_coupon(&self) -> T {
        self.gross
    }

    /// The net coupon (annual fraction) in force.
    pub fn net_coupon(&self) -> T {
        self.net
    }

    /// True once nothing is left: no performing balance and nothing in
    /// foreclosure. Further steps return [`LineFlows::ZERO`].
    pub fn is_done(&self) -> bool {
        self.perf == T::ZERO && self.fcl == T::ZERO
    }

    /// Project the next month. `month` is the projection month (1-based, one
    /// more than the previous call); `index_rate` (a fraction) is read only
    /// in a month an ARM line resets.
    #[inline]
    pub fn step(&mut self, month: u32, index_rate: T) -> LineFlows<T> {
        debug_assert_eq!(month, self.month + 1, "months must be stepped in order");
        self.month = month;
        if self.is_done() {
            return LineFlows::ZERO;
        }
        if let Some(arm) = self.arm
            && month >= arm.next_reset
        {
            self.reset(arm, index_rate);
        }

        let lag = self.plan.lag;
        let perf0 = self.perf;
        let fcl0 = self.fcl;

        // Scheduled principal fraction f = 1 − q: r·x/(1 − x) for a
        // level-payment loan, everything in the last month (and after).
        let f = if self.remaining <= 1 {
            T::ONE
        } else if self.rate == T::ZERO {
            T::ONE / T::from_i64(self.remaining as i64)
        } else {
            self.rate * self.x / (T::ONE - self.x)
        };
        let q = T::ONE - f;

        let mdr = if self.remaining <= lag {
            T::ZERO
        } else {
            self.plan.mdr(month)
        };
        let smm = self.plan.smm(month);

        // Performing loans.
        let new_defaults = (perf0 * mdr).round_cents();
        let actual_amortization = ((perf0 - new_defaults) * f).round_cents();
        let voluntary_prepayments = (perf0 * q * smm)
            .round_cents()
            .min_of(perf0 - new_defaults - actual_amortization)
            .pos();

        // Foreclosure pipeline: this month's cohort in, the one from L months
        // ago out (the same slot when L = 0).
        let len = self.ring.len();
        self.ring[self.head] = Cohort {
            defaulted: new_defaults,
            factor: self.factor,
        };
        if new_defaults != T::ZERO {
            self.pending += 1;
        }
        let out = if self.head + 1 == len {
            0
        } else {
            self.head + 1
        };
        let cohort = self.ring[out];
        let liquidating = month > lag;
        let (liquidated_default, mut adb) = if liquidating && cohort.defaulted != T::ZERO {
            self.pending -= 1;
            self.ring[out].defaulted = T::ZERO;
            let adb = if self.plan.advancing {
                (cohort.defaulted * self.factor.div_or_zero(cohort.factor)).round_cents()
            } else {
                cohort.defaulted
            };
            (cohort.defaulted, adb)
        } else {
            (T::ZERO, T::ZERO)
        };
        self.head = if self.head + 1 == len {
            0
        } else {
            self.head + 1
        };
        // What can be liquidated: the defaulted balance of earlier months
        // (and this month's when L = 0). When no cohort is left behind,
        // liquidate all of it, so cent roundings cannot strand a balance.
        let available = if lag == 0 { fcl0 + new_defaults } else { fcl0 };
        if self.pending == 0 {
            adb = available;
        } else {
            adb = adb.min_of(available);
        }
        let principal_loss = if liquidated_default == T::ZERO {
            T::ZERO
        } else {
            (liquidated_default * self.plan.severity)
                .round_cents()
                .min_of(adb)
        };
        let principal_recovery = (adb - principal_loss).pos();

        // Scheduled principal on the defaulted loans still in foreclosure:
        // advanced when the servicer advances. Expected amortization
        // `(PERF(i−1) + FCL(i−1) − ADB(i)) × (1 − q)` is exactly the sum of
        // this and the actual amortization; it is computed as that sum of
        // rounded amounts, so expected = actual + advanced to the cent.
        let scheduled_on_defaults = ((new_defaults + fcl0 - adb) * f).round_cents();
        let expected_amortization = actual_amortization + scheduled_on_defaults;
        let amort_from_defaults = if self.plan.advancing {
            scheduled_on_defaults
        } else {
            T::ZERO
        };

        // Balance × annual coupon, then ÷ 12: one division, so an exact half
        // cent stays exact in Decimal (the monthly rate cut to 28 digits
        // first would land it just under the half).
        let month = |balance: T, coupon: T| (balance * coupon / self.twelve).round_cents();
        let expected_interest = month(perf0 + fcl0, self.gross);
        let interest_lost = month(new_defaults + fcl0, self.gross);
        let actual_interest = expected_interest - interest_lost;
        let net_interest = month(perf0 - new_defaults, self.net);

        // Differences of cent amounts are cent amounts: rounding them again is
        // a no-op in Decimal and keeps f64 balances on the cent grid.
        let perf =
            (perf0 - new_defaults - voluntary_prepayments - actual_amortization).round_cents();
        let fcl = (new_defaults + fcl0 - adb - amort_from_defaults).round_cents();
        self.perf = perf;
        self.fcl = fcl;
        self.factor = self.factor * q;
        self.x = self.x * (T::ONE + self.rate);
        self.remaining = self.remaining.saturating_sub(1);

        LineFlows {
            performing_balance: perf,
            new_defaults,
            in_foreclosure: fcl,
            expected_amortization,
            voluntary_prepayments,
            amort_from_defaults,
            actual_amortization,
            expected_interest,
            interest_lost,
            actual_interest,
            net_interest,
            principal_recovery,
            principal_loss,
            amortized_default_balance: adb,
            principal_remittance: voluntary_prepayments
                + actual_amortization
                + amort_from_defaults
                + principal_recovery,
            pool_balance: perf + fcl,
        }
    }

    /// Reset an ARM coupon: `index + margin` within the periodic cap of the
    /// prior coupon, then within the life floor and cap; the net coupon moves
    /// by the same amount and the payment re-amortizes over the remaining term.
    #[cold]
    fn reset(&mut self, arm: ArmState<T>, index_rate: T) {
        let prior = self.gross;
        let coupon = (index_rate + arm.margin)
            .max_of(prior - arm.periodic_cap)
            .min_of(prior + arm.periodic_cap)
            .max_of(arm.life_floor)
            .min_of(arm.life_cap);
        self.gross = coupon;
        self.net += coupon - prior;
        self.rate = coupon / self.twelve;
        self.x = discount(self.rate, self.remaining);
        if let Some(a) = self.arm.as_mut() {
            while a.next_reset <= self.month {
                a.next_reset += a.period;
            }
        }
    }
}

/// `(1 + rate)^−months`.
fn discount<T: Num>(rate: T, months: u32) -> T {
    T::ONE / (T::ONE + rate).powi(months.min(i32::MAX as u32) as i32)
}

/// Project `line` for `months` months with the index rate (a fraction) of each
/// projection month given by `index` (read only at ARM resets).
pub fn project_line<T: Num>(
    line: &LoanLine,
    a: &Assumptions,
    months: u32,
    index: impl Fn(u32) -> T,
) -> Vec<LineFlows<T>> {
    let plan = RatePlan::for_line(a, line, months);
    let mut state = LineState::new(line, &plan);
    (1..=months).map(|m| state.step(m, index(m))).collect()
}
