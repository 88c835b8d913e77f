//! Instruction counts of the workloads the README quotes, under callgrind:
//! counts do not move with the machine's load, so they compare across runs
//! where wall time cannot.
//!
//! `cargo bench --bench instructions` runs this same binary under
//! `valgrind --tool=callgrind` twice for each workload, once setting it up
//! and running it and once only setting it up, and prints the difference:
//! the instructions the work took, on every thread it used: one projection of each bundled deal (f64), a 1,000-scenario HE4 grid
//! on one thread (typed rows only, and written as CSV), one month of a
//! 10,000-loan tape in the line stepper, twelve months of it in the block
//! stepper (the fast path's), reading a 10,000-line tape, and the
//! reconciliation of every bundled filing. Without valgrind it says so and
//! does nothing.
//!
//! `cargo bench --bench instructions -- NAME` runs one workload (the name, or
//! a part of it); `--workload NAME [--setup-only]` runs it once,
//! uninstrumented (what valgrind is given); `--write-tape N DIR` writes the
//! inputs of the whole-process tape timing (an `N`-loan tape, HE4 reading
//! it, the scenario) and runs nothing.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use rust_decimal::Decimal;
use waterfall::collateral::{LoanLine, RatePlan};
use waterfall::deal::Deal;
use waterfall::grid::{Format, Grid, GridRow, RowWriter};
use waterfall::num::Num;
use waterfall::projection::{From, Projection, summary::Summarizer};
use waterfall::reconcile::{self, Options};
use waterfall::scenario::ScenarioSet;
use waterfall::waterfall::Engine;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(text: &str) -> ScenarioSet {
    ScenarioSet::from_text(Path::new("bench.toml"), text).unwrap()
}

/// The deals projected: every bundled deal, from its latest filing where it
/// has one, else from closing; no call, so the pool runs its whole term.
fn projected() -> Vec<(String, PathBuf, bool)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("deals"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|d| d.join("deal.toml").exists())
        .collect();
    dirs.sort();
    for d in dirs {
        let name = d.file_name().unwrap().to_string_lossy().into_owned();
        let filed = d.join("filings").is_dir();
        out.push((name, d, filed));
    }
    out
}

const NO_CALL: &str = "prepay = \"100PPC\"\ndefault = \"2CDR\"\nseverity = \"40\"\ncall = false\nlibor = { flat = \"4.5\" }\n";

/// A workload: set up (not counted), then the work (counted).
type Work = Box<dyn FnOnce()>;
type Setup = Box<dyn Fn() -> Work>;

fn projection(dir: PathBuf, filed: bool) -> Work {
    let deal: &'static Deal = Box::leak(Box::new(Deal::load(&dir).unwrap()));
    let latest = reconcile::report_paths(deal, &[])
        .ok()
        .and_then(|mut v| v.pop());
    let p = match (&latest, filed) {
        (Some(path), true) => Projection::from(deal, From::Filing(path)).unwrap(),
        _ => Projection::from(deal, From::Closing).unwrap(),
    };
    let s = scenario(NO_CALL).single().unwrap();
    let start: Vec<f64> = p.start.balances(deal).iter().map(|b| b.to_f64()).collect();
    let mut e = Engine::<f64>::new(deal);
    Box::new(move || {
        let mut sum = Summarizer::new(p.deal, &start);
        p.run(&s, &mut e, &mut sum).unwrap();
        black_box(sum.finish(p.deal).deal.periods);
    })
}

