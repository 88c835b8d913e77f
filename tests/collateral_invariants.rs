//! Properties every collateral projection keeps, whatever the scenario: cash is
//! conserved to the cent, no balance goes negative, zero speeds pay exactly
//! the schedule, more defaults never mean more voluntary prepayments, and
//! speeds parse, print and refuse nonsense.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::collateral::{
    ArmTerms, Assumptions, Defaults, LineFlows, LineState, LoanLine, PpcCurves, Prepay, RatePlan,
    collateral_table, project_line,
};
use waterfall::num::Num;

fn fixed(balance: Decimal, coupon: Decimal, original: u32, remaining: u32) -> LoanLine {
    LoanLine {
        id: "F".into(),
        group: "1".into(),
        balance,
        gross_coupon: coupon,
        net_coupon: (coupon - dec!(0.005)).max(Decimal::ZERO),
        original_term: original,
        remaining_term: remaining,
        arm: None,
    }
}

fn arm() -> LoanLine {
    LoanLine {
        id: "A".into(),
        group: "2".into(),
        balance: dec!(25000000),
        gross_coupon: dec!(0.0725),
        net_coupon: dec!(0.0675),
        original_term: 360,
        remaining_term: 357,
        arm: Some(ArmTerms {
            margin: dec!(0.055),
            months_to_next_reset: 22,
            reset_period: 6,
            periodic_cap: dec!(0.01),
            life_cap: dec!(0.1325),
            life_floor: dec!(0.0725),
        }),
    }
}

fn assumptions(prepay: &str, defaults: &str, lag: u32, advancing: bool) -> Assumptions {
    Assumptions {
        prepay: prepay.parse().unwrap(),
        defaults: defaults.parse().unwrap(),
        severity: dec!(0.35),
        lag,
        advancing,
        ppc: PpcCurves::default(),
    }
}

/// A rising index: 1.5% growing 5bp a month (resets hit the periodic cap).
fn index(m: u32) -> Decimal {
    dec!(0.015) + dec!(0.0005) * Decimal::from(m)
}

fn lines() -> Vec<LoanLine> {
    vec![
        fixed(dec!(100000000), dec!(0.08), 360, 360),
        fixed(dec!(12345678.91), dec!(0.0675), 360, 300),
        fixed(dec!(987654.32), dec!(0.0925), 180, 40),
        fixed(dec!(50000), dec!(0), 60, 60),
        arm(),
    ]
}

fn scenarios() -> Vec<Assumptions> {
    let mut out = Vec::new();
    for (p, d) in [
        ("6CPR", "2CDR"),
        ("150PSA", "100SDA"),
        ("100PPC", "5CDR"),
        ("1SMM", "1MDR"),
        ("0CPR", "0CDR"),
        ("100SMM", "0CDR"),
        ("0CPR", "100MDR"),
        ("60SMM", "60MDR"),
        ("[2, 10, 40, 5]CPR", "[0, 8, 3]CDR"),
        ("400PSA", "1000SDA"),
    ] {
        for lag in [0, 1, 12] {
            for advancing in [true, false] {
                out.push(assumptions(p, d, lag, advancing));
            }
        }
    }
    out
}

fn all_amounts<T: Num>(f: &LineFlows<T>) -> [T; 16] {
    [
        f.performing_balance,
        f.new_defaults,
        f.in_foreclosure,
        f.expected_amortization,
        f.voluntary_prepayments,
        f.amort_from_defaults,
        f.actual_amortization,
        f.expected_interest,
        f.interest_lost,
        f.actual_interest,
        f.net_interest,
        f.principal_recovery,
        f.principal_loss,
        f.amortized_default_balance,
        f.principal_remittance,
        f.pool_balance,
    ]
}

