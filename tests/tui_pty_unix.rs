//! The real `vmmports` binary in a pseudo-terminal, its output read back
//! through a vt100 emulator: keys in, screen contents out, and the terminal
//! state (alternate screen, cursor, mouse reporting) checked after every way
//! out — `q`, Ctrl-C, SIGTERM, SIGHUP and a start-up error.
//!
//! Nothing here sleeps to synchronise: every step waits, with a deadline,
//! until the screen shows what it should, and each scenario runs under an
//! overall timeout so a hang fails the test instead of blocking CI.
//!
//! A frame reaches the emulator in pieces, top to bottom, so a step waits for
//! the last thing it checks (or for the bottom of the frame) before asserting.

// Unix only: a Unix pseudo-terminal and Unix signals (SIGTERM, SIGHUP).
#![cfg(unix)]

mod common;

use std::ops::{Deref, DerefMut};

use common::pty::{self, Pty, row_text, within_timeout};
use ratatui::layout::Rect;
use vmmports::catalog;
use vmmports::rules::Dialect;
use vmmports::rules::settings::Settings;
use vmmports::tui::action::Action;
use vmmports::tui::app::App;
use vmmports::tui::{layout, ui};

/// The explorer in a pseudo-terminal, with an empty configuration folder of
/// its own.
struct Session {
    pty: Pty,
    _config: tempfile::TempDir,
}

impl Deref for Session {
    type Target = Pty;

    fn deref(&self) -> &Pty {
        &self.pty
    }
}

impl DerefMut for Session {
    fn deref_mut(&mut self) -> &mut Pty {
        &mut self.pty
    }
}

impl Session {
    fn start(cols: u16, rows: u16, args: &[&str]) -> Session {
        Session::start_with(cols, rows, args, true)
    }

    /// `answer`: whether the emulator answers cursor position queries.
    fn start_with(cols: u16, rows: u16, args: &[&str], answer: bool) -> Session {
        let config = tempfile::tempdir().expect("temp dir");
        let cmd = pty::command(pty::vmmports(), args, config.path());
        Session {
            pty: Pty::start(cmd, cols, rows, answer),
            _config: config,
        }
    }

    /// Waits until the bottom row, the last one a full redraw writes,
    /// contains `text`: the whole frame is then on screen.
    fn wait_bottom(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} on the bottom row"), |s| {
            let screen = s.parser.screen();
            let rows = screen.size().0.get();
            // A long message wraps over the key-hint row above it.
            let last_two = format!(
                "{} {}",
                row_text(screen, rows.saturating_sub(2)).trim_end(),
                row_text(screen, rows - 1).trim()
            );
            row_text(screen, rows - 1).contains(text) || last_two.contains(text)
        })
    }

    /// After exit: the main screen is back, the cursor shows and the mouse
    /// reports nothing.
    fn assert_restored(&self, how: &str) {
        self.screen(|s| {
            assert!(
                !s.alternate_screen(),
                "{how}: still on the alternate screen"
            );
            assert!(!s.hide_cursor(), "{how}: the cursor is still hidden");
            assert_eq!(
                s.mouse_protocol_mode(),
                vt100::MouseProtocolMode::None,
                "{how}: mouse capture is still on"
            );
        });
    }

    /// The first full frame at a usable size: the list's title on the
    /// second row, the status line on the bottom one.
    fn wait_first_frame(&self) -> String {
        self.wait_row(1, "the list's title", |r| r.contains("Connections"));
        // The status line: the catalog's title, cut to fit.
        let screen = self.wait_bottom(&expected().title[..20]);
        self.screen(|s| {
            assert!(s.alternate_screen(), "not on the alternate screen");
            assert!(s.hide_cursor(), "the cursor shows over the explorer");
        });
        screen
    }
}

/// The row showing the list's ▶ cursor.
fn cursor_row(screen: &vt100::Screen) -> Option<u16> {
    (0..screen.size().0.get()).find(|&r| row_text(screen, r).contains('▶'))
}

/// What the embedded catalog should put on screen, from the library, so the
/// test follows the catalog instead of copying its contents.
struct Expected {
    total: usize,
    /// The catalog's title, shown on the status line.
    title: String,
    /// Rows matching `winrm`.
    winrm: usize,
    /// Ids of the first two `winrm` rows.
    winrm_ids: [String; 2],
}

