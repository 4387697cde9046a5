//! The machine view ("what do I open on…"): which machine is selected. The
//! machines themselves follow from the catalog and the settings, so only the
//! selection is state.

use crate::catalog::{Catalog, Component};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MachineState {
    /// Selected machine, an index into [`machines`].
    pub selected: usize,
}

impl MachineState {
    /// Moves the selection by `delta` machines, stopping at either end.
    pub fn move_by(&mut self, delta: isize, machines: usize) {
        let last = machines.saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    /// Selects machine `target` (clamped).
    pub fn move_to(&mut self, target: usize, machines: usize) {
        self.selected = target.min(machines.saturating_sub(1));
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
