//! The comparison, figure by figure: ours against the report's, with the
//! tolerance each figure allows and the reason when it is not a plain match.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::deal::{Deal, Unit as QuantityUnit};
use crate::report::{FigurePath, Filing, Printed, Subject, Unit};
use crate::waterfall::PeriodResult;

use super::inputs::{Inputs, is_input};

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
    /// Taken from the report as given (the servicer's collateral figures).
    Input,
    /// The layout prints it in every report; this one does not.
    Missing,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Match => "match",
            Status::Mismatch => "mismatch",
            Status::ReportInconsistent => "report-inconsistent",
            Status::NotModelled => "not-modelled",
            Status::Input => "input",
            Status::Missing => "missing",
        }
    }
}

/// One compared figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub path: FigurePath,
    /// The path as text: `class[A-1].interest`.
    pub id: String,
    /// The label the report prints it with.
    pub label: String,
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
            (Some(o), Some(r)) => o.checked_sub(r.value),
            _ => None,
        }
    }

    /// The class the figure is about.
    pub fn class(&self) -> Option<&str> {
        match &self.path.subject {
            Subject::Class(c) => Some(c),
            _ => None,
        }
    }

    pub fn field(&self) -> &str {
        &self.path.field
    }
}

const THOUSAND: Decimal = Decimal::ONE_THOUSAND;

fn ratio(a: Decimal, b: Decimal, scale: Decimal) -> Decimal {
    if b.is_zero() {
        return Decimal::ZERO;
    }
    a.checked_mul(scale)
        .and_then(|x| x.checked_div(b))
        .unwrap_or_default()
}

/// The classes a class table's total row covers: balances sum the classes
/// with principal (not the notionals, not the OC's holder), the rest every class.
fn total_covers(deal: &Deal, field: &str) -> Vec<usize> {
    match field {
        "original_balance" | "beginning_balance" | "ending_balance" | "principal"
        | "realized_loss" => deal.principal_classes().collect(),
        _ => (0..deal.classes.len()).collect(),
    }
}

