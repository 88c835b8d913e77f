//! Scenario grids, breakevens and pricing: the same output for any thread
//! count, rows in scenario order, nothing half-written, breakevens that are
//! what they say, and a floater at par whose discount margin is its margin.

use std::path::{Path, PathBuf};
use std::process::Command;

use rust_decimal::Decimal;
use waterfall::breakeven::{By, breakeven};
use waterfall::deal::Deal;
use waterfall::num::Num;
use waterfall::projection::{BondFlows, Projection, summary::Summarizer};
use waterfall::scenario::{Scenario, ScenarioSet};
use waterfall::waterfall::Engine;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn waterfall(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_waterfall"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

const HE4: &str = "deals/absc-2003-he4";
const HE4_FILING: &str = "deals/absc-2003-he4/filings/2003-12-15.txt";

fn scenario_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn one_thread_and_two_threads_write_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("grid-{threads}.csv"));
        let o = grid_he4(
            "scenarios/grid.toml",
            &[
                "--threads",
                threads,
                "--format",
                "csv",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outputs.push(out);
    }
    let a = std::fs::read(&outputs[0]).unwrap();
    let b = std::fs::read(&outputs[1]).unwrap();
    assert_eq!(a, b, "--threads 1 and --threads 2 differ");
    // And as `cmp` sees it, where the machine has it.
    if let Ok(o) = Command::new("cmp")
        .arg(&outputs[0])
        .arg(&outputs[1])
        .output()
    {
        assert!(
            o.status.success(),
            "cmp: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

/// `waterfall grid` of HE4 from its filing with `scenarios`, then `extra` arguments.
fn grid_he4(scenarios: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["grid", HE4, "--from", HE4_FILING, "--scenarios", scenarios];
    args.extend_from_slice(extra);
    waterfall(&args)
}

/// `scenarios/grid.toml` on HE4, as CSV.
fn shipped_grid_csv() -> String {
    let o = grid_he4("scenarios/grid.toml", &["--format", "csv"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The column numbered by its name in a CSV header line.
fn column(header: &str, name: &str) -> usize {
    header
        .split(',')
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name} in {header}"))
}

#[test]
fn the_shipped_grid_has_a_row_per_scenario_and_class_in_scenario_order() {
    let text = shipped_grid_csv();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with(
        "scenario,name,prepay,default,severity,lag,advancing,libor,call,\
         counterparty_default,termination_payment,class,wal"
    ));
    let writedown = column(header, "writedown");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // 5 prepayment x 6 default x 3 severity scenarios, 16 classes each.
    assert_eq!(rows.len(), 5 * 6 * 3 * 16);
    let numbers: Vec<usize> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(
        numbers.windows(2).all(|w| w[0] <= w[1]),
        "rows out of scenario order"
    );
    // The last list varies fastest: scenario 2 is 50PPC 0CDR at 40% severity.
    let second = rows.iter().find(|r| r[0] == "2").unwrap();
    assert_eq!(
        (second[1], second[2], second[3], second[4]),
        ("grid #2", "50PPC", "0CDR", "40")
    );
    // The assumptions the file sets for every scenario are on every row.
    assert!(
        rows.iter()
            .all(|r| (r[5], r[6], r[7], r[8]) == ("12", "yes", "filing", "yes")),
        "lag, advancing, LIBOR, call"
    );
    // The file's counterparty never defaults: both its columns are empty.
    assert!(rows.iter().all(|r| (r[9], r[10]) == ("", "")));
    // With no defaults nothing is written down.
    for r in rows.iter().filter(|r| r[3] == "0CDR") {
        assert_eq!(r[writedown], "0.00", "{r:?}");
    }
}

#[test]
fn more_defaults_in_the_grid_never_pay_the_lowest_mezzanine_more() {
    let text = shipped_grid_csv();
    let header = text.lines().next().unwrap();
    let (class, paid) = (column(header, "class"), column(header, "principal"));
    // For each prepay speed and severity, M5-B's principal falls as CDR rises.
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    for prepay in ["50PPC", "100PPC", "150PPC"] {
        for sev in ["30", "50"] {
            let principal: Vec<f64> = ["0CDR", "2CDR", "4CDR", "6CDR", "8CDR", "10CDR"]
                .iter()
                .map(|cdr| {
                    rows.iter()
                        .find(|r| {
                            r[2] == prepay && r[3] == *cdr && r[4] == sev && r[class] == "M5-B"
                        })
                        .unwrap()[paid]
                        .parse()
                        .unwrap()
                })
                .collect();
            assert!(
                principal.windows(2).all(|w| w[1] <= w[0]),
                "{prepay} {sev}%: {principal:?}"
            );
        }
    }
}

#[test]
fn a_grid_with_no_scenario_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = scenario_file(
        dir.path(),
        "empty.toml",
        "severity = \"40\"\n[grid]\ndefault = []\nprepay = []\nseverity = []\nlag = []\ncall = []\nlibor_shift = []\n",
    );
    let f2 = scenario_file(
        dir.path(),
        "none.toml",
        "[grid]\nprepay = [\"100PPC\"]\ncall = []\n",
    );
    for file in [f, f2] {
        let o = grid_he4(file.to_str().unwrap(), &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(file.to_str().unwrap()), "{err}");
    }
}

#[test]
fn an_output_path_that_cannot_be_written_is_refused_before_any_work() {
    let o = grid_he4("scenarios/grid.toml", &["--out", "no/such/dir/grid.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/dir/grid.csv"));
    assert!(o.stdout.is_empty());
}

// Ctrl-C, SIGTERM and SIGKILL of a grid are in tests/processes.rs, each
// sent only once the run is under way and asserted to have stopped it.

fn deal() -> Deal {
    Deal::load(&root().join(HE4)).unwrap()
}

fn base(text: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let p = scenario_file(dir.path(), "s.toml", text);
    ScenarioSet::load(&p).unwrap().single().unwrap()
}

fn writedown(p: &Projection, s: &Scenario, k: usize) -> Decimal {
    let start: Vec<f64> = p.start.state.balances.iter().map(|b| b.to_f64()).collect();
    let mut sum = Summarizer::new(p.deal, &start);
    p.run(s, &mut Engine::<f64>::new(p.deal), &mut sum).unwrap();
    sum.finish(p.deal).classes[k].total_writedown
}

#[test]
fn at_the_breakeven_cdr_the_class_loses_nothing_and_just_above_it_loses() {
    let d = deal();
    let p = Projection::from_report_file(&d, &root().join(HE4_FILING)).unwrap();
    let s = base("default = \"0CDR\"\nseverity = \"40\"\ncall = false\n");
    let k = d.class_index("M5-B").unwrap();
    let b = breakeven(&p, &s, k, By::Cdr, None).unwrap();
    let rate = b.rate.unwrap();
    let above = b.first_loss_rate.unwrap();
    assert!(
        above - rate <= Decimal::new(1, 2),
        "bracket wider than the tolerance: {rate} .. {above}"
    );
    let at = |cdr: Decimal| {
        base(&format!(
            "default = \"{cdr}CDR\"\nseverity = \"40\"\ncall = false\n"
        ))
    };
    assert_eq!(writedown(&p, &at(rate), k), Decimal::ZERO);
    assert!(writedown(&p, &at(above), k) > Decimal::ZERO);
    assert_eq!(b.first_loss, writedown(&p, &at(above), k));
}

#[test]
fn a_more_subordinate_class_breaks_even_at_a_lower_default_rate() {
    let d = deal();
    let p = Projection::from_report_file(&d, &root().join(HE4_FILING)).unwrap();
    let s = base("default = \"0CDR\"\nseverity = \"40\"\ncall = false\n");
    let order = ["M-1", "M-2", "M-3", "M-4", "M5-A", "M5-B"];
    let ks: Vec<usize> = order.iter().map(|n| d.class_index(n).unwrap()).collect();
    let rates: Vec<Decimal> = waterfall::breakeven::breakevens(&p, &s, &ks, By::Cdr, None)
        .unwrap()
        .into_iter()
        .map(|b| b.rate.unwrap())
        .collect();
    assert!(
        rates.windows(2).all(|w| w[0] > w[1]),
        "{order:?}: {rates:?}"
    );
}

#[test]
fn a_floater_priced_at_par_has_its_margin_as_discount_margin() {
    // M-2 pays one-month LIBOR + 2.00% on act/360 and its cap does not bind
    // under the pricing scenario; discounting those flows at LIBOR + DM gives
    // par exactly when DM = 2.00%.
    let d = deal();
    let p = Projection::from_report_file(&d, &root().join(HE4_FILING)).unwrap();
    let s = ScenarioSet::load(&root().join("scenarios/pricing.toml"))
        .unwrap()
        .single()
        .unwrap();
    let k = d.class_index("M-2").unwrap();
    let mut flows = BondFlows::new(k, 55_500_000.0);
    p.run(&s, &mut Engine::<f64>::new(&d), &mut flows).unwrap();
    let dm = waterfall::pricing::discount_margin(&flows.bond, 100.0).unwrap();
    assert!((dm - 0.02).abs() < 1e-7, "DM at par {dm}");
}

#[test]
fn a_grid_too_large_for_one_run_is_refused() {
    // 100 x 100 x 100 x 11 = 11,000,000 scenarios, over the 10,000,000 a run takes.
    let dir = tempfile::tempdir().unwrap();
    let list = |f: &dyn Fn(usize) -> String, n: usize| (0..n).map(f).collect::<Vec<_>>().join(",");
    let text = format!(
        "[grid]\nprepay = [{}]\ndefault = [{}]\nseverity = [{}]\nlag = [{}]\n",
        list(&|i| format!("\"{i}CPR\""), 100),
        list(&|i| format!("\"{}CDR\"", i as f64 / 10.0), 100),
        list(&|i| format!("\"{}\"", i as f64 / 2.0), 100),
        list(&|i| i.to_string(), 11),
    );
    let f = scenario_file(dir.path(), "huge.toml", &text);
    let out = dir.path().join("grid.csv");
    let o = grid_he4(f.to_str().unwrap(), &["--out", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("11000000 scenarios") && err.contains("10,000,000"),
        "{err}"
    );
    assert!(!out.exists());
}

/// `scenarios/counterparty.toml`: two scenarios that differ only in the
/// counterparty's default, for the example deal with a swap and a cap.
const COUNTERPARTY_LIST: &str = "scenarios/counterparty.toml";

#[test]
fn rows_of_scenarios_that_differ_only_in_the_counterparty_default_say_so() {
    let file = COUNTERPARTY_LIST;
    let deal = "deals/example-subprime-2006";
    let o = waterfall(&["grid", deal, "--scenarios", file, "--format", "csv"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let header = text.lines().next().unwrap();
    let (month, payment) = (
        column(header, "counterparty_default"),
        column(header, "termination_payment"),
    );
    for line in text.lines().skip(1) {
        let r: Vec<&str> = line.split(',').collect();
        match r[0] {
            "1" => assert_eq!((r[month], r[payment]), ("", ""), "{line}"),
            // Month 24, and the 2,500,000 owed written to the cent.
            _ => assert_eq!((r[month], r[payment]), ("24", "2500000.00"), "{line}"),
        }
    }
    // JSON types them: a month and an amount, or nulls.
    let o = waterfall(&["grid", deal, "--scenarios", file, "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows[0]["counterparty_default"].is_null());
    assert!(rows[0]["termination_payment"].is_null());
    let last = rows.last().unwrap();
    assert_eq!(last["counterparty_default"], serde_json::json!(24));
    assert_eq!(last["termination_payment"].to_string(), "2500000.00");
    // The price table's rows, and the matrix's headings, tell them apart.
    let m1_at_par = |command: &str, extra: &[&str]| {
        let mut args = vec![command, deal, "--class", "M-1", "--scenarios", file];
        args.extend(["--price", "100"].iter().chain(extra));
        let o = waterfall(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let price = m1_at_par("price", &["--format", "csv"]);
    assert!(
        price.contains("\nswap pays,100PPC,0CDR,0,12,yes,6.2%,no,,,100.0000,"),
        "{price}"
    );
    assert!(
        price.contains("\nswap defaults,100PPC,0CDR,0,12,yes,6.2%,no,24,2500000.00,100.0000,"),
        "{price}"
    );
    let matrix = m1_at_par("matrix", &[]);
    assert!(
        matrix.contains("no counterparty default")
            && matrix.contains("counterparty defaults month 24 termination 2500000.00"),
        "{matrix}"
    );
}

#[test]
fn a_termination_payment_finer_than_a_cent_is_refused_where_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(COUNTERPARTY_LIST))
        .unwrap()
        .replace("\"2500000\"", "\"2500000.005\"");
    let file = scenario_file(dir.path(), "cp.toml", &text);
    // The line the second scenario's counterparty_default is on.
    let line = 1 + text
        .lines()
        .position(|l| l.starts_with("counterparty_default"))
        .unwrap();
    let o = waterfall(&[
        "grid",
        "deals/example-subprime-2006",
        "--scenarios",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains(&format!("cp.toml:{line}:"))
            && err.contains("termination_payment is an amount to the cent from 0 to 10^13 the trust owes, found 2500000.005"),
        "{err}"
    );
}
