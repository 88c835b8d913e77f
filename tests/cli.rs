//! The `waterfall` command as a user runs it: exit codes (0 fine, 1 figures
//! that do not match, 2 bad input), what goes to standard output, and the
//! messages bad input gets on standard error.
//!
//! Every test runs the built binary from the crate's root, on the bundled deals
//! and scenarios. `project` runs with `--fast` except where the exact decimal
//! run itself is what is shown.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const HE4: &str = "deals/absc-2003-he4";
const HE2: &str = "deals/absc-2003-he2";
const HE4_FILING: &str = "deals/absc-2003-he4/filings/2003-12-15.txt";
const HE2_FILING: &str = "deals/absc-2003-he2/filings/2003-12-15.txt";
const PRICING: &str = "scenarios/pricing.toml";

/// Both bundled deals with their filing.
const DEALS: [(&str, &str); 2] = [(HE4, HE4_FILING), (HE2, HE2_FILING)];

/// What one run of the binary printed and how it exited.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("standard output is not JSON ({e}):\n{}", self.stdout))
    }

    /// Assert the exit code, showing both streams when it is wrong.
    #[track_caller]
    fn exits(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Assert a refusal: exit 2, nothing on standard output, one message on
    /// standard error that starts with `waterfall: `.
    #[track_caller]
    fn refused(&self) -> &Self {
        self.exits(2);
        assert!(
            self.stdout.is_empty(),
            "a refused command printed:\n{}",
            self.stdout
        );
        assert!(
            self.stderr.starts_with("waterfall: ") || self.stderr.starts_with("error: "),
            "stderr: {}",
            self.stderr
        );
        self
    }
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn waterfall<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_waterfall"))
        .current_dir(manifest_dir())
        .args(args)
        .output()
        .expect("the waterfall binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `args` followed by `more`, as owned strings.
fn with(args: &[&str], more: &[&str]) -> Vec<String> {
    args.iter().chain(more).map(|s| s.to_string()).collect()
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// Copy a bundled deal (deal.toml and filings/) into `to`.
fn copy_deal(deal: &str, to: &Path) {
    let from = manifest_dir().join(deal);
    std::fs::create_dir_all(to.join("filings")).unwrap();
    std::fs::copy(from.join("deal.toml"), to.join("deal.toml")).unwrap();
    for e in std::fs::read_dir(from.join("filings")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join("filings").join(p.file_name().unwrap())).unwrap();
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

// --- reconcile ---------------------------------------------------------------

#[test]
fn reconcile_of_each_bundled_deal_exits_0_and_ends_with_a_summary_of_no_mismatch() {
    for (deal, _) in DEALS {
        let run = waterfall(&["reconcile", deal]);
        run.exits(0);
        let last = run.stdout.lines().last().unwrap_or_default();
        assert!(
            last.contains(" figures compared: ")
                && last.contains(" 0 mismatch,")
                && last.contains("2003-12-15"),
            "{deal}: last line is not the summary: {last}"
        );
        assert!(run.stderr.is_empty(), "{deal}: stderr: {}", run.stderr);
    }
}

#[test]
fn reconcile_json_has_the_deal_date_figures_and_summary() {
    const STATUSES: [&str; 6] = [
        "match",
        "mismatch",
        "report-inconsistent",
        "not-modelled",
        "input",
        "missing",
    ];
    for (deal, _) in DEALS {
        let run = waterfall(&["reconcile", deal, "--format", "json"]);
        run.exits(0);
        let v = run.json();
        for key in ["deal", "distribution_date", "figures", "summary"] {
            assert!(v.get(key).is_some(), "{deal}: no key {key}");
        }
        assert_eq!(v["distribution_date"], "2003-12-15", "{deal}");
        assert!(v["deal"].as_str().unwrap().starts_with("ABSC 2003-HE"));
        let figures = v["figures"].as_array().expect("figures is an array");
        assert!(figures.len() > 100, "{deal}: {} figures", figures.len());
        for f in figures {
            for key in ["id", "ours", "reported", "difference", "status"] {
                assert!(f.get(key).is_some(), "{deal}: figure without {key}: {f}");
            }
            let status = f["status"].as_str().expect("status is a string");
            assert!(
                STATUSES.contains(&status),
                "{deal}: status {status:?} in {f}"
            );
        }
        let mismatches = figures.iter().filter(|f| f["status"] == "mismatch").count();
        assert_eq!(mismatches, 0, "{deal}");
        assert_eq!(v["summary"]["mismatch"], 0, "{deal}: {}", v["summary"]);
        assert_eq!(v["summary"]["figures"], figures.len(), "{deal}");
    }
}

#[test]
fn reconcile_he2_marks_the_totals_that_do_not_foot_as_report_inconsistent() {
    let v = waterfall(&["reconcile", HE2, "--format", "json"])
        .exits(0)
        .json();
    for id in ["total.interest", "total.total_distribution"] {
        let f = v["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no figure {id}"));
        assert_eq!(f["status"], "report-inconsistent", "{f}");
    }
}

#[test]
fn reconcile_of_several_reports_prints_a_json_array() {
    let v = waterfall(&["reconcile", HE4, HE4_FILING, HE4_FILING, "--format", "json"])
        .exits(0)
        .json();
    let list = v.as_array().expect("an array, one entry per report");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0], list[1]);
}

#[test]
fn reconcile_refuses_a_report_of_another_series() {
    let run = waterfall(&["reconcile", HE4, HE2_FILING]);
    run.refused();
    assert!(run.stderr.contains(HE2_FILING), "{}", run.stderr);
    assert!(run.stderr.contains("2003-HE2"), "{}", run.stderr);
    assert!(run.stderr.contains("2003-HE4"), "{}", run.stderr);
}

#[test]
fn reconcile_of_both_deals_reports_against_one_deal_prints_nothing_and_exits_2() {
    // The HE4 report alone would reconcile; the HE2 one must not leave half an output.
    let run = waterfall(&["reconcile", HE4, HE4_FILING, HE2_FILING]);
    run.refused();
    assert!(run.stderr.contains(HE2_FILING), "{}", run.stderr);
    assert!(run.stderr.contains("2003-HE2"), "{}", run.stderr);
}

/// HE2's M-4 margin, 3.85% in the deal file, made 3.95% in the copy at `deal`.
fn raise_m4_margin(deal: &Path) {
    let toml = deal.join("deal.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert_eq!(text.matches("margin = \"3.85\"").count(), 1, "M-4's margin");
    std::fs::write(
        &toml,
        text.replace("margin = \"3.85\"", "margin = \"3.95\""),
    )
    .unwrap();
}

