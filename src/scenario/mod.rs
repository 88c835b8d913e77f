//! Scenarios: prepayment, default, severity, recovery lag, advancing, the
//! LIBOR path and whether the clean-up call is exercised. A scenario file
//! holds one scenario, a grid (the cartesian product of value lists) or a list
//! of named scenarios; grids are expanded one scenario at a time, never held.

mod file;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::collateral::{Assumptions, Defaults, PpcCurves, Prepay, Ramp};
use crate::error::{Error, Result};
use crate::num::percent;
use crate::tomlfile::{Amount, Source, Spanned};
use file::{CounterpartySection, LiborSection, RampSection, ScenarioFile};

/// Most scenarios one file may define (a grid is generated lazily, but its
/// output grows with it).
pub const MAX_SCENARIOS: usize = 10_000_000;

/// Longest vector (months) a LIBOR path may give (speeds: [`crate::collateral::MAX_VECTOR_PERIODS`]).
pub const MAX_VECTOR_MONTHS: usize = 600;

/// The one-month LIBOR path.
#[derive(Debug, Clone, PartialEq)]
pub enum Libor {
    /// A flat rate (fraction).
    Flat(Decimal),
    /// Rates by projection month (fractions); the last carries forward.
    Vector(Vec<Decimal>),
    /// The filing's fixing plus a shift (fraction).
    Filing { shift: Decimal },
}

impl Libor {
    /// LIBOR for projection month `month` (1-based), given the filing's fixing.
    pub fn at(&self, month: u32, filing: Decimal) -> Decimal {
        match self {
            Libor::Flat(r) => *r,
            Libor::Vector(v) => v[(month.max(1) as usize - 1).min(v.len() - 1)],
            Libor::Filing { shift } => filing + shift,
        }
    }

    pub fn describe(&self) -> String {
        let pct = |d: Decimal| (d * Decimal::ONE_HUNDRED).normalize().to_string();
        match self {
            Libor::Flat(r) => format!("{}%", pct(*r)),
            // The whole path when it is short; else its ends.
            Libor::Vector(v) if v.len() <= 6 => format!(
                "vector {}%",
                v.iter().map(|r| pct(*r)).collect::<Vec<_>>().join(" ")
            ),
            Libor::Vector(v) => format!(
                "vector of {} months {}% .. {}%",
                v.len(),
                pct(v[0]),
                pct(v[v.len() - 1])
            ),
            Libor::Filing { shift } if shift.is_zero() => "filing".to_string(),
            Libor::Filing { shift } => format!(
                "filing{}{}%",
                if shift.is_sign_negative() { "" } else { "+" },
                pct(*shift)
            ),
        }
    }
}

/// The derivatives' counterparty defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CounterpartyDefault {
    /// The projection month it defaults in (1 is the first projected
    /// distribution): from then on no swap or cap pays or receives.
    pub month: u32,
    /// The termination payment the trust owes under each swap, due in that month.
    pub termination_payment: Decimal,
}

/// One scenario, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub assumptions: Assumptions,
    pub libor: Libor,
    /// Exercise the clean-up call on the first date it is allowed.
    pub call: bool,
    /// The derivatives' counterparty defaults (by default it never does).
    pub counterparty_default: Option<CounterpartyDefault>,
}

impl Scenario {
    /// Whether the counterparty has defaulted by projection month `month`,
    /// and the termination payment that comes due in it.
    pub fn counterparty_at(&self, month: u32) -> (bool, Decimal) {
        match self.counterparty_default {
            Some(c) if month >= c.month => (
                true,
                if month == c.month {
                    c.termination_payment
                } else {
                    Decimal::ZERO
                },
            ),
            _ => (false, Decimal::ZERO),
        }
    }
}

/// The columns that say which scenario a row is of: its name and every
/// assumption a scenario of a file can set differently from another (the
/// PPC ramps are the same for all of a file's scenarios).
pub const COLUMNS: [&str; SCENARIO_COLUMNS] = [
    "name",
    "prepay",
    "default",
    "severity",
    "lag",
    "advancing",
    "libor",
    "call",
    "counterparty_default",
    "termination_payment",
];

/// How many [`COLUMNS`] there are.
pub const SCENARIO_COLUMNS: usize = 10;

/// Which of [`COLUMNS`] hold names or speeds rather than figures or flags.
pub const TEXT_COLUMNS: [bool; SCENARIO_COLUMNS] = [
    true, true, true, false, false, false, true, false, false, false,
];

