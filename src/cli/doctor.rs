//! `vmmports doctor`: how copying will work here, why, and what to fix.

use std::process::Command;

use super::Outcome;
use crate::clipboard::{Choice, Environment, Transport, WindowsConsole, choose, osc52};
use crate::platform::Os;

/// tmux's value of a global option, asked of the tmux we run inside.
fn tmux_option(name: &str) -> Option<String> {
    let out = Command::new("tmux")
        .args(["show", "-gv", name])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The tmux line, asked of the tmux we run inside, and what to fix there.
fn tmux_status(fixes: &mut Vec<String>) -> String {
    let clipboard = tmux_option("set-clipboard");
    let passthrough = tmux_option("allow-passthrough");
    let show = |v: &Option<String>| {
        v.clone()
            .unwrap_or_else(|| "unknown (tmux did not answer)".into())
    };
    if clipboard.is_none() {
        fixes.push(
            "could not ask tmux for its options; check `tmux show -g set-clipboard` yourself"
                .into(),
        );
    }
    if clipboard
        .as_deref()
        .is_some_and(|v| v != "on" && v != "external")
    {
        fixes.push(
            "tmux ignores OSC 52: run `tmux set -g set-clipboard on` (and add it to ~/.tmux.conf)"
                .into(),
        );
    }
    if passthrough.as_deref() == Some("off") {
        fixes.push(
            "optional: `tmux set -g allow-passthrough on` lets the wrapped copy reach the outer terminal too"
                .into(),
        );
    }
    format!(
        "yes; set-clipboard: {}; allow-passthrough: {}",
        show(&clipboard),
        show(&passthrough)
    )
}

pub fn run(choice: Choice, limit: Option<usize>) -> (String, Outcome) {
    report(choice, limit, &Environment::from_process())
}

/// The report for `env`; asks tmux and the native clipboard only when they
/// matter here.
fn report(choice: Choice, limit: Option<usize>, env: &Environment) -> (String, Outcome) {
    let mut out = String::from("vmmports doctor: how copying works here\n\n");
    let mut fixes: Vec<String> = Vec::new();
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut line = |label: &str, value: String| out.push_str(&format!("{label:<16}{value}\n"));

    line(
        "SSH session",
        format!(
            "{} (SSH_CONNECTION, SSH_CLIENT or SSH_TTY)",
            yes_no(env.ssh)
        ),
    );
    if let Some(console) = env.console {
        line("console", console.describe().into());
        line(
            "Remote Desktop",
            format!("{} (SESSIONNAME)", yes_no(env.remote_desktop)),
        );
    }
    // tmux, GNU screen and X11 exist for Unix programs only.
    if env.os == Os::Unix {
        let tmux = if env.tmux {
            tmux_status(&mut fixes)
        } else {
            "no".to_string()
        };
        line("tmux", tmux);
        line("GNU screen", yes_no(env.screen).into());
        line(
            "display",
            env.display.clone().unwrap_or_else(|| "none".into()),
        );
    }
    line("TERM", env.term.clone().unwrap_or_else(|| "(unset)".into()));
    let (transport, why) = choose(choice, env);
    let name = match transport {
        Transport::Native => "the system clipboard",
        Transport::Osc52 => "OSC 52 through the terminal",
        Transport::None => "nothing",
    };
    let choice_name = match choice {
        Choice::Auto => "auto",
        Choice::Native => "native",
        Choice::Osc52 => "osc52",
        Choice::None => "none",
    };
    line(
        "copy with",
        format!("{name} (--clipboard {choice_name}), because {why}"),
    );
    line(
        "OSC 52 limit",
        format!("{} bytes", limit.unwrap_or(osc52::DEFAULT_LIMIT)),
    );
    let mut works = true;
    match transport {
        Transport::Native => {
            if let Err(e) = arboard::Clipboard::new() {
                works = false;
                fixes.push(format!(
                    "the system clipboard does not answer ({}); use --clipboard osc52",
                    e.to_string().lines().next().unwrap_or_default()
                ));
            }
        }
        Transport::Osc52 => {
            fixes.push(
                "your terminal must allow OSC 52 clipboard writes: most do (Windows Terminal, kitty, WezTerm, Alacritty, foot); \
                 iTerm2 needs Settings > General > Selection > \"Applications in terminal may access clipboard\"; \
                 in PuTTY there is no OSC 52, so use w (write to a file) or --print"
                    .into(),
            );
            if env.console == Some(WindowsConsole::SshPseudoConsole) {
                fixes.push(format!(
                    "Windows' OpenSSH server runs this session in the server's own pseudo console (ConPTY), \
                     and what reaches your terminal depends on the server's Windows build: \
                     Windows 10-era builds pass an OSC sequence only up to {} characters (microsoft/terminal#15551), \
                     so a copy of more than {} bytes is dropped without an error; \
                     Windows Server 2019 and 2022 ship conhost of that era. \
                     The route that always works: w (write the copy to a file) or --print",
                    osc52::CONPTY_OSC_LIMIT,
                    osc52::CONPTY_TEXT_LIMIT
                ));
            }
        }
        Transport::None => {
            works = false;
            fixes.push(
                "copying is off: use --clipboard auto, or w (write to a file) and --print".into(),
            );
        }
    }
    out.push('\n');
    if fixes.is_empty() {
        out.push_str("Nothing to fix.\n");
    } else {
        out.push_str("What to check:\n");
        for fix in fixes {
            out.push_str(&format!("- {fix}\n"));
        }
    }
    (
        out,
        if works {
            Outcome::Success
        } else {
            Outcome::NoMatch
        },
    )
}
