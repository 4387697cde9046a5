//! Selecting exactly what a query names, for the commands that act on it:
//! `rules` writes firewall rules and `check` connects, so neither may take
//! more than was asked for.
//!
//! - Free words match as plain text (see [`SearchIndex::search_plain`]).
//! - A row is a unit that works only whole (a PXE boot needs DHCP, TFTP and
//!   the TFTP data range together), so a word that names the row itself (its
//!   id, one of its components by id, name or alias, or its notes) keeps every
//!   port: `pxe` keeps all of `pxe-boot`.
//! - Only a word found nowhere but in some ports' service or purpose trims the
//!   row to those ports (`netbios` keeps port 139 of the agent row, not 80,
//!   135 or 445), and `port:` and `proto:` terms keep the ports they match.

use super::index::{SearchIndex, names_component};
use super::parse::{Query, TermKind};
use crate::catalog::{Catalog, Connection, PortSpec};

/// The connections `query` selects in `catalog`, in catalog order, each
/// holding only the ports the query names.
pub fn select(catalog: &Catalog, query: &Query) -> Vec<Connection> {
    SearchIndex::new(catalog)
        .search_plain(query)
        .iter()
        .filter_map(|hit| catalog.connections.get(hit.index))
        .map(|conn| narrowed(catalog, conn, query))
        .collect()
}

/// Whether the (lowercase) `word` is found in the row as a whole rather than
/// in some of its ports: its id, its notes, or one of its components (id,
/// name or alias, on either end).
fn names_row(catalog: &Catalog, conn: &Connection, word: &str) -> bool {
    conn.id.to_lowercase().contains(word)
        || conn.notes.iter().any(|n| n.to_lowercase().contains(word))
        || conn
            .from
            .iter()
            .chain(&conn.to)
            .filter_map(|id| catalog.component(id))
            .any(|c| names_component(word, c))
}

/// `conn` with only the ports the query's positive terms name.
fn narrowed(catalog: &Catalog, conn: &Connection, query: &Query) -> Connection {
    let mut kept: Vec<&PortSpec> = conn.ports.iter().collect();
    let mut named_by_words: Vec<Vec<&PortSpec>> = Vec::new();
    for term in query.terms.iter().filter(|t| !t.negated) {
        match &term.kind {
            TermKind::Fuzzy(word) if names_row(catalog, conn, word) => {}
            TermKind::Fuzzy(word) => {
                let named: Vec<&PortSpec> = conn
                    .ports
                    .iter()
                    .filter(|p| {
                        p.service.to_lowercase().contains(word.as_str())
                            || p.purpose.to_lowercase().contains(word.as_str())
                    })
                    .collect();
                if !named.is_empty() {
                    named_by_words.push(named);
                }
            }
            TermKind::Port(ranges) => {
                kept.retain(|p| ranges.iter().any(|&(a, b)| p.overlaps(a, b)))
            }
            TermKind::Proto(transport) => kept.retain(|p| p.transport == *transport),
            _ => {}
        }
    }
    if !named_by_words.is_empty() {
        // Ports every word names; if the words name different ports of the
        // row (`winrm smb`), each word's ports.
        let every: Vec<&PortSpec> = kept
            .iter()
            .copied()
            .filter(|p| named_by_words.iter().all(|named| named.contains(p)))
            .collect();
        kept = if every.is_empty() {
            kept.into_iter()
                .filter(|p| named_by_words.iter().any(|named| named.contains(p)))
                .collect()
        } else {
            every
        };
    }
    if kept.is_empty() {
        // The row matched, so some term named it as a whole: keep it whole.
        return conn.clone();
    }
    Connection {
        ports: kept.into_iter().cloned().collect(),
        ..conn.clone()
    }
}
