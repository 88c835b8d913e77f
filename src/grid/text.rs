//! Grid rows as bytes, written by the workers.
//!
//! A worker runs a scenario with a [`Tally`] watching (what a grid row needs
//! of each period, in `f64`, with months for dates), then writes the
//! scenario's rows into its buffer with a [`RowText`]: the scenario's own
//! columns once per scenario, each class's name once per grid, payment dates
//! from a per-month table (each formatted once per worker), amounts as
//! integer cents.
//!
//! Every cell is the text [`super::GridRow`] and [`super::RowWriter::rows`]
//! write for the same scenario, byte for byte. An amount goes from `f64` to
//! cents without a `Decimal` when the `f64` alone says how the `Decimal`
//! path rounds it (nearly always: a total of cent amounts is a few ulps from
//! a whole number of cents); the few that are too close to a half cent to
//! tell, beyond $10 billion, or a negative zero take the `Decimal` path the
//! summary takes, so the text is the same either way.

use std::io::Write as _;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{CLASS, COLUMNS, Format, WIDTHS};
use crate::deal::Deal;
use crate::format::{write_cents, write_u64};
use crate::num::{CENTS, MONEY_ROUNDING, Num, cents};
use crate::projection::{Observer, PeriodView};
use crate::scenario::SCENARIO_COLUMNS;

/// What the summary holds for `x`: its `Decimal`, rounded to the cent.
fn decimal_cents(x: f64) -> Decimal {
    x.to_decimal().round_dp_with_strategy(CENTS, MONEY_ROUNDING)
}

/// A number of cents as whole dollars, halves away from zero, grouped in
/// threes: `-123456789` as `-1,234,568`; anything under half a dollar
/// either way as `0` (as [`crate::format::dollars`] writes them).
pub fn write_dollars(out: &mut Vec<u8>, cents: i64) {
    let a = cents.unsigned_abs();
    let dollars = a / 100 + u64::from(a % 100 >= 50);
    if dollars == 0 {
        out.push(b'0');
        return;
    }
    if cents < 0 {
        out.push(b'-');
    }
    let start = out.len();
    write_u64(out, dollars);
    let digits = out.len() - start;
    let commas = (digits - 1) / 3;
    if commas == 0 {
        return;
    }
    // Spread the digits out from the right, a comma after every three.
    out.resize(out.len() + commas, b',');
    let (mut from, mut to) = (start + digits, out.len());
    let mut run = 0;
    while from > start {
        from -= 1;
        to -= 1;
        out[to] = out[from];
        run += 1;
        if run == 3 && from > start {
            to -= 1;
            out[to] = b',';
            run = 0;
        }
    }
}

/// An amount: to the cent in files, whole dollars grouped in the table.
pub fn write_amount(out: &mut Vec<u8>, x: f64, table: bool) {
    match cents(x) {
        Some(c) if table => write_dollars(out, c),
        Some(c) => write_cents(out, c),
        None => {
            let d = decimal_cents(x);
            if table {
                out.extend_from_slice(crate::format::dollars(d).as_bytes());
            } else {
                let _ = write!(out, "{d:.2}");
            }
        }
    }
}

/// A weighted average life, as the summary holds it: to 1/100 of a year,
/// always two decimals (`6.50`).
fn write_wal(out: &mut Vec<u8>, w: f64) {
    let c = w * 100.0;
    // Below 10^8 hundredths the Decimal is within 1.5e-7 hundredths of
    // `c`, so away from a half hundredth `c` rounds as the Decimal does.
    if c.abs() < 1e8 {
        let r = c.round();
        let off = (c - r).abs();
        if off < 0.49 && !(r == 0.0 && w.is_sign_negative()) {
            write_cents(out, r as i64);
            return;
        }
    }
    let mut d = decimal_cents(w);
    d.rescale(2);
    let _ = write!(out, "{d}");
}

/// Writedowns as a percentage of the original balance, to 4 decimals.
fn write_loss_percent(out: &mut Vec<u8>, writedown: f64, original: Decimal) {
    if original.is_zero() || cents(writedown) == Some(0) {
        // The summary's zero, to 4 decimals like every other row.
        out.extend_from_slice(b"0.0000");
        return;
    }
    let w = decimal_cents(writedown);
    let mut p = (w * Decimal::ONE_HUNDRED / original).round_dp_with_strategy(4, MONEY_ROUNDING);
    p.rescale(4);
    let _ = write!(out, "{p}");
}

