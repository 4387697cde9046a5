//! Selecting exactly what a query names, for the commands that act on it:
//! `rules` writes firewall rules and `check` connects, so neither may take
//! more than was asked for.
//!
//! - Free words match as plain text (see [`SearchIndex::search_plain`]).
//! - Within a matching row, only the ports the query names are kept: a word
//!   found in some ports' service or purpose keeps those (`winrm` keeps port
//!   80's "WinRM 1.1" of the agent row, not 135, 139 or 445), and `port:` and
//!   `proto:` terms keep the ports they match. A row matched by other fields
//!   (its id, its components, its notes) keeps all its ports.

use super::index::SearchIndex;
use super::parse::{Query, TermKind};
use crate::catalog::{Catalog, Connection, PortSpec};

/// The connections `query` selects in `catalog`, in catalog order, each
/// holding only the ports the query names.
pub fn select(catalog: &Catalog, query: &Query) -> Vec<Connection> {
    SearchIndex::new(catalog)
        .search_plain(query)
        .iter()
        .filter_map(|hit| catalog.connections.get(hit.index))
        .map(|conn| narrowed(conn, query))
        .collect()
}

/// `conn` with only the ports the query's positive terms name.
fn narrowed(conn: &Connection, query: &Query) -> Connection {
    let mut kept: Vec<&PortSpec> = conn.ports.iter().collect();
    let mut named_by_words: Vec<Vec<&PortSpec>> = Vec::new();
    for term in query.terms.iter().filter(|t| !t.negated) {
        match &term.kind {
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
