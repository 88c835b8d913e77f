//! The CarMax parser never panics. Every real certificate is damaged many
//! ways (deterministically: a fixed-seed xorshift generator): lines deleted,
//! duplicated, swapped, truncated; cells swapped, deleted, replaced by
//! garbage or by huge numbers; binary junk inserted. Each mutant parses to a
//! clean `Err` naming the file, or to a certificate whose damage shows: a
//! warning, a failing check, or the figures of the original.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use waterfall::Error;
use waterfall::report::carmax::{self, Certificate};

fn filings() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for deal in ["carmax-2024-2", "carmax-2025-2"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("deals")
            .join(deal)
            .join("filings");
        for e in std::fs::read_dir(dir).unwrap() {
            v.push(e.unwrap().path());
        }
    }
    v.sort();
    v
}

/// Mutants per certificate.
const ITERATIONS: u64 = 100;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// Tokens that are not figures, or are figures too large for any deal.
/// (Not `Yes`, `—` or plain numbers: a flag turned from No to Yes, or an
/// amount replaced by another, is a different certificate, not a damaged
/// one; the checks catch the amounts they cover.)
const GARBAGE: [&str; 15] = [
    "x",
    "1,23,4",
    "NaN",
    "1e400",
    "$",
    "%",
    "months",
    "0.0000000000000000000000000001",
    "9223372036854775808",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "99,999,999,999,999.99",
    "ünïcödé",
    "\u{0}\u{1}",
    "",
];

/// One mutation; returns what it did.
fn mutate(text: &str, rng: &mut Rng) -> (String, String) {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let n = lines.len();
    let k = rng.below(n);
    let what = match rng.below(9) {
        0 => {
            lines.remove(k);
            format!("delete line {}", k + 1)
        }
        1 => {
            let l = lines[k].clone();
            lines.insert(k, l);
            format!("duplicate line {}", k + 1)
        }
        2 => {
            let j = (k + 1).min(n - 1);
            lines.swap(k, j);
            format!("swap lines {} and {}", k + 1, j + 1)
        }
        3 | 4 => {
            let mut cells: Vec<String> = lines[k].split(" | ").map(str::to_string).collect();
            let a = rng.below(cells.len());
            let b = rng.below(cells.len());
            let what = if rng.below(3) == 0 {
                cells.swap(a, b);
                format!("line {}: swap cells {a} and {b}", k + 1)
            } else if rng.below(2) == 0 && cells.len() > 1 {
                cells.remove(a);
                format!("line {}: delete cell {a}", k + 1)
            } else {
                let g = GARBAGE[rng.below(GARBAGE.len())];
                cells[a] = g.to_string();
                format!("line {}: cell {a} := {g:?}", k + 1)
            };
            lines[k] = cells.join(" | ");
            what
        }
        5 => {
            // Cut the text at a character boundary.
            let joined = lines.join("\n");
            let cuts: Vec<usize> = joined.char_indices().map(|(i, _)| i).collect();
            let at = cuts.get(rng.below(cuts.len())).copied().unwrap_or(0);
            return (joined[..at].to_string(), format!("truncate at byte {at}"));
        }
        6 => {
            // Bytes that are not text, read as UTF-8 lossily the way a caller
            // reading a binary file would.
            let joined = lines.join("\n");
            let cuts: Vec<usize> = joined.char_indices().map(|(i, _)| i).collect();
            let at = cuts.get(rng.below(cuts.len())).copied().unwrap_or(0);
            let junk: Vec<u8> = (0..1 + rng.below(6))
                .map(|_| match rng.below(3) {
                    0 => (rng.below(9)) as u8,
                    _ => 0x80 + rng.below(0x80) as u8,
                })
                .collect();
            let mut bytes = joined.as_bytes()[..at].to_vec();
            bytes.extend(&junk);
            bytes.extend(&joined.as_bytes()[at..]);
            return (
                String::from_utf8_lossy(&bytes).into_owned(),
                format!("insert {junk:?} at byte {at}"),
            );
        }
        7 => {
            lines[k] = lines[k].replace(" | ", " ");
            format!("line {}: separators removed", k + 1)
        }
        _ => {
            lines.truncate(k);
            format!("keep the first {k} lines")
        }
    };
    (lines.join("\n"), what)
}

