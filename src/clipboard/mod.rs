//! Copying text, wherever the admin is: the native clipboard on a local
//! desktop, OSC 52 through the terminal over SSH (through screen too), tmux's
//! own buffer inside tmux, or nothing at all, and always an honest report of
//! which.
//!
//! Never runs pbcopy, xclip or wl-copy: on a remote host they fill the remote
//! machine's clipboard and report a success the admin never sees.

pub mod environment;
pub mod osc52;
pub mod tmux;

use std::io::Write;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use environment::{Environment, WindowsConsole};

use crate::platform::Os;

/// What the admin asked for (`--clipboard`, or the config file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    #[default]
    Auto,
    Native,
    Osc52,
    None,
}

/// How a copy will be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Native,
    Osc52,
    /// Inside tmux, where OSC 52 would be used: `tmux load-buffer -w`, since
    /// tmux's default (`set-clipboard external`) ignores a program's OSC 52.
    Tmux,
    None,
}

/// OSC 52's route from here: through tmux itself when inside it.
fn through_terminal(env: &Environment) -> Transport {
    if env.tmux {
        Transport::Tmux
    } else {
        Transport::Osc52
    }
}

/// The transport for `choice` here, and why, in words for `doctor`.
pub fn choose(choice: Choice, env: &Environment) -> (Transport, String) {
    let (transport, why) = choose_ignoring_tmux(choice, env);
    if transport != Transport::Osc52 || through_terminal(env) == Transport::Osc52 {
        return (transport, why);
    }
    (
        Transport::Tmux,
        format!(
            "{why}; inside tmux, which ignores a program's OSC 52 unless its set-clipboard is on, \
             so through tmux's own buffer"
        ),
    )
}

fn choose_ignoring_tmux(choice: Choice, env: &Environment) -> (Transport, String) {
    match choice {
        Choice::Native => (Transport::Native, "you chose it".into()),
        Choice::Osc52 => (Transport::Osc52, "you chose it".into()),
        Choice::None => (Transport::None, "you chose it".into()),
        Choice::Auto if env.ssh => (
            Transport::Osc52,
            "this is an SSH session: the clipboard you want is on your own machine, which only your terminal can reach"
                .into(),
        ),
        Choice::Auto if env.os == Os::Windows => (
            Transport::Native,
            if env.remote_desktop {
                "this is a Remote Desktop session: the Windows clipboard, which RDP shares with your own machine"
            } else {
                "this is a Windows desktop session (no SSH): the Windows clipboard"
            }
            .into(),
        ),
        Choice::Auto => match &env.display {
            Some(display) => (Transport::Native, format!("there is a local display ({display}) and no SSH session")),
            None => (Transport::Osc52, "there is no local display (neither DISPLAY nor WAYLAND_DISPLAY is set)".into()),
        },
    }
}

/// What a copy did, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub message: String,
    /// False when nothing reached any clipboard.
    pub ok: bool,
}

/// Copies text; keeps the native clipboard handle alive for the life of the
/// app (on X11 the text vanishes when its owner goes).
pub struct Clipboard {
    choice: Choice,
    env: Environment,
    limit: usize,
    native: Option<arboard::Clipboard>,
    /// Whether the last copy went to the native clipboard.
    native_used: bool,
    last: Option<String>,
    /// Runs tmux commands; replaced in tests.
    tmux: tmux::Runner,
}

impl Clipboard {
    pub fn new(choice: Choice, env: Environment, limit: Option<usize>) -> Self {
        Clipboard {
            choice,
            env,
            limit: limit.unwrap_or(osc52::DEFAULT_LIMIT),
            native: None,
            native_used: false,
            last: None,
            tmux: crate::platform::run_tmux,
        }
    }

    #[cfg(test)]
    fn with_tmux(mut self, runner: tmux::Runner) -> Self {
        self.tmux = runner;
        self
    }

    /// The text of the last copy, for `--print` and `w`.
    pub fn last(&self) -> Option<&str> {
        self.last.as_deref()
    }

