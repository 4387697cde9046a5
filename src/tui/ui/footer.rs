//! The footer: the most useful keys for the current mode, and a status line
//! for errors and confirmations.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Overlay, View};
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let keys: &[(&str, &str)] = if let Some(overlay) = &app.overlay {
        // The popup's own keys: the footer stays visible under every popup.
        match overlay {
            Overlay::Settings(form) if form.editing.is_some() => &[
                ("Enter", "apply"),
                ("Esc", "cancel"),
                ("Ctrl-U", "clear"),
                ("Ctrl-W", "delete word"),
            ],
            Overlay::Settings(_) => &[("j/k", "move"), ("Enter", "edit"), ("Esc", "close")],
            Overlay::Prompt { .. } => &[
                ("Enter", "go"),
                ("Esc", "cancel"),
                ("Ctrl-U", "clear"),
                ("Ctrl-W", "delete word"),
            ],
            Overlay::Help | Overlay::Check(_) => &[("j/k", "scroll"), ("any key", "close")],
        }
    } else if app.filter.filtering {
        &[
            ("Enter", "keep filter"),
            ("Esc", "clear"),
            ("↑/↓", "move"),
            ("Ctrl-W", "delete word"),
            ("Ctrl-U", "clear"),
        ]
    } else {
        match app.view {
            // Most useful first: what does not fit the width is left out.
            View::List => &[
                ("/", "filter"),
                ("?", "help"),
                ("y", "copy"),
                ("[ ]", "dialect"),
                ("Tab", "pane"),
                ("q", "quit"),
                ("Space", "mark"),
                ("Y", "copy all"),
                ("F", "flows"),
                ("v", "plain"),
                ("m", "matrix"),
                ("o", "machine"),
                ("n", "notes"),
                ("j/k", "move"),
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
    let mut used = 0;
    for (key, what) in keys {
        let hint = format!(" {what}  ");
        let width = key.chars().count() + hint.chars().count();
        if used + width > area.width as usize + 2 {
            break;
        }
        used += width;
        spans.push(Span::styled(*key, theme.title));
        spans.push(Span::styled(hint, theme.dim));
    }
    let status = match (&app.filter.error, &app.status) {
        (Some(e), _) => Line::styled(format!("filter: {e}"), theme.error),
        (None, Some(s)) => Line::styled(
            s.text.clone(),
            if s.is_error { theme.error } else { theme.ok },
        ),
        (None, None) => Line::styled(
            format!(
                "{} · {}",
                crate::text::printable(&app.catalog.title),
                app.dialect.name()
            ),
            theme.dim,
        ),
    };
    // A message too long for its row takes both rows: what happened (and
    // how to get around it) matters more than the key hints.
    let is_message = app.filter.error.is_some() || app.status.is_some();
    if is_message && status.width() > area.width as usize {
        frame.render_widget(
            Paragraph::new(status).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let [keys_row, status_row] =
        ratatui::layout::Layout::vertical([ratatui::layout::Constraint::Length(1); 2]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), keys_row);
    frame.render_widget(Paragraph::new(status), status_row);
}
