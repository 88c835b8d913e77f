//! Parser for the US Bank "Statement to Certificateholders" layout.
//!
//! The report is read line by line. The cover text is skipped up to the
//! "STATEMENT TO CERTIFICATEHOLDERS" heading; the trust name, the distribution
//! date and the DISTRIBUTION SUMMARY table must follow, in that order, or the
//! file is not a trustee report. Everything after the summary is recognised by
//! its own header or label, wherever it is printed:
//!
//! - class tables (rate/interest, loss/total distribution, interest
//!   shortfall/ending balance, the per-$1,000 tables, the interest shortfall and
//!   RAISF tables) by their column headers; rows map to classes by label, or by
//!   position where the report prints no labels (HE2) or wrong ones (HE4's
//!   per-$1,000 interest table);
//! - the collateral, delinquency, foreclosure, bankruptcy and REO blocks by a
//!   `GROUP 1  GROUP 2  TOTAL` style header, which says which columns the
//!   following rows' figures belong to;
//! - single figures ("O/C Target Amt  22,189,283"), YES/NO flags and named rates
//!   by their (abbreviated, sometimes truncated) labels.
//!
//! Anything surprising but survivable (a total that does not foot, a table with
//! an unexpected number of rows, an unrecognised line of figures) is a
//! [`Warning`]; a missing core table is an error. The parser never panics.

mod footing;
mod labels;
mod text;

use std::path::Path;

use super::{
    ClassRow, CountBalance, Delinquency, GroupCollateral, Printed, PrintedFlag, Report, Warning,
};
use crate::error::{Error, Result};
use footing::ClassColumn;
use labels::{
    ClassFigure, CollField, Column, ColumnName, DelinquencyField, SCALARS, Slot, Table, flag_of,
    group_header, right_aligned, same_class, series_in,
};
use text::{Line, Row, Split, parse_date, shorten};

/// Parse a report's text. `path` is used only to name the file in errors.
///
/// Errors (each naming `path` and a line) if the text is not a trustee report
/// (no "STATEMENT TO CERTIFICATEHOLDERS", no distribution date, no
/// DISTRIBUTION SUMMARY class table) or lacks a core table: rate/interest,
/// loss/total distribution, interest shortfall/ending balance, the collateral
/// table's "Beg Bal" and "Tot Prin Remit" rows, or the interest remittance row.
/// Everything else that is missing is left `None`. The warnings, sorted by
/// line, say what was surprising but survivable: totals that do not foot
/// (within $0.50 per summed figure), tables whose rows had to be read by
/// position against their labels, rows that could not be placed.
pub fn parse(path: &Path, text: &str) -> Result<(Report, Vec<Warning>)> {
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| Line::new(i + 1, l))
        .collect();
    let mut parser = Parser {
        path,
        lines: &lines,
        report: Report {
            pool: GroupCollateral {
                name: "TOTAL".to_string(),
                ..GroupCollateral::default()
            },
            ..Report::default()
        },
        warnings: Vec::new(),
        columns: Vec::new(),
        after_interest_rows: false,
        tables_seen: Vec::new(),
        core: Core::default(),
    };
    parser.run()?;
    let mut warnings = parser.warnings;
    warnings.sort_by_key(|w| w.line);
    Ok((parser.report, warnings))
}

const STATEMENT: &str = "statement to certificateholders";
const SUMMARY_HEADERS: [&str; 2] = ["class orig bal beg bal prin", "orig bal beg bal prin"];

struct Parser<'a> {
    path: &'a Path,
    lines: &'a [Line<'a>],
    report: Report,
    warnings: Vec<Warning>,
    /// The columns named by the last `GROUP n ... TOTAL` header.
    columns: Vec<Column>,
    /// The previous line was a collateral interest row ("Less Net PPIS"), so an
    /// unlabelled row of figures is the interest remittance.
    after_interest_rows: bool,
    /// Class tables read so far, with their header lines.
    tables_seen: Vec<(Table, usize)>,
    core: Core,
}

