//! Bond analytics checked against hand arithmetic (shown in each comment).

use waterfall::pricing::{
    Bond, Flow, bey_from_mortgage_yield, convexity, discount_margin, macaulay_duration,
    modified_duration, monthly_rate_from_price, mortgage_yield_from_price,
    price_from_discount_margin, price_from_mortgage_yield, price_from_yield, price_yield_table,
    weighted_average_life, yield_from_price,
};

fn flow(months: u32, principal: f64, interest: f64) -> Flow {
    Flow {
        months: months as f64,
        days: 30.0,
        principal,
        interest,
        index: 0.0,
    }
}

/// 100 face paid at month 12, no interest.
fn zero_12m() -> Bond {
    Bond {
        balance: 100.0,
        flows: vec![flow(12, 100.0, 0.0)],
    }
}

/// A level-pay 30-year mortgage on 100 at 6% (0.5% a month): payment
/// `100 × 0.005 / (1 − 1.005^−360)`, interest 0.5% of the balance, the rest principal.
fn mortgage_6pct() -> Bond {
    let r: f64 = 0.005;
    let payment = 100.0 * r / (1.0 - (1.0 + r).powi(-360));
    let mut balance = 100.0;
    let mut flows = Vec::new();
    for n in 1..=360 {
        let interest = balance * r;
        let principal = if n == 360 {
            balance
        } else {
            payment - interest
        };
        balance -= principal;
        flows.push(flow(n, principal, interest));
    }
    Bond {
        balance: 100.0,
        flows,
    }
}

/// 0.5 of interest a month on 100 for 24 months, par at month 24.
fn bullet_24m() -> Bond {
    Bond {
        balance: 100.0,
        flows: (1..=24)
            .map(|n| flow(n, if n == 24 { 100.0 } else { 0.0 }, 0.5))
            .collect(),
    }
}

/// A floater on 100 for 12 periods paying `(index_j + 0.50%) × days_j / 360`,
/// principal at the end.
fn floater(index: &[f64], days: &[f64]) -> Bond {
    let n = index.len();
    let flows = index
        .iter()
        .zip(days)
        .enumerate()
        .map(|(j, (&index, &days))| Flow {
            months: (j + 1) as f64,
            days,
            principal: if j + 1 == n { 100.0 } else { 0.0 },
            interest: 100.0 * (index + 0.005) * days / 360.0,
            index,
        })
        .collect();
    Bond {
        balance: 100.0,
        flows,
    }
}

fn floater_flat() -> Bond {
    floater(&[0.0112; 12], &[30.0; 12])
}

#[test]
fn zero_coupon_yield() {
    // 90 = 100 / (1+m)^12  →  1+m = (100/90)^(1/12) = (10/9)^(1/12).
    // BEY = 2((1+m)^6 − 1) = 2((10/9)^(1/2) − 1) = 2(√10/3 − 1).
    // √10 = 3.16227766016837933…, /3 = 1.05409255338945978…,
    // so BEY = 2 × 0.05409255338945978 = 0.10818510677891955…
    let bond = zero_12m();
    let m = monthly_rate_from_price(&bond, 90.0).unwrap();
    assert!((m - ((10.0f64 / 9.0).powf(1.0 / 12.0) - 1.0)).abs() < 1e-14);
    // ln(10/9) = 0.1053605156578263, /12 = 0.0087800429714855,
    // e^that − 1 = 0.0087800429714855 + 0.0000385445773 + 0.000000112811 + … ≈ 0.00881870
    assert!((m - 0.00881870).abs() < 1e-8, "{m}");
    let y = yield_from_price(&bond, 90.0).unwrap();
    assert!((y - 0.10818510677891955).abs() < 1e-13, "{y}");
    // Mortgage yield is 12m.
    let mey = mortgage_yield_from_price(&bond, 90.0).unwrap();
    assert!((mey - 12.0 * m).abs() < 1e-15);
}

