//! The SIFMA standard formulas' published sample cash flow A, reproduced to the
//! dollar: $100,000,000 of new 30-year 8% loans, 1 SMM, 1 MDR, 20% severity,
//! 12-month lag, principal and interest advanced.

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal_macros::dec;
use waterfall::collateral::{
    Assumptions, Defaults, HEADER, LineFlows, LineState, LoanLine, PpcCurves, Prepay, RatePlan,
};
use waterfall::num::Num;

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/sifma/sifma-sf-cashflow-a.csv"
);

/// The money columns the table and the engine have in common: the CLI's
/// columns (after `month`) and the defaulted balance liquidated each month.
fn columns() -> Vec<&'static str> {
    let mut c: Vec<&'static str> = HEADER[1..].to_vec();
    c.push("amortized_default_balance_in_recovery_month");
    c
}

/// Columns with a published total.
const TOTALLED: [&str; 7] = [
    "new_defaults",
    "expected_amortization",
    "voluntary_prepayments",
    "amort_from_defaults",
    "actual_amortization",
    "principal_recovery",
    "principal_loss",
];

fn line() -> LoanLine {
    LoanLine {
        id: "A".into(),
        group: "1".into(),
        balance: dec!(100000000),
        gross_coupon: dec!(0.08),
        net_coupon: dec!(0.08),
        original_term: 360,
        remaining_term: 360,
        arm: None,
    }
}

fn assumptions() -> Assumptions {
    Assumptions {
        prepay: Prepay::Smm(dec!(1)),
        defaults: Defaults::Mdr(dec!(1)),
        severity: dec!(0.20),
        lag: 12,
        advancing: true,
        ppc: PpcCurves::default(),
    }
}

fn value<T: Num>(f: &LineFlows<T>, column: &str) -> f64 {
    let v = match column {
        "performing_balance" => f.performing_balance,
        "new_defaults" => f.new_defaults,
        "in_foreclosure" => f.in_foreclosure,
        "expected_amortization" => f.expected_amortization,
        "voluntary_prepayments" => f.voluntary_prepayments,
        "amort_from_defaults" => f.amort_from_defaults,
        "actual_amortization" => f.actual_amortization,
        "expected_interest" => f.expected_interest,
        "interest_lost" => f.interest_lost,
        "actual_interest" => f.actual_interest,
        "net_interest" => f.net_interest,
        "principal_recovery" => f.principal_recovery,
        "principal_loss" => f.principal_loss,
        "amortized_default_balance_in_recovery_month" => f.amortized_default_balance,
        "principal_remittance" => f.principal_remittance,
        "pool_balance" => f.pool_balance,
        other => panic!("no column {other}"),
    };
    v.to_f64()
}

/// Run the scenario in `T`: each month's flows and schedule factor.
fn run<T: Num>() -> Vec<(LineFlows<T>, T)> {
    let (line, a) = (line(), assumptions());
    let plan = RatePlan::<T>::for_line(&a, &line, 360);
    let mut state = LineState::new(&line, &plan);
    (1..=360)
        .map(|m| {
            let f = state.step(m, T::ZERO);
            (f, state.schedule_factor())
        })
        .collect()
}

struct Reference {
    start: HashMap<String, String>,
    months: Vec<HashMap<String, String>>,
    total: HashMap<String, String>,
}

fn reference() -> Reference {
    let mut reader = csv::Reader::from_path(REFERENCE).expect("reference table");
    let headers = reader.headers().unwrap().clone();
    let mut rows: Vec<HashMap<String, String>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    let start = rows.remove(0);
    let total = rows.pop().unwrap();
    assert_eq!(start["month"], "");
    assert_eq!(total["month"], "Total");
    assert_eq!(rows.len(), 360);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["month"], (i + 1).to_string());
    }
    Reference {
        start,
        months: rows,
        total,
    }
}

/// A published cell; an empty cell is zero.
fn cell(row: &HashMap<String, String>, column: &str) -> f64 {
    let v = row[column].trim();
    if v.is_empty() {
        0.0
    } else {
        v.parse().unwrap()
    }
}