#[test]
fn reconcile_with_a_changed_margin_exits_1_and_shows_the_mismatch() {
    let dir = temp_dir();
    let deal = dir.path().join("he2");
    copy_deal(HE2, &deal);
    raise_m4_margin(&deal);

    let deal = deal.to_str().unwrap();
    let run = waterfall(&["reconcile", deal]);
    run.exits(1);
    assert!(run.stdout.contains("mismatch"), "{}", run.stdout);
    assert!(
        run.stdout.contains("class[M-4].interest mismatch"),
        "{}",
        run.stdout
    );
    let last = run.stdout.lines().last().unwrap();
    assert!(!last.contains(" 0 mismatch"), "{last}");

    let v = waterfall(&["reconcile", deal, "--format", "json"])
        .exits(1)
        .json();
    let m4 = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "class[M-4].interest")
        .unwrap();
    assert_eq!(m4["status"], "mismatch", "{m4}");
}

#[test]
fn reconcile_explain_prints_the_waterfall_step_by_step() {
    let run = waterfall(&["reconcile", HE4, "--explain"]);
    run.exits(0);
    assert!(run.stdout.contains("step by step"), "{}", run.stdout);
    assert!(run.stdout.contains("pay interest to A-1"), "{}", run.stdout);
    assert!(
        run.stdout.contains("up to oc.deficiency [extra_principal]"),
        "{}",
        run.stdout
    );
    // Without --explain there is no ledger.
    let plain = waterfall(&["reconcile", HE4]);
    assert!(!plain.stdout.contains("pay interest to A-1"));
}

#[test]
fn reconcile_refuses_a_negative_tolerance() {
    // Parsed by clap as an unknown flag: still a usage error, exit 2.
    waterfall(&["reconcile", HE4, "--tolerance", "-1"]).refused();
    let run = waterfall(&["reconcile", HE4, "--tolerance=-1"]);
    run.refused();
    assert!(run.stderr.contains("--tolerance"), "{}", run.stderr);
}

#[test]
fn reconcile_of_a_deal_without_filings_exits_2() {
    let dir = temp_dir();
    std::fs::copy(
        manifest_dir().join(HE4).join("deal.toml"),
        dir.path().join("deal.toml"),
    )
    .unwrap();
    let run = waterfall(&["reconcile", dir.path().to_str().unwrap()]);
    run.refused();
    assert!(run.stderr.contains("filings"), "{}", run.stderr);
}

#[test]
fn reconcile_of_a_missing_deal_exits_2() {
    let run = waterfall(&["reconcile", "deals/no-such-deal", HE4_FILING]);
    run.refused();
    assert!(run.stderr.contains("deals/no-such-deal"), "{}", run.stderr);
}

/// Every bundled deal with filings, as `reconcile --all deals` takes them: by
/// directory name.
const FILED: [&str; 4] = [
    "deals/absc-2003-he2",
    "deals/absc-2003-he4",
    "deals/carmax-2024-2",
    "deals/carmax-2025-2",
];

#[test]
fn reconcile_all_prints_each_deals_own_reconcile_then_a_row_a_deal() {
    let all = waterfall(&["reconcile", "deals", "--all"]);
    all.exits(0);
    // Each deal's part is exactly what reconciling it alone prints.
    let mut expected = String::new();
    for deal in FILED {
        let one = waterfall(&["reconcile", deal]);
        one.exits(0);
        expected.push_str(&one.stdout);
        expected.push('\n');
    }
    assert!(
        all.stdout.starts_with(&expected),
        "reconcile --all does not begin with each deal's own reconcile"
    );
    let table = &all.stdout[expected.len()..];
    let rows: Vec<&str> = table.lines().skip(3).collect();
    assert_eq!(table.lines().next(), Some("Deal by deal:"), "{table}");
    assert_eq!(
        rows.len(),
        FILED.len() + 1,
        "one row a deal with filings, then the total:\n{table}"
    );
    // A row's counts from the right: missing, inputs, not modelled,
    // inconsistent, mismatch, match, compared, months.
    let counts = |row: &str| -> Vec<u64> {
        let mut c: Vec<u64> = row
            .split_whitespace()
            .rev()
            .take(8)
            .map(|c| c.parse().unwrap())
            .collect();
        c.reverse();
        c
    };
    let mut total = vec![0u64; 8];
    for (deal, row) in FILED.iter().zip(&rows) {
        // The deal's own months, summed from its own JSON.
        let v = waterfall(&["reconcile", deal, "--format", "json"]).json();
        let months: Vec<Value> = match v {
            Value::Array(a) => a,
            one => vec![one],
        };
        let filed = files_in(&manifest_dir().join(deal).join("filings")).len();
        assert_eq!(months.len(), filed, "{deal}: a month a filing");
        let sum = |k: &str| -> u64 {
            months
                .iter()
                .map(|m| m["summary"][k].as_u64().unwrap())
                .sum()
        };
        let own = vec![
            filed as u64,
            sum("compared"),
            sum("match"),
            sum("mismatch"),
            sum("report_inconsistent"),
            sum("not_modelled"),
            sum("inputs"),
            sum("missing"),
        ];
        assert_eq!(counts(row), own, "{deal}: {row}");
        assert_eq!(own[3], 0, "{deal}: no mismatch");
        for (t, o) in total.iter_mut().zip(&own) {
            *t += o;
        }
    }
    assert!(rows[FILED.len()].starts_with("all deals"), "{table}");
    assert_eq!(counts(rows[FILED.len()]), total, "{table}");
    // The deals that run from closing (no filings/) are left out.
    assert!(!table.contains("FJF"), "{table}");
}

