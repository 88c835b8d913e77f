//! Reading a loan tape: a CSV file of loan lines.
//!
//! Header (any order, every column present, no others):
//! `id,group,balance,gross_coupon,net_coupon,original_term,remaining_term,type,
//! margin,months_to_next_reset,reset_period,periodic_cap,life_cap,life_floor`.
//! Coupons, margins and caps are percentages as the market writes them (8.0 is
//! 8%); `type` is `fixed` or `arm`; the ARM columns are required for an ARM
//! line and must be empty for a fixed one. Every bad field of every row is
//! reported, each naming its line and column.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;
use std::str::FromStr;

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::line::{ArmTerms, LoanLine};
use crate::error::{Error, Result};
use crate::num::percent;

/// The tape's columns.
pub const TAPE_COLUMNS: [&str; 14] = [
    "id",
    "group",
    "balance",
    "gross_coupon",
    "net_coupon",
    "original_term",
    "remaining_term",
    "type",
    "margin",
    "months_to_next_reset",
    "reset_period",
    "periodic_cap",
    "life_cap",
    "life_floor",
];

/// Read the loan tape at `path` (at most [`crate::error::TAPE_FILE_LIMIT`] bytes).
pub fn read_tape(path: &Path) -> Result<Vec<LoanLine>> {
    let text = Error::read_to_string_limited(path, crate::error::TAPE_FILE_LIMIT)?;
    parse_tape(path, &text)
}

// Column numbers in [`TAPE_COLUMNS`].
const ID: usize = 0;
const GROUP: usize = 1;
const BALANCE: usize = 2;
const GROSS_COUPON: usize = 3;
const NET_COUPON: usize = 4;
const ORIGINAL_TERM: usize = 5;
const REMAINING_TERM: usize = 6;
const TYPE: usize = 7;
const MARGIN: usize = 8;
const MONTHS_TO_NEXT_RESET: usize = 9;
const RESET_PERIOD: usize = 10;
const PERIODIC_CAP: usize = 11;
const LIFE_CAP: usize = 12;
const LIFE_FLOOR: usize = 13;

/// The ARM columns, which a fixed-rate line leaves empty.
const ARM_COLUMNS: [usize; 6] = [
    MARGIN,
    MONTHS_TO_NEXT_RESET,
    RESET_PERIOD,
    PERIODIC_CAP,
    LIFE_CAP,
    LIFE_FLOOR,
];

