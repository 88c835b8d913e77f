//! Every deal under a directory reconciled at once: the regression run of a
//! book of deals, each deal's filings month after month as
//! [`reconcile_all`](super::reconcile_all) runs them.
//!
//! The deals are independent, so they are loaded and reconciled in parallel;
//! the results come back in the directories' order, and the first deal that
//! cannot be read (in that order) is the error, whatever the thread count.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Value, json};

use super::render::{count_cells, counts_table, json_months, text};
use super::{Options, Reconciliation, Summary, reconcile_all, report_paths};
use crate::deal::Deal;
use crate::error::{Error, Result};

/// One deal's reconciled filings.
pub struct DealRun {
    /// The deal's directory, as listed.
    pub dir: PathBuf,
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
        Ok(DealRun {
            dir: dir.clone(),
            deal,
            runs,
        })
    };
    let done: Vec<Result<DealRun>> = dirs.par_iter().map(one).collect();
    done.into_iter().collect()
}

/// One row per deal: months, figures compared, matched, mismatched,
/// report-inconsistent, not modelled, inputs, missing.
pub fn deals_table(deals: &[DealRun]) -> String {
    let mut t = counts_table(&["deal", "months"], 1);
    let mut total = Summary::default();
    let mut months = 0;
    let mut row = |name: String, months: usize, s: &Summary| {
        t.row(count_cells([name, months.to_string()], s));
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

/// The text of `reconcile --all`: each deal's text as [`text`] writes it for
/// that deal alone, then the deal-by-deal table.
pub fn deals_text(deals: &[DealRun], explain: bool) -> String {
    let mut s = String::new();
    for d in deals {
        s.push_str(&text(&d.deal, &d.runs, explain));
        s.push('\n');
    }
    s.push_str("Deal by deal:\n");
    s.push_str(&deals_table(deals));
    s
}

/// The JSON of `reconcile --all`: one object a deal, its name, directory and
/// months.
pub fn deals_json(deals: &[DealRun], explain: bool) -> Value {
    Value::Array(
        deals
            .iter()
            .map(|d| {
                json!({
                    "deal": d.deal.name,
                    "dir": d.dir.display().to_string(),
                    "months": json_months(&d.deal, &d.runs, explain),
                })
            })
            .collect(),
    )
}
