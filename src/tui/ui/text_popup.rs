//! A popup showing a block of text, e.g. the rule that was just copied.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{centered, pane_block, shown};
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, title: &str, body: &str, scroll: u16, theme: &Theme) {
    let popup = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, popup);
    let text: String = body.lines().map(|l| shown(l) + "\n").collect();
    let paragraph = Paragraph::new(text)
        .block(pane_block(format!(" {} ", shown(title)), true, theme))
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(paragraph, popup);
}
