//! Copying, end to end, with the real `vmmports` binary and real receivers:
//!
//! - a pseudo-terminal read back through vt100, which reports every OSC 52
//!   copy (`--clipboard osc52`, `none`, a tiny `osc52_limit`, `--print`,
//!   `rules --copy`);
//! - a private tmux server on its defaults (`set-clipboard external`, which
//!   ignores a program's OSC 52), whose paste buffer must end up holding the
//!   rule and the `rules --copy` script (and `vmmports doctor` run inside it);
//! - an Xvfb display, whose clipboard `xclip -o` reads back while the
//!   explorer runs and during its hand-off after the terminal is restored.
//!
//! What a copy should hold comes from the library (`App::rule_lines`), not
//! from a copy of the catalog. Every step waits, with a deadline, for what it
//! expects; every scenario runs under an overall timeout. tmux, Xvfb and
//! xclip are skipped when missing, unless `CI` is set (`.ci/run` installs
//! them).

// Unix only: a Unix pseudo-terminal, tmux, Xvfb and xclip.
#![cfg(unix)]

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use common::needs;
use common::pty::{self, Copy, Pty, SCRUBBED, STEP, row_text, vmmports, within_timeout};
use vmmports::catalog;
use vmmports::rules::settings::Settings;
use vmmports::tui::action::Action;
use vmmports::tui::app::App;

/// The row every test filters to.
const ID: &str = "vmm-to-bmc-ipmi";

/// Whether every tool is on PATH. Missing tools fail the test when `CI` is
/// set, and skip it (saying so) otherwise.
fn require(tools: &[&str]) -> bool {
    let missing: Vec<String> = tools
        .iter()
        .filter(|tool| !needs::has_tool(tool))
        .map(|tool| tool.to_string())
        .collect();
    needs::ready(
        &missing,
        "apt-get install tmux xvfb xclip (.ci/run installs them)",
    )
}

/// The rule text `y` copies for `id`: the rule pane's lines, from the
/// library, in the default dialect with default settings.
fn rule_text(id: &str) -> String {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    app.set_filter(id.into());
    app.wait_for_search();
    assert_eq!(
        app.selected_connection().map(|c| c.id.as_str()),
        Some(id),
        "the filter selects {id}"
    );
    let text = app.rule_lines().join("\n") + "\n";
    assert!(text.contains(id), "the rule names its connection:\n{text}");
    text
}

/// The script `Y` copies with the filter `filter`: every filtered row.
fn all_text(filter: &str) -> String {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        catalog::EMBEDDED_ORIGIN.into(),
        Settings::default(),
    );
    app.set_filter(filter.into());
    app.wait_for_search();
    app.update(Action::CopyAll);
    app.last_copy.expect("Y copies the filtered rows")
}

fn decode(base64: &[u8]) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .expect("OSC 52 carries standard base64");
    String::from_utf8(bytes).expect("the copy is UTF-8")
}

/// `ESC ] 52 ; c ; BASE64 BEL`, as the explorer writes it outside tmux.
fn osc52(text: &str) -> Vec<u8> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07").into_bytes()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A temporary folder for one run: `config/` is XDG_CONFIG_HOME (and HOME),
/// the folder itself the working directory.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new(config: Option<&str>) -> Scratch {
        let dir = tempfile::tempdir().expect("temp dir");
        let config_dir = dir.path().join("config").join("vmmports");
        std::fs::create_dir_all(&config_dir).unwrap();
        if let Some(text) = config {
            std::fs::write(config_dir.join("config.ron"), text).unwrap();
        }
        Scratch { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn config_home(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name))
            .unwrap_or_else(|e| panic!("read {name}: {e}"))
    }
}

// ── the pseudo-terminal ──────────────────────────────────────────────────

