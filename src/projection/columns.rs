//! The per-period tables of a projection (`classes.csv`, `collateral.csv`,
//! `deal.csv`), column by column: each table's columns (a name and what it
//! holds) and each row's cells, in one place. The CSV writers
//! ([`super::output`]) and the Python package's Arrow tables both read them,
//! so a column added here is in both, in the same place.

use chrono::NaiveDate;

use super::{PeriodRecord, Projection};
use crate::deal::Deal;
use crate::num::Num;
use crate::report::filing::slug;

/// What a column holds, and so how a file writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A whole number (the period).
    Int,
    Date,
    /// A name (a class's, a group's).
    Text,
    Bool,
    /// Money: written to the cent.
    Amount,
    /// A rate or ratio, as a fraction: written to ten places.
    Rate,
}

/// One cell of a row, before it is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a, T> {
    Int(u32),
    Date(NaiveDate),
    Text(&'a str),
    Bool(bool),
    Amount(T),
    Rate(T),
}

impl<T> Cell<'_, T> {
    /// The unit of the column the cell belongs in.
    pub fn unit(&self) -> Unit {
        match self {
            Cell::Int(_) => Unit::Int,
            Cell::Date(_) => Unit::Date,
            Cell::Text(_) => Unit::Text,
            Cell::Bool(_) => Unit::Bool,
            Cell::Amount(_) => Unit::Amount,
            Cell::Rate(_) => Unit::Rate,
        }
    }
}

/// `classes.csv`: a row per period and class.
pub const CLASS_COLUMNS: [(&str, Unit); 11] = [
    ("period", Unit::Int),
    ("date", Unit::Date),
    ("class", Unit::Text),
    ("beginning_balance", Unit::Amount),
    ("rate", Unit::Rate),
    ("interest", Unit::Amount),
    ("principal", Unit::Amount),
    ("writedown", Unit::Amount),
    ("ending_balance", Unit::Amount),
    ("interest_shortfall", Unit::Amount),
    ("net_wac_carryover", Unit::Amount),
];

/// Class `k`'s row of period `r`.
pub fn class_row<'a, T: Num>(
    p: &'a Projection,
    r: &PeriodRecord<T>,
    k: usize,
) -> [Cell<'a, T>; 11] {
    let f = &r.result.classes[k];
    [
        Cell::Int(r.month),
        Cell::Date(r.input.date),
        Cell::Text(&p.deal.classes[k].name),
        Cell::Amount(f.beginning),
        Cell::Rate(f.rate),
        Cell::Amount(f.interest_distribution()),
        Cell::Amount(f.principal),
        Cell::Amount(f.writedown),
        Cell::Amount(f.ending),
        Cell::Amount(f.interest_shortfall()),
        Cell::Amount(f.basis_due - f.basis_paid),
    ]
}

/// `collateral.csv`: a row per period and loan group.
pub const COLLATERAL_COLUMNS: [(&str, Unit); 13] = [
    ("period", Unit::Int),
    ("date", Unit::Date),
    ("group", Unit::Text),
    ("beginning_balance", Unit::Amount),
    ("scheduled_principal", Unit::Amount),
    ("prepayments", Unit::Amount),
    ("liquidation_proceeds", Unit::Amount),
    ("repurchases", Unit::Amount),
    ("realized_loss", Unit::Amount),
    ("interest", Unit::Amount),
    ("ending_balance", Unit::Amount),
    ("in_foreclosure", Unit::Amount),
    ("net_wac", Unit::Rate),
];

/// Group `g`'s row of period `r`.
pub fn collateral_row<'a, T: Num>(
    p: &'a Projection,
    r: &PeriodRecord<T>,
    g: usize,
) -> [Cell<'a, T>; 13] {
    let c = &r.input.groups[g];
    let end = &r.groups[g];
    [
        Cell::Int(r.month),
        Cell::Date(r.input.date),
        Cell::Text(&p.deal.groups[g].name),
        Cell::Amount(c.beginning_balance),
        Cell::Amount(c.scheduled_principal),
        Cell::Amount(c.prepayments),
        Cell::Amount(c.liquidation_proceeds),
        Cell::Amount(c.repurchases),
        Cell::Amount(c.realized_loss),
        Cell::Amount(c.interest),
        Cell::Amount(end.ending_balance),
        Cell::Amount(end.in_foreclosure),
        Cell::Rate(c.net_wac),
    ]
}