fn expected() -> Expected {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    let total = app.filter.hits.len();
    app.update(Action::FocusFilter);
    for c in "winrm".chars() {
        app.update(Action::Type(c));
    }
    let id = |i: usize| app.catalog.connections[app.filter.hits[i].index].id.clone();
    Expected {
        total,
        title: app.catalog.title.clone(),
        winrm: app.filter.hits.len(),
        winrm_ids: [id(0), id(1)],
    }
}

#[test]
fn filter_move_dialect_help_resize_and_quit() {
    within_timeout(|| {
        let want = expected();
        assert!(want.winrm >= 2 && want.winrm < want.total);
        let mut s = Session::start(100, 30, &[]);

        let screen = s.wait_first_frame();
        let all = format!(" {0}/{0} ", want.total);
        assert!(row_text_of(&screen, 0).ends_with(&all), "{screen}");
        for text in [
            "Connections",
            "From",
            "To",
            "Ports",
            "Mod",
            "press / to filter",
        ] {
            assert!(screen.contains(text), "{text:?} missing:\n{screen}");
        }
        // Wide enough for the detail and rule panes beside the list.
        assert!(screen.contains("Rule  [ ] dialect"), "{screen}");

        // `/` focuses the filter: a prompt, and the footer's filter keys.
        s.send(b"/");
        s.wait_row(0, "the filter prompt", |r| r.starts_with("/ "));
        s.wait_row(28, "the filter's keys in the footer", |r| {
            r.contains("Enter keep filter")
        });
        s.send(b"winrm");
        let count = format!("{}/{}", want.winrm, want.total);
        let screen = s.wait_row(0, "`winrm` and its count in the filter bar", |r| {
            r.starts_with("/ winrm") && r.trim_end().ends_with(&count)
        });
        assert!(
            !screen.contains(&format!("{0}/{0}", want.total)),
            "{screen}"
        );
        let first = format!(" {} ", want.winrm_ids[0]);
        s.wait_row(1, "the best winrm match in the detail title", |r| {
            r.contains(&first)
        });

        // Enter keeps the filter and leaves the bar.
        s.send(b"\r");
        s.wait_row(0, "the filter kept, without the prompt", |r| {
            r.starts_with("  winrm") && r.contains(&count)
        });
        s.wait_row(28, "the list's keys in the footer", |r| {
            r.contains("/ filter")
        });

        // `j` selects the second row: the detail title follows, the ▶ moves.
        let before = s.screen(cursor_row).expect("a ▶ on the selected row");
        s.send(b"j");
        let second = format!(" {} ", want.winrm_ids[1]);
        s.wait_row(1, "the second row's id in the detail title", |r| {
            r.contains(&second)
        });
        s.wait_until("the ▶ one row down", |seen| {
            cursor_row(seen.parser.screen()) == Some(before + 1)
        });

        // `]`: the next dialect, netsh, in the rule pane and the status line.
        s.send(b"]");
        s.wait_for("netsh advfirewall firewall add rule");
        let screen = s.wait_bottom("netsh");
        assert!(!row_text_of(&screen, 29).contains("powershell"), "{screen}");

        // `?` opens the help, which says how to close it; any key but its
        // scrolling keys closes it.
        s.send(b"?");
        s.wait_for("Keys · Esc/? close");
        s.wait_for("previous / next dialect");
        s.send(b"G");
        s.wait_for("q, Ctrl-C");
        s.send(b"x");
        s.wait_until("the help closed", |seen| {
            !seen.parser.screen().contents().contains("Esc/? close")
        });
        s.wait_for("netsh advfirewall");
        s.wait_row(1, "the selection kept", |r| r.contains(&second));

        // Too small, then back, with the state kept.
        s.resize(40, 10);
        let screen = s.wait_for("terminal too small (need 50×12)");
        assert!(!screen.contains("Connections"), "{screen}");
        s.resize(100, 30);
        let screen = s.wait_bottom("netsh");
        assert!(screen.contains(&count), "{screen}");
        assert!(screen.contains("netsh advfirewall"), "{screen}");
        assert!(screen.contains(&second), "{screen}");
        assert!(!screen.contains("terminal too small"), "{screen}");

        // Mouse capture is on while running (the default).
        s.screen(|scr| assert_ne!(scr.mouse_protocol_mode(), vt100::MouseProtocolMode::None));

        s.send(b"q");
        let status = s.wait_exit();
        assert!(status.success(), "exit status after q: {status}");
        s.assert_restored("after q");
    });
}

