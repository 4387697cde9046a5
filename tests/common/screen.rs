//! The explorer as the event loop drives it, without a terminal: actions
//! applied with the sizes fitted after each, and a frame drawn as text.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vmmports::tui::action::Action;
use vmmports::tui::app::App;
use vmmports::tui::theme::Theme;
use vmmports::tui::ui;

/// `actions` applied to `app` as the event loop does on a `width`×`height`
/// terminal: after each, the app is told the sizes of what it scrolls.
pub fn settle(app: &mut App, actions: &[Action], width: u16, height: u16) {
    let screen = ratatui::layout::Rect::new(0, 0, width, height);
    ui::fit(app, screen);
    for action in actions {
        app.update(*action);
        ui::fit(app, screen);
    }
}

/// `app` drawn at `width`×`height` without colour, as text (each row
/// quoted, as the test backend writes it).
pub fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| ui::render(frame, app, &Theme::PLAIN))
        .unwrap();
    terminal.backend().to_string()
}
