//! Collateral cash flows: loan lines projected month by month with
//! prepayments, defaults, a foreclosure pipeline and liquidations, following
//! the SIFMA standard formulas (`docs/collateral-math.md`).
//!
//! - [`speed`]: market notation for speeds (`6CPR`, `150PSA`, `1.5ABS`,
//!   `20HEP`, `100SDA`, ...) and the conversions between them.
//! - [`notation`]: speed vectors in the market's notation (`5 12R 20 24S 10`).
//! - [`line`]: loan lines and ARM reset terms.
//! - [`plan`]: a scenario's [`Assumptions`] and the [`RatePlan`] of monthly
//!   rates computed from them once.
//! - [`project`]: the allocation-free monthly stepper [`LineState`], generic
//!   over the number type.
//! - [`block`]: lines of one plan stepped together, structure-of-arrays
//!   ([`Blocks`]), and the [`LinePool`] a projection steps.
//! - [`tape`]: reading a CSV loan tape.
//! - [`table`]: one line's table in exact `Decimal` and its renderers.

pub mod block;
pub mod line;
pub mod notation;
pub mod plan;
pub mod project;
pub mod speed;
pub mod table;
pub mod tape;

pub use block::{Blocks, GroupMonth, LinePool};
pub use line::{ArmTerms, LineKind, LoanLine};
pub use notation::{MAX_VECTOR_PERIODS, SpeedVector, Step};
pub use plan::{Assumptions, RatePlan};
pub use project::{LineFlows, LineState, project_line};
pub use speed::{
    DefaultUnit, Defaults, PpcCurves, Prepay, PrepayUnit, Ramp, SpeedError, abs_smm, cdr_to_mdr,
    cpr_to_smm, hep_cpr, mdr_to_cdr, psa_cpr, sda_cdr, smm_to_cpr,
};
pub use table::{
    CollateralRow, HEADER, collateral_table, collateral_table_with_index, write_csv, write_json,
    write_table,
};
pub use tape::{TAPE_COLUMNS, parse_tape, read_tape};
