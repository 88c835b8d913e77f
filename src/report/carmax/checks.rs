//! The certificate's own arithmetic, redone from its printed figures.
//!
//! [`checks()`] (one certificate) and [`sequence_checks`] (a deal's months in
//! order) return one [`Check`] per relation the certificate states or implies:
//! its "sum a - h" rows and `Ln` formulas, the pool roll-forward, each class's
//! balance less its principal, the ratios it prints (compared at the printed
//! decimals), the pool factors against the original class balances, the
//! agreement of every figure printed twice, and from one month to the next the
//! balances carried forward and the cumulative figures accumulated.
//!
//! Each check names its figures by row key, `.2` marking a row's second
//! figure (8a.2 is the ending A-1 balance, 74a.1 the count of 31-60 day
//! delinquencies), `prev` a figure of the previous certificate.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::{Certificate, layout};
use crate::error::{Error, Result};
use crate::format;

/// How the two sides of a check must compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Relation {
    Equal,
    /// Left at most right.
    AtMost,
    /// Left at least right.
    AtLeast,
}

impl Relation {
    /// Whether `left relation right`.
    fn holds(self, left: Decimal, right: Decimal) -> bool {
        match self {
            Relation::Equal => left == right,
            Relation::AtMost => left <= right,
            Relation::AtLeast => left >= right,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Relation::Equal => "=",
            Relation::AtMost => "<=",
            Relation::AtLeast => ">=",
        }
    }
}

/// A figure a check uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cited {
    pub file: PathBuf,
    /// The row key as printed (`"8a"`).
    pub key: String,
    /// 0-based slot of the row.
    pub slot: usize,
    pub line: usize,
    pub value: Decimal,
}

/// One relation between printed figures, evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The relation by row keys, and what it is about:
    /// `"11 = 5 - 8i.2 (overcollateralization: pool less notes)"`.
    pub name: String,
    pub relation: Relation,
    /// The printed side (usually one figure).
    pub left: Decimal,
    /// What the other figures make it; rounded (half away from zero) to the
    /// left side's printed decimals when it has more.
    pub right: Decimal,
    /// Decimals the two sides are compared at.
    pub decimals: u32,
    /// The right side was rounded to compare (a ratio, or a figure printed
    /// with fewer decimals than its parts): a change below the printed
    /// precision cannot show.
    pub rounded: bool,
    /// Left side figures, then right side figures.
    pub figures: Vec<Cited>,
    /// Figures the check needs that are not printed; a check with any
    /// cannot be made and does not hold.
    pub missing: Vec<String>,
}

impl Check {
    pub fn holds(&self) -> bool {
        self.missing.is_empty() && self.relation.holds(self.left, self.right)
    }

    /// Left less right.
    pub fn difference(&self) -> Decimal {
        self.left - self.right
    }

    /// Does the check use the figure in slot `slot` of row `key` (`"8a"`)
    /// of `file`?
    pub fn cites(&self, file: &Path, key: &str, slot: usize) -> bool {
        self.figures
            .iter()
            .any(|c| c.file == file && c.key == key && c.slot == slot)
    }
}

fn shown(d: Decimal) -> String {
    format::fixed(d, d.scale())
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.missing.is_empty() {
            return write!(
                f,
                "cannot check {}: {} not printed",
                self.name,
                self.missing.join(", ")
            );
        }
        if self.holds() {
            return write!(f, "holds {}", self.name);
        }
        let cited: Vec<String> = self
            .figures
            .iter()
            .map(|c| {
                let file = c
                    .file
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default();
                let name = Ref {
                    prev: false,
                    key: c.key.as_str().into(),
                    slot: c.slot,
                };
                format!("{name} {file}:{}", c.line)
            })
            .collect();
        write!(
            f,
            "FAILS {}: {} {} {}, difference {} ({})",
            self.name,
            shown(self.left),
            match self.relation {
                Relation::Equal => "against",
                Relation::AtMost => "above",
                Relation::AtLeast => "below",
            },
            shown(self.right),
            shown(self.difference()),
            cited.join(", ")
        )
    }
}

