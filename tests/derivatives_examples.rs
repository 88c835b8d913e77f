//! The example deals: deals/example-subprime-2006's group-specific interest
//! in a period built by hand, its swap against the same deal without it
//! under rising LIBOR, and both examples through `project`, `grid` and
//! `breakeven` from closing.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::deal::Deal;
use waterfall::projection::{From, Projection, Recorder};
use waterfall::scenario::ScenarioSet;
use waterfall::waterfall::{DayFractions, DealState, Engine, Explain, GroupCash, PeriodInput};

const SUBPRIME: &str = "deals/example-subprime-2006";
const JUMBO: &str = "deals/example-prime-jumbo";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn group_1_seniors_short_of_interest_are_paid_from_group_2_before_any_mezzanine() {
    let d = Deal::load(&root().join(SUBPRIME)).unwrap();
    // The first period, 2006-03-30 to 2006-04-25: 26 days at LIBOR 5.00%.
    // The counterparty has defaulted, so neither the swap nor the corridor
    // pays anything and the interest accounts hold only the collections.
    let group = |balance: Decimal, interest: Decimal, principal: Decimal, wac: Decimal| GroupCash {
        beginning_balance: balance,
        interest,
        scheduled_principal: principal,
        net_wac: wac,
        ..GroupCash::zero()
    };
    let input = PeriodInput {
        date: date("2006-04-25"),
        period: 1,
        accrual_start: date("2006-03-30"),
        days_actual: 26,
        days: DayFractions::from_ratios(&[(26, 360), (25, 360), (26, 365), (26, 365), (1, 12)]),
        index: dec!(0.05),
        next_date: date("2006-05-25"),
        groups: vec![
            group(dec!(400000000), dec!(1000000), dec!(400000), dec!(0.077)),
            group(dec!(600000000), dec!(3000000), dec!(600000), dec!(0.079)),
        ],
        premiums: Decimal::ZERO,
        delinquent_60_plus: Decimal::ZERO,
        earnings: vec![Decimal::ZERO; d.accounts.len()],
        counterparty_default: true,
        swap_termination: Decimal::ZERO,
    };
    let mut engine = Engine::<Decimal>::new(&d);
    let mut state = DealState::at_closing(&d);
    let mut out = engine.result();
    let mut ledger = Explain::default();
    engine
        .run(&mut state, &input, &mut out, &mut ledger)
        .unwrap();
    let k = |n: &str| d.class_index(n).unwrap();
    // A-1: 312,000,000 x 5.14% x 26/360 = 1,158,213.33, and group 1 has
    // 1,000,000.00. Group 2's seniors: A-2a 200,000,000 x 5.06% x 26/360 =
    // 730,888.89, A-2b 120,000,000 x 5.10% = 442,000.00, A-2c 100,000,000 x
    // 5.16% = 372,666.67, A-2d 48,000,000 x 5.24% = 181,653.33: 1,727,208.89
    // of group 2's 3,000,000.00, leaving 1,272,791.11, of which A-1 gets its
    // missing 158,213.33.
    assert_eq!(out.classes[k("A-1")].interest_due, dec!(1158213.33));
    assert_eq!(out.classes[k("A-1")].interest_paid, dec!(1158213.33));
    for (n, v) in [
        ("A-2a", dec!(730888.89)),
        ("A-2b", dec!(442000.00)),
        ("A-2c", dec!(372666.67)),
        ("A-2d", dec!(181653.33)),
    ] {
        assert_eq!(out.classes[k(n)].interest_paid, v, "{n}");
    }
    let entry = |account: &str, class: &str| {
        let a = d.accounts.iter().position(|x| x.name == account).unwrap();
        ledger
            .entries
            .iter()
            .position(|e| {
                e.account == Some(a)
                    && e.payments
                        .iter()
                        .any(|p| p.to == class && p.what == "interest")
            })
            .unwrap()
    };
    let own = entry("interest-1", "A-1");
    let cross = entry("interest-2", "A-1");
    let mezz = entry("interest", "M-1");
    assert!(own < cross && cross < mezz);
    assert_eq!(ledger.entries[own].payments[0].paid, dec!(1000000));
    assert_eq!(ledger.entries[cross].payments[0].paid, dec!(158213.33));
    // The mezzanines start from what is left of both groups' interest:
    // 4,000,000.00 - 1,158,213.33 - 1,727,208.89 = 1,114,577.78.
    assert_eq!(ledger.entries[mezz].before, dec!(1114577.78));
    // M-1: 40,000,000 x 5.30% x 26/360 = 153,111.11.
    assert_eq!(out.classes[k("M-1")].interest_paid, dec!(153111.11));
}