    /// Copies `text`; OSC 52 bytes go to `terminal` (the controlling
    /// terminal, written between frames).
    pub fn copy(&mut self, text: &str, terminal: &mut dyn Write) -> Report {
        self.last = Some(text.to_string());
        self.native_used = false;
        let (transport, _) = choose(self.choice, &self.env);
        match transport {
            Transport::None => Report {
                message: "Clipboard off (--clipboard none): press w to write it to a file, or run with --print".into(),
                ok: false,
            },
            Transport::Osc52 => self.send_osc52(text, terminal, None),
            Transport::Tmux => self.load_into_tmux(text, terminal, String::new()),
            Transport::Native => match self.copy_native(text) {
                Ok(()) => {
                    self.native_used = true;
                    Report {
                        message: format!("Copied to the system clipboard ({} bytes)", text.len()),
                        ok: true,
                    }
                }
                // The native clipboard failed (an SSH X11 timeout, no
                // compositor support…): the terminal's route may still work.
                Err(e) => {
                    let prefix = format!("System clipboard unavailable ({}); ", first_line(&e));
                    match through_terminal(&self.env) {
                        Transport::Tmux => self.load_into_tmux(text, terminal, prefix),
                        _ => self.send_osc52(text, terminal, Some(prefix)),
                    }
                }
            },
        }
    }

    fn copy_native(&mut self, text: &str) -> Result<(), String> {
        if self.native.is_none() {
            self.native = Some(arboard::Clipboard::new().map_err(|e| e.to_string())?);
        }
        match self.native.as_mut() {
            Some(clipboard) => clipboard.set_text(text).map_err(|e| e.to_string()),
            None => Err("no native clipboard".into()),
        }
    }

    /// The refusal of a copy over OSC 52's limit, whichever route carries
    /// OSC 52 (tmux's `-w` forwards it as OSC 52 too), or `None`.
    fn over_limit(&self, text: &str, prefix: &str) -> Option<Report> {
        (text.len() > self.limit).then(|| Report {
            message: format!(
                "{prefix}Clipboard unavailable: {} bytes is more than OSC 52's limit of {}; press w to write it to a file, or run with --print",
                text.len(),
                self.limit
            ),
            ok: false,
        })
    }

    /// Inside tmux: tmux's paste buffer, forwarded by tmux when it can; the
    /// wrapped OSC 52 when tmux cannot be used. Says only what happened:
    /// tmux never reports whether the outer terminal took it.
    fn load_into_tmux(&self, text: &str, terminal: &mut dyn Write, prefix: String) -> Report {
        if let Some(refused) = self.over_limit(text, &prefix) {
            return refused;
        }
        let bytes = text.len();
        match tmux::load_buffer(self.tmux, text) {
            Ok(tmux::Loaded::BufferAndForwarded) => Report {
                message: format!(
                    "{prefix}Copied into tmux's buffer, {bytes} bytes (tmux forwards it to your terminal's clipboard when it can: vmmports doctor)"
                ),
                ok: true,
            },
            Ok(tmux::Loaded::BufferOnly) => Report {
                message: format!(
                    "{prefix}Copied into tmux's buffer only, {bytes} bytes: this tmux is too old for load-buffer -w, so it stays in tmux (prefix ] pastes it)"
                ),
                ok: true,
            },
            Err(e) => self.send_osc52(
                text,
                terminal,
                Some(format!(
                    "{prefix}tmux load-buffer failed ({}), so instead: ",
                    first_line(&e)
                )),
            ),
        }
    }

    fn send_osc52(&self, text: &str, terminal: &mut dyn Write, prefix: Option<String>) -> Report {
        let prefix = prefix.unwrap_or_default();
        if let Some(refused) = self.over_limit(text, &prefix) {
            return refused;
        }
        let wrapping = self.env.wrapping();
        let bytes = osc52::encode(text, wrapping);
        let caveat = if self.env.console == Some(WindowsConsole::SshPseudoConsole)
            && osc52::too_long_for_old_conpty(text)
        {
            format!(
                "; the pseudo console of Windows 10-era servers (2019, 2022) drops OSC 52 of more than {} bytes: \
                 if nothing arrives, press w or run with --print",
                osc52::CONPTY_TEXT_LIMIT
            )
        } else {
            String::new()
        };
        match terminal
            .write_all(bytes.as_bytes())
            .and_then(|_| terminal.flush())
        {
            Ok(()) => Report {
                message: format!(
                    "{prefix}Sent via OSC 52 ({}), {} bytes — your terminal must allow OSC 52 (vmmports doctor){caveat}",
                    wrapping.name(),
                    text.len()
                ),
                ok: true,
            },
            Err(e) => Report {
                message: format!(
                    "{prefix}Clipboard unavailable: cannot write to the terminal: {e}"
                ),
                ok: false,
            },
        }
    }

