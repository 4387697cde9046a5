//! The binary under test, started with a config folder of the test run's
//! own, so that whatever the machine's user saved (`config.ron`, a remote
//! address, a group) never plays into a test. A test that wants a config
//! of its own sets `XDG_CONFIG_HOME` again, which wins as the later setting.
//!
//! `XDG_CONFIG_HOME` is enough on both platforms: vmmports reads it before
//! the platform's folder (`~/.config` or `%APPDATA%`) on Linux and Windows.

use std::path::Path;
use std::sync::OnceLock;

/// An empty folder for this test binary's runs, made once and left in the
/// temporary folder (a static is never dropped; it stays empty unless a
/// test saves settings without choosing a folder of its own).
pub fn empty_config_home() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    HOME.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("vmmports-test-config")
            .tempdir()
            .expect("a temporary config folder")
    })
    .path()
}

/// `vmmports` as an `assert_cmd` command.
pub fn vmmports() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("vmmports").expect("the vmmports binary is built");
    cmd.env("XDG_CONFIG_HOME", empty_config_home());
    cmd
}

/// `vmmports` as a std command, for tests that pipe or wait themselves.
pub fn vmmports_std() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("vmmports"));
    cmd.env("XDG_CONFIG_HOME", empty_config_home());
    cmd
}