/// The id of the row selected after `actions` in a 100×30 explorer, from
/// the library.
fn selected_after(actions: &[Action]) -> String {
    let mut app = App::new(
        catalog::embedded().unwrap(),
        "test".into(),
        Settings::default(),
    );
    let area = Rect::new(0, 0, 100, 30);
    for action in actions {
        ui::fit(&mut app, area);
        app.update(*action);
    }
    app.selected_connection().expect("a selection").id.clone()
}

/// The foreground colour of the cell at `row`, `col`.
fn fg(s: &Session, row: u16, col: u16) -> vt100::Color {
    s.screen(|scr| scr.cell(row, col).expect("a cell").fgcolor())
}

#[test]
fn navigation_keys_marks_panes_and_views() {
    within_timeout(|| {
        let area = Rect::new(0, 0, 100, 30);
        let app = App::new(
            catalog::embedded().unwrap(),
            "test".into(),
            Settings::default(),
        );
        let detail_x = layout::areas(area, &app).detail.expect("a detail pane").x;
        let title = |id: String| move |r: &str| r.contains(&format!(" {id} "));
        let mut s = Session::start(100, 30, &[]);
        s.wait_first_frame();

        // G, g, PgDn (CSI 6 ~), PgUp, Down arrow: the detail title follows.
        for (keys, actions) in [
            (&b"G"[..], &[Action::Bottom][..]),
            (b"g", &[Action::Top]),
            (b"\x1b[6~", &[Action::PageDown]),
            (b"\x1b[6~", &[Action::PageDown, Action::PageDown]),
            (
                b"\x1b[5~",
                &[Action::PageDown, Action::PageDown, Action::PageUp],
            ),
            (
                b"\x1b[B",
                &[
                    Action::PageDown,
                    Action::PageDown,
                    Action::PageUp,
                    Action::Down,
                ],
            ),
            (b"k", &[Action::PageDown, Action::PageDown, Action::PageUp]),
            (b"g", &[Action::Top]),
        ] {
            let id = selected_after(actions);
            s.send(keys);
            s.wait_row(1, &format!("{id} after {keys:?}"), title(id.clone()));
        }

        // Space marks the row and moves on.
        s.send(b" ");
        s.wait_row(1, "one row marked", |r| {
            r.contains("Connections · 1 marked")
        });
        s.wait_for("●");

        // Tab focuses the detail pane (its border turns cyan), Shift-Tab
        // (CSI Z) the list again.
        let (cyan, gray) = (vt100::Color::Idx(6), vt100::Color::Idx(8));
        assert_eq!((fg(&s, 1, 0), fg(&s, 1, detail_x)), (cyan, gray));
        s.send(b"\t");
        s.wait_until("the detail pane focused", |seen| {
            let cell = |col| seen.parser.screen().cell(1, col).unwrap().fgcolor();
            (cell(0), cell(detail_x)) == (gray, cyan)
        });
        s.send(b"\x1b[Z");
        s.wait_until("the list focused again", |seen| {
            let cell = |col| seen.parser.screen().cell(1, col).unwrap().fgcolor();
            (cell(0), cell(detail_x)) == (cyan, gray)
        });

        // n, m and o open their views; Esc goes back to the list.
        for (key, shows) in [
            (b"n", " Notes "),
            (b"m", "Matrix: source"),
            (b"o", "What do I open on"),
        ] {
            s.send(key);
            s.wait_row(1, shows, |r| r.contains(shows));
            s.send(b"\x1b");
            s.wait_row(1, "the list again", |r| {
                r.contains("Connections · 1 marked")
            });
        }

        s.send(b"q");
        assert!(s.wait_exit().success());
        s.assert_restored("after q");
    });
}

