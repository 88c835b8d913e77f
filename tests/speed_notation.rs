//! Speeds in the market's vector notation (`5 12R 20 24S 10 CPR`), the ABS and
//! HEP conventions, through the library, the `collateral` command and
//! scenario files. Every expected figure is worked out by hand in the test.

use std::path::Path;
use std::process::Command;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::collateral::{
    DefaultUnit, Defaults, LineKind, PpcCurves, Prepay, PrepayUnit, cpr_to_smm,
};
use waterfall::scenario::ScenarioSet;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn waterfall(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_waterfall"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("the waterfall binary runs")
}

/// CPR, percent, in periods 1-13 of `5 12R 20`: 5 + (20 − 5)/12 × (n − 1),
/// steps of 15/12 = 1.25.
const RAMP: [Decimal; 13] = [
    dec!(5),
    dec!(6.25),
    dec!(7.5),
    dec!(8.75),
    dec!(10),
    dec!(11.25),
    dec!(12.5),
    dec!(13.75),
    dec!(15),
    dec!(16.25),
    dec!(17.5),
    dec!(18.75),
    dec!(20),
];

#[test]
fn five_ramping_to_twenty_over_twelve_periods_is_cpr_by_projection_period() {
    let p: Prepay = "5 12R 20".parse().unwrap();
    let c = PpcCurves::default();
    // The same in every spelling: the unit after the vector, on the last
    // number, and in lower case.
    for other in ["5 12R 20 CPR", "5 12r 20cpr", "  5  12R  20  "] {
        assert_eq!(other.parse::<Prepay>().unwrap(), p, "{other}");
    }
    // By projection period whatever the loan's age (CPR is not a curve).
    for age_at_start in [0, 7, 200] {
        for (period, cpr) in (1u32..).zip(RAMP) {
            let smm = p.smm(period, age_at_start + period, LineKind::Fixed, &c);
            assert_eq!(smm, cpr_to_smm(cpr / dec!(100)), "period {period}");
        }
        // The last value persists.
        for period in [14, 15, 100, 600] {
            let smm = p.smm(period, age_at_start + period, LineKind::Fixed, &c);
            assert_eq!(smm, cpr_to_smm(dec!(0.20)), "period {period}");
        }
    }
}

#[test]
fn hold_then_a_new_segment() {
    // 5 12R 20 24S 10: 20 in period 13 and held 24 more periods (14-37), then
    // 10 from period 38.
    let p: Prepay = "5 12R 20 24S 10".parse().unwrap();
    let c = PpcCurves::default();
    let cpr = |period: u32| p.smm(period, period, LineKind::Fixed, &c);
    for period in 13..=37 {
        assert_eq!(cpr(period), cpr_to_smm(dec!(0.20)), "period {period}");
    }
    for period in [38, 39, 360] {
        assert_eq!(cpr(period), cpr_to_smm(dec!(0.10)), "period {period}");
    }
    assert_eq!(p.to_string(), "5 12R 20 24S 10 CPR");
}

#[test]
fn a_ramp_down_and_a_ramp_of_one_period() {
    // 10 4R 2: steps of (2 − 10)/4 = −2: 10, 8, 6, 4, 2. Then 1R 3 is 3 in
    // the next period.
    let p: Prepay = "10 4R 2 1R 3 SMM".parse().unwrap();
    let c = PpcCurves::default();
    let smm: Vec<Decimal> = (1..=7).map(|n| p.smm(n, n, LineKind::Fixed, &c)).collect();
    let pct = |x: Decimal| x / dec!(100);
    assert_eq!(
        smm,
        [
            pct(dec!(10)),
            pct(dec!(8)),
            pct(dec!(6)),
            pct(dec!(4)),
            pct(dec!(2)),
            pct(dec!(3)),
            pct(dec!(3))
        ]
    );
}