impl Scenario {
    /// The scenario as [`COLUMNS`]: name, prepay, default, severity %, lag,
    /// advancing, LIBOR, call (flags as `yes` or `no`), and the month the
    /// counterparty defaults in and the termination payment then due (to
    /// the cent; both empty when it never defaults).
    pub fn columns(&self) -> [String; SCENARIO_COLUMNS] {
        let a = &self.assumptions;
        let flag = |b: bool| if b { "yes" } else { "no" }.to_string();
        let (month, termination) = match &self.counterparty_default {
            Some(c) => (c.month.to_string(), format!("{:.2}", c.termination_payment)),
            None => (String::new(), String::new()),
        };
        [
            self.name.clone(),
            a.prepay.to_string(),
            a.defaults.to_string(),
            (a.severity * Decimal::ONE_HUNDRED).normalize().to_string(),
            a.lag.to_string(),
            flag(a.advancing),
            self.libor.describe(),
            flag(self.call),
            month,
            termination,
        ]
    }
}

/// The grid's value lists, each already validated.
#[derive(Debug, Clone)]
struct Grid {
    prepay: Vec<Prepay>,
    defaults: Vec<Defaults>,
    severity: Vec<Decimal>,
    lag: Vec<u32>,
    shift: Vec<Decimal>,
    call: Vec<bool>,
}

#[derive(Debug, Clone)]
enum Shape {
    Single,
    Grid(Grid),
    List(Vec<Scenario>),
}

/// The scenarios of one file.
#[derive(Debug, Clone)]
pub struct ScenarioSet {
    pub path: PathBuf,
    pub name: String,
    pub description: Option<String>,
    base: Scenario,
    shape: Shape,
}

impl ScenarioSet {
    pub fn load(path: &Path) -> Result<ScenarioSet> {
        Self::from_source(Source::read(path)?)
    }

    /// A scenario file's text (`path` names it in messages).
    pub fn from_text(path: &Path, text: &str) -> Result<ScenarioSet> {
        Self::from_source(Source {
            path: path.to_path_buf(),
            text: text.to_string(),
        })
    }

    fn from_source(src: Source) -> Result<ScenarioSet> {
        let path = &src.path.clone();
        let f: ScenarioFile = src.parse()?;
        let mut r = Resolver {
            src: &src,
            errors: Vec::new(),
        };
        let set = r.set(f);
        Error::collect(r.errors)?;
        let Some(set) = set else {
            return Err(Error::file(path, "the file defines no scenario"));
        };
        if set.is_empty() {
            return Err(Error::file(
                path,
                "the file defines no scenario: a grid needs at least one value in every list it gives",
            ));
        }
        if set.len() > MAX_SCENARIOS {
            return Err(Error::file(
                path,
                format!(
                    "the file defines {} scenarios; at most {} a run (split the grid)",
                    set.len(),
                    crate::format::dollars(Decimal::from(MAX_SCENARIOS as u64))
                ),
            ));
        }
        Ok(set)
    }

    pub fn len(&self) -> usize {
        match &self.shape {
            Shape::Single => 1,
            Shape::List(l) => l.len(),
            Shape::Grid(g) => [
                g.prepay.len(),
                g.defaults.len(),
                g.severity.len(),
                g.lag.len(),
                g.shift.len(),
                g.call.len(),
            ]
            .iter()
            .try_fold(1usize, |a, &n| a.checked_mul(n))
            .unwrap_or(usize::MAX),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Scenario `i` (0-based), in file order; a grid varies its last list fastest
    /// (prepay, default, severity, lag, LIBOR shift, call).
    pub fn get(&self, i: usize) -> Scenario {
        match &self.shape {
            Shape::Single => self.base.clone(),
            Shape::List(l) => l[i].clone(),
            Shape::Grid(g) => {
                let mut rest = i;
                let mut pick = |n: usize| {
                    let k = rest % n;
                    rest /= n;
                    k
                };
                let call = g.call[pick(g.call.len())];
                let shift = g.shift[pick(g.shift.len())];
                let lag = g.lag[pick(g.lag.len())];
                let severity = g.severity[pick(g.severity.len())];
                let defaults = g.defaults[pick(g.defaults.len())].clone();
                let prepay = g.prepay[pick(g.prepay.len())].clone();
                let mut s = self.base.clone();
                s.assumptions.prepay = prepay;
                s.assumptions.defaults = defaults;
                s.assumptions.severity = severity;
                s.assumptions.lag = lag;
                s.libor = match s.libor {
                    Libor::Flat(r) => Libor::Flat(r + shift),
                    Libor::Vector(v) => Libor::Vector(v.into_iter().map(|r| r + shift).collect()),
                    Libor::Filing { shift: base } => Libor::Filing {
                        shift: base + shift,
                    },
                };
                s.call = call;
                s.name = format!("{} #{}", self.name, i + 1);
                s
            }
        }
    }

    /// The file's only scenario; an error for a grid or list of several.
    pub fn single(&self) -> Result<Scenario> {
        match self.len() {
            1 => Ok(self.get(0)),
            n => Err(Error::file(
                &self.path,
                format!(
                    "this file defines {n} scenarios; `project` runs one (use `waterfall grid` for several)"
                ),
            )),
        }
    }
}

struct Resolver<'a> {
    src: &'a Source,
    errors: Vec<Error>,
}

impl Resolver<'_> {
    fn err<T>(&mut self, s: &Spanned<T>, msg: impl Into<String>) {
        self.errors.push(self.src.error(s.span(), msg));
    }

