//! A deal: its classes, fees, rates, credit enhancement and waterfall, read from
//! `deal.toml` and validated. Nothing here knows any deal by name.

mod file;
mod notional;
mod validate;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use notional::{Extend, NotionalSchedule};

use crate::calendar::{Calendar, DayCount};
use crate::error::{Error, Result};
use crate::tomlfile::Source;

/// A validated deal: every name resolved to an index, every term checked.
#[derive(Debug, Clone)]
pub struct Deal {
    pub name: String,
    pub short_name: String,
    /// The series its reports print ("2003-HE4"), if the deal file says.
    pub series: Option<String>,
    pub index_name: String,
    pub first_distribution_date: NaiveDate,
    pub closing_date: NaiveDate,
    pub cutoff_balance: Decimal,
    pub calendar: Calendar,
    pub groups: Vec<Group>,
    pub fees: Vec<Fee>,
    pub classes: Vec<Class>,
    pub rates: Vec<RateDef>,
    pub oc: Option<Oc>,
    pub stepdown: Option<Stepdown>,
    pub triggers: Vec<Trigger>,
    pub call: Option<CleanUpCall>,
    pub allocations: Vec<Allocation>,
    pub steps: Vec<Step>,
    pub report: ReportSemantics,
    pub collateral: CollateralTerms,
    /// The deal file this came from.
    pub path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    /// Representative loan lines (assumptions for projection).
    pub lines: Vec<LineAssumption>,
}

/// A representative loan line of a group, as the deal file states it.
#[derive(Debug, Clone)]
pub struct LineAssumption {
    pub name: String,
    /// Fraction of the group's balance.
    pub share: Decimal,
    pub arm: bool,
    pub gross_coupon: Option<Decimal>,
    pub coupon_spread: Decimal,
    pub original_term: u32,
    pub remaining_term: Option<u32>,
    pub margin: Decimal,
    pub months_to_next_reset: u32,
    pub reset_period: u32,
    pub periodic_cap: Decimal,
    pub life_cap_over_coupon: Decimal,
    pub life_floor: Option<Decimal>,
}