/// One class over a scenario, as a grid row needs it.
#[derive(Debug, Clone, Copy, Default)]
struct ClassTally {
    time_weighted: f64,
    principal: f64,
    interest: f64,
    writedown: f64,
    first_principal: Option<u32>,
    last_principal: Option<u32>,
    first_writedown: Option<u32>,
}

/// Watches a scenario's periods for what its grid rows need: the
/// [`crate::projection::summary::Summarizer`]'s sums, the same additions in
/// the same order, with months instead of dates.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    classes: Vec<ClassTally>,
    stepdown: Option<u32>,
    first_trigger: Option<u32>,
    call: Option<u32>,
    /// Each month's date as seen, and its text.
    dates: Vec<Option<(NaiveDate, String)>>,
}

impl Tally {
    /// Ready for a scenario of a deal with `classes` classes.
    pub fn reset(&mut self, classes: usize) {
        self.classes.clear();
        self.classes.resize(classes, ClassTally::default());
        self.stepdown = None;
        self.first_trigger = None;
        self.call = None;
    }

    fn date(&self, month: Option<u32>) -> &[u8] {
        month
            .and_then(|m| self.dates.get(m as usize))
            .and_then(|d| d.as_ref())
            .map_or(&[], |(_, text)| text.as_bytes())
    }
}

impl Observer<f64> for Tally {
    fn period(&mut self, v: &PeriodView<f64>) {
        let month = v.month;
        let m = month as usize;
        if self.dates.len() <= m {
            self.dates.resize(m + 1, None);
        }
        let date = v.input.date;
        if !matches!(&self.dates[m], Some((d, _)) if *d == date) {
            self.dates[m] = Some((date, date.to_string()));
        }
        let years = <f64 as Num>::from_i64(month as i64) / <f64 as Num>::from_i64(12);
        for (t, f) in self.classes.iter_mut().zip(&v.result.classes) {
            if f.principal > 0.0 {
                t.time_weighted += f.principal * years;
                t.principal += f.principal;
                if t.first_principal.is_none() {
                    t.first_principal = Some(month);
                }
                t.last_principal = Some(month);
            }
            t.interest += f.interest_distribution();
            if f.writedown > 0.0 {
                t.writedown += f.writedown;
                if t.first_writedown.is_none() {
                    t.first_writedown = Some(month);
                }
            }
        }
        let d = &v.result.deal;
        if d.stepdown && self.stepdown.is_none() {
            self.stepdown = Some(month);
        }
        if d.trigger && self.first_trigger.is_none() {
            self.first_trigger = Some(month);
        }
        if v.called {
            self.call = Some(month);
        }
    }
}

/// A class's fixed part of every row: its name as the format writes it.
#[derive(Debug, Clone)]
struct ClassText {
    name: String,
    has_principal: bool,
    original_balance: Decimal,
    /// The name cell and the separator after it (CSV, table).
    cell: Vec<u8>,
}

/// How a grid's rows are written: set up once per grid, shared by the
/// workers.
#[derive(Debug, Clone)]
pub struct RowText {
    format: Format,
    classes: Vec<ClassText>,
}

/// `s` left-aligned in `w` characters.
fn left(out: &mut Vec<u8>, s: &str, w: usize) {
    out.extend_from_slice(s.as_bytes());
    let n = s.chars().count();
    out.resize(out.len() + w.saturating_sub(n), b' ');
}

/// Scratch buffers a worker keeps from scenario to scenario.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    prefix: Vec<u8>,
    cell: Vec<u8>,
}

impl RowText {
    pub fn new(deal: &Deal, format: Format) -> Self {
        let classes = deal
            .classes
            .iter()
            .map(|c| {
                let mut cell = Vec::new();
                match format {
                    Format::Csv => {
                        cell.extend_from_slice(crate::format::csv_field(&c.name).as_bytes());
                        cell.push(b',');
                    }
                    Format::Table => {
                        left(&mut cell, &c.name, WIDTHS[CLASS]);
                        cell.push(b' ');
                    }
                    Format::Json => {}
                }
                ClassText {
                    name: c.name.clone(),
                    has_principal: c.has_principal(),
                    original_balance: c.original_balance,
                    cell,
                }
            })
            .collect();
        RowText { format, classes }
    }

