//! What the clipboard can use here: the operating system, an SSH session, a
//! multiplexer, a local display or Windows console. Read from environment
//! variables through a function, so tests can describe any machine.

use super::osc52::Wrapping;
use crate::platform::Os;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub os: Os,
    /// `SSH_CONNECTION`, `SSH_CLIENT` or `SSH_TTY` is set. OpenSSH sets all
    /// three on Unix; Windows' OpenSSH server sets them too.
    pub ssh: bool,
    /// Inside tmux (`TMUX`), on Unix.
    pub tmux: bool,
    /// Inside GNU screen (`STY`), on Unix.
    pub screen: bool,
    /// The local display on Unix, e.g. `X11 :0` or `Wayland wayland-0`;
    /// always `None` on Windows, where the desktop needs no variable.
    pub display: Option<String>,
    pub term: Option<String>,
    /// What draws the console on Windows; `None` on Unix.
    pub console: Option<WindowsConsole>,
    /// A Remote Desktop session (`SESSIONNAME` is `RDP-…`): the Win32
    /// clipboard is shared with the admin's own machine by RDP itself.
    pub remote_desktop: bool,
}

/// The host of a Windows console session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowsConsole {
    /// Windows Terminal (`WT_SESSION` is set).
    Terminal,
    /// The pseudo console (ConPTY) Windows' OpenSSH server runs a session in;
    /// the terminal is on the client's side.
    SshPseudoConsole,
    /// The classic console host (conhost), or another host that sets nothing
    /// we recognise.
    Conhost,
}

impl WindowsConsole {
    pub fn describe(self) -> &'static str {
        match self {
            WindowsConsole::Terminal => "Windows Terminal (WT_SESSION is set)",
            WindowsConsole::SshPseudoConsole => {
                "a pseudo console (ConPTY) run by Windows' OpenSSH server; your terminal is on the client"
            }
            WindowsConsole::Conhost => {
                "the classic console (conhost), or a host that sets no variable"
            }
        }
    }
}

impl Environment {
    pub fn from_process() -> Self {
        Self::from_vars(crate::platform::OS, |name| std::env::var(name).ok())
    }

    pub fn from_vars(os: Os, var: impl Fn(&str) -> Option<String>) -> Self {
        let value = |name: &str| var(name).filter(|v| !v.is_empty());
        let set = |name: &str| value(name).is_some();
        // Inside tmux SSH_TTY can be stale or missing; SSH_CONNECTION is
        // refreshed on attach, so any of them counts.
        let ssh = set("SSH_CONNECTION") || set("SSH_CLIENT") || set("SSH_TTY");
        let (display, console) = match os {
            Os::Unix => {
                let display = match (value("WAYLAND_DISPLAY"), value("DISPLAY")) {
                    (Some(w), _) => Some(format!("Wayland {w}")),
                    (None, Some(x)) => Some(format!("X11 {x}")),
                    (None, None) => None,
                };
                (display, None)
            }
            Os::Windows => {
                // SSH first: WT_SESSION is inherited by children, so a stale
                // one can reach an SSH session started from a WT tab.
                let console = if ssh {
                    WindowsConsole::SshPseudoConsole
                } else if set("WT_SESSION") {
                    WindowsConsole::Terminal
                } else {
                    WindowsConsole::Conhost
                };
                (None, Some(console))
            }
        };
        // tmux and GNU screen run on Unix; on Windows a stray TMUX or STY
        // (from an MSYS shell, or passed through by a tool) wraps nothing.
        let unix = os == Os::Unix;
        Environment {
            os,
            ssh,
            tmux: unix && set("TMUX"),
            screen: unix && set("STY"),
            display,
            term: value("TERM"),
            console,
            remote_desktop: os == Os::Windows
                && value("SESSIONNAME").is_some_and(|s| s.to_ascii_uppercase().starts_with("RDP-")),
        }
    }

    /// How OSC 52 must be wrapped here (tmux wins when both are present: it
    /// is the innermost multiplexer when `TMUX` is set).
    pub fn wrapping(&self) -> Wrapping {
        if self.tmux {
            Wrapping::Tmux
        } else if self.screen {
            Wrapping::Screen
        } else {
            Wrapping::Plain
        }
    }
}
