//! A deal: its collateral, accounts, fees, classes, quantities, credit
//! enhancement and waterfall, read from `deal.toml` and validated. Nothing
//! here knows any deal by name.
//!
//! - [`file`]: the raw TOML types, one to one with the file;
//! - [`validate`]: raw to model, every problem located, all reported together;
//! - [`expr`] and [`quantity`]: the expression language terms are written in;
//! - [`coupon`]: how a class's rate is set each period;
//! - [`steps`]: the waterfall's actions, one module each.

pub mod coupon;
pub mod derivative;
pub mod expr;
mod file;
mod notional;
pub mod program;
pub mod quantity;
mod show;
pub mod split;
pub mod steps;
pub mod validate;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use coupon::{Coupon, CouponKind, StepUp, StepUpFrom};
pub use derivative::{Cap, Leg, Swap};
pub use expr::Expr;
pub use notional::{Extend, NotionalSchedule, Walk as NotionalWalk};
pub use quantity::{Names, Quantity};
pub use show::show;
pub use split::CouponSplit;
pub use steps::{Action, Step};
pub use validate::{Checker, MAX_BALANCE};

use crate::calendar::{Calendar, DayCount};
use crate::collateral::Prepay;
use crate::error::{Error, Result};
use crate::num::Term;
use crate::tomlfile::Source;

/// A validated deal: every name resolved to an index, every term checked.
#[derive(Debug, Clone)]
pub struct Deal {
    pub name: String,
    pub short_name: String,
    /// The series its reports print ("2003-HE4"), if the deal file says.
    pub series: Option<String>,
    /// The name of the index floating coupons reset off ("1M LIBOR").
    pub index_name: String,
    pub closing_date: NaiveDate,
    pub first_distribution_date: NaiveDate,
    /// The collateral's balance at the cut-off date.
    pub cutoff_balance: Decimal,
    pub calendar: Calendar,
    pub groups: Vec<Group>,
    pub collateral: CollateralTerms,
    pub accounts: Vec<Account>,
    pub fees: Vec<Fee>,
    pub classes: Vec<Class>,
    pub quantities: Vec<NamedQuantity>,
    pub oc: Option<Oc>,
    pub stepdown: Option<Stepdown>,
    pub triggers: Vec<Trigger>,
    pub call: Option<CleanUpCall>,
    pub allocations: Vec<Allocation>,
    pub schedules: Vec<Schedule>,
    /// Classes whose weighted coupons add up to a parent's (checked at load).
    pub coupon_splits: Vec<CouponSplit>,
    /// Interest-rate swaps and caps (corridors) with a counterparty.
    pub swaps: Vec<Swap>,
    pub caps: Vec<Cap>,
    pub steps: Vec<Step>,
    pub report: ReportTerms,
    /// Every name the deal defines, for writing expressions back.
    pub names: Names,
    /// The deal file this came from.
    pub path: PathBuf,
}

/// A loan group.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    /// The group's balance at the cut-off date (needed to run from closing).
    pub cutoff_balance: Option<Decimal>,
    /// Weighted average gross and net coupon (fractions) and remaining term
    /// at the cut-off date, for lines that leave them to the filing.
    pub cutoff_wac: Option<Decimal>,
    pub cutoff_net_wac: Option<Decimal>,
    pub cutoff_wam: Option<u32>,
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
    /// Gross coupon (a fraction); the filing's weighted average when `None`.
    pub gross_coupon: Option<Decimal>,
    /// Net coupon (a fraction); the gross less the servicing fee when `None`.
    pub net_coupon: Option<Decimal>,
    pub coupon_spread: Decimal,
    pub original_term: u32,
    /// Remaining term; the filing's weighted average when `None`.
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
    /// Servicing fee netted from the loans' gross coupon, a fraction a year.
    pub servicing_fee: Decimal,
    /// ARM index spread over the deal's index, a fraction.
    pub arm_index_spread: Decimal,
    pub loan_tape: Option<PathBuf>,
}

/// A collateral cash flow a collection account receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Interest collected, net of the servicing fee the servicer keeps.
    Interest,
    /// All principal: scheduled and unscheduled.
    Principal,
    ScheduledPrincipal,
    /// Prepayments, net liquidation proceeds and repurchases.
    UnscheduledPrincipal,
    /// Prepayment premiums.
    Premiums,
}

