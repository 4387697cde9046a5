//! The VMM flows one machine's firewall must let through, and the verdict
//! on each: what `rules --on ROLE` would open (the same plan, so the audit
//! and the script never disagree on what is needed), one record per
//! connection, port range and protocol, asked of a [`Ruleset`].
//!
//! A flow covers many packets: every port of a range, every peer address of
//! a subnet (or of any address, when the peers' addresses are not given).
//! The ruleset says where its matches change ([`Boundaries`]); the flow is
//! cut there and one packet per piece is asked about, so `partly` (some
//! addresses or ports through, others not) is found exactly, without asking
//! about 65,536 ports.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::model::{Boundaries, Decision, Direction, Packet, Protocol, RuleRef, Ruleset};
use crate::catalog::{Catalog, Transport};
use crate::rules::address::Address;
use crate::rules::plan::{Item, Rule};
use crate::rules::settings::Settings;

/// Packets asked about per flow at most: beyond it the pieces are sampled
/// evenly (and the record says so), so a pathological ruleset cannot stall
/// the audit.
pub const MAX_PACKETS: usize = 4096;

/// One flow through the machine's firewall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// The catalog connection it comes from.
    pub connection: String,
    /// The machines at the other end, by name (`VMM server`).
    pub peer: Vec<String>,
    /// Their addresses as the deployment or `--remote` gives them; empty
    /// means none was given, so any address is asked about.
    pub peer_addresses: Vec<Address>,
    pub direction: Direction,
    pub protocol: Protocol,
    /// The port range (this machine's inbound, the peer's outbound); `(0, 0)`
    /// for ICMP.
    pub ports: (u16, u16),
}

impl Flow {
    /// `5985`, `49152-65535`, `echo-request`.
    pub fn port_text(&self) -> String {
        match (self.protocol, self.ports) {
            (Protocol::Icmp, _) => "echo-request".into(),
            (_, (a, b)) if a == b => a.to_string(),
            (_, (a, b)) => format!("{a}-{b}"),
        }
    }
}

/// How much of a flow gets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Blocked,
    /// Some peer addresses or ports get through, others do not.
    Partly,
    Allowed,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Blocked => "blocked",
            Verdict::Partly => "partly",
            Verdict::Allowed => "allowed",
        }
    }
}

/// A flow and what the firewall does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audited {
    pub flow: Flow,
    pub verdict: Verdict,
    /// The rules that decided, those that block first.
    pub rules: Vec<RuleRef>,
    /// Why, in one sentence.
    pub why: String,
    /// What the verdict took for granted (see [`Decision::assumptions`]).
    pub assumptions: Vec<String>,
}

/// The flows on machine `on` (a component id): its inbound rules from the
/// rules plan, and its outbound ones when the settings ask for them
/// (`--outbound`). Local calls cross no firewall and are left out.
pub fn flows_on(catalog: &Catalog, settings: &Settings, on: &str) -> Vec<Flow> {
    let connections: Vec<_> = catalog.connections.iter().collect();
    let plan = crate::rules::plan::plan(catalog, &connections, settings, Some(on));
    let mut flows = Vec::new();
    for section in &plan.sections {
        for item in &section.items {
            let Item::Rule(rule) = item else { continue };
            let direction = match rule.direction {
                crate::catalog::Direction::Outbound => Direction::Outbound,
                _ => Direction::Inbound,
            };
            if direction == Direction::Outbound && !settings.outbound {
                continue;
            }
            let peer = peer_names(catalog, rule, direction);
            let protocol = match rule.transport {
                Transport::Tcp => Protocol::Tcp,
                Transport::Udp => Protocol::Udp,
                Transport::Icmp => Protocol::Icmp,
            };
            let ranges: Vec<(u16, u16)> = if protocol == Protocol::Icmp {
                vec![(0, 0)]
            } else {
                rule.ports.clone()
            };
            for ports in ranges {
                let flow = Flow {
                    connection: rule.source_id.clone(),
                    peer: peer.clone(),
                    peer_addresses: rule.remote.clone(),
                    direction,
                    protocol,
                    ports,
                };
                // ICMPv4 and ICMPv6 are two rules of one flow.
                if !flows.contains(&flow) {
                    flows.push(flow);
                }
            }
        }
    }
    flows
}

