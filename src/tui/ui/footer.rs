//! The footer: the keys of whatever has them (the view, the filter, a
//! popup), the most important kept when the width runs short, and a status
//! line for errors and confirmations.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::tui::app::{App, Overlay, View};
use crate::tui::state::machine::MachinePane;
use crate::tui::theme::Theme;

/// One key hint: the key, what it does, and its rank: where the width runs
/// short, the hints of the lowest rank go first, and the rest keep their
/// order. Rank 0 always fits at 80 columns: `?` (every other key is in the
/// help) and `p`, which an admin in an incident must find.
type Hint = (&'static str, &'static str, u8);

const LIST: &[Hint] = &[
    ("/", "filter", 0),
    ("?", "help", 0),
    ("y", "copy", 0),
    ("Y", "copy all", 1),
    ("p", "check", 0),
    ("[ ]", "dialect", 1),
    ("< >", "machine", 3),
    ("Tab", "pane", 2),
    ("Space", "mark", 2),
    ("F", "flows", 3),
    ("w", "write", 4),
    ("v", "plain", 3),
    ("m", "matrix", 2),
    ("o", "machine", 2),
    ("n", "notes", 3),
    ("s", "settings", 3),
    ("q", "quit", 0),
];
const MATRIX: &[Hint] = &[
    ("hjkl", "move", 0),
    ("Enter", "filter to cell", 0),
    ("p", "check", 0),
    ("Esc", "back", 0),
    ("?", "help", 0),
    ("q", "quit", 0),
];
const MACHINE: &[Hint] = &[
    ("j/k", "machine", 0),
    ("Tab", "script", 0),
    ("[ ]", "dialect", 1),
    ("y", "copy script", 0),
    ("v", "plain", 2),
    ("p", "check", 0),
    ("Esc", "back", 0),
    ("?", "help", 0),
    ("q", "quit", 0),
];
/// The machine view with its script focused: the keys scroll the script.
const MACHINE_SCRIPT: &[Hint] = &[
    ("j/k", "scroll", 0),
    ("PgUp/PgDn", "page", 1),
    ("g/G", "top/end", 2),
    ("Tab", "machines", 0),
    ("[ ]", "dialect", 1),
    ("y", "copy script", 0),
    ("v", "plain", 2),
    ("p", "check", 0),
    ("Esc", "back", 0),
    ("?", "help", 0),
    ("q", "quit", 0),
];
const NOTES: &[Hint] = &[
    ("j/k", "scroll", 0),
    ("PgUp/PgDn", "page", 1),
    ("p", "check", 0),
    ("Esc", "back", 0),
    ("?", "help", 0),
    ("q", "quit", 0),
];
const SWEEP: &[Hint] = &[
    ("hjkl", "move", 0),
    ("Enter", "machine's ports", 0),
    ("p", "check", 0),
    ("r", "sweep again", 0),
    ("Esc", "back", 0),
    ("?", "help", 0),
    ("q", "quit", 0),
];
const FILTERING: &[Hint] = &[
    ("Enter", "keep filter", 0),
    ("Esc", "clear", 0),
    ("↑/↓", "move", 0),
    ("Ctrl-W", "delete word", 1),
    ("Ctrl-U", "clear", 1),
];
const HELP: &[Hint] = &[
    ("j/k", "scroll", 0),
    ("PgUp/PgDn", "page", 0),
    ("g/G", "top/end", 0),
    ("Esc/?", "close", 0),
];
const CHECK: &[Hint] = &[("j/k", "scroll", 0), ("any key", "close", 0)];
const SETTINGS: &[Hint] = &[
    ("j/k", "move", 0),
    ("Enter", "edit", 0),
    ("Esc", "close", 0),
];
const EDITING: &[Hint] = &[
    ("Enter", "apply", 0),
    ("Esc", "cancel", 0),
    ("Ctrl-U", "clear", 1),
    ("Ctrl-W", "delete word", 1),
];
const PROMPT: &[Hint] = &[
    ("Enter", "go", 0),
    ("Esc", "cancel", 0),
    ("Ctrl-U", "clear", 1),
    ("Ctrl-W", "delete word", 1),
];

/// The hints for what has the keys: the open popup, the filter while it is
/// typed in, else the view.
fn hints(app: &App) -> &'static [Hint] {
    match &app.overlay {
        // The popup's own keys: the footer stays visible under every popup.
        Some(Overlay::Settings(form)) if form.editing.is_some() => EDITING,
        Some(Overlay::Settings(_)) => SETTINGS,
        Some(Overlay::Prompt(_)) => PROMPT,
        Some(Overlay::Help) => HELP,
        Some(Overlay::Check(_) | Overlay::SweepDetail(_)) => CHECK,
        None if app.filter.filtering => FILTERING,
        None => match app.view {
            View::List => LIST,
            View::Matrix => MATRIX,
            View::Machine if app.machine.pane == MachinePane::Script => MACHINE_SCRIPT,
            View::Machine => MACHINE,
            View::Notes => NOTES,
            View::Sweep => SWEEP,
        },
    }
}

/// The width of a hint as drawn: the key, a space, what it does and two
/// spaces before the next.
fn hint_width((key, what, _): &Hint) -> usize {
    key.width() + 1 + what.width() + 2
}

