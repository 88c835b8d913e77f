//! The `waterfall` command: parses arguments, calls the library, maps the
//! outcome to an exit code (0 fine, 1 figures that do not match, 2 bad input,
//! 3 an internal error).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand, ValueEnum};
use rust_decimal::Decimal;

use waterfall::breakeven;
use waterfall::collateral::{self, Assumptions, Defaults, LoanLine, PpcCurves, Prepay};
use waterfall::deal::Deal;
use waterfall::error::{Error, Result};
use waterfall::format::OutputFormat;
use waterfall::grid::{self, Grid};
use waterfall::output::{io, write_atomic};
use waterfall::pricing;
use waterfall::projection::{self, Projection};
use waterfall::scenario::ScenarioSet;
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

/// The formats of `project` and `price`: text, or an Excel workbook.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProjectFormat {
    Table,
    Csv,
    Json,
    /// An Excel workbook (needs --out FILE).
    Xlsx,
}

/// The formats of `grid`: text, an Excel workbook or a Parquet file.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GridFormat {
    Table,
    Csv,
    Json,
    /// An Excel workbook (needs --out FILE).
    Xlsx,
    /// A Parquet file (needs --out FILE).
    Parquet,
}

/// What a command writes: text in one of the formats, or a binary file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Output {
    Text(OutputFormat),
    Xlsx,
    Parquet,
}

impl Output {
    fn name(self) -> &'static str {
        match self {
            Output::Text(OutputFormat::Table) => "table",
            Output::Text(OutputFormat::Csv) => "csv",
            Output::Text(OutputFormat::Json) => "json",
            Output::Xlsx => "xlsx",
            Output::Parquet => "parquet",
        }
    }
}

impl From<ProjectFormat> for Output {
    fn from(f: ProjectFormat) -> Self {
        match f {
            ProjectFormat::Table => Output::Text(OutputFormat::Table),
            ProjectFormat::Csv => Output::Text(OutputFormat::Csv),
            ProjectFormat::Json => Output::Text(OutputFormat::Json),
            ProjectFormat::Xlsx => Output::Xlsx,
        }
    }
}

impl From<GridFormat> for Output {
    fn from(f: GridFormat) -> Self {
        match f {
            GridFormat::Table => Output::Text(OutputFormat::Table),
            GridFormat::Csv => Output::Text(OutputFormat::Csv),
            GridFormat::Json => Output::Text(OutputFormat::Json),
            GridFormat::Xlsx => Output::Xlsx,
            GridFormat::Parquet => Output::Parquet,
        }
    }
}

/// A deal and the filing a projection starts from.
#[derive(clap::Args)]
struct FromFiling {
    /// A deal.toml, or a deal directory holding one.
    deal: PathBuf,
    /// Where to start: `closing` (the default: classes at their original
    /// balances, the collateral at the cut-off date), a report of this deal
    /// (settlement is its distribution date), or `latest` for the last file
    /// by name (the distribution date) in the deal's filings/.
    #[arg(long, value_name = "closing|REPORT|latest")]
    from: Option<PathBuf>,
}

impl FromFiling {
    /// The deal file, validated.
    fn load(&self) -> Result<Deal> {
        Deal::load(&self.deal)
    }

