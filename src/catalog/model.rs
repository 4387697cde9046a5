//! The catalog's data model: exactly the schema of `assets/vmm.ron`, and of any
//! catalog a user loads with `--data` (RON or JSON).
//!
//! These types are plain data. Parsing lives in `load.rs`, checking in
//! `validate.rs`; nothing here knows about terminals or output formats.

use super::probe::Probe;
use serde::{Deserialize, Serialize};

/// A whole port matrix: the machines involved, the ports setup can change,
/// every connection between them, and catalog-wide notes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Human title, e.g. "System Center Virtual Machine Manager 2016–2025".
    pub title: String,
    /// Where the facts come from (a docs page, an internal wiki…), shown in
    /// script headers so a reader can trace every rule back.
    pub source: String,
    pub components: Vec<Component>,
    /// Ports that the product's installer lets the admin choose.
    #[serde(default)]
    pub setup_features: Vec<SetupFeature>,
    pub connections: Vec<Connection>,
    /// Catalog-wide notes (the dynamic port range, NTLM…).
    #[serde(default)]
    pub notes: Vec<CatalogNote>,
}

/// A kind of machine or device that takes part in connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Stable kebab-case id, used in queries (`from:hyperv-host`) and flags.
    pub id: String,
    /// Display name, e.g. "Hyper-V host".
    pub name: String,
    /// Other names admins use, matched by `from:`/`to:`/`on:`.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub kind: ComponentKind,
    /// For appliances and devices: where their firewall or port settings are
    /// changed, since no Windows or Linux command reaches them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_in: Option<String>,
    /// Other components this one also is, with every rule they need: a
    /// Hyper-V host in an untrusted domain is still a Hyper-V host running the
    /// VMM agent, so `--on untrusted-host` gives the agent's rules too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// For a service with no machine of its own: the component it runs on.
    /// Its connections start or end on that machine, with that machine's
    /// addresses and firewall (the storage management service runs on the
    /// VMM server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs_on: Option<String>,
    /// The source address the machine sends from before it has one of its
    /// own: a PXE client's first DHCP message comes from 0.0.0.0 (RFC 2131
    /// 4.1). Added to the addresses a deployment gives it, so a rule scoped
    /// to its subnet still lets that first packet in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_source: Option<String>,
}

/// What runs on a component; decides which firewall dialects fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    /// Windows Server or client: Windows Defender Firewall.
    Windows,
    /// A Linux machine: nft, iptables, firewalld, ufw.
    Linux,
    /// Either Windows or Linux (e.g. a VM running the guest agent).
    Any,
    /// A vendor appliance configured through its own UI (vCenter, a load balancer…).
    Appliance,
    /// Hardware configured on the device itself (a BMC).
    Device,
}

impl ComponentKind {
    /// Whether the machine has a host firewall vmmports writes rules for
    /// (Windows Defender Firewall, or a Linux one), rather than settings of
    /// its own.
    pub fn has_host_firewall(self) -> bool {
        matches!(
            self,
            ComponentKind::Windows | ComponentKind::Linux | ComponentKind::Any
        )
    }
}

/// A port the installer lets the admin choose, once, at install time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupFeature {
    /// The key admins know it by: the VMServer.ini key where one exists.
    pub key: String,
    /// What the installer calls the feature.
    pub name: String,
    /// The port setup proposes.
    pub default: u16,
    /// Whether `key` is a real VMServer.ini key (false for our own names,
    /// such as the SQL port chosen on the database page).
    #[serde(default = "yes")]
    pub in_ini: bool,
}

fn yes() -> bool {
    true
}

/// One firewall-relevant connection between components: one docs row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    /// Stable kebab-case id, e.g. `vmm-to-host-winrm`.
    pub id: String,
    pub section: Section,
    /// Component ids that open the connection.
    pub from: Vec<String>,
    /// Component ids that accept it.
    pub to: Vec<String>,
    pub ports: Vec<PortSpec>,
    /// Where the docs page puts the firewall exception (corrected where the
    /// row's notes say so); empty for local calls. Information first: rules
    /// go inbound on every destination whatever this says, and outbound
    /// where it says `outbound` (see [`Connection::placements`]).
    #[serde(default)]
    pub rule_on: Vec<String>,
    /// The direction of the docs' rule on `rule_on`.
    pub direction: Direction,
    pub modifiability: Modifiability,
    /// True when the row comes from the docs page; false for rows we added.
    pub from_docs: bool,
    /// Our own notes, including every place we depart from the docs, and why.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// The part of the docs page a connection belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    General,
    Vmware,
}