/// The names of the machines at the other end of `rule`'s connection.
fn peer_names(catalog: &Catalog, rule: &Rule, direction: Direction) -> Vec<String> {
    let Some(conn) = catalog.connections.iter().find(|c| c.id == rule.source_id) else {
        return Vec::new();
    };
    let ids = match direction {
        Direction::Inbound => &conn.from,
        Direction::Outbound => &conn.to,
    };
    ids.iter()
        .map(|id| catalog.component(id).map_or(id.clone(), |c| c.name.clone()))
        .collect()
}

/// Every flow's verdict from `ruleset`.
pub fn audit(ruleset: &dyn Ruleset, flows: &[Flow]) -> Vec<Audited> {
    flows
        .iter()
        .map(|flow| {
            // Narrowed to the rules this flow's packets can meet: fewer
            // pieces to ask about, fewer rules per answer.
            let narrowed = ruleset.for_flow(flow.direction, flow.protocol, flow.ports);
            let ruleset = narrowed.as_deref().unwrap_or(ruleset);
            let boundaries = ruleset.boundaries(flow.direction);
            audit_one(ruleset, flow, &boundaries)
        })
        .collect()
}

fn audit_one(ruleset: &dyn Ruleset, flow: &Flow, boundaries: &Boundaries) -> Audited {
    let mut assumptions = BTreeSet::new();
    let addresses = address_pieces(
        &flow.peer_addresses,
        &boundaries.addresses,
        &mut assumptions,
    );
    let ports = if flow.protocol == Protocol::Icmp {
        vec![Piece { first: 0, last: 0 }]
    } else {
        pieces(flow.ports.0, flow.ports.1, &boundaries.ports)
    };
    let packets = choose(&addresses, &ports, &mut assumptions);
    let decisions: Vec<(Asked, Decision)> = packets
        .into_iter()
        .map(|(peer, port)| {
            let packet = Packet {
                direction: flow.direction,
                protocol: flow.protocol,
                peer: peer.first,
                local: None,
                port: port.first,
                source_port: None,
                interface: None,
            };
            ((peer, port), ruleset.decide(&packet))
        })
        .collect();
    let allowed = decisions.iter().filter(|(_, d)| d.allowed).count();
    let verdict = match allowed {
        0 => Verdict::Blocked,
        n if n == decisions.len() => Verdict::Allowed,
        _ => Verdict::Partly,
    };
    // The blocking decisions' rules first: they are what to fix.
    let mut rules: Vec<RuleRef> = Vec::new();
    for (_, decision) in decisions
        .iter()
        .filter(|(_, d)| !d.allowed)
        .chain(decisions.iter().filter(|(_, d)| d.allowed))
    {
        for rule in &decision.rules {
            if !rules.contains(rule) {
                rules.push(rule.clone());
            }
        }
    }
    for (_, decision) in &decisions {
        assumptions.extend(decision.assumptions.iter().cloned());
    }
    let why = match verdict {
        Verdict::Allowed | Verdict::Blocked => {
            let ((peer, _), decision) = &decisions[0];
            if flow.peer_addresses.is_empty() {
                // Every address was asked about and all fared alike: the
                // one named in the answer stands for any.
                decision
                    .why
                    .replace(&format!(" {} ", peer.first), " any address ")
            } else {
                decision.why.clone()
            }
        }
        Verdict::Partly => {
            let (through, _) = decisions
                .iter()
                .find(|(_, d)| d.allowed)
                .expect("some allowed");
            let (stopped, decision) = decisions
                .iter()
                .find(|(_, d)| !d.allowed)
                .expect("some blocked");
            format!(
                "{} through, {} not: {}",
                packet_words(flow, *through),
                packet_words(flow, *stopped),
                lowercase_first(&decision.why)
            )
        }
    };
    Audited {
        flow: flow.clone(),
        verdict,
        rules,
        why,
        assumptions: assumptions.into_iter().collect(),
    }
}