/// HE4 from its filing and 10 x 10 x 10 = 1,000 scenarios.
fn grid_he4() -> Grid<'static> {
    let deal: &'static Deal = Box::leak(Box::new(
        Deal::load(&root().join("deals/absc-2003-he4")).unwrap(),
    ));
    let report = root().join("deals/absc-2003-he4/filings/2003-12-15.txt");
    let p: &'static Projection = Box::leak(Box::new(
        Projection::from(deal, From::Filing(&report)).unwrap(),
    ));
    let set: &'static ScenarioSet = Box::leak(Box::new(scenario(
        "severity = \"40\"\n[grid]\nprepay = [\"50PPC\",\"60PPC\",\"70PPC\",\"80PPC\",\"90PPC\",\"100PPC\",\"110PPC\",\"120PPC\",\"130PPC\",\"150PPC\"]\ndefault = [\"0CDR\",\"1CDR\",\"2CDR\",\"3CDR\",\"4CDR\",\"5CDR\",\"6CDR\",\"8CDR\",\"10CDR\",\"12CDR\"]\nseverity = [\"20\",\"25\",\"30\",\"35\",\"40\",\"45\",\"50\",\"55\",\"60\",\"65\"]\n",
    )));
    assert_eq!(set.len(), 1000);
    Grid::new(p, set)
}

/// The grid's typed rows, not written.
fn grid() -> Work {
    let g = grid_he4();
    Box::new(move || {
        let mut rows = 0usize;
        g.run(Some(1), |chunk: &[Vec<GridRow>]| {
            rows += chunk.iter().map(Vec::len).sum::<usize>();
            Ok(())
        })
        .unwrap();
        black_box(rows);
    })
}

/// The grid written as CSV (to nowhere), as `waterfall grid --format csv` does.
fn grid_csv() -> Work {
    let g = grid_he4();
    Box::new(move || {
        let mut rows = RowWriter::new(std::io::sink(), Format::Csv);
        rows.begin().unwrap();
        g.write(Some(1), &mut rows, |_| {}).unwrap();
        black_box(rows.written());
        rows.finish().unwrap();
    })
}

fn tape_month() -> Work {
    use waterfall::collateral::{Assumptions, Defaults, LineState, PpcCurves, Prepay};
    let a = Assumptions {
        prepay: "100PPC".parse::<Prepay>().unwrap(),
        defaults: Defaults::Cdr(Decimal::new(2, 0)),
        severity: Decimal::new(4, 1),
        lag: 12,
        advancing: true,
        ppc: PpcCurves::default(),
    };
    let lines: Vec<LoanLine> = (0..10_000u32)
        .map(|i| LoanLine {
            id: format!("L{i}"),
            group: "1".into(),
            balance: Decimal::new(100_000 + i as i64 * 7, 0),
            gross_coupon: Decimal::new(75 + (i % 20) as i64, 3),
            net_coupon: Decimal::new(70 + (i % 20) as i64, 3),
            original_term: 360,
            remaining_term: 348 - i % 24,
            arm: None,
        })
        .collect();
    let plans: &'static [RatePlan<f64>] = Vec::leak(
        lines
            .iter()
            .map(|l| RatePlan::for_line(&a, l, 360))
            .collect(),
    );
    let mut states: Vec<LineState<f64>> = lines
        .iter()
        .zip(plans)
        .map(|(l, p)| LineState::new(l, p))
        .collect();
    Box::new(move || {
        let mut total = 0.0;
        for l in states.iter_mut() {
            total += l.step(1, 0.05).principal_remittance;
        }
        black_box(total);
    })
}

/// The same 10,000 lines as [`tape_month`], twelve months (one window) in
/// the block stepper, summed into one group.
fn tape_blocks() -> Work {
    use waterfall::collateral::{Assumptions, Blocks, Defaults, LinePool, PpcCurves, Prepay};
    let a = Assumptions {
        prepay: "100PPC".parse::<Prepay>().unwrap(),
        defaults: Defaults::Cdr(Decimal::new(2, 0)),
        severity: Decimal::new(4, 1),
        lag: 12,
        advancing: true,
        ppc: PpcCurves::default(),
    };
    let lines: &'static [LoanLine] = Vec::leak(bench_lines());
    let groups: &'static [usize] = Vec::leak(vec![0; lines.len()]);
    let a: &'static Assumptions = Box::leak(Box::new(a));
    let mut pool = LinePool::<f64>::from(Blocks::new(lines, groups, 1, a, 360, vec![0.05; 360]));
    Box::new(move || {
        let mut total = 0.0;
        for m in 1..=12 {
            total += pool.month(m, 0.05)[0].prepayments;
        }
        black_box(total);
    })
}

