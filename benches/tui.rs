//! The explorer against fzf, side by side, each in a real pseudo-terminal of
//! 120×40 (`TERM=xterm-256color`), its output read back on a thread with a
//! timestamp per read and fed to a `vt100` emulator:
//!
//!     cargo bench --bench tui                       # about two minutes
//!     cargo bench --bench tui -- --runs 9 --big 0   # embedded catalog only
//!     benches/compare-tui.sh                        # the same, after building
//!
//! Options (after `--`): `--runs N` (5), `--warmup N` (1), `--big N`
//! (100000; 0 skips the synthetic catalog), `--query TEXT` (winr),
//! `--quiet MS` (50), `--idle MS` (300), `--fzf PATH` (fzf; `none` skips it),
//! `--data-dir DIR` (target/synthetic), `--verbose` (every read of the
//! first measured run, with the rows that matter, and the escape sequences
//! vt100 ignored), and `--vmmports [LABEL=]PATH`, repeatable, to put several
//! builds side by side (without it: the release binary cargo built with this
//! benchmark, target/release/vmmports; with it, only the ones named).
//!
//! Two catalogs, and for each, both programs on the same rows:
//! - the embedded catalog: `vmmports` as is; `fzf` reads one text line per
//!   connection made of the fields the explorer searches, joined by ` | `
//!   (written to DIR/embedded.txt, the same shape as write_synthetic's .txt);
//! - a synthetic catalog of N connections, `vmmports --data
//!   DIR/synthetic-N.json` against `fzf < DIR/synthetic-N.txt`, written
//!   here when missing exactly as `cargo bench --bench write_synthetic -- N
//!   DIR` writes them.
//!
//! Both start through `sh -c 'exec PROGRAM < FILE'` (FILE is /dev/tty for
//! vmmports), so both pay the same shell start-up. The emulator answers the
//! cursor position query (`CSI 6 n`) like a terminal would.
//!
//! Measured, for every run of every program (one fresh process per run),
//! from spawning the process to the read that completes:
//! - first frame: a whole screen, whatever its count says yet — vmmports:
//!   a count (or `loading N…` while a catalog file is read) in the filter
//!   bar and the status line (the last row, which ratatui draws last); fzf: the prompt `>` on the last row, a count in
//!   its info line above (fzf shows the rows it has read so far) and the
//!   cursor shown again (fzf hides it while drawing);
//! - ready: every row counted and nothing pending — vmmports: `N/N` with no
//!   `searching…` (a big catalog's index is built on a worker after the
//!   first frame); fzf: `N/N` (all input read) and the selected row `>`
//!   above it — then `--quiet` ms without output; the time is that of the
//!   last read that changed the screen;
//!   with the bytes written until each;
//! - idle: bytes written in the `--idle` ms after that (should be 0: a
//!   program at rest draws nothing);
//! - per key (vmmports first gets `/`), sent once the previous key has
//!   settled: echo, from sending the key to the read that shows the typed
//!   text in the filter line (vmmports: `/ winr` on the first row; fzf:
//!   `> winr` on the last); settled, to the last read that changed the
//!   screen once the match count shows its final value (taken beforehand
//!   from `vmmports list --format csv` and `fzf --filter`; no
//!   `searching…` nor a progress percentage) and nothing more has come for
//!   `--quiet` ms; the bytes written in between, and the number of reads
//!   (a rough count of the writes: the pty can merge them);
//! - burst: the whole query written at once (as a paste or a fast typist
//!   would), after clearing the filter, to the same echo and settled
//!   points for the whole query;
//! - at first frame: a second process, sent the whole query as soon as its
//!   first frame is up (a big catalog is still loading then), timed from
//!   spawn to the echo and to the settled final count;
//! - command line: the same query through `vmmports list QUERY --format
//!   csv` and `fzf --filter QUERY`, output thrown away, spawn to exit.
//!
//! The table shows the median and, in brackets, the fastest and slowest run.
//! The two programs' matchers differ, so their match counts differ too; the
//! table shows both. Timings include the pseudo-terminal and this reader's
//! wake-up, the same for both programs. Run it on a quiet machine: a
//! concurrent build shows as spread.

mod synthetic;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use vmmports::catalog::{self, Catalog, to_json};
use vmmports::query::Field;

const ROWS: u16 = 40;
const COLS: u16 = 120;
/// How long any one step may take before the run is given up.
const DEADLINE: Duration = Duration::from_secs(30);