/// One port or contiguous port range on one transport. For ICMP, `first`
/// and `last` hold the ICMPv4 message type (8 for an echo request), and
/// rules add the matching ICMPv6 type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    pub first: u16,
    pub last: u16,
    pub transport: Transport,
    /// Short service name, e.g. "WinRM".
    pub service: String,
    /// What the port is used for, in a sentence.
    pub purpose: String,
    /// The setup feature (by key) that chooses this port, if setup can change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_key: Option<String>,
    /// What `check` speaks once the port is reached; the bare transport
    /// when absent (see [`PortSpec::probe`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<Probe>,
    /// With `probe: "tls"`: the probe to run inside the TLS session (WinRM
    /// over HTTPS on 5986). Its mismatches are warnings: the handshake and
    /// the certificate are what the port is checked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inside_tls: Option<Probe>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    Tcp,
    Udp,
    /// ICMP messages (ping), by type; no ports.
    Icmp,
}

/// Which way the rule faces, on the machine that carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
    /// A local call: no firewall rule at all.
    None,
}

/// Who can change the port, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modifiability {
    /// Chosen in the product's setup; each port names its feature in `setup_key`.
    Setup,
    /// Cannot be changed.
    Fixed,
    /// Set on a device or in a provider, outside the product.
    Device { place: String },
    /// Set per host in VMM (a host property such as `Set-SCVMHost
    /// -RemoteConnectPort`), not once in setup.
    Host { place: String },
    /// The docs say nothing.
    None,
}

/// A catalog-wide note, optionally describing extra ports between components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogNote {
    pub id: String,
    pub title: String,
    pub text: String,
    /// Product versions the note applies to; empty means all.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Extra ports the note asks for (the dynamic RPC range), if any.
    #[serde(default)]
    pub ports: Vec<PortSpec>,
    /// Components the extra ports are needed on (inbound).
    #[serde(default)]
    pub components: Vec<String>,
    /// Components on the other end of those ports: rules are scoped to their
    /// addresses when the user gave them.
    #[serde(default)]
    pub peers: Vec<String>,
    /// True when the note comes from the docs page.
    #[serde(default = "yes")]
    pub from_docs: bool,
}

impl Catalog {
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    pub fn connection(&self, id: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    pub fn setup_feature(&self, key: &str) -> Option<&SetupFeature> {
        self.setup_features.iter().find(|f| f.key == key)
    }

    /// Finds the component a user means by `text`: its id, a name or alias
    /// (case-insensitive), or else an unambiguous part of any of those.
    /// On failure, the candidates (ids) that partly matched, if any.
    pub fn resolve_component(&self, text: &str) -> Result<&Component, Vec<&str>> {
        let wanted = text.trim().to_lowercase();
        let words = |c: &'_ Component| {
            std::iter::once(c.id.to_lowercase())
                .chain(std::iter::once(c.name.to_lowercase()))
                .chain(c.aliases.iter().map(|a| a.to_lowercase()))
                .collect::<Vec<_>>()
        };
        if let Some(c) = self.components.iter().find(|c| c.id == text) {
            return Ok(c);
        }
        let exact: Vec<&Component> = self
            .components
            .iter()
            .filter(|c| words(c).contains(&wanted))
            .collect();
        if let [one] = exact[..] {
            return Ok(one);
        }
        let partial: Vec<&Component> = self
            .components
            .iter()
            .filter(|c| !wanted.is_empty() && words(c).iter().any(|w| w.contains(&wanted)))
            .collect();
        match partial[..] {
            [one] if exact.is_empty() => Ok(one),
            _ if !exact.is_empty() => Err(exact.iter().map(|c| c.id.as_str()).collect()),
            _ => Err(partial.iter().map(|c| c.id.as_str()).collect()),
        }
    }

