//! Network flows, for the team that runs the firewalls between networks:
//! who opens a connection to whom, on which protocol and ports, and why.
//!
//! Host rules say what each machine lets in; a network firewall sees the
//! same traffic as flows from a source to a destination. Each connection
//! gives one flow per source, destination and protocol, and flows with the
//! same endpoints and protocol merge their ports: one line of a change
//! request each. Local calls (direction `none`) cross no network and give
//! none.
//!
//! The flows feed `vmmports flows` (a table, CSV, Markdown or JSON), the
//! Aerleon policy (`aerleon.rs`) and the diagrams (`diagram.rs`).

pub mod aerleon;
pub mod diagram;
pub mod table;

use crate::catalog::{
    Catalog, CatalogNote, Component, Connection, Direction, End, PortSpec, Section, Transport,
};

/// What a flow's ports come from: a connection, or a catalog note's extra
/// ports (the dynamic RPC range, with `--include-dynamic`).
#[derive(Debug, Clone, Copy)]
pub enum Origin<'c> {
    Connection(&'c Connection),
    Note(&'c CatalogNote),
}

impl<'c> Origin<'c> {
    pub fn id(&self) -> &'c str {
        match self {
            Origin::Connection(c) => &c.id,
            Origin::Note(n) => &n.id,
        }
    }

    pub fn ports(&self) -> &'c [PortSpec] {
        match self {
            Origin::Connection(c) => &c.ports,
            Origin::Note(n) => &n.ports,
        }
    }

    pub fn from_docs(&self) -> bool {
        match self {
            Origin::Connection(c) => c.from_docs,
            Origin::Note(n) => n.from_docs,
        }
    }

    /// The catalog section it belongs to (notes are catalog-wide).
    pub fn section(&self) -> Section {
        match self {
            Origin::Connection(c) => c.section,
            Origin::Note(_) => Section::General,
        }
    }
}

/// Traffic from one component to another on one protocol.
#[derive(Debug, Clone)]
pub struct Flow<'c> {
    pub source: &'c Component,
    pub destination: &'c Component,
    pub protocol: Transport,
    /// The ports on `protocol`, in catalog order; a spec that two merged
    /// origins share appears once.
    pub ports: Vec<&'c PortSpec>,
    /// The connections (and notes) merged into this flow, in catalog order.
    pub origins: Vec<Origin<'c>>,
    /// The components the origins name at each end, which `source` and
    /// `destination` play: the storage service, for a flow that leaves the
    /// VMM server (`from:storage` finds it).
    pub source_roles: Vec<&'c Component>,
    pub destination_roles: Vec<&'c Component>,
    /// Whether every origin reaches that end only as a machine that is
    /// `also` the role it names ([`crate::catalog::End`]): a deployment may
    /// have no such machine, so [`present`] leaves the flow out when that
    /// end has no address.
    pub source_optional: bool,
    pub destination_optional: bool,
}

impl Flow<'_> {
    /// `80,443/tcp`, as `list` writes ports.
    pub fn ports_text(&self) -> String {
        crate::catalog::ports_text(self.ports.iter().copied())
    }

    /// The services of the ports, each once: `HTTP, HTTPS`.
    pub fn service(&self) -> String {
        crate::text::join_unique(self.ports.iter().map(|p| p.service.as_str()), ", ")
    }

    /// What the ports are for, each purpose once.
    pub fn purpose(&self) -> String {
        crate::text::join_unique(self.ports.iter().map(|p| p.purpose.as_str()), " ")
    }

    /// The ids of the connections (and notes) merged into the flow.
    pub fn connection_ids(&self) -> Vec<&str> {
        self.origins.iter().map(Origin::id).collect()
    }

    /// True only when everything merged into it comes from the docs page.
    pub fn from_docs(&self) -> bool {
        self.origins.iter().all(Origin::from_docs)
    }
}

/// The flows of `connections`, merged per (source, destination, protocol),
/// in the order they first appear, between the machines that play each end
/// ([`Catalog::machines_acting_as`]); with `include_dynamic`, also the ports of
/// the catalog's notes (the dynamic RPC range) from each of their peers to
/// each component that needs them, as `rules --include-dynamic` opens them.
/// References that do not resolve cannot occur in a validated catalog and
/// are skipped.
pub fn flows<'c>(
    catalog: &'c Catalog,
    connections: &[&'c Connection],
    include_dynamic: bool,
) -> Vec<Flow<'c>> {
    let mut out: Vec<Flow<'c>> = Vec::new();
    // Each end is every machine that plays it: an untrusted-domain host is also a
    // Hyper-V host, and the storage service's traffic leaves the VMM server.
    let resolve = |ids: &'c [String]| -> Vec<(End<'c>, &'c Component)> {
        ids.iter()
            .filter_map(|id| catalog.component(id))
            .flat_map(|role| {
                catalog
                    .ends(std::slice::from_ref(&role.id))
                    .into_iter()
                    .map(move |end| (end, role))
            })
            .collect()
    };
    for &conn in connections {
        if conn.direction == Direction::None {
            continue;
        }
        for from in resolve(&conn.from) {
            for to in resolve(&conn.to) {
                add(&mut out, from, to, Origin::Connection(conn));
            }
        }
    }
    if include_dynamic {
        for note in catalog.notes.iter().filter(|n| !n.ports.is_empty()) {
            for from in resolve(&note.peers) {
                for to in resolve(&note.components) {
                    add(&mut out, from, to, Origin::Note(note));
                }
            }
        }
    }
    out
}