/// The hints that fit `width` columns: by rank, most important first, each
/// that fits taken; then shown in their own order. The last hint's two
/// trailing spaces may fall off the edge.
fn fitting(hints: &[Hint], width: usize) -> Vec<Hint> {
    let mut by_rank: Vec<usize> = (0..hints.len()).collect();
    by_rank.sort_by_key(|&i| hints[i].2);
    let mut used = 0;
    let mut kept = vec![false; hints.len()];
    for i in by_rank {
        let w = hint_width(&hints[i]);
        if used + w <= width + 2 {
            used += w;
            kept[i] = true;
        }
    }
    hints
        .iter()
        .zip(kept)
        .filter_map(|(hint, kept)| kept.then_some(*hint))
        .collect()
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::new();
    for (key, what, _) in fitting(hints(app), area.width as usize) {
        spans.push(Span::styled(key, theme.title));
        spans.push(Span::styled(format!(" {what}  "), theme.dim));
    }
    let status = match (&app.filter.error, &app.status) {
        (Some(e), _) => Line::styled(format!("filter: {e}"), theme.error),
        (None, Some(s)) => Line::styled(
            s.text.clone(),
            if s.is_error { theme.error } else { theme.ok },
        ),
        (None, None) => Line::styled(
            format!(
                "{} · {}",
                crate::text::printable(&app.catalog.title),
                app.dialect.name()
            ),
            theme.dim,
        ),
    };
    // A message too long for its row takes both rows: what happened (and
    // how to get around it) matters more than the key hints.
    let is_message = app.filter.error.is_some() || app.status.is_some();
    if is_message && status.width() > area.width as usize {
        frame.render_widget(
            Paragraph::new(status).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let [keys_row, status_row] =
        ratatui::layout::Layout::vertical([ratatui::layout::Constraint::Length(1); 2]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), keys_row);
    frame.render_widget(Paragraph::new(status), status_row);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(hints: &[Hint]) -> Vec<&str> {
        hints.iter().map(|(key, _, _)| *key).collect()
    }

    #[test]
    fn the_most_important_keys_stay_in_their_order() {
        // Everything fits: all, in order.
        assert_eq!(fitting(LIST, 500).len(), LIST.len());
        // 80 columns: every rank-0 key, and others where they fit, in order.
        let shown = fitting(LIST, 80);
        let shown_keys = keys(&shown);
        for (key, _, rank) in LIST {
            if *rank == 0 {
                assert!(shown_keys.contains(key), "{key} missing: {shown_keys:?}");
            }
        }
        let order: Vec<usize> = shown
            .iter()
            .map(|h| LIST.iter().position(|l| l == h).unwrap())
            .collect();
        assert!(order.is_sorted(), "{order:?}");
        let width: usize = shown.iter().map(hint_width).sum();
        assert!(width <= 82, "{width}");
        // Nothing fits in nothing.
        assert!(fitting(LIST, 0).is_empty());
    }

    /// The key presses a hint's key stands for: `j/k` is two, `[ ]` two,
    /// `hjkl` four; `any key` none in particular.
    fn presses(key: &str) -> Vec<crossterm::event::KeyEvent> {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let named = |name: &str| -> Vec<KeyEvent> {
            let code = match name {
                "Tab" => KeyCode::Tab,
                "Space" => KeyCode::Char(' '),
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "PgUp" => KeyCode::PageUp,
                "PgDn" => KeyCode::PageDown,
                "↑" => KeyCode::Up,
                "↓" => KeyCode::Down,
                "any key" => return vec![],
                ctrl if ctrl.starts_with("Ctrl-") => {
                    let c = ctrl.chars().last().unwrap().to_ascii_lowercase();
                    return vec![KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)];
                }
                one if one.chars().count() == 1 => KeyCode::Char(one.chars().next().unwrap()),
                letters => {
                    return letters
                        .chars()
                        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
                        .collect();
                }
            };
            vec![KeyEvent::new(code, KeyModifiers::NONE)]
        };
        if key == "/" {
            return named("/");
        }
        key.split(['/', ' ']).flat_map(named).collect()
    }

    /// Every key a footer shows does something where it is shown: the
    /// keymap gives it an action (a hint for a key that does nothing, or a
    /// typo, fails here).
    #[test]
    fn every_key_shown_is_one_the_keymap_takes() {
        use crate::tui::action::Action;
        use crate::tui::keymap;
        let catalog = crate::catalog::embedded().unwrap();
        let fresh = || App::new(catalog.clone(), "test".into(), Default::default());
        let views: [(Vec<Action>, &[Hint]); 8] = [
            (vec![], LIST),
            (vec![Action::ShowMatrix], MATRIX),
            (vec![Action::ShowMachine], MACHINE),
            (vec![Action::ShowMachine, Action::NextPane], MACHINE_SCRIPT),
            (vec![Action::ShowNotes], NOTES),
            (vec![Action::FocusFilter], FILTERING),
            (vec![Action::ToggleHelp], HELP),
            (vec![Action::CheckPorts], PROMPT),
        ];
        for (actions, table) in views {
            let mut app = fresh();
            for action in &actions {
                app.update(*action);
            }
            assert_eq!(hints(&app), table, "{actions:?}");
            for (key, what, _) in table {
                let presses = presses(key);
                assert!(!presses.is_empty(), "{key}");
                for press in presses {
                    let action = keymap::key(&app, press);
                    assert!(action.is_some(), "{actions:?}: `{key} {what}`: {press:?}");
                    // `Back` closes or leaves (and in a popup, any key
                    // gives it): a hint that says otherwise must not.
                    if !["close", "back", "cancel"].contains(what) {
                        assert_ne!(action, Some(Action::Back), "{actions:?}: `{key} {what}`");
                    }
                }
            }
        }
    }

    #[test]
    fn every_views_essential_keys_fit_80_columns() {
        for hints in [
            LIST,
            MATRIX,
            MACHINE,
            MACHINE_SCRIPT,
            NOTES,
            FILTERING,
            HELP,
            CHECK,
            SETTINGS,
            EDITING,
            PROMPT,
        ] {
            let essential: usize = hints.iter().filter(|h| h.2 == 0).map(hint_width).sum();
            assert!(essential <= 82, "{:?}: {essential}", keys(hints));
        }
    }
}
