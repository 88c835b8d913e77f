//! Any bytes as a report of ABSC 2003-HE4, reconciled through its waterfall:
//! an error is fine, a panic or an internal error (a broken invariant) is not.
#![no_main]
use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use waterfall::deal::Deal;
use waterfall::error::Error;
use waterfall::reconcile::{self, Options};
use waterfall::report::parse_filing;

fn deal() -> &'static Deal {
    static DEAL: OnceLock<Deal> = OnceLock::new();
    DEAL.get_or_init(|| {
        let text = include_str!("../../deals/absc-2003-he4/deal.toml");
        Deal::from_text(Path::new("deals/absc-2003-he4/deal.toml"), text).expect("the HE4 deal loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let deal = deal();
    let path = Path::new("fuzz.txt");
    let Ok(filing) = parse_filing(deal.report.layout, path, &text) else {
        return;
    };
    if let Err(Error::Internal(e)) = reconcile::reconcile(deal, &filing, path, &Options::default(), None) {
        panic!("internal error: {e}");
    }
});
