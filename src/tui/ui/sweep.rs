//! The sweep view: machines down, ports across, each cell one sign for its
//! port's state, coloured, and the selected cell in words below. Signs, not
//! colours alone, tell the states apart (NO_COLOR keeps them).
//!
//! ```text
//! ┌ Sweep as vmm-server · deployment.ron · 2 of 12 machines not as expected · done in 2.1 s ┐
//! │machine              address          80  135  443  445  5985  5986 …                    │
//! │hv01                 10.0.1.21        ✓   ✓    ✓    ✓   ▐R▌   ✓                          │
//! │                                                                                         │
//! │hv01 (10.0.1.21, hyperv-host) · 5985/tcp: refused                                        │
//! │  vmm-to-host-agent: next: is WinRM running? …                                           │
//! │✓ answered  ! other service  R refused  T timed out …                                    │
//! └─────────────────────────────────────────────────────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::{pane_block, shown};
use crate::sweep::State;
use crate::text::{count, truncate};
use crate::tui::layout::inset;
use crate::tui::state::SweepView;
use crate::tui::state::sweep::Cell;
use crate::tui::theme::Theme;

const NAME: usize = 20;
const ADDRESS: usize = 16;
/// From this width the addresses have a column of their own.
const WITH_ADDRESS: u16 = 100;
/// Lines under the grid for the selected cell.
const CELL_LINES: u16 = 4;

/// Every sign and what it means, in the order the legend gives them.
const LEGEND: &[(&str, &str)] = &[
    ("✓", "answered"),
    ("!", "open, not the service"),
    ("R", "refused"),
    ("T", "timed out"),
    ("?", "no answer (UDP)"),
    ("U", "unreachable"),
    ("N", "name not resolved"),
    ("E", "failed"),
    ("-", "not tested"),
    ("…", "waiting"),
    ("·", "not needed"),
];

pub fn render(frame: &mut Frame, area: Rect, sweep: &SweepView, theme: &Theme) {
    frame.render_widget(pane_block(title(sweep), true, theme), area);
    let inner = inset(area);
    let legend = legend_lines(inner.width as usize, theme);
    let legend_height = (legend.len() as u16).min(inner.height / 3);
    let kept = CELL_LINES.min(inner.height / 3);
    let wanted = sweep.plan.hosts.len() as u16 + 1;
    let grid_height = wanted
        .min(inner.height.saturating_sub(kept + legend_height))
        .max(1);
    let [grid, cell, legend_area] = Layout::vertical([
        Constraint::Length(grid_height),
        Constraint::Min(0),
        Constraint::Length(legend_height),
    ])
    .areas(inner);
    render_grid(frame, grid, sweep, theme);
    render_cell(frame, cell, sweep, theme);
    frame.render_widget(Paragraph::new(legend), legend_area);
}

