//! The prospectus's structuring tables, from closing: the decrement table
//! (percent of each class's original balance outstanding on each
//! anniversary of closing, one column per prepayment speed, and the WAL
//! row), and each class's WAL and principal window by speed.
//!
//! Rounding, as prospectuses print the table: a percentage is rounded to a
//! whole percent, halves away from zero ([`PERCENT_ROUNDING`]), and a
//! positive balance that would round to 0 is printed `*`. A WAL is the
//! principal-weighted average of the months principal is paid, over 12
//! (years from closing), rounded to 1/100 of a year, halves away from zero,
//! as `project` shows it.

use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};

use crate::collateral::{Assumptions, Defaults, PpcCurves, Prepay};
use crate::deal::Deal;
use crate::error::{Error, Result};
use crate::format::{OutputFormat, json_decimal, json_opt_decimal};
use crate::projection::{From, Projection, Recorder};
use crate::scenario::{Libor, Scenario};
use crate::table::Table;
use crate::waterfall::Engine;

/// Percentages of the original balance are whole percents, halves away from zero.
pub const PERCENT_ROUNDING: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// Most speeds one table may have.
pub const MAX_SPEEDS: usize = 20;

/// One class at one speed.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Balance (or notional) after the last distribution on or before each
    /// anniversary of closing, by row.
    pub balances: Vec<Decimal>,
    /// `None` for a class paid no principal.
    pub wal: Option<Decimal>,
    /// Months from closing (1 = the first distribution) of the first and
    /// last principal payment, and their dates.
    pub first: Option<(u32, NaiveDate)>,
    pub last: Option<(u32, NaiveDate)>,
}

/// One class's decrement table.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassTable {
    pub name: String,
    pub original: Decimal,
    /// By speed.
    pub columns: Vec<Column>,
}

/// The decrement tables of a deal's classes at a list of speeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Decrement {
    pub deal: String,
    /// What every column assumes besides its speed.
    pub terms: Terms,
    /// The deal's index, as the heading names it.
    pub index_name: String,
    pub closing: NaiveDate,
    pub speeds: Vec<Prepay>,
    /// The anniversaries of closing, one a row (after the initial row).
    pub dates: Vec<NaiveDate>,
    pub classes: Vec<ClassTable>,
}

/// A balance as the percentage of `original` a decrement table prints:
/// whole percent, `*` for a positive balance that rounds to 0.
pub fn printed_percent(balance: Decimal, original: Decimal) -> String {
    if original.is_zero() {
        return String::new();
    }
    let p = (balance * Decimal::ONE_HUNDRED / original).round_dp_with_strategy(0, PERCENT_ROUNDING);
    if p.is_zero() && balance > Decimal::ZERO {
        "*".to_string()
    } else {
        p.normalize().to_string()
    }
}

/// What every column of a table assumes besides its speed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Terms {
    /// The index, flat (a fraction). 0 by default: a CMO's floater coupons
    /// do not move its principal, but a deal whose excess interest pays
    /// principal (an OC turbo) pays faster when its coupons are lower, so
    /// its prospectus states the index its tables assume.
    pub index: Decimal,
    /// The clean-up call exercised on the first date it may be ("to call");
    /// by default not ("to maturity").
    pub call: bool,
}

impl Terms {
    /// How the text table's heading states the terms: nothing for the
    /// default (index 0, to maturity).
    fn describe(&self, index_name: &str) -> String {
        let mut parts = Vec::new();
        if !self.index.is_zero() {
            parts.push(format!(
                "{index_name} flat at {}",
                crate::format::percent(self.index, 5)
            ));
        }
        if self.call {
            parts.push("to the clean-up call".to_string());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" · {}", parts.join(", "))
        }
    }
}

/// `--libor`'s text, a percentage (`1.12` for 1.12%), as a fraction; at
/// most 100% either way.
pub fn index_percent(text: &str) -> Result<Decimal> {
    let bad = || {
        Error::Usage(format!(
            "--libor: expected a percentage from -100 to 100, such as 1.12 for 1.12%, not {text:?}"
        ))
    };
    let p: Decimal = text.trim().parse().map_err(|_| bad())?;
    if p.abs() > Decimal::ONE_HUNDRED {
        return Err(bad());
    }
    Ok(crate::num::percent(p))
}

