//! The real `vmmports` binary (or any program) in a pseudo-terminal, its
//! output read back through a vt100 emulator: a reader thread feeds the
//! parser, and every step waits, with a deadline, until what it has seen
//! satisfies a condition. Nothing sleeps to synchronise.
//!
//! The emulator records OSC 52 copies and answers the cursor position query
//! ratatui asks at start-up (or stays silent, to test a terminal that never
//! answers).

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// How long one step may take.
pub const STEP: Duration = Duration::from_secs(10);
/// How long a whole scenario may take.
pub const SCENARIO: Duration = Duration::from_secs(60);

/// Variables that would change how copies go, or leak the user's setup.
pub const SCRUBBED: [&str; 8] = [
    "TMUX",
    "TMUX_PANE",
    "STY",
    "SSH_CONNECTION",
    "SSH_TTY",
    "SSH_CLIENT",
    "DISPLAY",
    "WAYLAND_DISPLAY",
];

pub type Writer = Arc<Mutex<Box<dyn Write + Send>>>;

/// Locks, ignoring poison: a failed step must not make the reader thread
/// panic too.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("a terminal size is at least 1")
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

pub fn vmmports() -> PathBuf {
    assert_cmd::cargo::cargo_bin("vmmports")
}

/// `program args` in a known terminal, colours on, with `home` as HOME and
/// XDG_CONFIG_HOME, and no multiplexer, SSH session or display to change how
/// copies go.
pub fn command(program: impl AsRef<OsStr>, args: &[&str], home: &Path) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(program);
    cmd.args(args);
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    for var in SCRUBBED {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home);
    cmd
}

/// One OSC 52 copy as the emulator received it.
#[derive(Clone)]
pub struct Copy {
    pub target: Vec<u8>,
    /// The base64 payload: vt100 hands it over undecoded.
    pub data: Vec<u8>,
    /// The screen at the moment the copy arrived.
    pub screen: String,
}

/// The emulator's side of the conversation. A real terminal answers "where
/// is the cursor?" (`CSI 6 n`), and the explorer asks once at start-up
/// (ratatui's `Terminal::clear`); vt100 only parses, so the test answers, or
/// stays silent to see what happens without an answer.
pub struct Replies {
    /// Where answers go; `None` never answers.
    writer: Option<Writer>,
    pub cursor_queries: usize,
    pub copies: Vec<Copy>,
}

impl vt100::Callbacks for Replies {
    fn copy_to_clipboard(&mut self, screen: &mut vt100::Screen, target: &[u8], data: &[u8]) {
        self.copies.push(Copy {
            target: target.to_vec(),
            data: data.to_vec(),
            screen: screen.contents(),
        });
    }

    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        _: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        if i1.is_none() && c == 'n' && params == [&[6u16][..]] {
            self.cursor_queries += 1;
            if let Some(writer) = &self.writer {
                let (row, col) = screen.cursor_position();
                let mut w = lock(writer);
                let _ = write!(w, "\x1b[{};{}R", row + 1, col + 1);
                let _ = w.flush();
            }
        }
    }
}

/// What the reader thread has seen so far.
pub struct Seen {
    pub parser: vt100::Parser<Replies>,
    /// Every byte the program wrote, to look for sequences the screen state
    /// does not keep (e.g. a mouse mode switched on and off again).
    pub raw: Vec<u8>,
    /// The program's side of the terminal is closed: it exited.
    pub eof: bool,
}

/// A program running in a pseudo-terminal, its output parsed by vt100.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Writer,
    child: Box<dyn Child + Send + Sync>,
    seen: Arc<(Mutex<Seen>, Condvar)>,
}