/// ` Sweep as vmm-server · deployment.ron · query · progress `.
fn title(sweep: &SweepView) -> String {
    let file = sweep.deployment.file_name().map_or_else(
        || sweep.deployment.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    // What matters most first: a narrow title is cut at its end.
    let mut title = format!(" Sweep as {}", sweep.as_role);
    let took = sweep.took().as_secs_f64();
    let total = sweep.plan.total_ports();
    if sweep.running() {
        title.push_str(&format!(
            " · running: {} of {total} ports known ({took:.1} s) ",
            sweep.tally.known
        ));
    } else {
        let ended = if sweep.tally.known < total {
            "stopped after"
        } else {
            "done in"
        };
        title.push_str(&format!(
            " · {} of {} not as expected · {ended} {took:.1} s ",
            sweep.tally.failing_hosts(),
            count(sweep.plan.hosts.len(), "machine")
        ));
    }
    title.push_str(&format!("· {} ", shown(&file)));
    if !sweep.query.is_empty() {
        title.push_str(&format!("· {} ", shown(&sweep.query)));
    }
    title
}

/// A cell's sign and style.
fn sign(cell: Cell, theme: &Theme) -> (&'static str, Style) {
    let Cell::Known(result) = cell else {
        let sign = if cell == Cell::Waiting { "…" } else { "·" };
        return (sign, theme.dim);
    };
    match result.state {
        State::Open if result.ok() => ("✓", theme.ok),
        State::Open => ("!", theme.error),
        State::Refused => ("R", theme.error),
        State::TimedOut => ("T", theme.error),
        State::NoAnswer => ("?", theme.fixed),
        State::Unreachable => ("U", theme.error),
        State::NameNotResolved => ("N", theme.error),
        State::Failed => ("E", theme.error),
        State::NotTested => ("-", theme.dim),
    }
}

fn render_grid(frame: &mut Frame, grid: Rect, sweep: &SweepView, theme: &Theme) {
    let (row, col) = sweep.cursor;
    let labels: Vec<String> = sweep.columns.iter().map(|c| c.label()).collect();
    // Each column as wide as its label, and one apart.
    let widths: Vec<usize> = labels.iter().map(|l| l.width().max(1) + 1).collect();
    let address_width = if grid.width >= WITH_ADDRESS {
        ADDRESS + 1
    } else {
        0
    };
    let room = (grid.width as usize).saturating_sub(NAME + 1 + address_width);
    let first = first_visible(&widths, col, room);
    let visible = widths[first..]
        .iter()
        .scan(0, |used, w| {
            *used += w;
            (*used <= room).then_some(())
        })
        .count()
        .max(1);
    let rows = grid.height.saturating_sub(1).max(1) as usize;
    let row_offset = (row + 1).saturating_sub(rows);

    let mut lines = Vec::with_capacity(rows + 1);
    let mut header = vec![Span::styled(
        format!(
            "{:<NAME$} {:<address_width$}",
            "machine",
            address_column("address", address_width)
        ),
        theme.title,
    )];
    for (c, label) in labels.iter().enumerate().skip(first).take(visible) {
        let style = if c == col {
            theme.selected
        } else {
            theme.title
        };
        header.push(Span::styled(label.clone(), style));
        header.push(Span::raw(" "));
    }
    if first + visible < labels.len() {
        header.push(Span::styled("→", theme.dim));
    }
    lines.push(Line::from(header));
    for h in (row_offset..sweep.plan.hosts.len()).take(rows) {
        let address = sweep
            .tally
            .address(&sweep.plan, h)
            .map_or_else(|| "-".to_string(), |a| a.to_string());
        let name_style = if h == row {
            theme.selected
        } else {
            theme.title
        };
        let mut spans = vec![
            Span::styled(
                format!("{:<NAME$}", truncate(&shown(&sweep.machine_name(h)), NAME)),
                name_style,
            ),
            Span::raw(format!(
                " {:<address_width$}",
                address_column(&address, address_width)
            )),
        ];
        for c in (first..labels.len()).take(visible) {
            let (sign, style) = sign(sweep.cell(h, c), theme);
            let width = widths[c] - 1;
            // The sign under the middle of its label; the selected cell
            // reversed across the label's width.
            let left = (width - 1) / 2;
            let text = format!("{}{sign}{}", " ".repeat(left), " ".repeat(width - 1 - left));
            let style = if (h, c) == (row, col) {
                theme.selected
            } else {
                style
            };
            spans.push(Span::styled(text, style));
            spans.push(Span::raw(" "));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), grid);
}

/// An address as its column shows it (none when the column is left out).
fn address_column(address: &str, width: usize) -> String {
    if width == 0 {
        String::new()
    } else {
        truncate(address, width - 1)
    }
}

/// The first column to draw so that column `col` fits in `room`.
fn first_visible(widths: &[usize], col: usize, room: usize) -> usize {
    let mut first = 0;
    while first < col && widths[first..=col].iter().sum::<usize>() > room {
        first += 1;
    }
    first
}

/// The selected cell in words: machine, port, state, connections, what was
/// said and the next step. Enter shows every port of the machine.
fn render_cell(frame: &mut Frame, area: Rect, sweep: &SweepView, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let (h, c) = sweep.cursor;
    let Some(host) = sweep.plan.hosts.get(h) else {
        return;
    };
    let role = sweep.plan.role_of(host);
    let address = sweep
        .tally
        .address(&sweep.plan, h)
        .map_or_else(String::new, |a| format!("{a}, "));
    let column = sweep.columns.get(c);
    let port = column.map_or_else(String::new, |c| c.full_label());
    let mut lines = vec![];
    let machine = format!(
        "{} ({address}{}) · {port}",
        shown(&sweep.machine_name(h)),
        role.role
    );
    let Some(line) = sweep.line_at(h, c) else {
        lines.push(Line::styled(
            format!("{machine}: not needed from {} on this role", sweep.as_role),
            theme.dim,
        ));
        return render_lines(frame, area, lines);
    };
    let port_line = &role.lines[line];
    let connections = shown(&port_line.connections.join(", "));
    match sweep.cell(h, c) {
        Cell::Known(result) => {
            let (_, style) = sign(Cell::Known(result), theme);
            lines.push(Line::from(vec![
                Span::styled(format!("{machine}: "), theme.title),
                Span::styled(result.summary(), style),
                Span::styled(format!("  {connections}"), theme.dim),
            ]));
            if let Some(detail) = &result.finding.detail {
                lines.push(Line::raw(format!("  {}", shown(detail))));
            }
            let name = sweep.machine_name(h);
            let hint = crate::check::hint(
                &result.finding,
                &port_line.port_text(),
                port_line.transport,
                &name,
            );
            if let Some(hint) = hint {
                lines.push(Line::raw(format!("  next: {}", shown(&hint))));
            }
        }
        _ => lines.push(Line::from(vec![
            Span::styled(format!("{machine}: "), theme.title),
            Span::styled("waiting", theme.dim),
            Span::styled(format!("  {connections}"), theme.dim),
        ])),
    }
    render_lines(frame, area, lines);
}

fn render_lines(frame: &mut Frame, area: Rect, mut lines: Vec<Line<'static>>) {
    // One blank line between the grid and the cell, when there is room.
    if area.height > lines.len() as u16 {
        lines.insert(0, Line::raw(""));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The legend, wrapped to `width`: every sign and its meaning.
fn legend_lines(width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![];
    let mut spans: Vec<Span> = vec![];
    let mut used = 0;
    for (sign, meaning) in LEGEND {
        let w = sign.width() + 1 + meaning.width() + 2;
        if used + w > width + 2 && !spans.is_empty() {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        spans.push(Span::styled(*sign, theme.title));
        spans.push(Span::styled(format!(" {meaning}  "), theme.dim));
        used += w;
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::first_visible;

    #[test]
    fn the_selected_column_is_always_drawn() {
        let widths = [5, 5, 5, 12, 5];
        assert_eq!(first_visible(&widths, 0, 10), 0);
        assert_eq!(first_visible(&widths, 2, 10), 1);
        assert_eq!(first_visible(&widths, 3, 12), 3);
        // Even when it alone is wider than the room.
        assert_eq!(first_visible(&widths, 3, 4), 3);
    }
}
