//! Scenario grids: every scenario of a file projected in parallel on the fast
//! path, summarised to one row per scenario and class, in scenario order.
//!
//! Scenarios are taken in chunks: a chunk is computed in parallel (rayon,
//! one engine per worker) and handed over in scenario order. Memory stays
//! bounded by the chunk, whatever the number of scenarios, and the output is
//! the same for any thread count, because each scenario is computed (and
//! written) by the same code on its own.
//!
//! [`Grid::write`] is the text path (CSV, table, JSON): the workers write
//! each scenario's rows into byte buffers ([`text`]) and the calling thread
//! only copies the buffers out, in order, while the workers go on with the
//! next chunk (one chunk waits between them, so the workers never run more
//! than two chunks ahead of the output). [`Grid::run`] hands typed rows
//! ([`GridRow`]) to the caller a chunk at a time instead.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::projection::Projection;
use crate::projection::summary::ClassSummary;
use crate::scenario::{SCENARIO_COLUMNS, Scenario, ScenarioSet};
use crate::waterfall::Engine;

pub mod text;

/// Scenarios computed between two hand-overs to the caller.
pub const CHUNK: usize = 256;

/// Most worker threads a grid starts: four a core this process may use
/// (more only adds threads that wait).
pub fn max_threads() -> usize {
    4 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Refuse a thread count of 0 or over [`max_threads`].
pub fn check_threads(n: usize) -> Result<()> {
    let max = max_threads();
    if n == 0 {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    if n > max {
        return Err(Error::Usage(format!(
            "--threads {n} is more than this machine can use: at most {max} (4 a core, {} cores)",
            max / 4
        )));
    }
    Ok(())
}

/// One scenario's result for one class.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRow {
    /// 1-based number of the scenario in the file.
    pub scenario: usize,
    /// The scenario's name and assumptions, as [`crate::scenario::COLUMNS`].
    pub params: [String; SCENARIO_COLUMNS],
    pub class: ClassSummary,
    pub stepdown: Option<NaiveDate>,
    pub first_trigger: Option<NaiveDate>,
    pub call: Option<NaiveDate>,
}

/// Run one scenario on the fast path and summarise it.
pub fn summarize(
    p: &Projection,
    engine: &mut Engine<f64>,
    scenario: &Scenario,
    number: usize,
) -> Result<Vec<GridRow>> {
    let s = p.summarize(scenario, engine)?;
    let params = scenario.columns();
    Ok(s.classes
        .into_iter()
        .map(|class| GridRow {
            scenario: number,
            params: params.clone(),
            class,
            stepdown: s.deal.stepdown,
            first_trigger: s.deal.first_trigger,
            call: s.deal.call,
        })
        .collect())
}

/// A grid ready to run.
pub struct Grid<'a> {
    pub projection: &'a Projection<'a>,
    pub set: &'a ScenarioSet,
    /// Set from another thread (Ctrl-C) to stop between chunks.
    pub cancel: Option<&'a AtomicBool>,
}

impl<'a> Grid<'a> {
    pub fn new(projection: &'a Projection<'a>, set: &'a ScenarioSet) -> Self {
        Grid {
            projection,
            set,
            cancel: None,
        }
    }

    /// Whether every scenario can run from the projection's start, checked
    /// before any row is written (so a refused grid writes nothing).
    pub fn check(&self) -> Result<()> {
        (0..self.set.len()).try_for_each(|i| self.projection.check(&self.set.get(i)))
    }

    fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(n) = threads {
            check_threads(n)?;
            builder = builder.num_threads(n);
        }
        builder.build().map_err(|e| {
            Error::Usage(format!(
                "cannot start {} worker threads: {e}",
                threads.unwrap_or(0)
            ))
        })
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Run every scenario, handing each chunk's rows (a `Vec` per scenario,
    /// in scenario order) to `consume`. `threads` limits the workers.
    pub fn run(
        &self,
        threads: Option<usize>,
        mut consume: impl FnMut(&[Vec<GridRow>]) -> Result<()>,
    ) -> Result<()> {
        let pool = Self::pool(threads)?;
        let n = self.set.len();
        let p = self.projection;
        // Setting an engine up costs about as much as a projection: set one
        // up and give each worker a copy.
        let prototype = Engine::<f64>::new(p.deal);
        let mut first = 0;
        while first < n {
            if self.cancelled() {
                return Err(Error::Interrupted);
            }
            let last = (first + CHUNK).min(n);
            let rows: Vec<Result<Vec<GridRow>>> = pool.install(|| {
                (first..last)
                    .into_par_iter()
                    .map_init(
                        || prototype.clone(),
                        |engine, i| summarize(p, engine, &self.set.get(i), i + 1),
                    )
                    .collect()
            });
            let rows = rows.into_iter().collect::<Result<Vec<_>>>()?;
            consume(&rows)?;
            first = last;
        }
        Ok(())
    }

