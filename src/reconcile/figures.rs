//! The comparison, figure by figure: ours against the report's, with the
//! tolerance each figure allows and the reason when it is not a plain match.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::deal::{ClassKind, Deal};
use crate::report::{ClassRow, Printed, Report};
use crate::waterfall::PeriodResult;

/// How a figure compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Match,
    Mismatch,
    /// The report's own figures disagree (a total that does not foot, a
    /// per-$1,000 figure that is not its amount over the original balance).
    ReportInconsistent,
    /// The report prints it; the engine does not produce it.
    NotModelled,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Match => "match",
            Status::Mismatch => "mismatch",
            Status::ReportInconsistent => "report-inconsistent",
            Status::NotModelled => "not-modelled",
        }
    }
}

/// What a figure measures, for display and tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Money,
    /// A fraction shown as a percentage.
    Rate,
    Per1000,
    /// YES (1) or NO (0).
    Flag,
}

/// One compared figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// `<CLASS>.<field>` or `deal.<field>`.
    pub id: String,
    pub unit: Unit,
    pub ours: Option<Decimal>,
    pub reported: Option<Printed>,
    /// How far ours may be from the print and still match.
    pub tolerance: Decimal,
    pub status: Status,
    /// Why the status is what it is, when that is not obvious.
    pub note: Option<String>,
}

impl Figure {
    pub fn difference(&self) -> Option<Decimal> {
        match (self.ours, &self.reported) {
            (Some(o), Some(r)) => Some(o - r.value),
            _ => None,
        }
    }

    pub fn class(&self) -> Option<&str> {
        if self.id.starts_with("deal.") {
            None
        } else {
            self.id.split_once('.').map(|(c, _)| c)
        }
    }

    pub fn field(&self) -> &str {
        self.id.split_once('.').map(|(_, f)| f).unwrap_or(&self.id)
    }
}

/// Builds the list of figures for one report.
pub struct Comparer<'a> {
    pub deal: &'a Deal,
    pub report: &'a Report,
    pub result: &'a PeriodResult<Decimal>,
    /// Dollars a money figure may differ by.
    pub tolerance: Decimal,
    pub figures: Vec<Figure>,
}

const THOUSAND: Decimal = Decimal::ONE_THOUSAND;

fn per_1000(amount: Decimal, original: Decimal) -> Decimal {
    if original.is_zero() {
        Decimal::ZERO
    } else {
        amount * THOUSAND / original
    }
}

impl<'a> Comparer<'a> {
    fn push(
        &mut self,
        id: String,
        unit: Unit,
        ours: Option<Decimal>,
        reported: &Option<Printed>,
        tolerance: Decimal,
    ) {
        let Some(rep) = reported else { return };
        let (status, note) = match ours {
            None => (Status::NotModelled, None),
            Some(o) => {
                if (o - rep.value).abs() <= tolerance {
                    (Status::Match, None)
                } else {
                    (Status::Mismatch, None)
                }
            }
        };
        self.figures.push(Figure {
            id,
            unit,
            ours,
            reported: Some(*rep),
            tolerance,
            status,
            note,
        });
    }

    /// Mark the last figure pushed as one the report contradicts itself on.
    fn inconsistent(&mut self, note: String) {
        if let Some(f) = self.figures.last_mut() {
            f.status = Status::ReportInconsistent;
            f.note = Some(note);
        }
    }

    fn not_modelled(&mut self, id: &str, unit: Unit, reported: &Option<Printed>, why: &str) {
        if reported.is_some() {
            self.push(id.to_string(), unit, None, reported, Decimal::ZERO);
            if let Some(f) = self.figures.last_mut() {
                f.note = Some(why.to_string());
            }
        }
    }

