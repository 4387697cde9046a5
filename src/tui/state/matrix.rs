//! The matrix view: sources down, destinations across, and the cell the
//! cursor is on. Axes and cells both come from the filter's hits, so a
//! filter draws only the sources and destinations it matches; with no filter
//! every row is a hit, and the matrix is the whole catalog's.
//!
//! The cursor is all the state the view keeps. It is held as the two
//! components it points at, not as a row and a column: a filter changes the
//! axes under it, and the same components are still the same cell.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::catalog::{Catalog, Connection};
use crate::query::Hit;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixState {
    /// The selected cell: its source and its destination component ids.
    /// `None` until the matrix has a cell.
    pub cursor: Option<(String, String)>,
}

impl MatrixState {
    /// (row, column) of the cursor on `axes`; `None` when it is not on them.
    pub fn position(&self, axes: &Axes) -> Option<(usize, usize)> {
        let (from, to) = self.cursor.as_ref()?;
        axes.position(from, to)
    }

    /// Moves the cursor by `rows` and `columns`, stopping at either end.
    pub fn move_by(&mut self, axes: &Axes, rows: isize, columns: isize) {
        let (row, column) = self.position(axes).unwrap_or_default();
        self.put(
            axes,
            clamped(row, rows, axes.rows.len()),
            clamped(column, columns, axes.columns.len()),
        );
    }

    /// Puts the cursor on row `target` (clamped), in the same column.
    pub fn move_row_to(&mut self, axes: &Axes, target: usize) {
        let (_, column) = self.position(axes).unwrap_or_default();
        self.put(axes, target.min(axes.rows.len().saturating_sub(1)), column);
    }

    /// After the hits changed, or on entering the view: the cursor stays
    /// where it is while its cell holds a hit; otherwise it goes to the
    /// filled cell nearest to where it was (its source's row and its
    /// destination's column, where they are still on the axes; the top left
    /// where not), so the view never opens on an empty cell.
    pub fn settle(&mut self, axes: &Axes) {
        let near = match &self.cursor {
            Some((from, to)) => {
                let row = axes.rows.iter().position(|r| r == from);
                let column = axes.columns.iter().position(|c| c == to);
                if let (Some(row), Some(column)) = (row, column)
                    && axes.is_filled(row, column)
                {
                    return;
                }
                (row.unwrap_or(0), column.unwrap_or(0))
            }
            None => (0, 0),
        };
        // With nothing filled there is no cell to be on: the components
        // are kept, so a filter that matches them again finds the cursor.
        if let Some((row, column)) = axes.nearest_filled(near) {
            self.put(axes, row, column);
        }
    }

    fn put(&mut self, axes: &Axes, row: usize, column: usize) {
        if let (Some(from), Some(to)) = (axes.rows.get(row), axes.columns.get(column)) {
            self.cursor = Some((from.clone(), to.clone()));
        }
    }
}

/// `now + delta`, kept within `0..len` (0 when there is nothing).
fn clamped(now: usize, delta: isize, len: usize) -> usize {
    now.saturating_add_signed(delta).min(len.saturating_sub(1))
}

/// The matrix's axes: the components that open (rows) or accept (columns)
/// one of the hits, in catalog order, and which cells hold a hit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Axes {
    /// Source component ids, one per row.
    pub rows: Vec<String>,
    /// Destination component ids, one per column.
    pub columns: Vec<String>,
    /// (row, column) of every cell that holds at least one hit.
    filled: BTreeSet<(usize, usize)>,
}

impl Axes {
    /// The axes of `hits`: with every row a hit, those of the whole catalog.
    /// One pass over the hits, since it runs for each frame and keystroke.
    pub fn new(catalog: &Catalog, hits: &[Hit]) -> Axes {
        let mut pairs: HashSet<(&str, &str)> = HashSet::new();
        for hit in hits {
            let conn = &catalog.connections[hit.index];
            for from in &conn.from {
                for to in &conn.to {
                    pairs.insert((from.as_str(), to.as_str()));
                }
            }
        }
        let sources: HashSet<&str> = pairs.iter().map(|(from, _)| *from).collect();
        let destinations: HashSet<&str> = pairs.iter().map(|(_, to)| *to).collect();
        // Components keep the catalog's order, so the axes read the same
        // whatever the filter leaves of them.
        let ids = |on: &HashSet<&str>| -> Vec<String> {
            catalog
                .components
                .iter()
                .filter(|c| on.contains(c.id.as_str()))
                .map(|c| c.id.clone())
                .collect()
        };
        let (rows, columns) = (ids(&sources), ids(&destinations));
        let index = |axis: &[String]| -> HashMap<String, usize> {
            axis.iter()
                .cloned()
                .enumerate()
                .map(|(i, id)| (id, i))
                .collect()
        };
        let (row_of, column_of) = (index(&rows), index(&columns));
        let filled = pairs
            .iter()
            .filter_map(|(from, to)| Some((*row_of.get(*from)?, *column_of.get(*to)?)))
            .collect();
        Axes {
            rows,
            columns,
            filled,
        }
    }

