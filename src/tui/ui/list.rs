//! The connection list: From, To, Service, Ports/proto and a modifiability
//! badge (and the id, where there is room), with the filter's matched
//! characters highlighted and marked rows flagged. Columns take the width
//! their content needs (`list_columns`); Service shows each service's short
//! label, and the detail pane has every name and port whole.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};

use unicode_width::UnicodeWidthStr;

use super::list_columns::{self, Cut, fit_columns, id_fits};
use super::{pane_block, shown};
use crate::query::{Field, Query, match_positions, parse};
use crate::tui::app::App;
use crate::tui::state::Pane;
use crate::tui::theme::Theme;

/// One row's texts, before they are cut to the columns.
struct Texts {
    id: String,
    from: Vec<String>,
    to: Vec<String>,
    services: String,
    ports: String,
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let title = format!(
        " Connections{} ",
        if app.list.marked.is_empty() {
            String::new()
        } else {
            format!(" · {} marked", app.list.marked.len())
        }
    );
    let block = pane_block(title, app.list.pane == Pane::List, theme);
    // Highlights follow the query as typed; a half-typed bad term highlights nothing.
    let query = parse(app.filter.text()).unwrap_or_default();
    let visible = app
        .filter
        .hits
        .iter()
        .enumerate()
        .skip(app.list.offset)
        .take(app.list.height);
    let visible: Vec<(usize, &crate::query::Hit)> = visible.collect();
    let names = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .map(|id| shown(&app.catalog.names(std::slice::from_ref(id))))
            .collect()
    };
    // Each row's texts, once: they size the columns and fill the cells.
    let texts: Vec<Texts> = visible
        .iter()
        .map(|(_, hit)| {
            let conn = &app.catalog.connections[hit.index];
            Texts {
                id: shown(&conn.id),
                from: names(&conn.from),
                to: names(&conn.to),
                services: shown(&conn.services_short()),
                ports: conn.ports_text(),
            }
        })
        .collect();
    let mut natural = HEADERS.map(|h| h.chars().count());
    let mut id_natural = ID.len();
    for row in &texts {
        let widths = [
            row.from.join(", ").width(),
            row.to.join(", ").width(),
            row.services.width(),
            row.ports.width(),
        ];
        for (width, text) in natural.iter_mut().zip(widths) {
            *width = (*width).max(text);
        }
        id_natural = id_natural.max(row.id.width());
    }
    // Borders, the cursor and mark column, the badge, and one space
    // between each of the six columns.
    let available = (area.width as usize).saturating_sub(2 + 2 + BADGE + 5);
    let id_width = id_fits(id_natural, natural, available).then_some(id_natural);
    let widths = fit_columns(
        natural,
        available.saturating_sub(id_width.map_or(0, |w| w + 1)),
    );
    let rows: Vec<Row> = visible
        .iter()
        .zip(&texts)
        .map(|((i, hit), texts)| {
            let conn = &app.catalog.connections[hit.index];
            // The cursor and the mark are characters, not only colours.
            let cursor = if *i == app.list.selected {
                Span::styled("▶", theme.title)
            } else {
                Span::raw(" ")
            };
            let mark = if app.list.marked.contains(&hit.index) {
                Span::styled("●", theme.mark)
            } else {
                Span::raw(" ")
            };
            let from = texts.from.join(", ");
            let to = texts.to.join(", ");
            let mut cells = vec![Cell::from(Line::from(vec![cursor, mark]))];
            if let Some(width) = id_width {
                let id = list_columns::cut(&texts.id, width);
                cells.push(Cell::from(highlighted(
                    &texts.id,
                    id,
                    Field::Id,
                    &query,
                    theme,
                )));
            }
            cells.extend([
                Cell::from(highlighted(
                    &from,
                    list_columns::names(&texts.from, widths[0]),
                    Field::From,
                    &query,
                    theme,
                )),
                Cell::from(highlighted(
                    &to,
                    list_columns::names(&texts.to, widths[1]),
                    Field::To,
                    &query,
                    theme,
                )),
                Cell::from(highlighted(
                    &texts.services,
                    list_columns::cut(&texts.services, widths[2]),
                    Field::Service,
                    &query,
                    theme,
                )),
                Cell::from(list_columns::ports(&texts.ports, widths[3])),
                Cell::from(Span::styled(
                    conn.modifiability.badge(),
                    theme.badge(&conn.modifiability),
                )),
            ]);
            let row = Row::new(cells);
            if *i == app.list.selected {
                row.style(theme.selected)
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(
        std::iter::once(String::new())
            .chain(id_width.map(|_| ID.to_string()))
            .chain(
                HEADERS
                    .iter()
                    .zip(widths)
                    .map(|(h, w)| list_columns::cut(h, w).text),
            )
            .chain(std::iter::once("Mod".to_string())),
    )
    .style(theme.title);
    let constraints = std::iter::once(Constraint::Length(2))
        .chain(id_width.map(|w| Constraint::Length(w as u16)))
        .chain(widths.iter().map(|&w| Constraint::Length(w as u16)))
        .chain(std::iter::once(Constraint::Length(BADGE as u16)));
    let table = Table::new(rows, constraints)
        .header(header)
        .block(block)
        .column_spacing(1);
    // Scrolling is done in `App`; the table only draws the visible slice.
    frame.render_stateful_widget(table, area, &mut TableState::default());
}

const ID: &str = "Id";
const HEADERS: [&str; 4] = ["From", "To", "Service", "Ports"];
/// The badge column: `DEVICE` is the widest.
const BADGE: usize = 6;

/// A cell cut from `text`, with the characters the query's free words
/// match in bold colour (only among those the cut kept: never the `…` or
/// the count it added).
fn highlighted<'a>(text: &str, cut: Cut, field: Field, query: &Query, theme: &Theme) -> Line<'a> {
    let positions = match_positions(field, text, query);
    if positions.is_empty() {
        return Line::from(cut.text);
    }
    let spans: Vec<Span> = cut
        .text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < cut.kept && positions.binary_search(&i).is_ok() {
                Span::styled(c.to_string(), theme.matched)
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect();
    Line::from(spans)
}
