//! The certificates' own arithmetic: every check holds in all 18 real
//! certificates and across each deal's months; the figures of the checks that
//! need working out (the required payment amount, the rounded
//! overcollateralization, the recoveries count) are written out by hand; and
//! a certificate with one amount changed by a cent fails exactly the checks
//! that use the amount.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::format;
use waterfall::report::carmax::{self, Certificate, Check, Relation, Unit};

fn dir(deal: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deals")
        .join(deal)
        .join("filings")
}

fn filings(deal: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir(deal))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

fn parse_text(path: &Path, text: &str) -> Certificate {
    carmax::parse(path, text)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn load(path: &Path) -> Certificate {
    parse_text(path, &std::fs::read_to_string(path).unwrap())
}

fn month(deal: &str, name: &str) -> Certificate {
    load(&dir(deal).join(name))
}

fn named<'a>(checks: &'a [Check], start: &str) -> &'a Check {
    let found: Vec<&Check> = checks
        .iter()
        .filter(|c| c.name.starts_with(start))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{start}: {:#?}",
        found.iter().map(|c| &c.name).collect::<Vec<_>>()
    );
    found[0]
}

fn failing(checks: &[Check]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| !c.holds())
        .map(|c| c.to_string())
        .collect()
}

#[test]
fn every_check_holds_in_every_certificate() {
    let mut all_names = Vec::new();
    for deal in ["carmax-2024-2", "carmax-2025-2"] {
        let mut names: Option<BTreeSet<String>> = None;
        for path in filings(deal) {
            let checks = carmax::checks(&load(&path));
            assert!(
                failing(&checks).is_empty(),
                "{}: {:#?}",
                path.display(),
                failing(&checks)
            );
            // The same checks in every month: none left out for a missing
            // figure or a zero denominator (84 divides by 80.1, which is 0 in
            // each deal's first month: that ratio is the one left out there).
            let mut these: BTreeSet<String> = checks.iter().map(|c| c.name.clone()).collect();
            these.insert("84 = 82 / 80.1 (average net loss per defaulted receivable)".into());
            match &names {
                None => names = Some(these),
                Some(n) => assert_eq!(n, &these, "{}", path.display()),
            }
        }
        all_names.push(names.unwrap());
    }
    // 106 checks in each: the pool factors differ by the deals' originals.
    assert_eq!(all_names[0].len(), 106);
    assert_eq!(all_names[1].len(), 106);
    assert!(
        all_names[1].contains("9a.2 = 8a.2 / 283,200,000 (A-1 original) (pool factor, ending)")
    );
    let names = &all_names[0];
    for expected in [
        "8i.2 = 8a.2 + 8b.2 + 8c.2 + 8d.2 + 8e.2 + 8f.2 + 8g.2 + 8h.2 (note balance, ending)",
        "5 = 1 - 2 - 3 - 4 (pool roll-forward)",
        "11 = 5 - 8i.2 (overcollateralization: pool less notes)",
        "19 = 17d + 18d (total collections)",
        "22 = 19 + 20 + 21 (available collections)",
        "25 = 23 + 24 (available funds)",
        "43e = 43a + 43b + 43c + 43d (collection account deposits)",
        "44f = 44a + 44b + 44c + 44d + 44e (collection account withdrawals)",
        "53 = 50 + 51 - 52 (reserve before deposit)",
        "57 = 53 + 54 - 55a - 55b - 56 (reserve ending balance)",
        "58 = 50 - 57 (reserve decrease)",
        "74e.2 = 74a.2 + 74b.2 + 74c.2 + 74d.2 (delinquent balance)",
        "78 = 76.2 - 77.2 (net losses)",
        "82 = 80.2 - 81.2 (cumulative net losses)",
        "9a.2 = 8a.2 / 309,000,000 (A-1 original) (pool factor, ending)",
        "61 = 44c (the same figure, account[note_payment].deposit)",
        "72 = 46h (the same figure, class[D].total_distribution)",
        "86 = 1 (the same figure, pool.beginning_balance)",
    ] {
        // Factors are named with each deal's own originals; 2024-2's A-1 is
        // 309,000,000.
        assert!(names.contains(expected), "no check {expected}");
    }
}

