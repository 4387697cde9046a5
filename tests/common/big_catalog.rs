//! Big catalogs for the tests that need many rows (background search,
//! streaming loads): the embedded catalog's connections repeated, each copy
//! with ids of its own so the catalog stays valid.

use vmmports::catalog::{self, Catalog};

/// The embedded catalog with exactly `count` connections.
pub fn repeated(count: usize) -> Catalog {
    let mut catalog = catalog::embedded().expect("the embedded catalog is valid");
    let originals = std::mem::take(&mut catalog.connections);
    catalog.connections = (0..count)
        .map(|i| {
            let mut conn = originals[i % originals.len()].clone();
            conn.id = format!("{}-{i}", conn.id);
            conn
        })
        .collect();
    catalog
}
