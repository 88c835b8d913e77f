//! Structuring: what a structurer works out from a deal's terms before any
//! filing exists: scheduled (PAC/TAC) balances from a band of prepayment
//! speeds, and the prospectus's decrement and WAL tables ([`decrement`]).

pub mod decrement;

use rust_decimal::Decimal;

use crate::collateral::{Assumptions, Defaults, LineState, PpcCurves, Prepay, RatePlan};
use crate::deal::{Deal, ScheduleSource};
use crate::error::{Error, Result};

/// The collateral's principal each period from closing at one prepayment
/// speed, no defaults, exact to the cent.
pub fn principal_at(deal: &Deal, prepay: &Prepay) -> Result<Vec<Decimal>> {
    let start = crate::projection::at_closing(deal)?;
    let lines = crate::projection::loan_lines(deal, &start)?;
    let months = lines.iter().map(|l| l.remaining_term).max().unwrap_or(0);
    let a = Assumptions {
        prepay: prepay.clone(),
        defaults: Defaults::Cdr(Decimal::ZERO),
        severity: Decimal::ZERO,
        lag: 0,
        advancing: true,
        ppc: PpcCurves::default(),
    };
    let mut total = vec![Decimal::ZERO; months as usize];
    for line in &lines {
        let plan = RatePlan::<Decimal>::for_line(&a, line, months);
        let mut state = LineState::new(line, &plan);
        for (m, slot) in total.iter_mut().enumerate() {
            let f = state.step(m as u32 + 1, Decimal::ZERO);
            *slot += f.principal_remittance;
        }
    }
    Ok(total)
}

/// The balances of a band schedule: `original` less the running sum of the
/// smaller of the collateral's principal at the two speeds, never below zero.
pub fn band(deal: &Deal, original: Decimal, low: &Prepay, high: &Prepay) -> Result<Vec<Decimal>> {
    let a = principal_at(deal, low)?;
    let b = principal_at(deal, high)?;
    let mut left = original;
    Ok(a.iter()
        .zip(&b)
        .map(|(x, y)| {
            left = (left - (*x).min(*y)).max(Decimal::ZERO);
            left
        })
        .collect())
}

/// Work out every band schedule of a freshly validated deal.
pub fn fill_bands(deal: &mut Deal) -> Result<()> {
    for i in 0..deal.schedules.len() {
        let ScheduleSource::Band {
            original,
            low,
            high,
            ..
        } = &deal.schedules[i].source
        else {
            continue;
        };
        let (original, low, high) = (*original, low.clone(), high.clone());
        let name = deal.schedules[i].name.clone();
        let values = band(deal, original, &low, &high).map_err(|e| {
            Error::file(
                &deal.path,
                format!("schedule {name}: the band needs the collateral at closing: {e}"),
            )
        })?;
        if let ScheduleSource::Band { balances, .. } = &mut deal.schedules[i].source {
            *balances = values;
        }
    }
    Ok(())
}
