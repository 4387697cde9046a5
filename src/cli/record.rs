//! The flat, documented shape of one connection in machine-readable output
//! (`list --format json|csv`, `show --format json`). Scripts depend on these
//! field names; add fields, never rename them.

use serde::Serialize;

use crate::catalog::{Catalog, Connection, PortSpec};

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
    /// Display names of the machines the docs put the rule on (empty for
    /// local calls); `rules` says where vmmports puts rules.
    pub rule_on: String,
    pub rule_on_ids: &'a [String],
    /// The direction of the docs' rule.
    pub direction: &'static str,
    /// Every rule the connection needs: inbound on each destination, and
    /// outbound where the docs ask for it.
    pub rules: Vec<PlacementRecord<'a>>,
    /// `setup`, `fixed`, `device`, `host` or `none`.
    pub configurable: &'static str,
    /// The first setup key (VMServer.ini) of the connection's ports, if any.
    pub setup_key: Option<&'a str>,
    /// Every setup key, for connections whose ports have different ones.
    pub setup_keys: Vec<&'a str>,
    /// For `device` and `host`: where the port is set.
    pub configured_at: Option<&'a str>,
    pub from_docs: bool,
    pub notes: &'a [String],
}

/// One machine that carries a rule for the connection.
#[derive(Debug, Serialize)]
pub struct PlacementRecord<'a> {
    /// A component id.
    pub on: &'a str,
    pub direction: &'static str,
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
    /// What `check` speaks on the port.
    pub probe: &'static str,
    /// With a TLS probe, what `check` speaks inside the session.
    pub inside_tls: Option<&'static str>,
}

impl<'a> PortRecord<'a> {
    pub fn new(catalog: &Catalog, p: &'a PortSpec) -> Self {
        PortRecord {
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
            probe: p.probe().as_str(),
            inside_tls: p.inside_tls.map(|p| p.as_str()),
        }
    }
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
                .map(|p| PortRecord::new(catalog, p))
                .collect(),
            rule_on: catalog.names(&conn.rule_on),
            rule_on_ids: &conn.rule_on,
            direction: conn.direction.as_str(),
            rules: conn
                .placements(false)
                .into_iter()
                .map(|p| PlacementRecord {
                    on: p.machine,
                    direction: p.direction.as_str(),
                })
                .collect(),
            configurable: conn.modifiability.as_str(),
            setup_key: setup_keys.first().copied(),
            setup_keys,
            configured_at: conn.modifiability.place(),
            from_docs: conn.from_docs,
            notes: &conn.notes,
        }
    }
}
