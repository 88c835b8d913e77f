//! CarMax Auto Owner Trust servicer certificates (Form 10-D, exhibit 99.1).
//!
//! A certificate is a header (trust name, collection period, determination
//! and distribution dates) and then one table row per line, cells joined by
//! ` | `: `8. | Note Balances`, then `a. Class A-1 Note Balance | $ | ... | $
//! | ...` (a row's letter belongs to the numbered row above it). [`parse`]
//! keeps every row as printed, with its key (`"8a"`), label and figures, each
//! a [`Printed`] with its line; [`layout`] says, as data, which *figure path*
//! each row's figures are; [`checks()`] redoes the certificate's own
//! arithmetic and [`sequence_checks`] the continuity of a deal's months;
//! [`render_text`] shows it all.
//!
//! The parser never panics. A file that is not a certificate (no CarMax trust
//! name, no rows, no distribution date) or that prints a figure of 10^13 or
//! more is an [`Error`] naming the file and line; everything else surprising
//! (a row the layout does not know, a label that does not match its key, a
//! cell that is not a figure, a stale header) is a [`Warning`].

pub mod checks;
pub mod layout;
mod render;
mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::report::{Printed, Warning};

pub use checks::{
    Check, Cited, Relation, checks, checks_with, failed_checks, failed_sequence_pair,
    known_originals, sequence_checks, sequence_pair,
};
pub use layout::{LAYOUT, RowSpec, Slot, is_figure_path};
pub use render::render_text;

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// An amount after a `$` cell.
    Dollars,
    /// A whole number printed without decimals and without `$` (receivables).
    Count,
    /// A bare number with decimals (pool factors).
    Number,
    /// A number before a `%` cell; the value is a fraction (0.8514 % is
    /// 0.008514).
    Percent,
    /// A number after a `months` cell.
    Months,
    /// `Yes` (1) or `No` (0).
    Flag,
}

/// One figure of a row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    pub unit: Unit,
    pub printed: Printed,
    /// Printed as `—` (a retired class): the value is zero.
    pub dash: bool,
    /// 1-based column of the cell.
    pub column: usize,
    /// The layout slot the figure fills, and that slot's figure path; `None`
    /// for a figure the layout has no place for.
    pub slot: Option<usize>,
    pub path: Option<String>,
}

impl Row {
    /// The key the row is read as: its layout entry's, else its own.
    pub fn layout_key(&self) -> &str {
        self.spec.map_or(&self.key, |s| s.key)
    }
}

/// One printed row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `"8a"`, `"26"`: number and letter as printed.
    pub key: String,
    /// The label as printed (without the letter).
    pub label: String,
    pub line: usize,
    pub values: Vec<Value>,
    /// The layout entry the row is read by: its own key's, or, where the
    /// label is another row's of the same number, that row's. `None` for a
    /// row the layout does not know.
    #[serde(skip)]
    pub spec: Option<&'static RowSpec>,
    /// The label matched the layout entry's pattern.
    pub label_matches: bool,
}

/// A header line's value as printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderDate {
    pub printed: String,
    pub line: usize,
    pub date: Option<NaiveDate>,
}

/// The header's collection period as printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub printed: String,
    pub line: usize,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

/// A parsed servicer certificate.
#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    /// The file it was read from (names it in checks).
    pub path: PathBuf,
    /// "CarMax Auto Owner Trust 2024-2".
    pub trust: String,
    pub trust_line: usize,
    pub collection_period: Option<Period>,
    pub determination_date: Option<HeaderDate>,
    /// The header's distribution date, as printed.
    pub distribution_date: Option<HeaderDate>,
    /// The date in the file name (`2025-06-16.txt`), the true distribution
    /// date where the header is stale.
    pub file_date: Option<NaiveDate>,
    /// The header disagrees with the file name's date: its distribution date
    /// is another, or its collection period is not the month before, or its
    /// determination date is not in the distribution month.
    pub header_stale: bool,
    /// Every row in print order.
    pub rows: Vec<Row>,
    /// By a key's position in the template: where the first row read as
    /// that key is in `rows`, plus one (0: none). Built by the parser;
    /// [`Certificate::row`] checks it and scans when it is stale or the key
    /// is not the template's.
    #[serde(skip)]
    index: Vec<u32>,
}

impl Certificate {
    /// The distribution date: the file name's, else the header's.
    pub fn distribution_date(&self) -> Option<NaiveDate> {
        self.file_date
            .or_else(|| self.distribution_date.as_ref().and_then(|d| d.date))
    }

