//! Settlement between distribution dates, accrued interest and prices in
//! 32nds, through the library, checked against hand arithmetic (shown in each
//! comment).

use chrono::NaiveDate;
use waterfall::calendar::DayCount;
use waterfall::pricing::quote::{format_32nds, parse_price};
use waterfall::pricing::settle::{ClassCashFlows, ClassPeriod, settle};
use waterfall::pricing::{bey_from_monthly_rate, modified_duration, yield_from_price};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A 5.00% 30/360 bullet of 1,000,000 paying 1,000,000 × 5%/12 = 4,166.67
/// of interest on the 15th of each month of 2004 and its principal on
/// 2004-12-15; the projection starts after the 2003-12-15 distribution.
fn bullet() -> ClassCashFlows {
    let mut f = ClassCashFlows::new(0, d(2003, 12, 15), 1_000_000.0);
    for m in 1..=12 {
        f.periods.push(ClassPeriod {
            date: d(2004, m, 15),
            days_actual: 30,
            principal: if m == 12 { 1_000_000.0 } else { 0.0 },
            interest: 1_000_000.0 * 0.05 / 12.0,
            rate: 0.05,
            ending: if m == 12 { 0.0 } else { 1_000_000.0 },
            index: 0.0,
        });
    }
    f
}

#[test]
fn a_five_percent_bond_ten_days_into_its_period_accrues_face_times_5_percent_times_10_over_360() {
    // 2003-12-15 to 2003-12-25 is 10 days 30/360:
    // accrued = 1,000,000 × 0.05 × 10/360 = 1,388.888...; per 100: 0.138888...
    let s = settle(&bullet(), DayCount::Thirty360, d(2003, 12, 25)).unwrap();
    assert_eq!(s.accrued_days, 10);
    assert!((s.face * s.accrued / 100.0 - 1_388.888_888_888_9).abs() < 1e-6);
    assert!((s.accrued - 0.138_888_888_888_889).abs() < 1e-14);
}

#[test]
fn the_clean_price_at_the_coupon_yield_is_par_grown_for_the_days_elapsed_less_accrued() {
    // At the monthly rate m = 0.05/12 the flows are worth exactly 100 at the
    // 2003-12-15 distribution (coupon = discount rate). Ten days (a third of
    // the 30/360 month) later they are worth 100 × (1 + m)^(1/3): that is the
    // dirty price, and the clean price is that less the accrued 5 × 10/360.
    // The yield of that clean price is the BEY of m: 2((1 + m)^6 − 1).
    let m: f64 = 0.05 / 12.0;
    let dirty = 100.0 * (1.0 + m).powf(1.0 / 3.0);
    let clean = dirty - 5.0 * 10.0 / 360.0;
    // ln(1 + 1/240) = 1/240 − 1/(2·240²) + 1/(3·240³) − ... = 0.00415801,
    // a third of it 0.00138600, e^0.00138600 = 1 + 0.00138600 + 0.00000096 =
    // 1.00138696: dirty 100.138696, clean 100.138696 − 0.138889 = 99.999807.
    assert!((dirty - 100.138_696).abs() < 1e-6, "{dirty}");
    assert!((clean - 99.999_807).abs() < 1e-6, "{clean}");
    let s = settle(&bullet(), DayCount::Thirty360, d(2003, 12, 25)).unwrap();
    let y = yield_from_price(&s.bond, s.dirty(clean)).unwrap();
    assert!((y - bey_from_monthly_rate(m)).abs() < 1e-12, "{y}");
    // A third of a month nearer every flow: the modified duration shrinks by
    // 1/3 month against settling on the distribution date, to first order
    // (Macaulay falls by exactly 1/36 of a year at the same yield).
    let on_date = settle(&bullet(), DayCount::Thirty360, d(2003, 12, 15)).unwrap();
    let md_later = modified_duration(&s.bond, y).unwrap();
    let md_on = modified_duration(&on_date.bond, y).unwrap();
    let expected = (1.0 / 36.0) / (1.0 + y / 2.0);
    assert!(((md_on - md_later) - expected).abs() < 1e-12);
}

#[test]
fn the_price_given_at_settlement_on_the_distribution_date_is_dirty_and_clean() {
    // No accrued interest on a distribution date: par at the coupon yield.
    let s = settle(&bullet(), DayCount::Thirty360, d(2003, 12, 15)).unwrap();
    assert_eq!(s.accrued, 0.0);
    let y = yield_from_price(&s.bond, s.dirty(100.0)).unwrap();
    assert!((y - bey_from_monthly_rate(0.05 / 12.0)).abs() < 1e-12);
}

#[test]
fn thirty_seconds_in_and_out() {
    // 99-16 = 99 + 16/32 = 99.5; 99-16+ = 99 + 16.5/32 = 99.515625;
    // 99-163 = 99 + 16.375/32 = 99.51171875.
    for (text, value) in [
        ("99-16", "99.5"),
        ("99-16+", "99.515625"),
        ("99-163", "99.51171875"),
        ("99.5", "99.5"),
    ] {
        assert_eq!(parse_price(text).unwrap().to_string(), value, "{text}");
    }
    assert_eq!(format_32nds(99.515625), "99-16+");
    assert_eq!(format_32nds(99.51171875), "99-163");
    // 101.3 × 256 = 25932.8: nearest 25933 = 101 × 256 + 77, 77 = 9 × 8 + 5: 101-095.
    assert_eq!(format_32nds(101.3), "101-095");
}
