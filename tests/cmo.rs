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
        counterparty_default: None,
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

// --- FJF-02: an accrual (Z) class ----------------------------------------------------

/// Interest at 7.5% on a balance for a 30/360 month, to the cent.
fn interest(balance: Decimal) -> Decimal {
    cents(balance * dec!(0.075) / dec!(12))
}

#[test]
fn fjf02_month_1_a_gets_the_collateral_principal_and_z_accrual() {
    let d = deal("fjf-02");
    let p = run(&d, "165PSA");
    let m1 = month(&p, 1);
    let a = &m1.result.classes[class(&d, "A")];
    let z = &m1.result.classes[class(&d, "Z")];
    // Z's accrual: 73,000,000 x 7.5% / 12 = 456,250.
    assert_eq!(z.accreted, dec!(456250.00));
    assert_eq!(z.interest_paid, Decimal::ZERO);
    assert_eq!(z.ending, dec!(73456250.00));
    // A: the collateral's 709,923.49 (FJF-01's month 1) plus Z's 456,250.
    assert_eq!(
        a.principal,
        m1.result.deal.principal_remittance + dec!(456250)
    );
    dollars(a.principal, dec!(1166173));
}

#[test]
fn fjf02_balances_month_by_month_follow_the_accrual_by_hand() {
    let d = deal("fjf-02");
    let p = run(&d, "165PSA");
    let (ka, kb, kc, kz, kr) = (
        class(&d, "A"),
        class(&d, "B"),
        class(&d, "C"),
        class(&d, "Z"),
        class(&d, "R"),
    );
    let mut accreting = 0;
    let mut carry = Decimal::ZERO;
    for r in &p {
        let c = &r.result.classes;
        let deal = &r.result.deal;
        let (a, b, cc, z) = (&c[ka], &c[kb], &c[kc], &c[kz]);
        let ahead = a.beginning + b.beginning + cc.beginning;
        // The collateral pays 7.5% on its balance, which is the classes'.
        assert_eq!(
            deal.pool_beginning,
            ahead + z.beginning,
            "month {}",
            r.month
        );
        assert_eq!(deal.interest_remittance, interest(deal.pool_beginning));
        // Each class is due 7.5% on its own balance (and Z what it was short
        // last month); the collateral's one rounding can leave a cent more
        // (the residual's) or a cent less (Z's, carried to next month) than
        // the classes' own roundings add up to.
        let due = interest(a.beginning)
            + interest(b.beginning)
            + interest(cc.beginning)
            + interest(z.beginning)
            + carry;
        // One rounding against four differs by at most two cents; the cents
        // Z is short carry forward until a month leaves a cent over.
        assert!(
            (due - carry - deal.interest_remittance).abs() <= dec!(0.02),
            "month {}",
            r.month
        );
        let short = (due - deal.interest_remittance).max(Decimal::ZERO);
        assert_eq!(
            c[kr].total_distribution(),
            (deal.interest_remittance - due).max(Decimal::ZERO)
        );
        if ahead > Decimal::ZERO {
            // Z accretes: its balance grows by its interest, it is paid no interest.
            accreting += 1;
            let accrual = interest(z.beginning) + carry - short;
            assert_eq!(z.accreted, accrual, "month {}", r.month);
            assert_eq!(z.interest_paid, Decimal::ZERO, "month {}", r.month);
            // The collateral's principal and Z's accrual go to A, B, C in
            // order; the month C is retired, what C does not need goes to Z.
            let to_pay = deal.principal_remittance + accrual;
            let ahead_paid = to_pay.min(ahead);
            assert_eq!(
                a.principal + b.principal + cc.principal,
                ahead_paid,
                "month {}",
                r.month
            );
            assert_eq!(z.principal, to_pay - ahead_paid, "month {}", r.month);
            assert_eq!(
                z.ending,
                z.beginning + accrual - z.principal,
                "month {}",
                r.month
            );
            if a.beginning >= to_pay {
                // While A is outstanding it takes all of it.
                assert_eq!(a.principal, to_pay, "month {}", r.month);
            }
        } else {
            // A, B and C retired: Z is paid its interest and all the principal.
            assert_eq!(z.accreted, Decimal::ZERO, "month {}", r.month);
            assert_eq!(
                z.interest_paid,
                interest(z.beginning) + carry - short,
                "month {}",
                r.month
            );
            assert_eq!(z.principal, deal.principal_remittance, "month {}", r.month);
        }
        carry = short;
    }
    assert!(accreting > 100, "Z accretes {accreting} months");
}

