//! What `waterfall grid` writes: the same bytes for any thread count, in
//! every text format, and rows whose figures are what `project` prints for
//! the same scenario run on its own (two code paths that must agree).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use rust_decimal::Decimal;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn waterfall(args: &[&str]) -> Vec<u8> {
    let o = Command::new(env!("CARGO_BIN_EXE_waterfall"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "waterfall {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const HE4: &str = "deals/absc-2003-he4";
const HE4_FILING: &str = "deals/absc-2003-he4/filings/2003-12-15.txt";

/// 5 x 4 x 13 = 260 scenarios: more than one chunk of 256.
const HE4_GRID: &str = r#"
lag = 12
advancing = true
libor = { filing = true, shift = "0" }
call = true
[grid]
prepay = ["50PPC", "80PPC", "100PPC", "130PPC", "160PPC"]
default = ["0CDR", "3CDR", "8CDR", "14CDR"]
severity = ["20", "25", "30", "35", "40", "45", "50", "55", "60", "65", "70", "75", "80"]
"#;

const AUTO_GRID: &str = r#"
lag = 3
advancing = false
libor = { flat = "4.37208" }
call = true
[grid]
prepay = ["0.5ABS", "1.5ABS", "2.5ABS"]
default = ["0CDR", "4CDR", "12CDR"]
severity = ["30", "60"]
"#;

const CMO_GRID: &str = r#"
default = "0CDR"
severity = "0"
lag = 0
advancing = true
libor = { flat = "0" }
call = false
[grid]
prepay = ["0PSA", "100PSA", "165PSA", "300PSA", "600PSA"]
"#;

/// Thread counts to compare: 1, 2 and 7, or as many as this machine allows.
fn thread_counts() -> Vec<usize> {
    let max = waterfall::grid::max_threads();
    let mut v: Vec<usize> = [1, 2, 7].iter().map(|&n| n.min(max)).collect();
    v.dedup();
    v
}

fn same_bytes_for_any_thread_count(deal_args: &[&str], scenarios: &Path, formats: &[&str]) {
    for format in formats {
        let mut first: Option<(usize, Vec<u8>)> = None;
        for threads in thread_counts() {
            let t = threads.to_string();
            let mut args = vec!["grid"];
            args.extend_from_slice(deal_args);
            args.extend_from_slice(&[
                "--scenarios",
                scenarios.to_str().unwrap(),
                "--threads",
                &t,
                "--format",
                format,
            ]);
            let out = waterfall(&args);
            assert!(!out.is_empty());
            match &first {
                None => first = Some((threads, out)),
                Some((n, a)) => {
                    if let Some(i) = a.iter().zip(&out).position(|(x, y)| x != y) {
                        let line = a[..i].iter().filter(|&&b| b == b'\n').count() + 1;
                        panic!(
                            "--format {format}: --threads {n} and --threads {threads} differ at line {line}"
                        );
                    }
                    assert_eq!(
                        a.len(),
                        out.len(),
                        "--format {format}: --threads {n} and --threads {threads} differ in length"
                    );
                }
            }
        }
    }
}

#[test]
fn he4_grid_is_the_same_bytes_on_1_2_and_7_threads() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(dir.path(), "he4.toml", HE4_GRID);
    same_bytes_for_any_thread_count(&[HE4, "--from", HE4_FILING], &s, &["csv", "table", "json"]);
}

#[test]
fn carmax_and_cmo_grids_are_the_same_bytes_on_1_2_and_7_threads() {
    let dir = tempfile::tempdir().unwrap();
    let auto = write(dir.path(), "auto.toml", AUTO_GRID);
    same_bytes_for_any_thread_count(
        &["deals/carmax-2025-2", "--from", "latest"],
        &auto,
        &["csv", "table"],
    );
    let cmo = write(dir.path(), "cmo.toml", CMO_GRID);
    same_bytes_for_any_thread_count(&["deals/fjf-01"], &cmo, &["csv", "table"]);
}

// --- grid rows against `project` ---------------------------------------------

/// The CSV's rows as maps from column name to cell.
fn csv_rows(text: &[u8]) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text);
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A JSON value as the cell a CSV would hold: `null` empty, strings and
/// numbers as written.
fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Two figures are the same number (`6.5` and `6.50` are).
fn same_figure(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return a == b;
    }
    match (Decimal::from_str(a), Decimal::from_str(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Run `project --fast` of one scenario and check every class's grid row
/// (`rows`, the rows of that scenario) says the same.
fn grid_rows_match_project(
    deal_args: &[&str],
    dir: &Path,
    scenario_text: &str,
    rows: &[&std::collections::HashMap<String, String>],
) {
    let s = write(dir, "one.toml", scenario_text);
    let mut args = vec!["project"];
    args.extend_from_slice(deal_args);
    args.extend_from_slice(&[
        "--scenario",
        s.to_str().unwrap(),
        "--fast",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&waterfall(&args)).unwrap();
    let summary = json["summary"].as_array().unwrap();
    let events = &json["events"];
    assert_eq!(summary.len(), rows.len(), "a row per class");
    for (c, row) in summary.iter().zip(rows) {
        let class = cell(&c["class"]);
        assert_eq!(row["class"], class);
        for (grid_col, project_key) in [
            ("wal", "wal_years"),
            ("first_principal", "first_principal"),
            ("last_principal", "last_principal"),
            ("principal", "total_principal"),
            ("interest", "total_interest"),
            ("writedown", "total_writedown"),
            ("loss_percent", "loss_percent"),
            ("first_writedown", "first_writedown"),
        ] {
            let p = cell(&c[project_key]);
            assert!(
                same_figure(&row[grid_col], &p),
                "class {class}: grid {grid_col} {:?}, project {project_key} {p:?}",
                row[grid_col]
            );
        }
        for (grid_col, project_key) in [
            ("stepdown_date", "stepdown"),
            ("first_trigger_date", "first_trigger"),
            ("call_date", "call"),
        ] {
            assert_eq!(
                row[grid_col],
                cell(&events[project_key]),
                "class {class}: {grid_col}"
            );
        }
    }
}

/// The rows of scenario `n` (1-based) of a grid's CSV.
fn scenario_rows(
    rows: &[std::collections::HashMap<String, String>],
    n: usize,
) -> Vec<&std::collections::HashMap<String, String>> {
    let n = n.to_string();
    rows.iter().filter(|r| r["scenario"] == n).collect()
}

#[test]
fn each_grid_row_says_what_project_prints_for_its_scenario_alone() {
    let dir = tempfile::tempdir().unwrap();
    // HE4: scenarios 1, 53 and 260 of the grid (prepay slowest, severity fastest).
    let he4 = write(dir.path(), "he4.toml", HE4_GRID);
    let grid = waterfall(&[
        "grid",
        HE4,
        "--from",
        HE4_FILING,
        "--scenarios",
        he4.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let rows = csv_rows(&grid);
    let base =
        "lag = 12\nadvancing = true\nlibor = { filing = true, shift = \"0\" }\ncall = true\n";
    for (n, prepay, default, severity) in [
        (1, "50PPC", "0CDR", "20"),
        (53, "80PPC", "0CDR", "20"),
        (120, "100PPC", "3CDR", "30"),
        (260, "160PPC", "14CDR", "80"),
    ] {
        let text = format!(
            "{base}prepay = \"{prepay}\"\ndefault = \"{default}\"\nseverity = \"{severity}\"\n"
        );
        let r = scenario_rows(&rows, n);
        assert_eq!(r[0]["prepay"], prepay);
        assert_eq!(r[0]["default"], default);
        assert_eq!(r[0]["severity"], severity);
        grid_rows_match_project(&[HE4, "--from", HE4_FILING], dir.path(), &text, &r);
    }
    // A CarMax deal from its latest certificate: scenario 18 (2.5ABS, 12CDR, 60).
    let auto = write(dir.path(), "auto.toml", AUTO_GRID);
    let grid = waterfall(&[
        "grid",
        "deals/carmax-2025-2",
        "--from",
        "latest",
        "--scenarios",
        auto.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let rows = csv_rows(&grid);
    let r = scenario_rows(&rows, 18);
    assert_eq!(r[0]["prepay"], "2.5ABS");
    let text = "lag = 3\nadvancing = false\nlibor = { flat = \"4.37208\" }\ncall = true\nprepay = \"2.5ABS\"\ndefault = \"12CDR\"\nseverity = \"60\"\n";
    grid_rows_match_project(
        &["deals/carmax-2025-2", "--from", "latest"],
        dir.path(),
        text,
        &r,
    );
}

// --- the workers' text against the typed rows ----------------------------------

/// [`Grid::write`] (rows formatted by the workers from integer cents and a
/// date table) and [`RowWriter::rows`] of [`Grid::run`]'s typed rows (the
/// summary's `Decimal`s) write the same bytes.
#[test]
fn the_workers_text_is_what_the_typed_rows_write() {
    use waterfall::deal::Deal;
    use waterfall::grid::{Format, Grid, RowWriter};
    use waterfall::projection::{From, Projection};
    use waterfall::scenario::ScenarioSet;

    let cases = [
        (HE4, Some(HE4_FILING), "scenarios/grid.toml"),
        ("deals/fjf-02", None, "deals/fjf-01/scenarios/165psa.toml"),
    ];
    for (dir, filing, scenarios) in cases {
        let deal = Deal::load(&root().join(dir)).unwrap();
        let filing = filing.map(|f| root().join(f));
        let p = match &filing {
            Some(f) => Projection::from(&deal, From::Filing(f)).unwrap(),
            None => Projection::from(&deal, From::Closing).unwrap(),
        };
        let set = ScenarioSet::load(&root().join(scenarios)).unwrap();
        let grid = Grid::new(&p, &set);
        for format in [Format::Csv, Format::Table, Format::Json] {
            let mut typed = RowWriter::new(Vec::new(), format);
            typed.begin().unwrap();
            grid.run(Some(2), |chunk| {
                for scenario in chunk {
                    typed.rows(scenario)?;
                }
                Ok(())
            })
            .unwrap();
            let typed = typed.finish().unwrap();
            let mut text = RowWriter::new(Vec::new(), format);
            text.begin().unwrap();
            let mut scenarios = 0;
            grid.write(Some(2), &mut text, |n| scenarios += n).unwrap();
            assert_eq!(scenarios as usize, set.len());
            let text = text.finish().unwrap();
            assert!(
                typed == text,
                "{dir} {format:?}: the workers' text differs from the typed rows'"
            );
        }
    }
}