    /// The cell at (`row`, `column`) holds a hit.
    pub fn is_filled(&self, row: usize, column: usize) -> bool {
        self.filled.contains(&(row, column))
    }

    /// (row, column) of the cell from `from` to `to`, when both are on the axes.
    pub fn position(&self, from: &str, to: &str) -> Option<(usize, usize)> {
        Some((
            self.rows.iter().position(|r| r == from)?,
            self.columns.iter().position(|c| c == to)?,
        ))
    }

    /// The filled cell nearest to `(row, column)`: the nearest row first,
    /// then the nearest column in it; ties go up and left.
    fn nearest_filled(&self, (row, column): (usize, usize)) -> Option<(usize, usize)> {
        self.filled
            .iter()
            .copied()
            .min_by_key(|&(r, c)| (r.abs_diff(row), c.abs_diff(column), r, c))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn every_row(catalog: &Catalog) -> Vec<Hit> {
        (0..catalog.connections.len())
            .map(|index| Hit { index, score: 0 })
            .collect()
    }

    /// An empty cell sends the cursor to the nearest filled one in the same
    /// row (every row holds one), not back to the top left.
    #[test]
    fn an_empty_cell_settles_on_the_nearest_match_in_its_row() {
        let catalog = crate::catalog::embedded().unwrap();
        let axes = Axes::new(&catalog, &every_row(&catalog));
        for (row, from) in axes.rows.iter().enumerate() {
            for (col, to) in axes.columns.iter().enumerate() {
                if axes.is_filled(row, col) {
                    continue;
                }
                let mut state = MatrixState {
                    cursor: Some((from.clone(), to.clone())),
                };
                state.settle(&axes);
                let (r, c) = state.position(&axes).unwrap();
                assert_eq!(r, row, "{from} → {to} left its row");
                assert!(axes.is_filled(r, c));
                let closer = (0..axes.columns.len())
                    .filter(|&other| axes.is_filled(row, other))
                    .any(|other| other.abs_diff(col) < c.abs_diff(col));
                assert!(!closer, "{from} → {to}: a nearer match than column {c}");
            }
        }
    }

    /// A filled cell keeps the cursor; a cursor whose components left the
    /// axes goes to a match; moves stop at the ends.
    #[test]
    fn the_cursor_stays_on_the_axes() {
        let catalog = crate::catalog::embedded().unwrap();
        let hits = every_row(&catalog);
        let axes = Axes::new(&catalog, &hits);
        let mut state = MatrixState::default();
        state.settle(&axes);
        let first = state.position(&axes).unwrap();
        assert!(axes.is_filled(first.0, first.1));
        // The last row's filled cells, each kept as it is.
        let last = axes.rows.len() - 1;
        for col in (0..axes.columns.len()).filter(|&c| axes.is_filled(last, c)) {
            state.move_by(&axes, 1000, 0);
            state.move_by(
                &axes,
                0,
                col as isize - state.position(&axes).unwrap().1 as isize,
            );
            let kept = state.cursor.clone();
            state.settle(&axes);
            assert_eq!(state.cursor, kept);
        }
        state.move_by(&axes, 1000, 1000);
        assert_eq!(
            state.position(&axes),
            Some((axes.rows.len() - 1, axes.columns.len() - 1))
        );
        state.move_by(&axes, -1000, -1000);
        assert_eq!(state.position(&axes), Some((0, 0)));
        state.move_row_to(&axes, usize::MAX);
        assert_eq!(state.position(&axes), Some((axes.rows.len() - 1, 0)));

        // Only the SQL Server rows: the cursor's components are gone.
        let sql: Vec<Hit> = hits
            .into_iter()
            .filter(|h| catalog.connections[h.index].to == ["sql-server"])
            .collect();
        let narrow = Axes::new(&catalog, &sql);
        assert_eq!(narrow.columns, ["sql-server"]);
        state.settle(&narrow);
        let (r, c) = state.position(&narrow).unwrap();
        assert!(narrow.is_filled(r, c));

        // Nothing matches: no position, and nothing to settle on.
        let none = Axes::new(&catalog, &[]);
        state.settle(&none);
        assert_eq!(state.position(&none), None);
    }
}