    /// Run every scenario and write its rows to `rows` (after
    /// [`RowWriter::begin`], before [`RowWriter::finish`]), the workers
    /// formatting them; `progress` is told how many scenarios each chunk
    /// written held. Stops with the first failed scenario's error before
    /// writing any row of its chunk, at the first chunk after a cancel
    /// ([`Error::Interrupted`]), or when writing fails.
    pub fn write<W: Write>(
        &self,
        threads: Option<usize>,
        rows: &mut RowWriter<W>,
        mut progress: impl FnMut(u64),
    ) -> Result<()> {
        let pool = Self::pool(threads)?;
        let n = self.set.len();
        let p = self.projection;
        let layout = text::RowText::new(p.deal, rows.format);
        let prototype = Engine::<f64>::new(p.deal);
        // Workers' engines and buffers, kept from chunk to chunk.
        let idle: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
        // Set when the output fails: the rest of the chunk is not needed.
        let stop = AtomicBool::new(false);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Part>>>(1);
        std::thread::scope(|s| {
            let (layout, prototype, idle, stop) = (&layout, &prototype, &idle, &stop);
            s.spawn(move || {
                let mut first = 0;
                while first < n {
                    if self.cancelled() {
                        let _ = tx.send(Err(Error::Interrupted));
                        return;
                    }
                    let last = (first + CHUNK).min(n);
                    let mut parts: Vec<Part> = pool.install(|| {
                        (first..last)
                            .into_par_iter()
                            .fold(
                                || Part::new(idle, prototype),
                                |mut part, i| {
                                    if let Some(w) = part.worker.as_mut()
                                        && part.error.is_none()
                                        && !stop.load(Ordering::Relaxed)
                                    {
                                        match w.scenario(p, self.set, layout, i, &mut part.text) {
                                            Ok(k) => part.rows += k,
                                            Err(e) => part.error = Some(e),
                                        }
                                    }
                                    part.scenarios += 1;
                                    part
                                },
                            )
                            .collect()
                    });
                    if let Ok(mut idle) = idle.lock() {
                        idle.extend(parts.iter_mut().filter_map(|p| p.worker.take().map(|w| *w)));
                    }
                    if tx.send(Ok(parts)).is_err() {
                        return;
                    }
                    first = last;
                }
            });
            let written = (|| -> Result<()> {
                for chunk in &rx {
                    let mut parts = chunk?;
                    if let Some(e) = parts.iter_mut().find_map(|p| p.error.take()) {
                        return Err(e);
                    }
                    let mut scenarios = 0;
                    for part in &parts {
                        rows.text(&part.text, part.rows)?;
                        scenarios += part.scenarios;
                    }
                    progress(scenarios as u64);
                }
                Ok(())
            })();
            if written.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            // The producer stops at its next hand-over.
            drop(rx);
            written
        })
    }
}

/// What a worker keeps between scenarios.
struct Worker<'d> {
    engine: Engine<'d, f64>,
    tally: text::Tally,
    scratch: text::Scratch,
}

impl Worker<'_> {
    /// Run scenario `i` (0-based) and append its rows to `out`; how many.
    fn scenario(
        &mut self,
        p: &Projection,
        set: &ScenarioSet,
        layout: &text::RowText,
        i: usize,
        out: &mut Vec<u8>,
    ) -> Result<usize> {
        let scenario = set.get(i);
        self.tally.reset(p.deal.classes.len());
        p.run(&scenario, &mut self.engine, &mut self.tally)?;
        let params = scenario.columns();
        Ok(layout.scenario(i + 1, &params, &self.tally, &mut self.scratch, out))
    }
}

/// A run of consecutive scenarios of a chunk, as one worker wrote them.
struct Part<'d> {
    /// Back to the idle workers once the chunk is done.
    worker: Option<Box<Worker<'d>>>,
    text: Vec<u8>,
    rows: usize,
    scenarios: usize,
    error: Option<Error>,
}

impl<'d> Part<'d> {
    fn new(idle: &Mutex<Vec<Worker<'d>>>, prototype: &Engine<'d, f64>) -> Self {
        let worker = idle
            .lock()
            .ok()
            .and_then(|mut v| v.pop())
            .unwrap_or_else(|| Worker {
                engine: prototype.clone(),
                tally: text::Tally::default(),
                scratch: text::Scratch::default(),
            });
        Part {
            worker: Some(Box::new(worker)),
            text: Vec::new(),
            rows: 0,
            scenarios: 0,
            error: None,
        }
    }
}

pub use crate::format::OutputFormat as Format;

const N: usize = CLASS + 1 + RESULTS;

/// The column of a row's class: after its scenario's number and the
/// scenario's own columns.
const CLASS: usize = 1 + SCENARIO_COLUMNS;

/// The columns after the class: its results.
const RESULTS: usize = 11;

/// Every column of a grid row: `scenario` (its number), the scenario's
/// name and assumptions ([`crate::scenario::COLUMNS`]), the class and its
/// results.
pub const COLUMNS: [&str; N] = [
    "scenario",
    "name",
    "prepay",
    "default",
    "severity",
    "lag",
    "advancing",
    "libor",
    "call",
    "counterparty_default",
    "termination_payment",
    "class",
    "wal",
    "first_principal",
    "last_principal",
    "principal",
    "interest",
    "writedown",
    "loss_percent",
    "first_writedown",
    "stepdown_date",
    "first_trigger_date",
    "call_date",
];

