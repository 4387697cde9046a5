//! A one-line prompt: a file name for `w`, a host for `p`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, input_spans, pane_block};
use crate::tui::state::Prompt;
use crate::tui::text_input::TextInput;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, purpose: Prompt, input: &TextInput, theme: &Theme) {
    let (title, hint) = match purpose {
        Prompt::WriteCopy => (
            " Write the last copy to a file ",
            "Enter writes the last copy there (whole or not at all) · Esc cancels",
        ),
        Prompt::CheckHost => (
            " Check ports on which host? ",
            "a name or an IP address; the selected (or marked) rows' ports are probed · Esc cancels",
        ),
        Prompt::SweepAs => (
            " Sweep the deployment's machines, acting as which role? ",
            "this machine's role; sweeps the filter's connections (or all) · Esc cancels",
        ),
    };
    let popup = centered(area, 76, 5);
    frame.render_widget(Clear, popup);
    let lines = vec![
        Line::from(input_spans(input, theme)),
        Line::styled(hint, theme.dim),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(title, true, theme)),
        popup,
    );
}
