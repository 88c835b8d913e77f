//! The bundled deal files load, and bad deal files are refused with the file,
//! line and column of each problem.

use std::path::{Path, PathBuf};

use rust_decimal_macros::dec;
use waterfall::deal::{ClassKind, Coupon, Deal};

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
    assert_eq!(
        a1.coupon,
        Coupon::Floating {
            margin: dec!(0.0035),
            margin_after_call: dec!(0.0070)
        }
    );
    let x = &deal.classes[deal.class_index("X").unwrap()];
    assert_eq!(x.kind, ClassKind::Excess);
}

#[test]
fn he2_deal_file_loads() {
    let deal = Deal::load(&deal_dir("absc-2003-he2")).unwrap();
    assert_eq!(deal.classes.len(), 13);
}