/// A loan tape of `n` lines as CSV text, the same for the same `n`, near
/// HE4's size and mix: $1.01 billion in all (balances rising evenly from
/// $750 million / `n` to 1.7 times that, plus up to 99 cents), five lines in
/// eight in group 1 (HE4's group 1 is 61% of its pool), every fourth line
/// fixed and the rest ARMs with their first reset spread over 1 to 18
/// months; coupons 6.5% to 8.5%, remaining terms 330 to 354 months.
fn tape_csv(n: u32) -> String {
    use std::fmt::Write as _;
    let n64 = u64::from(n.max(1));
    let base = 75_000_000_000 / n64; // cents
    let mut csv = waterfall::collateral::TAPE_COLUMNS.join(",");
    csv.push('\n');
    for i in 0..n {
        let coupon = 6.5 + (i % 9) as f64 * 0.25;
        let group = if i % 8 < 5 { 1 } else { 2 };
        let cents = base + base * 7 * u64::from(i) / (10 * n64) + u64::from(i % 100);
        let balance = format!("{}.{:02}", cents / 100, cents % 100);
        let term = 330 + i % 25;
        if i % 4 == 0 {
            writeln!(
                csv,
                "L{i},{group},{balance},{coupon},{},360,{term},fixed,,,,,,",
                coupon - 0.5
            )
            .unwrap();
        } else {
            writeln!(
                csv,
                "L{i},{group},{balance},{coupon},{},360,{term},arm,6.0,{},6,1.0,{},6.0",
                coupon - 0.5,
                1 + i % 18,
                coupon + 6.0
            )
            .unwrap();
        }
    }
    csv
}

/// Read a 10,000-line tape (fixed and ARM lines) from text.
fn tape_read() -> Work {
    let csv = tape_csv(10_000);
    Box::new(move || {
        let lines = waterfall::collateral::parse_tape(Path::new("tape.csv"), &csv).unwrap();
        black_box(lines.len());
    })
}

/// `--write-tape N DIR`: the whole-process tape measurement's inputs, made
/// the same on any machine: `DIR/tape.csv` ([`tape_csv`] of `N` lines),
/// `DIR/he4/deal.toml` (the bundled HE4 deal, its collateral read from that
/// tape instead of its representative lines) and `DIR/scenario.toml` (the
/// projections' scenario: 100PPC, 2 CDR, 40% severity, no call, LIBOR 4.5%).
fn write_tape(n: u32, dir: &Path) {
    let deal = std::fs::read_to_string(root().join("deals/absc-2003-he4/deal.toml")).unwrap();
    let deal = deal.replacen(
        "[collateral]\n",
        "[collateral]\nloan_tape = \"../tape.csv\"\n",
        1,
    );
    assert!(
        deal.contains("loan_tape"),
        "the HE4 deal has no [collateral] table"
    );
    std::fs::create_dir_all(dir.join("he4")).unwrap();
    std::fs::write(dir.join("tape.csv"), tape_csv(n)).unwrap();
    std::fs::write(dir.join("he4/deal.toml"), deal).unwrap();
    std::fs::write(dir.join("scenario.toml"), NO_CALL).unwrap();
    println!(
        "wrote a {n}-loan tape; project it with\n  waterfall project {} --scenario {} --fast --out OUT",
        dir.join("he4").display(),
        dir.join("scenario.toml").display()
    );
}

fn bench_lines() -> Vec<LoanLine> {
    (0..10_000u32)
        .map(|i| LoanLine {
            id: format!("L{i}"),
            group: "1".into(),
            balance: Decimal::new(100_000 + i as i64 * 7, 0),
            gross_coupon: Decimal::new(75 + (i % 20) as i64, 3),
            net_coupon: Decimal::new(70 + (i % 20) as i64, 3),
            original_term: 360,
            remaining_term: 348 - i % 24,
            arm: None,
        })
        .collect()
}

