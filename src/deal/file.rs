//! The deal file as written: serde types that mirror `deal.toml` one to one.
//! Unknown keys are errors; names and expressions keep their position so
//! validation can point at them. The `[[waterfall]]` steps are read by
//! [`super::steps`] (each action's own fields, with their positions).
//! [`super::validate`] turns this into the model the engine runs.

use serde::Deserialize;

use crate::tomlfile::{Amount, Date, Spanned};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealFile {
    pub deal: DealSection,
    pub calendar: CalendarSection,
    #[serde(default)]
    pub group: Vec<GroupSection>,
    pub collateral: Option<CollateralSection>,
    #[serde(default)]
    pub account: Vec<Spanned<AccountSection>>,
    #[serde(default)]
    pub fee: Vec<FeeSection>,
    pub class: Vec<ClassSection>,
    #[serde(default)]
    pub quantity: Vec<QuantitySection>,
    pub overcollateralization: Option<OcSection>,
    pub stepdown: Option<StepdownSection>,
    #[serde(default)]
    pub trigger: Vec<TriggerSection>,
    pub clean_up_call: Option<CallSection>,
    #[serde(default)]
    pub allocation: Vec<AllocationSection>,
    #[serde(default)]
    pub schedule: Vec<ScheduleSection>,
    #[serde(default)]
    pub swap: Vec<super::derivative::SwapSection>,
    #[serde(default)]
    pub cap: Vec<super::derivative::CapSection>,
    /// Read separately, one action at a time (see [`super::steps`]).
    pub waterfall: Spanned<serde::de::IgnoredAny>,
    pub report: Option<ReportSection>,
    #[serde(default)]
    pub coupon_split: Vec<CouponSplitSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealSection {
    pub name: String,
    pub short_name: Option<String>,
    /// The series a report of this deal prints ("2003-HE4").
    pub series: Option<String>,
    pub index: Option<String>,
    pub closing_date: Date,
    pub first_distribution_date: Date,
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
    /// The group's balance at the cut-off date.
    pub cutoff_balance: Option<Spanned<Amount>>,
    /// The group's weighted average gross and net coupon (percent) and
    /// remaining term (months) at the cut-off date, for lines that leave them
    /// to the filing when the deal runs from closing.
    pub cutoff_wac: Option<Spanned<Amount>>,
    pub cutoff_net_wac: Option<Spanned<Amount>>,
    pub cutoff_wam: Option<Spanned<u32>>,
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
    pub share: Spanned<Amount>,
    /// `fixed` or `arm`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// Gross coupon in percent; defaults to the filing's weighted average.
    pub gross_coupon: Option<Spanned<Amount>>,
    /// Net coupon in percent; defaults to the gross less the servicing fee.
    pub net_coupon: Option<Spanned<Amount>>,
    /// Gross coupon relative to the filing's weighted average, in percent.
    pub coupon_spread: Option<Spanned<Amount>>,
    pub original_term: Option<Spanned<u32>>,
    /// Remaining term; defaults to the filing's weighted average.
    pub remaining_term: Option<Spanned<u32>>,
    pub margin: Option<Spanned<Amount>>,
    pub months_to_next_reset: Option<Spanned<u32>>,
    pub reset_period: Option<Spanned<u32>>,
    pub periodic_cap: Option<Spanned<Amount>>,
    /// Lifetime cap above the current coupon, in percent.
    pub life_cap_over_coupon: Option<Spanned<Amount>>,
    pub life_floor: Option<Spanned<Amount>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollateralSection {
    /// Servicing fee, percent a year, netted from the loans' gross coupon.
    pub servicing_fee: Option<Spanned<Amount>>,
    /// Spread of the ARM index over the deal's index, percent.
    pub arm_index_spread: Option<Spanned<Amount>>,
    /// A CSV loan tape, relative to the deal file, used instead of the lines.
    pub loan_tape: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSection {
    pub name: Spanned<String>,
    /// `collection` (emptied every period) or `reserve` (carries a balance).
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub receives: Vec<Spanned<String>>,
    pub group: Option<Spanned<String>>,
    /// A reserve's balance at closing.
    pub initial_balance: Option<Spanned<Amount>>,
    /// A reserve's target balance (an expression).
    pub target: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeSection {
    pub name: Spanned<String>,
    /// Percent a year of `basis`.
    pub rate: Option<Spanned<Amount>>,
    /// What the rate applies to (an expression; the pool's beginning balance
    /// when not given).
    pub basis: Option<Spanned<String>>,
    /// An amount each period instead of a rate (an expression).
    pub amount: Option<Spanned<String>>,
    pub day_count: Option<Spanned<String>>,
    #[serde(default)]
    pub carry_unpaid: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSection {
    pub name: Spanned<String>,
    pub original_balance: Option<Spanned<Amount>>,
    pub coupon: Option<Spanned<CouponSection>>,
    pub day_count: Option<Spanned<String>>,
    /// An interest-only class's notional: a deal quantity (an expression).
    pub notional: Option<Spanned<String>>,
    /// An interest-only class's notional by date.
    pub notional_schedule: Option<Spanned<NotionalSection>>,
    #[serde(default)]
    pub interest_on_unpaid: bool,
}

/// One of `{ fixed }`, `{ margin [, multiplier] }`, `{ wac [, less] }`,
/// each with optional `cap`, `floor`, `capped_by` and step-ups.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouponSection {
    pub fixed: Option<Spanned<Amount>>,
    pub margin: Option<Spanned<Amount>>,
    pub multiplier: Option<Spanned<Amount>>,
    pub wac: Option<Spanned<String>>,
    pub less: Option<Spanned<Amount>>,
    pub cap: Option<Spanned<Amount>>,
    pub floor: Option<Spanned<Amount>>,
    pub capped_by: Option<Spanned<String>>,
    pub after_call: Option<Spanned<StepUpSection>>,
    #[serde(default)]
    pub step_up: Vec<Spanned<StepUpSection>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepUpSection {
    pub from: Option<Date>,
    pub margin: Option<Spanned<Amount>>,
    pub fixed: Option<Spanned<Amount>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotionalSection {
    pub entries: Vec<NotionalEntry>,
    pub extend: Option<Spanned<String>>,
    pub ends: Option<Date>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotionalEntry {
    pub date: Date,
    pub notional: Spanned<Amount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantitySection {
    pub name: Spanned<String>,
    /// An expression; or `by_period` instead.
    pub value: Option<Spanned<String>>,
    /// A value by distribution number: each entry's expression from its
    /// `from` until the next entry's (the first from 1).
    #[serde(default)]
    pub by_period: Vec<ByPeriodEntry>,
    /// How a report labels it.
    pub label: Option<String>,
    /// `amount` (the default), `rate` or `number`.
    pub unit: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByPeriodEntry {
    pub from: Spanned<i64>,
    pub value: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcSection {
    pub holder: Option<Spanned<String>>,
    pub target: Spanned<String>,
    pub floor: Option<Spanned<String>>,
    pub contract_target: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepdownSection {
    pub earliest: Date,
    pub test: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerSection {
    pub name: Spanned<String>,
    pub kind: Spanned<String>,
    pub rolling_months: Option<Spanned<u32>>,
    pub limit: Option<Spanned<String>>,
    #[serde(default)]
    pub schedule: Vec<LossScheduleEntry>,
    pub test: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossScheduleEntry {
    pub from: Date,
    pub percent: Spanned<Amount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallSection {
    pub percent_of_cutoff: Spanned<Amount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationSection {
    pub name: Spanned<String>,
    pub rule: Spanned<String>,
    pub members: Vec<Spanned<String>>,
    #[serde(default)]
    pub weights: Vec<Spanned<Amount>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSection {
    pub name: Spanned<String>,
    /// Balances after each distribution, from the first.
    #[serde(default)]
    pub balances: Vec<Spanned<Amount>>,
    /// Structured from two prepayment speeds.
    pub band: Option<Spanned<BandSection>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandSection {
    pub original: Spanned<Amount>,
    /// A PAC's band: the collateral's principal at the smaller of two speeds.
    pub low: Option<Spanned<String>>,
    pub high: Option<Spanned<String>>,
    /// A TAC's one speed (the same as `low = high`).
    pub speed: Option<Spanned<String>>,
}

/// Classes split from one parent whose weighted coupons add up to its coupon.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouponSplitSection {
    /// The parent's coupon, percent.
    pub parent: Spanned<Amount>,
    pub classes: Vec<Spanned<String>>,
    pub weights: Vec<Spanned<Amount>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    pub layout: Option<Spanned<String>>,
    pub tolerance: Option<Spanned<Amount>>,
    #[serde(default)]
    pub figures: std::collections::BTreeMap<String, Spanned<String>>,
    /// Figures the report prints that the deal does not model, and why.
    #[serde(default)]
    pub not_modelled: std::collections::BTreeMap<String, String>,
}
