//! Output files written whole or not at all.
//!
//! Every file SNS writes (`runs.csv`, `summary.md`, `run.toml`, pictures, replay pages, plots,
//! rate maps) goes through [`AtomicFile`]: the bytes go to a temporary file in the same folder,
//! which is flushed, synced and then renamed over the target. A process killed mid-write, or a
//! write that fails (full disk), leaves the previous file as it was and no partial file under the
//! target's name. The rename is atomic because the temporary file is on the same file system.
//!
//! A target that exists and is not a regular file (`/dev/stdout`, a named pipe) cannot be
//! replaced by a rename; it is written in place. A symbolic link to a file is followed: the file
//! it points to is replaced, the link stays.
//!
//! ```
//! let dir = std::env::temp_dir().join(format!("sns-output-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("notes.txt");
//! sns_harness::output::write_file(&path, b"first").unwrap();
//! sns_harness::output::write_file(&path, b"second").unwrap();
//! assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// An output file that could not be written. The previous file under that name, if any, is
/// left as it was.
#[derive(Debug, Error)]
#[non_exhaustive]
#[error("{}: {cause}", path.display())]
pub struct OutputError {
    /// The file that was to be written.
    pub path: PathBuf,
    /// The cause (shown in the message, so not a `source`: error chains would repeat it).
    pub cause: io::Error,
}

impl OutputError {
    /// The error `cause` about `path`.
    pub fn new(path: &Path, cause: io::Error) -> Self {
        OutputError {
            path: path.to_path_buf(),
            cause,
        }
    }
}

/// Where the bytes go before [`AtomicFile::commit`].
#[derive(Debug)]
enum Inner {
    /// A temporary file beside the target, renamed over it on commit.
    Temp(tempfile::NamedTempFile),
    /// The target itself (a device or a pipe, which a rename cannot replace).
    Direct(File),
}

/// A file being written: bytes go to [`AtomicFile::file`] (or a library writes
/// [`AtomicFile::write_path`] itself), and only [`AtomicFile::commit`] puts them under the
/// target's name. Dropped without a commit, it removes its temporary file and the target is
/// untouched.
#[derive(Debug)]
pub struct AtomicFile {
    /// The name given by the caller (used in errors).
    path: PathBuf,
    /// The file that is replaced: `path`, or what it links to.
    target: PathBuf,
    inner: Inner,
}

impl AtomicFile {
    /// Starts writing `path`: creates a temporary file in its folder (named after it, hidden,
    /// with the same extension so that tools that look at extensions see the right type).
    pub fn create(path: &Path) -> Result<AtomicFile, OutputError> {
        let err = |e: io::Error| OutputError::new(path, e);
        let target = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => return Err(err(io::Error::other("is a folder, not a file"))),
            Ok(m) if !m.is_file() => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(path)
                    .map_err(err)?;
                return Ok(AtomicFile {
                    path: path.to_path_buf(),
                    target: path.to_path_buf(),
                    inner: Inner::Direct(f),
                });
            }
            // Follow a symbolic link so that the link survives and its target is replaced.
            Ok(_) => std::fs::canonicalize(path).map_err(err)?,
            Err(_) => path.to_path_buf(),
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let suffix = target
            .extension()
            .map_or_else(String::new, |e| format!(".{}", e.to_string_lossy()));
        let mut builder = tempfile::Builder::new();
        let prefix = format!(".{name}.");
        builder.prefix(&prefix).suffix(&suffix);
        // tempfile creates 0600 files; outputs get the usual mode (0666 less the umask), as
        // `std::fs::write` would give them.
        #[cfg(unix)]
        let perms = {
            use std::os::unix::fs::PermissionsExt;
            std::fs::Permissions::from_mode(0o666)
        };
        #[cfg(unix)]
        builder.permissions(perms);
        // tempfile names its temporary file in the error; the caller's file is what matters.
        let tmp = builder.tempfile_in(&dir).map_err(|e| {
            let cause = if dir.is_dir() {
                io::Error::new(
                    e.kind(),
                    format!("cannot write in {}: {}", dir.display(), e.kind()),
                )
            } else {
                io::Error::new(e.kind(), format!("folder {} does not exist", dir.display()))
            };
            err(cause)
        })?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            target,
            inner: Inner::Temp(tmp),
        })
    }

    /// The open file to write to.
    pub fn file(&mut self) -> &mut File {
        match &mut self.inner {
            Inner::Temp(t) => t.as_file_mut(),
            Inner::Direct(f) => f,
        }
    }

    /// The path of the file being written, for libraries that open a path themselves. It is
    /// the temporary file (or the target itself when that is a device or a pipe).
    pub fn write_path(&self) -> &Path {
        match &self.inner {
            Inner::Temp(t) => t.path(),
            Inner::Direct(_) => &self.target,
        }
    }

    /// The name the caller gave.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error about this file.
    pub fn error(&self, cause: io::Error) -> OutputError {
        OutputError::new(&self.path, cause)
    }

    /// Flushes and syncs the bytes, then renames the temporary file over the target.
    pub fn commit(self) -> Result<(), OutputError> {
        let path = self.path;
        let err = |e: io::Error| OutputError::new(&path, e);
        match self.inner {
            Inner::Direct(mut f) => f.flush().map_err(err),
            Inner::Temp(mut t) => {
                t.as_file_mut().flush().map_err(err)?;
                // Synced before the rename, so that after a crash the name holds either the old
                // bytes or all of the new ones.
                t.as_file().sync_all().map_err(err)?;
                t.persist(&self.target).map(drop).map_err(|e| err(e.error))
            }
        }
    }
}

