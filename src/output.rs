//! Writing output files whole or not at all: each into a temporary file
//! beside its target, renamed over it only once everything is written. A set
//! of files ([`write_all_or_none`]) is renamed only once every file of the set
//! is written.
//!
//! A temporary file is named `.waterfall-<pid>-<random>.partial`. It is
//! removed on every exit the process survives: an error or a panic drops it,
//! and an interrupt (SIGINT, SIGTERM) removes every staged file before the
//! process exits ([`abandon_staged_and_exit`]). A process killed outright (SIGKILL)
//! cannot remove anything; the next run that stages a file in the same
//! directory removes the files whose process is gone ([`remove_stale`]).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Prefix of every temporary output file.
pub const PARTIAL_PREFIX: &str = ".waterfall-";
/// Suffix of every temporary output file.
pub const PARTIAL_SUFFIX: &str = ".partial";

/// The temporary files staged and not yet renamed or dropped. An interrupt
/// takes this lock to remove them, so it waits for a set being renamed.
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn staged() -> MutexGuard<'static, Vec<PathBuf>> {
    STAGED.lock().unwrap_or_else(|p| p.into_inner())
}

/// Remove every temporary file staged and not yet in place, then exit with
/// `code`: for a signal handler. A set being renamed is renamed whole first;
/// no rename starts after the files are removed.
pub fn abandon_staged_and_exit(code: i32) -> ! {
    let guard = staged();
    for p in guard.iter() {
        let _ = std::fs::remove_file(p);
    }
    std::process::exit(code)
}

/// A file written to a temporary beside its target, not yet in place.
pub struct Staged {
    target: PathBuf,
    tmp: Option<NamedTempFile>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let mut list = staged();
            list.retain(|p| p != tmp.path());
            // Removed while the lock is held, so an interrupt sees it gone.
            drop(tmp);
        }
    }
}

