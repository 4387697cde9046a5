//! The help overlay: every key, grouped.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, pane_block};
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub const GROUPS: &[(&str, &[(&str, &str)])] = &[
    (
        "Move",
        &[
            ("j/k, ↓/↑", "next / previous row"),
            ("g/G", "first / last row"),
            ("PgDn/PgUp", "a page down / up"),
            ("Tab/Shift-Tab", "next / previous pane"),
            ("mouse", "click a row or tab; wheel scrolls"),
        ],
    ),
    (
        "Filter",
        &[
            ("/", "type a filter (live); Ctrl-U Ctrl-W ←/→ Home/End edit"),
            ("Enter", "keep the filter, back to the list"),
            ("Esc", "clear the filter"),
            (
                "terms",
                "winrm from: to: on: port:443 proto:udp mod:setup dir:in -term",
            ),
        ],
    ),
    (
        "Rules",
        &[
            ("[ / ]", "previous / next dialect"),
            ("y", "copy the selected rule"),
            ("Space", "mark a row"),
            (
                "Y / F",
                "copy marked rows (or all filtered): a script / a flow table",
            ),
            ("w", "write the last copy to a file"),
            ("v", "plain view: the rule alone, for a mouse selection"),
            (
                "p",
                "check whether the ports answer on a host (incident mode)",
            ),
            ("s", "settings"),
        ],
    ),
    (
        "Views",
        &[
            (
                "m",
                "matrix: sources × destinations; Enter filters to a cell",
            ),
            ("o", "machine: every rule one machine needs"),
            (
                "n",
                "notes: dynamic ports, NTLM, where we differ from the docs",
            ),
            ("?", "this help"),
            ("q, Ctrl-C", "quit"),
        ],
    ),
];

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // A blank line between groups when there is room for all of them; on a
    // short terminal the groups close up so every key stays on screen.
    let key_lines: usize = GROUPS.iter().map(|(_, keys)| 1 + keys.len()).sum();
    let spaced = key_lines + GROUPS.len() - 1 + 2 <= area.height as usize;
    let mut lines = Vec::new();
    for (n, (group, keys)) in GROUPS.iter().enumerate() {
        if n > 0 && spaced {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(*group, theme.title));
        for (key, what) in *keys {
            lines.push(Line::from(vec![
                Span::styled(format!("  {key:<14}"), theme.matched),
                Span::raw(*what),
            ]));
        }
    }
    let height = lines.len() as u16 + 2;
    let popup = centered(area, 86, height);
    frame.render_widget(Clear, popup);
    let paragraph = Paragraph::new(lines)
        .block(pane_block(" Keys — any key closes ", true, theme))
        .wrap(ratatui::widgets::Wrap { trim: false })
        .scroll((app.scroll, 0));
    frame.render_widget(paragraph, popup);
}