    /// Display names of the given component ids, joined for one-line output.
    /// Unknown ids (impossible after validation) fall back to the id itself.
    pub fn names(&self, ids: &[String]) -> String {
        ids.iter()
            .map(|id| self.component(id).map_or(id.as_str(), |c| c.name.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Protocols that carry other services. In a name such as `HTTPS (BITS)`
/// the carrier is what many rows share, and the bracket names the service.
const CARRIERS: [&str; 5] = ["HTTP", "HTTPS", "TLS", "TCP", "UDP"];

impl PortSpec {
    /// The service's name shortened to the words that tell it from the
    /// others, derived from the name so that every catalog has one: a carrier
    /// with the service in brackets gives the bracket (`HTTPS (BITS)` →
    /// `BITS`, `HTTP (Windows Update)` → `Windows Update`); any other bracket
    /// only qualifies the name before it and goes (`WinRM 1.1 (legacy)` →
    /// `WinRM 1.1`, `TDS (SQL Server)` → `TDS`); a name without brackets
    /// stays whole (`WinRM over TLS`).
    pub fn short_service(&self) -> &str {
        let name = self.service.trim();
        let Some((head, rest)) = name.split_once(" (") else {
            return name;
        };
        let inside = rest.strip_suffix(')').unwrap_or(rest).trim();
        let head = head.trim();
        if inside.is_empty() {
            head
        } else if head.is_empty() || CARRIERS.iter().any(|c| c.eq_ignore_ascii_case(head)) {
            inside
        } else {
            head
        }
    }

    /// The probe `check` runs: the one named, or the bare transport.
    pub fn probe(&self) -> Probe {
        self.probe
            .unwrap_or_else(|| Probe::default_for(self.transport))
    }

    pub fn is_range(&self) -> bool {
        self.first != self.last
    }

    /// Whether `first..=last` are port numbers (TCP, UDP) rather than an
    /// ICMP message type.
    pub fn has_ports(&self) -> bool {
        self.transport.has_ports()
    }

    /// `443`, `49152-65535`, or an ICMP type's name (`echo-request`).
    pub fn number_text(&self) -> String {
        number_text(self.transport, self.first, self.last)
    }

    /// Whether the spec's ports overlap `first..=last`; never for ICMP.
    pub fn overlaps(&self, first: u16, last: u16) -> bool {
        self.has_ports() && self.first <= last && first <= self.last
    }
}

/// The ICMP message types the catalog may name, as (ICMPv4 type, ICMPv6
/// type, name). The names are the ones nft, iptables and firewalld all take.
pub const ICMP_TYPES: &[(u16, u16, &str)] = &[
    (0, 129, "echo-reply"),
    (3, 1, "destination-unreachable"),
    (8, 128, "echo-request"),
    (11, 3, "time-exceeded"),
];

/// `443`, `49152-65535`, or an ICMP type's name (`echo-request`): how a
/// port (or an ICMP type) is written everywhere.
pub fn number_text(transport: Transport, first: u16, last: u16) -> String {
    if !transport.has_ports() {
        return icmp_type_name(first).map_or_else(|| first.to_string(), str::to_string);
    }
    if first == last {
        first.to_string()
    } else {
        format!("{first}-{last}")
    }
}

/// The name of an ICMPv4 type in [`ICMP_TYPES`].
pub fn icmp_type_name(v4_type: u16) -> Option<&'static str> {
    ICMP_TYPES
        .iter()
        .find(|(v4, _, _)| *v4 == v4_type)
        .map(|(_, _, name)| *name)
}

/// The ICMPv6 type for an ICMPv4 type in [`ICMP_TYPES`].
pub fn icmpv6_type(v4_type: u16) -> Option<u16> {
    ICMP_TYPES
        .iter()
        .find(|(v4, _, _)| *v4 == v4_type)
        .map(|(_, v6, _)| *v6)
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Icmp => "icmp",
        }
    }

    pub const ALL: [Transport; 3] = [Transport::Tcp, Transport::Udp, Transport::Icmp];

    /// TCP and UDP have ports; ICMP has message types.
    pub fn has_ports(self) -> bool {
        self != Transport::Icmp
    }
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
            Direction::None => "none",
        }
    }
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::General => "general",
            Section::Vmware => "vmware",
        }
    }
}

impl Modifiability {
    /// The badge shown in tables and the explorer; text first, so colour
    /// is never the only signal.
    pub fn badge(&self) -> &'static str {
        match self {
            Modifiability::Setup => "SETUP",
            Modifiability::Fixed => "FIXED",
            Modifiability::Device { .. } => "DEVICE",
            Modifiability::Host { .. } => "HOST",
            Modifiability::None => "—",
        }
    }

    /// The word used in queries (`mod:setup`), JSON (`configurable`) and badges.
    pub fn as_str(&self) -> &'static str {
        match self {
            Modifiability::Setup => "setup",
            Modifiability::Fixed => "fixed",
            Modifiability::Device { .. } => "device",
            Modifiability::Host { .. } => "host",
            Modifiability::None => "none",
        }
    }

    /// Every word of [`Modifiability::as_str`], for queries and help.
    pub const WORDS: [&'static str; 5] = ["setup", "fixed", "device", "host", "none"];

    /// Where a `device` or `host` value is changed.
    pub fn place(&self) -> Option<&str> {
        match self {
            Modifiability::Device { place } | Modifiability::Host { place } => Some(place),
            _ => None,
        }
    }
}

