//! Agency CMO structures from Fabozzi and Jones, *Foundations of Global
//! Financial Markets and Institutions*, ch. 30: the same $400,000,000 of
//! 7.5% pass-throughs (8.125% WAC, 357 of 360 months left) carved into a
//! sequential-pay deal (FJF-01), one with an accrual class (FJF-02) and a
//! PAC with its support (FJF-04), each run from closing.
//!
//! Every figure asserted is the book's print or arithmetic written here.
//! The book prints dollars; where a figure is asserted "within a dollar" the
//! comment says why rounding our cents does not give the print exactly.

use std::path::Path;

use rust_decimal::{Decimal, MathematicalOps};
use rust_decimal_macros::dec;
use waterfall::collateral::{Assumptions, Defaults, PpcCurves};
use waterfall::deal::Deal;
use waterfall::projection::{PeriodRecord, Projection, Recorder};
use waterfall::scenario::{Libor, Scenario};
use waterfall::waterfall::Engine;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn deal(name: &str) -> Deal {
    Deal::load(&root().join("deals").join(name)).unwrap()
}

/// An agency scenario: a prepayment speed, no defaults, the index flat at
/// `libor` percent, no call.
fn scenario_at(prepay: &str, libor: Libor) -> Scenario {
    Scenario {
        name: prepay.to_string(),
        assumptions: Assumptions {
            prepay: prepay.parse().unwrap(),
            defaults: Defaults::Cdr(Decimal::ZERO),
            severity: Decimal::ZERO,
            lag: 0,
            advancing: true,
            ppc: PpcCurves::default(),
        },
        libor,
        call: false,
    }
}

fn scenario(prepay: &str) -> Scenario {
    scenario_at(prepay, Libor::Flat(Decimal::ZERO))
}

/// Every period of `deal` run from closing at `prepay`, in exact decimals.
fn run(deal: &Deal, prepay: &str) -> Vec<PeriodRecord<Decimal>> {
    run_scenario(deal, &scenario(prepay))
}

fn run_scenario(deal: &Deal, s: &Scenario) -> Vec<PeriodRecord<Decimal>> {
    let p = Projection::from(deal, waterfall::projection::From::Closing).unwrap();
    let mut engine = Engine::<Decimal>::new(deal);
    let mut rec = Recorder::default();
    p.run(s, &mut engine, &mut rec).unwrap();
    rec.periods
}

fn class(deal: &Deal, name: &str) -> usize {
    deal.class_index(name).unwrap()
}

/// Month (1-based) of `period` in the run.
fn month(periods: &[PeriodRecord<Decimal>], m: u32) -> &PeriodRecord<Decimal> {
    let r = &periods[m as usize - 1];
    assert_eq!(r.month, m);
    r
}

/// The last month a class is paid principal: the month it is retired.
fn retired(deal: &Deal, periods: &[PeriodRecord<Decimal>], name: &str) -> u32 {
    let k = class(deal, name);
    let r = periods
        .iter()
        .find(|r| {
            r.result.classes[k].beginning > Decimal::ZERO && r.result.classes[k].ending.is_zero()
        })
        .unwrap_or_else(|| panic!("{name} is never retired"));
    r.month
}

/// `ours` is within a dollar of the book's print (which is in dollars).
#[track_caller]
fn within_a_dollar(ours: Decimal, print: Decimal) {
    assert!(
        (ours - print).abs() < Decimal::ONE,
        "ours {ours}, the book prints {print}"
    );
}

/// `ours` rounded to the dollar (halves away from zero) is the book's print.
#[track_caller]
fn dollars(ours: Decimal, print: Decimal) {
    assert_eq!(
        ours.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        print,
        "ours {ours}"
    );
}

/// The collateral's scheduled principal in a month by the level-payment
/// formula: balance x r / ((1 + r)^n - 1), r = 8.125% / 12, n months left.
fn level_payment_principal(balance: Decimal, n: i64) -> Decimal {
    let r = dec!(0.08125) / dec!(12);
    let growth = (Decimal::ONE + r).powi(n);
    cents(balance * r / (growth - Decimal::ONE))
}

