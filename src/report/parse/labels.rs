//! What the report's labels and headers mean: the class tables by their
//! column headers, collateral and delinquency rows and single figures by their
//! label prefixes (which differ between reports and are cut at a fixed width),
//! `GROUP n ... TOTAL` column headers, and YES/NO flags.

use super::text::Line;
use crate::report::{
    ClassRow, CountBalance, Delinquency, GroupCollateral, Printed, PrintedFlag, Report,
};

// ---- class tables --------------------------------------------------------

/// One figure of a class, as stored from a table.
pub(super) type ClassFigure = fn(&ClassRow) -> Option<Printed>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Table {
    RateInterest,
    LossTotal,
    ShortfallEnding,
    Cusip,
    Per1000Interest,
    CarryForward,
    Shortfalls,
    Raisf,
}

impl Table {
    const ALL: [Table; 8] = [
        Table::RateInterest,
        Table::LossTotal,
        Table::ShortfallEnding,
        Table::Cusip,
        Table::Per1000Interest,
        Table::CarryForward,
        Table::Shortfalls,
        Table::Raisf,
    ];

    /// The table whose header line (normalized) this is.
    pub(super) fn at(norm: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| match t {
            Table::Shortfalls => norm == "interest shortfall",
            Table::Raisf => norm.starts_with("raisf"),
            _ => t
                .headers()
                .iter()
                .any(|h| norm == *h || norm.strip_prefix("class ") == Some(h)),
        })
    }

    /// Header texts without the leading "Class" (HE2 leaves it out).
    pub(super) fn headers(self) -> &'static [&'static str] {
        match self {
            Table::RateInterest => &["rate int"],
            Table::LossTotal => &["loss total dist"],
            Table::ShortfallEnding => &["int short end bal"],
            Table::Cusip => &["cusip prin"],
            Table::Per1000Interest => &["int total"],
            Table::CarryForward => &["amount end bal"],
            Table::Shortfalls | Table::Raisf => &[],
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Table::RateInterest => "rate/interest table",
            Table::LossTotal => "loss/total distribution table",
            Table::ShortfallEnding => "interest shortfall/ending balance table",
            Table::Cusip => "per-$1,000 principal (CUSIP) table",
            Table::Per1000Interest => "per-$1,000 interest/total table",
            Table::CarryForward => "per-$1,000 carry-forward/ending balance table",
            Table::Shortfalls => "interest shortfall table",
            Table::Raisf => "RAISF/net WAC rate carryover table",
        }
    }

    /// The table's name and header, for an error.
    pub(super) fn describe(self) -> String {
        let header = match self {
            Table::RateInterest => "Class  Rate  Int",
            Table::LossTotal => "Class  Loss  Total Dist",
            Table::ShortfallEnding => "Class  Int Short  End Bal",
            Table::Cusip => "Class  Cusip  Prin",
            Table::Per1000Interest => "Class  Int  Total",
            Table::CarryForward => "Class  Amount  End Bal",
            Table::Shortfalls => "Interest Shortfall",
            Table::Raisf => "RAISF  WAC Rate",
        };
        format!("the {} (\"{header}\")", self.name())
    }

    pub(super) fn columns(self) -> usize {
        match self {
            Table::Cusip => 1,
            Table::Shortfalls => 3,
            _ => 2,
        }
    }

    /// Words before the figures: the label, and in the CUSIP table the CUSIP.
    pub(super) fn texts(self) -> usize {
        if self == Table::Cusip { 2 } else { 1 }
    }

    /// Column headings printed over several lines below the detected one.
    pub(super) fn has_heading_lines(self) -> bool {
        matches!(self, Table::Shortfalls | Table::Raisf)
    }

    /// Tables that list every class of the summary, so a missing one is worth
    /// a warning (the shortfall tables leave out R; HE2's carry-forward table
    /// leaves out B-IO).
    pub(super) fn lists_every_class(self) -> bool {
        matches!(
            self,
            Table::RateInterest | Table::LossTotal | Table::ShortfallEnding | Table::Cusip
        )
    }
}

/// Figures padded on the left with blanks to `columns`; `None` if too many.
pub(super) fn right_aligned(
    figures: &[Option<Printed>],
    columns: usize,
) -> Option<Vec<Option<Printed>>> {
    let blanks = columns.checked_sub(figures.len())?;
    let mut out = vec![None; blanks];
    out.extend_from_slice(figures);
    Some(out)
}