#[test]
fn every_sequence_check_holds_in_both_deals() {
    for (deal, months) in [("carmax-2024-2", 12), ("carmax-2025-2", 6)] {
        let certs: Vec<Certificate> = filings(deal).iter().map(|p| load(p)).collect();
        assert_eq!(certs.len(), months);
        let checks = carmax::sequence_checks(&certs).unwrap();
        assert!(
            failing(&checks).is_empty(),
            "{deal}: {:#?}",
            failing(&checks)
        );
        // 18 balances and factors, pool, initial pool, reserve, 3 cumulative
        // sums, 2 recovery count bounds, cumulative net losses, the unpaid
        // fee, 8 classes' unpaid interest: 36 checks a month after the first.
        assert_eq!(checks.len(), 36 * (months - 1), "{deal}");
        assert!(checks.iter().all(|c| c.missing.is_empty()));
    }
}

#[test]
fn the_required_payment_amount_sums_the_fee_the_capped_expenses_the_interest_totals_and_the_tiers()
{
    // 2024-2, 2025-04-15, rows 26-36 as printed: fee 920,823.06 (26a), none
    // unpaid (26b), no capped expenses (28a, 28d); interest totals A-1 0.00,
    // A-2a 1,215,610.41, A-2b 312,520.57, A-3 2,452,083.33, A-4 407,694.08,
    // B 240,829.25, C 235,400.67, D 176,817.50; tiers 0, 0, 0 and
    // 30,927,131.37 (36).
    let interest = dec!(0.00)
        + dec!(1215610.41)
        + dec!(312520.57)
        + dec!(2452083.33)
        + dec!(407694.08)
        + dec!(240829.25)
        + dec!(235400.67)
        + dec!(176817.50);
    assert_eq!(interest, dec!(5040955.81));
    let required = dec!(920823.06) + interest + dec!(30927131.37);
    // Row 37 prints 36,888,910.24.
    assert_eq!(required, dec!(36888910.24));
    let c = month("carmax-2024-2", "2025-04-15.txt");
    let checks = carmax::checks(&c);
    let k = named(&checks, "37 = ");
    assert_eq!(
        k.name,
        "37 = 26a + 26b + 28a + 28d + 29d + 29h + 29l + 29p + 29t + 31d + 33d + 35d + 30 + 32 + 34 + 36 (required payment amount)"
    );
    assert_eq!((k.left, k.right), (dec!(36888910.24), required));
    assert!(k.holds() && !k.rounded);
    // Read literally, "Ln 26 + Ln 28 + (sum of Ln 29 through Ln 36)" would
    // also add each class's monthly interest (29a, 29e, ...) to its total:
    // 5,040,955.81 more than printed.
    assert_eq!(required + interest - dec!(36888910.24), interest);
}

#[test]
fn a_figure_printed_to_the_dollar_is_compared_at_the_dollar() {
    // 2024-05-15: 5 - 8i.2 = 1,561,130,350.98 - 1,549,039,665.48
    // = 12,090,685.50; row 11 prints 12,090,686.
    assert_eq!(dec!(1561130350.98) - dec!(1549039665.48), dec!(12090685.50));
    let c = month("carmax-2024-2", "2024-05-15.txt");
    let checks = carmax::checks(&c);
    let k = named(&checks, "11 = 5 - 8i.2");
    assert_eq!(
        (k.left, k.right, k.decimals),
        (dec!(12090686), dec!(12090686), 0)
    );
    assert!(k.rounded && k.holds());
    // From 2025-04-15 row 11 prints cents: 1,061,969,860.27 - 1,049,879,174.77.
    let c = month("carmax-2024-2", "2025-04-15.txt");
    let checks = carmax::checks(&c);
    let k = named(&checks, "11 = 5 - 8i.2");
    assert_eq!(
        (k.left, k.right, k.decimals),
        (
            dec!(12090685.50),
            dec!(1061969860.27) - dec!(1049879174.77),
            2
        )
    );
    assert!(!k.rounded && k.holds());
}

