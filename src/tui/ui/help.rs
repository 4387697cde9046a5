//! The help overlay: every key, grouped, each description wrapped beside
//! its key. Taller than the screen, it scrolls (j/k, PgUp/PgDn, g/G) and
//! says where it is; its title says how to close it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use unicode_width::UnicodeWidthStr;

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
            (
                "mouse",
                "click a row or tab; the wheel scrolls the pane under it",
            ),
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
                "winrm from: to: on: port:443 proto:udp mod:setup dir:in not:term",
            ),
        ],
    ),
    (
        "Rules",
        &[
            ("[ / ]", "previous / next dialect"),
            (
                "y",
                "copy the selected rule (one machine's part: the one shown)",
            ),
            (
                "< / >",
                "previous / next machine of a row whose rules go on several",
            ),
            ("Space", "mark a row"),
            (
                "Y / F",
                "copy marked rows (or all filtered): a script / a flow table",
            ),
            ("w", "write the last copy to a file"),
            ("v", "plain view: the rule alone, for a mouse selection"),
            (
                "p",
                "check on a host whether the ports answer (incident mode): \
                 the rows, the matrix cell, or all a machine must answer",
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
            (
                "o",
                "machine: every rule one machine needs; Tab focuses its \
                 script (j/k PgUp/PgDn g/G scroll)",
            ),
            (
                "n",
                "notes: dynamic ports, NTLM, where we differ from the docs",
            ),
            (
                "S",
                "sweep: probe every machine of the deployment file on the \
                 ports it must answer (the filter's, or all); hjkl move, \
                 Enter a machine's ports, p checks it, r sweeps again",
            ),
            ("?", "this help"),
            ("q, Ctrl-C", "quit"),
        ],
    ),
];

/// The popup's widest: the key column and the longest description.
const WIDTH: u16 = 86;
/// The key column: two spaces, then the key padded to 14.
const KEY_COLUMN: usize = 16;

/// The help's lines for a popup `inner` columns wide and `rows` tall: each
/// description wrapped under itself, beside its key. A blank line between
/// groups when all of it fits with them; else the groups close up, so a
/// short terminal scrolls as little as it can.
fn lines(inner: usize, rows: usize, theme: &Theme) -> Vec<Line<'static>> {
    let room = inner.saturating_sub(KEY_COLUMN).max(1);
    let tight: usize = GROUPS
        .iter()
        .map(|(_, keys)| {
            1 + keys
                .iter()
                .map(|(_, what)| wrap(what, room).len())
                .sum::<usize>()
        })
        .sum();
    let spaced = tight + GROUPS.len() - 1 <= rows;
    let mut out = Vec::new();
    for (n, (group, keys)) in GROUPS.iter().enumerate() {
        if n > 0 && spaced {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(*group, theme.title));
        for (key, what) in *keys {
            for (i, part) in wrap(what, room).into_iter().enumerate() {
                let key = if i == 0 { key } else { "" };
                out.push(Line::from(vec![
                    Span::styled(format!("  {key:<14}"), theme.matched),
                    Span::raw(part),
                ]));
            }
        }
    }
    out
}

/// `text` in lines of at most `width` columns, broken between words (a
/// word longer than a line stands alone on it).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push(line);
    out
}

/// Where the popup goes in `area`, and its lines.
fn layout(area: Rect, theme: &Theme) -> (Rect, Vec<Line<'static>>) {
    let width = WIDTH.min(area.width);
    let inner = width.saturating_sub(2) as usize;
    let rows = area.height.saturating_sub(2) as usize;
    let lines = lines(inner, rows, theme);
    let height = (lines.len() as u16).saturating_add(2);
    (centered(area, width, height), lines)
}

/// How far the help scrolls in `area` (the screen above the footer), and
/// how many lines a page is: the event loop hands both to the app, so that
/// scrolling stops at the last line.
pub fn bounds(area: Rect) -> (u16, u16) {
    let (popup, lines) = layout(area, &Theme::PLAIN);
    let page = popup.height.saturating_sub(2);
    ((lines.len() as u16).saturating_sub(page), page)
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let (popup, lines) = layout(area, theme);
    let page = popup.height.saturating_sub(2);
    let total = lines.len() as u16;
    let max = total.saturating_sub(page);
    let scroll = app.scroll.min(max);
    let mut block = pane_block(
        if max > 0 {
            " Keys · Esc/? close · j/k scroll "
        } else {
            " Keys · Esc/? close "
        },
        true,
        theme,
    );
    if max > 0 {
        // Where the view is, so that what is below is not taken for the end.
        let shown = format!(" {}–{} of {total} ", scroll + 1, scroll + page);
        block = block.title_bottom(Line::styled(shown, theme.dim).right_aligned());
    }
    frame.render_widget(Clear, popup);
    let paragraph = Paragraph::new(lines).block(block).scroll((scroll, 0));
    frame.render_widget(paragraph, popup);
}