/// The figures as `(path, value, decimals)`, sorted: what a mutation that
/// leaves no trace must leave unchanged.
fn figures(c: &Certificate) -> Vec<(String, String, u32)> {
    let mut v: Vec<_> = c
        .figures()
        .into_iter()
        .map(|(p, f, _)| (p, f.value.to_string(), f.decimals))
        .collect();
    v.sort();
    v
}

#[test]
fn damaged_certificates_are_refused_or_warned_about_never_a_panic() {
    let (mut errors, mut warned, mut caught, mut harmless) = (0, 0, 0, 0);
    for (i, path) in filings().iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let (original, _) = carmax::parse(path, &text).unwrap();
        let original_figures = figures(&original);
        for iteration in 0..ITERATIONS {
            let seed = (i as u64) << 32 | iteration;
            let mut rng = Rng::new(seed);
            let mut mutant = text.clone();
            let mut done = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let (m, what) = mutate(&mutant, &mut rng);
                mutant = m;
                done.push(what);
            }
            let context = || format!("{} seed {seed}: {done:?}", path.display());
            let result = catch_unwind(AssertUnwindSafe(|| carmax::parse(path, &mutant)))
                .unwrap_or_else(|_| panic!("panic: {}", context()));
            match result {
                Err(e) => {
                    assert!(
                        matches!(e, Error::At { .. } | Error::File { .. }),
                        "{}: {e:?}",
                        context()
                    );
                    assert!(
                        e.to_string().starts_with(&path.display().to_string()),
                        "{}: {e}",
                        context()
                    );
                    errors += 1;
                }
                Ok((c, warnings)) => {
                    let checks = catch_unwind(AssertUnwindSafe(|| {
                        (carmax::checks(&c), carmax::render_text(&c, &warnings))
                    }))
                    .unwrap_or_else(|_| panic!("panic in checks or render: {}", context()))
                    .0;
                    if !warnings.is_empty() {
                        warned += 1;
                    } else if checks.iter().any(|k| !k.holds()) {
                        caught += 1;
                    } else {
                        assert_eq!(
                            figures(&c),
                            original_figures,
                            "silent change: {}",
                            context()
                        );
                        harmless += 1;
                    }
                }
            }
        }
    }
    // Refusals, warnings and harmless mutations (a blank line deleted, two
    // rows swapped) all happen; a damage only the checks see is rare here
    // (see the next test).
    assert!(
        errors > 0 && warned > 0 && harmless > 0,
        "{errors} {warned} {caught} {harmless}"
    );
}

#[test]
fn swapped_amounts_parse_silently_and_the_checks_catch_them() {
    let (path, text) = real();
    // b. Class A-2a Note Balance | $ | 258,182,741.25 | $ | 225,215,816.17
    let text = text.replace(
        "$ | 258,182,741.25 | $ | 225,215,816.17",
        "$ | 225,215,816.17 | $ | 258,182,741.25",
    );
    let (c, warnings) = carmax::parse(&path, &text).unwrap();
    assert!(warnings.is_empty());
    let failed: Vec<String> = carmax::checks(&c)
        .iter()
        .filter(|k| !k.holds())
        .map(|k| k.name.clone())
        .collect();
    assert_eq!(
        failed,
        vec![
            "8i.1 = 8a.1 + 8b.1 + 8c.1 + 8d.1 + 8e.1 + 8f.1 + 8g.1 + 8h.1 (note balance, beginning)",
            "8i.2 = 8a.2 + 8b.2 + 8c.2 + 8d.2 + 8e.2 + 8f.2 + 8g.2 + 8h.2 (note balance, ending)",
            "8b.2 = 8b.1 - 45j (ending balance = beginning less principal)",
            "9b.1 = 8b.1 / 410,000,000 (A-2a original) (pool factor, beginning)",
            "9b.2 = 8b.2 / 410,000,000 (A-2a original) (pool factor, ending)",
        ]
    );
}

fn real() -> (PathBuf, String) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deals/carmax-2024-2/filings/2025-04-15.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