#[test]
fn fjf02_a_b_and_c_retire_earlier_than_in_fjf01() {
    let d = deal("fjf-02");
    let p = run(&d, "165PSA");
    // By hand: A, B and C are paid the collateral's principal (the same as
    // FJF-01's: the collateral does not depend on the classes) plus Z's
    // accrual, 7.5% / 12 on a balance that grows by it: 73,000,000 x
    // 1.00625^t after t months. A class is retired in the first month the
    // running sum reaches the classes ahead of it and its own balance.
    let fjf01 = run(&deal("fjf-01"), "165PSA");
    let mut z = dec!(73000000);
    let mut paid = Decimal::ZERO;
    let mut months = Vec::new();
    let mut targets = [dec!(194500000), dec!(230500000), dec!(327000000)]
        .into_iter()
        .peekable();
    for r in &fjf01 {
        let accrual = interest(z);
        z += accrual;
        paid += r.result.deal.principal_remittance + accrual;
        while targets.peek().is_some_and(|t| paid >= *t) {
            targets.next();
            months.push(r.month);
        }
        if targets.peek().is_none() {
            break;
        }
    }
    assert_eq!(months, [64, 77, 113]);
    assert_eq!(retired(&d, &p, "A"), months[0]);
    assert_eq!(retired(&d, &p, "B"), months[1]);
    assert_eq!(retired(&d, &p, "C"), months[2]);
    assert_eq!(retired(&d, &p, "Z"), 357);
    // Earlier than FJF-01's 81, 100 and 178.
    assert!(months[0] < 81 && months[1] < 100 && months[2] < 178);
}

#[test]
fn fjf02_z_has_a_wal_like_any_class() {
    use waterfall::projection::summary::Summarizer;
    let d = deal("fjf-02");
    let p = Projection::from(&d, waterfall::projection::From::Closing).unwrap();
    let start: Vec<Decimal> = p.start.balances(&d);
    let mut summarizer = Summarizer::new(&d, &start);
    let mut rec = Recorder::default();
    let mut engine = Engine::<Decimal>::new(&d);
    p.run(
        &scenario("165PSA"),
        &mut engine,
        &mut waterfall::projection::Both(&mut rec, &mut summarizer),
    )
    .unwrap();
    let summary = summarizer.finish(&d);
    let kz = class(&d, "Z");
    // Z's WAL from its principal flows: sum of month x principal over 12
    // times the sum of principal (its original balance and all it accreted).
    let (mut weighted, mut total) = (Decimal::ZERO, Decimal::ZERO);
    for r in &rec.periods {
        let z = &r.result.classes[kz];
        weighted += Decimal::from(r.month) * z.principal;
        total += z.principal;
    }
    let accreted: Decimal = rec
        .periods
        .iter()
        .map(|r| r.result.classes[kz].accreted)
        .sum();
    assert_eq!(total, dec!(73000000) + accreted);
    let wal = cents(weighted / total / dec!(12));
    let z = &summary.classes[kz];
    assert_eq!(z.wal, Some(wal));
    assert_eq!(z.total_principal, total);
    // It is the longest class: paid last.
    let c = &summary.classes[class(&d, "C")];
    assert!(wal > c.wal.unwrap());
}

// --- FJF-04: a PAC and its support ---------------------------------------------------

fn speed(s: &str) -> waterfall::collateral::Prepay {
    s.parse().unwrap()
}