fn main() {
    let options = match Options::parse() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("benches/tui.rs: {e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let catalogs = prepare_catalogs(&options);
    let mut programs: Vec<Program> = options
        .vmmports
        .iter()
        .map(|(label, path)| Program {
            label: label.clone(),
            kind: Kind::Vmmports,
            path: path.clone(),
        })
        .collect();
    match &options.fzf {
        Some(fzf) if fzf_version(fzf).is_some() => programs.push(Program {
            label: "fzf".into(),
            kind: Kind::Fzf,
            path: fzf.clone(),
        }),
        Some(fzf) => eprintln!(
            "{} not found: measuring vmmports alone (apt-get install fzf)",
            fzf.display()
        ),
        None => {}
    }
    print_setup(&options, &programs);

    let config = tempfile::tempdir().expect("a temporary folder");
    let mut results = Vec::new();
    for cat in &catalogs {
        let expected: Vec<Vec<usize>> = programs
            .iter()
            .map(|p| expected_counts(p, cat, &options.query))
            .collect();
        let mut runs: Vec<Vec<Run>> = programs.iter().map(|_| Vec::new()).collect();
        for round in 0..options.warmup + options.runs {
            let warm = round < options.warmup;
            // Programs take turns, so a slow moment of the machine hits all.
            for (i, program) in programs.iter().enumerate() {
                let setup = Setup {
                    program,
                    catalog: cat,
                    expected: &expected[i],
                    options: &options,
                    home: config.path(),
                    trace: options.verbose && round == options.warmup,
                };
                match run(&setup) {
                    Ok(r) => {
                        eprintln!(
                            "{:<9} {:<12} {} {:>2}: first frame {:>7.1} ms, ready {:>7.1} ms, burst settled {:>7.1} ms",
                            cat.name,
                            program.label,
                            if warm { "warm-up" } else { "run    " },
                            round + 1,
                            r.first.settled_ms,
                            r.ready.settled_ms,
                            r.burst.settled_ms
                        );
                        if !warm {
                            runs[i].push(r);
                        }
                    }
                    Err(e) => eprintln!(
                        "{} {}: run {} failed: {e}",
                        cat.name,
                        program.label,
                        round + 1
                    ),
                }
            }
        }
        for (i, program) in programs.iter().enumerate() {
            results.push((
                cat.name.clone(),
                program.label.clone(),
                expected[i].clone(),
                std::mem::take(&mut runs[i]),
            ));
        }
    }
    print_table(&options, &catalogs, &results);
    eprintln!("whole benchmark: {:.0} s", started.elapsed().as_secs_f64());
}

// ---------------------------------------------------------------- options

struct Options {
    runs: usize,
    warmup: usize,
    big: usize,
    query: String,
    quiet: Duration,
    idle: Duration,
    fzf: Option<PathBuf>,
    data_dir: PathBuf,
    verbose: bool,
    vmmports: Vec<(String, PathBuf)>,
}

impl Options {
    fn parse() -> Result<Options, String> {
        let mut o = Options {
            runs: 5,
            warmup: 1,
            big: 100_000,
            query: "winr".into(),
            quiet: Duration::from_millis(50),
            idle: Duration::from_millis(300),
            fzf: Some("fzf".into()),
            data_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/synthetic"),
            verbose: false,
            vmmports: Vec::new(),
        };
        let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
        while let Some(arg) = args.next() {
            if arg == "--verbose" {
                o.verbose = true;
                continue;
            }
            let value = args.next().ok_or(format!("{arg} needs a value"))?;
            let number = || {
                value
                    .parse::<usize>()
                    .map_err(|_| format!("{arg} {value}: not a number"))
            };
            match arg.as_str() {
                "--runs" => o.runs = number()?.max(1),
                "--warmup" => o.warmup = number()?,
                "--big" => o.big = number()?,
                "--quiet" => o.quiet = Duration::from_millis(number()? as u64),
                "--idle" => o.idle = Duration::from_millis(number()? as u64),
                "--query" if !value.is_empty() && value.is_ascii() => o.query = value,
                "--query" => return Err("--query: a non-empty ASCII text".into()),
                "--fzf" if value == "none" => o.fzf = None,
                "--fzf" => o.fzf = Some(value.into()),
                "--data-dir" => o.data_dir = value.into(),
                "--vmmports" => {
                    let (label, path) = match value.split_once('=') {
                        Some((label, path)) => (label.to_string(), path),
                        None => ("vmmports".to_string(), value.as_str()),
                    };
                    let path = std::fs::canonicalize(path).map_err(|e| format!("{path}: {e}"))?;
                    o.vmmports.push((label, path));
                }
                _ => {
                    return Err(format!(
                        "unknown option {arg} (see the top of benches/tui.rs)"
                    ));
                }
            }
        }
        if o.vmmports.is_empty() {
            o.vmmports
                .push(("vmmports".into(), env!("CARGO_BIN_EXE_vmmports").into()));
        }
        Ok(o)
    }
}

// ---------------------------------------------------------------- catalogs

struct CatalogSpec {
    name: String,
    /// `--data` for vmmports; none for the embedded catalog.
    json: Option<PathBuf>,
    /// The same rows as text lines, for fzf.
    txt: PathBuf,
    total: usize,
}

/// One line per connection: the fields the explorer searches, as
/// benches/write_synthetic.rs writes them.
fn lines(catalog: &Catalog) -> String {
    catalog
        .connections
        .iter()
        .map(|conn| {
            let fields: Vec<String> = Field::ALL
                .iter()
                .map(|f| f.text(catalog, conn).replace(['\n', '\r'], " "))
                .collect();
            fields.join(" | ") + "\n"
        })
        .collect()
}

fn prepare_catalogs(options: &Options) -> Vec<CatalogSpec> {
    let dir = &options.data_dir;
    std::fs::create_dir_all(dir).expect("create the data folder");
    let embedded = catalog::embedded().expect("the embedded catalog loads");
    let txt = dir.join("embedded.txt");
    std::fs::write(&txt, lines(&embedded)).expect("write embedded.txt");
    let mut out = vec![CatalogSpec {
        name: "embedded".into(),
        json: None,
        txt,
        total: embedded.connections.len(),
    }];
    if options.big > 0 {
        let n = options.big;
        let json = dir.join(format!("synthetic-{n}.json"));
        let txt = dir.join(format!("synthetic-{n}.txt"));
        if !json.exists() || !txt.exists() {
            eprintln!("writing {} and .txt", json.display());
            let c = synthetic::catalog(n);
            std::fs::write(&json, to_json(&c)).expect("write the json");
            std::fs::write(&txt, lines(&c)).expect("write the txt");
        }
        out.push(CatalogSpec {
            name: format!("{}k", n / 1000),
            json: Some(json),
            txt,
            total: n,
        });
    }
    out
}

// ---------------------------------------------------------------- programs

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Vmmports,
    Fzf,
}

