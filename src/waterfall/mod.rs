//! The waterfall engine: one distribution period at a time, generic over the
//! number type, with an optional ledger of every step.

mod engine;
mod ledger;
mod period;
mod state;
mod terms;

pub use engine::{Engine, MAX_MEMBERS};
pub use ledger::{Entry, Explain, Ledger, NoLedger, Payment};
pub use period::{ClassFlows, DealFlows, GroupCash, PeriodInput, PeriodResult};
pub use state::{DELINQUENCY_HISTORY, DealState};
pub use terms::Terms;