#[test]
fn cash_is_conserved_to_the_cent_and_nothing_goes_negative() {
    for line in lines() {
        for a in scenarios() {
            let months = line.remaining_term + a.lag + 2;
            let flows = project_line::<Decimal>(&line, &a, months, index);
            let mut pool = line.balance;
            let (mut remitted, mut lost) = (Decimal::ZERO, Decimal::ZERO);
            for (i, f) in flows.iter().enumerate() {
                let month = i + 1;
                assert_eq!(
                    pool - f.principal_remittance - f.principal_loss,
                    f.pool_balance,
                    "line {} {a:?} month {month}: pool(i-1) - remittance - loss != pool(i)",
                    line.id
                );
                assert_eq!(f.pool_balance, f.performing_balance + f.in_foreclosure);
                for (k, v) in all_amounts(f).iter().enumerate() {
                    assert!(
                        *v >= Decimal::ZERO,
                        "line {} {a:?} month {month}: amount #{k} negative: {v}",
                        line.id
                    );
                    assert_eq!(v.round_cents(), *v, "not whole cents: {v}");
                }
                assert_eq!(
                    f.principal_recovery + f.principal_loss,
                    f.amortized_default_balance
                );
                assert_eq!(f.actual_interest, f.expected_interest - f.interest_lost);
                if a.advancing {
                    assert_eq!(
                        f.expected_amortization,
                        f.actual_amortization + f.amort_from_defaults
                    );
                } else {
                    assert_eq!(f.amort_from_defaults, Decimal::ZERO);
                }
                pool = f.pool_balance;
                remitted += f.principal_remittance;
                lost += f.principal_loss;
            }
            assert_eq!(pool, Decimal::ZERO, "line {} {a:?} not paid off", line.id);
            assert_eq!(remitted + lost, line.balance);
        }
    }
}

#[test]
fn the_f64_path_agrees_with_decimal_to_the_cent() {
    // The zero-coupon line is left out: its schedule factors are exact
    // fractions ((M − k)/M), so products land exactly on half cents, where the
    // two number types may round a tie differently and drift a few cents.
    for line in lines()
        .into_iter()
        .filter(|l| l.gross_coupon > Decimal::ZERO)
    {
        for a in scenarios() {
            let months = line.remaining_term;
            let exact = project_line::<Decimal>(&line, &a, months, index);
            let fast = project_line::<f64>(&line, &a, months, |m| index(m).to_f64());
            for (m, (e, f)) in exact.iter().zip(&fast).enumerate() {
                for (k, (x, y)) in all_amounts(e).iter().zip(all_amounts(f)).enumerate() {
                    let d = (x.to_f64() - y).abs();
                    assert!(
                        d <= 0.01 + 1e-6,
                        "line {} {a:?} month {}: amount #{k} Decimal {x} f64 {y}",
                        line.id,
                        m + 1
                    );
                }
            }
        }
    }
}

#[test]
fn zero_speeds_pay_exactly_the_level_payment_schedule() {
    // $100,000 at 6% for 12 months: monthly rate r = 0.005, level payment
    // P = 100000 × r / (1 − 1.005^−12) = 100000 × 0.005 / 0.0580953... = 8,606.64.
    // Month 1: interest 100000 × 0.005 = 500.00, principal 8606.64 − 500 =
    // 8106.64, balance 91,893.36; month 2: interest 459.47, principal
    // 8147.17; ... A hand schedule pays 8,606.64 each month and lets the last
    // payment take the rounding (principal 8,563.87). The engine re-derives the
    // unrounded level payment from each month's balance, so its principal may
    // differ from the hand table's by a cent a month, with the last month
    // absorbing the difference; the interest is the same to the cent.
    let hand: [(Decimal, Decimal); 12] = [
        (dec!(500.00), dec!(8106.64)),
        (dec!(459.47), dec!(8147.17)),
        (dec!(418.73), dec!(8187.91)),
        (dec!(377.79), dec!(8228.85)),
        (dec!(336.65), dec!(8269.99)),
        (dec!(295.30), dec!(8311.34)),
        (dec!(253.74), dec!(8352.90)),
        (dec!(211.98), dec!(8394.66)),
        (dec!(170.00), dec!(8436.64)),
        (dec!(127.82), dec!(8478.82)),
        (dec!(85.43), dec!(8521.21)),
        (dec!(42.82), dec!(8563.87)),
    ];
    let line = fixed(dec!(100000), dec!(0.06), 12, 12);
    let a = assumptions("0CPR", "0CDR", 3, true);
    let rows = collateral_table(&line, &a);
    assert_eq!(rows.len(), 12);
    let mut total = Decimal::ZERO;
    for (r, (interest, principal)) in rows.iter().zip(hand) {
        assert_eq!(r.expected_interest, interest, "month {}", r.month);
        assert_eq!(r.actual_interest, interest, "month {}", r.month);
        assert_eq!(r.actual_amortization, r.expected_amortization);
        let tolerance = if r.month < 12 { dec!(0.01) } else { dec!(0.05) };
        assert!(
            (r.actual_amortization - principal).abs() <= tolerance,
            "month {}: engine {} hand {principal}",
            r.month,
            r.actual_amortization
        );
        assert_eq!(r.voluntary_prepayments, Decimal::ZERO);
        assert_eq!(r.new_defaults, Decimal::ZERO);
        total += r.actual_amortization;
    }
    assert_eq!(rows[0].actual_amortization, dec!(8106.64));
    assert_eq!(total, dec!(100000));
    assert_eq!(rows[11].performing_balance, Decimal::ZERO);
}