/// An agency scenario at `prepay`: no defaults, the index flat at `terms`'
/// (0 by default), the call as `terms` say (not exercised by default).
fn scenario(prepay: &Prepay, terms: &Terms) -> Scenario {
    Scenario {
        name: prepay.to_string(),
        assumptions: Assumptions {
            prepay: prepay.clone(),
            defaults: Defaults::Cdr(Decimal::ZERO),
            severity: Decimal::ZERO,
            lag: 0,
            advancing: true,
            ppc: PpcCurves::default(),
        },
        libor: Libor::Flat(terms.index),
        call: terms.call,
        counterparty_default: None,
    }
}

/// The classes a table shows by default: every class with a principal
/// balance at closing.
pub fn default_classes(deal: &Deal) -> Vec<usize> {
    deal.classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.has_principal() && c.original_balance > Decimal::ZERO)
        .map(|(k, _)| k)
        .collect()
}

/// The classes named (`None`: the default ones), or why not.
pub fn classes_named(deal: &Deal, names: Option<&[String]>) -> Result<Vec<usize>> {
    let Some(names) = names else {
        return Ok(default_classes(deal));
    };
    let mut out = Vec::new();
    for n in names {
        let n = n.trim();
        let k = deal.class_index(n).ok_or_else(|| {
            let all: Vec<&str> = deal.classes.iter().map(|c| c.name.as_str()).collect();
            Error::Usage(format!(
                "--classes: the deal has no class \"{n}\" (it has: {})",
                all.join(", ")
            ))
        })?;
        if deal.classes[k].original_balance.is_zero() {
            return Err(Error::Usage(format!(
                "--classes: class {n} has no original balance: it has no decrement table"
            )));
        }
        if !out.contains(&k) {
            out.push(k);
        }
    }
    if out.is_empty() {
        return Err(Error::Usage("--classes names no class".into()));
    }
    Ok(out)
}

/// Run `deal` from closing at each speed, under `terms`, and tabulate
/// `classes`.
pub fn decrement(
    deal: &Deal,
    speeds: &[Prepay],
    classes: &[usize],
    terms: &Terms,
) -> Result<Decrement> {
    if speeds.is_empty() {
        return Err(Error::Usage("--prepay names no speed".into()));
    }
    if speeds.len() > MAX_SPEEDS {
        return Err(Error::Usage(format!(
            "--prepay names {} speeds; at most {MAX_SPEEDS} a table",
            speeds.len()
        )));
    }
    let projection = Projection::from(deal, From::Closing)?;
    let mut runs = Vec::new();
    for s in speeds {
        s.validate()
            .map_err(|e| Error::Usage(format!("--prepay: {e}")))?;
        let mut engine = Engine::<Decimal>::new(deal);
        let mut rec = Recorder::default();
        projection.run(&scenario(s, terms), &mut engine, &mut rec)?;
        runs.push(rec.periods);
    }
    // Rows: every anniversary up to the first on which every class shown is
    // retired at every speed.
    let last = runs
        .iter()
        .filter_map(|p| p.last().map(|r| r.input.date))
        .max()
        .unwrap_or(deal.closing_date);
    let mut dates = Vec::new();
    for year in 1.. {
        let Some(d) = deal.closing_date.checked_add_months(Months::new(12 * year)) else {
            break;
        };
        dates.push(d);
        if d >= last || year >= 100 {
            break;
        }
    }
    let tables = classes
        .iter()
        .map(|&k| {
            let class = &deal.classes[k];
            let columns = runs
                .iter()
                .map(|periods| {
                    let balances = dates
                        .iter()
                        .map(|d| {
                            periods
                                .iter()
                                .take_while(|r| r.input.date <= *d)
                                .last()
                                .map(|r| r.result.classes[k].ending)
                                .unwrap_or(class.original_balance)
                        })
                        .collect();
                    let (mut weighted, mut total) = (Decimal::ZERO, Decimal::ZERO);
                    let (mut first, mut last) = (None, None);
                    for r in periods {
                        let p = r.result.classes[k].principal;
                        if p > Decimal::ZERO {
                            weighted += Decimal::from(r.month) * p;
                            total += p;
                            first = first.or(Some((r.month, r.input.date)));
                            last = Some((r.month, r.input.date));
                        }
                    }
                    let wal = (total > Decimal::ZERO).then(|| {
                        (weighted / total / Decimal::from(12))
                            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                    });
                    Column {
                        balances,
                        wal,
                        first,
                        last,
                    }
                })
                .collect();
            ClassTable {
                name: class.name.clone(),
                original: class.original_balance,
                columns,
            }
        })
        .collect();
    Ok(Decrement {
        deal: deal.name.clone(),
        terms: *terms,
        index_name: deal.index_name.clone(),
        closing: deal.closing_date,
        speeds: speeds.to_vec(),
        dates,
        classes: tables,
    })
}