/// Parse loan-tape `text`; `path` names the file in errors.
///
/// The header is resolved once into the field number of each column; rows
/// are read into one reused [`csv::ByteRecord`] and their fields parsed in
/// place (a number with thousands separators is the only field copied).
pub fn parse_tape(path: &Path, text: &str) -> Result<Vec<LoanLine>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::None)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::at(path, 1, None, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(Error::file(
            path,
            "the loan tape is empty (expected a header line)",
        ));
    }

    let mut errors = Vec::new();
    // The field number of each column of TAPE_COLUMNS.
    let mut position = [usize::MAX; TAPE_COLUMNS.len()];
    for (i, h) in headers.iter().enumerate() {
        let name = h.to_ascii_lowercase();
        match TAPE_COLUMNS.iter().position(|c| *c == name) {
            Some(c) => {
                if position[c] != usize::MAX {
                    errors.push(Error::at(
                        path,
                        1,
                        None,
                        format!("column '{h}' appears twice"),
                    ));
                } else {
                    position[c] = i;
                }
            }
            None => errors.push(Error::at(
                path,
                1,
                None,
                format!("unknown column '{h}'; expected {}", TAPE_COLUMNS.join(",")),
            )),
        }
    }
    for (c, name) in TAPE_COLUMNS.iter().enumerate() {
        if position[c] == usize::MAX {
            errors.push(Error::at(path, 1, None, format!("missing column '{name}'")));
        }
    }
    if !errors.is_empty() {
        return Err(Error::collect(errors).unwrap_err());
    }

    // The rows after the header, in pieces read in parallel; every piece's
    // lines and errors come back in the tape's order, and an id is checked
    // against the lines before it in that order, so the lines and every
    // message are the same whatever the thread count.
    let at = reader.position();
    let body = &text.as_bytes()[(at.byte() as usize).min(text.len())..];
    let pieces = row_pieces(body, at.line() as usize);
    let read =
        |&(piece, first): &(&[u8], usize)| read_rows(path, piece, first, headers.len(), &position);
    let read: Vec<Piece> = if pieces.len() == 1 {
        vec![read(&pieces[0])]
    } else {
        pieces.par_iter().map(read).collect()
    };
    let total = read.iter().map(|p| p.lines.len()).sum();
    let mut lines = Vec::with_capacity(total);
    let mut numbers = Vec::with_capacity(total);
    let mut row_errors = Vec::new();
    for mut p in read {
        // A piece's messages keyed by the lines before them in the tape.
        let before = lines.len();
        row_errors.extend(p.errors.into_iter().map(|(k, e)| (before + k, e)));
        lines.append(&mut p.lines);
        numbers.append(&mut p.numbers);
    }
    // Each id against the lines before it, borrowing the ids from the lines.
    let mut first_line_of_id: HashMap<&str, usize, IdHash> =
        HashMap::with_capacity_and_hasher(lines.len(), IdHash);
    let mut reused = Vec::new();
    for (i, (l, &line)) in lines.iter().zip(&numbers).enumerate() {
        match first_line_of_id.entry(l.id.as_str()) {
            Entry::Occupied(first) => reused.push((
                i,
                Error::at(
                    path,
                    line,
                    None,
                    format!(
                        "column 'id': '{}' already used on line {}",
                        l.id,
                        first.get()
                    ),
                ),
            )),
            Entry::Vacant(v) => {
                v.insert(line);
            }
        }
    }
    drop(first_line_of_id);
    if row_errors.is_empty() && reused.is_empty() {
        if lines.is_empty() {
            return Err(Error::file(path, "the loan tape has no loan lines"));
        }
        return Ok(lines);
    }
    // Every message in the tape's order: a row's message is keyed by the
    // lines read before it, a reused id's by its line's place, so a row's
    // comes first where the two are equal.
    errors.extend(merge_in_order(row_errors, reused));
    Err(Error::collect(errors).unwrap_err())
}

/// Two lists of messages, each in the order of its keys, as one in that
/// order (the first list's first where keys are equal).
fn merge_in_order(a: Vec<(usize, Error)>, b: Vec<(usize, Error)>) -> Vec<Error> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.0 <= y.0,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        let next = if take_a { a.next() } else { b.next() };
        out.extend(next.map(|(_, e)| e));
    }
}

/// What reading a piece of the tape gave: its loan lines, the line each is
/// on, and its rows' messages, each with the number of the piece's lines
/// read before it; all in the piece's order.
struct Piece {
    lines: Vec<LoanLine>,
    numbers: Vec<usize>,
    errors: Vec<(usize, Error)>,
}

/// Tapes smaller than this are read in one piece.
const PARALLEL_TAPE_BYTES: usize = 256 * 1024;

/// The rows after the header cut into pieces at line ends, each with the
/// line number its first row is on (`first`: the body's). A tape with a
/// quote anywhere is one piece: a quoted field may hold a line end, and
/// only reading from the top tells which line ends are rows' ends.
fn row_pieces(body: &[u8], first: usize) -> Vec<(&[u8], usize)> {
    let threads = rayon::current_num_threads();
    if body.len() < PARALLEL_TAPE_BYTES || threads < 2 || body.contains(&b'"') {
        return vec![(body, first)];
    }
    let want = threads * 4;
    let size = body.len().div_ceil(want);
    let mut pieces = Vec::with_capacity(want);
    let (mut from, mut line) = (0, first);
    while from < body.len() {
        let to = match body[(from + size).min(body.len())..]
            .iter()
            .position(|&b| b == b'\n')
        {
            Some(i) => from + size + i + 1,
            None => body.len(),
        };
        let piece = &body[from..to];
        pieces.push((piece, line));
        line += piece.iter().filter(|&&b| b == b'\n').count();
        from = to;
    }
    pieces
}

