//! The waterfall engine: one distribution period at a time, generic over the
//! number type, with an optional ledger of every step.

mod engine;
mod ledger;
mod period;
mod state;

pub use engine::{Due, Engine, Run, money, split};
pub use ledger::{Entry, Explain, Ledger, NoLedger, Payment};
pub use period::{
    AccountFlows, CapFlows, ClassFlows, DayFractions, DealFlows, FeeFlows, GroupCash, PeriodInput,
    PeriodResult, StepFlows, SwapFlows,
};
pub use state::{DELINQUENCY_HISTORY, DealState};
