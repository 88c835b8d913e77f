//! A parsed report as text: what `waterfall parse` prints.

use std::fmt::Write as _;

use super::{Printed, Report, Warning};
use crate::format;
use crate::table::Table;

fn cell(p: &Option<Printed>) -> String {
    p.as_ref()
        .map(|p| format::fixed(p.value, p.decimals))
        .unwrap_or_else(|| "-".into())
}

fn rate(p: &Option<Printed>) -> String {
    p.as_ref()
        .map(|p| format::percent(p.value, p.decimals.saturating_sub(2)))
        .unwrap_or_else(|| "N/A".into())
}

/// The report's figures as aligned tables, then the parser's warnings.
pub fn text(r: &Report, warnings: &[Warning]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", r.trust);
    let _ = writeln!(
        out,
        "series {} · distribution date {}",
        if r.series.is_empty() { "?" } else { &r.series },
        r.distribution_date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "?".into())
    );
    if let Some(i) = &r.index_rate {
        let _ = writeln!(out, "index {} (line {})", rate(&Some(*i)), i.line);
    }
    out.push('\n');
    let mut t = Table::with_left(
        &[
            "class",
            "cusip",
            "original",
            "beginning",
            "principal",
            "rate",
            "interest",
            "loss",
            "total",
            "int short",
            "ending",
        ],
        2,
    );
    for c in &r.classes {
        t.row(vec![
            c.name.clone(),
            c.cusip.clone().unwrap_or_default(),
            cell(&c.original_balance),
            cell(&c.beginning_balance),
            cell(&c.principal),
            rate(&c.rate),
            cell(&c.interest),
            c.realized_loss
                .as_ref()
                .map(|p| format::fixed(p.value, p.decimals))
                .unwrap_or("N/A".into()),
            cell(&c.total_distribution),
            cell(&c.interest_shortfall),
            cell(&c.ending_balance),
        ]);
    }
    let tt = &r.totals;
    t.row(vec![
        "Total".into(),
        String::new(),
        cell(&tt.original_balance),
        cell(&tt.beginning_balance),
        cell(&tt.principal),
        String::new(),
        cell(&tt.interest),
        cell(&tt.realized_loss),
        cell(&tt.total_distribution),
        cell(&tt.interest_shortfall),
        cell(&tt.ending_balance),
    ]);
    out.push_str(&t.render());

    out.push('\n');
    let mut headers = vec!["collateral".to_string()];
    headers.extend(r.groups.iter().map(|g| format!("group {}", g.name)));
    headers.push("total".into());
    let hs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut c = Table::with_left(&hs, 1);
    let rows = super::GroupCollateral::FIELDS;
    for (label, f) in rows {
        let mut row = vec![label.to_string()];
        row.extend(r.groups.iter().map(|g| cell(f(g))));
        row.push(cell(f(&r.pool)));
        c.row(row);
    }
    out.push_str(&c.render());

    out.push('\n');
    let mut d = Table::with_left(&["figure", "value", "line"], 1);
    let mut add = |label: &str, p: &Option<Printed>, pct: bool| {
        if let Some(v) = p {
            d.row(vec![
                label.to_string(),
                if pct { rate(p) } else { cell(p) },
                v.line.to_string(),
            ]);
        }
    };
    add("prepayment premiums", &r.prepayment_premiums.amount, false);
    add("current realized losses", &r.current_realized_losses, false);
    add(
        "cumulative realized losses",
        &r.cumulative_realized_losses,
        false,
    );
    add("weighted average gross coupon", &r.wac_gross, true);
    add("weighted average net coupon", &r.wac_net, true);
    add("weighted average remaining term", &r.wam, false);
    add("O/C target", &r.oc_target, false);
    add("ending O/C", &r.ending_oc, false);
    add("O/C deficiency", &r.oc_deficiency, false);
    add("O/C increase", &r.oc_increase, false);
    add("O/C release", &r.oc_release, false);
    add("excess O/C", &r.excess_oc, false);
    add("credit enhancement", &r.credit_enhancement, true);
    add(
        "net monthly excess cash flow",
        &r.net_monthly_excess_cash_flow,
        false,
    );
    add(
        "available distribution amount",
        &r.available_distribution_amount,
        false,
    );
    for (label, p) in &r.named_rates {
        add(label, &Some(*p), true);
    }
    out.push_str(&d.render());
    for (label, f) in [
        ("trigger event", &r.trigger_event),
        ("step-down date occurred", &r.stepdown_occurred),
    ] {
        if let Some(f) = f {
            let _ = writeln!(
                out,
                "{label}: {} (line {})",
                if f.value { "YES" } else { "NO" },
                f.line
            );
        }
    }
    if !warnings.is_empty() {
        out.push('\n');
        for w in warnings {
            let _ = writeln!(out, "warning: line {}: {}", w.line, w.message);
        }
    }
    out
}
