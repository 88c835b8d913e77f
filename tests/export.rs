//! Excel and Parquet output: every cell read back (calamine for workbooks,
//! the parquet crate's reader for Parquet) equals the same run's CSV; the
//! same inputs give the same bytes; a binary format asked for standard
//! output is refused (exit 2) and writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn waterfall_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_waterfall"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn waterfall(args: &[&str]) -> Output {
    waterfall_in(root(), args)
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

const HE4: &str = "deals/absc-2003-he4";
const HE4_FILING: &str = "deals/absc-2003-he4/filings/2003-12-15.txt";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// CSV text as rows of fields.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// An Excel serial day number as a date (the 1900 system, after 1900-03-01).
fn excel_date(serial: f64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap() + chrono::Duration::days(serial as i64)
}

/// Whether a cell read from a workbook holds what the CSV field says.
fn same(cell: &Data, field: &str) -> bool {
    match cell {
        Data::Empty => field.is_empty(),
        Data::String(t) => t == field,
        Data::Float(x) => field.parse::<f64>().is_ok_and(|f| f == *x),
        Data::Int(i) => field.parse::<i64>().is_ok_and(|f| f == *i),
        Data::Bool(b) => field == if *b { "true" } else { "false" },
        Data::DateTime(d) => {
            d.as_f64().fract() == 0.0 && excel_date(d.as_f64()).to_string() == field
        }
        _ => false,
    }
}

/// The rows of a worksheet.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
}

/// Every cell of `cells` (starting at its first row) equals `csv`'s, row by row.
fn assert_same(what: &str, cells: &[Vec<Data>], csv: &[Vec<String>]) {
    assert_eq!(cells.len(), csv.len(), "{what}: rows");
    for (i, (row, want)) in cells.iter().zip(csv).enumerate() {
        for (j, field) in want.iter().enumerate() {
            let cell = row.get(j).unwrap_or(&Data::Empty);
            assert!(
                same(cell, field),
                "{what}: row {} column {j}: workbook {cell:?}, CSV {field:?}",
                i + 1
            );
        }
    }
}

#[test]
fn a_projection_workbook_holds_the_csv_figures() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("he4.xlsx");
    let csv_dir = dir.path().join("csv");
    ok(&waterfall(&[
        "project",
        HE4,
        "--from",
        HE4_FILING,
        "--scenario",
        "scenarios/base.toml",
        "--out",
        s(&book),
    ]));
    ok(&waterfall(&[
        "project",
        HE4,
        "--from",
        HE4_FILING,
        "--scenario",
        "scenarios/base.toml",
        "--out",
        s(&csv_dir),
    ]));
    let read = |f: &str| csv_rows(&std::fs::read_to_string(csv_dir.join(f)).unwrap());
    let classes = read("classes.csv");
    let names = sheet_names(&book);
    let deal = waterfall::deal::Deal::load(&root().join(HE4)).unwrap();
    let mut want = vec!["summary".to_string()];
    want.extend(deal.classes.iter().map(|c| c.name.clone()));
    want.extend(["collateral".to_string(), "deal".to_string()]);
    assert_eq!(names, want);
    // A sheet per class: its rows of classes.csv, under the same header.
    for c in &deal.classes {
        let mut rows = vec![classes[0].clone()];
        rows.extend(classes.iter().filter(|r| r[2] == c.name).cloned());
        assert!(rows.len() > 1, "{}", c.name);
        assert_same(&c.name, &sheet(&book, &c.name), &rows);
    }
    assert_same(
        "collateral",
        &sheet(&book, "collateral"),
        &read("collateral.csv"),
    );
    assert_same("deal", &sheet(&book, "deal"), &read("deal.csv"));
    // The summary: the title lines `project` prints, a blank row, then
    // summary.csv's table with the original and ending balances after it.
    let summary = sheet(&book, "summary");
    let text = String::from_utf8(
        waterfall(&[
            "project",
            HE4,
            "--from",
            HE4_FILING,
            "--scenario",
            "scenarios/base.toml",
        ])
        .stdout,
    )
    .unwrap();
    let title: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(title.len(), 3);
    for (i, line) in title.iter().enumerate() {
        assert!(same(&summary[i][0], line), "title line {i}");
    }
    let table = read("summary.csv");
    let top = title.len() + 1;
    assert_same("summary", &summary[top..top + table.len()], &table);
    assert!(same(&summary[top][10], "original_balance"));
    // A-1's original balance, as the deal file (and the prospectus) has it.
    let a1 = &summary[top + 1];
    assert!(same(&a1[0], "A-1"));
    assert_eq!(a1[10], Data::Float(504_000_000.0));
    // Below the table, the deal's events: the cumulative loss is the last
    // period's in deal.csv.
    let deal_csv = read("deal.csv");
    let col = deal_csv[0]
        .iter()
        .position(|h| h == "cumulative_loss")
        .unwrap();
    let last_loss = &deal_csv.last().unwrap()[col];
    let loss_row = summary
        .iter()
        .find(|r| same(&r[0], "cumulative realized losses"))
        .expect("the losses row");
    assert!(same(&loss_row[1], last_loss), "{loss_row:?} vs {last_loss}");
}