/// Our value of a figure (`path`, written `text`), or why there is none.
fn ours(
    deal: &Deal,
    r: &PeriodResult<Decimal>,
    inputs: &Inputs,
    path: &FigurePath,
    text: &str,
) -> Result<Decimal, String> {
    // What the deal file says a figure is comes first.
    if let Some(i) = deal.report.figures.iter().position(|(p, _)| p == text) {
        return Ok(r.report[i]);
    }
    let f = path.field.as_str();
    let flag = |b: bool| if b { Decimal::ONE } else { Decimal::ZERO };
    let d = &r.deal;
    let holder = deal.oc.as_ref().and_then(|o| o.holder);
    match &path.subject {
        Subject::Class(name) => {
            let k = deal
                .class_index(name)
                .ok_or_else(|| format!("the deal has no class {name}"))?;
            let c = &r.classes[k];
            let original = deal.classes[k].original_balance;
            let shortfall = c.interest_shortfall();
            Ok(match f {
                "original_balance" => original,
                "beginning_balance" => c.beginning,
                "ending_balance" => c.ending,
                "rate" if Some(k) == holder => ratio(
                    c.interest_distribution() * Decimal::from(12),
                    d.pool_beginning,
                    Decimal::ONE,
                ),
                "rate" => c.rate,
                "accrued" => c.accrued,
                "interest_carry_in" => c.carry_in,
                "interest_on_carry" => c.interest_on_carry,
                "interest_due" => c.interest_due,
                "interest_paid" => c.interest_paid,
                "interest" => c.interest_distribution(),
                "principal" => c.principal,
                "realized_loss" => c.writedown,
                "interest_shortfall" | "unpaid_interest" => shortfall,
                "net_wac_carryover" => c.basis_due - c.basis_paid,
                "total_distribution" => c.total_distribution(),
                "factor_beginning" => ratio(c.beginning, original, Decimal::ONE),
                "factor_ending" => ratio(c.ending, original, Decimal::ONE),
                "principal_per_1000" => ratio(c.principal, original, THOUSAND),
                "interest_per_1000" => ratio(c.interest_distribution(), original, THOUSAND),
                "total_per_1000" => ratio(c.total_distribution(), original, THOUSAND),
                "interest_carry_forward_per_1000" => ratio(shortfall, original, THOUSAND),
                "ending_per_1000" => ratio(c.ending, original, THOUSAND),
                // The engine allocates none of these to classes.
                "prepayment_interest_shortfall"
                | "relief_act_shortfall"
                | "realized_loss_interest_shortfall" => Decimal::ZERO,
                _ => return Err(format!("no class figure \"{f}\"")),
            })
        }
        Subject::Total => {
            let covers = total_covers(deal, f);
            let c = &r.classes;
            let sum = |pick: &dyn Fn(usize) -> Decimal| -> Decimal {
                covers.iter().map(|&k| pick(k)).sum()
            };
            Ok(match f {
                "original_balance" => sum(&|k| deal.classes[k].original_balance),
                "beginning_balance" => sum(&|k| c[k].beginning),
                "ending_balance" => sum(&|k| c[k].ending),
                "principal" => sum(&|k| c[k].principal),
                "realized_loss" => sum(&|k| c[k].writedown),
                "interest" => sum(&|k| c[k].interest_distribution()),
                "total_distribution" => sum(&|k| c[k].total_distribution()),
                "interest_shortfall" => sum(&|k| c[k].interest_shortfall()),
                _ => return Err(format!("no total \"{f}\"")),
            })
        }
        Subject::Group(g) => {
            let i = deal
                .groups
                .iter()
                .position(|x| &x.name == g)
                .ok_or_else(|| format!("the deal has no group {g}"))?;
            let cash = inputs
                .period
                .groups
                .get(i)
                .ok_or_else(|| format!("no collateral for group {g}"))?;
            match f {
                "ending_balance" => Ok(cash.ending_balance()),
                "principal_remittance" => Ok(cash.principal_remittance()),
                _ => Err(String::new()),
            }
        }
        Subject::Pool => Ok(match f {
            "ending_balance" => d.pool_ending,
            "principal_remittance" => d.principal_remittance,
            "cumulative_loss" => d.cumulative_loss,
            _ => return Err(String::new()),
        }),
        Subject::Oc => {
            if deal.oc.is_none() {
                return Err("the deal has no [overcollateralization] section".into());
            }
            Ok(match f {
                "beginning" => d.oc_beginning,
                "ending" | "amount" => d.oc_ending,
                "target" => d.oc_target,
                "deficiency" => d.oc_deficiency,
                "excess" => d.excess_oc,
                "increase" => (d.oc_ending - d.oc_beginning).max(Decimal::ZERO),
                _ => {
                    return Err(format!(
                        "oc.{f} is not computed: say in [report.figures] what it is"
                    ));
                }
            })
        }
        Subject::Fee(name) => {
            let i = deal
                .fees
                .iter()
                .position(|x| &x.name == name)
                .ok_or_else(|| format!("the deal has no fee \"{name}\""))?;
            let fee = &r.fees[i];
            Ok(match f {
                "accrued" => fee.accrued,
                "carry_in" => fee.carry_in,
                "due" => fee.due(),
                "paid" => fee.paid,
                "shortfall" => fee.shortfall(),
                _ => return Err(format!("no fee figure \"{f}\"")),
            })
        }
        Subject::Account(name) => {
            let a = deal
                .accounts
                .iter()
                .position(|x| &x.name == name)
                .ok_or_else(|| format!("the deal has no account \"{name}\""))?;
            let x = &r.accounts[a];
            Ok(match f {
                "beginning" => x.beginning,
                "ending" => x.ending,
                "earnings" => x.earnings,
                "draw" => x.drawn,
                "deposit" => x.funded,
                "release" => x.released,
                "required" | "target" => x.target,
                "deficiency" => (x.target - x.ending).max(Decimal::ZERO),
                "balance_before_deposit" => x.beginning + x.earnings - x.drawn,
                // Everything that came in (the collateral's cash, earnings,
                // what steps moved in) and everything taken out.
                "deposits" => x.collections + x.earnings + x.deposits,
                "withdrawals" => x.withdrawals,
                _ => {
                    return Err(format!(
                        "account[{name}].{f} is not computed: say in [report.figures] what it is"
                    ));
                }
            })
        }
        Subject::Swap(name) => {
            let s = deal
                .swaps
                .iter()
                .position(|x| &x.name == name)
                .ok_or_else(|| format!("the deal has no swap \"{name}\""))?;
            let x = &r.swaps[s];
            Ok(match f {
                "notional" => x.notional,
                "rate" => x.rate,
                "net" => x.net,
                "payment" => x.payment,
                "receipt" => x.receipt,
                "paid" => x.paid,
                "shortfall" => x.due(),
                "termination" => x.termination,
                "termination_paid" => x.termination_paid,
                _ => return Err(format!("no swap figure \"{f}\"")),
            })
        }
        Subject::Cap(name) => {
            let c = deal
                .caps
                .iter()
                .position(|x| &x.name == name)
                .ok_or_else(|| format!("the deal has no cap \"{name}\""))?;
            let x = &r.caps[c];
            Ok(match f {
                "notional" => x.notional,
                "payment" => x.payment,
                _ => return Err(format!("no cap figure \"{f}\"")),
            })
        }
        Subject::Quantity(name) => {
            let q = deal
                .quantities
                .iter()
                .position(|x| &x.name == name)
                .ok_or_else(|| format!("the deal defines no quantity \"{name}\""))?;
            Ok(r.quantities[q])
        }
        Subject::Rate(label) => {
            let q = deal
                .quantities
                .iter()
                .position(|x| {
                    x.label
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case(label))
                })
                .ok_or_else(|| "the deal file defines no quantity with this label".to_string())?;
            if deal.quantities[q].unit != QuantityUnit::Rate {
                return Err(format!(
                    "quantity {} is not a rate",
                    deal.quantities[q].name
                ));
            }
            Ok(r.quantities[q])
        }
        Subject::Other(p) => Err(format!(
            "{p} is not computed: say in [report.figures] what it is"
        )),
        Subject::Deal => Ok(match f {
            "trigger" => flag(d.trigger),
            "stepdown" => flag(d.stepdown),
            "available_funds" => d.available,
            "basis_risk_paid" => d.basis_risk_paid,
            "writedowns" => d.writedowns,
            _ => {
                return Err(format!(
                    "\"{f}\" is not computed: say in [report.figures] what it is"
                ));
            }
        }),
    }
}

