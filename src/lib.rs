//! `waterfall`: a cash-flow waterfall simulator for mortgage-backed securities.
//!
//! A deal is described in TOML ([`deal`]); a trustee's monthly report is parsed
//! into typed figures ([`report`]); one distribution period runs through the
//! deal's waterfall ([`waterfall`]), generic over the number type ([`num`]) so
//! the same code reconciles to the cent in `Decimal` and projects fast in `f64`.

pub mod breakeven;
pub mod calendar;
pub mod collateral;
pub mod deal;
pub mod error;
pub mod export;
pub mod format;
pub mod grid;
pub mod num;
pub mod output;
pub mod pricing;
pub mod projection;
pub mod reconcile;
pub mod report;
pub mod scenario;
pub mod structuring;
pub mod table;
pub mod tomlfile;
pub mod waterfall;

pub use error::{Error, Result};
