//! Arrow columns built in Rust and handed to pyarrow through the Arrow C
//! Data Interface: the buffers are moved, not copied.
//!
//! Money is `decimal128(38, 2)`: the cents the CLI's CSV prints, exact.
//! Rates are `decimal128(38, 10)`, as the CSV's fractions to 10 places.
//! Dates are `date32`; an empty CSV cell is a null.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, to_ffi};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{Field, Schema};
use chrono::NaiveDate;
use pyo3::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::internal;

/// Scale of money columns: cents.
pub const MONEY: u32 = 2;
/// Scale of rate columns: fractions to 10 places.
pub const RATE: u32 = 10;
/// Precision of every decimal column (the widest `decimal128`).
const PRECISION: u8 = 38;

/// One column being built.
enum Builder {
    Int(Int64Builder),
    Text(StringBuilder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Float(Float64Builder),
    Dec(Decimal128Builder, u32),
}

/// What a column holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Int,
    Text,
    Bool,
    Date,
    Float,
    /// A decimal with this many places.
    Dec(u32),
}

/// One cell, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Int(i64),
    Text(&'a str),
    Bool(bool),
    Date(Option<NaiveDate>),
    Float(Option<f64>),
    Dec(Option<Decimal>),
    Null,
}

/// Days from 1970-01-01, as `date32` counts them.
fn days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    (d - epoch).num_days() as i32
}

/// `d` to `scale` places (halves away from zero, as the CLI's files round),
/// as the integer a `decimal128` of that scale stores.
pub fn mantissa(d: Decimal, scale: u32) -> PyResult<i128> {
    let r = d.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    // The rounded value has at most `scale` places: widen it in i128 (a
    // Decimal cannot hold 28 places of a large number; a decimal128 can).
    10i128
        .checked_pow(scale - r.scale())
        .and_then(|f| r.mantissa().checked_mul(f))
        .filter(|m| m.unsigned_abs() < 10u128.pow(PRECISION as u32))
        .ok_or_else(|| {
            internal(format!(
                "{d} does not fit in decimal128({PRECISION}, {scale})"
            ))
        })
}

/// A table's columns, filled row by row.
pub struct Table {
    names: Vec<String>,
    columns: Vec<Builder>,
}

impl Table {
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = (S, Kind)>) -> Self {
        let mut names = Vec::new();
        let mut builders = Vec::new();
        for (name, kind) in columns {
            names.push(name.into());
            builders.push(match kind {
                Kind::Int => Builder::Int(Int64Builder::new()),
                Kind::Text => Builder::Text(StringBuilder::new()),
                Kind::Bool => Builder::Bool(BooleanBuilder::new()),
                Kind::Date => Builder::Date(Date32Builder::new()),
                Kind::Float => Builder::Float(Float64Builder::new()),
                Kind::Dec(s) => Builder::Dec(Decimal128Builder::new(), s),
            });
        }
        Table {
            names,
            columns: builders,
        }
    }

    /// Append one row: a cell for every column, in order.
    pub fn row(&mut self, cells: &[Cell]) -> PyResult<()> {
        if cells.len() != self.columns.len() {
            return Err(internal(format!(
                "a row of {} cells for {} columns",
                cells.len(),
                self.columns.len()
            )));
        }
        for (i, (b, c)) in self.columns.iter_mut().zip(cells).enumerate() {
            match (b, *c) {
                (Builder::Int(b), Cell::Int(v)) => b.append_value(v),
                (Builder::Int(b), Cell::Null) => b.append_null(),
                (Builder::Text(b), Cell::Text(v)) => b.append_value(v),
                (Builder::Text(b), Cell::Null) => b.append_null(),
                (Builder::Bool(b), Cell::Bool(v)) => b.append_value(v),
                (Builder::Bool(b), Cell::Null) => b.append_null(),
                (Builder::Date(b), Cell::Date(v)) => b.append_option(v.map(days)),
                (Builder::Date(b), Cell::Null) => b.append_null(),
                (Builder::Float(b), Cell::Float(v)) => b.append_option(v),
                (Builder::Float(b), Cell::Null) => b.append_null(),
                (Builder::Dec(b, s), Cell::Dec(v)) => {
                    b.append_option(v.map(|d| mantissa(d, *s)).transpose()?)
                }
                (Builder::Dec(b, _), Cell::Null) => b.append_null(),
                (_, c) => {
                    return Err(internal(format!(
                        "column {} cannot hold {c:?}",
                        self.names[i]
                    )));
                }
            }
        }
        Ok(())
    }

    /// The finished columns as one record batch.
    pub fn finish(self) -> PyResult<RecordBatch> {
        let mut fields = Vec::with_capacity(self.names.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.names.len());
        for (name, b) in self.names.into_iter().zip(self.columns) {
            let array: ArrayRef = match b {
                Builder::Int(mut b) => Arc::new(b.finish()),
                Builder::Text(mut b) => Arc::new(b.finish()),
                Builder::Bool(mut b) => Arc::new(b.finish()),
                Builder::Date(mut b) => Arc::new(b.finish()),
                Builder::Float(mut b) => Arc::new(b.finish()),
                Builder::Dec(mut b, s) => Arc::new(
                    b.finish()
                        .with_precision_and_scale(PRECISION, s as i8)
                        .map_err(|e| internal(e.to_string()))?,
                ),
            };
            fields.push(Field::new(name, array.data_type().clone(), true));
            arrays.push(array);
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .map_err(|e| internal(e.to_string()))
    }

    /// The finished columns as a `pyarrow.Table`, moved to pyarrow without a copy.
    pub fn into_pyarrow(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_pyarrow(py, self.finish()?)
    }
}

/// Hand a record batch to pyarrow through the C Data Interface: pyarrow
/// takes ownership of the buffers (and releases them when its table goes).
pub fn to_pyarrow(py: Python<'_>, batch: RecordBatch) -> PyResult<Py<PyAny>> {
    let data = StructArray::from(batch).into_data();
    let (array, schema) = to_ffi(&data).map_err(|e| internal(e.to_string()))?;
    let array: Box<FFI_ArrowArray> = Box::new(array);
    let schema: Box<FFI_ArrowSchema> = Box::new(schema);
    let pa = py.import("pyarrow")?;
    let batch = pa.getattr("RecordBatch")?.call_method1(
        "_import_from_c",
        (
            &*array as *const FFI_ArrowArray as usize,
            &*schema as *const FFI_ArrowSchema as usize,
        ),
    )?;
    // pyarrow has moved both structures out (their release callbacks are
    // now null), so dropping the boxes frees only the boxes.
    drop(array);
    drop(schema);
    let table = pa
        .getattr("Table")?
        .call_method1("from_batches", (vec![batch],))?;
    Ok(table.unbind())
}
