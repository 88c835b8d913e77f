//! Shifting interest in deals/example-prime-jumbo: the seniors' share of
//! scheduled and unscheduled principal, the subordinates' share and their
//! class prepayment distribution tests, losses from B-6 up and then pro rata
//! across the seniors. Periods are built by hand (the balances set in the
//! state, the collateral's cash in the input) and every figure is worked out
//! by hand in the test; the 300 PSA run checks each month against the same
//! arithmetic done from that month's inputs.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::deal::Deal;
use waterfall::projection::{Projection, Recorder};
use waterfall::scenario::ScenarioSet;
use waterfall::waterfall::{
    DayFractions, DealState, Engine, GroupCash, NoLedger, PeriodInput, PeriodResult,
};

const SUBS: [&str; 6] = ["B-1", "B-2", "B-3", "B-4", "B-5", "B-6"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn jumbo() -> Deal {
    Deal::load(&root().join("deals/example-prime-jumbo")).unwrap()
}

fn k(d: &Deal, name: &str) -> usize {
    d.class_index(name).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A regular 30-day month numbered `period`, on a pool of `pool`.
fn input(
    period: u32,
    pool: Decimal,
    interest: Decimal,
    scheduled: Decimal,
    prepaid: Decimal,
) -> PeriodInput<Decimal> {
    PeriodInput {
        date: date("2010-07-26"),
        period,
        accrual_start: date("2010-06-25"),
        days_actual: 31,
        days: DayFractions::from_ratios(&[(31, 360), (30, 360), (31, 365), (31, 365), (1, 12)]),
        index: dec!(0.03),
        next_date: date("2010-08-25"),
        groups: vec![GroupCash {
            beginning_balance: pool,
            interest,
            scheduled_principal: scheduled,
            prepayments: prepaid,
            net_wac: dec!(0.0575),
            ..GroupCash::zero()
        }],
        premiums: Decimal::ZERO,
        delinquent_60_plus: Decimal::ZERO,
        earnings: vec![Decimal::ZERO; 3],
        counterparty_default: false,
        swap_termination: Decimal::ZERO,
    }
}

/// The state with the classes at the balances given (the rest as at closing).
fn state(d: &Deal, balances: &[(&str, Decimal)]) -> DealState<Decimal> {
    let mut s = DealState::at_closing(d);
    for (name, b) in balances {
        s.balances[k(d, name)] = *b;
    }
    s
}

fn run(
    d: &Deal,
    state: &mut DealState<Decimal>,
    i: &PeriodInput<Decimal>,
) -> PeriodResult<Decimal> {
    let mut engine = Engine::<Decimal>::new(d);
    let mut out = engine.result();
    engine.run(state, i, &mut out, &mut NoLedger).unwrap();
    out
}

fn principal(d: &Deal, out: &PeriodResult<Decimal>, names: &[&str]) -> Vec<Decimal> {
    names
        .iter()
        .map(|n| out.classes[k(d, n)].principal)
        .collect()
}

/// At period 61: A-1 retired, A-2 200,500,000, A-3 27,000,000 (seniors
/// 227,500,000); B-1 9,000,000, B-2 4,500,000, B-3 3,150,000, B-4 2,250,000,
/// B-5 1,800,000, B-6 1,800,000 (subordinates 22,500,000); pool 250,000,000.
fn period_61(d: &Deal) -> DealState<Decimal> {
    state(
        d,
        &[
            ("A-1", dec!(0)),
            ("A-2", dec!(200500000)),
            ("A-3", dec!(27000000)),
            ("B-1", dec!(9000000)),
            ("B-2", dec!(4500000)),
            ("B-3", dec!(3150000)),
            ("B-4", dec!(2250000)),
            ("B-5", dec!(1800000)),
            ("B-6", dec!(1800000)),
        ],
    )
}

#[test]
fn in_the_first_month_the_subordinates_get_their_share_of_scheduled_principal_and_no_prepayments() {
    let d = jumbo();
    let mut s = DealState::at_closing(&d);
    let i = input(
        1,
        dec!(500000000),
        dec!(2395833.33),
        dec!(500000),
        dec!(3000000),
    );
    let out = run(&d, &mut s, &i);
    // Senior percentage 475,000,000 / 500,000,000 = 95%: the seniors take
    // 95% x 500,000 = 475,000.00 of scheduled principal and, for 60 months,
    // all 3,000,000 of the prepayments; the subordinates 25,000.00, pro rata
    // by balance (10 : 5 : 3.5 : 2.5 : 2 : 2 of 25).
    assert_eq!(
        principal(&d, &out, &SUBS),
        [
            dec!(10000),
            dec!(5000),
            dec!(3500),
            dec!(2500),
            dec!(2000),
            dec!(2000)
        ]
    );
    let seniors: Decimal = principal(&d, &out, &["A-1", "A-2", "A-3"]).iter().sum();
    assert_eq!(seniors, dec!(475000) + dec!(3000000));
    // The scheduled 475,000.00 split between A-1/A-2 (450,000,000, A-1
    // first) and A-3 (25,000,000): 450,000.00 and 25,000.00. The 3,000,000
    // by the balances then, 449,550,000 and 24,975,000: 3,000,000 x
    // 24,975,000 / 474,525,000 = 157,894.74 to A-3, 2,842,105.26 to A-1.
    assert_eq!(
        principal(&d, &out, &["A-1", "A-2", "A-3"]),
        [
            dec!(450000) + dec!(2842105.26),
            dec!(0),
            dec!(25000) + dec!(157894.74)
        ]
    );
}

#[test]
fn in_month_61_the_subordinates_get_30_percent_of_their_pro_rata_share_of_prepayments() {
    let d = jumbo();
    let mut s = period_61(&d);
    let i = input(
        61,
        dec!(250000000),
        dec!(1200000),
        dec!(250000),
        dec!(2000000),
    );
    let out = run(&d, &mut s, &i);
    // Senior percentage 227,500,000 / 250,000,000 = 91%, subordinate 9%
    // (below twice the original 5%: no two-times test). Senior prepayment
    // percentage 91% + 70% x 9% = 97.3%: the seniors take 97.3% x 2,000,000
    // = 1,946,000.00; the subordinates 54,000.00 = 30% x 9% x 2,000,000,
    // pro rata by balance (9 : 4.5 : 3.15 : 2.25 : 1.8 : 1.8 of 22.5). Of
    // the 250,000 scheduled: seniors 91% = 227,500.00, subordinates 22,500.00.
    let sched = [
        dec!(9000),
        dec!(4500),
        dec!(3150),
        dec!(2250),
        dec!(1800),
        dec!(1800),
    ];
    let prepay = [
        dec!(21600),
        dec!(10800),
        dec!(7560),
        dec!(5400),
        dec!(4320),
        dec!(4320),
    ];
    let expected: Vec<Decimal> = sched.iter().zip(prepay).map(|(a, b)| a + b).collect();
    assert_eq!(principal(&d, &out, &SUBS), expected);
    assert_eq!(prepay.iter().sum::<Decimal>(), dec!(54000));
    let seniors: Decimal = principal(&d, &out, &["A-1", "A-2", "A-3"]).iter().sum();
    assert_eq!(seniors, dec!(227500) + dec!(1946000));
}

#[test]
fn with_a_failed_delinquency_test_in_month_61_the_subordinates_get_no_prepayments() {
    let d = jumbo();
    let mut s = period_61(&d);
    let mut i = input(
        61,
        dec!(250000000),
        dec!(1200000),
        dec!(250000),
        dec!(2000000),
    );
    // 60+ day delinquencies of 11,250,000: 50% of the subordinates' 22,500,000.
    i.delinquent_60_plus = dec!(11250000);
    let out = run(&d, &mut s, &i);
    assert_eq!(
        principal(&d, &out, &SUBS),
        [
            dec!(9000),
            dec!(4500),
            dec!(3150),
            dec!(2250),
            dec!(1800),
            dec!(1800)
        ]
    );
    let seniors: Decimal = principal(&d, &out, &["A-1", "A-2", "A-3"]).iter().sum();
    assert_eq!(seniors, dec!(227500) + dec!(2000000));
    // A cent less is below 50%: the test passes and the 30% is paid again.
    let mut s = period_61(&d);
    i.delinquent_60_plus = dec!(11249999.99);
    let out = run(&d, &mut s, &i);
    assert_eq!(
        out.classes[k(&d, "B-1")].principal,
        dec!(9000) + dec!(21600)
    );
}

#[test]
fn a_subordinate_class_below_its_original_credit_support_gets_no_prepayments_and_its_share_goes_to_the_others()
 {
    let d = jumbo();
    // B-5 written down to 500,000 and B-6 to nothing: B-3's support
    // (2,250,000 + 500,000) / 250,000,000 = 1.1% is below its original
    // (2,500,000 + 2,000,000 + 2,000,000) / 500,000,000 = 1.3%, B-4's 0.2%
    // below 0.8%, B-5's 0% below 0.4%; B-2's 2.36% is above its 2%.
    let mut s = state(
        &d,
        &[
            ("A-1", dec!(0)),
            ("A-2", dec!(203600000)),
            ("A-3", dec!(27000000)),
            ("B-1", dec!(9000000)),
            ("B-2", dec!(4500000)),
            ("B-3", dec!(3150000)),
            ("B-4", dec!(2250000)),
            ("B-5", dec!(500000)),
            ("B-6", dec!(0)),
        ],
    );
    s.cumulative_loss = dec!(3300000);
    let i = input(
        61,
        dec!(250000000),
        dec!(1200000),
        dec!(250000),
        dec!(2000000),
    );
    let out = run(&d, &mut s, &i);
    // Senior percentage 230,600,000 / 250,000,000 = 92.24%, subordinate
    // 7.76%; the senior prepayment percentage 92.24% + 70% x 7.76% =
    // 97.672%: 1,953,440.00 to the seniors, 46,560.00 to B-1 and B-2 only,
    // 9 : 4.5: 31,040.00 and 15,520.00. Scheduled: 92.24% x 250,000 =
    // 230,600.00 to the seniors, 19,400.00 to every subordinate by balance.
    assert_eq!(
        principal(&d, &out, &SUBS),
        [
            dec!(9000) + dec!(31040),
            dec!(4500) + dec!(15520),
            dec!(3150),
            dec!(2250),
            dec!(500),
            dec!(0)
        ]
    );
}

#[test]
fn losses_beyond_the_subordinates_are_shared_by_the_seniors_pro_rata() {
    let d = jumbo();
    let mut s = state(
        &d,
        &[
            ("A-1", dec!(0)),
            ("A-2", dec!(200000000)),
            ("A-3", dec!(50000000)),
            ("B-1", dec!(1000000)),
            ("B-2", dec!(0)),
            ("B-3", dec!(0)),
            ("B-4", dec!(0)),
            ("B-5", dec!(0)),
            ("B-6", dec!(0)),
        ],
    );
    let mut i = input(100, dec!(251000000), dec!(1200000), dec!(0), dec!(0));
    i.groups[0].realized_loss = dec!(6000000);
    let out = run(&d, &mut s, &i);
    // The classes' 251,000,000 against a pool of 245,000,000: 6,000,000 to
    // write down. B-1 takes its 1,000,000; the 5,000,000 left is shared
    // 200 : 50 by: 4,000,000.00 and 1,000,000.00.
    let w = |n: &str| out.classes[k(&d, n)].writedown;
    assert_eq!(w("B-1"), dec!(1000000));
    assert_eq!(w("A-2"), dec!(4000000));
    assert_eq!(w("A-3"), dec!(1000000));
    assert_eq!(w("A-1"), dec!(0));
}

#[test]
fn unpaid_interest_bears_no_interest_unless_the_deal_says_so() {
    let d = jumbo();
    assert!(d.classes.iter().all(|c| !c.interest_on_unpaid));
    let mut s = DealState::at_closing(&d);
    // 2,300,000 of interest: the seniors' 2,276,041.67 (A-1 1,437,500.00,
    // A-2 718,750.00, A-3 119,791.67) is paid, then B-1's 47,916.67 gets
    // the 23,958.33 left; 23,958.34 is unpaid.
    let i = input(1, dec!(500000000), dec!(2300000), dec!(0), dec!(0));
    let out = run(&d, &mut s, &i);
    let b1 = k(&d, "B-1");
    assert_eq!(out.classes[b1].interest_paid, dec!(23958.33));
    assert_eq!(s.interest_carry[b1], dec!(23958.34));
    // Next month B-1 is due its 47,916.67 and the 23,958.34, no more.
    let i = input(2, dec!(500000000), dec!(2500000), dec!(0), dec!(0));
    let out = run(&d, &mut s, &i);
    assert_eq!(out.classes[b1].interest_on_carry, Decimal::ZERO);
    assert_eq!(
        out.classes[b1].interest_due,
        dec!(47916.67) + dec!(23958.34)
    );
}

/// The 300 PSA run from closing, every month kept.
fn psa300(d: &Deal) -> Recorder<Decimal> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.toml");
    std::fs::write(
        &p,
        "prepay = \"300PSA\"\ncall = false\nlibor = { flat = \"3.00\" }\n",
    )
    .unwrap();
    let scenario = ScenarioSet::load(&p).unwrap().single().unwrap();
    let proj = Projection::from(d, waterfall::projection::From::Closing).unwrap();
    let mut rec = Recorder::default();
    proj.run(&scenario, &mut Engine::<Decimal>::new(d), &mut rec)
        .unwrap();
    rec
}

/// The subordinates' principal a month should pay, from its inputs and its
/// beginning balances: scheduled principal less the seniors' share of it,
/// and unscheduled principal less the seniors' prepayment share of it, each
/// share rounded to the cent.
fn subordinate_principal(
    d: &Deal,
    r: &PeriodResult<Decimal>,
    i: &PeriodInput<Decimal>,
    shift: Decimal,
) -> (Decimal, Decimal) {
    let g = &i.groups[0];
    let seniors: Decimal = ["A-1", "A-2", "A-3"]
        .iter()
        .map(|n| r.classes[k(d, n)].beginning)
        .sum();
    let senior_pct = (seniors / g.beginning_balance).min(Decimal::ONE);
    let scheduled = g.scheduled_principal;
    let unscheduled = g.unscheduled_principal();
    let prepay_pct = senior_pct + shift * (Decimal::ONE - senior_pct);
    (
        scheduled - (senior_pct * scheduled).round_dp(2),
        unscheduled - (prepay_pct * unscheduled).round_dp(2),
    )
}

fn sub_total(d: &Deal, r: &PeriodResult<Decimal>) -> Decimal {
    SUBS.iter().map(|n| r.classes[k(d, n)].principal).sum()
}

#[test]
fn at_300_psa_with_no_losses_the_subordinates_get_only_scheduled_principal_until_the_two_times_test_passes()
 {
    let d = jumbo();
    let rec = psa300(&d);
    let two_times = d
        .quantities
        .iter()
        .position(|q| q.name == "two_times")
        .unwrap();
    let mut first_two_times = None;
    for p in &rec.periods[..60] {
        let r = &p.result;
        if r.quantities[two_times] != Decimal::ZERO {
            first_two_times.get_or_insert(p.month);
            // Past the 36th month the two-times test gives the seniors only
            // their senior percentage of prepayments.
            let (s, u) = subordinate_principal(&d, r, &p.input, Decimal::ZERO);
            assert_eq!(sub_total(&d, r), s + u, "month {}", p.month);
            continue;
        }
        let (s, u) = subordinate_principal(&d, r, &p.input, Decimal::ONE);
        assert_eq!(u, Decimal::ZERO);
        assert_eq!(sub_total(&d, r), s, "month {}", p.month);
        // Each subordinate its pro rata share (the last takes the cents).
        let total: Decimal = SUBS.iter().map(|n| r.classes[k(&d, n)].beginning).sum();
        let b1 = r.classes[k(&d, "B-1")].beginning;
        assert_eq!(
            r.classes[k(&d, "B-1")].principal,
            (s * b1 / total).round_dp(2),
            "month {}",
            p.month
        );
    }
    // The subordinates' 25,000,000 amortize slowly while every prepayment
    // goes to the seniors, so at 300 PSA their percentage doubles (to 10%)
    // late in the fifth year: the two-times test passes from then on.
    let m = first_two_times.expect("the two-times test passes within 60 months at 300 PSA");
    assert!(m > 36 && m <= 60, "month {m}");
}

#[test]
fn at_300_psa_without_the_two_times_test_no_prepayments_for_60_months_then_30_percent_of_the_share()
{
    let text = std::fs::read_to_string(root().join("deals/example-prime-jumbo/deal.toml")).unwrap();
    let before = "value = \"sub_pct >= 2 * original_sub_pct and not delinquency_test_fails and not loss_test_fails\"";
    assert!(text.contains(before));
    let d = Deal::from_text(
        &root().join("deals/example-prime-jumbo/deal.toml"),
        &text.replace(before, "value = \"0\""),
    )
    .unwrap();
    let rec = psa300(&d);
    for p in &rec.periods[..60] {
        let (s, u) = subordinate_principal(&d, &p.result, &p.input, Decimal::ONE);
        assert_eq!(u, Decimal::ZERO);
        assert_eq!(sub_total(&d, &p.result), s, "month {}", p.month);
    }
    // Month 61: the seniors keep 70% of the subordinates' share of
    // prepayments, the subordinates get the other 30%.
    let p = &rec.periods[60];
    assert_eq!(p.month, 61);
    let (s, u) = subordinate_principal(&d, &p.result, &p.input, dec!(0.70));
    assert!(u > Decimal::ZERO);
    assert_eq!(sub_total(&d, &p.result), s + u);
}
