//! The footer: the most useful keys for the current mode, and a status line
//! for errors and confirmations.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, View};
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let keys: &[(&str, &str)] = if app.overlay.is_some() {
        &[("j/k", "scroll"), ("any key", "close")]
    } else if app.filtering {
        &[
            ("Enter", "keep filter"),
            ("Esc", "clear"),
            ("↑/↓", "move"),
            ("Ctrl-W", "delete word"),
        ]
    } else {
        match app.view {
            View::List => &[
                ("/", "filter"),
                ("j/k", "move"),
                ("Tab", "pane"),
                ("[ ]", "dialect"),
                ("y", "copy"),
                ("Space", "mark"),
                ("Y", "copy all"),
                ("m", "matrix"),
                ("o", "machine"),
                ("n", "notes"),
                ("?", "help"),
                ("q", "quit"),
            ],
            View::Matrix => &[
                ("hjkl", "move"),
                ("Enter", "filter to cell"),
                ("Esc", "back"),
                ("?", "help"),
            ],
            View::Machine => &[
                ("j/k", "machine"),
                ("[ ]", "dialect"),
                ("y", "copy script"),
                ("Esc", "back"),
            ],
            View::Notes => &[("j/k", "scroll"), ("Esc", "back"), ("?", "help")],
        }
    };
    let mut spans = Vec::new();
    for (key, what) in keys {
        spans.push(Span::styled(*key, theme.title));
        spans.push(Span::styled(format!(" {what}  "), theme.dim));
    }
    let status = match &app.status {
        Some(s) => Line::styled(
            s.text.clone(),
            if s.is_error { theme.error } else { theme.ok },
        ),
        None => Line::styled(
            format!(
                "{} · {}",
                crate::text::printable(&app.catalog.title),
                app.dialect.name()
            ),
            theme.dim,
        ),
    };
    let [keys_row, status_row] =
        ratatui::layout::Layout::vertical([ratatui::layout::Constraint::Length(1); 2]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), keys_row);
    frame.render_widget(Paragraph::new(status), status_row);
}