/// This file's ways to start a program in the shared pseudo-terminal, and
/// its steps through the explorer.
impl Pty {
    /// Runs `program args` in a `cols`×`rows` terminal, in `scratch`, with
    /// the scrubbed environment plus `env`.
    fn spawn(
        scratch: &Scratch,
        cols: u16,
        rows: u16,
        program: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Pty {
        let mut cmd = pty::command(program, args, &scratch.config_home());
        cmd.cwd(scratch.path());
        for (name, value) in env {
            cmd.env(name, value);
        }
        Pty::start(cmd, cols, rows, true)
    }

    /// The explorer (`vmmports args`) in a 120×40 terminal.
    fn explorer(scratch: &Scratch, args: &[&str], env: &[(&str, &str)]) -> Pty {
        Pty::spawn(scratch, 120, 40, &vmmports(), args, env)
    }

    /// The explorer (`vmmports args`) in a `cols`×`rows` terminal: wide
    /// ones for long messages, narrow ones for what must fit anyway.
    fn explorer_sized(scratch: &Scratch, cols: u16, rows: u16, args: &[&str]) -> Pty {
        Pty::spawn(scratch, cols, rows, &vmmports(), args, &[])
    }

    /// `vmmports args` with stdout and stderr sent to `out` and `err` in the
    /// scratch folder; the pty stays its controlling terminal.
    fn redirected(scratch: &Scratch, args: &[&str], env: &[(&str, &str)]) -> Pty {
        let bin = vmmports();
        let mut all = vec!["-c", "exec \"$0\" \"$@\" >out 2>err", bin.to_str().unwrap()];
        all.extend_from_slice(args);
        Pty::spawn(scratch, 120, 40, Path::new("sh"), &all, env)
    }

    /// Waits until the bottom row (the status line, the last row a full
    /// frame writes) contains `text`; returns that row.
    fn wait_status(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} on the status line"), |s| {
            bottom_row(s.parser.screen()).contains(text)
        });
        self.screen(bottom_row)
    }

    /// The first frame, then `/`, `id`, Enter: the filter is kept and the
    /// list holds `id` alone, selected.
    fn filter_to(&self, id: &str) {
        self.wait_until("the first frame", |s| {
            let screen = s.parser.screen();
            s.parser.screen().contents().contains("Connections") && !bottom_row(screen).is_empty()
        });
        self.send(b"/");
        self.wait_until("the filter prompt", |s| {
            row_text(s.parser.screen(), 0).starts_with("/ ")
        });
        self.send(id.as_bytes());
        self.wait_until("the typed filter", |s| {
            row_text(s.parser.screen(), 0).contains(id)
        });
        self.send(b"\r");
        self.wait_until("the kept filter with one row", |s| {
            let screen = s.parser.screen();
            let top = row_text(screen, 0);
            !top.starts_with("/ ")
                && top.contains(" 1/")
                && !bottom_row(screen).contains("Enter keep filter")
                && selected_row(screen).is_some()
                && (1..screen.size().0.get()).any(|r| row_text(screen, r).contains(id))
        });
    }

    /// [`Pty::filter_to`] the test row, `y`, and the status line once it
    /// says `status`: one copy of the rule, as every copy test starts.
    fn copy_rule(&self, status: &str) -> String {
        self.filter_to(ID);
        self.send(b"y");
        self.wait_status(status)
    }

    /// Quits, and checks no OSC 52 was received, nor even written.
    fn quit_without_osc52(&mut self, why: &str) {
        self.quit();
        assert!(self.copies().is_empty(), "no OSC 52 {why}");
        assert_eq!(find(&self.raw(), b"\x1b]52;"), None, "no OSC 52 bytes");
    }

    /// Quits with `q` and checks the terminal is given back.
    fn quit(&mut self) {
        self.send(b"q");
        assert!(self.wait_exit().success(), "exit status");
        self.screen(|s| {
            assert!(!s.alternate_screen(), "still on the alternate screen");
            assert!(!s.hide_cursor(), "the cursor is still hidden");
        });
    }
}

/// The status line: the bottom row, or the bottom two rows joined when a
/// long message wraps over the key hints.
fn bottom_row(screen: &vt100::Screen) -> String {
    let rows = screen.size().0.get();
    let last = row_text(screen, rows - 1);
    let above = row_text(screen, rows.saturating_sub(2));
    // The key-hint row always holds "help"; a wrapped message does not.
    if rows >= 2 && !above.contains(" help ") && !above.contains("any key") {
        format!("{} {}", above.trim_end(), last.trim())
    } else {
        last
    }
}