/// Original class balances of the deals whose terms are known (from
/// docs/carmax-terms.md), in row 8's order.
const ORIGINALS: &[(&str, [(&str, u64); 8])] = &[
    (
        "2024-2",
        [
            ("A-1", 309_000_000),
            ("A-2a", 410_000_000),
            ("A-2b", 125_000_000),
            ("A-3", 535_000_000),
            ("A-4", 88_790_000),
            ("B", 50_790_000),
            ("C", 48_370_000),
            ("D", 33_050_000),
        ],
    ),
    (
        "2025-2",
        [
            ("A-1", 283_200_000),
            ("A-2a", 350_000_000),
            ("A-2b", 161_510_000),
            ("A-3", 452_100_000),
            ("A-4", 89_000_000),
            ("B", 28_920_000),
            ("C", 21_160_000),
            ("D", 14_110_000),
        ],
    ),
];

/// The original class balances of a CarMax trust whose terms are known
/// ("CarMax Auto Owner Trust 2024-2" and 2025-2).
pub fn known_originals(trust: &str) -> Option<Vec<(&'static str, Decimal)>> {
    let t = trust.to_lowercase();
    let series = t.strip_prefix("carmax auto owner trust ")?.trim();
    ORIGINALS
        .iter()
        .find(|(s, _)| *s == series)
        .map(|(_, classes)| {
            classes
                .iter()
                .map(|(c, b)| (*c, Decimal::from(*b)))
                .collect()
        })
}

/// The checks of one certificate, the pool factors against the trust's
/// known original balances ([`known_originals`]; none if it is not known).
pub fn checks(c: &Certificate) -> Vec<Check> {
    checks_with(c, known_originals(&c.trust).as_deref())
}

/// The checks of [`checks`] that fail, and only those: a check that holds
/// is summed and compared but never named.
pub fn failed_checks(c: &Certificate) -> Vec<Check> {
    build(c, known_originals(&c.trust).as_deref(), true)
}

/// A figure of a certificate: row key and 0-based slot, of this certificate
/// or (`prev`) of the one before.
#[derive(Debug, Clone)]
struct Ref {
    prev: bool,
    key: Key,
    slot: usize,
}

/// A row key (`"8a"`, `"81"`): held in place when it is short, as every key
/// the layout has is (the checks name a few hundred figures a certificate).
#[derive(Clone)]
enum Key {
    Inline { bytes: [u8; 15], len: u8 },
    Long(Box<str>),
}

impl std::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            // Copied from a `&str` whole, with a char pushed after: UTF-8.
            Key::Inline { bytes, len } => {
                std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default()
            }
            Key::Long(s) => s,
        }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

impl From<&str> for Key {
    fn from(text: &str) -> Key {
        let mut bytes = [0u8; 15];
        match bytes.get_mut(..text.len()) {
            Some(b) => {
                b.copy_from_slice(text.as_bytes());
                Key::Inline {
                    bytes,
                    len: text.len() as u8,
                }
            }
            None => Key::Long(text.into()),
        }
    }
}

fn r(key: impl Into<Key>) -> Ref {
    Ref {
        prev: false,
        key: key.into(),
        slot: 0,
    }
}

fn r2(key: impl Into<Key>) -> Ref {
    Ref { slot: 1, ..r(key) }
}

fn prev(mut x: Ref) -> Ref {
    x.prev = true;
    x
}

fn plus(x: Ref) -> (bool, Ref) {
    (false, x)
}

fn minus(x: Ref) -> (bool, Ref) {
    (true, x)
}

fn all(refs: impl IntoIterator<Item = Ref>) -> Vec<(bool, Ref)> {
    refs.into_iter().map(plus).collect()
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prev {
            f.write_str("prev ")?;
        }
        f.write_str(&self.key)?;
        if layout::spec(&self.key).is_some_and(|s| s.slots.len() > 1) {
            write!(f, ".{}", self.slot + 1)?;
        }
        Ok(())
    }
}

/// Write a signed sum of figures: `5 - 8i.2 + prev 11`.
fn write_formula(out: &mut String, terms: &[(bool, Ref)]) {
    use std::fmt::Write;
    for (i, (neg, x)) in terms.iter().enumerate() {
        match (i, neg) {
            (0, false) => {}
            (0, true) => out.push('-'),
            (_, false) => out.push_str(" + "),
            (_, true) => out.push_str(" - "),
        }
        let _ = write!(out, "{x}");
    }
}

fn formula(terms: &[(bool, Ref)]) -> String {
    let mut s = String::new();
    write_formula(&mut s, terms);
    s
}