#[test]
fn reconcile_all_prints_the_same_bytes_on_one_thread_as_on_several() {
    let run = |threads: &str, format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_waterfall"))
            .current_dir(manifest_dir())
            .env("RAYON_NUM_THREADS", threads)
            .args(["reconcile", "deals", "--all", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    for format in ["text", "json"] {
        assert!(
            run("1", format) == run("4", format),
            "{format} differs by thread count"
        );
    }
}

#[test]
fn reconcile_all_exits_1_when_one_deal_does_not_reconcile() {
    let dir = temp_dir();
    copy_deal(HE4, &dir.path().join("a-he4"));
    let he2 = dir.path().join("b-he2");
    copy_deal(HE2, &he2);
    raise_m4_margin(&he2);
    let run = waterfall(&["reconcile", dir.path().to_str().unwrap(), "--all"]);
    run.exits(1);
    let rows: Vec<&str> = run.stdout.lines().rev().skip(1).take(2).collect();
    // HE2's row (the last before the total) shows its mismatches; HE4's
    // (before it) none.
    let mismatch = |row: &str| row.split_whitespace().rev().nth(4).unwrap().to_string();
    assert_ne!(mismatch(rows[0]), "0", "{}", rows[0]);
    assert!(rows[0].contains("2003-HE2"), "{}", rows[0]);
    assert_eq!(mismatch(rows[1]), "0", "{}", rows[1]);
}

#[test]
fn reconcile_all_with_a_bad_deal_file_prints_nothing_and_names_its_line() {
    let dir = temp_dir();
    copy_deal(HE4, &dir.path().join("a-he4"));
    let he2 = dir.path().join("b-he2");
    copy_deal(HE2, &he2);
    let toml = he2.join("deal.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let line = 1 + text
        .lines()
        .position(|l| l.contains("margin = \"3.85\""))
        .expect("M-4's margin");
    std::fs::write(
        &toml,
        text.replace("margin = \"3.85\"", "margin = \"3.8.5\""),
    )
    .unwrap();
    let run = waterfall(&["reconcile", dir.path().to_str().unwrap(), "--all"]);
    run.refused();
    assert!(
        run.stderr.contains(&format!("b-he2/deal.toml:{line}:")),
        "the message names the file and line {line}: {}",
        run.stderr
    );
}

#[test]
fn reconcile_all_refuses_reports_and_a_directory_without_deals() {
    let run = waterfall(&["reconcile", "deals", "--all", HE4_FILING]);
    run.refused();
    assert!(run.stderr.contains("--all"), "{}", run.stderr);
    let run = waterfall(&["reconcile", HE4, "--all"]);
    run.refused();
    assert!(
        run.stderr.contains("no deal with filings"),
        "{}",
        run.stderr
    );
}

// --- parse ---------------------------------------------------------------------

#[test]
fn parse_of_each_filing_exits_0() {
    for (_, filing) in DEALS {
        let run = waterfall(&["parse", filing]);
        run.exits(0);
        assert!(!run.stdout.is_empty(), "{filing}");
    }
}

#[test]
fn parse_json_has_the_distribution_date() {
    for (_, filing) in DEALS {
        let v = waterfall(&["parse", filing, "--format", "json"])
            .exits(0)
            .json();
        assert_eq!(v["report"]["distribution_date"], "2003-12-15", "{filing}");
        assert!(v["warnings"].is_array(), "{filing}");
    }
}

#[test]
fn parse_reads_a_carmax_certificate_by_its_first_line() {
    let cert = "deals/carmax-2024-2/filings/2025-04-15.txt";
    let run = waterfall(&["parse", cert]);
    run.exits(0);
    // Row 1 of the April 2025 certificate: the pool balance at the close of March.
    assert!(
        run.stdout
            .contains("1,104,987,677.14  pool.beginning_balance"),
        "{}",
        run.stdout
    );
    let v = waterfall(&["parse", cert, "--format", "json"])
        .exits(0)
        .json();
    assert_eq!(v["layout"], "carmax-servicer-certificate");
    assert_eq!(v["report"]["file_date"], "2025-04-15");
    assert!(v["warnings"].is_array());
    // Told the wrong layout, the parser says what it expected, where.
    let run = waterfall(&[
        "parse",
        "--layout",
        "carmax-servicer-certificate",
        HE4_FILING,
    ]);
    run.exits(2);
    assert!(
        run.stderr
            .contains("expected the trust name (\"CarMax Auto Owner Trust ...\")"),
        "{}",
        run.stderr
    );
    assert_names_file_and_line(&run.stderr, HE4_FILING);
}

/// `waterfall: PATH:LINE:` (and a line number that is a number).
#[track_caller]
fn assert_names_file_and_line(stderr: &str, path: &str) {
    let rest = stderr
        .strip_prefix("waterfall: ")
        .and_then(|s| s.strip_prefix(path))
        .and_then(|s| s.strip_prefix(':'))
        .unwrap_or_else(|| panic!("does not start with \"waterfall: {path}:\": {stderr}"));
    let line: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    assert!(
        !line.is_empty() && line.parse::<usize>().unwrap() > 0,
        "no line number: {stderr}"
    );
}

#[test]
fn parse_refuses_a_file_that_is_not_a_report_naming_file_and_line() {
    let run = waterfall(&["parse", "Cargo.toml"]);
    run.refused();
    assert_names_file_and_line(&run.stderr, "Cargo.toml");
}

#[test]
fn parse_refuses_a_report_cut_in_half_naming_the_file() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(manifest_dir().join(HE4_FILING)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let half = dir.path().join("half.txt");
    std::fs::write(&half, lines[..lines.len() / 2].join("\n") + "\n").unwrap();
    let path = half.to_str().unwrap();
    let run = waterfall(&["parse", path]);
    run.refused();
    assert_names_file_and_line(&run.stderr, path);
}

#[test]
fn parse_refuses_a_missing_file() {
    let run = waterfall(&["parse", "deals/absc-2003-he4/filings/no-such-report.txt"]);
    run.refused();
    assert!(
        run.stderr
            .contains("deals/absc-2003-he4/filings/no-such-report.txt"),
        "{}",
        run.stderr
    );
}

// --- collateral ------------------------------------------------------------------

const SIFMA_A: [&str; 15] = [
    "collateral",
    "--balance",
    "100000000",
    "--coupon",
    "8",
    "--term",
    "360",
    "--prepay",
    "1SMM",
    "--default",
    "1MDR",
    "--severity",
    "20",
    "--lag",
    "12",
];

#[test]
fn collateral_csv_reproduces_sifma_sample_a_month_1() {
    let run = waterfall(&with(&SIFMA_A, &["--format", "csv"]));
    run.exits(0);
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next().unwrap(),
        "month,performing_balance,new_defaults,in_foreclosure,expected_amortization,\
         voluntary_prepayments,amort_from_defaults,actual_amortization,expected_interest,\
         interest_lost,actual_interest,principal_recovery,principal_loss"
    );
    let month1: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(month1.len(), 13);
    assert_eq!(month1[0], "1");
    let balance: f64 = month1[1].parse().unwrap();
    // SIFMA's published sample A (tests/fixtures/sifma/sifma-sf-cashflow-a.csv): 97,934,244.
    assert_eq!(balance.round(), 97_934_244.0, "{}", month1[1]);
    assert_eq!(run.stdout.lines().count(), 1 + 360);
}

#[test]
fn collateral_json_is_one_object_a_month() {
    let v = waterfall(&with(&SIFMA_A, &["--format", "json"]))
        .exits(0)
        .json();
    let months = v.as_array().expect("an array");
    assert_eq!(months.len(), 360);
    assert_eq!(months[0]["month"], 1);
    assert!(months[0].get("performing_balance").is_some());
}

#[test]
fn collateral_refuses_an_unknown_speed_unit() {
    let run = waterfall(&[
        "collateral",
        "--balance",
        "100",
        "--coupon",
        "8",
        "--term",
        "360",
        "--prepay",
        "12XYZ",
    ]);
    run.refused();
    assert!(run.stderr.contains("12XYZ"), "{}", run.stderr);
    assert!(run.stderr.contains("--prepay"), "{}", run.stderr);
}

#[test]
fn collateral_refuses_a_severity_over_100() {
    let run = waterfall(&[
        "collateral",
        "--balance",
        "100",
        "--coupon",
        "8",
        "--term",
        "360",
        "--severity",
        "150",
    ]);
    run.refused();
    assert!(run.stderr.contains("severity"), "{}", run.stderr);
}

// --- project -------------------------------------------------------------------------

fn project(deal: &str, filing: &str, scenario: &str, more: &[&str]) -> Run {
    waterfall(&with(
        &["project", deal, "--from", filing, "--scenario", scenario],
        more,
    ))
}

#[test]
fn project_of_each_deal_exactly_prints_a_summary_with_wal_and_the_clean_up_call() {
    for (deal, filing) in DEALS {
        let run = project(deal, filing, PRICING, &[]);
        run.exits(0);
        let header = run
            .stdout
            .lines()
            .find(|l| l.starts_with("class "))
            .unwrap_or_else(|| panic!("{deal}: no class table:\n{}", run.stdout));
        assert!(header.split_whitespace().any(|w| w == "WAL"), "{header}");
        assert!(
            run.stdout.lines().any(|l| l.starts_with("clean-up call")),
            "{deal}:\n{}",
            run.stdout
        );
        assert!(run.stdout.lines().any(|l| l.starts_with("A-1 ")), "{deal}");
    }
}

#[test]
fn project_out_writes_the_four_csv_files_with_their_headers() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    let run = project(
        HE4,
        HE4_FILING,
        PRICING,
        &["--fast", "--out", out.to_str().unwrap()],
    );
    run.exits(0);
    let names: Vec<String> = files_in(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["classes.csv", "collateral.csv", "deal.csv", "summary.csv"]
    );

    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let expect_header = |name: &str, header: &str| {
        let text = read(name);
        assert_eq!(text.lines().next().unwrap(), header, "{name}");
        let columns = header.split(',').count();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert!(!rows.is_empty(), "{name} has no rows");
        for r in rows {
            assert_eq!(r.split(',').count(), columns, "{name}: {r}");
        }
    };
    expect_header(
        "classes.csv",
        "period,date,class,beginning_balance,rate,interest,principal,writedown,\
         ending_balance,interest_shortfall,net_wac_carryover",
    );
    expect_header(
        "collateral.csv",
        "period,date,group,beginning_balance,scheduled_principal,prepayments,\
         liquidation_proceeds,repurchases,realized_loss,interest,ending_balance,\
         in_foreclosure,net_wac",
    );
    expect_header(
        "summary.csv",
        "class,starting_balance,wal_years,first_principal,last_principal,total_interest,\
         total_principal,total_writedown,loss_percent,first_writedown",
    );
    let deal = read("deal.csv");
    let header: Vec<&str> = deal.lines().next().unwrap().split(',').collect();
    assert_eq!(header[..2], ["period", "date"]);
    for column in [
        "index",
        "pool_beginning",
        "pool_ending",
        "oc_target",
        "oc_ending",
        "stepdown",
        "trigger_event",
        "called",
    ] {
        assert!(
            header.contains(&column),
            "deal.csv has no {column}: {header:?}"
        );
    }
    // The summary CSV has one row a class, as the table does.
    assert!(read("summary.csv").lines().any(|l| l.starts_with("A-1,")));
}

#[test]
fn project_plot_writes_an_svg() {
    let dir = temp_dir();
    let svg = dir.path().join("x.svg");
    project(
        HE4,
        HE4_FILING,
        PRICING,
        &["--fast", "--plot", svg.to_str().unwrap()],
    )
    .exits(0);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..text.len().min(200)]);
    assert!(text.trim_end().ends_with("</svg>"));
    // No defaults, no writedown band.
    assert!(!text.contains("class=\"writedown\""));
    assert!(!text.contains("written down"));
}