/// The list row under the ▶ cursor.
fn selected_row(screen: &vt100::Screen) -> Option<String> {
    (0..screen.size().0.get())
        .map(|r| row_text(screen, r))
        .find(|r| r.contains('▶'))
}

/// Exactly one OSC 52 copy arrived, naming the clipboard; its text.
fn one_copy(pty: &Pty) -> (String, Copy) {
    let copies = pty.copies();
    assert_eq!(copies.len(), 1, "one OSC 52 copy for one y");
    let copy = copies.into_iter().next().unwrap();
    assert_eq!(copy.target, b"c", "OSC 52 names the clipboard, `c`");
    (decode(&copy.data), copy)
}

#[test]
fn osc52_y_sends_the_rule_between_frames_and_says_sent() {
    within_timeout(|| {
        let want = rule_text(ID);
        let scratch = Scratch::new(None);
        let mut pty = Pty::explorer(&scratch, &["--clipboard", "osc52"], &[]);
        assert!(pty.copies().is_empty(), "nothing copied before y");
        let status = pty.copy_rule("Sent via OSC 52");
        assert!(
            status.contains(&format!("rule for {ID}: Sent via OSC 52 (terminal)")),
            "{status:?}"
        );
        assert!(
            status.contains(&format!("{} bytes", want.len())),
            "the status gives the size: {status:?}"
        );
        let (text, copy) = one_copy(&pty);
        assert_eq!(text, want, "the copy is the rule pane's text");

        // Written whole, in one piece, and not inside a frame: the screen at
        // that moment already showed the filtered row selected, and the
        // sequence is contiguous in the byte stream.
        let raw = pty.raw();
        let at = find(&raw, &osc52(&want)).expect("the whole sequence, contiguous");
        // ratatui ends each frame by hiding the cursor (none shows here):
        // the copy follows a whole frame.
        assert!(
            raw[..at].ends_with(b"\x1b[?25l"),
            "the copy follows the end of a frame; before it: {:?}",
            String::from_utf8_lossy(&raw[at.saturating_sub(120)..at])
        );
        assert_eq!(find(&raw[at + 1..], b"\x1b]52;"), None, "no second OSC 52");
        let first: String = want.chars().take(30).collect();
        assert!(
            copy.screen.contains(&first),
            "the frame before the copy shows the rule:\n{}",
            copy.screen
        );

        // The explorer goes on, and copies again on the next y.
        pty.send(b"y");
        pty.wait_until("a second OSC 52", |s| {
            s.parser.callbacks().copies.len() == 2
        });
        assert_eq!(decode(&pty.copies()[1].data), want);

        // Y: the whole script for the filtered rows.
        pty.send(b"Y");
        pty.wait_until("a third OSC 52", |s| s.parser.callbacks().copies.len() == 3);
        let all = all_text(ID);
        assert!(all.contains(&want), "the script holds the rule:\n{all}");
        assert_eq!(decode(&pty.copies()[2].data), all, "Y copies the script");
        let status = pty.wait_status("script for 1 filtered connections");
        assert!(
            status.contains(&format!("Sent via OSC 52 (terminal), {} bytes", all.len())),
            "{status:?}"
        );
        pty.quit();
    });
}

#[test]
fn clipboard_none_sends_nothing_and_says_off() {
    within_timeout(|| {
        let scratch = Scratch::new(None);
        let mut pty = Pty::explorer(&scratch, &["--clipboard", "none"], &[]);
        let status = pty.copy_rule("Clipboard off");
        assert!(
            status.contains(&format!("rule for {ID}: Clipboard off")),
            "{status:?}"
        );
        // Quitting flushes everything the explorer wrote: still no copy.
        pty.quit_without_osc52("with --clipboard none");
    });
}

