//! `waterfall._waterfall`: the simulator's library for Python. Every call
//! goes through the same `waterfall::…` functions the CLI calls, with the
//! GIL released while Rust computes; results come back as `pyarrow.Table`s
//! built in Rust; errors as [`WaterfallError`]s carrying the CLI's message.

mod arrow;
mod scenarios;
mod tables;

use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rust_decimal::Decimal;
use waterfall::breakeven;
use waterfall::deal::Deal as Model;
use waterfall::error::Error;
use waterfall::format::OutputFormat;
use waterfall::projection::{self, Projection};
use waterfall::scenario::ScenarioSet;

use scenarios::Source;

create_exception!(
    waterfall,
    WaterfallError,
    PyException,
    "A problem the simulator reports, with the message the CLI prints (one problem a line, located as path:line:column where it can be)."
);
create_exception!(
    waterfall,
    InputError,
    WaterfallError,
    "Bad input: a deal, scenario or report file, or an argument (the CLI's exit code 2)."
);
create_exception!(
    waterfall,
    InternalError,
    WaterfallError,
    "A broken invariant of the engine: a bug, not bad input (the CLI's exit code 3)."
);

/// An error of the library as a Python exception: `InputError` or
/// `InternalError`, with `kind`, `path`, `line`, `column` and `messages`.
pub fn to_py_err(e: Error) -> PyErr {
    let message = e.to_string();
    let (kind, path, line, column) = match &e {
        Error::At { at, .. } => ("at", Some(at.path.clone()), Some(at.line), at.column),
        Error::File { path, .. } => ("file", Some(path.clone()), None, None),
        Error::Usage(_) => ("usage", None, None, None),
        Error::Many(_) => ("many", None, None, None),
        Error::Internal(_) => ("internal", None, None, None),
        Error::Interrupted | Error::InterruptedAfter { .. } => ("interrupted", None, None, None),
        Error::OutputClosed => ("output-closed", None, None, None),
    };
    let err = if matches!(e, Error::Internal(_)) {
        InternalError::new_err(message.clone())
    } else {
        InputError::new_err(message.clone())
    };
    Python::attach(|py| {
        let v = err.value(py);
        let messages: Vec<String> = message.lines().map(String::from).collect();
        let path = path.map(|p| p.display().to_string());
        let _ = v.setattr("kind", kind);
        let _ = v.setattr("path", path);
        let _ = v.setattr("line", line);
        let _ = v.setattr("column", column);
        let _ = v.setattr("messages", messages);
    });
    err
}

/// A bug in these bindings (a column that cannot hold a value).
pub fn internal(message: impl Into<String>) -> PyErr {
    to_py_err(Error::Internal(message.into()))
}

trait OrRaise<T> {
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for waterfall::Result<T> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(to_py_err)
    }
}

/// Where a projection starts, as given from Python.
#[derive(Debug, Clone)]
enum Start {
    Closing,
    Latest,
    Report(PathBuf),
}

impl Start {
    fn from_py(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Ok(Start::Closing);
        };
        let path: PathBuf = obj.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "start is None, \"closing\", \"latest\" or the path of one of the deal's reports",
            )
        })?;
        Ok(match path.to_str() {
            Some("closing") => Start::Closing,
            Some("latest") => Start::Latest,
            _ => Start::Report(path),
        })
    }

    /// The report to start from, if any: as the CLI's `--from` reads it.
    fn report(&self, deal: &Model) -> waterfall::Result<Option<PathBuf>> {
        match self {
            Start::Closing => Ok(None),
            Start::Report(p) => Ok(Some(p.clone())),
            Start::Latest => deal.latest_filing().map(Some),
        }
    }

    fn projection<'d>(&self, deal: &'d Model) -> waterfall::Result<Projection<'d>> {
        match self.report(deal)? {
            None => Projection::from(deal, projection::From::Closing),
            Some(path) => Projection::from(deal, projection::From::Filing(&path)),
        }
    }
}

fn class_index(deal: &Model, name: &str) -> waterfall::Result<usize> {
    deal.class_index(name).ok_or_else(|| {
        let names: Vec<&str> = deal.classes.iter().map(|c| c.name.as_str()).collect();
        Error::Usage(format!(
            "--class: the deal has no class \"{name}\" (it has: {})",
            names.join(", ")
        ))
    })
}

/// One or several paths from Python: a path, or a list of paths.
fn paths(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PathBuf>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if let Ok(p) = obj.extract::<PathBuf>() {
        return Ok(vec![p]);
    }
    obj.extract::<Vec<PathBuf>>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err("reports are a path or a list of paths")
    })
}

