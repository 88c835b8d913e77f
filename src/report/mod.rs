//! A trustee's monthly "Statement to Certificateholders", as typed data.
//!
//! [`parse`] reads the US Bank layout both seed deals use. Every figure keeps
//! the line it was printed on and how many decimals it was printed with, so a
//! reconciliation can say where a figure came from and how precisely it can be
//! compared.

pub mod carmax;
pub mod filing;
mod number;
mod parse;
pub mod render;
pub mod us_bank;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

pub use filing::{FigurePath, Filing, FilingFigure, Missing, Subject, Unit};
pub use number::{Printed, parse_number};
pub use parse::parse;

use std::path::Path;

use crate::error::{Error, Result};

/// Read a report of `layout` from a file.
pub fn read_filing(layout: Layout, path: &Path) -> Result<Filing> {
    let text = Error::read_to_string(path)?;
    parse_filing(layout, path, &text)
}

/// The largest magnitude a printed figure may have: ten trillion, beyond
/// any deal's balance (what a figure of 10^15 or 2^63 in a damaged report
/// would otherwise carry into the arithmetic).
pub const MAX_FIGURE: Decimal = Decimal::from_parts(1_316_134_912, 2_328, 0, false, 0);

/// The most decimals a printed figure may carry (the seed reports print at
/// most seven, as fractions of a percentage).
pub const MAX_FIGURE_DECIMALS: u32 = 12;

/// Parse a report's text in `layout` (`path` names it in messages). Every
/// figure is range-checked: one of 10^13 or more, or with more than 12
/// decimals, is refused with its line.
pub fn parse_filing(layout: Layout, path: &Path, text: &str) -> Result<Filing> {
    let filing = parse_layout(layout, path, text)?;
    for f in &filing.figures {
        let p = &f.printed;
        if p.value.abs() >= MAX_FIGURE {
            return Err(Error::at(
                path,
                p.line,
                None,
                format!(
                    "{} is printed as {}: a figure of 10^13 or more is beyond any deal; is the report damaged?",
                    f.label, p.value
                ),
            ));
        }
        if p.decimals > MAX_FIGURE_DECIMALS {
            return Err(Error::at(
                path,
                p.line,
                None,
                format!(
                    "{} is printed with {} decimals ({}): more than the {MAX_FIGURE_DECIMALS} any report prints; is the report damaged?",
                    f.label, p.decimals, p.value
                ),
            ));
        }
    }
    Ok(filing)
}

fn parse_layout(layout: Layout, path: &Path, text: &str) -> Result<Filing> {
    match layout {
        Layout::UsBankStatement => {
            let (report, warnings) = parse(path, text)?;
            us_bank::to_filing(&report, warnings)
                .ok_or_else(|| Error::file(path, "the report prints no distribution date"))
        }
        Layout::CarmaxServicerCertificate => {
            let (cert, warnings) = carmax::parse(path, text)?;
            carmax::to_filing(cert, warnings)
                .ok_or_else(|| Error::file(path, "the certificate prints no distribution date"))
        }
    }
}

/// The report layouts the deal files can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// US Bank's "Statement to Certificateholders" (the ABSC deals).
    UsBankStatement,
    /// CarMax Auto Owner Trust servicer certificates (Form 10-D, exhibit 99.1).
    CarmaxServicerCertificate,
}

impl Layout {
    pub const ALL: [Layout; 2] = [Layout::UsBankStatement, Layout::CarmaxServicerCertificate];

