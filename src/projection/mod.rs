//! Projection: a deal run forward month by month from its latest filing under
//! a scenario, the one-period engine fed by projected collateral.
//!
//! [`Projection::run`] is generic over the number type: `project` runs it in
//! exact `Decimal`, grids and breakevens in fast `f64`. What happens each
//! period goes to an [`Observer`]: [`Recorder`] keeps everything for the
//! `project` command, [`summary::Summarizer`] only what a grid row needs.

pub mod columns;
pub mod output;
pub mod plot;
mod start;
pub mod summary;

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use start::{GroupTerms, Start, at_closing, from_filing, loan_lines};

use crate::calendar::DayCount;
use crate::collateral::{LinePool, LoanLine};
use crate::deal::Deal;
use crate::error::{Error, Result};
use crate::num::Num;
use crate::scenario::{Libor, Scenario};
use crate::waterfall::{DayFractions, Engine, GroupCash, NoLedger, PeriodInput, PeriodResult};

/// Longest projection, in months.
pub const MAX_MONTHS: u32 = 600;

/// A group's collateral at the end of a projected month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupEnd<T> {
    pub ending_balance: T,
    pub in_foreclosure: T,
}

/// What one projected period hands to an observer.
pub struct PeriodView<'a, T> {
    /// Months since the filing (1 = the next distribution date).
    pub month: u32,
    pub input: &'a PeriodInput<T>,
    pub result: &'a PeriodResult<T>,
    pub groups: &'a [GroupEnd<T>],
    /// The clean-up call was exercised on this date.
    pub called: bool,
}

/// Receives each projected period in order.
pub trait Observer<T: Num> {
    fn period(&mut self, view: &PeriodView<T>);
}

/// A deal ready to project from a filing.
#[derive(Debug, Clone)]
pub struct Projection<'d> {
    pub deal: &'d Deal,
    pub start: Start,
    pub lines: Vec<LoanLine>,
    /// Group index of each line.
    line_groups: Vec<usize>,
    pub max_months: u32,
    /// Distribution dates by month from the start (0 is the start's own:
    /// the filing's distribution date, or the closing date).
    dates: Vec<NaiveDate>,
    /// Each month's accrual ratios by day count, as (numerator, denominator).
    fractions: Vec<[(i64, i64); 5]>,
}

/// Where a projection starts.
#[derive(Debug, Clone)]
pub enum From<'a> {
    Closing,
    Filing(&'a Path),
}

impl<'d> Projection<'d> {
    /// Set up from a parsed filing of `deal`.
    pub fn new(deal: &'d Deal, start: Start) -> Result<Self> {
        let lines = loan_lines(deal, &start)?;
        let line_groups = lines
            .iter()
            .map(|l| {
                deal.groups
                    .iter()
                    .position(|g| g.name == l.group)
                    .unwrap_or(0)
            })
            .collect();
        let max_months = lines
            .iter()
            .map(|l| l.remaining_term)
            .max()
            .unwrap_or(0)
            .saturating_add(13)
            .min(MAX_MONTHS);
        // Dates do not depend on the scenario: work them out once. From
        // closing, month 1 is the first distribution date and accrues from
        // the closing date.
        let first = if start.from_closing {
            deal.first_distribution_date
        } else {
            deal.calendar.distribution_after(start.date, 1)
        };
        let dates: Vec<NaiveDate> = std::iter::once(start.date)
            .chain((0..=MAX_MONTHS as i32).map(|m| deal.calendar.distribution_after(first, m)))
            .collect();
        let sched = |d: NaiveDate, m: usize| {
            if m == 0 && start.from_closing {
                d
            } else {
                deal.calendar
                    .scheduled(chrono::Datelike::year(&d), chrono::Datelike::month(&d))
            }
        };
        let ratios: Vec<(NaiveDate, NaiveDate, NaiveDate, NaiveDate)> = (1..dates.len())
            .map(|m| {
                (
                    dates[m - 1],
                    dates[m],
                    sched(dates[m - 1], m - 1),
                    sched(dates[m], m),
                )
            })
            .collect();
        let fractions = ratios
            .iter()
            .map(|&(a, b, c, d)| DayFractions::<f64>::ratios(a, b, c, d))
            .collect();
        Ok(Projection {
            deal,
            start,
            lines,
            line_groups,
            max_months,
            dates,
            fractions,
        })
    }

