//! Swaps and caps, one period at a time through the engine: the period's
//! inputs are built by hand, and every figure asserted is worked out by hand
//! in the test from those inputs.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::deal::Deal;
use waterfall::waterfall::{
    DayFractions, DealState, Engine, Explain, GroupCash, PeriodInput, PeriodResult,
};

/// A one-group deal: a senior A and a mezzanine M, a residual X, a swap on
/// a notional of 1,000,000,000 (the trust pays 5.00% 30/360 and receives
/// LIBOR act/360) and a corridor of 500,000,000 between 6% and 9% act/360.
/// The net swap payment is paid first from interest; what the counterparties
/// pay goes into the `swap` account, pays A's and M's unpaid interest, and
/// the rest goes to X.
const DEAL: &str = r#"
[deal]
name = "Swap test"
closing_date = "2006-03-25"
first_distribution_date = "2006-04-25"
cutoff_balance = "1200000000"

[calendar]
payment_day = 25
business_day = "none"
holidays = "none"

[[group]]
name = "1"

[[account]]
name = "interest"
receives = ["interest"]

[[account]]
name = "principal"
receives = ["principal"]

[[account]]
name = "swap"

[[class]]
name = "A"
original_balance = "1000000000"
coupon = { margin = "0.20" }
day_count = "act/360"

[[class]]
name = "M"
original_balance = "100000000"
coupon = { margin = "1.00" }
day_count = "act/360"

[[class]]
name = "X"

[[quantity]]
name = "swap_net"
value = "swap[swap].net"

[[quantity]]
name = "swap_payment"
value = "swap[swap].payment"

[[quantity]]
name = "corridor_payment"
value = "cap[corridor].payment"

[[swap]]
name = "swap"
notional = "1000000000"
fixed_rate = "5.00"
fixed_day_count = "30/360"
floating_day_count = "act/360"
trust_pays = "fixed"
receipts_to = "swap"
payments_from = "interest"

[[cap]]
name = "corridor"
notional_schedule = [{ from = 1, notional = "500000000" }, { from = 2, notional = "400000000" }]
strike = "6.00"
ceiling = "9.00"
day_count = "act/360"
pays_into = "swap"

[[waterfall]]
action = "pay-swap"
swap = "swap"

[[waterfall]]
action = "pay-interest"
from = "interest"
classes = ["A", "M"]

[[waterfall]]
action = "pay-principal"
from = "principal"
classes = ["A", "M"]

[[waterfall]]
action = "pay-interest"
from = "swap"
classes = ["A", "M"]

[[waterfall]]
action = "pay-swap-termination"
swap = "swap"
from = "interest"

[[waterfall]]
action = "pay-remainder"
from = "interest"
to = "X"

[[waterfall]]
action = "pay-remainder"
from = "swap"
to = "X"
"#;

