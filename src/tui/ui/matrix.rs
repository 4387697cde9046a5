//! The matrix: sources down, destinations across, each cell the ports of the
//! connections between them that the filter matches (`·` for none). Under a
//! filter only the sources and destinations it matches are drawn (the axes
//! come from `state::matrix`). Scrolls to keep the selected cell in view.
//!
//! ```text
//! ┌ Matrix … ───────────────────────────────────┐
//! │from \ to      Hyper-V host   VMM library s… │  the grid: as many rows as
//! │VMM server     ▶5985/tcp      5985/tcp …     │  it has, or as fit
//! │                                             │
//! │VMM server → Hyper-V host: 2 connections     │  the selected cell, in full:
//! │id                ports      services        │  one connection a line
//! │vmm-to-host-winrm 5985/tcp   WinRM           │
//! └─────────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};
use unicode_width::UnicodeWidthStr;

use super::{pane_block, shown};
use crate::catalog::Connection;
use crate::text::{join_unique, truncate};
use crate::tui::app::App;
use crate::tui::layout::inset;
use crate::tui::state::matrix::Axes;
use crate::tui::theme::Theme;

const ROW_HEADER: u16 = 22;
/// A column's width when the columns scroll; when they all fit, each takes
/// its share of the width, between the narrowest and the widest.
const COLUMN: u16 = 14;
const NARROWEST_COLUMN: u16 = 11;
const WIDEST_COLUMN: u16 = 24;
/// Lines kept for the selected cell under a grid too tall for the pane.
const CELL_LINES: u16 = 4;
/// The services' narrowest in the selected cell's table: ports come first.
const SERVICES: usize = 12;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let axes = app.matrix_axes();
    frame.render_widget(
        pane_block(
            format!(
                " Matrix: source ↓ × destination → ({} × {}) · {} of {} connections ",
                axes.rows.len(),
                axes.columns.len(),
                app.filter.hits.len(),
                app.catalog.connections.len()
            ),
            true,
            theme,
        ),
        area,
    );
    let inner = inset(area);
    if axes.rows.is_empty() {
        let why = if app.catalog.connections.is_empty() {
            "the catalog has no connections"
        } else {
            "no connection matches the filter"
        };
        frame.render_widget(Paragraph::new(why).wrap(Wrap { trim: true }), inner);
        return;
    }
    // The app keeps the cursor on the axes; the top left is only a guard.
    let (row, col) = app.matrix.position(&axes).unwrap_or_default();
    // The grid takes the lines it needs; the selected cell's connections
    // take the rest, and keep a few even when the grid must scroll.
    let wanted = axes.rows.len() as u16 + 1;
    let kept = CELL_LINES.min(inner.height / 2);
    let grid_height = wanted.min(inner.height.saturating_sub(kept)).max(1);
    let gap = u16::from(inner.height > grid_height + kept);
    let [grid, _, cell] = Layout::vertical([
        Constraint::Length(grid_height),
        Constraint::Length(gap),
        Constraint::Min(0),
    ])
    .areas(inner);
    render_grid(frame, grid, app, &axes, (row, col), theme);
    let (from, to) = (&axes.rows[row], &axes.columns[col]);
    render_cell(frame, cell, app, from, to, theme);
}

/// A component's name as shown (its id when the catalog does not name it).
fn name(app: &App, id: &str) -> String {
    shown(app.catalog.component(id).map_or(id, |c| c.name.as_str()))
}

fn render_grid(
    frame: &mut Frame,
    grid: Rect,
    app: &App,
    axes: &Axes,
    (row, col): (usize, usize),
    theme: &Theme,
) {
    // A filter's few columns all show when they can, a little narrower
    // than usual, or share the spare width so their names read whole.
    let room = grid.width.saturating_sub(ROW_HEADER);
    let share = (room / (axes.columns.len().max(1) as u16)).saturating_sub(1);
    let column = if share >= NARROWEST_COLUMN {
        share.min(WIDEST_COLUMN)
    } else {
        COLUMN
    };
    let visible_cols = (room / (column + 1)).max(1) as usize;
    let visible_rows = grid.height.saturating_sub(1).max(1) as usize;
    let col_offset = (col + 1).saturating_sub(visible_cols);
    let row_offset = (row + 1).saturating_sub(visible_rows);
    let width = column as usize;

    let header = Row::new(
        std::iter::once(Cell::from("from \\ to")).chain(
            axes.columns
                .iter()
                .skip(col_offset)
                .take(visible_cols)
                .map(|c| Cell::from(truncate(&name(app, c), width))),
        ),
    )
    .style(theme.title);
    let body: Vec<Row> = axes
        .rows
        .iter()
        .enumerate()
        .skip(row_offset)
        .take(visible_rows)
        .map(|(r, from)| {
            let cells = axes
                .columns
                .iter()
                .enumerate()
                .skip(col_offset)
                .take(visible_cols)
                .map(|(c, to)| {
                    let ports: Vec<String> = app.cell(from, to).map(ports_text).collect();
                    let text = if ports.is_empty() {
                        "·".to_string()
                    } else {
                        ports.join(" ")
                    };
                    // The cursor is a character too, not only a colour; a
                    // cut cell ends in `…` (the lines below have it all).
                    if (r, c) == (row, col) {
                        Cell::from(truncate(&format!("▶{text}"), width)).style(theme.selected)
                    } else {
                        Cell::from(truncate(&text, width))
                    }
                });
            Row::new(
                std::iter::once(
                    Cell::from(truncate(&name(app, from), ROW_HEADER as usize)).style(theme.title),
                )
                .chain(cells),
            )
        })
        .collect();
    let widths = std::iter::once(Constraint::Length(ROW_HEADER)).chain(std::iter::repeat_n(
        Constraint::Length(column),
        visible_cols,
    ));
    let table = Table::new(body, widths).header(header).column_spacing(1);
    frame.render_stateful_widget(table, grid, &mut TableState::default());
}