/// Read the rows of one piece of the tape: `first` is the line its first
/// row is on, `width` the header's number of fields, `position` each
/// column's field number.
fn read_rows(
    path: &Path,
    piece: &[u8],
    first: usize,
    width: usize,
    position: &[usize; TAPE_COLUMNS.len()],
) -> Piece {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::None)
        .flexible(true)
        .has_headers(false)
        .from_reader(piece);
    let line_of = |p: Option<&csv::Position>| p.map(|p| p.line() as usize + first - 1).unwrap_or(0);
    let mut out = Piece {
        lines: Vec::with_capacity(piece.len() / 60),
        numbers: Vec::with_capacity(piece.len() / 60),
        errors: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = line_of(e.position());
                out.errors.push((
                    out.lines.len(),
                    Error::at(path, line, None, format!("cannot read the row: {e}")),
                ));
                continue;
            }
        }
        let line = line_of(record.position());
        if record.len() != width {
            if record.iter().all(|f| field(f).is_empty()) {
                continue;
            }
            out.errors.push((
                out.lines.len(),
                Error::at(
                    path,
                    line,
                    None,
                    format!("expected {} fields, found {}", width, record.len()),
                ),
            ));
            continue;
        }
        // Each column's field, trimmed, once (the header has every column
        // once and no others, so each field is one column's).
        let mut fields = [""; TAPE_COLUMNS.len()];
        for (c, f) in fields.iter_mut().enumerate() {
            *f = record.get(position[c]).map(field).unwrap_or("");
        }
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let mut row = Row {
            path,
            line,
            fields: &fields,
            errors: &mut errors,
        };
        let l = row.loan_line();
        out.errors
            .extend(errors.drain(..).map(|e| (out.lines.len(), e)));
        if let Some(l) = l {
            out.lines.push(l);
            out.numbers.push(line);
        }
    }
    out
}

/// A field as text, trimmed. The tape is text, so the bytes between its
/// delimiters are too.
fn field(bytes: &[u8]) -> &str {
    let b = bytes.trim_ascii();
    let text = std::str::from_utf8(b).unwrap_or("");
    match (b.first(), b.last()) {
        // Unicode whitespace is not ASCII: only a non-ASCII end can hold more.
        (Some(f), Some(l)) if !f.is_ascii() || !l.is_ascii() => text.trim(),
        _ => text,
    }
}

/// `p` percent as a fraction: [`percent`], without a division where moving
/// the decimal point two places gives the same number, written the same way.
fn fraction(p: Decimal) -> Decimal {
    // Decimal division by 100 gives the dividend's digits two places
    // further right, or, for a whole number of hundreds at its scale, the
    // hundreds at that scale: so does this (the test checks both ways).
    let m = p.mantissa();
    let (m, k) = if m % 100 == 0 { (m / 100, 0) } else { (m, 2) };
    // Near the limits of the type (28 places, 96 bits) division rounds:
    // leave those to it.
    if p.is_zero() || p.scale() > 16 || m.unsigned_abs() >= 1 << 64 {
        return percent(p);
    }
    Decimal::try_from_i128_with_scale(m, p.scale() + k).unwrap_or_else(|_| percent(p))
}

/// A quick hash for loan ids (short, mostly ASCII strings from one file;
/// a collision only costs a comparison). Deterministic: no random seed.
#[derive(Default, Clone, Copy)]
struct IdHash;

impl std::hash::BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

/// FNV-style multiply-xor over 8-byte words.
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            h = h.rotate_left(29);
        }
        for &b in chunks.remainder() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

/// One row being read: its fields, and where to put what is wrong with them.
struct Row<'a> {
    path: &'a Path,
    line: usize,
    fields: &'a [&'a str; TAPE_COLUMNS.len()],
    errors: &'a mut Vec<Error>,
}