fn row_text_of(screen: &str, row: usize) -> &str {
    screen.lines().nth(row).unwrap_or_default()
}

#[test]
fn ctrl_c_quits_and_restores() {
    within_timeout(|| {
        let mut s = Session::start(100, 30, &[]);
        s.wait_first_frame();
        s.send(&[0x03]);
        let status = s.wait_exit();
        // In raw mode Ctrl-C is a key, not SIGINT: a normal quit.
        assert!(status.success(), "exit status after Ctrl-C: {status}");
        s.assert_restored("after Ctrl-C");
    });
}

#[test]
fn ctrl_c_quits_while_typing_a_filter_or_reading_help() {
    within_timeout(|| {
        let mut s = Session::start(100, 30, &[]);
        s.wait_first_frame();
        s.send(b"/win");
        s.wait_row(0, "the filter typed", |r| r.starts_with("/ win"));
        s.send(&[0x03]);
        let status = s.wait_exit();
        assert!(status.success(), "exit status after Ctrl-C: {status}");
        s.assert_restored("after Ctrl-C in the filter");
    });
    within_timeout(|| {
        let mut s = Session::start(100, 30, &[]);
        s.wait_first_frame();
        s.send(b"?");
        s.wait_for("Keys · Esc/? close");
        s.send(&[0x03]);
        let status = s.wait_exit();
        assert!(status.success(), "exit status after Ctrl-C: {status}");
        s.assert_restored("after Ctrl-C in the help");
    });
}

/// The explorer turns SIGTERM and SIGHUP into a clean exit with status 130
/// (`Outcome::Interrupted`), not a death by the signal.
fn signal_restores(signal: &'static str, keys: &'static [u8], shows: &'static str) {
    within_timeout(move || {
        let mut s = Session::start(100, 30, &[]);
        s.wait_first_frame();
        s.send(keys);
        s.wait_for(shows);
        s.signal(signal);
        let status = s.wait_exit();
        assert_eq!(status.signal(), None, "killed by SIG{signal}: {status}");
        assert_eq!(status.exit_code(), 130, "exit status after SIG{signal}");
        s.assert_restored(&format!("after SIG{signal}"));
    });
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores("TERM", b"", "Connections");
}

#[test]
fn sighup_restores_the_terminal() {
    signal_restores("HUP", b"", "Connections");
}

#[test]
fn sigterm_with_the_help_open_restores_the_terminal() {
    signal_restores("TERM", b"?", "Keys · Esc/? close");
}

#[test]
fn sighup_while_filtering_restores_the_terminal() {
    signal_restores("HUP", b"/hyper", "/ hyper");
}