#[test]
fn project_plot_draws_writedowns_apart_from_paydowns() {
    let dir = temp_dir();
    let svg = dir.path().join("stress.svg");
    project(
        HE4,
        HE4_FILING,
        "scenarios/stress.toml",
        &["--fast", "--plot", svg.to_str().unwrap()],
    )
    .exits(0);
    let text = std::fs::read_to_string(&svg).unwrap();
    // The stress writes mezzanine classes down: hatched bands, and a legend.
    let bands = text.matches("<polygon class=\"writedown\"").count();
    assert!(bands >= 1, "no writedown band");
    assert!(text.contains("fill=\"url(#written-down)\""));
    assert!(text.contains(">written down</text>"));
}

#[test]
fn project_refuses_a_filing_of_another_deal() {
    let run = project(HE4, HE2_FILING, PRICING, &["--fast"]);
    run.refused();
    assert!(run.stderr.contains(HE2_FILING), "{}", run.stderr);
}

#[test]
fn project_refuses_a_negative_severity_naming_file_and_line() {
    let dir = temp_dir();
    let scenario = dir.path().join("negative.toml");
    let text = std::fs::read_to_string(manifest_dir().join(PRICING)).unwrap();
    assert_eq!(text.matches("severity = \"0\"").count(), 1);
    std::fs::write(
        &scenario,
        text.replace("severity = \"0\"", "severity = \"-5\""),
    )
    .unwrap();
    let path = scenario.to_str().unwrap();
    let run = project(HE4, HE4_FILING, path, &["--fast"]);
    run.refused();
    assert_names_file_and_line(&run.stderr, path);
    assert!(run.stderr.contains("-5"), "{}", run.stderr);
}