#[test]
fn over_the_osc52_limit_refuses_and_w_writes_the_file() {
    within_timeout(|| {
        let want = rule_text(ID);
        assert!(want.len() > 10);
        let scratch = Scratch::new(Some("Config(osc52_limit: Some(10))\n"));
        // Wide enough for the whole message on the status line.
        let mut pty = Pty::explorer_sized(&scratch, 220, 40, &["--clipboard", "osc52"]);
        let status = pty.copy_rule("Clipboard unavailable");
        for part in [
            &format!("{} bytes is more than OSC 52's limit of 10", want.len()),
            "press w",
            "--print",
        ] {
            assert!(status.contains(part), "{part:?} missing: {status:?}");
        }
        assert!(!status.contains("Sent"), "{status:?}");

        // The offer holds: w, Enter on the proposed name writes the rule.
        pty.send(b"w");
        pty.wait_until("the file name prompt", |s| {
            s.parser.screen().contents().contains("vmmports-rules.txt")
        });
        pty.send(b"\r");
        pty.wait_status("Wrote");
        assert_eq!(scratch.read("vmmports-rules.txt"), want);
        pty.quit_without_osc52("over the limit");
    });
}

#[test]
fn native_without_a_display_falls_back_to_osc52_and_says_so() {
    within_timeout(|| {
        let want = rule_text(ID);
        let scratch = Scratch::new(None);
        // Wide enough for arboard's reason and the rest of the message.
        let mut pty = Pty::explorer_sized(&scratch, 250, 40, &["--clipboard", "native"]);
        let status = pty.copy_rule("Sent via OSC 52");
        assert!(
            status.contains(&format!("rule for {ID}: System clipboard unavailable (")),
            "the status says the native copy failed: {status:?}"
        );
        assert!(!status.contains("Copied"), "{status:?}");
        let (text, _) = one_copy(&pty);
        assert_eq!(text, want);
        pty.quit();
    });
}

/// An 80-column terminal is the common default; the refusal's way out (`w`,
/// `--print`) should be on screen there too.
#[test]
fn over_the_limit_offer_shows_at_80_columns() {
    within_timeout(|| {
        let scratch = Scratch::new(Some("Config(osc52_limit: Some(10))\n"));
        let mut pty = Pty::explorer_sized(&scratch, 80, 24, &["--clipboard", "osc52"]);
        pty.filter_to(ID);
        pty.send(b"y");
        pty.wait_until("the refusal", |s| {
            s.parser
                .screen()
                .contents()
                .contains("Clipboard unavailable")
        });
        let screen = pty.screen(|s| s.contents());
        assert!(
            screen.contains("press w") && screen.contains("--print"),
            "the offer is on screen:\n{screen}"
        );
        pty.quit();
    });
}

#[test]
fn print_writes_exactly_the_copy_to_stdout() {
    within_timeout(|| {
        let want = rule_text(ID);
        let scratch = Scratch::new(None);
        // stdout is a file; the explorer draws on the pty through /dev/tty.
        let mut pty = Pty::redirected(&scratch, &["--print", "--clipboard", "osc52"], &[]);
        pty.copy_rule("Sent via OSC 52");
        let (text, _) = one_copy(&pty);
        assert_eq!(text, want);
        pty.quit();
        assert_eq!(
            scratch.read("out"),
            want,
            "stdout is the copy, nothing else"
        );
        assert_eq!(scratch.read("err"), "", "stderr");
    });
}

#[test]
fn rules_copy_sends_the_printed_script() {
    within_timeout(|| {
        let scratch = Scratch::new(None);
        let mut pty = Pty::redirected(
            &scratch,
            &["rules", "--on", "sql", "--copy", "--clipboard", "osc52"],
            &[],
        );
        assert!(pty.wait_exit().success(), "exit status");
        let script = scratch.read("out");
        assert!(script.contains("New-NetFirewallRule"), "{script}");
        let (text, _) = one_copy(&pty);
        assert_eq!(text, script, "the copy is the script on stdout");
        let err = scratch.read("err");
        assert!(err.contains("Sent via OSC 52"), "stderr: {err:?}");
        assert!(
            err.contains(&format!("{} bytes", script.len())),
            "stderr: {err:?}"
        );
        assert_eq!(
            find(script.as_bytes(), b"\x1b"),
            None,
            "no escapes in stdout"
        );
        // The same script as without --copy.
        let plain = Command::new(vmmports())
            .args(["rules", "--on", "sql"])
            .env("XDG_CONFIG_HOME", scratch.config_home())
            .env("HOME", scratch.config_home())
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&plain.stdout), script);
    });
}

