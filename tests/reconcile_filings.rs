//! Regression tests against the trustees' filings: every filing bundled with a
//! deal reconciles with no mismatch, key figures land within $1 of the print,
//! and a changed deal term shows up on exactly the figures it drives.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::deal::Deal;
use waterfall::reconcile::{self, Options, Reconciliation, Status};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(deal: &str, filing: &str) -> Reconciliation {
    let deal = Deal::load(&root().join("deals").join(deal)).unwrap();
    let path = deal.dir().join("filings").join(filing);
    reconcile::reconcile_file(&deal, &path, &Options::default()).unwrap()
}

fn ours(r: &Reconciliation, id: &str) -> Decimal {
    r.figure(id)
        .unwrap_or_else(|| panic!("no figure {id}"))
        .ours
        .unwrap()
}

fn mismatched(r: &Reconciliation) -> BTreeSet<String> {
    r.figures
        .iter()
        .filter(|f| f.status == Status::Mismatch)
        .map(|f| f.id.clone())
        .collect()
}

#[test]
fn every_bundled_filing_reconciles_without_a_mismatch() {
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("deals")).unwrap() {
        let dir: PathBuf = entry.unwrap().path();
        // A deal without filings (a textbook or example deal run from
        // closing) has nothing to reconcile.
        if !dir.join("deal.toml").exists() || !dir.join("filings").is_dir() {
            continue;
        }
        let deal = Deal::load(&dir).unwrap();
        let paths = reconcile::report_paths(&deal, &[]).unwrap();
        for r in reconcile::reconcile_all(&deal, &paths, &Options::default()).unwrap() {
            let path = r.report_path.clone();
            assert!(r.summary().clean(), "{}: {:?}", path.display(), r.summary());
            let bad: Vec<String> = r
                .figures
                .iter()
                .filter(|f| f.status == Status::Mismatch)
                .map(|f| {
                    format!(
                        "{}: ours {:?} reported {:?}",
                        f.id,
                        f.ours,
                        f.reported.map(|p| p.value)
                    )
                })
                .collect();
            assert!(bad.is_empty(), "{}: {bad:#?}", path.display());
            seen += 1;
        }
    }
    assert!(
        seen >= 2,
        "expected the two seed filings, reconciled {seen}"
    );
}

fn within_a_dollar(r: &Reconciliation, id: &str, printed: Decimal) {
    let v = ours(r, id);
    assert!(
        (v - printed).abs() <= Decimal::ONE,
        "{id}: ours {v}, printed {printed}"
    );
}

/// `id` is printed as `printed` and ours rounds to it: within half a unit of
/// the print's last decimal.
fn at_the_printed_precision(r: &Reconciliation, id: &str, printed: Decimal) {
    let p = r
        .figure(id)
        .and_then(|f| f.reported)
        .unwrap_or_else(|| panic!("{id} is not printed"));
    assert_eq!(p.value, printed, "{id}: the print");
    let v = ours(r, id);
    assert!(
        (v - printed).abs() <= p.half_unit(),
        "{id}: ours {v}, printed {printed} to {} decimals",
        p.decimals
    );
}

#[test]
fn he4_december_2003_class_figures_are_the_printed_ones() {
    let r = run("absc-2003-he4", "2003-12-15.txt");
    // 483,608,563 x (1.12% + 0.35%) x 28/360 = 552,925.79
    assert_eq!(ours(&r, "class[A-1].interest"), dec!(552925.79));
    assert_eq!(ours(&r, "class[A-1].rate"), dec!(0.0147));
    within_a_dollar(&r, "class[A-1].principal", dec!(11791652));
    within_a_dollar(&r, "class[A-2].principal", dec!(5090437));
    within_a_dollar(&r, "class[A-3].principal", dec!(3640255));
    within_a_dollar(&r, "class[A-4].principal", dec!(887867));
    within_a_dollar(&r, "class[A-4].ending_balance", dec!(48250732));
    // 73,000,000 x 4% / 12
    assert_eq!(ours(&r, "class[A-IO].interest"), dec!(243333.33));
    assert_eq!(ours(&r, "class[A-IO].ending_balance"), dec!(71400000));
    assert_eq!(ours(&r, "class[B-IO].interest"), dec!(262500.00));
    assert_eq!(ours(&r, "class[P].interest"), dec!(293670.52));
    within_a_dollar(&r, "class[M5-B].interest", dec!(30663));
}

