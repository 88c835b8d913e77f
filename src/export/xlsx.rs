//! Excel workbooks (`.xlsx`, through `rust_xlsxwriter`): one worksheet a
//! [`Sheet`], figures as numbers with number formats, dates as Excel dates,
//! flags as booleans, the header bold and frozen.
//!
//! Excel holds every number as an `f64`: a figure is written as the `f64`
//! nearest its exact decimal digits (parsed from them, so correctly
//! rounded), which reads back as the same digits for the 15 significant
//! digits any amount here has.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::{Cell, Kind, Sheet};
use crate::error::{Error, Result};

/// Most rows a worksheet holds, the header included.
pub const MAX_ROWS: usize = 1_048_576;

/// Money: grouped, to the cent.
pub const MONEY: &str = "#,##0.00";
/// A rate (a fraction) as a percentage.
pub const PERCENT: &str = "0.0000%";
/// A date.
pub const DATE: &str = "yyyy-mm-dd";

fn err(e: XlsxError) -> Error {
    Error::Internal(format!("cannot build the workbook: {e}"))
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime> {
    let (y, m, day) = (d.year(), d.month(), d.day());
    let y = u16::try_from(y)
        .map_err(|_| Error::Usage(format!("the date {d} is not one Excel can hold")))?;
    ExcelDateTime::from_ymd(y, m as u8, day as u8).map_err(|_| {
        Error::Usage(format!(
            "the date {d} is not one Excel can hold (1900 to 9999)"
        ))
    })
}

/// Worksheet names Excel accepts for `wanted`: at most 31 characters, none
/// of `[]:*?/\`, not starting or ending with `'`, unique ignoring case (a
/// repeated name gets ` (2)`, ` (3)`...).
pub fn sheet_names(wanted: &[&str]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(wanted.len());
    for w in wanted {
        let clean: String = w
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
            .collect();
        let clean = clean.trim_matches('\'').to_string();
        let clean = if clean.is_empty() {
            "sheet".to_string()
        } else {
            clean
        };
        let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        let mut name = cut(&clean, 31);
        let mut k = 2;
        while taken.iter().any(|t| t.eq_ignore_ascii_case(&name))
            || name.eq_ignore_ascii_case("history")
        {
            let suffix = format!(" ({k})");
            name = format!("{}{suffix}", cut(&clean, 31 - suffix.chars().count()));
            k += 1;
        }
        taken.push(name.clone());
        out.push(name);
    }
    out
}

/// The nearest `f64` to a decimal's exact value.
pub fn to_f64(d: rust_decimal::Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

struct Formats {
    bold: Format,
    money: Format,
    percent: Format,
    integer: Format,
    date: Format,
    fixed: Vec<Format>,
}

impl Formats {
    fn new() -> Self {
        Formats {
            bold: Format::new().set_bold(),
            money: Format::new().set_num_format(MONEY),
            percent: Format::new().set_num_format(PERCENT),
            integer: Format::new().set_num_format("0"),
            date: Format::new().set_num_format(DATE),
            fixed: (0..=10)
                .map(|dp| {
                    if dp == 0 {
                        Format::new().set_num_format("0")
                    } else {
                        Format::new().set_num_format(format!("0.{}", "0".repeat(dp)))
                    }
                })
                .collect(),
        }
    }
}

fn write_cell(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, cell: &Cell) -> Result<()> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string(row, col, s).map_err(err)?;
        }
        Cell::Bool(b) => {
            ws.write_boolean(row, col, *b).map_err(err)?;
        }
        Cell::Date(d) => {
            ws.write_datetime_with_format(row, col, excel_date(*d)?, &f.date)
                .map_err(err)?;
        }
        Cell::Number(d, kind) => {
            let x = to_f64(*d);
            let format = match kind {
                Kind::Money => Some(&f.money),
                Kind::Rate => Some(&f.percent),
                Kind::Integer => Some(&f.integer),
                Kind::Fixed(dp) => f.fixed.get(*dp as usize),
                Kind::Text | Kind::Auto => None,
            };
            match format {
                Some(fmt) => ws.write_number_with_format(row, col, x, fmt),
                None => ws.write_number(row, col, x),
            }
            .map_err(err)?;
        }
    }
    Ok(())
}

fn write_sheet(ws: &mut Worksheet, f: &Formats, s: &Sheet) -> Result<()> {
    let top = s.title.len() + usize::from(!s.title.is_empty());
    let needed = top + 1 + s.rows.len() + s.notes.len() + usize::from(!s.notes.is_empty());
    if needed > MAX_ROWS {
        return Err(Error::Usage(format!(
            "the sheet \"{}\" would have {needed} rows, more than an Excel worksheet holds ({MAX_ROWS}): write CSV{} instead",
            s.name,
            if s.name == "grid" { " or Parquet" } else { "" }
        )));
    }
    for (i, line) in s.title.iter().enumerate() {
        let fmt = if i == 0 { Some(&f.bold) } else { None };
        match fmt {
            Some(b) => ws.write_string_with_format(i as u32, 0, line, b),
            None => ws.write_string(i as u32, 0, line),
        }
        .map_err(err)?;
    }
    let header = top as u32;
    for (c, h) in s.headers.iter().enumerate() {
        ws.write_string_with_format(header, c as u16, h, &f.bold)
            .map_err(err)?;
    }
    for (i, r) in s.rows.iter().enumerate() {
        for (c, cell) in r.iter().enumerate() {
            write_cell(ws, f, header + 1 + i as u32, c as u16, cell)?;
        }
    }
    let notes = header + 2 + s.rows.len() as u32;
    for (i, (label, value)) in s.notes.iter().enumerate() {
        ws.write_string(notes + i as u32, 0, label).map_err(err)?;
        write_cell(ws, f, notes + i as u32, 1, value)?;
    }
    ws.set_freeze_panes(header + 1, 0).map_err(err)?;
    // Columns as wide as their header or a figure to the cent in millions.
    for (c, h) in s.headers.iter().enumerate() {
        let w = (h.chars().count() + 2).clamp(10, 40);
        ws.set_column_width(c as u16, w as f64).map_err(err)?;
    }
    Ok(())
}

/// A workbook of `sheets`, in order, created (its document property) at
/// midnight UTC of `created`, so that the same sheets give the same bytes.
pub fn workbook(sheets: &[Sheet], created: NaiveDate) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let when = excel_date(created)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&when));
    let f = Formats::new();
    let wanted: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    for (s, name) in sheets.iter().zip(sheet_names(&wanted)) {
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(err)?;
        write_sheet(ws, &f, s)?;
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_ones_excel_takes() {
        let long = "a".repeat(40);
        let names = sheet_names(&["A-1", "a-1", "M/2", &long, "History", "'x'"]);
        assert_eq!(names[0], "A-1");
        assert_eq!(names[1], "a-1 (2)");
        assert_eq!(names[2], "M_2");
        assert_eq!(names[3].chars().count(), 31);
        assert_eq!(names[4], "History (2)");
        assert_eq!(names[5], "x");
    }

    #[test]
    fn decimals_become_their_nearest_float() {
        use rust_decimal_macros::dec;
        assert_eq!(to_f64(dec!(0.1)), 0.1);
        assert_eq!(to_f64(dec!(3875973.81)), 3875973.81);
    }
}