/// The allowance for a figure: the money tolerance for money (at least half
/// a unit of a figure printed to fewer decimals than cents), half a unit of
/// the printed digits for rates and ratios (plus the money tolerance
/// expressed in that ratio), nothing for counts and flags.
fn tolerance(
    deal: &Deal,
    money: Decimal,
    path: &FigurePath,
    p: &Printed,
    summed_rows: u32,
) -> Decimal {
    let original = match &path.subject {
        Subject::Class(c) => deal
            .class_index(c)
            .map(|k| deal.classes[k].original_balance)
            .unwrap_or_default(),
        _ => Decimal::ZERO,
    };
    match path.unit() {
        // A figure printed in fewer decimals than cents (to the dollar)
        // matches ours rounded to its digits: at least half its unit.
        Unit::Money => {
            let coarse = if p.decimals < 2 {
                p.half_unit()
            } else {
                Decimal::ZERO
            };
            money.max(coarse) + Decimal::new(5, 1) * Decimal::from(summed_rows.max(1) - 1)
        }
        Unit::Rate => p.half_unit(),
        Unit::Per1000 => p.half_unit() + ratio(money, original, THOUSAND),
        Unit::Factor => p.half_unit() + ratio(money, original, Decimal::ONE),
        Unit::Count | Unit::Flag => Decimal::ZERO,
    }
}

/// Does a total row foot? The printed rows of the classes it covers, each
/// rounded, may differ from it by half a unit of their last digit each.
fn footing(deal: &Deal, filing: &Filing, field: &str, total: &Printed) -> (u32, Option<String>) {
    let covers = total_covers(deal, field);
    let parts: Vec<&Printed> = covers
        .iter()
        .filter_map(|&k| filing.class(&deal.classes[k].name, field))
        .collect();
    let n = parts.len().max(1) as u32;
    let own: Decimal = parts
        .iter()
        .fold(Decimal::ZERO, |a, p| a.checked_add(p.value).unwrap_or(a));
    let allowance = parts
        .iter()
        .map(|p| p.half_unit())
        .fold(Decimal::ZERO, |a, h| a + h);
    if (own - total.value).abs() > allowance.max(total.half_unit()) {
        let note = format!(
            "the total on line {} does not foot: the class rows it covers add up to {}, {} more than the total",
            total.line,
            crate::format::dollars(own),
            crate::format::dollars(own - total.value)
        );
        return (n, Some(note));
    }
    (n, None)
}