/// The collateral rows without which a report is unusable.
#[derive(Default)]
struct Core {
    beginning_balance: bool,
    principal_remittance: bool,
    interest_remittance: bool,
}

impl<'a> Parser<'a> {
    fn run(&mut self) -> Result<()> {
        let statement = self
            .find(0, |l| l.norm.contains(STATEMENT))
            .ok_or_else(|| {
                self.end_of_file(
                    "expected \"STATEMENT TO CERTIFICATEHOLDERS\" (a US Bank trustee report)"
                        .to_string(),
                )
            })?;
        self.trust_and_series(statement);
        let date = self.distribution_date(statement)?;
        let summary = self
            .find(date + 1, |l| SUMMARY_HEADERS.contains(&l.norm.as_str()))
            .ok_or_else(|| {
                self.end_of_file(
                    "expected the DISTRIBUTION SUMMARY table (\"Class  Orig Bal  Beg Bal  Prin\")"
                        .to_string(),
                )
            })?;
        let after_summary = self.summary(summary)?;
        self.walk(after_summary);
        self.require_core_tables(summary)?;
        self.expect_tables(summary);
        let collateral_warnings = footing::collateral(&self.report);
        self.warnings.extend(collateral_warnings);
        Ok(())
    }

    // ---- helpers -------------------------------------------------------

    fn find(&self, from: usize, pred: impl Fn(&Line) -> bool) -> Option<usize> {
        self.lines
            .iter()
            .skip(from)
            .position(pred)
            .map(|k| k + from)
    }

    /// An error at the end of the file: `expected ..., found end of file`.
    fn end_of_file(&self, expected: String) -> Error {
        if self.lines.is_empty() {
            Error::at(
                self.path,
                1,
                None,
                format!("{expected}, found an empty file"),
            )
        } else {
            Error::at(
                self.path,
                self.lines.len() + 1,
                None,
                format!("{expected}, found end of file"),
            )
        }
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }

    /// A figure every report of this layout prints and this one lacks: a
    /// warning, and a figure reconcile must not pass over.
    fn missing(&mut self, line: usize, message: impl Into<String>) {
        let message = message.into();
        self.report.missing.push(Warning {
            line,
            message: message.clone(),
        });
        self.warn(line, message);
    }

    /// The class a table row's label names: exactly, or ignoring hyphens and
    /// case (the shortfall tables print B-IO as "BIO").
    fn class_index(&self, label: &str) -> Option<usize> {
        let classes = &self.report.classes;
        classes
            .iter()
            .position(|c| c.name == label)
            .or_else(|| classes.iter().position(|c| same_class(&c.name, label)))
    }

    // ---- heading, date, summary -------------------------------------------

