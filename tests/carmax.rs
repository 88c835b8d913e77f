//! The CarMax deals against their servicer certificates: both reconcile to
//! the cent over every bundled month, each month after the first starting
//! from the state the engine left; spot figures against the certificates
//! with the arithmetic written out; a changed term fails exactly the figures
//! it drives, explained; a cent changed in a certificate is reported; and
//! the deals project from closing and from the latest certificate.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};
use rust_decimal_macros::dec;
use waterfall::deal::Deal;
use waterfall::projection::{self as projection, Projection, Recorder};
use waterfall::reconcile::{self, Options, Reconciliation, Status};
use waterfall::scenario::{Scenario, ScenarioSet};
use waterfall::waterfall::Engine;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load(name: &str) -> Deal {
    Deal::load(&root().join("deals").join(name)).unwrap()
}

fn reconcile_dir(deal: &Deal) -> Vec<Reconciliation> {
    let paths = reconcile::report_paths(deal, &[]).unwrap();
    reconcile::reconcile_all(deal, &paths, &Options::default()).unwrap()
}

fn run(name: &str) -> Vec<Reconciliation> {
    reconcile_dir(&load(name))
}

fn month<'a>(runs: &'a [Reconciliation], date: &str) -> &'a Reconciliation {
    let d: NaiveDate = date.parse().unwrap();
    runs.iter()
        .find(|r| r.distribution_date == d)
        .unwrap_or_else(|| panic!("no reconciliation for {date}"))
}

fn ours(r: &Reconciliation, id: &str) -> Decimal {
    r.figure(id)
        .unwrap_or_else(|| panic!("no figure {id}"))
        .ours
        .unwrap_or_else(|| panic!("{id} has no value of ours"))
}

fn printed(r: &Reconciliation, id: &str) -> Decimal {
    r.figure(id)
        .unwrap_or_else(|| panic!("no figure {id}"))
        .reported
        .unwrap_or_else(|| panic!("{id} is not printed"))
        .value
}