fn error_at(path: &Path, text: &str) -> (usize, Option<usize>, String) {
    match carmax::parse(path, text) {
        Err(Error::At { at, message }) => {
            assert_eq!(at.path, path);
            (at.line, at.column, message)
        }
        other => panic!("expected a located error, got {other:?}"),
    }
}

#[test]
fn figures_of_ten_trillion_or_more_are_refused_where_they_are() {
    let (path, text) = real();
    // Line 14: a. Class A-1 Note Balance | $ | 0.00 | $ | 0.00; the last
    // cell starts in column 44.
    let line14 = "a. Class A-1 Note Balance | $ | 0.00 | $ | 0.00";
    assert!(text.contains(line14));
    for huge in [
        "9223372036854775808",
        "79228162514264337593543950335",
        "79228162514264337593543950336",
        "10,000,000,000,000.00",
        "10000000000000",
        "(10,000,000,000,000.00)",
        // 13 digits and 20 decimals: Decimal's 28 digits round it to 10^13.
        "9,999,999,999,999.99999999999999999999",
    ] {
        let mutant = text.replace(
            line14,
            &format!("a. Class A-1 Note Balance | $ | 0.00 | $ | {huge}"),
        );
        let (line, column, message) = error_at(&path, &mutant);
        assert_eq!((line, column), (14, Some(44)), "{huge}");
        assert!(message.contains("10^13"), "{message}");
    }
    // Just under the limit is a figure (and the certificate's sums then fail).
    let mutant = text.replace(
        line14,
        "a. Class A-1 Note Balance | $ | 0.00 | $ | 9,999,999,999,999.99",
    );
    let (c, warnings) = carmax::parse(&path, &mutant).unwrap();
    assert!(warnings.is_empty());
    assert!(carmax::checks(&c).iter().any(|k| !k.holds()));
    // Counts and percentages too: row 6's count.
    let mutant = text.replace("| 61,532\n", "| 61532000000000000\n");
    assert_eq!(error_at(&path, &mutant).0, 11);
}

#[test]
fn empty_binary_and_foreign_files_are_refused() {
    let path = Path::new("deals/carmax-2024-2/filings/2025-04-15.txt");
    for text in ["", "\n\n  \n"] {
        match carmax::parse(path, text) {
            Err(Error::File { path: p, message }) => {
                assert_eq!(p, path);
                assert!(message.contains("empty"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let text = String::from_utf8_lossy(&junk);
    assert!(carmax::parse(path, &text).is_err());
    let (line, _, message) = error_at(
        path,
        "STATEMENT TO CERTIFICATEHOLDERS\n1. | Pool | $ | 1.00\n",
    );
    assert_eq!(line, 1);
    assert!(message.contains("CarMax Auto Owner Trust"), "{message}");
    // A header and no rows.
    let (line, _, message) = error_at(
        path,
        "CarMax Auto Owner Trust 2024-2\nDistribution Date: 4/15/2025\n",
    );
    assert_eq!(line, 2);
    assert!(message.contains("no numbered rows"), "{message}");
    // No date anywhere: neither header nor file name.
    let (_, text) = real();
    let no_date: String = text
        .lines()
        .filter(|l| !l.starts_with("Distribution Date"))
        .collect::<Vec<_>>()
        .join("\n");
    let (_, _, message) = error_at(Path::new("certificate.txt"), &no_date);
    assert!(message.contains("no distribution date"), "{message}");
    // With the file name's date the same text is read, with a warning.
    let (c, warnings) = carmax::parse(path, &no_date).unwrap();
    assert_eq!(
        c.distribution_date(),
        chrono::NaiveDate::from_ymd_opt(2025, 4, 15)
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.message == "the header has no Distribution Date line"),
        "{warnings:?}"
    );
}

#[test]
fn unknown_rows_are_kept_and_warned_about_only_with_figures() {
    let (path, text) = real();
    let text = text.replace(
        "87. | Ratio of extensions",
        "88. | A row the layout does not know\n89. | Another | $ | 1.00\n87. | Ratio of extensions",
    );
    let (c, warnings) = carmax::parse(&path, &text).unwrap();
    assert_eq!(c.row("88").unwrap().label, "A row the layout does not know");
    assert_eq!(c.row("89").unwrap().values.len(), 1);
    assert_eq!(c.unmapped_rows().len(), 1);
    let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        vec!["row 89 (\"Another\") is not in the layout: its 1 figure(s) are not mapped"]
    );
}

#[test]
fn a_relettered_row_is_read_by_its_label_and_a_wrong_label_by_its_key() {
    let (path, text) = real();
    // If a certificate printed 29s, the A-4 total would be read as 29t
    // either way; here A-4's total is printed under the letter s.
    let text = text.replace(
        "t. Total Class A-4 Note Interest",
        "s. Total Class A-4 Note Interest",
    );
    let (c, warnings) = carmax::parse(&path, &text).unwrap();
    let row = c.rows.iter().find(|r| r.key == "29s").unwrap();
    assert_eq!(row.layout_key(), "29t");
    assert!(c.row("29s").is_none());
    assert_eq!(
        c.value("29t", 0).unwrap().path.as_deref(),
        Some("class[A-4].interest_due")
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].message.contains("is the layout's row 29t"),
        "{warnings:?}"
    );
    // The checks find it as 29t.
    let checks = carmax::checks(&c);
    assert!(
        checks.iter().all(|k| k.holds()),
        "{:#?}",
        checks.iter().filter(|k| !k.holds()).collect::<Vec<_>>()
    );
    assert!(checks.iter().any(|k| k.name.starts_with("29t = 29q + 29r")));

    let (path, text) = real();
    let text = text.replace("b. Class A-2a Note Balance", "b. Class A-2c Note Balance");
    let (c, warnings) = carmax::parse(&path, &text).unwrap();
    assert_eq!(
        c.value("8b", 1).unwrap().path.as_deref(),
        Some("class[A-2a].ending_balance")
    );
    assert!(!c.row("8b").unwrap().label_matches);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].message.contains("does not match the layout's"),
        "{warnings:?}"
    );
}

