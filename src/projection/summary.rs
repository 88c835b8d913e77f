//! What a structurer reads off a projection: per class the weighted average
//! life, principal window, totals and losses; for the deal the dates the
//! step-down, the triggers and the call happened.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::{Observer, PeriodView};
use crate::deal::Deal;
use crate::num::Num;

/// One class over the projection.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSummary {
    pub name: String,
    /// The class has a principal balance (not a notional).
    pub has_principal: bool,
    /// Balance at the start of the projection.
    pub starting_balance: Decimal,
    pub original_balance: Decimal,
    /// Weighted average life in years from the filing's date (principal
    /// classes with principal paid).
    pub wal: Option<Decimal>,
    pub first_principal: Option<NaiveDate>,
    pub last_principal: Option<NaiveDate>,
    pub total_interest: Decimal,
    pub total_principal: Decimal,
    pub total_writedown: Decimal,
    /// Writedowns as a percentage of the original balance.
    pub loss_percent: Decimal,
    pub first_writedown: Option<NaiveDate>,
    pub ending_balance: Decimal,
}

/// The deal over the projection.
#[derive(Debug, Clone, PartialEq)]
pub struct DealSummary {
    pub periods: u32,
    pub last_date: Option<NaiveDate>,
    pub stepdown: Option<NaiveDate>,
    pub first_trigger: Option<NaiveDate>,
    /// First date each trigger was breached, by the deal's trigger order.
    pub triggers: Vec<(String, Option<NaiveDate>)>,
    pub call: Option<NaiveDate>,
    pub cumulative_loss: Decimal,
    /// Cumulative losses as a percentage of the cut-off balance.
    pub cumulative_loss_percent: Decimal,
    pub collateral_principal: Decimal,
    pub collateral_interest: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub classes: Vec<ClassSummary>,
    pub deal: DealSummary,
}

/// Accumulates a [`Summary`] period by period without keeping the periods.
#[derive(Debug, Clone)]
pub struct Summarizer<T> {
    start: Vec<T>,
    time_weighted: Vec<T>,
    interest: Vec<T>,
    principal: Vec<T>,
    writedown: Vec<T>,
    first_principal: Vec<Option<NaiveDate>>,
    last_principal: Vec<Option<NaiveDate>>,
    first_writedown: Vec<Option<NaiveDate>>,
    ending: Vec<T>,
    periods: u32,
    last_date: Option<NaiveDate>,
    stepdown: Option<NaiveDate>,
    first_trigger: Option<NaiveDate>,
    triggers: Vec<Option<NaiveDate>>,
    call: Option<NaiveDate>,
    cumulative_loss: T,
    collateral_principal: T,
    collateral_interest: T,
}

impl<T: Num> Summarizer<T> {
    /// For a deal whose classes start the projection at `start` balances.
    pub fn new(deal: &Deal, start: &[T]) -> Self {
        let n = deal.classes.len();
        Summarizer {
            start: start.to_vec(),
            time_weighted: vec![T::ZERO; n],
            interest: vec![T::ZERO; n],
            principal: vec![T::ZERO; n],
            writedown: vec![T::ZERO; n],
            first_principal: vec![None; n],
            last_principal: vec![None; n],
            first_writedown: vec![None; n],
            ending: start.to_vec(),
            periods: 0,
            last_date: None,
            stepdown: None,
            first_trigger: None,
            triggers: vec![None; deal.triggers.len()],
            call: None,
            cumulative_loss: T::ZERO,
            collateral_principal: T::ZERO,
            collateral_interest: T::ZERO,
        }
    }