/// Writes `bytes` to `path` atomically (see the [module](self) documentation).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_with(path, |w| w.write_all(bytes))
}

/// Writes `path` atomically with `write`, which gets a buffered writer; if it fails, nothing is
/// renamed and the error names the file.
pub fn write_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputError> {
    let mut file = AtomicFile::create(path)?;
    {
        let mut w = io::BufWriter::new(file.file());
        write(&mut w).map_err(|e| OutputError::new(path, e))?;
        w.flush().map_err(|e| OutputError::new(path, e))?;
    }
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sns-output-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let d = temp_dir("fail");
        let p = d.join("runs.csv");
        write_file(&p, b"good,old\n").expect("first write");
        let e = write_with(&p, |w| {
            w.write_all(b"half a ro")?;
            Err(io::Error::other("disk full"))
        })
        .expect_err("the write fails");
        assert_eq!(e.path, p);
        assert!(e.to_string().contains("runs.csv") && e.to_string().contains("disk full"));
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "good,old\n");
        assert_eq!(entries(&d), vec!["runs.csv".to_string()]);
        // An uncommitted file is dropped the same way.
        let mut f = AtomicFile::create(&p).expect("create");
        f.file().write_all(b"partial").expect("write");
        drop(f);
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "good,old\n");
        assert_eq!(entries(&d), vec!["runs.csv".to_string()]);
        std::fs::remove_dir_all(&d).expect("clean up");
    }

    #[test]
    fn a_commit_replaces_the_file_and_keeps_its_extension_while_written() {
        let d = temp_dir("ok");
        let p = d.join("picture.png");
        let f = AtomicFile::create(&p).expect("create");
        assert_eq!(f.write_path().parent(), Some(d.as_path()));
        assert_eq!(
            f.write_path().extension().and_then(|e| e.to_str()),
            Some("png")
        );
        assert!(
            !p.exists(),
            "nothing under the target's name before the commit"
        );
        drop(f);
        write_file(&p, b"one").expect("write");
        write_file(&p, b"two").expect("write");
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).expect("meta").permissions().mode();
            assert_ne!(
                mode & 0o044,
                0,
                "readable by others as with fs::write: {mode:o}"
            );
        }
        std::fs::remove_dir_all(&d).expect("clean up");
    }

    #[test]
    fn folders_and_missing_folders_are_named_errors() {
        let d = temp_dir("dir");
        let e = write_file(&d, b"x").expect_err("a folder");
        assert!(e.to_string().contains("folder"), "{e}");
        let e = write_file(&d.join("no/such/x.txt"), b"x").expect_err("no folder");
        assert!(e.to_string().contains("x.txt"), "{e}");
        std::fs::remove_dir_all(&d).expect("clean up");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_followed_and_kept() {
        let d = temp_dir("link");
        let real = d.join("real.md");
        write_file(&real, b"old").expect("write");
        let link = d.join("link.md");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_file(&link, b"new").expect("write through the link");
        assert!(std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).expect("read"), b"new");
        std::fs::remove_dir_all(&d).expect("clean up");
    }
}
