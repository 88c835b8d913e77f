//! Writing output files whole or not at all: each into a temporary file
//! beside its target, renamed over it only once everything is written. A set
//! of files ([`write_all_or_none`]) is renamed only once every file of the set
//! is written.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// A file written to a temporary beside its target, not yet in place.
pub struct Staged {
    target: PathBuf,
    tmp: NamedTempFile,
}

/// Write `path`'s content through `f` into a temporary file beside it.
pub fn stage(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<Staged> {
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
    if path.is_dir() {
        return Err(Error::file(
            path,
            "cannot write here: a directory is in the way",
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
        w.flush().map_err(io(path))?;
    }
    // Temporary files are private (0600); an output file is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(io(path))?;
    }
    Ok(Staged {
        target: path.to_path_buf(),
        tmp,
    })
}

impl Staged {
    /// Rename the staged file over its target.
    pub fn commit(self) -> Result<()> {
        let target = self.target;
        self.tmp
            .persist(&target)
            .map_err(|e| Error::file(&target, format!("cannot write: {}", e.error)))?;
        Ok(())
    }
}

/// Write `path` through `f`; on any error (or a panic) the target is untouched.
pub fn write_atomic(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    stage(path, f)?.commit()
}

/// A file's content, written by a function.
pub type Content<'a> = Box<dyn FnOnce(&mut dyn Write) -> Result<()> + 'a>;

/// Write every file, or none: all are staged first, then all renamed.
pub fn write_all_or_none(files: Vec<(PathBuf, Content)>) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, f) in files {
        staged.push(stage(&path, f)?);
    }
    for s in staged {
        s.commit()?;
    }
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
    fn a_whole_write_lands_readable() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        write_atomic(&target, |w| w.write_all(b"a,b\n").map_err(io(&target))).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "a,b\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
                0o644
            );
        }
    }

    #[test]
    fn a_set_with_one_failure_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b.csv")).unwrap();
        let files: Vec<(PathBuf, Content)> = vec![
            (
                dir.path().join("a.csv"),
                Box::new(|w: &mut dyn Write| {
                    w.write_all(b"a\n").map_err(|e| Error::Usage(e.to_string()))
                }),
            ),
            (
                dir.path().join("b.csv"),
                Box::new(|w: &mut dyn Write| {
                    w.write_all(b"b\n").map_err(|e| Error::Usage(e.to_string()))
                }),
            ),
        ];
        assert!(write_all_or_none(files).is_err());
        assert!(!dir.path().join("a.csv").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