    /// The projection's starting point, set up.
    fn projection<'d>(&self, deal: &'d Deal) -> Result<Projection<'d>> {
        match self.report(deal)? {
            None => Projection::from(deal, projection::From::Closing),
            Some(path) => Projection::from(deal, projection::From::Filing(&path)),
        }
    }

    /// The filing to start from: `--from` as given, the deal's latest, or
    /// none (closing).
    fn report(&self, deal: &Deal) -> Result<Option<PathBuf>> {
        let Some(from) = &self.from else {
            return Ok(None);
        };
        if from.as_os_str() == "closing" {
            return Ok(None);
        }
        if from.as_os_str() != "latest" {
            return Ok(Some(from.clone()));
        }
        deal.latest_filing().map(Some)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Parse a trustee's monthly report into typed figures.
    Parse {
        /// The report: a US Bank "Statement to Certificateholders" or a
        /// CarMax servicer certificate.
        report: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
        /// The report's layout; told from its first line when not given (a
        /// CarMax certificate opens with the trust's name).
        #[arg(long, value_parser = ["us-bank-statement", "carmax-servicer-certificate"])]
        layout: Option<String>,
    },
    /// Run filed periods through the deal's waterfall and compare every figure.
    Reconcile {
        /// A deal.toml, or a deal directory holding one (with --all, a
        /// directory of deal directories).
        deal: PathBuf,
        /// Reports to reconcile; every file in DEAL/filings/ when none is given.
        reports: Vec<PathBuf>,
        /// Reconcile every deal under DEAL that has a filings/ directory, each
        /// from its own filings, and end with a table of the deals.
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
        /// Dollars a figure may differ from the print and still match (the
        /// deal's `[report] tolerance` when not given).
        #[arg(long, allow_negative_numbers = true)]
        tolerance: Option<Decimal>,
        /// Print the period's waterfall step by step.
        #[arg(long)]
        explain: bool,
        /// Start every month from its report's beginning figures instead of
        /// carrying the deal's state forward from the month before.
        #[arg(long)]
        from_report_state: bool,
    },
    /// Print a deal as the engine reads it: classes, accounts, terms and waterfall in words.
    Show {
        /// A deal.toml, or a deal directory holding one.
        deal: PathBuf,
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
        /// Also write classes.csv, collateral.csv, deal.csv and summary.csv
        /// in this directory; with --format xlsx (or a name ending .xlsx),
        /// the workbook file to write instead.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The format [default: xlsx when --out ends .xlsx; else table]
        #[arg(long, value_enum)]
        format: Option<ProjectFormat>,
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
        /// Worker threads (all cores when not given; at most 4 a core); the
        /// output is the same for any.
        #[arg(long)]
        threads: Option<usize>,
        /// Write the rows here (whole or not at all) instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The format of the rows [default: the --out file's extension,
        /// .csv, .json, .xlsx or .parquet; else table]
        #[arg(long, value_enum)]
        format: Option<GridFormat>,
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
        /// The class priced (its name in the deal file).
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
        /// Write the table here (whole or not at all) instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The format [default: the --out file's extension, .csv, .json or
        /// .xlsx; else table]
        #[arg(long, value_enum)]
        format: Option<ProjectFormat>,
    },
    /// Decrement tables from closing: percent of original balance outstanding by year and speed.
    ///
    /// One table per class: the percent of its original balance outstanding on each
    /// anniversary of closing at each prepayment speed (whole percent, * for a positive
    /// balance below 0.5%) and the WAL row; then each class's WAL and first and last
    /// principal payment by speed.
    Decrement {
        /// A deal.toml, or a deal directory holding one.
        deal: PathBuf,
        /// Prepayment speeds, comma separated (0PSA,90PSA,165PSA,300PSA,500PSA); a vector is
        /// written with spaces.
        #[arg(long, value_delimiter = ',', required = true)]
        prepay: Vec<String>,
        /// Classes, comma separated (default: every class with a principal balance).
        #[arg(long, value_delimiter = ',')]
        classes: Option<Vec<String>>,
        /// The index, flat, in percent (1.12 for 1.12%) [default: 0]. A deal whose
        /// excess interest pays principal pays faster at a lower index.
        #[arg(long, allow_hyphen_values = true)]
        libor: Option<String>,
        /// Exercise the clean-up call on the first date it may be ("to call");
        /// by default the tables run to maturity.
        #[arg(long)]
        to_call: bool,
        /// Write the tables here (whole or not at all) instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The format [default: the --out file's extension, .csv, .json or
        /// .xlsx; else table]
        #[arg(long, value_enum)]
        format: Option<ProjectFormat>,
    },
    /// A prospectus price/yield matrix: prices down the side, scenarios across the top.
    Matrix {
        #[command(flatten)]
        start: FromFiling,
        /// The class priced (its name in the deal file).
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
        /// Write the matrix here (whole or not at all) instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The format [default: the --out file's extension, .csv, .json or
        /// .xlsx; else table]
        #[arg(long, value_enum)]
        format: Option<ProjectFormat>,
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
    install_interrupt_handler();
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

/// `reconcile --all`: every deal under `dir` with filings, in the
/// directories' order; exit 1 when any month of any deal does not reconcile.
fn reconcile_every_deal(
    dir: &Path,
    options: &reconcile::Options,
    format: TextOrJson,
    explain: bool,
) -> Result<u8> {
    let dirs = reconcile::deals_with_filings(dir)?;
    let deals = reconcile::reconcile_deals(&dirs, options)?;
    let out = match format {
        TextOrJson::Json => {
            serde_json::to_string_pretty(&reconcile::deals_json(&deals, explain))
                .expect("serializable")
                + "\n"
        }
        TextOrJson::Text => reconcile::deals_text(&deals, explain),
    };
    print(&out)?;
    let clean = deals.iter().all(|d| d.summary().clean());
    Ok(if clean { 0 } else { 1 })
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Parse {
            report,
            format,
            layout,
        } => {
            let text = Error::read_to_string(&report)?;
            let layout = match layout.as_deref() {
                Some(name) => report::Layout::from_name(name).expect("clap checked the name"),
                None => report::Layout::detect(&text),
            };
            let out = layout.render(&report, &text, matches!(format, TextOrJson::Json))?;
            print(&out)?;
            Ok(0)
        }
        Command::Reconcile {
            deal,
            reports,
            all,
            format,
            tolerance,
            explain,
            from_report_state,
        } => {
            if let Some(t) = tolerance
                && (t.is_sign_negative() || t > Decimal::from(1_000_000))
            {
                return Err(Error::Usage(format!(
                    "--tolerance is an amount from 0 to 1,000,000, found {t}"
                )));
            }
            let options = reconcile::Options {
                tolerance,
                from_report_state,
            };
            if all {
                if !reports.is_empty() {
                    return Err(Error::Usage(
                        "--all reconciles each deal's own filings/: give no reports".to_string(),
                    ));
                }
                return reconcile_every_deal(&deal, &options, format, explain);
            }
            let deal = Deal::load(&deal)?;
            let paths = reconcile::report_paths(&deal, &reports)?;
            let results = reconcile::reconcile_all(&deal, &paths, &options)?;
            let out = match format {
                TextOrJson::Json => {
                    let v = reconcile::json_value(&deal, &results, explain);
                    serde_json::to_string_pretty(&v).expect("serializable") + "\n"
                }
                TextOrJson::Text => reconcile::text(&deal, &results, explain),
            };
            print(&out)?;
            let clean = results.iter().all(|r| r.summary().clean());
            Ok(if clean { 0 } else { 1 })
        }
        Command::Show { deal } => {
            let deal = Deal::load(&deal)?;
            print(&waterfall::deal::show(&deal))?;
            Ok(0)
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
            let format = output_format(format.map(Output::from), out.as_deref(), &["xlsx"])?;
            if let Some(path) = &plot {
                check_plot_name(path)?;
                waterfall::output::check_target(path)?;
            }
            if format == Output::Xlsx {
                let path = waterfall::export::require_file("xlsx", out.as_deref())?;
                waterfall::output::check_target(path)?;
            } else if let Some(dir) = out.as_ref().filter(|d| d.is_dir()) {
                for name in projection::output::FILES {
                    waterfall::output::check_target(&dir.join(name))?;
                }
            }
            let deal = start.load()?;
            let set = ScenarioSet::load(&scenario)?;
            let scenario = set.single()?;
            let projection = start.projection(&deal)?;
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
            if let Some(n) = threads {
                grid::check_threads(n)?;
            }
            let format = output_format(
                format.map(Output::from),
                out.as_deref(),
                &["csv", "json", "xlsx", "parquet"],
            )?;
            let format = match format {
                Output::Text(f) => f,
                binary => {
                    let path = waterfall::export::require_file(binary.name(), out.as_deref())?;
                    waterfall::output::check_target(path)?;
                    return grid_file(&start, &scenarios, threads, path, binary);
                }
            };
            if let Some(path) = &out {
                waterfall::output::check_target(path)?;
            }
            let deal = start.load()?;
            let set = ScenarioSet::load(&scenarios)?;
            let projection = start.projection(&deal)?;
            let mut grid = Grid::new(&projection, &set);
            grid.check()?;
            grid.cancel = Some(cooperative_interrupts());
            let progress = progress_bar(set.len() as u64, "scenarios", out.is_some());
            // The workers write the rows; they go out chunk by chunk, each
            // counted once written.
            let stream = |rows: &mut grid::RowWriter<&mut dyn Write>| -> Result<()> {
                rows.begin()?;
                grid.write(threads, rows, |n| progress.inc(n))
            };
            match &out {
                Some(path) => write_atomic(path, |w| {
                    let mut rows = grid::RowWriter::new(w, format);
                    stream(&mut rows)?;
                    rows.finish().map(|_| ())
                })?,
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = std::io::BufWriter::new(stdout.lock());
                    let mut rows = grid::RowWriter::new(&mut lock as &mut dyn Write, format);
                    let result = stream(&mut rows);
                    let written = rows.written();
                    match result.and_then(|()| rows.finish().map(|_| ())) {
                        Ok(()) | Err(Error::OutputClosed) => {}
                        Err(Error::Interrupted) => {
                            // What was written stays written: say how much.
                            let _ = lock.flush();
                            progress.finish_and_clear();
                            return Err(Error::InterruptedAfter { rows: written });
                        }
                        Err(e) => return Err(e),
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
                breakeven::all_classes(&deal)
            } else {
                vec![class_index(&deal, &class)?]
            };
            let projection = start.projection(&deal)?;
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
            out,
            format,
        } => {
            let format = table_output(format, out.as_deref())?;
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
            let projection = start.projection(&deal)?;
            emit_table(
                out.as_deref(),
                format,
                "price",
                projection.start.date,
                |f| pricing::table::price_table(&projection, &set, k, &price, &r#yield, settle, f),
            )?;
            Ok(0)
        }
        Command::Decrement {
            deal,
            prepay,
            classes,
            libor,
            to_call,
            out,
            format,
        } => {
            let format = table_output(format, out.as_deref())?;
            let speeds = prepay
                .iter()
                .map(|p| {
                    p.trim()
                        .parse::<Prepay>()
                        .map_err(|e| Error::Usage(format!("--prepay: {e}")))
                })
                .collect::<Result<Vec<_>>>()?;
            let deal = Deal::load(&deal)?;
            use waterfall::structuring::decrement;
            let ks = decrement::classes_named(&deal, classes.as_deref())?;
            let terms = decrement::Terms {
                index: match libor {
                    Some(text) => decrement::index_percent(&text)?,
                    None => rust_decimal::Decimal::ZERO,
                },
                call: to_call,
            };
            let table = decrement::decrement(&deal, &speeds, &ks, &terms)?;
            emit_table(
                out.as_deref(),
                format,
                "decrement",
                deal.closing_date,
                |f| table.render(f),
            )?;
            Ok(0)
        }
        Command::Matrix {
            start,
            class,
            scenarios,
            price,
            settle,
            to,
            out,
            format,
        } => {
            let format = table_output(format, out.as_deref())?;
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
            let projection = start.projection(&deal)?;
            let matrix = pricing::matrix::build(&projection, &set, k, &price, settle, to)?;
            emit_table(
                out.as_deref(),
                format,
                "matrix",
                projection.start.date,
                |f| matrix.render(f),
            )?;
            Ok(0)
        }
    }
}

fn project<T: waterfall::num::Num>(
    p: &Projection,
    scenario: &waterfall::scenario::Scenario,
    out: Option<PathBuf>,
    format: Output,
    plot: Option<PathBuf>,
) -> Result<u8> {
    let recorded = p.record::<T>(scenario)?;
    let (records, summary) = (&recorded.periods, &recorded.summary);
    if format == Output::Xlsx {
        let path = waterfall::export::require_file("xlsx", out.as_deref())?;
        let sheets = waterfall::export::project_sheets(p, scenario, records, summary)?;
        let bytes = waterfall::export::xlsx::workbook(&sheets, p.start.date)?;
        write_plot(p, records, scenario, plot.as_deref())?;
        write_atomic(path, |w| w.write_all(&bytes).map_err(io(path)))?;
        return Ok(0);
    }
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::file(dir, format!("cannot create the output directory: {e}")))?;
        projection::output::write_csv_dir(dir, p, records, summary)?;
    }
    write_plot(p, records, scenario, plot.as_deref())?;
    let text = match format {
        Output::Text(OutputFormat::Csv) => {
            let mut buf = Vec::new();
            projection::output::write_classes(p, records, &mut buf)
                .map_err(|e| Error::Usage(e.to_string()))?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        Output::Text(OutputFormat::Json) => {
            serde_json::to_string_pretty(&projection::output::to_json(
                p, scenario, records, summary,
            ))
            .expect("serializable")
                + "\n"
        }
        _ => projection::output::summary_text(p, scenario, summary),
    };
    print(&text)?;
    Ok(0)
}

/// Set by SIGINT (Ctrl-C) or SIGTERM.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Set while a command checks [`INTERRUPTED`] itself (a grid, between chunks).
static COOPERATIVE: AtomicBool = AtomicBool::new(false);

/// SIGINT and SIGTERM: a command that checks for them (a grid) stops at its
/// next check, removes what it staged and exits 130; any other command, or a
/// second signal, removes every staged output file and exits 130 at once.
/// Either way no output file is left partial or half a set.
fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        let again = INTERRUPTED.swap(true, Ordering::SeqCst);
        if again || !COOPERATIVE.load(Ordering::SeqCst) {
            eprintln!("waterfall: {}", Error::Interrupted);
            waterfall::output::abandon_staged_and_exit(Error::Interrupted.exit_code());
        }
    });
}