    /// Set up from closing or from a filing on disk (which must be a filing of `deal`).
    pub fn from(deal: &'d Deal, from: From<'_>) -> Result<Self> {
        let start = match from {
            From::Closing => at_closing(deal)?,
            From::Filing(path) => from_filing(deal, path)?,
        };
        Self::new(deal, start)
    }

    /// Set up from a filing on disk, which must be a filing of `deal`.
    pub fn from_report_file(deal: &'d Deal, path: &Path) -> Result<Self> {
        Self::from(deal, From::Filing(path))
    }

    /// The collateral's weighted average gross coupon and remaining term
    /// (in whole months) at the start, by balance.
    ///
    /// The three sums (balance, balance × coupon, balance × term) are
    /// taken in fixed pieces of a large tape's lines on several threads,
    /// the pieces' sums added in order, so the figures do not depend on the
    /// threads. They are exact wherever they fit `Decimal`'s 96 bits (a
    /// tape's cents and percent coupons always do), and then they are also
    /// what one pass over the lines gives.
    pub fn start_averages(&self) -> (Decimal, u32) {
        use rayon::prelude::*;
        type Sums = (Decimal, Decimal, Decimal);
        let add = |a: Sums, b: Sums| (a.0 + b.0, a.1 + b.1, a.2 + b.2);
        let piece = |lines: &[LoanLine]| -> Sums {
            lines.iter().fold(Default::default(), |s, l| {
                add(
                    s,
                    (
                        l.balance,
                        l.balance * l.gross_coupon,
                        l.balance * Decimal::from(l.remaining_term),
                    ),
                )
            })
        };
        const PIECE: usize = 8192;
        let pieces: Vec<Sums> = self.lines.par_chunks(PIECE).map(piece).collect();
        let (total, coupon, term) = pieces.into_iter().fold(Default::default(), add);
        if total.is_zero() {
            return (Decimal::ZERO, 0);
        }
        let wam = u32::try_from((term / total).round().mantissa()).unwrap_or(0);
        (coupon / total, wam)
    }

    /// The accrual fractions of projection month `month` (1-based).
    fn days<T: Num>(&self, month: u32) -> DayFractions<T> {
        let i = (month.max(1) as usize - 1).min(self.fractions.len() - 1);
        DayFractions::from_ratios(&self.fractions[i])
    }

    /// Whether `scenario` can run from this start: one that takes the index
    /// from the filing needs a filing to start from.
    pub fn check(&self, scenario: &Scenario) -> Result<()> {
        if self.start.index.is_none() && matches!(scenario.libor, Libor::Filing { .. }) {
            return Err(Error::Usage(format!(
                "scenario {} takes the index from the filing, but the projection starts at closing: start from a filing (--from latest or a report) or give libor = {{ flat = \"...\" }} or a vector",
                scenario.name
            )));
        }
        Ok(())
    }