    /// Column `j` (a result, after the class) of class `k` into `out`.
    fn result(&self, t: &Tally, k: usize, j: usize, out: &mut Vec<u8>) {
        let c = &t.classes[k];
        let class = &self.classes[k];
        let table = self.format == Format::Table;
        match j - CLASS {
            1 => {
                if class.has_principal && c.principal > 0.0 {
                    write_wal(out, c.time_weighted / c.principal);
                }
            }
            2 => out.extend_from_slice(t.date(c.first_principal)),
            3 => out.extend_from_slice(t.date(c.last_principal)),
            4 => write_amount(out, c.principal, table),
            5 => write_amount(out, c.interest, table),
            6 => write_amount(out, c.writedown, table),
            7 => write_loss_percent(out, c.writedown, class.original_balance),
            8 => out.extend_from_slice(t.date(c.first_writedown)),
            9 => out.extend_from_slice(t.date(t.stepdown)),
            10 => out.extend_from_slice(t.date(t.first_trigger)),
            _ => out.extend_from_slice(t.date(t.call)),
        }
    }

    /// Every row of scenario `number` (1-based), whose own columns are
    /// `params`, as watched by `t`, appended to `out`; the number of rows.
    /// A JSON row starts with the `,` that separates it from the one
    /// before: the writer drops the first.
    pub fn scenario(
        &self,
        number: usize,
        params: &[String; SCENARIO_COLUMNS],
        t: &Tally,
        s: &mut Scratch,
        out: &mut Vec<u8>,
    ) -> usize {
        if self.format == Format::Json {
            self.json(number, params, t, s, out);
            return self.classes.len();
        }
        let table = self.format == Format::Table;
        s.prefix.clear();
        write_u64(&mut s.prefix, number as u64);
        if table {
            let pad = WIDTHS[0].saturating_sub(s.prefix.len());
            s.prefix.resize(s.prefix.len() + pad, b' ');
            s.prefix.push(b' ');
            for (i, p) in params.iter().enumerate() {
                left(&mut s.prefix, p, WIDTHS[i + 1]);
                s.prefix.push(b' ');
            }
        } else {
            s.prefix.push(b',');
            for p in params {
                s.prefix
                    .extend_from_slice(crate::format::csv_field(p).as_bytes());
                s.prefix.push(b',');
            }
        }
        for k in 0..self.classes.len() {
            out.extend_from_slice(&s.prefix);
            out.extend_from_slice(&self.classes[k].cell);
            for (j, &width) in WIDTHS.iter().enumerate().skip(CLASS + 1) {
                if table {
                    if j > CLASS + 1 {
                        out.push(b' ');
                    }
                    s.cell.clear();
                    self.result(t, k, j, &mut s.cell);
                    // Figures right-aligned (all ASCII: a byte a character).
                    let pad = width.saturating_sub(s.cell.len());
                    out.resize(out.len() + pad, b' ');
                    out.extend_from_slice(&s.cell);
                } else {
                    if j > CLASS + 1 {
                        out.push(b',');
                    }
                    self.result(t, k, j, out);
                }
            }
            if table {
                // Empty cells at the end: the line stops at its last figure
                // (the amounts always have one).
                while out.last() == Some(&b' ') {
                    out.pop();
                }
            }
            out.push(b'\n');
        }
        self.classes.len()
    }

