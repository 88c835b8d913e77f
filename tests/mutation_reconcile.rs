//! A seeded mutation test of the whole reconciliation: every bundled filing
//! is damaged thousands of ways (a digit changed, a figure zeroed, a flag
//! flipped, a line deleted, duplicated or swapped, garbage inserted) and
//! reconciled in process. No mutant may panic or end in an internal error,
//! and no mutant that changes a compared figure by more than twice its
//! tolerance may pass that figure as a match.
//!
//! Deterministic: a fixed-seed xorshift generator; a failure names the
//! filing, the seed and the mutation so it can be reproduced.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use waterfall::deal::Deal;
use waterfall::reconcile::{self, Options, Status};
use waterfall::report::parse_filing;

/// Mutants per filing (each a parse and a reconciliation).
const MUTANTS: u64 = 1000;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// One mutation of a report's text: what it did, and whether it keeps every
/// figure where it was (so figures can be compared with the original's).
struct Mutant {
    text: String,
    what: String,
    in_place: bool,
}

/// Numeric tokens of the text: (byte start, byte end).
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-'))
        {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b',' || b[i] == b'.') {
                i += 1;
            }
            let end = if i > start && matches!(b[i - 1], b',' | b'.') {
                i - 1
            } else {
                i
            };
            // Not a date or a name: followed by a space, a % or the line's end.
            if i >= b.len() || matches!(b[i], b' ' | b'\t' | b'\n' | b'%' | b')' | b'\r') {
                out.push((start, end));
            }
        } else {
            i += 1;
        }
    }
    out
}

fn mutate(text: &str, rng: &mut Rng) -> Mutant {
    let nums = numbers(text);
    let lines: Vec<&str> = text.split('\n').collect();
    match rng.below(8) {
        // Change a digit of a number, not its last (a change of at least ten
        // units of the print).
        0..=2 if !nums.is_empty() => {
            let (s, e) = nums[rng.below(nums.len())];
            let digits: Vec<usize> = (s..e)
                .filter(|&i| text.as_bytes()[i].is_ascii_digit())
                .collect();
            let mut t = text.to_string();
            if digits.len() < 2 {
                return Mutant {
                    text: t,
                    what: "nothing".into(),
                    in_place: true,
                };
            }
            let at = digits[rng.below(digits.len() - 1)];
            let old = text.as_bytes()[at] - b'0';
            let new = (old + 1 + rng.below(9) as u8) % 10;
            t.replace_range(at..at + 1, &((b'0' + new) as char).to_string());
            Mutant {
                text: t,
                what: format!("digit at byte {at}: {old} -> {new}"),
                in_place: true,
            }
        }
        3 if !nums.is_empty() => {
            let (s, e) = nums[rng.below(nums.len())];
            let mut t = text.to_string();
            let zero = if text[s..e].contains('.') {
                "0.00"
            } else {
                "0"
            };
            t.replace_range(s..e, zero);
            Mutant {
                text: t,
                what: format!("figure at byte {s} ({}) -> {zero}", &text[s..e]),
                in_place: true,
            }
        }
        4 => {
            let t = if text.contains(" NO\n") {
                text.replacen(" NO\n", " YES\n", 1)
            } else {
                text.replacen(" No\n", " Yes\n", 1)
            };
            Mutant {
                text: t,
                what: "a NO flag -> YES".into(),
                in_place: true,
            }
        }
        5 => {
            let k = rng.below(lines.len());
            let mut l = lines.clone();
            l.remove(k);
            Mutant {
                text: l.join("\n"),
                what: format!("delete line {}", k + 1),
                in_place: false,
            }
        }
        6 => {
            let k = rng.below(lines.len());
            let mut l = lines.clone();
            l.insert(k, lines[k]);
            Mutant {
                text: l.join("\n"),
                what: format!("duplicate line {}", k + 1),
                in_place: false,
            }
        }
        _ => {
            let k = rng.below(lines.len());
            let garbage = [
                "?",
                "N/A",
                "(",
                "99999999999999999999",
                "0.0000000000000001",
                "Total",
                "|",
                "$",
            ];
            let g = garbage[rng.below(garbage.len())];
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            l[k].push_str(&format!("   {g}"));
            Mutant {
                text: l.join("\n"),
                what: format!("append {g:?} to line {}", k + 1),
                in_place: false,
            }
        }
    }
}

/// Every bundled deal with filings.
fn filings() -> Vec<(Deal, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("deals");
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|d| d.join("deal.toml").exists() && d.join("filings").is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let deal = Deal::load(&d).unwrap();
        let mut paths = reconcile::report_paths(&deal, &[]).unwrap();
        // The first and last filing of a deal: each layout's quirks are in both.
        paths.dedup();
        let first = paths[0].clone();
        let last = paths[paths.len() - 1].clone();
        out.push((deal.clone(), first));
        if last != out.last().unwrap().1 {
            out.push((deal, last));
        }
    }
    out
}

#[test]
fn no_damaged_report_panics_exits_3_or_passes_a_changed_figure() {
    let mut failures = Vec::new();
    let mut refused = 0;
    let mut reconciled = 0;
    // Mutants that changed a figure the original matched, beyond twice its tolerance.
    let mut caught = 0;
    for (n, (deal, path)) in filings().into_iter().enumerate() {
        let text = std::fs::read_to_string(&path).unwrap();
        let options = Options::default();
        let base = reconcile::reconcile_file(&deal, &path, &options).unwrap();
        let mut rng = Rng::new(0xC0FFEE + n as u64);
        for i in 0..MUTANTS {
            let m = mutate(&text, &mut rng);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                parse_filing(deal.report.layout, &path, &m.text)
                    .and_then(|f| reconcile::reconcile(&deal, &f, &path, &options, None))
            }));
            let tag = format!("{} mutant {i} ({})", path.display(), m.what);
            let r = match outcome {
                Err(_) => {
                    failures.push(format!("{tag}: panicked"));
                    continue;
                }
                Ok(Err(e)) => {
                    if e.exit_code() != 2 {
                        failures.push(format!("{tag}: exit {} ({e})", e.exit_code()));
                    }
                    refused += 1;
                    continue;
                }
                Ok(Ok(r)) => r,
            };
            reconciled += 1;
            if !m.in_place {
                continue;
            }
            // Figures in place: the k-th print of each path against the original's.
            let mut seen: std::collections::HashMap<&str, usize> = Default::default();
            for f in &r.figures {
                let k = seen.entry(f.id.as_str()).or_default();
                let nth = *k;
                *k += 1;
                let Some(orig) = base.figures.iter().filter(|g| g.id == f.id).nth(nth) else {
                    continue;
                };
                let (Some(p), Some(o)) = (f.reported, orig.reported) else {
                    continue;
                };
                if orig.status != Status::Match {
                    continue;
                }
                let changed = (p.value - o.value).abs();
                if !(changed > Decimal::TWO * f.tolerance && changed > Decimal::ZERO) {
                    continue;
                }
                if f.status != Status::Match {
                    caught += 1;
                } else {
                    failures.push(format!(
                        "{tag}: {} changed from {} to {} and still matched",
                        f.id, o.value, p.value
                    ));
                }
            }
        }
    }
    eprintln!("{reconciled} reconciled, {refused} refused, {caught} changed figures caught");
    assert!(
        failures.is_empty(),
        "{} failures ({reconciled} reconciled, {refused} refused):\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
    assert!(
        reconciled > 100 && refused > 10 && caught > 200,
        "{reconciled} reconciled, {refused} refused, {caught} changed figures caught"
    );
}