    /// At exit: if the native clipboard still holds our text, keep serving it
    /// a moment so a clipboard manager (or a paste right now) can take it
    /// before this process, its X11 owner, is gone.
    pub fn hand_off(&mut self, deadline: Duration) {
        if !self.native_used {
            return;
        }
        let (Some(clipboard), Some(text)) = (self.native.as_mut(), self.last.as_ref()) else {
            return;
        };
        if clipboard.get_text().ok().as_ref() != Some(text) {
            return; // someone else owns the clipboard now
        }
        crate::platform::keep_serving_clipboard(clipboard, text, deadline);
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_on(os: Os, vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(os, |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    fn env(vars: &[(&str, &str)]) -> Environment {
        env_on(Os::Unix, vars)
    }

    #[test]
    fn auto_picks_by_environment() {
        let cases = [
            (vec![("DISPLAY", ":0")], Transport::Native),
            (vec![("WAYLAND_DISPLAY", "wayland-0")], Transport::Native),
            (vec![], Transport::Osc52),
            (
                vec![("DISPLAY", ":0"), ("SSH_CONNECTION", "1 2 3 4")],
                Transport::Osc52,
            ),
            (vec![("SSH_TTY", "/dev/pts/1")], Transport::Osc52),
            (vec![("SSH_CLIENT", "10.0.0.9 50000 22")], Transport::Osc52),
            (
                vec![("TMUX", "/tmp/tmux-0/default,1,0"), ("SSH_CONNECTION", "x")],
                Transport::Tmux,
            ),
            (vec![("TMUX", "/tmp/tmux-0/default,1,0")], Transport::Tmux),
            (
                vec![("TMUX", "/tmp/tmux-0/default,1,0"), ("DISPLAY", ":0")],
                Transport::Native,
            ),
            (vec![("STY", "1.pts")], Transport::Osc52),
        ];
        for (vars, expected) in cases {
            assert_eq!(choose(Choice::Auto, &env(&vars)).0, expected, "{vars:?}");
        }
        assert_eq!(
            choose(Choice::None, &env(&[("DISPLAY", ":0")])).0,
            Transport::None
        );
        assert_eq!(
            choose(Choice::Osc52, &env(&[("DISPLAY", ":0")])).0,
            Transport::Osc52
        );
        // OSC 52 inside tmux means through tmux, chosen or not.
        let (transport, why) = choose(Choice::Osc52, &env(&[("TMUX", "x")]));
        assert_eq!(transport, Transport::Tmux);
        assert!(why.contains("tmux's own buffer"), "{why}");
        // tmux exists for Unix programs only.
        assert_eq!(
            choose(
                Choice::Auto,
                &env_on(Os::Windows, &[("TMUX", "x"), ("SSH_CLIENT", "x")])
            )
            .0,
            Transport::Osc52
        );
    }

    #[test]
    fn auto_on_windows_uses_the_desktop_clipboard_unless_over_ssh() {
        let windows = |vars: &[(&str, &str)]| choose(Choice::Auto, &env_on(Os::Windows, vars));
        // No DISPLAY on a Windows desktop, and none needed.
        let (transport, why) = windows(&[]);
        assert_eq!(transport, Transport::Native);
        assert!(why.contains("Windows desktop"), "{why}");
        assert_eq!(windows(&[("WT_SESSION", "0b8a…")]).0, Transport::Native);
        let (transport, why) = windows(&[("SESSIONNAME", "RDP-Tcp#3")]);
        assert_eq!(transport, Transport::Native);
        assert!(why.contains("Remote Desktop"), "{why}");
        // Windows' OpenSSH server sets both; either one means SSH.
        for var in ["SSH_CONNECTION", "SSH_CLIENT"] {
            let (transport, why) =
                windows(&[(var, "10.0.0.9 50000 10.0.0.5 22"), ("WT_SESSION", "x")]);
            assert_eq!(transport, Transport::Osc52, "{var}");
            assert!(why.contains("SSH"), "{why}");
        }
        // X11 and Wayland mean nothing on Windows.
        assert_eq!(windows(&[("DISPLAY", ":0")]).1, windows(&[]).1);
    }

    #[test]
    fn windows_console_is_told_apart() {
        let console = |vars: &[(&str, &str)]| env_on(Os::Windows, vars).console;
        assert_eq!(console(&[]), Some(WindowsConsole::Conhost));
        assert_eq!(
            console(&[("WT_SESSION", "x")]),
            Some(WindowsConsole::Terminal)
        );
        assert_eq!(
            console(&[("WT_SESSION", "inherited"), ("SSH_CLIENT", "x")]),
            Some(WindowsConsole::SshPseudoConsole)
        );
        assert_eq!(
            env(&[("WT_SESSION", "x")]).console,
            None,
            "Unix has no console host"
        );
        assert!(!env(&[("SESSIONNAME", "RDP-Tcp#1")]).remote_desktop);
        let stray = env_on(Os::Windows, &[("TMUX", "x"), ("STY", "y")]);
        assert_eq!(
            stray.wrapping(),
            osc52::Wrapping::Plain,
            "no tmux on Windows"
        );
    }

    #[test]
    fn a_long_copy_over_windows_ssh_warns_of_the_pseudo_console() {
        let ssh = env_on(Os::Windows, &[("SSH_CONNECTION", "x")]);
        let mut clipboard = Clipboard::new(Choice::Auto, ssh, None);
        let mut terminal = Vec::new();
        let short = clipboard.copy("New-NetFirewallRule", &mut terminal);
        assert!(
            short.ok && !short.message.contains("pseudo console"),
            "{}",
            short.message
        );
        let long = clipboard.copy(&"x".repeat(400), &mut terminal);
        assert!(long.ok, "still sent: newer builds pass it");
        assert!(
            long.message.contains("pseudo console") && long.message.contains("press w"),
            "{}",
            long.message
        );
        // The same copy from a Linux SSH session carries no such warning.
        let mut linux = Clipboard::new(Choice::Auto, env(&[("SSH_CONNECTION", "x")]), None);
        assert!(
            !linux
                .copy(&"x".repeat(400), &mut terminal)
                .message
                .contains("pseudo console")
        );
    }

    #[test]
    fn wrapping_follows_the_multiplexer() {
        assert_eq!(env(&[("TMUX", "x")]).wrapping(), osc52::Wrapping::Tmux);
        assert_eq!(env(&[("STY", "1.pts")]).wrapping(), osc52::Wrapping::Screen);
        assert_eq!(env(&[]).wrapping(), osc52::Wrapping::Plain);
        assert_eq!(
            env(&[("TMUX", "")]).wrapping(),
            osc52::Wrapping::Plain,
            "empty means unset"
        );
    }

    fn tmux_takes_it(args: &[&str], input: Option<&[u8]>) -> Result<String, String> {
        assert_eq!(args, ["load-buffer", "-w", "-"]);
        assert_eq!(input, Some(&b"rule"[..]));
        Ok(String::new())
    }

    fn tmux_is_gone(_: &[&str], _: Option<&[u8]>) -> Result<String, String> {
        Err("no server running on /tmp/tmux-0/default".into())
    }

    #[test]
    fn inside_tmux_the_copy_goes_through_tmux_and_says_only_that() {
        let mut clipboard = Clipboard::new(
            Choice::Auto,
            env(&[("TMUX", "x"), ("SSH_CONNECTION", "x")]),
            None,
        )
        .with_tmux(tmux_takes_it);
        let mut terminal = Vec::new();
        let report = clipboard.copy("rule", &mut terminal);
        assert!(report.ok);
        assert!(
            report
                .message
                .starts_with("Copied into tmux's buffer, 4 bytes (tmux forwards it"),
            "{}",
            report.message
        );
        assert!(!report.message.contains("OSC 52"), "{}", report.message);
        assert!(terminal.is_empty(), "no OSC 52 when tmux took it");
        // The cap holds whichever route carries OSC 52.
        let mut small =
            Clipboard::new(Choice::Auto, env(&[("TMUX", "x")]), Some(3)).with_tmux(tmux_takes_it);
        let refused = small.copy("rule", &mut terminal);
        assert!(
            !refused.ok && refused.message.contains("press w"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn when_tmux_cannot_take_it_the_wrapped_osc52_goes_and_says_why() {
        let mut clipboard =
            Clipboard::new(Choice::Osc52, env(&[("TMUX", "x")]), None).with_tmux(tmux_is_gone);
        let mut terminal = Vec::new();
        let report = clipboard.copy("rule", &mut terminal);
        assert!(report.ok);
        assert!(
            report.message.starts_with(
                "tmux load-buffer failed (no server running on /tmp/tmux-0/default), so instead: \
                 Sent via OSC 52 (tmux), 4 bytes"
            ),
            "{}",
            report.message
        );
        assert_eq!(
            String::from_utf8(terminal).unwrap(),
            osc52::encode("rule", osc52::Wrapping::Tmux)
        );
        assert_eq!(clipboard.last(), Some("rule"));
    }

    #[test]
    fn over_the_limit_refuses_and_offers_the_file_route() {
        let mut clipboard = Clipboard::new(Choice::Osc52, env(&[]), Some(10));
        let mut terminal = Vec::new();
        let report = clipboard.copy(&"x".repeat(11), &mut terminal);
        assert!(!report.ok);
        assert!(terminal.is_empty(), "nothing sent");
        assert!(
            report.message.contains("press w") && report.message.contains("--print"),
            "{}",
            report.message
        );
        assert_eq!(
            clipboard.last().map(str::len),
            Some(11),
            "still available for w and --print"
        );
    }

    #[test]
    fn none_sends_nothing_and_says_so() {
        let mut clipboard = Clipboard::new(Choice::None, env(&[("DISPLAY", ":0")]), None);
        let mut terminal = Vec::new();
        let report = clipboard.copy("x", &mut terminal);
        assert!(!report.ok && terminal.is_empty());
        assert!(report.message.starts_with("Clipboard off"));
    }

    #[test]
    fn native_failure_falls_back_to_osc52() {
        // arboard reads the process's own DISPLAY: where there is none (CI,
        // a server), it fails at once and OSC 52 must take over.
        let mut clipboard = Clipboard::new(Choice::Native, env(&[("DISPLAY", ":99")]), None);
        let mut terminal = Vec::new();
        let report = clipboard.copy("x", &mut terminal);
        if report.message.starts_with("Copied") {
            return; // a real display answered on this machine; nothing to check
        }
        assert!(
            report.message.contains("System clipboard unavailable"),
            "{}",
            report.message
        );
        assert!(
            report.message.contains("Sent via OSC 52"),
            "{}",
            report.message
        );
        assert!(!terminal.is_empty());
    }

    #[test]
    fn native_failure_inside_tmux_falls_back_to_tmux() {
        let mut clipboard = Clipboard::new(
            Choice::Native,
            env(&[("TMUX", "x"), ("DISPLAY", ":99")]),
            None,
        )
        .with_tmux(tmux_takes_it);
        let mut terminal = Vec::new();
        let report = clipboard.copy("rule", &mut terminal);
        if report.message.starts_with("Copied to the system") {
            return; // a real display answered on this machine; nothing to check
        }
        assert!(
            report.message.starts_with("System clipboard unavailable (")
                && report
                    .message
                    .contains("); Copied into tmux's buffer, 4 bytes"),
            "{}",
            report.message
        );
        assert!(terminal.is_empty(), "no OSC 52 when tmux took it");
    }
}
