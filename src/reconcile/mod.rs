//! Reconciliation: run a filed period through the deal's waterfall and compare
//! every figure the report prints that the engine produces.

mod figures;
mod inputs;
mod render;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use figures::{Figure, Status, Unit, slug};
pub use inputs::{IndexSource, Inputs, from_report, index};
pub use render::{to_json, write_text};

use crate::deal::Deal;
use crate::error::{Error, Result};
use crate::report::{self, Report, Warning};
use crate::waterfall::{Engine, Explain, PeriodResult};

#[derive(Debug, Clone)]
pub struct Options {
    /// Dollars a money figure may differ from the print and still match.
    pub tolerance: Decimal,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tolerance: Decimal::ONE,
        }
    }
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
}

/// Counts of figures by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub figures: usize,
    pub matched: usize,
    pub mismatched: usize,
    pub report_inconsistent: usize,
    pub not_modelled: usize,
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

/// Read and parse a report file.
pub fn read_report(path: &Path) -> Result<(Report, Vec<Warning>)> {
    let text = Error::read_to_string(path)?;
    report::parse(path, &text)
}

/// Reconcile a parsed report of `deal`.
pub fn reconcile(
    deal: &Deal,
    report: &Report,
    warnings: Vec<Warning>,
    path: &Path,
    options: &Options,
) -> Result<Reconciliation> {
    let inputs = from_report(deal, report, path)?;
    let mut engine = Engine::<Decimal>::new(deal);
    let mut state = inputs.state.clone();
    let mut result = engine.result();
    let mut ledger = Explain::default();
    engine.run(&mut state, &inputs.period, &mut result, &mut ledger)?;
    let mut figures = figures::Comparer {
        deal,
        report,
        result: &result,
        tolerance: options.tolerance,
        figures: Vec::new(),
    }
    .compare();
    for f in figures
        .iter_mut()
        .filter(|f| f.status == Status::Mismatch && f.note.is_none())
    {
        f.note = why(deal, &inputs, &result, &ledger, f);
    }
    let mut notes = Vec::new();
    for class in &deal.classes {
        if let Some(p) = report.class(&class.name).and_then(|r| r.original_balance)
            && p.value != class.original_balance
        {
            notes.push(format!(
                "{}: the deal file's original balance is {}, the report prints {} (line {})",
                class.name,
                crate::format::dollars(class.original_balance),
                crate::format::dollars(p.value),
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
    Ok(Reconciliation {
        deal: deal.short_name.clone(),
        report_path: path.to_path_buf(),
        distribution_date: inputs.period.date,
        inputs,
        result,
        figures,
        ledger,
        warnings,
        notes,
        tolerance: options.tolerance,
    })
}

/// How the engine arrived at a class figure that does not match: its accrual
/// and the waterfall steps that paid it, from the period's ledger.
fn why(
    deal: &Deal,
    inputs: &Inputs,
    result: &PeriodResult<Decimal>,
    ledger: &Explain<Decimal>,
    f: &Figure,
) -> Option<String> {
    use crate::format::{money, percent};
    let class = f.class()?;
    let k = deal.class_index(class)?;
    let c = &result.classes[k];
    let paid_by = |what: &[&str]| {
        let steps: Vec<String> = ledger
            .entries
            .iter()
            .filter(|e| {
                e.payments
                    .iter()
                    .any(|p| p.to == class && what.contains(&p.what) && !p.paid.is_zero())
            })
            .map(|e| {
                let paid: Decimal = e
                    .payments
                    .iter()
                    .filter(|p| p.to == class)
                    .map(|p| p.paid)
                    .sum();
                format!(
                    "step {} ({}) paid {}",
                    e.step + 1,
                    deal.steps[e.step].label,
                    money(paid)
                )
            })
            .collect();
        if steps.is_empty() {
            "no step paid it".to_string()
        } else {
            steps.join("; ")
        }
    };
    let days = match deal.classes[k].day_count {
        crate::calendar::DayCount::Act360 => inputs.period.days_actual,
        crate::calendar::DayCount::Thirty360 => inputs.period.days_30,
    };
    let accrual = format!(
        "accrued {} x {} x {days}/360 = {}",
        money(c.beginning),
        percent(c.rate, 5),
        money(c.accrued)
    );
    let field = f.field();
    let pays: &[&str] = &[
        "interest",
        "net WAC carryover",
        "writedown reimbursement",
        "prepayment premiums",
        "remainder",
    ];
    if deal.classes[k].coupon == crate::deal::Coupon::None
        && !field.starts_with("principal")
        && !field.starts_with("ending")
    {
        let received = c.interest_distribution();
        return Some(if field == "rate" {
            format!(
                "its rate is what it received annualised over the beginning pool: {} x 12 / {}",
                money(received),
                money(result.deal.pool_beginning)
            )
        } else {
            paid_by(pays)
        });
    }
    Some(if field == "rate" {
        format!(
            "{}; the index was {}",
            accrual,
            percent(inputs.period.index, 5)
        )
    } else if field.starts_with("interest") {
        format!("{accrual}; {}", paid_by(pays))
    } else if field.starts_with("principal") || field.starts_with("ending") {
        format!(
            "began at {}; {}",
            money(c.beginning),
            paid_by(&["principal", "writedown"])
        )
    } else {
        format!(
            "{accrual}; {}",
            paid_by(&[
                "interest",
                "principal",
                "net WAC carryover",
                "writedown reimbursement",
                "prepayment premiums",
                "remainder"
            ])
        )
    })
}

/// Read, parse and reconcile one report file.
pub fn reconcile_file(deal: &Deal, path: &Path, options: &Options) -> Result<Reconciliation> {
    let (report, warnings) = read_report(path)?;
    reconcile(deal, &report, warnings, path, options)
}