    /// The summary, amounts rounded to the cent and WALs to 1/100 of a year,
    /// loss percentages to 4 decimals, each written with all its decimals
    /// (`4.00`, not `4`), so a column reads the same in every row.
    pub fn finish(&self, deal: &Deal) -> Summary {
        let d = |x: T| {
            let mut v = x
                .to_decimal()
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            v.rescale(2);
            v
        };
        let classes = deal
            .classes
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let principal = d(self.principal[k]);
                let wal = (c.has_principal() && self.principal[k].is_positive())
                    .then(|| d(self.time_weighted[k] / self.principal[k]));
                let writedown = d(self.writedown[k]);
                ClassSummary {
                    name: c.name.clone(),
                    has_principal: c.has_principal(),
                    starting_balance: d(self.start[k]),
                    original_balance: c.original_balance,
                    wal,
                    first_principal: self.first_principal[k],
                    last_principal: self.last_principal[k],
                    total_interest: d(self.interest[k]),
                    total_principal: principal,
                    total_writedown: writedown,
                    loss_percent: percent_of(writedown, c.original_balance),
                    first_writedown: self.first_writedown[k],
                    ending_balance: d(self.ending[k]),
                }
            })
            .collect();
        let loss = d(self.cumulative_loss);
        Summary {
            classes,
            deal: DealSummary {
                periods: self.periods,
                last_date: self.last_date,
                stepdown: self.stepdown,
                first_trigger: self.first_trigger,
                triggers: deal
                    .triggers
                    .iter()
                    .zip(&self.triggers)
                    .map(|(t, d)| (t.name.clone(), *d))
                    .collect(),
                call: self.call,
                cumulative_loss: loss,
                cumulative_loss_percent: percent_of(loss, deal.cutoff_balance),
                collateral_principal: d(self.collateral_principal),
                collateral_interest: d(self.collateral_interest),
            },
        }
    }
}

impl<T: Num> Observer<T> for Summarizer<T> {
    fn period(&mut self, v: &PeriodView<T>) {
        let date = v.input.date;
        let years = T::from_i64(v.month as i64) / T::from_i64(12);
        for (k, f) in v.result.classes.iter().enumerate() {
            if f.principal.is_positive() {
                self.time_weighted[k] += f.principal * years;
                self.principal[k] += f.principal;
                if self.first_principal[k].is_none() {
                    self.first_principal[k] = Some(date);
                }
                self.last_principal[k] = Some(date);
            }
            self.interest[k] += f.interest_distribution();
            if f.writedown.is_positive() {
                self.writedown[k] += f.writedown;
                if self.first_writedown[k].is_none() {
                    self.first_writedown[k] = Some(date);
                }
            }
            self.ending[k] = f.ending;
        }
        let d = &v.result.deal;
        self.periods += 1;
        self.last_date = Some(date);
        if d.stepdown && self.stepdown.is_none() {
            self.stepdown = Some(date);
        }
        if d.trigger && self.first_trigger.is_none() {
            self.first_trigger = Some(date);
        }
        for (t, &breached) in self.triggers.iter_mut().zip(&v.result.triggers) {
            if breached && t.is_none() {
                *t = Some(date);
            }
        }
        if v.called {
            self.call = Some(date);
        }
        self.cumulative_loss = d.cumulative_loss;
        self.collateral_principal += d.principal_remittance;
        self.collateral_interest += d.interest_remittance;
    }
}

/// `part` as a percentage of `whole`, to 4 decimals (halves away from zero)
/// and always written with 4: `0.0000` for none, or for a whole of zero.
pub fn percent_of(part: Decimal, whole: Decimal) -> Decimal {
    let mut p = if whole.is_zero() {
        Decimal::ZERO
    } else {
        (part * Decimal::ONE_HUNDRED / whole)
            .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
    };
    p.rescale(4);
    p
}

#[cfg(test)]
mod tests {
    use super::percent_of;
    use rust_decimal_macros::dec;

    #[test]
    fn a_percentage_is_written_with_four_decimals_even_when_nothing_was_lost() {
        // 154,230,516 of 1,000,000,000 is 15.4230516%: 15.4231 to 4 places.
        assert_eq!(
            percent_of(dec!(154230516), dec!(1000000000)).to_string(),
            "15.4231"
        );
        assert_eq!(percent_of(dec!(0), dec!(1000)).to_string(), "0.0000");
        // A class with no original balance (a residual) has lost 0.0000%.
        assert_eq!(percent_of(dec!(5), dec!(0)).to_string(), "0.0000");
        // 1 of 3 is 33.3333...%; 2 of 3 is 66.6666...%, rounded up.
        assert_eq!(percent_of(dec!(2), dec!(3)).to_string(), "66.6667");
    }
}