    /// The JSON rows: each an object of the row's cells by column, typed as
    /// [`crate::format::json_cell`] types them.
    fn json(
        &self,
        number: usize,
        params: &[String; SCENARIO_COLUMNS],
        t: &Tally,
        s: &mut Scratch,
        out: &mut Vec<u8>,
    ) {
        for (k, class) in self.classes.iter().enumerate() {
            let mut obj = serde_json::Map::new();
            for (i, column) in COLUMNS.iter().enumerate() {
                let value = match i {
                    0 => crate::format::json_cell(&number.to_string(), false),
                    1..CLASS => crate::format::json_cell(&params[i - 1], super::is_text(i)),
                    CLASS => crate::format::json_cell(&class.name, true),
                    _ => {
                        s.cell.clear();
                        self.result(t, k, i, &mut s.cell);
                        crate::format::json_cell(&String::from_utf8_lossy(&s.cell), false)
                    }
                };
                obj.insert(column.to_string(), value);
            }
            out.push(b',');
            let _ = writeln!(out, "{}", serde_json::Value::Object(obj));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(c: i64) -> String {
        let mut v = Vec::new();
        write_cents(&mut v, c);
        String::from_utf8(v).unwrap()
    }

    fn dollars(c: i64) -> String {
        let mut v = Vec::new();
        write_dollars(&mut v, c);
        String::from_utf8(v).unwrap()
    }

    fn amount(x: f64, table: bool) -> String {
        let mut v = Vec::new();
        write_amount(&mut v, x, table);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn cents_are_written_as_dollars_and_cents() {
        assert_eq!(text(0), "0.00");
        assert_eq!(text(1), "0.01");
        assert_eq!(text(-1), "-0.01");
        assert_eq!(text(10), "0.10");
        assert_eq!(text(100), "1.00");
        assert_eq!(text(-100), "-1.00");
        assert_eq!(text(123456789), "1234567.89");
        assert_eq!(text(-123456789), "-1234567.89");
        assert_eq!(text(i64::MAX), "92233720368547758.07");
        assert_eq!(text(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn cents_are_written_as_grouped_whole_dollars_in_the_table() {
        assert_eq!(dollars(0), "0");
        assert_eq!(dollars(49), "0");
        assert_eq!(dollars(-49), "0");
        assert_eq!(dollars(50), "1");
        assert_eq!(dollars(-50), "-1");
        assert_eq!(dollars(99_999_949), "999,999");
        assert_eq!(dollars(99_999_950), "1,000,000");
        assert_eq!(dollars(123456789), "1,234,568");
        assert_eq!(dollars(-123456789), "-1,234,568");
        assert_eq!(dollars(100_000), "1,000");
        assert_eq!(dollars(99_900), "999");
        assert_eq!(dollars(i64::MAX), "92,233,720,368,547,758");
        assert_eq!(dollars(i64::MIN), "-92,233,720,368,547,758");
    }

    #[test]
    fn amounts_round_to_the_cent_halves_away_from_zero() {
        assert_eq!(amount(0.0, false), "0.00");
        assert_eq!(amount(0.01, false), "0.01");
        assert_eq!(amount(-0.01, false), "-0.01");
        assert_eq!(amount(1234567.89, false), "1234567.89");
        assert_eq!(amount(0.1 + 0.2, false), "0.30");
        assert_eq!(amount(0.004, false), "0.00");
        // Half cents, away from zero (MONEY_ROUNDING), as written.
        assert_eq!(amount(0.125, false), "0.13");
        assert_eq!(amount(-0.125, false), "-0.13");
        assert_eq!(amount(0.005, false), "0.01");
        assert_eq!(amount(-0.005, false), "-0.01");
        assert_eq!(amount(1.005, false), "1.01");
        assert_eq!(amount(2.675, false), "2.68");
        assert_eq!(amount(552925.785, false), "552925.79");
        // Beyond $10 billion, and what rounds to a negative zero, as the
        // summary's Decimal writes them.
        assert_eq!(amount(123456789012.34, false), "123456789012.34");
        assert_eq!(
            amount(-0.001, false),
            format!("{:.2}", decimal_cents(-0.001))
        );
        assert_eq!(amount(-0.0, false), format!("{:.2}", decimal_cents(-0.0)));
        // The table's whole dollars, from the cents.
        assert_eq!(amount(1234567.49, true), "1,234,567");
        assert_eq!(amount(1234567.50, true), "1,234,568");
        assert_eq!(amount(-0.4, true), "0");
    }

    #[test]
    fn every_fast_cent_is_the_decimal_paths_cent() {
        // A spread of amounts on and off the cent grid, against the summary's
        // own rounding.
        let mut x = 0.0001_f64;
        while x < 5e10 {
            for v in [
                x,
                -x,
                x + 0.005,
                x * 1.000_000_1,
                (x * 100.0).round() / 100.0,
            ] {
                for table in [false, true] {
                    let d = decimal_cents(v);
                    let expected = if table {
                        crate::format::dollars(d)
                    } else {
                        format!("{d:.2}")
                    };
                    assert_eq!(amount(v, table), expected, "{v}");
                }
            }
            x *= 1.37;
        }
    }

    #[test]
    fn wals_are_written_to_two_decimals() {
        let w = |x: f64| {
            let mut v = Vec::new();
            write_wal(&mut v, x);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(w(6.5), "6.50");
        assert_eq!(w(4.0), "4.00");
        assert_eq!(w(0.125), "0.13");
        assert_eq!(w(4.36), "4.36");
        assert_eq!(w(4.3612), "4.36");
        assert_eq!(w(4.4999999), "4.50");
        assert_eq!(w(2.0 / 3.0), "0.67");
        let mut x = 0.013_f64;
        while x < 100.0 {
            let mut d = decimal_cents(x);
            d.rescale(2);
            assert_eq!(w(x), d.to_string(), "{x}");
            x *= 1.0173;
        }
    }
}
