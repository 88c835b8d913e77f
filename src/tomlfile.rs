//! Reading TOML input files (deals, scenarios): exact amounts, dates, and
//! errors that name the file, line and column.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

pub use toml::Spanned;

use crate::error::{Error, Location, Result};

/// A TOML file's text, kept so that spans can be turned into line and column.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    pub fn read(path: &Path) -> Result<Source> {
        Ok(Source {
            path: path.to_path_buf(),
            text: Error::read_to_string(path)?,
        })
    }

    /// Deserialize the whole file, turning a TOML or schema error into one
    /// message with the file, line and column.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        toml::from_str(&self.text).map_err(|e| self.toml_error(&e))
    }

    /// The file's tables with their spans: parsed once, for a reader that
    /// deserializes the whole file from them ([`Source::parse_tables`]) and
    /// also walks them for positions.
    pub fn tables(&self) -> Result<Spanned<toml::de::DeTable<'_>>> {
        toml::de::DeTable::parse(&self.text).map_err(|e| self.toml_error(&e))
    }

    /// [`Source::parse`] from the file's tables ([`Source::tables`]): the
    /// same value, the same errors.
    pub fn parse_tables<'t, T: Deserialize<'t>>(
        &self,
        tables: Spanned<toml::de::DeTable<'t>>,
    ) -> Result<T> {
        T::deserialize(toml::de::Deserializer::from(tables)).map_err(|e| self.toml_error(&e))
    }

    /// A TOML or schema error as one message with the file, line and column.
    fn toml_error(&self, e: &toml::de::Error) -> Error {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let message = e.message().trim_end().to_string();
        Error::At {
            at: Location::from_offset(&self.path, &self.text, offset),
            message,
        }
    }

    /// An error at a span of this file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Error {
        Error::At {
            at: Location::from_offset(&self.path, &self.text, span.start),
            message: message.into(),
        }
    }
}

/// The line of offsets in a text, asked in increasing order (a file's
/// tables, top to bottom): each call counts only the newlines since the last.
pub struct LineCounter<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
}

impl<'t> LineCounter<'t> {
    pub fn new(text: &'t str) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `offset` (the one [`Location::from_offset`]
    /// gives).
    pub fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            *self = LineCounter::new(self.text);
        }
        self.line += self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// An exact decimal written as a string: `"504000000"`, `"0.35"`. A bare TOML
/// number is refused, because a float can lose digits on its way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal number written as a string, like \"0.35\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Amount, E> {
                let cleaned: String = s.trim().chars().filter(|&c| c != '_').collect();
                Decimal::from_str_exact(&cleaned).map(Amount).map_err(|_| {
                    E::custom(format!(
                        "expected a decimal number written as a string, like \"0.35\", found \"{s}\""
                    ))
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Amount, E> {
                Err(E::custom(format!(
                    "write amounts and rates as strings (\"{v}\"), so that they are read exactly"
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Amount, E> {
                self.visit_i64(v as i64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Amount, E> {
                Err(E::custom(format!(
                    "write amounts and rates as strings (\"{v}\"), so that they are read exactly"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// A calendar date written as `"2003-12-15"` (a bare TOML date is accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Date, String> {
        let t = s.trim();
        match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Ok(Date(d)),
            // Well formed, but not a day of the calendar ("2003-09-31").
            Err(_)
                if t.len() == 10
                    && t.chars().enumerate().all(|(i, c)| {
                        if i == 4 || i == 7 {
                            c == '-'
                        } else {
                            c.is_ascii_digit()
                        }
                    }) =>
            {
                Err(format!("no such date: \"{s}\""))
            }
            Err(_) => Err(format!(
                "expected a date like \"2003-12-15\", found \"{s}\""
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // TOML's native dates arrive as a datetime value; strings as strings.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Native(toml::value::Datetime),
        }
        match Raw::deserialize(d)? {
            Raw::Text(s) => s.parse().map_err(de::Error::custom),
            Raw::Native(dt) => match dt.date {
                Some(date) if dt.time.is_none() => {
                    NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
                        .map(Date)
                        .ok_or_else(|| de::Error::custom(format!("no such date: {dt}")))
                }
                _ => Err(de::Error::custom(format!(
                    "expected a date like \"2003-12-15\", found \"{dt}\""
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_counted_forward_are_the_lines_of_their_offsets() {
        let text = "a = 1\n\n[[waterfall]]\nx = \"é\"\n[[waterfall]]\n";
        let mut lines = LineCounter::new(text);
        for offset in [0, 5, 6, 7, 20, 21, 30, 34, 99, 3, 34] {
            let want = Location::from_offset(Path::new("d.toml"), text, offset).line;
            assert_eq!(lines.line_at(offset), want, "offset {offset}");
        }
    }
    use rust_decimal_macros::dec;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct T {
        a: Amount,
        d: Option<Date>,
    }

    fn src(text: &str) -> Source {
        Source {
            path: PathBuf::from("x.toml"),
            text: text.to_string(),
        }
    }

    #[test]
    fn amounts_are_exact_strings() {
        let t: T = src("a = \"483608563.00\"\nd = \"2003-12-15\"")
            .parse()
            .unwrap();
        assert_eq!(t.a.0, dec!(483608563.00));
        assert_eq!(
            t.d.unwrap().0,
            NaiveDate::from_ymd_opt(2003, 12, 15).unwrap()
        );
    }

    #[test]
    fn bare_numbers_are_refused_with_file_line_and_column() {
        let err = src("\na = 0.35\n").parse::<T>().unwrap_err().to_string();
        assert!(err.starts_with("x.toml:2:5:"), "{err}");
        assert!(err.contains("as strings"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = src("a = \"1\"\nmargin = \"2\"\n")
            .parse::<T>()
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.toml:2:1:"), "{err}");
        assert!(err.contains("unknown field `margin`"), "{err}");
    }

    #[test]
    fn native_toml_dates_are_accepted() {
        let t: T = src("a = \"1\"\nd = 2004-01-15\n").parse().unwrap();
        assert_eq!(
            t.d.unwrap().0,
            NaiveDate::from_ymd_opt(2004, 1, 15).unwrap()
        );
    }
}
