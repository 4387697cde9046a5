//! Keys and mouse events to actions, by mode: letters type into the filter
//! while it has focus, and are commands everywhere else.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::action::Action;
use super::app::{App, Overlay, View};
use super::layout::{Areas, inset};
use super::text_input::Edit;

/// The keys every text input shares: the filter, the prompts, the settings
/// fields.
fn edit_key(code: KeyCode, ctrl: bool) -> Option<Action> {
    Some(match code {
        KeyCode::Backspace => Action::Edit(Edit::Backspace),
        KeyCode::Delete => Action::Edit(Edit::Delete),
        KeyCode::Char('w') if ctrl => Action::Edit(Edit::DeleteWord),
        KeyCode::Char('u') if ctrl => Action::Edit(Edit::Clear),
        KeyCode::Char('a') if ctrl => Action::Edit(Edit::Home),
        KeyCode::Char('e') if ctrl => Action::Edit(Edit::End),
        KeyCode::Left => Action::Edit(Edit::Left),
        KeyCode::Right => Action::Edit(Edit::Right),
        KeyCode::Home => Action::Edit(Edit::Home),
        KeyCode::End => Action::Edit(Edit::End),
        KeyCode::Char(c) if !ctrl => Action::Type(c),
        _ => return None,
    })
}

pub fn key(app: &App, key: KeyEvent) -> Option<Action> {
    // Windows terminals also report releases; act on presses (and repeats) only.
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if let Some(Overlay::Settings(form)) = &app.overlay {
        return if form.editing.is_some() {
            match key.code {
                KeyCode::Enter => Some(Action::Confirm),
                KeyCode::Esc => Some(Action::Back),
                code => edit_key(code, ctrl),
            }
        } else {
            match key.code {
                KeyCode::Char('j') | KeyCode::Down => Some(Action::Down),
                KeyCode::Char('k') | KeyCode::Up => Some(Action::Up),
                KeyCode::Enter | KeyCode::Char(' ') => Some(Action::Confirm),
                KeyCode::Esc | KeyCode::Char('s') | KeyCode::Char('q') => Some(Action::Back),
                _ => None,
            }
        };
    }
    if let Some(Overlay::Prompt(_)) = &app.overlay {
        return match key.code {
            KeyCode::Enter => Some(Action::Confirm),
            KeyCode::Esc => Some(Action::Back),
            code => edit_key(code, ctrl),
        };
    }
    if app.overlay.is_some() {
        // Help and check results: j/k scroll, the help also pages and
        // jumps; any other key closes.
        return Some(match key.code {
            KeyCode::Char('j') | KeyCode::Down => Action::Down,
            KeyCode::Char('k') | KeyCode::Up => Action::Up,
            KeyCode::PageDown => Action::PageDown,
            KeyCode::PageUp => Action::PageUp,
            KeyCode::Char('g') | KeyCode::Home => Action::Top,
            KeyCode::Char('G') | KeyCode::End => Action::Bottom,
            _ => Action::Back,
        });
    }
    if app.filter.filtering {
        return match key.code {
            KeyCode::Enter => Some(Action::FilterAccept),
            KeyCode::Esc => Some(Action::FilterClear),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Up => Some(Action::Up),
            code => edit_key(code, ctrl),
        };
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::Char('h') | KeyCode::Left if grid(app.view) => Action::Left,
        KeyCode::Char('l') | KeyCode::Right if grid(app.view) => Action::Right,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Char('d') if ctrl => Action::PageDown,
        KeyCode::Char('u') if ctrl => Action::PageUp,
        KeyCode::Char('/') => Action::FocusFilter,
        KeyCode::Esc => Action::Back,
        KeyCode::Tab => Action::NextPane,
        KeyCode::BackTab => Action::PrevPane,
        KeyCode::Char(']') => Action::NextDialect,
        KeyCode::Char('[') => Action::PrevDialect,
        KeyCode::Char('>') => Action::NextMachine,
        KeyCode::Char('<') => Action::PrevMachine,
        KeyCode::Char(' ') => Action::ToggleMark,
        KeyCode::Char('y') => Action::CopyRule,
        KeyCode::Char('Y') => Action::CopyAll,
        KeyCode::Char('F') => Action::CopyFlows,
        KeyCode::Char('v') => Action::PlainView,
        KeyCode::Char('w') => Action::WriteCopy,
        KeyCode::Char('p') => Action::CheckPorts,
        KeyCode::Char('m') => Action::ShowMatrix,
        KeyCode::Char('o') => Action::ShowMachine,
        KeyCode::Char('n') => Action::ShowNotes,
        KeyCode::Char('S') => Action::ShowSweep,
        KeyCode::Char('r') if app.view == View::Sweep => Action::Resweep,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char('s') => Action::OpenSettings,
        KeyCode::Enter => Action::Confirm,
        _ => return None,
    })
}

