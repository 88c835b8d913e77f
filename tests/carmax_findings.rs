//! What the CarMax certificates' figures show about the deals' terms, for
//! the deal files and the reconciliation: each finding is worked out by hand
//! for one month and then asserted for every month it applies to.

use std::path::{Path, PathBuf};

use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;
use waterfall::report::carmax::{self, Certificate};

fn filings(deal: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deals")
        .join(deal)
        .join("filings");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn certificates(deal: &str) -> Vec<Certificate> {
    filings(deal)
        .iter()
        .map(|p| {
            carmax::parse(p, &std::fs::read_to_string(p).unwrap())
                .unwrap()
                .0
        })
        .collect()
}

fn both() -> Vec<Certificate> {
    let mut v = certificates("carmax-2024-2");
    v.extend(certificates("carmax-2025-2"));
    v
}

fn at(c: &Certificate, key: &str, slot: usize) -> Decimal {
    c.value(key, slot)
        .unwrap_or_else(|| panic!("{}: no {key}", c.path.display()))
        .printed
        .value
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn name(c: &Certificate) -> String {
    c.path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn a_2a_and_a_2b_share_principal_by_original_balance_a_2a_rounded_half_up() {
    // 2025-04-15: 32,966,925.08 + 10,050,891.79 = 43,017,816.87;
    // x 410 / 535 = 32,966,925.0778...: 32,966,925.08 to A-2a, the rest to A-2b.
    let total = dec!(32966925.08) + dec!(10050891.79);
    assert_eq!(total, dec!(43017816.87));
    assert_eq!(cents(total * dec!(410) / dec!(535)), dec!(32966925.08));
    // 2024-11-15, the month A-1 is retired: A-1 takes its whole balance,
    // 17,093,580.14 (8a.1), and A-2 the rest: 23,055,953.61 + 7,029,254.15.
    let c = certificates("carmax-2024-2");
    let nov = c.iter().find(|c| name(c) == "2024-11-15.txt").unwrap();
    assert_eq!(at(nov, "45i", 0), dec!(17093580.14));
    assert_eq!(at(nov, "8a", 0), dec!(17093580.14));
    assert_eq!(
        cents(dec!(30085207.76) * dec!(410) / dec!(535)),
        dec!(23055953.61)
    );
    let mut paying = Vec::new();
    for (certs, (a, b)) in [
        (c, (dec!(410), dec!(125))),
        (certificates("carmax-2025-2"), (dec!(350), dec!(161.51))),
    ] {
        for c in &certs {
            let (pa, pb) = (at(c, "45j", 0), at(c, "45k", 0));
            if (pa + pb).is_zero() {
                continue;
            }
            assert_eq!(pa, cents((pa + pb) * a / (a + b)), "{}", name(c));
            // And their factors stay equal.
            assert_eq!(at(c, "9b", 1), at(c, "9c", 1), "{}", name(c));
            paying.push(name(c));
        }
    }
    // 2024-2 pays A-2 from the month A-1 is retired; 2025-2 not yet.
    assert_eq!(
        paying,
        vec![
            "2024-11-15.txt",
            "2024-12-16.txt",
            "2025-01-15.txt",
            "2025-02-18.txt",
            "2025-03-17.txt",
            "2025-04-15.txt"
        ]
    );
}

#[test]
fn the_servicing_fee_is_one_percent_a_year_whatever_row_26_prints() {
    // 2025-04-15: 1,104,987,677.14 x 1% / 12 = 920,823.0642...: 920,823.06;
    // 0.15% / 12 would be 138,123.46.
    assert_eq!(
        cents(dec!(1104987677.14) * dec!(0.01) / dec!(12)),
        dec!(920823.06)
    );
    for c in both() {
        assert_eq!(at(&c, "26", 0), dec!(0.0015), "{}", name(&c));
        assert_eq!(
            at(&c, "26a", 0),
            cents(at(&c, "1", 0) * dec!(0.01) / dec!(12)),
            "{}",
            name(&c)
        );
    }
}

#[test]
fn the_reserve_stays_at_a_quarter_percent_and_releases_its_earnings_to_the_depositor() {
    // 1,612,091,400.06 x 0.25% = 4,030,228.500...; 1,410,579,421.74 x 0.25%
    // = 3,526,448.554...; row 49's label says 1.00%.
    assert_eq!(cents(dec!(1612091400.06) * dec!(0.0025)), dec!(4030228.50));
    assert_eq!(cents(dec!(1410579421.74) * dec!(0.0025)), dec!(3526448.55));
    for c in both() {
        let n = name(&c);
        assert_eq!(at(&c, "49", 0), cents(at(&c, "7", 0) * dec!(0.0025)), "{n}");
        assert!(c.row("49").unwrap().label.contains("1.00%"), "{n}");
        // Earnings (51) go to the depositor (56, 64b), none to principal or
        // the servicer (55a, 55b); the balance ends at the required amount.
        assert_eq!(at(&c, "56", 0), at(&c, "51", 0), "{n}");
        assert_eq!(at(&c, "64b", 0), at(&c, "51", 0), "{n}");
        assert!(
            at(&c, "55a", 0).is_zero() && at(&c, "55b", 0).is_zero(),
            "{n}"
        );
        assert_eq!(at(&c, "57", 0), at(&c, "49", 0), "{n}");
        // Every month earns something but 2025-2's first (closed 2025-05-02).
        let first_of_2025_2 = c.trust.ends_with("2025-2") && n == "2025-05-15.txt";
        assert_eq!(at(&c, "51", 0).is_zero(), first_of_2025_2, "{n}");
    }
}

#[test]
fn the_notes_are_paid_down_to_the_overcollateralization_target() {
    // 2024-2: 0.75% of 1,612,091,400.06 = 12,090,685.500...; row 10 prints
    // it to the dollar, 12,090,686, until 2025-03-17.
    assert_eq!(cents(dec!(1612091400.06) * dec!(0.0075)), dec!(12090685.50));
    for c in certificates("carmax-2024-2") {
        let n = name(&c);
        let pool_less_notes = at(&c, "5", 0) - at(&c, "8i", 1);
        assert_eq!(pool_less_notes, dec!(12090685.50), "{n}");
        let printed = c.value("10", 0).unwrap().printed;
        let to_the_dollar = n.as_str() < "2025-04-15.txt";
        assert_eq!(printed.decimals, if to_the_dollar { 0 } else { 2 }, "{n}");
        assert_eq!(
            printed.value,
            if to_the_dollar {
                dec!(12090686)
            } else {
                dec!(12090685.50)
            },
            "{n}"
        );
    }
    // 2025-2: 0.75% of 1,410,579,421.74 would be 10,579,345.66; row 10
    // prints, and the notes are paid down to, the closing
    // overcollateralization: 1,410,579,421.74 - 1,400,000,000.00
    // = 10,579,421.74, 76.08 more.
    assert_eq!(cents(dec!(1410579421.74) * dec!(0.0075)), dec!(10579345.66));
    assert_eq!(dec!(1410579421.74) - dec!(1400000000), dec!(10579421.74));
    for c in certificates("carmax-2025-2") {
        let n = name(&c);
        assert_eq!(at(&c, "10", 0), dec!(10579421.74), "{n}");
        assert_eq!(at(&c, "5", 0) - at(&c, "8i", 1), dec!(10579421.74), "{n}");
    }
}

#[test]
fn the_a_2b_rate_is_the_sofr_average_plus_the_spread() {
    for (deal, spread) in [
        ("carmax-2024-2", dec!(0.0058)),
        ("carmax-2025-2", dec!(0.0069)),
    ] {
        for c in certificates(deal) {
            assert_eq!(at(&c, "16", 0) - at(&c, "15", 0), spread, "{}", name(&c));
        }
    }
}