// ── helpers for outside programs ─────────────────────────────────────────

/// Runs `cmd` to the end, killing it after `STEP`.
fn run_bounded(mut cmd: Command) -> Output {
    let mut out = tempfile::tempfile().unwrap();
    let mut err = tempfile::tempfile().unwrap();
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(err.try_clone().unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    let deadline = Instant::now() + STEP;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {STEP:?}");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let read = |f: &mut File| {
        let mut bytes = Vec::new();
        f.rewind().unwrap();
        f.read_to_end(&mut bytes).unwrap();
        bytes
    };
    Output {
        status,
        stdout: read(&mut out),
        stderr: read(&mut err),
    }
}

/// Polls `check` every 20 ms until it gives a value; fails after `STEP`.
fn poll<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + STEP;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

// ── tmux ─────────────────────────────────────────────────────────────────

/// A private tmux server, killed when dropped (also when a test fails).
struct Tmux {
    name: String,
    scratch: Scratch,
}

impl Tmux {
    fn start(scratch: Scratch) -> Tmux {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "vmmports-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        Tmux { name, scratch }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &self.name, "-f", "/dev/null"]).args(args);
        // The server takes its environment from the first client: no
        // display, no outer tmux or SSH session, no user configuration.
        for var in SCRUBBED {
            cmd.env_remove(var);
        }
        cmd.env("TMUX_TMPDIR", self.scratch.path())
            .env("HOME", self.scratch.config_home())
            .env("XDG_CONFIG_HOME", self.scratch.config_home())
            .current_dir(self.scratch.path());
        cmd
    }

    /// A detached 120×40 session `e2e` running the explorer with
    /// `--clipboard clipboard`, with each of `env` (`NAME=value`) set.
    fn explorer(&self, env: &[&str], clipboard: &str) {
        let bin = vmmports();
        let mut args = vec!["new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40"];
        for var in env {
            args.extend(["-e", var]);
        }
        args.extend(["--", bin.to_str().unwrap(), "--clipboard", clipboard]);
        self.run(&args);
    }