#[test]
fn fjf04_the_band_is_made_of_the_books_principal_flows_to_the_cent() {
    let d = deal("fjf-04");
    let low = waterfall::structuring::principal_at(&d, &speed("90PSA")).unwrap();
    let high = waterfall::structuring::principal_at(&d, &speed("300PSA")).unwrap();
    assert_eq!(low.len(), 357);
    assert_eq!(high.len(), 357);
    // The book's table of the collateral's principal at 90 and 300 PSA.
    for (m, at_90, at_300) in [
        (1, dec!(508169.52), dec!(1075931.20)),
        (104, dec!(1440825.55), dec!(1433539.23)),
        (357, dec!(601489.39), dec!(10029.78)),
    ] {
        assert_eq!(low[m - 1], at_90, "month {m} at 90 PSA");
        assert_eq!(high[m - 1], at_300, "month {m} at 300 PSA");
    }
    // Each speed pays the whole collateral.
    assert_eq!(low.iter().sum::<Decimal>(), dec!(400000000));
    assert_eq!(high.iter().sum::<Decimal>(), dec!(400000000));
    // The schedule: 243,800,000 less the running sum of the smaller of the
    // two, month by month, never below zero.
    let schedule = match &d.schedules[0].source {
        waterfall::deal::ScheduleSource::Band { balances, .. } => balances.clone(),
        s => panic!("{s:?}"),
    };
    let mut left = dec!(243800000);
    for m in 0..357 {
        left = (left - low[m].min(high[m])).max(Decimal::ZERO);
        assert_eq!(schedule[m], left, "month {}", m + 1);
    }
    assert_eq!(schedule[0], dec!(243800000) - dec!(508169.52));
    // 90 PSA pays less until month 103, 300 PSA from month 104 on.
    assert!(low[102] < high[102] && high[103] < low[103]);
}

/// Each class's WAL over a run at `prepay`.
fn wals(d: &Deal, prepay: &str) -> Vec<Option<Decimal>> {
    use waterfall::projection::summary::Summarizer;
    let p = Projection::from(d, waterfall::projection::From::Closing).unwrap();
    let start = p.start.balances(d);
    let mut summarizer = Summarizer::new(d, &start);
    let mut engine = Engine::<Decimal>::new(d);
    p.run(&scenario(prepay), &mut engine, &mut summarizer)
        .unwrap();
    summarizer.finish(d).classes.iter().map(|c| c.wal).collect()
}

#[test]
fn fjf04_the_pac_is_paid_its_schedule_and_its_wal_does_not_move_from_90_to_300_psa() {
    let d = deal("fjf-04");
    let (pac, s) = (class(&d, "PAC"), class(&d, "S"));
    let schedule = match &d.schedules[0].source {
        waterfall::deal::ScheduleSource::Band { balances, .. } => balances.clone(),
        s => panic!("{s:?}"),
    };
    let mut pac_wals = Vec::new();
    let mut support_wals = Vec::new();
    for prepay in ["90PSA", "120PSA", "165PSA", "250PSA", "300PSA"] {
        let p = run(&d, prepay);
        for r in &p {
            let c = &r.result.classes;
            // Between the band's speeds the collateral always has the PAC's
            // scheduled principal: the PAC ends each month on its schedule,
            // the support takes the rest.
            assert_eq!(
                c[pac].ending,
                schedule[r.month as usize - 1],
                "{prepay} month {}",
                r.month
            );
            assert_eq!(
                c[pac].principal + c[s].principal,
                r.result.deal.principal_remittance
            );
        }
        let w = wals(&d, prepay);
        pac_wals.push(w[pac].unwrap());
        support_wals.push(w[s].unwrap());
    }
    // The same to the cent of a year at every speed in the band.
    assert!(pac_wals.iter().all(|w| *w == pac_wals[0]), "{pac_wals:?}");
    // The schedule's own WAL: sum of month x scheduled principal over 12 x
    // the PAC's balance.
    let mut before = dec!(243800000);
    let mut weighted = Decimal::ZERO;
    for (m, b) in schedule.iter().enumerate() {
        weighted += Decimal::from(m as u32 + 1) * (before - b);
        before = *b;
    }
    assert_eq!(pac_wals[0], cents(weighted / dec!(243800000) / dec!(12)));
    // The support's shortens as the speed rises.
    assert!(
        support_wals.windows(2).all(|w| w[0] > w[1]),
        "{support_wals:?}"
    );
    // Outside the band the PAC's does move: slower at 50 PSA, shorter at 500 PSA.
    assert!(wals(&d, "50PSA")[pac].unwrap() > pac_wals[0]);
    assert!(wals(&d, "500PSA")[pac].unwrap() < pac_wals[0]);
}

