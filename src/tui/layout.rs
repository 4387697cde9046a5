//! Where everything goes on screen, computed from the terminal size and the
//! state alone. Rendering draws into these areas, and mouse handling reads
//! them, so a click always lands on what was drawn.
//!
//! ```text
//! ┌ filter bar ──────────────────────────────────────────────┐  1 row
//! │ list                        │ detail                     │
//! │                             ├────────────────────────────┤  wide (≥ 100 columns)
//! │                             │ rule: tabs, then the rule  │
//! ├ footer: keys ───────────────┴────────────────────────────┤  2 rows
//! └ footer: status ──────────────────────────────────────────┘
//! ```
//! Narrower, the list sits above one pane (detail or rule, switched by Tab).

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::{App, View};
use super::state::Pane;
use crate::rules::Dialect;

/// Smallest usable terminal; below it the screen says so.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 12;
/// From this width the panes stand side by side.
pub const WIDE: u16 = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Areas {
    pub too_small: bool,
    pub filter: Rect,
    pub body: Rect,
    pub footer: Rect,
    /// List view panes, when shown.
    pub list: Option<Rect>,
    /// The list's data rows (inside the border, under the header).
    pub list_rows: Option<Rect>,
    pub detail: Option<Rect>,
    pub rule: Option<Rect>,
    /// Each dialect tab's clickable area.
    pub tabs: Vec<(Dialect, Rect)>,
    /// Machine view: the list of machines and the script pane, when shown.
    pub machine_list: Option<Rect>,
    pub machine_script: Option<Rect>,
}

pub fn areas(area: Rect, app: &App) -> Areas {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return Areas {
            too_small: true,
            ..Areas::default()
        };
    }
    let [filter, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(2),
    ])
    .areas(area);
    let mut out = Areas {
        filter,
        body,
        footer,
        ..Areas::default()
    };
    if app.view == View::Machine {
        let (machines, script) = machine_panes(body);
        out.machine_list = Some(machines);
        out.machine_script = Some(script);
    }
    if app.view != View::List {
        return out;
    }
    let (list, detail, rule) = if area.width >= WIDE {
        let [list, side] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(body);
        let [detail, rule] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(side);
        (list, Some(detail), Some(rule))
    } else {
        let [list, other] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        if app.list.pane == Pane::Rule {
            (list, None, Some(other))
        } else {
            (list, Some(other), None)
        }
    };
    out.list = Some(list);
    // Inside the border, below the header row.
    let inner = inset(list);
    out.list_rows = Some(Rect {
        y: inner.y.saturating_add(1),
        height: inner.height.saturating_sub(1),
        ..inner
    });
    out.detail = detail;
    out.rule = rule;
    if let Some(rule) = rule {
        out.tabs = tab_areas(inset(rule));
    }
    out
}

/// The machine view: the list of machines on the left, as wide as most
/// names, and the script beside it.
pub fn machine_panes(body: Rect) -> (Rect, Rect) {
    let [machines, script] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(10)]).areas(body);
    (machines, script)
}

/// The area inside a one-cell border.
pub fn inset(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(1),
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

/// Tab labels as drawn on the rule pane's first row, one cell apart; tabs
/// that do not fit are left out.
pub fn tab_areas(row: Rect) -> Vec<(Dialect, Rect)> {
    let mut x = row.x;
    let mut out = Vec::new();
    for dialect in Dialect::ALL {
        let width = tab_label(dialect).chars().count() as u16;
        if x + width > row.x + row.width {
            break;
        }
        out.push((
            dialect,
            Rect {
                x,
                y: row.y,
                width,
                height: 1,
            },
        ));
        x += width + 1;
    }
    out
}

pub fn tab_label(dialect: Dialect) -> String {
    let name = match dialect {
        Dialect::Powershell => "PowerShell",
        other => other.name(),
    };
    name.to_string()
}