    pub fn name(self) -> &'static str {
        match self {
            Layout::UsBankStatement => "us-bank-statement",
            Layout::CarmaxServicerCertificate => "carmax-servicer-certificate",
        }
    }

    /// The layout a deal file's `[report] layout` names.
    pub fn from_name(name: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The layout a report is printed in, from its first line: a CarMax
    /// servicer certificate opens with the trust's name ("CarMax Auto Owner
    /// Trust 2024-2"); anything else is read as a US Bank statement (whose
    /// parser says what it expected if it is not one).
    pub fn detect(text: &str) -> Layout {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if first
            .trim()
            .to_lowercase()
            .starts_with("carmax auto owner trust")
        {
            Layout::CarmaxServicerCertificate
        } else {
            Layout::UsBankStatement
        }
    }

    /// Parse a report in this layout and write it out, every figure with
    /// its line, as text or (`json`) as JSON, with the parser's warnings.
    pub fn render(self, path: &Path, text: &str, json: bool) -> Result<String> {
        let as_json = |report: serde_json::Value, warnings: &[Warning]| {
            let v = serde_json::json!({ "layout": self.name(), "report": report, "warnings": warnings });
            serde_json::to_string_pretty(&v).expect("serializable") + "\n"
        };
        Ok(match self {
            Layout::UsBankStatement => {
                let (parsed, warnings) = parse(path, text)?;
                if json {
                    as_json(
                        serde_json::to_value(&parsed).expect("serializable"),
                        &warnings,
                    )
                } else {
                    render::text(&parsed, &warnings)
                }
            }
            Layout::CarmaxServicerCertificate => {
                let (cert, warnings) = carmax::parse(path, text)?;
                if json {
                    as_json(
                        serde_json::to_value(&cert).expect("serializable"),
                        &warnings,
                    )
                } else {
                    carmax::render_text(&cert, &warnings)
                }
            }
        })
    }

    /// The layout's own continuity checks between two consecutive reports
    /// of one deal (`earlier`, then `later`): what the later one carries
    /// forward from the earlier one (beginning balances, the reserve,
    /// cumulative figures). Each failed check as one line naming its figures
    /// and the files they are on; none for a layout without such checks.
    pub fn sequence_breaks(self, earlier: &Filing, later: &Filing) -> Result<Vec<String>> {
        match (self, &earlier.native, &later.native) {
            (
                Layout::CarmaxServicerCertificate,
                filing::Native::Carmax(a),
                filing::Native::Carmax(b),
            ) => Ok(carmax::failed_sequence_pair(a, b)?
                .iter()
                .map(|c| c.to_string())
                .collect()),
            _ => Ok(Vec::new()),
        }
    }
}

