//! One firewall rule, whichever input it came from, and whether it matches
//! a packet (its profiles and store are [`super::eval`]'s business).

use super::addresses::{AddressSet, Subnets};
use super::ports::PortSet;
use super::profile::ProfileSet;
use crate::audit::model::{Direction, Packet, Protocol, RuleRef};

/// What a rule does with what it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Allow,
    Block,
    /// Allow even over block rules, for IPsec-authenticated traffic only
    /// (`AllowBypass`, the registry's `ByPass`).
    Bypass,
}

/// Which policy store a rule comes from: Group Policy's
/// `AllowLocalPolicyMerge=0` ignores the local one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Store {
    Local,
    GroupPolicy,
    /// Dynamic, hardcoded, MDM... rules: not subject to the merge setting.
    Other(String),
}

/// A rule's protocol: `None` is any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct RuleProtocol(pub Option<u8>);

/// ICMP types (and codes) a rule matches; empty is any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct IcmpTypes {
    /// (type, code); code `None` is any.
    pub entries: Vec<(u8, Option<u8>)>,
}

impl IcmpTypes {
    /// `8`, `8:0`, `8:*`, `Any`.
    pub fn add(&mut self, text: &str) -> Result<(), String> {
        let word = text.trim();
        if word.eq_ignore_ascii_case("any") || word == "*" {
            return Ok(());
        }
        let number = |part: &str| {
            part.trim()
                .parse::<u8>()
                .map_err(|_| format!("`{word}` is not an ICMP type (or type:code) from 0 to 255"))
        };
        let entry = match word.split_once(':') {
            Some((t, "*")) => (number(t)?, None),
            Some((t, c)) => (number(t)?, Some(number(c)?)),
            None => (number(word)?, None),
        };
        self.entries.push(entry);
        Ok(())
    }

    fn matches_echo(&self, echo_type: u8) -> bool {
        self.entries.is_empty()
            || self
                .entries
                .iter()
                .any(|(t, code)| *t == echo_type && code.is_none_or(|c| c == 0))
    }
}

