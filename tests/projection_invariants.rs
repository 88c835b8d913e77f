//! Invariants of a projection, period by period: cash is conserved, no
//! balance goes negative, class principal is collateral principal plus extra
//! principal less OC release, a zero-speed run pays scheduled principal only,
//! more defaults never pay a subordinate class more principal, the exact and
//! the fast path agree to the cent, and the same inputs give the same output.

use std::path::Path;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::deal::Deal;
use waterfall::num::Num;
use waterfall::projection::{Both, Projection, Recorder, summary::Summarizer};
use waterfall::scenario::{Scenario, ScenarioSet};
use waterfall::waterfall::Engine;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn deal(name: &str) -> Deal {
    Deal::load(&root().join("deals").join(name)).unwrap()
}

fn projection<'d>(deal: &'d Deal, name: &str) -> Projection<'d> {
    Projection::from_report_file(
        deal,
        &root()
            .join("deals")
            .join(name)
            .join("filings/2003-12-15.txt"),
    )
    .unwrap()
}

fn scenario(text: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    ScenarioSet::load(&path).unwrap().single().unwrap()
}

fn shipped(name: &str) -> Scenario {
    ScenarioSet::load(&root().join("scenarios").join(name))
        .unwrap()
        .single()
        .unwrap()
}

fn record<T: Num>(p: &Projection, s: &Scenario) -> Recorder<T> {
    let mut engine = Engine::<T>::new(p.deal);
    let mut rec = Recorder::default();
    p.run(s, &mut engine, &mut rec).unwrap();
    rec
}

#[test]
fn every_period_pays_out_exactly_the_cash_that_came_in() {
    for name in ["absc-2003-he4", "absc-2003-he2"] {
        let d = deal(name);
        let p = projection(&d, name);
        let rec = record::<Decimal>(&p, &shipped("stress.toml"));
        assert!(
            rec.periods.len() > 100,
            "{name}: the stress run goes on without a call"
        );
        for r in &rec.periods {
            let deal = &r.result.deal;
            let paid: Decimal = r.result.fees.iter().map(|f| f.paid).sum::<Decimal>()
                + r.result
                    .classes
                    .iter()
                    .map(|c| c.total_distribution())
                    .sum::<Decimal>();
            assert_eq!(paid, deal.available, "{name} {}", r.input.date);
            // And the collateral's own cash: what the pool lost is principal paid or realized loss.
            assert_eq!(
                deal.pool_beginning - deal.pool_ending,
                deal.principal_remittance + deal.realized_loss,
                "{name} {}",
                r.input.date
            );
        }
    }
}

#[test]
fn no_balance_ever_goes_negative() {
    let d = deal("absc-2003-he4");
    let p = projection(&d, "absc-2003-he4");
    let rec = record::<Decimal>(&p, &shipped("stress.toml"));
    for r in &rec.periods {
        for (k, c) in r.result.classes.iter().enumerate() {
            assert!(
                c.ending >= Decimal::ZERO || d.oc.as_ref().and_then(|o| o.holder) == Some(k),
                "{} {}",
                d.classes[k].name,
                r.input.date
            );
            assert!(
                c.principal >= Decimal::ZERO
                    && c.interest_paid >= Decimal::ZERO
                    && c.writedown >= Decimal::ZERO
            );
        }
        assert!(r.result.deal.pool_ending >= Decimal::ZERO);
        for g in &r.groups {
            assert!(g.ending_balance >= Decimal::ZERO && g.in_foreclosure >= Decimal::ZERO);
        }
    }
}

#[test]
fn class_principal_is_collateral_principal_plus_extra_principal_less_oc_release() {
    for (name, s) in [
        ("absc-2003-he4", "base.toml"),
        ("absc-2003-he2", "stress.toml"),
        ("absc-2003-he4", "pricing.toml"),
    ] {
        let d = deal(name);
        let p = projection(&d, name);
        let rec = record::<Decimal>(&p, &shipped(s));
        // The deal files name the steps that move cash in and out of principal.
        let step = |name: &str| {
            d.steps
                .iter()
                .position(|s| s.name.as_deref() == Some(name))
                .unwrap()
        };
        let (extra, release, left) = (
            step("extra_principal"),
            step("oc_release"),
            step("principal_left"),
        );
        for r in &rec.periods {
            let deal = &r.result.deal;
            let class_principal: Decimal = r.result.classes.iter().map(|c| c.principal).sum();
            let steps = &r.result.steps;
            assert_eq!(
                class_principal,
                deal.principal_remittance + steps[extra].amount
                    - steps[release].amount
                    - steps[left].amount,
                "{name} {s} {}",
                r.input.date
            );
        }
    }
}