/// The packets to ask about: one per address piece × port piece, or, when
/// that is more than [`MAX_PACKETS`], every port piece (at the first
/// address) and every address piece (at the first port), up to half the
/// cap each, and an even spread of the rest, taken by index so the whole
/// product is never built.
fn choose(
    addresses: &[Piece<IpAddr>],
    ports: &[Piece<u16>],
    assumptions: &mut BTreeSet<String>,
) -> Vec<Asked> {
    let total = addresses.len() * ports.len();
    let at = |i: usize| (addresses[i / ports.len()], ports[i % ports.len()]);
    if total <= MAX_PACKETS {
        return (0..total).map(at).collect();
    }
    let mut chosen: BTreeSet<usize> = BTreeSet::new();
    chosen.extend(0..ports.len().min(MAX_PACKETS / 2));
    chosen.extend((0..addresses.len().min(MAX_PACKETS / 2)).map(|a| a * ports.len()));
    // A stride that is no multiple of the port count, so the spread
    // crosses every column of the product rather than one.
    let mut stride = total / MAX_PACKETS.max(1) + 1;
    while stride.is_multiple_of(ports.len()) {
        stride += 1;
    }
    let mut i = 0;
    while chosen.len() < MAX_PACKETS && i < total {
        chosen.insert(i);
        i += stride;
    }
    assumptions.insert(format!(
        "{} of {total} kinds of packet were asked about (every port piece, every address piece, and a spread of the rest): the ruleset cuts this flow very finely",
        chosen.len()
    ));
    chosen.into_iter().map(at).collect()
}

/// `from 10.0.0.5`, `from 10.0.0.0-10.0.0.255 on ports 5985-5986`: a
/// piece of a flow, the ports said only when the flow has several.
fn packet_words(flow: &Flow, (peer, port): Asked) -> String {
    let way = match flow.direction {
        Direction::Inbound => "from",
        Direction::Outbound => "to",
    };
    let peer = match any_address()
        .iter()
        .position(|&(a, b)| (a, b) == (peer.first, peer.last))
    {
        Some(0) => "any IPv4 address".to_string(),
        Some(_) => "any IPv6 address".to_string(),
        None => peer.text(),
    };
    match flow.protocol {
        Protocol::Icmp => format!("{way} {peer}"),
        _ if flow.ports.0 == flow.ports.1 => format!("{way} {peer}"),
        _ if port.first == port.last => format!("{way} {peer} on port {}", port.text()),
        _ => format!("{way} {peer} on ports {}", port.text()),
    }
}

/// The pieces of addresses and ports one packet was asked about for.
type Asked = (Piece<IpAddr>, Piece<u16>);

/// A run of ports or addresses that every rule treats alike; the packet
/// asked about is its first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece<T> {
    first: T,
    last: T,
}

impl<T: std::fmt::Display + PartialEq> Piece<T> {
    fn text(&self) -> String {
        if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}-{}", self.first, self.last)
        }
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `first..=last` cut at `bounds` (each the first port of a new piece).
fn pieces(first: u16, last: u16, bounds: &[u16]) -> Vec<Piece<u16>> {
    let mut starts: BTreeSet<u16> = bounds
        .iter()
        .copied()
        .filter(|&b| b > first && b <= last)
        .collect();
    starts.insert(first);
    let starts: Vec<u16> = starts.into_iter().collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, &start)| Piece {
            first: start,
            last: starts.get(i + 1).map_or(last, |next| next - 1),
        })
        .collect()
}

/// The peers' addresses cut at `bounds` (each the first address of a new
/// piece): for no addresses given, every IPv4 and IPv6 address.
fn address_pieces(
    peers: &[Address],
    bounds: &[IpAddr],
    assumptions: &mut BTreeSet<String>,
) -> Vec<Piece<IpAddr>> {
    let mut intervals: Vec<(IpAddr, IpAddr)> = Vec::new();
    for peer in peers {
        match interval(peer) {
            Some(range) => intervals.push(range),
            None => {
                assumptions.insert(format!(
                    "the peer's address `{peer}` is a keyword only the machine can resolve: any address was asked about instead"
                ));
                intervals.extend(any_address());
            }
        }
    }
    if intervals.is_empty() {
        intervals.extend(any_address());
    }
    let mut pieces = BTreeSet::new();
    for (first, last) in intervals {
        let mut starts: Vec<IpAddr> = bounds
            .iter()
            .copied()
            .filter(|&b| b.is_ipv4() == first.is_ipv4() && b > first && b <= last)
            .collect();
        starts.sort();
        starts.dedup();
        let mut start = first;
        for next in starts {
            pieces.insert((start, before(next)));
            start = next;
        }
        pieces.insert((start, last));
    }
    pieces
        .into_iter()
        .map(|(first, last)| Piece { first, last })
        .collect()
}

