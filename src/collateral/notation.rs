//! The market's vector notation for speeds (as Bloomberg and Intex write
//! them): `5 12R 20 24S 10 CPR`.
//!
//! A vector is a list of tokens separated by spaces:
//!
//! - a number is the value for the next period (`5 6 7` is 5, 6 and 7 in
//!   periods 1, 2 and 3);
//! - `nR b` ramps linearly from the previous value to `b` over `n` periods,
//!   in equal steps of `(b − a)/n`: after `a` in some period, `a nR b` gives
//!   `a + (b − a)·i/n` in the `i`-th period after it, so `b` is reached `n`
//!   periods after `a` (`5 12R 20` is 5 in period 1 and 20 in period 13);
//! - `nS` holds the previous value for `n` more periods;
//! - the unit, if any, comes last (`5 12R 20 CPR`), or is written onto the
//!   last number (`5 12R 20CPR`); a single value is written as ever (`6CPR`).
//!
//! The last value persists after the vector ends. The older form `[4, 6, 8]CPR`
//! (commas, brackets, unit after the bracket) is read by the same rules.
//! A vector may run at most [`MAX_VECTOR_PERIODS`] periods, the longest
//! projection.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::speed::SpeedError;

/// Most periods a speed vector may give (the longest projection).
pub const MAX_VECTOR_PERIODS: usize = 600;

/// The largest number a speed may be written with (a curve multiple of a
/// million percent is far past the 100% cap already; the bound keeps a
/// ramp's arithmetic in range).
const MAX_VALUE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// One token of a vector as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A value for one period.
    Value(Decimal),
    /// A linear ramp from the previous value to `to` over `periods` periods.
    Ramp { periods: u32, to: Decimal },
    /// The previous value held for `periods` more periods.
    Hold(u32),
}

/// A speed by projection period (1-based), as written and expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeedVector {
    steps: Vec<Step>,
    values: Vec<Decimal>,
}

impl SpeedVector {
    /// A vector of one value per period, in the order given.
    pub fn from_values(values: &[Decimal]) -> SpeedVector {
        SpeedVector {
            steps: values.iter().map(|&v| Step::Value(v)).collect(),
            values: values.to_vec(),
        }
    }

    /// The value of every period the vector gives, period 1 first.
    pub fn values(&self) -> &[Decimal] {
        &self.values
    }

    /// The tokens as written.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Periods the vector gives (the last value persists after them).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value for projection period `period` (1-based); past the end, the
    /// last value; zero for an empty vector.
    pub fn at(&self, period: u32) -> Decimal {
        match self.values.len() {
            0 => Decimal::ZERO,
            n => self.values[(period.max(1) as usize - 1).min(n - 1)],
        }
    }

    /// The vector in the market notation, followed by `unit`:
    /// `5 12R 20 24S 10 CPR` (the older `[4, 6, 8]CPR` is shown `4 6 8 CPR`,
    /// which has no comma to upset a CSV file).
    pub fn display_with(&self, unit: &str) -> String {
        let tokens: Vec<String> = self.steps.iter().map(Step::to_string).collect();
        format!("{} {unit}", tokens.join(" "))
    }
}

/// What a speed's text says: its values, the unit written (upper case), and
/// whether it was a single value (`6CPR`, `6 CPR`, `6`) rather than a vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub vector: SpeedVector,
    pub unit: Option<String>,
    pub single: bool,
}

/// A token classified.
enum Token {
    Number(Decimal),
    NumberUnit(Decimal, String),
    Ramp(u32),
    Hold(u32),
    Word(String),
    Other,
}

fn classify(t: &str) -> Result<Token, SpeedError> {
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (number, letters) = t.split_at(split);
    if !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return Ok(Token::Other);
    }
    let letters = letters.to_ascii_uppercase();
    if number.is_empty() {
        return Ok(if letters.is_empty() {
            Token::Other
        } else {
            Token::Word(letters)
        });
    }
    let Some(v) = parse_number(number) else {
        return Ok(Token::Other);
    };
    let periods = |what: &str| {
        whole(v).ok_or_else(|| {
            SpeedError(format!(
                "{what} runs a whole number of periods from 1 to {MAX_VECTOR_PERIODS}, found \"{t}\""
            ))
        })
    };
    Ok(match letters.as_str() {
        "" => Token::Number(v),
        "R" => Token::Ramp(periods("a ramp")?),
        "S" => Token::Hold(periods("a hold")?),
        _ => Token::NumberUnit(v, letters),
    })
}

/// `v` as a whole number of periods from 1 to [`MAX_VECTOR_PERIODS`], if it is one.
fn whole(v: Decimal) -> Option<u32> {
    if !v.fract().is_zero() || v < Decimal::ONE || v > Decimal::from(MAX_VECTOR_PERIODS) {
        return None;
    }
    v.to_u32()
}

fn parse_number(s: &str) -> Option<Decimal> {
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
    {
        return None;
    }
    Decimal::from_str(s).ok().map(|d| d.normalize())
}