fn scenario(text: &str) -> waterfall::scenario::Scenario {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.toml");
    std::fs::write(&p, text).unwrap();
    ScenarioSet::load(&p).unwrap().single().unwrap()
}

const RISING: &str = r#"
name = "rising LIBOR"
prepay = "100PPC"
default = "12CDR"
severity = "50"
lag = 6
call = false
libor = { vector = ["5.00", "5.25", "5.50", "5.75", "6.00", "6.25", "6.50", "6.75", "7.00", "7.25", "7.50", "7.75", "8.00"] }
"#;

/// The mezzanines' writedowns over the run, checking that what came in each
/// period (collections and the counterparty's payments) went out (to the
/// classes and the counterparty) or stayed in an account.
fn mezzanine_writedowns(d: &Deal) -> (Decimal, Decimal, Decimal) {
    let proj = Projection::from(d, From::Closing).unwrap();
    let mut rec = Recorder::default();
    proj.run(&scenario(RISING), &mut Engine::<Decimal>::new(d), &mut rec)
        .unwrap();
    let (mut received, mut paid) = (Decimal::ZERO, Decimal::ZERO);
    for p in &rec.periods {
        let r = &p.result;
        let came_in = r.deal.available + r.deal.derivative_receipts;
        let classes: Decimal = r.classes.iter().map(|c| c.total_distribution()).sum();
        let kept: Decimal = r.accounts.iter().map(|a| a.ending - a.beginning).sum();
        let fees: Decimal = r.fees.iter().map(|f| f.paid).sum();
        assert_eq!(
            came_in,
            fees + classes + r.deal.derivative_payments + kept,
            "month {}",
            p.month
        );
        received += r.deal.derivative_receipts;
        paid += r.deal.derivative_payments;
    }
    let w: Decimal = d
        .classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.name.starts_with("M-"))
        .map(|(k, _)| {
            rec.periods
                .iter()
                .map(|p| p.result.classes[k].writedown)
                .sum::<Decimal>()
        })
        .sum();
    (w, received, paid)
}

