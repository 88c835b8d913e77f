//! The deal file as written: serde types that mirror `deal.toml` one to one.
//! Unknown keys are errors; names that refer to other parts of the file keep
//! their position so validation can point at them. [`super::validate`] turns
//! this into the model the engine runs.

use serde::Deserialize;

use crate::tomlfile::{Amount, Date, Spanned};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealFile {
    pub deal: DealSection,
    pub calendar: CalendarSection,
    #[serde(default)]
    pub group: Vec<GroupSection>,
    #[serde(default)]
    pub fee: Vec<FeeSection>,
    pub class: Vec<ClassSection>,
    #[serde(default)]
    pub rate: Vec<RateSection>,
    pub overcollateralization: Option<OcSection>,
    pub stepdown: Option<StepdownSection>,
    #[serde(default)]
    pub trigger: Vec<TriggerSection>,
    pub clean_up_call: Option<CallSection>,
    #[serde(default)]
    pub allocation: Vec<AllocationSection>,
    pub waterfall: Vec<Spanned<StepSection>>,
    #[serde(default)]
    pub report: ReportSection,
    pub collateral: Option<CollateralSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealSection {
    pub name: String,
    pub short_name: Option<String>,
    /// The series a report of this deal prints ("2003-HE4").
    pub series: Option<String>,
    pub index: Option<String>,
    pub first_distribution_date: Date,
    pub closing_date: Date,
    pub cutoff_balance: Spanned<Amount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSection {
    pub payment_day: Spanned<u32>,
    pub business_day: Spanned<String>,
    pub holidays: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSection {
    pub name: Spanned<String>,
    /// Representative loan lines for projections (assumptions), as shares of
    /// the group's balance.
    #[serde(default)]
    pub line: Vec<Spanned<LineSection>>,
}

/// One representative loan line of a group, as a share of the group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineSection {
    pub name: Option<String>,
    /// Fraction of the group's balance, in percent.
    pub share: Amount,
    /// `fixed` or `arm`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// Gross coupon in percent; defaults to the filing's weighted average.
    pub gross_coupon: Option<Amount>,
    /// Gross coupon relative to the filing's weighted average, in percent.
    pub coupon_spread: Option<Amount>,
    pub original_term: Option<u32>,
    /// Remaining term; defaults to the filing's weighted average.
    pub remaining_term: Option<u32>,
    pub margin: Option<Amount>,
    pub months_to_next_reset: Option<u32>,
    pub reset_period: Option<u32>,
    pub periodic_cap: Option<Amount>,
    /// Lifetime cap above the current coupon, in percent.
    pub life_cap_over_coupon: Option<Amount>,
    pub life_floor: Option<Amount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollateralSection {
    /// Servicing fee, percent a year, netted from the loans' gross coupon.
    pub servicing_fee: Amount,
    /// Spread of the ARM index (six-month LIBOR) over one-month LIBOR, percent.
    pub arm_index_spread: Option<Amount>,
    /// A CSV loan tape, relative to the deal file, used instead of the lines.
    pub loan_tape: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeSection {
    pub name: Spanned<String>,
    /// Percent a year of the beginning pool balance.
    pub rate: Amount,
    pub day_count: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSection {
    pub name: Spanned<String>,
    pub kind: Spanned<String>,
    pub original_balance: Option<Spanned<Amount>>,
    pub coupon: Option<Spanned<CouponSection>>,
    pub day_count: Option<Spanned<String>>,
    #[serde(default)]
    pub groups: Vec<Spanned<String>>,
    pub cap: Option<Spanned<String>>,
    /// Senior enhancement this class is paid down to after the step-down, percent.
    pub target_enhancement: Option<Amount>,
    pub notional: Option<Spanned<NotionalSection>>,
}

/// One of: `{ fixed }`, `{ margin [, margin_after_call] }`, `{ strike }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouponSection {
    pub fixed: Option<Amount>,
    pub margin: Option<Amount>,
    pub margin_after_call: Option<Amount>,
    /// Inverse floater: max(0, strike - index).
    pub strike: Option<Amount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotionalSection {
    pub schedule: Vec<NotionalEntry>,
    pub extend: Option<Spanned<String>>,
    pub ends: Option<Date>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotionalEntry {
    pub date: Date,
    pub notional: Amount,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateSection {
    pub name: Spanned<String>,
    pub report_label: Option<String>,
    pub group: Option<Spanned<String>>,
    #[serde(default)]
    pub less_fees: Vec<Spanned<String>>,
    #[serde(default)]
    pub less_interest_of: Vec<Spanned<String>>,
    pub basis: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcSection {
    pub holder: Spanned<String>,
    pub target_before_stepdown: Spanned<OcAmountSection>,
    pub target_after_stepdown: Option<Spanned<OcAmountSection>>,
    pub floor: Option<Spanned<OcAmountSection>>,
}

/// One of `{ amount }`, `{ percent_of_cutoff }`, `{ percent_of_current }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcAmountSection {
    pub amount: Option<Amount>,
    pub percent_of_cutoff: Option<Amount>,
    pub percent_of_current: Option<Amount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepdownSection {
    pub earliest: Date,
    /// Senior enhancement, percent, that must be reached.
    pub senior_enhancement: Amount,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerSection {
    pub name: String,
    pub kind: Spanned<String>,
    pub percent_of_senior_enhancement: Option<Amount>,
    pub rolling_months: Option<u32>,
    #[serde(default)]
    pub schedule: Vec<LossScheduleEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossScheduleEntry {
    pub from: Date,
    pub percent: Amount,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallSection {
    pub percent_of_cutoff: Amount,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationSection {
    pub name: Spanned<String>,
    pub rule: Spanned<String>,
    pub members: Vec<Spanned<String>>,
    #[serde(default)]
    pub weights: Vec<Amount>,
}

/// One waterfall step: an `action` and the fields that action takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSection {
    pub action: Spanned<String>,
    pub when: Option<Spanned<String>>,
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<String>>,
    pub fee: Option<Spanned<String>>,
    #[serde(default)]
    pub classes: Vec<Spanned<String>>,
    pub rule: Option<Spanned<String>>,
    #[serde(default)]
    pub groups: Vec<GroupTarget>,
    pub limit: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupTarget {
    pub group: Spanned<String>,
    pub to: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    pub net_monthly_excess_cash_flow: Option<Spanned<String>>,
}
