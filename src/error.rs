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
    /// Stopped by the user (Ctrl-C or SIGTERM) before the output was complete.
    #[error("interrupted: nothing was written")]
    Interrupted,
    /// Stopped by the user while streaming to standard output: what was
    /// written stays written, and is incomplete.
    #[error(
        "interrupted: {rows} {} written to standard output before the stop; the output is incomplete",
        if *.rows == 1 { "row was" } else { "rows were" }
    )]
    InterruptedAfter { rows: usize },
    /// The reader of standard output went away (`| head`): not a failure.
    #[error("standard output was closed")]
    OutputClosed,
}

/// Largest deal, scenario or trustee-report file read: 4 MiB (the bundled
/// ones are a few tens of kilobytes).
pub const TEXT_FILE_LIMIT: u64 = 4 << 20;

/// Largest loan tape read: 512 MiB (a 100,000-loan tape is about 10 MiB).
pub const TAPE_FILE_LIMIT: u64 = 512 << 20;

/// `bytes` as a person reads a size: `50 MiB`, `4.5 MiB`, `812 bytes`.
pub fn size(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const KIB: u64 = 1 << 10;
    let (unit, name) = if bytes >= MIB {
        (MIB, "MiB")
    } else if bytes >= KIB {
        (KIB, "KiB")
    } else {
        return format!("{bytes} bytes");
    };
    let tenths = (bytes * 10 + unit / 2) / unit;
    if tenths.is_multiple_of(10) {
        format!("{} {name}", tenths / 10)
    } else {
        format!("{}.{} {name}", tenths / 10, tenths % 10)
    }
}

fn too_large(path: &Path, size: u64, limit: u64) -> Error {
    Error::file(
        path,
        format!(
            "the file is {} ({size} bytes), over the limit of {} for this kind of file; it was not read",
            self::size(size),
            self::size(limit)
        ),
    )
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

    /// Read a whole text file (a deal, scenario or report file: at most
    /// [`TEXT_FILE_LIMIT`] bytes), naming it in the error.
    pub fn read_to_string(path: &Path) -> Result<String> {
        Error::read_to_string_limited(path, TEXT_FILE_LIMIT)
    }

    /// Read a whole text file of at most `limit` bytes. A larger file is
    /// refused before it is read (its size is known from the file system);
    /// one whose size is not known beforehand (a pipe) is refused as soon as
    /// it passes the limit.
    pub fn read_to_string_limited(path: &Path, limit: u64) -> Result<String> {
        use std::io::Read;
        let cannot = |e: std::io::Error| Error::file(path, format!("cannot read file: {e}"));
        let file = std::fs::File::open(path).map_err(cannot)?;
        let size = file.metadata().map_err(cannot)?.len();
        if size > limit {
            return Err(too_large(path, size, limit));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
        if bytes.len() as u64 > limit {
            return Err(too_large(path, bytes.len() as u64, limit));
        }
        String::from_utf8(bytes).map_err(|e| {
            cannot(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("stream did not contain valid UTF-8 ({e})"),
            ))
        })
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
    /// 130 (the shell's code for SIGINT) when interrupted, by SIGINT or SIGTERM.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Internal(_) => 3,
            Error::Interrupted | Error::InterruptedAfter { .. } => 130,
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

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(812), "812 bytes");
        assert_eq!(size(4 << 20), "4 MiB");
        assert_eq!(size(50 << 20), "50 MiB");
        assert_eq!(size((4 << 20) + (1 << 19)), "4.5 MiB");
        assert_eq!(size(1536), "1.5 KiB");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_its_size_and_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.toml");
        let f = std::fs::File::create(&p).unwrap();
        f.set_len(TEXT_FILE_LIMIT + 1).unwrap();
        let err = Error::read_to_string(&p).unwrap_err().to_string();
        assert!(err.starts_with(&p.display().to_string()), "{err}");
        assert!(
            err.contains("4194305 bytes") && err.contains("4 MiB"),
            "{err}"
        );
        // At the limit it is read.
        f.set_len(TEXT_FILE_LIMIT).unwrap();
        assert_eq!(
            Error::read_to_string(&p).unwrap().len() as u64,
            TEXT_FILE_LIMIT
        );
    }
}