/// Read a speed's text. `expected` is the message for text that is not a
/// speed at all (`fast`, `CPR`), `what` names the kind of speed
/// ("prepayment", "default") for the negative-number message.
pub fn parse(s: &str, expected: &str, what: &str) -> Result<Written, SpeedError> {
    let text = s.trim();
    let not_a_speed = || SpeedError(format!("{expected}, found '{text}'"));
    let (body, bracket_unit) = match text.strip_prefix('[') {
        Some(rest) => {
            let close = rest.find(']').ok_or_else(not_a_speed)?;
            let unit = rest[close + 1..].trim();
            if !unit.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(not_a_speed());
            }
            (
                rest[..close].replace(',', " "),
                Some(unit.to_ascii_uppercase()),
            )
        }
        None => (text.to_string(), None),
    };
    let tokens: Vec<&str> = body.split_whitespace().collect();
    if tokens.is_empty() {
        if let Some(unit) = bracket_unit.filter(|u| !u.is_empty()) {
            return Err(SpeedError(format!(
                "a {unit} vector needs at least one value, like [6, 8, 10]{unit} or 6 8 10 {unit}"
            )));
        }
        return Err(not_a_speed());
    }
    let mut steps: Vec<Step> = Vec::new();
    let mut values: Vec<Decimal> = Vec::new();
    let mut unit: Option<String> = None;
    // The ramp token waiting for the value it reaches.
    let mut ramp: Option<(u32, &str)> = None;
    let negative = || {
        SpeedError(format!(
            "a {what} speed must not be negative, found '{text}'"
        ))
    };
    let room = |have: usize, more: u32, token: &str| {
        let total = have as u64 + more as u64;
        if total > MAX_VECTOR_PERIODS as u64 {
            Err(SpeedError(format!(
                "a speed vector may run at most {MAX_VECTOR_PERIODS} periods (the longest projection); \"{token}\" takes '{text}' to {total}"
            )))
        } else {
            Ok(())
        }
    };
    for (i, &token) in tokens.iter().enumerate() {
        let prev = if i > 0 { tokens[i - 1] } else { "" };
        if let Some(u) = &unit {
            return Err(SpeedError(format!(
                "the unit {u} goes after the last value, found \"{token}\" after it in '{text}'"
            )));
        }
        let classified = classify(token)?;
        if i == 0 && !matches!(classified, Token::Number(_) | Token::NumberUnit(..)) {
            return Err(match classified {
                Token::Ramp(_) | Token::Hold(_) => SpeedError(format!(
                    "a speed vector starts with a number, found \"{token}\" in '{text}'"
                )),
                _ => not_a_speed(),
            });
        }
        match classified {
            Token::Number(v) | Token::NumberUnit(v, _) => {
                if v.is_sign_negative() && !v.is_zero() {
                    return Err(negative());
                }
                if v > MAX_VALUE {
                    return Err(SpeedError(format!(
                        "a speed is at most {MAX_VALUE} (percent or multiple), found \"{token}\" in '{text}'"
                    )));
                }
                match ramp.take() {
                    Some((n, _)) => {
                        room(values.len(), n, token)?;
                        let a = *values.last().expect("a ramp follows a value");
                        for k in 1..n {
                            values.push(a + (v - a) * Decimal::from(k) / Decimal::from(n));
                        }
                        values.push(v);
                        steps.push(Step::Ramp { periods: n, to: v });
                    }
                    None => {
                        room(values.len(), 1, token)?;
                        values.push(v);
                        steps.push(Step::Value(v));
                    }
                }
                if let Token::NumberUnit(_, u) = classified {
                    unit = Some(u);
                }
            }
            Token::Ramp(_) | Token::Hold(_) if ramp.is_some() => {
                return Err(SpeedError(format!(
                    "\"{prev}\" must be followed by the value it ramps to, found \"{token}\" in '{text}'"
                )));
            }
            Token::Ramp(n) => ramp = Some((n, token)),
            Token::Hold(n) => {
                room(values.len(), n, token)?;
                let a = *values.last().expect("a hold follows a value");
                values.extend(std::iter::repeat_n(a, n as usize));
                steps.push(Step::Hold(n));
            }
            // A word is the unit when it is a unit's name or the last token
            // (whose name the caller checks); in brackets the unit goes after
            // the bracket.
            Token::Word(w)
                if bracket_unit.is_none()
                    && (is_unit(&w) || (i + 1 == tokens.len() && ramp.is_none())) =>
            {
                if ramp.is_some() {
                    return Err(SpeedError(format!(
                        "\"{prev}\" must be followed by the value it ramps to, found \"{token}\" in '{text}'"
                    )));
                }
                unit = Some(w);
            }
            Token::Word(_) | Token::Other => {
                return Err(SpeedError(format!(
                    "expected a number or nR/nS after \"{prev}\", found \"{token}\""
                )));
            }
        }
    }
    if let Some((_, token)) = ramp {
        return Err(SpeedError(format!(
            "\"{token}\" needs the value the ramp reaches after it, like '5 12R 20', in '{text}'"
        )));
    }
    if let Some(u) = bracket_unit {
        if unit.is_some() {
            return Err(not_a_speed());
        }
        if !u.is_empty() {
            unit = Some(u);
        }
    }
    let single = steps.len() == 1 && tokens.len() <= 2;
    Ok(Written {
        vector: SpeedVector { steps, values },
        unit,
        single,
    })
}