/// Columns that hold names (strings in JSON even when they look like figures).
fn is_text(i: usize) -> bool {
    match i {
        1..CLASS => crate::scenario::TEXT_COLUMNS[i - 1],
        CLASS => true,
        _ => false,
    }
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Amounts to the cent in files; grouped whole dollars in the terminal table.
fn amount(d: rust_decimal::Decimal, table: bool) -> String {
    if table {
        crate::format::dollars(d)
    } else {
        format!("{d:.2}")
    }
}

fn cells(r: &GridRow, table: bool) -> [String; N] {
    let c = &r.class;
    let mut out: [String; N] = Default::default();
    out[0] = r.scenario.to_string();
    out[1..CLASS].clone_from_slice(&r.params);
    let results = [
        c.name.clone(),
        c.wal.map(|w| w.to_string()).unwrap_or_default(),
        date(c.first_principal),
        date(c.last_principal),
        amount(c.total_principal, table),
        amount(c.total_interest, table),
        amount(c.total_writedown, table),
        c.loss_percent.to_string(),
        date(c.first_writedown),
        date(r.stepdown),
        date(r.first_trigger),
        date(r.call),
    ];
    out[CLASS..].clone_from_slice(&results);
    out
}

/// Writes rows as they come, in one of the formats.
pub struct RowWriter<W: Write> {
    out: W,
    format: Format,
    rows: usize,
}

/// Fixed widths for the streamed table (it cannot measure rows it has not
/// seen); a wider cell pushes the rest of its line right.
const WIDTHS: [usize; N] = [
    8, 12, 9, 9, 8, 4, 9, 14, 4, 20, 19, 9, 6, 10, 10, 16, 14, 14, 8, 10, 10, 10, 10,
];

impl<W: Write> RowWriter<W> {
    pub fn new(out: W, format: Format) -> Self {
        RowWriter {
            out,
            format,
            rows: 0,
        }
    }

    fn io(e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Error::OutputClosed
        } else {
            Error::Usage(format!("cannot write the grid: {e}"))
        }
    }

    /// Rows written so far (to the writer, which may still buffer them).
    pub fn written(&self) -> usize {
        self.rows
    }

    pub fn begin(&mut self) -> Result<()> {
        match self.format {
            Format::Csv => writeln!(self.out, "{}", COLUMNS.join(",")),
            Format::Json => writeln!(self.out, "["),
            Format::Table => writeln!(self.out, "{}", line(&COLUMNS.map(String::from))),
        }
        .map_err(Self::io)
    }

    pub fn rows(&mut self, rows: &[GridRow]) -> Result<()> {
        for r in rows {
            let c = cells(r, self.format == Format::Table);
            match self.format {
                Format::Csv => {
                    let fields: Vec<_> = c.iter().map(|f| crate::format::csv_field(f)).collect();
                    writeln!(self.out, "{}", fields.join(","))
                }
                Format::Table => writeln!(self.out, "{}", line(&c)),
                Format::Json => {
                    let obj: serde_json::Map<String, serde_json::Value> = COLUMNS
                        .iter()
                        .zip(c.iter())
                        .enumerate()
                        .map(|(i, (k, v))| (k.to_string(), crate::format::json_cell(v, is_text(i))))
                        .collect();
                    let sep = if self.rows == 0 { "" } else { "," };
                    writeln!(self.out, "{sep}{}", serde_json::Value::Object(obj))
                }
            }
            .map_err(Self::io)?;
            self.rows += 1;
        }
        Ok(())
    }

    /// `rows` rows the workers wrote ([`Grid::write`]), as they are (the
    /// first JSON row without the `,` that would separate it from one before).
    fn text(&mut self, bytes: &[u8], rows: usize) -> Result<()> {
        let bytes = match bytes.strip_prefix(b",") {
            Some(rest) if self.format == Format::Json && self.rows == 0 => rest,
            _ => bytes,
        };
        self.out.write_all(bytes).map_err(Self::io)?;
        self.rows += rows;
        Ok(())
    }

    pub fn finish(mut self) -> Result<W> {
        if self.format == Format::Json {
            writeln!(self.out, "]").map_err(Self::io)?;
        }
        self.out.flush().map_err(Self::io)?;
        Ok(self.out)
    }
}

fn line(c: &[String; N]) -> String {
    let mut s = String::new();
    for (i, (cell, w)) in c.iter().zip(WIDTHS).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        // The scenario's columns and the class left, the results right.
        if i <= CLASS {
            s.push_str(&format!("{cell:<w$}"));
        } else {
            s.push_str(&format!("{cell:>w$}"));
        }
    }
    s.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_scenario_columns_are_the_scenarios_own() {
        assert_eq!(super::COLUMNS[1..super::CLASS], crate::scenario::COLUMNS);
        assert_eq!(super::COLUMNS[super::CLASS], "class");
    }
}