/// The address just before `ip` (never called on the first address).
fn before(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(a) => Ipv4Addr::from(u32::from(a).saturating_sub(1)).into(),
        IpAddr::V6(a) => Ipv6Addr::from(u128::from(a).saturating_sub(1)).into(),
    }
}

fn any_address() -> [(IpAddr, IpAddr); 2] {
    [
        (Ipv4Addr::UNSPECIFIED.into(), Ipv4Addr::BROADCAST.into()),
        (
            Ipv6Addr::UNSPECIFIED.into(),
            Ipv6Addr::from(u128::MAX).into(),
        ),
    ]
}

/// An address's first and last, or `None` for a keyword.
pub fn interval(address: &Address) -> Option<(IpAddr, IpAddr)> {
    match *address {
        Address::Ip(ip) => Some((ip, ip)),
        Address::Range(a, b) => Some((a, b)),
        Address::Net(IpAddr::V4(ip), prefix) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            let first = u32::from(ip) & mask;
            Some((
                Ipv4Addr::from(first).into(),
                Ipv4Addr::from(first | !mask).into(),
            ))
        }
        Address::Net(IpAddr::V6(ip), prefix) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            let first = u128::from(ip) & mask;
            Some((
                Ipv6Addr::from(first).into(),
                Ipv6Addr::from(first | !mask).into(),
            ))
        }
        Address::Keyword(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A firewall that lets TCP through from 10.0.0.0/24 on ports 5985-5986
    /// only.
    struct Toy;

    impl Ruleset for Toy {
        fn decide(&self, packet: &Packet) -> Decision {
            let inside = matches!(packet.peer, IpAddr::V4(a) if a.octets()[..3] == [10, 0, 0]);
            let allowed = inside && (5985..=5986).contains(&packet.port);
            Decision {
                allowed,
                rules: vec![RuleRef {
                    place: if allowed { "allow" } else { "policy" }.into(),
                    text: None,
                }],
                why: if allowed {
                    "Allowed by allow"
                } else {
                    "Dropped by the policy"
                }
                .into(),
                assumptions: Vec::new(),
            }
        }
        fn boundaries(&self, _: Direction) -> Boundaries {
            Boundaries {
                ports: vec![5985, 5987],
                addresses: vec!["10.0.0.0".parse().unwrap(), "10.0.1.0".parse().unwrap()],
            }
        }
        fn describe(&self) -> Vec<String> {
            vec!["toy".into()]
        }
    }

    fn flow(peers: &[&str], ports: (u16, u16)) -> Flow {
        Flow {
            connection: "c".into(),
            peer: vec!["VMM server".into()],
            peer_addresses: peers.iter().map(|p| Address::parse(p).unwrap()).collect(),
            direction: Direction::Inbound,
            protocol: Protocol::Tcp,
            ports,
        }
    }

    #[test]
    fn a_flow_is_allowed_blocked_or_partly_by_its_addresses_and_ports() {
        let verdict = |peers: &[&str], ports| audit(&Toy, &[flow(peers, ports)])[0].clone();
        assert_eq!(
            verdict(&["10.0.0.5"], (5985, 5985)).verdict,
            Verdict::Allowed
        );
        assert_eq!(
            verdict(&["10.0.9.5"], (5985, 5985)).verdict,
            Verdict::Blocked
        );
        let some = verdict(&["10.0.0.5", "10.0.9.5"], (5985, 5985));
        assert_eq!(some.verdict, Verdict::Partly);
        assert!(
            some.why
                .starts_with("from 10.0.0.5 through, from 10.0.9.5 not"),
            "{}",
            some.why
        );
        let any = verdict(&[], (5985, 5985));
        assert!(
            any.why
                .starts_with("from 10.0.0.0-10.0.0.255 through, from 0.0.0.0-9.255.255.255 not"),
            "{}",
            any.why
        );
        // The blocking rule comes first.
        assert_eq!(some.rules[0].place, "policy");
        // A subnet wider than the allowed one, a range wider than its ports.
        assert_eq!(
            verdict(&["10.0.0.0/16"], (5985, 5985)).verdict,
            Verdict::Partly
        );
        assert_eq!(
            verdict(&["10.0.0.0/24"], (5985, 5986)).verdict,
            Verdict::Allowed
        );
        let ports = verdict(&["10.0.0.1"], (5980, 6000));
        assert_eq!(ports.verdict, Verdict::Partly);
        assert!(
            ports.why.contains("on ports 5985-5986 through"),
            "{}",
            ports.why
        );
        // No address given: any address, so partly.
        assert_eq!(verdict(&[], (5985, 5985)).verdict, Verdict::Partly);
    }

    #[test]
    fn a_finely_cut_flow_still_asks_about_every_port_piece() {
        let addresses: Vec<Piece<IpAddr>> = (0..2000u32)
            .map(|i| {
                let ip = IpAddr::from(Ipv4Addr::from(0x0a00_0000 + i));
                Piece {
                    first: ip,
                    last: ip,
                }
            })
            .collect();
        let ports = vec![
            Piece {
                first: 49152,
                last: 59999,
            },
            Piece {
                first: 60000,
                last: 64999,
            },
            Piece {
                first: 65000,
                last: 65535,
            },
        ];
        let mut assumptions = BTreeSet::new();
        let chosen = choose(&addresses, &ports, &mut assumptions);
        assert!(chosen.len() <= MAX_PACKETS);
        for port in &ports {
            assert!(
                chosen.iter().any(|(_, p)| p == port),
                "{port:?} never asked"
            );
        }
        for address in &addresses {
            assert!(
                chosen.iter().any(|(a, _)| a == address),
                "{address:?} never asked"
            );
        }
        assert_eq!(assumptions.len(), 1, "the sampling is said");
    }

    #[test]
    fn pieces_start_where_the_rules_change() {
        let starts = |p: Vec<Piece<u16>>| p.iter().map(|p| (p.first, p.last)).collect::<Vec<_>>();
        assert_eq!(
            starts(pieces(1, 100, &[0, 50, 101, 100])),
            vec![(1, 49), (50, 99), (100, 100)]
        );
        assert_eq!(starts(pieces(7, 7, &[7, 8])), vec![(7, 7)]);
        let net = interval(&Address::parse("10.0.0.0/23").unwrap()).unwrap();
        assert_eq!(net.1, "10.0.1.255".parse::<IpAddr>().unwrap());
        let all = interval(&Address::parse("::/0").unwrap()).unwrap();
        assert_eq!(all.1, IpAddr::from(Ipv6Addr::from(u128::MAX)));
    }

    #[test]
    fn a_hosts_flows_are_what_rules_on_would_open() {
        let catalog = crate::catalog::embedded().unwrap();
        let mut settings = Settings::default();
        settings
            .add_remote(&catalog, "vmm-server=10.0.0.5")
            .unwrap();
        let flows = flows_on(&catalog, &settings, "hyperv-host");
        let winrm = flows
            .iter()
            .find(|f| f.ports == (5985, 5985) && f.protocol == Protocol::Tcp)
            .expect("WinRM from the VMM server");
        assert_eq!(winrm.peer, ["VMM server"]);
        assert_eq!(winrm.peer_addresses, [Address::parse("10.0.0.5").unwrap()]);
        assert!(flows.iter().all(|f| f.direction == Direction::Inbound));
        settings.outbound = true;
        let both = flows_on(&catalog, &settings, "hyperv-host");
        assert!(both.iter().any(|f| f.direction == Direction::Outbound));
    }
}
