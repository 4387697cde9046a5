//! What the rules mean, before any dialect spells them: for each machine,
//! which ports to allow, in which direction, from or to which addresses.
//!
//! - Inbound on the rule's machine: local ports are the service ports, and the
//!   remote addresses are the sources' (when the user gave them).
//! - Outbound: remote ports are the service ports, and the remote addresses
//!   are the destinations'.
//! - TCP and UDP become separate rules; a local call becomes a note.

use super::address::Address;
use super::settings::Settings;
use crate::catalog::{Catalog, Component, Connection, Direction, PortSpec, Transport};

/// Everything to do, grouped by the machine it is done on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan<'c> {
    pub sections: Vec<Section<'c>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section<'c> {
    pub machine: &'c Component,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Rule(Rule),
    /// Said as a comment: something with no firewall rule (a local call).
    Note(String),
}

/// One firewall rule, independent of dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The catalog connection (or note) it comes from.
    pub source_id: String,
    pub direction: Direction,
    pub transport: Transport,
    /// Inclusive port ranges; local ports inbound, remote ports outbound.
    pub ports: Vec<(u16, u16)>,
    /// Empty means any address.
    pub remote: Vec<Address>,
    /// `<group> - <connection> (<ports>/<proto>)`: what admins see.
    pub display_name: String,
    /// `<group> - <connection> (<proto>)`, for fields too small for the ports.
    pub short_name: String,
    /// Deterministic unique id (`New-NetFirewallRule -Name`), so a second run
    /// replaces rules instead of adding look-alikes.
    pub name: String,
    pub description: String,
}

impl Rule {
    /// `80,135,49152-65535`
    pub fn ports_text(&self) -> String {
        self.ports
            .iter()
            .map(|&range| range_text(range, '-'))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn is_inbound(&self) -> bool {
        self.direction == Direction::Inbound
    }
}

/// Builds the plan for `connections` (already filtered by the query).
/// `on` keeps only the rules that go on that component.
pub fn plan<'c>(
    catalog: &'c Catalog,
    connections: &[&'c Connection],
    settings: &Settings,
    on: Option<&str>,
) -> Plan<'c> {
    let mut plan = Plan {
        sections: Vec::new(),
    };
    for conn in connections {
        if conn.direction == Direction::None {
            // A local call: say so on the machine that makes it.
            if let Some(machine) = conn
                .from
                .first()
                .filter(|m| on.is_none_or(|o| o == m.as_str()))
            {
                let note = format!(
                    "{}: a local call on {} ({}); no firewall rule is needed",
                    conn.id,
                    catalog.names(&conn.from),
                    catalog.names(&conn.to)
                );
                if let Some(section) = plan.section(catalog, machine) {
                    section.items.push(Item::Note(note));
                }
            }
            continue;
        }
        let peers = if conn.direction == Direction::Inbound {
            &conn.from
        } else {
            &conn.to
        };
        let remote = remote_addresses(settings, peers);
        let description =
            crate::text::join_unique(conn.ports.iter().map(|p| p.purpose.as_str()), " ");
        for machine in conn
            .rule_on
            .iter()
            .filter(|m| on.is_none_or(|o| o == m.as_str()))
        {
            let rules = rules_for(
                &conn.id,
                &conn.ports,
                conn.direction,
                &remote,
                &description,
                settings,
            );
            if let Some(section) = plan.section(catalog, machine) {
                section.items.extend(rules.into_iter().map(Item::Rule));
            }
        }
    }
    if settings.include_dynamic {
        plan.add_dynamic(catalog, settings, on);
    }
    plan
}

