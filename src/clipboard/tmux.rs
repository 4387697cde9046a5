//! Copying through tmux itself. tmux's default `set-clipboard external`
//! ignores the OSC 52 a program inside it writes, so a copy there goes
//! through `tmux load-buffer` instead: it fills tmux's paste buffer whatever
//! the setting, and with `-w` (tmux 3.2 and later) tmux also passes it on to
//! the outer terminal's clipboard when it can.

/// Runs a tmux command: `(args, stdin)` to its stdout, or why it failed.
/// [`crate::platform::run_tmux`] outside tests.
pub type Runner = fn(&[&str], Option<&[u8]>) -> Result<String, String>;

/// Where a successful `load-buffer` put the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    /// The paste buffer, and tmux was asked (`-w`) to pass it on to the
    /// outer terminal; whether it could is not reported back.
    BufferAndForwarded,
    /// Only the paste buffer: this tmux refused `-w` (older than 3.2).
    BufferOnly,
}

/// Loads `text` into tmux's paste buffer, asking tmux to forward it; tries
/// again without `-w` for a tmux that predates it. The error is the first
/// attempt's, which says why tmux could not be used at all.
pub fn load_buffer(run: Runner, text: &str) -> Result<Loaded, String> {
    let first = match run(&["load-buffer", "-w", "-"], Some(text.as_bytes())) {
        Ok(_) => return Ok(Loaded::BufferAndForwarded),
        Err(e) => e,
    };
    run(&["load-buffer", "-"], Some(text.as_bytes()))
        .map(|_| Loaded::BufferOnly)
        .map_err(|_| first)
}

/// tmux's `set-clipboard` (a server option): `on`, `external` or `off`.
pub fn set_clipboard(run: Runner) -> Option<String> {
    run(&["show-options", "-sv", "set-clipboard"], None)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modern(args: &[&str], input: Option<&[u8]>) -> Result<String, String> {
        assert_eq!(args, ["load-buffer", "-w", "-"]);
        assert_eq!(input, Some(&b"rule"[..]));
        Ok(String::new())
    }

    fn old(args: &[&str], _: Option<&[u8]>) -> Result<String, String> {
        if args.contains(&"-w") {
            Err("usage: load-buffer [-b buffer-name] path".into())
        } else {
            Ok(String::new())
        }
    }

    fn gone(_: &[&str], _: Option<&[u8]>) -> Result<String, String> {
        Err("no server running on /tmp/tmux-0/default".into())
    }

    #[test]
    fn load_buffer_asks_tmux_to_forward_and_retries_without_w() {
        assert_eq!(load_buffer(modern, "rule"), Ok(Loaded::BufferAndForwarded));
        assert_eq!(load_buffer(old, "rule"), Ok(Loaded::BufferOnly));
        assert_eq!(
            load_buffer(gone, "rule"),
            Err("no server running on /tmp/tmux-0/default".into())
        );
    }

    #[test]
    fn set_clipboard_is_read_from_the_server_options() {
        fn external(args: &[&str], _: Option<&[u8]>) -> Result<String, String> {
            assert_eq!(args, ["show-options", "-sv", "set-clipboard"]);
            Ok("external\n".into())
        }
        assert_eq!(set_clipboard(external).as_deref(), Some("external"));
        assert_eq!(set_clipboard(gone), None);
    }
}
