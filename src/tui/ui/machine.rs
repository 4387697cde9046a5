//! "What do I open on…": pick a machine, see every rule it needs, inbound and
//! outbound, in the current dialect, ready to copy as one script.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::{pane_block, shown};
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [picker, script] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(10)]).areas(area);
    let machines = app.machines();
    let items: Vec<ListItem> = machines
        .iter()
        .map(|m| ListItem::new(shown(&m.name)))
        .collect();
    let list = List::new(items)
        .block(pane_block(" What do I open on… ", true, theme))
        .highlight_style(theme.selected);
    let mut state = ListState::default().with_selected(Some(app.machine.selected));
    frame.render_stateful_widget(list, picker, &mut state);

    let title = match machines.get(app.machine.selected) {
        Some(m) => format!(
            " {}{} · {} · y copies the script ",
            shown(&m.name),
            if m.also.is_empty() {
                String::new()
            } else {
                format!(", also {}", shown(&app.catalog.names(&m.also)))
            },
            app.dialect.name()
        ),
        None => " no machine carries a rule ".into(),
    };
    let lines: Vec<Line> = app
        .machine_lines()
        .into_iter()
        .map(|l| {
            if app.dialect.is_comment_line(&l) {
                Line::styled(shown(&l), theme.dim)
            } else {
                Line::raw(shown(&l))
            }
        })
        .collect();
    let paragraph = Paragraph::new(lines)
        .block(pane_block(title, false, theme))
        .wrap(Wrap { trim: false })
        .scroll((app.scroll, 0));
    frame.render_widget(paragraph, script);
}