#[test]
fn he4_december_2003_deal_figures_are_the_printed_ones() {
    let r = run("absc-2003-he4", "2003-12-15.txt");
    within_a_dollar(&r, "net_monthly_excess_cash_flow", dec!(3875973.80));
    within_a_dollar(&r, "oc.increase", dec!(3875973.80));
    within_a_dollar(&r, "oc.deficiency", dec!(14646264.28));
    within_a_dollar(&r, "oc.target", dec!(22189283));
    within_a_dollar(&r, "oc.ending", dec!(11418992));
    within_a_dollar(&r, "available_funds", dec!(23565447.75));
    // 7.05780% net coupon less the 0.0109581% trust expense rate
    assert_eq!(ours(&r, "rate[Class A-IO Net WAC Rate]"), dec!(0.070468419));
    let b_io_cap = ours(&r, "rate[Class B-IO Cap Rate]");
    assert!(
        (b_io_cap - dec!(0.067475348)).abs() < dec!(0.0000000005),
        "{b_io_cap}"
    );
    at_the_printed_precision(&r, "credit_enhancement", dec!(0.19938275));
    assert_eq!(r.figure("trigger").unwrap().status, Status::Match);
    assert_eq!(r.figure("stepdown").unwrap().status, Status::Match);
}

#[test]
fn he2_december_2003_excess_goes_to_x_after_replacing_the_losses() {
    let r = run("absc-2003-he2", "2003-12-15.txt");
    within_a_dollar(&r, "class[X].interest", dec!(2455795));
    within_a_dollar(&r, "net_monthly_excess_cash_flow", dec!(2455795));
    // The extra principal replaced the 17,440 of realized losses exactly.
    assert_eq!(ours(&r, "oc.deficiency"), dec!(17440));
    assert_eq!(ours(&r, "oc.increase"), Decimal::ZERO);
    within_a_dollar(&r, "class[A-1].principal", dec!(14313806));
    within_a_dollar(&r, "class[A-2].principal", dec!(5427654));
    // 539,000,000 x (1.34% - 1.12%) x 28/360
    assert_eq!(ours(&r, "class[A-IO-INV].interest"), dec!(92228.89));
    // A fraction: compared at the precision it is printed with (22.394342%,
    // eight decimals as a fraction), not with a dollar's tolerance.
    at_the_printed_precision(&r, "credit_enhancement", dec!(0.22394342));
}

#[test]
fn he2_totals_that_leave_out_b_io_are_report_inconsistent() {
    let r = run("absc-2003-he2", "2003-12-15.txt");
    for id in ["total.interest", "total.total_distribution"] {
        let f = r.figure(id).unwrap();
        assert_eq!(f.status, Status::ReportInconsistent, "{id}");
        // Ours is the sum over every class, B-IO's 186,666.67 included.
        let short = f.ours.unwrap() - f.reported.unwrap().value;
        assert!((short - dec!(186667)).abs() < dec!(2), "{id}: {short}");
    }
    assert_eq!(r.figure("total.principal").unwrap().status, Status::Match);
}

#[test]
fn the_ledger_records_every_step_of_the_waterfall() {
    let r = run("absc-2003-he4", "2003-12-15.txt");
    let deal = Deal::load(&root().join("deals/absc-2003-he4")).unwrap();
    assert_eq!(r.ledger.entries.len(), deal.steps.len());
    // Cash in equals cash out: every payment the ledger shows, fees and class
    // distributions, adds up to the available amount.
    let d = &r.result.deal;
    let paid: Decimal = r.result.fees.iter().map(|f| f.paid).sum::<Decimal>()
        + r.result
            .classes
            .iter()
            .map(|c| c.total_distribution())
            .sum::<Decimal>();
    assert_eq!(paid, d.available);
}