#[test]
fn the_same_projection_gives_the_same_workbook_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    for name in ["a.xlsx", "b.xlsx"] {
        let path = dir.path().join(name);
        ok(&waterfall(&[
            "project",
            HE4,
            "--from",
            HE4_FILING,
            "--scenario",
            "scenarios/stress.toml",
            "--format",
            "xlsx",
            "--out",
            s(&path),
        ]));
        bytes.push(std::fs::read(&path).unwrap());
    }
    assert_eq!(bytes[0], bytes[1]);
    // A zip file (an xlsx is one) whose creation date is the filing's.
    assert_eq!(&bytes[0][..2], b"PK");
}

fn grid_to(path: &Path, threads: &str, extra: &[&str]) {
    let mut args = vec![
        "grid",
        HE4,
        "--from",
        HE4_FILING,
        "--scenarios",
        "scenarios/grid.toml",
        "--threads",
        threads,
        "--out",
        s(path),
    ];
    args.extend_from_slice(extra);
    ok(&waterfall(&args));
}

fn grid_csv() -> Vec<Vec<String>> {
    let o = waterfall(&[
        "grid",
        HE4,
        "--from",
        HE4_FILING,
        "--scenarios",
        "scenarios/grid.toml",
        "--format",
        "csv",
    ]);
    ok(&o);
    csv_rows(&String::from_utf8(o.stdout).unwrap())
}

#[test]
fn a_grid_workbook_holds_the_csv_figures_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.xlsx");
    let two = dir.path().join("two.xlsx");
    grid_to(&one, "1", &[]);
    grid_to(&two, "2", &["--format", "xlsx"]);
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    assert_eq!(sheet_names(&one), ["grid"]);
    let csv = grid_csv();
    // 5 speeds x 6 default rates x 3 severities, 16 classes each, and the header.
    assert_eq!(csv.len(), 5 * 6 * 3 * 16 + 1);
    assert_same("grid", &sheet(&one, "grid"), &csv);
}

#[test]
fn a_grid_parquet_file_holds_the_csv_figures_for_any_thread_count() {
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.parquet");
    let two = dir.path().join("two.parquet");
    grid_to(&one, "1", &[]);
    grid_to(&two, "2", &["--format", "parquet"]);
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());

    let builder =
        ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&one).unwrap()).unwrap();
    let meta = builder.metadata().file_metadata();
    assert_eq!(
        meta.created_by(),
        Some(format!("waterfall {}", env!("CARGO_PKG_VERSION")).as_str())
    );
    let schema = builder.schema().clone();
    let types: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect();
    println!("schema:\n  {}", types.join("\n  "));
    assert_eq!(
        schema.field_with_name("principal").unwrap().data_type(),
        &DataType::Decimal128(18, 2)
    );
    assert_eq!(
        schema
            .field_with_name("last_principal")
            .unwrap()
            .data_type(),
        &DataType::Date32
    );
    let csv = grid_csv();
    let (header, rows) = parquet_rows(&one);
    assert_eq!(header, csv[0]);
    assert_eq!(rows.len(), 5 * 6 * 3 * 16);
    assert_rows_are_the_csvs(&rows, &csv);
}