#[test]
fn project_out_under_a_regular_file_exits_2_and_writes_nothing() {
    let dir = temp_dir();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let out = file.join("out");
    let svg = dir.path().join("x.svg");
    let run = project(
        HE4,
        HE4_FILING,
        PRICING,
        &[
            "--fast",
            "--out",
            out.to_str().unwrap(),
            "--plot",
            svg.to_str().unwrap(),
        ],
    );
    run.refused();
    assert!(run.stderr.contains(out.to_str().unwrap()), "{}", run.stderr);
    assert_eq!(
        files_in(dir.path()),
        std::slice::from_ref(&file),
        "something was written"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory");

    // As in the crate's root, with the path of the brief.
    let run = project(
        HE4,
        HE4_FILING,
        PRICING,
        &["--fast", "--out", "Cargo.toml/out"],
    );
    run.refused();
    assert!(run.stderr.contains("Cargo.toml/out"), "{}", run.stderr);
    assert!(manifest_dir().join("Cargo.toml").is_file());
}

#[test]
fn project_twice_gives_byte_identical_output() {
    let dir = temp_dir();
    let runs: Vec<(Run, PathBuf)> = (0..2)
        .map(|i| {
            let out = dir.path().join(format!("out{i}"));
            let run = project(
                HE4,
                HE4_FILING,
                "scenarios/stress.toml",
                &["--fast", "--format", "json", "--out", out.to_str().unwrap()],
            );
            run.exits(0);
            (run, out)
        })
        .collect();
    assert!(
        runs[0].0.stdout == runs[1].0.stdout,
        "the JSON differs between runs"
    );
    for name in ["classes.csv", "collateral.csv", "deal.csv", "summary.csv"] {
        let a = std::fs::read(runs[0].1.join(name)).unwrap();
        let b = std::fs::read(runs[1].1.join(name)).unwrap();
        assert!(a == b, "{name} differs between runs");
    }
    // The exact (decimal) run too.
    let a = project(HE2, HE2_FILING, PRICING, &[]);
    let b = project(HE2, HE2_FILING, PRICING, &[]);
    a.exits(0);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn project_refuses_a_missing_scenario_file() {
    let run = project(HE4, HE4_FILING, "scenarios/no-such.toml", &["--fast"]);
    run.refused();
    assert!(
        run.stderr.contains("scenarios/no-such.toml"),
        "{}",
        run.stderr
    );
}

// --- bugs found while writing these tests, fixed since: regression tests ----------

#[test]
fn collateral_refuses_an_absurd_coupon_instead_of_panicking() {
    waterfall(&[
        "collateral",
        "--balance",
        "100",
        "--coupon",
        "800000",
        "--term",
        "360",
    ])
    .refused();
}

#[test]
fn collateral_refuses_a_balance_too_large_instead_of_panicking() {
    waterfall(&[
        "collateral",
        "--balance",
        "79228162514264337593543950335",
        "--coupon",
        "8",
        "--term",
        "360",
    ])
    .refused();
}

#[test]
fn collateral_refuses_a_term_of_billions_of_months() {
    waterfall(&[
        "collateral",
        "--balance",
        "100",
        "--coupon",
        "8",
        "--term",
        "4000000000",
    ])
    .refused();
}

#[test]
fn project_out_writes_all_four_files_or_none() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("deal.csv")).unwrap(); // a directory in the way
    project(
        HE4,
        HE4_FILING,
        PRICING,
        &["--fast", "--out", out.to_str().unwrap()],
    )
    .refused();
    assert_eq!(
        files_in(&out),
        [out.join("deal.csv")],
        "partial output left behind"
    );
}