fn reconcile_all() -> Work {
    let deals: Vec<(Deal, Vec<PathBuf>)> = projected()
        .into_iter()
        .filter(|(_, _, filed)| *filed)
        .map(|(_, d, _)| {
            let deal = Deal::load(&d).unwrap();
            let paths = reconcile::report_paths(&deal, &[]).unwrap();
            (deal, paths)
        })
        .collect();
    Box::new(move || {
        let mut n = 0;
        for (deal, paths) in &deals {
            n += reconcile::reconcile_all(deal, paths, &Options::default())
                .unwrap()
                .len();
        }
        black_box(n);
    })
}

/// Every workload: its name and its setup.
fn workloads() -> Vec<(String, Setup)> {
    let mut w: Vec<(String, Setup)> = Vec::new();
    for (name, dir, filed) in projected() {
        let label = format!(
            "projection {name} ({}), f64, no call",
            if filed { "latest filing" } else { "closing" }
        );
        w.push((label, Box::new(move || projection(dir.clone(), filed))));
    }
    w.push(("grid HE4, 1,000 scenarios, 1 thread".into(), Box::new(grid)));
    w.push((
        "grid HE4, 1,000 scenarios, 1 thread, CSV".into(),
        Box::new(grid_csv),
    ));
    w.push((
        "one month of a 10,000-loan tape".into(),
        Box::new(tape_month),
    ));
    w.push((
        "12 months of a 10,000-loan tape, block stepper".into(),
        Box::new(tape_blocks),
    ));
    w.push(("read a 10,000-loan tape".into(), Box::new(tape_read)));
    w.push((
        "reconcile every bundled filing".into(),
        Box::new(reconcile_all),
    ));
    w
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let Some(i) = args.iter().position(|a| a == "--write-tape") {
        let (Some(n), Some(dir)) = (args.get(i + 1), args.get(i + 2)) else {
            panic!("--write-tape takes a number of loans and a directory");
        };
        write_tape(n.parse().expect("a number of loans"), Path::new(dir));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--workload") {
        let name = &args[i + 1];
        let setup_only = args.iter().any(|a| a == "--setup-only");
        for (n, run) in workloads() {
            if &n == name {
                let work = run();
                if !setup_only {
                    work();
                }
                return;
            }
        }
        panic!("no workload {name}");
    }
    let filter = args.first().cloned().unwrap_or_default();
    if Command::new("valgrind").arg("--version").output().is_err() {
        println!(
            "valgrind is not installed: no instruction counts (install valgrind to run this benchmark)"
        );
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let count = |name: &str, setup_only: bool| -> Result<u64, String> {
        let mut cmd = Command::new("valgrind");
        cmd.args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&exe)
            .args(["--workload", name]);
        if setup_only {
            cmd.arg("--setup-only");
        }
        let out = cmd.output().map_err(|e| e.to_string())?;
        let err = String::from_utf8_lossy(&out.stderr);
        err.lines()
            .find_map(|l| l.split("refs:").nth(1))
            .and_then(|c| c.trim().replace(',', "").parse::<u64>().ok())
            .ok_or_else(|| format!("failed: {}", err.lines().last().unwrap_or_default()))
    };
    println!("{:<60} {:>16}", "workload", "instructions");
    for (name, _) in workloads() {
        if !name.contains(&filter) {
            continue;
        }
        let shown = match (count(&name, false), count(&name, true)) {
            (Ok(all), Ok(setup)) => grouped(all.saturating_sub(setup)),
            (Err(e), _) | (_, Err(e)) => e,
        };
        println!("{name:<60} {shown:>16}");
    }
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut g = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            g.push(',');
        }
        g.push(ch);
    }
    g
}
