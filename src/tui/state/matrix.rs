//! The matrix view: sources down, destinations across, and the cell the
//! cursor is on. The axes come from the catalog and the cells from the
//! filter's hits, so the cursor is all the state the view keeps.

use crate::catalog::{Catalog, Connection};
use crate::query::Hit;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatrixState {
    /// The cursor: (row, column) in [`axes`].
    pub cell: (usize, usize),
}

impl MatrixState {
    /// Moves the cursor by `delta` rows, stopping at either end.
    pub fn move_row_by(&mut self, delta: isize, rows: usize) {
        self.cell.0 = clamped(self.cell.0, delta, rows);
    }

    /// Moves the cursor by `delta` columns, stopping at either end.
    pub fn move_column_by(&mut self, delta: isize, columns: usize) {
        self.cell.1 = clamped(self.cell.1, delta, columns);
    }

    /// Puts the cursor on row `target` (clamped).
    pub fn move_row_to(&mut self, target: usize, rows: usize) {
        self.cell.0 = target.min(rows.saturating_sub(1));
    }
}

/// `now + delta`, kept within `0..len` (0 when there is nothing).
fn clamped(now: usize, delta: isize, len: usize) -> usize {
    (now as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize
}

/// Source component ids (rows) and destination ids (columns) of the
/// matrix: only components that open or accept some connection.
pub fn axes(catalog: &Catalog) -> (Vec<String>, Vec<String>) {
    let mut rows: Vec<String> = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    for component in &catalog.components {
        let id = &component.id;
        if catalog.connections.iter().any(|c| c.from.contains(id)) {
            rows.push(id.clone());
        }
        if catalog.connections.iter().any(|c| c.to.contains(id)) {
            columns.push(id.clone());
        }
    }
    (rows, columns)
}

/// The hits' connections from `from` to `to`: the matrix follows the
/// filter, as the list does.
pub fn cell<'a>(
    catalog: &'a Catalog,
    hits: &'a [Hit],
    from: &str,
    to: &str,
) -> impl Iterator<Item = &'a Connection> {
    let (from, to) = (from.to_string(), to.to_string());
    hits.iter()
        .map(|hit| &catalog.connections[hit.index])
        .filter(move |c| c.from.contains(&from) && c.to.contains(&to))
}
