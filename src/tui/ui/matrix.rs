//! The matrix: sources down, destinations across, each cell the ports of the
//! connections between them that the filter matches (`·` for none). Scrolls
//! to keep the selected cell in view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use super::{pane_block, shown};
use crate::text::truncate;
use crate::tui::app::App;
use crate::tui::layout::inset;
use crate::tui::theme::Theme;

const ROW_HEADER: u16 = 22;
const COLUMN: u16 = 14;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let (rows, columns) = app.matrix_axes();
    frame.render_widget(
        pane_block(
            format!(
                " Matrix: source ↓ × destination → ({} × {}) · {} of {} connections ",
                rows.len(),
                columns.len(),
                app.filter.hits.len(),
                app.catalog.connections.len()
            ),
            true,
            theme,
        ),
        area,
    );
    let inner = inset(area);
    let [grid, info] = Layout::vertical([Constraint::Min(1), Constraint::Length(3)]).areas(inner);
    let (row, col) = app.matrix.cell;
    let visible_cols = (grid.width.saturating_sub(ROW_HEADER) / (COLUMN + 1)).max(1) as usize;
    let visible_rows = grid.height.saturating_sub(1).max(1) as usize;
    let col_offset = (col + 1).saturating_sub(visible_cols);
    let row_offset = (row + 1).saturating_sub(visible_rows);
    let name = |id: &String| {
        shown(
            app.catalog
                .component(id)
                .map_or(id.as_str(), |c| c.name.as_str()),
        )
    };

    let header = Row::new(
        std::iter::once(Cell::from("from \\ to")).chain(
            columns
                .iter()
                .skip(col_offset)
                .take(visible_cols)
                .map(|c| Cell::from(truncate(&name(c), COLUMN as usize))),
        ),
    )
    .style(theme.title);
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(row_offset)
        .take(visible_rows)
        .map(|(r, from)| {
            let cells = columns
                .iter()
                .enumerate()
                .skip(col_offset)
                .take(visible_cols)
                .map(|(c, to)| {
                    // A local call has no ports; say so rather than leave
                    // the cell blank. No connection (or none the filter
                    // matches) is `·`.
                    let ports: Vec<String> = app
                        .cell(from, to)
                        .map(|conn| match conn.ports_text() {
                            text if text.is_empty() => "local".to_string(),
                            text => text,
                        })
                        .collect();
                    let text = if ports.is_empty() {
                        "·".to_string()
                    } else {
                        ports.join(" ")
                    };
                    // The cursor is a character too, not only a colour; a
                    // cut cell ends in `…` (the line below has it all).
                    if (r, c) == (row, col) {
                        Cell::from(truncate(&format!("▶{text}"), COLUMN as usize))
                            .style(theme.selected)
                    } else {
                        Cell::from(truncate(&text, COLUMN as usize))
                    }
                });
            Row::new(
                std::iter::once(
                    Cell::from(truncate(&name(from), ROW_HEADER as usize)).style(theme.title),
                )
                .chain(cells),
            )
        })
        .collect();
    let widths = std::iter::once(Constraint::Length(ROW_HEADER)).chain(std::iter::repeat_n(
        Constraint::Length(COLUMN),
        visible_cols,
    ));
    let table = Table::new(body, widths).header(header).column_spacing(1);
    frame.render_stateful_widget(table, grid, &mut TableState::default());

    let summary = match (rows.get(row), columns.get(col)) {
        (Some(from), Some(to)) => {
            let conns: Vec<String> = app
                .cell(from, to)
                .map(|c| format!("{} {}", c.id, c.ports_text()))
                .collect();
            format!(
                "{} → {}: {}",
                name(from),
                name(to),
                if conns.is_empty() {
                    "no connection".to_string()
                } else {
                    conns.join("; ")
                }
            )
        }
        _ => "the catalog has no connections".into(),
    };
    frame.render_widget(
        Paragraph::new(Line::raw(summary)).wrap(Wrap { trim: true }),
        info,
    );
}