/// A parsed trustee report.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    /// The trust's name as printed ("Asset Backed Securities Corporation, Home
    /// Equity Loan Trust, Series 2003-HE4").
    pub trust: String,
    /// The series ("2003-HE4").
    pub series: String,
    pub distribution_date: Option<NaiveDate>,
    /// Classes in the order of the distribution summary.
    pub classes: Vec<ClassRow>,
    /// The "Total" rows of the distribution summary tables.
    pub totals: ClassTotals,
    /// One-month LIBOR where the report prints it (HE2: in the rate column's
    /// total row).
    pub index_rate: Option<Printed>,
    /// Collateral per loan group, in the report's column order ("1", "2").
    pub groups: Vec<GroupCollateral>,
    /// The report's TOTAL collateral column.
    pub pool: GroupCollateral,
    /// "Agg End Coll Bal" / "Aggregate End Coll Bal".
    pub aggregate_ending_balance: Option<Printed>,
    /// "End OC Amt" / "Ending Overcollateralization Amount".
    pub ending_oc: Option<Printed>,
    /// "Num Liq Loans" / "Number of Liquidated Loans".
    pub liquidated_loans: Option<Printed>,
    /// Servicing fee: per group where printed per group (HE4), else the total (HE2).
    pub servicing_fee_by_group: Vec<Printed>,
    pub servicing_fee_total: Option<Printed>,
    pub advances_current: Option<Printed>,
    pub advances_outstanding_prior: Option<Printed>,
    /// Delinquency, foreclosure, bankruptcy and REO per group and in total.
    pub delinquency_by_group: Vec<Delinquency>,
    pub delinquency_total: Delinquency,
    pub prepayment_premiums: PrepaymentPremiums,
    /// "Current Real. Losses" / "Real. Losses incurred during the related Due P".
    pub current_realized_losses: Option<Printed>,
    /// "Cum. Real. Losses since Startup Day".
    pub cumulative_realized_losses: Option<Printed>,
    /// "Weighted Avg Term to Mat. of Mortg. Loans" (months).
    pub wam: Option<Printed>,
    /// Weighted average gross coupon, as a fraction (7.55780% is 0.0755780).
    pub wac_gross: Option<Printed>,
    /// Weighted average net coupon, as a fraction.
    pub wac_net: Option<Printed>,
    pub loan_count: Option<Printed>,
    pub oc_target: Option<Printed>,
    /// "Credit Enhancement %", as a fraction.
    pub credit_enhancement: Option<Printed>,
    pub oc_increase: Option<Printed>,
    pub oc_release: Option<Printed>,
    pub oc_deficiency: Option<Printed>,
    pub excess_oc: Option<Printed>,
    pub yield_maintenance_payment: Option<Printed>,
    pub net_monthly_excess_cash_flow: Option<Printed>,
    pub extraordinary_trust_expenses: Option<Printed>,
    /// "Trigger Event Occurrence" / "Trigger Event Occurance".
    pub trigger_event: Option<PrintedFlag>,
    pub stepdown_occurred: Option<PrintedFlag>,
    /// Other YES/NO lines ("Has Fairbanks failed the Termination Test").
    pub other_flags: Vec<(String, PrintedFlag)>,
    /// Named rates printed below the summary ("Class A-IO Net WAC Rate",
    /// "Class B-IO Cap Rate"), as fractions, with the label as printed.
    pub named_rates: Vec<(String, Printed)>,
    pub available_distribution_amount: Option<Printed>,
    pub deposit_to_net_wac_reserve_fund: Option<Printed>,
    /// Figures the layout prints in every report that this one lacks (a
    /// table cut short, a missing total row), each with where it was expected.
    pub missing: Vec<Warning>,
}

/// One class's figures from every table of the report.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ClassRow {
    pub name: String,
    pub cusip: Option<String>,
    pub original_balance: Option<Printed>,
    pub beginning_balance: Option<Printed>,
    pub principal: Option<Printed>,
    /// Pass-through rate as a fraction; `None` where the report prints N/A.
    pub rate: Option<Printed>,
    pub interest: Option<Printed>,
    /// Realized loss allocated; `None` where the report prints N/A.
    pub realized_loss: Option<Printed>,
    pub total_distribution: Option<Printed>,
    pub interest_shortfall: Option<Printed>,
    pub ending_balance: Option<Printed>,
    pub per_1000: Per1000,
    /// The "Interest Shortfall" table: total unpaid, realized losses, prepayment
    /// interest shortfall.
    pub unpaid_interest: Option<Printed>,
    pub shortfall_realized_losses: Option<Printed>,
    pub prepayment_interest_shortfall: Option<Printed>,
    /// The "RAISF / Net WAC Rate Carryover" table.
    pub relief_act_shortfall: Option<Printed>,
    pub net_wac_carryover: Option<Printed>,
}

/// Figures per $1,000 of original balance (or notional).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Per1000 {
    pub principal: Option<Printed>,
    pub interest: Option<Printed>,
    pub total: Option<Printed>,
    pub interest_carry_forward: Option<Printed>,
    pub ending_balance: Option<Printed>,
}

/// The "Total" rows of the distribution summary.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ClassTotals {
    pub original_balance: Option<Printed>,
    pub beginning_balance: Option<Printed>,
    pub principal: Option<Printed>,
    pub interest: Option<Printed>,
    pub realized_loss: Option<Printed>,
    pub total_distribution: Option<Printed>,
    pub interest_shortfall: Option<Printed>,
    pub ending_balance: Option<Printed>,
}