/// To the cent, halves up (every amount of the certificates is rounded so).
fn cents(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn mismatched(r: &Reconciliation) -> BTreeSet<String> {
    r.figures
        .iter()
        .filter(|f| f.status == Status::Mismatch)
        .map(|f| f.id.clone())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// Figures every month must compare, and match to the cent.
const COMPARED: &[&str] = &[
    "fee[servicing].accrued",
    "fee[servicing].paid",
    "quantity[priority_principal]",
    "quantity[secondary_principal]",
    "quantity[tertiary_principal]",
    "quantity[quaternary_principal]",
    "quantity[regular_principal]",
    "quantity[required_payment_amount]",
    "account[reserve].draw",
    "account[reserve].deposit",
    "account[reserve].release",
    "account[reserve].ending",
    "remainder",
    "oc.target",
    "available_funds",
];

const CLASSES: [&str; 8] = ["A-1", "A-2a", "A-2b", "A-3", "A-4", "B", "C", "D"];

#[test]
fn both_deals_reconcile_every_month_to_the_cent_carrying_the_state() {
    for (name, months) in [("carmax-2024-2", 12), ("carmax-2025-2", 6)] {
        let deal = load(name);
        let runs = reconcile_dir(&deal);
        assert_eq!(runs.len(), months, "{name}");
        for (i, r) in runs.iter().enumerate() {
            let at = format!("{name} {}", r.distribution_date);
            let s = r.summary();
            assert_eq!(s.mismatched, 0, "{at}: {:?}", mismatched(r));
            assert_eq!(s.missing, 0, "{at}");
            assert_eq!(s.report_inconsistent, 0, "{at}");
            assert_eq!(s.matched, s.compared(), "{at}");
            assert_eq!(s.figures, s.compared() + s.not_modelled + s.inputs, "{at}");
            // The first month starts from its certificate, every later one
            // from the state the month before left.
            assert_eq!(r.inputs.carried, i > 0, "{at}");
            // Nothing is left uncompared but what the deal file says it
            // does not model, with its reason.
            for f in r.figures.iter().filter(|f| f.status == Status::NotModelled) {
                assert!(
                    deal.report_not_modelled(&f.id).is_some(),
                    "{at}: {} is not modelled and the deal file does not say why",
                    f.id
                );
            }
            let matched = |id: &str| {
                let f = r.figure(id).unwrap_or_else(|| panic!("{at}: no {id}"));
                assert_eq!(f.status, Status::Match, "{at}: {id}");
            };
            for id in COMPARED {
                matched(id);
            }
            for c in CLASSES {
                for field in ["accrued", "interest_paid", "principal", "ending_balance"] {
                    matched(&format!("class[{c}].{field}"));
                }
                if i > 0 {
                    // Carried: the printed beginning balance is compared
                    // with the one the engine left.
                    matched(&format!("class[{c}].beginning_balance"));
                }
            }
        }
        let table = reconcile::summary_table(&runs);
        assert_eq!(table.matches("carried").count(), months - 1, "{table}");
        assert_eq!(table.matches("report").count(), 1, "{table}");
        assert!(table.contains("all months"), "{table}");
    }
}

#[test]
fn the_first_periods_are_stubs_from_closing_with_a_full_month_of_servicing_fee() {
    // 2025-2 closed 2025-05-02: 13 days to 2025-05-15.
    let runs = run("carmax-2025-2");
    let r = month(&runs, "2025-05-15");
    assert_eq!(r.inputs.period.accrual_start, "2025-05-02".parse().unwrap());
    assert_eq!(r.inputs.period.days_actual, 13);
    // A-1 (act/360): 283,200,000 x 4.468% x 13/360 = 456,927.4667.
    let a1 = cents(dec!(283200000) * dec!(0.04468) * dec!(13) / dec!(360));
    assert_eq!(a1, dec!(456927.47));
    assert_eq!(ours(r, "class[A-1].accrued"), a1);
    assert_eq!(printed(r, "class[A-1].accrued"), a1);
    // A-2a (30/360 from closing: 2 May to 15 May is 13 days):
    // 350,000,000 x 4.59% x 13/360 = 580,125.00.
    let a2a = cents(dec!(350000000) * dec!(0.0459) * dec!(13) / dec!(360));
    assert_eq!(a2a, dec!(580125.00));
    assert_eq!(ours(r, "class[A-2a].accrued"), a2a);
    assert_eq!(printed(r, "class[A-2a].accrued"), a2a);
    // The servicing fee is a full month: 1,410,579,421.74 x 1% / 12 = 1,175,482.851.
    let fee = cents(dec!(1410579421.74) * dec!(0.01) / dec!(12));
    assert_eq!(fee, dec!(1175482.85));
    assert_eq!(ours(r, "fee[servicing].accrued"), fee);
    assert_eq!(printed(r, "fee[servicing].accrued"), fee);

    // 2024-2 closed 2024-04-24: 21 days to 2024-05-15.
    let runs = run("carmax-2024-2");
    let r = month(&runs, "2024-05-15");
    assert_eq!(r.inputs.period.days_actual, 21);
    // A-2b (act/360): 125,000,000 x (5.32999% + 0.58%) x 21/360 = 430,936.77.
    let a2b = cents(dec!(125000000) * (dec!(0.0532999) + dec!(0.0058)) * dec!(21) / dec!(360));
    assert_eq!(a2b, dec!(430936.77));
    assert_eq!(ours(r, "class[A-2b].accrued"), a2b);
    assert_eq!(printed(r, "class[A-2b].accrued"), a2b);
    // A-3 (30/360, 24 April to 15 May = 21 days): 535,000,000 x 5.50% x 21/360.
    let a3 = cents(dec!(535000000) * dec!(0.055) * dec!(21) / dec!(360));
    assert_eq!(a3, dec!(1716458.33));
    assert_eq!(ours(r, "class[A-3].accrued"), a3);
    assert_eq!(printed(r, "class[A-3].accrued"), a3);
    let fee = cents(dec!(1612091400.06) * dec!(0.01) / dec!(12));
    assert_eq!(fee, dec!(1343409.50));
    assert_eq!(ours(r, "fee[servicing].accrued"), fee);
    assert_eq!(printed(r, "fee[servicing].accrued"), fee);

    // The second month accrues from the first distribution date: 2024-05-15
    // to 2024-06-17 (the 15th was a Saturday) is 33 days for A-1,
    // 258,039,665.48 x 5.532% x 33/360 = 1,308,519.1436; a 30/360 month for A-2a,
    // 410,000,000 x 5.65% / 12 = 1,930,416.667.
    let r = month(&runs, "2024-06-17");
    assert_eq!(r.inputs.period.days_actual, 33);
    let a1 = cents(dec!(258039665.48) * dec!(0.05532) * dec!(33) / dec!(360));
    assert_eq!(a1, dec!(1308519.14));
    assert_eq!(ours(r, "class[A-1].accrued"), a1);
    assert_eq!(printed(r, "class[A-1].accrued"), a1);
    let a2a = cents(dec!(410000000) * dec!(0.0565) / dec!(12));
    assert_eq!(ours(r, "class[A-2a].accrued"), a2a);
    assert_eq!(printed(r, "class[A-2a].accrued"), a2a);
}

#[test]
fn a_carried_month_accrues_from_the_date_the_previous_distribution_was_made() {
    // Had the May 2025 distribution been made a day late (16 May), June's
    // act/360 period would run 16 May to 16 June: 31 days, not 32.
    let deal = load("carmax-2025-2");
    let runs = reconcile_dir(&deal);
    let mut state = month(&runs, "2025-05-15").state.clone();
    state.date = "2025-05-16".parse().unwrap();
    let path = deal.dir().join("filings/2025-06-16.txt");
    let filing = reconcile::read_filing(&deal, &path).unwrap();
    let inputs = reconcile::from_filing(&deal, &filing, &path, Some(&state)).unwrap();
    assert_eq!(
        inputs.period.accrual_start,
        "2025-05-16".parse::<NaiveDate>().unwrap()
    );
    assert_eq!(inputs.period.days_actual, 31);
    // As made, 15 May to 16 June: 32 days.
    assert_eq!(month(&runs, "2025-06-16").inputs.period.days_actual, 32);
}

#[test]
fn the_principal_tiers_and_regular_principal_follow_from_the_printed_figures() {
    let runs = run("carmax-2025-2");
    let r = month(&runs, "2025-05-15");
    // A = the Class A balance before this distribution, P the pool at the
    // end of the collection period, N all notes (rows 8a-e, 5, 8i).
    let a: Decimal = ["A-1", "A-2a", "A-2b", "A-3", "A-4"]
        .iter()
        .map(|c| printed(r, &format!("class[{c}].beginning_balance")))
        .sum();
    let b = printed(r, "class[B].beginning_balance");
    let c = printed(r, "class[C].beginning_balance");
    let n = printed(r, "notes.beginning_balance");
    let p = printed(r, "pool.ending_balance");
    assert_eq!(
        (a, n, p),
        (dec!(1335810000), dec!(1400000000), dec!(1360662923.91))
    );
    let priority = (a - p).max(Decimal::ZERO);
    let secondary = (a + b - p - priority).max(Decimal::ZERO);
    let tertiary = (a + b + c - p - priority - secondary).max(Decimal::ZERO);
    let quaternary = (n - p - priority - secondary - tertiary).max(Decimal::ZERO);
    assert_eq!(
        (priority, secondary, tertiary, quaternary),
        (dec!(0), dec!(4067076.09), dec!(21160000), dec!(14110000))
    );
    for (id, v) in [
        ("quantity[priority_principal]", priority),
        ("quantity[secondary_principal]", secondary),
        ("quantity[tertiary_principal]", tertiary),
        ("quantity[quaternary_principal]", quaternary),
    ] {
        assert_eq!(printed(r, id), v, "{id}");
        assert_eq!(ours(r, id), v, "{id}");
    }
    // Regular = N + OC target - P - tiers (less than N - tiers): the notes
    // end at P less the target, 10,579,421.74 (row 10).
    let tiers = priority + secondary + tertiary + quaternary;
    let target = printed(r, "oc.target");
    let regular = (n - tiers).min((n + target - p - tiers).max(Decimal::ZERO));
    assert_eq!(regular, dec!(10579421.74));
    assert_eq!(printed(r, "quantity[regular_principal]"), regular);
    assert_eq!(ours(r, "quantity[regular_principal]"), regular);
    // A-1 takes all of it: tiers + regular = 49,916,497.83 (row 45i).
    assert_eq!(tiers + regular, printed(r, "class[A-1].principal"));
    assert_eq!(ours(r, "class[A-1].principal"), tiers + regular);
}

#[test]
fn a_2a_and_a_2b_split_the_month_s_a_2_principal_once_by_original_balance() {
    // 2024-11-15, the first month 2024-2 pays A-2: A-1's last 17,093,580.14,
    // then 30,085,207.76 to A-2 (rows 45j + 45k), 410:125, A-2a's share
    // rounded half up: 30,085,207.76 x 410/535 = 23,055,953.607.
    let runs = run("carmax-2024-2");
    let r = month(&runs, "2024-11-15");
    assert_eq!(printed(r, "class[A-1].principal"), dec!(17093580.14));
    let total = printed(r, "class[A-2a].principal") + printed(r, "class[A-2b].principal");
    assert_eq!(total, dec!(30085207.76));
    let a2a = cents(total * dec!(410) / dec!(535));
    assert_eq!(a2a, dec!(23055953.61));
    assert_eq!(ours(r, "class[A-2a].principal"), a2a);
    assert_eq!(ours(r, "class[A-2b].principal"), total - a2a);
    assert_eq!(printed(r, "class[A-2b].principal"), total - a2a);
    // The pool factors of the two stay equal (row 9b = 9c, 0.9437660).
    assert_eq!(
        printed(r, "class[A-2a].factor_ending"),
        printed(r, "class[A-2b].factor_ending")
    );
    // December: the split of 42,820,081.52 of A-2 principal, once.
    let r = month(&runs, "2024-12-16");
    let total = printed(r, "class[A-2a].principal") + printed(r, "class[A-2b].principal");
    let a2a = cents(total * dec!(410) / dec!(535));
    assert_eq!(ours(r, "class[A-2a].principal"), a2a);
    assert_eq!(printed(r, "class[A-2a].principal"), a2a);
}

#[test]
fn the_reserve_releases_its_earnings_to_the_depositor_and_ends_at_its_required_amount() {
    // 2024-2, May 2024: 4,008.93 earned (row 51) above the required
    // 0.25% x 1,612,091,400.06 = 4,030,228.500 (row 49), released (row 56).
    let runs = run("carmax-2024-2");
    let r = month(&runs, "2024-05-15");
    let required = cents(dec!(0.0025) * dec!(1612091400.06));
    assert_eq!(required, dec!(4030228.50));
    assert_eq!(ours(r, "account[reserve].required"), required);
    assert_eq!(printed(r, "account[reserve].earnings"), dec!(4008.93));
    assert_eq!(ours(r, "account[reserve].release"), dec!(4008.93));
    assert_eq!(printed(r, "account[reserve].release"), dec!(4008.93));
    assert_eq!(ours(r, "account[reserve].ending"), required);
    // The OC target printed to the dollar (12,090,686) is 0.75% of the
    // initial pool, 12,090,685.50045: compared at the print's digits.
    let target = cents(dec!(0.0075) * dec!(1612091400.06));
    assert_eq!(target, dec!(12090685.50));
    assert_eq!(printed(r, "oc.target"), dec!(12090686));
    assert_eq!(ours(r, "oc.target"), target);
    assert_eq!(r.figure("oc.target").unwrap().status, Status::Match);
    // Available Funds take the collection account's earnings: 65,261,604.43
    // of collections (row 19) + 53,753.79 (row 20) = 65,315,358.22 (row 25).
    assert_eq!(
        ours(r, "available_funds"),
        dec!(65261604.43) + dec!(53753.79)
    );
    assert_eq!(printed(r, "available_funds"), dec!(65315358.22));
}

#[test]
fn the_reported_oc_target_of_2025_2_is_shown_beside_the_contract_s() {
    // 0.75% x 1,410,579,421.74 = 10,579,345.663; the reports use
    // 10,579,421.74, 76.08 more.
    let contract = cents(dec!(0.0075) * dec!(1410579421.74));
    assert_eq!(contract, dec!(10579345.66));
    assert_eq!(dec!(10579421.74) - contract, dec!(76.08));
    for r in &run("carmax-2025-2") {
        let note = r
            .notes
            .iter()
            .find(|n| n.starts_with("OC target"))
            .unwrap_or_else(|| panic!("{}: no OC note", r.distribution_date));
        assert!(note.contains("the deal uses 10,579,421.74"), "{note}");
        assert!(note.contains("is 10,579,345.66: 76.08 less"), "{note}");
        assert_eq!(ours(r, "oc.target"), dec!(10579421.74));
    }
    // 2024-2 uses the contract's figure itself: no such note.
    for r in &run("carmax-2024-2") {
        assert!(!r.notes.iter().any(|n| n.starts_with("OC target")));
    }
}

/// A copy of a deal directory with one term of its deal file replaced.
fn with_changed_term(deal: &str, from: &str, to: &str) -> (tempfile::TempDir, Deal) {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("deals").join(deal);
    let text = std::fs::read_to_string(src.join("deal.toml")).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} must occur once");
    std::fs::write(dir.path().join("deal.toml"), text.replace(from, to)).unwrap();
    copy_filings(&src, dir.path());
    let d = Deal::load(dir.path()).unwrap();
    (dir, d)
}

fn copy_filings(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("filings")).unwrap();
    for f in std::fs::read_dir(from.join("filings")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, to.join("filings").join(f.file_name().unwrap())).unwrap();
    }
}

