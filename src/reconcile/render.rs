//! Reconciliation output: a text report for people, JSON for programs.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::format::{json_decimal, json_number};

use super::figures::{Figure, Status, Unit};
use super::inputs::IndexSource;
use super::{Reconciliation, Summary};
use crate::deal::Deal;
use crate::format;
use crate::report::Printed;
use crate::table::{Align, Table};

const CLASS_FIELDS: [(&str, &str); 7] = [
    ("rate", "rate"),
    ("interest", "interest"),
    ("principal", "principal"),
    ("realized_loss", "loss"),
    ("interest_shortfall", "int short"),
    ("total_distribution", "total dist"),
    ("ending_balance", "end bal"),
];

const PER_1000_FIELDS: [(&str, &str); 4] = [
    ("principal_per_1000", "prin /1000"),
    ("interest_per_1000", "int /1000"),
    ("total_per_1000", "total /1000"),
    ("ending_per_1000", "end /1000"),
];

/// Decimals to show ours with: the print's, a little more for rates.
fn shown(unit: Unit, printed: Option<&Printed>, v: Decimal) -> String {
    match unit {
        Unit::Money => format::money(v),
        Unit::Rate => format::percent(
            v,
            printed
                .map(|p| p.decimals.saturating_sub(2))
                .unwrap_or(5)
                .max(5),
        ),
        Unit::Per1000 => format::fixed(v, printed.map(|p| p.decimals).unwrap_or(5).max(5)),
        Unit::Flag => (if v.is_zero() { "NO" } else { "YES" }).to_string(),
    }
}

fn as_printed(unit: Unit, p: &Printed) -> String {
    match unit {
        Unit::Rate => format::percent(p.value, p.decimals.saturating_sub(2)),
        Unit::Flag => (if p.value.is_zero() { "NO" } else { "YES" }).to_string(),
        _ => format::fixed(p.value, p.decimals),
    }
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Match => "",
        Status::Mismatch => " *",
        Status::ReportInconsistent => " !",
        Status::NotModelled => " ?",
    }
}

fn difference(f: &Figure) -> String {
    match f.difference() {
        Some(d) => {
            let s = match f.unit {
                Unit::Money => format::money(d),
                Unit::Rate => format::percent(
                    d,
                    f.reported
                        .map(|p| p.decimals.saturating_sub(2))
                        .unwrap_or(5)
                        .max(5)
                        + 2,
                ),
                Unit::Per1000 => format::fixed(d, f.reported.map(|p| p.decimals).unwrap_or(5) + 2),
                Unit::Flag => (if d.is_zero() { "same" } else { "differs" }).to_string(),
            };
            format!("{s}{}", mark(f.status))
        }
        None => format!("-{}", mark(f.status)),
    }
}

fn index_text(r: &Reconciliation) -> String {
    let value = format::percent(r.inputs.period.index, 5);
    match &r.inputs.index_source {
        IndexSource::Printed { line } => format!("index {value} (printed, line {line})"),
        IndexSource::Implied { classes, .. } => {
            format!(
                "index {value} (implied by the rates of {} less their margins)",
                classes.join(", ")
            )
        }
    }
}

/// Class rows of a set of fields: ours, reported and difference on three lines.
fn class_table(deal: &Deal, r: &Reconciliation, fields: &[(&str, &str)]) -> Option<String> {
    let mut headers = vec!["class", ""];
    headers.extend(fields.iter().map(|(_, h)| *h));
    let mut t = Table::with_left(&headers, 2);
    for class in &deal.classes {
        let figs: Vec<Option<&Figure>> = fields
            .iter()
            .map(|(f, _)| r.figure(&format!("{}.{f}", class.name)))
            .collect();
        if figs.iter().all(Option::is_none) {
            continue;
        }
        let cell = |g: &dyn Fn(&Figure) -> String| {
            figs.iter()
                .map(|f| f.map(g).unwrap_or_default())
                .collect::<Vec<_>>()
        };
        let mut ours = vec![class.name.clone(), "ours".to_string()];
        ours.extend(cell(&|f| {
            f.ours
                .map(|v| shown(f.unit, f.reported.as_ref(), v))
                .unwrap_or("-".into())
        }));
        let mut rep = vec![String::new(), "reported".to_string()];
        rep.extend(cell(&|f| {
            f.reported
                .as_ref()
                .map(|p| as_printed(f.unit, p))
                .unwrap_or_default()
        }));
        let mut diff = vec![String::new(), "difference".to_string()];
        diff.extend(cell(&difference));
        t.row(ours);
        t.row(rep);
        t.row(diff);
    }
    (!t.rows.is_empty()).then(|| t.render())
}