/// The interrupt flag, for a command that checks it: from now on a signal
/// sets it and lets the command stop itself.
fn cooperative_interrupts() -> &'static AtomicBool {
    COOPERATIVE.store(true, Ordering::SeqCst);
    &INTERRUPTED
}

/// The format of a command's output: as given, else the output file's
/// extension when it is one of `extensions` (`csv`, `json`, `xlsx`,
/// `parquet`), else a table. A given format that the extension contradicts
/// is refused.
fn output_format(given: Option<Output>, out: Option<&Path>, extensions: &[&str]) -> Result<Output> {
    let by_extension = out.and_then(|p| {
        let ext = p.extension()?.to_str()?.to_ascii_lowercase();
        if !extensions.contains(&ext.as_str()) {
            return None;
        }
        match ext.as_str() {
            "csv" => Some(Output::Text(OutputFormat::Csv)),
            "json" => Some(Output::Text(OutputFormat::Json)),
            "xlsx" => Some(Output::Xlsx),
            "parquet" => Some(Output::Parquet),
            _ => None,
        }
    });
    match (given, by_extension) {
        (Some(g), Some(e)) if g != e => Err(Error::Usage(format!(
            "--format {} does not match the output file {}: it is named for {} (leave --format out, or rename the file)",
            g.name(),
            out.map(|p| p.display().to_string()).unwrap_or_default(),
            e.name(),
        ))),
        (Some(f), _) | (None, Some(f)) => Ok(f),
        (None, None) => Ok(Output::Text(OutputFormat::Table)),
    }
}

