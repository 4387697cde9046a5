//! Owning the terminal: raw mode, the alternate screen, mouse capture and the
//! hidden cursor are switched on in one place and undone in one place, on
//! every way out: a normal quit, an error return (RAII `Drop`), a panic (the
//! hook), and the session being ended from outside (SIGTERM, SIGHUP and
//! SIGINT on Unix; Ctrl-C, Ctrl-Break and closing the window on Windows: a
//! flag the event loop checks, so it returns and `Drop` runs).

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Tui = Terminal<CrosstermBackend<Box<dyn Write>>>;

/// Where the explorer draws: stdout, or the controlling terminal itself when
/// stdout is kept for `--print`'s result (`$(vmmports --print)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Stdout,
    Tty,
}

impl Screen {
    pub fn open(self) -> io::Result<Box<dyn Write>> {
        Ok(match self {
            // Buffered so a frame leaves in one write (stdout's own buffer is
            // 1 KiB, which splits a frame into pieces a terminal may show
            // half-drawn); ratatui flushes after every frame.
            Screen::Stdout => Box::new(io::BufWriter::with_capacity(1 << 16, io::stdout())),
            Screen::Tty => Box::new(io::BufWriter::with_capacity(
                1 << 16,
                crate::platform::terminal_writer()?,
            )),
        })
    }
}

/// Restores the terminal when dropped.
pub struct TerminalGuard {
    mouse: bool,
    screen: Screen,
}

impl TerminalGuard {
    pub fn enter(mouse: bool, screen: Screen) -> io::Result<(TerminalGuard, Tui)> {
        crate::platform::prepare_console().map_err(io::Error::other)?;
        let mut out = screen.open()?;
        install_panic_hook(mouse, screen);
        enable_raw_mode()?;
        // From here on, Drop undoes whatever part succeeded.
        let guard = TerminalGuard { mouse, screen };
        execute!(out, EnterAlternateScreen)?;
        if mouse {
            execute!(out, EnableMouseCapture)?;
        }
        // Clear with a plain escape sequence: ratatui's `clear()` first asks
        // the terminal where its cursor is, and a terminal that never answers
        // would stall the start for seconds.
        execute!(
            out,
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
        )?;
        let mut terminal = Terminal::new(CrosstermBackend::new(out))?;
        terminal.hide_cursor()?;
        Ok((guard, terminal))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore(self.mouse, self.screen);
    }
}

/// Shows `text` on the terminal's own screen, outside the alternate one,
/// with nothing around it: the terminal wraps long lines itself, so a mouse
/// selection gives exactly the text, whatever the width. Mouse capture is
/// off meanwhile, so the terminal's selection works. Any key returns (true
/// if a signal came instead), and the caller redraws everything.
pub fn show_plain(tui: &mut Tui, text: &str, mouse: bool, stop: &AtomicBool) -> io::Result<bool> {
    use crossterm::cursor::{Hide, MoveTo, Show};
    use crossterm::event::{Event, KeyEventKind, poll, read};
    use crossterm::style::{Attribute, Print, SetAttribute};
    use crossterm::terminal::{Clear, ClearType};
    let out = tui.backend_mut();
    if mouse {
        execute!(out, DisableMouseCapture)?;
    }
    // Raw mode stays on (for the key), so lines end in CR LF by hand.
    let body = crate::text::printable_lines(text).replace('\n', "\r\n");
    execute!(
        out,
        LeaveAlternateScreen,
        Clear(ClearType::All),
        MoveTo(0, 0),
        Show,
        Print(body),
        Print("\r\n\r\n"),
        SetAttribute(Attribute::Dim),
        Print("any key returns to vmmports"),
        SetAttribute(Attribute::Reset),
    )?;
    out.flush()?;
    let signalled = loop {
        if signalled(stop) {
            break true;
        }
        if poll(std::time::Duration::from_millis(100))?
            && let Event::Key(key) = read()?
            && key.kind != KeyEventKind::Release
        {
            break false;
        }
    };
    execute!(out, EnterAlternateScreen, Clear(ClearType::All), Hide)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    out.flush()?;
    Ok(signalled)
}

/// Best effort: after SIGHUP the terminal may be gone, and nothing is left to
/// report an error to.
fn restore(mouse: bool, screen: Screen) {
    if let Ok(mut out) = screen.open() {
        if mouse {
            let _ = execute!(out, DisableMouseCapture);
        }
        let _ = execute!(out, LeaveAlternateScreen, crossterm::cursor::Show);
        let _ = out.flush();
    }
    let _ = disable_raw_mode();
}

/// Restores the terminal before the default hook prints the panic, so the
/// message is readable and the shell usable.
fn install_panic_hook(mouse: bool, screen: Screen) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore(mouse, screen);
        previous(info);
    }));
}

/// Set when the session is ended from outside (SIGTERM, SIGHUP or SIGINT;
/// Ctrl-C, Ctrl-Break or closing the console window); the event loop then
/// quits cleanly and `Drop` restores the terminal.
///
/// The hook doubles as a watchdog: after a hang-up the terminal's input can
/// read as endless end-of-file, and the event loop may never get back to
/// check the flag. If the process is still here shortly after, the hook
/// restores the terminal itself (best effort) and exits with 130. On Windows
/// the hook runs inside the console's control handler, which must not
/// return before the terminal is restored: Windows ends the process as soon
/// as it does, for a closed window.
pub fn termination_flag(mouse: bool, screen: Screen) -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let hook_flag = Arc::clone(&flag);
    crate::platform::on_termination(move || {
        hook_flag.store(true, Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(500));
        restore(mouse, screen);
        std::process::exit(130);
    });
    flag
}

pub fn signalled(flag: &AtomicBool) -> bool {
    flag.load(Ordering::Relaxed)
}
