//! A deal read back in words (`waterfall show DEAL`): what the file says,
//! as the engine understood it.

use std::fmt::Write;

use super::{AccountKind, Deal, FeeDue, Notional, ScheduleSource, TriggerKind, Unit};
use crate::format::{dollars, money};
use crate::table::Table;

fn pct(d: rust_decimal::Decimal) -> String {
    format!("{}%", (d * rust_decimal::Decimal::ONE_HUNDRED).normalize())
}

/// The deal's classes, accounts, fees, terms and waterfall, as text.
pub fn show(deal: &Deal) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({})", deal.name, deal.path.display());
    let _ = writeln!(
        s,
        "closing {} · first distribution {} · payment day {} ({:?}, {:?} holidays) · index {}",
        deal.closing_date,
        deal.first_distribution_date,
        deal.calendar.payment_day,
        deal.calendar.business_day,
        deal.calendar.holidays,
        deal.index_name
    );
    let _ = writeln!(s, "cut-off balance {}", money(deal.cutoff_balance));
    if !deal.groups.is_empty() {
        let _ = writeln!(s, "\nloan groups");
        for g in &deal.groups {
            let cutoff = g
                .cutoff_balance
                .map(|b| format!(", cut-off balance {}", money(b)))
                .unwrap_or_default();
            let _ = writeln!(s, "  {}{cutoff}", g.name);
            for l in &g.lines {
                let coupon = l
                    .gross_coupon
                    .map(pct)
                    .unwrap_or_else(|| "the filing's WAC".into());
                let term = l
                    .remaining_term
                    .map(|t| format!("{t} of {} months", l.original_term))
                    .unwrap_or_else(|| format!("the filing's WAM of {} months", l.original_term));
                let _ = writeln!(
                    s,
                    "    {}: {} of the group, {}, gross coupon {coupon}, {term}",
                    l.name,
                    pct(l.share),
                    if l.arm { "ARM" } else { "fixed" },
                );
            }
        }
    }

    let _ = writeln!(s, "\nclasses");
    let mut t = Table::with_left(&["class", "original", "coupon", "day count", "notional"], 1);
    for c in &deal.classes {
        let notional = match &c.notional {
            None => String::new(),
            Some(Notional::Of(e)) => deal.display(e),
            Some(Notional::Schedule(sch)) => format!("schedule of {} dates", sch.entries.len()),
        };
        let mut coupon = c
            .coupon
            .describe(&deal.index_name, &|q| deal.quantities[q].name.clone());
        if c.interest_on_unpaid {
            coupon.push_str("; interest on unpaid interest");
        }
        t.row(vec![
            c.name.clone(),
            dollars(c.original_balance),
            coupon,
            c.day_count.name().to_string(),
            notional,
        ]);
    }
    s.push_str(&t.render());

    let _ = writeln!(s, "\naccounts");
    for a in &deal.accounts {
        let receives: Vec<&str> = a.receives.iter().map(|f| f.name()).collect();
        let group = a
            .group
            .map(|g| format!(" of group {}", deal.groups[g].name))
            .unwrap_or_default();
        let kind = match &a.kind {
            AccountKind::Collection => "collection account, emptied every period".to_string(),
            AccountKind::Reserve { initial, target } => format!(
                "reserve, {} at closing, target {}",
                money(*initial),
                deal.display(target)
            ),
        };
        let recv = if receives.is_empty() {
            String::new()
        } else {
            format!("; receives {}{group}", receives.join(", "))
        };
        let _ = writeln!(s, "  {}: {kind}{recv}", a.name);
    }

    if !deal.fees.is_empty() {
        let _ = writeln!(s, "\nfees");
        for f in &deal.fees {
            let due = match &f.due {
                FeeDue::Rate { rate, basis } => format!(
                    "{} a year of {} ({})",
                    pct(rate.exact),
                    deal.display(basis),
                    f.day_count.name()
                ),
                FeeDue::Amount(e) => deal.display(e),
            };
            let carry = if f.carry_unpaid {
                "; unpaid carries forward"
            } else {
                ""
            };
            let _ = writeln!(s, "  {}: {due}{carry}", f.name);
        }
    }

    if !deal.quantities.is_empty() {
        let _ = writeln!(
            s,
            "\nquantities (worked out each period before the waterfall)"
        );
        for q in &deal.quantities {
            let unit = match q.unit {
                Unit::Rate => " (a rate)",
                Unit::Amount | Unit::Number => "",
            };
            let label = q
                .label
                .as_ref()
                .map(|l| format!(" [printed as \"{l}\"]"))
                .unwrap_or_default();
            let _ = writeln!(s, "  {}{unit} = {}{label}", q.name, deal.display(&q.value));
        }
    }

    if !deal.swaps.is_empty() || !deal.caps.is_empty() {
        let _ = writeln!(s, "\nderivatives");
        for line in super::derivative::describe(deal) {
            let _ = writeln!(s, "  {line}");
        }
    }

    if let Some(oc) = &deal.oc {
        let _ = writeln!(s, "\novercollateralization");
        if let Some(h) = oc.holder {
            let _ = writeln!(
                s,
                "  held by {} (its printed balance is the OC)",
                deal.classes[h].name
            );
        }
        let _ = writeln!(s, "  target {}", deal.display(&oc.target));
        if let Some(f) = &oc.floor {
            let _ = writeln!(s, "  floor {}", deal.display(f));
        }
        if let Some(c) = &oc.contract_target {
            let _ = writeln!(s, "  the contract's target {}", deal.display(c));
        }
    }
    if let Some(sd) = &deal.stepdown {
        let test = sd
            .test
            .as_ref()
            .map(|t| format!(" once {}", deal.display(t)))
            .unwrap_or_default();
        let _ = writeln!(s, "\nstep-down: on or after {}{test}", sd.earliest);
    }
    if !deal.triggers.is_empty() {
        let _ = writeln!(s, "\ntriggers");
        for tr in &deal.triggers {
            let what = match &tr.kind {
                TriggerKind::Delinquency {
                    rolling_months,
                    limit,
                } => format!(
                    "the {rolling_months}-month average 60+ delinquency rate exceeds {}",
                    deal.display(limit)
                ),
                TriggerKind::CumulativeLoss { schedule } => {
                    let parts: Vec<String> = schedule
                        .iter()
                        .map(|(d, p)| format!("{} from {d}", pct(p.exact)))
                        .collect();
                    format!(
                        "cumulative losses exceed {} of the cut-off balance",
                        parts.join(", ")
                    )
                }
                TriggerKind::Test(e) => format!("while {}", deal.display(e)),
            };
            let _ = writeln!(s, "  {}: {what}", tr.name);
        }
    }
    if let Some(c) = &deal.call {
        let _ = writeln!(
            s,
            "\nclean-up call: at or below {} of the cut-off balance",
            pct(c.fraction_of_cutoff)
        );
    }
    let named: Vec<_> = deal
        .allocations
        .iter()
        .filter(|a| !a.name.starts_with('('))
        .collect();
    if !named.is_empty() {
        let _ = writeln!(s, "\nallocations");
        for a in named {
            let members: Vec<&str> = a.members.iter().map(|&m| deal.target_name(m)).collect();
            let weights = match &a.rule {
                super::Rule::Fixed(w) => format!(
                    " {}",
                    w.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(":")
                ),
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                "  {}: {} ({}{weights})",
                a.name,
                members.join(", "),
                a.rule.name()
            );
        }
    }
    for sch in &deal.schedules {
        let how = match &sch.source {
            ScheduleSource::Given(v) => format!("{} balances given", v.len()),
            ScheduleSource::Band {
                original,
                low,
                high,
                balances,
            } => {
                let periods = balances
                    .iter()
                    .take_while(|b| b.is_sign_positive() && !b.is_zero())
                    .count()
                    + 1;
                if low == high {
                    format!(
                        "{} paid down by the collateral's principal at {low} ({periods} periods)",
                        money(*original)
                    )
                } else {
                    format!(
                        "{} paid down by the lesser of the collateral's principal at {low} and {high} ({periods} periods)",
                        money(*original)
                    )
                }
            }
        };
        let _ = writeln!(s, "\nschedule {}: {how}", sch.name);
    }

    for sp in &deal.coupon_splits {
        let names: Vec<&str> = sp
            .classes
            .iter()
            .map(|&k| deal.classes[k].name.as_str())
            .collect();
        let weights: Vec<String> = sp
            .weights
            .iter()
            .map(|w| w.normalize().to_string())
            .collect();
        let beyond = if sp.adds_up == sp.unbound {
            String::new()
        } else {
            format!(
                "; they add up {} (caps and floors offset)",
                sp.adds_up.describe()
            )
        };
        let _ = writeln!(
            s,
            "\ncoupon split: {} ({}) add up to {} {} (checked where no cap or floor binds){beyond}",
            names.join(", "),
            weights.join(":"),
            pct(sp.parent),
            sp.unbound.describe()
        );
    }

    let _ = writeln!(s, "\nwaterfall");
    for (i, step) in deal.steps.iter().enumerate() {
        let name = step
            .name
            .as_ref()
            .map(|n| format!(" [{n}]"))
            .unwrap_or_default();
        let _ = writeln!(s, "  {:>2}. {}{name}", i + 1, step.describe(deal));
    }
    if !deal.report.given {
        let _ = writeln!(
            s,
            "\nreport: none (the deal file has no [report]: no filings to reconcile; it runs from closing)"
        );
        return s;
    }
    let _ = writeln!(
        s,
        "\nreport: {} (money figures match within {})",
        deal.report.layout.name(),
        money(deal.report.tolerance)
    );
    for (path, e) in &deal.report.figures {
        let _ = writeln!(s, "  {path} = {}", deal.display(e));
    }
    s
}
