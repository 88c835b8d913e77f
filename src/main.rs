//! The `waterfall` command: parses arguments, calls the library, maps the
//! outcome to an exit code (0 fine, 1 figures that do not match, 2 bad input,
//! 3 an internal error).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand, ValueEnum};
use rust_decimal::Decimal;

use waterfall::breakeven;
use waterfall::collateral::{self, Assumptions, Defaults, LoanLine, PpcCurves, Prepay};
use waterfall::deal::ClassKind;
use waterfall::deal::Deal;
use waterfall::error::{Error, Result};
use waterfall::format::OutputFormat;
use waterfall::grid::{self, Grid};
use waterfall::output::{io, write_atomic};
use waterfall::pricing;
use waterfall::projection::{self, Both, Projection, Recorder, summary::Summarizer};
use waterfall::scenario::ScenarioSet;
use waterfall::waterfall::Engine;
use waterfall::{reconcile, report};

#[derive(Parser)]
#[command(
    name = "waterfall",
    version,
    about = "Cash-flow waterfall simulator for mortgage-backed securities"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TextOrJson {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableCsvJson {
    Table,
    Csv,
    Json,
}

impl From<TableCsvJson> for OutputFormat {
    fn from(f: TableCsvJson) -> Self {
        match f {
            TableCsvJson::Table => OutputFormat::Table,
            TableCsvJson::Csv => OutputFormat::Csv,
            TableCsvJson::Json => OutputFormat::Json,
        }
    }
}

/// A deal and the filing a projection starts from.
#[derive(clap::Args)]
struct FromFiling {
    /// A deal.toml, or a deal directory holding one.
    deal: PathBuf,
    /// The filing to start from: a report of this deal (settlement is its
    /// distribution date).
    #[arg(long)]
    from: PathBuf,
}

impl FromFiling {
    /// The deal file, validated.
    fn load(&self) -> Result<Deal> {
        Deal::load(&self.deal)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Parse a trustee's monthly report into typed figures.
    Parse {
        /// The report (a US Bank "Statement to Certificateholders").
        report: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
    /// Run filed periods through the deal's waterfall and compare every figure.
    Reconcile {
        /// A deal.toml, or a deal directory holding one.
        deal: PathBuf,
        /// Reports to reconcile; every file in DEAL/filings/ when none is given.
        reports: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
        /// Dollars a figure may differ from the print and still match.
        #[arg(long, default_value = "1", allow_negative_numbers = true)]
        tolerance: Decimal,
        /// Print the period's waterfall step by step.
        #[arg(long)]
        explain: bool,
    },
    /// Project one loan line with the SIFMA standard formulas.
    Collateral {
        /// Starting balance.
        #[arg(long, allow_negative_numbers = true)]
        balance: Decimal,
        /// Gross coupon, percent.
        #[arg(long, allow_negative_numbers = true)]
        coupon: Decimal,
        /// Net coupon passed through, percent (the gross coupon if not given).
        #[arg(long, allow_negative_numbers = true)]
        net_coupon: Option<Decimal>,
        /// Original term, months.
        #[arg(long)]
        term: u32,
        /// Loan age at the start, months.
        #[arg(long, default_value = "0")]
        age: u32,
        /// Prepayment speed: 6CPR, 1SMM, 150PSA, 100PPC, 1.5ABS, 20HEP, or a vector
        /// by period like "5 12R 20 24S 10 CPR" (CPR when no unit is written).
        #[arg(long, default_value = "0CPR")]
        prepay: String,
        /// Default speed: 2CDR, 1MDR, 100SDA, or a vector by period like
        /// "1 12R 4 CDR" (CDR when no unit is written).
        #[arg(long, default_value = "0CDR")]
        default: String,
        /// Loss severity, percent of the defaulted balance.
        #[arg(long, default_value = "0", allow_negative_numbers = true)]
        severity: Decimal,
        /// Months from default to liquidation.
        #[arg(long, default_value = "12")]
        lag: u32,
        /// The servicer does not advance on defaulted loans.
        #[arg(long)]
        no_advance: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: TableCsvJson,
    },
    /// Project a deal from a filing to its last payment under a scenario.
    Project {
        #[command(flatten)]
        start: FromFiling,
        /// A scenario file (scenarios/*.toml) defining one scenario.
        #[arg(long)]
        scenario: PathBuf,
        /// Also write classes.csv, collateral.csv, deal.csv and summary.csv here.
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: TableCsvJson,
        /// Draw the class balances and the OC over time into this SVG file.
        #[arg(long)]
        plot: Option<PathBuf>,
        /// Compute in f64 (fast) instead of exact decimals.
        #[arg(long)]
        fast: bool,
    },
    /// Run every scenario of a grid or list in parallel: one row per scenario and class.
    Grid {
        #[command(flatten)]
        start: FromFiling,
        /// A scenario file with a [grid] or [[scenario]] entries.
        #[arg(long)]
        scenarios: PathBuf,
        /// Worker threads (all cores when not given); the output is the same for any.
        #[arg(long)]
        threads: Option<usize>,
        /// Write the rows here (whole or not at all) instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: TableCsvJson,
    },
    /// The highest default rate (or severity) at which a class takes no writedown.
    Breakeven {
        #[command(flatten)]
        start: FromFiling,
        /// The class, or "all" for every senior and mezzanine class.
        #[arg(long)]
        class: String,
        /// The other assumptions (default: 100PPC, 40% severity, 12-month lag,
        /// advancing, the filing's LIBOR, no call; 6CDR for a severity search).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// What to search.
        #[arg(long, value_enum, default_value = "cdr")]
        by: ByArg,
        /// Search tolerance in the unit searched (default 0.01 CDR, 1 SDA, 0.01% severity).
        #[arg(long)]
        tolerance: Option<f64>,
        #[arg(long, value_enum, default_value = "table")]
        format: TableCsvJson,
    },
    /// Price, yield, discount margin, WAL and duration of a class under scenarios.
    Price {
        #[command(flatten)]
        start: FromFiling,
        #[arg(long)]
        class: String,
        /// A scenario file: one scenario, a grid or a list (a row per scenario and price).
        #[arg(long)]
        scenarios: PathBuf,
        /// Clean prices (percent of face at settlement), comma separated:
        /// decimals (99.5) or 32nds (99-16, 99-16+, 99-163).
        #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
        price: Vec<String>,
        /// Yields (bond-equivalent, percent), comma separated: the price for each.
        #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
        r#yield: Vec<f64>,
        /// Settlement date, YYYY-MM-DD (default: the filing's distribution date).
        #[arg(long)]
        settle: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: TableCsvJson,
    },
    /// A prospectus price/yield matrix: prices down the side, scenarios across the top.
    Matrix {
        #[command(flatten)]
        start: FromFiling,
        #[arg(long)]
        class: String,
        /// A scenario file: one scenario, a grid or a list (a column per scenario).
        #[arg(long)]
        scenarios: PathBuf,
        /// Clean prices (percent of face at settlement), comma separated:
        /// decimals (99.5) or 32nds (99-16, 99-16+, 99-163).
        #[arg(
            long,
            value_delimiter = ',',
            allow_negative_numbers = true,
            required = true
        )]
        price: Vec<String>,
        /// Settlement date, YYYY-MM-DD (default: the filing's distribution date).
        #[arg(long)]
        settle: Option<String>,
        /// To the clean-up call (exercised), to maturity (not exercised), or both.
        #[arg(long, value_enum, default_value = "both")]
        to: ToArg,
        #[arg(long, value_enum, default_value = "table")]
        format: TableCsvJson,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ToArg {
    Call,
    Maturity,
    Both,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ByArg {
    Cdr,
    Sda,
    Severity,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let _ = std::io::stdout().flush();
            // One problem a line, each with the program's name.
            for line in e.to_string().lines() {
                eprintln!("waterfall: {line}");
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Usage(format!(
            "cannot write to standard output: {e}"
        ))),
        Ok(()) => Ok(()),
    }
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Parse { report, format } => {
            let text = Error::read_to_string(&report)?;
            let (parsed, warnings) = report::parse(&report, &text)?;
            let out = match format {
                TextOrJson::Json => {
                    let v = serde_json::json!({ "report": parsed, "warnings": warnings });
                    serde_json::to_string_pretty(&v).expect("serializable") + "\n"
                }
                TextOrJson::Text => report::render::text(&parsed, &warnings),
            };
            print(&out)?;
            Ok(0)
        }
        Command::Reconcile {
            deal,
            reports,
            format,
            tolerance,
            explain,
        } => {
            if tolerance.is_sign_negative() {
                return Err(Error::Usage(format!(
                    "--tolerance must not be negative, found {tolerance}"
                )));
            }
            let deal = Deal::load(&deal)?;
            let paths = reconcile::report_paths(&deal, &reports)?;
            let options = reconcile::Options { tolerance };
            let results = paths
                .iter()
                .map(|p| reconcile::reconcile_file(&deal, p, &options))
                .collect::<Result<Vec<_>>>()?;
            let out = match format {
                TextOrJson::Json => {
                    let mut values: Vec<_> = results
                        .iter()
                        .map(|r| reconcile::to_json(r, explain.then_some(&deal)))
                        .collect();
                    let v = if values.len() == 1 {
                        values.remove(0)
                    } else {
                        serde_json::Value::Array(values)
                    };
                    serde_json::to_string_pretty(&v).expect("serializable") + "\n"
                }
                TextOrJson::Text => {
                    let mut s = String::new();
                    for (i, r) in results.iter().enumerate() {
                        if i > 0 {
                            s.push_str("\n\n");
                        }
                        reconcile::write_text(&mut s, &deal, r, explain);
                    }
                    s
                }
            };
            print(&out)?;
            let mismatches: usize = results.iter().map(|r| r.summary().mismatched).sum();
            Ok(if mismatches > 0 { 1 } else { 0 })
        }
        Command::Collateral {
            balance,
            coupon,
            net_coupon,
            term,
            age,
            prepay,
            default,
            severity,
            lag,
            no_advance,
            format,
        } => {
            let usage = |m: String| Error::Usage(m);
            let prepay: Prepay = prepay
                .parse()
                .map_err(|e: collateral::SpeedError| usage(format!("--prepay: {e}")))?;
            let defaults: Defaults = default
                .parse()
                .map_err(|e: collateral::SpeedError| usage(format!("--default: {e}")))?;
            let limit = Decimal::from(1_000_000_000_000_000u64);
            if balance.is_sign_negative() || balance > limit {
                return Err(usage(format!(
                    "--balance must be between 0 and 10^18, found {balance}"
                )));
            }
            for (flag, c) in [("--coupon", Some(coupon)), ("--net-coupon", net_coupon)] {
                if let Some(c) = c
                    && (c.is_sign_negative() || c > Decimal::ONE_HUNDRED)
                {
                    return Err(usage(format!(
                        "{flag} is a percentage from 0 to 100, found {c}"
                    )));
                }
            }
            if net_coupon.is_some_and(|n| n > coupon) {
                return Err(usage("--net-coupon must not exceed --coupon".to_string()));
            }
            if !(1..=600).contains(&term) {
                return Err(usage(format!(
                    "--term is a number of months from 1 to 600, found {term}"
                )));
            }
            if age >= term {
                return Err(usage(format!(
                    "--age {age} leaves nothing of a {term}-month term"
                )));
            }
            if severity.is_sign_negative() || severity > Decimal::ONE_HUNDRED {
                return Err(usage(format!(
                    "--severity is a percentage from 0 to 100, found {severity}"
                )));
            }
            if lag > 360 {
                return Err(usage(format!(
                    "--lag is a number of months from 0 to 360, found {lag}"
                )));
            }
            let a = Assumptions {
                prepay,
                defaults,
                severity: severity / Decimal::ONE_HUNDRED,
                lag,
                advancing: !no_advance,
                ppc: PpcCurves::default(),
            };
            a.validate().map_err(|e| usage(e.to_string()))?;
            let line = LoanLine {
                id: "line".into(),
                group: "1".into(),
                balance,
                gross_coupon: coupon / Decimal::ONE_HUNDRED,
                net_coupon: net_coupon.unwrap_or(coupon) / Decimal::ONE_HUNDRED,
                original_term: term,
                remaining_term: term - age,
                arm: None,
            };
            let rows = collateral::collateral_table(&line, &a);
            let mut buf = Vec::new();
            let w = &mut buf;
            match format {
                TableCsvJson::Table => collateral::write_table(&rows, w),
                TableCsvJson::Csv => collateral::write_csv(&rows, w),
                TableCsvJson::Json => collateral::write_json(&rows, w),
            }
            .map_err(|e| Error::Usage(format!("cannot format the table: {e}")))?;
            print(&String::from_utf8_lossy(&buf))?;
            Ok(0)
        }
        Command::Project {
            start,
            scenario,
            out,
            format,
            plot,
            fast,
        } => {
            let deal = start.load()?;
            let set = ScenarioSet::load(&scenario)?;
            let scenario = set.single()?;
            let projection = Projection::from_report_file(&deal, &start.from)?;
            if fast {
                project::<f64>(&projection, &scenario, out, format, plot)
            } else {
                project::<Decimal>(&projection, &scenario, out, format, plot)
            }
        }
        Command::Grid {
            start,
            scenarios,
            threads,
            out,
            format,
        } => {
            if threads == Some(0) {
                return Err(Error::Usage("--threads must be at least 1".into()));
            }
            let deal = start.load()?;
            let set = ScenarioSet::load(&scenarios)?;
            let projection = Projection::from_report_file(&deal, &start.from)?;
            let cancel = interrupt_flag();
            let mut grid = Grid::new(&projection, &set);
            grid.cancel = Some(cancel);
            let format = format.into();
            let progress = progress_bar(set.len() as u64, "scenarios");
            let run = |w: &mut dyn Write| -> Result<()> {
                let mut rows = grid::RowWriter::new(w, format);
                rows.begin()?;
                grid.run(threads, |chunk| {
                    for scenario in chunk {
                        rows.rows(scenario)?;
                    }
                    progress.inc(chunk.len() as u64);
                    Ok(())
                })?;
                rows.finish()?;
                Ok(())
            };
            match &out {
                Some(path) => write_atomic(path, run)?,
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = std::io::BufWriter::new(stdout.lock());
                    match run(&mut lock) {
                        Err(Error::OutputClosed) => {}
                        other => other?,
                    }
                }
            }
            progress.finish_and_clear();
            Ok(0)
        }
        Command::Breakeven {
            start,
            class,
            scenario,
            by,
            tolerance,
            format,
        } => {
            if tolerance.is_some_and(|t| t.is_nan() || t <= 0.0) {
                return Err(Error::Usage("--tolerance must be positive".into()));
            }
            let deal = start.load()?;
            let by = match by {
                ByArg::Cdr => breakeven::By::Cdr,
                ByArg::Sda => breakeven::By::Sda,
                ByArg::Severity => breakeven::By::Severity,
            };
            let base = match &scenario {
                Some(path) => ScenarioSet::load(path)?.single()?,
                None => breakeven::default_base(by),
            };
            let classes: Vec<usize> = if class.eq_ignore_ascii_case("all") {
                deal.classes
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| matches!(c.kind, ClassKind::Senior | ClassKind::Mezzanine))
                    .map(|(k, _)| k)
                    .collect()
            } else {
                vec![class_index(&deal, &class)?]
            };
            let projection = Projection::from_report_file(&deal, &start.from)?;
            let results = breakeven::breakevens(&projection, &base, &classes, by, tolerance)?;
            print(&breakeven::render(
                &projection,
                &base,
                &results,
                format.into(),
            ))?;
            Ok(0)
        }
        Command::Price {
            start,
            class,
            scenarios,
            price,
            r#yield,
            settle,
            format,
        } => {
            if price.is_empty() && r#yield.is_empty() {
                return Err(Error::Usage("give --price or --yield (or both)".into()));
            }
            let price = pricing::quote::parse_prices("--price", &price)?;
            let settle = settle
                .as_deref()
                .map(pricing::settle::parse_settle)
                .transpose()?;
            let deal = start.load()?;
            let k = class_index(&deal, &class)?;
            let set = ScenarioSet::load(&scenarios)?;
            let projection = Projection::from_report_file(&deal, &start.from)?;
            let table = pricing::table::price_table(
                &projection,
                &set,
                k,
                &price,
                &r#yield,
                settle,
                format.into(),
            )?;
            print(&table)?;
            Ok(0)
        }
        Command::Matrix {
            start,
            class,
            scenarios,
            price,
            settle,
            to,
            format,
        } => {
            use pricing::matrix::To;
            let price = pricing::quote::parse_prices("--price", &price)?;
            let settle = settle
                .as_deref()
                .map(pricing::settle::parse_settle)
                .transpose()?;
            let to: &[To] = match to {
                ToArg::Call => &[To::Call],
                ToArg::Maturity => &[To::Maturity],
                ToArg::Both => &[To::Call, To::Maturity],
            };
            let deal = start.load()?;
            let k = class_index(&deal, &class)?;
            let set = ScenarioSet::load(&scenarios)?;
            let projection = Projection::from_report_file(&deal, &start.from)?;
            let matrix = pricing::matrix::build(&projection, &set, k, &price, settle, to)?;
            print(&matrix.render(format.into())?)?;
            Ok(0)
        }
    }
}

