//! The block stepper (lines of one plan stepped together, structure-of-arrays,
//! in whole cents) pays the same cents, line by line and group by group,
//! every month, as the line stepper in f64 and as the exact Decimal path, on
//! tapes mixing fixed and ARM lines, terms, seasoning, lines about to mature
//! and lines of zero balance; and one level-pay month checked by hand.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use waterfall::collateral::{
    ArmTerms, Assumptions, Blocks, Defaults, GroupMonth, LinePool, LoanLine, PpcCurves, Prepay,
    RatePlan,
};
use waterfall::num::Num;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// `n` lines of varied plans. With `round_rates`, every coupon, margin and
/// cap is a multiple of 0.12%, so a monthly rate is a terminating decimal;
/// otherwise coupons step by 0.125%.
fn tape(n: usize, round_rates: bool) -> Vec<LoanLine> {
    let step = if round_rates {
        d("0.0012")
    } else {
        d("0.00125")
    };
    (0..n)
        .map(|i| {
            let gross = d("0.06") + step * Decimal::from(i % 9);
            let net = gross - step * Decimal::from(4);
            let balance = if i % 17 == 5 {
                Decimal::ZERO
            } else {
                Decimal::new(2_500_000 + (i as i64 * 7_919) % 40_000_000, 2)
            };
            let (original, remaining) = match i % 6 {
                0 => (360, 360 - (i as u32 % 40)),
                1 => (180, 180 - (i as u32 % 30)),
                2 => (240, 240 - (i as u32 % 12)),
                3 => (360, 1 + (i as u32 % 3)), // about to mature
                _ => (360, 300 + (i as u32 % 7)),
            };
            let arm = (i % 3 == 1).then(|| ArmTerms {
                margin: step * Decimal::from(20 + i % 5),
                months_to_next_reset: 1 + (i as u32 % 13),
                reset_period: if i % 2 == 0 { 6 } else { 12 },
                periodic_cap: step * Decimal::from(8),
                life_cap: gross + step * Decimal::from(50),
                life_floor: step * Decimal::from(20),
            });
            LoanLine {
                id: format!("L{i}"),
                group: String::new(),
                balance,
                gross_coupon: gross,
                net_coupon: net,
                original_term: original,
                remaining_term: remaining,
                arm,
            }
        })
        .collect()
}

fn scenarios() -> Vec<Assumptions> {
    let a = |prepay: &str, cdr: i64, severity: &str, lag: u32, advancing: bool| Assumptions {
        prepay: prepay.parse::<Prepay>().unwrap(),
        defaults: Defaults::Cdr(Decimal::new(cdr, 0)),
        severity: d(severity),
        lag,
        advancing,
        ppc: PpcCurves::default(),
    };
    vec![
        a("100PPC", 4, "0.40", 12, true),
        a("150PSA", 8, "0.55", 0, true),
        a("12CPR", 3, "0.35", 6, false),
    ]
}

/// The index each month: a path that moves, so ARM lines reset up and down
/// (multiples of 0.12%).
fn index(months: u32) -> Vec<Decimal> {
    (0..months)
        .map(|m| d("0.0012") * Decimal::from(30 + (m * 7) % 25))
        .collect()
}

/// Cents of each field of a group's month.
fn cents<T: Num>(g: &GroupMonth<T>) -> [i64; 7] {
    let c = |v: T| {
        (v.to_decimal() * Decimal::ONE_HUNDRED)
            .round()
            .to_i64()
            .unwrap()
    };
    [
        c(g.beginning),
        c(g.interest),
        c(g.scheduled),
        c(g.prepayments),
        c(g.recoveries),
        c(g.losses),
        c(g.in_foreclosure),
    ]
}

/// Every month's cents of every group, run by `pool`.
fn run<T: Num>(mut pool: LinePool<T>, months: u32, index: &[T]) -> Vec<Vec<[i64; 7]>> {
    (1..=months)
        .map(|m| {
            pool.month(m, index[m as usize - 1])
                .iter()
                .map(cents)
                .collect()
        })
        .collect()
}

/// Blocks, f64 lines and (when `exact`) Decimal lines agree, cent for cent.
fn agree(lines: &[LoanLine], groups: &[usize], ngroups: usize, exact: bool) {
    let months = 372;
    let idx = index(months);
    let idx_f: Vec<f64> = idx.iter().map(|i| i.to_f64().unwrap()).collect();
    for a in scenarios() {
        let mut plans = Vec::new();
        let blocks = LinePool::<f64>::from(Blocks::new(
            lines,
            groups,
            ngroups,
            &a,
            months,
            idx_f.clone(),
        ));
        let blocks = run(blocks, months, &idx_f);
        let by_line = run(
            LinePool::<f64>::lines(lines, groups, ngroups, &a, months, &mut plans),
            months,
            &idx_f,
        );
        let mut moved = 0i64;
        for (m, (b, l)) in blocks.iter().zip(&by_line).enumerate() {
            for (g, (b, l)) in b.iter().zip(l).enumerate() {
                assert_eq!(b, l, "{a:?}: month {} group {g}: blocks vs lines", m + 1);
                moved += b[3];
            }
        }
        assert!(moved > 0, "the scenario prepays something");
        if exact {
            let mut plans: Vec<RatePlan<Decimal>> = Vec::new();
            let exact = run(
                LinePool::<Decimal>::new(lines, groups, ngroups, &a, months, &idx, &mut plans),
                months,
                &idx,
            );
            for (m, (b, e)) in blocks.iter().zip(&exact).enumerate() {
                for (g, (b, e)) in b.iter().zip(e).enumerate() {
                    assert_eq!(b, e, "{a:?}: month {} group {g}: blocks vs exact", m + 1);
                }
            }
        }
    }
}