#[test]
fn more_defaults_never_mean_more_voluntary_prepayments() {
    for line in lines() {
        for prepay in ["6CPR", "150PSA", "100PPC", "2SMM"] {
            let mut previous: Option<Decimal> = None;
            for cdr in ["0", "0.5", "1", "2", "5", "10", "25", "50", "100"] {
                let a = assumptions(prepay, &format!("{cdr}CDR"), 6, true);
                let total: Decimal = project_line::<Decimal>(&line, &a, line.remaining_term, index)
                    .iter()
                    .map(|f| f.voluntary_prepayments)
                    .sum();
                if let Some(p) = previous {
                    assert!(
                        total <= p,
                        "line {} {prepay} {cdr}CDR: {total} > {p}",
                        line.id
                    );
                }
                previous = Some(total);
            }
        }
    }
}

#[test]
fn a_paid_off_line_returns_zero_flows() {
    let line = fixed(dec!(1000), dec!(0.07), 360, 360);
    let a = assumptions("100SMM", "0CDR", 12, true);
    let plan = RatePlan::<Decimal>::for_line(&a, &line, 360);
    let mut state = LineState::new(&line, &plan);
    let first = state.step(1, Decimal::ZERO);
    assert_eq!(first.pool_balance, Decimal::ZERO);
    assert!(state.is_done());
    assert_eq!(state.step(2, Decimal::ZERO), LineFlows::ZERO);
}

#[test]
fn defaults_stop_in_the_last_lag_months_and_the_pipeline_empties() {
    let line = fixed(dec!(1000000), dec!(0.08), 360, 24);
    let a = assumptions("0CPR", "10CDR", 6, true);
    let flows = project_line::<Decimal>(&line, &a, 24, |_| Decimal::ZERO);
    assert!(flows[17].new_defaults > Decimal::ZERO);
    for f in &flows[18..] {
        assert_eq!(f.new_defaults, Decimal::ZERO);
    }
    assert_eq!(flows[23].in_foreclosure, Decimal::ZERO);
    assert_eq!(flows[23].pool_balance, Decimal::ZERO);
}

#[test]
fn without_advancing_the_liquidated_balance_is_the_defaulted_balance() {
    let line = fixed(dec!(1000000), dec!(0.08), 360, 360);
    let a = assumptions("0CPR", "1MDR", 3, false);
    let flows = project_line::<Decimal>(&line, &a, 10, |_| Decimal::ZERO);
    assert_eq!(flows[3].amortized_default_balance, flows[0].new_defaults);
    assert_eq!(
        flows[3].principal_loss,
        (flows[0].new_defaults * dec!(0.35)).round_cents()
    );
    assert!(flows.iter().all(|f| f.amort_from_defaults == Decimal::ZERO));
}

#[test]
fn an_arm_resets_within_its_caps_and_moves_net_with_gross() {
    let line = arm();
    let a = assumptions("0CPR", "0CDR", 0, true);
    let plan = RatePlan::<Decimal>::for_line(&a, &line, 60);
    let mut state = LineState::new(&line, &plan);
    let mut coupons = Vec::new();
    for m in 1..=40 {
        state.step(m, dec!(0.05));
        coupons.push((state.gross_coupon(), state.net_coupon()));
    }
    // Index 5% + margin 5.5% = 10.5%, reached one 1% periodic cap at a time
    // from 7.25%: months 22, 28, 34, 40.
    assert_eq!(coupons[20].0, dec!(0.0725));
    assert_eq!(coupons[21].0, dec!(0.0825));
    assert_eq!(coupons[27].0, dec!(0.0925));
    assert_eq!(coupons[33].0, dec!(0.1025));
    assert_eq!(coupons[39].0, dec!(0.105));
    for (g, n) in &coupons {
        assert_eq!(*g - *n, dec!(0.005));
    }
}

