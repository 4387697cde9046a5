//! The flat, documented shape of one connection in machine-readable output
//! (`list --format json|csv`, `show --format json`). Scripts depend on these
//! field names; add fields, never rename them.

use serde::Serialize;

use crate::catalog::{Catalog, Connection, Modifiability};

#[derive(Debug, Serialize)]
pub struct Record<'a> {
    pub id: &'a str,
    pub section: &'static str,
    /// Display names of the source components, comma-separated.
    pub from: String,
    pub to: String,
    pub from_ids: &'a [String],
    pub to_ids: &'a [String],
    pub ports: Vec<PortRecord<'a>>,
    /// Display names of the machines that carry the rule (empty for local calls).
    pub rule_on: String,
    pub rule_on_ids: &'a [String],
    pub direction: &'static str,
    /// `setup`, `fixed`, `device` or `none`.
    pub configurable: &'static str,
    /// The first setup key (VMServer.ini) of the connection's ports, if any.
    pub setup_key: Option<&'a str>,
    /// Every setup key, for connections whose ports have different ones.
    pub setup_keys: Vec<&'a str>,
    /// For `device`: where the port is set.
    pub configured_at: Option<&'a str>,
    pub from_docs: bool,
    pub notes: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct PortRecord<'a> {
    pub first: u16,
    pub last: u16,
    pub transport: &'static str,
    pub service: &'a str,
    pub purpose: &'a str,
    pub setup_key: Option<&'a str>,
    /// The port setup proposes for `setup_key`.
    pub setup_default: Option<u16>,
}

impl<'a> Record<'a> {
    pub fn new(catalog: &'a Catalog, conn: &'a Connection) -> Self {
        let setup_keys = conn.setup_keys();
        Record {
            id: &conn.id,
            section: conn.section.as_str(),
            from: catalog.names(&conn.from),
            to: catalog.names(&conn.to),
            from_ids: &conn.from,
            to_ids: &conn.to,
            ports: conn
                .ports
                .iter()
                .map(|p| PortRecord {
                    first: p.first,
                    last: p.last,
                    transport: p.transport.as_str(),
                    service: &p.service,
                    purpose: &p.purpose,
                    setup_key: p.setup_key.as_deref(),
                    setup_default: p
                        .setup_key
                        .as_deref()
                        .and_then(|k| catalog.setup_feature(k))
                        .map(|f| f.default),
                })
                .collect(),
            rule_on: catalog.names(&conn.rule_on),
            rule_on_ids: &conn.rule_on,
            direction: conn.direction.as_str(),
            configurable: conn.modifiability.as_str(),
            setup_key: setup_keys.first().copied(),
            setup_keys,
            configured_at: match &conn.modifiability {
                Modifiability::Device { place } => Some(place),
                _ => None,
            },
            from_docs: conn.from_docs,
            notes: &conn.notes,
        }
    }
}
