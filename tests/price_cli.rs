//! `waterfall price` with prices in 32nds and a settlement date, as a user
//! runs it on the bundled HE4 deal.

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
    assert_eq!(row["price"], "99.515625");
    assert_eq!(row["price_32nds"], "99-16+");
    let decimal = json(&ok(price(
        "M-2",
        &["--price", "99.515625", "--format", "json"],
    )))[0]
        .clone();
    assert_eq!(row["yield_percent"], decimal["yield_percent"]);
    assert_eq!(row["dm_bp"], decimal["dm_bp"]);
    // Below par, a floater's discount margin is above its 200 bp margin.
    let dm: f64 = row["dm_bp"].as_str().unwrap().parse().unwrap();
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
    assert_eq!(row["accrued"], "0.111111");
    assert_eq!(row["price"], "5.5000");
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
    assert_eq!(row["accrued"], "0.000000");
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
    assert_eq!(row["accrued"], "0.182000");
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