#[test]
fn speeds_parse_and_round_trip() {
    for (text, shown) in [
        ("6CPR", "6CPR"),
        ("6.50 cpr", "6.5CPR"),
        ("1smm", "1SMM"),
        ("150PSA", "150PSA"),
        ("100ppc", "100PPC"),
        ("0.5CPR", "0.5CPR"),
        ("[6, 8,10]cpr", "6 8 10 CPR"),
    ] {
        let p: Prepay = text.parse().unwrap();
        assert_eq!(p.to_string(), shown);
        assert_eq!(shown.parse::<Prepay>().unwrap(), p);
    }
    assert_eq!("6cpr".parse::<Prepay>().unwrap(), Prepay::Cpr(dec!(6)));
    for (text, shown) in [
        ("2CDR", "2CDR"),
        ("1mdr", "1MDR"),
        ("100 SDA", "100SDA"),
        ("[1, 2.5]CDR", "1 2.5 CDR"),
    ] {
        let d: Defaults = text.parse().unwrap();
        assert_eq!(d.to_string(), shown);
        assert_eq!(shown.parse::<Defaults>().unwrap(), d);
    }
    assert_eq!(
        "100SDA".parse::<Defaults>().unwrap(),
        Defaults::Sda(dec!(100))
    );
}

#[test]
fn bad_speeds_are_refused_with_messages() {
    let err = |s: &str| s.parse::<Prepay>().unwrap_err().to_string();
    assert_eq!(
        err("12XYZ"),
        "expected a prepayment speed like 6CPR, 1SMM, 150PSA, 100PPC, 1.5ABS, 20HEP or 5 12R 20 CPR, found '12XYZ'"
    );
    assert!(
        err("CPR").contains("expected a prepayment speed"),
        "{}",
        err("CPR")
    );
    // A number without a unit is a CPR (as in the market's vector notation).
    assert_eq!("6".parse::<Prepay>().unwrap(), Prepay::Cpr(dec!(6)));
    assert!(
        err("-6CPR").contains("must not be negative"),
        "{}",
        err("-6CPR")
    );
    assert!(
        err("101CPR").contains("between 0 and 100"),
        "{}",
        err("101CPR")
    );
    assert!(err("2CDR").contains("found '2CDR'"));
    assert!(
        err("[]CPR").contains("at least one value"),
        "{}",
        err("[]CPR")
    );
    assert!(
        err("[5, x]CPR").contains("after \"5\", found \"x\""),
        "{}",
        err("[5, x]CPR")
    );
    assert!(
        err("[5, 200]CPR").contains("period 2"),
        "{}",
        err("[5, 200]CPR")
    );
    let derr = |s: &str| s.parse::<Defaults>().unwrap_err().to_string();
    assert_eq!(
        derr("6CPR"),
        "expected a default speed like 2CDR, 1MDR, 100SDA or 1 12R 4 CDR, found '6CPR'"
    );
    assert!(derr("-1SDA").contains("must not be negative"));
    assert!(derr("120MDR").contains("between 0 and 100"));
    // Large curve multiples are valid; their rates are capped at 100%.
    assert!("5000PSA".parse::<Prepay>().is_ok());
}

/// A month's interest that is an exact half cent rounds up, in both number
/// types. $10,002.00 at a 7.00% net coupon earns 10,002.00 × 0.07 / 12 =
/// 700.14 / 12 = 58.345 exactly, so 58.35; at the 7.50% gross coupon,
/// 10,002.00 × 0.075 / 12 = 750.15 / 12 = 62.5125, so 62.51. Computed with
/// the monthly rate 0.07 / 12 cut to 28 digits first, the net figure would
/// land a hair under the half and round down to 58.34.
#[test]
fn an_exact_half_cent_of_interest_rounds_up_in_decimal_and_f64() {
    let mut line = fixed(dec!(10002.00), dec!(0.075), 360, 360);
    line.net_coupon = dec!(0.07);
    let a = assumptions("0CPR", "0CDR", 0, true);
    let exact = project_line::<Decimal>(&line, &a, 1, |_| Decimal::ZERO);
    assert_eq!(exact[0].net_interest, dec!(58.35));
    assert_eq!(exact[0].expected_interest, dec!(62.51));
    let fast = project_line::<f64>(&line, &a, 1, |_| 0.0);
    assert_eq!(fast[0].net_interest, 58.35);
    assert_eq!(fast[0].expected_interest, 62.51);
}