#[cfg(unix)]
#[test]
fn project_output_files_are_readable_like_any_other_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let marker = out.join("marker");
    std::fs::write(&marker, "").unwrap();
    let usual = std::fs::metadata(&marker).unwrap().permissions().mode() & 0o777;
    std::fs::remove_file(&marker).unwrap();
    project(
        HE4,
        HE4_FILING,
        PRICING,
        &["--fast", "--out", out.to_str().unwrap()],
    )
    .exits(0);
    for f in files_in(&out) {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode,
            usual,
            "{}: mode {mode:o}, a plain file gets {usual:o}",
            f.display()
        );
    }
}

// --- typed JSON ------------------------------------------------------------------------

#[test]
fn json_figures_are_numbers_with_their_exact_digits_and_missing_ones_are_null() {
    // parse: a printed figure's value is a number (a fraction for a percentage).
    let run = waterfall(&["parse", HE4_FILING, "--format", "json"]);
    let v = run.exits(0).json();
    assert!(v["report"]["credit_enhancement"]["value"].is_number());
    assert!(
        run.stdout.contains("\"value\": 0.19938275"),
        "the printed digits, unquoted"
    );

    // reconcile: ours, reported and difference are numbers, to the cent.
    let run = waterfall(&["reconcile", HE4, "--format", "json"]);
    let v = run.exits(0).json();
    let a1 = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "class[A-1].interest")
        .unwrap();
    assert!(a1["ours"].is_number() && a1["reported"].is_number(), "{a1}");
    assert!(run.stdout.contains("\"ours\": 552925.79"), "exact digits");
    assert!(v["summary"]["tolerance"].is_number());

    // collateral: every amount a number with two decimals.
    let run = waterfall(&with(&SIFMA_A, &["--format", "json"]));
    let v = run.exits(0).json();
    assert!(v[0]["performing_balance"].is_number());
    assert!(run.stdout.contains("\"new_defaults\": 1000000.00"));

    // project: figures numbers, flags booleans, dates strings, no date null.
    let v = project(
        HE4,
        HE4_FILING,
        "scenarios/stress.toml",
        &["--fast", "--format", "json"],
    )
    .exits(0)
    .json();
    let a1 = &v["summary"][0];
    assert_eq!(a1["class"], "A-1");
    assert!(
        a1["total_principal"].is_number() && a1["wal_years"].is_number(),
        "{a1}"
    );
    assert!(a1["first_principal"].is_string(), "{a1}");
    assert!(
        a1["first_writedown"].is_null(),
        "A-1 is never written down: {a1}"
    );
    assert!(v["deal_periods"][0]["stepdown"].is_boolean());
    assert!(v["collateral"][0]["group"].is_string(), "a group is a name");
    assert!(v["events"]["cumulative_loss"].is_number());
    assert!(v["events"]["call"].is_null(), "the stress does not call");

    // grid: one object a row, the same types.
    let v = waterfall(&[
        "grid",
        HE4,
        "--from",
        HE4_FILING,
        "--scenarios",
        "scenarios/grid.toml",
        "--format",
        "json",
    ])
    .exits(0)
    .json();
    let row = &v[0];
    assert_eq!(row["scenario"], 1);
    assert_eq!(row["severity"], 30);
    assert_eq!(row["call"], true);
    assert!(
        row["principal"].is_number() && row["wal"].is_number(),
        "{row}"
    );
    assert!(row["first_writedown"].is_null(), "{row}");
    assert_eq!(row["prepay"], "50PPC");

    // breakeven and price.
    let v = waterfall(&[
        "breakeven",
        HE4,
        "--from",
        HE4_FILING,
        "--class",
        "M5-B",
        "--format",
        "json",
    ])
    .exits(0)
    .json();
    let b = &v["breakevens"][0];
    assert!(
        b["breakeven"].is_number() && b["first_loss"].is_number(),
        "{b}"
    );
    let v = waterfall(&[
        "price",
        HE4,
        "--from",
        HE4_FILING,
        "--class",
        "M-2",
        "--scenarios",
        PRICING,
        "--price",
        "100",
        "--format",
        "json",
    ])
    .exits(0)
    .json();
    let r = &v[0];
    assert!(
        r["price"].is_number() && r["yield_percent"].is_number(),
        "{r}"
    );
    assert!(r["advancing"].is_boolean() && r["name"].is_string(), "{r}");
}