    /// The trust name is the block of lines printed just above the statement
    /// heading; its line with "Trust" in it (else its first line), with its
    /// whitespace collapsed.
    fn trust_and_series(&mut self, statement: usize) {
        let lines = self.lines;
        let mut end = statement;
        while end > 0 && lines[end - 1].is_blank() {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && !lines[start - 1].is_blank() {
            start -= 1;
        }
        let block = &lines[start..end];
        let statement_line = statement + 1;
        let Some(trust) = block
            .iter()
            .find(|l| l.norm.contains("trust"))
            .or_else(|| block.first())
        else {
            self.warn(
                statement_line,
                "no trust name printed above STATEMENT TO CERTIFICATEHOLDERS",
            );
            return;
        };
        self.report.trust = trust.tokens.join(" ");
        let series = std::iter::once(trust)
            .chain(block.iter())
            .find_map(|l| series_in(&l.tokens));
        match series {
            Some(s) => self.report.series = s,
            None => self.warn(trust.no, "no \"Series ...\" in the trust name"),
        }
    }

    /// The "Distribution Date:  15-Dec-03" line after the statement heading.
    fn distribution_date(&mut self, statement: usize) -> Result<usize> {
        let idx = self
            .find(statement + 1, |l| l.norm.starts_with("distribution date"))
            .ok_or_else(|| {
                self.end_of_file(format!(
                    "expected \"Distribution Date:  DD-Mon-YY\" after STATEMENT TO CERTIFICATEHOLDERS (line {})",
                    statement + 1
                ))
            })?;
        let line = &self.lines[idx];
        let token = line.tokens.last().copied().unwrap_or("");
        match parse_date(token) {
            Some(d) => {
                self.report.distribution_date = Some(d);
                Ok(idx)
            }
            None => Err(Error::at(
                self.path,
                line.no,
                None,
                format!(
                    "expected a distribution date like 15-Dec-03, found '{}'",
                    shorten(token, 40)
                ),
            )),
        }
    }

    /// The DISTRIBUTION SUMMARY: one row per class (which fixes the class list
    /// and order for every later table) and a Total row. Returns the index of
    /// the first line after it.
    fn summary(&mut self, header: usize) -> Result<usize> {
        let lines = self.lines;
        let mut i = header + 1;
        let mut summary_total = false;
        while let Some(row) = lines.get(i).and_then(|l| l.row(1)) {
            i += 1;
            let Some(label) = row.label() else {
                self.warn(
                    row.line,
                    "unlabelled row in the distribution summary ignored",
                );
                continue;
            };
            let figures = match row.figures.as_slice() {
                [o, b, p] => Some((*o, *b, *p)),
                _ => None,
            };
            if label.eq_ignore_ascii_case("total") {
                match right_aligned(&row.figures, 3).as_deref() {
                    Some([o, b, p]) => {
                        let t = &mut self.report.totals;
                        (t.original_balance, t.beginning_balance, t.principal) = (*o, *b, *p);
                    }
                    _ => self.missing(
                        row.line,
                        format!(
                            "distribution summary Total row has {} figures, expected 3",
                            row.figures.len()
                        ),
                    ),
                }
                summary_total = true;
                continue;
            }
            if self.report.classes.iter().any(|c| c.name == label) {
                self.warn(
                    row.line,
                    format!(
                        "class {label} listed twice in the distribution summary; second row ignored"
                    ),
                );
                continue;
            }
            let mut class = ClassRow {
                name: label.to_string(),
                ..ClassRow::default()
            };
            match figures {
                Some((o, b, p)) => (class.original_balance, class.beginning_balance, class.principal) = (o, b, p),
                None => self.missing(
                    row.line,
                    format!(
                        "distribution summary row for {label} has {} figures, expected 3 (Orig Bal, Beg Bal, Prin)",
                        row.figures.len()
                    ),
                ),
            }
            self.report.classes.push(class);
        }
        if !summary_total && !self.report.classes.is_empty() {
            self.missing(i, "the distribution summary has no Total row");
        }
        if self.report.classes.is_empty() {
            let found = match lines.get(header + 1) {
                Some(l) if !l.is_blank() => format!("'{}'", l.shown()),
                Some(_) => "a blank line".to_string(),
                None => "end of file".to_string(),
            };
            return Err(Error::at(
                self.path,
                header + 2,
                None,
                format!(
                    "expected class rows under the DISTRIBUTION SUMMARY header (line {}), found {found}",
                    header + 1
                ),
            ));
        }
        for column in [
            ClassColumn::Original,
            ClassColumn::Beginning,
            ClassColumn::Principal,
        ] {
            self.warnings
                .extend(footing::class_column(&self.report, column));
        }
        Ok(i)
    }

    // ---- everything after the summary -----------------------------------

    fn walk(&mut self, from: usize) {
        let lines = self.lines;
        let mut i = from;
        while let Some(line) = lines.get(i) {
            if line.norm == "signatures" {
                break;
            }
            if let Some(table) = Table::at(&line.norm) {
                self.after_interest_rows = false;
                i = self.class_table(table, i);
                continue;
            }
            if let Some(names) = group_header(&line.tokens) {
                self.columns = names.iter().map(|n| self.column(n)).collect();
                self.after_interest_rows = false;
            } else if !line.is_blank() {
                self.line_item(line);
            }
            i += 1;
        }
    }

    fn column(&mut self, name: &ColumnName) -> Column {
        match name {
            ColumnName::Total => Column::Total,
            ColumnName::Group(n) => {
                if let Some(k) = self.report.groups.iter().position(|g| g.name == *n) {
                    return Column::Group(k);
                }
                self.report.groups.push(GroupCollateral {
                    name: n.clone(),
                    ..GroupCollateral::default()
                });
                self.report
                    .delinquency_by_group
                    .push(Delinquency::default());
                Column::Group(self.report.groups.len() - 1)
            }
        }
    }

    /// One line that is not part of a class table: a collateral or
    /// delinquency row, a single labelled figure, a flag or a named rate.
    fn line_item(&mut self, line: &Line) {
        let was_after_interest = std::mem::replace(&mut self.after_interest_rows, false);
        if let Some(flag) = flag_of(line) {
            self.flag(line, flag);
            return;
        }
        let split = line.split();
        if split.figures.is_empty() {
            return; // a heading ("Prin Dist:", "Serv Fee", "Delinq Info") or a note
        }
        let l = split.norm.as_str();
        if l.is_empty() {
            if was_after_interest {
                self.collateral_row(line, CollField::InterestRemittance, &split);
            } else {
                self.warn(
                    line.no,
                    format!("unlabelled row of figures ignored: '{}'", line.shown()),
                );
            }
        } else if let Some(field) = CollField::of(l) {
            self.collateral_row(line, field, &split);
            self.after_interest_rows = field.is_interest();
        } else if let Some(field) = DelinquencyField::of(l) {
            self.delinquency_row(line, field, &split);
        } else if l == "grp" || l.starts_with("grp ") {
            self.servicing_fee_of_group(line, &split);
        } else if l.starts_with("serv fee") || l.starts_with("servicing fee") {
            self.single(line, &split, "servicing fee", |r| {
                &mut r.servicing_fee_total
            });
        } else if l.starts_with("class ") && l.ends_with(" rate") {
            self.named_rate(line, &split);
        } else if let Some((what, slot)) = SCALARS
            .iter()
            .find(|(pred, ..)| pred(l))
            .map(|(_, w, s)| (*w, *s))
        {
            self.single(line, &split, what, slot);
        } else {
            self.warn(
                line.no,
                format!("unrecognised line of figures ignored: '{}'", line.shown()),
            );
        }
    }

    /// A labelled single figure: the line's last figure.
    fn single(&mut self, line: &Line, split: &Split, what: &str, slot: Slot) {
        if split.figures.len() > 1 {
            self.warn(
                line.no,
                format!(
                    "{what}: expected one figure, found {}; the last one taken",
                    split.figures.len()
                ),
            );
        }
        let Some(Some(value)) = split.figures.last().copied() else {
            return; // N/A
        };
        let target = slot(&mut self.report);
        if let Some(first) = target {
            let first_line = first.line;
            self.warn(
                line.no,
                format!("{what} printed again (first at line {first_line}); the first one kept"),
            );
        } else {
            *target = Some(value);
        }
    }

    fn flag(&mut self, line: &Line, flag: PrintedFlag) {
        let label = line
            .tokens
            .split_last()
            .map(|(_, label)| label.join(" "))
            .unwrap_or_default();
        let l = text::normalize(&label);
        let target = if l.starts_with("trigger event") {
            &mut self.report.trigger_event
        } else if l.starts_with("step down") || l.starts_with("stepdown") {
            &mut self.report.stepdown_occurred
        } else {
            self.report.other_flags.push((label, flag));
            return;
        };
        if let Some(first) = target {
            let first_line = first.line;
            self.warn(
                line.no,
                format!("'{label}' printed again (first at line {first_line}); the first one kept"),
            );
        } else {
            *target = Some(flag);
        }
    }

    /// "Class A-IO Net WAC Rate  7.0468419%".
    fn named_rate(&mut self, line: &Line, split: &Split) {
        match (split.figures.as_slice(), split.figure_tokens.as_slice()) {
            ([Some(rate)], [token]) if token.ends_with('%') => {
                if self.report.named_rate(&split.label).is_some() {
                    self.warn(
                        line.no,
                        format!("'{}' printed again; the first one kept", split.label),
                    );
                } else {
                    self.report.named_rates.push((split.label.clone(), *rate));
                }
            }
            _ => self.warn(
                line.no,
                format!(
                    "expected one percentage after '{}', found '{}'",
                    split.label,
                    line.shown()
                ),
            ),
        }
    }

    /// "Grp 1   248,681" under "Serv Fee": the group number splits off as a figure.
    fn servicing_fee_of_group(&mut self, line: &Line, split: &Split) {
        match split.figures.as_slice() {
            [_, Some(fee)] => self.report.servicing_fee_by_group.push(*fee),
            [_, None] => {}
            _ => self.warn(
                line.no,
                format!(
                    "expected 'Grp <n>  <servicing fee>', found '{}'",
                    line.shown()
                ),
            ),
        }
    }

    fn collateral_row(&mut self, line: &Line, field: CollField, split: &Split) {
        let columns = self.columns.clone();
        if columns.is_empty() {
            self.warn(
                line.no,
                format!(
                    "collateral row '{}' before any GROUP/TOTAL header ignored",
                    field.label()
                ),
            );
            return;
        }
        if split.figures.len() != columns.len() {
            self.warn(
                line.no,
                format!(
                    "collateral row '{}': expected {} figures (one per column), found {}; ignored",
                    field.label(),
                    columns.len(),
                    split.figures.len()
                ),
            );
            return;
        }
        let mut repeated = false;
        for (column, figure) in columns.iter().zip(&split.figures) {
            let group = match column {
                Column::Group(k) => self.report.groups.get_mut(*k),
                Column::Total => Some(&mut self.report.pool),
            };
            let (Some(group), Some(figure)) = (group, figure) else {
                continue;
            };
            let slot = field.slot(group);
            if slot.is_some() {
                repeated = true;
            } else {
                *slot = Some(*figure);
            }
        }
        if repeated {
            self.warn(
                line.no,
                format!(
                    "collateral row '{}' printed again; the first figures kept",
                    field.label()
                ),
            );
        }
        match field {
            CollField::BeginningBalance => self.core.beginning_balance = true,
            CollField::PrincipalRemittance => self.core.principal_remittance = true,
            CollField::InterestRemittance => self.core.interest_remittance = true,
            _ => {}
        }
    }

    fn delinquency_row(&mut self, line: &Line, field: DelinquencyField, split: &Split) {
        let columns = self.columns.clone();
        let (k, m) = (columns.len(), split.figures.len());
        let per_column = if k > 0 && m == 2 * k {
            2
        } else if k > 0 && field == DelinquencyField::Reo && m == 3 * k {
            3
        } else {
            self.warn(
                line.no,
                format!(
                    "{} row: expected 2 figures (count, balance) for each of {k} columns, found {m}; ignored",
                    field.label()
                ),
            );
            return;
        };
        let mut problems = Vec::new();
        for (column, chunk) in columns.iter().zip(split.figures.chunks(per_column)) {
            let target = match column {
                Column::Group(g) => self.report.delinquency_by_group.get_mut(*g),
                Column::Total => Some(&mut self.report.delinquency_total),
            };
            let Some(target) = target else { continue };
            let (Some(Some(count)), Some(Some(balance))) = (chunk.first(), chunk.get(1)) else {
                problems.push("a count or balance is N/A");
                continue;
            };
            let slot = field.slot(target);
            if slot.is_some() {
                problems.push("printed again; the first figures kept");
                continue;
            }
            *slot = Some(CountBalance {
                count: *count,
                balance: *balance,
            });
            if let Some(value) = chunk.get(2) {
                target.reo_market_value = *value;
            }
        }
        for p in problems {
            self.warn(line.no, format!("{} row: {p}", field.label()));
        }
    }

    // ---- class tables -----------------------------------------------------

    /// Read a class table whose header is at `header`; returns the index of
    /// the first line after it.
    fn class_table(&mut self, table: Table, header: usize) -> usize {
        let lines = self.lines;
        let header_line = header + 1;
        let mut i = header + 1;
        if table.has_heading_lines() {
            // "Tot Real Prep" / "Unpaid Losses Int" / "Shortfall", or "Carryover".
            let mut skipped = 0;
            while skipped < 4
                && lines
                    .get(i)
                    .is_some_and(|l| !l.is_blank() && l.row(table.texts()).is_none())
            {
                i += 1;
                skipped += 1;
            }
        }
        let mut rows = Vec::new();
        while let Some(row) = lines.get(i).and_then(|l| l.row(table.texts())) {
            rows.push(row);
            i += 1;
        }
        if rows.is_empty() {
            self.warn(header_line, format!("the {} has no rows", table.name()));
            return i;
        }
        if let Some((_, first)) = self.tables_seen.iter().find(|(t, _)| *t == table) {
            let first = *first;
            self.warn(
                header_line,
                format!(
                    "the {} is printed again (first at line {first}); ignored",
                    table.name()
                ),
            );
            return i;
        }
        self.tables_seen.push((table, header_line));
        match table {
            Table::Per1000Interest => self.per_1000_interest(&rows),
            _ => self.labelled_table(table, header_line, &rows),
        }
        self.foot_table(table);
        i
    }

    /// A table whose rows carry class labels (map by label, "Total" or an
    /// unlabelled last row is the total), or none at all (HE2: rows are
    /// positional and the last one is the total).
    fn labelled_table(&mut self, table: Table, header_line: usize, rows: &[Row]) {
        let n = self.report.classes.len();
        let mut assigned = vec![false; n];
        let mut total: Option<&Row> = None;
        if rows.iter().all(|r| r.label().is_none()) {
            if rows.len() != n + 1 {
                self.warn(
                    header_line,
                    format!(
                        "the {} has {} unlabelled rows for {n} classes and a total row; rows are read in the class order of the distribution summary",
                        table.name(),
                        rows.len()
                    ),
                );
            }
            for (k, row) in rows.iter().enumerate() {
                if k < n {
                    self.class_row(table, k, row);
                    assigned[k] = true;
                } else if k == n {
                    total = Some(row);
                } else {
                    self.warn(
                        row.line,
                        format!("{}: row after the total row ignored", table.name()),
                    );
                }
            }
        } else {
            let last = rows.len() - 1;
            for (k, row) in rows.iter().enumerate() {
                match row.label() {
                    None if k == last => total = Some(row),
                    None => self.warn(row.line, format!("{}: unlabelled row ignored", table.name())),
                    Some(l) if l.eq_ignore_ascii_case("total") => total = Some(row),
                    Some(l) => match self.class_index(l) {
                        Some(c) if assigned.get(c).copied().unwrap_or(true) => self.warn(
                            row.line,
                            format!("{}: second row for {l} ignored", table.name()),
                        ),
                        Some(c) => {
                            self.class_row(table, c, row);
                            if let Some(a) = assigned.get_mut(c) {
                                *a = true;
                            }
                        }
                        None => self.warn(
                            row.line,
                            format!(
                                "{}: row labelled '{l}' names no class of the distribution summary; ignored",
                                table.name()
                            ),
                        ),
                    },
                }
            }
        }
        if let Some(row) = total {
            self.total_row(table, row);
        } else if matches!(
            table,
            Table::RateInterest | Table::LossTotal | Table::ShortfallEnding
        ) {
            self.missing(
                header_line,
                format!("the {} has no Total row", table.name()),
            );
        }
        if table.lists_every_class() {
            let missing: Vec<&str> = self
                .report
                .classes
                .iter()
                .zip(&assigned)
                .filter(|(_, a)| !**a)
                .map(|(c, _)| c.name.as_str())
                .collect();
            if !missing.is_empty() {
                let message = format!("the {} has no row for {}", table.name(), missing.join(", "));
                self.missing(header_line, message);
            }
        }
    }

    /// HE4 prints the per-$1,000 "Int / Total" rows one row off their labels,
    /// HE2 prints no labels: the n-th row is the n-th class, whatever its label.
    fn per_1000_interest(&mut self, rows: &[Row]) {
        let n = self.report.classes.len();
        let mut mismatch: Option<(usize, String, String)> = None;
        for (k, row) in rows.iter().enumerate() {
            let Some(class) = self.report.classes.get(k) else {
                if !row.all_zero() {
                    self.warn(
                        row.line,
                        format!(
                            "per-$1,000 interest table: row {} is beyond the {n} classes but not zero; ignored",
                            k + 1
                        ),
                    );
                }
                continue;
            };
            if let Some(label) = row.label()
                && !same_class(label, &class.name)
                && mismatch.is_none()
            {
                mismatch = Some((row.line, label.to_string(), class.name.clone()));
            }
            self.class_row(Table::Per1000Interest, k, row);
        }
        if rows.len() < n {
            let line = rows.last().map(|r| r.line).unwrap_or(0);
            self.missing(
                line,
                format!(
                    "per-$1,000 interest table has {} rows for {n} classes; the last classes have none",
                    rows.len()
                ),
            );
        }
        if let Some((line, label, class)) = mismatch {
            self.warn(
                line,
                format!(
                    "per-$1,000 interest table rows are shifted: row labelled '{label}' holds {class} (rows are read in the class order of the distribution summary, labels ignored)"
                ),
            );
        }
    }

    /// Store one class's figures from a table row.
    fn class_row(&mut self, table: Table, k: usize, row: &Row) {
        let Some(class) = self.report.classes.get_mut(k) else {
            return;
        };
        match (table, row.figures.as_slice()) {
            (Table::RateInterest, [rate, interest]) => {
                (class.rate, class.interest) = (*rate, *interest)
            }
            (Table::LossTotal, [loss, total]) => {
                (class.realized_loss, class.total_distribution) = (*loss, *total)
            }
            (Table::ShortfallEnding, [short, end]) => {
                (class.interest_shortfall, class.ending_balance) = (*short, *end);
            }
            (Table::Cusip, [principal]) => {
                class.per_1000.principal = *principal;
                class.cusip = row.texts.get(1).map(|c| c.to_string());
            }
            (Table::Per1000Interest, [interest, total]) => {
                (class.per_1000.interest, class.per_1000.total) = (*interest, *total);
            }
            (Table::CarryForward, [carry, end]) => {
                (
                    class.per_1000.interest_carry_forward,
                    class.per_1000.ending_balance,
                ) = (*carry, *end);
            }
            (Table::Shortfalls, [unpaid, losses, ppis]) => {
                (
                    class.unpaid_interest,
                    class.shortfall_realized_losses,
                    class.prepayment_interest_shortfall,
                ) = (*unpaid, *losses, *ppis);
            }
            (Table::Raisf, [raisf, carryover]) => {
                (class.relief_act_shortfall, class.net_wac_carryover) = (*raisf, *carryover);
            }
            (_, figures) => {
                let (name, found) = (class.name.clone(), figures.len());
                self.missing(
                    row.line,
                    format!(
                        "{}: expected {} figures for {name}, found {found}; row ignored",
                        table.name(),
                        table.columns()
                    ),
                );
            }
        }
    }

    /// Store a table's total row. Blank columns of a total row are at its
    /// left (HE4's rate column), so fewer figures are right-aligned.
    fn total_row(&mut self, table: Table, row: &Row) {
        if matches!(
            table,
            Table::Cusip | Table::Per1000Interest | Table::CarryForward
        ) {
            return; // HE2's per-$1,000 total rows carry nothing to keep
        }
        let Some(figures) = right_aligned(&row.figures, table.columns()) else {
            self.warn(
                row.line,
                format!(
                    "{}: total row has {} figures, expected at most {}; ignored",
                    table.name(),
                    row.figures.len(),
                    table.columns()
                ),
            );
            return;
        };
        let t = &mut self.report.totals;
        match (table, figures.as_slice()) {
            (Table::RateInterest, [rate, interest]) => {
                (self.report.index_rate, t.interest) = (*rate, *interest);
            }
            (Table::LossTotal, [loss, total]) => {
                (t.realized_loss, t.total_distribution) = (*loss, *total)
            }
            (Table::ShortfallEnding, [short, end]) => {
                (t.interest_shortfall, t.ending_balance) = (*short, *end)
            }
            (Table::Shortfalls, [unpaid, losses, ppis]) => {
                let parts: [(&str, Option<Printed>, ClassFigure); 3] = [
                    (
                        "interest shortfall table total unpaid interest",
                        *unpaid,
                        |c| c.unpaid_interest,
                    ),
                    (
                        "interest shortfall table total realized losses",
                        *losses,
                        |c| c.shortfall_realized_losses,
                    ),
                    (
                        "interest shortfall table total prepayment interest shortfall",
                        *ppis,
                        |c| c.prepayment_interest_shortfall,
                    ),
                ];
                self.foot_unstored_totals(&parts);
            }
            (Table::Raisf, [raisf, carryover]) => {
                let parts: [(&str, Option<Printed>, ClassFigure); 2] = [
                    ("RAISF table total relief act shortfall", *raisf, |c| {
                        c.relief_act_shortfall
                    }),
                    (
                        "RAISF table total net WAC rate carryover",
                        *carryover,
                        |c| c.net_wac_carryover,
                    ),
                ];
                self.foot_unstored_totals(&parts);
            }
            _ => {}
        }
    }

    fn foot_unstored_totals(&mut self, parts: &[(&str, Option<Printed>, ClassFigure)]) {
        for (what, total, of) in parts {
            let figures: Vec<Printed> = self.report.classes.iter().filter_map(of).collect();
            let warning = footing::foot(what, total.as_ref(), &figures, "the class rows");
            self.warnings.extend(warning);
        }
    }

    fn foot_table(&mut self, table: Table) {
        let columns: &[ClassColumn] = match table {
            Table::RateInterest => &[ClassColumn::Interest],
            Table::LossTotal => &[ClassColumn::RealizedLoss, ClassColumn::TotalDistribution],
            Table::ShortfallEnding => &[ClassColumn::InterestShortfall, ClassColumn::Ending],
            _ => &[],
        };
        for column in columns {
            let warning = footing::class_column(&self.report, *column);
            self.warnings.extend(warning);
        }
    }

    // ---- the end ---------------------------------------------------------

    /// Every class table this layout prints, each read once.
    fn expect_tables(&mut self, summary: usize) {
        for t in [
            Table::Cusip,
            Table::Per1000Interest,
            Table::CarryForward,
            Table::Shortfalls,
            Table::Raisf,
        ] {
            if !self.tables_seen.iter().any(|(s, _)| *s == t) {
                self.missing(
                    summary + 1,
                    format!(
                        "the report has no {} (expected after the distribution summary)",
                        t.describe()
                    ),
                );
            }
        }
    }

    fn require_core_tables(&self, summary: usize) -> Result<()> {
        let mut missing: Vec<String> = [
            Table::RateInterest,
            Table::LossTotal,
            Table::ShortfallEnding,
        ]
        .into_iter()
        .filter(|t| !self.tables_seen.iter().any(|(s, _)| s == t))
        .map(|t| t.describe())
        .collect();
        let block = "of the collateral table's Prin Dist block (under \"GROUP 1  GROUP 2  TOTAL\")";
        if !self.core.beginning_balance {
            missing.push(format!("the \"Beg Bal\" row {block}"));
        }
        if !self.core.principal_remittance {
            missing.push(format!("the \"Tot Prin Remit\" row {block}"));
        }
        if !self.core.interest_remittance {
            missing.push(
                "the interest remittance (the unlabelled row of figures after \"Less Net PPIS\" in the collateral table's Int Dist block)"
                    .to_string(),
            );
        }
        let Some((first, rest)) = missing.split_first() else {
            return Ok(());
        };
        let also = if rest.is_empty() {
            String::new()
        } else {
            format!("; also missing: {}", rest.join("; "))
        };
        let n = self.lines.len();
        Err(Error::at(
            self.path,
            n + 1,
            None,
            format!(
                "expected {first} after the distribution summary (line {}), but the file ends at line {n} without it{also}",
                summary + 1
            ),
        ))
    }
}