    /// The series, the trust name's last word ("2024-2").
    pub fn series(&self) -> &str {
        self.trust.split_whitespace().last().unwrap_or("")
    }

    /// The first row read as `key` ([`Row::layout_key`]: a relettered row is
    /// the layout's row its label is).
    pub fn row(&self, key: &str) -> Option<&Row> {
        if let Some(p) = layout::position(key)
            && let Some(&i) = self.index.get(p)
            && let Some(r) = (i as usize).checked_sub(1).and_then(|i| self.rows.get(i))
            && r.layout_key() == key
        {
            return Some(r);
        }
        self.rows.iter().find(|r| r.layout_key() == key)
    }

    fn build_index(&mut self) {
        self.index.clear();
        self.index.resize(LAYOUT.len(), 0);
        for (i, r) in self.rows.iter().enumerate() {
            if let Some(p) = layout::position(r.layout_key())
                && self.index[p] == 0
            {
                self.index[p] = i as u32 + 1;
            }
        }
    }

    /// Slot `slot` (0-based, in the layout's order) of the first row read as
    /// `key` (see [`Certificate::row`]).
    pub fn value(&self, key: &str, slot: usize) -> Option<&Value> {
        self.row(key)?.values.iter().find(|v| v.slot == Some(slot))
    }

    /// Every mapped figure: `(figure path, figure, row label)`, in print order.
    pub fn figures(&self) -> Vec<(String, Printed, String)> {
        self.rows
            .iter()
            .flat_map(|r| {
                r.values.iter().filter_map(move |v| {
                    v.path
                        .as_ref()
                        .map(|p| (p.clone(), v.printed, r.label.clone()))
                })
            })
            .collect()
    }

    /// The first print of a figure path.
    pub fn figure(&self, path: &str) -> Option<Printed> {
        self.rows
            .iter()
            .flat_map(|r| &r.values)
            .find(|v| v.path.as_deref() == Some(path))
            .map(|v| v.printed)
    }

    /// Rows that print figures none of which the layout maps.
    pub fn unmapped_rows(&self) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| !r.values.is_empty() && r.values.iter().all(|v| v.path.is_none()))
            .collect()
    }
}

/// Parse a certificate. `path` names the file in errors and its file name,
/// if it is a date (`2025-06-16.txt`), is taken as the true distribution
/// date against which the header is checked.
pub fn parse(path: &Path, text: &str) -> Result<(Certificate, Vec<Warning>)> {
    let mut p = Parser {
        path,
        warnings: Vec::new(),
    };
    let cert = p.run(text)?;
    let mut warnings = p.warnings;
    warnings.sort_by_key(|w| w.line);
    Ok((cert, warnings))
}

struct Parser<'a> {
    path: &'a Path,
    warnings: Vec<Warning>,
}

/// What the first cell of a line says it is.
enum Start<'a> {
    /// `8.`, or `8. Note Balances` with the label in the same cell.
    Numbered(&'a str, Option<&'a str>),
    /// `a. Class A-1 Note Balance`.
    Lettered(char, &'a str),
    Neither,
}

fn start_of(cell: &str) -> Start<'_> {
    let digits = cell.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) && cell[digits..].starts_with('.') {
        let rest = &cell[digits + 1..];
        if rest.is_empty() {
            return Start::Numbered(&cell[..digits], None);
        }
        if rest.starts_with(char::is_whitespace) {
            return Start::Numbered(&cell[..digits], Some(rest.trim()));
        }
        return Start::Neither;
    }
    let mut chars = cell.chars();
    if let (Some(letter), Some('.')) = (chars.next(), chars.next())
        && letter.is_ascii_lowercase()
    {
        let rest = chars.as_str();
        if rest.is_empty() || rest.starts_with(char::is_whitespace) {
            return Start::Lettered(letter, rest.trim());
        }
    }
    Start::Neither
}

const TRUST: &str = "carmax auto owner trust";