#[test]
fn a_basis_point_more_on_a_2b_fails_its_interest_and_what_it_takes_from_the_certificate() {
    let (_dir, deal) = with_changed_term(
        "carmax-2025-2",
        "coupon = { margin = \"0.69\", floor = \"0\" }",
        "coupon = { margin = \"0.70\", floor = \"0\" }",
    );
    let runs = reconcile_dir(&deal);
    // Every month: A-2b's rate and interest, the Required Payment Amount
    // (row 37) and the note payment account's deposit (44c) that include it,
    // and the excess to the certificateholder, which pays for it. No
    // principal moves: nothing else does.
    let expected = set(&[
        "class[A-2b].rate",
        "class[A-2b].accrued",
        "class[A-2b].interest_due",
        "class[A-2b].interest_paid",
        "class[A-2b].total_distribution",
        "quantity[required_payment_amount]",
        "account[note_payment].deposit",
        "remainder",
    ]);
    assert_eq!(runs.len(), 6);
    for r in &runs {
        assert_eq!(mismatched(r), expected, "{}", r.distribution_date);
        for f in r.figures.iter().filter(|f| f.status == Status::Mismatch) {
            assert!(
                f.note.as_deref().is_some_and(|n| !n.is_empty()),
                "{} {}: no explanation",
                r.distribution_date,
                f.id
            );
        }
    }
    // May: 161,510,000 x (4.35068% + 0.70%) x 13/360 = 294,571.090.
    let r = month(&runs, "2025-05-15");
    let accrued = cents(dec!(161510000) * (dec!(0.0435068) + dec!(0.0070)) * dec!(13) / dec!(360));
    assert_eq!(accrued, dec!(294571.09));
    assert_eq!(ours(r, "class[A-2b].accrued"), accrued);
    // 583.23 more than printed (293,987.86), out of the excess collections.
    let more = accrued - printed(r, "class[A-2b].accrued");
    assert_eq!(more, dec!(583.23));
    assert_eq!(ours(r, "remainder"), printed(r, "remainder") - more);
    // Explained from the ledger: the accrual and the step that paid it.
    let note = r
        .figure("class[A-2b].interest_paid")
        .unwrap()
        .note
        .clone()
        .unwrap();
    assert!(
        note.contains("161,510,000.00 x 5.05068% x 13/360 = 294,571.09"),
        "{note}"
    );
    assert!(
        note.contains("pay interest to A-1, A-2a, A-2b, A-3, A-4 (pro rata) from collection"),
        "{note}"
    );
    let note = r.figure("remainder").unwrap().note.clone().unwrap();
    assert!(note.contains("step[excess_collections].amount"), "{note}");
    assert!(
        note.contains("pay the rest of collection to Certificateholder) paid 7,176,524.66"),
        "{note}"
    );
    // June: 32 days at 4.33228% + 0.70%.
    let r = month(&runs, "2025-06-16");
    let accrued = cents(dec!(161510000) * (dec!(0.0433228) + dec!(0.0070)) * dec!(32) / dec!(360));
    assert_eq!(ours(r, "class[A-2b].accrued"), accrued);
    assert_eq!(accrued - printed(r, "class[A-2b].accrued"), dec!(1435.64));
}