/// A condition only the running machine can check: the program or service
/// behind the socket, the interface type, IPsec. The decision assumes it
/// holds, and says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Condition {
    Program(String),
    Service(String),
    Package(String),
    InterfaceType(String),
    Interface(String),
    /// The rule wants the connection authenticated (or encrypted) by IPsec,
    /// or limited to some users or computers.
    Secured(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rule {
    /// `Name`: the rule's ID (`WINRM-HTTP-In-TCP`, or a GUID).
    pub name: String,
    /// `DisplayName` / the rule string's `Name=`.
    pub display_name: Option<String>,
    pub enabled: bool,
    pub direction: Direction,
    pub action: Action,
    pub profiles: ProfileSet,
    pub store: Store,
    pub protocol: RuleProtocol,
    pub local_ports: PortSet,
    pub remote_ports: PortSet,
    pub icmp_types: IcmpTypes,
    pub local_addresses: AddressSet,
    pub remote_addresses: AddressSet,
    pub conditions: Vec<Condition>,
}

impl Rule {
    /// A rule with nothing limited yet, as a reader starts one.
    pub fn new(name: String, store: Store) -> Rule {
        Rule {
            name,
            display_name: None,
            enabled: true,
            direction: Direction::Inbound,
            action: Action::Allow,
            profiles: ProfileSet(0),
            store,
            protocol: RuleProtocol(None),
            local_ports: PortSet::default(),
            remote_ports: PortSet::default(),
            icmp_types: IcmpTypes::default(),
            local_addresses: AddressSet::default(),
            remote_addresses: AddressSet::default(),
            conditions: Vec::new(),
        }
    }

    /// `Windows rule "WINRM-HTTP-In-TCP" (Group Policy)` and the display
    /// name.
    pub fn reference(&self) -> RuleRef {
        let store = match &self.store {
            Store::Local => " (local)".to_string(),
            Store::GroupPolicy => " (Group Policy)".to_string(),
            Store::Other(kind) if kind.is_empty() => String::new(),
            Store::Other(kind) => format!(" ({kind})"),
        };
        RuleRef {
            place: format!("Windows rule \"{}\"{store}", self.name),
            text: self.readable_name().map(str::to_string),
        }
    }

    /// The display name, unless it is an indirect string
    /// (`@FirewallAPI.dll,-35001`) that only Windows can look up.
    fn readable_name(&self) -> Option<&str> {
        self.display_name.as_deref().filter(|n| !n.starts_with('@'))
    }

    /// How a sentence names it: its display name, else its ID.
    pub fn label(&self) -> String {
        format!("\"{}\"", self.readable_name().unwrap_or(&self.name))
    }

    /// Whether the rule's conditions (not its profiles or store) match
    /// `packet`, and what that takes for granted about its ports and
    /// addresses (see [`Rule::condition_assumptions`] for the rest).
    pub fn matches(&self, packet: &Packet, subnets: &Subnets) -> Option<Vec<String>> {
        if !self.enabled || self.direction != packet.direction {
            return None;
        }
        let mut assumed = Vec::new();
        let mut take = |m: Option<Vec<String>>| -> Option<()> {
            assumed.extend(m?);
            Some(())
        };
        take(self.protocol_matches(packet))?;
        let (service_ports, other_ports) = match packet.direction {
            Direction::Inbound => (&self.local_ports, &self.remote_ports),
            Direction::Outbound => (&self.remote_ports, &self.local_ports),
        };
        if packet.protocol != Protocol::Icmp && self.protocol.0.is_some() {
            take(service_ports.matches(packet.port))?;
            take(match packet.source_port {
                Some(port) => other_ports.matches(port),
                None if other_ports.is_any() => Some(Vec::new()),
                None => Some(vec![format!(
                    "the source port is one of {} (the rule limits it, and it is not known)",
                    other_ports.words()
                )]),
            })?;
        }
        take(
            self.remote_addresses
                .matches(Some(packet.peer), subnets, "the peer"),
        )?;
        take(
            self.local_addresses
                .matches(packet.local, subnets, "this machine's address"),
        )?;
        Some(assumed)
    }

    /// What matching `packet` takes for granted about the rule's
    /// conditions (program, service, interface, IPsec): one sentence each,
    /// after those [`Rule::matches`] returns. Apart from it because only
    /// the deciding rule's are ever read, and the sentences cost more to
    /// write than the match.
    pub fn condition_assumptions(&self, packet: &Packet) -> Vec<String> {
        self.conditions
            .iter()
            .map(|condition| self.condition_words(condition, packet))
            .collect()
    }

    /// Whether some packet of a flow (`direction`, `protocol`, service
    /// ports `first..=last`) may match: false for a disabled rule, one of
    /// the other direction or protocol, or one whose service ports miss
    /// the flow's. Addresses and conditions are left to [`Rule::matches`].
    pub fn may_match_flow(
        &self,
        direction: Direction,
        protocol: Protocol,
        ports: (u16, u16),
    ) -> bool {
        if !self.enabled || self.direction != direction {
            return false;
        }
        let Some(number) = self.protocol.0 else {
            return true;
        };
        let service_ports = match direction {
            Direction::Inbound => &self.local_ports,
            Direction::Outbound => &self.remote_ports,
        };
        match protocol {
            Protocol::Tcp => number == 6 && service_ports.meets(ports.0, ports.1),
            Protocol::Udp => number == 17 && service_ports.meets(ports.0, ports.1),
            Protocol::Icmp => number == 1 || number == 58,
        }
    }

    fn protocol_matches(&self, packet: &Packet) -> Option<Vec<String>> {
        let Some(number) = self.protocol.0 else {
            return Some(Vec::new());
        };
        let v4 = packet.peer.is_ipv4();
        let wanted = match packet.protocol {
            Protocol::Tcp => number == 6,
            Protocol::Udp => number == 17,
            Protocol::Icmp if v4 => number == 1 && self.icmp_types.matches_echo(8),
            Protocol::Icmp => number == 58 && self.icmp_types.matches_echo(128),
        };
        wanted.then(Vec::new)
    }

    fn condition_words(&self, condition: &Condition, packet: &Packet) -> String {
        let (who, port) = match packet.direction {
            Direction::Inbound => ("listening on", packet.port),
            Direction::Outbound => ("connecting to", packet.port),
        };
        let rule = self.label();
        match condition {
            Condition::Program(p) if p.eq_ignore_ascii_case("System") => {
                format!(
                    "the rule {rule} applies only if the kernel (program System: SMB, or HTTP.sys for WinRM) serves port {port}"
                )
            }
            Condition::Program(p) => {
                format!("the rule {rule} applies only if the program {who} port {port} is {p}")
            }
            Condition::Service(s) if s == "*" => {
                format!(
                    "the rule {rule} applies only if a Windows service (not a plain program) is {who} port {port}"
                )
            }
            Condition::Service(s) => {
                format!("the rule {rule} applies only if the service {who} port {port} is {s}")
            }
            Condition::Package(p) => {
                format!(
                    "the rule {rule} applies only if the app {who} port {port} is the package {p}"
                )
            }
            Condition::InterfaceType(t) => {
                format!("the rule {rule} applies only if the packet uses an interface of type {t}")
            }
            Condition::Interface(i) => {
                format!("the rule {rule} applies only if the packet uses the interface {i}")
            }
            Condition::Secured(what) => {
                format!("the rule {rule} applies only if the connection is IPsec-secured ({what})")
            }
        }
    }
}

/// The packet, for a sentence: `TCP 5985 from 10.0.0.5`.
pub(super) fn packet_words(packet: &Packet) -> String {
    let (way, peer) = match packet.direction {
        Direction::Inbound => ("from", packet.peer),
        Direction::Outbound => ("to", packet.peer),
    };
    match packet.protocol {
        Protocol::Icmp => format!("ICMP echo {way} {peer}"),
        p => format!("{} {} {way} {peer}", p.word().to_uppercase(), packet.port),
    }
}