#[test]
fn a_psa_vector_applies_each_period_s_multiple_at_that_period_s_loan_age() {
    // 100 2R 200 PSA for a loan 4 months old at the start: period 1 is age 5,
    // 100 PSA = 0.2 × 5 = 1.0 CPR; period 2 is age 6 at 150 PSA =
    // 1.5 × 0.2 × 6 = 1.8 CPR; period 3 is age 7 at 200 PSA = 2 × 0.2 × 7 =
    // 2.8 CPR; period 40 is age 44, past the ramp: 2 × 6 = 12 CPR.
    let p: Prepay = "100 2R 200 PSA".parse().unwrap();
    let c = PpcCurves::default();
    let at = |period: u32| p.smm(period, 4 + period, LineKind::Fixed, &c);
    assert_eq!(at(1), cpr_to_smm(dec!(0.010)));
    assert_eq!(at(2), cpr_to_smm(dec!(0.018)));
    assert_eq!(at(3), cpr_to_smm(dec!(0.028)));
    assert_eq!(at(40), cpr_to_smm(dec!(0.12)));
}

#[test]
fn default_vectors_are_cdr_unless_told() {
    let d: Defaults = "1 3R 4".parse().unwrap();
    let Defaults::Vector(DefaultUnit::Cdr, v) = &d else {
        panic!("{d:?}")
    };
    // 1, 2, 3, 4: steps of (4 − 1)/3 = 1.
    assert_eq!(v.values(), &[dec!(1), dec!(2), dec!(3), dec!(4)]);
    assert_eq!(d.mdr(2, 50), cpr_to_smm(dec!(0.02)));
    let sda: Defaults = "100 12S 50 SDA".parse().unwrap();
    assert!(matches!(sda, Defaults::Vector(DefaultUnit::Sda, _)));
    // 50 SDA at age 45 (flat at 0.6 CDR from 30 to 60): 0.3 CDR.
    assert_eq!(sda.mdr(14, 45), cpr_to_smm(dec!(0.003)));
    assert!("0 12R 0 CDR".parse::<Defaults>().unwrap().is_zero());
    assert!(!d.is_zero());
    // A prepayment unit is not a default speed.
    let e = "1 3R 4 PSA".parse::<Defaults>().unwrap_err().to_string();
    assert!(e.contains("expected a default speed"), "{e}");
}

#[test]
fn vector_errors_are_located_and_clear() {
    let err = |s: &str| s.parse::<Prepay>().unwrap_err().to_string();
    assert_eq!(
        err("5 12R x"),
        "expected a number or nR/nS after \"12R\", found \"x\""
    );
    assert_eq!(
        err("5 12R 20 24S ?"),
        "expected a number or nR/nS after \"24S\", found \"?\""
    );
    assert_eq!(
        err("5 1R 120"),
        "CPR vector period 2: a CPR speed must be between 0 and 100 (percent), found 120CPR"
    );
    assert!(err("5 599S 6").contains("at most 600 periods"));
    assert!(err("5 601S").contains("from 1 to 600"));
    assert!(err("5 12R 20 CDR").contains("expected a prepayment speed"));
    // Exactly 600 periods is allowed: 1 + 599.
    let p: Prepay = "5 599S".parse().unwrap();
    let Prepay::Vector(PrepayUnit::Cpr, v) = p else {
        panic!()
    };
    assert_eq!(v.len(), 600);
}