#[test]
fn reproduces_sifma_sample_cash_flow_a_to_the_dollar() {
    let reference = reference();
    let exact = run::<Decimal>();
    let fast = run::<f64>();

    assert_eq!(cell(&reference.start, "performing_balance"), 100_000_000.0);

    let mut first_failure: Option<String> = None;
    let mut max_diff: Vec<(&str, f64, u32)> = columns().into_iter().map(|c| (c, 0.0, 0)).collect();
    let mut max_factor_diff = 0.0_f64;
    for (i, (row, (flows, factor))) in reference.months.iter().zip(&exact).enumerate() {
        let month = i as u32 + 1;
        for (column, max, at) in max_diff.iter_mut() {
            let (mine, published) = (value(flows, column), cell(row, column));
            let d = (mine - published).abs();
            if d > *max {
                *max = d;
                *at = month;
            }
            if d > 1.0 && first_failure.is_none() {
                first_failure = Some(format!(
                    "month {month}, {column}: engine {mine:.2}, published {published}"
                ));
            }
        }
        let (mine, published) = (factor.to_f64().unwrap(), cell(row, "amort_factor"));
        let d = (mine - published).abs();
        max_factor_diff = max_factor_diff.max(d);
        if d > 0.0001 && first_failure.is_none() {
            first_failure = Some(format!(
                "month {month}, amort_factor: engine {mine:.6}, published {published}"
            ));
        }
    }

    // The published totals are sums of unrounded figures; ours are sums of
    // cents. Both agree within $1 for this table, so no per-row allowance is
    // needed.
    let mut total_diff = Vec::new();
    for column in TOTALLED {
        let mine: f64 = exact.iter().map(|(f, _)| value(f, column)).sum();
        let published = cell(&reference.total, column);
        let d = (mine - published).abs();
        total_diff.push((column, mine, published, d));
        if d > 1.0 && first_failure.is_none() {
            first_failure = Some(format!(
                "Total row, {column}: engine {mine:.2}, published {published}"
            ));
        }
    }
    let adb_total: f64 = exact
        .iter()
        .map(|(f, _)| value(f, "amortized_default_balance_in_recovery_month"))
        .sum();
    let adb_published = cell(
        &reference.total,
        "amortized_default_balance_in_recovery_month",
    );
    total_diff.push((
        "amortized_default_balance_in_recovery_month",
        adb_total,
        adb_published,
        (adb_total - adb_published).abs(),
    ));
    if (adb_total - adb_published).abs() > 1.0 && first_failure.is_none() {
        first_failure = Some(format!(
            "Total row, amortized_default_balance_in_recovery_month: engine {adb_total:.2}, published {adb_published}"
        ));
    }

    // Decimal and f64 agree to the cent in every cell.
    let all_columns =
        columns()
            .into_iter()
            .chain(["net_interest", "principal_remittance", "pool_balance"]);
    let mut max_f64_diff = 0.0_f64;
    let mut f64_failure = None;
    for column in all_columns {
        for (m, ((e, _), (f, _))) in exact.iter().zip(&fast).enumerate() {
            let d = (value(e, column) - value(f, column)).abs();
            max_f64_diff = max_f64_diff.max(d);
            if d > 0.01 + 1e-6 && f64_failure.is_none() {
                f64_failure = Some(format!(
                    "month {}, {column}: Decimal {:.2}, f64 {:.2}",
                    m + 1,
                    value(e, column),
                    value(f, column)
                ));
            }
        }
    }

    eprintln!("SIFMA sample cash flow A: max |engine (Decimal) - published| by column");
    for (column, max, at) in &max_diff {
        eprintln!("  {column:<45} {max:>6.2}  (month {at})");
    }
    eprintln!("  {:<45} {max_factor_diff:>9.6}", "amort_factor");
    eprintln!("Total row: engine sum vs published total");
    for (column, mine, published, d) in &total_diff {
        eprintln!("  {column:<45} {mine:>16.2} {published:>12} diff {d:.2}");
    }
    eprintln!("max |Decimal - f64| over every cell: {max_f64_diff:.4}");

    if let Some(f) = first_failure {
        panic!("differs from the published table by more than $1: {f}");
    }
    if let Some(f) = f64_failure {
        panic!("Decimal and f64 differ by more than a cent: {f}");
    }
}