fn summary_line(r: &Reconciliation, s: &Summary) -> String {
    format!(
        "{} {}: {} figures: {} match, {} mismatch, {} report-inconsistent, {} not modelled (tolerance ${})",
        r.deal,
        r.distribution_date,
        s.figures,
        s.matched,
        s.mismatched,
        s.report_inconsistent,
        s.not_modelled,
        r.tolerance
    )
}

/// The text report of one reconciliation; with `explain`, the waterfall's ledger too.
pub fn write_text(out: &mut String, deal: &Deal, r: &Reconciliation, explain: bool) {
    let p = &r.inputs.period;
    let _ = writeln!(
        out,
        "{} · distribution {} · {}",
        deal.name,
        r.distribution_date,
        r.report_path.display()
    );
    let _ = writeln!(
        out,
        "{} · accrual {} to {}: {} days act/360, {} days 30/360",
        index_text(r),
        r.inputs.accrual_start,
        p.date,
        p.days_actual,
        p.days_30
    );
    let _ = writeln!(
        out,
        "marks: * mismatch (beyond ${} or the print's precision), ! report-inconsistent, ? not modelled\n",
        r.tolerance
    );
    if let Some(t) = class_table(deal, r, &CLASS_FIELDS) {
        out.push_str(&t);
        out.push('\n');
    }
    if let Some(t) = class_table(deal, r, &PER_1000_FIELDS) {
        let _ = writeln!(out, "Per $1,000 of original balance");
        out.push_str(&t);
        out.push('\n');
    }
    let mut t = Table::new(
        &["deal figure", "ours", "reported", "difference", "status"],
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    );
    for f in r.figures.iter().filter(|f| f.class().is_none()) {
        t.row(vec![
            f.field().to_string(),
            f.ours
                .map(|v| shown(f.unit, f.reported.as_ref(), v))
                .unwrap_or("-".into()),
            f.reported
                .as_ref()
                .map(|p| as_printed(f.unit, p))
                .unwrap_or_default(),
            difference(f),
            f.status.name().to_string(),
        ]);
    }
    out.push_str(&t.render());
    let explained: Vec<&Figure> = r
        .figures
        .iter()
        .filter(|f| f.status != Status::Match)
        .collect();
    if !explained.is_empty() {
        let _ = writeln!(out, "\nNot a match:");
        for f in explained {
            let line = f
                .reported
                .map(|p| format!(" (line {})", p.line))
                .unwrap_or_default();
            let why = f.note.clone().unwrap_or_else(|| match f.status {
                Status::Mismatch => format!(
                    "ours differs from the print by more than {}",
                    match f.unit {
                        Unit::Money => format!("${}", f.tolerance),
                        _ => f.tolerance.normalize().to_string(),
                    }
                ),
                _ => String::new(),
            });
            let _ = writeln!(out, "  {} {}{line}: {why}", f.id, f.status.name());
        }
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    for w in &r.warnings {
        let _ = writeln!(out, "report warning: line {}: {}", w.line, w.message);
    }
    if explain {
        out.push('\n');
        write_ledger(out, deal, r);
    }
    let _ = writeln!(out, "\n{}", summary_line(r, &r.summary()));
}

fn write_ledger(out: &mut String, deal: &Deal, r: &Reconciliation) {
    let _ = writeln!(out, "Waterfall, step by step ({}):", r.distribution_date);
    let d = &r.result.deal;
    let _ = writeln!(
        out,
        "  funds: interest {}, principal {}, premiums {} (available {})",
        format::money(d.interest_remittance),
        format::money(d.principal_remittance),
        format::money(d.premiums),
        format::money(d.available)
    );
    let _ = writeln!(
        out,
        "  step-down {}, trigger event {}, OC {} against a target of {}",
        if d.stepdown { "occurred" } else { "not yet" },
        if d.trigger { "in effect" } else { "none" },
        format::money(d.oc_beginning),
        format::money(d.oc_target)
    );
    for e in &r.ledger.entries {
        let step = &deal.steps[e.step];
        let funds = match e.account {
            Some(a) => format!(
                "  [{}: {} -> {}]",
                a.name(),
                format::money(e.before),
                format::money(e.after)
            ),
            None => String::new(),
        };
        let _ = writeln!(out, "{:>3}. {}{funds}", e.step + 1, step.label);
        if !e.note.is_empty() {
            let _ = writeln!(out, "       {}", e.note);
        }
        for p in &e.payments {
            let due = p
                .due
                .map(|d| format!(" of {} due", format::money(d)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "       {:<12} {:<24} {:>18}{due}",
                p.to,
                p.what,
                format::money(p.paid)
            );
        }
    }
}

fn decimal_string(unit: Unit, printed: Option<&Printed>, v: Decimal) -> String {
    let dp = match unit {
        Unit::Money => 2,
        Unit::Flag => 0,
        _ => printed.map(|p| p.decimals).unwrap_or(7) + 3,
    };
    let v = v.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    if v.is_zero() {
        "0".to_string()
    } else {
        v.normalize().to_string()
    }
}

/// The JSON object of one reconciliation.
pub fn to_json(r: &Reconciliation, explain: Option<&Deal>) -> Value {
    let s = r.summary();
    let figures: Vec<Value> = r
        .figures
        .iter()
        .map(|f| {
            let mut o = json!({
                "id": f.id,
                "ours": f.ours.map(|v| json_number(&decimal_string(f.unit, f.reported.as_ref(), v))),
                "reported": f.reported.map(|p| json_decimal(p.value.normalize())),
                "difference": f.difference().map(|v| json_number(&decimal_string(f.unit, f.reported.as_ref(), v))),
                "status": f.status.name(),
            });
            if let Some(p) = f.reported {
                o["line"] = json!(p.line);
            }
            if let Some(n) = &f.note {
                o["note"] = json!(n);
            }
            o
        })
        .collect();
    let index_source = match &r.inputs.index_source {
        IndexSource::Printed { line } => json!({ "printed_on_line": line }),
        IndexSource::Implied { classes, .. } => json!({ "implied_by": classes }),
    };
    let mut v = json!({
        "deal": r.deal,
        "report": r.report_path.display().to_string(),
        "distribution_date": r.distribution_date.to_string(),
        "index": { "value": json_decimal(r.inputs.period.index.normalize()), "source": index_source },
        "figures": figures,
        "summary": {
            "figures": s.figures,
            "match": s.matched,
            "mismatch": s.mismatched,
            "report_inconsistent": s.report_inconsistent,
            "not_modelled": s.not_modelled,
            "tolerance": json_decimal(r.tolerance),
        },
        "notes": r.notes,
        "warnings": r.warnings.iter().map(|w| json!({"line": w.line, "message": w.message})).collect::<Vec<_>>(),
    });
    if let Some(deal) = explain {
        v["ledger"] = r
            .ledger
            .entries
            .iter()
            .map(|e| {
                json!({
                    "step": e.step + 1,
                    "label": deal.steps[e.step].label,
                    "account": e.account.map(|a| a.name()),
                    "before": json_decimal(e.before),
                    "after": json_decimal(e.after),
                    "note": e.note,
                    "payments": e.payments.iter().map(|p| json!({
                        "to": p.to, "what": p.what, "due": p.due.map(json_decimal), "paid": json_decimal(p.paid)
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
    }
    v
}
