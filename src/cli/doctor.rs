//! `vmmports doctor`: how copying will work here, why, and what to fix.

use super::Outcome;
use crate::clipboard::{Choice, Environment, Transport, WindowsConsole, choose, osc52, tmux};
use crate::platform::Os;

/// The tmux line, asked of the tmux we run inside (through `run`), and what
/// its `set-clipboard` means for a copy from here.
fn tmux_status(run: tmux::Runner, fixes: &mut Vec<String>) -> String {
    let clipboard = tmux::set_clipboard(run);
    let passthrough = run(&["show-options", "-gv", "allow-passthrough"], None)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    let show = |v: &Option<String>| {
        v.clone()
            .unwrap_or_else(|| "unknown (tmux did not answer)".into())
    };
    let change = "`set -s set-clipboard on` in ~/.tmux.conf";
    match clipboard.as_deref() {
        None => fixes.push(
            "could not ask tmux for its options; check `tmux show-options -s set-clipboard` yourself"
                .into(),
        ),
        Some("external") => fixes.push(format!(
            "tmux's set-clipboard is external (its default): tmux ignores the OSC 52 that programs inside it send, \
             so vmmports copies with `tmux load-buffer -w`, which fills tmux's buffer and asks tmux to pass it on to your terminal's clipboard; \
             other programs' OSC 52 goes nowhere. If you want theirs to work too, an option: {change}"
        )),
        Some("off") => fixes.push(format!(
            "tmux's set-clipboard is off: a copy lands in tmux's buffer (prefix ] pastes it), \
             but nothing reaches your terminal's clipboard. To change that, an option: {change} (or external)"
        )),
        // `on`: tmux takes programs' OSC 52 and forwards it, and load-buffer
        // -w is forwarded too; nothing to explain.
        Some(_) => {}
    }
    if passthrough.as_deref() == Some("off") {
        fixes.push(
            "optional: `tmux set -g allow-passthrough on` lets the wrapped copy reach the outer terminal too \
             (vmmports sends it only when tmux load-buffer fails)"
                .into(),
        );
    }
    format!(
        "yes; set-clipboard: {}; allow-passthrough: {}",
        show(&clipboard),
        show(&passthrough)
    )
}

/// `deployment` is the line saying which deployment file commands read.
pub fn run(choice: Choice, limit: Option<usize>, deployment: String) -> (String, Outcome) {
    report(choice, limit, &Environment::from_process(), deployment)
}

/// The report for `env`; asks tmux and the native clipboard only when they
/// matter here.
fn report(
    choice: Choice,
    limit: Option<usize>,
    env: &Environment,
    deployment: String,
) -> (String, Outcome) {
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
            tmux_status(crate::platform::run_tmux, &mut fixes)
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
        Transport::Tmux => {
            "tmux's paste buffer (tmux load-buffer -w: tmux passes it on to your terminal when it can)"
        }
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
    line("deployment", deployment);
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
        Transport::Osc52 | Transport::Tmux => {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A tmux whose `set-clipboard` is `$value`, with passthrough on.
    macro_rules! tmux_with {
        ($value:literal) => {{
            fn run(args: &[&str], _: Option<&[u8]>) -> Result<String, String> {
                Ok(if args.contains(&"set-clipboard") {
                    concat!($value, "\n").into()
                } else {
                    "on\n".into()
                })
            }
            run
        }};
    }

    fn status(run: tmux::Runner) -> (String, String) {
        let mut fixes = Vec::new();
        let line = tmux_status(run, &mut fixes);
        (line, fixes.join("\n"))
    }

    #[test]
    fn set_clipboard_is_explained_for_each_value() {
        let (line, fixes) = status(tmux_with!("external"));
        assert_eq!(line, "yes; set-clipboard: external; allow-passthrough: on");
        assert!(
            fixes.contains("ignores the OSC 52 that programs inside it send")
                && fixes.contains("tmux load-buffer -w")
                && fixes.contains("an option: `set -s set-clipboard on`"),
            "{fixes}"
        );
        let (_, fixes) = status(tmux_with!("off"));
        assert!(
            fixes.contains("nothing reaches your terminal's clipboard"),
            "{fixes}"
        );
        let (_, fixes) = status(tmux_with!("on"));
        assert_eq!(fixes, "", "with on, both routes work");
    }

    #[test]
    fn a_tmux_that_does_not_answer_is_said_so() {
        fn gone(_: &[&str], _: Option<&[u8]>) -> Result<String, String> {
            Err("no server running".into())
        }
        let (line, fixes) = status(gone);
        assert!(line.contains("set-clipboard: unknown"), "{line}");
        assert!(fixes.contains("could not ask tmux"), "{fixes}");
    }
}