#[test]
fn other_weights_for_a_2a_and_a_2b_fail_the_split_from_the_first_month_that_pays_a_2() {
    let (_dir, deal) = with_changed_term(
        "carmax-2024-2",
        "weights = [\"410000000\", \"125000000\"]",
        "weights = [\"400000000\", \"135000000\"]",
    );
    let runs = reconcile_dir(&deal);
    // Until A-1 is retired the weights pay nothing.
    for r in runs
        .iter()
        .take_while(|r| r.distribution_date < "2024-11-15".parse().unwrap())
    {
        assert!(mismatched(r).is_empty(), "{}", r.distribution_date);
    }
    // November: the split and what it sets. The month's principal and
    // interest are the same in total: nothing else moves.
    let nov = month(&runs, "2024-11-15");
    let split = set(&[
        "class[A-2a].principal",
        "class[A-2a].ending_balance",
        "class[A-2a].factor_ending",
        "class[A-2a].total_distribution",
        "class[A-2b].principal",
        "class[A-2b].ending_balance",
        "class[A-2b].factor_ending",
        "class[A-2b].total_distribution",
    ]);
    assert_eq!(mismatched(nov), split);
    // 30,085,207.76 x 400/535 = 22,493,613.279.
    assert_eq!(ours(nov, "class[A-2a].principal"), dec!(22493613.28));
    let note = nov
        .figure("class[A-2a].principal")
        .unwrap()
        .note
        .clone()
        .unwrap();
    assert!(note.contains("began at 410,000,000.00"), "{note}");
    assert!(
        note.contains("pay principal to notes from note-principal"),
        "{note}"
    );
    // From December the two classes start from other balances (a
    // roll-forward break), accrue other interest (A-2a at 5.65% 30/360, A-2b
    // at SOFR + 0.58% act/360), and the interest total moves the Required
    // Payment Amount, the note payment deposit and the excess.
    let mut later = split.clone();
    later.extend(set(&[
        "class[A-2a].beginning_balance",
        "class[A-2a].factor_beginning",
        "class[A-2a].accrued",
        "class[A-2a].interest_due",
        "class[A-2a].interest_paid",
        "class[A-2b].beginning_balance",
        "class[A-2b].factor_beginning",
        "class[A-2b].accrued",
        "class[A-2b].interest_due",
        "class[A-2b].interest_paid",
        "quantity[required_payment_amount]",
        "account[note_payment].deposit",
        "remainder",
    ]));
    for r in runs
        .iter()
        .filter(|r| r.distribution_date > nov.distribution_date)
    {
        assert_eq!(mismatched(r), later, "{}", r.distribution_date);
    }
    let dec16 = month(&runs, "2024-12-16");
    let begin = dec16.figure("class[A-2a].beginning_balance").unwrap();
    assert_eq!(begin.ours, Some(dec!(410000000) - dec!(22493613.28)));
    assert!(
        begin
            .note
            .as_deref()
            .unwrap()
            .contains("roll-forward break"),
        "{:?}",
        begin.note
    );
}

