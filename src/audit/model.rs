//! What every firewall reader answers: would this machine's firewall let
//! one packet through, and which rule decided. The nftables, iptables and
//! Windows readers each turn their input into a [`Ruleset`]; `audit`'s flow
//! layer asks it about the packets of each VMM flow.
//!
//! The packet asked about is always the first of a connection (conntrack's
//! `new`; for UDP, the first datagram): that is the one a firewall decides
//! on, and the one a blocked VMM flow never gets past.

use std::net::IpAddr;

/// Which way the packet crosses this machine's firewall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// To this machine: the peer opens the connection.
    Inbound,
    /// From this machine: it opens the connection to the peer.
    Outbound,
}

/// The packet's protocol; ICMP means ICMPv4 or ICMPv6 by the peer's family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
    /// An echo request.
    Icmp,
}

impl Protocol {
    pub fn word(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
        }
    }
}

/// The first packet of one connection, as this machine's firewall sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Packet {
    pub direction: Direction,
    pub protocol: Protocol,
    /// The other end: the source of an inbound packet, the destination of
    /// an outbound one.
    pub peer: IpAddr,
    /// This machine's address on that path, when known (`ip daddr` of an
    /// inbound packet). Unknown, a rule that matches on it is assumed to
    /// match, and the decision says so.
    pub local: Option<IpAddr>,
    /// The service's port: the destination port, on this machine for an
    /// inbound packet, on the peer for an outbound one. 0 for ICMP.
    pub port: u16,
    /// The source port. Firewalls rarely match on it; unknown (`None`), a
    /// rule that does is assumed to match, and the decision says so.
    pub source_port: Option<u16>,
    /// The interface it arrives on (inbound) or leaves by (outbound), when
    /// known. Unknown, `lo` matches only a loopback peer, and any other name
    /// is assumed to match, with the assumption recorded.
    pub interface: Option<String>,
}

/// The rule (or policy) that decided, in the words of its own firewall, so
/// an admin can find it: `inet filter input handle 7`, `filter INPUT rule 3`,
/// `Windows rule "WINRM-HTTP-In-TCP" (Windows Remote Management (HTTP-In))`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleRef {
    /// Where it is: table, chain and handle; chain and line; the rule's name.
    pub place: String,
    /// The rule as written (or summarised), when there is one: the nft
    /// statement, the iptables-save line, the Windows display name.
    pub text: Option<String>,
}

/// A firewall's answer for one packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The rules that decided, in the order they did (a jump and its
    /// target's verdict, or each base chain's accept). A chain policy that
    /// decided is named as one (`inet filter input policy drop`); a
    /// Windows profile's default action, having no name, leaves it empty
    /// (`why` says which default decided).
    pub rules: Vec<RuleRef>,
    /// Why, in one sentence, for a person: "dropped by the policy of chain
    /// input in table inet filter", "no allow rule for TCP 5985 applies on
    /// the Public profile, whose default inbound action is block".
    pub why: String,
    /// What the decision took for granted because the input does not say:
    /// "the packet arrives on eth0", "the program listening on 5985 is
    /// C:\Windows\System32\svchost.exe". Empty when nothing was assumed.
    pub assumptions: Vec<String>,
}

/// The values at which a ruleset's rules start or stop matching: between
/// two neighbouring boundaries every packet is decided alike. The flow
/// layer splits a port range or a peer subnet at these and asks about one
/// packet per piece, so a verdict of `partly` is found without asking about
/// every port and address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Boundaries {
    /// Ports at which a rule's port set starts or ends: for each interval
    /// `a-b` a rule matches, `a` and `b + 1` (when ≤ 65535).
    pub ports: Vec<u16>,
    /// Addresses at which a rule's address set starts or ends, the same way
    /// (first address of each range, and the one after its last).
    pub addresses: Vec<IpAddr>,
}

/// A machine's firewall, read from one or more inputs.
pub trait Ruleset: Send + Sync {
    /// Would `packet` be let through, and why.
    fn decide(&self, packet: &Packet) -> Decision;
    /// Where its matches change, for [`Direction`] `direction`.
    fn boundaries(&self, direction: Direction) -> Boundaries;
    /// The same firewall for the packets of one flow only (`direction`,
    /// `protocol`, service ports `ports`): the rules no such packet can
    /// match left out, so its [`Ruleset::boundaries`] cut the flow only
    /// where a rule that matters changes, and each decision walks only
    /// those rules. A big ruleset is mostly rules for other ports; without
    /// this, every one of them multiplies the packets asked about and the
    /// work per packet. `None` (the default): nothing to leave out, ask
    /// `self`.
    fn for_flow(
        &self,
        _direction: Direction,
        _protocol: Protocol,
        _ports: (u16, u16),
    ) -> Option<Box<dyn Ruleset + '_>> {
        None
    }
    /// What it was read from, in a few words each (`nft -j list ruleset
    /// (3 tables, 41 rules)`), for the report's `inputs`.
    fn describe(&self) -> Vec<String>;
}

/// One input as given: its name for messages (a path, or `-` for stdin)
/// and its bytes, undecoded (a `reg export` file is UTF-16LE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Input {
    /// The input's text: UTF-8, or UTF-16 behind its BOM (as PowerShell
    /// 5.1's `>` saves a capture); else an error placed in it, with `hint`.
    pub fn text(&self, hint: &str) -> Result<String, InputError> {
        crate::file_text::decode(&self.bytes).map_err(|refused| {
            let (line, column) = refused.at.unwrap_or((1, 1));
            InputError {
                file: self.name.clone(),
                line,
                column,
                message: refused.message,
                hint: Some(hint.into()),
            }
        })
    }
}

/// Why an input could not be read: what, where (file:line:col, 1-based;
/// for JSON, where the offending value starts) and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}
