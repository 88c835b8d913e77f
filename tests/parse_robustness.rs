//! The report parser must never panic: whatever it is given, it returns Ok or
//! an Err naming the file. This test mutates both seed reports thousands of
//! times (deterministically: a fixed-seed xorshift generator) and parses each
//! mutant. A panic is reported with the report, iteration and seed, and the
//! list of mutations, so it can be reproduced.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use waterfall::report::parse;

const REPORTS: [&str; 2] = [
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deals/absc-2003-he4/filings/2003-12-15.txt"
    ),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deals/absc-2003-he2/filings/2003-12-15.txt"
    ),
];

/// Per report; a debug-mode parse takes a few milliseconds.
const ITERATIONS: u64 = 800;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// Byte offsets of `text` that are char boundaries, including the end.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect()
}

/// Apply one random mutation; returns its description.
fn mutate(text: &mut String, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let n = lines.len();
    let description = match rng.below(9) {
        0 => {
            let k = rng.below(n);
            lines.remove(k);
            format!("delete line {}", k + 1)
        }
        1 => {
            let k = rng.below(n);
            let copy = lines[k].clone();
            lines.insert(k, copy);
            format!("duplicate line {}", k + 1)
        }
        2 if n > 1 => {
            let k = rng.below(n - 1);
            lines.swap(k, k + 1);
            format!("swap lines {} and {}", k + 1, k + 2)
        }
        3 | 4 => {
            let digits: Vec<usize> = text
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            if digits.is_empty() {
                return "no digit to change".to_string();
            }
            let at = rng.pick(&digits);
            let to = rng.pick(&[
                '0', '1', '5', '7', '9', 'O', 'l', 'x', 'A', '-', '%', ',', '.',
            ]);
            text.replace_range(at..at + 1, &to.to_string());
            return format!("digit at byte {at} -> {to:?}");
        }
        5 | 6 => {
            let at = rng.pick(&boundaries(text));
            let what = rng.pick(&[
                "\t",
                " ",
                "é",
                "€",
                "\u{0}",
                "\r",
                "\n",
                "(",
                ")",
                "%",
                ",",
                ".",
                "-",
                "N/A",
                "NO",
                "YES",
                "Total",
                "GROUP 3",
                "  99999999999999999999999999999  ",
                "79228162514264337593543950335",
                "0.0000000000000000000000000001%",
                "(",
                "𝄞",
                "\u{feff}",
            ]);
            text.insert_str(at, what);
            return format!("insert {what:?} at byte {at}");
        }
        7 => {
            let bounds = boundaries(text);
            let at = rng.pick(&bounds);
            text.truncate(at);
            return format!("cut at byte {at}");
        }
        _ => {
            // Replace a line with a copy of another one.
            let (a, b) = (rng.below(n), rng.below(n));
            lines[a] = lines[b].clone();
            format!("line {} replaced by line {}", a + 1, b + 1)
        }
    };
    *text = lines.join("\n");
    description
}

/// Parse `ITERATIONS` mutants of one seed report; returns the failures and
/// how many mutants parsed and how many were rejected.
fn mutants_of(r: usize) -> (Vec<String>, usize, usize) {
    let report_path = REPORTS[r];
    let original = std::fs::read_to_string(report_path).expect("seed report");
    let path = Path::new("mutant-report.txt");
    let mut failures = Vec::new();
    let (mut oks, mut errs) = (0, 0);
    for iteration in 0..ITERATIONS {
        let seed =
            0xC0FF_EE00_D15E_A5E5 ^ ((r as u64) << 32) ^ iteration.wrapping_mul(0x1000_0000_01B3);
        let mut rng = Rng::new(seed);
        let mut text = original.clone();
        let count = 1 + rng.below(4);
        let mutations: Vec<String> = (0..count).map(|_| mutate(&mut text, &mut rng)).collect();
        match catch_unwind(AssertUnwindSafe(|| parse(path, &text))) {
            Ok(Ok(_)) => oks += 1,
            Ok(Err(e)) => {
                errs += 1;
                let shown = e.to_string();
                if !shown.contains("mutant-report.txt") {
                    failures.push(format!(
                        "{report_path} iteration {iteration} seed {seed:#x} {mutations:?}: error without the path: {shown}"
                    ));
                }
            }
            Err(_) => failures.push(format!(
                "{report_path} iteration {iteration} seed {seed:#x} panicked after {mutations:?}"
            )),
        }
    }
    (failures, oks, errs)
}