    /// Every figure the report prints that the engine produces.
    pub fn compare(mut self) -> Vec<Figure> {
        let (deal, report, r) = (self.deal, self.report, self.result);
        let tol = self.tolerance;
        let pool_beginning = r.deal.pool_beginning;
        for (k, class) in deal.classes.iter().enumerate() {
            let Some(row) = report.class(&class.name) else {
                continue;
            };
            let f = r.classes[k];
            let id = |field: &str| format!("{}.{field}", class.name);
            // The rate: the coupon paid; for the excess class the report prints
            // its distribution annualised over the beginning pool balance.
            let (rate, rate_tol) = if class.kind == ClassKind::Excess {
                (
                    (f.interest_distribution() * Decimal::from(12))
                        .checked_div(pool_beginning)
                        .unwrap_or_default(),
                    (tol * Decimal::from(12))
                        .checked_div(pool_beginning)
                        .unwrap_or_default(),
                )
            } else {
                (f.rate, Decimal::ZERO)
            };
            let half = |p: &Option<Printed>| p.as_ref().map(|p| p.half_unit()).unwrap_or_default();
            self.push(
                id("rate"),
                Unit::Rate,
                Some(rate),
                &row.rate,
                half(&row.rate) + rate_tol,
            );
            self.push(
                id("interest"),
                Unit::Money,
                Some(f.interest_distribution()),
                &row.interest,
                tol,
            );
            self.push(
                id("principal"),
                Unit::Money,
                Some(f.principal),
                &row.principal,
                tol,
            );
            self.push(
                id("realized_loss"),
                Unit::Money,
                Some(f.writedown),
                &row.realized_loss,
                tol,
            );
            self.push(
                id("interest_shortfall"),
                Unit::Money,
                Some(f.interest_shortfall()),
                &row.interest_shortfall,
                tol,
            );
            self.push(
                id("total_distribution"),
                Unit::Money,
                Some(f.total_distribution()),
                &row.total_distribution,
                tol,
            );
            self.push(
                id("ending_balance"),
                Unit::Money,
                Some(f.ending),
                &row.ending_balance,
                tol,
            );
            self.per_1000_figures(class.name.as_str(), class.original_balance, &f, row);
        }
        self.totals();
        self.deal_figures();
        self.figures
    }

    fn per_1000_figures(
        &mut self,
        name: &str,
        original: Decimal,
        f: &crate::waterfall::ClassFlows<Decimal>,
        row: &ClassRow,
    ) {
        let tol = self.tolerance;
        let report_original = row.original_balance.map(|p| p.value).unwrap_or(original);
        let figures: [(&str, Decimal, &Option<Printed>, &Option<Printed>); 4] = [
            (
                "principal_per_1000",
                f.principal,
                &row.per_1000.principal,
                &row.principal,
            ),
            (
                "interest_per_1000",
                f.interest_distribution(),
                &row.per_1000.interest,
                &row.interest,
            ),
            (
                "total_per_1000",
                f.total_distribution(),
                &row.per_1000.total,
                &row.total_distribution,
            ),
            (
                "ending_per_1000",
                f.ending,
                &row.per_1000.ending_balance,
                &row.ending_balance,
            ),
        ];
        for (field, ours, printed, amount) in figures {
            let Some(p) = printed else { continue };
            let allowance = if original.is_zero() {
                Decimal::ZERO
            } else {
                tol * THOUSAND / original
            };
            self.push(
                format!("{name}.{field}"),
                Unit::Per1000,
                Some(per_1000(ours, original)),
                printed,
                p.half_unit() + allowance,
            );
            // Does the report's per-$1,000 figure agree with its own amount?
            if let Some(a) = amount {
                let own = per_1000(a.value, report_original);
                let rounding = if report_original.is_zero() {
                    Decimal::ZERO
                } else {
                    a.half_unit() * THOUSAND / report_original
                };
                if (own - p.value).abs() > p.half_unit() + rounding {
                    self.inconsistent(format!(
                        "the report's own figures give {} per $1,000 (line {}: {} over an original balance of {})",
                        own.round_dp(5),
                        a.line,
                        a.value,
                        report_original
                    ));
                }
            }
        }
    }

