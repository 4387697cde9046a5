//! Writing a file so that it is either the old one or the whole new one:
//! a temporary file in the same folder, flushed to disk, then renamed over
//! the target (rename is atomic within a file system).

use std::io::Write;
use std::path::{Path, PathBuf};

pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_all(&[(path, bytes)])
}

/// Several files that belong together (a policy's three): every one is
/// written in full beside its target first, and only then are they renamed
/// into place, so a full disk or a missing permission leaves the old set
/// untouched rather than half replaced.
pub fn write_all(files: &[(&Path, &[u8])]) -> std::io::Result<()> {
    let temps: Vec<PathBuf> = files.iter().map(|(path, _)| temp_beside(path)).collect();
    let remove_all = || {
        for temp in &temps {
            let _ = std::fs::remove_file(temp);
        }
    };
    for ((_, bytes), temp) in files.iter().zip(&temps) {
        let staged = (|| {
            let mut file = std::fs::File::create(temp)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        if let Err(e) = staged {
            remove_all();
            return Err(e);
        }
    }
    for ((path, _), temp) in files.iter().zip(&temps) {
        if let Err(e) = std::fs::rename(temp, path) {
            remove_all();
            return Err(e);
        }
    }
    Ok(())
}

/// `.NAME.PID.tmp` in the target's folder: a rename within one folder is
/// atomic.
fn temp_beside(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    dir.join(format!(".{name}.{}.tmp", std::process::id()))
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
}