/// Standard base64 (RFC 4648, padded), as OSC 52 carries it.
fn base64_decode(text: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut count) = (0u32, 0);
    for &c in text.iter().filter(|&&c| c != b'=') {
        let value = ALPHABET.iter().position(|&a| a == c).expect("base64");
        bits = bits << 6 | value as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

#[test]
fn y_copies_the_selected_rule_through_osc52() {
    within_timeout(|| {
        // What the explorer copies for the first row, from the library.
        let mut app = App::new(
            catalog::embedded().unwrap(),
            "test".into(),
            Settings::default(),
        );
        app.update(Action::CopyRule);
        let want = app.last_copy.expect("a copy");

        let mut s = Session::start(100, 30, &["--clipboard", "osc52"]);
        s.wait_first_frame();
        s.send(b"y");
        s.wait_until("an OSC 52 copy", |seen| {
            !seen.parser.callbacks().copies.is_empty()
        });
        s.wait_bottom("Sent via OSC 52");
        let copies = s.copies();
        assert_eq!(copies.len(), 1, "one copy for one y");
        let (target, data) = (&copies[0].target, &copies[0].data);
        assert_eq!(target, b"c", "OSC 52 names the clipboard");
        assert_eq!(String::from_utf8_lossy(&base64_decode(data)), want);
        // Still the list, and still usable.
        s.send(b"j");
        s.wait_bottom("powershell");
        s.send(b"q");
        assert!(s.wait_exit().success());
        s.assert_restored("after a copy");
    });
}

/// A left click at `col`, `row` (0-based) in SGR mouse encoding.
fn click(col: u16, row: u16) -> Vec<u8> {
    let (x, y) = (col + 1, row + 1);
    format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m").into_bytes()
}

#[test]
fn clicks_select_a_row_and_a_dialect_tab() {
    within_timeout(|| {
        let app = App::new(
            catalog::embedded().unwrap(),
            "test".into(),
            Settings::default(),
        );
        let areas = layout::areas(Rect::new(0, 0, 100, 30), &app);
        let rows = areas.list_rows.expect("list rows");
        let (_, nft) = *areas
            .tabs
            .iter()
            .find(|(d, _)| *d == Dialect::Nft)
            .expect("an nft tab");
        let mut s = Session::start(100, 30, &[]);
        s.wait_first_frame();

        s.send(&click(rows.x + 5, rows.y + 2));
        let id = selected_after(&[Action::ClickRow(2)]);
        s.wait_row(1, "the clicked row's id", |r| {
            r.contains(&format!(" {id} "))
        });
        s.send(&click(nft.x + 1, nft.y));
        s.wait_bottom("nft");
        s.wait_until("the nft tab shown active", |seen| {
            let screen = seen.parser.screen();
            (nft.x..nft.right()).all(|x| screen.cell(nft.y, x).is_some_and(|c| c.inverse()))
        });
        // The wheel scrolls the selection by three.
        s.send(format!("\x1b[<65;{};{}M", rows.x + 5, rows.y + 1).as_bytes());
        let id = selected_after(&[Action::ClickRow(2), Action::Scroll(3)]);
        s.wait_row(1, "three rows further", |r| r.contains(&format!(" {id} ")));

        s.send(b"q");
        assert!(s.wait_exit().success());
        s.assert_restored("after clicks");
    });
}

/// Mouse reporting modes a program switches on with `CSI ? n h`.
const MOUSE_ON: &[&[u8]] = &[
    b"\x1b[?9h",
    b"\x1b[?1000h",
    b"\x1b[?1002h",
    b"\x1b[?1003h",
    b"\x1b[?1005h",
    b"\x1b[?1006h",
    b"\x1b[?1015h",
];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_mouse_never_enables_mouse_reporting() {
    within_timeout(|| {
        let mut s = Session::start(100, 30, &["--no-mouse"]);
        s.wait_first_frame();
        // Visit a few screens and sizes; none may switch the mouse on.
        for (key, shows) in [
            (&b"m"[..], "Matrix: source"),
            (b"m", "Connections"),
            (b"o", "What do I open on"),
            (b"o", "Connections"),
            (b"?", "Keys · Esc/? close"),
            (b"x", "Connections"),
        ] {
            s.send(key);
            s.wait_for(shows);
        }
        s.resize(40, 10);
        s.wait_for("terminal too small");
        s.resize(100, 30);
        s.wait_bottom("powershell");
        s.send(b"q");
        assert!(s.wait_exit().success());
        s.assert_restored("after q with --no-mouse");
        let raw = s.raw();
        for seq in MOUSE_ON {
            assert!(
                !contains(&raw, seq),
                "--no-mouse wrote {:?}",
                String::from_utf8_lossy(seq)
            );
        }
    });
}

#[test]
fn mouse_reporting_is_on_by_default_and_off_after_exit() {
    within_timeout(|| {
        let mut s = Session::start(100, 30, &[]);
        s.wait_first_frame();
        s.screen(|scr| assert_ne!(scr.mouse_protocol_mode(), vt100::MouseProtocolMode::None));
        s.send(b"q");
        assert!(s.wait_exit().success());
        s.assert_restored("after q");
        assert!(MOUSE_ON.iter().any(|seq| contains(&s.raw(), seq)));
    });
}

/// Starting below the minimum size shows as much of the message as fits,
/// and growing the terminal brings the explorer back; so does shrinking and
/// growing again.
fn tiny_start_recovers(cols: u16, rows: u16) {
    within_timeout(move || {
        // The message's first line as wrapped at this width.
        let first_line: String = "terminal too small".chars().take(cols as usize).collect();
        let mut s = Session::start(cols, rows, &[]);
        s.wait_row(0, "the start of the too-small message", |r| {
            r.trim_end() == first_line
        });
        assert!(s.running(), "vmmports exited at {cols}×{rows}");
        s.resize(100, 30);
        let screen = s.wait_first_frame();
        assert!(!screen.contains("too small"), "{screen}");
        // Shrink (wait for the app's own frame, not the emulator's cut), grow.
        s.resize(cols, rows);
        s.wait_row(0, "the too-small message again", |r| {
            r.trim_end() == first_line
        });
        s.resize(100, 30);
        s.wait_first_frame();
        s.send(b"q");
        let status = s.wait_exit();
        assert!(status.success(), "exit status at {cols}×{rows}: {status}");
        s.assert_restored(&format!("after starting at {cols}×{rows}"));
    });
}

#[test]
fn a_1x1_start_does_not_crash_and_recovers() {
    tiny_start_recovers(1, 1);
}

#[test]
fn a_20x5_start_does_not_crash_and_recovers() {
    tiny_start_recovers(20, 5);
}

/// The first frame at the minimum size and one column and row below it.
#[test]
fn the_minimum_size_is_usable_and_one_less_is_not() {
    within_timeout(|| {
        let mut s = Session::start(50, 12, &[]);
        s.wait_first_frame();
        s.resize(49, 12);
        s.wait_for("terminal too small");
        s.resize(50, 12);
        s.wait_first_frame();
        s.resize(50, 11);
        s.wait_for("terminal too small");
        s.send(b"q");
        assert!(s.wait_exit().success());
        s.assert_restored("after quitting while too small");
    });
}

/// A terminal that never answers queries: the explorer must not ask it
/// where the cursor is (that would stall the start), and must draw at once.
#[test]
fn a_terminal_that_never_answers_is_never_asked() {
    within_timeout(|| {
        let mut s = Session::start_with(100, 30, &[], false);
        s.wait_until("the first frame", |seen| {
            seen.parser.screen().contents().contains("Connections")
        });
        s.send(b"q");
        let status = s.wait_exit();
        assert!(status.success());
        let queries = s.seen().parser.callbacks().cursor_queries;
        assert_eq!(queries, 0, "no cursor position query");
        s.assert_restored("after a start without queries");
    });
}

/// The filter bar's count ("32/32") must show at every usable width. With
/// an empty filter the prompt and placeholder hint take 71 columns and push
/// the count (7 with its spaces) off the edge below 78 columns.
#[test]
fn the_count_shows_at_the_minimum_width() {
    within_timeout(|| {
        let total = expected().total;
        let s = Session::start(50, 12, &[]);
        s.wait_first_frame();
        s.wait_row(0, "the count", |r| r.contains(&format!("{total}/{total}")));
    });
}

/// The help's line about filter terms is longer than an 80-column popup
/// leaves it: it wraps, whole, with negation written `not:term`, at every
/// terminal size.
#[test]
fn the_help_shows_every_filter_term() {
    within_timeout(|| {
        for (width, height) in [(160, 48), (80, 24)] {
            let s = Session::start(width, height, &[]);
            s.wait_first_frame();
            s.send(b"?");
            s.wait_for("dir:in");
            s.wait_for("not:term");
        }
    });
}

/// Shrinking and growing back before the explorer redraws leaves the frame
/// broken: both SIGWINCHes report the size it last drew at, ratatui sees no
/// change and repaints nothing, while the terminal has lost the content it
/// cut. Ignored until the explorer repaints in full on every resize event.
#[test]
fn a_quick_shrink_and_grow_is_repainted() {
    within_timeout(|| {
        let s = Session::start(100, 30, &[]);
        s.wait_first_frame();
        for _ in 0..10 {
            s.resize(1, 1);
            s.resize(100, 30);
            s.wait_for("Rule  [ ] dialect");
            s.wait_row(0, "the filter bar", |r| r.contains("press / to filter"));
            s.wait_bottom("powershell");
        }
    });
}

/// `v` shows the selected rule alone on the terminal's own screen: no
/// borders, no mouse capture, long lines left for the terminal to wrap, so
/// a mouse selection gives exactly the command. Any key brings the
/// explorer back.
#[test]
fn v_shows_the_rule_plain_and_any_key_returns() {
    within_timeout(|| {
        let mut s = Session::start(60, 24, &[]);
        s.wait_first_frame();
        s.send(b"v");
        let screen = s.wait_for("any key returns to vmmports");
        assert!(screen.contains("New-NetFirewallRule"), "{screen}");
        assert!(
            !screen.contains('│') && !screen.contains('┌'),
            "no borders in the plain view:\n{screen}"
        );
        s.screen(|screen| {
            assert!(!screen.alternate_screen(), "the terminal's own screen");
            assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
        });
        // The terminal wraps the long line itself: the first row of the
        // rule is as wide as the terminal, with no line break inserted.
        s.screen(|screen| {
            let rows: Vec<String> = screen.rows(0, 60).collect();
            let at = rows
                .iter()
                .position(|r| r.starts_with("New-NetFirewallRule"))
                .expect("the rule's first row");
            assert_eq!(rows[at].chars().count(), 60, "`{}`", rows[at]);
            assert!(
                screen.row_wrapped(at as u16),
                "it soft-wraps into the next row"
            );
        });
        s.send(b"x");
        s.wait_for("Connections");
        s.screen(|screen| assert!(screen.alternate_screen()));
        s.send(b"q");
        assert!(s.wait_exit().success());
        s.assert_restored("after the plain view");
    });
}

/// The plain view as a terminal shows it at the sizes admins use: the
/// selected rule and one dim line, nothing else.
#[test]
fn plain_view_at_80x24_120x40_and_200x50() {
    within_timeout(|| {
        for (cols, rows) in [(80, 24), (120, 40), (200, 50)] {
            let mut s = Session::start(cols, rows, &[]);
            s.wait_first_frame();
            s.send(b"v");
            let screen = s.wait_for("any key returns to vmmports");
            insta::assert_snapshot!(format!("plain_view_{cols}x{rows}"), screen);
            s.send(b"x");
            s.wait_for("Connections");
            s.send(b"q");
            assert!(s.wait_exit().success());
        }
    });
}

/// A catalog of 100,000 connections opens at once: the first frame says it
/// is loading and shows the rows read so far, the keys work meanwhile, and a
/// filter typed during the load searches the rows as they come, ending with
/// every match of the whole catalog.
#[test]
fn a_big_catalog_opens_at_once_and_a_filter_typed_while_loading_applies_at_the_end() {
    const ROWS: usize = 100_000;
    let big = common::big_catalog::repeated(ROWS);
    let query = vmmports::query::parse("winrm").expect("a query");
    let expected = vmmports::query::SearchIndex::new(&big).search(&query).len();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.json");
    std::fs::write(&path, catalog::to_json(&big)).expect("write the catalog");
    within_timeout(move || {
        let path = path.to_str().expect("a UTF-8 path");
        let s = Session::start(120, 40, &["--data", path]);
        // The first frame comes before the rows are all read, and says so.
        s.wait_row(0, "the loading indicator", |bar| bar.contains("loading"));
        s.wait_row(39, "the status line", |line| !line.trim().is_empty());
        // Typed while loading: the filter finds matches among the rows read
        // so far, and says the load goes on.
        s.send(b"/winrm");
        let screen = s.wait_row(0, "the filter typed during the load", |bar| {
            bar.starts_with("/ winrm")
                && bar.contains(" · loading… ")
                && !bar.contains(" 0/")
                && !bar.contains("searching")
        });
        assert!(
            screen.contains("WinRM"),
            "matches show while loading:\n{screen}"
        );
        // Once every row is in, the filter has run over all of them.
        let all = format!(" {expected}/{ROWS} ");
        s.pty.wait_until_within(
            std::time::Duration::from_secs(50),
            "the filter applied to every row",
            |seen| {
                let bar = row_text(seen.parser.screen(), 0);
                bar.contains(&all) && !bar.contains("loading")
            },
        );
        let screen = s.screen(|screen| screen.contents());
        assert!(screen.contains("WinRM"), "{screen}");
    });
    drop(dir);
}

/// With `deployment.ron` beside the config, the explorer starts on its
/// settings and says so; the settings form says its changes last for the
/// session only, and applying one leaves the config file's settings alone.
#[test]
fn the_explorer_starts_on_the_deployment_file_and_keeps_edits_to_the_session() {
    within_timeout(|| {
        let config = tempfile::tempdir().expect("temp dir");
        let folder = config.path().join("vmmports");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("deployment.ron"),
            "(machines: {\"vmm-server\": [(address: \"10.0.0.5\")]}, rules: (group: \"FromFile\"))",
        )
        .unwrap();
        std::fs::write(
            folder.join("config.ron"),
            "(settings: (group: \"FromConfig\"))",
        )
        .unwrap();
        let cmd = pty::command(pty::vmmports(), &[], config.path());
        let mut s = Session {
            pty: Pty::start(cmd, 140, 30, true),
            _config: config,
        };
        s.wait_bottom("deployment.ron (session only: edit the file to keep changes)");
        s.send(b"s");
        let form = s.wait_for("session only: settings from deployment.ron");
        assert!(form.contains("FromFile"), "the file's group:\n{form}");
        // Toggle "include dynamic RPC range" (the third row) and apply it.
        s.send(b"jj\r");
        s.wait_bottom("settings apply to this session only (from deployment.ron");
        s.send(b"\x1b");
        s.wait_until("the form closed", |seen| {
            !seen.parser.screen().contents().contains("Settings —")
        });
        s.send(b"q");
        assert!(s.wait_exit().success());
        let saved = std::fs::read_to_string(folder.join("config.ron")).unwrap();
        assert!(
            saved.contains("FromConfig") && !saved.contains("FromFile"),
            "{saved}"
        );
        assert!(!saved.contains("include_dynamic: true"), "{saved}");
    });
}