fn project<T: waterfall::num::Num>(
    p: &Projection,
    scenario: &waterfall::scenario::Scenario,
    out: Option<PathBuf>,
    format: TableCsvJson,
    plot: Option<PathBuf>,
) -> Result<u8> {
    let mut engine = Engine::<T>::new(p.deal);
    let start: Vec<T> = p
        .start
        .state
        .balances
        .iter()
        .map(|&b| T::from_decimal(b))
        .collect();
    let mut summarizer = Summarizer::new(p.deal, &start);
    let mut recorder = Recorder::default();
    p.run(
        scenario,
        &mut engine,
        &mut Both(&mut recorder, &mut summarizer),
    )?;
    let summary = summarizer.finish(p.deal);
    let records = &recorder.periods;
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::file(dir, format!("cannot create the output directory: {e}")))?;
        projection::output::write_csv_dir(dir, p, records, &summary)?;
    }
    if let Some(path) = &plot {
        let title = format!(
            "{} from {}: {}",
            p.deal.short_name, p.start.date, scenario.name
        );
        let svg = projection::plot::svg(p, records, &title);
        write_atomic(path, |w| w.write_all(svg.as_bytes()).map_err(io(path)))?;
    }
    let text = match format {
        TableCsvJson::Table => projection::output::summary_text(p, scenario, &summary),
        TableCsvJson::Csv => {
            let mut buf = Vec::new();
            projection::output::write_classes(p, records, &mut buf)
                .map_err(|e| Error::Usage(e.to_string()))?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        TableCsvJson::Json => {
            serde_json::to_string_pretty(&projection::output::to_json(
                p, scenario, records, &summary,
            ))
            .expect("serializable")
                + "\n"
        }
    };
    print(&text)?;
    Ok(0)
}

/// A flag Ctrl-C sets; long runs stop at their next check and write nothing.
fn interrupt_flag() -> &'static AtomicBool {
    static FLAG: AtomicBool = AtomicBool::new(false);
    let _ = ctrlc::set_handler(|| FLAG.store(true, Ordering::Relaxed));
    &FLAG
}

/// A progress bar on standard error when it is a terminal; hidden otherwise.
fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {what} ({{eta}} left)"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn class_index(deal: &Deal, name: &str) -> Result<usize> {
    deal.class_index(name).ok_or_else(|| {
        let names: Vec<&str> = deal.classes.iter().map(|c| c.name.as_str()).collect();
        Error::Usage(format!(
            "--class: the deal has no class \"{name}\" (it has: {})",
            names.join(", ")
        ))
    })
}
