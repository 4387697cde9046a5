//! The interactive explorer (ratatui + crossterm).
//!
//! ```text
//! key/mouse event ──► keymap ──► Action ──► App::update ──► state ──► ui::render
//! ```
//! The loop redraws only after something changed, so an idle explorer writes
//! nothing to the terminal.

pub mod action;
pub mod app;
pub mod keymap;
pub mod layout;
mod terminal;
pub mod theme;
pub mod ui;

use std::io;
use std::time::Duration;

use crossterm::event::{self, Event};

use crate::catalog::Catalog;
use crate::rules::settings::Settings;
use app::App;
use theme::Theme;

pub struct Options {
    pub mouse: bool,
}

/// Runs the explorer until the user quits or a signal arrives. Returns true
/// when it ended because of a signal.
pub fn run(
    catalog: Catalog,
    origin: String,
    settings: Settings,
    options: Options,
) -> io::Result<bool> {
    let stop = terminal::termination_flag();
    let (_guard, mut tui) = terminal::TerminalGuard::enter(options.mouse)?;
    let theme = Theme::from_env();
    let mut app = App::new(catalog, origin, settings);
    let mut dirty = true;
    while !app.quit {
        if terminal::signalled(&stop) {
            return Ok(true);
        }
        let size = tui.size()?;
        let areas = layout::areas(size.into(), &app);
        app.set_list_height(areas.list_rows.map_or(1, |r| r.height as usize));
        if dirty {
            tui.draw(|frame| ui::render(frame, &app, &theme))?;
            dirty = false;
        }
        // A short timeout keeps signals noticed promptly while idle.
        if !event::poll(Duration::from_millis(100))? {
            continue;
        }
        let action = match event::read()? {
            Event::Key(key) => keymap::key(&app, key),
            Event::Mouse(mouse) => keymap::mouse(&app, mouse, &areas),
            Event::Resize(..) => {
                dirty = true;
                None
            }
            _ => None,
        };
        if let Some(action) = action {
            app.update(action);
            dirty = true;
        }
    }
    Ok(false)
}
