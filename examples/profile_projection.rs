//! Runs the benchmark's HE4 projection many times, for a profiler.
use std::path::Path;
use waterfall::deal::Deal;
use waterfall::num::Num;
use waterfall::projection::{Projection, summary::Summarizer};
use waterfall::scenario::ScenarioSet;
use waterfall::waterfall::Engine;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deal = Deal::load(&root.join("deals/absc-2003-he4")).unwrap();
    let p = Projection::from_report_file(
        &deal,
        &root.join("deals/absc-2003-he4/filings/2003-12-15.txt"),
    )
    .unwrap();
    let path = std::env::temp_dir().join("waterfall-profile.toml");
    std::fs::write(
        &path,
        "prepay = \"100PPC\"\ndefault = \"0CDR\"\ncall = false\n",
    )
    .unwrap();
    let s = ScenarioSet::load(&path).unwrap().single().unwrap();
    let start: Vec<f64> = p.start.state.balances.iter().map(|b| b.to_f64()).collect();
    let mut engine = Engine::<f64>::new(&deal);
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let t = std::time::Instant::now();
    for _ in 0..n {
        let mut sum = Summarizer::new(&deal, &start);
        p.run(&s, &mut engine, &mut sum).unwrap();
        std::hint::black_box(sum);
    }
    eprintln!("{:?} per projection", t.elapsed() / n as u32);
}