/// The format of a table command (`price`, `decrement`, `matrix`) and a
/// check of its `--out` file: xlsx needs one.
fn table_output(format: Option<ProjectFormat>, out: Option<&Path>) -> Result<Output> {
    let format = output_format(format.map(Output::from), out, &["csv", "json", "xlsx"])?;
    if format == Output::Xlsx {
        waterfall::export::require_file("xlsx", out)?;
    }
    if let Some(path) = out {
        waterfall::output::check_target(path)?;
    }
    Ok(format)
}

/// A table rendered as text (to standard output or `out`), or as CSV turned
/// into a one-sheet workbook named `sheet` at `out`.
fn emit_table(
    out: Option<&Path>,
    format: Output,
    sheet: &str,
    created: chrono::NaiveDate,
    render: impl FnOnce(OutputFormat) -> Result<String>,
) -> Result<()> {
    match (out, format) {
        (Some(path), Output::Xlsx) => {
            let csv = render(OutputFormat::Csv)?;
            let sheet = waterfall::export::Sheet::from_csv(sheet, &csv, &[])?;
            let bytes = waterfall::export::xlsx::workbook(&[sheet], created)?;
            write_atomic(path, |w| w.write_all(&bytes).map_err(io(path)))
        }
        (_, Output::Xlsx | Output::Parquet) => {
            waterfall::export::require_file(format.name(), None).map(|_| ())
        }
        (Some(path), Output::Text(f)) => {
            let text = render(f)?;
            write_atomic(path, |w| w.write_all(text.as_bytes()).map_err(io(path)))
        }
        (None, Output::Text(f)) => print(&render(f)?),
    }
}