/// `right` at `decimals` decimals (half away from zero) where it has more:
/// how a check compares a worked-out side with a printed one.
fn rounded_to(right: Decimal, decimals: u32) -> Decimal {
    if right.scale() > decimals {
        right.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
    } else {
        right
    }
}

/// A check's right side over its terms: a signed sum, or a ratio.
enum Den {
    Figure(Ref),
    Constant(Decimal, String),
}

struct Builder<'a> {
    cur: &'a Certificate,
    prev: Option<&'a Certificate>,
    out: Vec<Check>,
    /// Keep only the checks that fail.
    failures_only: bool,
}

/// A side's figures, summed: `(sum, decimals, cited, missing)`.
type Side = (Decimal, u32, Vec<Cited>, Vec<String>);

impl Builder<'_> {
    /// The certificate figure `x` names (this month's or the one before's)
    /// and the certificate it is on, if printed.
    fn lookup(&self, x: &Ref) -> Option<(&Certificate, &super::Value)> {
        let cert = if x.prev { self.prev? } else { self.cur };
        Some((cert, cert.value(&x.key, x.slot)?))
    }

    /// A side's sum and decimals, `None` if a figure is not printed: what
    /// [`Builder::side`] works out, without the figures it cites.
    fn sum_of(&self, terms: &[(bool, Ref)]) -> Option<(Decimal, u32)> {
        terms
            .iter()
            .try_fold((Decimal::ZERO, 0), |(sum, decimals), (neg, x)| {
                let p = self.lookup(x)?.1.printed;
                let value = if *neg { -p.value } else { p.value };
                Some((sum + value, decimals.max(p.decimals)))
            })
    }

    fn side(&self, terms: &[(bool, Ref)]) -> Side {
        let mut sum = Decimal::ZERO;
        let mut decimals = 0;
        let mut cited = Vec::new();
        let mut missing = Vec::new();
        for (neg, x) in terms {
            match self.lookup(x) {
                Some((c, v)) => {
                    let value = v.printed.value;
                    sum += if *neg { -value } else { value };
                    decimals = decimals.max(v.printed.decimals);
                    cited.push(Cited {
                        file: c.path.clone(),
                        key: x.key.to_string(),
                        slot: x.slot,
                        line: v.printed.line,
                        value,
                    });
                }
                None => missing.push(x.to_string()),
            }
        }
        (sum, decimals, cited, missing)
    }

    fn push(
        &mut self,
        name: String,
        relation: Relation,
        left: Side,
        right: Decimal,
        mut right_cited: Vec<Cited>,
        mut missing: Vec<String>,
    ) {
        let (left, decimals, mut figures, left_missing) = left;
        let rounded = right.scale() > decimals;
        let right = rounded_to(right, decimals);
        figures.append(&mut right_cited);
        let mut all_missing = left_missing;
        all_missing.append(&mut missing);
        let (left, right) = if all_missing.is_empty() {
            (left, right)
        } else {
            (Decimal::ZERO, Decimal::ZERO)
        };
        let check = Check {
            name,
            relation,
            left,
            right,
            decimals,
            rounded,
            figures,
            missing: all_missing,
        };
        // A ratio with a figure missing and the checks made by hand come
        // here whole: the same filter as `compare`'s and `ratio`'s.
        if !(self.failures_only && check.holds()) {
            self.out.push(check);
        }
    }

    /// `left relation right`, both signed sums of figures.
    fn compare(
        &mut self,
        about: &str,
        left: &[(bool, Ref)],
        relation: Relation,
        right: &[(bool, Ref)],
    ) {
        if self.failures_only
            && let (Some((l, decimals)), Some((r, _))) = (self.sum_of(left), self.sum_of(right))
            && relation.holds(l, rounded_to(r, decimals))
        {
            return;
        }
        let mut name = String::with_capacity(64);
        write_formula(&mut name, left);
        name.push(' ');
        name.push_str(relation.symbol());
        name.push(' ');
        write_formula(&mut name, right);
        name.push_str(" (");
        name.push_str(about);
        name.push(')');
        let l = self.side(left);
        let (sum, _, cited, missing) = self.side(right);
        self.push(name, relation, l, sum, cited, missing);
    }

    /// `left = right`, a figure against a signed sum.
    fn sum(&mut self, about: &str, left: Ref, right: &[(bool, Ref)]) {
        self.compare(about, &[plus(left)], Relation::Equal, right);
    }

    /// `left = num / den`, compared at the left figure's printed decimals.
    /// Left out where the denominator is zero.
    fn ratio(&mut self, about: &str, left: Ref, num: &[(bool, Ref)], den: Den) {
        // Only failures wanted: a ratio that holds, or has a zero
        // denominator, is worked out without naming it or citing its
        // figures. One with a figure missing is a failure, built whole.
        if self.failures_only {
            let d = match &den {
                Den::Figure(x) => self.sum_of(&[plus(x.clone())]).map(|(d, _)| d),
                Den::Constant(d, _) => Some(*d),
            };
            if let (Some((n, _)), Some(d), Some((l, decimals))) =
                (self.sum_of(num), d, self.sum_of(&[plus(left.clone())]))
            {
                let value = n.checked_div(d).unwrap_or_default();
                if d.is_zero() || Relation::Equal.holds(l, rounded_to(value, decimals)) {
                    return;
                }
            }
        }
        let (n, _, mut cited, mut missing) = self.side(num);
        let (d, den_text) = match den {
            Den::Figure(x) => {
                let (d, _, mut c, mut m) = self.side(&[plus(x.clone())]);
                cited.append(&mut c);
                missing.append(&mut m);
                (d, x.to_string())
            }
            Den::Constant(d, text) => (d, text),
        };
        if missing.is_empty() && d.is_zero() {
            return;
        }
        let num_text = if num.len() > 1 {
            format!("({})", formula(num))
        } else {
            formula(num)
        };
        let name = format!("{left} = {num_text} / {den_text} ({about})");
        let l = self.side(&[plus(left)]);
        let value = if missing.is_empty() {
            n.checked_div(d).unwrap_or_default()
        } else {
            Decimal::ZERO
        };
        self.push(name, Relation::Equal, l, value, cited, missing);
    }
}