    fn totals(&mut self) {
        let (deal, report, r) = (self.deal, self.report, self.result);
        let tol = self.tolerance;
        type Pick = fn(&crate::waterfall::ClassFlows<Decimal>) -> Decimal;
        type PickRow = fn(&ClassRow) -> Option<Printed>;
        let t = &report.totals;
        let rows: [(&str, &Option<Printed>, bool, Pick, PickRow); 6] = [
            (
                "total_beginning_balance",
                &t.beginning_balance,
                true,
                |f| f.beginning,
                |r| r.beginning_balance,
            ),
            (
                "total_principal",
                &t.principal,
                true,
                |f| f.principal,
                |r| r.principal,
            ),
            (
                "total_interest",
                &t.interest,
                false,
                |f| f.interest_distribution(),
                |r| r.interest,
            ),
            (
                "total_realized_loss",
                &t.realized_loss,
                true,
                |f| f.writedown,
                |r| r.realized_loss,
            ),
            (
                "total_distribution",
                &t.total_distribution,
                false,
                |f| f.total_distribution(),
                |r| r.total_distribution,
            ),
            (
                "total_ending_balance",
                &t.ending_balance,
                true,
                |f| f.ending,
                |r| r.ending_balance,
            ),
        ];
        for (field, printed, principal_only, pick, pick_row) in rows {
            let Some(p) = printed else { continue };
            let mut ours = Decimal::ZERO;
            let mut own = Decimal::ZERO;
            let mut n = 0u32;
            for (k, class) in deal.classes.iter().enumerate() {
                if principal_only && !class.kind.carries_principal() {
                    continue;
                }
                ours += pick(&r.classes[k]);
                if let Some(v) = report.class(&class.name).and_then(pick_row) {
                    own += v.value;
                    n += 1;
                }
            }
            // Summed from n printed rows, each rounded to the dollar: the total
            // may be off by half a dollar for every row beyond the first.
            let allowance = Decimal::new(5, 1) * Decimal::from(n.max(1) - 1);
            self.push(
                format!("deal.{field}"),
                Unit::Money,
                Some(ours),
                printed,
                tol + allowance,
            );
            let rounding = Decimal::new(5, 1) * Decimal::from(n.max(1));
            if (own - p.value).abs() > rounding {
                self.inconsistent(format!(
                    "the total on line {} does not foot: the class rows it covers add up to {}, {} more than the total",
                    p.line,
                    crate::format::dollars(own),
                    crate::format::dollars(own - p.value)
                ));
            }
        }
        if let Some(p) = &t.original_balance {
            let ours: Decimal = deal
                .classes
                .iter()
                .filter(|c| c.kind.carries_principal())
                .map(|c| c.original_balance)
                .sum();
            self.push(
                "deal.total_original_balance".into(),
                Unit::Money,
                Some(ours),
                &Some(*p),
                tol,
            );
        }
    }