#[test]
fn zero_prepayments_and_defaults_pay_scheduled_principal_only() {
    let d = deal("absc-2003-he2");
    let p = projection(&d, "absc-2003-he2");
    let s = scenario("prepay = \"0CPR\"\ndefault = \"0CDR\"\ncall = false\n");
    let rec = record::<Decimal>(&p, &s);
    let mut scheduled = Decimal::ZERO;
    for r in &rec.periods {
        for g in &r.input.groups {
            assert_eq!(g.prepayments, Decimal::ZERO);
            assert_eq!(g.realized_loss, Decimal::ZERO);
            assert_eq!(g.liquidation_proceeds, Decimal::ZERO);
            scheduled += g.scheduled_principal;
        }
    }
    // Run to maturity, scheduled principal repays the whole pool.
    let pool: Decimal = p.start.group_balances.iter().sum();
    assert_eq!(scheduled, pool);
    // Month 1, before any ARM reset, every line of group 1 pays at the
    // filing's 7.67172% over 343 months, so the group's scheduled principal is
    // the level-payment amortization of its whole balance:
    // B x r / ((1 + r)^n - 1), r = 7.67172%/12, n = 343 (one cent of rounding per line).
    let b = p.start.group_balances[0].to_f64();
    let r = 0.0767172 / 12.0;
    let expected = b * r / ((1.0 + r).powi(343) - 1.0);
    let got = rec.periods[0].input.groups[0].scheduled_principal.to_f64();
    assert!(
        (got - expected).abs() <= 0.02,
        "scheduled principal {got} vs {expected}"
    );
}

#[test]
fn more_defaults_never_pay_a_subordinate_class_more_principal() {
    let d = deal("absc-2003-he4");
    let p = projection(&d, "absc-2003-he4");
    let subordinates: Vec<usize> = d
        .classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.name.starts_with('M'))
        .map(|(k, _)| k)
        .collect();
    let mut previous: Option<Vec<Decimal>> = None;
    for cdr in [0, 2, 4, 6, 8, 10, 12, 15] {
        let s = scenario(&format!(
            "default = \"{cdr}CDR\"\nseverity = \"45\"\ncall = false\n"
        ));
        let mut engine = Engine::<f64>::new(&d);
        let start: Vec<f64> = p.start.balances(&d).iter().map(|b| b.to_f64()).collect();
        let mut sum = Summarizer::new(&d, &start);
        p.run(&s, &mut engine, &mut sum).unwrap();
        let summary = sum.finish(&d);
        let principal: Vec<Decimal> = subordinates
            .iter()
            .map(|&k| summary.classes[k].total_principal)
            .collect();
        if let Some(prev) = &previous {
            for (i, &k) in subordinates.iter().enumerate() {
                assert!(
                    principal[i] <= prev[i],
                    "{} at {cdr} CDR: {} > {}",
                    d.classes[k].name,
                    principal[i],
                    prev[i]
                );
            }
        }
        previous = Some(principal);
    }
}

#[test]
fn exact_and_fast_paths_agree_to_the_cent_every_period() {
    for (name, s) in [
        ("absc-2003-he4", "base.toml"),
        ("absc-2003-he2", "stress.toml"),
    ] {
        let d = deal(name);
        let p = projection(&d, name);
        let s = shipped(s);
        let exact = record::<Decimal>(&p, &s);
        let fast = record::<f64>(&p, &s);
        assert_eq!(exact.periods.len(), fast.periods.len());
        // A cent, plus the f64 path's representation error (under a millionth of a dollar).
        let cent = dec!(0.010001);
        for (e, f) in exact.periods.iter().zip(&fast.periods) {
            for (k, (ce, cf)) in e.result.classes.iter().zip(&f.result.classes).enumerate() {
                for (what, a, b) in [
                    (
                        "interest",
                        ce.interest_distribution(),
                        cf.interest_distribution(),
                    ),
                    ("principal", ce.principal, cf.principal),
                    ("writedown", ce.writedown, cf.writedown),
                    ("ending", ce.ending, cf.ending),
                ] {
                    let diff = (a - b.to_decimal()).abs();
                    assert!(
                        diff <= cent,
                        "{name} {} {} {what}: {a} vs {b}",
                        e.input.date,
                        d.classes[k].name
                    );
                }
            }
        }
    }
}

#[test]
fn the_same_projection_twice_is_the_same_to_the_bit() {
    let d = deal("absc-2003-he4");
    let p = projection(&d, "absc-2003-he4");
    let s = shipped("base.toml");
    let csv = |rec: &Recorder<f64>| {
        let mut buf = Vec::new();
        waterfall::projection::output::write_classes(&p, &rec.periods, &mut buf).unwrap();
        buf
    };
    let a = record::<f64>(&p, &s);
    let b = record::<f64>(&p, &s);
    assert_eq!(csv(&a), csv(&b));
    let start: Vec<Decimal> = p.start.state.balances.clone();
    let mut s1 = Summarizer::new(&d, &start);
    let mut r1 = Recorder::default();
    p.run(
        &s,
        &mut Engine::<Decimal>::new(&d),
        &mut Both(&mut r1, &mut s1),
    )
    .unwrap();
    assert_eq!(s1.finish(&d).deal.periods as usize, r1.periods.len());
}
