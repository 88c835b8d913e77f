//! Reconciliation output: a text report for people, JSON for programs, and
//! the month-by-month summary table of a deal's filings.

use std::fmt::Write as _;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::figures::{Figure, Status};
use super::inputs::IndexSource;
use super::{Reconciliation, Summary};
use crate::deal::Deal;
use crate::format;
use crate::report::{Printed, Subject, Unit};
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

const NOTE_FIELDS: [(&str, &str); 8] = [
    ("beginning_balance", "beg bal"),
    ("rate", "rate"),
    ("accrued", "interest"),
    ("interest_due", "int due"),
    ("interest_paid", "int paid"),
    ("principal", "principal"),
    ("ending_balance", "end bal"),
    ("factor_ending", "factor"),
];

const PER_1000_FIELDS: [(&str, &str); 4] = [
    ("principal_per_1000", "prin /1000"),
    ("interest_per_1000", "int /1000"),
    ("total_per_1000", "total /1000"),
    ("ending_per_1000", "end /1000"),
];

/// Decimals to show ours with: the print's, a little more for rates.
fn shown(unit: Unit, printed: Option<&Printed>, v: Decimal) -> String {
    let dp = |d: u32| printed.map(|p| p.decimals).unwrap_or(d);
    match unit {
        Unit::Money => format::money(v),
        Unit::Rate => format::percent(v, dp(7).saturating_sub(2).max(5)),
        Unit::Per1000 => format::fixed(v, dp(5).max(5)),
        Unit::Factor => format::fixed(v, dp(7).max(7)),
        Unit::Count => format::fixed(v, dp(0)),
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
        Status::Match | Status::Input => "",
        Status::Mismatch | Status::Missing => " *",
        Status::ReportInconsistent => " !",
        Status::NotModelled => " ?",
    }
}

fn difference(f: &Figure) -> String {
    match f.difference() {
        Some(d) => {
            let dp = |d: u32| f.reported.map(|p| p.decimals).unwrap_or(d);
            let s = match f.unit {
                Unit::Money => format::money(d),
                Unit::Rate => format::percent(d, dp(7).saturating_sub(2).max(5) + 2),
                Unit::Per1000 => format::fixed(d, dp(5) + 2),
                Unit::Factor => format::fixed(d, dp(7) + 2),
                Unit::Count => format::fixed(d, 0),
                Unit::Flag => (if d.is_zero() { "same" } else { "differs" }).to_string(),
            };
            let mut s = s;
            s.push_str(mark(f.status));
            s
        }
        None => format!("-{}", mark(f.status)),
    }
}

fn index_text(r: &Reconciliation) -> String {
    let value = format::percent(r.inputs.period.index, 5);
    match &r.inputs.index_source {
        IndexSource::Printed { line } => format!("index {value} (printed, line {line})"),
        IndexSource::Implied { classes, .. } => format!(
            "index {value} (implied by the rates of {} less their margins)",
            classes.join(", ")
        ),
        IndexSource::None => "no index (no floating coupon)".to_string(),
    }
}

