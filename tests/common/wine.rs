//! Wine as a harness for `vmmports.exe`: one run at a time, with a scrubbed
//! environment, output to files and a deadline. `.ci/run` builds the .exe
//! and sources `.ci/wine/setup` (prefix, ProcessPrng stand-in, one
//! persistent wineserver); without them a test using this fails when `CI`
//! is set, and otherwise says what to run and is skipped.

use std::ffi::OsStr;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::process::wait_within;
use super::pty;
/// How long one run of the .exe may take (a cold Wine start is seconds).
pub const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Besides `pty::SCRUBBED` (SSH, multiplexers, displays): variables that
/// would make a run describe another Windows console or config folder.
pub const SCRUBBED_TOO: [&str; 4] = ["WT_SESSION", "SESSIONNAME", "XDG_CONFIG_HOME", "NO_COLOR"];

/// The Windows binary and the Wine that runs it.
pub struct Wine {
    pub wine: PathBuf,
    pub exe: PathBuf,
}

/// What one run printed.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }
}

pub fn is_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The harness for the debug build (or `VMMPORTS_WINDOWS_EXE`), or `None`
/// (with a note) when it is not set up here; under CI a missing piece fails
/// the test.
pub fn wine() -> Option<Wine> {
    let exe = std::env::var_os("VMMPORTS_WINDOWS_EXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/x86_64-pc-windows-gnu/debug/vmmports.exe")
        });
    harness(exe)
}

/// The harness for the Windows binary `exe`, as [`wine`] says.
pub fn harness(exe: PathBuf) -> Option<Wine> {
    let wine = PathBuf::from(
        std::env::var_os("VMMPORTS_WINE").unwrap_or_else(|| "/usr/lib/wine/wine64".into()),
    );
    let missing = if !exe.is_file() {
        Some(format!(
            "{} (cargo build --target x86_64-pc-windows-gnu)",
            exe.display()
        ))
    } else if !wine.is_file() {
        Some(format!("{} (apt-get install wine64)", wine.display()))
    } else if std::env::var_os("WINEPREFIX").is_none() {
        Some("WINEPREFIX (source .ci/wine/setup)".to_string())
    } else {
        None
    };
    match missing {
        None => Some(Wine { wine, exe }),
        Some(what) if is_ci() => panic!("the Windows test harness is missing {what}"),
        Some(what) => {
            eprintln!("skipped: the Windows test harness is missing {what}");
            None
        }
    }
}

/// Runs `program args` with a scrubbed environment plus `env`, output to
/// files (Wine's helper processes can hold a pipe open past the exit), and
/// a deadline.
pub fn run(program: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Run {
    let scratch = tempfile::tempdir().unwrap();
    let out_path = scratch.path().join("stdout");
    let err_path = scratch.path().join("stderr");
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .env("WINEDEBUG", "-all");
    for var in pty::SCRUBBED.iter().chain(&SCRUBBED_TOO) {
        cmd.env_remove(var);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{program:?}: {e}"));
    let status = wait_within(&mut child, RUN_LIMIT, &format!("{program:?} {args:?}"));
    Run {
        code: status.code(),
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
    }
}

impl Wine {
    /// `vmmports.exe args` under Wine.
    pub fn vmmports(&self, args: &[&str], env: &[(&str, &OsStr)]) -> Run {
        let mut all = vec![self.exe.to_str().expect("a UTF-8 path")];
        all.extend_from_slice(args);
        run(&self.wine, &all, env)
    }

    /// A Windows environment variable as a program in the prefix sees it.
    pub fn windows_variable(&self, name: &str) -> String {
        let out = run(
            &self.wine,
            &["cmd.exe", "/c", &format!("echo %{name}%")],
            &[],
        );
        let value = out.stdout().trim().to_string();
        assert!(
            out.code == Some(0) && !value.is_empty() && !value.contains('%'),
            "cmd could not tell %{name}%: {value:?} {}",
            out.stderr
        );
        value
    }

    /// The Unix path of a Windows path in the prefix.
    pub fn unix_path(&self, windows: &str) -> PathBuf {
        let winepath = self.wine.with_file_name("winepath");
        let winepath = if winepath.is_file() {
            winepath
        } else {
            PathBuf::from("winepath")
        };
        let out = run(&winepath, &["-u", windows], &[]);
        assert_eq!(out.code, Some(0), "winepath: {}", out.stderr);
        PathBuf::from(out.stdout().trim())
    }
}
