//! The bundled deal files load, with their printed terms.

use std::path::{Path, PathBuf};

use rust_decimal_macros::dec;
use waterfall::deal::{CouponKind, Deal};

fn deal_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deals")
        .join(name)
}

#[test]
fn he4_deal_file_loads_with_its_printed_terms() {
    let deal = Deal::load(&deal_dir("absc-2003-he4")).unwrap();
    assert_eq!(deal.classes.len(), 16);
    let a1 = &deal.classes[deal.class_index("A-1").unwrap()];
    assert_eq!(a1.original_balance, dec!(504000000));
    match &a1.coupon.kind {
        CouponKind::Floating { multiplier, margin } => {
            assert_eq!(multiplier.exact, dec!(1));
            assert_eq!(margin.exact, dec!(0.0035));
        }
        k => panic!("A-1's coupon floats: {k:?}"),
    }
    // X holds the OC and has no balance of its own.
    let x = deal.class_index("X").unwrap();
    assert_eq!(deal.oc.as_ref().and_then(|o| o.holder), Some(x));
    assert!(!deal.principal_classes().any(|k| k == x));
}

#[test]
fn he2_deal_file_loads() {
    let deal = Deal::load(&deal_dir("absc-2003-he2")).unwrap();
    assert_eq!(deal.classes.len(), 13);
}

#[test]
fn every_bundled_deal_loads_and_reads_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("deals");
    let mut n = 0;
    for e in std::fs::read_dir(&root).unwrap() {
        let dir = e.unwrap().path();
        if !dir.join("deal.toml").exists() {
            continue;
        }
        let deal = Deal::load(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let text = waterfall::deal::show(&deal);
        assert!(text.contains(&deal.name), "{}", dir.display());
        for c in &deal.classes {
            assert!(text.contains(&c.name), "{}: {}", dir.display(), c.name);
        }
        n += 1;
    }
    assert!(n >= 2, "found {n} deals");
}
