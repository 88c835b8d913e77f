//! The agency CMO deals (FJF-01, -02, -04) as a user runs them: they have no
//! filings, run from closing, and the structuring commands read them.

use std::process::Command;

/// What one run of the binary printed and how it exited.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn waterfall(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_waterfall"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn reconcile_of_a_deal_without_filings_says_so_and_exits_2() {
    for deal in [
        "deals/fjf-01",
        "deals/fjf-02",
        "deals/fjf-04",
        "deals/fjf-01-floater",
        "deals/fjf-io-po",
    ] {
        let r = waterfall(&["reconcile", deal]);
        assert_eq!(r.code, Some(2), "{deal}: {r:?}");
        assert!(r.stdout.is_empty(), "{deal}: {r:?}");
        assert!(
            r.stderr.starts_with(&format!(
                "waterfall: {deal}/filings: the deal has no filings to reconcile"
            )),
            "{deal}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("runs from closing"), "{}", r.stderr);
    }
}

#[test]
fn show_says_a_deal_without_a_report_section_has_none() {
    let r = waterfall(&["show", "deals/fjf-01"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout
            .contains("report: none (the deal file has no [report]: no filings to reconcile; it runs from closing)"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("us-bank-statement"), "{}", r.stdout);
}

/// A class that pays (or accretes) 7.5% a 30/360 month, bought at par at
/// closing a month before its first distribution, yields 7.5% compounded
/// monthly at any speed: 2 x ((1 + 7.5%/12)^6 - 1) = 7.6182% bond-equivalent.
const PAR_YIELD: f64 = 7.6182;

fn json(r: &Run) -> serde_json::Value {
    assert_eq!(r.code, Some(0), "{r:?}");
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

#[test]
fn price_prices_the_accrual_class_from_closing() {
    let by_hand = 2.0 * ((1.0f64 + 0.075 / 12.0).powi(6) - 1.0) * 100.0;
    assert!((by_hand - PAR_YIELD).abs() < 0.00005);
    let r = waterfall(&[
        "price",
        "deals/fjf-02",
        "--class",
        "Z",
        "--scenarios",
        "deals/fjf-01/scenarios/165psa.toml",
        "--price",
        "100",
        "--format",
        "json",
    ]);
    let rows = json(&r);
    let row = &rows[0];
    assert_eq!(row["yield_percent"].as_f64(), Some(PAR_YIELD), "{row}");
    assert!(row["wal"].as_f64().is_some_and(|w| w > 10.0), "{row}");
    // And `project` shows Z with a WAL and its principal window.
    let r = waterfall(&[
        "project",
        "deals/fjf-02",
        "--scenario",
        "deals/fjf-01/scenarios/165psa.toml",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let z = r.stdout.lines().find(|l| l.starts_with("Z ")).unwrap();
    assert!(z.contains(" to 2054-10"), "{z}");
}

/// The price of a class of FJF IO/PO at 165 PSA and a yield (percent).
fn strip_price(class: &str, yield_percent: &str) -> f64 {
    let r = waterfall(&[
        "price",
        "deals/fjf-io-po",
        "--class",
        class,
        "--scenarios",
        "deals/fjf-01/scenarios/165psa.toml",
        "--yield",
        yield_percent,
        "--format",
        "json",
    ]);
    json(&r)[0]["price"].as_f64().unwrap()
}

#[test]
fn price_prices_an_io_and_a_po_from_closing_and_together_they_are_the_pass_through() {
    // At the pass-through's own yield (7.5% compounded monthly: the
    // bond-equivalent 2 x ((1 + 7.5%/12)^6 - 1)) the pass-through is worth
    // par, so the IO per 100 of notional and the PO per 100 of face add up
    // to 100.
    let y = 2.0 * ((1.0f64 + 0.075 / 12.0).powi(6) - 1.0) * 100.0;
    let y = format!("{y}");
    let io = strip_price("IO", &y);
    let po = strip_price("PO", &y);
    assert!(io > 0.0 && po > 0.0 && io < po, "IO {io}, PO {po}");
    assert!((io + po - 100.0).abs() < 1e-6, "IO {io} + PO {po}");
    // A PO bought at par yields nothing; an IO is quoted per 100 of notional.
    let r = waterfall(&[
        "price",
        "deals/fjf-io-po",
        "--class",
        "PO",
        "--scenarios",
        "deals/fjf-01/scenarios/165psa.toml",
        "--price",
        "100",
        "--format",
        "json",
    ]);
    assert_eq!(json(&r)[0]["yield_percent"].as_f64(), Some(0.0));
    let r = waterfall(&[
        "price",
        "deals/fjf-io-po",
        "--class",
        "IO",
        "--scenarios",
        "deals/fjf-01/scenarios/165psa.toml",
        "--price",
        "70",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("per 100 of notional"), "{}", r.stdout);
}

#[test]
fn decrement_prints_the_table_the_wal_row_and_the_windows() {
    let r = waterfall(&[
        "decrement",
        "deals/fjf-04",
        "--prepay",
        "0PSA,90PSA,165PSA,300PSA,500PSA",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let out = &r.stdout;
    assert!(
        out.contains("\nClass PAC (original 243,800,000)\n"),
        "{out}"
    );
    assert!(out.contains("\nClass S (original 156,200,000)\n"), "{out}");
    let header = out.lines().find(|l| l.starts_with("date")).unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["date", "0PSA", "90PSA", "165PSA", "300PSA", "500PSA"]
    );
    // The PAC's WAL row: the same from 90 to 300 PSA.
    let wal = out.lines().find(|l| l.starts_with("WAL (years)")).unwrap();
    let w: Vec<&str> = wal.split_whitespace().skip(2).collect();
    assert_eq!(w.len(), 5);
    assert!(w[1] == w[2] && w[2] == w[3], "{wal}");
    assert!(out.contains("WAL and principal window by speed"), "{out}");
    // CSV: a row per anniversary and the WAL row, per class.
    let r = waterfall(&[
        "decrement",
        "deals/fjf-01",
        "--prepay",
        "0PSA,165PSA",
        "--classes",
        "A",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    // Every line states the terms: the index (0 by default) and to maturity.
    assert_eq!(lines[0], "class,row,index,to_call,0PSA,165PSA");
    assert_eq!(lines[1], "A,initial,0,false,100,100");
    // 0 PSA, year 1: 98% (by hand in tests/cmo.rs); A is gone by the 7th at 165 PSA.
    assert!(
        lines[2].starts_with("A,2026-01-25,0,false,98,"),
        "{}",
        lines[2]
    );
    assert!(
        lines[8].starts_with("A,2032-01-25,0,false,") && lines[8].ends_with(",0"),
        "{}",
        lines[8]
    );
    // A is retired in month 264 at 0 PSA (by hand in tests/cmo.rs), 81 at 165 PSA.
    assert!(
        lines.contains(&"A,last_principal_month,0,false,264,81"),
        "{lines:?}"
    );
    // JSON, typed.
    let v = json(&waterfall(&[
        "decrement",
        "deals/fjf-01",
        "--prepay",
        "165PSA",
        "--classes",
        "A,B",
        "--format",
        "json",
    ]));
    assert_eq!(v["classes"][0]["class"], "A");
    assert_eq!(v["classes"][0]["columns"][0]["last_principal"]["month"], 81);
    assert_eq!(
        v["classes"][1]["columns"][0]["last_principal"]["month"],
        100
    );
}

#[test]
fn decrement_refuses_bad_speeds_and_classes_with_exit_2() {
    for (args, says) in [
        (vec!["--prepay", "165XYZ"], "waterfall: --prepay: "),
        (
            vec!["--prepay", "165PSA", "--classes", "Q"],
            "waterfall: --classes: the deal has no class \"Q\" (it has: A, B, C, D, R)",
        ),
        (
            vec!["--prepay", "165PSA", "--classes", "R"],
            "waterfall: --classes: class R has no original balance",
        ),
    ] {
        let mut all = vec!["decrement", "deals/fjf-01"];
        all.extend(args.iter());
        let r = waterfall(&all);
        assert_eq!(r.code, Some(2), "{r:?}");
        assert!(r.stdout.is_empty());
        assert!(r.stderr.starts_with(says), "{}", r.stderr);
    }
}