fn check_mutants(r: usize) {
    let (failures, oks, errs) = mutants_of(r);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The mutations must exercise both outcomes, or the test proves little.
    assert!(oks > 100 && errs > 10, "ok {oks}, err {errs}");
}

/// A figure whose `half_unit` would panic (more decimals than `Decimal`
/// can scale): every `Printed` the parser returns must be usable.
fn unusable_figure(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(d) = map.get("decimals").and_then(|d| d.as_u64())
                && d > 27
            {
                return Some(value.to_string());
            }
            map.values().find_map(unusable_figure)
        }
        serde_json::Value::Array(items) => items.iter().find_map(unusable_figure),
        _ => None,
    }
}

#[test]
fn mutated_he4_reports_never_panic_and_errors_name_the_file() {
    check_mutants(0);
}

#[test]
fn mutated_he2_reports_never_panic_and_errors_name_the_file() {
    check_mutants(1);
}

#[test]
fn every_prefix_of_a_report_parses_or_fails_cleanly() {
    let text = std::fs::read_to_string(REPORTS[1]).expect("seed report");
    let path = Path::new("cut-report.txt");
    // Cut at every line end and at a spread of byte offsets.
    let mut cuts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    cuts.extend(boundaries(&text).into_iter().step_by(97));
    for cut in cuts {
        let prefix = &text[..cut];
        match catch_unwind(AssertUnwindSafe(|| parse(path, prefix))) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => assert!(
                e.to_string().contains("cut-report.txt"),
                "cut at {cut}: {e}"
            ),
            Err(_) => panic!("cut at byte {cut} panicked"),
        }
    }
}

#[test]
fn figures_with_more_decimals_than_a_decimal_holds_are_not_figures() {
    // 29 decimals: `Decimal` rounds the value, and `Printed::half_unit` would
    // panic on the scale, so the parser must not return such a figure.
    let long = format!("0.{}", "0".repeat(29));
    let text = std::fs::read_to_string(REPORTS[0])
        .expect("seed report")
        .replace("0.00\n", &format!("{long}\n"))
        .replace("3875973.80", &format!("3875973.{}", "8".repeat(30)));
    let (report, _) = parse(Path::new("long.txt"), &text).expect("core tables intact");
    let json = serde_json::to_value(&report).expect("serializes");
    assert_eq!(unusable_figure(&json), None);
    assert!(report.oc_release.is_none());
}

#[test]
fn degenerate_inputs_are_errors_not_panics() {
    let path = Path::new("odd.txt");
    for text in [
        "",
        "\n",
        "\u{0}",
        "STATEMENT TO CERTIFICATEHOLDERS",
        "STATEMENT TO CERTIFICATEHOLDERS\nDistribution Date:",
        "STATEMENT TO CERTIFICATEHOLDERS\nDistribution Date: 99-Foo-03",
        "STATEMENT TO CERTIFICATEHOLDERS\nDistribution Date: 15-Dec-03\nClass Orig Bal Beg Bal Prin\n",
        "STATEMENT TO CERTIFICATEHOLDERS\nDistribution Date: 15-Dec-03\nClass Orig Bal Beg Bal Prin\nA-1 1 2 3\nTotal 1 2 3\n",
        "é€\t\r\n",
    ] {
        let result =
            catch_unwind(|| parse(path, text)).unwrap_or_else(|_| panic!("{text:?} panicked"));
        let e = result.expect_err(text);
        assert!(e.to_string().starts_with("odd.txt:"), "{text:?}: {e}");
    }
}