    /// Run `scenario` to the last payment, handing each period to `observer`.
    pub fn run<T: Num, O: Observer<T>>(
        &self,
        scenario: &Scenario,
        engine: &mut Engine<T>,
        observer: &mut O,
    ) -> Result<()> {
        let deal = self.deal;
        let months = (self.max_months + scenario.assumptions.lag).min(MAX_MONTHS);
        let ngroups = deal.groups.len().max(1);
        self.check(scenario)?;
        let filing_index = self.start.index.unwrap_or_default();
        let arm_spread = T::from_decimal(deal.collateral.arm_index_spread);
        // The index each month's ARM resets read (the scenario's, never the
        // waterfall's): the line stepper is given it month by month, the
        // block stepper all of it up front.
        let mut arm_index = Vec::with_capacity(months as usize);
        let mut index = Vec::with_capacity(months as usize);
        let mut libor = (Decimal::MIN, T::ZERO);
        for month in 1..=months {
            let rate = scenario.libor.at(month, filing_index);
            if rate != libor.0 {
                libor = (rate, T::from_decimal(rate));
            }
            index.push(libor.1);
            arm_index.push(libor.1 + arm_spread);
        }
        let mut plans = Vec::new();
        let mut pool = LinePool::new(
            &self.lines,
            &self.line_groups,
            ngroups,
            &scenario.assumptions,
            months,
            &arm_index,
            &mut plans,
        );
        let mut state = self.start.state.convert::<T>();
        let mut out = engine.result();
        let mut ends = vec![
            GroupEnd {
                ending_balance: T::ZERO,
                in_foreclosure: T::ZERO,
            };
            ngroups
        ];
        let mut coupons = vec![T::ZERO; ngroups];
        let threshold = deal
            .call
            .as_ref()
            .map(|c| T::from_decimal(c.fraction_of_cutoff * deal.cutoff_balance));
        let mut input = PeriodInput {
            date: self.start.date,
            period: 0,
            accrual_start: self.start.date,
            days_actual: 0,
            days: self.days(1),
            index: T::ZERO,
            next_date: self.start.date,
            groups: vec![GroupCash::zero(); ngroups.max(1)],
            premiums: T::ZERO,
            delinquent_60_plus: T::ZERO,
            earnings: vec![T::ZERO; deal.accounts.len()],
            counterparty_default: false,
            swap_termination: T::ZERO,
        };
        for month in 1..=months {
            let sums = pool.month(month, arm_index[month as usize - 1]);
            let pool_beginning = sums.iter().fold(T::ZERO, |a, s| a + s.beginning);
            if !pool_beginning.is_positive() {
                break;
            }
            let (prev, date) = (self.dates[month as usize - 1], self.dates[month as usize]);
            input.next_date = self.dates[month as usize + 1];
            input.period = deal.period_number(date).max(1) as u32;
            input.days_actual = DayCount::Act360.days(prev, date) as u32;
            input.accrual_start = prev;
            input.days = self.days(month);
            input.date = date;
            input.index = index[month as usize - 1];
            for (g, s) in sums.iter().enumerate() {
                let cash = &mut input.groups[g];
                *cash = GroupCash::zero();
                cash.beginning_balance = s.beginning;
                cash.interest = s.interest;
                cash.scheduled_principal = s.scheduled;
                cash.prepayments = s.prepayments;
                cash.liquidation_proceeds = s.recoveries;
                cash.realized_loss = s.losses;
                coupons[g] = s.coupon_balance;
                ends[g].in_foreclosure = s.in_foreclosure;
            }
            let called = scenario.call && threshold.is_some_and(|th| pool_beginning <= th);
            let mut delinquent = T::ZERO;
            for (g, cash) in input.groups.iter_mut().enumerate() {
                cash.net_wac = coupons[g].div_or_zero(cash.beginning_balance);
                if called {
                    // The servicer buys what is left at par.
                    cash.repurchases = cash.ending_balance();
                    ends[g].in_foreclosure = T::ZERO;
                }
                ends[g].ending_balance = cash.ending_balance();
                delinquent += ends[g].in_foreclosure;
            }
            input.delinquent_60_plus = delinquent;
            input.premiums = T::ZERO;
            let (defaulted, termination) = scenario.counterparty_at(month);
            input.counterparty_default = defaulted;
            input.swap_termination = T::from_decimal(termination);
            engine.run(&mut state, &input, &mut out, &mut NoLedger)?;
            observer.period(&PeriodView {
                month,
                input: &input,
                result: &out,
                groups: &ends,
                called,
            });
            if called {
                break;
            }
        }
        Ok(())
    }
}