#[test]
fn ratios_and_factors_are_compared_at_their_printed_decimals() {
    let c = month("carmax-2024-2", "2025-04-15.txt");
    let checks = carmax::checks(&c);
    // 74f: 40,919,823.61 / 1,061,969,860.27 = 0.0385322...: 3.8532 %.
    let k = named(&checks, "74f = 74e.2 / 5");
    assert_eq!(
        (k.left, k.right, k.decimals),
        (dec!(0.038532), dec!(0.038532), 6)
    );
    assert!(k.rounded);
    // 9b.2: 225,215,816.17 / 410,000,000 = 0.54930687...: 0.5493069.
    let k = named(&checks, "9b.2 = 8b.2 / 410,000,000 (A-2a original)");
    assert_eq!((k.left, k.right), (dec!(0.5493069), dec!(0.5493069)));
    // 84: 16,908,139.00 / 1,092 receivables = 15,483.6437...: 15,483.64.
    let k = named(&checks, "84 = 82 / 80.1");
    assert_eq!((k.left, k.right), (dec!(15483.64), dec!(15483.64)));
}

#[test]
fn the_cumulative_recoveries_count_is_not_the_sum_of_the_months() {
    // 2024-07-15 row 81 counts 19 receivables with recoveries; 2024-08-15
    // row 77 counts 42 this month, and row 81 51, not 19 + 42 = 61: a
    // receivable recovering in both months is counted once.
    let certs = vec![
        month("carmax-2024-2", "2024-07-15.txt"),
        month("carmax-2024-2", "2024-08-15.txt"),
    ];
    assert_eq!(certs[0].value("81", 0).unwrap().printed.value, dec!(19));
    assert_eq!(certs[1].value("77", 0).unwrap().printed.value, dec!(42));
    assert_eq!(certs[1].value("81", 0).unwrap().printed.value, dec!(51));
    let checks = carmax::sequence_checks(&certs).unwrap();
    let at_most = named(&checks, "81.1 <= prev 81.1 + 77.1");
    assert_eq!(
        (at_most.relation, at_most.left, at_most.right),
        (Relation::AtMost, dec!(51), dec!(61))
    );
    assert!(at_most.holds());
    let at_least = named(&checks, "81.1 >= prev 81.1");
    assert_eq!((at_least.left, at_least.right), (dec!(51), dec!(19)));
    assert!(at_least.holds());
    // The amounts do add up: 282,742.88 + 490,815.69 = 773,558.57.
    let k = named(&checks, "81.2 = prev 81.2 + 77.2");
    assert_eq!(
        (k.left, k.right),
        (dec!(773558.57), dec!(282742.88) + dec!(490815.69))
    );
    assert!(k.holds());
    // Defaults are counted once each, and do add: 20 + 87 = 107.
    let k = named(&checks, "80.1 = prev 80.1 + 76.1");
    assert_eq!((k.left, k.right), (dec!(107), dec!(20) + dec!(87)));
}