impl<'c> Plan<'c> {
    /// The section for `machine`, created at the end if new (`None` only for
    /// an unknown component, which validation rules out).
    fn section(&mut self, catalog: &'c Catalog, machine: &str) -> Option<&mut Section<'c>> {
        let index = match self.sections.iter().position(|s| s.machine.id == machine) {
            Some(i) => i,
            None => {
                self.sections.push(Section {
                    machine: catalog.component(machine)?,
                    items: Vec::new(),
                });
                self.sections.len() - 1
            }
        };
        self.sections.get_mut(index)
    }

    /// The catalog notes' extra ports (the dynamic RPC range), inbound on each
    /// of their components that this plan already covers or `on` names.
    fn add_dynamic(&mut self, catalog: &'c Catalog, settings: &Settings, on: Option<&str>) {
        for note in catalog.notes.iter().filter(|n| !n.ports.is_empty()) {
            let remote = remote_addresses(settings, &note.peers);
            let description =
                crate::text::join_unique(note.ports.iter().map(|p| p.purpose.as_str()), " ");
            for machine in &note.components {
                let wanted = match on {
                    Some(o) => o == machine,
                    None => self.sections.iter().any(|s| &s.machine.id == machine),
                };
                if wanted {
                    let rules = rules_for(
                        &note.id,
                        &note.ports,
                        Direction::Inbound,
                        &remote,
                        &description,
                        settings,
                    );
                    if let Some(section) = self.section(catalog, machine) {
                        section.items.extend(rules.into_iter().map(Item::Rule));
                    }
                }
            }
        }
    }

    /// Every rule, with the machine it goes on.
    pub fn rules(&self) -> impl Iterator<Item = (&'c Component, &Rule)> {
        self.sections
            .iter()
            .flat_map(|s| s.rules().map(move |rule| (s.machine, rule)))
    }

    pub fn rule_count(&self) -> usize {
        self.rules().count()
    }
}

impl Section<'_> {
    /// The section's rules, skipping notes.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.items.iter().filter_map(|item| match item {
            Item::Rule(rule) => Some(rule),
            Item::Note(_) => None,
        })
    }
}

/// One rule per transport.
fn rules_for(
    source_id: &str,
    ports: &[PortSpec],
    direction: Direction,
    remote: &[Address],
    description: &str,
    settings: &Settings,
) -> Vec<Rule> {
    [Transport::Tcp, Transport::Udp]
        .into_iter()
        .filter_map(|transport| {
            let mut ranges: Vec<(u16, u16)> = ports
                .iter()
                .filter(|p| p.transport == transport)
                .map(|p| (p.first, p.last))
                .collect();
            if ranges.is_empty() {
                return None;
            }
            ranges.sort_unstable();
            ranges.dedup();
            let mut rule = Rule {
                source_id: source_id.to_string(),
                direction,
                transport,
                ports: ranges,
                remote: remote.to_vec(),
                display_name: String::new(),
                short_name: format!("{} - {source_id} ({})", settings.group, transport.as_str()),
                name: format!(
                    "{}-{source_id}-{}-{}",
                    settings.group,
                    transport.as_str(),
                    if direction == Direction::Inbound {
                        "in"
                    } else {
                        "out"
                    }
                ),
                description: description.to_string(),
            };
            rule.display_name = format!(
                "{} - {source_id} ({}/{})",
                settings.group,
                rule.ports_text(),
                transport.as_str()
            );
            Some(rule)
        })
        .collect()
}

/// The addresses of `peers`, but only when every peer has some: scoping to
/// the ones we know would shut out the ones we do not.
fn remote_addresses(settings: &Settings, peers: &[String]) -> Vec<Address> {
    let per_peer: Vec<Vec<Address>> = peers.iter().map(|p| settings.addresses(p)).collect();
    if per_peer.is_empty() || per_peer.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    let mut all: Vec<Address> = per_peer.into_iter().flatten().collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// `443`, or a range with the dialect's separator: `49152-65535` (most) or
/// `49152:65535` (iptables, ufw).
pub fn range_text((first, last): (u16, u16), separator: char) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first}{separator}{last}")
    }
}

/// Splits port ranges into groups that fit a `limit`-port list where a range
/// counts as two (iptables multiport and ufw both allow 15).
pub fn chunk_ports(ports: &[(u16, u16)], limit: usize) -> Vec<Vec<(u16, u16)>> {
    let mut out: Vec<Vec<(u16, u16)>> = Vec::new();
    let mut used = 0;
    for &(a, b) in ports {
        let cost = if a == b { 1 } else { 2 };
        if out.is_empty() || used + cost > limit {
            out.push(Vec::new());
            used = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push((a, b));
        }
        used += cost;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_chunk_with_ranges_counting_twice() {
        let ports: Vec<(u16, u16)> = (1..=16).map(|p| (p, p)).collect();
        let chunks = chunk_ports(&ports, 15);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].len(), 15);
        let mixed = [
            (1, 1),
            (10, 20),
            (30, 40),
            (50, 60),
            (70, 80),
            (90, 100),
            (110, 120),
            (130, 140),
            (150, 150),
        ];
        let chunks = chunk_ports(&mixed, 15);
        assert_eq!(chunks.len(), 2, "{chunks:?}");
        assert_eq!(chunks[0].len(), 8); // 1 + 7 ranges * 2 = 15
    }
}