/// The `collateral` command's CSV rows as (performing balance, voluntary
/// prepayments, actual amortization) by month, from `prepay` on a 100,000,000
/// 8% 360-month loan (or `term`).
fn collateral_rows(prepay: &str, term: &str) -> Vec<(f64, f64, f64)> {
    let out = waterfall(&[
        "collateral",
        "--balance",
        "100000000",
        "--coupon",
        "8",
        "--term",
        term,
        "--prepay",
        prepay,
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (bal, prep, amort) = (
        col("performing_balance"),
        col("voluntary_prepayments"),
        col("actual_amortization"),
    );
    lines
        .map(|l| {
            let f: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            (f[bal], f[prep], f[amort])
        })
        .collect()
}

/// Each month's SMM recovered from the table: with no defaults, the
/// prepayment is `SMM × (beginning balance − scheduled amortization)`.
fn smm_by_month(rows: &[(f64, f64, f64)]) -> Vec<f64> {
    let mut beginning = 100_000_000.0;
    rows.iter()
        .map(|&(end, prepaid, amort)| {
            let smm = prepaid / (beginning - amort);
            beginning = end;
            smm
        })
        .collect()
}

#[test]
fn the_collateral_command_takes_the_vector_as_cpr_by_month() {
    // Acceptance: --prepay "5 12R 20" gives CPR 5, 6.25, ..., 20 in months
    // 1-13 and 20 after. CPR = 1 − (1 − SMM)^12; amounts are to the cent, so
    // the recovered CPR is good to about 1e-7 percentage points.
    let smm = smm_by_month(&collateral_rows("5 12R 20", "360"));
    for (month, want) in RAMP.iter().enumerate() {
        let want: f64 = want.to_string().parse().unwrap();
        let cpr = 100.0 * (1.0 - (1.0 - smm[month]).powi(12));
        assert!(
            (cpr - want).abs() < 1e-5,
            "month {}: CPR {cpr}, expected {want}",
            month + 1
        );
    }
    for (month, s) in smm.iter().enumerate().take(40).skip(13) {
        let cpr = 100.0 * (1.0 - (1.0 - s).powi(12));
        assert!((cpr - 20.0).abs() < 1e-5, "month {}: {cpr}", month + 1);
    }
}

#[test]
fn the_collateral_command_prepays_1_5_abs_of_the_original_loans() {
    // 1.5 ABS on a new loan: SMM at age m is 0.015 / (1 − 0.015 (m − 1)):
    // m = 1: 0.015; m = 2: 0.015/0.985 = 0.015228426; m = 11: 0.015/0.85 =
    // 0.017647059; m = 21: 0.015/0.7 = 0.021428571; m = 41: 0.015/0.4 = 0.0375.
    let smm = smm_by_month(&collateral_rows("1.5ABS", "60"));
    for (m, want) in [
        (1, 0.015),
        (2, 0.015 / 0.985),
        (11, 0.015 / 0.85),
        (21, 0.015 / 0.7),
        (41, 0.0375),
    ] {
        assert!(
            (smm[m - 1] - want).abs() < 1e-8,
            "age {m}: SMM {}, expected {want}",
            smm[m - 1]
        );
    }
}

#[test]
fn the_collateral_command_ramps_20_hep_over_ten_months() {
    // 20 HEP: CPR 2, 4, ..., 20 in loan months 1-10, 20 after.
    let smm = smm_by_month(&collateral_rows("20HEP", "360"));
    for m in 1..=14 {
        let want = 2.0 * (m.min(10) as f64);
        let cpr = 100.0 * (1.0 - (1.0 - smm[m - 1]).powi(12));
        assert!((cpr - want).abs() < 1e-5, "age {m}: CPR {cpr}, {want}");
    }
}

#[test]
fn the_collateral_command_refuses_a_bad_vector_with_its_message() {
    let out = waterfall(&[
        "collateral",
        "--balance",
        "100",
        "--coupon",
        "8",
        "--term",
        "360",
        "--prepay",
        "5 12R x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "waterfall: --prepay: expected a number or nR/nS after \"12R\", found \"x\"\n"
    );
    let out = waterfall(&[
        "collateral",
        "--balance",
        "100",
        "--coupon",
        "8",
        "--term",
        "360",
        "--default",
        "1 12R 4 590S",
    ]);
    // 13 periods of ramp and 590 held: 603.
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("at most 600 periods")
            && String::from_utf8_lossy(&out.stderr).contains("603"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn scenario_files_and_grid_lists_take_vectors_and_locate_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("vectors.toml");
    std::fs::write(
        &good,
        "severity = \"40\"\n[grid]\nprepay = [\"5 12R 20 24S 10\", \"100PPC\"]\ndefault = [\"0 6R 3 CDR\"]\n",
    )
    .unwrap();
    let set = ScenarioSet::load(&good).unwrap();
    assert_eq!(set.len(), 2);
    let first = set.get(0);
    assert_eq!(first.assumptions.prepay.to_string(), "5 12R 20 24S 10 CPR");
    assert_eq!(first.assumptions.defaults.to_string(), "0 6R 3 CDR");
    // Grid columns show the vector as written.
    assert_eq!(first.columns()[1], "5 12R 20 24S 10 CPR");

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "severity = \"40\"\n[grid]\nprepay = [\"5 12R 20\", \"5 12R x\"]\n",
    )
    .unwrap();
    let e = ScenarioSet::load(&bad).unwrap_err().to_string();
    // Line 3, column 23: the second string of the list.
    assert!(
        e.ends_with("bad.toml:3:23: expected a number or nR/nS after \"12R\", found \"x\""),
        "{e}"
    );
}
