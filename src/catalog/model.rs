//! The catalog's data model: exactly the schema of `assets/vmm.ron`, and of any
//! catalog a user loads with `--data` (RON or JSON).
//!
//! These types are plain data. Parsing lives in `load.rs`, checking in
//! `validate.rs`; nothing here knows about terminals or output formats.

use serde::{Deserialize, Serialize};

/// A whole port matrix: the machines involved, the ports setup can change,
/// every connection between them, and catalog-wide notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Component ids whose firewall carries the rule; empty for local calls.
    #[serde(default)]
    pub rule_on: Vec<String>,
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

/// One port or contiguous port range on one transport.
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    Tcp,
    Udp,
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

impl PortSpec {
    pub fn is_range(&self) -> bool {
        self.first != self.last
    }

    /// `443` or `49152-65535`.
    pub fn number_text(&self) -> String {
        if self.is_range() {
            format!("{}-{}", self.first, self.last)
        } else {
            self.first.to_string()
        }
    }

    pub fn overlaps(&self, first: u16, last: u16) -> bool {
        self.first <= last && first <= self.last
    }
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        }
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
            Modifiability::None => "—",
        }
    }

    /// The word used in queries (`mod:setup`), JSON (`configurable`) and badges.
    pub fn as_str(&self) -> &'static str {
        match self {
            Modifiability::Setup => "setup",
            Modifiability::Fixed => "fixed",
            Modifiability::Device { .. } => "device",
            Modifiability::None => "none",
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

    /// `80,135,139,445/tcp` or `443/tcp 623/udp`: ports grouped per transport.
    pub fn ports_text(&self) -> String {
        let mut parts = Vec::new();
        for transport in [Transport::Tcp, Transport::Udp] {
            let numbers: Vec<String> = self
                .ports
                .iter()
                .filter(|p| p.transport == transport)
                .map(PortSpec::number_text)
                .collect();
            if !numbers.is_empty() {
                parts.push(format!("{}/{}", numbers.join(","), transport.as_str()));
            }
        }
        parts.join(" ")
    }
}
