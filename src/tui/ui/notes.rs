//! The catalog's notes: the dynamic port range, NTLM, and where this catalog
//! departs from the docs page.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pane_block, shown};
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut lines = Vec::new();
    for note in &app.catalog.notes {
        let mut title = vec![Span::styled(shown(&note.title), theme.title)];
        if !note.versions.is_empty() {
            title.push(Span::styled(
                format!("  (VMM {})", shown(&note.versions.join(", "))),
                theme.dim,
            ));
        }
        if !note.from_docs {
            title.push(Span::styled("  (ours, not on the docs page)", theme.dim));
        }
        lines.push(Line::from(title));
        lines.push(Line::raw(shown(&note.text)));
        for port in &note.ports {
            lines.push(Line::styled(
                format!(
                    "  {}/{}: {}",
                    port.number_text(),
                    port.transport.as_str(),
                    shown(&port.purpose)
                ),
                theme.dim,
            ));
        }
        lines.push(Line::raw(""));
    }
    let departures: Vec<_> = app
        .catalog
        .connections
        .iter()
        .filter(|c| !c.from_docs)
        .collect();
    if !departures.is_empty() {
        lines.push(Line::styled("Rows added by vmmports", theme.title));
        for conn in departures {
            lines.push(Line::raw(format!(
                "  {} ({})",
                shown(&conn.id),
                conn.ports_text()
            )));
        }
    }
    let paragraph = Paragraph::new(lines)
        .block(pane_block(" Notes ", true, theme))
        .wrap(Wrap { trim: false })
        .scroll((app.scroll, 0));
    frame.render_widget(paragraph, area);
}
