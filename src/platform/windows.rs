//! The Windows side of [`super`]: the console is reached through stderr when
//! stdout is redirected, VT processing is switched on (or its absence
//! reported), and console control events end the session tidily.
//!
//! The one `unsafe` block in the crate is here: registering a console control
//! handler is a plain Win32 call with no safe wrapper that also covers
//! closing the window (see [`on_termination`]).
#![allow(unsafe_code)]

use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;
use std::time::Duration;

use windows_sys::Win32::System::Console::{
    ENABLE_VIRTUAL_TERMINAL_PROCESSING, SetConsoleCtrlHandler,
};
use windows_sys::core::BOOL;

/// The console, when stdout is kept for a result (`$x = vmmports --print`).
///
/// Not `CONOUT$` opened as a file: bytes written to a file handle are read
/// in the console's code page (437 or 850, not UTF-8), which garbles every
/// box-drawing character. The standard streams turn UTF-8 into the console's
/// own UTF-16 calls, so stderr is used when it is the console.
///
/// VT processing is switched on first: `rules --copy` writes OSC 52 here
/// without the explorer having prepared the console, and a console without
/// it would print the sequence as text.
pub fn terminal_writer() -> io::Result<Box<dyn Write + Send>> {
    if !io::stderr().is_terminal() {
        return Err(io::Error::other(
            "stderr is not the console, and it is where vmmports draws while stdout is captured \
             (drop the 2> redirection)",
        ));
    }
    prepare_console().map_err(io::Error::other)?;
    Ok(Box::new(io::stderr()))
}

/// Switches on VT processing for the console (Windows 10 1511, Windows
/// Server 2016 and later take it); on an older console, says so rather
/// than drawing escape sequences as text.
///
/// Only a process with no console at all (mintty, an MSYS pty) falls back
/// on `TERM`: there the terminal on the other side reads VT itself. A
/// console that refuses VT is refused whatever `TERM` says.
pub fn prepare_console() -> Result<(), super::ConsoleUnsupported> {
    let console = match crossterm_winapi::Handle::current_out_handle() {
        Ok(handle) => crossterm_winapi::ConsoleMode::from(handle),
        Err(_) if std::env::var("TERM").is_ok_and(|t| !t.is_empty() && t != "dumb") => {
            return Ok(());
        }
        Err(e) => {
            return Err(super::ConsoleUnsupported {
                reason: format!("there is no console to draw on ({e})"),
            });
        }
    };
    let enabled = console.mode().and_then(|mode| {
        if mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING == 0 {
            console.set_mode(mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING)?;
        }
        Ok(())
    });
    enabled.map_err(|e| super::ConsoleUnsupported {
        reason: format!(
            "this console does not take VT escape sequences ({e}); the explorer needs \
             Windows 10, Windows Server 2016 or later"
        ),
    })
}

type Hook = Box<dyn Fn() + Send + Sync>;

static HOOK: OnceLock<Hook> = OnceLock::new();

/// Called by Windows on a thread of its own for Ctrl-C (when the console
/// still processes it), Ctrl-Break (always delivered, even in raw mode) and
/// closing the window. (Log-off and shutdown never reach a process that has
/// loaded user32.dll, as every GUI-capable one has; Windows ends it then.)
///
/// For a closed window Windows ends the process as soon as the handler
/// returns, so the hook runs here, before returning; it normally ends the
/// process itself. Windows allows a handler about five seconds.
unsafe extern "system" fn console_event(_kind: u32) -> BOOL {
    if let Some(hook) = HOOK.get() {
        hook();
    }
    1 // handled: no other handler, and no default ExitProcess, runs first
}

/// Runs `hook` each time the console asks the process to end (Windows calls
/// the handler once per event). Only the first hook registered in a process
/// is kept.
pub fn on_termination(hook: impl Fn() + Send + Sync + 'static) {
    if HOOK.set(Box::new(hook)).is_ok() {
        // SAFETY: `console_event` has the signature PHANDLER_ROUTINE asks
        // for and reads only a `OnceLock` filled before registration. A
        // panic in the hook cannot unwind into Windows: it aborts at the
        // `extern "system"` boundary. A failed registration leaves Windows'
        // default handling, which ends the process: safe, if less tidy.
        unsafe {
            SetConsoleCtrlHandler(Some(console_event), 1);
        }
    }
}

/// The Win32 clipboard keeps its own copy of the text after the owner
/// exits: nothing to serve.
pub fn keep_serving_clipboard(_: &mut arboard::Clipboard, _: &str, _: Duration) {}

/// A new file inherits its folder's access control list, as a file from
/// `File::create` does: nothing to set.
pub fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// tmux runs on Unix only; the clipboard never picks it on Windows, so this
/// only answers a caller that asks anyway.
pub fn run_tmux(_args: &[&str], _input: Option<&[u8]>) -> Result<String, String> {
    Err("tmux runs only on Unix".into())
}
