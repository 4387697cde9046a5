//! The settings popup: one row per setting; Enter edits (or toggles) a row
//! and applies it, Esc cancels. Errors show as you type.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{centered, input_spans, pane_block, shown};
use crate::tui::layout::inset;
use crate::tui::settings_form::SettingsForm;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, form: &SettingsForm, theme: &Theme) {
    let popup = centered(area, 90, area.height.saturating_sub(2));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        pane_block(
            " Settings — Enter edits and applies, Esc closes ",
            true,
            theme,
        ),
        popup,
    );
    let inner = inset(popup);
    let [rows_area, message] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(3)]).areas(inner);
    let height = rows_area.height.max(1) as usize;
    let offset = (form.selected + 1).saturating_sub(height);
    let label_width = form
        .rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let lines: Vec<Line> = form
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, row)| {
            let selected = i == form.selected;
            let value_spans = match (&form.editing, selected) {
                (Some(input), true) => input_spans(input, theme),
                _ if row.value.is_empty() => vec![Span::styled("(default)", theme.dim)],
                _ => vec![Span::raw(shown(&row.value))],
            };
            let cursor = if selected { "▶ " } else { "  " };
            let mut spans = vec![
                Span::raw(cursor),
                Span::styled(format!("{:<label_width$}", row.label), theme.title),
            ];
            spans.extend(value_spans);
            let line = Line::from(spans);
            if selected {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rows_area);
    let text = match (&form.error, &form.session_only) {
        (Some(e), _) => Line::styled(shown(e), theme.error),
        (None, Some(note)) if form.editing.is_some() => Line::styled(
            format!(
                "Enter applies for this session only ({}) · Esc cancels",
                shown(note)
            ),
            theme.dim,
        ),
        (None, Some(note)) => {
            Line::styled(format!("session only: settings {}", shown(note)), theme.dim)
        }
        (None, None) if form.editing.is_some() => {
            Line::styled("Enter applies and saves · Esc cancels", theme.dim)
        }
        (None, None) => Line::styled(
            "addresses: IPv4, IPv6, CIDR, a-b ranges, LocalSubnet; comma-separated · ports: blank keeps setup's default",
            theme.dim,
        ),
    };
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), message);
}