impl Connection {
    /// Every setup key the connection's ports use, in port order, deduplicated.
    pub fn setup_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        for key in self.ports.iter().filter_map(|p| p.setup_key.as_deref()) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }

    /// The services of the connection's ports, each once, in port order:
    /// `WinRM 1.1 (legacy), RPC endpoint mapper, NetBIOS session, SMB`.
    pub fn services_text(&self) -> String {
        crate::text::join_unique(self.ports.iter().map(|p| p.service.as_str()), ", ")
    }

    /// The services' short labels ([`PortSpec::short_service`]), each once,
    /// in port order: `WinRM 1.1, RPC endpoint mapper, NetBIOS session, SMB`,
    /// or `BITS` for `HTTPS (BITS)`. For a column too narrow for the names.
    pub fn services_short(&self) -> String {
        crate::text::join_unique(self.ports.iter().map(PortSpec::short_service), ", ")
    }

    /// `80,135,139,445/tcp`, `443/tcp 623/udp` or `echo-request/icmp`:
    /// ports grouped per transport.
    pub fn ports_text(&self) -> String {
        ports_text(&self.ports)
    }
}

/// `80,135,139,445/tcp 623/udp`: ports grouped per transport, each number
/// once, in the order given.
pub fn ports_text<'a>(ports: impl IntoIterator<Item = &'a PortSpec> + Clone) -> String {
    let mut parts = Vec::new();
    for transport in Transport::ALL {
        let mut numbers: Vec<String> = Vec::new();
        for port in ports
            .clone()
            .into_iter()
            .filter(|p| p.transport == transport)
        {
            let number = port.number_text();
            if !numbers.contains(&number) {
                numbers.push(number);
            }
        }
        if !numbers.is_empty() {
            parts.push(format!("{}/{}", numbers.join(","), transport.as_str()));
        }
    }
    parts.join(" ")
}

/// One machine that needs a rule for a connection, and which way it faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement<'a> {
    /// The component whose firewall carries the rule.
    pub machine: &'a str,
    pub direction: Direction,
    /// The components at the other end, whose addresses scope the rule.
    pub peers: &'a [String],
}

impl Connection {
    /// Every rule the connection needs, in order:
    /// - inbound on every destination, wherever the docs put the rule: a
    ///   destination with a host firewall that lacks it blocks the
    ///   connection (the docs put vCenter's and ESXi's callbacks on the
    ///   appliances only, which leaves the VMM server shut to them);
    /// - outbound on a source where the docs ask for it (`direction:
    ///   outbound`), and on every source when `outbound` is set, for estates
    ///   that deny outgoing traffic by default.
    ///
    /// A local call (`direction: none`) needs none.
    pub fn placements(&self, outbound: bool) -> Vec<Placement<'_>> {
        if self.direction == Direction::None {
            return Vec::new();
        }
        let inbound = self.to.iter().map(|machine| Placement {
            machine,
            direction: Direction::Inbound,
            peers: &self.from,
        });
        let docs_outbound =
            |m: &String| self.direction == Direction::Outbound && self.rule_on.contains(m);
        let outgoing = self
            .from
            .iter()
            .filter(|m| outbound || docs_outbound(m))
            .map(|machine| Placement {
                machine,
                direction: Direction::Outbound,
                peers: &self.to,
            });
        let mut out: Vec<Placement> = Vec::new();
        for p in inbound.chain(outgoing) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }
}

/// A machine at one end of a connection (see [`Catalog::ends`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End<'a> {
    pub machine: &'a Component,
    /// Only `also` the role the connection names: left out where the
    /// deployment gives it no address.
    pub optional: bool,
}

impl Catalog {
    /// The machines that play role `id`: the component itself, and those
    /// that declare (`also`) they are it; for a service that `runs_on`
    /// another component, that component instead. Every machine that needs
    /// a rule placed on `id`, and every end of a connection from or to it.
    pub fn machines_acting_as<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Component> {
        let host = self.component(id).and_then(|c| c.runs_on.as_deref());
        self.components.iter().filter(move |c| match host {
            Some(host) => c.id == host,
            None => c.id == id || c.also.iter().any(|a| a == id),
        })
    }