/// The directory a file at `path` is written in.
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Check that `path` can be written as an output file: its directory exists,
/// and nothing but a regular file is there already (a directory, a FIFO, a
/// device or a symbolic link is refused rather than replaced).
pub fn check_target(path: &Path) -> Result<()> {
    if !parent(path).is_dir() {
        return Err(Error::file(
            path,
            "cannot write here: the directory does not exist",
        ));
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let t = meta.file_type();
    let what = if t.is_file() {
        return Ok(());
    } else if t.is_dir() {
        "a directory is in the way"
    } else if t.is_symlink() {
        "it is a symbolic link, not a regular file; refusing to replace it"
    } else {
        special_kind(&t)
    };
    Err(Error::file(path, format!("cannot write here: {what}")))
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "it is a FIFO (named pipe), not a regular file; refusing to replace it"
    } else if t.is_char_device() || t.is_block_device() {
        "it is a device, not a regular file; refusing to replace it"
    } else if t.is_socket() {
        "it is a socket, not a regular file; refusing to replace it"
    } else {
        "it is not a regular file; refusing to replace it"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "it is not a regular file; refusing to replace it"
}

/// Whether process `pid` may still be running. Only Linux can tell (by
/// `/proc/<pid>`); elsewhere, and where `/proc` is not mounted, every
/// process is taken to be alive, so that nothing of a live run is removed.
fn may_be_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// The process id in a temporary file's name, `.waterfall-<pid>-<random>.partial`.
fn partial_pid(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(PARTIAL_PREFIX)?
        .strip_suffix(PARTIAL_SUFFIX)?;
    let (pid, random) = rest.split_once('-')?;
    if random.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Remove the temporary files in `dir` left by runs that were killed (their
/// process is gone). Returns the files removed.
pub fn remove_stale(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(partial_pid) else {
            continue;
        };
        let is_file = e.file_type().is_ok_and(|t| t.is_file());
        if pid != me && is_file && !may_be_alive(pid) && std::fs::remove_file(e.path()).is_ok() {
            removed.push(e.path());
        }
    }
    removed
}

/// Write `path`'s content through `f` into a temporary file beside it.
pub fn stage(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<Staged> {
    check_target(path)?;
    let dir = parent(path);
    remove_stale(dir);
    let staged_file = {
        let mut list = staged();
        let tmp = tempfile::Builder::new()
            .prefix(&format!("{PARTIAL_PREFIX}{}-", std::process::id()))
            .suffix(PARTIAL_SUFFIX)
            .tempfile_in(dir)
            .map_err(|e| Error::file(path, format!("cannot write here: {e}")))?;
        list.push(tmp.path().to_path_buf());
        Staged {
            target: path.to_path_buf(),
            tmp: Some(tmp),
        }
    };
    let tmp = staged_file.tmp.as_ref().expect("just staged");
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
    Ok(staged_file)
}

impl Staged {
    /// Rename the staged file over its target.
    pub fn commit(self) -> Result<()> {
        commit_all(vec![self])
    }
}

/// Rename every staged file over its target, holding the lock an interrupt
/// takes, so that a set is renamed whole before an interrupt exits.
fn commit_all(mut files: Vec<Staged>) -> Result<()> {
    let mut list = staged();
    for s in &mut files {
        let tmp = s.tmp.take().expect("staged once");
        let from = tmp.path().to_path_buf();
        list.retain(|p| p != &from);
        // The target may have become something else since it was checked.
        check_target(&s.target)?;
        tmp.persist(&s.target)
            .map_err(|e| Error::file(&s.target, format!("cannot write: {}", e.error)))?;
    }
    Ok(())
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
    commit_all(staged)
}

/// Whether a progress bar is drawn: only on a terminal (standard error),
/// and only when the data does not go to a terminal too, where the bar
/// would be drawn between its rows (data to a file, or standard output
/// redirected).
pub fn progress_shown(stderr_is_terminal: bool, stdout_is_terminal: bool, to_file: bool) -> bool {
    stderr_is_terminal && (to_file || !stdout_is_terminal)
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

    #[test]
    fn the_progress_bar_never_lands_in_data_on_the_terminal() {
        // (stderr a terminal, stdout a terminal, data to a file) -> shown
        assert!(progress_shown(true, true, true));
        assert!(progress_shown(true, false, false));
        assert!(!progress_shown(true, true, false), "rows on the terminal");
        assert!(!progress_shown(false, false, true), "stderr redirected");
        assert!(!progress_shown(false, true, false));
    }

    #[test]
    fn a_partial_name_carries_the_pid() {
        assert_eq!(partial_pid(".waterfall-4242-a1B2c3.partial"), Some(4242));
        assert_eq!(partial_pid(".waterfall-a1B2c3.partial"), None);
        assert_eq!(partial_pid(".waterfall-42-.partial"), None);
        assert_eq!(partial_pid(".waterfall--x.partial"), None);
        assert_eq!(partial_pid("waterfall-42-x.partial"), None);
    }

    #[test]
    fn staged_files_are_named_after_the_process() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let mut seen = Vec::new();
        write_atomic(&target, |w| {
            for e in std::fs::read_dir(dir.path()).unwrap() {
                seen.push(e.unwrap().file_name().to_string_lossy().into_owned());
            }
            w.write_all(b"x").map_err(io(&target))
        })
        .unwrap();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(partial_pid(&seen[0]), Some(std::process::id()), "{seen:?}");
        let left = staged()
            .iter()
            .any(|p| p.file_name().unwrap() == seen[0].as_str());
        assert!(!left, "still listed as staged");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn only_the_files_of_dead_processes_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        // pid_max is at most 2^22 on Linux: this process cannot exist.
        let dead = dir.path().join(".waterfall-4999999-abcdef.partial");
        let mine = dir
            .path()
            .join(format!(".waterfall-{}-abcdef.partial", std::process::id()));
        let init = dir.path().join(".waterfall-1-abcdef.partial");
        let old_style = dir.path().join(".waterfall-abcdef.partial");
        for p in [&dead, &mine, &init, &old_style] {
            std::fs::write(p, "x").unwrap();
        }
        assert_eq!(remove_stale(dir.path()), vec![dead.clone()]);
        assert!(!dead.exists());
        assert!(mine.exists() && init.exists() && old_style.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "kept").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let err = write_atomic(&link, |w| w.write_all(b"new").map_err(io(&link)))
            .unwrap_err()
            .to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "kept");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
