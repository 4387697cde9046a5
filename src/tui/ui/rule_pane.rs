//! The rule pane: dialect tabs in the CLI's order, then the selected
//! connection's rule in the current dialect. When its rules go on several
//! machines, the pane shows one machine's (the one `y` copies), and a line
//! says which, of how many, and that `<` `>` switch.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pane_block, shown};
use crate::rules::Dialect;
use crate::tui::app::App;
use crate::tui::layout::{inset, tab_label};
use crate::tui::state::Pane;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, tabs: &[(Dialect, Rect)], app: &App, theme: &Theme) {
    let focused = app.list.pane == Pane::Rule;
    let (machines, at) = app.rule_machines();
    let title = if machines.len() > 1 {
        " Rule  [ ] dialect  < > machine "
    } else {
        " Rule  [ ] dialect "
    };
    frame.render_widget(pane_block(title, focused, theme), area);
    let inner = inset(area);
    if inner.height == 0 {
        return;
    }
    let mut spans = Vec::new();
    for (dialect, _) in tabs {
        let style = if *dialect == app.dialect {
            theme.tab_active
        } else {
            theme.dim
        };
        spans.push(Span::styled(tab_label(*dialect), style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect { height: 1, ..inner },
    );
    let mut body = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    if let (true, Some(id)) = (machines.len() > 1, machines.get(at)) {
        // Short, so the count and the keys fit a narrow pane: the heading
        // just below names the machine in full.
        let line = Line::from(vec![
            Span::styled(
                format!("machine {} of {}: ", at + 1, machines.len()),
                theme.dim,
            ),
            Span::styled(shown(id), theme.tab_active),
            Span::styled(" · < > switch", theme.dim),
        ]);
        frame.render_widget(Paragraph::new(line), Rect { height: 1, ..body });
        body = Rect {
            y: body.y + 1,
            height: body.height.saturating_sub(1),
            ..body
        };
    }
    let lines: Vec<Line> = app
        .rule_lines()
        .into_iter()
        .map(|l| {
            let text = shown(&l);
            if app.dialect.is_comment_line(&l) {
                Line::styled(text, theme.dim)
            } else {
                Line::raw(text)
            }
        })
        .collect();
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((if focused { app.scroll } else { 0 }, 0));
    frame.render_widget(paragraph, body);
}
