//! Footing checks: does a printed total equal the figures it sums? Trustee
//! reports round every figure they print, so a total may differ from the sum
//! of its printed parts by up to half a dollar per summed figure. A larger
//! difference is the trustee's error; it is reported as a warning, never fixed.

use rust_decimal::Decimal;

use super::text::fmt_amount;
use crate::report::{
    ClassRow, ClassTotals, CountBalance, Delinquency, GroupCollateral, Printed, Report, Warning,
};

/// Compare a printed total with the sum of signed parts (a subtracted figure
/// is passed negated). Nothing to say if the total or every part is missing,
/// or if the sum overflows.
pub(super) fn foot(
    what: &str,
    total: Option<&Printed>,
    parts: &[Printed],
    parts_desc: &str,
) -> Option<Warning> {
    let total = total?;
    if parts.is_empty() {
        return None;
    }
    let mut sum = Decimal::ZERO;
    for p in parts {
        sum = sum.checked_add(p.value)?;
    }
    let difference = sum.checked_sub(total.value)?;
    let tolerance = Decimal::new(5, 1).checked_mul(Decimal::from(parts.len()))?;
    if difference.abs() <= tolerance {
        return None;
    }
    Some(Warning {
        line: total.line,
        message: format!(
            "{what} {} does not foot: {parts_desc} sum to {} (difference {})",
            fmt_amount(total.value),
            fmt_amount(sum),
            fmt_amount(difference)
        ),
    })
}

fn negated(p: &Printed) -> Printed {
    Printed {
        value: -p.value,
        ..*p
    }
}

/// A column of the distribution summary and its "Total" row.
#[derive(Clone, Copy)]
pub(super) enum ClassColumn {
    Original,
    Beginning,
    Principal,
    Interest,
    RealizedLoss,
    TotalDistribution,
    InterestShortfall,
    Ending,
}

impl ClassColumn {
    fn name(self) -> &'static str {
        match self {
            ClassColumn::Original => "total original balance",
            ClassColumn::Beginning => "total beginning balance",
            ClassColumn::Principal => "total principal",
            ClassColumn::Interest => "total interest",
            ClassColumn::RealizedLoss => "total realized loss",
            ClassColumn::TotalDistribution => "total distribution",
            ClassColumn::InterestShortfall => "total interest shortfall",
            ClassColumn::Ending => "total ending balance",
        }
    }

    fn total(self, t: &ClassTotals) -> Option<&Printed> {
        match self {
            ClassColumn::Original => t.original_balance.as_ref(),
            ClassColumn::Beginning => t.beginning_balance.as_ref(),
            ClassColumn::Principal => t.principal.as_ref(),
            ClassColumn::Interest => t.interest.as_ref(),
            ClassColumn::RealizedLoss => t.realized_loss.as_ref(),
            ClassColumn::TotalDistribution => t.total_distribution.as_ref(),
            ClassColumn::InterestShortfall => t.interest_shortfall.as_ref(),
            ClassColumn::Ending => t.ending_balance.as_ref(),
        }
    }

    fn of(self, c: &ClassRow) -> Option<&Printed> {
        match self {
            ClassColumn::Original => c.original_balance.as_ref(),
            ClassColumn::Beginning => c.beginning_balance.as_ref(),
            ClassColumn::Principal => c.principal.as_ref(),
            ClassColumn::Interest => c.interest.as_ref(),
            ClassColumn::RealizedLoss => c.realized_loss.as_ref(),
            ClassColumn::TotalDistribution => c.total_distribution.as_ref(),
            ClassColumn::InterestShortfall => c.interest_shortfall.as_ref(),
            ClassColumn::Ending => c.ending_balance.as_ref(),
        }
    }

    /// Balance and principal totals cover only the certificates that carry
    /// principal; interest and distribution totals cover every class.
    fn principal_only(self) -> bool {
        matches!(
            self,
            ClassColumn::Original
                | ClassColumn::Beginning
                | ClassColumn::Principal
                | ClassColumn::Ending
        )
    }
}

/// Interest-only classes (A-IO, A-IO-INV, B-IO), X and R carry no principal.
pub(super) fn carries_principal(class: &str) -> bool {
    !(class.to_ascii_uppercase().contains("IO")
        || class.eq_ignore_ascii_case("X")
        || class.eq_ignore_ascii_case("R"))
}

/// Foot a "Total" row of the distribution summary against its class rows.
pub(super) fn class_column(report: &Report, column: ClassColumn) -> Option<Warning> {
    let parts: Vec<Printed> = report
        .classes
        .iter()
        .filter(|c| !column.principal_only() || carries_principal(&c.name))
        .filter_map(|c| column.of(c).copied())
        .collect();
    let desc = if column.principal_only() {
        "the rows of the classes that carry principal"
    } else {
        "the class rows"
    };
    foot(column.name(), column.total(&report.totals), &parts, desc)
}

