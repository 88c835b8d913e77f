//! A deal projected from a loan-level tape instead of representative lines:
//! thousands of loans run through the same engine, cash is conserved and the
//! pool pays down to what the tape held.

use std::fmt::Write as _;
use std::path::Path;

use rust_decimal::Decimal;
use waterfall::deal::Deal;
use waterfall::projection::{Projection, Recorder};
use waterfall::scenario::ScenarioSet;
use waterfall::waterfall::Engine;

const LOANS: usize = 5_000;

/// A tape whose groups hold the December 2003 HE2 balances (404,760,941 and
/// 217,781,741), split into loans of varied coupon, term and type; the last
/// loan of a group takes the cents left so the group adds up exactly.
fn tape(dir: &Path) -> std::path::PathBuf {
    let groups = [("1", 40_476_094_100i64), ("2", 21_778_174_100i64)]; // cents
    let mut csv = String::from(
        "id,group,balance,gross_coupon,net_coupon,original_term,remaining_term,type,margin,months_to_next_reset,reset_period,periodic_cap,life_cap,life_floor\n",
    );
    let mut id = 0;
    for (g, total) in groups {
        let n = LOANS / 2;
        let mut left = total;
        for i in 0..n {
            let cents = if i + 1 == n {
                left
            } else {
                total / n as i64 + (i as i64 % 7 - 3) * 1_000
            };
            left -= cents;
            let coupon = 6.5 + (i % 9) as f64 * 0.25;
            let remaining = 330 + (i % 25) as u32;
            let bal = format!("{}.{:02}", cents / 100, cents % 100);
            if i % 4 == 0 {
                writeln!(
                    csv,
                    "L{id},{g},{bal},{coupon},{},360,{remaining},fixed,,,,,,",
                    coupon - 0.5
                )
                .unwrap();
            } else {
                writeln!(
                    csv,
                    "L{id},{g},{bal},{coupon},{},360,{remaining},arm,6.0,{},6,1.0,{},6.0",
                    coupon - 0.5,
                    1 + i % 18,
                    coupon + 6.0
                )
                .unwrap();
            }
            id += 1;
        }
    }
    let p = dir.join("tape.csv");
    std::fs::write(&p, csv).unwrap();
    p
}

#[test]
fn a_loan_level_tape_projects_like_rep_lines_and_conserves_cash() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    tape(dir.path());
    let text = std::fs::read_to_string(root.join("deals/absc-2003-he2/deal.toml")).unwrap();
    let text = text.replace(
        "[collateral]\nservicing_fee = \"0.50\"",
        "[collateral]\nloan_tape = \"tape.csv\"\nservicing_fee = \"0.50\"",
    );
    assert!(text.contains("loan_tape"));
    std::fs::write(dir.path().join("deal.toml"), text).unwrap();
    let deal = Deal::load(dir.path()).unwrap();
    let p = Projection::from_report_file(
        &deal,
        &root.join("deals/absc-2003-he2/filings/2003-12-15.txt"),
    )
    .unwrap();
    assert_eq!(p.lines.len(), LOANS);
    let tape_total: Decimal = p.lines.iter().map(|l| l.balance).sum();
    assert_eq!(tape_total, Decimal::new(62_254_268_200, 2));
    let s = ScenarioSet::load(&root.join("scenarios/base.toml"))
        .unwrap()
        .single()
        .unwrap();
    let mut rec = Recorder::default();
    p.run(&s, &mut Engine::<f64>::new(&deal), &mut rec).unwrap();
    assert!(!rec.periods.is_empty());
    let first = &rec.periods[0].input;
    let beginning: f64 = first.groups.iter().map(|g| g.beginning_balance).sum();
    assert!((beginning - 622_542_682.0).abs() < 0.01, "{beginning}");
    for r in &rec.periods {
        let d = &r.result.deal;
        let paid: f64 = r.result.fees.iter().map(|f| f.paid).sum::<f64>()
            + r.result
                .classes
                .iter()
                .map(|c| c.total_distribution())
                .sum::<f64>();
        assert!(
            (paid - d.available).abs() < 1e-3,
            "{}: paid {paid} of {}",
            r.input.date,
            d.available
        );
    }
}

#[test]
fn the_sample_tape_shipped_with_he4_loads_and_adds_up() {
    // deals/absc-2003-he4/sample-tape.csv: 8 loans, $1,234,500.00 in all,
    // $526,000.00 in group 1 and $708,500.00 in group 2 (README, "Loan tapes").
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deals/absc-2003-he4/sample-tape.csv");
    let lines = waterfall::collateral::read_tape(&path).unwrap();
    assert_eq!(lines.len(), 8);
    let total: Decimal = lines.iter().map(|l| l.balance).sum();
    assert_eq!(total, Decimal::new(123_450_000, 2));
    let group = |g: &str| -> Decimal {
        lines
            .iter()
            .filter(|l| l.group == g)
            .map(|l| l.balance)
            .sum()
    };
    assert_eq!(group("1"), Decimal::new(52_600_000, 2));
    assert_eq!(group("2"), Decimal::new(70_850_000, 2));
    assert_eq!(lines.iter().filter(|l| l.arm.is_some()).count(), 4);
    // Percentages as the market writes them: 7.85 is 7.85%.
    assert_eq!(lines[0].gross_coupon, Decimal::new(785, 4));
    // Every column of the tape is in its header, in the documented order.
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        waterfall::collateral::TAPE_COLUMNS.join(",")
    );
}

#[test]
fn a_large_tapes_wac_and_wam_are_the_balance_weighted_averages_on_any_thread_count() {
    // 20,000 lines, more than one piece of the parallel sums: alternately
    // $1,000.00 at 6% with 301 months left and $3,000.00 at 8% with 360.
    // By hand, per pair: WAC = (1,000 x 6 + 3,000 x 8) / 4,000 = 7.5%, and
    // WAM = (1,000 x 301 + 3,000 x 360) / 4,000 = 345.25, 345 months.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deal = Deal::load(&root.join("deals/absc-2003-he4")).unwrap();
    let mut p = Projection::from_report_file(
        &deal,
        &root.join("deals/absc-2003-he4/filings/2003-12-15.txt"),
    )
    .unwrap();
    let group = p.lines[0].group.clone();
    p.lines = (0..20_000)
        .map(|i| {
            let (balance, coupon, term) = if i % 2 == 0 {
                (Decimal::new(100_000, 2), Decimal::new(6, 2), 301)
            } else {
                (Decimal::new(300_000, 2), Decimal::new(8, 2), 360)
            };
            waterfall::collateral::LoanLine {
                id: format!("L{i}"),
                group: group.clone(),
                balance,
                gross_coupon: coupon,
                net_coupon: coupon,
                original_term: 360,
                remaining_term: term,
                arm: None,
            }
        })
        .collect();
    for threads in [1, 4] {
        let averages = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| p.start_averages());
        assert_eq!(averages, (Decimal::new(75, 3), 345), "{threads} threads");
    }
}