/// The result of [`Deal::project`]: the CLI's four CSV files as tables.
#[pyclass(frozen, module = "waterfall")]
struct Projected {
    /// One row per period and class (`classes.csv`).
    #[pyo3(get)]
    classes: Py<PyAny>,
    /// One row per period and loan group (`collateral.csv`).
    #[pyo3(get)]
    collateral: Py<PyAny>,
    /// One row per period: the deal's state (`deal.csv`).
    #[pyo3(get)]
    deal: Py<PyAny>,
    /// One row per class over the projection (`summary.csv`).
    #[pyo3(get)]
    summary: Py<PyAny>,
    /// The scenario in words, as `project` prints it.
    #[pyo3(get)]
    scenario: String,
    /// The deal's events: periods, last_date, stepdown, first_trigger,
    /// triggers, call, cumulative_loss, cumulative_loss_percent.
    #[pyo3(get)]
    events: Py<PyDict>,
}

#[pymethods]
impl Projected {
    /// `result["classes"]` is `result.classes`.
    fn __getitem__(&self, py: Python<'_>, key: &str) -> PyResult<Py<PyAny>> {
        Ok(match key {
            "classes" => self.classes.clone_ref(py),
            "collateral" => self.collateral.clone_ref(py),
            "deal" => self.deal.clone_ref(py),
            "summary" => self.summary.clone_ref(py),
            _ => {
                return Err(pyo3::exceptions::PyKeyError::new_err(format!(
                    "{key}: a projection has classes, collateral, deal and summary"
                )));
            }
        })
    }

    fn __repr__(&self) -> String {
        format!("<waterfall.Projected {}>", self.scenario)
    }
}

/// A deal file, loaded and validated: `Deal.load("deals/absc-2003-he4")`.
#[pyclass(frozen, module = "waterfall")]
struct Deal {
    deal: Model,
}

fn py_date(py: Python<'_>, d: Option<chrono::NaiveDate>) -> PyResult<Py<PyAny>> {
    Ok(d.into_pyobject(py)?.unbind())
}

fn py_decimal(py: Python<'_>, d: Decimal) -> PyResult<Py<PyAny>> {
    Ok(py
        .import("decimal")?
        .getattr("Decimal")?
        .call1((d.to_string(),))?
        .unbind())
}