struct Program {
    label: String,
    kind: Kind,
    path: PathBuf,
}

fn fzf_version(fzf: &Path) -> Option<String> {
    let out = Command::new(fzf).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The match count each prefix of the query should end on, from the
/// program itself.
fn expected_counts(program: &Program, cat: &CatalogSpec, query: &str) -> Vec<usize> {
    (1..=query.len())
        .map(|n| {
            let prefix = &query[..n];
            match program.kind {
                Kind::Vmmports => {
                    let mut cmd = Command::new(&program.path);
                    if let Some(json) = &cat.json {
                        cmd.arg("--data").arg(json);
                    }
                    cmd.args(["list", prefix, "--format", "csv"]);
                    let out = cmd
                        .stderr(Stdio::inherit())
                        .output()
                        .expect("run vmmports list");
                    csv::Reader::from_reader(&out.stdout[..]).records().count()
                }
                Kind::Fzf => {
                    let input = std::fs::File::open(&cat.txt).expect("open the rows");
                    let out = Command::new(&program.path)
                        .args(["--filter", prefix])
                        .stdin(input)
                        .output()
                        .expect("run fzf --filter");
                    out.stdout.iter().filter(|&&b| b == b'\n').count()
                }
            }
        })
        .collect()
}

// ---------------------------------------------------------------- the terminal

/// The emulator's side of the conversation: what a terminal answers.
#[derive(Default)]
struct Replies {
    out: Vec<u8>,
    /// Sequences vt100 does not handle, for `--verbose`.
    unhandled: BTreeSet<String>,
}

impl vt100::Callbacks for Replies {
    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        if i1.is_none() && c == 'n' && params == [&[6u16][..]] {
            let (row, col) = screen.cursor_position();
            self.out
                .extend_from_slice(format!("\x1b[{};{}R", row + 1, col + 1).as_bytes());
        } else {
            let i1 = i1.map(char::from).map(String::from).unwrap_or_default();
            let i2 = i2.map(char::from).map(String::from).unwrap_or_default();
            self.unhandled.insert(format!("CSI {i1}{i2}{params:?}{c}"));
        }
    }
}

