//! The connection list: From, To, Ports/proto and a modifiability badge, with
//! the filter's matched characters highlighted and marked rows flagged.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};

use super::{pane_block, shown};
use crate::query::{Field, Query, match_positions, parse};
use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let title = format!(
        " Connections{} ",
        if app.marked.is_empty() {
            String::new()
        } else {
            format!(" · {} marked", app.marked.len())
        }
    );
    let block = pane_block(title, app.pane == Pane::List, theme);
    // Highlights follow the query as typed; a half-typed bad term highlights nothing.
    let query = parse(app.filter.text()).unwrap_or_default();
    let visible = app
        .hits
        .iter()
        .enumerate()
        .skip(app.offset)
        .take(app.list_height);
    let rows: Vec<Row> = visible
        .map(|(i, hit)| {
            let conn = &app.catalog.connections[hit.index];
            // The cursor and the mark are characters, not only colours.
            let cursor = if i == app.selected {
                Span::styled("▶", theme.title)
            } else {
                Span::raw(" ")
            };
            let mark = if app.marked.contains(&hit.index) {
                Span::styled("●", theme.mark)
            } else {
                Span::raw(" ")
            };
            let row = Row::new(vec![
                Cell::from(Line::from(vec![cursor, mark])),
                Cell::from(highlighted(
                    &app.catalog.names(&conn.from),
                    Field::From,
                    &query,
                    theme,
                )),
                Cell::from(highlighted(
                    &app.catalog.names(&conn.to),
                    Field::To,
                    &query,
                    theme,
                )),
                Cell::from(conn.ports_text()),
                Cell::from(Span::styled(
                    conn.modifiability.badge(),
                    theme.badge(&conn.modifiability),
                )),
            ]);
            if i == app.selected {
                row.style(theme.selected)
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(vec!["", "From", "To", "Ports", "Mod"]).style(theme.title);
    let widths = [
        Constraint::Length(2),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(6),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1);
    // Scrolling is done in `App`; the table only draws the visible slice.
    frame.render_stateful_widget(table, area, &mut TableState::default());
}

/// `text` with the characters the query's free words match in bold colour.
fn highlighted<'a>(text: &str, field: Field, query: &Query, theme: &Theme) -> Line<'a> {
    let text = shown(text);
    let positions = match_positions(field, &text, query);
    if positions.is_empty() {
        return Line::from(text);
    }
    let spans: Vec<Span> = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if positions.binary_search(&i).is_ok() {
                Span::styled(c.to_string(), theme.matched)
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect();
    Line::from(spans)
}
