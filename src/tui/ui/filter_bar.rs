//! The filter bar: the query as typed, a cursor while typing, and the count.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::shown;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let searching = if app.filter.searching {
        "searching… "
    } else {
        ""
    };
    let count = match app.loading_rows() {
        // A query typed meanwhile searches the rows read so far; counted as
        // once they are all in.
        Some(read) if !app.filter.text().trim().is_empty() => {
            format!(" {searching}{}/{read} · loading… ", app.filter.hits.len())
        }
        Some(read) => format!(" loading {}… ", crate::text::thousands(read)),
        None => format!(
            " {searching}{}/{} ",
            app.filter.hits.len(),
            app.catalog.connections.len()
        ),
    };
    let prompt = if app.filter.filtering { "/ " } else { "  " };
    let mut spans = vec![Span::styled(prompt, theme.title)];
    if app.filter.text().is_empty() && !app.filter.filtering {
        // The hint gives way to the count on narrow terminals.
        let room = (area.width as usize).saturating_sub(prompt.len() + count.chars().count());
        let hint = [
            "press / to filter: winrm, to:hyper-v, port:443, proto:udp, mod:setup…",
            "press / to filter",
        ]
        .into_iter()
        .find(|h| h.chars().count() <= room)
        .unwrap_or("");
        spans.push(Span::styled(hint, theme.dim));
    } else {
        let style = if app.filter.error.is_some() {
            theme.error
        } else {
            ratatui::style::Style::new()
        };
        spans.push(Span::styled(shown(app.filter.text()), style));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let pad = (area.width as usize).saturating_sub(used + count.chars().count());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(count, theme.dim));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if app.filter.filtering {
        let before = app.filter.input.before_cursor();
        let x = area.x + 2 + unicode_width::UnicodeWidthStr::width(shown(&before).as_str()) as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    }
}
