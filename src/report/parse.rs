//! Parser for the US Bank "Statement to Certificateholders" layout.
use std::path::Path;

use super::{Report, Warning};
use crate::error::Result;

/// Parse a report's text. `path` is used only to name the file in errors.
pub fn parse(path: &Path, text: &str) -> Result<(Report, Vec<Warning>)> {
    let _ = (path, text);
    todo!("parser being written")
}