impl Parser<'_> {
    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }

    fn run(&mut self, text: &str) -> Result<Certificate> {
        let lines: Vec<&str> = text.lines().collect();
        let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else {
            return Err(Error::file(
                self.path,
                "empty file: expected a CarMax servicer certificate",
            ));
        };
        let trust = lines[first].trim();
        if !trust.to_lowercase().starts_with(TRUST) {
            return Err(Error::at(
                self.path,
                first + 1,
                None,
                format!(
                    "expected the trust name (\"CarMax Auto Owner Trust ...\"), found \"{}\"",
                    text::shorten(trust, 60)
                ),
            ));
        }
        let mut cert = Certificate {
            path: self.path.to_path_buf(),
            trust: trust.split_whitespace().collect::<Vec<_>>().join(" "),
            trust_line: first + 1,
            collection_period: None,
            determination_date: None,
            distribution_date: None,
            file_date: self
                .path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(text::iso_date),
            header_stale: false,
            rows: Vec::new(),
            index: Default::default(),
        };
        let mut i = first + 1;
        while i < lines.len() {
            let cells = text::cells(lines[i]);
            if !matches!(start_of(cells[0].text), Start::Neither) {
                break;
            }
            self.header_line(&mut cert, lines[i], i + 1);
            i += 1;
        }
        self.check_header(&mut cert, i.min(lines.len()));
        if cert.distribution_date().is_none() {
            return Err(Error::at(
                self.path,
                i.min(lines.len()).max(1),
                None,
                "no distribution date: the header prints none and the file name is not a date (YYYY-MM-DD)",
            ));
        }
        let mut number: Option<String> = None;
        for (k, raw) in lines.iter().enumerate().skip(i) {
            if let Some(row) = self.row(raw, k + 1, &mut number, &cert)? {
                cert.rows.push(row);
            }
        }
        if cert.rows.is_empty() {
            return Err(Error::at(
                self.path,
                lines.len(),
                None,
                "no numbered rows (\"1. | Pool Balance ...\"): not a servicer certificate",
            ));
        }
        cert.build_index();
        self.check_rows(&cert);
        Ok(cert)
    }

    fn header_line(&mut self, cert: &mut Certificate, raw: &str, line: usize) {
        let t = raw.trim();
        if t.is_empty() {
            return;
        }
        let Some((name, value)) = t.split_once(':') else {
            self.warn(
                line,
                format!("unexpected header line \"{}\"", text::shorten(t, 60)),
            );
            return;
        };
        let value = value.trim().to_string();
        let date = |v: &str| HeaderDate {
            printed: v.to_string(),
            line,
            date: text::us_date(v),
        };
        let slot = match name.trim().to_lowercase().as_str() {
            "collection period" => {
                let period = text::us_period(&value);
                if period.is_none() {
                    self.warn(
                        line,
                        format!("collection period \"{value}\" is not mm/dd/yy-mm/dd/yy"),
                    );
                }
                let p = Period {
                    printed: value,
                    line,
                    start: period.map(|p| p.0),
                    end: period.map(|p| p.1),
                };
                if cert.collection_period.replace(p).is_some() {
                    self.warn(
                        line,
                        "second collection period in the header: this one is used",
                    );
                }
                return;
            }
            "determination date" => &mut cert.determination_date,
            "distribution date" => &mut cert.distribution_date,
            _ => {
                self.warn(
                    line,
                    format!("unexpected header line \"{}\"", text::shorten(t, 60)),
                );
                return;
            }
        };
        let d = date(&value);
        let bad = d.date.is_none();
        let again = slot.replace(d).is_some();
        if bad {
            self.warn(line, format!("\"{value}\" is not a date (m/d/yyyy)"));
        }
        if again {
            self.warn(
                line,
                format!("second \"{}\" in the header: this one is used", name.trim()),
            );
        }
    }

    /// Compare the header with itself and with the file name's date.
    fn check_header(&mut self, cert: &mut Certificate, end_line: usize) {
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (field, present) in [
            ("Collection Period", cert.collection_period.is_some()),
            ("Determination Date", cert.determination_date.is_some()),
            ("Distribution Date", cert.distribution_date.is_some()),
        ] {
            if !present {
                self.warn(end_line.max(1), format!("the header has no {field} line"));
            }
        }
        let header_date = cert.distribution_date.as_ref().and_then(|d| d.date);
        let (truth, source) = match (cert.file_date, header_date) {
            (Some(f), _) => (f, format!("the file name's {f}")),
            (None, Some(h)) => (h, format!("the header's distribution date {h}")),
            (None, None) => return,
        };
        let mut stale = false;
        if let (Some(f), Some(d)) = (cert.file_date, &cert.distribution_date)
            && d.date.is_some_and(|h| h != f)
        {
            stale = true;
            self.warn(
                d.line,
                format!(
                    "the header's distribution date {} is not the file name's ({file_name}): stale header, {f} is taken",
                    d.printed
                ),
            );
        }
        if let Some(p) = &cert.collection_period
            && let Some(end) = p.end
            && let Some(expected) = text::end_of_previous_month(truth)
            && end != expected
        {
            stale |= cert.file_date.is_some();
            self.warn(
                p.line,
                format!(
                    "collection period {} does not end on {expected}, the month before {source}",
                    p.printed
                ),
            );
        }
        if let Some(d) = &cert.determination_date
            && let Some(date) = d.date
        {
            use chrono::Datelike;
            if date > truth || (date.year(), date.month()) != (truth.year(), truth.month()) {
                stale |= cert.file_date.is_some();
                self.warn(
                    d.line,
                    format!(
                        "determination date {} is not in the distribution month on or before {source}",
                        d.printed
                    ),
                );
            }
        }
        cert.header_stale = stale;
    }

    /// One line of the table; `None` for a blank or unreadable line.
    fn row(
        &mut self,
        raw: &str,
        line: usize,
        number: &mut Option<String>,
        cert: &Certificate,
    ) -> Result<Option<Row>> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        let cells = text::cells(raw);
        let (key, label, values_from) = match start_of(cells[0].text) {
            Start::Numbered(n, Some(label)) => {
                *number = Some(n.to_string());
                (n.to_string(), label, 1)
            }
            Start::Numbered(n, None) => {
                *number = Some(n.to_string());
                (n.to_string(), cells.get(1).map_or("", |c| c.text), 2)
            }
            Start::Lettered(letter, label) => {
                let key = match number {
                    Some(n) => format!("{n}{letter}"),
                    None => {
                        self.warn(line, format!("row {letter}. comes before any numbered row"));
                        format!("?{letter}")
                    }
                };
                (key, label, 1)
            }
            Start::Neither => {
                self.warn(
                    line,
                    format!(
                        "not a numbered or lettered row: \"{}\" ignored",
                        text::shorten(raw.trim(), 60)
                    ),
                );
                return Ok(None);
            }
        };
        let values = self.values(cells.get(values_from..).unwrap_or_default(), line, &key)?;
        let mut row = Row {
            key,
            label: label.to_string(),
            line,
            values,
            spec: None,
            label_matches: false,
        };
        self.map(&mut row, cert);
        Ok(Some(row))
    }

    /// The figures of a row's value cells.
    fn values(&mut self, cells: &[text::Cell<'_>], line: usize, key: &str) -> Result<Vec<Value>> {
        let mut out: Vec<Value> = Vec::new();
        let mut pending: Option<(Unit, usize)> = None;
        let new = |unit, value, decimals, column, dash| Value {
            unit,
            printed: Printed {
                value,
                decimals,
                line,
            },
            dash,
            column,
            slot: None,
            path: None,
        };
        for c in cells {
            let t = c.text;
            match t {
                "$" | "months" | "Months" => {
                    if let Some((_, col)) = pending {
                        self.warn(
                            line,
                            format!(
                                "row {key}: a \"{}\" (column {col}) with no figure after it",
                                unit_mark(pending)
                            ),
                        );
                    }
                    let unit = if t == "$" {
                        Unit::Dollars
                    } else {
                        Unit::Months
                    };
                    pending = Some((unit, c.column));
                    continue;
                }
                "%" => {
                    match out.last_mut() {
                        Some(v)
                            if pending.is_none()
                                && matches!(v.unit, Unit::Count | Unit::Number)
                                && !v.dash =>
                        {
                            v.unit = Unit::Percent;
                            v.printed.value /= Decimal::ONE_HUNDRED;
                            v.printed.decimals += 2;
                        }
                        _ => self.warn(
                            line,
                            format!(
                                "row {key}: a \"%\" (column {}) with no plain figure before it",
                                c.column
                            ),
                        ),
                    }
                    continue;
                }
                _ => {}
            }
            let unit = pending.take().map(|(u, _)| u);
            if matches!(t, "Yes" | "No" | "YES" | "NO" | "yes" | "no") {
                if unit.is_some() {
                    self.warn(
                        line,
                        format!("row {key}: a flag (column {}) after a unit", c.column),
                    );
                }
                let v = if t.eq_ignore_ascii_case("yes") {
                    Decimal::ONE
                } else {
                    Decimal::ZERO
                };
                out.push(new(Unit::Flag, v, 0, c.column, false));
                continue;
            }
            if matches!(t, "—" | "–" | "-") {
                let decimals = if unit == Some(Unit::Dollars) { 2 } else { 0 };
                out.push(new(
                    unit.unwrap_or(Unit::Number),
                    Decimal::ZERO,
                    decimals,
                    c.column,
                    true,
                ));
                continue;
            }
            match text::figure(t) {
                text::Figure::Number {
                    value,
                    decimals,
                    percent,
                } => {
                    let unit = match (unit, percent) {
                        (_, true) => Unit::Percent,
                        (Some(u), false) => u,
                        (None, false) if decimals == 0 => Unit::Count,
                        (None, false) => Unit::Number,
                    };
                    out.push(new(unit, value, decimals, c.column, false));
                }
                text::Figure::TooLarge => {
                    return Err(Error::at(
                        self.path,
                        line,
                        Some(c.column),
                        format!(
                            "row {key}: figure \"{}\" is 10^13 or more, beyond any real deal",
                            text::shorten(t, 40)
                        ),
                    ));
                }
                text::Figure::Other => {
                    let shown = text::shorten(t, 40);
                    self.warn(
                        line,
                        format!(
                            "row {key}: \"{shown}\" (column {}) is not a figure: ignored",
                            c.column
                        ),
                    );
                }
            }
        }
        if let Some((_, col)) = pending {
            self.warn(
                line,
                format!(
                    "row {key}: a \"{}\" (column {col}) with no figure after it",
                    unit_mark(pending)
                ),
            );
        }
        Ok(out)
    }

    /// Find the row's layout entry and give each figure its slot and path.
    fn map(&mut self, row: &mut Row, cert: &Certificate) {
        let own = layout::spec(&row.key);
        let label = layout::normalize(&row.label);
        let matched = own.and_then(|s| s.matches_normalized(&label).map(|date| (s, date)));
        let (spec, date) = match (own, matched) {
            (_, Some((s, date))) => {
                row.label_matches = true;
                (Some(s), date)
            }
            (own, None) => {
                // A row printed under another letter than the template's.
                let number: String = row.key.chars().take_while(char::is_ascii_digit).collect();
                let siblings: Vec<(&'static RowSpec, Option<String>)> = LAYOUT
                    .iter()
                    .filter(|s| {
                        s.key != row.key
                            && s.key.trim_end_matches(|c: char| c.is_ascii_lowercase()) == number
                    })
                    .filter_map(|s| s.matches_normalized(&label).map(|d| (s, d)))
                    .collect();
                let label = text::shorten(&row.label, 60);
                match (own, siblings.as_slice()) {
                    (_, [(s, d)]) => {
                        self.warn(
                            row.line,
                            format!(
                                "row {}'s label \"{label}\" is the layout's row {}: read as {}",
                                row.key, s.key, s.key
                            ),
                        );
                        row.label_matches = true;
                        (Some(*s), d.clone())
                    }
                    (Some(s), _) => {
                        self.warn(row.line, format!("row {}'s label \"{label}\" does not match the layout's \"{}\"{}: read by its key", row.key, s.label, if s.class.is_empty() { String::new() } else { format!(" (class {})", s.class) }));
                        (Some(s), None)
                    }
                    (None, _) => {
                        if !row.values.is_empty() {
                            self.warn(row.line, format!("row {} (\"{label}\") is not in the layout: its {} figure(s) are not mapped", row.key, row.values.len()));
                        }
                        (None, None)
                    }
                }
            }
        };
        row.spec = spec;
        let Some(spec) = spec else { return };
        if let Some(printed) = date
            && let Some(d) = text::us_date(&printed)
            && let Some(dist) = cert.distribution_date()
            && dist.pred_opt() != Some(d)
        {
            self.warn(row.line, format!("row {}'s label date {printed} is not the day before the distribution date {dist}: a stale label, the figure is read as this period's", row.key));
        }
        // Fill the slots in order, each value into the next slot of its unit.
        let mut next = 0;
        let mut unplaced = Vec::new();
        for v in row.values.iter_mut() {
            let found = (next..spec.slots.len()).find(|&k| fits(spec.slots[k].unit, v));
            match found {
                Some(k) => {
                    v.slot = Some(k);
                    v.path = spec.path(k);
                    next = k + 1;
                }
                None => unplaced.push(v.column),
            }
        }
        let filled = row.values.iter().filter(|v| v.slot.is_some()).count();
        if !unplaced.is_empty() {
            self.warn(row.line, format!(
                "row {}: the figure(s) in column(s) {} are not where the layout expects {}: not mapped",
                row.key,
                unplaced.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "),
                describe(spec.slots)
            ));
        }
        if filled < spec.slots.len() && unplaced.is_empty() {
            self.warn(
                row.line,
                format!(
                    "row {} prints {filled} of its {} figures ({})",
                    row.key,
                    spec.slots.len(),
                    describe(spec.slots)
                ),
            );
        }
    }

    /// Rows printed twice, and rows of the template the certificate lacks.
    fn check_rows(&mut self, cert: &Certificate) {
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &cert.rows {
            if let Some(l) = first.get(r.key.as_str()) {
                self.warn(
                    r.line,
                    format!("row {} printed again (first at line {l})", r.key),
                );
            } else {
                first.insert(&r.key, r.line);
            }
        }
        let printed: Vec<usize> = cert
            .rows
            .iter()
            .filter_map(|r| r.spec.and_then(|s| layout::position(s.key)))
            .collect();
        let mut seen = vec![false; LAYOUT.len()];
        for &p in &printed {
            seen[p] = true;
        }
        let last_line = cert.rows.last().map_or(1, |r| r.line);
        for (k, s) in LAYOUT.iter().enumerate() {
            let read = layout::position(s.key).is_some_and(|p| seen[p]);
            if layout::OPTIONAL.contains(&s.key) || read {
                continue;
            }
            // Where it should have been: before the next row of the template printed.
            let line = cert
                .rows
                .iter()
                .zip(&printed)
                .find(|(_, p)| **p > k)
                .map_or(last_line, |(r, _)| r.line);
            self.warn(
                line,
                format!(
                    "row {} (\"{}\") is missing",
                    s.key,
                    text::shorten(&s.label.replace("{class}", s.class), 50)
                ),
            );
        }
    }
}

fn unit_mark(p: Option<(Unit, usize)>) -> &'static str {
    match p {
        Some((Unit::Months, _)) => "months",
        _ => "$",
    }
}

