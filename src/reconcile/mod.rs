//! Reconciliation: run filed periods through the deal's waterfall and compare
//! every figure the report prints with what the engine computes.
//!
//! A deal's filings run month after month: each month starts from the state
//! the engine left the month before (note balances, unpaid interest, the
//! reserve, cumulative losses, the step-down), and the beginning figures the
//! report prints are compared with it (a difference is a roll-forward break);
//! the first filing, or every one with `from_report_state`, starts from what
//! the report prints.

mod deals;
mod figures;
mod inputs;
mod render;
mod why;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;

pub use deals::{
    DealRun, deals_json, deals_table, deals_text, deals_with_filings, reconcile_deals,
};
pub use figures::{Figure, Status};
pub use inputs::{IndexSource, Inputs, from_filing, index, is_input};
pub use render::{json_months, json_value, summary_table, text, to_json, write_text};

use crate::deal::Deal;
use crate::error::{Error, Result};
use crate::report::{self, Filing, Warning};
use crate::waterfall::{DealState, Engine, Explain, PeriodResult};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Dollars a money figure may differ from the print and still match
    /// (the deal's `[report] tolerance` when not given).
    pub tolerance: Option<Decimal>,
    /// Start every month from what its report prints instead of carrying the
    /// state forward.
    pub from_report_state: bool,
}

/// The outcome of reconciling one report.
#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub deal: String,
    pub report_path: PathBuf,
    pub distribution_date: NaiveDate,
    pub inputs: Inputs,
    pub result: PeriodResult<Decimal>,
    pub figures: Vec<Figure>,
    /// The period's waterfall, step by step.
    pub ledger: Explain<Decimal>,
    /// What the parser noticed in the report.
    pub warnings: Vec<Warning>,
    /// Where the deal file and the report disagree on a term.
    pub notes: Vec<String>,
    pub tolerance: Decimal,
    /// The state at the end of the period (what the next month starts from).
    pub state: DealState<Decimal>,
}

/// Counts of figures by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub figures: usize,
    pub matched: usize,
    pub mismatched: usize,
    pub report_inconsistent: usize,
    pub not_modelled: usize,
    pub inputs: usize,
    pub missing: usize,
}

impl Summary {
    /// Figures compared with the engine's.
    pub fn compared(&self) -> usize {
        self.matched + self.mismatched + self.report_inconsistent
    }

    /// Whether the report reconciles: nothing mismatched, nothing missing.
    pub fn clean(&self) -> bool {
        self.mismatched == 0 && self.missing == 0
    }

    /// Add another month's (or deal's) counts to these.
    pub fn add(&mut self, o: &Summary) {
        self.figures += o.figures;
        self.matched += o.matched;
        self.mismatched += o.mismatched;
        self.report_inconsistent += o.report_inconsistent;
        self.not_modelled += o.not_modelled;
        self.inputs += o.inputs;
        self.missing += o.missing;
    }
}

impl Reconciliation {
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            figures: self.figures.len(),
            ..Summary::default()
        };
        for f in &self.figures {
            match f.status {
                Status::Match => s.matched += 1,
                Status::Mismatch => s.mismatched += 1,
                Status::ReportInconsistent => s.report_inconsistent += 1,
                Status::NotModelled => s.not_modelled += 1,
                Status::Input => s.inputs += 1,
                Status::Missing => s.missing += 1,
            }
        }
        s
    }

    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }
}

/// The reports to reconcile: those given, or every file in the deal's `filings/`.
pub fn report_paths(deal: &Deal, given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let dir = deal.dir().join("filings");
    if !dir.exists() {
        return Err(Error::file(
            &dir,
            "the deal has no filings to reconcile (no filings/ directory beside its deal.toml); a deal without filings runs from closing: project, price, decrement",
        ));
    }
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| Error::file(&dir, format!("cannot list the deal's filings: {e}")))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Error::file(&dir, "no filings to reconcile"));
    }
    Ok(paths)
}

/// Read a filing of `deal` in its layout.
pub fn read_filing(deal: &Deal, path: &Path) -> Result<Filing> {
    report::read_filing(deal.report.layout, path)
}

/// Reconcile one filing, starting from `carried` (the previous month's end)
/// or, when `None`, from what the filing prints.
pub fn reconcile(
    deal: &Deal,
    filing: &Filing,
    path: &Path,
    options: &Options,
    carried: Option<&DealState<Decimal>>,
) -> Result<Reconciliation> {
    let tolerance = options.tolerance.unwrap_or(deal.report.tolerance);
    let inputs = from_filing(deal, filing, path, carried)?;
    let mut engine = Engine::<Decimal>::new(deal).with_report_figures();
    let mut state = inputs.state.clone();
    let mut result = engine.result();
    let mut ledger = Explain::default();
    engine.run(&mut state, &inputs.period, &mut result, &mut ledger)?;
    let mut figures = figures::compare(deal, filing, &result, &inputs, tolerance);
    for f in figures
        .iter_mut()
        .filter(|f| f.status == Status::Mismatch && f.note.is_none())
    {
        f.note = why::why(deal, &inputs, &result, &ledger, f);
    }
    let notes = notes(deal, filing, &inputs, &result);
    Ok(Reconciliation {
        deal: deal.short_name.clone(),
        report_path: path.to_path_buf(),
        distribution_date: inputs.period.date,
        inputs,
        result,
        figures,
        ledger,
        warnings: filing.warnings.clone(),
        notes,
        tolerance,
        state,
    })
}

