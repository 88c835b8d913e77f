//! The error catalogue: one minimal bad input per user-facing error of the deal
//! and scenario files, in `tests/fixtures/errors/`. Each `<name>.toml` has a
//! `<name>.expected` beside it holding the exact standard error the CLI prints,
//! so that a change in wording (or in the line and column reported) shows up
//! as a diff of the expected file.
//!
//! Fixtures named `deal-*` are deal files, run as
//! `waterfall reconcile tests/fixtures/errors/<name>.toml HE4-filing`;
//! fixtures named `scenario-*` are scenario files, run as
//! `waterfall project deals/absc-2003-he4 --from HE4-filing --scenario tests/fixtures/errors/<name>.toml --fast`.
//! Every one must exit with code 2 and print nothing on standard output.
//!
//! After an intended change of wording, regenerate the expected files with
//! `WATERFALL_BLESS=1 cargo test --test errors` and review the diff.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURES: &str = "tests/fixtures/errors";
const HE4_FILING: &str = "deals/absc-2003-he4/filings/2003-12-15.txt";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture names (file stems of the `.toml` files), sorted.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(manifest_dir().join(FIXTURES))
        .expect("the fixtures directory exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The relative path the CLI is given (and so prints) for a fixture.
fn fixture_arg(name: &str) -> String {
    format!("{FIXTURES}/{name}.toml")
}

fn expected_path(name: &str) -> PathBuf {
    manifest_dir()
        .join(FIXTURES)
        .join(format!("{name}.expected"))
}

/// Run the command a fixture stands for.
fn run_fixture(name: &str) -> Output {
    let fixture = fixture_arg(name);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_waterfall"));
    cmd.current_dir(manifest_dir());
    if name.starts_with("deal-") {
        cmd.args(["reconcile", &fixture, HE4_FILING]);
    } else if name.starts_with("scenario-") {
        cmd.args([
            "project",
            "deals/absc-2003-he4",
            "--from",
            HE4_FILING,
            "--scenario",
            &fixture,
            "--fast",
        ]);
    } else {
        panic!("fixture {name}: name it deal-* or scenario-*");
    }
    cmd.output().expect("the waterfall binary runs")
}

fn bless() -> bool {
    std::env::var_os("WATERFALL_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn every_fixture_is_refused_with_exit_2_and_exactly_its_expected_message() {
    let names = fixture_names();
    assert!(
        names.len() >= 30,
        "expected the whole catalogue, found {} fixtures",
        names.len()
    );
    let mut failures = Vec::new();
    for name in &names {
        let out = run_fixture(name);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.code() != Some(2) {
            failures.push(format!(
                "{name}: exit code {:?}, expected 2\nstderr:\n{stderr}",
                out.status.code()
            ));
            continue;
        }
        if !stdout.is_empty() {
            failures.push(format!("{name}: printed on standard output:\n{stdout}"));
        }
        let path = expected_path(name);
        if bless() {
            std::fs::write(&path, &stderr).expect("write the expected file");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Err(e) => failures.push(format!(
                "{name}: cannot read {}: {e}\nthe CLI printed:\n{stderr}",
                path.display()
            )),
            Ok(expected) if expected != stderr => failures.push(format!(
                "{name}: the message changed\n--- expected ({})\n{expected}+++ printed\n{stderr}",
                path.display()
            )),
            Ok(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed (set WATERFALL_BLESS=1 to accept new wording):\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

#[test]
fn every_expected_message_names_the_fixture_with_a_line() {
    // Checked on the expected files themselves, so that a blessed message that
    // lost its location is caught too. A few errors are about the file as a
    // whole and have no line; they are listed here, so that each is a decision.
    // Messages about a whole file rather than a place in it.
    const WHOLE_FILE: &[&str] = &["scenario-grid-for-project", "scenario-empty"];
    let mut failures = Vec::new();
    for name in fixture_names() {
        let Ok(expected) = std::fs::read_to_string(expected_path(&name)) else {
            failures.push(format!("{name}: no .expected file"));
            continue;
        };
        let fixture = fixture_arg(&name);
        if !expected.starts_with(&format!("waterfall: {fixture}:")) {
            failures.push(format!(
                "{name}: does not start with \"waterfall: {fixture}:\": {expected}"
            ));
        }
        if !expected.ends_with('\n') || expected.trim().is_empty() {
            failures.push(format!("{name}: not one or more whole lines: {expected:?}"));
        }
        if WHOLE_FILE.contains(&name.as_str()) {
            continue;
        }
        for (i, line) in expected.lines().enumerate() {
            // Every line carries the program's name, then file:line:column.
            let Some(rest) = line.strip_prefix("waterfall: ") else {
                failures.push(format!(
                    "{name}: line {} lacks the \"waterfall: \" prefix: {line}",
                    i + 1
                ));
                continue;
            };
            let Some(loc) = rest
                .strip_prefix(&fixture)
                .and_then(|r| r.strip_prefix(':'))
            else {
                failures.push(format!(
                    "{name}: line {} does not name the fixture: {line}",
                    i + 1
                ));
                continue;
            };
            let mut parts = loc.splitn(3, ':');
            let line_no = parts.next().and_then(|s| s.parse::<usize>().ok());
            let column = parts.next().and_then(|s| s.parse::<usize>().ok());
            if line_no.is_none() || column.is_none() {
                failures.push(format!(
                    "{name}: line {} has no line and column: {line}",
                    i + 1
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_expected_file_lacks_its_fixture() {
    let names = fixture_names();
    let orphans: Vec<String> = std::fs::read_dir(manifest_dir().join(FIXTURES))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "expected"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|n| !names.contains(n))
        .collect();
    assert!(
        orphans.is_empty(),
        "expected files without a fixture: {orphans:?}"
    );
}

#[test]
fn the_fixtures_readme_lists_every_fixture() {
    let readme = std::fs::read_to_string(manifest_dir().join(FIXTURES).join("README.md"))
        .expect("tests/fixtures/errors/README.md exists");
    let missing: Vec<String> = fixture_names()
        .into_iter()
        .filter(|n| !readme.contains(&format!("`{n}.toml`")))
        .collect();
    assert!(missing.is_empty(), "README.md does not list: {missing:?}");
}

#[test]
fn several_problems_in_one_deal_file_are_reported_together() {
    let name = "deal-several-problems";
    let out = run_fixture(name);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].contains("no class or allocation named \"B-I0\""),
        "{stderr}"
    );
    assert!(
        lines[1].contains("no account named \"premium\""),
        "{stderr}"
    );
}