/// A grid written as one binary file (xlsx or Parquet) at `path`: built in
/// memory chunk by chunk, then written whole.
fn grid_file(
    start: &FromFiling,
    scenarios: &Path,
    threads: Option<usize>,
    path: &Path,
    format: Output,
) -> Result<u8> {
    let deal = start.load()?;
    let set = ScenarioSet::load(scenarios)?;
    let projection = start.projection(&deal)?;
    let mut grid = Grid::new(&projection, &set);
    grid.cancel = Some(cooperative_interrupts());
    let progress = progress_bar(set.len() as u64, "scenarios", true);
    let bytes = match format {
        Output::Parquet => {
            let mut file = waterfall::export::parquet::GridParquet::new()?;
            grid.run(threads, |chunk| {
                let rows: Vec<grid::GridRow> = chunk.iter().flatten().cloned().collect();
                file.rows(&rows)?;
                progress.inc(chunk.len() as u64);
                Ok(())
            })?;
            file.finish()?
        }
        _ => {
            let mut sheet = waterfall::export::grid_sheet();
            grid.run(threads, |chunk| {
                for r in chunk.iter().flatten() {
                    sheet.rows.push(waterfall::export::grid_cells(r));
                }
                if sheet.rows.len() >= waterfall::export::xlsx::MAX_ROWS {
                    return Err(Error::Usage(format!(
                        "the grid has more rows than an Excel worksheet holds ({}): write CSV or Parquet instead",
                        waterfall::export::xlsx::MAX_ROWS - 1
                    )));
                }
                progress.inc(chunk.len() as u64);
                Ok(())
            })?;
            waterfall::export::xlsx::workbook(&[sheet], projection.start.date)?
        }
    };
    write_atomic(path, |w| w.write_all(&bytes).map_err(io(path)))?;
    progress.finish_and_clear();
    Ok(0)
}