/// A Parquet file's header and its cells written as the CSV writes them
/// (null as empty, booleans as `yes`/`no`, decimals at their scale).
fn parquet_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    use arrow_array::{Array, cast::AsArray, types};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let builder =
        ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    let header = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for batch in builder.build().unwrap() {
        let batch = batch.unwrap();
        let start = rows.len();
        rows.extend((0..batch.num_rows()).map(|_| Vec::new()));
        for col in batch.columns() {
            for i in 0..batch.num_rows() {
                let cell = if col.is_null(i) {
                    String::new()
                } else {
                    match col.data_type() {
                        DataType::Int64 => {
                            col.as_primitive::<types::Int64Type>().value(i).to_string()
                        }
                        DataType::Float64 => col
                            .as_primitive::<types::Float64Type>()
                            .value(i)
                            .to_string(),
                        DataType::Utf8 => col.as_string::<i32>().value(i).to_string(),
                        DataType::Boolean => if col.as_boolean().value(i) {
                            "yes"
                        } else {
                            "no"
                        }
                        .to_string(),
                        DataType::Decimal128(_, scale) => {
                            let m = col.as_primitive::<types::Decimal128Type>().value(i);
                            rust_decimal::Decimal::from_i128_with_scale(m, *scale as u32)
                                .to_string()
                        }
                        DataType::Date32 => {
                            let d = col.as_primitive::<types::Date32Type>().value(i);
                            (NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                                + chrono::Duration::days(d as i64))
                            .to_string()
                        }
                        t => panic!("unexpected type {t}"),
                    }
                };
                rows[start + i].push(cell);
            }
        }
    }
    (header, rows)
}

/// Every cell of `rows` is the CSV's (`csv[0]` its header).
fn assert_rows_are_the_csvs(rows: &[Vec<String>], csv: &[Vec<String>]) {
    assert_eq!(rows.len(), csv.len() - 1);
    for (i, (got, want)) in rows.iter().zip(&csv[1..]).enumerate() {
        for (j, (g, w)) in got.iter().zip(want).enumerate() {
            // Floats print their shortest digits: the same number as the CSV's.
            let equal = g == w
                || (g.parse::<f64>().is_ok() && g.parse::<f64>().ok() == w.parse::<f64>().ok());
            assert!(
                equal,
                "row {} column {}: parquet {g:?}, CSV {w:?}",
                i + 1,
                csv[0][j]
            );
        }
    }
}

#[test]
fn a_grid_parquet_file_types_the_counterparty_default_and_keeps_its_figures() {
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("cp.toml");
    std::fs::write(
        &scenarios,
        "prepay = \"100PPC\"\ncall = false\nlibor = { flat = \"6.20\" }\n\n\
         [[scenario]]\nname = \"swap pays\"\n\n\
         [[scenario]]\nname = \"swap defaults\"\n\
         counterparty_default = { month = 24, termination_payment = \"2500000\" }\n",
    )
    .unwrap();
    let file = dir.path().join("cp.parquet");
    let args = [
        "grid",
        "deals/example-subprime-2006",
        "--scenarios",
        s(&scenarios),
    ];
    ok(&waterfall(&[&args[..], &["--out", s(&file)]].concat()));
    let o = waterfall(&[&args[..], &["--format", "csv"]].concat());
    ok(&o);
    let csv = csv_rows(&String::from_utf8(o.stdout).unwrap());
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&file).unwrap()).unwrap();
    let schema = builder.schema();
    let type_of = |c: &str| schema.field_with_name(c).unwrap().data_type().clone();
    assert_eq!(type_of("counterparty_default"), DataType::Int64);
    assert_eq!(type_of("termination_payment"), DataType::Decimal128(18, 2));
    let (header, rows) = parquet_rows(&file);
    assert_eq!(header, csv[0]);
    assert_rows_are_the_csvs(&rows, &csv);
    // Null for the first scenario, month 24 and 2,500,000.00 for the second.
    let month = header
        .iter()
        .position(|c| c == "counterparty_default")
        .unwrap();
    let first = rows.first().unwrap();
    let last = rows.last().unwrap();
    assert_eq!((first[month].as_str(), first[month + 1].as_str()), ("", ""));
    assert_eq!(
        (last[month].as_str(), last[month + 1].as_str()),
        ("24", "2500000.00")
    );
}