impl Flow {
    pub const ALL: [(&'static str, Flow); 5] = [
        ("interest", Flow::Interest),
        ("principal", Flow::Principal),
        ("scheduled-principal", Flow::ScheduledPrincipal),
        ("unscheduled-principal", Flow::UnscheduledPrincipal),
        ("premiums", Flow::Premiums),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

/// An account cash sits in.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub kind: AccountKind,
    /// The collateral flows deposited into it at the start of each period
    /// (investment earnings on its balance are credited to it as well).
    pub receives: Vec<Flow>,
    /// Receives only this group's flows.
    pub group: Option<usize>,
}

#[derive(Debug, Clone)]
pub enum AccountKind {
    /// Emptied by the waterfall every period: cash left in it after the last
    /// step is an error in the deal file.
    Collection,
    /// Carries its balance from period to period, with a target balance.
    Reserve {
        /// Balance at closing.
        initial: Decimal,
        target: Expr,
    },
}

impl Account {
    /// Whether the account carries a balance across periods.
    pub fn carried(&self) -> bool {
        matches!(self.kind, AccountKind::Reserve { .. })
    }
}

/// A fee the waterfall pays.
#[derive(Debug, Clone)]
pub struct Fee {
    pub name: String,
    pub due: FeeDue,
    pub day_count: DayCount,
    /// What is not paid is due next period.
    pub carry_unpaid: bool,
}

#[derive(Debug, Clone)]
pub enum FeeDue {
    /// A rate (a fraction a year) on a balance (by default the pool's
    /// beginning balance), accrued by the fee's day count.
    Rate { rate: Term, basis: Expr },
    /// An amount each period.
    Amount(Expr),
}

/// How a class's notional (an interest-only class) is set.
#[derive(Debug, Clone)]
pub enum Notional {
    /// By distribution date.
    Schedule(NotionalSchedule),
    /// A deal quantity, evaluated at the start of the period (and at its end
    /// for the ending notional): `balance[A-1, A-2]`, `pool.beginning`.
    Of(Expr),
}

/// A class of notes or certificates. What it is paid comes from its terms and
/// the steps that name it, not from a kind.
#[derive(Debug, Clone)]
pub struct Class {
    pub name: String,
    /// Original principal balance, or original notional for an interest-only class.
    pub original_balance: Decimal,
    pub coupon: Coupon,
    pub day_count: DayCount,
    pub notional: Option<Notional>,
    /// Unpaid interest bears interest at the class's rate.
    pub interest_on_unpaid: bool,
}

impl Class {
    /// Whether the class has a principal balance (not a notional).
    pub fn has_principal(&self) -> bool {
        self.notional.is_none()
    }
}

/// A named deal quantity, determined each period before the waterfall runs.
#[derive(Debug, Clone)]
pub struct NamedQuantity {
    pub name: String,
    /// How a report labels it ("Class A-IO Net WAC Rate").
    pub label: Option<String>,
    pub unit: Unit,
    pub value: Expr,
}

/// What a quantity measures, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Amount,
    /// A fraction a year, shown as a percentage.
    Rate,
    Number,
}

/// Overcollateralization terms.
#[derive(Debug, Clone)]
pub struct Oc {
    /// The class whose printed balance is the OC (X); it has no balance of its own.
    pub holder: Option<usize>,
    /// The OC target, determined each period (`oc.last_target` is last
    /// period's, for a target held while a trigger is in effect).
    pub target: Expr,
    pub floor: Option<Expr>,
    /// The contract's own target where the deal's reports use another
    /// (shown beside the reported one by reconcile).
    pub contract_target: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct Stepdown {
    pub earliest: NaiveDate,
    /// What must also hold on or after `earliest`; once it has, the
    /// step-down has occurred for good.
    pub test: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct Trigger {
    pub name: String,
    pub kind: TriggerKind,
}

#[derive(Debug, Clone)]
pub enum TriggerKind {
    /// The rolling average of the 60+ day delinquency rate (delinquent over
    /// the ending pool balance) exceeds `limit`.
    Delinquency { rolling_months: u32, limit: Expr },
    /// Cumulative realized losses over the cut-off balance exceed the
    /// schedule's fraction in force on the distribution date.
    CumulativeLoss { schedule: Vec<(NaiveDate, Term)> },
    /// Breached while the test holds.
    Test(Expr),
}

#[derive(Debug, Clone)]
pub struct CleanUpCall {
    /// The call may be exercised once the pool is at or below this fraction of
    /// the cut-off balance.
    pub fraction_of_cutoff: Decimal,
}

/// How an amount is shared among classes or other allocations.
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
    /// In fixed proportions (principal only): each member's share rounded to
    /// the cent and capped at its balance, the last member taking the rest.
    Fixed(Vec<Term>),
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

/// What a principal payment goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Class(usize),
    Allocation(usize),
}

/// A scheduled balance by period (a PAC or TAC schedule).
#[derive(Debug, Clone)]
pub struct Schedule {
    pub name: String,
    pub source: ScheduleSource,
}

#[derive(Debug, Clone)]
pub enum ScheduleSource {
    /// Balances after each distribution, the first entry for the first
    /// distribution date; zero after the last.
    Given(Vec<Decimal>),
    /// Structured: `original` less the running sum of the smaller of the
    /// collateral's principal at two prepayment speeds, period by period,
    /// computed when the deal is run from closing.
    Band {
        original: Decimal,
        low: Prepay,
        high: Prepay,
        /// The schedule the band gives, worked out when the deal is loaded.
        balances: Vec<Decimal>,
    },
}

/// Which report layout the deal's trustee files, and how its figures map.
#[derive(Debug, Clone)]
pub struct ReportTerms {
    /// The deal file has a `[report]` section: the deal files reports (a
    /// textbook deal has none, and runs from closing only).
    pub given: bool,
    pub layout: crate::report::Layout,
    /// Dollars a money figure may differ from the print and still match
    /// (the `--tolerance` default for this deal).
    pub tolerance: Decimal,
    /// Report figures the deal computes itself: a figure path and the
    /// expression (evaluated at the end of the period) that gives it.
    pub figures: Vec<(String, Expr)>,
    /// Figures the report prints that the deal does not model: the path and why.
    pub not_modelled: Vec<(String, String)>,
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

