//! The machine view ("what do I open on…"): which machine is selected,
//! which of the view's two panes has the focus, and how far its script is
//! scrolled. The machines and their scripts follow from the catalog and the
//! settings, so only the places are state.

use unicode_width::UnicodeWidthChar;

use crate::catalog::{Catalog, Component};

/// The machine view's panes, in `Tab` order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MachinePane {
    /// The list of machines: j/k pick one.
    #[default]
    Machines,
    /// The selected machine's script: j/k, PgUp/PgDn, g/G scroll it.
    Script,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineState {
    /// Selected machine, an index into [`machines`].
    pub selected: usize,
    pub pane: MachinePane,
    /// First script row shown (rows as wrapped to the pane's width).
    pub scroll: usize,
    /// The script pane's inside, from the last layout: its width decides
    /// how lines wrap, its height how far the end is and what a page is.
    pub viewport: (u16, u16),
}

impl Default for MachineState {
    fn default() -> Self {
        MachineState {
            selected: 0,
            pane: MachinePane::Machines,
            scroll: 0,
            // Until a layout says otherwise: a page of an 80×24 screen.
            viewport: (48, 19),
        }
    }
}

impl MachineState {
    /// Moves the selection by `delta` machines, stopping at either end; a
    /// new machine's script starts at its top.
    pub fn move_by(&mut self, delta: isize, machines: usize) {
        let last = machines.saturating_sub(1) as isize;
        self.select((self.selected as isize + delta).clamp(0, last) as usize);
    }

    /// Selects machine `target` (clamped).
    pub fn move_to(&mut self, target: usize, machines: usize) {
        self.select(target.min(machines.saturating_sub(1)));
    }

    fn select(&mut self, machine: usize) {
        if machine != self.selected {
            self.scroll = 0;
        }
        self.selected = machine;
    }

    /// Tab and Shift-Tab: there are two panes, so either goes to the other.
    pub fn toggle_pane(&mut self) {
        self.pane = match self.pane {
            MachinePane::Machines => MachinePane::Script,
            MachinePane::Script => MachinePane::Machines,
        };
    }

    /// Rows the script pane shows at once.
    pub fn height(&self) -> usize {
        usize::from(self.viewport.1).max(1)
    }

    /// The first machine the list shows: from the top, until the selected
    /// one would fall below the pane (the list is as tall as the script).
    pub fn first_shown(&self) -> usize {
        self.selected.saturating_sub(self.height() - 1)
    }

    /// Rows a page moves: the visible script, less one for context.
    pub fn page(&self) -> isize {
        self.height().saturating_sub(1).max(1) as isize
    }

    /// The furthest the script can scroll: its last row at the bottom of
    /// the pane, never past it.
    pub fn last_scroll(&self, rows: usize) -> usize {
        rows.saturating_sub(self.height())
    }

    /// Scrolls the script by `delta` rows of the `rows` it wraps to,
    /// stopping at its top and where its end reaches the bottom.
    pub fn scroll_by(&mut self, delta: isize, rows: usize) {
        let target = (self.scroll as isize).saturating_add(delta).max(0) as usize;
        self.scroll = target.min(self.last_scroll(rows));
    }
}

/// Components that carry at least one rule: a machine that is also another
/// (a host in an untrusted domain, a Hyper-V host) carries that one's rules too.
/// `outbound` is the setting that puts rules on sources as well.
pub fn machines(catalog: &Catalog, outbound: bool) -> Vec<&Component> {
    catalog
        .components
        .iter()
        .filter(|m| {
            catalog.connections.iter().any(|c| {
                c.placements(outbound)
                    .iter()
                    .any(|p| catalog.acts_as(&m.id, p.machine))
            })
        })
        .collect()
}

/// The script's lines as the pane shows them, `width` columns wide: each
/// line broken at the last space that fits, or mid-word when a word is
/// wider than the pane. With the index of the line each row comes from, so
/// the renderer styles comment rows; the state counts the same rows to
/// know where the script ends.
pub fn wrap(lines: &[String], width: u16) -> Vec<(usize, String)> {
    let width = usize::from(width).max(1);
    let mut rows = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let mut row = String::new();
        let mut used = 0;
        // Where the row could break: after its last space, and the width
        // up to there.
        let mut space: Option<(usize, usize)> = None;
        for c in line.chars() {
            let w = c.width().unwrap_or(0);
            if c == ' ' && used + w > width {
                // A space past the edge ends the row, and is not carried
                // to the start of the next.
                rows.push((index, std::mem::take(&mut row)));
                (used, space) = (0, None);
                continue;
            }
            if used + w > width && !row.is_empty() {
                let rest = match space {
                    Some((at, before)) if at < row.len() => {
                        let rest = row.split_off(at);
                        used -= before;
                        rest
                    }
                    _ => {
                        used = 0;
                        String::new()
                    }
                };
                rows.push((index, std::mem::replace(&mut row, rest)));
                space = None;
            }
            row.push(c);
            used += w;
            if c == ' ' {
                space = Some((row.len(), used));
            }
        }
        rows.push((index, row));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[&str], width: u16) -> Vec<String> {
        let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        wrap(&lines, width).into_iter().map(|(_, r)| r).collect()
    }

    #[test]
    fn lines_wrap_at_spaces_and_mid_word_only_when_they_must() {
        assert_eq!(
            texts(&["New-NetFirewallRule -Name 'x'"], 12),
            ["New-NetFirew", "allRule ", "-Name 'x'"]
        );
        assert_eq!(texts(&["ab cd ef", ""], 5), ["ab cd", "ef", ""]);
        assert_eq!(texts(&["ab cde f"], 5), ["ab ", "cde f"]);
        assert_eq!(texts(&["abc"], 0), ["a", "b", "c"], "no width: a column");
        let lines = vec!["one two".to_string(), "three".to_string()];
        let sources: Vec<usize> = wrap(&lines, 4).iter().map(|(i, _)| *i).collect();
        assert_eq!(sources, [0, 0, 1, 1], "each row knows its line");
    }

    #[test]
    fn the_script_scrolls_no_further_than_its_end() {
        let mut state = MachineState {
            viewport: (40, 10),
            ..MachineState::default()
        };
        state.scroll_by(100, 25);
        assert_eq!(state.scroll, 15, "the last row sits at the bottom");
        state.scroll_by(-state.page(), 25);
        assert_eq!(state.scroll, 6);
        state.scroll_by(-100, 25);
        assert_eq!(state.scroll, 0);
        state.scroll_by(5, 4);
        assert_eq!(state.scroll, 0, "a script that fits does not scroll");
        state.scroll = 7;
        state.move_by(1, 3);
        assert_eq!(
            (state.selected, state.scroll),
            (1, 0),
            "a new machine starts at the top"
        );
        state.move_by(5, 3);
        state.scroll = 3;
        state.move_by(5, 3);
        assert_eq!(
            (state.selected, state.scroll),
            (2, 3),
            "the same machine keeps its place"
        );
    }
}