/// A connection's ports with their transports; a local call has none, and
/// says so rather than leave the cell blank.
fn ports_text(conn: &Connection) -> String {
    match conn.ports_text() {
        text if text.is_empty() => "local".to_string(),
        text => text,
    }
}

/// The selected cell's connections in full, one a line: id, every port with
/// its transport (wrapped, never cut), services. What does not fit is
/// counted; Enter lists them all.
fn render_cell(frame: &mut Frame, area: Rect, app: &App, from: &str, to: &str, theme: &Theme) {
    let conns: Vec<&Connection> = app.cell(from, to).collect();
    let route = format!("{} → {}", name(app, from), name(app, to));
    let heading = match conns.len() {
        0 if app.filter.text().trim().is_empty() => format!("{route}: no connection"),
        0 => format!("{route}: no connection the filter matches"),
        1 => format!("{route}: 1 connection"),
        n => format!("{route}: {n} connections"),
    };
    let [heading_area, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            truncate(&heading, area.width as usize),
            theme.title,
        ))),
        heading_area,
    );
    if conns.is_empty() || table_area.height < 2 {
        return;
    }

    let total = area.width as usize;
    let ids_width = conns
        .iter()
        .map(|c| shown(&c.id).width())
        .max()
        .unwrap_or(0)
        .clamp(2, total * 2 / 5);
    let ports: Vec<String> = conns.iter().map(|c| ports_text(c)).collect();
    // Ports get what the services can spare, so they are whole and a long
    // list wraps instead of being cut.
    let ports_width = ports
        .iter()
        .map(|p| p.width())
        .max()
        .unwrap_or(0)
        .max("ports".len())
        .min(total.saturating_sub(ids_width + 2 + SERVICES).max(8));
    let services_width = total.saturating_sub(ids_width + ports_width + 2);

    let wrapped: Vec<Vec<String>> = ports.iter().map(|p| wrap_list(p, ports_width)).collect();
    let room = table_area.height.saturating_sub(1) as usize;
    // When they do not all fit, the last line says how many are left out.
    let fits = wrapped.iter().map(Vec::len).sum::<usize>() <= room;
    let mut room = if fits { room } else { room.saturating_sub(1) };
    let mut rows = Vec::new();
    for (conn, lines) in conns.iter().zip(wrapped) {
        if lines.len() > room {
            break;
        }
        room -= lines.len();
        let height = lines.len() as u16;
        let services = join_unique(conn.ports.iter().map(|p| p.service.as_str()), ", ");
        rows.push(
            Row::new([
                Cell::from(truncate(&shown(&conn.id), ids_width)),
                Cell::from(Text::from(
                    lines.into_iter().map(Line::raw).collect::<Vec<_>>(),
                )),
                Cell::from(truncate(&shown(&services), services_width)),
            ])
            .height(height),
        );
    }
    let header = Row::new(["id", "ports", "services"]).style(theme.title);
    let widths = [
        Constraint::Length(ids_width as u16),
        Constraint::Length(ports_width as u16),
        Constraint::Min(0),
    ];
    let left_out = conns.len() - rows.len();
    let [table_area, more_area] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(u16::from(left_out > 0)),
    ])
    .areas(table_area);
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    frame.render_stateful_widget(table, table_area, &mut TableState::default());
    let more = format!("… {left_out} more: Enter lists them all");
    frame.render_widget(
        Paragraph::new(Span::styled(truncate(&more, total), theme.dim)),
        more_area,
    );
}

/// `text` broken into lines of at most `width` columns, after a comma or a
/// space: a port list wraps between ports, never inside one.
fn wrap_list(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for piece in text.split_inclusive([',', ' ']) {
        let line = lines.last_mut().expect("starts with a line");
        if !line.is_empty() && line.width() + piece.trim_end().width() > width {
            lines.push(piece.to_string());
        } else {
            line.push_str(piece);
        }
    }
    lines.iter().map(|l| l.trim_end().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::wrap_list;

    #[test]
    fn a_port_list_wraps_between_ports() {
        assert_eq!(wrap_list("80,135/tcp", 20), ["80,135/tcp"]);
        assert_eq!(
            wrap_list("80,135,139,445/tcp 623/udp", 12),
            ["80,135,139,", "445/tcp", "623/udp"]
        );
    }
}