#[test]
fn a_failed_check_shows_both_sides_the_difference_and_where_the_figures_are() {
    let path = dir("carmax-2024-2").join("2025-04-15.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    // Line 126: c. Deposit to Note Payment Account ... | $ | 48,058,772.68
    let text = text.replacen(
        "Interest/Principal | $ | 48,058,772.68",
        "Interest/Principal | $ | 48,058,772.69",
        1,
    );
    let c = parse_text(&path, &text);
    let checks = carmax::checks(&c);
    let k = named(&checks, "44f = 44a + 44b + 44c + 44d + 44e");
    assert!(!k.holds());
    // 920,823.06 + 0.00 + 48,058,772.69 + 0.00 + 2,026,134.42 = 51,005,730.17
    assert_eq!(
        k.right,
        dec!(920823.06) + dec!(48058772.69) + dec!(2026134.42)
    );
    assert_eq!((k.left, k.difference()), (dec!(51005730.16), dec!(-0.01)));
    assert_eq!(
        k.to_string(),
        "FAILS 44f = 44a + 44b + 44c + 44d + 44e (collection account withdrawals): \
         51,005,730.16 against 51,005,730.17, difference -0.01 \
         (44f 2025-04-15.txt:129, 44a 2025-04-15.txt:124, 44b 2025-04-15.txt:125, \
         44c 2025-04-15.txt:126, 44d 2025-04-15.txt:127, 44e 2025-04-15.txt:128)"
    );
    // And the three other prints of the deposit (45q, 46i, 61) disagree with it.
    let mut failed: Vec<&str> = checks
        .iter()
        .filter(|c| !c.holds())
        .map(|c| c.name.as_str())
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        vec![
            "44f = 44a + 44b + 44c + 44d + 44e (collection account withdrawals)",
            "45q = 44c (the same figure, account[note_payment].deposit)",
            "46i = 44c (the same figure, account[note_payment].deposit)",
            "61 = 44c (the same figure, account[note_payment].deposit)",
        ]
    );
}

/// `text` with the figure in `column` of `line` (1-based) replaced.
fn replace_cell(text: &str, line: usize, column: usize, new: &str) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let l = &mut lines[line - 1];
    let start = column - 1;
    let end = l[start..].find(" |").map_or(l.len(), |e| start + e);
    l.replace_range(start..end, new);
    lines.join("\n")
}

/// Change every dollar amount of the middle certificate by a cent, in its
/// text, and compare the checks of it and its neighbours: the checks that
/// fail are exactly the exact checks that use the amount (a check compared
/// after rounding, a ratio, may or may not see a cent).
fn one_cent_changes(deal: &str, names: [&str; 3]) -> (usize, Vec<String>) {
    let paths: Vec<PathBuf> = names.iter().map(|n| dir(deal).join(n)).collect();
    let (before, after) = (load(&paths[0]), load(&paths[2]));
    let text = std::fs::read_to_string(&paths[1]).unwrap();
    let original = parse_text(&paths[1], &text);
    let mut changed = 0;
    let mut unchecked = Vec::new();
    for row in &original.rows {
        for v in row
            .values
            .iter()
            .filter(|v| v.unit == Unit::Dollars && !v.dash)
        {
            let slot = v.slot.unwrap();
            let new_value = v.printed.value + dec!(0.01);
            let mutated = replace_cell(
                &text,
                row.line,
                v.column,
                &format::fixed(new_value, v.printed.decimals.max(2)),
            );
            let c = parse_text(&paths[1], &mutated);
            assert_eq!(c.value(&row.key, slot).unwrap().printed.value, new_value);
            let mut checks = carmax::checks(&c);
            // What reading a filing asks for, the failures alone, are the
            // same failures, named the same.
            let failed = |all: &[Check]| -> Vec<Check> {
                all.iter().filter(|k| !k.holds()).cloned().collect()
            };
            assert_eq!(carmax::failed_checks(&c), failed(&checks));
            for (p, n) in [(&before, &c), (&c, &after)] {
                let all = carmax::sequence_pair(p, n).unwrap();
                assert_eq!(carmax::failed_sequence_pair(p, n).unwrap(), failed(&all));
            }
            let seq = [before.clone(), c, after.clone()];
            checks.extend(carmax::sequence_checks(&seq).unwrap());
            let mut using = 0;
            for k in &checks {
                let uses = k.cites(&paths[1], &row.key, slot);
                if uses && !k.rounded {
                    assert!(
                        !k.holds(),
                        "{} slot {slot} +0.01: {} still holds",
                        row.key,
                        k.name
                    );
                    using += 1;
                }
                if !uses {
                    assert!(k.holds(), "{} slot {slot} +0.01: {k}", row.key);
                }
            }
            if using == 0 {
                unchecked.push(row.key.clone());
            }
            changed += 1;
        }
    }
    (changed, unchecked)
}

