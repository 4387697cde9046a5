//! The prompt `w` opens: a file name for the last copy.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, pane_block, shown};
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, path: &str, theme: &Theme) {
    let popup = centered(area, 70, 5);
    frame.render_widget(Clear, popup);
    let lines = vec![
        Line::raw(format!("{}▏", shown(path))),
        Line::styled(
            "Enter writes the last copy there (whole or not at all) · Esc cancels",
            theme.dim,
        ),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(" Write the last copy to a file ", true, theme)),
        popup,
    );
}
