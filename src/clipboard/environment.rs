//! What the clipboard can use here: an SSH session, a multiplexer, a local
//! display. Read from environment variables through a function, so tests can
//! describe any machine.

use super::osc52::Wrapping;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// `SSH_CONNECTION` or `SSH_TTY` is set.
    pub ssh: bool,
    /// Inside tmux (`TMUX`).
    pub tmux: bool,
    /// Inside GNU screen (`STY`).
    pub screen: bool,
    /// The local display, e.g. `X11 :0` or `Wayland wayland-0`.
    pub display: Option<String>,
    pub term: Option<String>,
}

impl Environment {
    pub fn from_process() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
        let display = match (
            var("WAYLAND_DISPLAY").filter(|v| !v.is_empty()),
            var("DISPLAY").filter(|v| !v.is_empty()),
        ) {
            (Some(w), _) => Some(format!("Wayland {w}")),
            (None, Some(x)) => Some(format!("X11 {x}")),
            (None, None) => None,
        };
        Environment {
            // Inside tmux SSH_TTY can be stale or missing; SSH_CONNECTION is
            // refreshed on attach, so either counts.
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            tmux: set("TMUX"),
            screen: set("STY"),
            display,
            term: var("TERM").filter(|v| !v.is_empty()),
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
