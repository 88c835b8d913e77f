//! US Bank's "Statement to Certificateholders" as typed figures: the parsed
//! [`Report`] mapped to figure paths, with the report's own inconsistencies
//! (totals that do not foot, per-$1,000 figures that are not their amounts
//! over the original balance) and damaged figures (printed with fewer
//! decimals than their column) marked.

use rust_decimal::Decimal;

use super::filing::{FigurePath, Filing, FilingFigure, Missing, Subject};
use super::{ClassRow, GroupCollateral, Layout, Printed, Report, Warning};

/// Percentages in this layout carry at least five decimals in percent
/// (seven as fractions); per-$1,000 figures five.
const RATE_DECIMALS: u32 = 7;
const PER_1000_DECIMALS: u32 = 5;

struct Out {
    figures: Vec<FilingFigure>,
}

impl Out {
    fn push(&mut self, path: FigurePath, p: &Option<Printed>, label: &str) {
        if let Some(p) = p {
            self.figures.push(FilingFigure::new(path, *p, label));
        }
    }

    fn last(&mut self) -> Option<&mut FilingFigure> {
        self.figures.last_mut()
    }
}

fn group_path(name: &str) -> Subject {
    if name == "TOTAL" {
        Subject::Pool
    } else {
        Subject::Group(name.to_string())
    }
}

/// The report as figures.
pub fn to_filing(report: &Report, warnings: Vec<Warning>) -> Option<Filing> {
    let date = report.distribution_date?;
    let mut out = Out {
        figures: Vec::new(),
    };
    for row in &report.classes {
        class_figures(&mut out, row);
    }
    totals(&mut out, report);
    if let Some(p) = &report.index_rate {
        out.push(
            FigurePath::deal("index"),
            &Some(*p),
            "one-month LIBOR (rate column total)",
        );
    }
    for g in report.groups.iter().chain(std::iter::once(&report.pool)) {
        collateral(&mut out, g);
    }
    delinquency(&mut out, report);
    scalars(&mut out, report);
    damaged(&mut out.figures);
    let missing = report
        .missing
        .iter()
        .map(|w| Missing {
            path: FigurePath::deal("report"),
            line: w.line,
            why: w.message.clone(),
        })
        .collect();
    Some(Filing {
        layout: Layout::UsBankStatement,
        trust: report.trust.clone(),
        series: (!report.series.is_empty()).then(|| report.series.clone()),
        date,
        collection_period: None,
        figures: out.figures,
        missing,
        warnings,
        native: super::filing::Native::None,
    })
}

fn class_figures(out: &mut Out, row: &ClassRow) {
    let c = |f: &str| FigurePath::class(&row.name, f);
    let fields: [(&str, &Option<Printed>, &str); 14] = [
        ("original_balance", &row.original_balance, "Orig Bal"),
        ("beginning_balance", &row.beginning_balance, "Beg Bal"),
        ("principal", &row.principal, "Prin"),
        ("rate", &row.rate, "Rate"),
        ("interest", &row.interest, "Int"),
        ("realized_loss", &row.realized_loss, "Loss"),
        ("total_distribution", &row.total_distribution, "Total Dist"),
        ("interest_shortfall", &row.interest_shortfall, "Int Short"),
        ("ending_balance", &row.ending_balance, "End Bal"),
        (
            "unpaid_interest",
            &row.unpaid_interest,
            "Tot Unpaid (Interest Shortfall)",
        ),
        (
            "realized_loss_interest_shortfall",
            &row.shortfall_realized_losses,
            "Real Losses (Interest Shortfall)",
        ),
        (
            "prepayment_interest_shortfall",
            &row.prepayment_interest_shortfall,
            "Prep Int Shortfall",
        ),
        ("relief_act_shortfall", &row.relief_act_shortfall, "RAISF"),
        (
            "net_wac_carryover",
            &row.net_wac_carryover,
            "Net WAC Rate Carryover",
        ),
    ];
    for (field, p, label) in fields {
        out.push(c(field), p, label);
    }
    // Per $1,000 of original balance, each checked against its own amount.
    let original = row.original_balance.map(|p| p.value).unwrap_or_default();
    let per: [(&str, &Option<Printed>, &Option<Printed>, &str); 5] = [
        (
            "principal_per_1000",
            &row.per_1000.principal,
            &row.principal,
            "Prin per $1,000",
        ),
        (
            "interest_per_1000",
            &row.per_1000.interest,
            &row.interest,
            "Int per $1,000",
        ),
        (
            "total_per_1000",
            &row.per_1000.total,
            &row.total_distribution,
            "Total per $1,000",
        ),
        (
            "interest_carry_forward_per_1000",
            &row.per_1000.interest_carry_forward,
            &row.interest_shortfall,
            "Interest Carry-forward per $1,000",
        ),
        (
            "ending_per_1000",
            &row.per_1000.ending_balance,
            &row.ending_balance,
            "End Bal per $1,000",
        ),
    ];
    for (field, printed, amount, label) in per {
        out.push(c(field), printed, label);
        let (Some(p), Some(a)) = (printed, amount) else {
            continue;
        };
        let thousand = Decimal::ONE_THOUSAND;
        let own = if original.is_zero() {
            Decimal::ZERO
        } else {
            a.value
                .checked_mul(thousand)
                .and_then(|x| x.checked_div(original))
                .unwrap_or_default()
        };
        let rounding = if original.is_zero() {
            Decimal::ZERO
        } else {
            a.half_unit() * thousand / original
        };
        if (own - p.value).abs() > p.half_unit() + rounding
            && let Some(f) = out.last()
        {
            f.inconsistent = Some(format!(
                "the report's own figures give {} per $1,000 (line {}: {} over an original balance of {})",
                own.round_dp(5),
                a.line,
                a.value,
                original
            ));
        }
    }
}