#[test]
fn under_rising_libor_the_swap_reduces_the_mezzanine_writedowns_and_cash_is_conserved() {
    let path = root().join(SUBPRIME).join("deal.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let with = Deal::load(&path).unwrap();
    // The same deal with the swap's notional at zero: it never pays or receives.
    let start = text.find("notional_schedule = [").unwrap();
    let end = start + text[start..].find("]\n").unwrap() + 2;
    let without_text = format!("{}notional = \"0\"\n{}", &text[..start], &text[end..]);
    let without = Deal::from_text(&path, &without_text).unwrap();
    let (w_with, received, paid) = mezzanine_writedowns(&with);
    let (w_without, received_without, paid_without) = mezzanine_writedowns(&without);
    assert!(
        received > paid,
        "the trust nets a receipt as LIBOR rises past 5.20%"
    );
    assert!(w_with > Decimal::ZERO);
    assert!(
        w_with < w_without,
        "with the swap {w_with}, without {w_without}"
    );
    // Without the swap only the corridor pays in, and nothing goes out.
    assert!(received_without > Decimal::ZERO);
    assert_eq!(paid_without, Decimal::ZERO);
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_waterfall"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs a command from the project's root; its standard output, after
/// checking it exits 0.
fn ok(args: &[&str]) -> String {
    let out = bin().current_dir(root()).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn names_every_class(deal: &str, text: &str) {
    let d = Deal::load(&root().join(deal)).unwrap();
    for c in &d.classes {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().any(|w| w == c.name)),
            "{deal}: no line names {}:\n{text}",
            c.name
        );
    }
}

#[test]
fn both_examples_run_project_grid_and_breakeven_from_closing() {
    let dir = tempfile::tempdir().unwrap();
    let one = write(
        dir.path(),
        "one.toml",
        "prepay = \"100PPC\"\ndefault = \"6CDR\"\nseverity = \"45\"\ncall = false\nlibor = { flat = \"5.32\" }\n",
    );
    let grid = write(
        dir.path(),
        "grid.toml",
        "severity = \"45\"\ncall = false\nlibor = { flat = \"5.32\" }\n[grid]\nprepay = [\"100PPC\", \"200PSA\"]\ndefault = [\"0CDR\", \"4CDR\"]\n",
    );
    let (one, grid) = (one.to_str().unwrap(), grid.to_str().unwrap());
    for deal in [SUBPRIME, JUMBO] {
        let project = ok(&["project", deal, "--scenario", one]);
        assert!(project.contains("projected from closing"), "{project}");
        names_every_class(deal, &project);
        let g = ok(&["grid", deal, "--scenarios", grid]);
        names_every_class(deal, &g);
        let b = ok(&["breakeven", deal, "--class", "all", "--scenario", one]);
        let d = Deal::load(&root().join(deal)).unwrap();
        // Every class that can lose principal: the OC's holder and the
        // residual have none.
        for c in d.classes.iter().filter(|c| !c.original_balance.is_zero()) {
            assert!(
                b.lines()
                    .any(|l| l.split_whitespace().next() == Some(c.name.as_str())),
                "{deal}: breakeven has no row for {}:\n{b}",
                c.name
            );
        }
    }
}

#[test]
fn a_counterparty_default_in_the_scenario_stops_the_swap_from_that_month() {
    let d = Deal::load(&root().join(SUBPRIME)).unwrap();
    let s = scenario(
        "prepay = \"100PPC\"\ncall = false\nlibor = { flat = \"6.20\" }\ncounterparty_default = { month = 24, termination_payment = \"2500000\" }\n",
    );
    let proj = Projection::from(&d, From::Closing).unwrap();
    let mut rec = Recorder::default();
    proj.run(&s, &mut Engine::<Decimal>::new(&d), &mut rec)
        .unwrap();
    // Month 23 the swap still pays: the notional is 600,000,000 from month
    // 19, and at 6.20% against 5.20% the trust receives.
    assert_eq!(rec.periods[22].result.swaps[0].notional, dec!(600000000));
    assert!(rec.periods[22].result.swaps[0].receipt > Decimal::ZERO);
    for p in &rec.periods[23..] {
        assert_eq!(p.result.swaps[0].net, Decimal::ZERO, "month {}", p.month);
        assert_eq!(p.result.caps[0].payment, Decimal::ZERO);
        assert_eq!(p.result.deal.derivative_receipts, Decimal::ZERO);
    }
    // The 2,500,000 termination payment falls due in month 24; the excess
    // cash flow pays what it can, and the rest is owed the next month,
    // until all 2,500,000 is paid.
    let m24 = &rec.periods[23].result.swaps[0];
    assert_eq!(m24.termination, dec!(2500000));
    assert!(m24.termination_paid > Decimal::ZERO && m24.termination_paid < dec!(2500000));
    let m25 = &rec.periods[24].result.swaps[0];
    assert_eq!(m25.termination, dec!(2500000) - m24.termination_paid);
    let paid: Decimal = rec
        .periods
        .iter()
        .map(|p| p.result.swaps[0].termination_paid)
        .sum();
    assert_eq!(paid, dec!(2500000));
}