/// Can a printed value fill a slot of `unit`?
fn fits(unit: Unit, v: &Value) -> bool {
    if v.dash {
        return unit != Unit::Flag;
    }
    match unit {
        Unit::Number => matches!(v.unit, Unit::Number | Unit::Count),
        Unit::Months => matches!(v.unit, Unit::Months | Unit::Number | Unit::Count),
        u => v.unit == u,
    }
}

fn describe(slots: &[Slot]) -> String {
    slots
        .iter()
        .map(|s| match s.unit {
            Unit::Dollars => "$",
            Unit::Count => "count",
            Unit::Number => "number",
            Unit::Percent => "%",
            Unit::Months => "months",
            Unit::Flag => "Yes/No",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The certificate as typed figures, with the certificate's own arithmetic:
/// a check that fails is a warning and marks the figures it computes as
/// report-inconsistent.
pub fn to_filing(cert: Certificate, mut warnings: Vec<Warning>) -> Option<super::Filing> {
    use super::filing::{FigurePath, FilingFigure, Subject};
    let date = cert.distribution_date()?;
    let failed: Vec<Check> = failed_checks(&cert);
    let mut figures = Vec::new();
    for r in &cert.rows {
        for v in &r.values {
            let Some(text) = &v.path else { continue };
            // A mapped figure's path is its row's slot's (see `map`).
            let path = match (r.spec, v.slot) {
                (Some(spec), Some(k)) => spec.figure_path(k),
                _ => None,
            };
            let path = path.unwrap_or_else(|| {
                FigurePath::parse(text)
                    .unwrap_or_else(|| FigurePath::new(Subject::Other(text.clone()), ""))
            });
            let mut f = FilingFigure::new(path, v.printed, format!("{} {}", r.key, r.label));
            if let Some(slot) = v.slot
                && let Some(c) = failed
                    .iter()
                    .find(|c| c.cites(&cert.path, r.layout_key(), slot))
            {
                f.inconsistent = Some(format!(
                    "the certificate's own arithmetic fails: {}",
                    c.name
                ));
            }
            figures.push(f);
        }
    }
    for c in &failed {
        let line = c.figures.first().map(|f| f.line).unwrap_or(0);
        warnings.push(Warning {
            line,
            message: format!("the certificate's own arithmetic fails: {c}"),
        });
    }
    Some(super::Filing {
        layout: super::Layout::CarmaxServicerCertificate,
        trust: cert.trust.clone(),
        series: Some(cert.series().to_string()),
        date,
        collection_period: cert
            .collection_period
            .as_ref()
            .and_then(|p| Some((p.start?, p.end?))),
        figures,
        missing: Vec::new(),
        warnings,
        native: super::filing::Native::Carmax(std::sync::Arc::new(cert)),
    })
}
