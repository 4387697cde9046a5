//! The list view: which row is selected, which rows show, which are marked,
//! and which of the view's panes has the focus.
//!
//! The rows themselves are the filter's hits; every method here takes how
//! many there are, so the selection can never point past them.

use std::collections::BTreeSet;

use crate::query::Hit;

/// Panes of the list view, in `Tab` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Detail,
    Rule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListState {
    /// Selected position in the hits.
    pub selected: usize,
    /// First visible row of the list.
    pub offset: usize,
    /// Rows the list can show, from the last layout.
    pub height: usize,
    /// Marked rows, by index into the catalog's connections: a mark stays
    /// on its connection while the filter changes.
    pub marked: BTreeSet<usize>,
    pub pane: Pane,
    /// The machine whose rules the rule pane shows (and `y` copies) when a
    /// row's rules go on several: a text is pasted on one machine. Kept by
    /// id while the selection moves, so an admin working on one machine
    /// stays on it from row to row; rows without it show their first.
    pub rule_machine: Option<String>,
}

impl Default for ListState {
    fn default() -> Self {
        ListState {
            selected: 0,
            offset: 0,
            height: 10,
            marked: BTreeSet::new(),
            pane: Pane::List,
            rule_machine: None,
        }
    }
}

impl ListState {
    /// The selected hit's connection, as an index into the catalog.
    pub fn selected_row(&self, hits: &[Hit]) -> Option<usize> {
        hits.get(self.selected).map(|hit| hit.index)
    }

    /// Rows a page moves: the visible list, less one for context.
    pub fn page(&self) -> isize {
        self.height.saturating_sub(1).max(1) as isize
    }

    /// Moves the selection by `delta` rows, stopping at either end.
    pub fn move_by(&mut self, delta: isize, rows: usize) {
        let target = (self.selected as isize).saturating_add(delta).max(0) as usize;
        self.move_to(target, rows);
    }

    /// Selects row `target` (clamped) and scrolls it into view.
    pub fn move_to(&mut self, target: usize, rows: usize) {
        self.selected = target.min(rows.saturating_sub(1));
        self.keep_selection_visible(rows);
    }

    /// New hits: back to the first row, as fzf does.
    pub fn restart(&mut self, rows: usize) {
        self.selected = 0;
        self.offset = 0;
        self.keep_selection_visible(rows);
    }

    /// The hits grew (more rows of a loading catalog matched): the selection
    /// stays on connection `selected` where it still is among them, and at
    /// the top when it was there, so the best match stays selected.
    pub fn follow(&mut self, selected: Option<usize>, hits: &[Hit]) {
        let position = match selected {
            Some(row) if self.selected > 0 => hits.iter().position(|hit| hit.index == row),
            _ => None,
        };
        self.move_to(position.unwrap_or(self.selected), hits.len());
    }

    /// Keeps the selected row between `offset` and the bottom of the list.
    pub fn keep_selection_visible(&mut self, rows: usize) {
        let height = self.height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(rows.saturating_sub(1));
    }

    /// Called with the list's visible height whenever the layout changes.
    pub fn set_height(&mut self, height: usize, rows: usize) {
        self.height = height.max(1);
        self.keep_selection_visible(rows);
    }

    pub fn cycle_pane(&mut self, delta: isize) {
        let order = [Pane::List, Pane::Detail, Pane::Rule];
        let now = order.iter().position(|p| *p == self.pane).unwrap_or(0) as isize;
        self.pane = order[(now + delta).rem_euclid(order.len() as isize) as usize];
    }

    /// Which of `machines` (the selected row's, by id) the rule pane shows.
    pub fn shown_machine(&self, machines: &[&str]) -> usize {
        let chosen = self.rule_machine.as_deref();
        machines
            .iter()
            .position(|m| Some(*m) == chosen)
            .unwrap_or(0)
    }

    /// Shows the next (or previous) of `machines`, round the end.
    pub fn cycle_machine(&mut self, machines: &[&str], delta: isize) {
        if machines.is_empty() {
            return;
        }
        let now = self.shown_machine(machines) as isize;
        let next = (now + delta).rem_euclid(machines.len() as isize) as usize;
        self.rule_machine = Some(machines[next].to_string());
    }

    /// Marks the selected row, or unmarks it; false when no row is selected.
    pub fn toggle_mark(&mut self, hits: &[Hit]) -> bool {
        let Some(row) = self.selected_row(hits) else {
            return false;
        };
        if !self.marked.remove(&row) {
            self.marked.insert(row);
        }
        true
    }

    /// The marked rows, or when none is marked, `unmarked`: what an action on
    /// "the marked rows or else …" acts on.
    pub fn marked_or(&self, unmarked: impl IntoIterator<Item = usize>) -> Vec<usize> {
        if self.marked.is_empty() {
            unmarked.into_iter().collect()
        } else {
            self.marked.iter().copied().collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(n: usize) -> Vec<Hit> {
        (0..n).map(|index| Hit { index, score: 0 }).collect()
    }

    #[test]
    fn a_shorter_list_scrolls_the_selection_back_into_view() {
        let mut list = ListState::default();
        list.move_to(30, 40);
        assert_eq!((list.selected, list.offset), (30, 21));
        list.set_height(5, 40);
        assert_eq!(list.offset, 26, "the selection is the bottom row");
        list.move_by(-100, 40);
        assert_eq!((list.selected, list.offset), (0, 0));
        // No rows: nothing to select, and nothing panics.
        list.set_height(0, 0);
        list.move_by(1, 0);
        assert_eq!((list.selected, list.offset, list.height), (0, 0, 1));
    }

    #[test]
    fn marks_stay_on_their_connection_and_win_over_the_rest() {
        let mut list = ListState::default();
        let rows = hits(3);
        assert_eq!(list.marked_or([7]), [7], "nothing marked");
        list.move_to(2, rows.len());
        assert!(list.toggle_mark(&rows));
        assert_eq!(list.marked_or([7]), [2]);
        assert!(list.toggle_mark(&rows), "toggling again unmarks");
        assert!(list.marked.is_empty());
        assert!(!list.toggle_mark(&[]), "no row, no mark");
    }

    #[test]
    fn the_rule_pane_keeps_its_machine_from_row_to_row() {
        let mut list = ListState::default();
        let agent = ["hyperv-host", "untrusted-host", "library-server"];
        assert_eq!(list.shown_machine(&agent), 0, "the first, to begin with");
        list.cycle_machine(&agent, -1);
        assert_eq!(list.shown_machine(&agent), 2, "round the start");
        list.cycle_machine(&agent, 1);
        assert_eq!(list.shown_machine(&agent), 0, "round the end");
        list.cycle_machine(&agent, 1);
        let bits = ["untrusted-host", "hyperv-host"];
        assert_eq!(
            list.shown_machine(&bits),
            0,
            "another row, the same machine"
        );
        assert_eq!(list.shown_machine(&["sql-server"]), 0, "a row without it");
        list.cycle_machine(&[], 1);
        assert_eq!(list.rule_machine.as_deref(), Some("untrusted-host"));
    }
}