/// `deal.csv`'s columns: the deal's state per period, then a column for
/// each of the deal's triggers, carried accounts, named quantities and
/// named steps, and whether the call was exercised.
pub fn deal_columns(deal: &Deal) -> Vec<(String, Unit)> {
    let fixed = |names: &[&str], unit: Unit| {
        names
            .iter()
            .map(move |n| (n.to_string(), unit))
            .collect::<Vec<_>>()
    };
    let mut cols = vec![
        ("period".to_string(), Unit::Int),
        ("date".to_string(), Unit::Date),
        ("index".to_string(), Unit::Rate),
    ];
    cols.extend(fixed(
        &[
            "pool_beginning",
            "pool_ending",
            "principal_remittance",
            "interest_remittance",
            "realized_loss",
            "fees",
            "distributed",
        ],
        Unit::Amount,
    ));
    if deal.oc.is_some() {
        cols.extend(fixed(
            &["oc_beginning", "oc_target", "oc_ending", "oc_deficiency"],
            Unit::Amount,
        ));
    }
    cols.push(("delinquency_rate".into(), Unit::Rate));
    cols.push(("cumulative_loss".into(), Unit::Amount));
    cols.extend(fixed(&["stepdown", "trigger_event"], Unit::Bool));
    cols.extend(deal.triggers.iter().map(|t| (slug(&t.name), Unit::Bool)));
    cols.extend(
        deal.accounts
            .iter()
            .filter(|a| a.carried())
            .map(|a| (format!("{}_balance", slug(&a.name)), Unit::Amount)),
    );
    cols.extend(deal.quantities.iter().map(|q| (q.name.clone(), Unit::Rate)));
    cols.extend(
        deal.steps
            .iter()
            .filter_map(|s| s.name.clone())
            .map(|n| (n, Unit::Amount)),
    );
    cols.push(("called".into(), Unit::Bool));
    cols
}

/// Period `r`'s row of `deal.csv` into `row` (cleared first), cell for
/// column of [`deal_columns`].
pub fn deal_row<'a, T: Num>(p: &Projection, r: &PeriodRecord<T>, row: &mut Vec<Cell<'a, T>>) {
    let deal = p.deal;
    let d = &r.result.deal;
    row.clear();
    row.extend([
        Cell::Int(r.month),
        Cell::Date(r.input.date),
        Cell::Rate(r.input.index),
    ]);
    row.extend(
        [
            d.pool_beginning,
            d.pool_ending,
            d.principal_remittance,
            d.interest_remittance,
            d.realized_loss,
            d.fees,
            d.distributed,
        ]
        .map(Cell::Amount),
    );
    if deal.oc.is_some() {
        row.extend([d.oc_beginning, d.oc_target, d.oc_ending, d.oc_deficiency].map(Cell::Amount));
    }
    row.extend([
        Cell::Rate(d.rolling_delinquency_rate.max_of(d.delinquency_rate)),
        Cell::Amount(d.cumulative_loss),
        Cell::Bool(d.stepdown),
        Cell::Bool(d.trigger),
    ]);
    row.extend(r.result.triggers.iter().map(|&b| Cell::Bool(b)));
    for (a, acct) in deal.accounts.iter().enumerate() {
        if acct.carried() {
            row.push(Cell::Amount(r.result.accounts[a].ending));
        }
    }
    row.extend(r.result.quantities.iter().map(|&q| Cell::Rate(q)));
    for (i, s) in deal.steps.iter().enumerate() {
        if s.name.is_some() {
            row.push(Cell::Amount(r.result.steps[i].amount));
        }
    }
    row.push(Cell::Bool(r.called));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::{From, Projection};
    use crate::scenario::ScenarioSet;
    use std::path::Path;

    /// Every row has a cell per column, of the column's unit, for every
    /// bundled deal with an OC, a swap, accounts and named steps among them.
    #[test]
    fn every_row_fits_its_columns() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let scenario = ScenarioSet::from_text(
            Path::new("t.toml"),
            "prepay = \"100PPC\"\ndefault = \"2CDR\"\nseverity = \"40\"\nlibor = { flat = \"4.5\" }\n",
        )
        .unwrap()
        .single()
        .unwrap();
        let mut checked = 0;
        for entry in std::fs::read_dir(root.join("deals")).unwrap() {
            let dir = entry.unwrap().path();
            if !dir.join("deal.toml").exists() {
                continue;
            }
            let deal = Deal::load(&dir).unwrap();
            let p = Projection::from(&deal, From::Closing).unwrap();
            let periods = p.record::<f64>(&scenario).unwrap().periods;
            let units = |cols: &[(String, Unit)]| cols.iter().map(|c| c.1).collect::<Vec<_>>();
            let deal_units = units(&deal_columns(&deal));
            let mut row = Vec::new();
            for r in periods.iter().take(3) {
                for k in 0..deal.classes.len() {
                    let cells = class_row(&p, r, k);
                    assert!(
                        cells
                            .iter()
                            .zip(CLASS_COLUMNS)
                            .all(|(c, (_, u))| c.unit() == u)
                    );
                }
                for g in 0..deal.groups.len() {
                    let cells = collateral_row(&p, r, g);
                    assert!(
                        cells
                            .iter()
                            .zip(COLLATERAL_COLUMNS)
                            .all(|(c, (_, u))| c.unit() == u)
                    );
                }
                deal_row(&p, r, &mut row);
                let got: Vec<Unit> = row.iter().map(Cell::unit).collect();
                assert_eq!(got, deal_units, "{}", dir.display());
            }
            checked += 1;
        }
        assert!(checked >= 4, "{checked} deals");
    }
}
