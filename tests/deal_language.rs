//! The deal language on small deals written out in full, each period's inputs
//! built by hand and every figure checked with the arithmetic in the test.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::deal::Deal;
use waterfall::num::Num;
use waterfall::waterfall::{
    DayFractions, DealState, Engine, Explain, GroupCash, NoLedger, PeriodInput, PeriodResult,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn deal(text: &str) -> Deal {
    Deal::from_text(Path::new("test-deal.toml"), text).unwrap_or_else(|e| panic!("{e}"))
}

/// One group's cash: interest and scheduled principal, nothing else.
fn cash(beginning: Decimal, interest: Decimal, principal: Decimal) -> GroupCash<Decimal> {
    GroupCash {
        beginning_balance: beginning,
        interest,
        scheduled_principal: principal,
        ..GroupCash::zero()
    }
}

/// The inputs of a period from `start` to `end` (both the 15th: a 30/360 month).
fn period<T: Num>(
    deal: &Deal,
    n: u32,
    start: NaiveDate,
    end: NaiveDate,
    g: GroupCash<T>,
) -> PeriodInput<T> {
    PeriodInput {
        date: end,
        period: n,
        accrual_start: start,
        days_actual: (end - start).num_days() as u32,
        days: DayFractions::new(start, end, start, end),
        index: T::ZERO,
        next_date: deal.calendar.distribution_after(end, 1),
        groups: vec![g],
        premiums: T::ZERO,
        delinquent_60_plus: T::ZERO,
        earnings: vec![T::ZERO; deal.accounts.len()],
        counterparty_default: false,
        swap_termination: T::ZERO,
    }
}

fn run(
    deal: &Deal,
    state: &mut DealState<Decimal>,
    input: &PeriodInput<Decimal>,
) -> PeriodResult<Decimal> {
    let mut engine = Engine::<Decimal>::new(deal);
    let mut out = engine.result();
    engine
        .run(state, input, &mut out, &mut Explain::default())
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

const RESERVE_DEAL: &str = r#"
[deal]
name = "A reserve and one pot"
closing_date = "2025-01-15"
first_distribution_date = "2025-02-15"
cutoff_balance = "1000000"

[calendar]
payment_day = 15
business_day = "none"
holidays = "none"

[[account]]
name = "available"
receives = ["interest", "principal"]

[[account]]
name = "reserve"
kind = "reserve"
initial_balance = "10000"
target = "1% * pool.cutoff"

[[fee]]
name = "servicing"
rate = "1.2"
day_count = "monthly"

[[class]]
name = "A"
original_balance = "950000"
coupon = { fixed = "6" }

[[class]]
name = "R"

[[quantity]]
name = "required"
value = "fee[servicing].due + interest[A].due + pool.principal"

[[waterfall]]
action = "draw-reserve"
reserve = "reserve"
to = "available"
limit = "max(required - account[available], 0)"

[[waterfall]]
action = "pay-fee"
fee = "servicing"
from = "available"

[[waterfall]]
action = "pay-interest"
from = "available"
classes = ["A"]

[[waterfall]]
action = "pay-principal"
from = "available"
classes = ["A"]
limit = "pool.principal"

[[waterfall]]
action = "fund-reserve"
from = "available"
reserve = "reserve"

[[waterfall]]
action = "release-reserve"
reserve = "reserve"
to = "available"

[[waterfall]]
action = "pay-remainder"
from = "available"
to = "R"
"#;

#[test]
fn a_reserve_and_one_pot_from_closing_conserve_cash_with_the_reserve_balance() {
    let d = deal(RESERVE_DEAL);
    let (a, r, reserve) = (0, 1, 1);
    let mut state = DealState::<Decimal>::at_closing(&d);
    assert_eq!(state.accounts[reserve], dec!(10000));

    // Period 1: 4,000 of interest and 20,000 of principal come in (24,000).
    // Due: servicing 1,000,000 x 1.2% / 12 = 1,000; A's interest
    // 950,000 x 6% x 30/360 = 4,750; principal 20,000: 25,750 in all, so
    // 1,750 is drawn from the reserve (10,000 -> 8,250).
    let p1 = period(
        &d,
        1,
        date(2025, 1, 15),
        date(2025, 2, 15),
        cash(dec!(1000000), dec!(4000), dec!(20000)),
    );
    let o = run(&d, &mut state, &p1);
    assert_eq!(o.fees[0].paid, dec!(1000.00));
    assert_eq!(o.classes[a].interest_paid, dec!(4750.00));
    assert_eq!(o.classes[a].principal, dec!(20000));
    assert_eq!(o.accounts[reserve].drawn, dec!(1750.00));
    assert_eq!(o.accounts[reserve].ending, dec!(8250.00));
    assert_eq!(o.classes[r].other, dec!(0));
    // In 24,000 = fees 1,000 + classes 24,750 + the reserve's change (-1,750).
    assert_eq!(
        o.deal.available,
        o.deal.fees
            + o.deal.distributed
            + (o.accounts[reserve].ending - o.accounts[reserve].beginning)
    );

    // Period 2: 8,000 of interest and 20,000 of principal (28,000). Due:
    // servicing 980,000 x 1.2% / 12 = 980; A's interest 930,000 x 6% / 12 =
    // 4,650; principal 20,000: 25,630, no draw. Of the 2,370 left, 1,750
    // tops the reserve up to its 10,000 target and R gets 620.
    let p2 = period(
        &d,
        2,
        date(2025, 2, 15),
        date(2025, 3, 15),
        cash(dec!(980000), dec!(8000), dec!(20000)),
    );
    let o = run(&d, &mut state, &p2);
    assert_eq!(o.fees[0].paid, dec!(980.00));
    assert_eq!(o.classes[a].interest_paid, dec!(4650.00));
    assert_eq!(o.accounts[reserve].drawn, dec!(0));
    assert_eq!(o.accounts[reserve].funded, dec!(1750.00));
    assert_eq!(o.accounts[reserve].ending, dec!(10000.00));
    assert_eq!(o.classes[r].other, dec!(620.00));
    assert_eq!(state.balances[a], dec!(910000));
    assert_eq!(
        o.deal.available,
        o.deal.fees
            + o.deal.distributed
            + (o.accounts[reserve].ending - o.accounts[reserve].beginning)
    );
}

/// A deal of `n` classes of 1,000 each, paid principal in sequence.
fn sequential(n: usize) -> String {
    let mut s = header(&format!("{n} classes"), n * 1000);
    s.push_str(
        "[[account]]\nname = \"interest\"\nreceives = [\"interest\"]\n[[account]]\nname = \"principal\"\nreceives = [\"principal\"]\n",
    );
    let names: Vec<String> = (1..=n).map(|k| format!("C{k}")).collect();
    for name in &names {
        s.push_str(&format!("[[class]]\nname = \"{name}\"\noriginal_balance = \"1000\"\ncoupon = {{ fixed = \"12\" }}\n"));
    }
    s.push_str("[[class]]\nname = \"R\"\n");
    let list = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    s.push_str(&format!(
        "[[waterfall]]\naction = \"pay-interest\"\nfrom = \"interest\"\nclasses = [{list}]\n\
         [[waterfall]]\naction = \"pay-principal\"\nfrom = \"principal\"\nclasses = [{list}]\n\
         [[waterfall]]\naction = \"pay-remainder\"\nfrom = \"interest\"\nto = \"R\"\n\
         [[waterfall]]\naction = \"pay-remainder\"\nfrom = \"principal\"\nto = \"R\"\n"
    ));
    s
}

#[test]
fn a_forty_class_sequential_deal_pays_every_class() {
    // 40 classes of 1,000: principal of 40,000 retires every one (the old
    // engine stopped at 32 and gave the rest to R); each is due
    // 1,000 x 12% / 12 = 10 of interest, 400 in all.
    let d = deal(&sequential(40));
    let mut state = DealState::<Decimal>::at_closing(&d);
    let p = period(
        &d,
        1,
        date(2025, 1, 15),
        date(2025, 2, 15),
        cash(dec!(40000), dec!(400), dec!(40000)),
    );
    let o = run(&d, &mut state, &p);
    for k in 0..40 {
        assert_eq!(o.classes[k].principal, dec!(1000), "{}", d.classes[k].name);
        assert_eq!(
            o.classes[k].interest_paid,
            dec!(10.00),
            "{}",
            d.classes[k].name
        );
        assert_eq!(state.balances[k], Decimal::ZERO);
    }
    assert_eq!(o.classes[40].other, Decimal::ZERO, "R gets nothing");
}

#[test]
fn a_written_off_class_accrues_no_interest_unless_its_terms_say_so() {
    // C1 has 1,000 and 30 of unpaid interest carried in, and nothing left.
    let text = sequential(2);
    for (on, expected) in [(false, dec!(30)), (true, dec!(30.30))] {
        let t = if on {
            text.replacen(
                "name = \"C1\"\noriginal_balance = \"1000\"\ncoupon = { fixed = \"12\" }\n",
                "name = \"C1\"\noriginal_balance = \"1000\"\ncoupon = { fixed = \"12\" }\ninterest_on_unpaid = true\n",
                1,
            )
        } else {
            text.clone()
        };
        let d = deal(&t);
        let mut state = DealState::<Decimal>::at_closing(&d);
        state.balances[0] = Decimal::ZERO;
        state.interest_carry[0] = dec!(30);
        let p = period(
            &d,
            2,
            date(2025, 2, 15),
            date(2025, 3, 15),
            cash(dec!(1000), dec!(100), dec!(0)),
        );
        let o = run(&d, &mut state, &p);
        // A zero balance accrues nothing; the carry-forward is due, with 30 x
        // 12% / 12 = 0.30 of interest on it only where the terms say so.
        assert_eq!(o.classes[0].accrued, Decimal::ZERO);
        assert_eq!(
            o.classes[0].interest_due, expected,
            "interest_on_unpaid = {on}"
        );
    }
}

#[test]
fn expressions_limit_steps_and_name_what_they_moved() {
    // The OC idiom: a transfer of excess interest to principal up to a
    // deficiency, named so the report can read what it moved.
    let text = sequential(1)
        .replace(
            "[[waterfall]]\naction = \"pay-principal\"",
            "[[waterfall]]\naction = \"transfer\"\nname = \"turbo\"\nfrom = \"interest\"\nto = \"principal\"\nlimit = \"max(balance[C1] - (pool.ending - 100) - account[principal], 0)\"\n\
             [[waterfall]]\naction = \"pay-principal\"",
        );
    let d = deal(&text);
    let mut state = DealState::<Decimal>::at_closing(&d);
    // Pool 1,000 pays 200 of principal: 800 left. The class (1,000) is to be
    // paid down to 800 - 100 = 700: 300, of which the principal account holds
    // 200, so 100 of the 190 interest left after C1's 10 moves to principal.
    let p = period(
        &d,
        1,
        date(2025, 1, 15),
        date(2025, 2, 15),
        cash(dec!(1000), dec!(200), dec!(200)),
    );
    let mut engine = Engine::<Decimal>::new(&d);
    let mut out = engine.result();
    engine.run(&mut state, &p, &mut out, &mut NoLedger).unwrap();
    let turbo = d
        .steps
        .iter()
        .position(|s| s.name.as_deref() == Some("turbo"))
        .unwrap();
    assert_eq!(out.steps[turbo].amount, dec!(100.00));
    assert_eq!(out.steps[turbo].available, dec!(190.00));
    assert_eq!(out.classes[0].principal, dec!(300.00));
    assert_eq!(state.balances[0], dec!(700.00));
}

/// The `[deal]` and `[calendar]` sections of a test deal closing on
/// 2025-01-15 and paying on the 15th, from 2025-02-15.
fn header(name: &str, cutoff: usize) -> String {
    format!(
        "[deal]\nname = \"{name}\"\nclosing_date = \"2025-01-15\"\nfirst_distribution_date = \"2025-02-15\"\ncutoff_balance = \"{cutoff}\"\n\
         [calendar]\npayment_day = 15\nbusiness_day = \"none\"\nholidays = \"none\"\n"
    )
}

/// Four transfers from `available` to `side`, each with its limit and test,
/// then the two accounts' remainders to R.
fn gated_deal() -> String {
    let mut s = header("Steps gated by tests", 1000);
    s.push_str(
        "[[account]]\nname = \"available\"\nreceives = [\"interest\", \"principal\"]\n\
         [[account]]\nname = \"side\"\n[[class]]\nname = \"R\"\n",
    );
    for (limit, when) in [
        ("60", "account[available] >= 100"),
        ("60", "account[available] >= 100"),
        ("10", "pool.interest >= 100"),
        ("10", "pool.interest >= 100"),
    ] {
        s.push_str(&format!(
            "[[waterfall]]\naction = \"transfer\"\nfrom = \"available\"\nto = \"side\"\nlimit = \"{limit}\"\nwhen = \"{when}\"\n"
        ));
    }
    for from in ["available", "side"] {
        s.push_str(&format!(
            "[[waterfall]]\naction = \"pay-remainder\"\nfrom = \"{from}\"\nto = \"R\"\n"
        ));
    }
    s
}

/// Whether each step ran and what it moved, in one period of `d` with
/// 1,000 of pool and `interest` of interest, in number type `T`.
fn steps_run<T: Num>(d: &Deal, interest: T) -> Vec<(bool, Decimal)> {
    let mut state = DealState::<T>::at_closing(d);
    let g = GroupCash {
        beginning_balance: T::from_i64(1000),
        interest,
        ..GroupCash::zero()
    };
    let p = period(d, 1, date(2025, 1, 15), date(2025, 2, 15), g);
    let mut engine = Engine::<T>::new(d);
    let mut out = engine.result();
    engine.run(&mut state, &p, &mut out, &mut NoLedger).unwrap();
    out.steps
        .iter()
        .map(|s| (s.ran, s.amount.to_decimal().round_dp(2)))
        .collect()
}

#[test]
fn a_test_that_reads_a_moving_balance_is_asked_again_at_each_step() {
    // 150 of interest comes in. The first transfer's test holds (150 >= 100)
    // and moves 60, leaving 90: the same test then fails for the second.
    // The pool's interest does not move, so the third and fourth both run
    // (10 each), and the remainder, 90 - 20 = 70, and the side's 80 go to R.
    let d = deal(&gated_deal());
    let expected = vec![
        (true, dec!(60)),
        (false, dec!(0)),
        (true, dec!(10)),
        (true, dec!(10)),
        (true, dec!(70)),
        (true, dec!(80)),
    ];
    assert_eq!(steps_run::<Decimal>(&d, dec!(150)), expected, "exact");
    assert_eq!(steps_run::<f64>(&d, 150.0), expected, "fast");
}
