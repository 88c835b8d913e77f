//! The workloads the README quotes: parse and reconcile both filings (exact),
//! one 360-month HE4 projection (fast path), and a 1,000-scenario HE4 grid.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use waterfall::deal::Deal;
use waterfall::grid::{Format, Grid, GridRow, RowWriter};
use waterfall::num::Num;
use waterfall::projection::{Projection, summary::Summarizer};
use waterfall::reconcile::{self, Options};
use waterfall::scenario::ScenarioSet;
use waterfall::waterfall::Engine;

const HE4_REPORT: &str = include_str!("../deals/absc-2003-he4/filings/2003-12-15.txt");
const HE2_REPORT: &str = include_str!("../deals/absc-2003-he2/filings/2003-12-15.txt");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenario_file(text: &str) -> ScenarioSet {
    let dir = std::env::temp_dir().join(format!("waterfall-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("s{}.toml", text.len()));
    std::fs::write(&path, text).unwrap();
    ScenarioSet::load(&path).unwrap()
}

fn reconcile_filings(c: &mut Criterion) {
    let he4 = Deal::load(&root().join("deals/absc-2003-he4")).unwrap();
    let he2 = Deal::load(&root().join("deals/absc-2003-he2")).unwrap();
    c.bench_function("parse and reconcile both December 2003 filings", |b| {
        b.iter(|| {
            for (deal, text) in [(&he4, HE4_REPORT), (&he2, HE2_REPORT)] {
                let path = Path::new("report.txt");
                let filing =
                    waterfall::report::parse_filing(deal.report.layout, path, text).unwrap();
                let r =
                    reconcile::reconcile(deal, &filing, path, &Options::default(), None).unwrap();
                assert_eq!(r.summary().mismatched, 0);
            }
        })
    });
}

fn project_he4(c: &mut Criterion) {
    let deal = Deal::load(&root().join("deals/absc-2003-he4")).unwrap();
    let p = Projection::from_report_file(
        &deal,
        &root().join("deals/absc-2003-he4/filings/2003-12-15.txt"),
    )
    .unwrap();
    // No call and no defaults: the pool runs its whole remaining term.
    let s = scenario_file("prepay = \"100PPC\"\ndefault = \"0CDR\"\ncall = false\n")
        .single()
        .unwrap();
    let start: Vec<f64> = p.start.balances(&deal).iter().map(|b| b.to_f64()).collect();
    let mut engine = Engine::<f64>::new(&deal);
    let mut probe = Summarizer::new(&deal, &start);
    p.run(&s, &mut engine, &mut probe).unwrap();
    let periods = probe.finish(&deal).deal.periods;
    assert!(periods >= 348, "{periods} periods");
    c.bench_function(&format!("one HE4 projection, {periods} months, f64"), |b| {
        b.iter(|| {
            let mut sum = Summarizer::new(&deal, &start);
            p.run(&s, &mut engine, &mut sum).unwrap();
            sum
        })
    });
    let mut exact = Engine::<Decimal>::new(&deal);
    let start_d = p.start.state.balances.clone();
    let mut group = c.benchmark_group("exact");
    group.sample_size(10);
    group.bench_function(
        format!("one HE4 projection, {periods} months, Decimal"),
        |b| {
            b.iter(|| {
                let mut sum = Summarizer::new(&deal, &start_d);
                p.run(&s, &mut exact, &mut sum).unwrap();
                sum
            })
        },
    );
    group.finish();
}

fn grid_he4(c: &mut Criterion) {
    let deal = Deal::load(&root().join("deals/absc-2003-he4")).unwrap();
    let p = Projection::from_report_file(
        &deal,
        &root().join("deals/absc-2003-he4/filings/2003-12-15.txt"),
    )
    .unwrap();
    // 10 x 10 x 10 = 1,000 scenarios.
    let set = scenario_file(
        "severity = \"40\"\n[grid]\nprepay = [\"50PPC\",\"60PPC\",\"70PPC\",\"80PPC\",\"90PPC\",\"100PPC\",\"110PPC\",\"120PPC\",\"130PPC\",\"150PPC\"]\ndefault = [\"0CDR\",\"1CDR\",\"2CDR\",\"3CDR\",\"4CDR\",\"5CDR\",\"6CDR\",\"8CDR\",\"10CDR\",\"12CDR\"]\nseverity = [\"20\",\"25\",\"30\",\"35\",\"40\",\"45\",\"50\",\"55\",\"60\",\"65\"]\n",
    );
    assert_eq!(set.len(), 1000);
    let mut group = c.benchmark_group("grid");
    group.sample_size(10);
    group.bench_function("1,000-scenario HE4 grid, all cores", |b| {
        b.iter(|| {
            let grid = Grid::new(&p, &set);
            let mut rows = 0usize;
            grid.run(None, |chunk: &[Vec<GridRow>]| {
                rows += chunk.iter().map(Vec::len).sum::<usize>();
                Ok(())
            })
            .unwrap();
            rows
        })
    });
    group.bench_function("1,000-scenario HE4 grid written as CSV, all cores", |b| {
        b.iter(|| {
            let grid = Grid::new(&p, &set);
            let mut rows = RowWriter::new(std::io::sink(), Format::Csv);
            rows.begin().unwrap();
            grid.write(None, &mut rows, |_| {}).unwrap();
            let n = rows.written();
            rows.finish().unwrap();
            n
        })
    });
    group.finish();
}

fn engine_setup(c: &mut Criterion) {
    let deal = Deal::load(&root().join("deals/absc-2003-he4")).unwrap();
    c.bench_function("engine set-up for HE4 (f64)", |b| {
        b.iter(|| Engine::<f64>::new(&deal))
    });
}

criterion_group!(
    benches,
    reconcile_filings,
    project_he4,
    grid_he4,
    engine_setup
);
criterion_main!(benches);
