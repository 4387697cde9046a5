//! What the rules mean, before any dialect spells them: for each machine,
//! which ports to allow, in which direction, from or to which addresses.
//!
//! - Each connection's [`placements`](crate::catalog::Connection::placements)
//!   say which machines need a rule: inbound on every destination, outbound
//!   where the docs ask or `--outbound` is set.
//! - A machine that is also another (`also` in the catalog) carries that
//!   one's rules too: a host in an untrusted domain gets the Hyper-V host's.
//! - Inbound: local ports are the service ports, and the remote addresses
//!   are the sources'. Outbound: remote ports, and the destinations'.
//! - TCP, UDP, ICMPv4 and ICMPv6 become separate rules; a local call becomes
//!   a note.
//! - A rule left open to any address because some peer's address is missing
//!   says which peer (`unscoped`), so a partly scoped script is never silent.

use super::address::{Address, Family};
use super::settings::Settings;
use crate::catalog::{
    Catalog, Component, ComponentKind, Connection, Direction, PortSpec, Transport, icmpv6_type,
};

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
    Note {
        source_id: String,
        text: String,
    },
}

/// One firewall rule, independent of dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The catalog connection (or note) it comes from.
    pub source_id: String,
    pub direction: Direction,
    pub transport: Transport,
    /// For ICMP rules, the IP family: ICMPv4 and ICMPv6 are two protocols,
    /// each with its own type numbers. `None` for TCP and UDP.
    pub family: Option<Family>,
    /// Inclusive port ranges (local ports inbound, remote ports outbound);
    /// for ICMP, the one message type of `family`.
    pub ports: Vec<(u16, u16)>,
    /// Empty means any address.
    pub remote: Vec<Address>,
    /// The peers whose addresses were not given while others were: why the
    /// rule is open to any address. Empty when it is scoped, or when no
    /// `--remote` was given at all (the header says so once).
    pub unscoped: Vec<String>,
    /// Machines that only are `also` a peer (a host in an untrusted domain,
    /// as a Hyper-V host) and were given no address: taken as absent from
    /// the deployment, so left out of the scope. The header says so.
    pub left_out: Vec<String>,
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
    /// `80,135,49152-65535`, or the ICMP type's name.
    pub fn ports_text(&self) -> String {
        if !self.transport.has_ports() {
            return self.icmp_type_name().to_string();
        }
        self.ports
            .iter()
            .map(|&range| range_text(range, '-'))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn is_inbound(&self) -> bool {
        self.direction == Direction::Inbound
    }

    /// `tcp`, `udp`, `icmpv4` or `icmpv6`.
    pub fn protocol(&self) -> &'static str {
        match (self.transport, self.family) {
            (Transport::Icmp, Some(Family::V6)) => "icmpv6",
            (Transport::Icmp, _) => "icmpv4",
            (t, _) => t.as_str(),
        }
    }

    /// The ICMP message type number of this rule's family.
    pub fn icmp_type(&self) -> u16 {
        self.ports.first().map_or(0, |p| p.0)
    }

    /// The name nft, iptables and firewalld give the ICMP type (the same
    /// for both families).
    pub fn icmp_type_name(&self) -> &'static str {
        let v4 = match self.family {
            Some(Family::V6) => crate::catalog::ICMP_TYPES
                .iter()
                .find(|(_, v6, _)| *v6 == self.icmp_type())
                .map_or(0, |(v4, _, _)| *v4),
            _ => self.icmp_type(),
        };
        // Validation admits only the types of ICMP_TYPES.
        crate::catalog::icmp_type_name(v4).unwrap_or("echo-request")
    }
}

/// Builds the plan for `connections` (already filtered by the query).
/// `on` keeps only the rules that go on that component, including those of
/// every component it is `also`.
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
            plan.add_local_call(catalog, conn, on);
            continue;
        }
        let description =
            crate::text::join_unique(conn.ports.iter().map(|p| p.purpose.as_str()), " ");
        for placement in conn.placements(settings.outbound) {
            let docs_asked = conn.rule_on.iter().any(|m| m == placement.machine)
                && conn.direction == placement.direction;
            if !docs_asked && placement.direction == Direction::Outbound {
                // --outbound: only machines with a host firewall of ours.
                let kind = catalog.component(placement.machine).map(|c| c.kind);
                if !kind.is_some_and(ComponentKind::has_host_firewall) {
                    continue;
                }
            }
            let scope = Scope::of(catalog, settings, placement.peers);
            let rules = rules_for(
                &conn.id,
                &conn.ports,
                placement.direction,
                &scope,
                &description,
                settings,
            );
            for machine in catalog.machines_acting_as(placement.machine) {
                if on.is_none_or(|o| o == machine.id) {
                    plan.section(machine).add_rules(&rules);
                }
            }
        }
    }
    if settings.include_dynamic {
        plan.add_dynamic(catalog, settings, on);
    }
    plan
}