/// FJF-04's deal file with `from` replaced by `to` (a variant for a test).
fn fjf04_variant(replacements: &[(&str, &str)]) -> waterfall::Result<Deal> {
    let path = root().join("deals/fjf-04/deal.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    for (from, to) in replacements {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    Deal::from_text(&path, &text)
}

fn band_balances(d: &Deal, i: usize) -> Vec<Decimal> {
    match &d.schedules[i].source {
        waterfall::deal::ScheduleSource::Band { balances, .. } => balances.clone(),
        s => panic!("{s:?}"),
    }
}

#[test]
fn a_tac_schedule_is_the_collateral_principal_at_one_speed() {
    let tac = fjf04_variant(&[(
        "band = { original = \"243800000\", low = \"90PSA\", high = \"300PSA\" }",
        "band = { original = \"243800000\", speed = \"165PSA\" }",
    )])
    .unwrap();
    let same = fjf04_variant(&[(
        "band = { original = \"243800000\", low = \"90PSA\", high = \"300PSA\" }",
        "band = { original = \"243800000\", low = \"165PSA\", high = \"165PSA\" }",
    )])
    .unwrap();
    let at_165 = waterfall::structuring::principal_at(&tac, &speed("165PSA")).unwrap();
    let schedule = band_balances(&tac, 0);
    assert_eq!(schedule, band_balances(&same, 0));
    let mut left = dec!(243800000);
    for (m, p) in at_165.iter().enumerate() {
        left = (left - p).max(Decimal::ZERO);
        assert_eq!(schedule[m], left, "month {}", m + 1);
    }
    // Month 1 at 165 PSA: FJF-01's 709,923.49.
    assert_eq!(schedule[0], dec!(243800000) - dec!(709923.49));
    // At its speed the TAC takes all the principal until it is retired.
    let p = run(&tac, "165PSA");
    let k = class(&tac, "PAC");
    for r in &p {
        assert_eq!(r.result.classes[k].ending, schedule[r.month as usize - 1]);
    }
    assert!(
        waterfall::deal::show(&tac).contains("paid down by the collateral's principal at 165PSA (")
    );
    // A band is two speeds or one.
    let e = fjf04_variant(&[(
        "band = { original = \"243800000\", low = \"90PSA\", high = \"300PSA\" }",
        "band = { original = \"243800000\", low = \"90PSA\" }",
    )])
    .unwrap_err()
    .to_string();
    assert!(e.contains("a band is { original, low, high }"), "{e}");
    assert!(e.contains("deal.toml:"), "{e}");
}

#[test]
fn two_pacs_pay_in_sequence_off_one_schedule() {
    let d = fjf04_variant(&[
        (
            "[[class]]\nname = \"PAC\"\noriginal_balance = \"243800000\"",
            "[[class]]\nname = \"PAC-1\"\noriginal_balance = \"143800000\"\ncoupon = { fixed = \"7.5\" }\nday_count = \"30/360\"\n\n[[class]]\nname = \"PAC-2\"\noriginal_balance = \"100000000\"",
        ),
        ("classes = [\"PAC\", \"S\"]", "classes = [\"PAC-1\", \"PAC-2\", \"S\"]"),
        (
            "classes = [\"PAC\"]\nlimit = \"max(balance[PAC] - schedule[PAC], 0)\"",
            "classes = [\"PAC-1\", \"PAC-2\"]\nlimit = \"max(balance[PAC-1, PAC-2] - schedule[PAC], 0)\"",
        ),
        ("classes = [\"S\", \"PAC\"]", "classes = [\"S\", \"PAC-1\", \"PAC-2\"]"),
    ])
    .unwrap();
    let schedule = band_balances(&d, 0);
    let (p1, p2, s) = (class(&d, "PAC-1"), class(&d, "PAC-2"), class(&d, "S"));
    let mut flat: Vec<(Decimal, Decimal)> = Vec::new();
    for prepay in ["90PSA", "165PSA", "300PSA"] {
        for r in &run(&d, prepay) {
            let c = &r.result.classes;
            // Together they keep to the one schedule...
            assert_eq!(c[p1].ending + c[p2].ending, schedule[r.month as usize - 1]);
            // ...PAC-2 paid only once PAC-1 is retired.
            if c[p2].principal > Decimal::ZERO {
                assert!(c[p1].ending.is_zero(), "{prepay} month {}", r.month);
            }
            assert_eq!(
                c[p1].principal + c[p2].principal + c[s].principal,
                r.result.deal.principal_remittance
            );
        }
        let w = wals(&d, prepay);
        flat.push((w[p1].unwrap(), w[p2].unwrap()));
    }
    assert!(flat.iter().all(|w| *w == flat[0]), "{flat:?}");
    assert!(flat[0].0 < flat[0].1);
}

// --- A floater and an inverse floater from FJF-01's C ----------------------------

#[test]
fn the_floater_and_inverse_floater_pay_c_s_interest_at_any_libor() {
    let split = deal("fjf-01-floater");
    let plain = deal("fjf-01");
    // LIBOR from 0% to 12% in steps of 0.5%, over and over: below, at and
    // above 9.5%, where the floater's 10% cap and the inverse's 0% floor bind.
    let libor: Vec<Decimal> = (0..357)
        .map(|t| Decimal::from(t % 25) * dec!(0.005))
        .collect();
    let s = scenario_at("165PSA", Libor::Vector(libor.clone()));
    let with = run_scenario(&split, &s);
    let without = run_scenario(&plain, &s);
    assert_eq!(with.len(), without.len());
    let (kf, ki, kc) = (
        class(&split, "CF"),
        class(&split, "CIF"),
        class(&plain, "C"),
    );
    let mut beyond = 0;
    let mut paying = 0;
    for (r, q) in with.iter().zip(&without) {
        let l = libor[r.month as usize - 1];
        let (f, i, c) = (
            &r.result.classes[kf],
            &r.result.classes[ki],
            &q.result.classes[kc],
        );
        // The coupons by hand.
        let floater = (l + dec!(0.005)).min(dec!(0.10));
        let inverse = (dec!(0.285) - dec!(3) * l).max(Decimal::ZERO);
        assert_eq!(f.rate, floater, "month {}", r.month);
        assert_eq!(i.rate, inverse, "month {}", r.month);
        assert_eq!(f.accrued, cents(f.beginning * floater / dec!(12)));
        assert_eq!(i.accrued, cents(i.beginning * inverse / dec!(12)));
        // Weighted 75:25 they are C's 7.5% below 9.5% (0.75 (L + 0.5%) +
        // 0.25 (28.5% - 3 L)) and above it (0.75 x 10% + 0.25 x 0%).
        assert_eq!(dec!(0.75) * floater + dec!(0.25) * inverse, dec!(0.075));
        if l > dec!(0.095) {
            beyond += 1;
        }
        // Together they are C: the same balance, paid the same principal...
        assert_eq!(f.beginning + i.beginning, c.beginning, "month {}", r.month);
        assert_eq!(f.principal + i.principal, c.principal, "month {}", r.month);
        // ...shared 75:25 to the cent (each month's share rounded once)...
        let drift = (f.beginning - dec!(0.75) * c.beginning).abs();
        assert!(
            drift <= dec!(0.01) * Decimal::from(r.month),
            "month {}: {drift}",
            r.month
        );
        // ...and their interest is C's to the cent.
        if c.beginning > Decimal::ZERO {
            paying += 1;
            assert!(
                (f.interest_paid + i.interest_paid - c.interest_paid).abs() <= dec!(0.01),
                "month {} LIBOR {l}: {} + {} against {}",
                r.month,
                f.interest_paid,
                i.interest_paid,
                c.interest_paid
            );
        }
    }
    assert!(
        paying > 90 && beyond > 10,
        "{paying} months paying, {beyond} above 9.5%"
    );
}

#[test]
fn a_coupon_split_that_does_not_add_up_is_refused_where_it_is_written() {
    let path = root().join("deals/fjf-01-floater/deal.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    // An inverse floater at 28.5% - 2 x LIBOR: 0.75 (L + 0.5%) + 0.25
    // (28.5% - 2 L) = 7.5% + 0.25 L.
    let bad = text.replace("multiplier = \"-3\"", "multiplier = \"-2\"");
    assert_ne!(bad, text);
    let e = Deal::from_text(&path, &bad).unwrap_err().to_string();
    let line = text.lines().position(|l| l == "parent = \"7.5\"").unwrap() + 1;
    assert!(e.contains(&format!("deal.toml:{line}:")), "{e}");
    assert!(
        e.contains("coupon split of CF, CIF: the weighted coupons add up to 7.5% + 0.25 x index, not the parent's 7.5%"),
        "{e}"
    );
    // The classes must be the parent's balance in the split's proportions.
    let bad = text.replace(
        "original_balance = \"72375000\"",
        "original_balance = \"72000000\"",
    );
    let e = Deal::from_text(&path, &bad).unwrap_err().to_string();
    assert!(
        e.contains("CF's original balance 72,000,000.00 is not its weight's share of the split's 96,125,000.00"),
        "{e}"
    );
    // And show reports the checked range.
    let shown = waterfall::deal::show(&deal("fjf-01-floater"));
    assert!(
        shown.contains("coupon split: CF, CIF (75:25) add up to 7.5% for index <= 9.5% (checked where no cap or floor binds); they add up at any index (caps and floors offset)"),
        "{shown}"
    );
}

// --- Strips: an IO and a PO of the pass-through ------------------------------------

#[test]
fn io_and_po_cash_flows_are_the_pass_through_s_every_month() {
    let d = deal("fjf-io-po");
    let (io, po, res) = (class(&d, "IO"), class(&d, "PO"), class(&d, "R"));
    for prepay in ["0PSA", "165PSA", "500PSA"] {
        let p = run(&d, prepay);
        assert_eq!(p.len(), 357, "{prepay}");
        let mut notional = dec!(400000000);
        for r in &p {
            let c = &r.result.classes;
            let deal = &r.result.deal;
            // The IO's notional is the collateral's balance; it is paid 7.5% on it.
            assert_eq!(c[io].beginning, notional, "{prepay} month {}", r.month);
            assert_eq!(c[io].interest_paid, interest(notional));
            assert_eq!(c[io].principal, Decimal::ZERO);
            // The PO has no coupon and is paid all the principal.
            assert_eq!(c[po].interest_distribution(), Decimal::ZERO);
            assert_eq!(c[po].principal, deal.principal_remittance);
            assert_eq!(c[po].ending, deal.pool_ending);
            // Together: the pass-through's cash flow, to the cent.
            assert_eq!(
                c[io].total_distribution() + c[po].total_distribution(),
                deal.interest_remittance + deal.principal_remittance,
                "{prepay} month {}",
                r.month
            );
            assert_eq!(c[res].total_distribution(), Decimal::ZERO);
            notional = deal.pool_ending;
        }
        assert!(notional.is_zero());
    }
}

// --- The decrement table ---------------------------------------------------------------

#[test]
fn fjf01_decrement_table_at_0_psa_is_scheduled_amortization_by_hand() {
    use waterfall::structuring::decrement::{Terms, decrement, default_classes, printed_percent};
    let d = deal("fjf-01");
    let t = decrement(
        &d,
        &[speed("0PSA")],
        &default_classes(&d),
        &Terms::default(),
    )
    .unwrap();
    let names: Vec<&str> = t.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["A", "B", "C", "D"]);
    // The collateral at 0 PSA after k months: the level-payment balance
    // 400,000,000 x (1 - v^(357 - k)) / (1 - v^357), v = 1 / (1 + 8.125%/12).
    let v = Decimal::ONE / (Decimal::ONE + dec!(0.08125) / dec!(12));
    let balance =
        |k: i64| dec!(400000000) * (Decimal::ONE - v.powi(357 - k)) / (Decimal::ONE - v.powi(357));
    // Each class: what is left of it once the classes ahead are paid.
    let tranches = [
        ("A", dec!(0), dec!(194500000)),
        ("B", dec!(194500000), dec!(36000000)),
        ("C", dec!(230500000), dec!(96500000)),
        ("D", dec!(327000000), dec!(73000000)),
    ];
    assert!(t.dates.len() >= 29);
    for (year, date) in t.dates.iter().enumerate().take(29) {
        let k = 12 * (year as i64 + 1);
        assert_eq!(
            *date,
            d.closing_date + chrono::Months::new(12 * (year as u32 + 1))
        );
        let paid = dec!(400000000) - balance(k);
        for (j, (name, ahead, original)) in tranches.iter().enumerate() {
            let left = (*original - (paid - ahead).max(Decimal::ZERO)).max(Decimal::ZERO);
            let ours = t.classes[j].columns[0].balances[year];
            assert!(
                (ours - left).abs() < dec!(0.05),
                "{name} year {}: {ours} against {left}",
                year + 1
            );
            assert_eq!(
                printed_percent(ours, *original),
                printed_percent(left, *original),
                "{name} year {}",
                year + 1
            );
        }
    }
    // Year 1 by hand: the first 12 months amortize 400,000,000 - B(12) =
    // 3,332,713.40, all of it A's: 191,167,286.60 / 194,500,000 = 98.29%.
    assert_eq!(
        printed_percent(t.classes[0].columns[0].balances[0], dec!(194500000)),
        "98"
    );
    assert!((dec!(400000000) - balance(12) - dec!(3332713.40)).abs() < dec!(0.01));
    // A is retired in the first month the collateral's balance is at most
    // 400,000,000 - 194,500,000.
    let retires = (1..=357).find(|&k| balance(k) <= dec!(205500000)).unwrap();
    assert_eq!(retires, 264);
    assert_eq!(
        t.classes[0].columns[0].last.map(|l| l.0),
        Some(retires as u32)
    );
}

#[test]
fn fjf01_decrement_table_at_165_psa_retires_a_between_the_6th_and_7th_anniversary() {
    use waterfall::structuring::decrement::{Terms, decrement, printed_percent};
    let d = deal("fjf-01");
    let t = decrement(&d, &[speed("165PSA")], &[class(&d, "A")], &Terms::default()).unwrap();
    let a = &t.classes[0].columns[0];
    // A is retired in month 81: outstanding after month 72 (the 6th
    // anniversary), gone after month 84 (the 7th).
    assert!(a.balances[5] > Decimal::ZERO);
    assert_ne!(printed_percent(a.balances[5], dec!(194500000)), "0");
    assert_eq!(a.balances[6], Decimal::ZERO);
    assert_eq!(printed_percent(a.balances[6], dec!(194500000)), "0");
    assert_eq!(a.last.map(|l| l.0), Some(81));
    assert_eq!(a.first.map(|f| f.0), Some(1));
    // A's balance on the 6th anniversary: what FJF-01's month 72 leaves.
    let p = run(&d, "165PSA");
    assert_eq!(
        a.balances[5],
        month(&p, 72).result.classes[class(&d, "A")].ending
    );
}

#[test]
fn an_io_on_named_classes_strips_their_coupon() {
    // FJF-01 with A and B at 6.5% and an IO paying 1% on their balance.
    let path = root().join("deals/fjf-01/deal.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replacen("coupon = { fixed = \"7.5\" }", "coupon = { fixed = \"6.5\" }", 2)
        .replace(
            "[[class]]\nname = \"R\"",
            "[[class]]\nname = \"AB-IO\"\noriginal_balance = \"230500000\"\ncoupon = { fixed = \"1\" }\nday_count = \"30/360\"\nnotional = \"balance[A, B]\"\n\n[[class]]\nname = \"R\"",
        )
        .replace("classes = [\"A\", \"B\", \"C\", \"D\"]\nrule = \"pro-rata\"", "classes = [\"A\", \"B\", \"C\", \"D\", \"AB-IO\"]\nrule = \"pro-rata\"");
    let d = Deal::from_text(&path, &text).unwrap();
    let (a, b, io) = (class(&d, "A"), class(&d, "B"), class(&d, "AB-IO"));
    let p = run(&d, "165PSA");
    for r in &p {
        let c = &r.result.classes;
        let ab = c[a].beginning + c[b].beginning;
        assert_eq!(c[io].beginning, ab, "month {}", r.month);
        assert_eq!(c[io].accrued, cents(ab * dec!(0.01) / dec!(12)));
        assert_eq!(c[io].ending, c[a].ending + c[b].ending);
        // 6.5% + 1% = A's and B's 7.5%, to the cent (three roundings
        // against two).
        let whole = interest(c[a].beginning) + interest(c[b].beginning);
        let stripped = c[a].accrued + c[b].accrued + c[io].accrued;
        assert!((whole - stripped).abs() <= dec!(0.02), "month {}", r.month);
    }
    // The IO's notional is gone once B is retired (month 100).
    assert!(month(&p, 100).result.classes[io].ending.is_zero());
    assert!(month(&p, 99).result.classes[io].ending > Decimal::ZERO);
}