/// `S` in the real binary: a real sweep of the deployment's one host
/// (127.0.0.1, WinRM moved to a port the test listens on with a plain TCP
/// listener), drawn while it runs and once it is done; Enter shows the
/// machine's ports as `check` shows them.
#[test]
fn s_sweeps_the_deployment_and_enter_shows_a_machines_ports() {
    within_timeout(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = tempfile::tempdir().expect("temp dir");
        let folder = config.path().join("vmmports");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("deployment.ron"),
            format!(
                "(machines: {{\"hyperv-host\": [(name: \"hv-local\", address: \"127.0.0.1\")]}}, ports: {{\"WSManTcpPort\": {port}}})"
            ),
        )
        .unwrap();
        // Narrow to WinRM: the one port answers (a bare listener, so not as
        // WinRM), 5986 is refused.
        let cmd = pty::command(pty::vmmports(), &[], config.path());
        let mut s = Session {
            pty: Pty::start(cmd, 120, 40, true),
            _config: config,
        };
        s.wait_bottom("deployment.ron (session only");
        s.send(b"/winrm\r");
        s.send(b"S");
        s.wait_for("acting as which role?");
        s.send(b"\r");
        let done = s.wait_for("not as expected · done in");
        assert!(done.contains("Sweep as vmm-server"), "{done}");
        assert!(done.contains("hv-local"), "{done}");
        assert!(done.contains(&port.to_string()), "{done}");
        // The bare listener is open but no WinRM: `!`; 5986 nothing: `R`.
        let row = done
            .lines()
            .find(|l| l.contains("hv-local") && l.contains("127.0.0.1"))
            .unwrap_or_else(|| panic!("no row:\n{done}"));
        assert!(row.contains('!'), "{row}");
        assert!(row.contains('R'), "{row}");
        s.send(b"\r");
        // The popup's last port line, so the whole frame is in.
        let popup = s.wait_for("5986/tcp  refused");
        assert!(
            popup.contains(&format!("{port}/tcp  open")),
            "the moved WinRM port, open:\n{popup}"
        );
        assert!(popup.contains("5986/tcp  refused"), "{popup}");
        // Esc and q apart: together they would read as Alt-q.
        s.send(b"\x1b");
        s.wait_until("the popup closed", |seen| {
            !seen.parser.screen().contents().contains("Swept machine")
        });
        s.send(b"q");
        assert!(s.wait_exit().success());
        drop(listener);
    });
}
