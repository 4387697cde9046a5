//! The Windows dialects pasted whole into cmd.exe: Wine's cmd.exe, an
//! independent implementation of cmd's parsing (`REM` ignores the rest of
//! its line; `&`, `|`, `<` and `>` act on any other line). Made from the
//! hostile corpus, neither a PowerShell nor a netsh script may create a
//! marker file. A control case shows that a `#` line with `&` does run.
//!
//! Needs Wine as set up by `.ci/wine/setup`: fails without it when `CI` is
//! set, and otherwise says what to run and passes.

// Unix only: Wine runs cmd.exe on Linux.
#![cfg(unix)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::hostile::{self, vmmports};
use common::needs;
use common::process::run_with_input;

const WINE: &str = "/usr/lib/wine/wine64";

fn wine_ready() -> bool {
    let mut missing = Vec::new();
    if !needs::has_tool(WINE) || std::env::var_os("WINEPREFIX").is_none() {
        missing.push("Wine".to_string());
    }
    needs::ready(&missing, "source .ci/wine/setup")
}

/// Feeds `script` to cmd.exe as typed input in a fresh folder, and returns
/// the marker files it left there.
fn paste_into_cmd(script: &str) -> Vec<String> {
    let work = tempfile::tempdir().unwrap();
    run_with_input(
        Command::new(WINE)
            .arg("cmd.exe")
            .current_dir(work.path())
            .env("WINEDEBUG", "-all"),
        &work.path().join("paste.txt"),
        script,
        Duration::from_secs(120),
        "cmd.exe, with the paste",
    );
    hostile::markers(work.path())
}

#[test]
fn windows_scripts_run_nothing_in_cmd() {
    if !wine_ready() {
        return;
    }
    let (_dir, data) = hostile::catalog_in_tempdir(false);
    let data = data.as_str();
    let mut cases: Vec<Vec<&str>> = Vec::new();
    for dialect in ["powershell", "netsh"] {
        cases.push(vec!["--data", data, "rules", "--format", dialect]);
        for group in hostile::GROUPS {
            cases.push(vec!["rules", "--format", dialect, "--group", group]);
        }
    }
    // One paste per dialect and input; refused inputs print no script.
    let mut pasted = 0;
    for args in cases {
        let out = vmmports(&args);
        if let Some(script) = hostile::script_or_refusal(&out, &format!("{args:?}")) {
            let markers = paste_into_cmd(&script);
            assert!(markers.is_empty(), "{args:?}: cmd.exe created {markers:?}");
            pasted += 1;
        }
    }
    assert!(pasted >= 2, "the hostile catalog's scripts were pasted");
}

/// The harness sees what it is meant to: `&` acts in a `#` line, not in a
/// `REM` line.
#[test]
fn control_cmd_acts_on_a_hash_line_and_not_on_rem() {
    if !wine_ready() {
        return;
    }
    let markers = paste_into_cmd("REM a & echo x > pwned-rem\n# b & echo y > pwned-hash\n");
    assert_eq!(markers, ["pwned-hash"]);
}