    /// Validate a deal file's text (`path` names it in messages and anchors
    /// relative paths).
    pub fn from_text(path: &Path, text: &str) -> Result<Deal> {
        let source = Source {
            path: path.to_path_buf(),
            text: text.to_string(),
        };
        validate::validate(&source)
    }

    /// The directory of the deal file (where `filings/` lives).
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The deal's latest filing: the last file, by name, in `filings/`
    /// (what `--from latest` starts from).
    pub fn latest_filing(&self) -> Result<PathBuf> {
        let dir = self.dir().join("filings");
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            Error::file(
                &dir,
                format!("--from latest: cannot list the deal's filings: {e}"),
            )
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files.pop().ok_or_else(|| {
            Error::file(
                &dir,
                "--from latest: the deal has no filing to start from (the directory is empty)",
            )
        })
    }

    pub fn class_index(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.name == name)
    }

    /// Number of the distribution on `date` (the first distribution is 1).
    pub fn period_number(&self, date: NaiveDate) -> i64 {
        crate::calendar::months_between(self.first_distribution_date, date) + 1
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

    /// Classes with a principal balance that count against the collateral
    /// for the OC: every class without a notional but the OC's holder.
    pub fn principal_classes(&self) -> impl Iterator<Item = usize> + '_ {
        let holder = self.oc.as_ref().and_then(|o| o.holder);
        self.classes
            .iter()
            .enumerate()
            .filter(move |(k, c)| c.has_principal() && Some(*k) != holder)
            .map(|(k, _)| k)
    }

    /// An expression written back with the deal's names.
    pub fn display(&self, e: &Expr) -> String {
        expr::display(e, &|q| self.names.display(q))
    }

    /// Why the deal does not model a report figure, if it says.
    pub fn report_not_modelled(&self, path: &str) -> Option<&(String, String)> {
        self.report.not_modelled.iter().find(|(p, _)| p == path)
    }

    /// The deal's name for a target.
    pub fn target_name(&self, t: Target) -> &str {
        match t {
            Target::Class(k) => &self.classes[k].name,
            Target::Allocation(a) => &self.allocations[a].name,
        }
    }
}