/// `origin`'s ports from `source` to `destination`, a flow per protocol.
fn add<'c>(
    flows: &mut Vec<Flow<'c>>,
    (source, source_role): (End<'c>, &'c Component),
    (destination, destination_role): (End<'c>, &'c Component),
    origin: Origin<'c>,
) {
    for protocol in Transport::ALL {
        let ports: Vec<&PortSpec> = origin
            .ports()
            .iter()
            .filter(|p| p.transport == protocol)
            .collect();
        if !ports.is_empty() {
            merge(
                flows,
                Flow {
                    source: source.machine,
                    destination: destination.machine,
                    protocol,
                    ports,
                    origins: vec![origin],
                    source_roles: vec![source_role],
                    destination_roles: vec![destination_role],
                    source_optional: source.optional,
                    destination_optional: destination.optional,
                },
            );
        }
    }
}

/// Adds `new` to `flows`, or its ports and origin to the flow with the same
/// ends and protocol.
fn merge<'c>(flows: &mut Vec<Flow<'c>>, new: Flow<'c>) {
    let existing = flows.iter_mut().find(|f| {
        f.source.id == new.source.id
            && f.destination.id == new.destination.id
            && f.protocol == new.protocol
    });
    let Some(flow) = existing else {
        flows.push(new);
        return;
    };
    for port in new.ports {
        if !flow.ports.contains(&port) {
            flow.ports.push(port);
        }
    }
    for origin in new.origins {
        if !flow.origins.iter().any(|o| o.id() == origin.id()) {
            flow.origins.push(origin);
        }
    }
    for (roles, new_roles) in [
        (&mut flow.source_roles, new.source_roles),
        (&mut flow.destination_roles, new.destination_roles),
    ] {
        for role in new_roles {
            if !roles.iter().any(|r| r.id == role.id) {
                roles.push(role);
            }
        }
    }
    flow.source_optional &= new.source_optional;
    flow.destination_optional &= new.destination_optional;
}

/// Only the flows whose ends the query's `from:`, `to:` and `on:` terms
/// name:
/// `to:hyper-v` selects the agent's connection, which also goes to library
/// servers, but the flows asked for are those to the hosts.
pub fn named_by<'c>(flows: Vec<Flow<'c>>, query: &crate::query::Query) -> Vec<Flow<'c>> {
    use crate::query::{TermKind, names_component};
    flows
        .into_iter()
        .filter(|flow| {
            query.terms.iter().all(|term| {
                let source =
                    || std::iter::once(flow.source).chain(flow.source_roles.iter().copied());
                let destination = || {
                    std::iter::once(flow.destination).chain(flow.destination_roles.iter().copied())
                };
                let named = match &term.kind {
                    TermKind::From(word) => source().any(|c| names_component(word, c)),
                    TermKind::To(word) => destination().any(|c| names_component(word, c)),
                    // A flow is let in at its destination, and out at its
                    // source when outbound rules are asked for: either end
                    // carries a rule for it.
                    TermKind::On(word) => {
                        destination().any(|c| names_component(word, c))
                            || source().any(|c| names_component(word, c))
                    }
                    _ => return true,
                };
                named != term.negated
            })
        })
        .collect()
}

/// The flows a deployment has: a flow whose optional end (a machine only
/// `also` the role its connections name, such as a host in an untrusted
/// domain) has no address is left out, since the deployment may have no
/// such machine; the role's own flows stand. Also returns the machines
/// left out that way, so the caller can say so.
pub fn present<'c>(
    flows: Vec<Flow<'c>>,
    settings: &crate::rules::settings::Settings,
) -> (Vec<Flow<'c>>, Vec<&'c Component>) {
    let mut left_out: Vec<&Component> = Vec::new();
    let mut kept = Vec::new();
    for flow in flows {
        let absent = |optional: bool, machine: &Component| {
            optional && addresses(settings, machine).is_none()
        };
        let gone: Vec<&Component> = [
            (flow.source_optional, flow.source),
            (flow.destination_optional, flow.destination),
        ]
        .into_iter()
        .filter(|&(optional, machine)| absent(optional, machine))
        .map(|(_, machine)| machine)
        .collect();
        if gone.is_empty() {
            kept.push(flow);
        }
        for machine in gone {
            if !left_out.iter().any(|m| m.id == machine.id) {
                left_out.push(machine);
            }
        }
    }
    (kept, left_out)
}

/// What a component's address cell says when no address was given.
pub const NO_ADDRESS: &str = "(address not given)";

/// The addresses given for `component` (`--remote`, or the config file),
/// or `None` when there are none.
pub fn addresses<'s>(
    settings: &'s crate::rules::settings::Settings,
    component: &Component,
) -> Option<&'s [String]> {
    settings
        .remote
        .get(&component.id)
        .map(Vec::as_slice)
        .filter(|a| !a.is_empty())
}