/// The classes in row 8's order: (letter in rows 8, 9, 45a-h and 46, letter
/// of the principal in 45, row of the interest block and its four letters).
const CLASSES: [(char, char, &str, [char; 4]); 8] = [
    ('a', 'i', "29", ['a', 'b', 'c', 'd']),
    ('b', 'j', "29", ['e', 'f', 'g', 'h']),
    ('c', 'k', "29", ['i', 'j', 'k', 'l']),
    ('d', 'l', "29", ['m', 'n', 'o', 'p']),
    ('e', 'm', "29", ['q', 'r', 's', 't']),
    ('f', 'n', "31", ['a', 'b', 'c', 'd']),
    ('g', 'o', "33", ['a', 'b', 'c', 'd']),
    ('h', 'p', "35", ['a', 'b', 'c', 'd']),
];

fn key(number: &str, letter: char) -> Key {
    let mut buf = [0u8; 4];
    let letter = letter.encode_utf8(&mut buf);
    let mut k = Key::from(number);
    match &mut k {
        Key::Inline { bytes, len } if *len as usize + letter.len() <= bytes.len() => {
            let at = *len as usize;
            bytes[at..at + letter.len()].copy_from_slice(letter.as_bytes());
            *len += letter.len() as u8;
            k
        }
        _ => Key::Long(format!("{number}{letter}").into()),
    }
}

/// The checks of one certificate, the pool factors against `originals`
/// (class name, original balance; the factors are not checked without).
pub fn checks_with(c: &Certificate, originals: Option<&[(&str, Decimal)]>) -> Vec<Check> {
    build(c, originals, false)
}

