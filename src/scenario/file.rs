//! Scenario files as written: serde types that mirror `scenarios/*.toml`.

use serde::Deserialize;

use crate::tomlfile::{Amount, Spanned};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub name: Option<String>,
    pub description: Option<String>,
    pub prepay: Option<Spanned<String>>,
    pub default: Option<Spanned<String>>,
    pub severity: Option<Spanned<Amount>>,
    pub lag: Option<Spanned<i64>>,
    pub advancing: Option<bool>,
    pub libor: Option<Spanned<LiborSection>>,
    pub call: Option<bool>,
    pub counterparty_default: Option<Spanned<CounterpartySection>>,
    pub ppc: Option<Spanned<PpcSection>>,
    pub grid: Option<Spanned<GridSection>>,
    #[serde(default)]
    pub scenario: Vec<Spanned<NamedSection>>,
}

/// One of `{ flat = "1.12" }`, `{ vector = ["1.12", ...] }`, `{ filing = true, shift = "0.50" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiborSection {
    pub flat: Option<Amount>,
    #[serde(default)]
    pub vector: Vec<Amount>,
    pub filing: Option<bool>,
    pub shift: Option<Amount>,
}

/// `{ month = 24, termination_payment = "2500000" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterpartySection {
    pub month: i64,
    pub termination_payment: Option<Amount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RampSection {
    pub start: Amount,
    pub end: Amount,
    pub months: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PpcSection {
    pub fixed: Option<Spanned<RampSection>>,
    pub arm: Option<Spanned<RampSection>>,
}

/// The cartesian product of value lists.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridSection {
    pub prepay: Option<Spanned<Vec<Spanned<String>>>>,
    pub default: Option<Spanned<Vec<Spanned<String>>>>,
    pub severity: Option<Spanned<Vec<Spanned<Amount>>>>,
    pub lag: Option<Spanned<Vec<Spanned<i64>>>>,
    /// Shifts of the filing's LIBOR fixing, percent.
    pub libor_shift: Option<Spanned<Vec<Spanned<Amount>>>>,
    pub call: Option<Spanned<Vec<bool>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedSection {
    pub name: String,
    pub prepay: Option<Spanned<String>>,
    pub default: Option<Spanned<String>>,
    pub severity: Option<Spanned<Amount>>,
    pub lag: Option<Spanned<i64>>,
    pub advancing: Option<bool>,
    pub libor: Option<Spanned<LiborSection>>,
    pub call: Option<bool>,
    pub counterparty_default: Option<Spanned<CounterpartySection>>,
}