/// Money to the cent, halves away from zero (the engine's rule).
fn cents(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

// --- FJF-01: sequential pay --------------------------------------------------------

#[test]
fn fjf01_month_1_at_165_psa_is_the_books() {
    let d = deal("fjf-01");
    let p = run(&d, "165PSA");
    let m1 = month(&p, 1);
    let deal = &m1.result.deal;
    // Scheduled principal by hand: 400,000,000 x r / ((1 + r)^357 - 1).
    let scheduled = level_payment_principal(dec!(400000000), 357);
    assert_eq!(scheduled, dec!(267534.91));
    assert_eq!(deal.scheduled_principal, scheduled);
    dollars(deal.scheduled_principal, dec!(267535));
    dollars(deal.unscheduled_principal, dec!(442389));
    dollars(deal.principal_remittance, dec!(709923));
    // Net interest: 400,000,000 x 7.5% / 12.
    assert_eq!(deal.interest_remittance, dec!(2500000.00));
    let a = &m1.result.classes[class(&d, "A")];
    // 194,500,000 x 7.5% / 12.
    assert_eq!(a.interest_paid, dec!(1215625.00));
    assert_eq!(a.principal, deal.principal_remittance);
    dollars(a.principal, dec!(709923));
    // The book prints A's ending balance as 193,790,076: the dollars of
    // 194,500,000 - 709,923.49 = 193,790,076.51 (it drops the cents here,
    // where rounding would give ...077).
    assert_eq!(a.ending, dec!(194500000) - deal.principal_remittance);
    within_a_dollar(a.ending, dec!(193790076));
    // Nothing for B, C, D but their interest.
    for (name, balance) in [
        ("B", dec!(36000000)),
        ("C", dec!(96500000)),
        ("D", dec!(73000000)),
    ] {
        let c = &m1.result.classes[class(&d, name)];
        assert_eq!(c.principal, Decimal::ZERO, "{name}");
        assert_eq!(
            c.interest_paid,
            cents(balance * dec!(0.075) / dec!(12)),
            "{name}"
        );
    }
}

#[test]
fn fjf01_month_81_at_165_psa_is_the_books() {
    let d = deal("fjf-01");
    let p = run(&d, "165PSA");
    let m = month(&p, 81);
    let deal = &m.result.deal;
    let cash = deal.principal_remittance + deal.interest_remittance;
    dollars(cash, dec!(3318521));
    dollars(deal.interest_remittance, dec!(1286325));
    // The book prints 2,032,196 for the month's principal; ours is
    // 2,032,196.52 (its cash flow 3,318,521 less its interest 1,286,325
    // is 2,032,196: the book's unrounded figures are a few cents from ours).
    within_a_dollar(deal.principal_remittance, dec!(2032196));
    let a = &m.result.classes[class(&d, "A")];
    let b = &m.result.classes[class(&d, "B")];
    dollars(a.beginning, dec!(311926));
    dollars(b.principal, dec!(1720271));
    // A takes what it has left, B the rest of the month's principal.
    assert_eq!(a.principal, a.beginning);
    assert_eq!(a.principal + b.principal, deal.principal_remittance);
}

#[test]
fn fjf01_classes_retire_in_the_books_months() {
    let d = deal("fjf-01");
    let p = run(&d, "165PSA");
    assert_eq!(retired(&d, &p, "A"), 81);
    assert_eq!(retired(&d, &p, "B"), 100);
    assert_eq!(retired(&d, &p, "C"), 178);
    assert_eq!(retired(&d, &p, "D"), 357);
    assert_eq!(p.len(), 357);
    // Principal strictly in sequence: no class is paid before the one
    // ahead of it is retired.
    let names = ["A", "B", "C", "D"];
    for r in &p {
        for w in names.windows(2) {
            let ahead = &r.result.classes[class(&d, w[0])];
            let behind = &r.result.classes[class(&d, w[1])];
            if behind.principal > Decimal::ZERO {
                assert!(
                    ahead.ending.is_zero(),
                    "month {}: {} paid before {} retired",
                    r.month,
                    w[1],
                    w[0]
                );
            }
        }
    }
}

#[test]
fn fjf01_month_100_at_100_psa_is_the_books() {
    let d = deal("fjf-01");
    let p = run(&d, "100PSA");
    let deal = &month(&p, 100).result.deal;
    dollars(deal.pool_beginning, dec!(231249776));
    dollars(deal.scheduled_principal, dec!(332928));
    dollars(deal.unscheduled_principal, dec!(1187608));
    // The scheduled principal by the level-payment formula on that balance
    // with 357 - 99 = 258 months left.
    assert_eq!(
        deal.scheduled_principal,
        level_payment_principal(deal.pool_beginning, 258)
    );
}