fn build(
    c: &Certificate,
    originals: Option<&[(&str, Decimal)]>,
    failures_only: bool,
) -> Vec<Check> {
    let mut b = Builder {
        cur: c,
        prev: None,
        out: Vec::new(),
        failures_only,
    };
    let letters = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    // Row 8: the note balances foot, and each class ends at its beginning
    // less its principal.
    b.sum(
        "note balance, beginning",
        r("8i"),
        &all(letters.map(|l| r(key("8", l)))),
    );
    b.sum(
        "note balance, ending",
        r2("8i"),
        &all(letters.map(|l| r2(key("8", l)))),
    );
    for (l, p, ..) in CLASSES {
        b.sum(
            "ending balance = beginning less principal",
            r2(key("8", l)),
            &[plus(r(key("8", l))), minus(r(key("45", p)))],
        );
    }
    b.sum(
        "pool roll-forward",
        r("5"),
        &[plus(r("1")), minus(r("2")), minus(r("3")), minus(r("4"))],
    );
    b.sum(
        "overcollateralization: pool less notes",
        r("11"),
        &[plus(r("5")), minus(r2("8i"))],
    );
    // Collections.
    b.sum(
        "finance charge collections",
        r("17d"),
        &all(["17a", "17b", "17c"].map(r)),
    );
    b.sum(
        "principal collections",
        r("18d"),
        &all(["18a", "18b", "18c"].map(r)),
    );
    b.sum(
        "recoveries are the liquidation proceeds",
        r2("77"),
        &all(["17b", "18b"].map(r)),
    );
    b.sum("total collections", r("19"), &all(["17d", "18d"].map(r)));
    b.sum(
        "available collections",
        r("22"),
        &all(["19", "20", "21"].map(r)),
    );
    b.sum("available funds", r("25"), &all(["23", "24"].map(r)));
    // Fees.
    b.sum(
        "servicing fee shortfall",
        r("26d"),
        &[plus(r("26a")), plus(r("26b")), minus(r("26c"))],
    );
    b.sum(
        "successor servicer shortfall",
        r("28c"),
        &[plus(r("28a")), minus(r("28b"))],
    );
    b.sum(
        "asset representations reviewer shortfall",
        r("28f"),
        &[plus(r("28d")), minus(r("28e"))],
    );
    b.sum(
        "servicer's withdrawal: fee paid and advances reimbursed",
        r("44a"),
        &all(["26c", "27"].map(r)),
    );
    // Interest: each class's total; 29s is in A-4's sum only where printed.
    for (_, _, block, [a, bb, cc, total]) in CLASSES {
        let mut parts = vec![plus(r(key(block, a))), plus(r(key(block, bb)))];
        if c.row(&key(block, cc)).is_some() || cc != 's' {
            parts.push(plus(r(key(block, cc))));
        }
        b.sum("class note interest", r(key(block, total)), &parts);
    }
    // Required payment amount: the fee, the capped expenses, the interest
    // totals and the four principal tiers.
    let mut required = all(["26a", "26b", "28a", "28d"].map(r));
    for (_, _, block, [.., total]) in CLASSES {
        required.push(plus(r(key(block, total))));
    }
    required.extend(all(["30", "32", "34", "36"].map(r)));
    b.sum("required payment amount", r("37"), &required);
    // Principal paid is the distributable amounts when funds cover them.
    b.compare(
        "principal paid = principal distributable amounts (Available Funds covered them)",
        &all(CLASSES.map(|(_, p, ..)| r(key("45", p)))),
        Relation::Equal,
        &all(["30", "32", "34", "36", "39"].map(r)),
    );
    // Accounts.
    b.sum(
        "collection account deposits",
        r("43e"),
        &all(["43a", "43b", "43c", "43d"].map(r)),
    );
    b.sum(
        "collection account withdrawals",
        r("44f"),
        &all(["44a", "44b", "44c", "44d", "44e"].map(r)),
    );
    b.sum(
        "collection account: withdrawals = deposits",
        r("44f"),
        &[plus(r("43e"))],
    );
    b.sum(
        "note payment account deposits",
        r("45q"),
        &all(('a'..='p').map(|l| r(key("45", l)))),
    );
    b.sum(
        "note payment account withdrawals",
        r("46i"),
        &all(letters.map(|l| r(key("46", l)))),
    );
    for (l, p, ..) in CLASSES {
        b.sum(
            "class distribution = interest + principal",
            r(key("46", l)),
            &[plus(r(key("45", l))), plus(r(key("45", p)))],
        );
    }
    b.sum(
        "reserve before deposit",
        r("53"),
        &[plus(r("50")), plus(r("51")), minus(r("52"))],
    );
    b.sum(
        "reserve ending balance",
        r("57"),
        &[
            plus(r("53")),
            plus(r("54")),
            minus(r("55a")),
            minus(r("55b")),
            minus(r("56")),
        ],
    );
    b.sum(
        "reserve decrease",
        r("58"),
        &[plus(r("50")), minus(r("57"))],
    );
    // Delinquencies and losses.
    b.sum(
        "delinquent receivables",
        r("74e"),
        &all(['a', 'b', 'c', 'd'].map(|l| r(key("74", l)))),
    );
    b.sum(
        "delinquent balance",
        r2("74e"),
        &all(['a', 'b', 'c', 'd'].map(|l| r2(key("74", l)))),
    );
    b.ratio(
        "delinquency percent",
        r("74f"),
        &[plus(r2("74e"))],
        Den::Figure(r("5")),
    );
    b.sum("net losses", r("78"), &[plus(r2("76")), minus(r2("77"))]);
    b.ratio(
        "net loss ratio",
        r("79"),
        &[plus(r("78"))],
        Den::Figure(r("1")),
    );
    b.sum(
        "cumulative net losses",
        r("82"),
        &[plus(r2("80")), minus(r2("81"))],
    );
    b.ratio(
        "cumulative net loss ratio",
        r("83"),
        &[plus(r("82"))],
        Den::Figure(r("7")),
    );
    b.ratio(
        "average net loss per defaulted receivable",
        r("84"),
        &[plus(r("82"))],
        Den::Figure(r("80")),
    );
    b.ratio(
        "extension ratio",
        r("87"),
        &[plus(r("85"))],
        Den::Figure(r("86")),
    );
    // Pool factors.
    if let Some(originals) = originals {
        let mut total = Decimal::ZERO;
        for l in letters {
            let k = key("9", l);
            let Some(class) = layout::spec(&k).map(|s| s.class) else {
                continue;
            };
            let Some((_, o)) = originals.iter().find(|(n, _)| *n == class) else {
                continue;
            };
            total += *o;
            let den = || Den::Constant(*o, format!("{} ({class} original)", format::dollars(*o)));
            b.ratio(
                "pool factor, beginning",
                r(k.clone()),
                &[plus(r(key("8", l)))],
                den(),
            );
            b.ratio(
                "pool factor, ending",
                r2(k.clone()),
                &[plus(r2(key("8", l)))],
                den(),
            );
        }
        let den = || {
            Den::Constant(
                total,
                format!("{} (all notes' original)", format::dollars(total)),
            )
        };
        b.ratio(
            "note pool factor, beginning",
            r("9i"),
            &[plus(r("8i"))],
            den(),
        );
        b.ratio(
            "note pool factor, ending",
            r2("9i"),
            &[plus(r2("8i"))],
            den(),
        );
    }
    same_figures(&mut b);
    b.out
}

