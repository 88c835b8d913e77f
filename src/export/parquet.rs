//! The grid as a Parquet file (arrow + parquet crates), typed for pandas,
//! polars and DuckDB: one row per scenario and class, the columns of
//! [`crate::grid::COLUMNS`].
//!
//! Types: `scenario` and `lag` are Int64; the scenario's name, speeds, LIBOR
//! and the class are UTF-8 strings; `severity` (percent), `wal` (years) and
//! `loss_percent` are Float64 (each the nearest double to the CSV's digits);
//! `advancing` and `call` are booleans; the amounts `principal`, `interest`
//! and `writedown` are Decimal128(18, 2): exact cents, as the CSV prints
//! them; the dates are Date32, null where the CSV cell is empty. Pages are
//! not compressed (no codec to build or to install for readers), and the
//! file names this program (`created_by`) with its version only, so that
//! the same grid gives the same bytes.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch,
    StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::grid::{COLUMNS, GridRow};

/// Digits of a money column.
pub const MONEY_PRECISION: u8 = 18;
/// Decimals of a money column: cents.
pub const MONEY_SCALE: i8 = 2;

/// What the file says wrote it.
pub fn created_by() -> String {
    format!("waterfall {}", env!("CARGO_PKG_VERSION"))
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("cannot build the Parquet file: {e}"))
}

/// The type of each of [`COLUMNS`].
fn data_type(column: &str) -> DataType {
    match column {
        "scenario" | "lag" | "counterparty_default" => DataType::Int64,
        "severity" | "wal" | "loss_percent" => DataType::Float64,
        "advancing" | "call" => DataType::Boolean,
        "principal" | "interest" | "writedown" | "termination_payment" => {
            DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE)
        }
        "first_principal" | "last_principal" | "first_writedown" | "stepdown_date"
        | "first_trigger_date" | "call_date" => DataType::Date32,
        _ => DataType::Utf8,
    }
}

/// The grid's Arrow schema.
pub fn schema() -> SchemaRef {
    let fields: Vec<Field> = COLUMNS
        .iter()
        .map(|c| {
            let nullable = !matches!(*c, "scenario" | "class" | "name");
            Field::new(*c, data_type(c), nullable)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

fn days(d: Option<NaiveDate>) -> Option<i32> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    d.map(|d| (d - epoch).num_days() as i32)
}

fn cents(d: Decimal) -> Result<i128> {
    let mut x = d;
    x.rescale(MONEY_SCALE as u32);
    let m = x.mantissa();
    if m.unsigned_abs() >= 10u128.pow(MONEY_PRECISION as u32) {
        return Err(Error::Usage(format!(
            "the amount {d} has more than {} digits before the point: too large for the Parquet money columns",
            MONEY_PRECISION as i8 - MONEY_SCALE
        )));
    }
    Ok(m)
}

fn param<T: std::str::FromStr>(r: &GridRow, i: usize) -> Result<T> {
    let s = &r.params[i];
    s.parse()
        .map_err(|_| err(format!("the scenario field {} is \"{s}\"", COLUMNS[i + 1])))
}

fn flag(r: &GridRow, i: usize) -> Option<bool> {
    match r.params[i].as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    }
}

/// Scenario field `i` of every row, `None` (null) where it is empty.
fn optional_param<T: std::str::FromStr>(rows: &[GridRow], i: usize) -> Result<Vec<Option<T>>> {
    rows.iter()
        .map(|r| (!r.params[i].is_empty()).then(|| param(r, i)).transpose())
        .collect()
}

/// One record batch of grid rows.
pub fn batch(rows: &[GridRow]) -> Result<RecordBatch> {
    let text = |f: &dyn Fn(&GridRow) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
    };
    let date = |f: &dyn Fn(&GridRow) -> Option<NaiveDate>| -> ArrayRef {
        Arc::new(Date32Array::from(
            rows.iter().map(|r| days(f(r))).collect::<Vec<_>>(),
        ))
    };
    let money = |f: &dyn Fn(&GridRow) -> Decimal| -> Result<ArrayRef> {
        let v = rows
            .iter()
            .map(|r| cents(f(r)))
            .collect::<Result<Vec<i128>>>()?;
        Ok(Arc::new(
            Decimal128Array::from(v)
                .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)
                .map_err(err)?,
        ))
    };
    let float = |d: Decimal| -> f64 { super::xlsx::to_f64(d) };
    let severity = rows
        .iter()
        .map(|r| param::<f64>(r, 3))
        .collect::<Result<Vec<_>>>()?;
    let lag = rows
        .iter()
        .map(|r| param::<i64>(r, 4))
        .collect::<Result<Vec<_>>>()?;
    // Empty (null) when the counterparty never defaults.
    let counterparty_month = optional_param::<i64>(rows, 8)?;
    let termination = optional_param::<Decimal>(rows, 9)?
        .into_iter()
        .map(|d| d.map(cents).transpose())
        .collect::<Result<Vec<_>>>()?;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.scenario as i64),
        )),
        text(&|r| &r.params[0]),
        text(&|r| &r.params[1]),
        text(&|r| &r.params[2]),
        Arc::new(Float64Array::from(severity)),
        Arc::new(Int64Array::from(lag)),
        Arc::new(BooleanArray::from(
            rows.iter().map(|r| flag(r, 5)).collect::<Vec<_>>(),
        )),
        text(&|r| &r.params[6]),
        Arc::new(BooleanArray::from(
            rows.iter().map(|r| flag(r, 7)).collect::<Vec<_>>(),
        )),
        Arc::new(Int64Array::from(counterparty_month)),
        Arc::new(
            Decimal128Array::from(termination)
                .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)
                .map_err(err)?,
        ),
        text(&|r| &r.class.name),
        Arc::new(Float64Array::from(
            rows.iter()
                .map(|r| r.class.wal.map(float))
                .collect::<Vec<_>>(),
        )),
        date(&|r| r.class.first_principal),
        date(&|r| r.class.last_principal),
        money(&|r| r.class.total_principal)?,
        money(&|r| r.class.total_interest)?,
        money(&|r| r.class.total_writedown)?,
        Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|r| float(r.class.loss_percent)),
        )),
        date(&|r| r.class.first_writedown),
        date(&|r| r.stepdown),
        date(&|r| r.first_trigger),
        date(&|r| r.call),
    ];
    RecordBatch::try_new(schema(), columns).map_err(err)
}

/// Writes grid rows into a Parquet file in memory, chunk by chunk.
pub struct GridParquet {
    writer: ArrowWriter<Vec<u8>>,
    rows: usize,
}

impl GridParquet {
    pub fn new() -> Result<Self> {
        let props = WriterProperties::builder()
            .set_created_by(created_by())
            .set_compression(Compression::UNCOMPRESSED)
            .build();
        let writer = ArrowWriter::try_new(Vec::new(), schema(), Some(props)).map_err(err)?;
        Ok(GridParquet { writer, rows: 0 })
    }

    /// Add rows (one scenario's, or several).
    pub fn rows(&mut self, rows: &[GridRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.writer.write(&batch(rows)?).map_err(err)?;
        self.rows += rows.len();
        Ok(())
    }

    /// Rows added so far.
    pub fn written(&self) -> usize {
        self.rows
    }

    /// The file's bytes.
    pub fn finish(self) -> Result<Vec<u8>> {
        self.writer.into_inner().map_err(err)
    }
}