struct Chunk {
    at: Instant,
    bytes: Vec<u8>,
}

/// A program running in a pseudo-terminal.
struct Term {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    _master: Box<dyn MasterPty + Send>,
    rx: Receiver<Chunk>,
    parser: vt100::Parser<Replies>,
    /// The screen as of the last read, to tell which reads changed it.
    shown: String,
    started: Instant,
    bytes: usize,
    reads: usize,
    /// When the last read, and the last read that changed the screen, came.
    last_at: Instant,
    changed_at: Instant,
    eof: bool,
    /// With `--verbose`, one line per read.
    trace: Option<Vec<String>>,
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap()
}

impl Term {
    fn spawn(argv: Vec<OsString>, home: &Path, trace: bool) -> Result<Term, String> {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| format!("open a pty: {e}"))?;
        let mut cmd = CommandBuilder::from_argv(argv);
        cmd.cwd(std::env::current_dir().unwrap());
        cmd.env("TERM", "xterm-256color");
        cmd.env("LC_ALL", "C.UTF-8");
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home);
        for var in [
            "NO_COLOR",
            "COLUMNS",
            "LINES",
            "FZF_DEFAULT_OPTS",
            "FZF_DEFAULT_COMMAND",
            "FZF_DEFAULT_OPTS_FILE",
        ] {
            cmd.env_remove(var);
        }
        let mut reader = pair.master.try_clone_reader().map_err(|e| e.to_string())?;
        let writer = pair.master.take_writer().map_err(|e| e.to_string())?;
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            loop {
                match reader.read(&mut buf) {
                    // Linux reports EIO once the program's side is closed.
                    Ok(0) => return,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => return,
                    Ok(n) => {
                        let chunk = Chunk {
                            at: Instant::now(),
                            bytes: buf[..n].to_vec(),
                        };
                        if tx.send(chunk).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let started = Instant::now();
        let child = pair
            .slave
            .spawn_command(cmd)
            .map_err(|e| format!("spawn: {e}"))?;
        // Only the child holds the slave side now: its exit ends the reads.
        drop(pair.slave);
        let parser =
            vt100::Parser::new_with_callbacks(nonzero(ROWS), nonzero(COLS), 0, Replies::default());
        let shown = parser.screen().contents_formatted();
        Ok(Term {
            child,
            writer,
            _master: pair.master,
            rx,
            parser,
            shown,
            started,
            bytes: 0,
            reads: 0,
            last_at: started,
            changed_at: started,
            eof: false,
            trace: trace.then(Vec::new),
        })
    }

    fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    fn send(&mut self, bytes: &[u8]) -> Instant {
        let at = Instant::now();
        // A program that died shows up as a missed deadline.
        let _ = self.writer.write_all(bytes);
        let _ = self.writer.flush();
        at
    }

    /// Takes one read, if it comes before `until`.
    fn pump(&mut self, until: Instant) -> bool {
        if self.eof {
            return false;
        }
        let wait = until.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(wait) {
            Ok(chunk) => {
                self.parser.process(&chunk.bytes);
                let shown = self.parser.screen().contents_formatted();
                if shown != self.shown {
                    self.shown = shown;
                    self.changed_at = chunk.at;
                }
                self.bytes += chunk.bytes.len();
                self.reads += 1;
                self.last_at = chunk.at;
                if let Some(trace) = &mut self.trace {
                    let screen = self.parser.screen();
                    let brief = |r: u16| {
                        let text = row(screen, r)
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ");
                        text.chars().take(44).collect::<String>()
                    };
                    trace.push(format!(
                        "{:>9.1} ms {:>6} B | {} | {} | {}",
                        ms(chunk.at - self.started),
                        chunk.bytes.len(),
                        brief(0),
                        brief(ROWS - 2),
                        brief(ROWS - 1)
                    ));
                }
                let replies = std::mem::take(&mut self.parser.callbacks_mut().out);
                if !replies.is_empty() {
                    self.send(&replies);
                }
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => {
                self.eof = true;
                false
            }
        }
    }

    /// Reads until `done` holds for the screen; returns when the read that
    /// made it hold came.
    fn wait_for(
        &mut self,
        what: &str,
        done: impl Fn(&vt100::Screen) -> bool,
    ) -> Result<Instant, String> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if done(self.screen()) {
                return Ok(self.last_at);
            }
            if !self.pump(deadline) {
                return Err(self.failure(what));
            }
        }
    }

    /// Reads until nothing has come for `quiet`.
    fn wait_quiet(&mut self, quiet: Duration) -> Result<(), String> {
        let deadline = Instant::now() + DEADLINE;
        let from = Instant::now();
        loop {
            let until = self.last_at.max(from) + quiet;
            if Instant::now() >= until {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.failure(&format!("{quiet:?} without output")));
            }
            if !self.pump(until.min(deadline)) && self.eof {
                return Err(self.failure("quiet (the program exited)"));
            }
        }
    }

    /// Reads whatever comes until `until`.
    fn drain_until(&mut self, until: Instant) {
        while Instant::now() < until && !self.eof {
            self.pump(until);
        }
    }

    fn failure(&self, what: &str) -> String {
        format!(
            "timed out waiting for {what}{}; the screen shows:\n{}",
            if self.eof {
                " (the program exited)"
            } else {
                ""
            },
            self.screen().contents()
        )
    }

    /// Sends `keys` and measures until `echo`, then until `settled` and
    /// quiet.
    fn step(
        &mut self,
        keys: &[u8],
        quiet: Duration,
        echo: impl Fn(&vt100::Screen) -> bool,
        settled: impl Fn(&vt100::Screen) -> bool,
    ) -> Result<Step, String> {
        let (bytes, reads) = (self.bytes, self.reads);
        let sent = self.send(keys);
        let echo_at = self.wait_for("the typed text", echo)?;
        self.wait_for("the final match count", settled)?;
        self.wait_quiet(quiet)?;
        Ok(Step {
            echo_ms: ms(echo_at.saturating_duration_since(sent)),
            settled_ms: ms(self.changed_at.saturating_duration_since(sent)),
            bytes: self.bytes - bytes,
            reads: self.reads - reads,
        })
    }

    /// Ctrl-C quits both programs.
    fn quit(&mut self) {
        self.send(b"\x03");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            self.pump(Instant::now() + Duration::from_millis(5));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Row `row` of the screen as text.
fn row(screen: &vt100::Screen, row: u16) -> String {
    screen.rows(0, COLS).nth(row as usize).unwrap_or_default()
}

// ---------------------------------------------------------------- what each screen shows

/// A whole first frame is on screen, whatever the count says yet.
fn first_frame(kind: Kind, s: &vt100::Screen) -> bool {
    match kind {
        // The filter bar's count (or, while a catalog file is still being
        // read, its `loading N…`), and the status line: the last row drawn.
        Kind::Vmmports => {
            let bar = row(s, 0);
            (bar.split_whitespace().any(is_count) || bar.contains("loading"))
                && !row(s, ROWS - 1).trim().is_empty()
        }
        // The prompt and the info line's count (fzf may still be reading),
        // and the cursor shown again: fzf hides it while it draws a frame.
        Kind::Fzf => {
            row(s, ROWS - 1).starts_with('>')
                && row(s, ROWS - 2).split_whitespace().any(is_count)
                && !s.hide_cursor()
        }
    }
}

/// `123/456`.
fn is_count(word: &str) -> bool {
    word.split_once('/').is_some_and(|(a, b)| {
        [a, b]
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Ready to type into: every row in the list, nothing pending.
fn ready(kind: Kind, s: &vt100::Screen, total: usize) -> bool {
    let all = format!("{total}/{total}");
    match kind {
        // The full count, with no search running, and the status line.
        Kind::Vmmports => {
            let bar = row(s, 0);
            bar.contains(&format!(" {all} "))
                && !bar.contains("searching")
                && !row(s, ROWS - 1).trim().is_empty()
        }
        // The prompt, the info line's count once all input is read, and the
        // selected row above it (`>`), which fzf draws last.
        Kind::Fzf => {
            row(s, ROWS - 1).starts_with('>')
                && has_word(&row(s, ROWS - 2), &all)
                && row(s, ROWS - 3).starts_with('>')
        }
    }
}

fn has_word(line: &str, word: &str) -> bool {
    line.split_whitespace().any(|w| w == word)
}

/// The filter line shows exactly `typed`.
fn echoed(kind: Kind, s: &vt100::Screen, typed: &str) -> bool {
    match kind {
        Kind::Vmmports => {
            let bar = row(s, 0);
            bar.strip_prefix("/ ")
                .and_then(|rest| rest.strip_prefix(typed))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        }
        Kind::Fzf => row(s, ROWS - 1).trim_end() == format!("> {typed}").trim_end(),
    }
}

/// The filter line shows `typed` and the count its final value, with no
/// search running.
fn settled(kind: Kind, s: &vt100::Screen, typed: &str, count: usize, total: usize) -> bool {
    if !echoed(kind, s, typed) {
        return false;
    }
    let count = format!("{count}/{total}");
    match kind {
        Kind::Vmmports => {
            let bar = row(s, 0);
            bar.contains(&format!(" {count} ")) && !bar.contains("searching")
        }
        Kind::Fzf => {
            let info = row(s, ROWS - 2);
            has_word(&info, &count) && !info.contains('%')
        }
    }
}

// ---------------------------------------------------------------- one run

struct Setup<'a> {
    program: &'a Program,
    catalog: &'a CatalogSpec,
    expected: &'a [usize],
    options: &'a Options,
    home: &'a Path,
    /// Print every read (`--verbose`, first measured run).
    trace: bool,
}

#[derive(Clone)]
struct Step {
    echo_ms: f64,
    settled_ms: f64,
    bytes: usize,
    reads: usize,
}

struct Run {
    /// Spawn to the first whole frame, and to the ready screen: in
    /// `settled_ms`, with the bytes and reads until then.
    first: Step,
    ready: Step,
    /// Bytes and reads in the `--idle` ms after the ready screen.
    idle: (usize, usize),
    /// vmmports: `/`, then each key; fzf: each key.
    keys: Vec<(String, Step)>,
    burst: Step,
    /// A second process: the whole query pasted as soon as the first frame
    /// is up (while a big catalog still loads); echo and settled from spawn.
    early: Step,
    /// The command line's query, a whole process from spawn to exit:
    /// `vmmports list QUERY --format csv` or `fzf --filter QUERY`.
    cli: Step,
}

fn run(setup: &Setup) -> Result<Run, String> {
    let Setup {
        program,
        catalog: cat,
        expected,
        options,
        trace,
        ..
    } = *setup;
    let kind = program.kind;
    let total = cat.total;
    let quiet = options.quiet;
    let query = options.query.as_str();
    let mut t = start(setup, trace)?;

    let first_at = t.wait_for("the first frame", |s| first_frame(kind, s))?;
    let first = Step {
        echo_ms: f64::NAN,
        settled_ms: ms(first_at - t.started),
        bytes: t.bytes,
        reads: t.reads,
    };
    // The frame that completes the list may end anywhere on screen: wait
    // for quiet, and take its last change.
    t.wait_for("the ready screen", |s| ready(kind, s, total))?;
    t.wait_quiet(quiet)?;
    let ready = Step {
        echo_ms: f64::NAN,
        settled_ms: ms(t.changed_at - t.started),
        bytes: t.bytes,
        reads: t.reads,
    };
    t.drain_until(Instant::now() + options.idle);
    let idle = (t.bytes - ready.bytes, t.reads - ready.reads);
    t.wait_quiet(quiet)?;

    let mut keys = Vec::new();
    if kind == Kind::Vmmports {
        let step = t.step(
            b"/",
            quiet,
            |s| echoed(kind, s, ""),
            |s| echoed(kind, s, "") && s.contents().contains("keep filter"),
        )?;
        keys.push(("/".to_string(), step));
    }
    for n in 1..=query.len() {
        let typed = &query[..n];
        let count = expected[n - 1];
        let step = t.step(
            &query.as_bytes()[n - 1..n],
            quiet,
            |s| echoed(kind, s, typed),
            |s| settled(kind, s, typed, count, total),
        )?;
        keys.push((query[n - 1..n].to_string(), step));
    }

    // Clear (Ctrl-U: vmmports leaves the filter, fzf empties its query),
    // then the whole query at once.
    let all = format!("{total}/{total}");
    t.send(b"\x15");
    t.wait_for("the cleared filter", |s| match kind {
        Kind::Vmmports => {
            let bar = row(s, 0);
            bar.contains(&format!(" {all} ")) && !bar.contains("searching")
        }
        Kind::Fzf => row(s, ROWS - 1).trim_end() == ">" && has_word(&row(s, ROWS - 2), &all),
    })?;
    t.wait_quiet(quiet)?;
    if kind == Kind::Vmmports && !echoed(kind, t.screen(), "") {
        t.step(b"/", quiet, |s| echoed(kind, s, ""), |_| true)?;
    }
    let count = expected[query.len() - 1];
    let burst = t.step(
        query.as_bytes(),
        quiet,
        |s| echoed(kind, s, query),
        |s| settled(kind, s, query, count, total),
    )?;
    t.quit();
    let early = early(setup)?;
    let cli = cli(setup)?;
    if let Some(trace) = &t.trace {
        eprintln!(
            "{} reads (time from spawn, bytes | first row | row {} | row {}):",
            program.label,
            ROWS - 1,
            ROWS
        );
        for line in trace {
            eprintln!("  {line}");
        }
    }
    if options.verbose && !t.parser.callbacks().unhandled.is_empty() {
        eprintln!(
            "{} sent sequences vt100 does not handle: {:?}",
            program.label,
            t.parser.callbacks().unhandled
        );
    }
    Ok(Run {
        first,
        ready,
        idle,
        keys,
        burst,
        early,
        cli,
    })
}

/// The query on the command line, the output thrown away, started through
/// `sh` as the explorers are: from spawn to exit.
fn cli(setup: &Setup) -> Result<Step, String> {
    let query = setup.options.query.as_str();
    let mut command = Command::new("/bin/sh");
    command.arg("-c");
    match setup.program.kind {
        Kind::Vmmports => {
            command
                .arg(r#"p=$1; q=$2; shift 2; exec "$p" "$@" list "$q" --format csv > /dev/null"#)
                .args([
                    "sh".as_ref(),
                    setup.program.path.as_os_str(),
                    query.as_ref(),
                ]);
            if let Some(json) = &setup.catalog.json {
                command.arg("--data").arg(json);
            }
        }
        Kind::Fzf => {
            command
                .arg(r#"exec "$1" --filter "$2" < "$3" > /dev/null"#)
                .args([
                    "sh".as_ref(),
                    setup.program.path.as_os_str(),
                    query.as_ref(),
                ])
                .arg(&setup.catalog.txt);
        }
    }
    let started = Instant::now();
    let status = command
        .env("XDG_CONFIG_HOME", setup.home)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("{}: cannot run the query: {e}", setup.program.label))?;
    let took = ms(started.elapsed());
    // fzf --filter exits 1 when nothing matches, vmmports list too.
    if !matches!(status.code(), Some(0 | 1)) {
        return Err(format!(
            "{}: the query ended with {status}",
            setup.program.label
        ));
    }
    Ok(Step {
        echo_ms: f64::NAN,
        settled_ms: took,
        bytes: 0,
        reads: 0,
    })
}

/// The program on the catalog, through `sh` as the module says.
fn start(setup: &Setup, trace: bool) -> Result<Term, String> {
    let mut argv: Vec<OsString> = vec![
        "/bin/sh".into(),
        "-c".into(),
        r#"f=$1; shift; exec "$@" < "$f""#.into(),
        "sh".into(),
    ];
    match setup.program.kind {
        Kind::Vmmports => {
            argv.push("/dev/tty".into());
            argv.push(setup.program.path.clone().into());
            if let Some(json) = &setup.catalog.json {
                argv.push("--data".into());
                argv.push(json.clone().into());
            }
        }
        Kind::Fzf => {
            argv.push(setup.catalog.txt.clone().into());
            argv.push(setup.program.path.clone().into());
        }
    }
    Term::spawn(argv, setup.home, trace)
}

/// A fresh process, and the whole query (vmmports: after `/`) sent as soon
/// as its first frame is up, as a user who starts typing at once: from spawn
/// to the query echoed, and to every match of the whole catalog counted
/// and drawn.
fn early(setup: &Setup) -> Result<Step, String> {
    let kind = setup.program.kind;
    let query = setup.options.query.as_str();
    let count = setup.expected[query.len() - 1];
    let total = setup.catalog.total;
    let mut t = start(setup, false)?;
    t.wait_for("the first frame", |s| first_frame(kind, s))?;
    let keys = match kind {
        Kind::Vmmports => format!("/{query}"),
        Kind::Fzf => query.to_string(),
    };
    t.send(keys.as_bytes());
    let echoed_at = t.wait_for("the query echoed", |s| echoed(kind, s, query))?;
    t.wait_for("every match", |s| settled(kind, s, query, count, total))?;
    t.wait_quiet(setup.options.quiet)?;
    let step = Step {
        echo_ms: ms(echoed_at - t.started),
        settled_ms: ms(t.changed_at - t.started),
        bytes: t.bytes,
        reads: t.reads,
    };
    t.quit();
    Ok(step)
}

// ---------------------------------------------------------------- report

fn print_setup(options: &Options, programs: &[Program]) {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let commit = git(&["log", "-1", "--oneline"]);
    if commit.is_empty() {
        println!(
            "commit: unknown ({} is not a git checkout)",
            env!("CARGO_MANIFEST_DIR")
        );
    } else {
        let dirty = if dirty {
            " (plus uncommitted changes)"
        } else {
            ""
        };
        println!("commit: {commit}{dirty}");
    }
    for p in programs {
        let version = match p.kind {
            Kind::Fzf => fzf_version(&p.path).unwrap_or_default(),
            Kind::Vmmports => String::new(),
        };
        println!("{}: {} {version}", p.label, p.path.display());
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "terminal {COLS}x{ROWS}, query {:?}, {} runs after {} warm-up, quiet {} ms, idle {} ms; {} CPUs, load {}",
        options.query,
        options.runs,
        options.warmup,
        options.quiet.as_millis(),
        options.idle.as_millis(),
        thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}

/// `median (min–max)`, or `-` without values.
fn summary(mut values: Vec<f64>, decimals: usize) -> String {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return "-".into();
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    let (lo, hi) = (values[0], values[n - 1]);
    if lo == hi {
        format!("{median:.decimals$}")
    } else {
        format!("{median:.decimals$} ({lo:.decimals$}–{hi:.decimals$})")
    }
}

fn print_table(
    options: &Options,
    catalogs: &[CatalogSpec],
    results: &[(String, String, Vec<usize>, Vec<Run>)],
) {
    let mut rows: Vec<Vec<String>> = vec![
        [
            "catalog",
            "program",
            "step",
            "matches",
            "echo ms",
            "settled ms",
            "bytes",
            "reads",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (cat_name, label, expected, runs) in results {
        let total = catalogs
            .iter()
            .find(|c| &c.name == cat_name)
            .map_or(0, |c| c.total);
        let mut line = |step: &str, matches: String, pick: &dyn Fn(&Run) -> Step| {
            let steps: Vec<Step> = runs.iter().map(pick).collect();
            rows.push(vec![
                cat_name.clone(),
                label.clone(),
                step.to_string(),
                matches,
                summary(steps.iter().map(|s| s.echo_ms).collect(), 1),
                summary(steps.iter().map(|s| s.settled_ms).collect(), 1),
                summary(steps.iter().map(|s| s.bytes as f64).collect(), 0),
                summary(steps.iter().map(|s| s.reads as f64).collect(), 0),
            ]);
        };
        if runs.is_empty() {
            line("no successful run", String::new(), &|_| unreachable!());
            continue;
        }
        line("first frame", String::new(), &|r| r.first.clone());
        line("ready", total.to_string(), &|r| r.ready.clone());
        line(
            &format!("idle {} ms", options.idle.as_millis()),
            String::new(),
            &|r| Step {
                echo_ms: f64::NAN,
                settled_ms: f64::NAN,
                bytes: r.idle.0,
                reads: r.idle.1,
            },
        );
        let keys = runs[0].keys.len();
        let offset = keys - options.query.len();
        for k in 0..keys {
            let name = &runs[0].keys[k].0;
            let matches = if k < offset {
                total.to_string()
            } else {
                expected[k - offset].to_string()
            };
            line(&format!("key {name:?}"), matches, &|r| r.keys[k].1.clone());
        }
        line(
            &format!("burst {:?}", options.query),
            expected[options.query.len() - 1].to_string(),
            &|r| r.burst.clone(),
        );
        line(
            &format!("{:?} at first frame", options.query),
            expected[options.query.len() - 1].to_string(),
            &|r| r.early.clone(),
        );
        line(
            &format!("command line {:?}", options.query),
            expected[options.query.len() - 1].to_string(),
            &|r| r.cli.clone(),
        );
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    println!();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell:<w$}"))
            .collect();
        println!("| {} |", cells.join(" | "));
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            println!("|-{}-|", rule.join("-|-"));
        }
    }
    println!();
    println!(
        "median (fastest–slowest) of the runs; echo: key sent → typed text on screen; settled: key sent → last screen change once the final count shows and {} ms pass quietly; first frame: process spawn → a whole first screen, whatever its count; ready: process spawn → last change of the screen that counts all rows, nothing pending; at first frame: a second process, the query sent as its first frame shows, times from spawn; command line: `vmmports list QUERY --format csv` or `fzf --filter QUERY`, spawn to exit",
        options.quiet.as_millis()
    );
}