#[test]
fn a_price_workbook_holds_the_csv_figures() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("price.xlsx");
    let args = |more: &[&str]| {
        let mut a = vec![
            "price",
            HE4,
            "--from",
            HE4_FILING,
            "--class",
            "M-1",
            "--scenarios",
            "scenarios/grid.toml",
            "--price",
            "99-16+,100",
            "--yield",
            "5",
        ];
        a.extend_from_slice(more);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        waterfall(&a)
    };
    ok(&run(args(&["--out", s(&book)])));
    let o = run(args(&["--format", "csv"]));
    ok(&o);
    let csv = csv_rows(&String::from_utf8(o.stdout).unwrap());
    // 90 scenarios x (2 prices + 1 yield), and the header.
    assert_eq!(csv.len(), 90 * 3 + 1);
    assert_same("price", &sheet(&book, "price"), &csv);
    // The price in 32nds, as given: 99-16+ is 99.515625.
    let rows = sheet(&book, "price");
    let price = rows[0].iter().position(|c| same(c, "price")).unwrap();
    assert_eq!(rows[1][price], Data::Float(99.515625));
    // --out with csv writes the same text as standard output.
    let file = dir.path().join("price.csv");
    ok(&run(args(&["--out", s(&file)])));
    assert_eq!(csv_rows(&std::fs::read_to_string(&file).unwrap()), csv);
}

fn abs(rel: &str) -> String {
    root().join(rel).to_str().unwrap().to_string()
}

#[test]
fn a_binary_format_to_standard_output_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (deal, scenario, grid) = (
        abs(HE4),
        abs("scenarios/base.toml"),
        abs("scenarios/grid.toml"),
    );
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "project",
            &deal,
            "--scenario",
            &scenario,
            "--format",
            "xlsx",
        ],
        vec!["grid", &deal, "--scenarios", &grid, "--format", "xlsx"],
        vec!["grid", &deal, "--scenarios", &grid, "--format", "parquet"],
        vec![
            "price",
            &deal,
            "--class",
            "M-1",
            "--scenarios",
            &scenario,
            "--price",
            "100",
            "--format",
            "xlsx",
        ],
    ];
    for args in runs {
        let o = waterfall_in(dir.path(), &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("binary file") && err.contains("--out"),
            "{err}"
        );
        assert!(o.stdout.is_empty(), "{args:?} wrote to standard output");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A format the file's name contradicts is refused too, before any work.
    let o = waterfall_in(
        dir.path(),
        &[
            "grid",
            &deal,
            "--scenarios",
            &grid,
            "--format",
            "csv",
            "--out",
            "g.parquet",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not match"));
    // A file that cannot be put in place is refused before any work, and
    // what is in the way is left as it was.
    std::fs::create_dir(dir.path().join("in-the-way.xlsx")).unwrap();
    for out in ["in-the-way.xlsx", "no-such-dir/g.parquet"] {
        let o = waterfall_in(
            dir.path(),
            &["grid", &deal, "--scenarios", &grid, "--out", out],
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{out}: {err}");
        assert!(err.contains("cannot write here"), "{err}");
    }
    std::fs::remove_dir(dir.path().join("in-the-way.xlsx")).unwrap();
    let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn decrement_and_matrix_workbooks_hold_the_csv_figures() {
    let dir = tempfile::tempdir().unwrap();
    let runs: [(&str, Vec<&str>); 2] = [
        (
            "decrement",
            vec!["decrement", HE4, "--prepay", "0PSA,100PSA,300PSA"],
        ),
        (
            "matrix",
            vec![
                "matrix",
                HE4,
                "--from",
                HE4_FILING,
                "--class",
                "M-1",
                "--scenarios",
                "scenarios/grid.toml",
                "--price",
                "99,100-08",
            ],
        ),
    ];
    for (name, args) in runs {
        let book = dir.path().join(format!("{name}.xlsx"));
        let mut to_book = args.clone();
        to_book.extend(["--out", s(&book)]);
        ok(&waterfall(&to_book));
        let mut to_csv = args.clone();
        to_csv.extend(["--format", "csv"]);
        let o = waterfall(&to_csv);
        ok(&o);
        let csv = csv_rows(&String::from_utf8(o.stdout).unwrap());
        assert!(csv.len() > 10, "{name}: {} rows", csv.len());
        assert_eq!(sheet_names(&book), [name]);
        assert_same(name, &sheet(&book, name), &csv);
    }
}
