//! The machine view's keys ("what do I open on…"): the list of machines and
//! the selected machine's script, each focused in turn with Tab. The
//! connection list is hidden here, so the keys that act on its rows say so
//! and do nothing: a mark made here would be acted on, unseen, by a later
//! `Y` or `p`.

use super::App;
use crate::catalog::{Component, Connection};
use crate::tui::action::Action;
use crate::tui::layout::{Areas, inset};
use crate::tui::state::machine::{self, MachinePane};

impl App {
    /// Acts on `action` if it means something in the machine view; false
    /// leaves it to what every view shares (dialects, views, help, Esc).
    pub(super) fn update_machine(&mut self, action: Action) -> bool {
        let script = self.machine.pane == MachinePane::Script;
        match action {
            Action::Down => self.move_in_machine_view(1),
            Action::Up => self.move_in_machine_view(-1),
            Action::PageDown => self.move_in_machine_view(self.machine.page()),
            Action::PageUp => self.move_in_machine_view(-self.machine.page()),
            Action::Top if script => self.machine.scroll = 0,
            Action::Bottom if script => {
                self.machine.scroll = self.machine.last_scroll(self.machine_script_rows().len())
            }
            Action::Top => self.machine.move_to(0, self.machines().len()),
            Action::Bottom => self.machine.move_to(usize::MAX, self.machines().len()),
            // The wheel over the machines, and a click on one.
            Action::Scroll(rows) => self.machine.move_by(rows as isize, self.machines().len()),
            Action::ClickRow(row) => {
                self.machine.pane = MachinePane::Machines;
                let target = self.machine.first_shown() + row as usize;
                if target < self.machines().len() {
                    self.machine.move_to(target, self.machines().len());
                }
            }
            // The wheel over the script, or a click on it.
            Action::ScrollScript(rows) => {
                self.machine.pane = MachinePane::Script;
                let total = self.machine_script_rows().len();
                self.machine.scroll_by(rows as isize, total);
            }
            Action::NextPane | Action::PrevPane => self.machine.toggle_pane(),
            Action::NextMachine => self.machine.move_by(1, self.machines().len()),
            Action::PrevMachine => self.machine.move_by(-1, self.machines().len()),
            Action::NextDialect | Action::PrevDialect | Action::SelectDialect(_) => {
                // Another dialect is another script: from its top.
                self.machine.scroll = 0;
                return false;
            }
            Action::CopyRule | Action::Confirm => self.copy_machine(),
            Action::PlainView => self.requests.plain = Some(self.machine_lines().join("\n")),
            Action::ToggleMark | Action::CopyAll | Action::CopyFlows => self.say_list_only(action),
            _ => return false,
        }
        true
    }

    /// j/k and the pages: the machine, or the script's scroll, as focused.
    fn move_in_machine_view(&mut self, delta: isize) {
        match self.machine.pane {
            MachinePane::Machines => self.machine.move_by(delta, self.machines().len()),
            MachinePane::Script => {
                let total = self.machine_script_rows().len();
                self.machine.scroll_by(delta, total);
            }
        }
    }

    fn copy_machine(&mut self) {
        let Some(machine) = self.selected_machine().map(|c| c.id.clone()) else {
            return self.error("no machine to copy rules for");
        };
        let connections: Vec<&Connection> = self.catalog.connections.iter().collect();
        match self.script_for(&connections, Some(&machine), "") {
            Ok(text) => self.show_copy(
                format!("{} script for {machine}", self.dialect.name()),
                text,
            ),
            Err(e) => self.error(&e),
        }
    }

    /// Components that carry at least one rule, for the machine view.
    pub fn machines(&self) -> Vec<&Component> {
        machine::machines(&self.catalog, self.settings.outbound)
    }

    pub(super) fn selected_machine(&self) -> Option<&Component> {
        self.machines().get(self.machine.selected).copied()
    }

    /// The machine view's script body for the selected machine.
    pub fn machine_lines(&self) -> Vec<String> {
        let Some(machine) = self.selected_machine().map(|c| c.id.clone()) else {
            return Vec::new();
        };
        let connections: Vec<&Connection> = self.catalog.connections.iter().collect();
        self.body_lines(&connections, Some(&machine))
    }

    /// The script pane (the audit's verdicts, then the script) as it
    /// wraps, at the width of the last layout.
    fn machine_script_rows(&self) -> Vec<(usize, String)> {
        let lines: Vec<String> = self
            .machine_pane_lines()
            .into_iter()
            .map(|(_, line)| line)
            .collect();
        machine::wrap(&lines, self.machine.viewport.0)
    }

    /// Takes the script pane's size from the layout on screen, so scrolling
    /// knows where the script ends and how long a page is.
    pub fn fit_machine_view(&mut self, areas: &Areas) {
        if let Some(script) = areas.machine_script.map(inset) {
            self.machine.viewport = (script.width, script.height);
        }
    }
}