/// Footing checks of the collateral table and of the delinquency blocks: each
/// group's principal remittance, ending balance and interest remittance, and
/// the TOTAL column against the sum of the groups.
pub(super) fn collateral(report: &Report) -> Vec<Warning> {
    let mut out = Vec::new();
    for g in report.groups.iter().chain(std::iter::once(&report.pool)) {
        out.extend(collateral_column(g));
    }
    out.extend(pool_is_sum_of_groups(report));
    out.extend(delinquency_total_is_sum_of_groups(report));
    out
}

fn column_name(g: &GroupCollateral) -> String {
    if g.name.eq_ignore_ascii_case("total") {
        "TOTAL".to_string()
    } else {
        format!("group {}", g.name)
    }
}

fn collateral_column(g: &GroupCollateral) -> Vec<Warning> {
    let mut out = Vec::new();
    let name = column_name(g);
    if let (Some(s), Some(p), Some(l), Some(r)) = (
        &g.scheduled_principal,
        &g.prepayments,
        &g.net_liquidation_proceeds,
        &g.repurchases,
    ) {
        out.extend(foot(
            &format!("{name} principal remittance"),
            g.principal_remittance.as_ref(),
            &[*s, *p, *l, *r],
            "scheduled principal + prepayments + net liquidation proceeds + repurchases",
        ));
    }
    if let (Some(b), Some(r), Some(l)) = (
        &g.beginning_balance,
        &g.principal_remittance,
        &g.realized_losses,
    ) {
        out.extend(foot(
            &format!("{name} ending balance"),
            g.ending_balance.as_ref(),
            &[*b, negated(r), negated(l)],
            "beginning balance - principal remittance - realized losses",
        ));
    }
    if let Some(s) = &g.scheduled_interest_net {
        let mut parts = vec![*s];
        parts.extend(
            [
                &g.relief_act_shortfall,
                &g.prepayment_interest_shortfall,
                &g.nonrecoverable_advances,
            ]
            .into_iter()
            .flatten()
            .map(negated),
        );
        out.extend(foot(
            &format!("{name} interest remittance"),
            g.interest_remittance.as_ref(),
            &parts,
            "scheduled interest less the deductions",
        ));
    }
    out
}

/// Every group's figure, or `None` if a group lacks it.
fn of_all_groups(
    groups: &[GroupCollateral],
    f: impl Fn(&GroupCollateral) -> Option<Printed>,
) -> Option<Vec<Printed>> {
    groups.iter().map(f).collect()
}

fn pool_is_sum_of_groups(report: &Report) -> Vec<Warning> {
    const FIELDS: [(&str, crate::report::CollateralField); 14] = GroupCollateral::FIELDS;
    let mut out = Vec::new();
    if report.groups.is_empty() {
        return out;
    }
    for (what, field) in FIELDS {
        if let Some(parts) = of_all_groups(&report.groups, |g| *field(g)) {
            out.extend(foot(
                &format!("TOTAL {what}"),
                field(&report.pool).as_ref(),
                &parts,
                "the groups",
            ));
        }
    }
    out
}

fn delinquency_total_is_sum_of_groups(report: &Report) -> Vec<Warning> {
    type Field = fn(&Delinquency) -> &Option<CountBalance>;
    const FIELDS: [(&str, Field); 7] = [
        ("30-59 days", |d| &d.days_30_59),
        ("60-89 days", |d| &d.days_60_89),
        ("90+ days", |d| &d.days_90_plus),
        ("outstanding loans", |d| &d.outstanding),
        ("foreclosure", |d| &d.foreclosure),
        ("bankruptcy", |d| &d.bankruptcy),
        ("REO", |d| &d.reo),
    ];
    let mut out = Vec::new();
    let groups = &report.delinquency_by_group;
    if groups.is_empty() {
        return out;
    }
    let total = &report.delinquency_total;
    for (what, field) in FIELDS {
        let parts: Option<Vec<&CountBalance>> = groups.iter().map(|d| field(d).as_ref()).collect();
        if let (Some(parts), Some(t)) = (parts, field(total)) {
            let counts: Vec<Printed> = parts.iter().map(|cb| cb.count).collect();
            let balances: Vec<Printed> = parts.iter().map(|cb| cb.balance).collect();
            out.extend(foot(
                &format!("TOTAL {what} count"),
                Some(&t.count),
                &counts,
                "the groups",
            ));
            out.extend(foot(
                &format!("TOTAL {what} balance"),
                Some(&t.balance),
                &balances,
                "the groups",
            ));
        }
    }
    let values: Option<Vec<Printed>> = groups.iter().map(|d| d.reo_market_value).collect();
    if let Some(values) = values {
        out.extend(foot(
            "TOTAL REO market value",
            total.reo_market_value.as_ref(),
            &values,
            "the groups",
        ));
    }
    out
}