pub(super) fn same_class(a: &str, b: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    };
    squash(a) == squash(b)
}

pub(super) fn series_in(tokens: &[&str]) -> Option<String> {
    let k = tokens
        .iter()
        .position(|t| t.eq_ignore_ascii_case("series"))?;
    let s = tokens
        .get(k + 1)?
        .trim_end_matches([',', '.', ';', ':', ')']);
    (!s.is_empty()).then(|| s.to_string())
}

// ---- group columns ----------------------------------------------------------

#[derive(Clone, Copy, Debug)]
pub(super) enum Column {
    Group(usize),
    Total,
}

pub(super) enum ColumnName {
    Group(String),
    Total,
}

/// `GROUP 1  GROUP 2  TOTAL`, `GROUP 1  GROUP 2`, `GROUP 1`, `TOTAL`.
pub(super) fn group_header(tokens: &[&str]) -> Option<Vec<ColumnName>> {
    let mut names = Vec::new();
    let mut rest = tokens;
    while let Some((first, tail)) = rest.split_first() {
        if first.eq_ignore_ascii_case("total") {
            names.push(ColumnName::Total);
            rest = tail;
        } else if first.eq_ignore_ascii_case("group") {
            let (name, tail) = tail.split_first()?;
            names.push(ColumnName::Group(name.to_string()));
            rest = tail;
        } else {
            return None;
        }
    }
    (!names.is_empty()).then_some(names)
}

/// A collateral table row, by label prefix (HE4 / HE2 spelling).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum CollField {
    BeginningBalance,
    ScheduledPrincipal,
    Prepayments,
    NetLiquidationProceeds,
    Repurchases,
    PrincipalRemittance,
    RealizedLosses,
    EndingBalance,
    EndingCount,
    ScheduledInterest,
    ReliefAct,
    Ppis,
    Nonrecoverable,
    InterestRemittance,
}

impl CollField {
    const LABELLED: [(CollField, &'static [&'static str]); 13] = [
        (CollField::BeginningBalance, &["beg bal", "beginning bal"]),
        (
            CollField::ScheduledPrincipal,
            &["sched prin", "scheduled p"],
        ),
        (CollField::Prepayments, &["prepay", "prep (incl", "prep+"]),
        (CollField::NetLiquidationProceeds, &["net liq pro"]),
        (CollField::Repurchases, &["loan purch"]),
        (
            CollField::PrincipalRemittance,
            &["tot prin remit", "total prin"],
        ),
        (CollField::RealizedLosses, &["net real"]),
        (CollField::EndingBalance, &["end bal", "ending bal"]),
        (CollField::EndingCount, &["end count", "ending count"]),
        // "Sched Int-less serv" / "Sched In(Net Ser"
        (CollField::ScheduledInterest, &["sched in"]),
        (CollField::ReliefAct, &["less rais"]),
        (CollField::Ppis, &["less net ppis", "less ppis"]),
        (CollField::Nonrecoverable, &["less nonrecov"]),
    ];

    pub(super) fn of(label: &str) -> Option<CollField> {
        CollField::LABELLED
            .iter()
            .find(|(_, prefixes)| prefixes.iter().any(|p| label.starts_with(p)))
            .map(|(f, _)| *f)
    }

    pub(super) fn is_interest(self) -> bool {
        matches!(
            self,
            CollField::ScheduledInterest
                | CollField::ReliefAct
                | CollField::Ppis
                | CollField::Nonrecoverable
        )
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            CollField::BeginningBalance => "Beg Bal",
            CollField::ScheduledPrincipal => "Sched Prin",
            CollField::Prepayments => "Prepays+Curts",
            CollField::NetLiquidationProceeds => "Net Liq Proc",
            CollField::Repurchases => "Loan Purch",
            CollField::PrincipalRemittance => "Tot Prin Remit",
            CollField::RealizedLosses => "Net Real Losses",
            CollField::EndingBalance => "End Bal",
            CollField::EndingCount => "End Count",
            CollField::ScheduledInterest => "Sched Int-less serv",
            CollField::ReliefAct => "Less RAIS",
            CollField::Ppis => "Less Net PPIS",
            CollField::Nonrecoverable => "Less Nonrecov Ad",
            CollField::InterestRemittance => "interest remittance",
        }
    }

    pub(super) fn slot(self, g: &mut GroupCollateral) -> &mut Option<Printed> {
        match self {
            CollField::BeginningBalance => &mut g.beginning_balance,
            CollField::ScheduledPrincipal => &mut g.scheduled_principal,
            CollField::Prepayments => &mut g.prepayments,
            CollField::NetLiquidationProceeds => &mut g.net_liquidation_proceeds,
            CollField::Repurchases => &mut g.repurchases,
            CollField::PrincipalRemittance => &mut g.principal_remittance,
            CollField::RealizedLosses => &mut g.realized_losses,
            CollField::EndingBalance => &mut g.ending_balance,
            CollField::EndingCount => &mut g.ending_count,
            CollField::ScheduledInterest => &mut g.scheduled_interest_net,
            CollField::ReliefAct => &mut g.relief_act_shortfall,
            CollField::Ppis => &mut g.prepayment_interest_shortfall,
            CollField::Nonrecoverable => &mut g.nonrecoverable_advances,
            CollField::InterestRemittance => &mut g.interest_remittance,
        }
    }
}