/// The class tables' total rows (which rows each sums depends on the deal:
/// reconciliation foots them).
fn totals(out: &mut Out, report: &Report) {
    let t = &report.totals;
    let rows: [(&str, &Option<Printed>); 8] = [
        ("original_balance", &t.original_balance),
        ("beginning_balance", &t.beginning_balance),
        ("principal", &t.principal),
        ("interest", &t.interest),
        ("realized_loss", &t.realized_loss),
        ("total_distribution", &t.total_distribution),
        ("interest_shortfall", &t.interest_shortfall),
        ("ending_balance", &t.ending_balance),
    ];
    for (field, printed) in rows {
        out.push(
            FigurePath::new(Subject::Total, field),
            printed,
            &format!("Total {field}"),
        );
    }
}

fn collateral(out: &mut Out, g: &GroupCollateral) {
    let subject = group_path(&g.name);
    let fields: [(&str, &Option<Printed>, &str); 14] = [
        ("beginning_balance", &g.beginning_balance, "Beg Bal"),
        ("scheduled_principal", &g.scheduled_principal, "Sched Prin"),
        ("prepayments", &g.prepayments, "Prepays+Curts"),
        (
            "liquidation_proceeds",
            &g.net_liquidation_proceeds,
            "Net Liq Proc",
        ),
        ("repurchases", &g.repurchases, "Loan Purch"),
        (
            "principal_remittance",
            &g.principal_remittance,
            "Tot Prin Remit",
        ),
        ("realized_loss", &g.realized_losses, "Net Real Losses"),
        ("ending_balance", &g.ending_balance, "End Bal"),
        ("count", &g.ending_count, "End Count"),
        (
            "scheduled_interest_net",
            &g.scheduled_interest_net,
            "Sched Int-less serv",
        ),
        ("relief_act_shortfall", &g.relief_act_shortfall, "Less RAIS"),
        (
            "prepayment_interest_shortfall",
            &g.prepayment_interest_shortfall,
            "Less Net PPIS",
        ),
        (
            "nonrecoverable_advances",
            &g.nonrecoverable_advances,
            "Less Nonrecov Ad",
        ),
        (
            "interest_remittance",
            &g.interest_remittance,
            "interest remittance",
        ),
    ];
    for (field, p, label) in fields {
        out.push(FigurePath::new(subject.clone(), field), p, label);
    }
}

fn delinquency(out: &mut Out, report: &Report) {
    let blocks = report
        .delinquency_by_group
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let name = report
                .groups
                .get(i)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| (i + 1).to_string());
            (Subject::Group(name), d)
        })
        .chain(std::iter::once((Subject::Pool, &report.delinquency_total)));
    for (subject, d) in blocks {
        let rows = [
            ("delinquent_30_59", &d.days_30_59),
            ("delinquent_60_89", &d.days_60_89),
            ("delinquent_90_plus", &d.days_90_plus),
            ("outstanding", &d.outstanding),
            ("foreclosure", &d.foreclosure),
            ("bankruptcy", &d.bankruptcy),
            ("reo", &d.reo),
        ];
        for (field, cb) in rows {
            if let Some(cb) = cb {
                out.push(
                    FigurePath::new(subject.clone(), field),
                    &Some(cb.balance),
                    field,
                );
                out.push(
                    FigurePath::new(subject.clone(), &format!("{field}_count")),
                    &Some(cb.count),
                    field,
                );
            }
        }
        out.push(
            FigurePath::new(subject.clone(), "reo_market_value"),
            &d.reo_market_value,
            "Market Value (REO)",
        );
    }
}

