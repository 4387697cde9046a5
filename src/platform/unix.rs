//! The Unix side of [`super`]: the controlling terminal is `/dev/tty`, and
//! the session ends with SIGTERM, SIGHUP or SIGINT.

use std::io::{self, Write};
use std::time::{Duration, Instant};

/// The controlling terminal, even when stdout and stderr are redirected.
pub fn terminal_writer() -> io::Result<Box<dyn Write + Send>> {
    match std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        Ok(tty) => Ok(Box::new(tty)),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("no controlling terminal (/dev/tty: {e})"),
        )),
    }
}

/// Every Unix terminal vmmports meets takes VT sequences.
pub fn prepare_console() -> Result<(), super::ConsoleUnsupported> {
    Ok(())
}

/// Runs `hook` on a thread of its own each time SIGTERM, SIGHUP or SIGINT
/// arrives (signals that arrive while it runs are seen once it returns).
/// Registration failures leave the default signal behaviour, which ends the
/// process: safe, if less tidy.
pub fn on_termination(hook: impl Fn() + Send + Sync + 'static) {
    let signals = [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ];
    if let Ok(mut incoming) = signal_hook::iterator::Signals::new(signals) {
        std::thread::spawn(move || {
            // Every one, not just the first: a second signal may mean "now".
            for _ in incoming.forever() {
                hook();
            }
        });
    }
}

/// On X11 and Wayland the copied text lives in its owner: serve it until a
/// clipboard manager (or a paste) takes it, or `deadline` passes. (macOS
/// keeps the text after its owner exits, so there is nothing to do there.)
#[cfg_attr(target_os = "macos", allow(unused_variables))]
pub fn keep_serving_clipboard(clipboard: &mut arboard::Clipboard, text: &str, deadline: Duration) {
    #[cfg(not(target_os = "macos"))]
    {
        use arboard::SetExtLinux;
        let _ = clipboard
            .set()
            .wait_until(Instant::now() + deadline)
            .text(text.to_owned());
    }
}

/// The mode of a file vmmports writes, before the umask: `0o666`, what
/// `File::create` gives, so a policy handed to another team stays readable
/// by it (a temporary file would otherwise keep its private `0o600`).
pub fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o666))
}

/// How long a tmux command may take: a local socket answers in
/// milliseconds, and the explorer waits for this between frames.
const TMUX_DEADLINE: Duration = Duration::from_secs(3);

/// Runs `tmux args` (the server in `$TMUX`), with `input` on its stdin; its
/// stdout when it succeeds, else why not (its stderr, or the failure to run
/// it). Output is captured, never inherited: the explorer owns the screen.
pub fn run_tmux(args: &[&str], input: Option<&[u8]>) -> Result<String, String> {
    use std::io::Read;
    use std::process::{Command, Stdio};

    let mut child = Command::new("tmux")
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tmux: {e}"))?;
    // Written on a thread of its own so a tmux that never reads cannot hold
    // us past the deadline; closing stdin tells it the text is complete.
    let writer = match (input, child.stdin.take()) {
        (Some(bytes), Some(mut stdin)) => {
            let bytes = bytes.to_vec();
            Some(std::thread::spawn(move || stdin.write_all(&bytes)))
        }
        _ => None,
    };
    let deadline = Instant::now() + TMUX_DEADLINE;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("tmux did not answer within {TMUX_DEADLINE:?}"));
            }
            Err(e) => return Err(format!("waiting for tmux: {e}")),
        }
    };
    if let Some(Ok(Err(e))) = writer.map(|w| w.join()) {
        return Err(format!("cannot hand the text to tmux: {e}"));
    }
    let read = |pipe: Option<&mut dyn Read>| {
        let mut text = String::new();
        if let Some(pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    };
    let stdout = read(child.stdout.as_mut().map(|p| p as &mut dyn Read));
    let stderr = read(child.stderr.as_mut().map(|p| p as &mut dyn Read));
    if status.success() {
        Ok(stdout)
    } else {
        let why = stderr.lines().next().unwrap_or("").trim().to_string();
        Err(if why.is_empty() {
            format!("tmux failed ({status})")
        } else {
            why
        })
    }
}