impl Decrement {
    fn speed_names(&self) -> Vec<String> {
        self.speeds.iter().map(|s| s.to_string()).collect()
    }

    /// The rows that are printed: the last is the first anniversary on which
    /// every class of the table is retired at every speed.
    fn rows(&self) -> usize {
        let done = |i: usize| {
            self.classes
                .iter()
                .all(|c| c.columns.iter().all(|col| col.balances[i].is_zero()))
        };
        (0..self.dates.len())
            .find(|&i| done(i))
            .map_or(self.dates.len(), |i| i + 1)
    }

    /// The tables as aligned text: a decrement table per class, then the
    /// WAL and principal window of each class at each speed.
    pub fn to_text(&self) -> String {
        let speeds = self.speed_names();
        let mut out = format!(
            "{} · from closing ({}){} · percent of original balance outstanding on each anniversary of closing (whole percent, * a positive balance below 0.5%); WAL in years from closing\n",
            self.deal,
            self.closing,
            self.terms.describe(&self.index_name)
        );
        let rows = self.rows();
        for c in &self.classes {
            let mut headers = vec!["date".to_string()];
            headers.extend(speeds.iter().cloned());
            let h: Vec<&str> = headers.iter().map(String::as_str).collect();
            let mut t = Table::with_left(&h, 1);
            let mut initial = vec!["Initial".to_string()];
            initial.extend(c.columns.iter().map(|_| "100".to_string()));
            t.row(initial);
            for (i, d) in self.dates.iter().take(rows).enumerate() {
                let mut r = vec![d.to_string()];
                r.extend(
                    c.columns
                        .iter()
                        .map(|col| printed_percent(col.balances[i], c.original)),
                );
                t.row(r);
            }
            let mut wal = vec!["WAL (years)".to_string()];
            wal.extend(c.columns.iter().map(|col| wal_text(col.wal)));
            t.row(wal);
            out.push_str(&format!(
                "\nClass {} (original {})\n\n",
                c.name,
                crate::format::dollars(c.original)
            ));
            out.push_str(&t.render());
        }
        out.push_str("\nWAL and principal window by speed (months from closing: 1 is the first distribution)\n\n");
        let mut t = Table::with_left(
            &[
                "class",
                "speed",
                "WAL",
                "first",
                "last",
                "first date",
                "last date",
            ],
            2,
        );
        for c in &self.classes {
            for (s, col) in speeds.iter().zip(&c.columns) {
                t.row(vec![
                    c.name.clone(),
                    s.clone(),
                    wal_text(col.wal),
                    col.first.map(|f| f.0.to_string()).unwrap_or_default(),
                    col.last.map(|f| f.0.to_string()).unwrap_or_default(),
                    col.first.map(|f| f.1.to_string()).unwrap_or_default(),
                    col.last.map(|f| f.1.to_string()).unwrap_or_default(),
                ]);
            }
        }
        out.push_str(&t.render());
        out
    }

