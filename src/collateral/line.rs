//! Loan lines: a group of like loans projected as one level-payment loan.

use rust_decimal::Decimal;

/// Whether a line pays a fixed coupon or resets (it picks the PPC curve).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    Fixed,
    Arm,
}

/// One line of a loan tape. Coupons are fractions (0.08 is 8%).
#[derive(Debug, Clone, PartialEq)]
pub struct LoanLine {
    pub id: String,
    pub group: String,
    /// Current principal balance.
    pub balance: Decimal,
    /// Gross coupon (fraction); the scheduled payment and the SIFMA interest
    /// columns use it.
    pub gross_coupon: Decimal,
    /// Net coupon (fraction) passed through to the trust.
    pub net_coupon: Decimal,
    pub original_term: u32,
    pub remaining_term: u32,
    /// Reset terms; `None` for a fixed-rate line.
    pub arm: Option<ArmTerms>,
}

/// How an adjustable-rate line resets. Rates are fractions.
///
/// At a reset the gross coupon becomes `index + margin`, held within
/// `periodic_cap` of the prior coupon, then within `[life_floor, life_cap]`;
/// the net coupon moves by the same amount and the payment re-amortizes the
/// balance over the remaining term at the new coupon.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmTerms {
    pub margin: Decimal,
    /// The first projection month that accrues at a reset coupon (1 = the
    /// first month of the projection).
    pub months_to_next_reset: u32,
    /// Months between resets after the first.
    pub reset_period: u32,
    pub periodic_cap: Decimal,
    pub life_cap: Decimal,
    pub life_floor: Decimal,
}

impl LoanLine {
    /// Fixed or ARM.
    pub fn kind(&self) -> LineKind {
        if self.arm.is_some() {
            LineKind::Arm
        } else {
            LineKind::Fixed
        }
    }

    /// Loan age in months at the start of the projection.
    pub fn age(&self) -> u32 {
        self.original_term.saturating_sub(self.remaining_term)
    }
}