/// The amounts no exact check of the certificate uses, so a cent changed in
/// them fails nothing: deal terms (the OC target 10, the required reserve
/// 49), amounts stated without their parts (the reserve deficiency 38, the
/// uncapped expenses 40-42) and the two figures only a rounded ratio uses
/// (the average net loss 84, the extensions 85). The reconciliation against
/// the deal is what checks them.
const UNCHECKED: [&str; 9] = ["10", "38", "40", "41a", "41b", "42", "49", "84", "85"];

#[test]
fn a_cent_changed_in_any_amount_fails_exactly_the_checks_it_is_in_2024_2() {
    let (n, unchecked) = one_cent_changes(
        "carmax-2024-2",
        ["2025-01-15.txt", "2025-02-18.txt", "2025-03-17.txt"],
    );
    // 174 cells follow a "$" in each certificate.
    assert_eq!(n, 174);
    assert_eq!(unchecked, UNCHECKED);
}

#[test]
fn a_cent_changed_in_any_amount_fails_exactly_the_checks_it_is_in_2025_2() {
    let (n, unchecked) = one_cent_changes(
        "carmax-2025-2",
        ["2025-07-15.txt", "2025-08-15.txt", "2025-09-15.txt"],
    );
    assert_eq!(n, 174);
    assert_eq!(unchecked, UNCHECKED);
}

#[test]
fn a_sequence_of_two_deals_or_out_of_order_is_refused_naming_the_file() {
    let a = month("carmax-2024-2", "2025-04-15.txt");
    let b = month("carmax-2025-2", "2025-05-15.txt");
    let e = carmax::sequence_checks(&[a.clone(), b])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("2025-05-15.txt") && e.contains("not one deal"),
        "{e}"
    );
    let earlier = month("carmax-2024-2", "2025-03-17.txt");
    let e = carmax::sequence_checks(&[a, earlier])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("2025-03-17.txt") && e.contains("does not follow"),
        "{e}"
    );
}

#[test]
fn pool_factors_need_the_originals_and_use_those_given() {
    let c = month("carmax-2025-2", "2025-10-15.txt");
    let without = carmax::checks_with(&c, None);
    assert!(without.iter().all(|k| !k.name.contains("pool factor")));
    // 2025-2's originals from the terms: A-1 283,200,000 ... D 14,110,000.
    let originals = carmax::known_originals("CarMax Auto Owner Trust 2025-2").unwrap();
    let total: Decimal = originals.iter().map(|(_, b)| *b).sum();
    assert_eq!(total, dec!(1400000000));
    let with = carmax::checks(&c);
    assert_eq!(with.len() - without.len(), 18);
    // A wrong original fails both of its class's factors.
    let mut wrong = originals.clone();
    wrong[1].1 = dec!(350000001);
    let checks = carmax::checks_with(&c, Some(&wrong));
    let failed: Vec<&str> = checks
        .iter()
        .filter(|k| !k.holds())
        .map(|k| k.name.as_str())
        .collect();
    assert_eq!(
        failed.len(),
        0,
        "A-2a has paid nothing by 2025-10-15: its factors are 1 whatever the last unit"
    );
    let mut wrong = originals;
    wrong[0].1 = dec!(283000000);
    // A-1 has paid down to 48,684,225.60 and 7,544,873.77: A-1's factors
    // move, and with the total of the originals both note pool factors.
    let checks = carmax::checks_with(&c, Some(&wrong));
    let mut failed: Vec<&str> = checks
        .iter()
        .filter(|k| !k.holds())
        .map(|k| k.name.as_str())
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        vec![
            "9a.1 = 8a.1 / 283,000,000 (A-1 original) (pool factor, beginning)",
            "9a.2 = 8a.2 / 283,000,000 (A-1 original) (pool factor, ending)",
            "9i.1 = 8i.1 / 1,399,800,000 (all notes' original) (note pool factor, beginning)",
            "9i.2 = 8i.2 / 1,399,800,000 (all notes' original) (note pool factor, ending)",
        ]
    );
}
