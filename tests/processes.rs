//! The binary as a process: bounded threads, signals (SIGINT, SIGTERM,
//! SIGKILL) and the temporary files they could leave, output paths that are
//! not regular files, and input files too large to read. Each test is named
//! after the reproducer it guards against.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const HE4: &str = "deals/absc-2003-he4";
const HE4_FILING: &str = "deals/absc-2003-he4/filings/2003-12-15.txt";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_waterfall"));
    c.current_dir(root()).args(args).stdin(Stdio::null());
    c
}

fn waterfall(args: &[&str]) -> Output {
    command(args).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Assert a refusal: exit 2, nothing on standard output, a message naming `what`.
#[track_caller]
fn assert_refused(o: &Output, what: &str) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(err.starts_with("waterfall: "), "{err}");
    assert!(err.contains(what), "no {what:?} in: {err}");
    err
}

/// A grid of 100 x 100 x 100 = 1,000,000 scenarios: far more than any test
/// waits for, so a run of it ends only by a signal.
fn endless_grid(dir: &Path) -> PathBuf {
    let list = |f: &dyn Fn(usize) -> String| (0..100).map(f).collect::<Vec<_>>().join(",");
    let text = format!(
        "[grid]\nprepay = [{}]\ndefault = [{}]\nseverity = [{}]\n",
        list(&|i| format!("\"{}PPC\"", 20 + i * 2)),
        list(&|i| format!("\"{}CDR\"", i as f64 / 10.0)),
        list(&|i| format!("\"{}\"", 10 + i / 2)),
    );
    let p = dir.join("endless.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn grid_args<'a>(scenarios: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["grid", HE4, "--from", HE4_FILING, "--scenarios", scenarios];
    v.extend_from_slice(more);
    v
}

fn partials(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    v.sort();
    v
}

/// Wait until `child` has staged its output in `dir` (a `.partial` file
/// appears); panics if the child exits first or nothing appears in 5 minutes.
fn wait_for_partial(child: &mut Child, dir: &Path) -> String {
    for _ in 0..30_000 {
        if let Some(name) = partials(dir).pop() {
            return name;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the grid ended ({status}) before staging its output");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    panic!("no partial file appeared in {}", dir.display());
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success(), "kill -{sig} failed");
}

/// Wait for `child`, killing it (and failing) if it has not exited in 5 minutes.
fn wait_or_kill(mut child: Child) -> Output {
    for _ in 0..30_000 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    panic!("the process did not stop after the signal");
}

// --- threads --------------------------------------------------------------------

#[test]
fn threads_100000_is_refused() {
    let o = waterfall(&grid_args("scenarios/grid.toml", &["--threads", "100000"]));
    let err = assert_refused(&o, "--threads 100000");
    let max = 4 * std::thread::available_parallelism().unwrap().get();
    assert!(err.contains(&format!("at most {max}")), "{err}");
}

#[test]
fn threads_at_the_bound_run_and_one_over_is_refused() {
    let max = 4 * std::thread::available_parallelism().unwrap().get();
    let (at, over) = (max.to_string(), (max + 1).to_string());
    let o = waterfall(&grid_args("scenarios/grid.toml", &["--threads", &at]));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = waterfall(&grid_args("scenarios/grid.toml", &["--threads", &over]));
    assert_refused(&o, &format!("at most {max}"));
    let o = waterfall(&grid_args("scenarios/grid.toml", &["--threads", "0"]));
    assert_refused(&o, "at least 1");
}

// --- signals and temporary files ------------------------------------------------

/// A grid to a file, stopped by `sig` once it has staged its output.
fn interrupted_grid_to_a_file(sig: &str) {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = endless_grid(dir.path());
    let out = dir.path().join("grid.csv");
    let mut child = command(&grid_args(
        scenarios.to_str().unwrap(),
        &["--out", out.to_str().unwrap()],
    ))
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_for_partial(&mut child, dir.path());
    signal(&child, sig);
    let o = wait_or_kill(child);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{sig}: {err}");
    assert_eq!(err, "waterfall: interrupted: nothing was written\n");
    assert!(o.stdout.is_empty());
    assert!(!out.exists(), "{sig}: a grid file was written");
    assert_eq!(partials(dir.path()), Vec::<String>::new(), "{sig}");
}

#[test]
fn sigterm_leaves_no_partial_file() {
    interrupted_grid_to_a_file("TERM");
}

#[test]
fn ctrl_c_leaves_no_partial_file() {
    interrupted_grid_to_a_file("INT");
}

#[test]
fn sigkill_leaves_a_partial_file_that_the_next_run_removes() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = endless_grid(dir.path());
    let out = dir.path().join("grid.csv");
    let mut child = command(&grid_args(
        scenarios.to_str().unwrap(),
        &["--out", out.to_str().unwrap()],
    ))
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let pid = child.id();
    let stale = wait_for_partial(&mut child, dir.path());
    signal(&child, "KILL");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
    // What a SIGKILL leaves: one file, named for the process that left it.
    assert!(
        stale.starts_with(&format!(".waterfall-{pid}-")),
        "{stale} is not named for process {pid}"
    );
    assert_eq!(partials(dir.path()), vec![stale.clone()]);
    // The next run that writes there removes it.
    let o = waterfall(&grid_args(
        "scenarios/grid.toml",
        &["--out", out.to_str().unwrap()],
    ));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.is_file());
    assert_eq!(
        partials(dir.path()),
        Vec::<String>::new(),
        "{stale} is still there"
    );
}