#[test]
fn blocks_pay_each_line_what_the_line_stepper_and_the_exact_path_pay() {
    // One group per line: the group sums are the lines' own flows.
    let lines = tape(240, true);
    let groups: Vec<usize> = (0..lines.len()).collect();
    agree(&lines, &groups, lines.len(), true);
}

#[test]
fn blocks_pay_each_group_what_the_line_stepper_and_the_exact_path_pay() {
    // Two groups of many lines each: blocks of many lanes.
    let lines = tape(3_000, true);
    let groups: Vec<usize> = (0..lines.len()).map(|i| (i / 7) % 2).collect();
    agree(&lines, &groups, 2, true);
}

#[test]
fn blocks_match_the_line_stepper_with_any_coupons() {
    // Coupons in eighths: a monthly rate repeats (7.125%/12), but interest
    // is balance × coupon ÷ 12 in one division, so an exact half cent is
    // still exact in Decimal and all three paths agree to the cent.
    let lines = tape(3_000, false);
    let groups: Vec<usize> = (0..lines.len()).map(|i| i % 3).collect();
    agree(&lines, &groups, 3, true);
    let groups: Vec<usize> = (0..600).collect();
    agree(&lines[..600], &groups, 600, true);
}

#[test]
fn one_level_pay_month_by_hand() {
    // $100,000.00 at 6% gross (5.5% net), 360 months left, 6 CPR, no defaults.
    //   payment   = B r / (1 − (1 + r)^−360), r = 0.005:   599.55
    //   interest  = 100,000.00 × 0.005                      500.00
    //   scheduled = 599.55 − 500.00                          99.55
    //   SMM       = 1 − (1 − 0.06)^(1/12)                    0.0051430128
    //   prepaid   = (100,000.00 − 99.55) × SMM              513.79
    //   net       = 100,000.00 × 0.055 / 12                 458.33
    //   ending    = 100,000.00 − 99.55 − 513.79          99,386.66
    let line = LoanLine {
        id: "L".into(),
        group: "1".into(),
        balance: d("100000.00"),
        gross_coupon: d("0.06"),
        net_coupon: d("0.055"),
        original_term: 360,
        remaining_term: 360,
        arm: None,
    };
    let a = Assumptions {
        prepay: "6CPR".parse::<Prepay>().unwrap(),
        defaults: Defaults::Cdr(Decimal::ZERO),
        severity: d("0.4"),
        lag: 12,
        advancing: true,
        ppc: PpcCurves::default(),
    };
    let smm = 1.0 - 0.94f64.powf(1.0 / 12.0);
    assert!((smm - 0.005_143_012_8).abs() < 1e-10);
    let mut plans = Vec::new();
    // A pool of one line runs the line stepper; the block stepper pays the same.
    let by_line = LinePool::<f64>::new(
        std::slice::from_ref(&line),
        &[0],
        1,
        &a,
        360,
        &[0.05; 360],
        &mut plans,
    );
    assert!(matches!(by_line, LinePool::Lines(..)));
    let in_blocks = LinePool::<f64>::from(Blocks::new(&[line], &[0], 1, &a, 360, vec![0.05; 360]));
    for mut pool in [by_line, in_blocks] {
        let m1 = pool.month(1, 0.05)[0];
        assert_eq!(m1.beginning, 100_000.00);
        assert_eq!(m1.scheduled, 99.55);
        assert_eq!(m1.prepayments, 513.79);
        assert_eq!(m1.interest, 458.33);
        assert_eq!(m1.losses + m1.recoveries + m1.in_foreclosure, 0.0);
        let m2 = pool.month(2, 0.05)[0];
        assert_eq!(m2.beginning, 99_386.66);
    }
}

#[test]
fn a_pool_large_enough_to_step_on_several_threads_pays_the_same() {
    // Over 8,192 lines: the blocks are stepped in parallel and summed in
    // block order.
    let lines = tape(9_000, false);
    let groups: Vec<usize> = (0..lines.len()).map(|i| (i / 5) % 2).collect();
    let months = 372;
    let idx: Vec<f64> = index(months).iter().map(|i| i.to_f64().unwrap()).collect();
    let a = &scenarios()[0];
    let mut plans = Vec::new();
    let blocks = LinePool::<f64>::new(&lines, &groups, 2, a, months, &idx, &mut plans);
    match &blocks {
        LinePool::Blocks(b, _) => assert!(b.lanes() >= 8_192),
        LinePool::Lines(_) => panic!("f64 runs blocks"),
    }
    let blocks = run(blocks, months, &idx);
    let mut plans = Vec::new();
    let by_line = run(
        LinePool::<f64>::lines(&lines, &groups, 2, a, months, &mut plans),
        months,
        &idx,
    );
    assert_eq!(blocks, by_line);
}