#[pymethods]
impl Deal {
    /// Load a deal: a `deal.toml`, or a deal directory holding one.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let deal = py.detach(|| Model::load(&path)).or_raise()?;
        Ok(Deal { deal })
    }

    /// The deal's full name.
    #[getter]
    fn name(&self) -> &str {
        &self.deal.name
    }

    /// The deal's short name (as in `show` and the JSON outputs).
    #[getter]
    fn short_name(&self) -> &str {
        &self.deal.short_name
    }

    /// The deal file it was loaded from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.deal.path.clone()
    }

    /// The names of the deal's classes, in the deal's order.
    #[getter]
    fn classes(&self) -> Vec<String> {
        self.deal.classes.iter().map(|c| c.name.clone()).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<waterfall.Deal {} ({})>",
            self.deal.short_name,
            self.deal.path.display()
        )
    }

    /// The deal as the engine reads it, in words (`waterfall show`).
    fn show(&self) -> String {
        waterfall::deal::show(&self.deal)
    }

    /// Run the filed periods through the waterfall and compare every figure
    /// (`waterfall reconcile --format json`): one row per figure and report.
    #[pyo3(signature = (reports=None, *, tolerance=None, from_report_state=false))]
    fn reconcile(
        &self,
        py: Python<'_>,
        reports: Option<&Bound<'_, PyAny>>,
        tolerance: Option<&Bound<'_, PyAny>>,
        from_report_state: bool,
    ) -> PyResult<Py<PyAny>> {
        let given = paths(reports)?;
        let tolerance = match tolerance.filter(|t| !t.is_none()) {
            None => None,
            Some(t) => Some(decimal_arg("tolerance", t)?),
        };
        if let Some(t) = tolerance
            && (t.is_sign_negative() || t > Decimal::from(1_000_000))
        {
            return Err(to_py_err(Error::Usage(format!(
                "--tolerance is dollars from 0 to 1,000,000, found {t}"
            ))));
        }
        let deal = &self.deal;
        let runs = py
            .detach(|| {
                let paths = waterfall::reconcile::report_paths(deal, &given)?;
                let options = waterfall::reconcile::Options {
                    tolerance,
                    from_report_state,
                };
                waterfall::reconcile::reconcile_all(deal, &paths, &options)
            })
            .or_raise()?;
        tables::reconcile(&runs)?.into_pyarrow(py)
    }

    /// Project the deal under one scenario to its last payment (`waterfall
    /// project`): exact decimals, or f64 with `fast=True` (`--fast`).
    #[pyo3(signature = (scenario, *, start=None, fast=false))]
    fn project(
        &self,
        py: Python<'_>,
        scenario: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
        fast: bool,
    ) -> PyResult<Projected> {
        let source = Source::from_py(scenario)?;
        let start = Start::from_py(start)?;
        let deal = &self.deal;
        let out = py
            .detach(|| {
                let set = source.load()?;
                let scenario = set.single()?;
                let p = start.projection(deal)?;
                if fast {
                    tables::project::<f64>(&p, &scenario)
                } else {
                    tables::project::<Decimal>(&p, &scenario)
                }
            })
            .or_raise()?;
        let events = PyDict::new(py);
        let d = &out.summary.deal;
        events.set_item("periods", d.periods)?;
        events.set_item("last_date", py_date(py, d.last_date)?)?;
        events.set_item("stepdown", py_date(py, d.stepdown)?)?;
        events.set_item("first_trigger", py_date(py, d.first_trigger)?)?;
        let triggers = PyDict::new(py);
        for (name, when) in &d.triggers {
            triggers.set_item(name, py_date(py, *when)?)?;
        }
        events.set_item("triggers", triggers)?;
        events.set_item("call", py_date(py, d.call)?)?;
        events.set_item("cumulative_loss", py_decimal(py, d.cumulative_loss)?)?;
        events.set_item(
            "cumulative_loss_percent",
            py_decimal(py, d.cumulative_loss_percent)?,
        )?;
        Ok(Projected {
            classes: out.classes.into_pyarrow(py)?,
            collateral: out.collateral.into_pyarrow(py)?,
            deal: out.deal.into_pyarrow(py)?,
            summary: out.summary_table.into_pyarrow(py)?,
            scenario: out.scenario,
            events: events.unbind(),
        })
    }

    /// Every scenario of a grid or list, in parallel in Rust (rayon, the GIL
    /// released), summarised to one row per scenario and class, in scenario
    /// order (`waterfall grid`). `first`/`last` run only scenarios
    /// `first+1 ..= last` of the set (0-based, end exclusive), keeping their
    /// numbers: how `waterfall.dask` splits a grid into chunks.
    #[pyo3(signature = (scenarios, *, start=None, threads=None, first=None, last=None))]
    fn grid(
        &self,
        py: Python<'_>,
        scenarios: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
        threads: Option<usize>,
        first: Option<usize>,
        last: Option<usize>,
    ) -> PyResult<Py<PyAny>> {
        let source = Source::from_py(scenarios)?;
        let start = Start::from_py(start)?;
        let deal = &self.deal;
        let (set, p) = py
            .detach(|| {
                let set = source.load()?;
                let p = start.projection(deal)?;
                Ok((set, p))
            })
            .or_raise()?;
        let run = py
            .detach(|| tables::GridRun::new(&p, &set, threads, first, last))
            .or_raise()?;
        // Chunk by chunk without the GIL; between chunks Ctrl-C
        // (KeyboardInterrupt) and other signals are seen.
        let mut rows = Vec::new();
        let mut at = run.first;
        while at < run.last {
            let end = (at + waterfall::grid::CHUNK).min(run.last);
            rows.extend(py.detach(|| run.chunk(&p, &set, at, end)).or_raise()?);
            py.check_signals()?;
            at = end;
        }
        tables::grid(&rows)?.into_pyarrow(py)
    }

    /// The highest default rate (or severity) at which each class takes no
    /// writedown (`waterfall breakeven`). `class_name` is a class or "all".
    #[pyo3(signature = (class_name="all", scenario=None, *, by="cdr", tolerance=None, start=None))]
    fn breakeven(
        &self,
        py: Python<'_>,
        class_name: &str,
        scenario: Option<&Bound<'_, PyAny>>,
        by: &str,
        tolerance: Option<f64>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        if tolerance.is_some_and(|t| t.is_nan() || t <= 0.0) {
            return Err(to_py_err(Error::Usage(
                "--tolerance must be positive".into(),
            )));
        }
        let by = match by.to_ascii_lowercase().as_str() {
            "cdr" => breakeven::By::Cdr,
            "sda" => breakeven::By::Sda,
            "severity" => breakeven::By::Severity,
            _ => {
                return Err(PyValueError::new_err(format!(
                    "by is \"cdr\", \"sda\" or \"severity\", found \"{by}\""
                )));
            }
        };
        let source = scenario
            .filter(|s| !s.is_none())
            .map(Source::from_py)
            .transpose()?;
        let start = Start::from_py(start)?;
        let deal = &self.deal;
        let results = py
            .detach(|| {
                let base = match &source {
                    Some(s) => s.load()?.single()?,
                    None => breakeven::default_base(by),
                };
                let classes: Vec<usize> = if class_name.eq_ignore_ascii_case("all") {
                    breakeven::all_classes(deal)
                } else {
                    vec![class_index(deal, class_name)?]
                };
                let p = start.projection(deal)?;
                breakeven::breakevens(&p, &base, &classes, by, tolerance)
            })
            .or_raise()?;
        tables::breakeven(&results)?.into_pyarrow(py)
    }

    /// Price, yield, discount margin, WAL and duration of a class under
    /// scenarios (`waterfall price`): a row per scenario and price (or yield).
    /// Prices are decimals or 32nds (`"99-16+"`); yields are percent.
    #[pyo3(signature = (class_name, scenarios, *, prices=None, yields=None, settle=None, start=None))]
    #[allow(clippy::too_many_arguments)]
    fn price(
        &self,
        py: Python<'_>,
        class_name: &str,
        scenarios: &Bound<'_, PyAny>,
        prices: Option<&Bound<'_, PyAny>>,
        yields: Option<Vec<f64>>,
        settle: Option<&Bound<'_, PyAny>>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let prices: Vec<String> = match prices.filter(|p| !p.is_none()) {
            None => Vec::new(),
            Some(p) => {
                let items: Vec<Bound<'_, PyAny>> = if p.is_instance_of::<pyo3::types::PyString>()
                    || p.is_instance_of::<pyo3::types::PyFloat>()
                    || p.is_instance_of::<pyo3::types::PyInt>()
                {
                    vec![p.clone()]
                } else {
                    p.try_iter()?.collect::<PyResult<_>>()?
                };
                items
                    .iter()
                    .map(|x| Ok(x.str()?.to_string()))
                    .collect::<PyResult<_>>()?
            }
        };
        let yields = yields.unwrap_or_default();
        if prices.is_empty() && yields.is_empty() {
            return Err(to_py_err(Error::Usage(
                "give --price or --yield (or both)".into(),
            )));
        }
        let settle: Option<String> = match settle.filter(|s| !s.is_none()) {
            None => None,
            Some(s) => Some(s.str()?.to_string()),
        };
        let source = Source::from_py(scenarios)?;
        let start = Start::from_py(start)?;
        let deal = &self.deal;
        let csv = py
            .detach(|| {
                let price = waterfall::pricing::quote::parse_prices("--price", &prices)?;
                let settle = settle
                    .as_deref()
                    .map(waterfall::pricing::settle::parse_settle)
                    .transpose()?;
                let k = class_index(deal, class_name)?;
                let set: ScenarioSet = source.load()?;
                let p = start.projection(deal)?;
                waterfall::pricing::table::price_table(
                    &p,
                    &set,
                    k,
                    &price,
                    &yields,
                    settle,
                    OutputFormat::Csv,
                )
            })
            .or_raise()?;
        tables::price(&csv)?.into_pyarrow(py)
    }
}