    /// Runs a tmux command that must succeed; its stdout.
    fn run(&self, args: &[&str]) -> String {
        let out = run_bounded(self.command(args));
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn capture(&self, target: &str) -> String {
        self.run(&["capture-pane", "-p", "-t", target])
    }

    fn wait_screen(&self, target: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + STEP;
        loop {
            let last = self.capture(target);
            if done(&last) {
                return last;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the pane shows:\n{last}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs `script` (`sh -c`, with `$0` the vmmports binary and each of
    /// `env` set) in a new window of session `e2e`, with the session's
    /// environment; its exit status, once `rc` names a file it wrote.
    fn shell(&self, env: &[&str], script: &str, rc: &str) -> String {
        let bin = vmmports();
        let mut args = vec!["new-window", "-d", "-t", "e2e"];
        for var in env {
            args.extend(["-e", var]);
        }
        let script = format!("{script}; echo $? >{rc}.tmp; mv {rc}.tmp {rc}");
        args.extend(["--", "sh", "-c", &script, bin.to_str().unwrap()]);
        self.run(&args);
        poll(rc, || {
            std::fs::read_to_string(self.scratch.path().join(rc)).ok()
        })
        .trim()
        .to_string()
    }

    /// tmux's newest paste buffer, once there is one.
    fn newest_buffer(&self) -> String {
        poll("tmux's paste buffer", || {
            let out = run_bounded(self.command(&["show-buffer"]));
            (out.status.success() && !out.stdout.is_empty())
                .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        })
    }

    /// The process ids of every pane's program.
    fn pane_pids(&self) -> Vec<u32> {
        let out = run_bounded(self.command(&["list-panes", "-a", "-F", "#{pane_pid}"]));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // The panes' programs first: an explorer whose terminal is simply
        // closed keeps running (see `explorer_exits_when_its_terminal_goes_away`).
        for pid in self.pane_pids() {
            kill(pid);
        }
        let _ = self
            .command(&["kill-server"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// SIGKILL to a process this test started.
fn kill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Whether `pid` is still a live process (not a zombie).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// The SSH session is simulated: the session's environment carries
/// `SSH_CONNECTION` and `SSH_TTY` as sshd sets them (tests/ has no sshd that
/// logs in), which is all vmmports looks at. tmux runs on its defaults, so
/// its `set-clipboard` is `external`: a program's OSC 52 is ignored, and only
/// `tmux load-buffer` fills its buffer.
#[test]
fn tmux_on_its_defaults_takes_the_copy_into_its_buffer_and_doctor_explains_why() {
    if !require(&["tmux"]) {
        return;
    }
    within_timeout(|| {
        let want = rule_text(ID);
        let tmux = Tmux::start(Scratch::new(None));
        // An SSH session with a (dead) display: auto must still pick the
        // terminal's route, here tmux.
        tmux.explorer(
            &[
                "SSH_CONNECTION=192.0.2.1 50000 192.0.2.2 22",
                "SSH_TTY=/dev/pts/9",
                "DISPLAY=:99",
            ],
            "auto",
        );
        tmux.run(&["set", "-g", "remain-on-exit", "off"]);
        assert_eq!(
            tmux.run(&["show-options", "-sv", "set-clipboard"]).trim(),
            "external",
            "tmux's default"
        );

        tmux.wait_screen("e2e", "the first frame", |s| s.contains("Connections"));
        tmux.run(&["send-keys", "-t", "e2e", "/"]);
        tmux.wait_screen("e2e", "the filter prompt", |s| s.starts_with("/ "));
        tmux.run(&["send-keys", "-t", "e2e", "-l", ID]);
        tmux.run(&["send-keys", "-t", "e2e", "Enter"]);
        tmux.wait_screen("e2e", "the kept filter", |s| {
            !s.starts_with("/ ")
                && s.lines().next().is_some_and(|top| top.contains(" 1/"))
                && s.lines().any(|l| l.contains('▶'))
        });
        assert!(
            tmux.command(&["show-buffer"])
                .output()
                .unwrap()
                .stdout
                .is_empty(),
            "no buffer before y"
        );
        tmux.run(&["send-keys", "-t", "e2e", "y"]);
        let screen = tmux.wait_screen("e2e", "the status after y", |s| {
            s.contains("Sent via OSC 52") || s.contains("Clipboard") || s.contains("Copied")
        });
        // The status may wrap over the last two rows.
        let rows: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
        let status = rows[rows.len().saturating_sub(2)..]
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            status.contains(&format!("rule for {ID}: Copied into tmux's buffer")),
            "auto over SSH inside tmux: {status:?}"
        );
        assert!(!status.contains("OSC 52"), "{status:?}");
        assert_eq!(tmux.newest_buffer(), want, "tmux's buffer holds the rule");
        let buffers = tmux.run(&["list-buffers", "-F", "#{buffer_name}"]);
        assert_eq!(buffers.lines().count(), 1, "one buffer: {buffers:?}");

        // rules --copy, in the same session (so with its TMUX and SSH
        // variables): the script on stdout is tmux's newest buffer.
        let rc = tmux.shell(
            &[],
            "\"$0\" rules --on sql --copy >rules.out 2>rules.err",
            "rules.rc",
        );
        let err = tmux.scratch.read("rules.err");
        assert_eq!(rc, "0", "rules' exit status; stderr: {err}");
        let script = tmux.scratch.read("rules.out");
        assert!(script.contains("New-NetFirewallRule"), "{script}");
        let buffer = poll("the script in tmux's buffer", || {
            let newest = tmux.newest_buffer();
            (newest != want).then_some(newest)
        });
        assert_eq!(buffer, script, "tmux's buffer holds the script");
        assert!(
            err.contains(&format!(
                "Copied into tmux's buffer, {} bytes",
                script.len()
            )),
            "stderr: {err:?}"
        );
        assert!(!err.contains("OSC 52"), "stderr: {err:?}");

        // doctor, in the same session, asks this tmux for its options and
        // says what `external` means.
        let rc = tmux.shell(&[], "\"$0\" doctor >doctor.txt 2>&1", "doctor.rc");
        let doctor = tmux.scratch.read("doctor.txt");
        assert_eq!(rc, "0", "doctor's exit status:\n{doctor}");
        let line = |label: &str| {
            doctor
                .lines()
                .find(|l| l.starts_with(label))
                .unwrap_or_else(|| panic!("no {label:?} line:\n{doctor}"))
                .to_string()
        };
        assert!(
            line("tmux").contains("yes; set-clipboard: external"),
            "{doctor}"
        );
        assert!(line("SSH session").contains("yes"), "{doctor}");
        assert!(
            line("copy with").contains("tmux's paste buffer (tmux load-buffer -w:"),
            "{doctor}"
        );
        assert!(
            doctor.contains("set-clipboard is external")
                && doctor.contains("ignores the OSC 52 that programs inside it send")
                && doctor.contains("set -s set-clipboard on"),
            "{doctor}"
        );

        tmux.run(&["send-keys", "-t", "e2e", "q"]);
        poll("the explorer to quit", || {
            let out = run_bounded(tmux.command(&["has-session", "-t", "e2e"]));
            (!out.status.success()).then_some(())
        });
    });
}

/// Inside tmux, with no tmux to run (not on PATH): the copy falls back to
/// the wrapped OSC 52, and stderr says why.
#[test]
fn inside_tmux_without_a_tmux_to_run_the_copy_falls_back_and_says_so() {
    if !require(&["tmux"]) {
        return;
    }
    within_timeout(|| {
        let tmux = Tmux::start(Scratch::new(None));
        tmux.run(&["new-session", "-d", "-s", "e2e", "--", "sleep", "60"]);
        let rc = tmux.shell(
            &[],
            "PATH=/nonexistent \"$0\" rules --on sql --copy >rules.out 2>rules.err",
            "rules.rc",
        );
        let err = tmux.scratch.read("rules.err");
        assert_eq!(rc, "0", "stderr: {err}");
        assert!(
            err.contains("tmux load-buffer failed (cannot run tmux")
                && err.contains("so instead: Sent via OSC 52 (tmux)"),
            "stderr: {err:?}"
        );
        assert!(
            run_bounded(tmux.command(&["show-buffer"]))
                .stdout
                .is_empty(),
            "nothing in tmux's buffer"
        );
    });
}

/// When the terminal goes away without a word (tmux's server killed, an SSH
/// connection dropped), the explorer must end, not linger.
#[test]
fn explorer_exits_when_its_terminal_goes_away() {
    if !require(&["tmux"]) {
        return;
    }
    within_timeout(|| {
        let tmux = Tmux::start(Scratch::new(None));
        tmux.explorer(&[], "osc52");
        tmux.wait_screen("e2e", "the first frame", |s| s.contains("Connections"));
        let pids = tmux.pane_pids();
        assert_eq!(pids.len(), 1, "one pane");
        let pid = pids[0];
        // Whatever happens below, this process must not outlive the test.
        struct Reap(u32);
        impl Drop for Reap {
            fn drop(&mut self) {
                if alive(self.0) {
                    kill(self.0);
                }
            }
        }
        let _reap = Reap(pid);
        tmux.run(&["kill-server"]);
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(pid) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !alive(pid),
            "vmmports (pid {pid}) still runs 5 s after its terminal went away"
        );
    });
}

// ── X11 ──────────────────────────────────────────────────────────────────

/// A private Xvfb on a free display, killed when dropped.
struct Xvfb {
    child: std::process::Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        // -displayfd: Xvfb picks a free display and prints its number once
        // it accepts connections.
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "640x480x24",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut xvfb = Xvfb {
            child,
            display: String::new(),
        };
        let line = rx.recv_timeout(STEP).expect("Xvfb reports its display");
        let number = line.trim();
        assert!(
            !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
            "Xvfb's display: {line:?}"
        );
        xvfb.display = format!(":{number}");
        xvfb
    }

    /// `xclip -o -selection clipboard`: the text, or `None` when nobody
    /// owns the clipboard.
    fn clipboard(&self) -> Option<String> {
        let mut cmd = Command::new("xclip");
        cmd.args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &self.display);
        let out = run_bounded(cmd);
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An X11 test, skipped without Xvfb and xclip: `body` gets a fresh
/// display, a scratch folder and the rule text a copy must hold, under the
/// overall timeout.
fn with_x11(body: impl FnOnce(&Xvfb, &Scratch, String) + Send + 'static) {
    if !require(&["Xvfb", "xclip"]) {
        return;
    }
    within_timeout(|| {
        let want = rule_text(ID);
        let xvfb = Xvfb::start();
        body(&xvfb, &Scratch::new(None), want);
    });
}

#[test]
fn x11_native_copy_is_readable_while_running_and_during_hand_off() {
    with_x11(|xvfb, scratch, want| {
        assert_eq!(xvfb.clipboard(), None, "a new display's clipboard is empty");
        let mut pty = Pty::explorer(
            scratch,
            &["--clipboard", "native"],
            &[("DISPLAY", &xvfb.display)],
        );
        let status = pty.copy_rule("Copied to the system clipboard");
        assert!(
            status.contains(&format!("({} bytes)", want.len())),
            "{status:?}"
        );
        assert!(pty.copies().is_empty(), "no OSC 52 when native worked");
        assert_eq!(
            xvfb.clipboard().as_deref(),
            Some(want.as_str()),
            "xclip reads the rule while the explorer runs"
        );

        // q: the terminal comes back first, then the explorer keeps serving
        // the clipboard (up to 1.5 s) before it exits. arboard alone keeps
        // serving for 100 ms as it drops (waiting for a clipboard manager),
        // so the text must still be there well after that.
        let quit = Instant::now();
        pty.send(b"q");
        pty.wait_until("the terminal restored", |s| {
            !s.parser.screen().alternate_screen()
        });
        let restored = Instant::now();
        assert_eq!(
            xvfb.clipboard().as_deref(),
            Some(want.as_str()),
            "xclip reads the rule right after the terminal is restored"
        );
        thread::sleep(
            (restored + Duration::from_millis(600)).saturating_duration_since(Instant::now()),
        );
        assert!(
            pty.running(),
            "hand_off: still serving the clipboard 600 ms after the terminal was restored"
        );
        assert_eq!(
            xvfb.clipboard().as_deref(),
            Some(want.as_str()),
            "xclip reads the rule 600 ms into the hand-off"
        );
        assert!(pty.wait_exit().success());
        let took = quit.elapsed();
        assert!(
            took < Duration::from_secs(4),
            "the hand-off is bounded: exited {took:?} after q"
        );
        assert!(
            pty.screen(|s| !s.hide_cursor()),
            "the cursor shows after exit"
        );
        // The owner is gone, and with it the text (no clipboard manager).
        assert_eq!(xvfb.clipboard(), None, "the clipboard died with its owner");
    });
}

#[test]
fn x11_print_writes_the_copy_to_stdout_and_the_clipboard() {
    with_x11(|xvfb, scratch, want| {
        let mut pty = Pty::redirected(scratch, &["--print"], &[("DISPLAY", &xvfb.display)]);
        pty.copy_rule("Copied to the system clipboard");
        assert_eq!(xvfb.clipboard().as_deref(), Some(want.as_str()));
        pty.quit();
        assert_eq!(
            scratch.read("out"),
            want,
            "stdout is the copy, nothing else"
        );
        assert!(pty.copies().is_empty(), "auto with a display: no OSC 52");
    });
}