/// Class rows of a set of fields: ours, reported and difference on three lines.
fn class_table(deal: &Deal, r: &Reconciliation, fields: &[(&str, &str)]) -> Option<String> {
    let mut headers = vec!["class", ""];
    headers.extend(fields.iter().map(|(_, h)| *h));
    let mut t = Table::with_left(&headers, 2);
    // Each class's figures for the table's fields, found in one pass over
    // the figures (the first of a path, as a lookup by path finds).
    let n = fields.len();
    let mut grid: Vec<Option<&Figure>> = vec![None; deal.classes.len() * n];
    for f in &r.figures {
        let Subject::Class(name) = &f.path.subject else {
            continue;
        };
        let (Some(k), Some(j)) = (
            deal.classes.iter().position(|c| c.name == *name),
            fields.iter().position(|(field, _)| *field == f.path.field),
        ) else {
            continue;
        };
        let cell = &mut grid[k * n + j];
        if cell.is_none() {
            *cell = Some(f);
        }
    }
    for (k, class) in deal.classes.iter().enumerate() {
        let figs: Vec<Option<&Figure>> = grid[k * n..(k + 1) * n]
            .iter()
            .map(|f| f.filter(|f| f.status != Status::Input))
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

/// One line: `ABSC 2003-HE4 2003-12-15: 194 figures: ...`.
pub fn summary_line(r: &Reconciliation, s: &Summary) -> String {
    let mut line = format!(
        "{} {}: {} figures compared: {} match, {} mismatch, {} report-inconsistent; {} not modelled, {} inputs",
        r.deal,
        r.distribution_date,
        s.compared(),
        s.matched,
        s.mismatched,
        s.report_inconsistent,
        s.not_modelled,
        s.inputs,
    );
    if s.missing > 0 {
        let _ = write!(line, ", {} missing from the report", s.missing);
    }
    let _ = write!(line, " (tolerance ${})", r.tolerance);
    line
}

fn is_class(f: &Figure) -> bool {
    matches!(f.path.subject, Subject::Class(_))
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
        "{} · accrual {} to {}: {} days",
        index_text(r),
        p.accrual_start,
        p.date,
        p.days_actual,
    );
    let _ = writeln!(
        out,
        "marks: * mismatch (beyond ${} or the print's precision) or missing, ! report-inconsistent, ? not modelled\n",
        r.tolerance
    );
    let layout_fields: &[(&str, &str)] = match deal.report.layout {
        crate::report::Layout::UsBankStatement => &CLASS_FIELDS,
        crate::report::Layout::CarmaxServicerCertificate => &NOTE_FIELDS,
    };
    if let Some(t) = class_table(deal, r, layout_fields) {
        out.push_str(&t);
        out.push('\n');
    }
    if let Some(t) = class_table(deal, r, &PER_1000_FIELDS) {
        let _ = writeln!(out, "Per $1,000 of original balance");
        out.push_str(&t);
        out.push('\n');
    }
    let mut t = Table::new(
        &["figure", "ours", "reported", "difference", "status"],
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    );
    let shown_in_class_tables = |f: &Figure| {
        is_class(f)
            && layout_fields
                .iter()
                .chain(PER_1000_FIELDS.iter())
                .any(|(x, _)| *x == f.field())
    };
    for f in r
        .figures
        .iter()
        .filter(|f| f.status != Status::Input && f.status != Status::Missing)
        .filter(|f| !shown_in_class_tables(f))
    {
        t.row(vec![
            f.id.clone(),
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
        .filter(|f| !matches!(f.status, Status::Match | Status::Input))
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
    let accounts: Vec<String> = deal
        .accounts
        .iter()
        .zip(&r.result.accounts)
        .map(|(a, f)| {
            format!(
                "{} {}",
                a.name,
                format::money(f.beginning + f.collections + f.earnings)
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "  funds: {} (came in: {})",
        accounts.join(", "),
        format::money(d.available)
    );
    let _ = writeln!(
        out,
        "  step-down {}, trigger event {}{}",
        if d.stepdown { "occurred" } else { "not yet" },
        if d.trigger { "in effect" } else { "none" },
        if deal.oc.is_some() {
            format!(
                ", OC {} against a target of {}",
                format::money(d.oc_beginning),
                format::money(d.oc_target)
            )
        } else {
            String::new()
        }
    );
    for e in &r.ledger.entries {
        let step = &deal.steps[e.step];
        let funds = match e.account {
            Some(a) => format!(
                "  [{}: {} -> {}]",
                deal.accounts[a].name,
                format::money(e.before),
                format::money(e.after)
            ),
            None => String::new(),
        };
        let name = step
            .name
            .as_ref()
            .map(|n| format!(" [{n}]"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:>3}. {}{name}{funds}",
            e.step + 1,
            step.describe(deal)
        );
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

/// A decimal as a JSON number with its exact digits.
fn number(v: Decimal) -> Value {
    format::json_decimal(v)
}

fn rounded(unit: Unit, printed: Option<&Printed>, v: Decimal) -> Value {
    let dp = match unit {
        Unit::Money => 2,
        Unit::Flag | Unit::Count => 0,
        _ => printed.map(|p| p.decimals).unwrap_or(7) + 3,
    };
    number(v.round_dp_with_strategy(dp, crate::num::MONEY_ROUNDING))
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
                "label": f.label,
                "unit": f.unit,
                "ours": f.ours.map(|v| rounded(f.unit, f.reported.as_ref(), v)),
                "reported": f.reported.map(|p| number(p.value)),
                "difference": f.difference().map(|v| rounded(f.unit, f.reported.as_ref(), v)),
                "tolerance": number(f.tolerance),
                "status": f.status.name(),
                "line": f.reported.map(|p| p.line),
                "note": f.note,
            });
            if f.reported.is_none() {
                o["reported"] = Value::Null;
            }
            o
        })
        .collect();
    let index_source = match &r.inputs.index_source {
        IndexSource::Printed { line } => json!({ "printed_on_line": line }),
        IndexSource::Implied { classes, .. } => json!({ "implied_by": classes }),
        IndexSource::None => Value::Null,
    };
    let mut v = json!({
        "deal": r.deal,
        "report": r.report_path.display().to_string(),
        "distribution_date": r.distribution_date.to_string(),
        "carried_state": r.inputs.carried,
        "index": { "value": number(r.inputs.period.index), "source": index_source },
        "figures": figures,
        "summary": {
            "figures": s.figures,
            "compared": s.compared(),
            "match": s.matched,
            "mismatch": s.mismatched,
            "report_inconsistent": s.report_inconsistent,
            "not_modelled": s.not_modelled,
            "inputs": s.inputs,
            "missing": s.missing,
            "tolerance": number(r.tolerance),
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
                    "label": deal.steps[e.step].describe(deal),
                    "account": e.account.map(|a| deal.accounts[a].name.clone()),
                    "before": number(e.before),
                    "after": number(e.after),
                    "note": e.note,
                    "payments": e.payments.iter().map(|p| json!({
                        "to": p.to, "what": p.what, "due": p.due.map(number), "paid": number(p.paid)
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
    }
    v
}

/// The text report of a deal's reconciliations in date order, each month's
/// as [`write_text`] writes it, and the month-by-month table when there is
/// more than one. The months are written on their own (in parallel) and
/// joined in order, so the text is the same whatever the thread count.
pub fn text(deal: &Deal, runs: &[Reconciliation], explain: bool) -> String {
    let month = |r: &Reconciliation| {
        let mut s = String::new();
        write_text(&mut s, deal, r, explain);
        s
    };
    let months: Vec<String> = if runs.len() == 1 {
        vec![month(&runs[0])]
    } else {
        runs.par_iter().map(month).collect()
    };
    let mut out = String::with_capacity(months.iter().map(String::len).sum::<usize>() + 1024);
    for (i, m) in months.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(m);
    }
    if runs.len() > 1 {
        out.push_str("\nMonth by month:\n");
        out.push_str(&summary_table(runs));
    }
    out
}

/// The JSON of a deal's reconciliations: one object for one report, an
/// array for several.
pub fn json_value(deal: &Deal, runs: &[Reconciliation], explain: bool) -> Value {
    if let [one] = runs {
        return to_json(one, explain.then_some(deal));
    }
    json_months(deal, runs, explain)
}

/// The JSON array of a deal's reconciliations, one object a month.
pub fn json_months(deal: &Deal, runs: &[Reconciliation], explain: bool) -> Value {
    Value::Array(
        runs.par_iter()
            .map(|r| to_json(r, explain.then_some(deal)))
            .collect(),
    )
}

/// A table of the counts of [`Summary`] after the `names` columns, the first
/// `left` of them aligned left.
pub(super) fn counts_table(names: &[&str], left: usize) -> Table {
    let mut headers = names.to_vec();
    headers.extend([
        "compared",
        "match",
        "mismatch",
        "inconsistent",
        "not modelled",
        "inputs",
        "missing",
    ]);
    Table::with_left(&headers, left)
}

/// A row of [`counts_table`]: the `names` cells, then the counts of `s`.
pub(super) fn count_cells<const N: usize>(names: [String; N], s: &Summary) -> Vec<String> {
    let mut cells = Vec::from(names);
    cells.extend(
        [
            s.compared(),
            s.matched,
            s.mismatched,
            s.report_inconsistent,
            s.not_modelled,
            s.inputs,
            s.missing,
        ]
        .map(|n| n.to_string()),
    );
    cells
}

/// One row per month: figures compared, matched, mismatched,
/// report-inconsistent, not modelled.
pub fn summary_table(runs: &[Reconciliation]) -> String {
    let mut t = counts_table(&["distribution", "state"], 2);
    let mut total = Summary::default();
    for r in runs {
        let s = r.summary();
        total.add(&s);
        let state = if r.inputs.carried {
            "carried"
        } else {
            "report"
        };
        t.row(count_cells(
            [r.distribution_date.to_string(), state.to_string()],
            &s,
        ));
    }
    t.row(count_cells(
        ["all months".to_string(), String::new()],
        &total,
    ));
    t.render()
}