/// A delinquency, foreclosure, bankruptcy or REO row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum DelinquencyField {
    Days30,
    Days60,
    Days90,
    Outstanding,
    Foreclosure,
    Bankruptcy,
    Reo,
}

impl DelinquencyField {
    pub(super) fn of(label: &str) -> Option<DelinquencyField> {
        let f = if label.starts_with("30-59") {
            DelinquencyField::Days30
        } else if label.starts_with("60-89") {
            DelinquencyField::Days60
        } else if label.starts_with("90 +") || label.starts_with("90+") {
            DelinquencyField::Days90
        } else if label.starts_with("outstanding loan") || label.starts_with("out loans") {
            DelinquencyField::Outstanding
        } else if label.starts_with("foreclosure") {
            DelinquencyField::Foreclosure
        } else if label.starts_with("bankruptcy") {
            DelinquencyField::Bankruptcy
        } else if label == "reo" {
            DelinquencyField::Reo
        } else {
            return None;
        };
        Some(f)
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            DelinquencyField::Days30 => "30-59 days",
            DelinquencyField::Days60 => "60-89 days",
            DelinquencyField::Days90 => "90 + days",
            DelinquencyField::Outstanding => "Outstanding Loan",
            DelinquencyField::Foreclosure => "Foreclosure",
            DelinquencyField::Bankruptcy => "Bankruptcy",
            DelinquencyField::Reo => "REO",
        }
    }

    pub(super) fn slot(self, d: &mut Delinquency) -> &mut Option<CountBalance> {
        match self {
            DelinquencyField::Days30 => &mut d.days_30_59,
            DelinquencyField::Days60 => &mut d.days_60_89,
            DelinquencyField::Days90 => &mut d.days_90_plus,
            DelinquencyField::Outstanding => &mut d.outstanding,
            DelinquencyField::Foreclosure => &mut d.foreclosure,
            DelinquencyField::Bankruptcy => &mut d.bankruptcy,
            DelinquencyField::Reo => &mut d.reo,
        }
    }
}

// ---- single figures and flags ----------------------------------------------

pub(super) type Slot = fn(&mut Report) -> &mut Option<Printed>;
pub(super) type LabelTest = fn(&str) -> bool;