/// The views whose cursor also moves across, with h and l.
fn grid(view: View) -> bool {
    matches!(view, View::Matrix | View::Sweep)
}

/// Mouse: a click selects a list row (or a machine) or switches a dialect
/// tab; the wheel scrolls the list, or the machine's script under it.
/// `areas` is the layout of the frame on screen.
pub fn mouse(app: &App, event: MouseEvent, areas: &Areas) -> Option<Action> {
    let (x, y) = (event.column, event.row);
    let over_script = app.overlay.is_none()
        && areas
            .machine_script
            .is_some_and(|r| r.contains((x, y).into()));
    match event.kind {
        MouseEventKind::ScrollDown if over_script => Some(Action::ScrollScript(3)),
        MouseEventKind::ScrollUp if over_script => Some(Action::ScrollScript(-3)),
        MouseEventKind::ScrollDown => Some(Action::Scroll(3)),
        MouseEventKind::ScrollUp => Some(Action::Scroll(-3)),
        MouseEventKind::Down(MouseButton::Left) => {
            if app.overlay.is_some() {
                return Some(Action::Back);
            }
            if over_script {
                return Some(Action::ScrollScript(0));
            }
            if let Some(machines) = areas.machine_list.map(inset) {
                return machines
                    .contains((x, y).into())
                    .then(|| Action::ClickRow(y - machines.y));
            }
            if let Some((dialect, _)) = areas.tabs.iter().find(|(_, r)| r.contains((x, y).into())) {
                return Some(Action::SelectDialect(*dialect));
            }
            let rows = areas.list_rows?;
            rows.contains((x, y).into())
                .then(|| Action::ClickRow(y - rows.y))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::layout;
    use crossterm::event::KeyEventState;
    use ratatui::layout::Rect;

    fn machine_view() -> (App, Areas) {
        let catalog = crate::catalog::embedded().unwrap();
        let mut app = App::new(catalog, "test".into(), Default::default());
        app.update(Action::ShowMachine);
        let areas = layout::areas(Rect::new(0, 0, 120, 40), &app);
        (app, areas)
    }

    fn at(kind: MouseEventKind, (x, y): (u16, u16)) -> MouseEvent {
        MouseEvent {
            kind,
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        }
    }

    #[test]
    fn in_the_machine_view_the_mouse_acts_on_the_pane_under_it() {
        let (app, areas) = machine_view();
        let script = areas.machine_script.unwrap();
        let machines = areas.machine_list.unwrap();
        let over_script = (script.x + 5, script.y + 5);
        let wheel = |kind, place| mouse(&app, at(kind, place), &areas);
        assert_eq!(
            wheel(MouseEventKind::ScrollDown, over_script),
            Some(Action::ScrollScript(3))
        );
        assert_eq!(
            wheel(MouseEventKind::ScrollUp, over_script),
            Some(Action::ScrollScript(-3))
        );
        let click = MouseEventKind::Down(MouseButton::Left);
        assert_eq!(wheel(click, over_script), Some(Action::ScrollScript(0)));
        assert_eq!(
            wheel(MouseEventKind::ScrollDown, (machines.x + 3, machines.y + 3)),
            Some(Action::Scroll(3)),
            "the wheel over the machines moves through them"
        );
        assert_eq!(
            wheel(click, (machines.x + 3, machines.y + 3)),
            Some(Action::ClickRow(2)),
            "the third machine: its row, inside the border"
        );
        assert_eq!(
            wheel(click, (machines.x + 3, machines.y)),
            None,
            "the border"
        );
    }

    #[test]
    fn angle_brackets_switch_the_rule_pane_machine() {
        let (app, _) = machine_view();
        let press = |c| KeyEvent {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::SHIFT,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        };
        assert_eq!(key(&app, press('>')), Some(Action::NextMachine));
        assert_eq!(key(&app, press('<')), Some(Action::PrevMachine));
    }
}