    fn deal_figures(&mut self) {
        let (deal, report, r) = (self.deal, self.report, self.result);
        let d = &r.deal;
        let tol = self.tolerance;
        let flag = |b: bool| Some(if b { Decimal::ONE } else { Decimal::ZERO });
        let printed_flag = |f: &Option<crate::report::PrintedFlag>| {
            f.as_ref().map(|f| Printed {
                value: if f.value { Decimal::ONE } else { Decimal::ZERO },
                decimals: 0,
                line: f.line,
            })
        };
        if let Some(oc) = &deal.oc
            && let Some(x) = report.class(&deal.classes[oc.holder].name)
        {
            self.push(
                "deal.beginning_oc".into(),
                Unit::Money,
                Some(d.oc_beginning),
                &x.beginning_balance,
                tol,
            );
        }
        self.push(
            "deal.ending_oc".into(),
            Unit::Money,
            Some(d.oc_ending),
            &report.ending_oc,
            tol,
        );
        self.push(
            "deal.oc_target".into(),
            Unit::Money,
            Some(d.oc_target),
            &report.oc_target,
            tol,
        );
        self.push(
            "deal.oc_deficiency".into(),
            Unit::Money,
            Some(d.oc_deficiency),
            &report.oc_deficiency,
            tol,
        );
        self.push(
            "deal.oc_increase".into(),
            Unit::Money,
            Some((d.oc_ending - d.oc_beginning).max(Decimal::ZERO)),
            &report.oc_increase,
            tol,
        );
        self.push(
            "deal.oc_release".into(),
            Unit::Money,
            Some(d.oc_release),
            &report.oc_release,
            tol,
        );
        self.push(
            "deal.excess_oc".into(),
            Unit::Money,
            Some(d.excess_oc),
            &report.excess_oc,
            tol,
        );
        let excess = if deal.report.excess_cash_flow_after_extra_principal {
            d.excess_after_extra_principal
        } else {
            d.excess_before_extra_principal
        };
        self.push(
            "deal.net_monthly_excess_cash_flow".into(),
            Unit::Money,
            Some(excess),
            &report.net_monthly_excess_cash_flow,
            tol,
        );
        let pool_end = d.pool_ending;
        let ce_tol = report
            .credit_enhancement
            .map(|p| p.half_unit())
            .unwrap_or_default()
            + tol.checked_div(pool_end).unwrap_or_default();
        self.push(
            "deal.credit_enhancement".into(),
            Unit::Rate,
            Some(d.credit_enhancement),
            &report.credit_enhancement,
            ce_tol,
        );
        self.push(
            "deal.available_distribution_amount".into(),
            Unit::Money,
            Some(d.available),
            &report.available_distribution_amount,
            tol,
        );
        self.push(
            "deal.pool_ending_balance".into(),
            Unit::Money,
            Some(pool_end),
            &report.pool.ending_balance,
            tol,
        );
        self.push(
            "deal.aggregate_ending_balance".into(),
            Unit::Money,
            Some(pool_end),
            &report.aggregate_ending_balance,
            tol,
        );
        for (g, group) in deal.groups.iter().enumerate() {
            if let Some(rg) = report.group(&group.name) {
                let ours = self.result_group_ending(g);
                self.push(
                    format!("deal.group_{}_ending_balance", group.name),
                    Unit::Money,
                    Some(ours),
                    &rg.ending_balance,
                    tol,
                );
            }
        }
        let rate_tol = (tol * Decimal::from(12))
            .checked_div(d.pool_beginning)
            .unwrap_or_default();
        for (j, rate) in deal.rates.iter().enumerate() {
            let Some(label) = &rate.report_label else {
                continue;
            };
            let printed = report.named_rate(label).copied();
            let half = printed.map(|p| p.half_unit()).unwrap_or_default();
            self.push(
                format!("deal.{}", slug(&rate.name)),
                Unit::Rate,
                Some(r.rates[j]),
                &printed,
                half + rate_tol,
            );
        }
        for (label, printed) in &report.named_rates {
            if !deal.rates.iter().any(|r| {
                r.report_label
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(label))
            }) {
                self.not_modelled(
                    &format!("deal.{}", slug(label)),
                    Unit::Rate,
                    &Some(*printed),
                    "the deal file defines no rate with this report_label",
                );
            }
        }
        self.push(
            "deal.trigger_event".into(),
            Unit::Flag,
            flag(d.trigger),
            &printed_flag(&report.trigger_event),
            Decimal::ZERO,
        );
        self.push(
            "deal.stepdown_occurred".into(),
            Unit::Flag,
            flag(d.stepdown),
            &printed_flag(&report.stepdown_occurred),
            Decimal::ZERO,
        );
        self.push(
            "deal.deposit_to_net_wac_reserve_fund".into(),
            Unit::Money,
            Some(d.basis_risk_paid),
            &report.deposit_to_net_wac_reserve_fund,
            tol,
        );
        self.not_modelled(
            "deal.yield_maintenance_payment",
            Unit::Money,
            &report.yield_maintenance_payment,
            "no yield maintenance agreement is modelled",
        );
        self.not_modelled(
            "deal.extraordinary_trust_expenses",
            Unit::Money,
            &report.extraordinary_trust_expenses,
            "extraordinary expenses are not modelled",
        );
        let fee = report.servicing_fee_total.or_else(|| {
            (!report.servicing_fee_by_group.is_empty()).then(|| Printed {
                value: report.servicing_fee_by_group.iter().map(|p| p.value).sum(),
                decimals: 0,
                line: report.servicing_fee_by_group[0].line,
            })
        });
        self.not_modelled(
            "deal.servicing_fee",
            Unit::Money,
            &fee,
            "the servicer keeps its fee before it remits; the waterfall starts from the net interest remittance",
        );
    }

    fn result_group_ending(&self, g: usize) -> Decimal {
        self.report
            .group(&self.deal.groups[g].name)
            .map(|rg| {
                let v = |p: &Option<Printed>| p.map(|p| p.value).unwrap_or_default();
                v(&rg.beginning_balance)
                    - v(&rg.scheduled_principal)
                    - v(&rg.prepayments)
                    - v(&rg.net_liquidation_proceeds)
                    - v(&rg.repurchases)
                    - v(&rg.realized_losses)
            })
            .unwrap_or_default()
    }
}

/// `A-IO Net WAC Rate` -> `a_io_net_wac_rate`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words() {
        assert_eq!(slug("Class A-IO Net WAC Rate"), "class_a_io_net_wac_rate");
        assert_eq!(slug("B-IO Cap Rate"), "b_io_cap_rate");
    }
}
