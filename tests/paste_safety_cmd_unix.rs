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

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::hostile::{self, vmmports};
use common::process::wait_within;

const WINE: &str = "/usr/lib/wine/wine64";

fn wine_ready() -> bool {
    let ready = Path::new(WINE).is_file() && std::env::var_os("WINEPREFIX").is_some();
    if !ready {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!("Wine is not set up: source .ci/wine/setup");
        }
        eprintln!("skipped: Wine is not set up (source .ci/wine/setup)");
    }
    ready
}

/// Feeds `script` to cmd.exe as typed input in a fresh folder, and returns
/// the marker files it left there.
fn paste_into_cmd(script: &str) -> Vec<String> {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("paste.txt");
    std::fs::write(&input, script).unwrap();
    let mut child = Command::new(WINE)
        .arg("cmd.exe")
        .current_dir(work.path())
        .env("WINEDEBUG", "-all")
        .stdin(std::fs::File::open(&input).unwrap())
        // Wine's helpers may outlive cmd.exe: never give them a pipe.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_within(
        &mut child,
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
    let dir = tempfile::tempdir().unwrap();
    let data = hostile::catalog_file(dir.path(), false);
    let data = data.to_str().unwrap();
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
        match out.status.code() {
            Some(0) => {
                let markers = paste_into_cmd(&String::from_utf8(out.stdout).unwrap());
                assert!(markers.is_empty(), "{args:?}: cmd.exe created {markers:?}");
                pasted += 1;
            }
            Some(2) => assert!(out.stdout.is_empty(), "{args:?}: half a script"),
            other => panic!("{args:?}: exit {other:?}"),
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