fn deal(text: &str) -> Deal {
    Deal::from_text(Path::new("swap-test/deal.toml"), text).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// One period of `days` actual days (a regular month for 30/360) at
/// `libor`, with `interest` and `principal` collected on a pool of
/// 1,200,000,000.
fn input(libor: Decimal, days: i64, interest: Decimal, principal: Decimal) -> PeriodInput<Decimal> {
    let start = date("2006-03-25");
    let end = start + chrono::Duration::days(days);
    PeriodInput {
        date: end,
        period: 1,
        accrual_start: start,
        days_actual: days as u32,
        // act/360, 30/360, act/365F, act/act, monthly
        days: DayFractions::from_ratios(&[
            (days, 360),
            (30, 360),
            (days, 365),
            (days, 365),
            (1, 12),
        ]),
        index: libor,
        next_date: date("2006-05-25"),
        groups: vec![GroupCash {
            beginning_balance: dec!(1200000000),
            interest,
            scheduled_principal: principal,
            net_wac: dec!(0.075),
            ..GroupCash::zero()
        }],
        premiums: Decimal::ZERO,
        delinquent_60_plus: Decimal::ZERO,
        earnings: vec![Decimal::ZERO; 3],
        counterparty_default: false,
        swap_termination: Decimal::ZERO,
    }
}

fn run(d: &Deal, input: &PeriodInput<Decimal>) -> (PeriodResult<Decimal>, Explain<Decimal>) {
    let mut engine = Engine::<Decimal>::new(d);
    let mut state = DealState::at_closing(d);
    let mut out = engine.result();
    let mut ledger = Explain::default();
    engine
        .run(&mut state, input, &mut out, &mut ledger)
        .unwrap();
    (out, ledger)
}

fn q(d: &Deal, out: &PeriodResult<Decimal>, name: &str) -> Decimal {
    out.quantities[d.quantities.iter().position(|q| q.name == name).unwrap()]
}

fn account(d: &Deal, name: &str) -> usize {
    d.accounts.iter().position(|a| a.name == name).unwrap()
}

/// Everything that came in went out or stayed: the conservation the
/// engine checks, restated from the period's figures.
fn conserved(out: &PeriodResult<Decimal>) {
    let came_in = out.deal.available + out.deal.derivative_receipts;
    let classes: Decimal = out.classes.iter().map(|c| c.total_distribution()).sum();
    let kept: Decimal = out.accounts.iter().map(|a| a.ending - a.beginning).sum();
    let fees: Decimal = out.fees.iter().map(|f| f.paid).sum();
    assert_eq!(
        came_in,
        fees + classes + out.deal.derivative_payments + kept
    );
}

#[test]
fn at_libor_5_32_over_31_days_the_trust_receives_the_net_swap_amount() {
    let d = deal(DEAL);
    let (out, _) = run(&d, &input(dec!(0.0532), 31, dec!(8000000), dec!(1000000)));
    // floating 1,000,000,000 x 5.32% x 31/360 = 4,581,111.111...
    // fixed    1,000,000,000 x 5.00% / 12     = 4,166,666.666...
    // net, rounded once: 414,444.444... = 414,444.44
    let s = &out.swaps[0];
    assert_eq!(s.notional, dec!(1000000000));
    assert_eq!(s.net, dec!(414444.44));
    assert_eq!(s.receipt, dec!(414444.44));
    assert_eq!(s.payment, Decimal::ZERO);
    assert_eq!(q(&d, &out, "swap_net"), dec!(414444.44));
    assert_eq!(q(&d, &out, "swap_payment"), Decimal::ZERO);
    // It comes in from outside, into the swap account; nothing is paid out.
    let a = account(&d, "swap");
    assert_eq!(out.accounts[a].from_counterparty, dec!(414444.44));
    // LIBOR 5.32% is below the corridor's 6% strike: it pays nothing.
    assert_eq!(out.caps[0].payment, Decimal::ZERO);
    assert_eq!(out.deal.derivative_receipts, dec!(414444.44));
    assert_eq!(out.deal.derivative_payments, Decimal::ZERO);
    // A: 1,000,000,000 x 5.52% x 31/360 = 4,753,333.33; M: 100,000,000 x
    // 6.32% x 31/360 = 544,222.22; 8,000,000 of interest pays both, and X
    // gets the rest of it, 2,702,444.45, and all of the swap's receipt.
    let x = d.class_index("X").unwrap();
    assert_eq!(out.classes[0].interest_paid, dec!(4753333.33));
    assert_eq!(out.classes[1].interest_paid, dec!(544222.22));
    assert_eq!(out.classes[x].other, dec!(2702444.45) + dec!(414444.44));
    conserved(&out);
}

#[test]
fn at_libor_4_00_the_trust_pays_the_net_swap_amount_before_any_class_interest() {
    let d = deal(DEAL);
    let (out, ledger) = run(&d, &input(dec!(0.04), 31, dec!(8000000), dec!(1000000)));
    // fixed    1,000,000,000 x 5.00% / 12     = 4,166,666.666...
    // floating 1,000,000,000 x 4.00% x 31/360 = 3,444,444.444...
    // the trust pays, rounded once: 722,222.222... = 722,222.22
    let s = &out.swaps[0];
    assert_eq!(s.net, dec!(-722222.22));
    assert_eq!(s.payment, dec!(722222.22));
    assert_eq!(s.paid, dec!(722222.22));
    assert_eq!(s.receipt, Decimal::ZERO);
    assert_eq!(q(&d, &out, "swap_payment"), dec!(722222.22));
    assert_eq!(out.deal.derivative_payments, dec!(722222.22));
    // The ledger: the net swap payment is the first thing the interest
    // account pays, before any class's interest.
    let first_swap = ledger
        .entries
        .iter()
        .position(|e| e.payments.iter().any(|p| p.what == "net swap payment"))
        .unwrap();
    let first_interest = ledger
        .entries
        .iter()
        .position(|e| e.payments.iter().any(|p| p.what == "interest"))
        .unwrap();
    assert!(first_swap < first_interest);
    let e = &ledger.entries[first_swap];
    assert_eq!(e.before, dec!(8000000));
    assert_eq!(e.after, dec!(8000000) - dec!(722222.22));
    // A: 1,000,000,000 x 4.20% x 31/360 = 3,616,666.67; M: 100,000,000 x
    // 5.00% x 31/360 = 430,555.56.
    assert_eq!(out.classes[0].interest_paid, dec!(3616666.67));
    assert_eq!(out.classes[1].interest_paid, dec!(430555.56));
    conserved(&out);
}

#[test]
fn a_net_swap_payment_the_interest_cannot_pay_is_owed_the_next_period() {
    let d = deal(DEAL);
    let mut engine = Engine::<Decimal>::new(&d);
    let mut state = DealState::at_closing(&d);
    let mut out = engine.result();
    // 500,000 of interest against a net swap payment of 722,222.22.
    let i = input(dec!(0.04), 31, dec!(500000), dec!(1000000));
    engine
        .run(
            &mut state,
            &i,
            &mut out,
            &mut waterfall::waterfall::NoLedger,
        )
        .unwrap();
    assert_eq!(out.swaps[0].paid, dec!(500000));
    assert_eq!(out.classes[0].interest_paid, Decimal::ZERO);
    assert_eq!(state.swap_carry[0], dec!(222222.22));
    conserved(&out);
    // Next period, at LIBOR 4.00% over 30 days: 1,000,000,000 x (5.00% / 12
    // - 4.00% x 30/360) = 833,333.33, and the 222,222.22 unpaid.
    let mut next = input(dec!(0.04), 30, dec!(8000000), dec!(1000000));
    next.period = 2;
    engine
        .run(
            &mut state,
            &next,
            &mut out,
            &mut waterfall::waterfall::NoLedger,
        )
        .unwrap();
    assert_eq!(out.swaps[0].payment, dec!(833333.33));
    assert_eq!(out.swaps[0].carry_in, dec!(222222.22));
    assert_eq!(out.swaps[0].paid, dec!(833333.33) + dec!(222222.22));
    assert_eq!(state.swap_carry[0], Decimal::ZERO);
}

#[test]
fn a_corridor_pays_libor_above_its_strike_up_to_its_ceiling() {
    let d = deal(DEAL);
    // LIBOR 7.5%, 30 days: 500,000,000 x (7.5% - 6%) x 30/360 = 625,000.00.
    let (out, _) = run(&d, &input(dec!(0.075), 30, dec!(12000000), dec!(1000000)));
    assert_eq!(out.caps[0].notional, dec!(500000000));
    assert_eq!(out.caps[0].payment, dec!(625000.00));
    assert_eq!(q(&d, &out, "corridor_payment"), dec!(625000.00));
    // The swap, 30 days at 7.5%: 1,000,000,000 x (7.5% x 30/360 - 5% / 12)
    // = 2,083,333.33; both go into the swap account.
    assert_eq!(out.swaps[0].receipt, dec!(2083333.33));
    let a = account(&d, "swap");
    assert_eq!(
        out.accounts[a].from_counterparty,
        dec!(625000.00) + dec!(2083333.33)
    );
    conserved(&out);
    // LIBOR 10% is above the 9% ceiling: 500,000,000 x 3% x 30/360 = 1,250,000.
    let (out, _) = run(&d, &input(dec!(0.10), 30, dec!(15000000), dec!(1000000)));
    assert_eq!(out.caps[0].payment, dec!(1250000.00));
    conserved(&out);
}

#[test]
fn the_cap_notional_follows_its_schedule_by_period() {
    let d = deal(DEAL);
    let mut i = input(dec!(0.075), 30, dec!(12000000), dec!(1000000));
    i.period = 2;
    // From period 2 the notional is 400,000,000: x 1.5% x 30/360 = 500,000.
    let (out, _) = run(&d, &i);
    assert_eq!(out.caps[0].notional, dec!(400000000));
    assert_eq!(out.caps[0].payment, dec!(500000.00));
}

#[test]
fn swap_receipts_pay_the_interest_the_collections_could_not() {
    let d = deal(DEAL);
    // 4,000,000 of interest at LIBOR 5.32%, 31 days: A is due 4,753,333.33
    // and gets the 4,000,000; from the swap's 414,444.44 it gets
    // 414,444.44 more (short 338,888.89), M nothing.
    let (out, _) = run(&d, &input(dec!(0.0532), 31, dec!(4000000), dec!(1000000)));
    assert_eq!(out.classes[0].interest_paid, dec!(4414444.44));
    assert_eq!(out.classes[0].interest_shortfall(), dec!(338888.89));
    assert_eq!(out.classes[1].interest_paid, Decimal::ZERO);
    conserved(&out);
}

#[test]
fn after_the_counterparty_defaults_nothing_is_exchanged_and_the_termination_is_paid_where_the_deal_says()
 {
    let d = deal(DEAL);
    let mut i = input(dec!(0.075), 30, dec!(8000000), dec!(1000000));
    i.counterparty_default = true;
    i.swap_termination = dec!(1500000);
    let (out, ledger) = run(&d, &i);
    assert_eq!(out.swaps[0].net, Decimal::ZERO);
    assert_eq!(out.caps[0].payment, Decimal::ZERO);
    assert_eq!(out.deal.derivative_receipts, Decimal::ZERO);
    // A at 7.70% x 30/360 = 6,416,666.67; M at 8.50% x 30/360 = 708,333.33;
    // of the 8,000,000, 875,000.00 is left for the termination payment:
    // paid 875,000.00 of 1,500,000, after every class's interest.
    assert_eq!(out.classes[0].interest_paid, dec!(6416666.67));
    assert_eq!(out.classes[1].interest_paid, dec!(708333.33));
    assert_eq!(out.swaps[0].termination, dec!(1500000));
    assert_eq!(out.swaps[0].termination_paid, dec!(875000.00));
    assert_eq!(out.deal.derivative_payments, dec!(875000.00));
    let t = ledger
        .entries
        .iter()
        .position(|e| {
            e.payments
                .iter()
                .any(|p| p.what == "swap termination payment")
        })
        .unwrap();
    let last_interest = ledger
        .entries
        .iter()
        .rposition(|e| {
            e.payments
                .iter()
                .any(|p| p.what == "interest" && p.paid > Decimal::ZERO)
        })
        .unwrap();
    assert!(last_interest < t);
    conserved(&out);
}

#[test]
fn swap_and_cap_terms_out_of_range_or_unknown_are_refused_with_their_place() {
    let bad = DEAL.replace("trust_pays = \"fixed\"", "trust_pays = \"both\"");
    let e = Deal::from_text(Path::new("swap-test/deal.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("trust_pays is \"fixed\" or \"floating\""), "{e}");
    assert!(e.contains("swap-test/deal.toml:"), "{e}");
    let bad = DEAL.replace("ceiling = \"9.00\"", "ceiling = \"5.00\"");
    let e = Deal::from_text(Path::new("swap-test/deal.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("a corridor's ceiling is above its strike"),
        "{e}"
    );
    let bad = DEAL.replace(
        "swap = \"swap\"\n\n[[waterfall]]\naction = \"pay-interest\"",
        "swap = \"swop\"\n\n[[waterfall]]\naction = \"pay-interest\"",
    );
    let e = Deal::from_text(Path::new("swap-test/deal.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no swap named \"swop\""), "{e}");
    // A swap's notional may not read the swap itself.
    let bad = DEAL.replace(
        "notional = \"1000000000\"",
        "notional = \"1000000000 + swap_net\"",
    );
    let e = Deal::from_text(Path::new("swap-test/deal.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("depends on itself"), "{e}");
}