/// One column of the collateral table ("GROUP 1", "GROUP 2" or "TOTAL").
#[derive(Debug, Clone, Serialize, Default)]
pub struct GroupCollateral {
    /// "1", "2", or "TOTAL".
    pub name: String,
    pub beginning_balance: Option<Printed>,
    pub scheduled_principal: Option<Printed>,
    /// Prepayments in full and curtailments.
    pub prepayments: Option<Printed>,
    pub net_liquidation_proceeds: Option<Printed>,
    /// "Loan Purch Prcie" / "Loan Purch.": repurchase price of loans bought out.
    pub repurchases: Option<Printed>,
    pub principal_remittance: Option<Printed>,
    pub realized_losses: Option<Printed>,
    pub ending_balance: Option<Printed>,
    pub ending_count: Option<Printed>,
    /// Scheduled interest less servicing fee.
    pub scheduled_interest_net: Option<Printed>,
    /// "Less RAIS": Relief Act interest shortfall.
    pub relief_act_shortfall: Option<Printed>,
    /// "Less Net PPIS": net prepayment interest shortfall.
    pub prepayment_interest_shortfall: Option<Printed>,
    /// "Less Nonrecov Ad" (HE2 only).
    pub nonrecoverable_advances: Option<Printed>,
    /// The unlabelled row after the deductions: interest remitted to the trust.
    pub interest_remittance: Option<Printed>,
}

/// Reads one figure of a collateral column.
pub type CollateralField = fn(&GroupCollateral) -> &Option<Printed>;

impl GroupCollateral {
    /// Every figure of a collateral column, with a label, in print order.
    pub const FIELDS: [(&'static str, CollateralField); 14] = [
        ("beginning balance", |g| &g.beginning_balance),
        ("scheduled principal", |g| &g.scheduled_principal),
        ("prepayments", |g| &g.prepayments),
        ("net liquidation proceeds", |g| &g.net_liquidation_proceeds),
        ("repurchases", |g| &g.repurchases),
        ("principal remittance", |g| &g.principal_remittance),
        ("realized losses", |g| &g.realized_losses),
        ("ending balance", |g| &g.ending_balance),
        ("ending count", |g| &g.ending_count),
        ("scheduled interest less servicing", |g| {
            &g.scheduled_interest_net
        }),
        ("relief act shortfall", |g| &g.relief_act_shortfall),
        ("prepayment interest shortfall", |g| {
            &g.prepayment_interest_shortfall
        }),
        ("nonrecoverable advances", |g| &g.nonrecoverable_advances),
        ("interest remittance", |g| &g.interest_remittance),
    ];
}

/// Delinquency, foreclosure, bankruptcy and REO counts and balances.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Delinquency {
    pub days_30_59: Option<CountBalance>,
    pub days_60_89: Option<CountBalance>,
    pub days_90_plus: Option<CountBalance>,
    pub outstanding: Option<CountBalance>,
    pub foreclosure: Option<CountBalance>,
    pub bankruptcy: Option<CountBalance>,
    pub reo: Option<CountBalance>,
    pub reo_market_value: Option<Printed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountBalance {
    pub count: Printed,
    pub balance: Printed,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct PrepaymentPremiums {
    pub loans_collected: Option<Printed>,
    pub loans_scheduled: Option<Printed>,
    pub balance_of_loans: Option<Printed>,
    /// "Curr. amt of Prep. Prems": premiums collected this period.
    pub amount: Option<Printed>,
}

/// A YES/NO line as printed.
#[derive(Debug, Clone, Serialize)]
pub struct PrintedFlag {
    pub value: bool,
    pub line: usize,
}

/// A problem the parser noticed but survived: a total that does not foot, a
/// table with an unexpected number of rows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

impl Report {
    pub fn class(&self, name: &str) -> Option<&ClassRow> {
        self.classes.iter().find(|c| c.name == name)
    }

    pub fn group(&self, name: &str) -> Option<&GroupCollateral> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// A named rate by its printed label.
    pub fn named_rate(&self, label: &str) -> Option<&Printed> {
        self.named_rates
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(label))
            .map(|(_, p)| p)
    }
}

/// Value of an optional printed figure.
pub fn value(p: &Option<Printed>) -> Option<Decimal> {
    p.as_ref().map(|p| p.value)
}