/// One projected period, kept whole.
#[derive(Debug, Clone)]
pub struct PeriodRecord<T> {
    pub month: u32,
    pub input: PeriodInput<T>,
    pub result: PeriodResult<T>,
    pub groups: Vec<GroupEnd<T>>,
    pub called: bool,
}

/// Keeps every period (for `project`'s output files).
#[derive(Debug, Clone)]
pub struct Recorder<T> {
    pub periods: Vec<PeriodRecord<T>>,
}

impl<T> Default for Recorder<T> {
    fn default() -> Self {
        Recorder {
            periods: Vec::new(),
        }
    }
}

impl<T: Num> Observer<T> for Recorder<T> {
    fn period(&mut self, v: &PeriodView<T>) {
        self.periods.push(PeriodRecord {
            month: v.month,
            input: v.input.clone(),
            result: v.result.clone(),
            groups: v.groups.to_vec(),
            called: v.called,
        });
    }
}

/// A whole projection: every period kept, and its summary.
#[derive(Debug, Clone)]
pub struct Recorded<T> {
    pub periods: Vec<PeriodRecord<T>>,
    pub summary: summary::Summary,
}

impl Projection<'_> {
    /// Run `scenario` in number type `T` from the projection's start,
    /// keeping every period (what `project` writes) and the summary.
    pub fn record<T: Num>(&self, scenario: &Scenario) -> Result<Recorded<T>> {
        let mut engine = Engine::<T>::new(self.deal);
        let mut summarizer = summary::Summarizer::new(self.deal, &self.start_balances());
        let mut recorder = Recorder::default();
        self.run(
            scenario,
            &mut engine,
            &mut Both(&mut recorder, &mut summarizer),
        )?;
        Ok(Recorded {
            periods: recorder.periods,
            summary: summarizer.finish(self.deal),
        })
    }

    /// Run `scenario` on `engine` and keep only its summary (what a grid,
    /// a breakeven search or a price needs of a run).
    pub fn summarize<T: Num>(
        &self,
        scenario: &Scenario,
        engine: &mut Engine<T>,
    ) -> Result<summary::Summary> {
        let mut summarizer = summary::Summarizer::new(self.deal, &self.start_balances());
        self.run(scenario, engine, &mut summarizer)?;
        Ok(summarizer.finish(self.deal))
    }

    /// Every class's balance (or notional) at the start, in `T`.
    fn start_balances<T: Num>(&self) -> Vec<T> {
        self.start
            .balances(self.deal)
            .iter()
            .map(|&b| T::from_decimal(b))
            .collect()
    }
}

/// Sends each period to two observers.
pub struct Both<'a, A, B>(pub &'a mut A, pub &'a mut B);

impl<T: Num, A: Observer<T>, B: Observer<T>> Observer<T> for Both<'_, A, B> {
    fn period(&mut self, v: &PeriodView<T>) {
        self.0.period(v);
        self.1.period(v);
    }
}

/// Collects one class's cash flows as a bond to price.
#[derive(Debug, Clone)]
pub struct BondFlows {
    class: usize,
    pub bond: crate::pricing::Bond,
}

impl BondFlows {
    /// For class `class`, whose face (balance or notional) at the start is `balance`.
    pub fn new(class: usize, balance: f64) -> Self {
        BondFlows {
            class,
            bond: crate::pricing::Bond {
                balance,
                flows: Vec::new(),
            },
        }
    }
}

impl<T: Num> Observer<T> for BondFlows {
    fn period(&mut self, v: &PeriodView<T>) {
        let f = &v.result.classes[self.class];
        self.bond.flows.push(crate::pricing::Flow {
            months: v.month as f64,
            days: v.input.days_actual as f64,
            principal: f.principal.to_f64(),
            interest: f.interest_distribution().to_f64(),
            index: v.input.index.to_f64(),
        });
    }
}
