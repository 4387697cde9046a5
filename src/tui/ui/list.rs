//! The connection list: From, To, Service, Ports/proto and a modifiability
//! badge, with the filter's matched characters highlighted and marked rows
//! flagged. Columns take the width their content needs; the ports come
//! first, whole with their transport, and every cell cut ends in `…`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};

use unicode_width::UnicodeWidthStr;

use super::{pane_block, shown};
use crate::query::{Field, Query, match_positions, parse};
use crate::tui::app::App;
use crate::tui::state::Pane;
use crate::tui::theme::Theme;

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
    // Each row's texts, once: they size the columns and fill the cells.
    let texts: Vec<[String; 4]> = visible
        .iter()
        .map(|(_, hit)| {
            let conn = &app.catalog.connections[hit.index];
            [
                shown(&app.catalog.names(&conn.from)),
                shown(&app.catalog.names(&conn.to)),
                shown(&conn.services_text()),
                conn.ports_text(),
            ]
        })
        .collect();
    let mut natural = HEADERS.map(|h| h.chars().count());
    for row in &texts {
        for (width, text) in natural.iter_mut().zip(row) {
            *width = (*width).max(text.width());
        }
    }
    // Borders, the cursor and mark column, the badge, and one space
    // between each of the six columns.
    let available = (area.width as usize).saturating_sub(2 + 2 + BADGE + 5);
    let widths = fit_columns(natural, available);
    let rows: Vec<Row> = visible
        .iter()
        .zip(&texts)
        .map(|((i, hit), [from, to, services, ports])| {
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
            let row = Row::new(vec![
                Cell::from(Line::from(vec![cursor, mark])),
                Cell::from(highlighted(from, widths[0], Field::From, &query, theme)),
                Cell::from(highlighted(to, widths[1], Field::To, &query, theme)),
                Cell::from(highlighted(
                    services,
                    widths[2],
                    Field::Service,
                    &query,
                    theme,
                )),
                Cell::from(truncate(ports, widths[3])),
                Cell::from(Span::styled(
                    conn.modifiability.badge(),
                    theme.badge(&conn.modifiability),
                )),
            ]);
            if *i == app.list.selected {
                row.style(theme.selected)
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(
        std::iter::once(String::new())
            .chain(HEADERS.iter().zip(widths).map(|(h, w)| truncate(h, w)))
            .chain(std::iter::once("Mod".to_string())),
    )
    .style(theme.title);
    let constraints = std::iter::once(Constraint::Length(2))
        .chain(widths.iter().map(|&w| Constraint::Length(w as u16)))
        .chain(std::iter::once(Constraint::Length(BADGE as u16)));
    let table = Table::new(rows, constraints)
        .header(header)
        .block(block)
        .column_spacing(1);
    // Scrolling is done in `App`; the table only draws the visible slice.
    frame.render_stateful_widget(table, area, &mut TableState::default());
}

const HEADERS: [&str; 4] = ["From", "To", "Service", "Ports"];
/// The badge column: `DEVICE` is the widest.
const BADGE: usize = 6;

/// Widths for From, To, Service and Ports within `available` cells, from
/// their `natural` (widest content) widths. Ports come first and whole, as
/// long as the others keep enough to tell rows apart (`READABLE`); only a
/// port list longer than that leaves is cut, with `…`. The rest is shared
/// so that no column gets more than it needs and the narrow ones are never
/// cut to feed a wide one (max-min fair).
pub fn fit_columns(natural: [usize; 4], available: usize) -> [usize; 4] {
    /// The least a name column gets when there is room at all.
    const FLOOR: usize = 4;
    /// From, To and Service: enough to tell `VMM server` from `VMM library
    /// server`, and `WinRM` from `WCF`. Without it, one long port list
    /// (PXE's five ports) left the names three letters each.
    const READABLE: [usize; 3] = [10, 10, 8];
    /// Ports keep this much even in a narrow terminal.
    const PORTS_FLOOR: usize = 12;
    let floor_of = |limits: [usize; 3]| -> usize {
        natural[..3]
            .iter()
            .zip(limits)
            .map(|(&n, limit)| n.min(limit))
            .sum()
    };
    let others_floor = floor_of([FLOOR; 3]);
    let readable_floor = floor_of(READABLE);
    let ports_cap = available
        .saturating_sub(readable_floor)
        .max(PORTS_FLOOR.min(available.saturating_sub(others_floor)));
    let ports = natural[3].min(ports_cap);
    let mut widths = [0, 0, 0, ports];
    let mut left = available - ports;
    let mut open: Vec<usize> = (0..3).collect();
    open.sort_by_key(|&i| natural[i]);
    while let Some(&i) = open.first() {
        let share = left / open.len();
        if natural[i] <= share {
            widths[i] = natural[i];
            left -= natural[i];
            open.remove(0);
        } else {
            // Every column left wants more than an equal share: split what
            // is left evenly, the first ones taking the odd cells.
            let extra = left % open.len();
            for (n, &j) in open.iter().enumerate() {
                widths[j] = share + usize::from(n < extra);
            }
            break;
        }
    }
    widths
}

/// `text` cut to `width` columns, ending in `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    crate::text::truncate(text, width)
}

/// `text` cut to `width`, with the characters the query's free words match
/// in bold colour (never the `…` of a cut).
fn highlighted<'a>(
    text: &str,
    width: usize,
    field: Field,
    query: &Query,
    theme: &Theme,
) -> Line<'a> {
    let positions = match_positions(field, text, query);
    let shown = truncate(text, width);
    let kept = if shown == text {
        text.chars().count()
    } else {
        shown.chars().count().saturating_sub(1)
    };
    if positions.is_empty() {
        return Line::from(shown);
    }
    let spans: Vec<Span> = shown
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < kept && positions.binary_search(&i).is_ok() {
                Span::styled(c.to_string(), theme.matched)
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect();
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::fit_columns;

    #[test]
    fn ports_come_whole_and_the_rest_is_shared_fairly() {
        // Room for everything: natural widths.
        assert_eq!(fit_columns([10, 20, 12, 14], 100), [10, 20, 12, 14]);
        // Tight: ports whole; the narrow From keeps its 10, the others split.
        assert_eq!(fit_columns([10, 40, 40, 14], 60), [10, 18, 18, 14]);
        // Very tight: the others keep a few cells each, ports take the rest.
        assert_eq!(fit_columns([10, 40, 40, 30], 20), [4, 4, 4, 8]);
        // Nothing at all.
        assert_eq!(fit_columns([10, 40, 40, 30], 0), [0, 0, 0, 0]);
        // One long port list does not starve the names: they keep enough
        // to tell rows apart, and the long list is the one cut.
        let widths = fit_columns([32, 32, 20, 29], 51);
        assert_eq!(widths[3], 23);
        assert!(widths[..3].iter().all(|&w| w >= 8), "{widths:?}");
        assert_eq!(widths.iter().sum::<usize>(), 51);
        for available in 0..120 {
            let widths = fit_columns([22, 37, 41, 17], available);
            assert!(
                widths.iter().sum::<usize>() <= available,
                "{available}: {widths:?}"
            );
        }
    }
}
