//! "What do I open on…": pick a machine, see every rule it needs, inbound and
//! outbound, in the current dialect, ready to copy as one script. Tab moves
//! the focus between the machines and the script; the focused pane's border
//! shows it, and the script's title says which rows are on screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::{pane_block, shown};
use crate::audit::flows::Verdict;
use crate::tui::app::{App, PaneLine};
use crate::tui::layout::{inset, machine_panes};
use crate::tui::state::MachinePane;
use crate::tui::state::machine::wrap;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let (picker, script) = machine_panes(area);
    let machines = app.machines();
    // A machine whose firewall is loaded says how it fares: ✗ something
    // blocked, ◐ partly, ✓ all allowed.
    let items: Vec<ListItem> = machines
        .iter()
        .map(|m| {
            let mark = app
                .audit_of(&m.id)
                .and_then(|a| a.results.iter().map(|r| r.verdict).min());
            match mark {
                Some(Verdict::Blocked) => ListItem::new(Line::from(vec![
                    Span::raw(shown(&m.name)),
                    Span::styled(" ✗", theme.error),
                ])),
                Some(Verdict::Partly) => ListItem::new(Line::from(vec![
                    Span::raw(shown(&m.name)),
                    Span::styled(" ◐", theme.fixed),
                ])),
                Some(Verdict::Allowed) => ListItem::new(Line::from(vec![
                    Span::raw(shown(&m.name)),
                    Span::styled(" ✓", theme.ok),
                ])),
                None => ListItem::new(shown(&m.name)),
            }
        })
        .collect();
    let focus = app.machine.pane;
    let list = List::new(items)
        .block(pane_block(
            " What do I open on… ",
            focus == MachinePane::Machines,
            theme,
        ))
        .highlight_style(theme.selected);
    // The same first row as the state counts clicks from.
    let mut state = ListState::default()
        .with_offset(app.machine.first_shown())
        .with_selected(Some(app.machine.selected));
    frame.render_stateful_widget(list, picker, &mut state);

    let pane = app.machine_pane_lines();
    let lines: Vec<String> = pane.iter().map(|(_, line)| line.clone()).collect();
    let inner = inset(script);
    let rows = wrap(&lines, inner.width);
    // Never past the end, whatever size the state last saw.
    let height = usize::from(inner.height).max(1);
    let first = app.machine.scroll.min(rows.len().saturating_sub(height));
    let shown_rows: Vec<Line> = rows
        .iter()
        .skip(first)
        .take(height)
        .map(|(line, row)| match pane[*line].0 {
            PaneLine::AuditHeading => Line::styled(shown(row), theme.title),
            PaneLine::Flow(Verdict::Blocked) => Line::styled(shown(row), theme.error),
            PaneLine::Flow(Verdict::Partly) => Line::styled(shown(row), theme.fixed),
            PaneLine::Flow(Verdict::Allowed) => Line::styled(shown(row), theme.ok),
            PaneLine::Script if app.dialect.is_comment_line(&lines[*line]) => {
                Line::styled(shown(row), theme.dim)
            }
            PaneLine::Script => Line::raw(shown(row)),
        })
        .collect();
    let title = match machines.get(app.machine.selected) {
        Some(m) => format!(
            " {}{} · {} · y copies the script ",
            shown(&m.name),
            if m.also.is_empty() {
                String::new()
            } else {
                format!(", also {}", shown(&app.catalog.names(&m.also)))
            },
            app.dialect.name(),
        ),
        None => " no machine carries a rule ".into(),
    };
    // Where the view is, on the bottom border, where the title cannot cut
    // it off; and how to scroll, until the script has the focus.
    let focused = focus == MachinePane::Script;
    let whereabouts = format!(
        " {}{} ",
        position(first, height, rows.len()),
        if focused { "" } else { " · Tab: scroll it" }
    );
    let block = pane_block(title, focused, theme)
        .title_bottom(Line::styled(whereabouts, theme.dim).right_aligned());
    let paragraph = Paragraph::new(shown_rows).block(block);
    frame.render_widget(paragraph, script);
}

/// Which rows are on screen: `lines 20–38 of 120`, or `all 12 lines`.
fn position(first: usize, height: usize, total: usize) -> String {
    if total <= height {
        return format!("all {total} lines");
    }
    let last = (first + height).min(total);
    format!("lines {}–{last} of {total}", first + 1)
}