    /// A prepayment speed (a vector's length is checked by the notation).
    fn prepay(&mut self, s: &Spanned<String>) -> Option<Prepay> {
        match Prepay::from_str(s.get_ref()) {
            Ok(p) => Some(p),
            Err(e) => {
                self.err(s, e.to_string());
                None
            }
        }
    }

    fn defaults(&mut self, s: &Spanned<String>) -> Option<Defaults> {
        match Defaults::from_str(s.get_ref()) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(s, e.to_string());
                None
            }
        }
    }

    fn severity(&mut self, s: &Spanned<Amount>) -> Decimal {
        let v = s.get_ref().0;
        if v < Decimal::ZERO || v > Decimal::ONE_HUNDRED {
            self.err(
                s,
                format!("severity is a percentage from 0 to 100, found {v}"),
            );
        }
        percent(v.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED))
    }

    fn lag(&mut self, s: &Spanned<i64>) -> u32 {
        let v = *s.get_ref();
        if !(0..=360).contains(&v) {
            self.err(
                s,
                format!("the recovery lag is a number of months from 0 to 360, found {v}"),
            );
        }
        v.clamp(0, 360) as u32
    }

    fn rate(&mut self, s: &Spanned<LiborSection>, v: Decimal, what: &str) -> Decimal {
        if v < Decimal::from(-5) || v > Decimal::from(50) {
            self.err(
                s,
                format!("{what} must be a percentage between -5 and 50, found {v}"),
            );
        }
        percent(v)
    }

    fn libor(&mut self, s: &Spanned<LiborSection>) -> Libor {
        let l = s.get_ref();
        match (l.flat, l.vector.is_empty(), l.filing, l.shift) {
            (Some(r), true, None, None) => Libor::Flat(self.rate(s, r.0, "a LIBOR rate")),
            (None, false, None, None) => {
                if l.vector.len() > MAX_VECTOR_MONTHS {
                    self.err(s, format!("a LIBOR vector of {} months is longer than the longest projection ({MAX_VECTOR_MONTHS} months)", l.vector.len()));
                }
                Libor::Vector(l.vector.iter().map(|r| percent(r.0)).collect::<Vec<_>>())
                    .validated(self, s)
            }
            (None, true, Some(true), shift) => Libor::Filing {
                shift: shift
                    .map(|x| self.rate(s, x.0, "a LIBOR shift"))
                    .unwrap_or_default(),
            },
            _ => {
                self.err(
                    s,
                    "libor is one of { flat = \"1.12\" }, { vector = [\"1.12\", \"1.25\", ...] } or { filing = true, shift = \"0.50\" }",
                );
                Libor::Filing {
                    shift: Decimal::ZERO,
                }
            }
        }
    }

    fn ramp(&mut self, r: &Option<Spanned<RampSection>>, default: Ramp) -> Ramp {
        let Some(span) = r else { return default };
        let r = span.get_ref();
        let pct_ok = |d: Decimal| d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED;
        if r.months == 0 || !pct_ok(r.start.0) || !pct_ok(r.end.0) {
            self.err(
                span,
                format!(
                    "a PPC ramp needs CPRs from 0 to 100 and at least one month, found start = {}, end = {}, months = {}",
                    r.start.0, r.end.0, r.months
                ),
            );
        }
        Ramp {
            start_cpr: r.start.0,
            end_cpr: r.end.0,
            months: r.months.max(1),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn apply(
        &mut self,
        s: &mut Scenario,
        prepay: &Option<Spanned<String>>,
        default: &Option<Spanned<String>>,
        severity: &Option<Spanned<Amount>>,
        lag: &Option<Spanned<i64>>,
        advancing: Option<bool>,
        libor: &Option<Spanned<LiborSection>>,
        call: Option<bool>,
        counterparty: &Option<Spanned<CounterpartySection>>,
    ) {
        if let Some(p) = prepay.as_ref().and_then(|p| self.prepay(p)) {
            s.assumptions.prepay = p;
        }
        if let Some(d) = default.as_ref().and_then(|d| self.defaults(d)) {
            s.assumptions.defaults = d;
        }
        if let Some(v) = severity {
            s.assumptions.severity = self.severity(v);
        }
        if let Some(l) = lag {
            s.assumptions.lag = self.lag(l);
        }
        if let Some(a) = advancing {
            s.assumptions.advancing = a;
        }
        if let Some(l) = libor {
            s.libor = self.libor(l);
        }
        if let Some(c) = call {
            s.call = c;
        }
        if let Some(c) = counterparty {
            s.counterparty_default = self.counterparty(c);
        }
    }

    fn counterparty(&mut self, s: &Spanned<CounterpartySection>) -> Option<CounterpartyDefault> {
        let c = s.get_ref();
        if !(1..=crate::projection::MAX_MONTHS as i64).contains(&c.month) {
            self.err(
                s,
                format!(
                    "counterparty_default.month is a projection month from 1 to {}, found {}",
                    crate::projection::MAX_MONTHS,
                    c.month
                ),
            );
            return None;
        }
        let termination = c.termination_payment.map(|a| a.0).unwrap_or_default();
        if termination.is_sign_negative()
            || termination > crate::deal::MAX_BALANCE
            || termination.normalize().scale() > 2
        {
            self.err(
                s,
                format!(
                    "counterparty_default.termination_payment is an amount to the cent from 0 to 10^13 the trust owes, found {termination}"
                ),
            );
            return None;
        }
        Some(CounterpartyDefault {
            month: c.month as u32,
            termination_payment: termination,
        })
    }

    fn set(&mut self, f: ScenarioFile) -> Option<ScenarioSet> {
        let sets_nothing = f.prepay.is_none()
            && f.default.is_none()
            && f.severity.is_none()
            && f.lag.is_none()
            && f.advancing.is_none()
            && f.libor.is_none()
            && f.call.is_none()
            && f.counterparty_default.is_none()
            && f.ppc.is_none()
            && f.grid.is_none()
            && f.scenario.is_empty();
        if sets_nothing {
            self.errors.push(Error::file(
                &self.src.path,
                "the file defines no scenario: set at least one assumption (prepay, default, ...), a [grid] or [[scenario]] entries",
            ));
            return None;
        }
        let name = f.name.clone().unwrap_or_else(|| {
            self.src
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "scenario".into())
        });
        let mut base = Scenario {
            name: name.clone(),
            assumptions: Assumptions {
                prepay: Prepay::Ppc(Decimal::ONE_HUNDRED),
                defaults: Defaults::Cdr(Decimal::ZERO),
                severity: Decimal::ZERO,
                lag: 12,
                advancing: true,
                ppc: PpcCurves::default(),
            },
            libor: Libor::Filing {
                shift: Decimal::ZERO,
            },
            call: true,
            counterparty_default: None,
        };
        if let Some(p) = &f.ppc {
            let defaults = PpcCurves::default();
            base.assumptions.ppc = PpcCurves {
                fixed: self.ramp(&p.get_ref().fixed, defaults.fixed),
                arm: self.ramp(&p.get_ref().arm, defaults.arm),
            };
        }
        self.apply(
            &mut base,
            &f.prepay,
            &f.default,
            &f.severity,
            &f.lag,
            f.advancing,
            &f.libor,
            f.call,
            &f.counterparty_default,
        );
        if f.severity.is_none()
            && f.grid.as_ref().is_none_or(|g| {
                g.get_ref()
                    .severity
                    .as_ref()
                    .is_none_or(|l| l.get_ref().is_empty())
            })
            && !zero_defaults(&base.assumptions.defaults)
        {
            let at = f.default.as_ref().map(|d| d.span()).unwrap_or(0..0);
            self.errors.push(self.src.error(
                at,
                "a default speed needs a `severity` (percent of the defaulted balance lost)",
            ));
        }
        let shape = if let Some(g) = &f.grid {
            if !f.scenario.is_empty() {
                self.err(g, "a file holds a [grid] or [[scenario]] entries, not both");
            }
            let gs = g.get_ref();
            // An absent list keeps the base value; a list given empty leaves
            // the grid with no scenario, which is refused.
            let mut empty = |name: &str, span: std::ops::Range<usize>| {
                self.errors.push(self.src.error(
                    span,
                    format!("grid.{name} is empty: list at least one value, or leave it out"),
                ));
            };
            for (name, span, len) in [
                (
                    "prepay",
                    gs.prepay.as_ref().map(|l| l.span()),
                    gs.prepay.as_ref().map(|l| l.get_ref().len()),
                ),
                (
                    "default",
                    gs.default.as_ref().map(|l| l.span()),
                    gs.default.as_ref().map(|l| l.get_ref().len()),
                ),
                (
                    "severity",
                    gs.severity.as_ref().map(|l| l.span()),
                    gs.severity.as_ref().map(|l| l.get_ref().len()),
                ),
                (
                    "lag",
                    gs.lag.as_ref().map(|l| l.span()),
                    gs.lag.as_ref().map(|l| l.get_ref().len()),
                ),
                (
                    "libor_shift",
                    gs.libor_shift.as_ref().map(|l| l.span()),
                    gs.libor_shift.as_ref().map(|l| l.get_ref().len()),
                ),
                (
                    "call",
                    gs.call.as_ref().map(|l| l.span()),
                    gs.call.as_ref().map(|l| l.get_ref().len()),
                ),
            ] {
                if let (Some(span), Some(0)) = (span, len) {
                    empty(name, span);
                }
            }
            let prepay = match &gs.prepay {
                None => vec![base.assumptions.prepay.clone()],
                Some(l) => l.get_ref().iter().filter_map(|p| self.prepay(p)).collect(),
            };
            let defaults = match &gs.default {
                None => vec![base.assumptions.defaults.clone()],
                Some(l) => l
                    .get_ref()
                    .iter()
                    .filter_map(|d| self.defaults(d))
                    .collect(),
            };
            let severity = match &gs.severity {
                None => vec![base.assumptions.severity],
                Some(l) => l.get_ref().iter().map(|s| self.severity(s)).collect(),
            };
            let lag = match &gs.lag {
                None => vec![base.assumptions.lag],
                Some(l) => l.get_ref().iter().map(|l| self.lag(l)).collect(),
            };
            let shift: Vec<Decimal> = match &gs.libor_shift {
                None => vec![Decimal::ZERO],
                Some(l) => l
                    .get_ref()
                    .iter()
                    .map(|x| {
                        let v = x.get_ref().0;
                        if v.abs() > Decimal::from(20) {
                            self.err(
                                x,
                                format!(
                                    "a LIBOR shift is a percentage between -20 and 20, found {v}"
                                ),
                            );
                        }
                        percent(v)
                    })
                    .collect(),
            };
            let call = match &gs.call {
                None => vec![base.call],
                Some(l) => l.get_ref().clone(),
            };
            Shape::Grid(Grid {
                prepay,
                defaults,
                severity,
                lag,
                shift,
                call,
            })
        } else if !f.scenario.is_empty() {
            let mut list = Vec::new();
            for s in &f.scenario {
                let n = s.get_ref();
                let mut sc = base.clone();
                sc.name = n.name.clone();
                self.apply(
                    &mut sc,
                    &n.prepay,
                    &n.default,
                    &n.severity,
                    &n.lag,
                    n.advancing,
                    &n.libor,
                    n.call,
                    &n.counterparty_default,
                );
                if n.severity.is_none()
                    && f.severity.is_none()
                    && !zero_defaults(&sc.assumptions.defaults)
                {
                    self.err(
                        s,
                        format!("scenario \"{}\" has defaults but no `severity`", n.name),
                    );
                }
                list.push(sc);
            }
            Shape::List(list)
        } else {
            Shape::Single
        };
        Some(ScenarioSet {
            path: self.src.path.clone(),
            name,
            description: f.description,
            base,
            shape,
        })
    }
}

fn zero_defaults(d: &Defaults) -> bool {
    d.is_zero()
}

impl Libor {
    fn validated(self, r: &mut Resolver, s: &Spanned<LiborSection>) -> Libor {
        if let Libor::Vector(v) = &self {
            for x in v {
                if *x < Decimal::new(-5, 2) || *x > Decimal::new(50, 2) {
                    r.err(
                        s,
                        format!(
                            "a LIBOR rate must be between -5 and 50 percent, found {}",
                            x * Decimal::ONE_HUNDRED
                        ),
                    );
                    break;
                }
            }
        }
        self
    }
}