impl<'a> Row<'a> {
    fn get(&self, column: usize) -> &'a str {
        self.fields[column]
    }

    fn bad(&mut self, column: usize, msg: String) {
        self.errors.push(Error::at(
            self.path,
            self.line,
            None,
            format!("column '{}': {msg}", TAPE_COLUMNS[column]),
        ));
    }

    fn text(&mut self, column: usize) -> Option<String> {
        let v = self.get(column);
        if v.is_empty() {
            self.bad(column, "expected a value, found nothing".into());
            None
        } else {
            Some(v.to_string())
        }
    }

    fn decimal(&mut self, column: usize, what: &str) -> Option<Decimal> {
        let v = self.get(column);
        let number = v.strip_suffix('%').unwrap_or(v).trim();
        let parsed = if number.contains(',') {
            Decimal::from_str(&number.replace(',', ""))
        } else {
            Decimal::from_str(number)
        };
        match parsed {
            Ok(d) if !v.is_empty() => Some(d),
            _ => {
                self.bad(column, format!("expected {what}, found '{v}'"));
                None
            }
        }
    }

    fn non_negative(&mut self, column: usize, what: &str) -> Option<Decimal> {
        let d = self.decimal(column, what)?;
        if d < Decimal::ZERO {
            self.bad(
                column,
                format!("expected {what}, found '{}' (negative)", self.get(column)),
            );
            return None;
        }
        Some(d)
    }

    fn months(&mut self, column: usize, min: u32) -> Option<u32> {
        let v = self.get(column);
        match v.parse::<u32>() {
            Ok(n) if n >= min => Some(n),
            _ => {
                self.bad(
                    column,
                    format!("expected a whole number of months of at least {min}, found '{v}'"),
                );
                None
            }
        }
    }

    fn loan_line(&mut self) -> Option<LoanLine> {
        let before = self.errors.len();
        let id = self.text(ID);
        let group = self.text(GROUP);
        let balance = self.non_negative(BALANCE, "a balance in dollars, like 125000.00");
        let gross = self.non_negative(GROSS_COUPON, "a coupon in percent, like 8.0");
        let net = self.non_negative(NET_COUPON, "a coupon in percent, like 7.5");
        let original = self.months(ORIGINAL_TERM, 1);
        let remaining = self.months(REMAINING_TERM, 1);
        if let (Some(o), Some(r)) = (original, remaining)
            && r > o
        {
            self.bad(
                REMAINING_TERM,
                format!("expected at most the original term ({o}), found '{r}'"),
            );
        }
        if let (Some(g), Some(n)) = (gross, net)
            && n > g
        {
            self.bad(
                NET_COUPON,
                format!("expected at most the gross coupon ({g}), found '{n}'"),
            );
        }
        let kind = self.get(TYPE);
        let arm = if kind.eq_ignore_ascii_case("fixed") {
            for c in ARM_COLUMNS {
                let v = self.get(c);
                if !v.is_empty() {
                    self.bad(
                        c,
                        format!("expected nothing for a fixed-rate line, found '{v}'"),
                    );
                }
            }
            None
        } else if kind.eq_ignore_ascii_case("arm") {
            self.arm_terms()
        } else {
            self.bad(TYPE, format!("expected 'fixed' or 'arm', found '{kind}'"));
            None
        };
        if self.errors.len() > before {
            return None;
        }
        Some(LoanLine {
            id: id?,
            group: group?,
            balance: balance?,
            gross_coupon: fraction(gross?),
            net_coupon: fraction(net?),
            original_term: original?,
            remaining_term: remaining?,
            arm,
        })
    }

    fn arm_terms(&mut self) -> Option<ArmTerms> {
        let margin = self.decimal(MARGIN, "a margin in percent, like 5.5");
        let next = self.months(MONTHS_TO_NEXT_RESET, 1);
        let period = self.months(RESET_PERIOD, 1);
        let periodic = self.non_negative(PERIODIC_CAP, "a periodic cap in percent, like 1.0");
        let life_cap = self.non_negative(LIFE_CAP, "a life cap in percent, like 14.5");
        let life_floor = self.non_negative(LIFE_FLOOR, "a life floor in percent, like 7.5");
        if let (Some(c), Some(f)) = (life_cap, life_floor)
            && f > c
        {
            self.bad(
                LIFE_FLOOR,
                format!("expected at most the life cap ({c}), found '{f}'"),
            );
        }
        Some(ArmTerms {
            margin: fraction(margin?),
            months_to_next_reset: next?,
            reset_period: period?,
            periodic_cap: fraction(periodic?),
            life_cap: fraction(life_cap?),
            life_floor: fraction(life_floor?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const HEADER: &str = "id,group,balance,gross_coupon,net_coupon,original_term,remaining_term,type,margin,months_to_next_reset,reset_period,periodic_cap,life_cap,life_floor";

    /// A tape large enough to be read in pieces, with bad rows put on lines
    /// we know (one in the first piece, one that reuses an id from the top,
    /// one near the end, a blank line between): on one thread (one piece) and
    /// on four (sixteen pieces) it reads the same lines and the same
    /// messages, each naming the line it was put on.
    #[test]
    fn a_tape_read_in_pieces_reads_what_one_piece_reads() {
        let mut rows: Vec<String> = (0..8_000)
            .map(|i| {
                if i % 4 == 0 {
                    format!(
                        "L{i},1,{}.25,7.5,7.0,360,{},fixed,,,,,,",
                        100_000 + i,
                        300 + i % 50
                    )
                } else {
                    format!(
                        "L{i},2,{}.50,8.0,7.5,360,340,arm,5.5,{},6,1.0,14.0,8.0",
                        90_000 + i,
                        1 + i % 24
                    )
                }
            })
            .collect();
        // Row i is on line i + 2 (the header is line 1).
        rows[10] = rows[10].replace(",360,", ",36x,");
        rows[6_000] = rows[3].clone();
        rows[7_990] = rows[7_990].replace("arm", "arn");
        rows.insert(5_000, String::new());
        let text = format!("{HEADER}\n{}\n", rows.join("\n"));
        assert!(text.len() > PARALLEL_TAPE_BYTES, "{} bytes", text.len());
        let read = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                assert_eq!(
                    row_pieces(&text.as_bytes()[HEADER.len() + 1..], 2).len() > 1,
                    threads > 1
                );
                match parse_tape(Path::new("t.csv"), &text) {
                    Err(Error::Many(v)) => v.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                    other => panic!("{other:?}"),
                }
            })
        };
        let one = read(1);
        assert_eq!(
            one,
            [
                "t.csv:12: column 'original_term': expected a whole number of months of at least 1, found '36x'",
                // Row 6,000 is on line 6,003 once the blank line is in.
                "t.csv:6003: column 'id': 'L3' already used on line 5",
                "t.csv:7993: column 'type': expected 'fixed' or 'arm', found 'arn'",
            ]
        );
        assert_eq!(read(4), one);
        // Without the bad rows, the same lines either way.
        let good: Vec<String> = text
            .lines()
            .filter(|l| !l.contains("36x") && !l.contains("arn") && !l.is_empty())
            .enumerate()
            .filter(|(i, _)| *i != 6_000)
            .map(|(_, l)| l.to_string())
            .collect();
        let good = good.join("\n");
        let lines = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| parse_tape(Path::new("t.csv"), &good).unwrap())
        };
        let one = lines(1);
        assert_eq!(one.len(), 8_000 - 3);
        assert_eq!(lines(4), one);
    }

    #[test]
    fn fraction_is_percent_written_the_same_way() {
        for t in [
            "0",
            "0.0",
            "8",
            "8.0",
            "6.50",
            "10.20",
            "200",
            "1000",
            "0.10",
            "7.25",
            "13.250",
            "0.001",
            "100",
            "6.125",
            "-1.5",
            "12345.6789",
            "0.0000000000000000000000001",
            "79228162514264337593543950335",
        ] {
            let p = Decimal::from_str(t).unwrap();
            let (a, b) = (fraction(p), percent(p));
            assert_eq!(a, b, "{t}");
            assert_eq!(a.to_string(), b.to_string(), "{t}");
            assert_eq!(a.scale(), b.scale(), "{t}");
        }
        let mut m: i64 = 1;
        for i in 0..20_000i64 {
            m = (m
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407))
                >> 20;
            let mantissa = match i % 4 {
                0 => m % 1_000,
                1 => (m % 1_000) * 100,
                2 => m,
                _ => -(m % 100_000),
            };
            let p = Decimal::new(mantissa, (i % 29) as u32);
            let (a, b) = (fraction(p), percent(p));
            assert_eq!((a, a.to_string()), (b, b.to_string()), "{p}");
        }
    }

    #[test]
    fn fields_are_trimmed_of_unicode_space_as_before() {
        assert_eq!(field(b"  8.5 "), "8.5");
        assert_eq!(field("\u{a0}8.5\u{2003}".as_bytes()), "8.5");
        assert_eq!(field(b""), "");
    }

    #[test]
    fn reads_fixed_and_arm_lines() {
        let text = format!(
            "{HEADER}\nF1,1,1000000.00,8.0,7.5,360,300,fixed,,,,,,\nA1,2,500000,7.25,6.75,360,358,ARM,5.5,22,6,1.0,13.25,7.25\n"
        );
        let lines = parse_tape(Path::new("tape.csv"), &text).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].gross_coupon, dec!(0.08));
        assert_eq!(lines[0].age(), 60);
        assert!(lines[0].arm.is_none());
        let arm = lines[1].arm.as_ref().unwrap();
        assert_eq!(arm.margin, dec!(0.055));
        assert_eq!(arm.life_cap, dec!(0.1325));
        assert_eq!(arm.months_to_next_reset, 22);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_line_and_column() {
        let text = format!(
            "{HEADER}\nF1,1,abc,8.0,7.5,360,300,fixed,,,,,,\nA1,2,500000,7.25,6.75,360,400,arm,,22,6,1.0,13.25,7.25\nX,1,1,8,8,360,360,float,,,,,,\n"
        );
        let err = parse_tape(Path::new("tape.csv"), &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tape.csv:2: column 'balance': expected a balance"),
            "{err}"
        );
        assert!(err.contains("tape.csv:3: column 'remaining_term'"), "{err}");
        assert!(err.contains("tape.csv:3: column 'margin'"), "{err}");
        assert!(
            err.contains("tape.csv:4: column 'type': expected 'fixed' or 'arm', found 'float'"),
            "{err}"
        );
    }

    #[test]
    fn reads_a_tape_file_and_names_it_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loans.csv");
        std::fs::write(
            &path,
            format!("{HEADER}\nF1,1,1000,6,5.5,360,360,fixed,,,,,,\nF1,1,1000,6,5.5,360,360,fixed,5,,,,,\n"),
        )
        .unwrap();
        let err = read_tape(&path).unwrap_err().to_string();
        let name = path.display().to_string();
        assert!(
            err.contains(&format!(
                "{name}:3: column 'margin': expected nothing for a fixed-rate line, found '5'"
            )),
            "{err}"
        );

        std::fs::write(
            &path,
            format!("{HEADER}\nF1,1,1000,6,5.5,360,360,fixed,,,,,,\n"),
        )
        .unwrap();
        let lines = read_tape(&path).unwrap();
        assert_eq!(lines[0].net_coupon, dec!(0.055));
        assert!(read_tape(&dir.path().join("missing.csv")).is_err());
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let text = format!(
            "{HEADER}\nF1,1,1000,6,5.5,360,360,fixed,,,,,,\nF1,1,1000,6,5.5,360,360,fixed,,,,,,\n"
        );
        let err = parse_tape(Path::new("t.csv"), &text)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "t.csv:3: column 'id': 'F1' already used on line 2");
    }

    #[test]
    fn unknown_and_missing_columns_are_refused() {
        let text = "id,group,balance,colour\n";
        let err = parse_tape(Path::new("t.csv"), text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.csv:1: unknown column 'colour'"), "{err}");
        assert!(err.contains("missing column 'gross_coupon'"), "{err}");
    }
}