#[test]
fn a_cent_changed_in_a_certificate_is_reported_inconsistent_and_counted() {
    // A-1's interest distribution (row 45a) printed a cent high: the
    // certificate's own sums (45q = 45a + ... + 45p, 46a = 45a + 45i) fail.
    let deal = load("carmax-2025-2");
    let dir = tempfile::tempdir().unwrap();
    let src = deal.dir().join("filings/2025-05-15.txt");
    let text = std::fs::read_to_string(&src).unwrap();
    let from = "a. Class A-1 Interest Distribution | $ | 456,927.47";
    assert_eq!(text.matches(from).count(), 1);
    let path = dir.path().join("2025-05-15.txt");
    std::fs::write(
        &path,
        text.replace(from, "a. Class A-1 Interest Distribution | $ | 456,927.48"),
    )
    .unwrap();
    let runs = reconcile::reconcile_all(&deal, &[path], &Options::default()).unwrap();
    let r = &runs[0];
    let f = r
        .figures
        .iter()
        .find(|f| f.id == "class[A-1].interest_paid")
        .unwrap();
    assert_eq!(f.status, Status::ReportInconsistent);
    assert_eq!(f.reported.unwrap().value, dec!(456927.48));
    assert_eq!(f.ours, Some(dec!(456927.47)));
    assert!(
        f.note
            .as_deref()
            .unwrap()
            .contains("the certificate's own arithmetic fails"),
        "{:?}",
        f.note
    );
    let s = r.summary();
    assert!(s.report_inconsistent >= 3, "{s:?}");
    assert_eq!(s.mismatched, 0, "{:?}", mismatched(r));
    let inconsistent: BTreeSet<String> = r
        .figures
        .iter()
        .filter(|f| f.status == Status::ReportInconsistent)
        .map(|f| f.id.clone())
        .collect();
    for id in [
        "class[A-1].interest_paid",
        "class[A-1].total_distribution",
        "account[note_payment].deposit",
    ] {
        assert!(inconsistent.contains(id), "{id}: {inconsistent:?}");
    }
    // Visible in the text report: the figure, the check and the count.
    let mut text = String::new();
    reconcile::write_text(&mut text, &deal, r, false);
    assert!(
        text.contains("class[A-1].interest_paid report-inconsistent (line 131)"),
        "{text}"
    );
    assert!(
        text.contains("the certificate's own arithmetic fails: FAILS 45q = 45a + 45b"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} report-inconsistent;", s.report_inconsistent)),
        "{text}"
    );

    // A cent changed in a collection row, an input, is counted too: 17a
    // against 17d = 17a + 17b + 17c.
    let from = "a. Collections allocable to Finance Charge | $ | 10,684,948.18";
    assert_eq!(text_of(&src).matches(from).count(), 1);
    std::fs::write(
        dir.path().join("2025-05-15.txt"),
        text_of(&src).replace(
            from,
            "a. Collections allocable to Finance Charge | $ | 10,684,948.19",
        ),
    )
    .unwrap();
    let runs = reconcile::reconcile_all(
        &deal,
        &[dir.path().join("2025-05-15.txt")],
        &Options::default(),
    )
    .unwrap();
    let f = runs[0].figure("pool.interest_collections").unwrap();
    assert_eq!(f.status, Status::ReportInconsistent);
    assert_eq!(runs[0].summary().mismatched, 0);
}