/// A decimal argument: a str, int or `decimal.Decimal` (a float is refused,
/// as amounts in files are).
fn decimal_arg(name: &str, v: &Bound<'_, PyAny>) -> PyResult<Decimal> {
    if v.is_instance_of::<pyo3::types::PyFloat>() {
        return Err(PyValueError::new_err(format!(
            "{name}: give a str or Decimal (\"0.01\"), not a float, so that it is read exactly"
        )));
    }
    let s = v.str()?.to_string();
    s.trim()
        .parse::<Decimal>()
        .map_err(|_| PyValueError::new_err(format!("{name}: not a decimal number: {s}")))
}

/// The number of scenarios a scenario file (or dict) defines.
#[pyfunction]
fn scenario_count(py: Python<'_>, scenarios: &Bound<'_, PyAny>) -> PyResult<usize> {
    let source = Source::from_py(scenarios)?;
    let set = py.detach(|| source.load()).or_raise()?;
    Ok(set.len())
}

/// The grid's column names, in order (as the CLI's CSV header).
#[pyfunction]
fn grid_columns() -> Vec<&'static str> {
    waterfall::grid::COLUMNS.to_vec()
}

#[pymodule]
fn _waterfall(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Deal>()?;
    m.add_class::<Projected>()?;
    m.add("WaterfallError", py.get_type::<WaterfallError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_function(wrap_pyfunction!(scenario_count, m)?)?;
    m.add_function(wrap_pyfunction!(grid_columns, m)?)?;
    m.add("MONEY_SCALE", arrow::MONEY)?;
    m.add("RATE_SCALE", arrow::RATE)?;
    Ok(())
}