/// Terms of the collateral used for projection.
#[derive(Debug, Clone, Default)]
pub struct CollateralTerms {
    /// Servicing fee, a fraction a year.
    pub servicing_fee: Decimal,
    /// ARM index spread over one-month LIBOR, a fraction.
    pub arm_index_spread: Decimal,
    pub loan_tape: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Fee {
    pub name: String,
    /// A fraction a year of the beginning pool balance.
    pub rate: Decimal,
    pub day_count: DayCount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    Senior,
    Mezzanine,
    InterestOnly,
    PrepaymentPremium,
    /// Holds the overcollateralization and receives what is left (X).
    Excess,
    Residual,
}

impl ClassKind {
    /// Classes with a principal balance that counts as a certificate for the OC.
    pub fn carries_principal(self) -> bool {
        matches!(
            self,
            ClassKind::Senior | ClassKind::Mezzanine | ClassKind::PrepaymentPremium
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            ClassKind::Senior => "senior",
            ClassKind::Mezzanine => "mezzanine",
            ClassKind::InterestOnly => "interest-only",
            ClassKind::PrepaymentPremium => "prepayment-premium",
            ClassKind::Excess => "excess",
            ClassKind::Residual => "residual",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Class {
    pub name: String,
    pub kind: ClassKind,
    /// Original balance, or original notional for an interest-only class.
    pub original_balance: Decimal,
    pub coupon: Coupon,
    pub day_count: DayCount,
    pub groups: Vec<usize>,
    /// Index into [`Deal::rates`] of the rate that caps the coupon.
    pub cap: Option<usize>,
    /// Senior enhancement (a fraction) this class is paid down to after the step-down.
    pub target_enhancement: Option<Decimal>,
    pub notional: Option<NotionalSchedule>,
}

/// A class's coupon, as fractions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coupon {
    None,
    Fixed(Decimal),
    /// index + margin; the margin steps up once the clean-up call date has passed.
    Floating {
        margin: Decimal,
        margin_after_call: Decimal,
    },
    /// max(0, strike - index).
    Inverse {
        strike: Decimal,
    },
}

/// A rate the waterfall computes: a net WAC less fees and IO strips.
#[derive(Debug, Clone)]
pub struct RateDef {
    pub name: String,
    pub report_label: Option<String>,
    /// The group whose net WAC it starts from; the pool when `None`.
    pub group: Option<usize>,
    pub less_fees: Vec<usize>,
    pub less_interest_of: Vec<usize>,
    /// `Act360`: scaled by 30/actual days to state it on the classes' basis.
    pub basis: DayCount,
}

/// Overcollateralization terms.
#[derive(Debug, Clone)]
pub struct Oc {
    /// The class that holds the OC (X).
    pub holder: usize,
    pub before_stepdown: OcAmount,
    pub after_stepdown: Option<OcAmount>,
    pub floor: Option<OcAmount>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OcAmount {
    Amount(Decimal),
    /// A fraction of the cut-off balance.
    OfCutoff(Decimal),
    /// A fraction of the current (ending) pool balance.
    OfCurrent(Decimal),
}

#[derive(Debug, Clone)]
pub struct Stepdown {
    pub earliest: NaiveDate,
    /// Senior enhancement (a fraction) that must be reached.
    pub senior_enhancement: Decimal,
}

#[derive(Debug, Clone)]
pub enum Trigger {
    /// The rolling average 60+ day delinquency rate exceeds a fraction of the
    /// senior enhancement percentage.
    Delinquency {
        name: String,
        fraction_of_senior_enhancement: Decimal,
        rolling_months: u32,
    },
    /// Cumulative realized losses over the cut-off balance exceed a schedule.
    CumulativeLoss {
        name: String,
        schedule: Vec<(NaiveDate, Decimal)>,
    },
}

impl Trigger {
    pub fn name(&self) -> &str {
        match self {
            Trigger::Delinquency { name, .. } | Trigger::CumulativeLoss { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CleanUpCall {
    /// The call may be exercised once the pool is at or below this fraction of
    /// the cut-off balance.
    pub fraction_of_cutoff: Decimal,
}

/// How a principal amount is shared among classes or other allocations.
#[derive(Debug, Clone)]
pub struct Allocation {
    pub name: String,
    pub rule: Rule,
    pub members: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Sequential,
    /// In proportion to the amounts due (interest) or current balances (principal).
    ProRata,
    /// In fixed proportions (principal only).
    Fixed(Vec<Decimal>),
}

impl Rule {
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Sequential => "sequential",
            Rule::ProRata => "pro rata",
            Rule::Fixed(_) => "fixed proportions",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Class(usize),
    Allocation(usize),
}

/// The accounts cash sits in during a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    Interest = 0,
    Principal = 1,
    Premiums = 2,
    Excess = 3,
}

impl Account {
    pub const ALL: [Account; 4] = [
        Account::Interest,
        Account::Principal,
        Account::Premiums,
        Account::Excess,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Account::Interest => "interest",
            Account::Principal => "principal",
            Account::Premiums => "premiums",
            Account::Excess => "excess",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// Before the step-down date, or while a trigger event is in effect.
    BeforeStepdownOrTrigger,
    /// On or after the step-down date with no trigger event in effect.
    AfterStepdownNoTrigger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    None,
    /// Pay classes down only to their target senior enhancement.
    TargetEnhancement,
}

#[derive(Debug, Clone)]
pub enum Action {
    PayFee {
        fee: usize,
        from: Account,
    },
    PayInterest {
        classes: Vec<usize>,
        rule: Rule,
        from: Account,
    },
    Transfer {
        from: Account,
        to: Account,
    },
    ReleaseOc {
        from: Account,
        to: Account,
    },
    PayExtraPrincipal {
        from: Account,
        to: Account,
    },
    PayPrincipal {
        from: Account,
        dist: Distribution,
        limit: Limit,
    },
    WriteDown {
        classes: Vec<usize>,
    },
    ReimburseWritedowns {
        classes: Vec<usize>,
        rule: Rule,
        from: Account,
    },
    PayBasisRisk {
        classes: Vec<usize>,
        rule: Rule,
        from: Account,
    },
    PayPremiums {
        from: Account,
        to: usize,
    },
    PayRemainder {
        from: Account,
        to: usize,
    },
}

/// Where a principal step sends its money.
#[derive(Debug, Clone)]
pub enum Distribution {
    /// Each group's share of the principal remittance to that group's target;
    /// what a group's target cannot take goes to the other groups' targets.
    GroupShare(Vec<(usize, Target)>),
    /// One allocation (a step's own `classes` and `rule` become one).
    To(Target),
}

#[derive(Debug, Clone)]
pub struct Step {
    pub action: Action,
    pub when: When,
    /// A one-line description for `--explain`.
    pub label: String,
    /// Line of the step in the deal file.
    pub line: usize,
}

/// How the deal's trustee labels figures that reports define differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSemantics {
    /// "Net Monthly Excess Cash Flow" printed before (HE4) or after (HE2) the
    /// extra principal distribution.
    pub excess_cash_flow_after_extra_principal: bool,
}

impl Deal {
    /// Load a deal from a `deal.toml` file or a deal directory holding one.
    pub fn load(path: &Path) -> Result<Deal> {
        let file = if path.is_dir() {
            path.join("deal.toml")
        } else {
            path.to_path_buf()
        };
        if !file.exists() {
            return Err(Error::file(
                &file,
                "no deal file here: expected a deal.toml or a directory holding one",
            ));
        }
        let source = Source::read(&file)?;
        validate::validate(&source)
    }

    /// The directory of the deal file (where `filings/` lives).
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    pub fn class_index(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.name == name)
    }

    /// Number of the distribution on `date` (the first distribution is 1).
    pub fn period_number(&self, date: NaiveDate) -> i64 {
        crate::calendar::months_between(self.first_distribution_date, date) + 1
    }

    /// The senior classes, in declaration order.
    pub fn senior_classes(&self) -> impl Iterator<Item = usize> + '_ {
        self.classes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == ClassKind::Senior)
            .map(|(i, _)| i)
    }

    /// Classes of `target`, in order, with nested allocations expanded.
    pub fn target_classes(&self, target: Target, out: &mut Vec<usize>) {
        match target {
            Target::Class(k) => out.push(k),
            Target::Allocation(a) => {
                for &m in &self.allocations[a].members {
                    self.target_classes(m, out);
                }
            }
        }
    }
}
