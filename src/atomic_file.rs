//! Writing a file so that it is either the old one or the whole new one:
//! a temporary file in the same folder, flushed to disk, then renamed over
//! the target (rename is atomic within a file system).
//!
//! The temporary file has a random name and is created new (`O_EXCL`; on
//! Windows `CREATE_NEW`), so nothing planted in the folder beforehand, a
//! symlink above all, is ever opened or followed: in a folder another user
//! can write to, a predictable name would let them redirect root's write to
//! any file. `tempfile` does exactly this.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::{Builder, NamedTempFile, TempPath};

pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_all(&[(path, bytes)]).map_err(|e| e.error)
}

/// Why a set of files was not written, and which of them, if any, are
/// new all the same.
#[derive(Debug)]
pub struct SetError {
    /// The file that could not be written or put in place.
    pub path: PathBuf,
    pub error: io::Error,
    /// Files left replaced: none, unless putting an old one back failed
    /// too.
    pub replaced: Vec<PathBuf>,
}

impl std::fmt::Display for SetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for SetError {}

/// Several files that belong together (a policy's three), replaced all or
/// none:
/// 1. every one is written in full beside its target, so a full disk or a
///    missing permission stops the set before anything is replaced;
/// 2. every target is checked for what a rename cannot replace (a folder);
/// 3. they are renamed into place in order, each older file kept under a
///    second random name until the last rename is done; should a rename
///    fail, the files already replaced get their old versions back (or are
///    removed, when they are new).
pub fn write_all(files: &[(&Path, &[u8])]) -> Result<(), SetError> {
    let fail = |path: &Path, error: io::Error| SetError {
        path: path.to_path_buf(),
        error,
        replaced: Vec::new(),
    };
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        staged.push(stage(path, bytes).map_err(|e| fail(path, e))?);
    }
    for (path, _) in files {
        if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            let error = io::Error::new(io::ErrorKind::IsADirectory, "a folder is in the way");
            return Err(fail(path, error));
        }
    }
    let paths: Vec<&Path> = files.iter().map(|(path, _)| *path).collect();
    commit(&paths, staged)
}

/// Renames each staged file over its target, in order, and rolls back the
/// renames done when one fails.
fn commit(paths: &[&Path], staged: Vec<NamedTempFile>) -> Result<(), SetError> {
    // What each rename done so far replaced: the old file, kept, or none.
    let mut done: Vec<(&Path, Option<TempPath>)> = Vec::new();
    let last = paths.len().saturating_sub(1);
    for (i, (path, temp)) in paths.iter().copied().zip(staged).enumerate() {
        // The last file's old version is never needed: if its rename
        // fails, it is still in place.
        let backup = if i < last { keep_old(path) } else { Ok(None) };
        let renamed = backup.and_then(|backup| {
            temp.persist(path).map_err(|e| e.error)?;
            Ok(backup)
        });
        match renamed {
            Ok(backup) => done.push((path, backup)),
            Err(error) => {
                return Err(SetError {
                    path: path.to_path_buf(),
                    error,
                    replaced: roll_back(done),
                });
            }
        }
    }
    // The old versions go when `done` is dropped.
    Ok(())
}

/// The file's new content under a random name in its target's folder,
/// flushed to disk.
fn stage(path: &Path, bytes: &[u8]) -> io::Result<NamedTempFile> {
    let prefix = prefix(path);
    let mut builder = Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    if let Some(permissions) = crate::platform::new_file_permissions() {
        builder.permissions(permissions);
    }
    let mut file = builder.tempfile_in(folder(path))?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    Ok(file)
}

/// The file now at `path`, kept under a random name beside it (a second
/// link to it, or a copy where the file system has no hard links), or
/// `None` when there is no file there.
fn keep_old(path: &Path) -> io::Result<Option<TempPath>> {
    if fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    let prefix = prefix(path);
    let mut builder = Builder::new();
    builder.prefix(&prefix).suffix(".old");
    let linked = builder.make_in(folder(path), |backup| fs::hard_link(path, backup));
    let kept = match linked {
        Ok(link) => link.into_temp_path(),
        Err(_) => {
            let mut copy = builder.tempfile_in(folder(path))?;
            io::copy(&mut fs::File::open(path)?, &mut copy)?;
            copy.as_file().sync_all()?;
            copy.into_temp_path()
        }
    };
    Ok(Some(kept))
}

/// Puts back what `done` replaced, last first; returns the files that are
/// still new.
fn roll_back(done: Vec<(&Path, Option<TempPath>)>) -> Vec<PathBuf> {
    let mut replaced = Vec::new();
    for (path, old) in done.into_iter().rev() {
        let restored = match old {
            Some(old) => old.persist(path).map_err(|e| e.error),
            None => fs::remove_file(path),
        };
        if restored.is_err() {
            replaced.push(path.to_path_buf());
        }
    }
    replaced.reverse();
    replaced
}

/// `.NAME.`: the temporary files are hidden, and say whose they are
/// (`.config.ron.a8Xk2q.tmp`).
fn prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    format!(".{name}.")
}

/// The target's folder: a rename within one folder is atomic.
fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_whole_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        super::write(&path, b"first").unwrap();
        super::write(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(super::write(&dir.path().join("missing/out.txt"), b"x").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_set_is_replaced_only_when_every_file_could_be_written() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        super::write_all(&[(&a, b"a1"), (&b, b"b1")]).unwrap();
        // The second target's folder does not exist: nothing is replaced,
        // and no temporary file is left behind.
        let missing = dir.path().join("no-such-folder").join("b");
        assert!(super::write_all(&[(&a, b"a2"), (&missing, b"b2")]).is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "a1");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b1");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    /// A rename that fails after others were done (here a folder the
    /// checks before the first rename did not see) puts the old files
    /// back, and removes the one that is new.
    #[test]
    fn a_failed_rename_puts_back_what_the_others_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let [a, b, c, d] = ["a", "b", "c", "d"].map(|n| dir.path().join(n));
        std::fs::write(&a, "a1").unwrap();
        let staged: Vec<_> = [(&a, "a2"), (&b, "b2"), (&c, "c2"), (&d, "d2")]
            .iter()
            .map(|(path, text)| super::stage(path, text.as_bytes()).unwrap())
            .collect();
        std::fs::create_dir(&c).unwrap();
        let e = super::commit(&[&a, &b, &c, &d], staged).unwrap_err();
        assert_eq!(e.path, c);
        assert!(e.replaced.is_empty(), "{:?}", e.replaced);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "a1");
        assert!(!b.exists());
        assert!(c.is_dir());
        assert!(!d.exists());
        // No temporary file or old version is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
