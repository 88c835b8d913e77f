//! How the engine arrived at a figure that does not match: a class figure's
//! accrual and the waterfall steps that paid it, from the period's ledger; a
//! figure the deal file gives as an expression, that expression and the
//! steps it reads; a deal quantity, its definition.

use rust_decimal::Decimal;

use super::Inputs;
use super::figures::Figure;
use crate::deal::{CouponKind, Deal, Expr, Quantity};
use crate::format::{money, percent};
use crate::report::Subject;
use crate::waterfall::{Explain, PeriodResult};

/// The deal's expression for a figure, with what each step it reads did.
fn expression(deal: &Deal, ledger: &Explain<Decimal>, what: &str, e: &Expr) -> String {
    let mut out = format!("{what} {}", deal.display(e));
    let mut read = Vec::new();
    e.quantities(&mut read);
    let mut seen = Vec::new();
    for q in read {
        let Quantity::Step { step, .. } = q else {
            continue;
        };
        if seen.contains(step) {
            continue;
        }
        seen.push(*step);
        let describe = deal.steps[*step].describe(deal);
        let Some(entry) = ledger.entries.iter().find(|x| x.step == *step) else {
            continue;
        };
        let moved: Decimal = entry.payments.iter().map(|p| p.paid).sum();
        let source = entry
            .account
            .map(|a| {
                format!(
                    " from {} ({} before, {} after)",
                    deal.accounts[a].name,
                    money(entry.before),
                    money(entry.after)
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "; step {} ({describe}) paid {}{source}",
            step + 1,
            money(moved)
        ));
    }
    out
}

/// What each kind of class figure is paid by, in the ledger's words.
const INTEREST: &[&str] = &[
    "interest",
    "net WAC carryover",
    "writedown reimbursement",
    "remainder",
];
const PRINCIPAL: &[&str] = &["principal", "writedown", "accreted"];

pub(super) fn why(
    deal: &Deal,
    inputs: &Inputs,
    result: &PeriodResult<Decimal>,
    ledger: &Explain<Decimal>,
    f: &Figure,
) -> Option<String> {
    if let Some((_, e)) = deal.report.figures.iter().find(|(p, _)| *p == f.id) {
        return Some(expression(deal, ledger, "the deal gives it as", e));
    }
    if let Subject::Quantity(name) = &f.path.subject
        && let Some(q) = deal.quantities.iter().find(|q| &q.name == name)
    {
        return Some(expression(
            deal,
            ledger,
            &format!("quantity {name} ="),
            &q.value,
        ));
    }
    let class = f.class()?;
    let k = deal.class_index(class)?;
    let c = &result.classes[k];
    let paid_by = |what: &[&str]| {
        let steps: Vec<String> = ledger
            .entries
            .iter()
            .filter(|e| {
                e.payments
                    .iter()
                    .any(|p| p.to == class && what.contains(&p.what) && !p.paid.is_zero())
            })
            .map(|e| {
                let paid: Decimal = e
                    .payments
                    .iter()
                    .filter(|p| p.to == class && what.contains(&p.what))
                    .map(|p| p.paid)
                    .sum();
                format!(
                    "step {} ({}) paid {}",
                    e.step + 1,
                    deal.steps[e.step].describe(deal),
                    money(paid)
                )
            })
            .collect();
        if steps.is_empty() {
            "no step paid it".to_string()
        } else {
            steps.join("; ")
        }
    };
    let (num, den) = inputs.period.days.ratio(deal.classes[k].day_count);
    let accrual = format!(
        "accrued {} x {} x {}/{} = {}",
        money(c.beginning),
        percent(c.rate, 5),
        num.normalize(),
        den.normalize(),
        money(c.accrued)
    );
    let field = f.field();
    if deal.classes[k].coupon.kind == CouponKind::None
        && !field.starts_with("principal")
        && !field.starts_with("ending")
    {
        let received = c.interest_distribution();
        return Some(if field == "rate" {
            format!(
                "its rate is what it received annualised over the beginning pool: {} x 12 / {}",
                money(received),
                money(result.deal.pool_beginning)
            )
        } else {
            paid_by(INTEREST)
        });
    }
    Some(if field == "rate" {
        format!(
            "{accrual}; the index was {}",
            percent(inputs.period.index, 5)
        )
    } else if field.starts_with("interest") || field == "accrued" {
        format!("{accrual}; {}", paid_by(INTEREST))
    } else if field.starts_with("principal")
        || field.starts_with("ending")
        || field.starts_with("factor")
    {
        format!("began at {}; {}", money(c.beginning), paid_by(PRINCIPAL))
    } else {
        let all: Vec<&str> = INTEREST.iter().chain(PRINCIPAL).copied().collect();
        format!("{accrual}; {}", paid_by(&all))
    })
}