/// Labelled single figures: a test on the normalized label (lower case, dots
/// as spaces), what the figure is, and where it goes. Labels differ between
/// reports and are cut at a fixed width, so tests are on prefixes or words.
pub(super) const SCALARS: &[(LabelTest, &str, Slot)] = &[
    (
        |l| l.starts_with("agg end coll bal") || l.starts_with("aggregate end coll bal"),
        "aggregate ending collateral balance",
        |r| &mut r.aggregate_ending_balance,
    ),
    (
        |l| l.starts_with("end oc amt") || l.starts_with("ending overcollateralization"),
        "ending O/C amount",
        |r| &mut r.ending_oc,
    ),
    (
        |l| l.starts_with("num liq loans") || l.starts_with("number of liquidated loans"),
        "number of liquidated loans",
        |r| &mut r.liquidated_loans,
    ),
    (
        |l| l.starts_with("curr agg adv"),
        "current aggregate advances",
        |r| &mut r.advances_current,
    ),
    (
        |l| l.starts_with("out agg adv"),
        "outstanding aggregate advances",
        |r| &mut r.advances_outstanding_prior,
    ),
    (
        |l| l.starts_with("num") && l.contains("loans") && l.contains("prem") && l.contains("coll"),
        "number of loans with prepayment premiums collected",
        |r| &mut r.prepayment_premiums.loans_collected,
    ),
    (
        // HE2 truncates it to "Number of Loans for which Prepayment Premiums".
        |l| l.starts_with("num") && l.contains("loans") && l.contains("prem"),
        "number of loans with prepayment premiums scheduled",
        |r| &mut r.prepayment_premiums.loans_scheduled,
    ),
    (
        |l| l.starts_with("prin") && l.contains("loans") && l.contains("prem"),
        "principal balance of loans with prepayment premiums",
        |r| &mut r.prepayment_premiums.balance_of_loans,
    ),
    (
        |l| l.starts_with("curr amt of prep") || (l.contains("amt") && l.contains("prem")),
        "prepayment premiums collected",
        |r| &mut r.prepayment_premiums.amount,
    ),
    (
        |l| l.starts_with("current real losses") || l.starts_with("real losses incurred"),
        "current realized losses",
        |r| &mut r.current_realized_losses,
    ),
    (
        |l| l.starts_with("cum real losses"),
        "cumulative realized losses",
        |r| &mut r.cumulative_realized_losses,
    ),
    (
        |l| l.starts_with("weighted avg term"),
        "weighted average term to maturity",
        |r| &mut r.wam,
    ),
    (
        |l| l.starts_with("weighted avg gross"),
        "weighted average gross coupon",
        |r| &mut r.wac_gross,
    ),
    (
        |l| l.starts_with("weighted avg net"),
        "weighted average net coupon",
        |r| &mut r.wac_net,
    ),
    (
        |l| l.starts_with("agg num of mortg loans"),
        "number of mortgage loans",
        |r| &mut r.loan_count,
    ),
    (
        |l| l.starts_with("o/c target"),
        "O/C target",
        |r| &mut r.oc_target,
    ),
    (
        |l| l.starts_with("credit enhancement"),
        "credit enhancement",
        |r| &mut r.credit_enhancement,
    ),
    (
        |l| l.starts_with("o/c increase"),
        "O/C increase",
        |r| &mut r.oc_increase,
    ),
    (
        |l| l.starts_with("o/c release"),
        "O/C release",
        |r| &mut r.oc_release,
    ),
    (
        |l| l.starts_with("o/c deficiency"),
        "O/C deficiency",
        |r| &mut r.oc_deficiency,
    ),
    (
        |l| l.starts_with("excess o/c"),
        "excess O/C",
        |r| &mut r.excess_oc,
    ),
    (
        |l| l.starts_with("pmt from yield maint"),
        "payment from the yield maintenance agreement",
        |r| &mut r.yield_maintenance_payment,
    ),
    (
        |l| l.starts_with("net monthly excess cash flow"),
        "net monthly excess cash flow",
        |r| &mut r.net_monthly_excess_cash_flow,
    ),
    (
        |l| l.starts_with("extra ordinary trust") || l.starts_with("extraordinary trust"),
        "extraordinary trust fund expenses",
        |r| &mut r.extraordinary_trust_expenses,
    ),
    (
        |l| l.starts_with("available distribution amount"),
        "available distribution amount",
        |r| &mut r.available_distribution_amount,
    ),
    (
        |l| l.starts_with("deposit to net wac reserve"),
        "deposit to the net WAC reserve fund",
        |r| &mut r.deposit_to_net_wac_reserve_fund,
    ),
];

/// A line ending in YES or NO, with a label before it.
pub(super) fn flag_of(line: &Line) -> Option<PrintedFlag> {
    let (last, label) = line.tokens.split_last()?;
    if label.is_empty() {
        return None;
    }
    let value = if last.eq_ignore_ascii_case("yes") {
        true
    } else if last.eq_ignore_ascii_case("no") {
        false
    } else {
        return None;
    };
    Some(PrintedFlag {
        value,
        line: line.no,
    })
}