/// Every figure path printed more than once: each later print against the
/// first, the less precise one on the left.
fn same_figures(b: &mut Builder<'_>) {
    let cur = b.cur;
    let mut by_path: BTreeMap<&str, Vec<Ref>> = BTreeMap::new();
    let mut order = Vec::new();
    for row in &cur.rows {
        for v in &row.values {
            if let (Some(path), Some(slot)) = (v.path.as_deref(), v.slot) {
                let refs = by_path.entry(path).or_default();
                if refs.is_empty() {
                    order.push(path);
                }
                // A row printed twice is one print.
                let key = row.layout_key();
                if !refs.iter().any(|x| x.key == key && x.slot == slot) {
                    refs.push(Ref {
                        prev: false,
                        key: key.into(),
                        slot,
                    });
                }
            }
        }
    }
    for path in order {
        let refs = &by_path[path];
        let Some(first) = refs.first() else { continue };
        for later in &refs[1..] {
            let decimals = |x: &Ref| cur.value(&x.key, x.slot).map_or(0, |v| v.printed.decimals);
            let (l, rt) = if decimals(first) < decimals(later) {
                (first.clone(), later.clone())
            } else {
                (later.clone(), first.clone())
            };
            b.sum(&format!("the same figure, {path}"), l, &[plus(rt)]);
        }
    }
}

/// The checks between consecutive certificates of one deal, given in
/// distribution order: balances carried forward (notes, factors, pool,
/// reserve), the initial pool unchanged, cumulative defaults, recoveries and
/// net losses accumulated, unpaid fees and interest carried in.
///
/// The cumulative *count* of receivables with recoveries (81.1) counts a
/// receivable once however many months it recovers in, so it is checked to
/// lie between last month's count and that count plus this month's (77.1),
/// not to equal the sum.
///
/// Errors (naming the file) if the certificates are not of one trust or not
/// in increasing order of distribution date.
pub fn sequence_checks(certs: &[Certificate]) -> Result<Vec<Check>> {
    let mut out = Vec::new();
    for pair in certs.windows(2) {
        out.append(&mut sequence_pair(&pair[0], &pair[1])?);
    }
    Ok(out)
}