/// Draw the plot into `path`, if one is asked for.
fn write_plot<T: waterfall::num::Num>(
    p: &Projection,
    records: &[projection::PeriodRecord<T>],
    scenario: &waterfall::scenario::Scenario,
    path: Option<&Path>,
) -> Result<()> {
    if let Some(path) = path {
        let title = format!(
            "{} from {}: {}",
            p.deal.short_name, p.start.date, scenario.name
        );
        let svg = projection::plot::svg(p, records, &title);
        write_atomic(path, |w| w.write_all(svg.as_bytes()).map_err(io(path)))?;
    }
    Ok(())
}

/// The plot is SVG: a file named for another format is refused.
fn check_plot_name(path: &Path) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if !e.eq_ignore_ascii_case("svg") => Err(Error::file(
            path,
            format!("--plot writes SVG, not .{e}: name the file .svg"),
        )),
        _ => Ok(()),
    }
}

/// A progress bar on standard error when it is a terminal and the data does
/// not go to a terminal (a bar drawn between rows would land in them);
/// hidden otherwise.
fn progress_bar(len: u64, what: &str, to_file: bool) -> indicatif::ProgressBar {
    let shown = waterfall::output::progress_shown(
        std::io::stderr().is_terminal(),
        std::io::stdout().is_terminal(),
        to_file,
    );
    if !shown {
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
