//! The rule pane: dialect tabs in the CLI's order, then the selected
//! connection's rule in the current dialect.

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
    frame.render_widget(pane_block(" Rule  [ ] dialect ", focused, theme), area);
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
    let body = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
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