// --- --from latest ---------------------------------------------------------------------

#[test]
fn from_latest_takes_the_last_filing_by_name_for_every_command() {
    let commands: [&[&str]; 4] = [
        &["project", "--scenario", PRICING, "--fast"],
        &[
            "grid",
            "--scenarios",
            "scenarios/grid.toml",
            "--format",
            "csv",
        ],
        &["breakeven", "--class", "M5-B"],
        &[
            "price",
            "--class",
            "M-2",
            "--scenarios",
            PRICING,
            "--price",
            "100",
        ],
    ];
    for c in commands {
        let run = |from: &str| {
            let mut args = vec![c[0], HE4, "--from", from];
            args.extend_from_slice(&c[1..]);
            waterfall(&args)
        };
        let given = run(HE4_FILING);
        given.exits(0);
        let latest = run("latest");
        latest.exits(0);
        assert_eq!(latest.stdout, given.stdout, "{}", c[0]);
    }
}

#[test]
fn from_latest_is_the_last_name_not_the_first() {
    let dir = temp_dir();
    let deal = dir.path().join("he4");
    copy_deal(HE4, &deal);
    // A later name holding another deal's report: latest must pick it, and
    // so be refused, naming it.
    let later = deal.join("filings").join("2004-01-15.txt");
    std::fs::copy(manifest_dir().join(HE2_FILING), &later).unwrap();
    let run = waterfall(&[
        "project",
        deal.to_str().unwrap(),
        "--from",
        "latest",
        "--scenario",
        PRICING,
        "--fast",
    ]);
    run.refused();
    assert!(run.stderr.contains("2004-01-15.txt"), "{}", run.stderr);
    // With the filings directory empty there is no latest.
    for e in std::fs::read_dir(deal.join("filings")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let run = waterfall(&[
        "project",
        deal.to_str().unwrap(),
        "--from",
        "latest",
        "--scenario",
        PRICING,
    ]);
    run.refused();
    assert!(run.stderr.contains("--from latest"), "{}", run.stderr);
    assert!(run.stderr.contains("filings"), "{}", run.stderr);
}

// --- the format from the output file's extension -----------------------------------------

fn grid_to(out: &Path, more: &[&str]) -> Run {
    waterfall(&with(
        &[
            "grid",
            HE4,
            "--from",
            HE4_FILING,
            "--scenarios",
            "scenarios/grid.toml",
            "--out",
            out.to_str().unwrap(),
        ],
        more,
    ))
}

#[test]
fn grid_out_takes_its_format_from_the_extension() {
    let dir = temp_dir();
    let csv = dir.path().join("grid.csv");
    grid_to(&csv, &[]).exits(0);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("scenario,name,prepay,"), "{}", &text[..80]);
    let json = dir.path().join("grid.JSON");
    grid_to(&json, &[]).exits(0);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 90 * 16);
    // Another extension, or none: the table, as before.
    let txt = dir.path().join("grid.txt");
    grid_to(&txt, &[]).exits(0);
    let text = std::fs::read_to_string(&txt).unwrap();
    assert!(text.starts_with("scenario name "), "{}", &text[..80]);
}

#[test]
fn a_format_the_extension_contradicts_is_refused() {
    let dir = temp_dir();
    let csv = dir.path().join("grid.csv");
    let run = grid_to(&csv, &["--format", "json"]);
    run.refused();
    assert!(
        run.stderr.contains("--format json") && run.stderr.contains(csv.to_str().unwrap()),
        "{}",
        run.stderr
    );
    assert!(!csv.exists());
    // A format the extension agrees with is fine.
    grid_to(&csv, &["--format", "csv"]).exits(0);
    assert!(csv.is_file());
}

#[test]
fn a_grid_that_needs_a_filing_but_starts_at_closing_writes_nothing_and_exits_2() {
    // scenarios/grid.toml takes LIBOR from the filing; from closing there is
    // none. The refusal comes before the header, so stdout stays empty.
    let run = waterfall(&["grid", HE4, "--scenarios", "scenarios/grid.toml"]);
    run.refused();
    assert!(run.stderr.contains("--from latest"), "{}", run.stderr);
}

// --- decrement: the index and the call -----------------------------------------

/// Each class's WAL and last principal month, by speed, from
/// `decrement --format json`.
fn decrement_windows(v: &Value) -> Vec<(String, String, f64, u64)> {
    let mut out = Vec::new();
    for c in v["classes"].as_array().unwrap() {
        for col in c["columns"].as_array().unwrap() {
            out.push((
                c["class"].as_str().unwrap().to_string(),
                col["speed"].as_str().unwrap().to_string(),
                col["wal_years"].as_f64().unwrap(),
                col["last_principal"]["month"].as_u64().unwrap(),
            ));
        }
    }
    out
}

