//! Everything that differs between Unix and Windows, in one place.
//!
//! The rest of the crate calls these functions and never writes `cfg(unix)`
//! or `cfg(windows)` itself:
//! - [`terminal_writer`]: the terminal to draw on when stdout is kept for a
//!   result (`--print`, `rules --copy`'s OSC 52)
//! - [`prepare_console`]: make sure the console takes VT escape sequences
//! - [`on_termination`]: run a hook each time the session is being ended
//!   from outside (SIGTERM, SIGHUP, SIGINT; Ctrl-C, Ctrl-Break, closing the
//!   console window)
//! - [`keep_serving_clipboard`]: keep a native copy alive after exit where
//!   the clipboard dies with its owner (X11, Wayland)
//! - [`run_tmux`]: a tmux command, for copying inside tmux and `doctor`
//!   (Unix only; on Windows it says so)
//! - [`OS`]: which family this build runs on, for choices that are pure
//!   logic elsewhere (the clipboard transport)
//! - [`EDITABLE_NEWLINE`]: the line ending of the hand-edited config file
//! - [`new_file_permissions`]: the mode a written file starts with

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

pub use imp::{
    keep_serving_clipboard, new_file_permissions, on_termination, prepare_console, run_tmux,
    terminal_writer,
};

/// An operating system family, as far as vmmports' behaviour differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Unix,
    Windows,
}

/// The family this binary was built for.
pub const OS: Os = if cfg!(windows) { Os::Windows } else { Os::Unix };

/// The line ending of files admins open and edit by hand (the config file):
/// CRLF on Windows, where Notepad before Windows 10 1809, Windows Server
/// 2016's included, shows an LF file as one long line. Everything else
/// vmmports writes (output, exports, `w` copies) is LF everywhere, so it is
/// the same bytes on every platform.
pub const EDITABLE_NEWLINE: &str = if cfg!(windows) { "\r\n" } else { "\n" };

/// Whether a reset answering a connect ends it at once. Windows instead
/// sends the SYN again (twice by default, about two seconds in all) before
/// it reports the refusal, so a closed port there is silent for a while:
/// `sweep` must not give such a port up early and call it dropped.
pub const REFUSAL_IS_IMMEDIATE: bool = !cfg!(windows);

/// The console cannot show the explorer (see [`prepare_console`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleUnsupported {
    pub reason: String,
}

impl std::fmt::Display for ConsoleUnsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for ConsoleUnsupported {}
