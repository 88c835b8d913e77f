//! The CarMax servicer certificates of 2024-2 (12 months) and 2025-2 (6
//! months) parse; every figure is mapped to a figure path of the vocabulary;
//! the figures are the printed ones (read off the certificates here); the only
//! warnings are the certificates' known quirks.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::report::Printed;
use waterfall::report::carmax::{self, Certificate, LAYOUT, Unit, is_figure_path};

fn filings(deal: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deals")
        .join(deal)
        .join("filings");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

fn all_filings() -> Vec<PathBuf> {
    let mut v = filings("carmax-2024-2");
    v.extend(filings("carmax-2025-2"));
    v
}

fn load(path: &Path) -> (Certificate, Vec<waterfall::report::Warning>) {
    let text = std::fs::read_to_string(path).unwrap();
    carmax::parse(path, &text).unwrap_or_else(|e| panic!("{e}"))
}

fn file(deal: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deals")
        .join(deal)
        .join("filings")
        .join(name)
}

fn printed(value: Decimal, decimals: u32, line: usize) -> Printed {
    Printed {
        value,
        decimals,
        line,
    }
}

#[test]
fn eighteen_certificates_every_figure_row_mapped_to_a_valid_path() {
    let files = all_filings();
    assert_eq!(files.len(), 18);
    for path in &files {
        let (c, _) = load(path);
        // 208 lines: the four header lines, a blank one, 203 rows.
        assert_eq!(c.rows.len(), 203, "{}", path.display());
        assert!(
            c.unmapped_rows().is_empty(),
            "{}: {:?}",
            path.display(),
            c.unmapped_rows()
        );
        for row in &c.rows {
            assert!(row.label_matches, "{}: row {}", path.display(), row.key);
            let spec = row.spec.unwrap_or_else(|| {
                panic!("{}: row {} has no layout entry", path.display(), row.key)
            });
            assert_eq!(spec.key, row.key);
            assert_eq!(
                row.values.len(),
                spec.slots.len(),
                "{}: row {}",
                path.display(),
                row.key
            );
            for v in &row.values {
                let p = v
                    .path
                    .as_deref()
                    .unwrap_or_else(|| panic!("{}: row {} unmapped", path.display(), row.key));
                assert!(is_figure_path(p), "{p}");
            }
        }
        // Every row of the template is printed but the one no certificate has.
        for s in LAYOUT {
            assert_eq!(
                c.row(s.key).is_some(),
                s.key != "29s",
                "{}: {}",
                path.display(),
                s.key
            );
        }
    }
}

#[test]
fn the_only_warnings_are_the_stale_header_and_the_stale_sofr_labels() {
    for path in all_filings() {
        let (c, warnings) = load(&path);
        let name = path.file_name().unwrap().to_str().unwrap();
        let deal = path
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let mut expected: Vec<(usize, &str)> = Vec::new();
        let stale_header = matches!(name, "2025-06-16.txt" | "2025-07-15.txt");
        if stale_header {
            expected.push((2, "collection period 04/01/25-04/30/25 does not end on"));
            expected.push((
                3,
                "determination date 5/9/2025 is not in the distribution month",
            ));
            expected.push((
                4,
                "the header's distribution date 5/15/2025 is not the file name's",
            ));
        }
        // Rows 15 and 16 (lines 38, 39) print 8/14/2023 in 2024-2's first two
        // months and 7/14/2024 in every 2025-2 month.
        let stale_sofr =
            deal == "carmax-2025-2" || matches!(name, "2024-05-15.txt" | "2024-06-17.txt");
        if stale_sofr {
            expected.push((38, "row 15's label date"));
            expected.push((39, "row 16's label date"));
        }
        assert_eq!(warnings.len(), expected.len(), "{name}: {warnings:#?}");
        for (w, (line, start)) in warnings.iter().zip(&expected) {
            assert_eq!(w.line, *line, "{name}: {w:?}");
            assert!(w.message.starts_with(start), "{name}: {w:?}");
        }
        assert_eq!(c.header_stale, stale_header, "{name}");
    }
}

#[test]
fn a_stale_header_keeps_its_print_and_the_file_name_is_the_date() {
    let (c, _) = load(&file("carmax-2025-2", "2025-07-15.txt"));
    assert_eq!(c.trust, "CarMax Auto Owner Trust 2025-2");
    assert_eq!(c.series(), "2025-2");
    let period = c.collection_period.as_ref().unwrap();
    assert_eq!(
        (period.printed.as_str(), period.line),
        ("04/01/25-04/30/25", 2)
    );
    let d = c.distribution_date.as_ref().unwrap();
    assert_eq!((d.printed.as_str(), d.line), ("5/15/2025", 4));
    assert_eq!(c.determination_date.as_ref().unwrap().printed, "5/9/2025");
    assert!(c.header_stale);
    assert_eq!(
        c.distribution_date(),
        chrono::NaiveDate::from_ymd_opt(2025, 7, 15)
    );

    let (c, _) = load(&file("carmax-2025-2", "2025-08-15.txt"));
    assert!(!c.header_stale);
    assert_eq!(c.collection_period.unwrap().printed, "07/01/25-07/31/25");
}

#[test]
fn figures_are_the_printed_ones() {
    let (c, _) = load(&file("carmax-2024-2", "2025-04-15.txt"));
    // b. Class A-2a Note Balance | $ | 258,182,741.25 | $ | 225,215,816.17
    assert_eq!(
        c.figure("class[A-2a].beginning_balance"),
        Some(printed(dec!(258182741.25), 2, 15))
    );
    assert_eq!(
        c.figure("class[A-2a].ending_balance"),
        Some(printed(dec!(225215816.17), 2, 15))
    );
    // b. Class A-2a Note Pool Factor | 0.6297140 | 0.5493069
    assert_eq!(
        c.figure("class[A-2a].factor_ending"),
        Some(printed(dec!(0.5493069), 7, 25))
    );
    // 10. | Overcollateralization Target Amount | $ | 12,090,685.50
    assert_eq!(
        c.figure("oc.target"),
        Some(printed(dec!(12090685.50), 2, 33))
    );
    // 12. | Weighted Average Coupon | 11.27 | %
    assert_eq!(c.figure("pool.wac"), Some(printed(dec!(0.1127), 4, 35)));
    // 13. | Weighted Average Original Term | months | 66.02
    assert_eq!(
        c.figure("pool.original_term"),
        Some(printed(dec!(66.02), 2, 36))
    );
    assert_eq!(c.value("13", 0).unwrap().unit, Unit::Months);
    // 15. | 30 day Average SOFR ... | 4.34867 | %
    assert_eq!(c.figure("index"), Some(printed(dec!(0.0434867), 7, 38)));
    assert_eq!(
        c.figure("class[A-2b].rate"),
        Some(printed(dec!(0.0492867), 7, 39))
    );
    // 26. | Servicing Fee | 0.15 | %  (the label error: kept as printed)
    assert_eq!(
        c.figure("fee[servicing].rate"),
        Some(printed(dec!(0.0015), 4, 57))
    );
    // 6. | Total number of Receivables ... | 61,532
    assert_eq!(c.figure("pool.count"), Some(printed(dec!(61532), 0, 11)));
    assert_eq!(c.value("6", 0).unwrap().unit, Unit::Count);
    // a. 31 to 60 days past due | 1,254 | $ | 26,607,200.99
    assert_eq!(
        c.figure("pool.delinquent_31_60_count"),
        Some(printed(dec!(1254), 0, 190))
    );
    assert_eq!(
        c.figure("pool.delinquent_31_60"),
        Some(printed(dec!(26607200.99), 2, 190))
    );
    // f. Delinquent Loans as a percentage ... | 3.8532 | %
    assert_eq!(
        c.figure("pool.delinquency_percent"),
        Some(printed(dec!(0.038532), 6, 195))
    );
    // 75. | Has a Delinquency Trigger Event occurred? | No
    assert_eq!(
        c.figure("delinquency_trigger"),
        Some(printed(dec!(0), 0, 196))
    );
    assert_eq!(c.value("75", 0).unwrap().unit, Unit::Flag);
    // t. Total Class A-4 Note Interest (sum q - s) | $ | 407,694.08
    let t = c.row("29t").unwrap();
    assert_eq!(
        (t.line, t.label.as_str()),
        (89, "Total Class A-4 Note Interest (sum q - s)")
    );
    assert_eq!(
        c.figure("class[A-4].interest_due"),
        Some(printed(dec!(407694.08), 2, 89))
    );

    // The first month prints the OC target and amount to the dollar.
    let (c, _) = load(&file("carmax-2024-2", "2024-05-15.txt"));
    assert_eq!(c.figure("oc.target"), Some(printed(dec!(12090686), 0, 33)));
    assert_eq!(c.value("10", 0).unwrap().unit, Unit::Dollars);
}

#[test]
fn a_figure_printed_several_times_is_one_path_with_every_print() {
    let (c, _) = load(&file("carmax-2024-2", "2025-04-15.txt"));
    let prints = |path: &str| -> Vec<(usize, Decimal, String)> {
        c.figures()
            .into_iter()
            .filter(|(p, ..)| p == path)
            .map(|(_, v, label)| (v.line, v.value, label))
            .collect()
    };
    // 44c, 45q, 46i and 61: 48,058,772.68 four times.
    let deposit = prints("account[note_payment].deposit");
    assert_eq!(
        deposit.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![126, 147, 157, 174]
    );
    assert!(deposit.iter().all(|p| p.1 == dec!(48058772.68)));
    assert_eq!(
        deposit[3].2,
        "Amount to be deposited from the Collection Account into the Note Payment Account"
    );
    // 44e, 47, 48, 62, 73: the excess collections, 2,026,134.42.
    let remainder = prints("remainder");
    assert_eq!(remainder.len(), 5);
    assert!(remainder.iter().all(|p| p.1 == dec!(2026134.42)));
    // 46b and 66: A-2a's distribution, 34,182,535.49.
    let a2a = prints("class[A-2a].total_distribution");
    assert_eq!(
        a2a.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
        vec![(150, dec!(34182535.49)), (181, dec!(34182535.49))]
    );
    // 24, 43c, 52, 59: the reserve draw.
    assert_eq!(prints("account[reserve].draw").len(), 4);
    // 1 and 86: the pool balance at the start.
    assert_eq!(
        prints("pool.beginning_balance")
            .iter()
            .map(|p| p.0)
            .collect::<Vec<_>>(),
        vec![6, 207]
    );
}

#[test]
fn every_mapped_figure_is_listed_once_per_print() {
    let (c, _) = load(&file("carmax-2025-2", "2025-05-15.txt"));
    let figures = c.figures();
    let values: usize = c.rows.iter().map(|r| r.values.len()).sum();
    assert_eq!(figures.len(), values);
    // Rows 8a-8i, 9a-9i, 74a-74e, 76, 77, 80 and 81 print two figures: 27
    // rows; the other figure rows one.
    let two = c.rows.iter().filter(|r| r.values.len() == 2).count();
    assert_eq!(two, 27);
}