#[test]
fn decrement_to_call_retires_every_class_on_the_call_date_project_reports() {
    // The same scenario as a file for `project`: 100PPC, no defaults, LIBOR
    // flat at 1.12%, the call exercised.
    let dir = temp_dir();
    let scenario = dir.path().join("to-call.toml");
    std::fs::write(
        &scenario,
        "prepay = \"100PPC\"\ndefault = \"0CDR\"\nseverity = \"0\"\nlag = 0\nlibor = { flat = \"1.12\" }\ncall = true\n",
    )
    .unwrap();
    let p = waterfall(&["project", HE4, "--scenario", scenario.to_str().unwrap()]);
    p.exits(0);
    let call = p
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("clean-up call: exercised "))
        .unwrap_or_else(|| panic!("no call in:\n{}", p.stdout))
        .to_string();
    let table = [
        "decrement",
        HE4,
        "--prepay",
        "100PPC",
        "--classes",
        "A-1,A-2,M-1,M5-B",
        "--libor",
        "1.12",
    ];
    let v = waterfall(&with(&table, &["--to-call", "--format", "json"]))
        .exits(0)
        .json();
    assert_eq!(v["to_call"], true);
    assert_eq!(v["index"].as_f64(), Some(0.0112));
    for c in v["classes"].as_array().unwrap() {
        let last = &c["columns"][0]["last_principal"];
        assert_eq!(last["date"], call.as_str(), "{}", c["class"]);
    }
    // To maturity, every class shown is paid later than the call.
    let m = waterfall(&with(&table, &["--format", "json"]))
        .exits(0)
        .json();
    let to_call = decrement_windows(&v);
    for (mat, call) in decrement_windows(&m).iter().zip(&to_call) {
        assert!(mat.3 > call.3 && mat.2 > call.2, "{mat:?} against {call:?}");
    }
    // So does every line of the CSV (and the workbook made from it).
    let csv = waterfall(&with(&table, &["--to-call", "--format", "csv"]));
    let lines: Vec<&str> = csv.exits(0).stdout.lines().collect();
    assert!(
        lines[0].starts_with("class,row,index,to_call,100PPC"),
        "{}",
        lines[0]
    );
    assert!(lines.len() > 4 * 7, "{lines:?}");
    for line in &lines[1..] {
        assert_eq!(line.split(',').nth(2), Some("0.0112"), "{line}");
        assert_eq!(line.split(',').nth(3), Some("true"), "{line}");
    }
    // The text table says what it assumes.
    let t = waterfall(&with(&table, &["--to-call"]));
    assert!(
        t.exits(0)
            .stdout
            .starts_with("ABSC Home Equity Loan Trust 2003-HE4 · from closing (2003-08-28) · 1M LIBOR flat at 1.12000%, to the clean-up call · "),
        "{}",
        t.stdout
    );
}

#[test]
fn decrement_at_a_higher_index_pays_he4_no_faster_and_a_cmo_the_same() {
    // HE4's excess interest pays principal (the OC is built from it): at
    // LIBOR 5% the classes' coupons take more of it, so no class is paid
    // sooner than at LIBOR 0.
    let run = |deal: &str, speeds: &str, libor: &str| {
        decrement_windows(
            &waterfall(&[
                "decrement",
                deal,
                "--prepay",
                speeds,
                "--libor",
                libor,
                "--format",
                "json",
            ])
            .exits(0)
            .json(),
        )
    };
    let low = run(HE4, "50PPC,100PPC,150PPC", "0");
    let high = run(HE4, "50PPC,100PPC,150PPC", "5");
    assert_eq!(low.len(), high.len());
    let mut slower = 0;
    for (l, h) in low.iter().zip(&high) {
        assert!(h.2 >= l.2 && h.3 >= l.3, "{h:?} against {l:?}");
        slower += usize::from(h.2 > l.2);
    }
    assert!(slower > 0, "the index moved no WAL: {low:?}");
    // A CMO's floater and inverse floater take their coupons from fixed
    // collateral interest: the index moves no principal.
    let csv = |libor: &str| {
        waterfall(&[
            "decrement",
            "deals/fjf-01-floater",
            "--prepay",
            "100PSA,300PSA",
            "--libor",
            libor,
            "--format",
            "csv",
        ])
        .exits(0)
        .stdout
        .clone()
    };
    // Every line states its index (a fraction, as the JSON has it) and
    // that it runs to maturity; the rest is the same at 0% and 5%.
    let terms_and_rest = |libor: &str, fraction: &str| -> Vec<String> {
        csv(libor)
            .lines()
            .enumerate()
            .map(|(i, line)| {
                let cells: Vec<&str> = line.split(',').collect();
                let terms = if i == 0 {
                    ["index", "to_call"]
                } else {
                    [fraction, "false"]
                };
                assert_eq!(cells[2..4], terms, "{line}");
                [&cells[..2], &cells[4..]].concat().join(",")
            })
            .collect()
    };
    assert_eq!(terms_and_rest("0", "0"), terms_and_rest("5", "0.05"));
}

#[test]
fn decrement_refuses_an_index_that_is_not_a_percentage() {
    for bad in ["abc", "101", "-100.5", ""] {
        let r = waterfall(&["decrement", HE4, "--prepay", "100PPC", "--libor", bad]);
        r.refused();
        assert!(
            r.stderr
                .starts_with("waterfall: --libor: expected a percentage from -100 to 100"),
            "{bad}: {}",
            r.stderr
        );
    }
}