#[test]
fn ctrl_c_while_streaming_to_standard_output_says_how_many_rows_were_written() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = endless_grid(dir.path());
    let mut child = command(&grid_args(
        scenarios.to_str().unwrap(),
        &["--format", "csv"],
    ))
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // The signal goes only once the header and a first row have arrived.
    let mut text = String::new();
    for _ in 0..2 {
        assert!(stdout.read_line(&mut text).unwrap() > 0, "{text}");
    }
    signal(&child, "INT");
    stdout.read_to_string(&mut text).unwrap();
    let o = wait_or_kill(child);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    let rows = text.lines().count() - 1;
    assert!(rows >= 1);
    assert_eq!(
        err,
        format!(
            "waterfall: interrupted: {rows} rows were written to standard output before the stop; the output is incomplete\n"
        )
    );
    // Stopped between chunks: whole rows only, far fewer than the grid's.
    assert!(text.ends_with('\n'));
    assert!(rows < 1_000_000 * 16, "{rows}");
    assert_eq!(
        rows % 16,
        0,
        "{rows} rows is not whole scenarios of 16 classes"
    );
}

// --- output paths that are not regular files -------------------------------------

#[cfg(unix)]
#[test]
fn out_refuses_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("grid.csv");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let path = fifo.to_str().unwrap();
    let o = waterfall(&grid_args("scenarios/grid.toml", &["--out", path]));
    let err = assert_refused(&o, path);
    assert!(err.contains("FIFO"), "{err}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_eq!(partials(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn out_refuses_a_symbolic_link_and_leaves_its_target_alone() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("precious.csv");
    std::fs::write(&target, "kept\n").unwrap();
    let link = dir.path().join("grid.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let path = link.to_str().unwrap();
    let o = waterfall(&grid_args("scenarios/grid.toml", &["--out", path]));
    let err = assert_refused(&o, path);
    assert!(err.contains("symbolic link"), "{err}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept\n");
}

#[cfg(target_os = "linux")]
#[test]
fn out_refuses_a_device_node() {
    let o = waterfall(&grid_args("scenarios/grid.toml", &["--out", "/dev/null"]));
    let err = assert_refused(&o, "/dev/null");
    assert!(err.contains("device"), "{err}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[cfg(unix)]
#[test]
fn plot_and_project_out_refuse_a_symbolic_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("precious");
    std::fs::write(&target, "kept\n").unwrap();
    let plot = dir.path().join("plot.svg");
    std::os::unix::fs::symlink(&target, &plot).unwrap();
    let project = |more: &[&str]| {
        let mut args = vec![
            "project",
            HE4,
            "--from",
            HE4_FILING,
            "--scenario",
            "scenarios/pricing.toml",
            "--fast",
        ];
        args.extend_from_slice(more);
        waterfall(&args)
    };
    let o = project(&["--plot", plot.to_str().unwrap()]);
    assert_refused(&o, plot.to_str().unwrap());
    // And a plot named for another format.
    let png = dir.path().join("plot.png");
    let o = project(&["--plot", png.to_str().unwrap()]);
    let err = assert_refused(&o, png.to_str().unwrap());
    assert!(err.contains("SVG"), "{err}");
    assert!(!png.exists());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let classes = out.join("classes.csv");
    std::os::unix::fs::symlink(&target, &classes).unwrap();
    let o = project(&["--out", out.to_str().unwrap()]);
    assert_refused(&o, classes.to_str().unwrap());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept\n");
    // None of the four files was written.
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

// --- input files too large to read -------------------------------------------------

/// A sparse file of `len` bytes (no disk used, nothing to write).
fn sparse(path: &Path, len: u64) {
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

#[test]
fn a_50_mb_report_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("big.txt");
    sparse(&report, 50 << 20);
    let path = report.to_str().unwrap();
    let o = waterfall(&["parse", path]);
    let err = assert_refused(&o, path);
    assert!(
        err.contains("50 MiB (52428800 bytes)") && err.contains("4 MiB"),
        "{err}"
    );
    // The same for a filing given to reconcile or to a projection.
    let o = waterfall(&["reconcile", HE4, path]);
    assert_refused(&o, "52428800 bytes");
    let o = waterfall(&[
        "grid",
        HE4,
        "--from",
        path,
        "--scenarios",
        "scenarios/grid.toml",
    ]);
    assert_refused(&o, "52428800 bytes");
}

#[test]
fn a_5_mb_deal_file_and_scenario_file_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let deal = dir.path().join("deal.toml");
    sparse(&deal, 5 << 20);
    let o = waterfall(&["reconcile", deal.to_str().unwrap(), HE4_FILING]);
    let err = assert_refused(&o, deal.to_str().unwrap());
    assert!(err.contains("5 MiB") && err.contains("4 MiB"), "{err}");
    let scenarios = dir.path().join("s.toml");
    sparse(&scenarios, 5 << 20);
    let o = waterfall(&grid_args(scenarios.to_str().unwrap(), &[]));
    let err = assert_refused(&o, scenarios.to_str().unwrap());
    assert!(err.contains("5 MiB") && err.contains("4 MiB"), "{err}");
}

#[test]
fn a_600_mb_loan_tape_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(HE4).join("deal.toml")).unwrap();
    let text = text.replacen(
        "[collateral]\n",
        "[collateral]\nloan_tape = \"tape.csv\"\n",
        1,
    );
    assert!(text.contains("loan_tape"));
    std::fs::write(dir.path().join("deal.toml"), text).unwrap();
    let tape = dir.path().join("tape.csv");
    sparse(&tape, 600 << 20);
    let o = waterfall(&[
        "project",
        dir.path().to_str().unwrap(),
        "--from",
        root().join(HE4_FILING).to_str().unwrap(),
        "--scenario",
        "scenarios/pricing.toml",
        "--fast",
    ]);
    let err = assert_refused(&o, tape.to_str().unwrap());
    assert!(err.contains("600 MiB") && err.contains("512 MiB"), "{err}");
}
