//! Waiting for a child process with a deadline: a hung program must fail
//! its test, not block CI.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
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
    let mut child = cmd
        .stdin(std::fs::File::open(file).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_within(&mut child, limit, what)
}
