//! A config folder of the test's own, so that no developer's settings play
//! in and a test's config file never touches theirs.

use std::path::PathBuf;

/// A folder for `XDG_CONFIG_HOME` holding `vmmports/config.ron` with
/// `text`; the file's path too, for tests that check it is left alone.
pub fn config_home(text: &str) -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let folder = home.path().join("vmmports");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("config.ron");
    std::fs::write(&path, text).unwrap();
    (home, path)
}
