//! Every deal under a directory reconciled at once: the regression run of a
//! book of deals, each deal's filings month after month as
//! [`reconcile_all`](super::reconcile_all) runs them.
//!
//! The deals are independent, so they are loaded and reconciled in parallel;
//! the results come back in the directories' order, and the first deal that
//! cannot be read (in that order) is the error, whatever the thread count.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Options, Reconciliation, Summary, reconcile_all, report_paths};
use crate::deal::Deal;
use crate::error::{Error, Result};
use crate::table::Table;

/// One deal's reconciled filings.
pub struct DealRun {
    pub deal: Deal,
    pub runs: Vec<Reconciliation>,
}

impl DealRun {
    /// The deal's figures over all its months.
    pub fn summary(&self) -> Summary {
        let mut total = Summary::default();
        for r in &self.runs {
            total.add(&r.summary());
        }
        total
    }
}

/// The deals under `dir` that have filings to reconcile: each subdirectory
/// holding a `deal.toml` and a `filings/` directory, by name. A deal without
/// filings (one that runs from closing) is left out.
pub fn deals_with_filings(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::file(dir, format!("cannot list the directory of deals: {e}")))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("deal.toml").is_file() && p.join("filings").is_dir())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(Error::file(
            dir,
            "no deal with filings here: expected directories each holding a deal.toml and a filings/ directory",
        ));
    }
    Ok(dirs)
}

/// Load and reconcile every deal in `dirs`, each from its own filings.
pub fn reconcile_deals(dirs: &[PathBuf], options: &Options) -> Result<Vec<DealRun>> {
    let one = |dir: &PathBuf| -> Result<DealRun> {
        let deal = Deal::load(dir)?;
        let paths = report_paths(&deal, &[])?;
        let runs = reconcile_all(&deal, &paths, options)?;
        Ok(DealRun { deal, runs })
    };
    let done: Vec<Result<DealRun>> = dirs.par_iter().map(one).collect();
    done.into_iter().collect()
}

/// One row per deal: months, figures compared, matched, mismatched,
/// report-inconsistent, not modelled, inputs, missing.
pub fn deals_table(deals: &[DealRun]) -> String {
    let mut t = Table::with_left(
        &[
            "deal",
            "months",
            "compared",
            "match",
            "mismatch",
            "inconsistent",
            "not modelled",
            "inputs",
            "missing",
        ],
        1,
    );
    let mut total = Summary::default();
    let mut months = 0;
    let mut row = |name: String, months: usize, s: &Summary| {
        t.row(vec![
            name,
            months.to_string(),
            s.compared().to_string(),
            s.matched.to_string(),
            s.mismatched.to_string(),
            s.report_inconsistent.to_string(),
            s.not_modelled.to_string(),
            s.inputs.to_string(),
            s.missing.to_string(),
        ]);
    };
    for d in deals {
        let s = d.summary();
        total.add(&s);
        months += d.runs.len();
        row(d.deal.name.clone(), d.runs.len(), &s);
    }
    row("all deals".to_string(), months, &total);
    t.render()
}
