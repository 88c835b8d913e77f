//! `waterfall price` with prices in 32nds and a settlement date, and
//! `waterfall matrix`, the prospectus price/yield matrix, as a user runs
//! them on the bundled HE4 deal.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const HE4: &str = "deals/absc-2003-he4";
const HE4_FILING: &str = "deals/absc-2003-he4/filings/2003-12-15.txt";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn waterfall(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_waterfall"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .output()
        .expect("the waterfall binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Assert a run succeeded.
#[track_caller]
fn ok(r: Run) -> Run {
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    r
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", r.stdout))
}

/// `price` on HE4 from its filing, with `more` arguments.
fn price(class: &str, more: &[&str]) -> Run {
    let mut args = vec![
        "price",
        HE4,
        "--from",
        HE4_FILING,
        "--class",
        class,
        "--scenarios",
        "scenarios/pricing.toml",
    ];
    args.extend(more);
    waterfall(&args)
}

fn matrix(class: &str, scenarios: &str, more: &[&str]) -> Run {
    let mut args = vec![
        "matrix",
        HE4,
        "--from",
        HE4_FILING,
        "--class",
        class,
        "--scenarios",
        scenarios,
    ];
    args.extend(more);
    waterfall(&args)
}

fn refused(r: &Run, says: &str) {
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.starts_with("waterfall: ") || r.stderr.starts_with("error: "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(says), "{}", r.stderr);
}

#[test]
fn price_99_16_plus_prices_at_99_515625() {
    // 99-16+ = 99 + 16.5/32 = 99.515625, shown back in 32nds as 99-16+, and
    // priced exactly as the decimal 99.515625 is.
    let r = ok(price("M-2", &["--price", "99-16+", "--format", "json"]));
    let rows = json(&r);
    let row = &rows[0];
    assert_eq!(row["price"].as_f64(), Some(99.515625));
    assert_eq!(row["price_32nds"], "99-16+");
    let decimal = json(&ok(price(
        "M-2",
        &["--price", "99.515625", "--format", "json"],
    )))[0]
        .clone();
    assert_eq!(row["yield_percent"], decimal["yield_percent"]);
    assert_eq!(row["dm_bp"], decimal["dm_bp"]);
    // Below par, a floater's discount margin is above its 200 bp margin.
    let dm: f64 = row["dm_bp"].as_f64().unwrap();
    assert!(dm > 200.0, "{dm}");
    // The table shows both forms.
    let text = ok(price("M-2", &["--price", "99-16+,99-163"])).stdout;
    assert!(
        text.contains("99.515625") && text.contains("99-16+"),
        "{text}"
    );
    assert!(
        text.contains("99.51171875") && text.contains("99-163"),
        "{text}"
    );
}

#[test]
fn settling_ten_days_into_the_period_adds_the_accrued_coupon() {
    // A-IO pays 4.00% on 30/360 (its cap does not bind in January 2004).
    // Settled 2003-12-25, 10 days after the 2003-12-15 distribution:
    // accrued per 100 of notional = 100 × 4% × 10/360 = 0.111111.
    let r = ok(price(
        "A-IO",
        &[
            "--price",
            "5-16",
            "--settle",
            "2003-12-25",
            "--format",
            "json",
        ],
    ));
    let row = &json(&r)[0];
    assert_eq!(row["accrued"].as_f64(), Some(0.111111));
    assert_eq!(row["price"].as_f64(), Some(5.5));
    let text = ok(price(
        "A-IO",
        &["--price", "5-16", "--settle", "2003-12-25"],
    ))
    .stdout;
    assert!(
        text.contains(
            "settling 2003-12-25, clean prices, accrued interest from 2003-12-15 (10 days 30/360)"
        ),
        "{text}"
    );
    // Settled on the filing's date (the default), nothing has accrued.
    let row = &json(&ok(price("A-IO", &["--price", "5-16", "--format", "json"])))[0];
    assert_eq!(row["accrued"].as_f64(), Some(0.0));
    // M-2 accrues act/360 at LIBOR 1.12% + 2.00% = 3.12%: 2003-12-15 to
    // 2004-01-05 is 21 days, 100 × 3.12% × 21/360 = 0.182000.
    let row = &json(&ok(price(
        "M-2",
        &[
            "--price",
            "100",
            "--settle",
            "2004-01-05",
            "--format",
            "json",
        ],
    )))[0];
    assert_eq!(row["accrued"].as_f64(), Some(0.182));
}

#[test]
fn price_refuses_bad_quotes_and_settlements() {
    refused(
        &price("M-2", &["--price", "99-32"]),
        "--price: 32nds run from 00 to 31",
    );
    refused(&price("M-2", &["--price", "99-1"]), "expected a price like");
    refused(&price("M-2", &["--price", "0"]), "--price must be positive");
    refused(
        &price("M-2", &["--price", "100", "--settle", "2003-12-01"]),
        "before 2003-12-15",
    );
    refused(
        &price("M-2", &["--price", "100", "--settle", "12/25/2003"]),
        "--settle: expected a date like 2003-12-25",
    );
    refused(
        &price("M-2", &["--price", "100", "--settle", "2060-01-15"]),
        "nothing left to price",
    );
}

#[test]
fn matrix_puts_prices_down_the_side_and_scenarios_across() {
    let r = ok(matrix(
        "M-2",
        "scenarios/grid.toml",
        &["--price", "99-16,100-00,100-16", "--to", "call"],
    ));
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("ABSC Home Equity Loan Trust 2003-HE4 class M-2"));
    assert!(r.stdout.contains("to call (the clean-up call exercised"));
    assert!(!r.stdout.contains("to maturity"));
    let header = lines.iter().find(|l| l.starts_with("price ")).unwrap();
    // 90 scenarios: prepay, default and severity vary.
    assert_eq!(header.matches("% sev").count(), 90);
    assert!(header.contains("50PPC 0CDR 30% sev"));
    for label in [
        "99-16 (99.5000)",
        "100-00 (100.0000)",
        "100-16 (100.5000)",
        "WAL (years)",
        "mod duration at 100-00",
        "first principal",
        "last principal",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(label)),
            "no row {label}:\n{}",
            r.stdout
        );
    }
}