impl Pty {
    /// Runs `cmd` in a `cols`×`rows` terminal. `answer`: whether the
    /// emulator answers cursor position queries.
    pub fn start(cmd: CommandBuilder, cols: u16, rows: u16, answer: bool) -> Pty {
        let pair = native_pty_system()
            .openpty(size(cols, rows))
            .expect("open a pty");
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        // Only the child keeps the slave side open, so the reader sees the
        // end of the output once the child has exited.
        drop(pair.slave);

        let writer: Writer = Arc::new(Mutex::new(pair.master.take_writer().expect("writer")));
        let replies = Replies {
            writer: answer.then(|| Arc::clone(&writer)),
            cursor_queries: 0,
            copies: Vec::new(),
        };
        let parser = vt100::Parser::new_with_callbacks(nonzero(rows), nonzero(cols), 0, replies);
        let seen = Arc::new((
            Mutex::new(Seen {
                parser,
                raw: Vec::new(),
                eof: false,
            }),
            Condvar::new(),
        ));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let shared = Arc::clone(&seen);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                // Linux reports EIO, not 0, once the slave side is closed.
                let n = reader.read(&mut buf).unwrap_or(0);
                let (seen, changed) = &*shared;
                let mut seen = lock(seen);
                if n == 0 {
                    seen.eof = true;
                    changed.notify_all();
                    return;
                }
                seen.parser.process(&buf[..n]);
                seen.raw.extend_from_slice(&buf[..n]);
                changed.notify_all();
            }
        });
        Pty {
            master: pair.master,
            writer,
            child,
            seen,
        }
    }

    pub fn send(&self, bytes: &[u8]) {
        let mut writer = lock(&self.writer);
        writer.write_all(bytes).expect("write to the pty");
        writer.flush().expect("flush the pty");
    }

    /// Waits until `done` holds for what the reader has seen, and returns
    /// the screen's text; fails with the screen after `STEP`.
    pub fn wait_until(&self, what: &str, done: impl Fn(&Seen) -> bool) -> String {
        self.wait_until_within(STEP, what, done)
    }

    /// [`Pty::wait_until`] with a limit of its own, for a step known to be
    /// slow (a program's first start under Wine).
    pub fn wait_until_within(
        &self,
        limit: Duration,
        what: &str,
        done: impl Fn(&Seen) -> bool,
    ) -> String {
        let deadline = Instant::now() + limit;
        let (seen, changed) = &*self.seen;
        let mut seen = lock(seen);
        loop {
            if done(&seen) {
                return seen.parser.screen().contents();
            }
            let now = Instant::now();
            if now >= deadline {
                let screen = seen.parser.screen().contents();
                drop(seen);
                panic!("timed out waiting for {what}; the screen shows:\n{screen}");
            }
            seen = changed
                .wait_timeout(seen, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// Waits until the screen contains `text`.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} on screen"), |s| {
            s.parser.screen().contents().contains(text)
        })
    }

    /// Waits until row `row` satisfies `done`, and returns the screen.
    pub fn wait_row(&self, row: u16, what: &str, done: impl Fn(&str) -> bool) -> String {
        self.wait_until(what, |s| done(&row_text(s.parser.screen(), row)))
    }

    /// Runs `check` on the current screen.
    pub fn screen<T>(&self, check: impl FnOnce(&vt100::Screen) -> T) -> T {
        check(self.seen().parser.screen())
    }

    /// What the reader has seen, locked.
    pub fn seen(&self) -> MutexGuard<'_, Seen> {
        lock(&self.seen.0)
    }

    /// Every byte the program wrote so far.
    pub fn raw(&self) -> Vec<u8> {
        self.seen().raw.clone()
    }

    /// The OSC 52 copies received so far.
    pub fn copies(&self) -> Vec<Copy> {
        self.seen().parser.callbacks().copies.clone()
    }

    /// Resizes the emulator, then the pty, which sends SIGWINCH.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.seen().parser.set_size(nonzero(rows), nonzero(cols));
        self.master
            .resize(size(cols, rows))
            .expect("resize the pty");
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Sends the signal `name` (`TERM`, `HUP`, …) to the program.
    pub fn signal(&self, name: &str) {
        let pid = self.child.process_id().expect("child pid");
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} {pid} failed");
    }

    /// Waits for the process to exit and for the reader to have drained its
    /// output, so the emulator shows the final state.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + STEP;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the program did not exit; the screen shows:\n{}",
                self.screen(|s| s.contents())
            );
            // No notification exists for an exit: poll.
            thread::sleep(Duration::from_millis(10));
        };
        self.wait_until("the end of the output", |s| s.eof);
        status
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        // A failed test must not leave the child behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Row `row` of the screen as text.
pub fn row_text(screen: &vt100::Screen, row: u16) -> String {
    let cols = screen.size().1.get();
    screen.rows(0, cols).nth(row as usize).unwrap_or_default()
}

/// Runs `scenario` on its own thread and fails if it takes longer than
/// `SCENARIO`: a hang must fail the test, not block CI.
pub fn within_timeout(scenario: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        scenario();
        let _ = done.send(());
    });
    match finished.recv_timeout(SCENARIO) {
        Ok(()) => worker.join().unwrap(),
        // The scenario failed: pass its message on.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            std::panic::resume_unwind(worker.join().unwrap_err())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the scenario hung for {SCENARIO:?}"),
    }
}