#[test]
fn level_pay_mortgage_at_par_yields_its_rate() {
    // Each month the interest is 0.5% of the balance outstanding, so at m = 0.005
    // PV telescopes: PV(B_{n−1}) = (0.005·B_{n−1} + P_n + B_n)/1.005 = B_{n−1}; PV = 100.
    // Mortgage yield = 12 × 0.005 = 6%.
    // 1.005² = 1.010025; 1.005³ = 1.015075125; 1.005⁶ = 1.015075125²
    //   = 1 + 0.03015025 + 0.000227259393765625 = 1.030377509393765625,
    // BEY = 2 × 0.030377509393765625 = 0.06075501878753125.
    let bond = mortgage_6pct();
    let mey = mortgage_yield_from_price(&bond, 100.0).unwrap();
    assert!((mey - 0.06).abs() < 1e-12, "{mey}");
    let y = yield_from_price(&bond, 100.0).unwrap();
    assert!((y - 0.06075501878753125).abs() < 1e-12, "{y}");
    assert!((bey_from_mortgage_yield(0.06) - 0.06075501878753125).abs() < 1e-14);
}

#[test]
fn bullet_at_its_coupon_rate_is_par() {
    // v = 1/1.005: PV = 0.5 × (1 − v^24)/0.005 + 100 v^24 = 100(1 − v^24) + 100 v^24 = 100.
    let bond = bullet_24m();
    let p = price_from_mortgage_yield(&bond, 0.06);
    assert!((p - 100.0).abs() < 1e-9, "{p}");
    let p = price_from_yield(&bond, 0.06075501878753125);
    assert!((p - 100.0).abs() < 1e-9, "{p}");
}

#[test]
fn price_yield_round_trip() {
    // Price → yield → price returns the price; yield → price → yield returns the yield.
    for bond in [mortgage_6pct(), bullet_24m(), zero_12m()] {
        for price in [80.0, 95.0, 100.0, 105.0, 120.0] {
            let y = yield_from_price(&bond, price).unwrap();
            let back = price_from_yield(&bond, y);
            assert!((back - price).abs() < 1e-9, "{price} → {y} → {back}");
        }
        for y in [-0.01, 0.0, 0.03, 0.08, 0.25] {
            let p = price_from_yield(&bond, y);
            let back = yield_from_price(&bond, p).unwrap();
            assert!((back - y).abs() < 1e-12, "{y} → {p} → {back}");
        }
    }
}

#[test]
fn zero_yield_prices_at_undiscounted_total() {
    // At y = 0 every discount factor is 1: mortgage price = Σ payments
    // = 360 × 100·0.005/(1 − 1.005^−360) (principal 100 plus total interest).
    let bond = mortgage_6pct();
    let payment = 0.5 / (1.0 - 1.005f64.powi(-360));
    assert!((price_from_yield(&bond, 0.0) - 360.0 * payment).abs() < 1e-9);
}

#[test]
fn weighted_average_life_two_payments() {
    // (50 × 12/12 + 50 × 36/12) / 100 = (50 + 150)/100 = 2.0 years.
    let bond = Bond {
        balance: 100.0,
        flows: vec![flow(12, 50.0, 1.0), flow(24, 0.0, 1.0), flow(36, 50.0, 1.0)],
    };
    assert_eq!(weighted_average_life(&bond), Some(2.0));
    // Interest does not count; no principal, no WAL.
    let io = Bond {
        balance: 100.0,
        flows: vec![flow(12, 0.0, 1.0)],
    };
    assert_eq!(weighted_average_life(&io), None);
}

#[test]
fn zero_coupon_durations() {
    // One flow at t = 12 months: Macaulay = (12/12)·CF·v^12 / (CF·v^12) = 1 year at any yield.
    // At price 90, 1 + y/2 = (10/9)^(1/2) = √10/3, so modified = 1/(1 + y/2) = 3/√10
    //   = 0.3 × √10 = 0.948683298050513800…
    // Convexity = (t/12)(t/12 + 1/2)/(1 + y/2)² = 1 × 1.5 / (10/9) = 1.35.
    let bond = zero_12m();
    let y = yield_from_price(&bond, 90.0).unwrap();
    let mac = macaulay_duration(&bond, y).unwrap();
    assert!((mac - 1.0).abs() < 1e-15, "{mac}");
    assert!((macaulay_duration(&bond, 0.123).unwrap() - 1.0).abs() < 1e-15);
    let md = modified_duration(&bond, y).unwrap();
    assert!((md - 0.9486832980505138).abs() < 1e-13, "{md}");
    let cx = convexity(&bond, y).unwrap();
    assert!((cx - 1.35).abs() < 1e-12, "{cx}");
}