    /// The tables as CSV: `class,row,index,to_call`, then a column per
    /// speed; per class a line `initial`, one per anniversary (its date;
    /// percent as printed), then `wal_years`, `first_principal_month`,
    /// `last_principal_month`, `first_principal_date`,
    /// `last_principal_date`. Every line states the terms it assumed (the
    /// index as a fraction, as the JSON has it, and whether to the call), so
    /// a file or a sheet made from it says what it is without its command.
    pub fn to_csv(&self) -> Result<String> {
        let fail = |e: String| Error::Internal(format!("cannot write CSV: {e}"));
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = ["class", "row", "index", "to_call"]
            .map(String::from)
            .into();
        header.extend(self.speed_names());
        let index = self.terms.index.normalize().to_string();
        let to_call = self.terms.call.to_string();
        w.write_record(&header).map_err(|e| fail(e.to_string()))?;
        let rows = self.rows();
        for c in &self.classes {
            let mut line = |row: String, cells: Vec<String>| {
                let mut r = vec![c.name.clone(), row, index.clone(), to_call.clone()];
                r.extend(cells);
                w.write_record(&r).map_err(|e| fail(e.to_string()))
            };
            line(
                "initial".into(),
                c.columns.iter().map(|_| "100".into()).collect(),
            )?;
            for (i, d) in self.dates.iter().take(rows).enumerate() {
                line(
                    d.to_string(),
                    c.columns
                        .iter()
                        .map(|col| printed_percent(col.balances[i], c.original))
                        .collect(),
                )?;
            }
            line(
                "wal_years".into(),
                c.columns.iter().map(|col| wal_text(col.wal)).collect(),
            )?;
            let month =
                |f: Option<(u32, NaiveDate)>| f.map(|f| f.0.to_string()).unwrap_or_default();
            let date = |f: Option<(u32, NaiveDate)>| f.map(|f| f.1.to_string()).unwrap_or_default();
            line(
                "first_principal_month".into(),
                c.columns.iter().map(|col| month(col.first)).collect(),
            )?;
            line(
                "last_principal_month".into(),
                c.columns.iter().map(|col| month(col.last)).collect(),
            )?;
            line(
                "first_principal_date".into(),
                c.columns.iter().map(|col| date(col.first)).collect(),
            )?;
            line(
                "last_principal_date".into(),
                c.columns.iter().map(|col| date(col.last)).collect(),
            )?;
        }
        let bytes = w.into_inner().map_err(|e| fail(e.to_string()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The tables as JSON: per class and speed the balance on each
    /// anniversary (exact), the percentage as printed (a number; `*` is
    /// `0` with `below_half_percent` true), the WAL and the window.
    pub fn to_json(&self) -> Value {
        let rows = self.rows();
        let window = |f: Option<(u32, NaiveDate)>| match f {
            Some((m, d)) => json!({ "month": m, "date": d.to_string() }),
            None => Value::Null,
        };
        json!({
            "deal": self.deal,
            "closing": self.closing.to_string(),
            "index": json_decimal(self.terms.index),
            "to_call": self.terms.call,
            "speeds": self.speed_names(),
            "dates": self.dates.iter().take(rows).map(|d| d.to_string()).collect::<Vec<_>>(),
            "classes": self.classes.iter().map(|c| json!({
                "class": c.name,
                "original_balance": json_decimal(c.original),
                "columns": self.speeds.iter().zip(&c.columns).map(|(s, col)| json!({
                    "speed": s.to_string(),
                    "rows": self.dates.iter().take(rows).enumerate().map(|(i, d)| {
                        let printed = printed_percent(col.balances[i], c.original);
                        json!({
                            "date": d.to_string(),
                            "balance": json_decimal(col.balances[i]),
                            "percent": if printed == "*" { json!(0) } else { crate::format::json_number(&printed) },
                            "below_half_percent": printed == "*",
                        })
                    }).collect::<Vec<_>>(),
                    "wal_years": json_opt_decimal(col.wal),
                    "first_principal": window(col.first),
                    "last_principal": window(col.last),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    pub fn render(&self, format: OutputFormat) -> Result<String> {
        Ok(match format {
            OutputFormat::Table => self.to_text(),
            OutputFormat::Csv => self.to_csv()?,
            OutputFormat::Json => {
                serde_json::to_string_pretty(&self.to_json()).expect("serializable") + "\n"
            }
        })
    }
}

fn wal_text(w: Option<Decimal>) -> String {
    w.map(|w| format!("{w:.2}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn percentages_print_as_prospectuses_print_them() {
        let o = dec!(1000);
        assert_eq!(printed_percent(o, o), "100");
        assert_eq!(printed_percent(dec!(994.99), o), "99");
        assert_eq!(printed_percent(dec!(995), o), "100"); // 99.5 rounds up
        assert_eq!(printed_percent(dec!(5), o), "1"); // 0.5 rounds up
        assert_eq!(printed_percent(dec!(4.99), o), "*");
        assert_eq!(printed_percent(dec!(0.01), o), "*");
        assert_eq!(printed_percent(Decimal::ZERO, o), "0");
    }
}