    /// The machines at the ends `ids` name ([`Catalog::machines_acting_as`]
    /// each), each once, in order, with whether the deployment may lack it.
    ///
    /// A machine that is only `also` one of the ends is optional: a
    /// deployment with no untrusted-domain hosts has none to give addresses for,
    /// so a rule or policy leaves it out rather than waiting for it. The
    /// ends themselves (or the machine a service runs on) are required.
    pub fn ends<'a>(&'a self, ids: &'a [String]) -> Vec<End<'a>> {
        let mut out: Vec<End> = Vec::new();
        for id in ids {
            for machine in self.machines_acting_as(id) {
                let optional = machine.also.iter().any(|a| a == id);
                match out.iter_mut().find(|e| e.machine.id == machine.id) {
                    Some(end) => end.optional &= optional,
                    None => out.push(End { machine, optional }),
                }
            }
        }
        out
    }

    /// Where a connection's rules go, for people: `inbound on Hyper-V host
    /// (and untrusted-host); outbound on VMware ESXi host`, or `none
    /// needed` for a local call. Outbound rules
    /// that only `--outbound` adds are not listed.
    pub fn placements_text(&self, conn: &Connection) -> String {
        let mut parts = Vec::new();
        for direction in [Direction::Inbound, Direction::Outbound] {
            let machines: Vec<String> = conn
                .placements(false)
                .into_iter()
                .filter(|p| p.direction == direction)
                .map(|p| {
                    let name = self
                        .component(p.machine)
                        .map_or(p.machine, |c| c.name.as_str());
                    // By id: the names are long, and this is one line.
                    let also: Vec<&str> = self
                        .machines_acting_as(p.machine)
                        .filter(|c| c.id != p.machine)
                        .map(|c| c.id.as_str())
                        .collect();
                    if also.is_empty() {
                        name.to_string()
                    } else {
                        format!("{name} (and {})", also.join(", "))
                    }
                })
                .collect();
            if !machines.is_empty() {
                parts.push(format!("{} on {}", direction.as_str(), machines.join(", ")));
            }
        }
        if parts.is_empty() {
            "none needed".into()
        } else {
            parts.join("; ")
        }
    }

    /// Where the docs page puts the rule, when that is not simply "inbound on
    /// every destination" (which [`Catalog::placements_text`] already says).
    pub fn docs_rule_text(&self, conn: &Connection) -> Option<String> {
        let plain = conn.direction == Direction::Inbound && conn.rule_on == conn.to;
        (!plain && !conn.rule_on.is_empty()).then(|| {
            format!(
                "{} on {}",
                conn.direction.as_str(),
                self.names(&conn.rule_on)
            )
        })
    }

    /// Whether `machine` carries the rules placed on `role` (see
    /// [`Catalog::machines_acting_as`]).
    pub fn acts_as(&self, machine: &str, role: &str) -> bool {
        self.machines_acting_as(role).any(|c| c.id == machine)
    }
}

#[cfg(test)]
mod tests {
    use super::{PortSpec, Transport};

    fn service(name: &str) -> PortSpec {
        PortSpec {
            first: 443,
            last: 443,
            transport: Transport::Tcp,
            service: name.to_string(),
            purpose: String::new(),
            setup_key: None,
            probe: None,
            inside_tls: None,
        }
    }

    #[test]
    fn a_short_service_keeps_the_words_that_tell_it_apart() {
        for (name, short) in [
            // A carrier names nothing: the bracket does.
            ("HTTPS (BITS)", "BITS"),
            ("HTTP (Windows Update)", "Windows Update"),
            (
                "https (SMASH over WS-Management)",
                "SMASH over WS-Management",
            ),
            // Any other bracket qualifies the name before it.
            ("WinRM 1.1 (legacy)", "WinRM 1.1"),
            ("TDS (SQL Server)", "TDS"),
            ("WCF (HTTPS)", "WCF"),
            ("SMB (live migration)", "SMB"),
            // No bracket, or an odd one: the name as written.
            ("WinRM over TLS", "WinRM over TLS"),
            ("HTTPS", "HTTPS"),
            ("SMB ()", "SMB"),
            ("HTTPS (BITS", "BITS"),
            ("(BITS)", "(BITS)"),
        ] {
            assert_eq!(service(name).short_service(), short, "{name}");
        }
    }
}