/// A copy of a deal directory with one term of its deal file replaced.
fn with_changed_term(deal: &str, from: &str, to: &str) -> (tempfile::TempDir, Deal) {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("deals").join(deal);
    let text = std::fs::read_to_string(src.join("deal.toml")).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} must occur once");
    std::fs::write(dir.path().join("deal.toml"), text.replace(from, to)).unwrap();
    std::fs::create_dir(dir.path().join("filings")).unwrap();
    for f in std::fs::read_dir(src.join("filings")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join("filings").join(f.file_name().unwrap())).unwrap();
    }
    let d = Deal::load(dir.path()).unwrap();
    (dir, d)
}

#[test]
fn a_changed_margin_fails_exactly_the_figures_it_drives() {
    // HE2's OC is at its target, so the extra principal only replaces the
    // losses: more interest to M-4 comes out of what X receives, and nothing
    // else moves. 18,400,000 x 0.10% x 28/360 = 1,431.11 more to M-4.
    let (dir, deal) = with_changed_term(
        "absc-2003-he2",
        "coupon = { margin = \"3.85\", capped_by = \"net_wac_cap\", after_call = { margin = \"7.70\" } }",
        "coupon = { margin = \"3.95\", capped_by = \"net_wac_cap\", after_call = { margin = \"7.70\" } }",
    );
    let path = dir.path().join("filings/2003-12-15.txt");
    let r = reconcile::reconcile_file(&deal, &path, &Options::default()).unwrap();
    let expected: BTreeSet<String> = [
        "class[M-4].rate",
        "class[M-4].interest",
        "class[M-4].total_distribution",
        "class[M-4].interest_per_1000",
        "class[M-4].total_per_1000",
        "class[X].rate",
        "class[X].interest",
        "class[X].total_distribution",
        "net_monthly_excess_cash_flow",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(mismatched(&r), expected);
    assert_eq!(
        ours(&r, "class[M-4].interest") - dec!(71126.22),
        dec!(1431.11)
    );
    // The note says how: 18,400,000 x (1.12% + 3.95%) x 28/360 = 72,557.33,
    // and which step paid it.
    let note = r
        .figure("class[M-4].interest")
        .unwrap()
        .note
        .clone()
        .unwrap();
    assert!(
        note.contains("18,400,000.00 x 5.07000% x 28/360 = 72,557.33"),
        "{note}"
    );
    assert!(
        note.contains("pay interest to M-1, M-2, M-3, M-4, M-5"),
        "{note}"
    );
}

#[test]
fn a_changed_strike_fails_the_inverse_io_and_what_its_interest_takes_from_principal() {
    // At a 1.20% strike, A-IO-INV earns 817,167,112 x 0.08% x 28/360 = 50,845.9536,
    // which HE4 can only pay out of the excess that was building the OC: the
    // extra principal, so every senior principal figure, falls by as much.
    let (dir, deal) = with_changed_term(
        "absc-2003-he4",
        "coupon = { margin = \"1.12\", multiplier = \"-1\", floor = \"0\" }",
        "coupon = { margin = \"1.20\", multiplier = \"-1\", floor = \"0\" }",
    );
    let path = dir.path().join("filings/2003-12-15.txt");
    let r = reconcile::reconcile_file(&deal, &path, &Options::default()).unwrap();
    assert_eq!(ours(&r, "class[A-IO-INV].interest"), dec!(50845.95));
    let m = mismatched(&r);
    for id in [
        "class[A-IO-INV].rate",
        "class[A-IO-INV].interest",
        "class[A-IO-INV].total_distribution",
        "class[A-1].principal",
        "class[A-2].principal",
        "class[A-3].principal",
        "class[A-4].principal",
        "class[A-1].ending_balance",
        "total.principal",
        "net_monthly_excess_cash_flow",
        "oc.increase",
        "oc.ending",
    ] {
        assert!(m.contains(id), "{id} should mismatch: {m:?}");
    }
    // Nothing that does not depend on the excess cash moves.
    for f in &r.figures {
        let class = f.class().unwrap_or("deal");
        if f.status == waterfall::reconcile::Status::Input {
            continue;
        }
        if class.starts_with('M') || class == "B-IO" || class == "A-IO" || class == "P" {
            assert_ne!(f.status, Status::Mismatch, "{}", f.id);
        }
    }
    assert_ne!(r.figure("oc.target").unwrap().status, Status::Mismatch);
}