#[test]
fn matrix_to_call_and_to_maturity_run_the_call_on_and_off() {
    // The stress scenario does not exercise the call; "to call" does anyway.
    let r = ok(matrix(
        "M-2",
        "scenarios/stress.toml",
        &["--price", "100", "--format", "json"],
    ));
    let v = json(&r);
    let tables = v["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[0]["to"], "call");
    assert_eq!(tables[1]["to"], "maturity");
    let call = &tables[0]["columns"][0];
    let maturity = &tables[1]["columns"][0];
    // The call retires the bonds early: a shorter life and an earlier last payment.
    assert!(call["wal_years"].as_f64().unwrap() < maturity["wal_years"].as_f64().unwrap());
    assert!(
        call["last_principal"].as_str().unwrap() < maturity["last_principal"].as_str().unwrap()
    );
    // To maturity is the scenario file as it is, so it matches `price`.
    let p = json(&ok(waterfall(&[
        "price",
        HE4,
        "--from",
        HE4_FILING,
        "--class",
        "M-2",
        "--scenarios",
        "scenarios/stress.toml",
        "--price",
        "100",
        "--format",
        "json",
    ])));
    let yield_price: f64 = p[0]["yield_percent"].as_f64().unwrap();
    let yield_matrix = maturity["yields"][0].as_f64().unwrap();
    assert!((yield_price - yield_matrix).abs() < 0.00005 + 1e-12);
}

#[test]
fn matrix_csv_and_settlement_rows() {
    let r = ok(matrix(
        "A-IO",
        "scenarios/pricing.toml",
        &[
            "--price",
            "5-16,5-24",
            "--settle",
            "2003-12-25",
            "--to",
            "maturity",
            "--format",
            "csv",
        ],
    ));
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "to,row,price,price_32nds,100PPC");
    // 5-16 = 5.5, 5-24 = 5.75; accrued 100 × 4% × 10/360 = 0.111111; with
    // two prices the duration is at the lower middle one, 5-16.
    assert!(lines[1].starts_with("maturity,yield_percent,5.5000,5-16,"));
    assert!(lines[2].starts_with("maturity,yield_percent,5.7500,5-24,"));
    assert_eq!(lines[3], "maturity,accrued_per_100,,,0.111111");
    assert!(lines[5].starts_with("maturity,modified_duration,5.5000,5-16,"));
    // An interest-only class pays no principal: no dates.
    assert_eq!(lines[6], "maturity,first_principal,,,");
    assert_eq!(lines.len(), 8);
}

#[test]
fn matrix_refuses_what_it_cannot_show() {
    let r = waterfall(&[
        "matrix",
        HE4,
        "--from",
        HE4_FILING,
        "--class",
        "M-2",
        "--scenarios",
        "scenarios/pricing.toml",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--price"), "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    let speeds: Vec<String> = (0..101).map(|i| format!("\"{i}CPR\"")).collect();
    std::fs::write(&big, format!("[grid]\nprepay = [{}]\n", speeds.join(","))).unwrap();
    refused(
        &matrix("M-2", big.to_str().unwrap(), &["--price", "100"]),
        "at most 100 scenarios",
    );
    refused(
        &matrix("M-2", "scenarios/pricing.toml", &["--price", "100-40"]),
        "32nds run from 00 to 31",
    );
}