/// Where the deal file and the report disagree on a term, or the deal uses
/// a figure other than the contract's.
fn notes(
    deal: &Deal,
    filing: &Filing,
    inputs: &Inputs,
    result: &PeriodResult<Decimal>,
) -> Vec<String> {
    let mut notes = Vec::new();
    for class in &deal.classes {
        if let Some(p) = filing.class(&class.name, "original_balance")
            && p.value != class.original_balance
        {
            notes.push(format!(
                "{}: the deal file's original balance is {}, the report prints {} (line {})",
                class.name,
                crate::format::money(class.original_balance),
                crate::format::money(p.value),
                p.line
            ));
        }
    }
    if let IndexSource::Implied { disagreeing, .. } = &inputs.index_source {
        for (class, implied) in disagreeing {
            notes.push(format!(
                "{class}: its printed rate less its margin is {}, not the index {} the other floating classes imply",
                crate::format::percent(*implied, 5),
                crate::format::percent(inputs.period.index, 5)
            ));
        }
    }
    if let Some(oc) = &deal.oc
        && let Some(contract) = &oc.contract_target
        && let Some(value) = contract_value(deal, contract)
    {
        let used = result.deal.oc_target;
        let gap = if used == value {
            "the same".to_string()
        } else {
            format!(
                "{} {} than the deal's",
                crate::format::money((used - value).abs()),
                if used > value { "less" } else { "more" }
            )
        };
        notes.push(format!(
            "OC target: the deal uses {} (as the reports do); the contract's target, {}, is {}: {gap}",
            crate::format::money(used),
            deal.display(contract),
            crate::format::money(value),
        ));
    }
    if inputs.carried {
        notes.push("started from the state the previous month's run left, not from this report's beginning figures".to_string());
    }
    notes
}

/// The value of the contract's OC target, which validation allows to read
/// only the pool's cut-off balance and numbers.
fn contract_value(deal: &Deal, e: &crate::deal::Expr) -> Option<Decimal> {
    struct Cutoff(Decimal);
    impl crate::deal::expr::Context<Decimal> for Cutoff {
        fn quantity(&mut self, q: &crate::deal::Quantity) -> Decimal {
            match q {
                crate::deal::Quantity::Pool {
                    group: None,
                    field: crate::deal::quantity::PoolField::Cutoff,
                } => self.0,
                _ => Decimal::ZERO,
            }
        }
    }
    let v: Decimal = e.eval(&mut Cutoff(deal.cutoff_balance));
    Some(v.round_dp_with_strategy(2, crate::num::MONEY_ROUNDING))
}

/// Reconcile filings of `deal` in date order, carrying the state from one
/// month to the next (unless `options.from_report_state`).
pub fn reconcile_all(
    deal: &Deal,
    paths: &[PathBuf],
    options: &Options,
) -> Result<Vec<Reconciliation>> {
    // Each report is read on its own (in parallel); the first that cannot be
    // read, in the order given, is the error, whatever the thread count.
    // One report is read where it is, without starting threads.
    let read: Vec<Result<Filing>> = if paths.len() == 1 {
        vec![read_filing(deal, &paths[0])]
    } else {
        paths.par_iter().map(|p| read_filing(deal, p)).collect()
    };
    let mut filings = Vec::with_capacity(paths.len());
    for (f, p) in read.into_iter().zip(paths) {
        filings.push((f?, p.clone()));
    }
    // In date order (a stable sort: reports given for the same date stay in
    // the order given, and each starts from its own figures).
    filings.sort_by_key(|(f, _)| f.date);
    let mut out: Vec<Reconciliation> = Vec::with_capacity(filings.len());
    for (filing, path) in &filings {
        let carried = match out.last() {
            Some(prev) if !options.from_report_state => {
                let next = deal.calendar.distribution_after(prev.distribution_date, 1);
                (next == filing.date).then_some(&prev.state)
            }
            _ => None,
        };
        let mut r = reconcile(deal, filing, path, options, carried)?;
        if carried.is_none()
            && let Some(prev) = out.last()
            && !options.from_report_state
            && filing.date > prev.distribution_date
        {
            r.notes.push(format!(
                "no filing between {} and {}: started from this report's beginning figures",
                prev.distribution_date, r.distribution_date
            ));
        }
        out.push(r);
    }
    // The reports' own continuity, month to month: a break is noted on the
    // later month, naming both months and the figures.
    for i in 1..out.len() {
        let (prev, cur) = (&out[i - 1], &out[i]);
        if deal.calendar.distribution_after(prev.distribution_date, 1) != cur.distribution_date {
            continue;
        }
        let breaks = deal
            .report
            .layout
            .sequence_breaks(&filings[i - 1].0, &filings[i].0)?;
        let (from, to) = (prev.distribution_date, cur.distribution_date);
        for b in breaks {
            out[i].notes.push(format!(
                "the {from} and {to} reports disagree with each other: {b}"
            ));
        }
    }
    Ok(out)
}

/// Read, parse and reconcile one report file from its own beginning figures.
pub fn reconcile_file(deal: &Deal, path: &Path, options: &Options) -> Result<Reconciliation> {
    let filing = read_filing(deal, path)?;
    reconcile(deal, &filing, path, options, None)
}
