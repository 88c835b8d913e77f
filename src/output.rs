//! Writing output files whole or not at all: into a temporary file beside the
//! target, renamed over it only once everything is written.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// Write `path` through `f`; on any error (or a panic) the target is untouched.
pub fn write_atomic(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::file(
            path,
            "cannot write here: the directory does not exist",
        ));
    }
    let tmp = tempfile::Builder::new()
        .prefix(".waterfall-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| Error::file(path, format!("cannot write here: {e}")))?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        f(&mut w)?;
        w.flush()
            .map_err(|e| Error::file(path, format!("cannot write: {e}")))?;
    }
    tmp.persist(path)
        .map_err(|e| Error::file(path, format!("cannot write: {}", e.error)))?;
    Ok(())
}

/// An I/O error while writing `path`, as an [`Error`].
pub fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::file(path, format!("cannot write: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let r = write_atomic(&target, |w| {
            w.write_all(b"half a row").unwrap();
            Err(Error::Usage("stopped".into()))
        });
        assert!(r.is_err());
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_whole_write_lands() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        write_atomic(&target, |w| w.write_all(b"a,b\n").map_err(io(&target))).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "a,b\n");
    }
}
