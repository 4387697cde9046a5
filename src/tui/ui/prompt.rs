//! A one-line prompt: a file name for `w`, a host for `p`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, pane_block, shown};
use crate::tui::app::Prompt;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, purpose: Prompt, text: &str, theme: &Theme) {
    let (title, hint) = match purpose {
        Prompt::WriteCopy => (
            " Write the last copy to a file ",
            "Enter writes the last copy there (whole or not at all) · Esc cancels",
        ),
        Prompt::CheckHost => (
            " Check ports on which host? ",
            "a name or an IP address; only the selected (or marked) rows' TCP ports are tried · Esc cancels",
        ),
    };
    let popup = centered(area, 76, 5);
    frame.render_widget(Clear, popup);
    let lines = vec![
        Line::raw(format!("{}▏", shown(text))),
        Line::styled(hint, theme.dim),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(title, true, theme)),
        popup,
    );
}