/// The units a speed may be written in (prepayment and default).
pub const UNITS: [&str; 9] = [
    "CPR", "SMM", "PSA", "PPC", "ABS", "HEP", "CDR", "MDR", "SDA",
];

fn is_unit(w: &str) -> bool {
    UNITS.contains(&w)
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Value(v) => write!(f, "{}", v.normalize()),
            Step::Ramp { periods, to } => write!(f, "{periods}R {}", to.normalize()),
            Step::Hold(n) => write!(f, "{n}S"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn p(s: &str) -> Result<Written, SpeedError> {
        parse(s, "expected a speed", "prepayment")
    }

    #[test]
    fn ramp_hold_and_new_segment() {
        // 5, ramp to 20 over 12 periods (periods 1-13), hold 20 for 24 more
        // (periods 14-37), then 10 from period 38.
        let w = p("5 12R 20 24S 10").unwrap();
        assert_eq!(w.unit, None);
        assert!(!w.single);
        let v = w.vector.values();
        assert_eq!(v.len(), 13 + 24 + 1);
        assert_eq!(v[0], dec!(5));
        assert_eq!(v[1], dec!(6.25));
        assert_eq!(v[12], dec!(20));
        assert_eq!(v[13], dec!(20));
        assert_eq!(v[36], dec!(20));
        assert_eq!(v[37], dec!(10));
        assert_eq!(w.vector.at(500), dec!(10));
        assert_eq!(w.vector.display_with("CPR"), "5 12R 20 24S 10 CPR");
    }

    #[test]
    fn units_go_last_or_on_the_last_number() {
        let a = p("5 12R 20 CPR").unwrap();
        let b = p("5 12r 20cpr").unwrap();
        assert_eq!(a.unit.as_deref(), Some("CPR"));
        assert_eq!(a, b);
        let s = p("6CPR").unwrap();
        assert!(s.single);
        assert_eq!(s.vector.values(), &[dec!(6)]);
        assert!(p("6.5 cpr").unwrap().single);
        assert!(p("6").unwrap().single);
        let old = p("[4, 6,8]cpr").unwrap();
        assert!(!old.single);
        assert_eq!(old.vector.values(), &[dec!(4), dec!(6), dec!(8)]);
        assert_eq!(old.vector.display_with("CPR"), "4 6 8 CPR");
        assert_eq!(old.vector, p("4 6 8").unwrap().vector);
    }

    #[test]
    fn errors_say_where() {
        let e = |s: &str| p(s).unwrap_err().to_string();
        assert_eq!(
            e("5 12R x"),
            "expected a number or nR/nS after \"12R\", found \"x\""
        );
        assert!(
            e("12R 5").contains("starts with a number"),
            "{}",
            e("12R 5")
        );
        assert!(e("5 12R").contains("needs the value"), "{}", e("5 12R"));
        assert!(
            e("5 12R 6S").contains("must be followed"),
            "{}",
            e("5 12R 6S")
        );
        assert!(e("5 0R 6").contains("from 1 to 600"), "{}", e("5 0R 6"));
        assert!(e("5 2.5S").contains("whole number"), "{}", e("5 2.5S"));
        assert!(e("5 CPR 6").contains("goes after"), "{}", e("5 CPR 6"));
        assert!(e("5 -6").contains("negative"), "{}", e("5 -6"));
        assert!(
            e("0 599R 79228162514264337593543950335").contains("at most 1000000"),
            "{}",
            e("0 599R 79228162514264337593543950335")
        );
        assert!(p("5000 PSA").is_ok());
        assert_eq!(e("fast"), "expected a speed, found 'fast'");
        assert!(e("[]CPR").contains("at least one value"));
    }

    #[test]
    fn longer_than_600_periods_is_refused() {
        // 1 + 599 = 600 periods is the most; one more is refused, and a huge
        // hold is refused without being expanded.
        assert_eq!(p("5 599S").unwrap().vector.len(), 600);
        let e = p("5 600S").unwrap_err().to_string();
        assert!(
            e.contains("at most 600 periods") && e.contains("601"),
            "{e}"
        );
        let e = p("5 4000000000S").unwrap_err().to_string();
        assert!(e.contains("from 1 to 600"), "{e}");
        let e = p("1 599R 2 3").unwrap_err().to_string();
        assert!(e.contains("\"3\"") && e.contains("601"), "{e}");
    }
}