#[test]
fn modified_duration_matches_finite_difference() {
    // −(P(y+h) − P(y−h)) / (2hP), h = 1e-5: truncation error ~ h²·D³/6 ≈ 1e-10 × 10³,
    // well inside 1e-6.
    let h = 1e-5;
    let cases = [
        (zero_12m(), 0.10818510677891955),
        (mortgage_6pct(), 0.07),
        (mortgage_6pct(), 0.0),
        (bullet_24m(), 0.045),
    ];
    for (bond, y) in cases {
        let p = price_from_yield(&bond, y);
        let fd = -(price_from_yield(&bond, y + h) - price_from_yield(&bond, y - h)) / (2.0 * h * p);
        let md = modified_duration(&bond, y).unwrap();
        assert!(
            (md - fd).abs() < 1e-6,
            "y {y}: analytic {md}, finite difference {fd}"
        );
        // Modified = Macaulay / (1 + y/2).
        let mac = macaulay_duration(&bond, y).unwrap();
        assert!((md - mac / (1.0 + y / 2.0)).abs() < 1e-12);
    }
}

#[test]
fn convexity_matches_finite_difference() {
    // (P(y+h) + P(y−h) − 2P) / (h²P), h = 1e-4; relative agreement to 1e-5.
    let h = 1e-4;
    for (bond, y) in [
        (mortgage_6pct(), 0.07),
        (bullet_24m(), 0.045),
        (zero_12m(), 0.1),
    ] {
        let p = price_from_yield(&bond, y);
        let fd = (price_from_yield(&bond, y + h) + price_from_yield(&bond, y - h) - 2.0 * p)
            / (h * h * p);
        let cx = convexity(&bond, y).unwrap();
        assert!(
            ((cx - fd) / cx).abs() < 1e-5,
            "y {y}: analytic {cx}, finite difference {fd}"
        );
    }
}

#[test]
fn floater_at_its_margin_is_par() {
    // Coupon each period = 100 × (1.12% + 0.50%) × 30/360 = 100 × 0.0162/12 = 0.135,
    // discount per period at dm = 0.50%: 1 + 0.0162 × 30/360 = 1.00135. Coupon rate =
    // discount rate, so PV telescopes to 100 (as for the bullet above).
    let bond = floater_flat();
    assert!((bond.flows[0].interest - 0.135).abs() < 1e-15);
    let p = price_from_discount_margin(&bond, 0.005);
    assert!((p - 100.0).abs() < 1e-9, "{p}");
    let dm = discount_margin(&bond, 100.0).unwrap();
    assert!((dm - 0.005).abs() < 1e-9, "{dm}");
}

#[test]
fn floater_with_moving_index_and_actual_days_is_par_at_its_margin() {
    // The telescoping holds period by period for any index path and day counts:
    // (B·(i_j + 0.005)·d_j/360 + B) / (1 + (i_j + 0.005)·d_j/360) = B.
    let index = [
        0.0112, 0.0115, 0.0118, 0.0121, 0.0110, 0.0105, 0.0100, 0.0125, 0.0130, 0.0135, 0.0140,
        0.0150,
    ];
    let days = [
        31.0, 28.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0,
    ];
    let bond = floater(&index, &days);
    let dm = discount_margin(&bond, 100.0).unwrap();
    assert!((dm - 0.005).abs() < 1e-9, "{dm}");
}