/// The continuity checks of one month's certificate `c` against the month
/// before, `p` (see [`sequence_checks`]).
pub fn sequence_pair(p: &Certificate, c: &Certificate) -> Result<Vec<Check>> {
    sequence_pair_with(p, c, false)
}

/// The checks of [`sequence_pair`] that fail, and only those.
pub fn failed_sequence_pair(p: &Certificate, c: &Certificate) -> Result<Vec<Check>> {
    sequence_pair_with(p, c, true)
}

fn sequence_pair_with(p: &Certificate, c: &Certificate, failures_only: bool) -> Result<Vec<Check>> {
    {
        if !p.trust.eq_ignore_ascii_case(&c.trust) {
            return Err(Error::file(
                &c.path,
                format!(
                    "is a certificate of \"{}\", the one before of \"{}\": not one deal",
                    c.trust, p.trust
                ),
            ));
        }
        match (p.distribution_date(), c.distribution_date()) {
            (Some(a), Some(b)) if b > a => {}
            (a, b) => {
                let show =
                    |d: Option<chrono::NaiveDate>| d.map_or("none".to_string(), |d| d.to_string());
                return Err(Error::file(
                    &c.path,
                    format!(
                        "distribution date {} does not follow the previous certificate's ({}, {})",
                        show(b),
                        show(a),
                        p.path.display()
                    ),
                ));
            }
        }
        let mut b = Builder {
            cur: c,
            prev: Some(p),
            out: Vec::new(),
            failures_only,
        };
        for l in ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
            b.sum(
                "note balance carried forward",
                r(key("8", l)),
                &[plus(prev(r2(key("8", l))))],
            );
            b.sum(
                "pool factor carried forward",
                r(key("9", l)),
                &[plus(prev(r2(key("9", l))))],
            );
        }
        b.sum(
            "pool balance carried forward",
            r("1"),
            &[plus(prev(r("5")))],
        );
        b.sum(
            "initial pool balance unchanged",
            r("7"),
            &[plus(prev(r("7")))],
        );
        b.sum(
            "reserve balance carried forward",
            r("50"),
            &[plus(prev(r("57")))],
        );
        b.sum(
            "cumulative defaulted receivables",
            r("80"),
            &[plus(prev(r("80"))), plus(r("76"))],
        );
        b.sum(
            "cumulative defaults",
            r2("80"),
            &[plus(prev(r2("80"))), plus(r2("76"))],
        );
        b.sum(
            "cumulative recoveries",
            r2("81"),
            &[plus(prev(r2("81"))), plus(r2("77"))],
        );
        b.compare(
            "receivables with recoveries: at most last month's and this month's",
            &[plus(r("81"))],
            Relation::AtMost,
            &[plus(prev(r("81"))), plus(r("77"))],
        );
        b.compare(
            "receivables with recoveries: at least last month's",
            &[plus(r("81"))],
            Relation::AtLeast,
            &[plus(prev(r("81")))],
        );
        b.sum(
            "cumulative net losses",
            r("82"),
            &[plus(prev(r("82"))), plus(r("78"))],
        );
        b.sum(
            "unpaid servicing fee carried in",
            r("26b"),
            &[plus(prev(r("26d")))],
        );
        for (l, _, block, [_, carry, _, total]) in CLASSES {
            b.sum(
                "additional note interest: last month's interest due less paid",
                r(key(block, carry)),
                &[
                    plus(prev(r(key(block, total)))),
                    minus(prev(r(key("45", l)))),
                ],
            );
        }
        Ok(b.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_as_written_short_or_long() {
        assert_eq!(&*key("8", 'a'), "8a");
        assert_eq!(&*key("81", 'é'), "81é");
        assert_eq!(&*Key::from("45"), "45");
        assert_eq!(&*Key::from(""), "");
        let long = "a-row-key-longer-than-fifteen";
        assert_eq!(&*Key::from(long), long);
        assert_eq!(&*key("12345678901234", 'é'), "12345678901234é");
        let k = key("8", 'a');
        assert!(k == "8a" && !(k == "8"));
        assert_eq!(r2("8i").to_string(), "8i.2");
    }
}