#[test]
fn retired_classes_printed_as_dashes_are_zeros() {
    let (path, text) = real();
    // A-1 is retired by 2025-04-15; print its zeros as dashes.
    let text = text
        .replace(
            "a. Class A-1 Note Balance | $ | 0.00 | $ | 0.00",
            "a. Class A-1 Note Balance | $ | — | $ | —",
        )
        .replace(
            "a. Class A-1 Note Pool Factor | 0.0000000 | 0.0000000",
            "a. Class A-1 Note Pool Factor | — | —",
        );
    let (c, warnings) = carmax::parse(&path, &text).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let v = c.value("8a", 1).unwrap();
    assert!(v.dash && v.printed.value.is_zero());
    assert_eq!(
        c.value("9a", 0).unwrap().path.as_deref(),
        Some("class[A-1].factor_beginning")
    );
    assert!(carmax::checks(&c).iter().all(|k| k.holds()));
}

#[test]
fn extreme_figures_below_the_limit_do_not_break_the_checks() {
    let (path, text) = real();
    let line14 = "a. Class A-1 Note Balance | $ | 0.00 | $ | 0.00";
    for token in [
        "9,999,999,999,999.9999999999999",
        // 33 digits: Decimal keeps 28, so the print has more decimals than
        // the value (the render pads them rather than overflow).
        "1,234,567,890,123.12345678901234567890",
        "0.00000000000000000001",
        "-9999999999999.99",
        "(9,999,999,999,999.99)",
        "9999999999999.99%",
        "0000000000000000000000000000009",
    ] {
        for row in [
            line14.to_string(),
            format!("a. Class A-1 Note Balance | {token} | $ | 0.00"),
        ] {
            let mutant = text.replace(
                line14,
                &row.replace("| 0.00 | $ | 0.00", &format!("| 0.00 | $ | {token}")),
            );
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                carmax::parse(&path, &mutant).map(|(c, w)| {
                    let failed = carmax::checks(&c).iter().filter(|k| !k.holds()).count();
                    let _ = carmax::render_text(&c, &w);
                    (failed, w.len())
                })
            }));
            let (failed, warned) = outcome
                .unwrap_or_else(|_| panic!("panic with {token}"))
                .unwrap_or_else(|e| panic!("{token}: {e}"));
            assert!(
                failed + warned > 0,
                "{token}: neither a failing check nor a warning"
            );
        }
    }
}