#[test]
fn floater_below_par_has_wider_margin() {
    // Paying less than par for the same flows means a higher discount rate: dm > 0.50%.
    // Above par, dm < 0.50%. Each price is recovered from its margin.
    let bond = floater_flat();
    let below = discount_margin(&bond, 99.0).unwrap();
    assert!(below > 0.005, "{below}");
    let above = discount_margin(&bond, 101.0).unwrap();
    assert!(above < 0.005, "{above}");
    for (price, dm) in [(99.0, below), (101.0, above)] {
        assert!((price_from_discount_margin(&bond, dm) - price).abs() < 1e-9);
    }
    // Rough size: the bond's spread duration is about 0.97 years (12 months, par at the
    // end), so 1 point of price is about 1/0.97 ≈ 1.03% of spread: 0.005 + 0.0103 ≈ 0.0153.
    assert!((below - 0.0153).abs() < 0.001, "{below}");
}

#[test]
fn no_solution_is_none() {
    let bond = mortgage_6pct();
    for price in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        assert_eq!(yield_from_price(&bond, price), None, "{price}");
        assert_eq!(discount_margin(&floater_flat(), price), None, "{price}");
    }
    let empty = Bond {
        balance: 100.0,
        flows: vec![],
    };
    assert_eq!(yield_from_price(&empty, 100.0), None);
    assert_eq!(discount_margin(&empty, 100.0), None);
    assert!(price_from_yield(&empty, 0.05).is_nan());
    assert_eq!(modified_duration(&empty, 0.05), None);
    assert_eq!(weighted_average_life(&empty), None);

    let no_face = Bond {
        balance: 0.0,
        ..mortgage_6pct()
    };
    assert_eq!(yield_from_price(&no_face, 100.0), None);
    assert_eq!(discount_margin(&no_face, 100.0), None);
    assert!(price_from_yield(&no_face, 0.05).is_nan());
    assert!(price_from_discount_margin(&no_face, 0.005).is_nan());

    // Flows that are all zero cannot be worth a positive price.
    let nothing = Bond {
        balance: 100.0,
        flows: vec![flow(1, 0.0, 0.0), flow(2, 0.0, 0.0)],
    };
    assert_eq!(yield_from_price(&nothing, 100.0), None);
    assert_eq!(discount_margin(&nothing, 100.0), None);
}

#[test]
fn price_yield_table_rows() {
    // Two scenarios × two prices, scenario-major; WAL of the zero is 12/12 = 1 year
    // and of the two-payment schedule (50·1 + 50·3)/100 = 2 years.
    let two_payments = Bond {
        balance: 100.0,
        flows: vec![flow(12, 50.0, 0.0), flow(36, 50.0, 0.0)],
    };
    let scenarios = vec![
        ("fast".to_string(), zero_12m()),
        ("slow".to_string(), two_payments),
    ];
    let rows = price_yield_table(&scenarios, &[90.0, 100.0], false);
    assert_eq!(rows.len(), 4);
    let names: Vec<_> = rows
        .iter()
        .map(|r| (r.scenario.as_str(), r.price))
        .collect();
    assert_eq!(
        names,
        [
            ("fast", 90.0),
            ("fast", 100.0),
            ("slow", 90.0),
            ("slow", 100.0)
        ]
    );
    assert_eq!(rows[0].wal, Some(1.0));
    assert_eq!(rows[2].wal, Some(2.0));
    // Zero at 90: BEY 0.10818510677891955, modified duration 3/√10 (see zero_coupon_yield).
    assert!((rows[0].yield_bey.unwrap() - 0.10818510677891955).abs() < 1e-13);
    assert!((rows[0].modified_duration.unwrap() - 0.9486832980505138).abs() < 1e-12);
    // Principal only at par: yield 0.
    assert!(rows[3].yield_bey.unwrap().abs() < 1e-13);
    assert!(rows.iter().all(|r| r.discount_margin.is_none()));

    let floating = price_yield_table(&[("base".to_string(), floater_flat())], &[100.0], true);
    assert!((floating[0].discount_margin.unwrap() - 0.005).abs() < 1e-9);
}
