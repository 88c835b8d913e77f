//! The exact path (`Decimal`) and the fast path (`f64`, the one grids and
//! breakevens run) pay the same cents: every class, every period, every
//! bundled deal, from closing and from its latest filing, under every
//! bundled scenario (from closing, a scenario that takes the index from the
//! filing runs with the index flat at 4.5% plus its shift instead: there is
//! no filing to take it from).
//!
//! Every money figure of a class is a cent amount on both paths; the fast
//! one must be the exact one to the cent (its f64 within half a cent of it,
//! so it prints as the same cents). Rates are compared to 1e-12.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::deal::Deal;
use waterfall::error::Error;
use waterfall::num::Num;
use waterfall::projection::{From, Projection, Recorder};
use waterfall::reconcile;
use waterfall::scenario::{Libor, Scenario, ScenarioSet};
use waterfall::waterfall::Engine;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn deals() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("deals"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|d| d.join("deal.toml").exists())
        .collect();
    v.sort();
    v
}

/// The bundled scenarios: `scenarios/*.toml` and each deal's own. Of a
/// grid or list, the first, the middle and the last scenario (the corners
/// of the grid: slowest and fastest speeds, lowest and highest defaults).
fn scenarios(deal_dir: &Path) -> Vec<(String, Scenario)> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [root().join("scenarios"), deal_dir.join("scenarios")] {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            files.extend(
                rd.map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|x| x == "toml")),
            );
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let set = ScenarioSet::load(&f).unwrap();
        let n = set.len();
        let mut picks = vec![0, n / 2, n - 1];
        picks.dedup();
        for i in picks {
            let s = set.get(i);
            let name = format!("{} #{}", f.file_name().unwrap().to_string_lossy(), i + 1);
            out.push((name, s));
        }
    }
    out
}

fn record<T: Num>(p: &Projection, s: &Scenario) -> Result<Recorder<T>, Error> {
    let mut engine = Engine::<T>::new(p.deal);
    let mut rec = Recorder::default();
    p.run(s, &mut engine, &mut rec)?;
    Ok(rec)
}

/// The filing a projection starts from (none from closing).
fn latest_start(p: &Projection) -> Option<Decimal> {
    p.start.index
}

fn same_cents(exact: Decimal, fast: f64) -> bool {
    (exact - fast.to_decimal()).abs() < dec!(0.005)
}

/// Compare two runs; returns the periods compared.
fn compare(what: &str, deal: &Deal, exact: &Recorder<Decimal>, fast: &Recorder<f64>) -> usize {
    assert_eq!(
        exact.periods.len(),
        fast.periods.len(),
        "{what}: the paths ran different numbers of periods"
    );
    for (e, f) in exact.periods.iter().zip(&fast.periods) {
        let date = e.input.date;
        for (k, (ce, cf)) in e.result.classes.iter().zip(&f.result.classes).enumerate() {
            let class = &deal.classes[k].name;
            for (field, a, b) in [
                ("beginning", ce.beginning, cf.beginning),
                ("accrued", ce.accrued, cf.accrued),
                ("carry_in", ce.carry_in, cf.carry_in),
                (
                    "interest_on_carry",
                    ce.interest_on_carry,
                    cf.interest_on_carry,
                ),
                ("interest_due", ce.interest_due, cf.interest_due),
                ("interest_paid", ce.interest_paid, cf.interest_paid),
                ("accreted", ce.accreted, cf.accreted),
                ("principal", ce.principal, cf.principal),
                ("writedown", ce.writedown, cf.writedown),
                ("basis_due", ce.basis_due, cf.basis_due),
                ("basis_paid", ce.basis_paid, cf.basis_paid),
                ("reimbursed", ce.reimbursed, cf.reimbursed),
                ("other", ce.other, cf.other),
                ("ending", ce.ending, cf.ending),
            ] {
                assert!(
                    same_cents(a, b),
                    "{what} {date} class {class} {field}: exact {a}, fast {b}"
                );
            }
            let rate = (ce.rate - cf.rate.to_decimal()).abs();
            assert!(
                rate < dec!(0.000000000001),
                "{what} {date} class {class} rate: exact {}, fast {}",
                ce.rate,
                cf.rate
            );
        }
        assert!(
            same_cents(e.result.deal.pool_ending, f.result.deal.pool_ending),
            "{what} {date} pool ending"
        );
    }
    exact.periods.len()
}

#[test]
fn exact_and_fast_pay_the_same_cents_for_every_bundled_deal_and_scenario() {
    let mut runs = Vec::new();
    let mut periods = 0;
    for dir in deals() {
        let deal = Deal::load(&dir).unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let latest = reconcile::report_paths(&deal, &[])
            .ok()
            .and_then(|mut v| v.pop());
        let mut starts = vec![("closing".to_string(), From::Closing)];
        if let Some(path) = &latest {
            starts.push((
                format!("from {}", path.file_name().unwrap().to_string_lossy()),
                From::Filing(path),
            ));
        }
        for (start, from) in starts {
            let p = Projection::from(&deal, from).unwrap();
            for (sname, mut s) in scenarios(&dir) {
                let mut what = format!("{name} {start} {sname}");
                if let (None, Libor::Filing { shift }) = (latest_start(&p), &s.libor) {
                    // Both paths refuse it as it is ...
                    for refused in [record::<Decimal>(&p, &s).err(), record::<f64>(&p, &s).err()] {
                        assert!(
                            matches!(&refused, Some(Error::Usage(m)) if m.contains("index from the filing")),
                            "{what}: {refused:?}"
                        );
                    }
                    // ... and run it with an index of its own.
                    s.libor = Libor::Flat(dec!(0.045) + shift);
                    what.push_str(" (LIBOR flat 4.5% + shift)");
                }
                let exact = record::<Decimal>(&p, &s).unwrap_or_else(|e| panic!("{what}: {e}"));
                let fast = record::<f64>(&p, &s).unwrap();
                periods += compare(&what, &deal, &exact, &fast);
                runs.push(what);
            }
        }
    }
    // The eight bundled files give 15 picks (the two grids and prospectus 3
    // each, the counterparty list 2, the others 1): 11 deals from closing,
    // fjf-01's own file, and the four deals with filings again from their
    // latest.
    assert_eq!(runs.len(), 11 * 15 + 1 + 4 * 15, "{runs:?}");
    assert!(periods > 10_000, "only {periods} periods compared");
}