fn scalars(out: &mut Out, r: &Report) {
    let deal = FigurePath::deal;
    let pool = |f: &str| FigurePath::new(Subject::Pool, f);
    let oc = |f: &str| FigurePath::new(Subject::Oc, f);
    let list: Vec<(FigurePath, &Option<Printed>, &str)> = vec![
        (
            pool("ending_balance"),
            &r.aggregate_ending_balance,
            "Agg End Coll Bal",
        ),
        (oc("ending"), &r.ending_oc, "End OC Amt"),
        (
            pool("liquidated_count"),
            &r.liquidated_loans,
            "Num Liq Loans",
        ),
        (
            pool("advances_current"),
            &r.advances_current,
            "Curr Agg Adv",
        ),
        (
            pool("advances_outstanding"),
            &r.advances_outstanding_prior,
            "Out. Agg. Adv",
        ),
        (
            pool("premium_loans_collected_count"),
            &r.prepayment_premiums.loans_collected,
            "Num. of Loans for which Prep.Prem. were collected",
        ),
        (
            pool("premium_loans_scheduled_count"),
            &r.prepayment_premiums.loans_scheduled,
            "Num of Loans for which Prep Prem were sched",
        ),
        (
            pool("premium_loans_balance"),
            &r.prepayment_premiums.balance_of_loans,
            "Prin. Bal. of Loans with Premium coll.",
        ),
        (
            pool("premiums"),
            &r.prepayment_premiums.amount,
            "Curr. amt of Prep. Prems",
        ),
        (
            pool("realized_loss"),
            &r.current_realized_losses,
            "Current Real. Losses",
        ),
        (
            pool("cumulative_loss"),
            &r.cumulative_realized_losses,
            "Cum. Real. Losses",
        ),
        (pool("wam"), &r.wam, "Weighted Avg Term to Mat."),
        (pool("wac"), &r.wac_gross, "Weighted Avg. Gross Coup."),
        (pool("net_wac"), &r.wac_net, "Weighted Avg. Net Coupon"),
        (pool("count"), &r.loan_count, "Agg. Num. of Mortg. Loans"),
        (oc("target"), &r.oc_target, "O/C Target Amt"),
        (
            deal("credit_enhancement"),
            &r.credit_enhancement,
            "Credit Enhancement %",
        ),
        (oc("increase"), &r.oc_increase, "O/C Increase Amount"),
        (oc("release"), &r.oc_release, "O/C Release Amt"),
        (oc("deficiency"), &r.oc_deficiency, "O/C Deficiency Amt"),
        (oc("excess"), &r.excess_oc, "Excess O/C Amt"),
        (
            deal("yield_maintenance_payment"),
            &r.yield_maintenance_payment,
            "Pmt from Yield Maint. Agreement",
        ),
        (
            deal("net_monthly_excess_cash_flow"),
            &r.net_monthly_excess_cash_flow,
            "Net Monthly Excess Cash Flow",
        ),
        (
            deal("extraordinary_trust_expenses"),
            &r.extraordinary_trust_expenses,
            "Extra Ordinary Trust Fund Expenses",
        ),
        (
            deal("available_funds"),
            &r.available_distribution_amount,
            "Available Distribution Amount",
        ),
        (
            deal("basis_risk_paid"),
            &r.deposit_to_net_wac_reserve_fund,
            "Deposit to Net WAC Reserve Fund",
        ),
    ];
    for (path, p, label) in list {
        out.push(path, p, label);
    }
    let fee = r.servicing_fee_total.or_else(|| {
        (!r.servicing_fee_by_group.is_empty()).then(|| Printed {
            value: r.servicing_fee_by_group.iter().map(|p| p.value).sum(),
            decimals: 0,
            line: r.servicing_fee_by_group[0].line,
        })
    });
    out.push(
        FigurePath::new(Subject::Fee("servicing".into()), "paid"),
        &fee,
        "Serv Fee",
    );
    let flag = |f: &Option<super::PrintedFlag>| {
        f.as_ref().map(|f| Printed {
            value: if f.value { Decimal::ONE } else { Decimal::ZERO },
            decimals: 0,
            line: f.line,
        })
    };
    out.push(
        deal("trigger"),
        &flag(&r.trigger_event),
        "Trigger Event Occurrence",
    );
    out.push(
        deal("stepdown"),
        &flag(&r.stepdown_occurred),
        "Step Down Date Occurred",
    );
    for (label, f) in &r.other_flags {
        out.push(
            deal(&super::filing::slug(label)),
            &flag(&Some(f.clone())),
            label,
        );
    }
    for (label, p) in &r.named_rates {
        out.push(
            FigurePath::new(Subject::Rate(label.clone()), ""),
            &Some(*p),
            label,
        );
    }
}

/// A rate or per-$1,000 figure printed with fewer decimals than the layout
/// prints them with (a bare `0` where `0.00000%` belongs) is damaged: its
/// precision cannot be trusted, so it cannot match.
fn damaged(figures: &mut [FilingFigure]) {
    use super::filing::Unit;
    for f in figures.iter_mut() {
        let need = match f.path.unit() {
            Unit::Rate => RATE_DECIMALS,
            Unit::Per1000 => PER_1000_DECIMALS,
            _ => continue,
        };
        if f.printed.decimals < need {
            f.damaged = Some(format!(
                "printed with {} decimals where this report prints {} (as a {}): a damaged figure",
                f.printed.decimals,
                if need == RATE_DECIMALS {
                    need - 2
                } else {
                    need
                },
                if need == RATE_DECIMALS {
                    "percentage"
                } else {
                    "figure per $1,000"
                }
            ));
        }
    }
}
