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
