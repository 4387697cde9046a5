//! Waiting for a child process with a deadline: a hung program must fail
//! its test, not block CI.

use std::io;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Waits for `child` at most `limit`; kills it and fails, naming `what`,
/// when it takes longer.
pub fn wait_within(child: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `cmd` with `input` written to `file` as its standard input, as a
/// paste is typed into a shell, and waits for it at most `limit`. Its
/// output goes nowhere: helpers it starts (Wine's) may outlive it and must
/// not hold a pipe open.
pub fn run_with_input(
    cmd: &mut Command,
    file: &Path,
    input: &str,
    limit: Duration,
    what: &str,
) -> ExitStatus {
    std::fs::write(file, input).unwrap();
    cmd.stdin(std::fs::File::open(file).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.start();
    wait_within(&mut child, limit, what)
}

/// The Windows error Wine gives when a child it started died before it was
/// running (ERROR_INTERNAL_ERROR).
const WINE_START_FAILED: i32 = 1359;
/// Starts in all, the first included.
const START_TRIES: u32 = 3;

/// Starting a child, tried again when Wine fumbled the start.
///
/// Under Wine, which runs the Windows test binaries in CI, a process start
/// now and then fails with [`WINE_START_FAILED`] when the machine is busy:
/// it failed so once in CI, on a `vmmports.exe` start that runs every other
/// time. Windows gives that code for no missing or broken program, so only
/// such a start is tried again; any other error fails the test at once, and
/// a child that did start is the test's to judge.
pub trait Start {
    /// Runs to the end and returns the output, as `output()` does.
    fn run(&mut self) -> Output;
}

/// `Command::spawn` with [`Start`]'s retry.
pub trait Spawn {
    fn start(&mut self) -> Child;
}

impl Spawn for Command {
    fn start(&mut self) -> Child {
        let what = format!("{self:?}");
        retrying(&what, || self.spawn())
    }
}

impl Start for Command {
    fn run(&mut self) -> Output {
        let what = format!("{self:?}");
        retrying(&what, || self.output())
    }
}

impl Start for assert_cmd::Command {
    fn run(&mut self) -> Output {
        let what = format!("{self:?}");
        retrying(&what, || self.output())
    }
}

fn retrying<T>(what: &str, mut start: impl FnMut() -> io::Result<T>) -> T {
    let mut tries = 1;
    loop {
        match start() {
            Ok(started) => return started,
            Err(e) if e.raw_os_error() == Some(WINE_START_FAILED) && tries < START_TRIES => {
                eprintln!("{what}: start failed ({e}), trying again");
                tries += 1;
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("{what} did not start: {e}"),
        }
    }
}