impl<'c> Plan<'c> {
    /// The section for `machine`, created at the end if new.
    fn section(&mut self, machine: &'c Component) -> &mut Section<'c> {
        let index = match self
            .sections
            .iter()
            .position(|s| s.machine.id == machine.id)
        {
            Some(i) => i,
            None => {
                self.sections.push(Section {
                    machine,
                    items: Vec::new(),
                });
                self.sections.len() - 1
            }
        };
        &mut self.sections[index]
    }

    /// A local call needs no rule: say so on the machine that makes it.
    fn add_local_call(&mut self, catalog: &'c Catalog, conn: &Connection, on: Option<&str>) {
        let Some(machine) = conn
            .from
            .first()
            .filter(|m| on.is_none_or(|o| o == m.as_str()))
            .and_then(|m| catalog.component(m))
        else {
            return;
        };
        let note = format!(
            "{}: a local call on {} ({}); no firewall rule is needed",
            conn.id,
            catalog.names(&conn.from),
            catalog.names(&conn.to)
        );
        self.section(machine).items.push(Item::Note {
            source_id: conn.id.clone(),
            text: note,
        });
    }

    /// The catalog notes' extra ports (the dynamic RPC range), inbound on each
    /// of their components that this plan already covers or `on` names,
    /// scoped to the note's peers as any rule is.
    fn add_dynamic(&mut self, catalog: &'c Catalog, settings: &Settings, on: Option<&str>) {
        for note in catalog.notes.iter().filter(|n| !n.ports.is_empty()) {
            let scope = Scope::of(catalog, settings, &note.peers);
            let description =
                crate::text::join_unique(note.ports.iter().map(|p| p.purpose.as_str()), " ");
            let rules = rules_for(
                &note.id,
                &note.ports,
                Direction::Inbound,
                &scope,
                &description,
                settings,
            );
            for role in &note.components {
                for machine in catalog.machines_acting_as(role) {
                    let wanted = match on {
                        Some(o) => o == machine.id,
                        None => self.sections.iter().any(|s| s.machine.id == machine.id),
                    };
                    if wanted {
                        self.section(machine).add_rules(&rules);
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

    /// The ids of the connections (and catalog notes) that gave the plan a
    /// rule or a note, each once, in plan order.
    pub fn sources(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for item in self.sections.iter().flat_map(|s| &s.items) {
            let id = match item {
                Item::Rule(rule) => rule.source_id.as_str(),
                Item::Note { source_id, .. } => source_id.as_str(),
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

impl Section<'_> {
    /// Adds `rules`, skipping any the section already has: a machine that is
    /// also another can meet the same rule through both.
    fn add_rules(&mut self, rules: &[Rule]) {
        for rule in rules {
            if !self.rules().any(|r| r == rule) {
                self.items.push(Item::Rule(rule.clone()));
            }
        }
    }

    /// The section's rules, skipping notes.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.items.iter().filter_map(|item| match item {
            Item::Rule(rule) => Some(rule),
            Item::Note { .. } => None,
        })
    }
}

/// The addresses a rule is scoped to, or why it is not.
struct Scope {
    /// Empty means any address.
    remote: Vec<Address>,
    /// Peers left without an address while others have one.
    missing: Vec<String>,
    /// Optional peers left out for want of an address (see [`Rule::left_out`]).
    left_out: Vec<String>,
}

impl Scope {
    /// Scoped only when every peer has addresses: scoping to the ones we
    /// know would shut out the ones we do not. A peer given as `Any` opens
    /// the rule on purpose; a peer not given at all is `missing`, but only
    /// when `--remote` was used for something (else nothing was scoped).
    ///
    /// The peers are the machines that play each role ([`Catalog::ends`]):
    /// a host in an untrusted domain, also a Hyper-V host, adds its addresses to a
    /// rule for Hyper-V hosts when it has some, and is not missing when it
    /// has none (the deployment may have no such hosts; the header says so).
    fn of(catalog: &Catalog, settings: &Settings, roles: &[String]) -> Scope {
        let given = |id: &str| settings.remote.contains_key(id);
        let (peers, absent): (Vec<_>, Vec<_>) = catalog
            .ends(roles)
            .into_iter()
            .partition(|end| settings.has(end));
        let peers: Vec<&str> = peers.iter().map(|end| end.machine.id.as_str()).collect();
        // With no --remote at all nothing is scoped, so nothing is left out.
        let left_out: Vec<String> = if settings.remote.is_empty() {
            Vec::new()
        } else {
            absent.iter().map(|end| end.machine.id.clone()).collect()
        };
        let missing: Vec<String> = if settings.remote.is_empty() {
            Vec::new()
        } else {
            peers
                .iter()
                .filter(|p| !given(p))
                .map(|p| p.to_string())
                .collect()
        };
        let per_peer: Vec<Vec<Address>> = peers
            .iter()
            .map(|p| peer_addresses(catalog, settings, p))
            .collect();
        if peers.is_empty() || per_peer.iter().any(Vec::is_empty) {
            return Scope {
                remote: Vec::new(),
                missing,
                left_out,
            };
        }
        Scope {
            remote: sorted(per_peer.into_iter().flatten().collect()),
            missing: Vec::new(),
            left_out,
        }
    }
}

/// A peer's addresses as given, with the address it sends from before it
/// has one (`boot_source`: a PXE client's 0.0.0.0) when any were given.
fn peer_addresses(catalog: &Catalog, settings: &Settings, id: &str) -> Vec<Address> {
    let mut addresses = settings.addresses(id);
    if !addresses.is_empty() {
        let boot = catalog.component(id).and_then(|c| c.boot_source.as_deref());
        addresses.extend(boot.and_then(|a| Address::parse(a).ok()));
    }
    addresses
}

fn sorted(mut addresses: Vec<Address>) -> Vec<Address> {
    addresses.sort_unstable();
    addresses.dedup();
    addresses
}

/// One rule per protocol: TCP, UDP, and ICMP once per IP family (only the
/// families of the scope's addresses, when it has some).
fn rules_for(
    source_id: &str,
    ports: &[PortSpec],
    direction: Direction,
    scope: &Scope,
    description: &str,
    settings: &Settings,
) -> Vec<Rule> {
    let mut out = Vec::new();
    for transport in Transport::ALL {
        let mut ranges: Vec<(u16, u16)> = ports
            .iter()
            .filter(|p| p.transport == transport)
            .map(|p| (p.first, p.last))
            .collect();
        if ranges.is_empty() {
            continue;
        }
        ranges.sort_unstable();
        ranges.dedup();
        if transport.has_ports() {
            out.push(rule(
                source_id,
                direction,
                transport,
                None,
                ranges,
                scope.remote.clone(),
            ));
            continue;
        }
        // Each ICMP type its own rule per family; a scoped rule only for the
        // families its addresses have.
        for (v4_type, _) in ranges {
            for family in [Family::V4, Family::V6] {
                let remote: Vec<Address> = scope
                    .remote
                    .iter()
                    .filter(|a| a.family().is_none_or(|f| f == family))
                    .copied()
                    .collect();
                if !scope.remote.is_empty() && remote.is_empty() {
                    continue;
                }
                let number = match family {
                    Family::V4 => Some(v4_type),
                    Family::V6 => icmpv6_type(v4_type),
                };
                if let Some(number) = number {
                    out.push(rule(
                        source_id,
                        direction,
                        transport,
                        Some(family),
                        vec![(number, number)],
                        remote,
                    ));
                }
            }
        }
    }
    for rule in &mut out {
        rule.unscoped = scope.missing.clone();
        rule.left_out = scope.left_out.clone();
        rule.description = description.to_string();
        rule.short_name = format!("{} - {source_id} ({})", settings.group, rule.protocol());
        rule.name = format!(
            "{}-{source_id}-{}-{}",
            settings.group,
            rule.protocol(),
            if direction == Direction::Inbound {
                "in"
            } else {
                "out"
            }
        );
        rule.display_name = format!(
            "{} - {source_id} ({}/{})",
            settings.group,
            rule.ports_text(),
            rule.protocol()
        );
    }
    out
}

/// A rule with its names still to be given by [`rules_for`].
fn rule(
    source_id: &str,
    direction: Direction,
    transport: Transport,
    family: Option<Family>,
    ports: Vec<(u16, u16)>,
    remote: Vec<Address>,
) -> Rule {
    Rule {
        source_id: source_id.to_string(),
        direction,
        transport,
        family,
        ports,
        remote,
        unscoped: Vec::new(),
        left_out: Vec::new(),
        display_name: String::new(),
        short_name: String::new(),
        name: String::new(),
        description: String::new(),
    }
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