fn text_of(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn a_break_between_consecutive_certificates_is_noted_on_the_later_month() {
    // June 2025's beginning A-1 balance printed a cent above May's ending.
    let deal = load("carmax-2025-2");
    let dir = tempfile::tempdir().unwrap();
    copy_filings(deal.dir(), dir.path());
    let june = dir.path().join("filings/2025-06-16.txt");
    let from = "a. Class A-1 Note Balance | $ | 233,283,502.17";
    assert_eq!(text_of(&june).matches(from).count(), 1);
    std::fs::write(
        &june,
        text_of(&june).replace(from, "a. Class A-1 Note Balance | $ | 233,283,502.18"),
    )
    .unwrap();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.path().join("filings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let runs = reconcile::reconcile_all(&deal, &paths, &Options::default()).unwrap();
    let noted = |r: &Reconciliation| {
        r.notes
            .iter()
            .filter(|n| n.contains("reports disagree"))
            .cloned()
            .collect::<Vec<_>>()
    };
    let june_notes = noted(month(&runs, "2025-06-16"));
    assert_eq!(june_notes.len(), 1, "{june_notes:?}");
    let n = &june_notes[0];
    assert!(
        n.starts_with("the 2025-05-15 and 2025-06-16 reports disagree with each other: FAILS 8a.1 = prev 8a.2 (note balance carried forward)"),
        "{n}"
    );
    assert!(
        n.contains("2025-06-16.txt:14") && n.contains("2025-05-15.txt:14"),
        "{n}"
    );
    let june: NaiveDate = "2025-06-16".parse().unwrap();
    for r in runs.iter().filter(|r| r.distribution_date != june) {
        assert!(
            noted(r).is_empty(),
            "{}: {:?}",
            r.distribution_date,
            noted(r)
        );
    }
}

// --- Projection ---------------------------------------------------------------------

fn scenario(text: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    ScenarioSet::load(&path).unwrap().single().unwrap()
}

fn auto_base() -> Scenario {
    ScenarioSet::load(&root().join("scenarios/auto-base.toml"))
        .unwrap()
        .single()
        .unwrap()
}

fn record(p: &Projection, s: &Scenario) -> Recorder<Decimal> {
    let mut engine = Engine::<Decimal>::new(p.deal);
    let mut rec = Recorder::default();
    p.run(s, &mut engine, &mut rec).unwrap();
    rec
}

fn latest(deal: &Deal) -> PathBuf {
    let mut paths = reconcile::report_paths(deal, &[]).unwrap();
    paths.pop().unwrap()
}

/// The notes in order of payment: A-2a and A-2b rank together.
const RANKS: [&[&str]; 7] = [
    &["A-1"],
    &["A-2a", "A-2b"],
    &["A-3"],
    &["A-4"],
    &["B"],
    &["C"],
    &["D"],
];

#[test]
fn projected_from_the_latest_certificate_the_notes_are_paid_in_order_and_off_at_the_call() {
    for name in ["carmax-2025-2", "carmax-2024-2"] {
        let deal = load(name);
        let p = Projection::from(&deal, projection::From::Filing(&latest(&deal))).unwrap();
        let rec = record(&p, &auto_base());
        let k = |c: &str| deal.class_index(c).unwrap();
        let start = p.start.balances(&deal);
        let mut paid = vec![Decimal::ZERO; deal.classes.len()];
        for r in &rec.periods {
            let at = format!("{name} {}", r.input.date);
            let res = &r.result;
            // Cash is conserved: what came in, and what the accounts gave
            // up, is paid out in fees and distributions.
            let kept: Decimal = res.accounts.iter().map(|a| a.ending - a.beginning).sum();
            let fees: Decimal = res.fees.iter().map(|f| f.paid).sum();
            let out: Decimal = res.classes.iter().map(|c| c.total_distribution()).sum();
            assert_eq!(fees + out + kept, res.deal.available, "{at}");
            assert_eq!(
                res.deal.pool_beginning - res.deal.pool_ending,
                res.deal.principal_remittance + res.deal.realized_loss,
                "{at}"
            );
            // A class is paid principal only once every class ahead of it
            // is retired; A-2a and A-2b together.
            for (i, rank) in RANKS.iter().enumerate() {
                let gets = rank
                    .iter()
                    .any(|c| res.classes[k(c)].principal > Decimal::ZERO);
                if gets {
                    for ahead in RANKS[..i].iter().flat_map(|r| r.iter()) {
                        assert_eq!(
                            res.classes[k(ahead)].ending,
                            Decimal::ZERO,
                            "{at}: {ahead} before {rank:?}"
                        );
                    }
                }
            }
            // While both are outstanding, A-2a takes its weight's share of
            // the pair's principal, rounded half up.
            let (a, b) = (&res.classes[k("A-2a")], &res.classes[k("A-2b")]);
            if a.ending > Decimal::ZERO && b.ending > Decimal::ZERO {
                let w = |c: &str| deal.classes[k(c)].original_balance;
                let share =
                    cents((a.principal + b.principal) * w("A-2a") / (w("A-2a") + w("A-2b")));
                assert_eq!(a.principal, share, "{at}");
            }
            for (j, c) in res.classes.iter().enumerate() {
                paid[j] += c.principal;
            }
        }
        // The clean-up call, on the first date the pool starts at or below
        // 10% of the initial pool, retires every note.
        let last = rec.periods.last().unwrap();
        assert!(last.called, "{name}: the call is exercised");
        let threshold = cents(dec!(0.10) * deal.cutoff_balance);
        assert!(last.result.deal.pool_beginning <= threshold, "{name}");
        let before = &rec.periods[rec.periods.len() - 2];
        assert!(before.result.deal.pool_beginning > threshold, "{name}");
        for c in CLASSES {
            assert_eq!(
                last.result.classes[k(c)].ending,
                Decimal::ZERO,
                "{name} {c}"
            );
            assert_eq!(paid[k(c)], start[k(c)], "{name} {c}: paid in full");
        }
        // And the reserve, no longer required, goes to the depositor.
        let reserve = deal
            .accounts
            .iter()
            .position(|a| a.name == "reserve")
            .unwrap();
        assert_eq!(
            last.result.accounts[reserve].ending,
            Decimal::ZERO,
            "{name}"
        );
    }
}

#[test]
fn the_2025_2_projection_runs_from_closing() {
    let deal = load("carmax-2025-2");
    let p = Projection::from(&deal, projection::From::Closing).unwrap();
    assert_eq!(p.start.group_balances, vec![dec!(1410579421.74)]);
    let rec = record(&p, &auto_base());
    // The first period is the first distribution date, accruing from closing.
    let first = &rec.periods[0];
    assert_eq!(first.input.date, "2025-05-15".parse::<NaiveDate>().unwrap());
    assert_eq!(first.input.days_actual, 13);
    let k = |c: &str| deal.class_index(c).unwrap();
    // 283,200,000 x 4.468% x 13/360, as the certificate prints it.
    assert_eq!(first.result.classes[k("A-1")].accrued, dec!(456927.47));
    assert!(rec.periods.last().unwrap().called);
    for c in CLASSES {
        assert_eq!(
            rec.periods.last().unwrap().result.classes[k(c)].ending,
            Decimal::ZERO,
            "{c}"
        );
    }
}

#[test]
fn without_prepayments_or_defaults_the_pool_pays_its_scheduled_principal_only() {
    let deal = load("carmax-2025-2");
    let path = latest(&deal);
    let p = Projection::from(&deal, projection::From::Filing(&path)).unwrap();
    let rec = record(
        &p,
        &scenario(
            "prepay = \"0ABS\"\ndefault = \"0CDR\"\nlibor = { flat = \"4.37208\" }\ncall = false\n",
        ),
    );
    for r in &rec.periods {
        for g in &r.input.groups {
            assert_eq!(g.prepayments, Decimal::ZERO);
            assert_eq!(g.realized_loss, Decimal::ZERO);
            assert_eq!(g.liquidation_proceeds, Decimal::ZERO);
        }
    }
    // Month 1: the 2025-10-15 certificate's pool, 1,134,924,295.51 (row 5),
    // a level-payment loan at its 9.39% (row 12) over 54 months (row 14,
    // 54.19): scheduled principal B x r / ((1 + r)^n - 1), r = 9.39%/12.
    let b = dec!(1134924295.51);
    assert_eq!(p.start.group_balances, vec![b]);
    let r = dec!(0.0939) / dec!(12);
    let expected = cents(b * r / ((Decimal::ONE + r).powi(54) - Decimal::ONE));
    let got = rec.periods[0].input.groups[0].scheduled_principal;
    assert!(
        (got - expected).abs() <= dec!(0.01),
        "scheduled principal {got} vs {expected}"
    );
    // Run to maturity, scheduled principal repays the whole pool.
    let scheduled: Decimal = rec
        .periods
        .iter()
        .flat_map(|r| r.input.groups.iter().map(|g| g.scheduled_principal))
        .sum();
    assert_eq!(scheduled, b);
}

#[test]
fn on_a_1_s_legal_final_date_the_priority_tier_is_a_1_s_balance_and_the_reserve_is_drawn_for_it() {
    // Without prepayments A-1 is still outstanding on 2026-05-15, its legal
    // final date (distribution 13): the priority principal is then at least
    // its whole balance, more than Available Funds cover, so the reserve is
    // drawn in full (0.25% of 1,410,579,421.74 = 3,526,448.55) and nothing is
    // left for the certificateholder.
    let deal = load("carmax-2025-2");
    let p = Projection::from(&deal, projection::From::Closing).unwrap();
    let rec = record(
        &p,
        &scenario(
            "prepay = \"0ABS\"\ndefault = \"0CDR\"\nlibor = { flat = \"4.37208\" }\ncall = false\n",
        ),
    );
    let q = |name: &str| deal.quantities.iter().position(|x| x.name == name).unwrap();
    let k = |c: &str| deal.class_index(c).unwrap();
    let reserve = deal
        .accounts
        .iter()
        .position(|a| a.name == "reserve")
        .unwrap();
    let at = |n: u32| rec.periods.iter().find(|r| r.input.period == n).unwrap();
    let (before, last) = (at(12), at(13));
    assert_eq!(last.input.date, "2026-05-15".parse::<NaiveDate>().unwrap());
    // Before it, A-1's balance is more than the Class A notes exceed the pool by.
    assert_eq!(
        before.result.quantities[q("priority_principal")],
        Decimal::ZERO
    );
    assert!(before.result.classes[k("A-1")].ending > Decimal::ZERO);
    let a1 = &last.result.classes[k("A-1")];
    assert_eq!(
        last.result.quantities[q("priority_principal")],
        a1.beginning
    );
    assert_eq!(last.result.accounts[reserve].drawn, dec!(3526448.55));
    assert_eq!(
        last.result.classes[k("Certificateholder")].total_distribution(),
        Decimal::ZERO
    );
    // Everything but the fee and the interest went to A-1's principal.
    let interest: Decimal = last.result.classes.iter().map(|c| c.interest_paid).sum();
    let fees: Decimal = last.result.fees.iter().map(|f| f.paid).sum();
    assert_eq!(
        a1.principal,
        last.result.deal.available + dec!(3526448.55) - fees - interest
    );
}