/// A pool figure the report also prints for each group must be their sum
/// (within half a unit of the print for each group): else the pool's figure
/// is report-inconsistent.
fn pool_is_sum_of_groups(deal: &Deal, filing: &Filing, out: &mut [Figure]) {
    if deal.groups.len() < 2 {
        return;
    }
    for f in out.iter_mut().filter(|f| f.path.subject == Subject::Pool) {
        let Some(total) = f.reported else { continue };
        let parts: Option<Vec<&Printed>> = deal
            .groups
            .iter()
            .map(|g| filing.value(&Subject::Group(g.name.clone()), &f.path.field))
            .collect();
        let Some(parts) = parts else { continue };
        let sum: Decimal = parts
            .iter()
            .fold(Decimal::ZERO, |a, p| a.checked_add(p.value).unwrap_or(a));
        let allowance: Decimal =
            parts.iter().map(|p| p.half_unit()).sum::<Decimal>() + total.half_unit();
        if (sum - total.value).abs() > allowance {
            f.status = Status::ReportInconsistent;
            f.note = Some(format!(
                "the groups' figures add up to {}, not the pool's {} (line {})",
                crate::format::money(sum),
                crate::format::money(total.value),
                total.line
            ));
        }
    }
}

/// Every figure of the filing, compared.
pub fn compare(
    deal: &Deal,
    filing: &Filing,
    result: &PeriodResult<Decimal>,
    inputs: &Inputs,
    money: Decimal,
) -> Vec<Figure> {
    let carried = inputs.carried;
    let mut out = Vec::new();
    for ff in &filing.figures {
        let path = &ff.path;
        let id = path.id();
        let p = ff.printed;
        let mut fig = Figure {
            path: path.clone(),
            id,
            label: ff.label.clone(),
            unit: path.unit(),
            ours: None,
            reported: Some(p),
            tolerance: Decimal::ZERO,
            status: Status::NotModelled,
            note: None,
        };
        // A figure the report's own arithmetic contradicts is counted as
        // such even where it is an input or not modelled.
        let own_check = |fig: &mut Figure| {
            if let Some(why) = &ff.inconsistent {
                fig.status = Status::ReportInconsistent;
                fig.note = Some(why.clone());
            }
        };
        if is_input(path, carried) {
            fig.status = Status::Input;
            own_check(&mut fig);
            out.push(fig);
            continue;
        }
        if let Some((_, why)) = deal.report_not_modelled(&fig.id) {
            fig.note = Some(why.to_string());
            own_check(&mut fig);
            out.push(fig);
            continue;
        }
        let (summed_rows, inconsistent) = if path.subject == Subject::Total {
            footing(deal, filing, &path.field, &p)
        } else {
            (ff.summed_rows, ff.inconsistent.clone())
        };
        // The collateral's own figures: ours come from the report's other
        // collateral figures, so a difference is the report contradicting itself.
        let derived = matches!(path.subject, Subject::Pool | Subject::Group(_))
            && matches!(
                path.field.as_str(),
                "ending_balance" | "principal_remittance"
            );
        match ours(deal, result, inputs, path, &fig.id) {
            Err(why) => {
                fig.note = Some(if why.is_empty() {
                    "the engine does not compute this collateral figure".to_string()
                } else {
                    why
                });
            }
            Ok(v) => {
                fig.ours = Some(v);
                fig.tolerance = tolerance(deal, money, path, &p, summed_rows);
                let within = v
                    .checked_sub(p.value)
                    .is_some_and(|d| d.abs() <= fig.tolerance);
                fig.status = if within {
                    Status::Match
                } else {
                    Status::Mismatch
                };
                if let Some(why) = &ff.damaged {
                    fig.status = Status::Mismatch;
                    fig.note = Some(why.clone());
                } else if let Some(why) = &inconsistent {
                    fig.status = Status::ReportInconsistent;
                    fig.note = Some(why.clone());
                } else if !within && derived {
                    fig.status = Status::ReportInconsistent;
                    fig.note = Some(format!(
                        "the report's own collateral figures give {} ({})",
                        crate::format::money(v),
                        if path.field == "ending_balance" {
                            "the beginning balance less principal and realized losses"
                        } else {
                            "the sum of the principal the report prints"
                        }
                    ));
                } else if !within && carried && path.field.starts_with("beginning") {
                    fig.note = Some("roll-forward break: last month's ending figure, carried forward, is not what this report prints as the beginning".into());
                }
            }
        }
        out.push(fig);
    }
    pool_is_sum_of_groups(deal, filing, &mut out);
    for m in &filing.missing {
        out.push(Figure {
            path: m.path.clone(),
            id: m.path.id(),
            label: String::new(),
            unit: Unit::Money,
            ours: None,
            reported: None,
            tolerance: Decimal::ZERO,
            status: Status::Missing,
            note: Some(format!("line {}: {}", m.line, m.why)),
        });
    }
    out
}
