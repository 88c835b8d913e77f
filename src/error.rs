//! Errors the library reports. Bad input names the file, the line (and the
//! column where there is one) and what was expected; the binary maps every
//! [`Error`] to exit code 2 except [`Error::Internal`].

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: Option<usize>,
}

impl Location {
    pub fn new(path: &Path, line: usize, column: Option<usize>) -> Self {
        Location {
            path: path.to_path_buf(),
            line,
            column,
        }
    }

    /// The 1-based line and column of byte `offset` in `text`.
    pub fn from_offset(path: &Path, text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        Location::new(path, line, Some(column))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "{}:{}:{}", self.path.display(), self.line, c),
            None => write!(f, "{}:{}", self.path.display(), self.line),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem at a known place in an input file.
    #[error("{at}: {message}")]
    At { at: Location, message: String },
    /// A problem with a whole file (cannot be read, cannot be written, empty).
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    /// A problem with the command line.
    #[error("{0}")]
    Usage(String),
    /// Several problems found together (all of a deal file's validation errors).
    #[error("{}", join(.0))]
    Many(Vec<Error>),
    /// A broken invariant of the engine: a bug, not bad input.
    #[error("internal error: {0}")]
    Internal(String),
    /// Stopped by the user (Ctrl-C) before the output was complete.
    #[error("interrupted: nothing was written")]
    Interrupted,
    /// The reader of standard output went away (`| head`): not a failure.
    #[error("standard output was closed")]
    OutputClosed,
}

fn join(errors: &[Error]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    pub fn at(path: &Path, line: usize, column: Option<usize>, message: impl Into<String>) -> Self {
        Error::At {
            at: Location::new(path, line, column),
            message: message.into(),
        }
    }

    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Error::File {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// Read a whole text file, naming it in the error.
    pub fn read_to_string(path: &Path) -> Result<String> {
        std::fs::read_to_string(path)
            .map_err(|e| Error::file(path, format!("cannot read file: {e}")))
    }

    /// Combine collected errors: none is Ok, one is itself, more is [`Error::Many`].
    pub fn collect(mut errors: Vec<Error>) -> Result<()> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Many(errors)),
        }
    }

    /// The process exit code for this error: 2 for bad input, 3 for a bug,
    /// 130 (the shell's code for SIGINT) when interrupted.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Internal(_) => 3,
            Error::Interrupted => 130,
            Error::OutputClosed => 0,
            _ => 2,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_columns() {
        let text = "a = 1\nbb = 2\n";
        let loc = Location::from_offset(Path::new("d.toml"), text, 9);
        assert_eq!((loc.line, loc.column), (2, Some(4)));
        assert_eq!(loc.to_string(), "d.toml:2:4");
    }
}
